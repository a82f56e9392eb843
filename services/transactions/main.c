/* transactions — the double-entry ledger and the members' savings of every cooperative.
   main.c only wires the runtime, the store tables and the members follower together. */
#include "app.h"
#include "lending.h"
#include "config.h"
#include "service.h"
#include "shard.h"

#include <errno.h>
#include <stdio.h>

static int setup(void *arg, service_t *svc, bus_t *bus) {
    tx_app_t *app = arg;
    app->service = svc;
    app->replica_arena = arena_new();
    app->close_step_loans = (uint32_t) config_int("LUMBUNG_CLOSE_DAY_STEP", TX_CLOSE_STEP_LOANS,
                                                  1, 100000);
    int rc = tx_store_open(&app->db, service_store(svc));
    if (rc == 0) rc = tx_store_shard(&app->db, app->shard);
    if (rc != 0) return rc;
    char router[128], pub[128];
    follower_config_t fc = {
        .stream = "members",
        .router_endpoint = config_endpoint("members", "router", router, sizeof router),
        .pub_endpoint = config_endpoint("members", "pub", pub, sizeof pub),
    };
    app->members = follower_new(bus, service_store(svc), &fc, tx_replica_apply,
                                tx_replica_advanced, app, &rc);
    if (!app->members) return rc ? rc : -EINVAL;
    service_add_replica(svc, app->members);
    return 0;
}

static void teardown(void *arg) {
    tx_app_t *app = arg;
    follower_destroy(&app->members);
    arena_destroy(&app->replica_arena);
}

/* Shard K is "transactions-K" (shard.h): its store, key, endpoints and stream. */
static const char *name_of(void *arg) {
    static char name[SHARD_NAME_MAX];
    tx_app_t *app = arg;
    if (shard_load() != 0) return NULL;
    app->shard = shard_self();
    return shard_name(app->shard, name, sizeof name);
}

int main(void) {
    static tx_app_t app;
    static const service_handlers_t handlers = { .operations = &tx_handlers_operations };
    service_main_t def = {
        .name = "transactions", .name_of = name_of, .handlers = &handlers, .app = &app,
        .setup = setup, .teardown = teardown,
    };
    return service_run(&def);
}
