#include "service_main.h"
#include "service.h"
#include "config.h"
#include "curve.h"
#include "log.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void on_signal(uv_signal_t *h, int signum) {
    log_info(0, "received signal %d, stopping", signum);
    uv_stop(h->loop);
}

static void close_any(uv_handle_t *h, void *arg) {
    if (!uv_is_closing(h)) uv_close(h, NULL);
}

int service_run(const service_main_t *def) {
    log_init(def->name);
    if (config_load() != 0) return 2;
    const char *name = def->name_of ? def->name_of(def->app) : def->name;
    if (!name) return 2;
    log_init(name);
    signal(SIGPIPE, SIG_IGN);
    uv_loop_t loop;
    uv_loop_init(&loop);
    int err = 0;
    bus_config_t bc = { .name = name, .curve = true };
    bus_t *bus = bus_new(&loop, &bc, &err);
    if (!bus) return 1;
    char router[128], pub[128];
    service_config_t sc = {
        .name = name,
        .router_endpoint = config_bind_endpoint(name, "router", router, sizeof router),
        .pub_endpoint = config_bind_endpoint(name, "pub", pub, sizeof pub),
        .data_dir = config_data_dir(),
    };
    service_t *svc = service_new(bus, &sc, def->handlers, def->app, &err);
    if (!svc) {
        log_error(0, "cannot start (%d)", err);
        bus_destroy(&bus);
        return 1;
    }
    if (def->setup && (err = def->setup(def->app, svc, bus)) != 0) {
        log_error(0, "setup failed (%d)", err);
        service_destroy(&svc);
        bus_destroy(&bus);
        return 1;
    }
    uv_signal_t sigint, sigterm;
    uv_signal_init(&loop, &sigint);
    uv_signal_init(&loop, &sigterm);
    uv_signal_start(&sigint, on_signal, SIGINT);
    uv_signal_start(&sigterm, on_signal, SIGTERM);
    service_start(svc);
    log_info(0, "listening on %s (requests) and %s (events)", router, pub);
    uv_run(&loop, UV_RUN_DEFAULT);

    /* Orderly shutdown: app first (followers), then the service, the bus, the loop. */
    if (def->teardown) def->teardown(def->app);
    service_destroy(&svc);
    bus_destroy(&bus);
    uv_walk(&loop, close_any, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    log_info(0, "stopped");
    return 0;
}
