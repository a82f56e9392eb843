/*  route — one row of the gateway's route tables (routes.h): an HTTP endpoint as data.

    A row names the method, the path pattern with its {params}, the service and the operation
    of that service's *Request oneof the endpoint becomes, which field of the operation's
    message each path parameter fills, and what is HTTP's alone (201, query fields, a raw body,
    members' pages). The router (routes.c) matches and authorises by it; the generic handler
    (call.c) builds and sends the operation's message by it. Rows are constant data: nothing
    here owns memory.

    Not for: the tables themselves (routes.h, routes_<service>.c); what an operation is (its
    row in common/operations_<service>.h). */
#ifndef LUMBUNG_GATEWAY_ROUTE_H
#define LUMBUNG_GATEWAY_ROUTE_H

#include <stddef.h>

enum { ROUTE_PARAMS_MAX = 4 };

/* HTTP's own part of a route. The access class, OP_MOVES_MONEY (Idempotency-Key required)
   and OP_LONG (larger body limit and deadline) come from the operation's row. */
enum {
    ROUTE_CREATED = 1 << 0,              /* 201 on success */
    ROUTE_QUERY_FIELDS = 1 << 2,         /* ?name=value pairs fill fields of the message */
    ROUTE_RAW_BODY = 1 << 3,             /* the body (e.g. CSV) goes to the bytes field `body` */
    ROUTE_MEMBER = 1 << 5,               /* a member may call it too: reads only, their own
                                            cooperative, and a {id} (member id) their own */
    ROUTE_SELF = 1 << 6,                 /* a member's own page (ACCESS_MEMBER_ONLY, whatever
                                            the operation's class): cooperative_id and
                                            member_id of the operation are the member's own,
                                            from the session; whatever the URL says is
                                            overwritten (and another id refused) */
};

typedef struct {
    const char *name;   /* path parameter, without braces */
    const char *field;  /* field of the operation message it fills */
} route_param_t;

typedef struct {
    const char *method;
    const char *pattern;          /* "/api/v1/cooperatives/{coop}/members/{id}" */
    const char *service;          /* "members", "transactions", "reporting" */
    const char *operation;        /* field name in the service's *Request oneof */
    route_param_t params[ROUTE_PARAMS_MAX];
    unsigned flags;
} route_t;

#define ROUTE_END { NULL, NULL, NULL, NULL, { { NULL, NULL } }, 0 }

#endif
