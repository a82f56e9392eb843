/*  client — requests to one service over a DEALER socket, with deadlines and retries left to
    the caller.

    client_call() stamps the request with a fresh request_id and a deadline, packs it, and
    calls back exactly once: with the reply, with ERR_UNAVAILABLE when no connection to the
    service exists (the DEALER is immediate, so a stopped service fails fast), or with
    ERR_TIMEOUT when the deadline passes first. A reply arriving after its deadline is
    dropped. The caller may retry with the same idempotency key.

    The first request of a turn of the loop goes out at once, alone, so a call with no
    connection fails at once; the others of the same turn go out together as one batch just
    before the loop next waits (a uv_prepare; call_batch.h), and their replies may come back
    several to a message. A batch the bus refuses delivered nothing: its calls are called back
    with ERR_UNAVAILABLE from that prepare, and calls made after the refusal in the same turn
    get ERR_UNAVAILABLE at once.

    Not for: events (follower.h). */
#ifndef LUMBUNG_CLIENT_H
#define LUMBUNG_CLIENT_H

#include <stdint.h>
#include "bus.h"
#include "error.h"
#include "envelope.pb-c.h"

enum {
    CLIENT_PENDING_MAX = 65536,     /* requests in flight per client */
    CLIENT_TIMEOUT_DEFAULT_MS = 5000,
    CLIENT_OK = 0,
};
/* Failures (error.h): ERR_UNAVAILABLE, ERR_TIMEOUT, ERR_OVERLOADED (CLIENT_PENDING_MAX reached).
   An undecodable reply cannot be matched to its request, so it ends as ERR_TIMEOUT. */

typedef struct client client_t;

/* `reply` is valid only during the callback and is NULL unless status == CLIENT_OK. */
typedef void (*client_reply_fn)(void *arg, int status, const Lumbung__Reply *reply);

/* Connects to the ROUTER of `service` (key name) at `endpoint`. */
client_t *client_new(bus_t *bus, const char *service, const char *endpoint, int *err);
/* Calls back every pending request with ERR_UNAVAILABLE, then closes the socket. */
void client_destroy(client_t **self_p);

/* Packs `request` for this turn's message (request_id and deadline_ms are overwritten; the
   caller keeps ownership) and returns 0, or a negative status without calling back. */
int client_call(client_t *self, Lumbung__Request *request, uint32_t timeout_ms,
                client_reply_fn fn, void *arg);

unsigned client_pending(const client_t *self);

#endif
