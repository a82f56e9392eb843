/*  testsvc — a bare service built only from common/, for the runtime's own system tests.

    As a producer it answers lumbung.TestingRequest: `emit` appends events, `add` changes a
    counter (a state change with a reply, for idempotency and crash tests), `state` reads.
    With LUMBUNG_TEST_FOLLOW=<stream> it also follows that producer's stream and records what
    it applied: count, sum of indices, and how many arrived out of order (must stay 0).

    Its name (key name, stream, store directory) is LUMBUNG_TEST_NAME (default "testing");
    endpoints come from LUMBUNG_<NAME>_ROUTER / _PUB like every service.
    Not for: production; it is never installed. */
#include "bytes.h"
#include "config.h"
#include "envelope.h"
#include "log.h"
#include "service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { EMIT_MAX = 10000 };

typedef struct {
    service_t *service;
    follower_t *follower;
    store_table_t counters;    /* key: counter name; value: i64 big-endian */
    store_table_t applied;     /* key: "stats"; value: count, sum, last index, out of order (4 x u64) */
} app_t;

static int64_t counter_get(app_t *app, store_txn_t *txn, const char *name) {
    const void *v;
    size_t vl;
    if (store_get(txn, app->counters, name, strlen(name), &v, &vl) != 0 || vl != 8) return 0;
    return (int64_t) be64_read(v);
}

static void stats_get(app_t *app, store_txn_t *txn, uint64_t out[4]) {
    const void *v;
    size_t vl;
    memset(out, 0, 4 * sizeof out[0]);
    if (store_get(txn, app->applied, "stats", 5, &v, &vl) == 0 && vl == 32)
        for (int i = 0; i < 4; i++) out[i] = be64_read((const uint8_t *) v + 8 * i);
}

static int handle_emit(app_t *app, service_call_t *call, const Lumbung__TestingEmit *e) {
    if (!e->has_count || e->count == 0 || e->count > EMIT_MAX)
        return service_call_fail(call, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "out_of_range",
                                 "count", "count must be between 1 and %d", EMIT_MAX);
    for (uint32_t i = 0; i < e->count; i++) {
        Lumbung__Event ev = LUMBUNG__EVENT__INIT;
        Lumbung__TestingEvent te = LUMBUNG__TESTING_EVENT__INIT;
        te.has_index = 1;
        te.tag = e->tag;
        ev.body_case = LUMBUNG__EVENT__BODY_TESTING;
        ev.testing = &te;
        /* The index is the sequence itself, so a follower can check order and sums. */
        te.index = outbox_head(service_outbox(app->service), service_call_txn(call)) + 1;
        int64_t seq = service_call_emit(call, &ev);
        if (seq < 0) return (int) seq;
    }
    return 0;
}

static int handle_add(app_t *app, service_call_t *call, const Lumbung__TestingAdd *a) {
    if (!a->counter || !*a->counter)
        return service_call_fail(call, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "required",
                                 "counter", "counter is required");
    store_txn_t *txn = service_call_txn(call);
    int64_t value = counter_get(app, txn, a->counter) + a->amount;
    uint8_t buf[8];
    be64_write(buf, (uint64_t) value);
    int rc = store_put(txn, app->counters, a->counter, strlen(a->counter), buf, 8, 0);
    if (rc != 0) return rc;
    Lumbung__Event ev = LUMBUNG__EVENT__INIT;
    Lumbung__TestingEvent te = LUMBUNG__TESTING_EVENT__INIT;
    te.counter = a->counter;
    te.has_amount = 1;
    te.amount = a->amount;
    ev.body_case = LUMBUNG__EVENT__BODY_TESTING;
    ev.testing = &te;
    int64_t seq = service_call_emit(call, &ev);
    if (seq < 0) return (int) seq;
    Lumbung__TestingReply *r = arena_message(service_call_arena(call), &lumbung__testing_reply__descriptor);
    r->has_value = 1;
    r->value = value;
    service_call_reply(call)->result_case = LUMBUNG__REPLY__RESULT_TESTING;
    service_call_reply(call)->testing = r;
    return 0;
}

static int handle_state(app_t *app, service_call_t *call, const Lumbung__TestingState *s) {
    store_txn_t *txn = service_call_txn(call);
    Lumbung__TestingReply *r = arena_message(service_call_arena(call), &lumbung__testing_reply__descriptor);
    uint64_t st[4];
    stats_get(app, txn, st);
    r->has_value = r->has_applied = r->has_applied_sum = r->has_out_of_order = r->has_applied_cursor = 1;
    r->value = s->counter && *s->counter ? counter_get(app, txn, s->counter) : 0;
    r->applied = st[0];
    r->applied_sum = st[1];
    r->out_of_order = st[3];
    r->applied_cursor = app->follower ? follower_cursor(app->follower) : 0;
    service_call_reply(call)->result_case = LUMBUNG__REPLY__RESULT_TESTING;
    service_call_reply(call)->testing = r;
    return 0;
}

static int handle(void *arg, service_call_t *call) {
    app_t *app = arg;
    const Lumbung__Request *req = service_call_request(call);
    if (req->body_case != LUMBUNG__REQUEST__BODY_TESTING)
        return service_call_fail(call, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "unknown_body", NULL,
                                 "this service only understands testing requests");
    const Lumbung__TestingRequest *t = req->testing;
    switch (t->op_case) {
    case LUMBUNG__TESTING_REQUEST__OP_EMIT: return handle_emit(app, call, t->emit);
    case LUMBUNG__TESTING_REQUEST__OP_ADD: return handle_add(app, call, t->add);
    case LUMBUNG__TESTING_REQUEST__OP_STATE: return handle_state(app, call, t->state);
    default:
        return service_call_fail(call, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "unknown_operation",
                                 NULL, "no testing operation given");
    }
}

static int apply(void *arg, store_txn_t *txn, const Lumbung__Event *ev) {
    app_t *app = arg;
    uint64_t st[4];
    stats_get(app, txn, st);
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

static void advanced(void *arg, uint64_t cursor) {
    app_t *app = arg;
    service_replica_advanced(app->service);
}

static int setup(void *arg, service_t *svc, bus_t *bus) {
    app_t *app = arg;
    app->service = svc;
    int rc = store_table(service_store(svc), "counters", &app->counters);
    if (rc == 0) rc = store_table(service_store(svc), "applied", &app->applied);
    const char *stream = config_get("LUMBUNG_TEST_FOLLOW", NULL);
    if (rc != 0 || !stream) return rc;
    char router[128], pub[128];
    follower_config_t fc = {
        .stream = stream,
        .router_endpoint = config_endpoint(stream, "router", router, sizeof router),
        .pub_endpoint = config_endpoint(stream, "pub", pub, sizeof pub),
        .rcvhwm = (int) config_int("LUMBUNG_TEST_RCVHWM", 0, 0, 1000000),
    };
    app->follower = follower_new(bus, service_store(svc), &fc, apply, advanced, app, &rc);
    if (app->follower) service_add_replica(svc, app->follower);
    return rc;
}

static void teardown(void *arg) {
    app_t *app = arg;
    follower_destroy(&app->follower);
}

int main(void) {
    static app_t app;
    static const service_handlers_t handlers = { .handle = handle };
    service_main_t def = {
        .name = config_get("LUMBUNG_TEST_NAME", "testing"),
        .handlers = &handlers,
        .app = &app,
        .setup = setup,
        .teardown = teardown,
    };
    return service_run(&def);
}
