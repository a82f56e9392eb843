/* lumbung-members — wiring only: the runtime (service_run) with the members handlers and
   tables. Every rule lives in handlers.c and the files it names (members.h). */
#include <stdlib.h>

#include "members.h"

static int setup(void *arg, service_t *service, bus_t *bus) {
    members_app_t *app = arg;
    int err = 0;
    app->service = service;
    app->store = members_store_new(service_store(service), &err);
    if (!app->store) return err;
    return members_import_resume(app, bus_loop(bus));   /* a job a crash interrupted goes on */
}

static void teardown(void *arg) {
    members_app_t *app = arg;
    members_import_stop(app);
    members_store_destroy(&app->store);
}

int main(void) {
    static members_app_t app;
    static const service_handlers_t handlers = { .operations = &members_operations };
    const service_main_t def = {
        .name = "members",
        .handlers = &handlers,
        .app = &app,
        .setup = setup,
        .teardown = teardown,
    };
    return service_run(&def);
}
