/*  testsvc_app — the handlers and replica callback of the bare testing service, written once
    for both places that run it: tests/system/testsvc.c (a process, for the runtime's system
    tests) and tests/unit/test_follower_service.c (two services on one loop, in-process).

    As a producer it answers lumbung.TestingRequest: `emit` appends `count` events (1..
    TESTSVC_EMIT_MAX) whose index is their own sequence, `add` changes a counter and emits one
    event (a state change with a reply, for idempotency and crash tests), `state` reads. Tag
    "fail" on emit and counter "fail" on add do their work and then fail the request, so a test
    can see that a failed request leaves nothing behind. As a follower it records what it
    applied: count, sum of indices, and how many arrived out of order (must stay 0).

    Header-only, every function static: each includer is one translation unit with its own copy
    and no build rule is needed. An includer may define TESTSVC_CHECK_SEQ(seq, index) to check
    each emitted sequence (the unit test asserts it). Not for: production; never installed. */
#ifndef LUMBUNG_TESTSVC_APP_H
#define LUMBUNG_TESTSVC_APP_H

#include "bytes.h"
#include "envelope.h"
#include "service.h"

#include <string.h>

#ifndef TESTSVC_CHECK_SEQ
#define TESTSVC_CHECK_SEQ(seq, index) ((void) 0)
#endif

enum { TESTSVC_EMIT_MAX = 10000 };

typedef struct {
    service_t *svc;
    follower_t *follower;      /* when following another service's stream */
    store_table_t counters;    /* key: counter name; value: i64 big-endian */
    store_table_t applied;     /* key: "stats"; value: count, sum, last index, out of order (4 x u64) */
} testsvc_app_t;

#define TESTSVC_FAIL(call, kind, code, field, ...) \
    service_call_fail(call, LUMBUNG__ERROR_KIND__ERROR_KIND_##kind, code, field, __VA_ARGS__)

static int64_t testsvc_counter(testsvc_app_t *app, store_txn_t *txn, const char *name) {
    const void *v;
    size_t vl;
    if (store_get(txn, app->counters, name, strlen(name), &v, &vl) != 0 || vl != 8) return 0;
    return (int64_t) be64_read(v);
}

static void testsvc_stats(testsvc_app_t *app, store_txn_t *txn, uint64_t out[4]) {
    const void *v;
    size_t vl;
    memset(out, 0, 4 * sizeof out[0]);
    if (store_get(txn, app->applied, "stats", 5, &v, &vl) == 0 && vl == 32)
        for (int i = 0; i < 4; i++) out[i] = be64_read((const uint8_t *) v + 8 * i);
}

/* Emits one testing event whose index is the sequence it will get. */
static int64_t testsvc_emit_one(testsvc_app_t *app, service_call_t *call, const char *tag,
                                const char *counter, int64_t amount) {
    Lumbung__Event ev = LUMBUNG__EVENT__INIT;
    Lumbung__TestingEvent te = LUMBUNG__TESTING_EVENT__INIT;
    te.has_index = 1;
    te.index = outbox_head(service_outbox(app->svc), service_call_txn(call)) + 1;
    te.tag = (char *) tag;
    te.counter = (char *) counter;
    te.has_amount = counter != NULL;
    te.amount = amount;
    ev.body_case = LUMBUNG__EVENT__BODY_TESTING;
    ev.testing = &te;
    int64_t seq = service_call_emit(call, &ev);
    if (seq >= 0) TESTSVC_CHECK_SEQ(seq, (int64_t) te.index);
    return seq;
}

static int testsvc_handle_emit(testsvc_app_t *app, service_call_t *call,
                               const Lumbung__TestingEmit *e) {
    if (!e->has_count || e->count == 0 || e->count > TESTSVC_EMIT_MAX)
        return TESTSVC_FAIL(call, INVALID, "out_of_range", "count",
                            "count must be between 1 and %d", TESTSVC_EMIT_MAX);
    for (uint32_t i = 0; i < e->count; i++) {
        int64_t seq = testsvc_emit_one(app, call, e->tag, NULL, 0);
        if (seq < 0) return (int) seq;
    }
    if (e->tag && !strcmp(e->tag, "fail"))
        return TESTSVC_FAIL(call, RULE, "refused_on_purpose", "tag", "the tag says %s", "fail");
    return 0;
}

static Lumbung__TestingReply *testsvc_reply(service_call_t *call) {
    Lumbung__TestingReply *r =
        arena_message(service_call_arena(call), &lumbung__testing_reply__descriptor);
    service_call_reply(call)->result_case = LUMBUNG__REPLY__RESULT_TESTING;
    service_call_reply(call)->testing = r;
    return r;
}

static int testsvc_handle_add(testsvc_app_t *app, service_call_t *call,
                              const Lumbung__TestingAdd *a) {
    if (!a->counter || !*a->counter)
        return TESTSVC_FAIL(call, INVALID, "required", "counter", "counter is required");
    store_txn_t *txn = service_call_txn(call);
    int64_t value = testsvc_counter(app, txn, a->counter) + a->amount;
    uint8_t buf[8];
    be64_write(buf, (uint64_t) value);
    int rc = store_put(txn, app->counters, a->counter, strlen(a->counter), buf, 8, 0);
    if (rc != 0) return rc;
    int64_t seq = testsvc_emit_one(app, call, NULL, a->counter, a->amount);
    if (seq < 0) return (int) seq;
    if (!strcmp(a->counter, "fail"))
        return TESTSVC_FAIL(call, RULE, "refused_on_purpose", "counter",
                            "counter 'fail' always fails");
    Lumbung__TestingReply *r = testsvc_reply(call);
    r->has_value = 1;
    r->value = value;
    return 0;
}

static int testsvc_handle_state(testsvc_app_t *app, service_call_t *call,
                                const Lumbung__TestingState *s) {
    store_txn_t *txn = service_call_txn(call);
    uint64_t st[4];
    testsvc_stats(app, txn, st);
    Lumbung__TestingReply *r = testsvc_reply(call);
    r->has_value = r->has_applied = r->has_applied_sum = r->has_out_of_order =
        r->has_applied_cursor = 1;
    r->value = s->counter && *s->counter ? testsvc_counter(app, txn, s->counter) : 0;
    r->applied = st[0];
    r->applied_sum = st[1];
    r->out_of_order = st[3];
    r->applied_cursor = app->follower ? follower_cursor(app->follower) : 0;
    return 0;
}

/* service_handlers_t.handle; arg is the testsvc_app_t. */
static int testsvc_handle(void *arg, service_call_t *call) {
    testsvc_app_t *app = arg;
    const Lumbung__Request *req = service_call_request(call);
    if (req->body_case != LUMBUNG__REQUEST__BODY_TESTING)
        return TESTSVC_FAIL(call, INVALID, "unknown_body", NULL,
                            "this service only understands testing requests");
    const Lumbung__TestingRequest *t = req->testing;
    switch (t->op_case) {
    case LUMBUNG__TESTING_REQUEST__OP_EMIT: return testsvc_handle_emit(app, call, t->emit);
    case LUMBUNG__TESTING_REQUEST__OP_ADD: return testsvc_handle_add(app, call, t->add);
    case LUMBUNG__TESTING_REQUEST__OP_STATE: return testsvc_handle_state(app, call, t->state);
    default:
        return TESTSVC_FAIL(call, INVALID, "unknown_operation", NULL,
                            "no testing operation given");
    }
}

/* The follower's apply: records what arrived and whether it came in order. */
static int testsvc_apply(void *arg, store_txn_t *txn, const Lumbung__Event *ev) {
    testsvc_app_t *app = arg;
    uint64_t st[4];
    testsvc_stats(app, txn, st);
    uint64_t index = ev->body_case == LUMBUNG__EVENT__BODY_TESTING && ev->testing->has_index
                         ? ev->testing->index : ev->seq;
    if (index != st[2] + 1) st[3]++;
    st[0]++;
    st[1] += index;
    st[2] = index;
    uint8_t buf[32];
    for (int i = 0; i < 4; i++) be64_write(buf + 8 * i, st[i]);
    return store_put(txn, app->applied, "stats", 5, buf, sizeof buf, 0);
}

/* The follower's advance: parked requests may run now. */
static void testsvc_advanced(void *arg, uint64_t cursor) {
    (void) cursor;
    testsvc_app_t *app = arg;
    service_replica_advanced(app->svc);
}

#endif
