/*  routes — the table that maps each HTTP endpoint of the API (docs/openapi.yaml) to a bus request.

    An endpoint is data, not code: method, path pattern, who may call it, which service and
    which operation of that service's *Request oneof it becomes, and how path and query
    parameters fill the operation's message. The gateway's generic handler (call.c)
    converts the JSON body with json_pb into that message, sets path/query parameters, wraps it
    in the envelope, calls the service and converts the service's *Reply result back to JSON.
    Each service's endpoints are declared in their own file (routes_members.c,
    routes_transactions.c, routes_reporting.c) as a ROUTE_END-terminated array; routes.c
    concatenates them with the gateway's own.

    Not for: endpoints the gateway answers itself (auth, users, audit, health, metrics), which
    are ordinary handlers in routes.c.

    Example row:
      { "POST", "/api/v1/cooperatives/{coop}/members", ROUTE_COOP_WRITE, "members",
        "create_member", { {"coop", "cooperative_id"} }, ROUTE_CREATED },
    The JSON body fills lumbung.MembersRequest.create_member (a message); the path parameter
    {coop} fills its field `cooperative_id` (a uint64 field takes the decimal id); the reply's
    MembersReply result (whichever oneof member is set) is the response body. */
#ifndef LUMBUNG_GATEWAY_ROUTES_H
#define LUMBUNG_GATEWAY_ROUTES_H

#include <stdbool.h>
#include <stddef.h>

enum { ROUTE_PARAMS_MAX = 4 };

/* Who may call. "Coop" routes carry a {coop} path parameter (or cooperative_id in the body):
   operators and viewers only for their own cooperative. */
typedef enum {
    ROUTE_PUBLIC = 0,          /* no token (login, health) */
    ROUTE_AUTHENTICATED,       /* any valid token */
    ROUTE_COOP_READ,           /* admin, supervisor: any; operator, viewer: own cooperative */
    ROUTE_COOP_WRITE,          /* admin: any; operator: own cooperative */
    ROUTE_SUPERVISE,           /* admin, supervisor (district-wide reads, supervision records) */
    ROUTE_ADMIN,               /* admin only */
    ROUTE_MEMBER_ONLY,         /* a member only (their own pages: /api/v1/member/...) */
} route_access_t;

enum {
    ROUTE_CREATED = 1 << 0,              /* 201 on success */
    ROUTE_IDEMPOTENCY_REQUIRED = 1 << 1, /* moves money: Idempotency-Key header required */
    ROUTE_QUERY_FIELDS = 1 << 2,         /* ?name=value pairs fill fields of the message */
    ROUTE_RAW_BODY = 1 << 3,             /* the body (e.g. CSV) goes to the bytes field `body` */
    ROUTE_LONG = 1 << 4,                 /* larger body limit and deadline (imports) */
    ROUTE_MEMBER = 1 << 5,               /* a member may call it too: reads only, their own
                                            cooperative, and a {id} (member id) their own */
    ROUTE_SELF = 1 << 6,                 /* cooperative_id and member_id of the operation are
                                            the member's own, from the session: whatever the
                                            URL says is overwritten (and another id refused) */
};

typedef struct {
    const char *name;   /* path parameter, without braces */
    const char *field;  /* field of the operation message it fills */
} route_param_t;

typedef struct {
    const char *method;
    const char *pattern;          /* "/api/v1/cooperatives/{coop}/members/{id}" */
    route_access_t access;
    const char *service;          /* "members", "transactions", "reporting" */
    const char *operation;        /* field name in the service's *Request oneof */
    route_param_t params[ROUTE_PARAMS_MAX];
    unsigned flags;
} route_t;

#define ROUTE_END { NULL, NULL, ROUTE_PUBLIC, NULL, NULL, { { NULL, NULL } }, 0 }

/* Defined in routes_<service>.c, terminated by ROUTE_END. */
extern const route_t routes_members[];
extern const route_t routes_transactions[];
extern const route_t routes_reporting[];

#endif
