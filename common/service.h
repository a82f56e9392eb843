/*  service — the runtime of a Lumbung service: a CURVE ROUTER for requests, a PUB for events,
    one LMDB store with group commit, idempotency, replay and read-your-writes.

    On each turn of the loop the runtime drains up to SERVICE_BATCH_MAX requests, opens one
    write transaction and runs each request in a child transaction of its own: the handler's
    writes and the events it emits commit with it or vanish with it. A request that carries an
    idempotency key and succeeds has its reply stored under that key in the same child, so a
    repeat (even after a crash between commit and reply) returns the stored reply, and a repeat
    with a different body gets a CONFLICT. The batch commits once with full sync; only then are
    replies sent and new events published. Map full: abort, grow, redo the batch.

    The runtime answers Ping and Replay itself, rejects undecodable, oversize or body-less
    requests with a typed error, logs and counts them, and keeps serving. A request with
    after_<stream>_seq waits (up to its deadline) until the named follower has applied that
    sequence. Handlers must keep no state outside the store that a redone batch could double.

    A long operation (a close-day of 200,000 loans) runs in steps: its handler does one
    bounded step, stores its progress and calls service_call_continue(); the runtime commits
    the step and runs the next one after the requests that arrived meanwhile, answering when a
    step does not ask to go on. The steps after the first run on a worker thread (libuv's
    pool), in a write txn of their own, and the first too when the operation's row says
    OP_STEPS (a close-day); meanwhile the loop thread answers the reads that
    arrive from a read txn (an operation without OP_WRITE, no idempotency key, not behind a
    call of the same peer that waits) and keeps every other request for the batch after the
    step, so a read waits neither for a step's work nor for its fsync. A step's handler must
    therefore touch nothing but its call, the store and state fixed before the loop started;
    a follower or a full batch that writes meanwhile waits on LMDB's writer lock, and the map
    is grown only while no step runs (the store's grow guard). Idempotency replies are kept for a window and the outbox is
    pruned past every follower that registered by replay (retention.h); a replay records the
    asking peer's cursor in table "followers".

    A service that gives an operation table (service_operations_t, from its list in
    common/operations_<service>.h) has each request's operation found, authorised once with
    the role matrix (access.h) and handed to the row's handler by the runtime.

    Not for: business rules (each service's handlers.c), who may do what (access.h). */
#ifndef LUMBUNG_SERVICE_H
#define LUMBUNG_SERVICE_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>
#include "arena.h"
#include "bus.h"
#include "access.h"
#include "follower.h"
#include "operation.h"
#include "outbox.h"
#include "problem.h"
#include "store.h"
#include "envelope.pb-c.h"

enum {
    SERVICE_BATCH_MAX = 1024,            /* requests in one group commit */
    SERVICE_WAITING_MAX = 10000,         /* requests parked for read-your-writes; past it a
                                            request is refused as UNAVAILABLE/"busy" (the
                                            environment's LUMBUNG_SERVICE_WAITING_MAX may set
                                            a lower limit, for tests) */
    SERVICE_PARK_DEADLINE_MS = 5000,     /* how long a parked request without a deadline waits */
    SERVICE_HEARTBEAT_MS = 1000,
    SERVICE_IDEMPOTENCY_KEY_MAX = 128,
};

typedef struct service service_t;
typedef struct service_call service_call_t;

/* A service's operation table (operation.h), read by the runtime for every request of its
   body: it finds the row of the request's operation (unknown: INVALID "unknown_operation"),
   asks an integrator for an idempotency key where the row moves money (INVALID
   "idempotency_key_required", field idempotency_key), runs admit(), authorises the actor for
   the operation's own cooperative_id with the role matrix (access.h; FORBIDDEN "forbidden")
   unless the row says the handler does (OP_AUTHORISES_ITSELF), makes the handlers' context
   with begin(), calls the row's handler and passes its result through end(). Each hook is
   optional and returns 0 or a negative code after failing the call. */
typedef struct {
    const char *service;                /* "transactions", for messages */
    Lumbung__Request__BodyCase body;    /* the Request body it answers (others: unknown_body) */
    const operation_t *rows;
    size_t count;
    /* Before authorisation (transactions: a cooperative another shard owns). */
    int (*admit)(void *app, service_call_t *call, const operation_t *op, const void *msg);
    /* After authorisation: *ctx for the handler (left as the app when there is no begin). */
    int (*begin)(void *app, service_call_t *call, const operation_t *op, const void *msg,
                 void **ctx);
    /* After the handler, with what it returned: the reply (transactions: publish the events
       the work queued). Without it the handler's result is the call's. */
    int (*end)(void *ctx, service_call_t *call, const operation_t *op, int rc);
} service_operations_t;

typedef struct {
    /* The service's operation table; when set, `handle` is not used. */
    const service_operations_t *operations;
    /* Handles one request inside its child txn. Fill the reply (allocate in the call's arena)
       and return 0 to commit, or return service_call_fail(...) (ERR_REJECTED) or another
       negative code of error.h to abort the child.
       ERR_MAP_FULL from any store call must be returned as is. */
    int (*handle)(void *app, service_call_t *call);
} service_handlers_t;

typedef struct {
    const char *name;              /* stream and key name: "members" */
    const char *router_endpoint;
    const char *pub_endpoint;
    const char *data_dir;          /* the store lives in data_dir/name */
} service_config_t;

/* Opens the store (data_dir/name), binds ROUTER and PUB. Tables the app needs are opened by
   the app with store_table(service_store(svc), ...) before service_start(). */
service_t *service_new(bus_t *bus, const service_config_t *config,
                       const service_handlers_t *handlers, void *app, int *err);
/* Starts serving: heartbeat timer on. */
int service_start(service_t *self);
void service_destroy(service_t **self_p);

store_t *service_store(service_t *self);
outbox_t *service_outbox(service_t *self);
const char *service_name(const service_t *self);

/* Registers a follower whose cursor satisfies after_<stream>_seq for `stream`. The follower
   must call service_replica_advanced() from its advance callback so parked requests run. */
void service_add_replica(service_t *self, follower_t *follower);
void service_replica_advanced(service_t *self);

/* Queues a request of the service to itself (a background step such as the next chunk of an
   import): `request` (a packed lumbung.Request, copied) runs in the next batch like any other,
   in a child txn of its own, as the actor it names (none: an empty actor); its reply is not
   sent anywhere (an error is logged). It is not stored: a step lost in a crash must be posted
   again by the app from what its store says at start. Returns 0. */
int service_post_self(service_t *self, const uint8_t *request, size_t len);

/* --- inside a handler --- */
const Lumbung__Request *service_call_request(const service_call_t *call);
Lumbung__Reply *service_call_reply(service_call_t *call);
store_txn_t *service_call_txn(service_call_t *call);
arena_t *service_call_arena(service_call_t *call);
/* The CURVE name of the peer that sent the request ("gateway", an integrator's name). */
const char *service_call_peer(const service_call_t *call);
/* The actor to authorise: the request's actor when the peer is a Lumbung service, else an
   integrator actor named after the peer (what an outside peer claims is ignored). */
const Lumbung__Actor *service_call_actor(const service_call_t *call);
/* True in a request the service posted to itself (service_post_self); no peer can send one. */
bool service_call_internal(const service_call_t *call);
/* The cooperative_id field of the request's operation message (not of its parts); 0: none. */
uint64_t service_call_op_cooperative(const service_call_t *call);
/* The call's actor as the role matrix reads it (access.h), internal steps marked. */
access_actor_t service_call_access_actor(const service_call_t *call);
/* 0 when the call's actor may do `access` on cooperative `coop` (0: none named); else fails
   the call with FORBIDDEN "forbidden" and returns negative. For a handler whose row says
   OP_AUTHORISES_ITSELF, once it knows the cooperative. */
int service_call_authorise(service_call_t *call, access_t access, uint64_t coop);
/* Asks for the call to run again, as a new step, after this batch commits: the handler's
   writes of this step commit now (its progress must be in the store), no reply is sent and no
   idempotency reply stored; the next step runs after the requests that arrive meanwhile, with
   a fresh arena. The last step (one that does not call this) replies. A failed step replies
   with its error. Past SERVICE_BATCH_MAX continuing calls the step still commits and the
   caller gets UNAVAILABLE "busy": a retry of the request continues from the store. */
void service_call_continue(service_call_t *call);
/* Appends an event in the call's txn (sets seq, stream, at_ms, actor). Returns the sequence
   or a negative error to be returned by the handler. The reply's event_seq is set to it. */
int64_t service_call_emit(service_call_t *call, Lumbung__Event *event);
/* service_call_emit() of an event whose body is packed already (outbox_append_packed). */
int64_t service_call_emit_packed(service_call_t *call, Lumbung__Event *event,
                                 const pb_splice_field_t *body);
/* Sets a typed error on the reply and returns ERR_REJECTED for the handler to return.
   A reply with an error never carries an event_seq (its events did not commit). */
int service_call_fail(service_call_t *call, Lumbung__ErrorKind kind, const char *code,
                      const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* The same for a problem a rule filled (problem.h): its kind, code, field and message become
   the reply's typed error. Returns what service_call_fail() returns. */
int service_call_reject(service_call_t *call, const problem_t *problem);

/* Where the serialized Reply starts in a value of the "idempotency" table (its layout is
   service.c's: version byte, stored-at time from version 2 on, request hash): the header's
   length, or 0 when the value has no known layout. For offline tools that rewrite stored
   replies (lumbungctl move-cooperative); the header is copied unchanged. */
size_t service_idempotency_reply_offset(const void *value, size_t len);

/* Statistics for metrics and tests. */
typedef struct {
    uint64_t requests, batches, commits, malformed, replays, idempotent_hits, map_grows;
    uint64_t batched_messages;     /* messages that carried several requests (call_batch.h) */
} service_stats_t;
service_stats_t service_stats(const service_t *self);
/* The calling process's CPU seconds, resident bytes and open descriptors into m (the gateway
   reports its own with them; a service puts them in its Pong). */
void service_process_figures(Lumbung__ServiceMetrics *m);

/* The whole of a service's main(): service_main.h, here so a main.c needs only service.h. */
#include "service_main.h"

#endif
