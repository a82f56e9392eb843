/*  busaudit — the integrators' commands in the gateway's audit trail.

    An integrator talks to the services over the bus, not through the gateway, so its commands
    never pass the gateway's HTTP audit. The gateway therefore follows the members and
    transactions event streams (common/follower.h) and, for every event an integrator caused
    (actor role integrator), writes an audit entry in the same transaction as the follower's
    cursor, so each is recorded exactly once, across restarts: user = the key name, role
    "integrator", method "BUS", route "STREAM.EVENT" (e.g. "transactions.entries_posted"),
    the event's cooperative, target "seq=N", status 200, outcome "ok". Refused commands change
    nothing and cause no event: the service logs them with the key name. The followers are
    filtered (follower.h, actor_role): the producers send them integrators' events only, so
    an entry is written within about a heartbeat (1 s) of the command.

    Not for: the HTTP calls' audit (audit.h, gateway.c), or any other use of the events. */
#ifndef LUMBUNG_GATEWAY_BUSAUDIT_H
#define LUMBUNG_GATEWAY_BUSAUDIT_H

#include "arena.h"
#include "audit.h"
#include "bus.h"
#include "envelope.h"
#include "store.h"

typedef struct busaudit busaudit_t;

/* Follows the streams into `store` (tables: "cursors"); call before the loop runs. */
busaudit_t *busaudit_new(bus_t *bus, store_t *store, audit_t *audit, int *err);
/* Adds each stream's cursor and known head to `pong` (what /metrics shows for the gateway's
   own followers), allocated in `arena`. */
void busaudit_status(const busaudit_t *self, arena_t *arena, Lumbung__Pong *pong);
/* Stops following; before the bus, the audit and the store go. */
void busaudit_destroy(busaudit_t **self_p);

#endif
