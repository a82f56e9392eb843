/*  service_main — the shared body of every service's main(), so each main.c is wiring only:
    it reads the configuration (LUMBUNG_DATA, ports, keys), creates the loop, the bus and the
    service (service.h) with the handlers and hooks a service_main_t names, runs until SIGINT
    or SIGTERM, then shuts down cleanly in the reverse order.

    Not for: anything a service does per request (service.h) or any business rule. */
#ifndef LUMBUNG_SERVICE_MAIN_H
#define LUMBUNG_SERVICE_MAIN_H

#include "bus.h"
#include "service.h"

typedef struct {
    const char *name;                      /* "members" */
    /* When set: the name, asked once the configuration is loaded, for a service whose name
       depends on it (a transactions shard: "transactions-1"); NULL there stops the start. */
    const char *(*name_of)(void *app);
    const service_handlers_t *handlers;
    void *app;
    /* Called once the store is open and before serving: open the app's tables, create
       followers (and service_add_replica them). Return 0 or a negative code to exit. */
    int (*setup)(void *app, service_t *service, bus_t *bus);
    /* Called after the loop stopped, before the store closes: destroy followers etc. */
    void (*teardown)(void *app);
} service_main_t;

/* Reads config (LUMBUNG_DATA, ports, keys), creates the loop, bus and service, runs until
   SIGINT/SIGTERM, then shuts down cleanly. Returns the process exit code. */
int service_run(const service_main_t *main_def);

#endif
