#include "service.h"
#include "bytes.h"
#include "call_batch.h"
#include "config.h"
#include "envelope.h"
#include "event_batch.h"
#include "log.h"
#include "retention.h"
#include "scope.h"
#include "shard.h"
#include "text.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    IDENTITY_MAX = 256,
    PEER_MAX = 64,
    REPLICAS_MAX = 2 + SHARD_MAX,      /* members and every transactions shard, and one more */
    WAIT_CHECK_MS = 50,
    REDO_MAX = 8,                  /* map growths for one batch before giving up */
    /* Bytes of events in one replay reply: well under the receiver's ZMQ_MAXMSGSIZE
       (BUS_MESSAGE_MAX), which drops the whole connection for a larger message. */
    REPLAY_BYTES_MAX = BUS_MESSAGE_MAX / 2,
    IDEM_HASH = crypto_hash_sha256_BYTES,
    IDEM_VERSION_UNTIMED = 1,      /* version, hash, reply (before retention) */
    IDEM_VERSION_REPACKED = 2,     /* version, stored at ms u64, hash, reply */
    IDEM_VERSION = 3,              /* the same with the hash of the request as received */
    IDEM_HEADER = 1 + 8 + IDEM_HASH,
    PEERS_SEEN_MAX = 32,           /* peers remembered for the status answer (Pong) */
    PEER_RECENT_MS = 60000,        /* a peer counts as connected this long after a request */
    OPERATIONS_MAX = 96,           /* operations counted for metrics; more go to "other" */
    OPERATION_NAME_MAX = 64,
    REPLY_GROUPS_MAX = 8,          /* peers whose batched replies one commit gathers at once */
    FAULT_HOLD_MS = 120000,        /* the longest LUMBUNG_FAULT=hold_steps holds a step */
    FAULT_GATE_MAX = 512,
};

typedef struct {
    char name[OPERATION_NAME_MAX];
    uint64_t requests, rejected;
} op_count_t;

typedef struct {
    char name[PEER_MAX];
    int64_t last_ms;
} peer_seen_t;

/* One received request. The raw bytes are kept so a batch can be redone from scratch after the
   map grows, and so a parked request can run later. */
struct service_call {
    service_t *svc;
    uint8_t identity[IDENTITY_MAX];
    size_t identity_len;
    bool delimiter;                /* the sender used an empty delimiter frame (DEALER/REQ) */
    bool batched;                  /* came as an element of a batch (call_batch.h): its reply
                                      goes out with the others of its peer that are ready */
    char peer[PEER_MAX];
    char peer_key[CURVE_KEY_Z85 + 1];  /* the key the connection was admitted with, or "" */
    const curve_peer_t *replay_scope;  /* an integrator's replay: only its cooperatives */
    uint64_t replay_last;          /* last sequence the replay reply covers */
    uint8_t *raw;
    size_t raw_len;
    arena_t *arena;
    Lumbung__Request *request;
    Lumbung__Reply *reply;
    store_txn_t *txn;              /* the child txn while the handler runs */
    Lumbung__Actor *actor;
    int64_t last_seq;              /* last event emitted in this call, 0 if none */
    size_t replay_bytes;           /* event bytes in the replay reply being built */
    bool stored_idempotent;
    bool idempotent_hit;           /* answered from the reply stored under its key */
    const uint8_t *reply_packed;   /* the reply as stored for its Idempotency-Key (in the arena):
                                      sent as it is unless something failed after */
    size_t reply_packed_len;
    bool parked;                   /* waiting for a replica; not answered in this batch */
    bool internal;                 /* posted by the service to itself: no peer, no reply */
    bool continuing;               /* the handler asked to run again (service_call_continue) */
    bool continued;                /* this run is a continuation: its deadline was checked */
    uint64_t received_ns;          /* uv_hrtime() when it arrived, for the outcome line */
    char operation[OPERATION_NAME_MAX];  /* "transactions.deposit", for logs and metrics */
    scope_request_t op;            /* what the request asks for (its cooperative_id: logs too) */
    const operation_t *row;        /* its row in the service's operation table, or NULL */
    bool arrival_logged;           /* a parked or redone call runs again: one arrival line */
    int64_t park_deadline_ms;
    struct service_call *next_waiting;
};

/* The replies of batched calls to one peer, gathered while a batch's replies go out. */
typedef struct {
    uint8_t identity[IDENTITY_MAX];
    size_t identity_len;
    bool delimiter;
    call_batch_t replies;
} reply_group_t;

struct service {
    bus_t *bus;
    store_t *store;
    outbox_t *outbox;
    store_table_t idempotency, followers;
    retention_config_t retention;
    retention_walk_t idem_walk;    /* where the next pruning step of idempotency starts */
    retention_followers_t followers_seen;  /* registered followers' cursors (retention.h) */
    uv_timer_t prune_timer;
    uint64_t pruned_replies, pruned_events;
    bus_socket_t *router, *pub;
    event_batch_t published;       /* events read for the PUB, not sent yet (publish_new_events) */
    service_handlers_t handlers;
    void *app;
    char name[32];
    uint64_t head;                 /* newest committed event */
    service_call_t *batch[SERVICE_BATCH_MAX];
    int batch_count;
    int batch_examined;            /* calls before it were kept by answer_reads for the batch */
    service_call_t *waiting;       /* parked requests, a list */
    service_call_t *continued[SERVICE_BATCH_MAX];  /* calls to run again after this batch */
    int continued_count;
    int waiting_count;
    int waiting_max;               /* SERVICE_WAITING_MAX unless configured lower */
    follower_t *replicas[REPLICAS_MAX];
    int replica_count;
    uv_idle_t batch_idle;
    uv_timer_t heartbeat_timer, wait_timer;
    int handles_open;              /* and the step's work request while one is in flight */
    bool stopping;
    /* The steps of long operations run on a worker thread (step_run) in a write txn of their
       own, while the loop thread answers reads and keeps writes for after them. The worker
       touches the steps' calls, the store and the app's handlers, nothing else of svc but
       what is set before it starts and the results below. */
    uv_work_t step_work;
    service_call_t *steps[SERVICE_BATCH_MAX];
    int step_count;
    bool step_in_flight;
    int step_redo;                 /* map growths for this step so far */
    uv_mutex_t step_lock;          /* held by the worker while it runs; the grow guard's */
    uv_cond_t step_cond;           /* signalled when step_ended is set */
    bool step_ended;               /* the worker's results, under step_lock: */
    int step_rc;
    double step_seconds;
    bool fault_crash_after_commit;
    bool fault_hold_steps;
    char fault_gate[FAULT_GATE_MAX];
    service_stats_t stats;
    peer_seen_t peers[PEERS_SEEN_MAX];
    store_table_t outbox_table;    /* only counted, for metrics; outbox.c owns it */
    uint64_t commit_failures, batch_requests, batch_max;
    double commit_seconds, commit_seconds_max;
    op_count_t ops[OPERATIONS_MAX];
    int op_count;
    reply_group_t groups[REPLY_GROUPS_MAX];
    int group_count;
};

/* ---- calls ---- */

/* Where a reply to `msg` goes: the sender's routing id (cut to IDENTITY_MAX; libzmq's own are
   5 bytes), and whether it sent an empty delimiter frame, which the reply then carries too. */
static size_t routing_id(const bus_msg_t *msg, const uint8_t **id, bool *delimiter) {
    const zmq_msg_t *frame = &msg->frames[0];
    *id = zmq_msg_data((zmq_msg_t *) frame);
    *delimiter = msg->count == 3;
    return zmq_msg_size(frame) < IDENTITY_MAX ? zmq_msg_size(frame) : IDENTITY_MAX;
}

/* A call of the request `raw` (copied) that came in `msg`, alone or as an element of a batch. */
static service_call_t *call_new(service_t *svc, const bus_msg_t *msg, const uint8_t *raw,
                                size_t raw_len, bool batched) {
    service_call_t *c = calloc(1, sizeof *c);
    if (!c) abort();
    c->svc = svc;
    const uint8_t *id;
    c->identity_len = routing_id(msg, &id, &c->delimiter);
    memcpy(c->identity, id, c->identity_len);
    c->batched = batched;
    text_copy(c->peer, sizeof c->peer, msg->peer);
    text_copy(c->peer_key, sizeof c->peer_key, msg->peer_key);
    c->raw_len = raw_len;
    c->raw = malloc(raw_len ? raw_len : 1);
    if (!c->raw) abort();
    if (raw_len) memcpy(c->raw, raw, raw_len);
    c->arena = arena_new();
    c->received_ns = uv_hrtime();
    return c;
}

/* A request the service posts to itself (service_post_self): it has no identity to answer. */
static service_call_t *call_new_self(service_t *svc, const uint8_t *request, size_t len) {
    service_call_t *c = calloc(1, sizeof *c);
    if (!c) abort();
    c->svc = svc;
    c->internal = true;
    c->raw_len = len;
    c->raw = malloc(len ? len : 1);
    if (!c->raw) abort();
    memcpy(c->raw, request, len);
    c->arena = arena_new();
    c->received_ns = uv_hrtime();
    return c;
}

static void call_destroy(service_call_t **c_p) {
    service_call_t *c = *c_p;
    arena_destroy(&c->arena);
    free(c->raw);
    free(c);
    *c_p = NULL;
}

const Lumbung__Request *service_call_request(const service_call_t *c) { return c->request; }
Lumbung__Reply *service_call_reply(service_call_t *c) { return c->reply; }
store_txn_t *service_call_txn(service_call_t *c) { return c->txn; }
arena_t *service_call_arena(service_call_t *c) { return c->arena; }
const char *service_call_peer(const service_call_t *c) { return c->peer; }
void service_call_continue(service_call_t *c) { c->continuing = true; }
const Lumbung__Actor *service_call_actor(const service_call_t *c) { return c->actor; }
bool service_call_internal(const service_call_t *c) { return c->internal; }

/* A failed reply carries no event sequence: whatever the handler emitted before failing is
   rolled back with its txn, and a client must never wait for a number that did not commit. */
int service_call_fail(service_call_t *c, Lumbung__ErrorKind kind, const char *code,
                      const char *field, const char *fmt, ...) {
    c->reply->has_event_seq = 0;
    c->reply->event_seq = 0;
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    return envelope_fail(c->arena, c->reply, kind, code, field, "%s", message);
}

int service_call_reject(service_call_t *c, const problem_t *p) {
    return service_call_fail(c, p->kind, p->code ? p->code : "internal",
                             p->field[0] ? p->field : NULL, "%s", p->message);
}

int64_t service_call_emit(service_call_t *c, Lumbung__Event *event) {
    return service_call_emit_packed(c, event, NULL);
}

int64_t service_call_emit_packed(service_call_t *c, Lumbung__Event *event,
                                 const pb_splice_field_t *body) {
    assert(c->txn);
    if (!event->actor) event->actor = c->actor;
    /* A follower applying the event logs the request id of the request that caused it. */
    if (!event->trace_id && c->request) event->trace_id = c->request->trace_id;
    int64_t seq = outbox_append_packed(c->svc->outbox, c->txn, event, body);
    if (seq > 0) {
        c->last_seq = seq;
        c->reply->has_event_seq = 1;
        c->reply->event_seq = (uint64_t) seq;
    }
    return seq;
}

/* What an outside peer claims about itself is ignored: only Lumbung services may speak for a
   user; anyone else acts as the integrator its CURVE key names. */
static void call_resolve_actor(service_call_t *c) {
    if (c->internal) {             /* the service itself, acting for whom its request names */
        c->actor = c->request->actor ? c->request->actor : arena_message(c->arena, &lumbung__actor__descriptor);
        return;
    }
    const char *role = bus_peer_role(c->svc->bus, c->peer);
    if (role && !strcmp(role, "service")) {
        c->actor = c->request->actor ? c->request->actor : arena_message(c->arena, &lumbung__actor__descriptor);
        return;
    }
    Lumbung__Actor *a = arena_message(c->arena, &lumbung__actor__descriptor);
    a->user = arena_strdup(c->arena, c->peer);
    a->has_role = 1;
    a->role = LUMBUNG__ROLE__ROLE_INTEGRATOR;
    c->actor = a;
}

/* A connection keeps the key it was admitted with: a key revoked or rotated since is refused on
   its next request (bus_peer re-reads the allow-list at most once a second), without a restart.
   An integrator is then held to its key's scope (scope.h); its replay is filtered. Returns
   true when the call got its (error) reply here. */
static bool call_refused(service_call_t *c) {
    c->replay_scope = NULL;
    if (!bus_curve(c->svc->bus) || !*c->peer) return false;
    const curve_peer_t *p = bus_peer(c->svc->bus, c->peer);
    if (!p || (*c->peer_key && strcmp(p->public_z85, c->peer_key) != 0)) {
        log_warn(c->request->request_id, "%s: refused a request from '%s': its key was revoked or "
                 "rotated", c->svc->name, c->peer);
        service_call_fail(c, LUMBUNG__ERROR_KIND__ERROR_KIND_UNAUTHENTICATED, "key_revoked", NULL,
                          "the key '%s' connected with is no longer on the allow-list (revoked or "
                          "rotated); connect with the current key", c->peer);
        return true;
    }
    if (strcmp(p->role, "integrator") != 0) return false;
    if (p->scoped && p->all_cooperatives && !strcmp(p->operations, "all")) return false;
    switch (c->request->body_case) {
    case LUMBUNG__REQUEST__BODY_PING:
    case LUMBUNG__REQUEST__BODY__NOT_SET:
        return false;
    case LUMBUNG__REQUEST__BODY_REPLAY:
        c->replay_scope = p;            /* used at once, before the next bus_peer call */
        return false;
    default:
        break;
    }
    problem_t err;
    if (scope_check(p, c->request, &err) == 0) return false;
    /* The refusal is part of the trail: which key tried what, where. */
    log_warn(c->request->request_id, "%s: integrator '%s' refused (%s, %s): %s", c->svc->name,
             c->peer, err.code, *err.field ? err.field : "-", err.message);
    service_call_reject(c, &err);
    return true;
}

/* ---- idempotency: table "idempotency", key = peer \0 user \0 key, value = version byte,
   stored at (ms, u64 big-endian), SHA-256 of the request body, serialized Reply; version 1
   values (no time) are stamped by the pruner (retention.h). Version 3 hashes the request's
   bytes as received, version 1 and 2 the request unpacked and packed again: a retry of a
   request stored before version 3 is still compared with the hash of its version ---- */

static bool idem_timed(const uint8_t *v, size_t len) {
    return len >= IDEM_HEADER && (v[0] == IDEM_VERSION || v[0] == IDEM_VERSION_REPACKED);
}

/* When the value was stored; -1 for a version 1 value (no time), per retention.h; 0 (long
   expired) for a value of no known layout. */
static int64_t idem_stored_at(const void *val, size_t len) {
    const uint8_t *v = val;
    if (idem_timed(v, len)) return (int64_t) be64_read(v + 1);
    return len >= 1 + IDEM_HASH && v[0] == IDEM_VERSION_UNTIMED ? -1 : 0;
}

/* A version 1 value as version 2 (its hash keeps its meaning), stored at at_ms. */
static size_t idem_stamp(const void *val, size_t len, int64_t at_ms, uint8_t *out) {
    const uint8_t *v = val;
    assert(len >= 1 + IDEM_HASH && v[0] == IDEM_VERSION_UNTIMED);
    out[0] = IDEM_VERSION_REPACKED;
    be64_write(out + 1, (uint64_t) at_ms);
    memcpy(out + 9, v + 1, len - 1);
    return len + 8;
}

size_t service_idempotency_reply_offset(const void *value, size_t len) {
    const uint8_t *v = value;
    if (idem_timed(v, len)) return IDEM_HEADER;
    if (len >= 1 + IDEM_HASH && v[0] == IDEM_VERSION_UNTIMED) return 1 + IDEM_HASH;
    return 0;
}

static const retention_idem_codec_t idem_codec = { idem_stored_at, idem_stamp };

static size_t idem_key(const service_call_t *c, uint8_t *out) {
    const char *user = c->actor && c->actor->user ? c->actor->user : "";
    int n = snprintf((char *) out, STORE_KEY_MAX, "%s%c%s%c%s", c->peer, 0, user, 0,
                     c->request->idempotency_key);
    return n < STORE_KEY_MAX ? (size_t) n : STORE_KEY_MAX;
}

/* The fields of Request that differ between attempts of one request, or are not what it asks:
   its id, deadline, trace id and read-your-writes waits. */
static bool per_attempt_field(uint32_t field) {
    switch (field) {
    case 1: case 4: case 5: case 6: case 7: case 60: return true;
    default: return false;
    }
}

/* Version 3: the request's bytes as received, without the per-attempt fields, so retries
   match without unpacking and packing the request again. */
static void request_hash_received(const service_call_t *c, uint8_t hash[IDEM_HASH]) {
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    const uint8_t *p = c->raw, *end = c->raw + c->raw_len, *start;
    uint32_t field;
    while (p < end) {
        if (pb_splice_next(&p, end, &field, &start) != 0) {
            crypto_hash_sha256_update(&st, start, (size_t) (end - start));   /* unpacked, so */
            break;                                                           /* never here */
        }
        if (!per_attempt_field(field)) crypto_hash_sha256_update(&st, start, (size_t) (p - start));
    }
    crypto_hash_sha256_final(&st, hash);
}

/* Versions 1 and 2: the body is hashed as packed again without the per-attempt fields. */
static void request_hash(const service_call_t *c, uint8_t hash[IDEM_HASH]) {
    Lumbung__Request copy = *c->request;
    copy.has_request_id = copy.has_deadline_ms = 0;
    copy.trace_id = NULL;
    copy.has_after_members_seq = copy.has_after_transactions_seq = 0;
    copy.n_after_shard_seqs = 0;
    size_t len;
    uint8_t *bytes = envelope_pack(c->arena, &copy.base, &len);
    crypto_hash_sha256(hash, bytes, len);
}

/* Returns 1 when the stored reply (or a conflict) answered the call, 0 to run the handler,
   or a negative store error. */
static int idem_lookup(service_call_t *c, store_txn_t *txn) {
    uint8_t key[STORE_KEY_MAX];
    size_t klen = idem_key(c, key);
    const uint8_t *v;
    size_t vl;
    int rc = store_get(txn, c->svc->idempotency, key, klen, (const void **) &v, &vl);
    if (rc == ERR_NOT_FOUND) return 0;
    if (rc != 0) return rc;
    /* Past the window a retry is a new request, whether or not the pruner got to it yet. */
    int64_t at = idem_stored_at(v, vl);
    if (at >= 0 && at < envelope_now_ms() - c->svc->retention.idempotency_ms) return 0;
    size_t skip = at >= 0 ? 9 : 1;                 /* version 1: no time */
    uint8_t hash[IDEM_HASH];
    if (vl > 0 && v[0] == IDEM_VERSION) request_hash_received(c, hash);
    else request_hash(c, hash);
    if (vl < skip + IDEM_HASH || (!idem_timed(v, vl) && v[0] != IDEM_VERSION_UNTIMED) ||
        memcmp(v + skip, hash, IDEM_HASH) != 0) {
        service_call_fail(c, LUMBUNG__ERROR_KIND__ERROR_KIND_CONFLICT, "idempotency_key_reused",
                          "idempotency_key",
                          "this Idempotency-Key was already used for a different request; use a new key");
        return 1;
    }
    ProtobufCAllocator alloc = arena_allocator(c->arena);
    Lumbung__Reply *stored = lumbung__reply__unpack(&alloc, vl - skip - IDEM_HASH,
                                                    v + skip + IDEM_HASH);
    if (!stored) return ERR_STORE;
    stored->request_id = c->request->request_id;
    c->reply = stored;
    c->idempotent_hit = true;      /* counted by call_finish, on the loop thread */
    return 1;
}

static int idem_store(service_call_t *c, store_txn_t *txn) {
    uint8_t key[STORE_KEY_MAX];
    size_t klen = idem_key(c, key), rlen;
    uint8_t *reply = envelope_pack(c->arena, &c->reply->base, &rlen);
    uint8_t *val = arena_alloc(c->arena, IDEM_HEADER + rlen);
    val[0] = IDEM_VERSION;
    be64_write(val + 1, (uint64_t) envelope_now_ms());
    request_hash_received(c, val + 9);
    memcpy(val + IDEM_HEADER, reply, rlen);
    int rc = store_put(txn, c->svc->idempotency, key, klen, val, IDEM_HEADER + rlen, 0);
    if (rc == 0) {
        c->stored_idempotent = true;
        c->reply_packed = reply;
        c->reply_packed_len = rlen;
    }
    return rc;
}

/* ---- running one call ---- */

/* A replay asked with actor_role keeps the events of that role, read from the header. */
static bool replay_role_matches(const Lumbung__ReplayRequest *rr, const uint8_t *event,
                                size_t len) {
    if (!rr->has_actor_role) return true;
    envelope_event_header_t h;
    return envelope_event_header(event, len, &h) == 0 && h.has_role && h.role == rr->actor_role;
}

static int replay_visit(void *arg, uint64_t seq, const uint8_t *event, size_t len) {
    service_call_t *c = arg;
    Lumbung__ReplayReply *r = c->reply->replay;
    /* The first event always goes (one is at most OUTBOX_EVENT_MAX); the follower asks again
       for the rest. */
    if (r->n_events > 0 && c->replay_bytes + len > REPLAY_BYTES_MAX) return 1;
    c->replay_last = seq;
    if (c->replay_scope && !scope_event_visible(c->replay_scope, event, len)) return 0;
    if (!replay_role_matches(c->request->replay, event, len)) return 0;
    c->replay_bytes += len;
    r->events[r->n_events].data = (uint8_t *) event;   /* valid until the batch commits */
    r->events[r->n_events].len = len;
    r->n_events++;
    return 0;
}

/* Returns 0 (an int like the other answers of run_call). */
static int answer_replay(service_call_t *c, store_txn_t *txn) {
    const Lumbung__ReplayRequest *rr = c->request->replay;
    uint32_t max = rr->has_max && rr->max ? rr->max : OUTBOX_REPLAY_MAX;
    if (max > OUTBOX_REPLAY_MAX) max = OUTBOX_REPLAY_MAX;
    Lumbung__ReplayReply *r = arena_message(c->arena, &lumbung__replay_reply__descriptor);
    r->events = arena_alloc(c->arena, max * sizeof *r->events);
    c->reply->result_case = LUMBUNG__REPLY__RESULT_REPLAY;
    c->reply->replay = r;
    r->has_head_seq = 1;
    r->head_seq = outbox_head(c->svc->outbox, txn);
    c->replay_bytes = 0;
    c->replay_last = 0;
    /* Asking from a sequence says the peer holds every event before it (retention.h). */
    uint64_t from = rr->has_from_seq && rr->from_seq ? rr->from_seq : 1;
    if (*c->peer)
        retention_followers_note(&c->svc->followers_seen, c->peer, from - 1, envelope_now_ms());
    outbox_read(c->svc->outbox, txn, rr->has_from_seq ? rr->from_seq : 1, max, replay_visit, c);
    if (c->replay_last) {
        r->has_last_seq = 1;
        r->last_seq = c->replay_last;
    }
    /* Copy the bytes out of the map: they are sent after the batch commits. */
    for (size_t i = 0; i < r->n_events; i++) {
        uint8_t *copy = arena_alloc(c->arena, r->events[i].len ? r->events[i].len : 1);
        memcpy(copy, r->events[i].data, r->events[i].len);
        r->events[i].data = copy;
    }
    c->svc->stats.replays++;
    return 0;
}

/* CPU seconds and resident bytes from /proc/self/stat, open descriptors from /proc/self/fd;
   zero where /proc is not there. */
void service_process_figures(Lumbung__ServiceMetrics *m) {
    m->has_cpu_seconds = m->has_rss_bytes = m->has_open_fds = 1;
    FILE *f = fopen("/proc/self/stat", "r");
    if (f) {
        char buf[1024];
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = 0;
        /* Fields after the command name, which may hold spaces: state is field 3. */
        const char *p = strrchr(buf, ')');
        unsigned long utime = 0, stime = 0;
        long rss = 0;
        if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu %*d %*d %*d %*d "
                        "%*d %*d %*u %*u %ld", &utime, &stime, &rss) == 3) {
            long ticks = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
            m->cpu_seconds = ticks > 0 ? (double) (utime + stime) / (double) ticks : 0;
            m->rss_bytes = rss > 0 && page > 0 ? (uint64_t) rss * (uint64_t) page : 0;
        }
    }
    DIR *d = opendir("/proc/self/fd");
    if (!d) return;
    uint64_t fds = 0;
    for (struct dirent *e; (e = readdir(d));) fds += e->d_name[0] != '.';
    closedir(d);
    m->open_fds = fds > 0 ? fds - 1 : 0;    /* not counting the directory being read */
}

static Lumbung__ServiceMetrics *service_metrics(service_call_t *c, store_txn_t *txn) {
    service_t *svc = c->svc;
    Lumbung__ServiceMetrics *m = arena_message(c->arena, &lumbung__service_metrics__descriptor);
#define SET(field, value) do { m->has_##field = 1; m->field = (value); } while (0)
    SET(requests, svc->stats.requests);
    SET(malformed, svc->stats.malformed);
    SET(batches, svc->stats.batches);
    SET(commits, svc->stats.commits);
    SET(commit_failures, svc->commit_failures);
    SET(batch_requests, svc->batch_requests);
    SET(batch_max, svc->batch_max);
    SET(commit_seconds, svc->commit_seconds);
    SET(commit_seconds_max, svc->commit_seconds_max);
    SET(map_grows, svc->stats.map_grows);
    SET(idempotent_hits, svc->stats.idempotent_hits);
    SET(replays, svc->stats.replays);
    SET(idempotency_entries, store_count(txn, svc->idempotency));
    SET(outbox_entries, store_count(txn, svc->outbox_table));
    SET(waiting, (uint64_t) svc->waiting_count);
    SET(batched_messages, svc->stats.batched_messages);
#undef SET
    m->operations = arena_alloc(c->arena, (size_t) (svc->op_count + 1) * sizeof *m->operations);
    for (int i = 0; i < svc->op_count; i++) {
        Lumbung__OperationCount *o = arena_message(c->arena, &lumbung__operation_count__descriptor);
        o->operation = svc->ops[i].name;
        o->has_requests = o->has_rejected = 1;
        o->requests = svc->ops[i].requests;
        o->rejected = svc->ops[i].rejected;
        m->operations[m->n_operations++] = o;
    }
    service_process_figures(m);
    return m;
}

/* The status of the service (lumbungctl status, the gateway's /metrics): head, followers and
   their lag, store use, the peers heard from lately and the service's figures. */
static void answer_ping(service_call_t *c, store_txn_t *txn) {
    service_t *svc = c->svc;
    Lumbung__Pong *p = arena_message(c->arena, &lumbung__pong__descriptor);
    p->service = svc->name;
    p->has_head_seq = p->has_store_used_bytes = p->has_store_map_bytes = 1;
    p->head_seq = outbox_head(svc->outbox, txn);
    c->reply->result_case = LUMBUNG__REPLY__RESULT_PONG;
    c->reply->pong = p;
    /* The rest names other peers: for Lumbung's own services (and lumbungctl) only. */
    const char *role = bus_peer_role(svc->bus, c->peer);
    if (bus_curve(svc->bus) && (!role || strcmp(role, "service") != 0)) {
        p->has_store_used_bytes = p->has_store_map_bytes = 0;
        return;
    }
    p->store_used_bytes = store_used_bytes(svc->store);
    p->store_map_bytes = store_map_size(svc->store);
    p->followers = arena_alloc(c->arena, (svc->replica_count + 1) * sizeof *p->followers);
    for (int i = 0; i < svc->replica_count; i++)
        p->followers[p->n_followers++] = follower_status(svc->replicas[i], c->arena);
    p->peers = arena_alloc(c->arena, PEERS_SEEN_MAX * sizeof *p->peers);
    int64_t now = envelope_now_ms();
    for (int i = 0; i < PEERS_SEEN_MAX; i++) {
        if (!svc->peers[i].name[0] || now - svc->peers[i].last_ms > PEER_RECENT_MS) continue;
        Lumbung__PeerStatus *ps = arena_message(c->arena, &lumbung__peer_status__descriptor);
        ps->name = svc->peers[i].name;
        ps->has_last_seen_ms = 1;
        ps->last_seen_ms = svc->peers[i].last_ms;
        p->peers[p->n_peers++] = ps;
    }
    p->metrics = service_metrics(c, txn);
}

/* Remembers who asked, for the status answer; the oldest entry makes room. */
static void note_peer(service_t *svc, const char *name) {
    if (!*name) return;
    int64_t now = envelope_now_ms();
    int slot = 0;
    for (int i = 0; i < PEERS_SEEN_MAX; i++) {
        if (!strcmp(svc->peers[i].name, name)) {
            svc->peers[i].last_ms = now;
            return;
        }
        if (svc->peers[i].last_ms < svc->peers[slot].last_ms) slot = i;
    }
    snprintf(svc->peers[slot].name, sizeof svc->peers[slot].name, "%s", name);
    svc->peers[slot].last_ms = now;
}

static uint64_t replica_cursor(service_t *svc, const char *stream, bool *known) {
    for (int i = 0; i < svc->replica_count; i++)
        if (!strcmp(follower_stream(svc->replicas[i]), stream)) {
            *known = true;
            return follower_cursor(svc->replicas[i]);
        }
    *known = false;
    return 0;
}

/* A request that names a sequence of another stream waits until our replica has it. */
static bool must_wait(service_call_t *c) {
    const Lumbung__Request *r = c->request;
    bool known;
    if (r->has_after_members_seq && r->after_members_seq > 0 &&
        replica_cursor(c->svc, "members", &known) < r->after_members_seq && known)
        return true;
    if (r->has_after_transactions_seq && r->after_transactions_seq > 0 &&
        replica_cursor(c->svc, "transactions", &known) < r->after_transactions_seq && known)
        return true;
    for (size_t k = 0; k < r->n_after_shard_seqs && k < SHARD_MAX; k++) {
        char name[SHARD_NAME_MAX];
        if (r->after_shard_seqs[k] > 0 &&
            replica_cursor(c->svc, shard_name((int) k, name, sizeof name), &known) <
                r->after_shard_seqs[k] && known)
            return true;
    }
    return false;
}

/* ---- the operation table (service_operations_t) ---- */

uint64_t service_call_op_cooperative(const service_call_t *c) { return c->op.cooperative_id; }

access_actor_t service_call_access_actor(const service_call_t *c) {
    access_actor_t who = access_actor_of(c->actor);
    who.internal = c->internal;
    return who;
}

int service_call_authorise(service_call_t *c, access_t access, uint64_t coop) {
    access_actor_t who = service_call_access_actor(c);
    access_ask_t ask = { .access = access, .cooperative_id = coop };
    problem_t p;
    if (access_decide(&who, &ask, &p) == 0) return 0;
    return service_call_reject(c, &p);
}

/* Money moved by an outside system must be safe to retry: without a key a lost reply followed
   by a retry would post twice. (The gateway asks the same of HTTP from the same flag.) */
static bool needs_key(const service_call_t *c, const operation_t *op) {
    const char *key = c->request->idempotency_key;
    return (op->flags & OP_MOVES_MONEY) && c->actor &&
           c->actor->role == LUMBUNG__ROLE__ROLE_INTEGRATOR && (!key || !*key);
}

/* The row of the call's operation in the table, its checks, then its handler. */
/* The call's row in the service's operation table; NULL without a table, for another body or
   an operation the table does not have. */
static const operation_t *call_row(const service_call_t *c) {
    const service_operations_t *ops = c->svc->handlers.operations;
    if (!ops || c->request->body_case != ops->body || !c->op.message) return NULL;
    const operation_t *op = operation_numbered(ops->rows, ops->count, c->op.number);
    return op && op->handler ? op : NULL;
}

static int dispatch(service_call_t *c, const service_operations_t *ops) {
    void *app = c->svc->app;
    if (c->request->body_case != ops->body)
        return service_call_fail(c, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "unknown_body", NULL,
                                 "the %s service answers %s requests only", ops->service,
                                 ops->service);
    const operation_t *op = c->row;
    if (!op)
        return service_call_fail(c, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "unknown_operation",
                                 NULL, "the request names no operation the %s service knows",
                                 ops->service);
    if (needs_key(c, op))
        return service_call_fail(c, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID,
                                 "idempotency_key_required", "idempotency_key",
                                 "an integrator must send an idempotency key with every request "
                                 "that moves money, and reuse it when retrying");
    const void *msg = c->op.message;
    int rc = ops->admit ? ops->admit(app, c, op, msg) : 0;
    if (rc == 0 && !(op->flags & OP_AUTHORISES_ITSELF))
        rc = service_call_authorise(c, op->access, c->op.cooperative_id);
    void *ctx = app;
    if (rc == 0 && ops->begin) rc = ops->begin(app, c, op, msg, &ctx);
    if (rc != 0) return rc;
    rc = op->handler(ctx, c, msg);
    return ops->end ? ops->end(ctx, c, op, rc) : rc;
}

static int call_handle(service_call_t *c) {
    const service_handlers_t *h = &c->svc->handlers;
    return h->operations ? dispatch(c, h->operations) : h->handle(c->svc->app, c);
}

static int run_handler(service_call_t *c, store_txn_t *parent) {
    int rc = store_begin_child(parent, &c->txn);
    if (rc != 0) return rc;
    c->last_seq = 0;
    c->continuing = false;
    rc = call_handle(c);
    /* A call that continues has no reply yet: its key is stored with the last step only. */
    if (rc == 0 && !c->continuing && c->request->idempotency_key && *c->request->idempotency_key)
        rc = idem_store(c, c->txn);
    if (rc == 0) return store_commit(&c->txn);
    store_abort(&c->txn);
    c->reply->has_event_seq = 0;
    c->stored_idempotent = false;
    c->reply_packed = NULL;
    c->continuing = false;
    if (rc == ERR_MAP_FULL) return rc;
    if (!c->reply->error)
        service_call_fail(c, LUMBUNG__ERROR_KIND__ERROR_KIND_INTERNAL, "internal", NULL,
                          "the request failed inside the service (%s); it changed nothing",
                          error_name(rc));
    return 0;
}

/* ---- logs and per-operation counts ---- */

/* "transactions.deposit": the envelope's body and the service's own oneof inside it (scope.h
   finds both by reflection). */
static void call_name_operation(service_call_t *c) {
    scope_request_read(c->request, &c->op);
    if (!c->op.service) { snprintf(c->operation, sizeof c->operation, "none"); return; }
    snprintf(c->operation, sizeof c->operation, "%s%s%s", c->op.service, c->op.name ? "." : "",
             c->op.name ? c->op.name : "");
}

/* Every line written while the call runs names its request (log.h). */
static void call_log_context(const service_call_t *c) {
    if (!c->request) { log_context_set(NULL); return; }
    const Lumbung__Actor *a = c->actor;
    log_context_t ctx = { c->request->trace_id, a && a->user ? a->user : NULL,
                          c->op.cooperative_id ? c->op.cooperative_id
                          : a && a->has_cooperative_id ? a->cooperative_id : 0, c->operation };
    log_context_set(&ctx);
}

static op_count_t *op_count(service_t *svc, const char *name) {
    for (int i = 0; i < svc->op_count; i++)
        if (!strcmp(svc->ops[i].name, name)) return &svc->ops[i];
    if (svc->op_count == OPERATIONS_MAX - 1 && strcmp(name, "other") != 0) return op_count(svc, "other");
    op_count_t *o = &svc->ops[svc->op_count++];
    snprintf(o->name, sizeof o->name, "%s", name);
    return o;
}

/* The outcome of an answered call: counted by operation, logged at info for a write (it
   produced an event or carried an idempotency key), at debug otherwise. */
static void call_outcome(service_t *svc, service_call_t *c) {
    call_log_context(c);
    const Lumbung__Error *e = c->reply->error;
    op_count_t *o = op_count(svc, c->request ? c->operation : "malformed");
    o->requests++;
    if (e) o->rejected++;
    bool write = c->reply->has_event_seq ||
                 (c->request && c->request->idempotency_key && *c->request->idempotency_key);
    log_level_t level = write ? LOG_INFO : LOG_DEBUG;
    if (!log_enabled(level)) return;
    double ms = (double) (uv_hrtime() - c->received_ns) / 1e6;
    if (e)
        log_emit(level, NULL, e->code ? e->code : "error", ms, "%s: %s refused for '%s': %s",
                 svc->name, c->operation, c->peer, e->message ? e->message : "");
    else if (c->reply->has_event_seq)
        log_emit(level, NULL, "ok", ms, "%s: %s done for '%s', event %llu", svc->name,
                 c->operation, c->peer, (unsigned long long) c->reply->event_seq);
    else
        log_emit(level, NULL, "ok", ms, "%s: %s done for '%s'", svc->name, c->operation, c->peer);
}

/* What every call goes through before it runs, on the loop thread (it reads the bus's peers):
   a fresh arena, the request unpacked, its actor, its operation, the key's scope and the
   envelope's limits. Returns true when that answered it (with an error). */
static bool call_open(service_call_t *c) {
    service_t *svc = c->svc;
    arena_reset(c->arena);
    c->stored_idempotent = false;
    c->idempotent_hit = false;
    c->parked = false;
    c->row = NULL;
    c->reply_packed = NULL;
    c->reply = arena_message(c->arena, &lumbung__reply__descriptor);
    ProtobufCAllocator alloc = arena_allocator(c->arena);
    c->request = lumbung__request__unpack(&alloc, c->raw_len, c->raw);
    if (!c->request) {
        svc->stats.malformed++;
        log_warn(0, "%s: malformed request of %zu bytes from '%s'", svc->name, c->raw_len, c->peer);
        service_call_fail(c, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "malformed_request", NULL,
                          "the request is not a valid lumbung.Request message");
        return true;
    }
    c->reply->has_request_id = 1;
    c->reply->request_id = c->request->request_id;
    call_resolve_actor(c);
    call_name_operation(c);
    c->row = call_row(c);
    call_log_context(c);
    if (!c->arrival_logged)
        log_debug(0, "%s: %s from '%s'%s%s", svc->name, c->operation, c->peer,
                  c->request->idempotency_key ? " key " : "",
                  c->request->idempotency_key ? c->request->idempotency_key : "");
    c->arrival_logged = true;
    if (call_refused(c)) return true;
    const Lumbung__Request *r = c->request;
    if (r->n_batch > 0) {          /* only an element of a batch gets here with one */
        service_call_fail(c, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "nested_batch", "batch",
                          "an element of a batch cannot itself be a batch; send its requests "
                          "as elements of the outer batch");
        return true;
    }
    if (!c->continued && r->has_deadline_ms && r->deadline_ms > 0 &&
        r->deadline_ms < envelope_now_ms()) {
        service_call_fail(c, LUMBUNG__ERROR_KIND__ERROR_KIND_TIMEOUT, "deadline_exceeded", NULL,
                          "the request arrived after its deadline; nothing was done");
        return true;
    }
    if (r->idempotency_key && strlen(r->idempotency_key) > SERVICE_IDEMPOTENCY_KEY_MAX) {
        service_call_fail(c, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "invalid_idempotency_key",
                          "idempotency_key", "an idempotency key has at most %d characters",
                          SERVICE_IDEMPOTENCY_KEY_MAX);
        return true;
    }
    if (r->body_case == LUMBUNG__REQUEST__BODY__NOT_SET) {
        svc->stats.malformed++;
        log_warn(r->request_id, "%s: request without a known body from '%s'", svc->name, c->peer);
        service_call_fail(c, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "unknown_body", NULL,
                          "the request has no body this bus understands; check the envelope version");
        return true;
    }
    return false;
}

/* True when the call waits for a replica (must_wait): it is marked parked, with its deadline. */
static bool call_parks(service_call_t *c) {
    if (!must_wait(c)) return false;
    const Lumbung__Request *r = c->request;
    c->parked = true;
    c->park_deadline_ms = r->has_deadline_ms && r->deadline_ms ? r->deadline_ms
                                                                : envelope_now_ms() + SERVICE_PARK_DEADLINE_MS;
    return true;
}

/* The stored reply of the call's key, else its handler, in a child of `txn`. Touches only the
   call, the store and the app's handlers, so a long operation's step runs it on a worker
   thread. Returns as run_call(). */
static int run_keyed(service_call_t *c, store_txn_t *txn) {
    const Lumbung__Request *r = c->request;
    c->continuing = false;         /* set again by the handler when it has more to do */
    if (r->idempotency_key && *r->idempotency_key) {
        int rc = idem_lookup(c, txn);
        if (rc != 0) return rc < 0 ? rc : 0;
    }
    return run_handler(c, txn);
}

/* Returns 0 when the call has its reply (or is parked), or ERR_MAP_FULL / ERR_STORE when the
   whole batch must be redone or dropped. */
static int run_call(service_call_t *c, store_txn_t *txn) {
    if (call_open(c)) return 0;
    switch (c->request->body_case) {
    case LUMBUNG__REQUEST__BODY_PING:
        answer_ping(c, txn);
        return 0;
    case LUMBUNG__REQUEST__BODY_REPLAY:
        return answer_replay(c, txn);
    default:
        break;
    }
    if (call_parks(c)) return 0;
    /* Its first step too runs on the worker (OP_STEPS): it goes on as a step, not run here. */
    if (!c->continued && c->row && (c->row->flags & OP_STEPS)) {
        c->continuing = true;
        return 0;
    }
    return run_keyed(c, txn);
}

/* ---- the batch ---- */

/* One reply message to the peer of `identity`, in the shape its request came. */
static void send_to(service_t *svc, const uint8_t *identity, size_t identity_len, bool delimiter,
                    const uint8_t *bytes, size_t len, uint64_t request_id) {
    const void *parts[3] = { identity, "", bytes };
    size_t sizes[3] = { identity_len, 0, len };
    if (!delimiter) {
        parts[1] = bytes;
        sizes[1] = len;
    }
    int rc = bus_send(svc->router, parts, sizes, delimiter ? 3 : 2);
    if (rc != 0)
        log_warn(request_id, "%s: reply not delivered (%s); the client may retry",
                 svc->name, zmq_strerror(-rc));
}

static void send_group(service_t *svc, reply_group_t *g) {
    size_t len;
    const uint8_t *bytes = call_batch_message(&g->replies, &len);
    if (bytes) send_to(svc, g->identity, g->identity_len, g->delimiter, bytes, len, 0);
    call_batch_clear(&g->replies);
}

/* Sends the replies gathered since the last call: after a batch's replies, and after the
   parked calls' (a reply waits for nothing else). */
static void send_groups(service_t *svc) {
    for (int i = 0; i < svc->group_count; i++) send_group(svc, &svc->groups[i]);
    svc->group_count = 0;
}

/* The end of a run of answered calls: their gathered replies go out and the log forgets the
   last call. */
static void replies_out(service_t *svc) {
    send_groups(svc);
    log_context_set(NULL);
}

static reply_group_t *group_of(service_t *svc, const service_call_t *c) {
    for (int i = 0; i < svc->group_count; i++) {
        reply_group_t *g = &svc->groups[i];
        if (g->identity_len == c->identity_len && g->delimiter == c->delimiter &&
            memcmp(g->identity, c->identity, c->identity_len) == 0)
            return g;
    }
    if (svc->group_count == REPLY_GROUPS_MAX) send_groups(svc);
    reply_group_t *g = &svc->groups[svc->group_count++];
    memcpy(g->identity, c->identity, c->identity_len);
    g->identity_len = c->identity_len;
    g->delimiter = c->delimiter;
    return g;
}

/* A batched call's reply joins the others to its peer (copied: the call ends next). */
static void group_reply(service_t *svc, const service_call_t *c, const uint8_t *bytes,
                        size_t len) {
    reply_group_t *g = group_of(svc, c);
    if (g->replies.count > 0 && (call_batch_full(&g->replies) ||
                                 g->replies.len + len > CALL_BATCH_BYTES))
        send_group(svc, g);
    call_batch_add(&g->replies, bytes, len);
}

static void send_reply(service_t *svc, service_call_t *c) {
    if (c->internal) {             /* nobody waits for it; a failure is worth a line */
        if (c->reply->error)
            log_warn(c->request ? c->request->request_id : 0, "%s: own step failed: %s %s",
                     svc->name, c->reply->error->code ? c->reply->error->code : "?",
                     c->reply->error->message ? c->reply->error->message : "");
        return;
    }
    if (c->reply->error) {             /* whatever failed carries no sequence (service_call_fail) */
        c->reply->has_event_seq = 0;
        c->reply->event_seq = 0;
    }
    size_t len = c->reply_packed_len;
    const uint8_t *bytes = c->reply_packed;
    if (!bytes || !c->stored_idempotent || c->reply->error)     /* packed once when stored */
        bytes = envelope_pack(c->arena, &c->reply->base, &len);
    if (c->batched) {
        group_reply(svc, c, bytes, len);
        return;
    }
    send_to(svc, c->identity, c->identity_len, c->delimiter, bytes, len,
            c->request ? c->request->request_id : 0);
}

static void publish_batch(service_t *svc) {
    event_batch_t *b = &svc->published;
    if (b->count == 0) return;
    const void *parts[2] = { "B", b->data };
    size_t sizes[2] = { 1, b->len };
    /* A PUB at its high-water mark drops; consumers recover by replay, so that is safe. */
    bus_send(svc->pub, parts, sizes, 2);
    event_batch_clear(b);
}

static int publish_visit(void *arg, uint64_t seq, const uint8_t *event, size_t len) {
    service_t *svc = arg;
    if (event_batch_add(&svc->published, event, len)) publish_batch(svc);
    svc->head = seq;
    return 0;
}

/* Publishes the events committed since the last call, several to a message (event_batch.h);
   the last, partly filled message goes too, so nothing committed waits for the next commit. */
static void publish_new_events(service_t *svc) {
    store_txn_t *txn;
    if (store_begin(svc->store, true, &txn) != 0) return;
    uint64_t head = outbox_head(svc->outbox, txn);
    while (svc->head < head) {
        uint64_t before = svc->head;
        outbox_read(svc->outbox, txn, svc->head + 1, OUTBOX_REPLAY_MAX, publish_visit, svc);
        if (svc->head == before) break;
    }
    publish_batch(svc);
    store_abort(&txn);
}

/* Runs every call of the batch in one write txn; returns 0 once committed. */
static int batch_attempt(service_t *svc) {
    store_txn_t *txn;
    int rc = store_begin(svc->store, false, &txn);
    if (rc != 0) return rc;
    for (int i = 0; i < svc->batch_count && rc == 0; i++) rc = run_call(svc->batch[i], txn);
    if (rc != 0) {
        store_abort(&txn);
        return rc;
    }
    return store_commit(&txn);
}

static void on_wait_timer(uv_timer_t *t);

static void park(service_t *svc, service_call_t *c) {
    c->next_waiting = svc->waiting;
    svc->waiting = c;
    svc->waiting_count++;
    if (!uv_is_active((uv_handle_t *) &svc->wait_timer))
        uv_timer_start(&svc->wait_timer, on_wait_timer, WAIT_CHECK_MS, WAIT_CHECK_MS);
}

/* A call whose step committed and that asked to go on runs its next step after the requests
   that arrive meanwhile (on_batch_idle). Returns true when it was kept for that. */
static bool continue_later(service_t *svc, service_call_t *c) {
    if (!c->continuing || c->reply->error) return false;
    if (svc->continued_count < SERVICE_BATCH_MAX) {
        c->continued = true;
        svc->continued[svc->continued_count++] = c;
        return true;
    }
    /* Its step committed; a retry with the same key continues from the store. */
    service_call_fail(c, LUMBUNG__ERROR_KIND__ERROR_KIND_UNAVAILABLE, "busy", NULL,
                      "the %s service is running %d long operations; this one is part done, "
                      "retry it to continue", svc->name, SERVICE_BATCH_MAX);
    return false;
}

/* A call this turn is done with: parked for its replica, or answered and freed. */
static void call_finish(service_t *svc, service_call_t *c) {
    c->continuing = false;
    if (c->idempotent_hit) svc->stats.idempotent_hits++;
    c->idempotent_hit = false;
    if (c->parked && svc->waiting_count < svc->waiting_max) {
        park(svc, c);
        return;
    }
    if (c->parked) {              /* the list is full: refuse rather than grow without bound */
        c->parked = false;
        service_call_fail(c, LUMBUNG__ERROR_KIND__ERROR_KIND_UNAVAILABLE, "busy", NULL,
                          "the %s service already holds %d requests waiting for a replica; "
                          "retry later", svc->name, svc->waiting_max);
    }
    call_outcome(svc, c);
    send_reply(svc, c);
    call_destroy(&c);
}

/* After the write txn of `calls` ended with `rc`, on the loop thread: counted, then each call
   continues, parks or is answered, and the events that committed are published. */
static void batch_finish(service_t *svc, service_call_t **calls, int n, int rc, double seconds) {
    svc->stats.batches++;
    svc->batch_requests += (uint64_t) n;
    if ((uint64_t) n > svc->batch_max) svc->batch_max = (uint64_t) n;
    svc->commit_seconds += seconds;
    if (seconds > svc->commit_seconds_max) svc->commit_seconds_max = seconds;
    bool stored = false;
    for (int i = 0; i < n; i++) {
        service_call_t *c = calls[i];
        if (rc != 0) {
            c->parked = false;
            c->idempotent_hit = false;
            service_call_fail(c, LUMBUNG__ERROR_KIND__ERROR_KIND_UNAVAILABLE, "store_unavailable",
                              NULL, "the service could not write to its store; nothing was done, retry later");
        }
        stored |= c->stored_idempotent;
    }
    if (rc == 0) svc->stats.commits++;
    else svc->commit_failures++;
    if (rc != 0)
        log_error(0, "%s: batch of %d failed to commit (%s)", svc->name, n, error_name(rc));
    /* Fault injection for the crash-between-commit-and-reply tests
       (tests/system/test_transactions_crash.py, test_runtime.py). */
    if (svc->fault_crash_after_commit && stored) {
        log_warn(0, "%s: LUMBUNG_FAULT=crash_after_commit: exiting before replying", svc->name);
        _exit(99);
    }
    for (int i = 0; i < n; i++) {
        if (rc == 0 && continue_later(svc, calls[i])) continue;
        call_finish(svc, calls[i]);
    }
    replies_out(svc);
    publish_new_events(svc);
}

static void process_batch(service_t *svc) {
    if (svc->batch_count == 0) return;
    uint64_t started = uv_hrtime();
    int rc = 0;
    for (int redo = 0; redo < REDO_MAX; redo++) {
        rc = batch_attempt(svc);
        if (rc != ERR_MAP_FULL) break;
        svc->stats.map_grows++;
        if (store_grow(svc->store) != 0) break;
    }
    log_context_set(NULL);
    batch_finish(svc, svc->batch, svc->batch_count, rc, (double) (uv_hrtime() - started) / 1e9);
    svc->batch_count = svc->batch_examined = 0;
}

/* ---- reads while a step has the write txn ---- */

/* True when a call of the same peer came before `c` and still waits for the write txn: `c`
   must not overtake it (a peer's requests run in the order they came). */
static bool peer_has_kept(service_t *svc, const service_call_t *c, int kept) {
    for (int i = 0; i < kept; i++) {
        const service_call_t *k = svc->batch[i];
        if (!k->internal && k->identity_len == c->identity_len &&
            memcmp(k->identity, c->identity, c->identity_len) == 0)
            return true;
    }
    return false;
}


/* Runs `c` from `txn`, a read txn, while a step holds the write txn. True when it got its
   reply there (or was parked); false for a call that must wait for the next write batch: one
   that may write (an operation with OP_WRITE, an idempotency key, a replay, which records the
   follower's cursor, the service's own step), and a read that failed inside the store, which
   runs again there rather than be answered "internal". */
static bool answer_read(service_call_t *c, store_txn_t *txn) {
    if (c->internal || c->continued) return false;
    if (call_open(c)) return true;
    const Lumbung__Request *r = c->request;
    if (r->body_case == LUMBUNG__REQUEST__BODY_PING) {
        answer_ping(c, txn);
        return true;
    }
    if ((r->idempotency_key && *r->idempotency_key) || !c->row || (c->row->flags & OP_WRITE))
        return false;
    if (call_parks(c)) return true;
    c->txn = txn;
    c->last_seq = 0;
    c->continuing = false;
    int rc = call_handle(c);
    c->txn = NULL;
    if (rc == 0 && !c->continuing) return true;
    if (rc == ERR_REJECTED && c->reply->error) return true;
    c->continuing = false;
    return false;
}

/* Answers the reads that came since the step began; the rest stay in the batch, in order. */
static void answer_reads(service_t *svc) {
    store_txn_t *txn = NULL;
    int kept = svc->batch_examined;
    for (int i = svc->batch_examined; i < svc->batch_count; i++) {
        service_call_t *c = svc->batch[i];
        bool answered = !peer_has_kept(svc, c, kept) &&
                        (txn || store_begin(svc->store, true, &txn) == 0) && answer_read(c, txn);
        if (answered) call_finish(svc, c);
        else svc->batch[kept++] = c;
    }
    if (txn) store_abort(&txn);
    svc->batch_count = svc->batch_examined = kept;
    replies_out(svc);
}

/* ---- the steps of long operations, on a worker thread ---- */

/* LUMBUNG_FAULT=hold_steps: a step waits before its commit, holding the write txn, while the
   file LUMBUNG_FAULT_GATE exists (at most FAULT_HOLD_MS), as a slow disk's fsync would; the
   tests show what is answered meanwhile. */
static void fault_hold(const service_t *svc) {
    if (!svc->fault_hold_steps || access(svc->fault_gate, F_OK) != 0) return;
    log_warn(0, "%s: LUMBUNG_FAULT=hold_steps: a step holds its commit while %s exists",
             svc->name, svc->fault_gate);
    for (int waited = 0; waited < FAULT_HOLD_MS && access(svc->fault_gate, F_OK) == 0; waited += 10)
        usleep(10 * 1000);
}

/* The worker's part: every step of the turn in one write txn, committed. It touches only the
   calls, the store and the app's handlers; the loop thread keeps the sockets and the rest. */
static void step_run(uv_work_t *w) {
    service_t *svc = w->data;
    uv_mutex_lock(&svc->step_lock);
    uint64_t started = uv_hrtime();
    store_txn_t *txn = NULL;
    int rc = store_begin(svc->store, false, &txn);
    for (int i = 0; i < svc->step_count && rc == 0; i++) {
        call_log_context(svc->steps[i]);
        rc = run_keyed(svc->steps[i], txn);
    }
    log_context_set(NULL);
    if (rc == 0) {
        fault_hold(svc);
        rc = store_commit(&txn);
    } else if (txn) {
        store_abort(&txn);
    }
    svc->step_rc = rc;
    svc->step_seconds = (double) (uv_hrtime() - started) / 1e9;
    svc->step_ended = true;
    uv_cond_signal(&svc->step_cond);
    uv_mutex_unlock(&svc->step_lock);
}

static void step_done(uv_work_t *w, int status);

static void service_free(service_t *svc) {
    uv_cond_destroy(&svc->step_cond);
    uv_mutex_destroy(&svc->step_lock);
    free(svc);
}

/* Opens each call of the step on the loop thread (a key revoked meanwhile is answered now)
   and hands the rest to a worker. */
static void step_queue(service_t *svc) {
    int n = 0;
    for (int i = 0; i < svc->step_count; i++) {
        service_call_t *c = svc->steps[i];
        if (call_open(c)) call_finish(svc, c);
        else svc->steps[n++] = c;
    }
    replies_out(svc);
    svc->step_count = n;
    if (n == 0) return;
    svc->step_ended = false;
    svc->step_in_flight = true;
    svc->handles_open++;           /* the work request keeps svc alive until step_done */
    svc->step_work.data = svc;
    uv_queue_work(bus_loop(svc->bus), &svc->step_work, step_run, step_done);
}

static void on_batch_idle(uv_idle_t *h);

/* After a step: what waited for the write txn, and the next steps, run on the next turn. */
static void step_wake(service_t *svc) {
    if (svc->batch_count > 0 || svc->continued_count > 0) uv_idle_start(&svc->batch_idle, on_batch_idle);
}

/* Back on the loop thread: a map grown and the step redone, or its calls answered or kept to
   go on; then whatever waited for the write txn runs. */
static void step_done(uv_work_t *w, int status) {
    service_t *svc = w->data;
    svc->step_in_flight = false;
    svc->handles_open--;
    if (svc->stopping) {           /* service_destroy waited for the worker */
        for (int i = 0; i < svc->step_count; i++) call_destroy(&svc->steps[i]);
        svc->step_count = 0;
        if (svc->handles_open == 0) service_free(svc);
        return;
    }
    int rc = status == 0 ? svc->step_rc : ERR_STORE;
    if (rc == ERR_MAP_FULL && svc->step_redo < REDO_MAX) {
        svc->step_redo++;
        svc->stats.map_grows++;
        if (store_grow(svc->store) == 0) {
            step_queue(svc);       /* the step again, in the grown map */
            if (!svc->step_in_flight) step_wake(svc);    /* each of its calls was answered */
            return;
        }
    }
    int n = svc->step_count;
    svc->step_count = 0;
    batch_finish(svc, svc->steps, n, rc, svc->step_seconds);
    step_wake(svc);
}

/* The grow guard (store.h): the map is never grown while the worker has a txn open. */
static void step_grow_guard(void *arg, bool before) {
    service_t *svc = arg;
    if (before) uv_mutex_lock(&svc->step_lock);
    else uv_mutex_unlock(&svc->step_lock);
}

/* Requests that arrived go first, in one write txn on the loop thread; then one step of every
   call that continues, in a write txn of their own on a worker thread, while the loop answers
   the reads that arrive meanwhile (answer_reads) and keeps the rest for after the step. So a
   read waits behind neither a step's work nor its fsync, and a write behind at most one step. */
static void on_batch_idle(uv_idle_t *h) {
    service_t *svc = h->data;
    uv_idle_stop(h);
    if (svc->step_in_flight) {
        answer_reads(svc);
        return;
    }
    process_batch(svc);
    if (svc->continued_count == 0) return;
    memcpy(svc->steps, svc->continued, (size_t) svc->continued_count * sizeof svc->steps[0]);
    svc->step_count = svc->continued_count;
    svc->continued_count = 0;
    svc->step_redo = 0;
    step_queue(svc);
}

/* A full batch runs now; while a step has the write txn, only once the reads are out of it and
   it is full still (its txn then waits for the step's commit: LMDB has one writer). */
static void enqueue(service_t *svc, service_call_t *c) {
    if (svc->batch_count == SERVICE_BATCH_MAX && svc->step_in_flight) answer_reads(svc);
    if (svc->batch_count == SERVICE_BATCH_MAX) process_batch(svc);
    svc->batch[svc->batch_count++] = c;
    svc->stats.requests++;
    if (!uv_is_active((uv_handle_t *) &svc->batch_idle)) uv_idle_start(&svc->batch_idle, on_batch_idle);
}

int service_post_self(service_t *svc, const uint8_t *request, size_t len) {
    assert(svc && (request || len == 0));
    enqueue(svc, call_new_self(svc, request, len));
    return 0;
}

/* A batch that cannot be split has no request id to answer under: one Reply with the error
   alone, which the sender's log shows (and a Lumbung client drops as unmatched). */
static void refuse_batch(service_t *svc, const bus_msg_t *msg, int rc) {
    svc->stats.malformed++;
    log_warn(0, "%s: refused a batch of %zu bytes from '%s' (%s)", svc->name,
             zmq_msg_size(&msg->frames[msg->count - 1]), msg->peer,
             rc == -E2BIG ? "too many elements" : "malformed");
    char text[160];
    Lumbung__Error error = LUMBUNG__ERROR__INIT;
    error.has_kind = 1;
    error.field = "batch";
    if (rc == -E2BIG) {
        error.kind = LUMBUNG__ERROR_KIND__ERROR_KIND_TOO_LARGE;
        error.code = "batch_too_large";
        snprintf(text, sizeof text, "a batch has at most %d requests; send the rest in another "
                 "message", CALL_BATCH_ACCEPT_MAX);
    } else {
        error.kind = LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID;
        error.code = "malformed_batch";
        snprintf(text, sizeof text, "a Request with batch carries nothing else, and each "
                 "element is a whole serialized Request");
    }
    error.message = text;
    Lumbung__Reply reply = LUMBUNG__REPLY__INIT;
    reply.error = &error;
    uint8_t bytes[512];
    size_t len = lumbung__reply__pack(&reply, bytes);
    const uint8_t *id;
    bool delimiter;
    size_t id_len = routing_id(msg, &id, &delimiter);
    send_to(svc, id, id_len, delimiter, bytes, len, 0);
}

static void on_router(bus_socket_t *s, bus_msg_t *msg, void *arg) {
    service_t *svc = arg;
    if (msg->count < 2 || msg->count > 3 || (msg->count == 3 && zmq_msg_size(&msg->frames[1]) != 0)) {
        svc->stats.malformed++;
        log_warn(0, "%s: dropped a message of %d frames from '%s'", svc->name, msg->count, msg->peer);
        return;
    }
    note_peer(svc, msg->peer);
    const zmq_msg_t *body = &msg->frames[msg->count - 1];
    const uint8_t *bytes = zmq_msg_data((zmq_msg_t *) body);
    size_t len = zmq_msg_size(body);
    call_batch_part_t parts[CALL_BATCH_ACCEPT_MAX];
    int n = call_batch_split(bytes, len, parts, CALL_BATCH_ACCEPT_MAX);
    if (n == 0) {
        enqueue(svc, call_new(svc, msg, bytes, len, false));
        return;
    }
    if (n < 0) {
        refuse_batch(svc, msg, n);
        return;
    }
    svc->stats.batched_messages++;
    for (int i = 0; i < n; i++) enqueue(svc, call_new(svc, msg, parts[i].data, parts[i].len, true));
}

/* Parked requests whose replica caught up go back into a batch; expired ones get a timeout. */
static void recheck_waiting(service_t *svc) {
    service_call_t **pp = &svc->waiting;
    int64_t now = envelope_now_ms();
    while (*pp) {
        service_call_t *c = *pp;
        bool ready = !must_wait(c), expired = c->park_deadline_ms <= now;
        if (!ready && !expired) {
            pp = &c->next_waiting;
            continue;
        }
        *pp = c->next_waiting;
        svc->waiting_count--;
        if (ready) {
            enqueue(svc, c);
            continue;
        }
        service_call_fail(c, LUMBUNG__ERROR_KIND__ERROR_KIND_TIMEOUT, "replica_behind", NULL,
                          "the %s service has not yet seen the change this request depends on; retry",
                          svc->name);
        call_outcome(svc, c);
        send_reply(svc, c);
        call_destroy(&c);
    }
    replies_out(svc);
    if (!svc->waiting) uv_timer_stop(&svc->wait_timer);
}

static void on_wait_timer(uv_timer_t *t) { recheck_waiting(t->data); }

/* A follower's apply may emit events of our own (a chart opened for a new cooperative, an exit
   settlement): publish them now rather than with the next request's batch. */
void service_replica_advanced(service_t *svc) {
    publish_new_events(svc);
    if (svc->waiting) recheck_waiting(svc);
}

void service_add_replica(service_t *svc, follower_t *follower) {
    assert(svc->replica_count < REPLICAS_MAX);
    svc->replicas[svc->replica_count++] = follower;
}

/* One pruning step (retention.h) in a write transaction of its own, between batches. */
static void on_prune(uv_timer_t *t) {
    service_t *svc = t->data;
    if (svc->step_in_flight) return;      /* the next tick prunes; the loop must not wait */
    int64_t now = envelope_now_ms();
    uint64_t replies = 0, events = 0, stamped = 0, stored = 0;
    int rc = 0;
    for (int redo = 0; redo < REDO_MAX; redo++) {
        retention_walk_t walk = svc->idem_walk;
        store_txn_t *txn;
        replies = events = stamped = stored = 0;
        if ((rc = store_begin(svc->store, false, &txn)) != 0) break;
        rc = retention_prune_idempotency(txn, svc->idempotency, &idem_codec, &walk, now,
                                         svc->retention.idempotency_ms, svc->retention.step,
                                         &replies, &stamped);
        if (rc == 0) rc = retention_prune_outbox(txn, svc->outbox_table, svc->followers,
                                                 &svc->followers_seen, &svc->retention, now,
                                                 &events, &stored);
        /* Nothing to write: no commit (and no fsync) at all. */
        if (rc == 0 && replies + events + stamped + stored == 0) store_abort(&txn);
        else if (rc == 0) rc = store_commit(&txn);
        else store_abort(&txn);
        if (rc == 0) svc->idem_walk = walk;
        if (rc != ERR_MAP_FULL || store_grow(svc->store) != 0) break;
    }
    if (rc != 0) {
        log_warn(0, "%s: pruning failed (%s); it is tried again", svc->name, error_name(rc));
        return;
    }
    svc->pruned_replies += replies;
    svc->pruned_events += events;
    if (replies || events)
        log_debug(0, "%s: pruned %llu idempotency replies and %llu events", svc->name,
                  (unsigned long long) replies, (unsigned long long) events);
}

static void on_heartbeat(uv_timer_t *t) {
    service_t *svc = t->data;
    Lumbung__Heartbeat hb = LUMBUNG__HEARTBEAT__INIT;
    hb.stream = svc->name;
    hb.has_head_seq = hb.has_at_ms = 1;
    hb.head_seq = svc->head;
    hb.at_ms = envelope_now_ms();
    uint8_t buf[128];
    size_t len = lumbung__heartbeat__pack(&hb, buf);
    const void *parts[2] = { "H", buf };
    size_t sizes[2] = { 1, len };
    bus_send(svc->pub, parts, sizes, 2);
}

/* ---- lifecycle ---- */

service_t *service_new(bus_t *bus, const service_config_t *config,
                       const service_handlers_t *handlers, void *app, int *err) {
    assert(bus && config && handlers && (handlers->handle || handlers->operations) && err);
    service_t *svc = calloc(1, sizeof *svc);
    if (!svc) abort();
    event_batch_init(&svc->published);
    svc->bus = bus;
    svc->handlers = *handlers;
    svc->app = app;
    snprintf(svc->name, sizeof svc->name, "%s", config->name);
    const char *fault = config_get("LUMBUNG_FAULT", "");
    svc->fault_crash_after_commit = !strcmp(fault, "crash_after_commit");
    svc->fault_hold_steps = !strcmp(fault, "hold_steps");
    snprintf(svc->fault_gate, sizeof svc->fault_gate, "%s", config_get("LUMBUNG_FAULT_GATE", ""));
    if (uv_mutex_init(&svc->step_lock) != 0 || uv_cond_init(&svc->step_cond) != 0) abort();
    svc->waiting_max = (int) config_int("LUMBUNG_SERVICE_WAITING_MAX", SERVICE_WAITING_MAX, 1,
                                        SERVICE_WAITING_MAX);
    char dir[600];
    snprintf(dir, sizeof dir, "%s/%s", config->data_dir, config->name);
    svc->store = store_new(dir, err);
    if (!svc->store) goto fail;
    svc->outbox = outbox_new(svc->store, svc->name, err);
    if (!svc->outbox) goto fail;
    if ((*err = store_table(svc->store, "idempotency", &svc->idempotency)) != 0) goto fail;
    if ((*err = store_table(svc->store, "outbox", &svc->outbox_table)) != 0) goto fail;
    if ((*err = store_table(svc->store, "followers", &svc->followers)) != 0) goto fail;
    store_set_grow_guard(svc->store, step_grow_guard, svc);
    svc->retention = retention_config();
    store_txn_t *txn;
    if ((*err = store_begin(svc->store, true, &txn)) != 0) goto fail;
    svc->head = outbox_head(svc->outbox, txn);
    *err = retention_followers_load(txn, svc->followers, &svc->followers_seen);
    store_abort(&txn);
    if (*err != 0) goto fail;
    bus_socket_opts_t opts = { 0 };
    svc->router = bus_bind(bus, ZMQ_ROUTER, config->router_endpoint, &opts, on_router, svc, err);
    if (!svc->router) goto fail;
    bus_socket_opts_t pub_opts = { .sndhwm = EVENT_BATCH_HWM };
    svc->pub = bus_bind(bus, ZMQ_PUB, config->pub_endpoint, &pub_opts, NULL, NULL, err);
    if (!svc->pub) goto fail;
    uv_loop_t *loop = bus_loop(bus);
    uv_idle_init(loop, &svc->batch_idle);
    uv_timer_init(loop, &svc->heartbeat_timer);
    uv_timer_init(loop, &svc->wait_timer);
    uv_timer_init(loop, &svc->prune_timer);
    svc->batch_idle.data = svc->heartbeat_timer.data = svc->wait_timer.data = svc;
    svc->prune_timer.data = svc;
    svc->handles_open = 4;
    return svc;
fail:
    bus_socket_destroy(&svc->router);
    outbox_destroy(&svc->outbox);
    store_destroy(&svc->store);
    service_free(svc);
    return NULL;
}

int service_start(service_t *svc) {
    log_info(0, "%s: serving, %llu events in the outbox", svc->name, (unsigned long long) svc->head);
    uint64_t every = (uint64_t) svc->retention.interval_ms;
    uv_timer_start(&svc->prune_timer, on_prune, every * RETENTION_FIRST_STEP_INTERVALS, every);
    return uv_timer_start(&svc->heartbeat_timer, on_heartbeat, SERVICE_HEARTBEAT_MS, SERVICE_HEARTBEAT_MS);
}

static void on_closed(uv_handle_t *h) {
    service_t *svc = h->data;
    if (--svc->handles_open == 0) service_free(svc);
}

/* Waits until the worker is done with the store: a step not begun is cancelled, one under way
   ends (committed or not; its calls are freed unanswered in step_done, and a retry with the
   same key continues from the store). */
static void step_stop(service_t *svc) {
    if (!svc->step_in_flight || uv_cancel((uv_req_t *) &svc->step_work) == 0) return;
    uv_mutex_lock(&svc->step_lock);
    while (!svc->step_ended) uv_cond_wait(&svc->step_cond, &svc->step_lock);
    uv_mutex_unlock(&svc->step_lock);
}

void service_destroy(service_t **self_p) {
    service_t *svc = *self_p;
    if (!svc) return;
    /* First, while the app's pointer to the service is still set: a step may reach it. */
    svc->stopping = true;
    step_stop(svc);
    *self_p = NULL;
    for (int i = 0; i < svc->batch_count; i++) call_destroy(&svc->batch[i]);
    for (int i = 0; i < svc->continued_count; i++) call_destroy(&svc->continued[i]);
    while (svc->waiting) {
        service_call_t *c = svc->waiting;
        svc->waiting = c->next_waiting;
        call_destroy(&c);
    }
    bus_socket_destroy(&svc->router);
    bus_socket_destroy(&svc->pub);
    event_batch_free(&svc->published);
    for (int i = 0; i < REPLY_GROUPS_MAX; i++) call_batch_free(&svc->groups[i].replies);
    outbox_destroy(&svc->outbox);
    store_destroy(&svc->store);
    uv_close((uv_handle_t *) &svc->batch_idle, on_closed);
    uv_close((uv_handle_t *) &svc->heartbeat_timer, on_closed);
    uv_close((uv_handle_t *) &svc->wait_timer, on_closed);
    uv_close((uv_handle_t *) &svc->prune_timer, on_closed);
}

store_t *service_store(service_t *svc) { return svc->store; }
outbox_t *service_outbox(service_t *svc) { return svc->outbox; }
const char *service_name(const service_t *svc) { return svc->name; }
service_stats_t service_stats(const service_t *svc) { return svc->stats; }
