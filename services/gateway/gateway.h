/*  gateway — what the gateway's modules share: the process context, the life of one HTTP
    request (an "exchange"), the router and the gateway's own endpoints.

    An exchange is created for every request http.c hands over and is owned by exactly one
    party at a time: the handler, then whatever it waits for (a bus reply, a password hash, the
    audit commit). gateway_exchange_finish() counts it in the metrics, records state-changing
    calls in the audit trail, answers once the audit entry is durable, and frees it. When the
    client goes away first, the exchange carries on without it (ex->req becomes NULL) so the
    bus reply or hash that is still coming has something valid to land on.

    Routing (routes.c): the route tables of routes.h plus the gateway's own, path patterns with
    {params}, literal segments preferred over parameters, 404 for an unknown path and 405 (with
    Allow) for a known path with another method. Authorisation happens in one function,
    gateway_routes_authorize(), by common/access's matrix (the one the services use), from the
    access class of the route's operation (its row in common/operations_<service>.h, or the
    gateway's own in handlers.c; a member's own page, ROUTE_SELF, is ACCESS_MEMBER_ONLY), the
    user's role and every cooperative the request names. For the gateway's users:
      PUBLIC               anyone, no token
      AUTHENTICATED        any valid token
      COOP_READ, REPORT_READ  admin, supervisor: any cooperative; operator, viewer: their own
      COOP_WRITE           admin: any; operator: their own; supervisor and viewer: never
      SUPERVISE, ASSESS    admin, supervisor
      ADMIN                admin
      MEMBER_ONLY          a member (their own pages)
    and on top of that: a member only where the route says ROUTE_MEMBER, in their own
    cooperative, naming no member but themselves; an operator or viewer who names another
    cooperative — in the {coop} path parameter, a cooperative_id query argument, or a
    "cooperative_id" member anywhere in the JSON body — gets 403 on every route. A route
    without any cooperative in its request (a district-wide list) is passed to the service
    with the actor's scope, and the service filters by it. The operation's OP_MOVES_MONEY
    makes the Idempotency-Key header required; OP_LONG gives the larger body limit and the
    longer deadline.

    The path is matched once, when the headers are in (gateway_routes_body_limit, which knows
    the body limit from the route), and the request is authorised once, from its path and
    query, before its body is read; a body that names another cooperative is then refused to
    the roles bound to their own (gateway_routes_own_coop_only).

    Bus-backed routes: call.h (the operation's message, the envelope, the retry queue, the
    follow-up rows and the reply's answer).

    Not for: HTTP mechanics (http.h), passwords and sessions (auth.h), the audit store
    (audit.h), counters (metrics.h). */
#ifndef LUMBUNG_GATEWAY_GATEWAY_H
#define LUMBUNG_GATEWAY_GATEWAY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "arena.h"
#include "audit.h"
#include "auth.h"
#include "client.h"
#include "error.h"
#include "cookie.h"
#include "http.h"
#include "json_pb.h"
#include "metrics.h"
#include "operation.h"
#include "routes.h"
#include "shard.h"
#include "static.h"
#include "store.h"

enum {
    GATEWAY_SERVICE_MEMBERS = 0,
    GATEWAY_SERVICE_TRANSACTIONS,
    GATEWAY_SERVICE_REPORTING,
    GATEWAY_SERVICES,
    /* Backends: the three services (transactions = its shard 0), then shards 1.. of
       transactions (shard.h): backend GATEWAY_SERVICES + K - 1 is shard K. */
    GATEWAY_BACKENDS_MAX = GATEWAY_SERVICES + SHARD_MAX - 1,

    GATEWAY_TIMEOUT_MS_DEFAULT = 5000,        /* bus deadline of an ordinary route */
    GATEWAY_LONG_TIMEOUT_MS_DEFAULT = 30000,  /* OP_LONG */
    GATEWAY_READY_TIMEOUT_MS_DEFAULT = 1000,  /* /readyz pings */
    GATEWAY_SPARE_ARENAS = 64,                /* finished exchanges' arenas kept (16 KB each) */
    GATEWAY_JSON_DEPTH_MAX = 32,              /* nesting of a request body */
    GATEWAY_SEGMENTS_MAX = 16,                /* path segments */
    GATEWAY_SEGMENT_MAX = 128,                /* bytes in one path parameter */
    GATEWAY_PAGE_DEFAULT = 50,
    GATEWAY_PAGE_MAX = 500,
    GATEWAY_IDEMPOTENCY_KEY_MAX = 64,         /* header bytes; forwarded as "<user>:<key>" */
    GATEWAY_ALLOW_MAX = 64,                   /* bytes of an Allow header */
    GATEWAY_SEND_RETRIES = 4,                 /* sends refused for want of a connection */
    GATEWAY_SEND_RETRY_MS = 25,               /* first wait; doubles: 25, 50, 100, 200 ms */
};

/* The process: created by main.c, shared by every exchange. */
typedef struct gateway {
    uv_loop_t *loop;
    store_t *store;
    auth_t *auth;
    audit_t *audit;
    struct busaudit *busaudit;               /* integrators' commands into the audit */
    metrics_t *metrics;
    static_files_t *web;                     /* the web interface's files (static.h) */
    bool cookie_secure;                      /* session cookies get Secure (served over TLS) */
    http_server_t *http;
    client_t *clients[GATEWAY_BACKENDS_MAX]; /* by backend: services, then shards 1.. */
    char backend_names[GATEWAY_BACKENDS_MAX][SHARD_NAME_MAX];   /* "transactions-1" */
    int backends;                            /* GATEWAY_SERVICES + shards - 1 */
    int shards;                              /* transactions shards (shard.h) */
    uint64_t seen_seq[GATEWAY_BACKENDS_MAX]; /* newest event_seq seen in each backend's replies
                                                (each shard's own stream) */
    uint32_t timeout_ms, long_timeout_ms, ready_timeout_ms;
    uint64_t exchanges;                      /* alive now */
    /* Arenas of finished exchanges, reset and kept for the next ones (each keeps one block),
       so a request does not malloc and free its arena; freed by gateway_exchange_arenas_free. */
    arena_t *spare_arenas[GATEWAY_SPARE_ARENAS];
    int spare_arena_count;
    bool stopping;
    uv_timer_t retry_timer;                  /* sends refused for want of a connection */
    struct gateway_call *retry_head;
    /* A seam for the fuzzer of the request path (tests/fuzz/fuzz_gateway_request.c): sees each
       request built for the bus just before it is sent. NULL in the service. */
    void (*on_send)(void *arg, const Lumbung__Request *request);
    void *on_send_arg;
} gateway_t;

/* The route a request matched, what its operation's row says, and the values of its {params}
   (routes.c). */
typedef struct {
    const route_t *route;
    access_t access;                         /* who may call it (gateway_route_operation) */
    unsigned op_flags;                       /* the operation's OP_* (0: the gateway's own) */
    int count;
    struct {
        char name[32];                       /* the pattern's parameter, without braces */
        char value[GATEWAY_SEGMENT_MAX + 1];
    } params[ROUTE_PARAMS_MAX];
} gateway_route_match_t;

/* Who calls: filled by the authentication of routes.c, or by a login handler. */
typedef struct {
    bool known;                              /* a user was authenticated: `user` is valid */
    auth_user_t user;
    const char *token;                       /* the bearer token, when one was given */
    bool via_cookie;                         /* the token came in the session cookie (cookie.h) */
    bool session_cookie;                     /* login: answer with a cookie, not the token */
    const char *audit_name;                  /* who the audit names when not the user (login) */
} gateway_caller_t;

/* What the audit entry and the logs record of the request beside its answer. */
typedef struct {
    uint64_t cooperative_id;                 /* the cooperative named */
    const char *idempotency_key;             /* as sent, NULL when absent */
    uint64_t bus_request_id;                 /* of the last bus call */
} gateway_noted_t;

/* Where an exchange's audit entry is. A state-changing call is recorded when its answer is
   known, except one that goes over the bus: that one is recorded as it is sent, so the
   entry's commit runs while the service commits the call, and the answer waits for both. */
typedef enum {
    EXCHANGE_AUDIT_AT_ANSWER = 0,            /* recorded with the answer (or not at all) */
    EXCHANGE_AUDIT_RECORDING,                /* sent to the writer, not durable yet */
    EXCHANGE_AUDIT_RECORDED,                 /* durable as audit_seq, outcome pending */
    EXCHANGE_AUDIT_FAILED,                   /* could not be stored (audit_status) */
} gateway_exchange_audit_t;

struct gateway_call;      /* the pending bus call, its retry and its follow-up (call.c) */
struct gateway_answer;    /* the answer, kept while the audit entry commits (gateway.c) */

typedef struct gateway_exchange {
    gateway_t *gw;
    http_req_t *req;                         /* NULL once the request went away */
    arena_t *arena;                          /* lives as long as the exchange */
    uint64_t id;                             /* the audit's request number */
    const char *request_id;                  /* X-Request-Id and logs (http_req_request_id) */
    char peer[48];                           /* the client's address, for the access log */
    uint64_t started_ns;
    char method[HTTP_SERVER_METHOD_MAX];
    const char *path;
    const route_t *route;                    /* NULL: no route matched */
    gateway_route_match_t match;
    gateway_caller_t caller;
    gateway_noted_t noted;
    /* A handler answered by two calls keeps the first one's result here until it merges it
       into the answer; the exchange frees it (the follow-up rows of call.c, public.c). */
    json_t *first_result;
    struct gateway_call *call;               /* NULL until the first bus call */
    struct gateway_answer *answer;           /* NULL until answered */
    gateway_exchange_audit_t audit;
    int audit_status;                        /* EXCHANGE_AUDIT_FAILED: the store's error */
    uint64_t audit_seq;                      /* EXCHANGE_AUDIT_RECORDED: the entry */
    audit_entry_t *audit_entry;              /* as recorded when sent (in the arena); the
                                                rewrite changes only what the answer tells */
} gateway_exchange_t;

/* --- exchanges (gateway.c) --- */

gateway_exchange_t *gateway_exchange_new(gateway_t *gw, http_req_t *req);
/* Frees the spare arenas (at shutdown, after the last exchange). */
void gateway_exchange_arenas_free(gateway_t *gw);
/* Answers: metrics, audit (state-changing methods), then the response; frees the exchange.
   `body` is copied; `outcome` is "ok" or the error code. */
void gateway_exchange_finish(gateway_exchange_t *ex, int status, const char *content_type,
                             const void *body, size_t len, const char *outcome);
/* The exchange's bus call was sent (call.c): a state-changing exchange records its audit
   entry now, with the outcome pending, and rewrites it with the answer (the first call only;
   a follow-up's send changes nothing). */
void gateway_exchange_call_sent(gateway_exchange_t *ex);
/* Answers with the JSON of `json` (the reference is stolen). */
void gateway_exchange_json(gateway_exchange_t *ex, int status, json_t *json);
/* Answers a success (status < 400) with JSON text already written (json_pb_write); takes
   out->data and leaves *out empty. */
void gateway_exchange_json_out(gateway_exchange_t *ex, int status, json_pb_out_t *out);
/* Answers {"error": {"code", "message", "field"}}; `field` may be NULL or "". */
void gateway_exchange_error(gateway_exchange_t *ex, int status, const char *code,
                            const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Adds a response header when the client is still there. */
void gateway_exchange_header(gateway_exchange_t *ex, const char *name, const char *value);
/* A query argument, or NULL (also when the client is gone). */
const char *gateway_exchange_query(const gateway_exchange_t *ex, const char *name);
/* The value of the path parameter `name`, or NULL. */
const char *gateway_exchange_param(const gateway_exchange_t *ex, const char *name);

/* Parses ?limit= (default GATEWAY_PAGE_DEFAULT, 1..max) into *limit. On a bad value answers
   400 naming "limit" and returns ERR_REJECTED. */
int gateway_exchange_limit(gateway_exchange_t *ex, unsigned max, unsigned *limit);
/* Parses a decimal u64 (ids, cursors): 0, or -EINVAL for anything else. */
int gateway_parse_u64(const char *text, uint64_t *value);
/* "2026-11-29T09:10:00.123Z" */
const char *gateway_format_time(int64_t ms, char *buf, size_t size);
/* "YYYY-MM-DD" (start of the day, or its last millisecond when end_of_day) or an RFC 3339 UTC
   timestamp with optional milliseconds. 0 or -EINVAL. */
int gateway_parse_time(const char *text, bool end_of_day, int64_t *ms);

/* --- router (routes.c) --- */

/* Every route table, NULL-terminated: the gateway's own, then members, transactions,
   reporting. */
extern const route_t *const gateway_routes_tables[];

/* Finds the route for method and path. Returns 0 (m filled), ERR_NOT_FOUND, or
   ERR_METHOD_NOT_ALLOWED with the path's methods in `allow` ("GET, POST"). HEAD matches GET
   routes. */
int gateway_routes_match(const char *method, const char *path, gateway_route_match_t *m,
                         char *allow, size_t allow_size);

/* The one authorisation decision, by common/access's matrix, for the route `m` matched.
   `user` is NULL for an anonymous request; `other_coop` says whether the request names a
   cooperative other than the user's (see gateway_routes_names_other_coop). Returns 0,
   ERR_UNAUTHENTICATED or ERR_FORBIDDEN. */
int gateway_routes_authorize(const gateway_route_match_t *m, const auth_user_t *user,
                             bool other_coop);
/* The roles that work with their own cooperative only (operator, viewer, member): a request of
   theirs that names another one anywhere is refused. */
bool gateway_routes_own_coop_only(Lumbung__Role role);
/* What the operation lists say of `route`: its access class (ACCESS_MEMBER_ONLY for ROUTE_SELF)
   and its OP_* flags. 0, or ERR_NOT_FOUND when it names no listed operation nor gateway
   handler. */
int gateway_route_operation(const route_t *route, access_t *access, unsigned *op_flags);

/* True when the {coop} path parameter, the `query_coop` text, or any "cooperative_id" member
   at any depth of `body` (may be NULL) names a cooperative other than `own`. A value that is
   not a decimal id counts as another cooperative. */
bool gateway_routes_names_other_coop(const gateway_route_match_t *m, const char *query_coop,
                                     const json_t *body, uint64_t own);

/* Checks every row of every table against the operation lists (each names a listed
   operation), the protobuf descriptors (service, operation, parameter fields, raw body field),
   the follow-up rows and the gateway's handlers; logs each problem. Returns
   the number of problems (0 when the tables are sound). */
int gateway_routes_check(void);

/* The http.c callbacks; `arg` is the gateway_t. body_limit matches the route once, when the
   headers are in, and leaves the match for handle (the request's context, freed by
   context_free when handle never sees it). */
void gateway_routes_handle(void *arg, http_req_t *req);
size_t gateway_routes_body_limit(void *arg, http_req_t *req);
void gateway_routes_context_free(void *context);
/* The largest body the matched route accepts (NULL: a request that matched none). */
size_t gateway_route_body_limit(const gateway_route_match_t *m);

/* --- backends (call.c) --- */

/* Index of a service name in gw->clients, or ERR_NOT_FOUND. */
int gateway_service_index(const char *service);
/* The backend a call of `service` (an index) goes to: the shard of `coop` for transactions,
   the service itself otherwise. */
int gateway_backend(const gateway_t *gw, int service, uint64_t coop);
/* The backend of transactions shard `shard`. */
int gateway_shard_backend(int shard);
extern const char *const gateway_service_names[GATEWAY_SERVICES];

/* The gateway's own endpoints and the bus-backed routes have their headers (handlers.h,
   call.h), included here so that a file needs only gateway.h. */
#include "call.h"
#include "handlers.h"

#endif
