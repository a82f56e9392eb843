/* reporting — read models built only from the members and transactions event streams.
   main.c wires the service runtime, the two followers and the handlers together. */
#include "config.h"
#include "event_decode.h"
#include "reporting.h"
#include "service.h"

#include <errno.h>
#include <stdio.h>

static int follow(reporting_t *app, bus_t *bus, service_t *svc, const char *stream,
                  follower_t **out) {
    char router[128], pub[128];
    follower_config_t fc = {
        .stream = stream,
        .router_endpoint = config_endpoint(stream, "router", router, sizeof router),
        .pub_endpoint = config_endpoint(stream, "pub", pub, sizeof pub),
    };
    int rc = 0;
    *out = follower_new(bus, service_store(svc), &fc, reporting_apply, reporting_advanced, app, &rc);
    if (*out) {
        follower_set_batch_hook(*out, reporting_batch);
        follower_set_wire_apply(*out, reporting_apply_wire);
        follower_set_wire_decode(*out, reporting_event_decode);
        service_add_replica(svc, *out);
    }
    return rc;
}

/* Members, and every transactions shard with a cursor of its own: each shard's events are in
   order within the shard, and a cooperative's events all come from the shard that owns it. */
static int setup(void *arg, service_t *svc, bus_t *bus) {
    reporting_t *app = arg;
    if (shard_load() != 0) return -EINVAL;
    int rc = reporting_open(app, svc);
    if (rc == 0) rc = follow(app, bus, svc, "members", &app->members);
    app->shards = shard_count();
    for (int k = 0; rc == 0 && k < app->shards; k++) {
        char name[SHARD_NAME_MAX];
        rc = follow(app, bus, svc, shard_name(k, name, sizeof name), &app->transactions[k]);
    }
    return rc;
}

static void teardown(void *arg) {
    reporting_t *app = arg;
    follower_destroy(&app->members);
    for (int k = 0; k < SHARD_MAX; k++) follower_destroy(&app->transactions[k]);
    reporting_close(app);
}


int main(void) {
    static reporting_t app;
    static const service_handlers_t handlers = { .operations = &reporting_operations };
    service_main_t def = {
        .name = "reporting", .handlers = &handlers, .app = &app, .setup = setup, .teardown = teardown,
    };
    return service_run(&def);
}
