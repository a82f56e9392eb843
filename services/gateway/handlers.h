/*  handlers — the endpoints the gateway answers itself: health, readiness, metrics, login and
    logout, users, audit. Routing, authentication and authorisation happened before (routes.c);
    a handler answers its exchange (gateway.h) and says nothing to the services.

    Not for: forwarding to a service (call.c), the users and tokens themselves (auth.h) or the
    trail (audit.h). */
#ifndef LUMBUNG_GATEWAY_HANDLERS_H
#define LUMBUNG_GATEWAY_HANDLERS_H

#include "access.h"
#include "gateway.h"

/* Handles a route whose service is "gateway". `body` is the parsed JSON object (NULL for GET;
   the caller keeps the reference). */
typedef void (*gateway_handler_fn)(gateway_exchange_t *ex, json_t *body);

/* An operation of the gateway's own: its name in the route rows, who may call it, its handler. */
typedef struct {
    const char *operation;
    access_t access;
    gateway_handler_fn fn;
} gateway_handler_t;

/* The row of an operation of the gateway's own route table, or NULL. */
const gateway_handler_t *gateway_handlers_find(const char *operation);

#endif
