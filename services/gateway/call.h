/*  call — the bus-backed routes: one HTTP request becomes one call of a service's operation
    (or two, by a follow-up row), and its reply becomes the answer.

    gateway_call() builds the operation's message from the route (the JSON body through json_pb,
    path parameters, ROUTE_QUERY_FIELDS query arguments, ROUTE_SELF ids), wraps it in
    lumbung.Request with the actor, the idempotency key (scoped by user, once per exchange:
    "<username>:<key>"), a deadline and the read-your-writes sequences of the services the
    called one follows, and sends it to the backend of the cooperative it names. A send refused
    for want of a connection delivered nothing, so it waits in the retry queue and is tried
    again (GATEWAY_SEND_RETRIES, within the call's deadline) before the caller gets 503.

    The reply: an error becomes {"error": {code, message, field}} with envelope_http_status;
    a result the JSON of the set member of the service's reply oneof, or, for a message with
    `content_type` and `body` (CSV, XLSX, PDF), that file. When a follow-up row names the
    operation just answered, its second call is made instead, and the first result is merged
    into the second's under the name of its result field (the member exit answers with the
    settlement the exit posts).

    The backends are known here too: a service's index among gw->clients and which client a
    call goes to (transactions: the shard of the cooperative it names), declared in gateway.h
    (gateway_service_index, gateway_backend, gateway_shard_backend).

    Not for: routing, authentication and authorisation (routes.c), the gateway's own endpoints
    (handlers.c). */
#ifndef LUMBUNG_GATEWAY_CALL_H
#define LUMBUNG_GATEWAY_CALL_H

#include <jansson.h>

#include "route.h"

struct gateway;
struct gateway_exchange;

/* Calls the operation of ex->route with `body` (NULL for reads and raw bodies; not stolen)
   and answers the exchange when the reply comes, or now with 400 when the message cannot be
   built. */
void gateway_call(struct gateway_exchange *ex, json_t *body);

/* Sets up the retry queue's timer; answers every queued retry with 503 and closes it. */
void gateway_call_init(struct gateway *gw);
void gateway_call_shutdown(struct gateway *gw);

/* The start-up check of a bus-backed row (service, operation, parameter fields, raw-body
   field) and of the follow-up rows; each logs its problems and returns their number. */
int gateway_call_check_route(const route_t *r);
int gateway_call_check_follow_ups(void);

#endif
