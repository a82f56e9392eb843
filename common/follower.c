#include "follower.h"
#include "arena.h"
#include "bytes.h"
#include "client.h"
#include "config.h"
#include "envelope.h"
#include "event_batch.h"
#include "log.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    RETRY_MS = 200,
    FOLLOWER_WRITE_ATTEMPTS = 8,   /* map growths tried for one batch of events */
};

/* Events waiting to be applied, copied out of their frames or replies into one buffer: the
   live queue and the catch-up group are each one of these. */
typedef struct {
    uint8_t *data;
    size_t len, cap;
    size_t *ends;                /* end offset of each event in data */
    int count, ends_cap;
} evbuf_t;

struct follower {
    bus_t *bus;
    store_t *store;
    store_table_t cursors;
    char stream[32];
    bus_socket_t *sub;
    client_t *replay;
    follower_apply_fn apply;
    follower_wire_apply_fn wire_apply;    /* instead of apply when set */
    follower_wire_filter_fn filter;
    follower_decode_fn decode;            /* NULL: protobuf-c's unpack */
    follower_advance_fn advance;
    follower_batch_fn batch;
    void *arg;
    int actor_role;             /* 0: every event; else a filtered follower (follower.h) */
    uint64_t cursor;            /* committed */
    uint64_t known_head;
    bool replaying;
    bool stalled;               /* an apply failed; retry timer armed */
    evbuf_t queue;               /* live events, consecutive from cursor+1 */
    /* Replayed events not applied yet (catch-up group), consecutive from cursor+1. */
    evbuf_t group;
    uint64_t group_started_ms;
    uint64_t replay_from;        /* from_seq of the replay in flight */
    uv_timer_t flush_timer;      /* applies the live queue FOLLOWER_LIVE_MS after its first event */
    uv_timer_t retry_timer;
    uv_timer_t report_timer;    /* a replay now and then tells the producer our cursor */
    int handles_open;
    arena_t *arena;
};

static void request_replay(follower_t *f);
static bool producer_rewound(follower_t *f, uint64_t head);

static int load_cursor(follower_t *f) {
    store_txn_t *txn;
    int rc = store_begin(f->store, true, &txn);
    if (rc != 0) return rc;
    const void *v;
    size_t vl;
    rc = store_get(txn, f->cursors, f->stream, strlen(f->stream), &v, &vl);
    if (rc == 0 && vl == 8) f->cursor = be64_read(v);
    store_abort(&txn);
    return rc == ERR_NOT_FOUND || rc == 0 ? 0 : rc;
}

static void evbuf_add(evbuf_t *q, const uint8_t *data, size_t len) {
    if (q->len + len > q->cap) {
        q->cap = (q->len + len) * 2;
        q->data = realloc(q->data, q->cap);
    }
    if (q->count == q->ends_cap) {
        q->ends_cap = q->ends_cap ? q->ends_cap * 2 : 1024;
        q->ends = realloc(q->ends, (size_t) q->ends_cap * sizeof *q->ends);
    }
    if (!q->data || !q->ends) abort();
    if (len) memcpy(q->data + q->len, data, len);
    q->len += len;
    q->ends[q->count++] = q->len;
}

static const uint8_t *evbuf_event(const evbuf_t *q, int i, size_t *len) {
    size_t start = i ? q->ends[i - 1] : 0;
    *len = q->ends[i] - start;
    return q->data + start;
}

/* Empties q; a buffer grown past `keep` bytes is given back rather than kept for ever. */
static void evbuf_clear(evbuf_t *q, size_t keep) {
    q->len = 0;
    q->count = 0;
    if (q->cap > keep) {
        free(q->data);
        q->data = NULL;
        q->cap = 0;
    }
}

static void evbuf_free(evbuf_t *q) {
    free(q->data);
    free(q->ends);
    memset(q, 0, sizeof *q);
}

/* Applies the events of q, known to be consecutive from cursor+1, in one write txn together
   with the new cursor. */
typedef struct {
    follower_t *f;
    const evbuf_t *q;
    uint64_t covered;              /* a filtered reply: the events of q ascending, with gaps,
                                      and the cursor goes to this; 0: q is consecutive */
    uint64_t cursor;               /* after a successful write: the last event applied */
} batch_t;

/* The default decoder (follower_decode_fn). */
static Lumbung__Event *unpack_event(arena_t *arena, const uint8_t *wire, size_t len) {
    ProtobufCAllocator alloc = arena_allocator(arena);
    return lumbung__event__unpack(&alloc, len, wire);
}

/* Applies one event (the filter may skip it: it then only advances the cursor). */
static int apply_one(follower_t *f, store_txn_t *txn, uint64_t seq, const uint8_t *wire,
                     size_t len) {
    envelope_event_header_t h;
    if (envelope_event_header(wire, len, &h) != 0 || !h.has_seq || h.seq != seq) {
        log_error(0, "follower %s: event %llu undecodable or out of order", f->stream,
                  (unsigned long long) seq);
        return -EPROTO;
    }
    if (f->filter && !f->filter(f->arg, &h, wire, len)) return 0;
    arena_reset(f->arena);
    Lumbung__Event *ev = (f->decode ? f->decode : unpack_event)(f->arena, wire, len);
    if (!ev) {
        log_error(0, "follower %s: event %llu undecodable", f->stream, (unsigned long long) seq);
        return -EPROTO;
    }
    /* The lines the apply writes carry the request id of the request behind the event. */
    log_context_t ctx = { ev->trace_id, ev->actor ? ev->actor->user : NULL, 0, f->stream };
    log_context_set(&ctx);
    log_debug(0, "follower %s: applying event %llu", f->stream, (unsigned long long) seq);
    int rc = f->wire_apply ? f->wire_apply(f->arg, txn, ev, wire, len) : f->apply(f->arg, txn, ev);
    log_context_set(NULL);
    return rc;
}

/* The sequence of an event of a filtered reply: after `after`, at most `covered`; 0 when it
   is not (the producer broke the order, which stops the follower). */
static uint64_t filtered_seq(const follower_t *f, const uint8_t *wire, size_t len,
                             uint64_t after, uint64_t covered) {
    envelope_event_header_t h;
    if (envelope_event_header(wire, len, &h) == 0 && h.has_seq && h.seq > after && h.seq <= covered)
        return h.seq;
    log_error(0, "follower %s: a filtered replay's event is out of order after %llu", f->stream,
              (unsigned long long) after);
    return 0;
}

static int apply_in(void *arg, store_txn_t *txn) {
    batch_t *b = arg;
    follower_t *f = b->f;
    uint64_t cursor = f->cursor;
    int rc = f->batch ? f->batch(f->arg, txn, false) : 0;
    for (int i = 0; i < b->q->count && rc == 0; i++) {
        size_t len;
        const uint8_t *wire = evbuf_event(b->q, i, &len);
        uint64_t seq = b->covered ? filtered_seq(f, wire, len, cursor, b->covered) : cursor + 1;
        rc = seq ? apply_one(f, txn, seq, wire, len) : -EPROTO;
        if (rc == 0) cursor = seq;
    }
    if (rc == 0 && b->covered) cursor = b->covered;
    if (rc == 0 && f->batch) rc = f->batch(f->arg, txn, true);
    if (rc != 0) return rc;
    uint8_t val[8];
    be64_write(val, cursor);
    b->cursor = cursor;
    return store_put(txn, f->cursors, f->stream, strlen(f->stream), val, 8, 0);
}

static int apply_batch_covering(follower_t *f, const evbuf_t *q, uint64_t covered) {
    if (q->count == 0 && covered <= f->cursor) return 0;
    batch_t b = { .f = f, .q = q, .covered = covered };
    int rc = store_write(f->store, FOLLOWER_WRITE_ATTEMPTS, apply_in, &b);
    if (rc != 0) return rc;
    f->cursor = b.cursor;
    if (f->advance) f->advance(f->arg, b.cursor);
    return 0;
}

static int apply_batch(follower_t *f, const evbuf_t *q) { return apply_batch_covering(f, q, 0); }

static void on_retry(uv_timer_t *t) {
    follower_t *f = t->data;
    f->stalled = false;
    request_replay(f);
}

/* A follower that keeps up live never replays, so its producer would not learn how far it
   got and could never prune its outbox (retention.h): ask from cursor + 1 now and then. */
static void on_report(uv_timer_t *t) {
    follower_t *f = t->data;
    request_replay(f);
}

static void stall(follower_t *f, int rc) {
    log_error(0, "follower %s: applying after %llu failed (%s); retrying", f->stream,
              (unsigned long long) f->cursor, error_name(rc));
    f->stalled = true;
    uv_timer_start(&f->retry_timer, on_retry, RETRY_MS * 5, 0);
}

static void flush_queue(follower_t *f) {
    if (f->queue.count == 0) return;
    uv_timer_stop(&f->flush_timer);
    int rc = apply_batch(f, &f->queue);
    evbuf_clear(&f->queue, FOLLOWER_LIVE_BYTES * 2u);
    if (rc != 0) stall(f, rc);
}

static void on_flush_timer(uv_timer_t *h) {
    follower_t *f = h->data;
    flush_queue(f);
}

static void group_add(follower_t *f, const uint8_t *data, size_t len) {
    if (f->group.count == 0) f->group_started_ms = uv_now(bus_loop(f->bus));
    evbuf_add(&f->group, data, len);
}

/* Applies the gathered group in one write txn. Returns 0 or the failure (group dropped). */
static int group_apply(follower_t *f) {
    int rc = apply_batch(f, &f->group);
    evbuf_clear(&f->group, FOLLOWER_GROUP_BYTES * 4u);
    return rc;
}

static bool group_full(const follower_t *f) {
    return f->group.len >= FOLLOWER_GROUP_BYTES || f->group.count >= FOLLOWER_GROUP_EVENTS ||
           uv_now(bus_loop(f->bus)) - f->group_started_ms >= FOLLOWER_GROUP_MS;
}

/* A filtered follower applies each reply at once: its events (few: those of one role) and
   the cursor moved to the reply's last_seq, in one write txn; then asks again while the head
   is ahead. */
static void on_filtered_reply(follower_t *f, const Lumbung__ReplayReply *r) {
    if (f->replay_from != f->cursor + 1) {            /* an answer to an earlier request */
        request_replay(f);
        return;
    }
    uint64_t covered = r->has_last_seq ? r->last_seq : f->cursor;
    for (size_t i = 0; i < r->n_events; i++)        /* all of them: the cursor passes them */
        evbuf_add(&f->group, r->events[i].data, r->events[i].len);
    int rc = covered > f->cursor || f->group.count ? apply_batch_covering(f, &f->group, covered) : 0;
    evbuf_clear(&f->group, FOLLOWER_GROUP_BYTES * 4u);
    if (rc != 0) {
        stall(f, rc);
        return;
    }
    if (f->known_head <= f->cursor) return;                  /* caught up: the next heartbeat */
    if (covered >= f->replay_from) request_replay(f);        /* more, and this one moved */
    else uv_timer_start(&f->retry_timer, on_retry, RETRY_MS, 0);   /* not in a spin */
}

static void on_replay_reply(void *arg, int status, const Lumbung__Reply *reply) {
    follower_t *f = arg;
    f->replaying = false;
    if (f->stalled) return;                /* a failed apply: the retry replays from the cursor */
    if (status != CLIENT_OK || reply->error || reply->result_case != LUMBUNG__REPLY__RESULT_REPLAY) {
        /* Producer down or busy: apply what we hold, try again shortly. */
        int rc = group_apply(f);
        if (rc != 0) stall(f, rc);
        else uv_timer_start(&f->retry_timer, on_retry, RETRY_MS, 0);
        return;
    }
    const Lumbung__ReplayReply *r = reply->replay;
    if (producer_rewound(f, r->head_seq)) {
        evbuf_clear(&f->group, FOLLOWER_GROUP_BYTES * 4u);
        return;
    }
    if (r->head_seq > f->known_head) f->known_head = r->head_seq;
    if (f->actor_role) {
        on_filtered_reply(f, r);
        return;
    }
    /* A reply to an earlier request than the group's end is dropped (asked again below). */
    bool in_order = f->replay_from == f->cursor + (uint64_t) f->group.count + 1;
    for (size_t i = 0; in_order && i < r->n_events && i < FOLLOWER_REPLAY_BATCH; i++)
        group_add(f, r->events[i].data, r->events[i].len);
    uint64_t held = f->cursor + (uint64_t) f->group.count;
    if (in_order && r->n_events == 0 && f->known_head > held) {
        /* Nothing came back although the head is ahead: ask again later, not in a spin. */
        int rc = group_apply(f);
        if (rc != 0) stall(f, rc);
        else uv_timer_start(&f->retry_timer, on_retry, RETRY_MS, 0);
        return;
    }
    bool more = f->known_head > held;
    if (more) request_replay(f);           /* the producer reads the next while we apply */
    if (!more || group_full(f)) {
        int rc = group_apply(f);
        if (rc != 0) stall(f, rc);
    }
}

static void request_replay(follower_t *f) {
    if (f->replaying || f->stalled) return;
    flush_queue(f);
    if (f->stalled) return;
    Lumbung__Request req = LUMBUNG__REQUEST__INIT;
    Lumbung__ReplayRequest rr = LUMBUNG__REPLAY_REQUEST__INIT;
    rr.has_from_seq = rr.has_max = 1;
    rr.from_seq = f->cursor + (uint64_t) f->group.count + 1;
    rr.max = FOLLOWER_REPLAY_BATCH;
    rr.has_actor_role = f->actor_role != 0;
    rr.actor_role = (Lumbung__Role) f->actor_role;
    req.body_case = LUMBUNG__REQUEST__BODY_REPLAY;
    req.replay = &rr;
    int rc = client_call(f->replay, &req, FOLLOWER_REPLAY_TIMEOUT_MS, on_replay_reply, f);
    if (rc == 0) {
        f->replaying = true;
        f->replay_from = rr.from_seq;
    }
    else uv_timer_start(&f->retry_timer, on_retry, RETRY_MS, 0);
}

/* One live event, as event_batch_each() visits it (arg: the follower). */
static void on_live_event(void *arg, const uint8_t *data, size_t len) {
    follower_t *f = arg;
    /* Only the sequence decides what to do, read from the wire; the event is decoded (once)
       when applied. */
    envelope_event_header_t h;
    if (envelope_event_header(data, len, &h) != 0 || !h.has_seq) {
        log_warn(0, "follower %s: undecodable event dropped", f->stream);
        return;
    }
    uint64_t seq = h.seq;
    if (seq > f->known_head) f->known_head = seq;
    uint64_t expected = f->cursor + (uint64_t) f->queue.count + 1;
    if (seq < expected) return;                     /* duplicate */
    if (f->replaying || f->stalled || f->group.count) return;   /* the replay will bring it */
    if (seq > expected) {                           /* gap: something was lost */
        request_replay(f);
        return;
    }
    evbuf_add(&f->queue, data, len);
    if (f->queue.count >= FOLLOWER_BATCH_MAX || f->queue.len >= FOLLOWER_LIVE_BYTES)
        flush_queue(f);
    else if (!uv_is_active((uv_handle_t *) &f->flush_timer))
        uv_timer_start(&f->flush_timer, on_flush_timer, FOLLOWER_LIVE_MS, 0);
}

/* A producer whose head is behind what we applied has gone back in time (restored from a
   backup, or its store replaced). Applying its new events under numbers we already hold would
   lose them silently, so stop and say so; an operator must rebuild this replica. */
static bool producer_rewound(follower_t *f, uint64_t head) {
    if (head >= f->cursor) return false;
    if (!f->stalled)
        log_error(0, "follower %s: the producer's newest event is %llu but %llu were applied here; "
                     "was %s restored from a backup? Not following until this store is rebuilt",
                  f->stream, (unsigned long long) head, (unsigned long long) f->cursor, f->stream);
    f->stalled = true;
    uv_timer_stop(&f->retry_timer);
    return true;
}

static void on_heartbeat_frame(follower_t *f, const uint8_t *data, size_t len) {
    Lumbung__Heartbeat *hb = lumbung__heartbeat__unpack(NULL, len, data);
    if (!hb) return;
    uint64_t head = hb->head_seq;
    lumbung__heartbeat__free_unpacked(hb, NULL);
    if (producer_rewound(f, head)) return;
    if (head > f->known_head) f->known_head = head;
    /* A heartbeat ahead of everything we hold means the tail was lost. */
    if (head > f->cursor + (uint64_t) f->queue.count + (uint64_t) f->group.count)
        request_replay(f);
}

static void on_sub(bus_socket_t *s, bus_msg_t *msg, void *arg) {
    follower_t *f = arg;
    if (msg->count != 2 || zmq_msg_size(&msg->frames[0]) != 1) return;
    const char topic = *(const char *) zmq_msg_data(&msg->frames[0]);
    const uint8_t *data = zmq_msg_data(&msg->frames[1]);
    size_t len = zmq_msg_size(&msg->frames[1]);
    /* A malformed batch: the events before the fault were taken, the rest leave a gap that
       the next event or heartbeat turns into a replay. */
    if (topic == 'H') {
        on_heartbeat_frame(f, data, len);
    } else if (topic == 'B' && !f->actor_role) {
        if (event_batch_each(data, len, on_live_event, f) < 0)
            log_warn(0, "follower %s: malformed event batch; the rest comes by replay", f->stream);
    }
}

follower_t *follower_new(bus_t *bus, store_t *store, const follower_config_t *config,
                         follower_apply_fn apply, follower_advance_fn advance, void *arg, int *err) {
    assert(bus && store && config && apply && err);
    follower_t *f = calloc(1, sizeof *f);
    if (!f) abort();
    f->bus = bus;
    f->store = store;
    f->apply = apply;
    f->advance = advance;
    f->arg = arg;
    f->arena = arena_new();
    snprintf(f->stream, sizeof f->stream, "%s", config->stream);
    int rc = store_table(store, "cursors", &f->cursors);
    if (rc == 0) rc = load_cursor(f);
    if (rc != 0) goto fail;
    f->known_head = f->cursor;
    f->actor_role = config->actor_role;
    /* Subscribe first, then replay: whatever is published meanwhile is either in the replay or
       arrives live, and duplicates are dropped by sequence. A filtered follower takes the
       heartbeats only (the PUB filters by topic, so it sends this peer no event). */
    bus_socket_opts_t sub_opts = { .rcvhwm = config->rcvhwm ? config->rcvhwm : EVENT_BATCH_HWM,
                                   .subscribe = config->actor_role ? "H" : "" };
    f->sub = bus_connect(bus, ZMQ_SUB, config->pub_endpoint, config->stream, &sub_opts, on_sub, f, &rc);
    if (!f->sub) goto fail;
    f->replay = client_new(bus, config->stream, config->router_endpoint, &rc);
    if (!f->replay) goto fail;
    uv_timer_init(bus_loop(bus), &f->flush_timer);
    uv_timer_init(bus_loop(bus), &f->retry_timer);
    uv_timer_init(bus_loop(bus), &f->report_timer);
    f->flush_timer.data = f->retry_timer.data = f->report_timer.data = f;
    f->handles_open = 3;
    uv_timer_start(&f->retry_timer, on_retry, 10, 0);
    uint64_t every = (uint64_t) config_int("LUMBUNG_FOLLOWER_REPORT_MS", FOLLOWER_REPORT_MS, 10,
                                           3600000);
    uv_timer_start(&f->report_timer, on_report, every, every);
    log_info(0, "follower %s: resuming after %llu", f->stream, (unsigned long long) f->cursor);
    return f;
fail:
    bus_socket_destroy(&f->sub);
    arena_destroy(&f->arena);
    free(f);
    *err = rc ? rc : -EINVAL;
    return NULL;
}

static void on_closed(uv_handle_t *h) {
    follower_t *f = h->data;
    if (--f->handles_open == 0) free(f);
}

void follower_destroy(follower_t **self_p) {
    follower_t *f = *self_p;
    if (!f) return;
    *self_p = NULL;
    evbuf_free(&f->queue);
    evbuf_free(&f->group);
    f->stalled = true;          /* no new replays from callbacks fired during destroy */
    client_destroy(&f->replay);
    bus_socket_destroy(&f->sub);
    arena_destroy(&f->arena);
    uv_timer_stop(&f->flush_timer);
    uv_timer_stop(&f->retry_timer);
    uv_timer_stop(&f->report_timer);
    uv_close((uv_handle_t *) &f->flush_timer, on_closed);
    uv_close((uv_handle_t *) &f->retry_timer, on_closed);
    uv_close((uv_handle_t *) &f->report_timer, on_closed);
}

void follower_set_batch_hook(follower_t *f, follower_batch_fn batch) { f->batch = batch; }
void follower_set_wire_apply(follower_t *f, follower_wire_apply_fn apply) { f->wire_apply = apply; }
void follower_set_wire_filter(follower_t *f, follower_wire_filter_fn filter) { f->filter = filter; }
void follower_set_wire_decode(follower_t *f, follower_decode_fn decode) { f->decode = decode; }

uint64_t follower_cursor(const follower_t *f) { return f->cursor; }
uint64_t follower_known_head(const follower_t *f) { return f->known_head; }
const char *follower_stream(const follower_t *f) { return f->stream; }

Lumbung__FollowerStatus *follower_status(const follower_t *f, arena_t *arena) {
    Lumbung__FollowerStatus *st = arena_message(arena, &lumbung__follower_status__descriptor);
    st->stream = (char *) f->stream;                /* lives as long as the follower */
    st->has_cursor = st->has_known_head = 1;
    st->cursor = f->cursor;
    st->known_head = f->known_head;
    return st;
}
