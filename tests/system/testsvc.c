/*  testsvc — a bare service built only from common/, for the runtime's own system tests.

    Its handlers and follower callbacks are in testsvc_app.h (shared with the in-process unit
    test): `emit` appends events, `add` changes a counter, `state` reads. With
    LUMBUNG_TEST_FOLLOW=<stream> it also follows that producer's stream and records what it
    applied.

    Its name (key name, stream, store directory) is LUMBUNG_TEST_NAME (default "testing");
    endpoints come from LUMBUNG_<NAME>_ROUTER / _PUB like every service.
    Not for: production; it is never installed. */
#include "config.h"
#include "log.h"
#include "service.h"
#include "testsvc_app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int setup(void *arg, service_t *svc, bus_t *bus) {
    testsvc_app_t *app = arg;
    app->svc = svc;
    int rc = store_table(service_store(svc), "counters", &app->counters);
    if (rc == 0) rc = store_table(service_store(svc), "applied", &app->applied);
    const char *stream = config_get("LUMBUNG_TEST_FOLLOW", NULL);
    if (rc != 0 || !stream) return rc;
    char router[128], pub[128];
    follower_config_t fc = {
        .stream = stream,
        .router_endpoint = config_endpoint(stream, "router", router, sizeof router),
        .pub_endpoint = config_endpoint(stream, "pub", pub, sizeof pub),
        .rcvhwm = (int) config_int("LUMBUNG_TEST_RCVHWM", 0, 0, 1000000),
    };
    app->follower = follower_new(bus, service_store(svc), &fc, testsvc_apply, testsvc_advanced, app,
                                 &rc);
    if (app->follower) service_add_replica(svc, app->follower);
    return rc;
}

static void teardown(void *arg) {
    testsvc_app_t *app = arg;
    follower_destroy(&app->follower);
}

int main(void) {
    static testsvc_app_t app;
    static const service_handlers_t handlers = { .handle = testsvc_handle };
    service_main_t def = {
        .name = config_get("LUMBUNG_TEST_NAME", "testing"),
        .handlers = &handlers,
        .app = &app,
        .setup = setup,
        .teardown = teardown,
    };
    return service_run(&def);
}
