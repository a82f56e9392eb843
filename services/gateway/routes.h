/*  routes — the table that maps each HTTP endpoint of the API (docs/openapi.yaml) to a bus request.

    An endpoint is data, not code (one route_t row, route.h): method, path pattern, which
    service and which operation of that service's *Request oneof it becomes, how path and
    query parameters fill the operation's message, and what is HTTP's alone (201, members'
    pages). What the operation is (who may call it, whether it moves money, whether it is
    long) is not repeated here: it is the operation's row in common/operations_<service>.h
    (operation.h, access.h), which the gateway reads as the services do; the gateway's own
    endpoints have theirs in handlers.c.
    The gateway's generic handler (call.c) converts the JSON body with json_pb into that
    message, sets path/query parameters, wraps it in the envelope, calls the service and
    converts the service's *Reply result back to JSON. Each service's endpoints are declared in
    their own file (routes_members.c, routes_transactions.c, routes_reporting.c) as a
    ROUTE_END-terminated array; routes.c concatenates them with the gateway's own.

    Not for: endpoints the gateway answers itself (auth, users, audit, health, metrics), which
    are ordinary handlers (handlers.c); who may call what (common/access.h).

    Example row:
      { "POST", "/api/v1/cooperatives/{coop}/members", "members", "create_member",
        { {"coop", "cooperative_id"} }, ROUTE_CREATED },
    The JSON body fills lumbung.MembersRequest.create_member (a message); the path parameter
    {coop} fills its field `cooperative_id` (a uint64 field takes the decimal id); the reply's
    MembersReply result (whichever oneof member is set) is the response body; create_member's
    row in operations_members.h says COOP_WRITE. */
#ifndef LUMBUNG_GATEWAY_ROUTES_H
#define LUMBUNG_GATEWAY_ROUTES_H

#include "route.h"

/* Defined in routes_<service>.c, terminated by ROUTE_END. */
extern const route_t routes_members[];
extern const route_t routes_transactions[];
extern const route_t routes_reporting[];

#endif
