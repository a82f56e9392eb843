/* service + follower in one process: a producer service named "members" (so that
   after_members_seq applies), a consumer service "tcons" whose follower applies the producer's
   stream, and a test client "cli", all on one libuv loop with CURVE on loopback TCP.

   The handlers are a small version of tests/system/testsvc.c: emit events, add to a counter
   (a state change with a reply), read state. Crashes and kills are left to the system tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "unit.h"
#include "bytes.h"
#include "client.h"
#include "curve.h"
#include "envelope.h"
#include "service.h"
#include <sodium.h>

/* Every emitted event gets the sequence its index foretold. */
#define TESTSVC_CHECK_SEQ(seq, index) assert_int_equal(seq, index)
#include "../system/testsvc_app.h"

enum { SHORT_WAIT_MS = 150, BIG_EVENT = 900 * 1024, BIG_EVENTS = 20 };

/* The app behind either service: the testing service's own (tests/system/testsvc_app.h). */
typedef testsvc_app_t app_t;

typedef struct {
    char dir[UNIT_PATH_MAX], keys[UNIT_PATH_MAX + 8], data[UNIT_PATH_MAX + 8];
    char prod_router[64], prod_pub[64], cons_router[64], cons_pub[64];
    uv_loop_t loop;
    bus_t *prod_bus, *cons_bus, *cli_bus;
    app_t prod, cons;
    client_t *to_prod, *to_cons;
    int cons_role;                 /* the consumer's follower: 0 every event, else that role's */
} fixture_t;

/* ---- the handlers ---- */

static const service_handlers_t handlers = { .handle = testsvc_handle };

/* The same handlers as an operation table (service.h): the runtime finds the row, asks for the
   idempotency key and authorises before the handler runs. */
static int run_emit(void *app, service_call_t *call, const void *m) {
    return testsvc_handle_emit(app, call, m);
}
static int run_add(void *app, service_call_t *call, const void *m) {
    return testsvc_handle_add(app, call, m);
}
static int run_state(void *app, service_call_t *call, const void *m) {
    return testsvc_handle_state(app, call, m);
}
static const operation_t testing_rows[] = {
    { LUMBUNG__TESTING_REQUEST__OP_EMIT, "emit", ACCESS_PUBLIC, OP_WRITE, run_emit },
    { LUMBUNG__TESTING_REQUEST__OP_ADD, "add", ACCESS_COOP_WRITE, OP_WRITE | OP_MOVES_MONEY,
      run_add },
    { LUMBUNG__TESTING_REQUEST__OP_STATE, "state", ACCESS_ADMIN, 0, run_state },
};
static const service_operations_t testing_operations = {
    .service = "testing", .body = LUMBUNG__REQUEST__BODY_TESTING,
    .rows = testing_rows, .count = sizeof testing_rows / sizeof testing_rows[0],
};
static const service_handlers_t table_handlers = { .operations = &testing_operations };
static const service_handlers_t *producer_handlers = &handlers;

/* ---- fixture ---- */

static int free_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0 };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *) &a, sizeof a), 0);
    socklen_t len = sizeof a;
    assert_int_equal(getsockname(fd, (struct sockaddr *) &a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

static bus_t *new_bus(fixture_t *f, const char *name) {
    bus_config_t bc = { .name = name, .curve = true };
    int err = 0;
    bus_t *b = bus_new(&f->loop, &bc, &err);
    assert_non_null(b);
    return b;
}

static int setup(void **state) {
    fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    unit_tempdir(f->dir, "service");
    snprintf(f->keys, sizeof f->keys, "%s/keys", f->dir);
    snprintf(f->data, sizeof f->data, "%s/data", f->dir);
    setenv("LUMBUNG_KEYS", f->keys, 1);
    assert_int_equal(curve_keys_ensure(f->keys, "members", "service"), 0);
    assert_int_equal(curve_keys_ensure(f->keys, "tcons", "service"), 0);
    assert_int_equal(curve_keys_ensure(f->keys, "cli", "integrator"), 0);
    /* The runtime's own tests: an integrator that may do anything (scopes: test_scope). */
    assert_int_equal(curve_keys_scope(f->keys, "cli", "all", "all"), 0);
    snprintf(f->prod_router, sizeof f->prod_router, "tcp://127.0.0.1:%d", free_port());
    snprintf(f->prod_pub, sizeof f->prod_pub, "tcp://127.0.0.1:%d", free_port());
    assert_int_equal(uv_loop_init(&f->loop), 0);
    f->prod_bus = new_bus(f, "members");
    f->cons_bus = new_bus(f, "tcons");
    f->cli_bus = new_bus(f, "cli");
    *state = f;
    return 0;
}

static void consumer_stop(fixture_t *f) {
    follower_destroy(&f->cons.follower);
    service_destroy(&f->cons.svc);
    assert_null(f->cons.svc);
}

static int teardown(void **state) {
    fixture_t *f = *state;
    client_destroy(&f->to_prod);
    client_destroy(&f->to_cons);
    consumer_stop(f);
    service_destroy(&f->prod.svc);
    bus_destroy(&f->cli_bus);
    bus_destroy(&f->cons_bus);
    bus_destroy(&f->prod_bus);
    unit_close_loop(&f->loop);
    unsetenv("LUMBUNG_KEYS");
    unsetenv("LUMBUNG_STORE_MAP_INITIAL");
    unsetenv("LUMBUNG_SERVICE_WAITING_MAX");
    unsetenv("LUMBUNG_FAULT");
    unsetenv("LUMBUNG_FAULT_GATE");
    unit_rmtree(f->dir);
    free(f);
    return 0;
}

static service_t *start_service(fixture_t *f, bus_t *bus, app_t *app, const char *name,
                                const char *router, const char *pub) {
    service_config_t sc = { .name = name, .router_endpoint = router, .pub_endpoint = pub, .data_dir = f->data };
    int err = 0;
    service_t *svc = service_new(bus, &sc, app == &f->prod ? producer_handlers : &handlers, app,
                                 &err);
    assert_non_null(svc);
    app->svc = svc;
    assert_int_equal(store_table(service_store(svc), "counters", &app->counters), 0);
    assert_int_equal(store_table(service_store(svc), "applied", &app->applied), 0);
    assert_string_equal(service_name(svc), name);
    return svc;
}

static void producer_start(fixture_t *f) {
    start_service(f, f->prod_bus, &f->prod, "members", f->prod_router, f->prod_pub);
    assert_int_equal(service_start(f->prod.svc), 0);
    int err = 0;
    f->to_prod = client_new(f->cli_bus, "members", f->prod_router, &err);
    assert_non_null(f->to_prod);
}

/* The producer with other handlers than the testing service's own. */
static void producer_start_with(fixture_t *f, const service_handlers_t *h) {
    producer_handlers = h;
    producer_start(f);
    producer_handlers = &handlers;
}

/* Each start binds fresh ports: a just-closed listener may linger in libzmq's I/O thread. */
static void consumer_start(fixture_t *f) {
    snprintf(f->cons_router, sizeof f->cons_router, "tcp://127.0.0.1:%d", free_port());
    snprintf(f->cons_pub, sizeof f->cons_pub, "tcp://127.0.0.1:%d", free_port());
    client_destroy(&f->to_cons);
    start_service(f, f->cons_bus, &f->cons, "tcons", f->cons_router, f->cons_pub);
    follower_config_t fc = { .stream = "members", .router_endpoint = f->prod_router,
                             .pub_endpoint = f->prod_pub, .actor_role = f->cons_role };
    int err = 0;
    f->cons.follower = follower_new(f->cons_bus, service_store(f->cons.svc), &fc, testsvc_apply,
                                    testsvc_advanced, &f->cons, &err);
    assert_non_null(f->cons.follower);
    assert_string_equal(follower_stream(f->cons.follower), "members");
    service_add_replica(f->cons.svc, f->cons.follower);
    assert_int_equal(service_start(f->cons.svc), 0);
    f->to_cons = client_new(f->cli_bus, "tcons", f->cons_router, &err);
    assert_non_null(f->to_cons);
}

/* ---- calling ---- */

/* A reply copied out of the client's callback (the reply itself lives only during it). */
typedef struct {
    int calls;
    int status;
    bool has_error;
    Lumbung__ErrorKind kind;
    char code[64], field[64];
    bool has_event_seq;
    uint64_t event_seq;
    uint64_t request_id;
    Lumbung__TestingReply testing;
    Lumbung__Pong pong;
    char pong_service[32];
    uint64_t replay_head;
    size_t replay_count;
    uint64_t replay_first_seq, replay_last_seq;
    size_t replay_bytes;
} outcome_t;

static void copy_reply(outcome_t *o, const Lumbung__Reply *r) {
    o->request_id = r->request_id;
    o->has_error = r->error != NULL;
    if (r->error) {
        o->kind = r->error->kind;
        snprintf(o->code, sizeof o->code, "%s", r->error->code ? r->error->code : "");
        snprintf(o->field, sizeof o->field, "%s", r->error->field ? r->error->field : "");
    }
    o->has_event_seq = r->has_event_seq;
    o->event_seq = r->event_seq;
    if (r->result_case == LUMBUNG__REPLY__RESULT_TESTING) o->testing = *r->testing;
    if (r->result_case == LUMBUNG__REPLY__RESULT_PONG) {
        o->pong = *r->pong;
        snprintf(o->pong_service, sizeof o->pong_service, "%s", r->pong->service ? r->pong->service : "");
    }
    if (r->result_case == LUMBUNG__REPLY__RESULT_REPLAY) {
        o->replay_head = r->replay->head_seq;
        o->replay_count = r->replay->n_events;
        for (size_t i = 0; i < r->replay->n_events; i++) {
            Lumbung__Event *ev = lumbung__event__unpack(NULL, r->replay->events[i].len, r->replay->events[i].data);
            assert_non_null(ev);
            if (i == 0) o->replay_first_seq = ev->seq;
            if (i > 0) assert_int_equal(ev->seq, o->replay_last_seq + 1);   /* no gaps */
            o->replay_last_seq = ev->seq;
            o->replay_bytes += r->replay->events[i].len;
            lumbung__event__free_unpacked(ev, NULL);
        }
    }
}

static void on_outcome(void *arg, int status, const Lumbung__Reply *reply) {
    outcome_t *o = arg;
    o->calls++;
    o->status = status;
    if (status == CLIENT_OK) copy_reply(o, reply);
}

static bool called(void *arg) { return ((outcome_t *) arg)->calls > 0; }

/* Sends once the client is connected (its DEALER is immediate). */
static void send_call(fixture_t *f, client_t *c, Lumbung__Request *req, outcome_t *o, uint32_t timeout_ms) {
    int rc = ERR_UNAVAILABLE;
    for (int i = 0; i < 200 && rc == ERR_UNAVAILABLE; i++) {
        rc = client_call(c, req, timeout_ms, on_outcome, o);
        if (rc == ERR_UNAVAILABLE) unit_run_for(&f->loop, 10);
    }
    assert_int_equal(rc, 0);
}

static outcome_t call(fixture_t *f, client_t *c, Lumbung__Request *req) {
    outcome_t o = { 0 };
    send_call(f, c, req, &o, 5000);
    assert_true(unit_run_until(&f->loop, called, &o, 5000));
    assert_int_equal(o.status, CLIENT_OK);
    return o;
}

/* Request builders; the pieces live in a struct the caller keeps on its stack. */
typedef struct {
    Lumbung__Request req;
    Lumbung__TestingRequest t;
    Lumbung__TestingEmit emit;
    Lumbung__TestingAdd add;
    Lumbung__TestingState state;
    Lumbung__ReplayRequest replay;
    Lumbung__Ping ping;
} request_t;

static Lumbung__Request *testing_request(request_t *r) {
    r->req = (Lumbung__Request) LUMBUNG__REQUEST__INIT;
    r->t = (Lumbung__TestingRequest) LUMBUNG__TESTING_REQUEST__INIT;
    r->req.body_case = LUMBUNG__REQUEST__BODY_TESTING;
    r->req.testing = &r->t;
    return &r->req;
}

static Lumbung__Request *emit_request(request_t *r, uint32_t count, const char *tag) {
    testing_request(r);
    r->emit = (Lumbung__TestingEmit) LUMBUNG__TESTING_EMIT__INIT;
    r->emit.has_count = 1;
    r->emit.count = count;
    r->emit.tag = (char *) tag;
    r->t.op_case = LUMBUNG__TESTING_REQUEST__OP_EMIT;
    r->t.emit = &r->emit;
    return &r->req;
}

static Lumbung__Request *add_request(request_t *r, const char *counter, int64_t amount, const char *key) {
    testing_request(r);
    r->add = (Lumbung__TestingAdd) LUMBUNG__TESTING_ADD__INIT;
    r->add.counter = (char *) counter;
    r->add.has_amount = 1;
    r->add.amount = amount;
    r->t.op_case = LUMBUNG__TESTING_REQUEST__OP_ADD;
    r->t.add = &r->add;
    r->req.idempotency_key = (char *) key;
    return &r->req;
}

static Lumbung__Request *state_request(request_t *r, const char *counter) {
    testing_request(r);
    r->state = (Lumbung__TestingState) LUMBUNG__TESTING_STATE__INIT;
    r->state.counter = (char *) counter;
    r->t.op_case = LUMBUNG__TESTING_REQUEST__OP_STATE;
    r->t.state = &r->state;
    return &r->req;
}

static Lumbung__Request *replay_request(request_t *r, uint64_t from, uint32_t max) {
    r->req = (Lumbung__Request) LUMBUNG__REQUEST__INIT;
    r->replay = (Lumbung__ReplayRequest) LUMBUNG__REPLAY_REQUEST__INIT;
    r->replay.has_from_seq = r->replay.has_max = 1;
    r->replay.from_seq = from;
    r->replay.max = max;
    r->req.body_case = LUMBUNG__REQUEST__BODY_REPLAY;
    r->req.replay = &r->replay;
    return &r->req;
}

static int64_t counter_of(fixture_t *f, const char *counter) {
    request_t r;
    outcome_t o = call(f, f->to_prod, state_request(&r, counter));
    assert_false(o.has_error);
    return o.testing.value;
}

/* A raw DEALER for what client_call cannot send: garbage, or a request with its own deadline. */
typedef struct {
    outcome_t o;
} raw_t;

static void on_raw(bus_socket_t *s, bus_msg_t *msg, void *arg) {
    (void) s;
    raw_t *raw = arg;
    zmq_msg_t *body = &msg->frames[msg->count - 1];
    Lumbung__Reply *r = lumbung__reply__unpack(NULL, zmq_msg_size(body), zmq_msg_data(body));
    assert_non_null(r);
    raw->o.calls++;
    raw->o.status = CLIENT_OK;
    copy_reply(&raw->o, r);
    lumbung__reply__free_unpacked(r, NULL);
}

static outcome_t raw_call(fixture_t *f, const char *endpoint, const char *server, const void *bytes, size_t len) {
    raw_t raw = { 0 };
    bus_socket_opts_t opts = { .immediate = false };   /* queued until connected */
    int err = 0;
    bus_socket_t *dealer = bus_connect(f->cli_bus, ZMQ_DEALER, endpoint, server, &opts, on_raw, &raw, &err);
    assert_non_null(dealer);
    const void *parts[2] = { "", bytes };
    size_t sizes[2] = { 0, len };
    assert_int_equal(bus_send(dealer, parts, sizes, 2), 0);
    assert_true(unit_run_until(&f->loop, called, &raw.o, UNIT_RUN_MS_DEFAULT));
    bus_socket_destroy(&dealer);
    return raw.o;
}

static outcome_t raw_request(fixture_t *f, const char *endpoint, const char *server, Lumbung__Request *req) {
    uint8_t buf[1024];
    assert_true(lumbung__request__get_packed_size(req) <= sizeof buf);
    size_t len = lumbung__request__pack(req, buf);
    return raw_call(f, endpoint, server, buf, len);
}

static void wait_consumer(fixture_t *f, uint64_t seq);
static outcome_t consumer_state(fixture_t *f);

/* ---- the service runtime ---- */

static void ping_names_the_service_and_its_head(void **state) {
    fixture_t *f = *state;
    producer_start(f);
    request_t r;
    r.ping = (Lumbung__Ping) LUMBUNG__PING__INIT;
    r.req = (Lumbung__Request) LUMBUNG__REQUEST__INIT;
    r.req.body_case = LUMBUNG__REQUEST__BODY_PING;
    r.req.ping = &r.ping;
    outcome_t o = call(f, f->to_prod, &r.req);
    assert_false(o.has_error);
    assert_string_equal(o.pong_service, "members");
    assert_int_equal(o.pong.head_seq, 0);
    assert_int_equal(o.request_id, r.req.request_id);
    call(f, f->to_prod, emit_request(&r, 3, "t"));
    r.req = (Lumbung__Request) LUMBUNG__REQUEST__INIT;
    r.req.body_case = LUMBUNG__REQUEST__BODY_PING;
    r.req.ping = &r.ping;
    o = call(f, f->to_prod, &r.req);
    assert_int_equal(o.pong.head_seq, 3);
}

/* A request the service posts to itself runs in the next batch like any other: its events
   commit and are counted in the head; it answers nobody, and a client's request still does. */
static void a_request_posted_to_itself_runs_in_the_next_batch(void **state) {
    fixture_t *f = *state;
    producer_start(f);
    request_t r;
    Lumbung__Request *own = emit_request(&r, 4, "own");
    uint8_t packed[256];
    size_t len = lumbung__request__get_packed_size(own);
    assert_true(len <= sizeof packed);
    lumbung__request__pack(own, packed);
    assert_int_equal(service_post_self(f->prod.svc, packed, len), 0);
    r.ping = (Lumbung__Ping) LUMBUNG__PING__INIT;
    r.req = (Lumbung__Request) LUMBUNG__REQUEST__INIT;
    r.req.body_case = LUMBUNG__REQUEST__BODY_PING;
    r.req.ping = &r.ping;
    outcome_t o = call(f, f->to_prod, &r.req);
    assert_false(o.has_error);
    assert_int_equal(o.pong.head_seq, 4);
    assert_int_equal(service_stats(f->prod.svc).requests, 2);
}

static void a_reply_carries_the_last_sequence_it_produced(void **state) {
    fixture_t *f = *state;
    producer_start(f);
    request_t r;
    outcome_t o = call(f, f->to_prod, emit_request(&r, 3, "a"));
    assert_false(o.has_error);
    assert_true(o.has_event_seq);
    assert_int_equal(o.event_seq, 3);
    o = call(f, f->to_prod, emit_request(&r, 2, "b"));
    assert_int_equal(o.event_seq, 5);
    o = call(f, f->to_prod, state_request(&r, ""));
    assert_false(o.has_event_seq);   /* a read produced nothing */
    service_stats_t st = service_stats(f->prod.svc);
    assert_int_equal(st.requests, 3);
    assert_int_equal(st.commits, st.batches);
}

/* Requests sent together run in one batch; the failing one leaves no trace and no gap. */
static void a_failed_request_changes_nothing_and_gives_back_its_sequences(void **state) {
    fixture_t *f = *state;
    producer_start(f);
    request_t ra, rb, rc, rd;
    outcome_t a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 };
    send_call(f, f->to_prod, emit_request(&ra, 2, "ok"), &a, 5000);
    send_call(f, f->to_prod, emit_request(&rb, 3, "fail"), &b, 5000);
    send_call(f, f->to_prod, add_request(&rc, "fail", 7, NULL), &c, 5000);
    send_call(f, f->to_prod, emit_request(&rd, 1, "ok"), &d, 5000);
    assert_true(unit_run_until(&f->loop, called, &d, 5000));
    assert_true(a.calls && b.calls && c.calls);
    assert_false(a.has_error);
    assert_int_equal(a.event_seq, 2);
    assert_true(b.has_error);
    assert_int_equal(b.kind, LUMBUNG__ERROR_KIND__ERROR_KIND_RULE);
    assert_string_equal(b.code, "refused_on_purpose");
    assert_string_equal(b.field, "tag");
    assert_false(b.has_event_seq);
    assert_true(c.has_error);
    assert_false(c.has_event_seq);
    assert_false(d.has_error);
    assert_int_equal(d.event_seq, 3);
    assert_int_equal(counter_of(f, "fail"), 0);   /* the failed add's write is gone */

    request_t r;
    outcome_t replay = call(f, f->to_prod, replay_request(&r, 1, 100));
    assert_int_equal(replay.replay_head, 3);
    assert_int_equal(replay.replay_count, 3);
    assert_int_equal(replay.replay_first_seq, 1);
    assert_int_equal(replay.replay_last_seq, 3);
}

static void a_repeat_with_the_same_key_returns_the_stored_reply(void **state) {
    fixture_t *f = *state;
    producer_start(f);
    request_t r;
    outcome_t first = call(f, f->to_prod, add_request(&r, "simpanan", 5000, "deposit-1"));
    assert_false(first.has_error);
    assert_int_equal(first.testing.value, 5000);
    assert_int_equal(first.event_seq, 1);
    outcome_t again = call(f, f->to_prod, add_request(&r, "simpanan", 5000, "deposit-1"));
    assert_false(again.has_error);
    assert_int_equal(again.testing.value, 5000);
    assert_int_equal(again.event_seq, 1);
    assert_int_equal(again.request_id, r.req.request_id);   /* echoes the repeat's own id */
    assert_int_equal(counter_of(f, "simpanan"), 5000);
    assert_int_equal(service_stats(f->prod.svc).idempotent_hits, 1);

    outcome_t other = call(f, f->to_prod, add_request(&r, "simpanan", 9999, "deposit-1"));
    assert_true(other.has_error);
    assert_int_equal(other.kind, LUMBUNG__ERROR_KIND__ERROR_KIND_CONFLICT);
    assert_string_equal(other.code, "idempotency_key_reused");
    assert_string_equal(other.field, "idempotency_key");

    outcome_t fresh = call(f, f->to_prod, add_request(&r, "simpanan", 1, "deposit-2"));
    assert_int_equal(fresh.testing.value, 5001);
    assert_int_equal(fresh.event_seq, 2);
}

/* A record as the service stored it before version 3 (store format 2: the hash of the request
   unpacked and packed again, without the per-attempt fields), made from the one stored now. */
static void store_as_version_2(fixture_t *f, const Lumbung__Request *sent) {
    Lumbung__Request copy = *sent;
    copy.has_request_id = copy.has_deadline_ms = 0;
    copy.trace_id = NULL;
    copy.has_after_members_seq = copy.has_after_transactions_seq = 0;
    copy.n_after_shard_seqs = 0;
    uint8_t packed[1024];
    size_t len = lumbung__request__get_packed_size(&copy);
    assert_true(len <= sizeof packed);
    lumbung__request__pack(&copy, packed);
    store_t *store = service_store(f->prod.svc);
    store_table_t t;
    assert_int_equal(store_table(store, "idempotency", &t), 0);
    store_txn_t *txn;
    assert_int_equal(store_begin(store, false, &txn), 0);
    store_cursor_t *c;
    assert_int_equal(store_cursor_open(txn, t, &c), 0);
    const void *k, *v;
    size_t kl, vl;
    assert_int_equal(store_cursor_first(c, &k, &kl, &v, &vl), 0);
    uint8_t key[512], val[4096];
    assert_true(kl <= sizeof key && vl <= sizeof val && vl > 41);
    memcpy(key, k, kl);
    memcpy(val, v, vl);
    store_cursor_close(&c);
    assert_int_equal(val[0], 3);                    /* what this build stores */
    val[0] = 2;
    crypto_hash_sha256(val + 9, packed, len);
    assert_int_equal(store_put(txn, t, key, kl, val, vl, 0), 0);
    assert_int_equal(store_commit(&txn), 0);
}

/* A retry across the upgrade that changed the hash's meaning is still answered from the stored
   reply, never posted twice; a different request with that key is still refused. */
static void a_reply_stored_by_an_older_version_still_answers_its_retry(void **state) {
    fixture_t *f = *state;
    producer_start(f);
    request_t r;
    outcome_t first = call(f, f->to_prod, add_request(&r, "simpanan", 5000, "deposit-1"));
    assert_false(first.has_error);
    store_as_version_2(f, &r.req);
    outcome_t again = call(f, f->to_prod, add_request(&r, "simpanan", 5000, "deposit-1"));
    assert_false(again.has_error);
    assert_int_equal(again.testing.value, 5000);
    assert_int_equal(again.event_seq, 1);
    assert_int_equal(counter_of(f, "simpanan"), 5000);
    assert_int_equal(service_stats(f->prod.svc).idempotent_hits, 1);
    outcome_t other = call(f, f->to_prod, add_request(&r, "simpanan", 9999, "deposit-1"));
    assert_true(other.has_error);
    assert_string_equal(other.code, "idempotency_key_reused");
}

static void a_failed_request_stores_no_idempotent_reply(void **state) {
    fixture_t *f = *state;
    producer_start(f);
    request_t r;
    outcome_t o = call(f, f->to_prod, add_request(&r, "fail", 1, "k-fail"));
    assert_true(o.has_error);
    o = call(f, f->to_prod, add_request(&r, "fail", 1, "k-fail"));
    assert_true(o.has_error);
    assert_string_equal(o.code, "refused_on_purpose");   /* run again, not a stored reply */
    assert_int_equal(service_stats(f->prod.svc).idempotent_hits, 0);
}

static void an_over_long_idempotency_key_is_invalid(void **state) {
    fixture_t *f = *state;
    producer_start(f);
    char key[SERVICE_IDEMPOTENCY_KEY_MAX + 2];
    memset(key, 'k', sizeof key - 1);
    key[sizeof key - 1] = 0;
    request_t r;
    outcome_t o = call(f, f->to_prod, add_request(&r, "c", 1, key));
    assert_true(o.has_error);
    assert_int_equal(o.kind, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID);
    assert_string_equal(o.field, "idempotency_key");
    assert_int_equal(counter_of(f, "c"), 0);
}

static void malformed_and_bodyless_requests_get_typed_errors(void **state) {
    fixture_t *f = *state;
    producer_start(f);
    const uint8_t junk[] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };
    outcome_t o = raw_call(f, f->prod_router, "members", junk, sizeof junk);
    assert_true(o.has_error);
    assert_int_equal(o.kind, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID);
    assert_string_equal(o.code, "malformed_request");

    Lumbung__Request empty = LUMBUNG__REQUEST__INIT;
    o = call(f, f->to_prod, &empty);
    assert_true(o.has_error);
    assert_string_equal(o.code, "unknown_body");
    assert_int_equal(service_stats(f->prod.svc).malformed, 2);

    request_t r;   /* and it keeps serving */
    o = call(f, f->to_prod, emit_request(&r, 1, "t"));
    assert_false(o.has_error);
}

/* The client is an integrator (its key's role): it may emit (public), add only with a key
   (the row moves money), never read the state (admin). */
static void an_operation_table_dispatches_and_authorises_once(void **state) {
    fixture_t *f = *state;
    producer_start_with(f, &table_handlers);
    request_t r;
    outcome_t o = call(f, f->to_prod, emit_request(&r, 1, "t"));
    assert_false(o.has_error);
    o = call(f, f->to_prod, add_request(&r, "c", 5, NULL));
    assert_true(o.has_error);
    assert_string_equal(o.code, "idempotency_key_required");
    assert_string_equal(o.field, "idempotency_key");
    o = call(f, f->to_prod, add_request(&r, "c", 5, "k1"));
    assert_false(o.has_error);
    assert_int_equal(o.testing.value, 5);
    o = call(f, f->to_prod, state_request(&r, "c"));
    assert_true(o.has_error);
    assert_int_equal(o.kind, LUMBUNG__ERROR_KIND__ERROR_KIND_FORBIDDEN);
    assert_string_equal(o.code, "forbidden");
    o = call(f, f->to_prod, testing_request(&r));       /* no operation set */
    assert_true(o.has_error);
    assert_string_equal(o.code, "unknown_operation");
    Lumbung__MembersRequest members = LUMBUNG__MEMBERS_REQUEST__INIT;
    Lumbung__Request other = LUMBUNG__REQUEST__INIT;
    other.body_case = LUMBUNG__REQUEST__BODY_MEMBERS;
    other.members = &members;
    o = call(f, f->to_prod, &other);
    assert_true(o.has_error);
    assert_string_equal(o.code, "unknown_body");
}

static void a_request_past_its_deadline_is_not_started(void **state) {
    fixture_t *f = *state;
    producer_start(f);
    request_t r;
    Lumbung__Request *req = add_request(&r, "late", 10, NULL);
    req->has_request_id = 1;
    req->request_id = 77;
    req->has_deadline_ms = 1;
    req->deadline_ms = envelope_now_ms() - 1000;
    outcome_t o = raw_request(f, f->prod_router, "members", req);
    assert_int_equal(o.request_id, 77);
    assert_true(o.has_error);
    assert_int_equal(o.kind, LUMBUNG__ERROR_KIND__ERROR_KIND_TIMEOUT);
    assert_string_equal(o.code, "deadline_exceeded");
    assert_int_equal(counter_of(f, "late"), 0);
}

static void replay_serves_events_from_the_requested_sequence(void **state) {
    fixture_t *f = *state;
    producer_start(f);
    request_t r;
    call(f, f->to_prod, emit_request(&r, 10, "t"));
    outcome_t o = call(f, f->to_prod, replay_request(&r, 4, 3));
    assert_int_equal(o.replay_head, 10);
    assert_int_equal(o.replay_count, 3);
    assert_int_equal(o.replay_first_seq, 4);
    assert_int_equal(o.replay_last_seq, 6);
    o = call(f, f->to_prod, replay_request(&r, 11, 100));
    assert_int_equal(o.replay_count, 0);
    assert_int_equal(o.replay_head, 10);
    assert_int_equal(service_stats(f->prod.svc).replays, 2);
}

static void a_full_map_grows_and_the_batch_is_redone(void **state) {
    fixture_t *f = *state;
    setenv("LUMBUNG_STORE_MAP_INITIAL", "65536", 1);
    producer_start(f);
    size_t before = store_map_size(service_store(f->prod.svc));
    enum { TAG = 200 * 1024 };
    char *tag = malloc(TAG + 1);
    memset(tag, 'g', TAG);
    tag[TAG] = 0;
    request_t r;
    /* Several times the initial map in one request. */
    uint32_t count = (uint32_t) (before * 3 / TAG) + 1;
    outcome_t o = call(f, f->to_prod, emit_request(&r, count, tag));
    free(tag);
    assert_false(o.has_error);
    assert_int_equal(o.event_seq, count);
    assert_true(service_stats(f->prod.svc).map_grows >= 1);
    assert_true(store_map_size(service_store(f->prod.svc)) > before);
    o = call(f, f->to_prod, replay_request(&r, 1, 1));
    assert_int_equal(o.replay_head, count);   /* every event once: the redo did not double */
}

/* A replay reply must fit the receiver's ZMQ_MAXMSGSIZE, or the connection is dropped, the
   call times out and a follower asking again stalls forever. */
static void replay_of_large_events_stays_within_the_message_limit(void **state) {
    fixture_t *f = *state;
    producer_start(f);
    char *tag = malloc(BIG_EVENT + 1);
    memset(tag, 'L', BIG_EVENT);
    tag[BIG_EVENT] = 0;
    request_t r;
    outcome_t o = call(f, f->to_prod, emit_request(&r, BIG_EVENTS, tag));
    free(tag);
    assert_int_equal(o.event_seq, BIG_EVENTS);
    assert_true((size_t) BIG_EVENTS * BIG_EVENT > BUS_MESSAGE_MAX);   /* the point of the test */

    o = call(f, f->to_prod, replay_request(&r, 1, OUTBOX_REPLAY_MAX));
    assert_int_equal(o.replay_head, BIG_EVENTS);
    assert_true(o.replay_count >= 1);
    assert_int_equal(o.replay_first_seq, 1);
    assert_true(o.replay_bytes < BUS_MESSAGE_MAX);

    /* A follower starting from zero gets the whole stream, a part per replay. */
    consumer_start(f);
    wait_consumer(f, BIG_EVENTS);
    assert_int_equal(consumer_state(f).testing.out_of_order, 0);
}

/* ---- the follower ---- */

static bool consumer_at(fixture_t *f, uint64_t seq) {
    return f->cons.follower && follower_cursor(f->cons.follower) >= seq;
}
static uint64_t wanted_cursor;
static bool consumer_reached(void *arg) { return consumer_at(arg, wanted_cursor); }

static void wait_consumer(fixture_t *f, uint64_t seq) {
    wanted_cursor = seq;
    assert_true(unit_run_until(&f->loop, consumer_reached, f, 5000));
}

static outcome_t consumer_state(fixture_t *f) {
    request_t r;
    outcome_t o = call(f, f->to_cons, state_request(&r, ""));
    assert_false(o.has_error);
    return o;
}

static void the_follower_applies_every_event_once_in_order_across_restarts(void **state) {
    fixture_t *f = *state;
    producer_start(f);
    request_t r;
    call(f, f->to_prod, emit_request(&r, 5, "before"));   /* these come by replay */
    consumer_start(f);
    for (int i = 0; i < 3; i++) call(f, f->to_prod, emit_request(&r, 5, "live"));
    wait_consumer(f, 20);
    outcome_t st = consumer_state(f);
    assert_int_equal(st.testing.applied, 20);
    assert_int_equal(st.testing.applied_sum, 20 * 21 / 2);
    assert_int_equal(st.testing.out_of_order, 0);
    assert_int_equal(st.testing.applied_cursor, 20);
    assert_true(follower_known_head(f->cons.follower) >= 20);

    /* Down while the producer goes on; back, it resumes after its stored cursor. */
    consumer_stop(f);
    call(f, f->to_prod, emit_request(&r, 10, "while-down"));
    consumer_start(f);
    assert_int_equal(follower_cursor(f->cons.follower), 20);
    wait_consumer(f, 30);
    st = consumer_state(f);
    assert_int_equal(st.testing.applied, 30);
    assert_int_equal(st.testing.applied_sum, 30 * 31 / 2);
    assert_int_equal(st.testing.out_of_order, 0);
}

/* A wire filter that keeps even sequences, read from the header; the wire apply checks that
   the bytes it gets are the event it gets, then applies as testsvc does. */
static bool even_only(void *arg, const envelope_event_header_t *h, const uint8_t *wire,
                      size_t len) {
    (void) arg;
    envelope_event_header_t again;
    assert_int_equal(envelope_event_header(wire, len, &again), 0);
    assert_true(again.seq == h->seq && h->has_seq);
    return h->seq % 2 == 0;
}

static int wire_apply(void *arg, store_txn_t *txn, const Lumbung__Event *ev, const uint8_t *wire,
                      size_t len) {
    assert_true(ev->seq % 2 == 0);
    assert_int_equal(lumbung__event__get_packed_size(ev), len);
    Lumbung__Event *same = lumbung__event__unpack(NULL, len, wire);
    assert_non_null(same);
    assert_true(same->seq == ev->seq);
    lumbung__event__free_unpacked(same, NULL);
    return testsvc_apply(arg, txn, ev);
}

/* Skipped events are never applied, yet the cursor passes them, live and replayed alike, and
   stays past them across a restart. */
static void a_wire_filter_skips_events_and_the_cursor_passes_them(void **state) {
    fixture_t *f = *state;
    producer_start(f);
    request_t r;
    call(f, f->to_prod, emit_request(&r, 6, "before"));     /* these come by replay */
    consumer_start(f);
    follower_set_wire_filter(f->cons.follower, even_only);
    follower_set_wire_apply(f->cons.follower, wire_apply);
    for (int i = 0; i < 3; i++) call(f, f->to_prod, emit_request(&r, 4, "live"));
    wait_consumer(f, 18);
    outcome_t st = consumer_state(f);
    assert_int_equal(st.testing.applied, 9);
    assert_int_equal(st.testing.applied_sum, 2 * (9 * 10 / 2));
    assert_int_equal(st.testing.applied_cursor, 18);
    consumer_stop(f);
    consumer_start(f);
    assert_int_equal(follower_cursor(f->cons.follower), 18);
}

/* A filtered follower (actor_role): the client is an integrator, so a follower of integrators'
   events applies all 18, replayed and live (it is sent heartbeats, then asks), and one of
   administrators' events applies none, yet its cursor passes all 18; both across a restart. */
static void a_filtered_follower_applies_its_role_and_passes_the_rest(void **state) {
    fixture_t *f = *state;
    producer_start(f);
    request_t r;
    call(f, f->to_prod, emit_request(&r, 6, "before"));     /* these come by replay */
    const int roles[] = { LUMBUNG__ROLE__ROLE_INTEGRATOR, LUMBUNG__ROLE__ROLE_ADMIN };
    const int64_t applied[] = { 18, 0 };
    for (int k = 0; k < 2; k++) {
        f->cons_role = roles[k];
        consumer_start(f);
        for (int i = 0; i < 3; i++) call(f, f->to_prod, emit_request(&r, 4, "live"));
        wait_consumer(f, 18 + 12 * (uint64_t) k);
        outcome_t st = consumer_state(f);
        assert_int_equal(st.testing.applied, applied[k]);
        assert_int_equal(st.testing.out_of_order, 0);
        consumer_stop(f);
        consumer_start(f);
        assert_int_equal(follower_cursor(f->cons.follower), 18 + 12 * (uint64_t) k);
        consumer_stop(f);
        char store[UNIT_PATH_MAX + 16];                      /* the next one starts empty */
        snprintf(store, sizeof store, "%s/tcons", f->data);
        unit_rmtree(store);
    }
}

/* Read-your-writes: a request naming a sequence the replica lacks runs once it has it. */
static void a_request_after_a_sequence_waits_for_the_replica(void **state) {
    fixture_t *f = *state;
    producer_start(f);
    consumer_start(f);
    request_t r;
    call(f, f->to_prod, emit_request(&r, 2, "t"));
    wait_consumer(f, 2);

    request_t w;
    Lumbung__Request *req = state_request(&w, "");
    req->has_after_members_seq = 1;
    req->after_members_seq = 3;   /* not produced yet */
    outcome_t waiting = { 0 };
    send_call(f, f->to_cons, req, &waiting, 5000);
    unit_run_for(&f->loop, 50);
    assert_int_equal(waiting.calls, 0);

    call(f, f->to_prod, emit_request(&r, 1, "t"));
    assert_true(unit_run_until(&f->loop, called, &waiting, 5000));
    assert_false(waiting.has_error);
    assert_true(waiting.testing.applied >= 3);
}

static void a_request_after_a_sequence_that_never_comes_times_out(void **state) {
    fixture_t *f = *state;
    producer_start(f);
    consumer_start(f);
    request_t w;
    Lumbung__Request *req = state_request(&w, "");
    req->has_request_id = 1;
    req->request_id = 5;
    req->has_after_members_seq = 1;
    req->after_members_seq = 1000;
    req->has_deadline_ms = 1;
    req->deadline_ms = envelope_now_ms() + SHORT_WAIT_MS;
    outcome_t o = raw_request(f, f->cons_router, "tcons", req);
    assert_true(o.has_error);
    assert_int_equal(o.kind, LUMBUNG__ERROR_KIND__ERROR_KIND_TIMEOUT);
    assert_string_equal(o.code, "replica_behind");
}

/* SERVICE_WAITING_MAX: the parked list is bounded; one more request is refused at once with
   UNAVAILABLE/busy, and the one already parked still runs when the replica catches up. */
static void a_request_past_the_waiting_limit_is_refused_as_busy(void **state) {
    fixture_t *f = *state;
    setenv("LUMBUNG_SERVICE_WAITING_MAX", "1", 1);
    producer_start(f);
    consumer_start(f);
    unsetenv("LUMBUNG_SERVICE_WAITING_MAX");
    request_t a, b, r;
    Lumbung__Request *first = state_request(&a, "");
    first->has_after_members_seq = 1;
    first->after_members_seq = 1;   /* not produced yet */
    outcome_t parked = { 0 }, refused = { 0 };
    send_call(f, f->to_cons, first, &parked, 5000);
    unit_run_for(&f->loop, 50);
    assert_int_equal(parked.calls, 0);

    Lumbung__Request *second = state_request(&b, "");
    second->has_after_members_seq = 1;
    second->after_members_seq = 1;
    send_call(f, f->to_cons, second, &refused, 5000);
    assert_true(unit_run_until(&f->loop, called, &refused, 2000));
    assert_true(refused.has_error);
    assert_int_equal(refused.kind, LUMBUNG__ERROR_KIND__ERROR_KIND_UNAVAILABLE);
    assert_string_equal(refused.code, "busy");
    assert_int_equal(parked.calls, 0);

    call(f, f->to_prod, emit_request(&r, 1, "t"));
    assert_true(unit_run_until(&f->loop, called, &parked, 5000));
    assert_false(parked.has_error);
    assert_true(parked.testing.applied >= 1);
}

/* ---- long operations: the steps after the first run on a worker thread (service.h) ---- */

enum { STEPS = 5 };

/* `emit` as a long operation: each step emits `count` events and goes on until the outbox
   holds STEPS times as many. */
static int run_emit_in_steps(void *app, service_call_t *call, const void *m) {
    const Lumbung__TestingEmit *e = m;
    int rc = testsvc_handle_emit(app, call, e);
    if (rc != 0) return rc;
    uint64_t head = outbox_head(service_outbox(((app_t *) app)->svc), service_call_txn(call));
    if (head < (uint64_t) STEPS * e->count) service_call_continue(call);
    return 0;
}

/* `add` as one: each step adds the amount (and emits its event) until the counter holds
   STEPS times the amount. */
static int run_add_in_steps(void *app, service_call_t *call, const void *m) {
    const Lumbung__TestingAdd *a = m;
    int rc = testsvc_handle_add(app, call, a);
    if (rc == 0 && service_call_reply(call)->testing->value < STEPS * a->amount)
        service_call_continue(call);
    return rc;
}

static const operation_t step_rows[] = {
    { LUMBUNG__TESTING_REQUEST__OP_EMIT, "emit", ACCESS_PUBLIC, OP_WRITE | OP_LONG,
      run_emit_in_steps },
    { LUMBUNG__TESTING_REQUEST__OP_ADD, "add", ACCESS_PUBLIC, OP_WRITE | OP_LONG,
      run_add_in_steps },
    { LUMBUNG__TESTING_REQUEST__OP_STATE, "state", ACCESS_PUBLIC, 0, run_state },
};
static const service_operations_t step_operations = {
    .service = "testing", .body = LUMBUNG__REQUEST__BODY_TESTING,
    .rows = step_rows, .count = sizeof step_rows / sizeof step_rows[0],
};
static const service_handlers_t step_handlers = { .operations = &step_operations };

/* `add` in steps from its first (OP_STEPS, as a close-day), and `emit` a plain write: what
   another peer sends while a step holds. */
static const operation_t step_and_write_rows[] = {
    { LUMBUNG__TESTING_REQUEST__OP_EMIT, "emit", ACCESS_PUBLIC, OP_WRITE, run_emit },
    { LUMBUNG__TESTING_REQUEST__OP_ADD, "add", ACCESS_PUBLIC, OP_WRITE | OP_LONG | OP_STEPS,
      run_add_in_steps },
    { LUMBUNG__TESTING_REQUEST__OP_STATE, "state", ACCESS_PUBLIC, 0, run_state },
};
static const service_operations_t step_and_write_operations = {
    .service = "testing", .body = LUMBUNG__REQUEST__BODY_TESTING,
    .rows = step_and_write_rows,
    .count = sizeof step_and_write_rows / sizeof step_and_write_rows[0],
};
static const service_handlers_t step_and_write_handlers = { .operations = &step_and_write_operations };

/* LUMBUNG_FAULT=hold_steps with the gate file in the fixture's directory, for the service
   started next (service_new reads it); returns the gate's path. */
static const char *hold_steps(fixture_t *f, char *gate, size_t size) {
    snprintf(gate, size, "%s/gate", f->dir);
    FILE *g = fopen(gate, "w");
    assert_non_null(g);
    fclose(g);
    setenv("LUMBUNG_FAULT", "hold_steps", 1);
    setenv("LUMBUNG_FAULT_GATE", gate, 1);
    return gate;
}

static void hold_off(void) {
    unsetenv("LUMBUNG_FAULT");
    unsetenv("LUMBUNG_FAULT_GATE");
}

/* A state read answered with `value`; sent after the long add, it is answered after the add's
   turn, which handed the add's next step to the worker. */
static bool counter_is(fixture_t *f, const char *counter, int64_t value) {
    for (int i = 0; i < 200; i++) {
        if (counter_of(f, counter) == value) return true;
        unit_run_for(&f->loop, 10);
    }
    return false;
}

/* Each step writes 600 KB into a map of 1 MB: the steps on the worker hit the end of the map,
   the loop grows it with no txn open and the step runs again, and no event is doubled. */
static void a_step_on_the_worker_that_fills_the_map_is_redone_in_a_grown_map(void **state) {
    fixture_t *f = *state;
    setenv("LUMBUNG_STORE_MAP_INITIAL", "65536", 1);
    producer_start_with(f, &step_handlers);
    enum { TAG = 200 * 1024, COUNT = 3 };
    char *tag = malloc(TAG + 1);
    memset(tag, 's', TAG);
    tag[TAG] = 0;
    request_t r;
    outcome_t o = { 0 };
    send_call(f, f->to_prod, emit_request(&r, COUNT, tag), &o, 20000);
    assert_true(unit_run_until(&f->loop, called, &o, 20000));
    free(tag);
    assert_int_equal(o.status, CLIENT_OK);
    assert_false(o.has_error);
    assert_int_equal(o.event_seq, STEPS * COUNT);
    /* A new store's map is LMDB's 1 MB (more than the 64 KB asked): the first step's 600 KB
       fits in it, and the 3 MB of all steps do not, so the steps on the worker grew it. */
    service_stats_t st = service_stats(f->prod.svc);
    assert_true(st.map_grows >= 2);
    assert_true(store_map_size(service_store(f->prod.svc)) >= 3 * 1024 * 1024);
    o = call(f, f->to_prod, replay_request(&r, 1, 1));
    assert_int_equal(o.replay_head, STEPS * COUNT);
}

/* Held before its commit, a step keeps the write txn (the first step of an OP_STEPS call is on
   the worker too); another peer's reads and ping are answered from the last commit, its write
   waits and runs between this step and the next. */
static void while_a_step_holds_its_commit_reads_are_answered_and_writes_wait(void **state) {
    fixture_t *f = *state;
    char gate[UNIT_PATH_MAX + 8];
    hold_steps(f, gate, sizeof gate);
    producer_start_with(f, &step_and_write_handlers);
    hold_off();
    int err = 0;
    client_t *writer = client_new(f->cli_bus, "members", f->prod_router, &err);
    assert_non_null(writer);
    request_t r, w;
    outcome_t long_add = { 0 }, write = { 0 };
    send_call(f, f->to_prod, add_request(&r, "long", 10, NULL), &long_add, 10000);
    assert_true(counter_is(f, "long", 0));
    send_call(f, writer, emit_request(&w, 1, "while held"), &write, 10000);
    unit_run_for(&f->loop, 100);
    assert_int_equal(write.calls, 0);                 /* kept for after the step */
    assert_int_equal(counter_of(f, "long"), 0);       /* the held first step has not committed */
    request_t p;
    p.ping = (Lumbung__Ping) LUMBUNG__PING__INIT;
    p.req = (Lumbung__Request) LUMBUNG__REQUEST__INIT;
    p.req.body_case = LUMBUNG__REQUEST__BODY_PING;
    p.req.ping = &p.ping;
    outcome_t pong = call(f, f->to_prod, &p.req);
    assert_string_equal(pong.pong_service, "members");
    assert_int_equal(long_add.calls, 0);
    assert_int_equal(unlink(gate), 0);
    assert_true(unit_run_until(&f->loop, called, &long_add, 10000));
    assert_true(unit_run_until(&f->loop, called, &write, 10000));
    assert_false(long_add.has_error);
    assert_int_equal(long_add.testing.value, STEPS * 10);
    assert_false(write.has_error);
    /* Event 1 is the held first step's; the write ran right after it. */
    assert_int_equal(write.event_seq, 2);
    assert_int_equal(long_add.event_seq, STEPS + 1);
    client_destroy(&writer);
}

/* An OP_STEPS call repeated with its key after it finished is answered from the stored reply,
   from the worker, once: no step runs again. */
static void a_finished_long_operation_repeated_with_its_key_answers_the_same(void **state) {
    fixture_t *f = *state;
    producer_start_with(f, &step_and_write_handlers);
    request_t r;
    outcome_t first = call(f, f->to_prod, add_request(&r, "long", 7, "once"));
    assert_false(first.has_error);
    assert_int_equal(first.testing.value, STEPS * 7);
    outcome_t again = call(f, f->to_prod, add_request(&r, "long", 7, "once"));
    assert_false(again.has_error);
    assert_int_equal(again.testing.value, STEPS * 7);
    assert_int_equal(again.event_seq, first.event_seq);
    assert_int_equal(counter_of(f, "long"), STEPS * 7);
    assert_int_equal(service_stats(f->prod.svc).idempotent_hits, 1);
}

/* A service stopped while its step is on the worker waits for the step before it closes the
   store; what committed is whole (each step's counter with its event), and the call is freed
   without an answer (a retry continues from the store). */
static void a_service_stopped_during_a_step_waits_for_it(void **state) {
    fixture_t *f = *state;
    char gate[UNIT_PATH_MAX + 8];
    hold_steps(f, gate, sizeof gate);
    producer_start_with(f, &step_handlers);
    hold_off();
    request_t r;
    outcome_t long_add = { 0 };
    send_call(f, f->to_prod, add_request(&r, "long", 10, NULL), &long_add, 10000);
    assert_true(counter_is(f, "long", 10));
    assert_int_equal(unlink(gate), 0);
    service_destroy(&f->prod.svc);
    unit_run_for(&f->loop, 100);
    client_destroy(&f->to_prod);
    assert_int_equal(long_add.calls, 1);              /* the client gave up on it */
    assert_int_not_equal(long_add.status, CLIENT_OK);
    char dir[UNIT_PATH_MAX + 16];
    snprintf(dir, sizeof dir, "%s/members", f->data);
    int err = 0;
    store_t *store = store_new(dir, &err);
    assert_non_null(store);
    app_t app = { 0 };
    assert_int_equal(store_table(store, "counters", &app.counters), 0);
    outbox_t *outbox = outbox_new(store, "members", &err);
    assert_non_null(outbox);
    store_txn_t *txn;
    assert_int_equal(store_begin(store, true, &txn), 0);
    int64_t value = testsvc_counter(&app, txn, "long");
    uint64_t head = outbox_head(outbox, txn);
    store_abort(&txn);
    outbox_destroy(&outbox);
    store_destroy(&store);
    assert_true(value == 10 || value == 20);
    assert_int_equal(head, (uint64_t) value / 10);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void) {
    unit_quiet_logs("test_follower_service");
    unsetenv("LUMBUNG_FAULT");
    const struct CMUnitTest tests[] = {
        T(ping_names_the_service_and_its_head),
        T(a_request_posted_to_itself_runs_in_the_next_batch),
        T(a_reply_carries_the_last_sequence_it_produced),
        T(a_failed_request_changes_nothing_and_gives_back_its_sequences),
        T(a_repeat_with_the_same_key_returns_the_stored_reply),
        T(a_reply_stored_by_an_older_version_still_answers_its_retry),
        T(a_failed_request_stores_no_idempotent_reply),
        T(an_over_long_idempotency_key_is_invalid),
        T(malformed_and_bodyless_requests_get_typed_errors),
        T(an_operation_table_dispatches_and_authorises_once),
        T(a_request_past_its_deadline_is_not_started),
        T(replay_serves_events_from_the_requested_sequence),
        T(a_full_map_grows_and_the_batch_is_redone),
        T(replay_of_large_events_stays_within_the_message_limit),
        T(the_follower_applies_every_event_once_in_order_across_restarts),
        T(a_wire_filter_skips_events_and_the_cursor_passes_them),
        T(a_filtered_follower_applies_its_role_and_passes_the_rest),
        T(a_request_after_a_sequence_waits_for_the_replica),
        T(a_request_after_a_sequence_that_never_comes_times_out),
        T(a_request_past_the_waiting_limit_is_refused_as_busy),
        T(a_step_on_the_worker_that_fills_the_map_is_redone_in_a_grown_map),
        T(while_a_step_holds_its_commit_reads_are_answered_and_writes_wait),
        T(a_finished_long_operation_repeated_with_its_key_answers_the_same),
        T(a_service_stopped_during_a_step_waits_for_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
