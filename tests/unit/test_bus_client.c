/* bus + client in one process and one libuv loop: a CURVE ROUTER on a loopback port, clients
   with keys from a temporary LUMBUNG_KEYS directory, and the ZAP handler between them; a
   zmq_send of its own makes the bus refuse a chosen send (a batch after its turn's first call). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "unit.h"
#include "call_batch.h"
#include "client.h"
#include "curve.h"

enum { IDENTITY_MAX = 256, CALLS_MANY = 500, SHORT_TIMEOUT_MS = 100 };

typedef enum {
    SERVER_ANSWERS,                   /* each request its own reply message */
    SERVER_IGNORES,
    SERVER_ANSWERS_GARBAGE,
    SERVER_ANSWERS_BATCHED,           /* a batch's replies in one message, as common/service does */
} server_mode_t;

typedef struct {
    char dir[UNIT_PATH_MAX];
    char endpoint[64];
    uv_loop_t loop;
    bus_t *server_bus, *client_bus;
    bus_socket_t *router;
    client_t *client;
    /* what the server saw */
    server_mode_t mode;
    int received;                     /* requests, the elements of a batch each counted */
    int messages, batches;            /* messages received, and those that were batches */
    int largest_batch;
    int last_frames;                  /* frames of the last request, routing id included */
    char last_peer[CURVE_NAME_MAX];
    uint8_t identity[IDENTITY_MAX];
    size_t identity_len;
    uint64_t last_request_id;
} fixture_t;

/* What one call's callback saw. */
typedef struct {
    int calls;
    int status;
    uint64_t request_id;
    char service[32];
} outcome_t;

/* The bus refusing a send, on cue: this binary's zmq_send comes before libzmq's, so every
   send of common/bus.c goes through it. While sends_to_pass is -1 all go to libzmq; when it is
   n >= 0, n more go, then one fails with EAGAIN (what a DEALER says when it has no peer to
   send to) and it is -1 again. Server and client share one thread, so the count is exact. */
static int sends_to_pass = -1;

int zmq_send(void *socket, const void *buf, size_t len, int flags) {
    static int (*libzmq_send)(void *, const void *, size_t, int);
    if (!libzmq_send) *(void **) &libzmq_send = dlsym(RTLD_NEXT, "zmq_send");
    if (sends_to_pass == 0) {
        sends_to_pass = -1;
        errno = EAGAIN;
        return -1;
    }
    if (sends_to_pass > 0) sends_to_pass--;
    return libzmq_send(socket, buf, len, flags);
}

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

static size_t pack_pong(uint64_t request_id, uint8_t *buf) {
    Lumbung__Reply reply = LUMBUNG__REPLY__INIT;
    Lumbung__Pong pong = LUMBUNG__PONG__INIT;
    reply.has_request_id = 1;
    reply.request_id = request_id;
    pong.service = "svc";
    reply.result_case = LUMBUNG__REPLY__RESULT_PONG;
    reply.pong = &pong;
    return lumbung__reply__pack(&reply, buf);
}

static void server_send(fixture_t *f, const uint8_t *bytes, size_t len) {
    const void *parts[2] = { f->identity, bytes };   /* in the shape the request came */
    size_t sizes[2] = { f->identity_len, len };
    assert_int_equal(bus_send(f->router, parts, sizes, 2), 0);
}

static void server_send_reply(fixture_t *f, uint64_t request_id, bool garbage) {
    uint8_t buf[128];
    size_t len = pack_pong(request_id, buf);
    if (garbage) {
        memset(buf, 0xFF, sizeof buf);
        len = 16;
    }
    server_send(f, buf, len);
}

/* One request (alone or an element of a batch): its id, and its reply unless ignored. */
static void serve_one(fixture_t *f, const uint8_t *bytes, size_t len, call_batch_t *replies) {
    f->received++;
    Lumbung__Request *req = lumbung__request__unpack(NULL, len, bytes);
    assert_non_null(req);
    assert_int_equal(req->n_batch, 0);
    f->last_request_id = req->request_id;
    lumbung__request__free_unpacked(req, NULL);
    if (f->mode == SERVER_ANSWERS) server_send_reply(f, f->last_request_id, false);
    if (f->mode == SERVER_ANSWERS_GARBAGE) server_send_reply(f, f->last_request_id, true);
    if (f->mode == SERVER_ANSWERS_BATCHED) {
        uint8_t buf[128];
        call_batch_add(replies, buf, pack_pong(f->last_request_id, buf));
    }
}

static void on_request(bus_socket_t *s, bus_msg_t *msg, void *arg) {
    fixture_t *f = arg;
    (void) s;
    f->messages++;
    snprintf(f->last_peer, sizeof f->last_peer, "%s", msg->peer);
    /* routing id, then the request, after an empty delimiter when the sender is REQ-shaped
       (the raw DEALERs below); client.c sends none (each frame is a CURVE box of its own) */
    f->last_frames = msg->count;
    assert_true(msg->count == 2 || (msg->count == 3 && zmq_msg_size(&msg->frames[1]) == 0));
    f->identity_len = zmq_msg_size(&msg->frames[0]);
    assert_true(f->identity_len <= IDENTITY_MAX);
    memcpy(f->identity, zmq_msg_data(&msg->frames[0]), f->identity_len);
    const zmq_msg_t *body = &msg->frames[msg->count - 1];
    const uint8_t *bytes = zmq_msg_data((zmq_msg_t *) body);
    size_t len = zmq_msg_size(body);
    call_batch_part_t parts[CALL_BATCH_ACCEPT_MAX];
    int n = call_batch_split(bytes, len, parts, CALL_BATCH_ACCEPT_MAX);
    assert_true(n >= 0);
    call_batch_t replies;
    call_batch_init(&replies);
    if (n == 0) serve_one(f, bytes, len, &replies);
    if (n > 0) f->batches++;
    if (n > f->largest_batch) f->largest_batch = n;
    for (int i = 0; i < n; i++) serve_one(f, parts[i].data, parts[i].len, &replies);
    size_t out_len;
    const uint8_t *out = call_batch_message(&replies, &out_len);
    if (out) server_send(f, out, out_len);
    call_batch_free(&replies);
}

static bus_t *new_bus(fixture_t *f, const char *name) {
    bus_config_t bc = { .name = name, .curve = true };
    int err = 0;
    bus_t *b = bus_new(&f->loop, &bc, &err);
    assert_non_null(b);
    assert_string_equal(bus_name(b), name);
    assert_ptr_equal(bus_loop(b), &f->loop);
    return b;
}

static int setup(void **state) {
    fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    unit_tempdir(f->dir, "bus");
    setenv("LUMBUNG_KEYS", f->dir, 1);
    assert_int_equal(curve_keys_ensure(f->dir, "svc", "service"), 0);
    assert_int_equal(curve_keys_ensure(f->dir, "cli", "integrator"), 0);
    assert_int_equal(curve_keys_ensure(f->dir, "stranger", NULL), 0);   /* keys, not admitted */
    assert_int_equal(uv_loop_init(&f->loop), 0);
    f->server_bus = new_bus(f, "svc");
    f->client_bus = new_bus(f, "cli");
    snprintf(f->endpoint, sizeof f->endpoint, "tcp://127.0.0.1:%d", free_port());
    int err = 0;
    f->router = bus_bind(f->server_bus, ZMQ_ROUTER, f->endpoint, NULL, on_request, f, &err);
    assert_non_null(f->router);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture_t *f = *state;
    client_destroy(&f->client);
    bus_destroy(&f->client_bus);
    bus_destroy(&f->server_bus);   /* closes the router too */
    assert_null(f->server_bus);
    unit_close_loop(&f->loop);
    unsetenv("LUMBUNG_KEYS");
    unit_rmtree(f->dir);
    free(f);
    return 0;
}

static client_t *new_client(fixture_t *f, bus_t *bus, const char *endpoint) {
    int err = 0;
    client_t *c = client_new(bus, "svc", endpoint, &err);
    assert_non_null(c);
    return c;
}

static void on_outcome(void *arg, int status, const Lumbung__Reply *reply) {
    outcome_t *o = arg;
    o->calls++;
    o->status = status;
    if (status == CLIENT_OK) {
        assert_non_null(reply);
        o->request_id = reply->request_id;
        if (reply->result_case == LUMBUNG__REPLY__RESULT_PONG && reply->pong->service)
            snprintf(o->service, sizeof o->service, "%s", reply->pong->service);
    } else {
        assert_null(reply);
    }
}

static bool called(void *arg) { return ((outcome_t *) arg)->calls > 0; }

static Lumbung__Request ping_request(Lumbung__Ping *ping) {
    Lumbung__Request req = LUMBUNG__REQUEST__INIT;
    req.body_case = LUMBUNG__REQUEST__BODY_PING;
    req.ping = ping;
    return req;
}

/* The client's DEALER is immediate: until the CURVE handshake (and ZAP) completed, a call
   fails fast. Retries while the loop runs the handshake; returns the last status. */
static int call_once_connected(fixture_t *f, client_t *c, Lumbung__Request *req, uint32_t timeout_ms,
                               outcome_t *o) {
    int rc = ERR_UNAVAILABLE;
    for (int i = 0; i < 200 && rc == ERR_UNAVAILABLE; i++) {
        rc = client_call(c, req, timeout_ms, on_outcome, o);
        if (rc == ERR_UNAVAILABLE) unit_run_for(&f->loop, 10);
    }
    return rc;
}

static void a_call_gets_its_reply_and_the_server_knows_the_caller(void **state) {
    fixture_t *f = *state;
    f->client = new_client(f, f->client_bus, f->endpoint);
    Lumbung__Ping ping = LUMBUNG__PING__INIT;
    Lumbung__Request req = ping_request(&ping);
    outcome_t o = { 0 };
    assert_int_equal(call_once_connected(f, f->client, &req, 2000, &o), 0);
    assert_int_equal(req.has_request_id, 1);
    assert_int_equal(req.has_deadline_ms, 1);
    assert_int_equal(client_pending(f->client), 1);
    assert_true(unit_run_until(&f->loop, called, &o, UNIT_RUN_MS_DEFAULT));
    assert_int_equal(o.calls, 1);
    assert_int_equal(o.status, CLIENT_OK);
    assert_int_equal(o.request_id, req.request_id);
    assert_string_equal(o.service, "svc");
    assert_int_equal(client_pending(f->client), 0);
    assert_int_equal(f->last_frames, 2);          /* routing id and request: no delimiter */
    /* The ZAP handler named the peer after its allow-list entry. */
    assert_string_equal(f->last_peer, "cli");
    assert_string_equal(bus_peer_role(f->server_bus, "cli"), "integrator");
    assert_null(bus_peer_role(f->server_bus, "nobody"));
    assert_null(bus_peer_role(f->server_bus, ""));
    assert_int_equal(bus_auth_refused(f->server_bus), 0);
}

typedef struct {
    outcome_t each[CALLS_MANY];
    uint64_t ids[CALLS_MANY];
} many_t;

static bool all_called(void *arg) {
    many_t *m = arg;
    for (int i = 0; i < CALLS_MANY; i++)
        if (m->each[i].calls == 0) return false;
    return true;
}

/* Many replies arrive in one burst: the edge-triggered socket must be drained, not read once. */
static void many_calls_in_flight_all_get_their_own_reply(void **state) {
    fixture_t *f = *state;
    f->client = new_client(f, f->client_bus, f->endpoint);
    Lumbung__Ping ping = LUMBUNG__PING__INIT;
    Lumbung__Request req = ping_request(&ping);
    many_t *m = calloc(1, sizeof *m);
    assert_int_equal(call_once_connected(f, f->client, &req, 5000, &m->each[0]), 0);
    m->ids[0] = req.request_id;
    for (int i = 1; i < CALLS_MANY; i++) {
        assert_int_equal(client_call(f->client, &req, 5000, on_outcome, &m->each[i]), 0);
        m->ids[i] = req.request_id;
    }
    assert_true(client_pending(f->client) > 0);
    assert_true(unit_run_until(&f->loop, all_called, m, UNIT_RUN_MS_DEFAULT));
    for (int i = 0; i < CALLS_MANY; i++) {
        assert_int_equal(m->each[i].calls, 1);
        assert_int_equal(m->each[i].status, CLIENT_OK);
        assert_int_equal(m->each[i].request_id, m->ids[i]);
        if (i > 0) assert_true(m->ids[i] != m->ids[i - 1]);
    }
    assert_int_equal(client_pending(f->client), 0);
    assert_int_equal(f->received, CALLS_MANY);
    /* Made in one turn: the first alone, the others in batches of CALL_BATCH_CALLS. */
    assert_int_equal(f->messages, 1 + (CALLS_MANY - 1 + CALL_BATCH_CALLS - 1) / CALL_BATCH_CALLS);
    assert_int_equal(f->largest_batch, CALL_BATCH_CALLS);
    free(m);
}

/* A new client, connected and answered once, so that what a test does next is not delayed
   by the handshake. */
static void connect_and_answer_one(fixture_t *f, Lumbung__Request *req) {
    f->client = new_client(f, f->client_bus, f->endpoint);
    outcome_t first = { 0 };
    assert_int_equal(call_once_connected(f, f->client, req, 2000, &first), 0);
    assert_true(unit_run_until(&f->loop, called, &first, UNIT_RUN_MS_DEFAULT));
}

/* `n` calls in this turn, each accepted, outcomes into m->each[from..]. */
static void call_many(fixture_t *f, Lumbung__Request *req, many_t *m, int from, int n) {
    for (int i = from; i < from + n; i++) {
        assert_int_equal(client_call(f->client, req, 2000, on_outcome, &m->each[i]), 0);
        m->ids[i] = req->request_id;
    }
}

/* Runs the loop until every call was called back, for about a second at most. */
static void run_until_none_pending(fixture_t *f) {
    for (int i = 0; i < 200 && client_pending(f->client) > 0; i++) unit_run_for(&f->loop, 5);
}

/* The calls of one turn after the first travel as one message, and a reply message carrying
   several replies reaches each caller with its own. */
static void calls_of_one_turn_travel_together_and_batched_replies_reach_each_caller(void **state) {
    enum { CALLS = 10 };
    fixture_t *f = *state;
    f->mode = SERVER_ANSWERS_BATCHED;
    Lumbung__Ping ping = LUMBUNG__PING__INIT;
    Lumbung__Request req = ping_request(&ping);
    connect_and_answer_one(f, &req);
    int messages = f->messages;
    many_t *m = calloc(1, sizeof *m);
    call_many(f, &req, m, 0, CALLS);
    assert_int_equal(f->messages, messages);      /* nothing left before the turn ended... */
    run_until_none_pending(f);
    assert_int_equal(client_pending(f->client), 0);
    assert_int_equal(f->messages, messages + 2);  /* ...then the first alone, nine together */
    assert_int_equal(f->batches, 1);
    assert_int_equal(f->largest_batch, CALLS - 1);
    for (int i = 0; i < CALLS; i++) {
        assert_int_equal(m->each[i].calls, 1);
        assert_int_equal(m->each[i].status, CLIENT_OK);
        assert_int_equal(m->each[i].request_id, m->ids[i]);
    }
    free(m);
}

/* Of a turn's n calls whose batch the bus refused: the first, sent alone, was answered, and
   each of the others was called back once with ERR_UNAVAILABLE. */
static void assert_sent_alone_answered_the_batch_unavailable(const many_t *m, int n) {
    assert_int_equal(m->each[0].calls, 1);
    assert_int_equal(m->each[0].status, CLIENT_OK);
    for (int i = 1; i < n; i++) {
        assert_int_equal(m->each[i].calls, 1);
        assert_int_equal(m->each[i].status, ERR_UNAVAILABLE);
    }
}

/* Connected with one call answered (`received`: the server's count then); the next send
   passes (a turn's first call, sent alone) and the one after it is refused. Returns the
   outcomes for a turn's calls, to free. */
static many_t *refused_after_one_send(fixture_t *f, Lumbung__Request *req, int *received) {
    connect_and_answer_one(f, req);
    *received = f->received;
    many_t *m = calloc(1, sizeof *m);
    assert_non_null(m);
    sends_to_pass = 1;
    return m;
}

/* The turn's first call went out; the batch of the others is refused when the turn ends.
   Each of them hears ERR_UNAVAILABLE (not delivered: a caller may retry), the first gets its
   reply, and the next turn's calls go out again. */
static void a_refused_batch_calls_back_each_of_its_calls_and_the_next_turn_sends_again(void **state) {
    enum { CALLS = 5 };
    fixture_t *f = *state;
    Lumbung__Ping ping = LUMBUNG__PING__INIT;
    Lumbung__Request req = ping_request(&ping);
    int received;
    many_t *m = refused_after_one_send(f, &req, &received);
    call_many(f, &req, m, 0, CALLS);
    run_until_none_pending(f);
    assert_int_equal(sends_to_pass, -1);
    assert_int_equal(client_pending(f->client), 0);
    assert_sent_alone_answered_the_batch_unavailable(m, CALLS);
    assert_int_equal(f->received, received + 1);
    /* The next turn: all of them delivered and answered. */
    memset(m, 0, sizeof *m);
    call_many(f, &req, m, 0, CALLS);
    run_until_none_pending(f);
    for (int i = 0; i < CALLS; i++) assert_int_equal(m->each[i].status, CLIENT_OK);
    assert_int_equal(f->received, received + 1 + CALLS);
    free(m);
}

/* A full batch is sent in the middle of the turn; when that send is refused, the call that
   filled it fails at once, and so does every later call of the turn, while the calls already
   packed hear ERR_UNAVAILABLE when the turn ends. */
static void a_batch_refused_mid_turn_fails_the_rest_of_the_turn_at_once(void **state) {
    enum { LATER = 3 };
    fixture_t *f = *state;
    Lumbung__Ping ping = LUMBUNG__PING__INIT;
    Lumbung__Request req = ping_request(&ping);
    int received;
    many_t *m = refused_after_one_send(f, &req, &received);
    int packed = 1 + CALL_BATCH_CALLS;           /* the one sent alone, then a full batch */
    call_many(f, &req, m, 0, packed);
    for (int i = 0; i < LATER; i++)
        assert_int_equal(client_call(f->client, &req, 2000, on_outcome, &m->each[packed + i]),
                         ERR_UNAVAILABLE);
    assert_int_equal(client_pending(f->client), (unsigned) packed);
    run_until_none_pending(f);
    assert_sent_alone_answered_the_batch_unavailable(m, packed);
    for (int i = 0; i < LATER; i++) assert_int_equal(m->each[packed + i].calls, 0);
    assert_int_equal(f->received, received + 1);
    free(m);
}

static void a_call_to_a_port_with_nothing_listening_fails_fast(void **state) {
    fixture_t *f = *state;
    char nowhere[64];
    snprintf(nowhere, sizeof nowhere, "tcp://127.0.0.1:%d", free_port());
    f->client = new_client(f, f->client_bus, nowhere);
    Lumbung__Ping ping = LUMBUNG__PING__INIT;
    Lumbung__Request req = ping_request(&ping);
    outcome_t o = { 0 };
    assert_int_equal(client_call(f->client, &req, 1000, on_outcome, &o), ERR_UNAVAILABLE);
    unit_run_for(&f->loop, 50);
    assert_int_equal(client_call(f->client, &req, 1000, on_outcome, &o), ERR_UNAVAILABLE);
    assert_int_equal(o.calls, 0);   /* a refused call is never called back */
    assert_int_equal(client_pending(f->client), 0);
}

static void a_server_that_never_answers_yields_a_timeout(void **state) {
    fixture_t *f = *state;
    f->mode = SERVER_IGNORES;
    f->client = new_client(f, f->client_bus, f->endpoint);
    Lumbung__Ping ping = LUMBUNG__PING__INIT;
    Lumbung__Request req = ping_request(&ping);
    outcome_t late = { 0 };
    assert_int_equal(call_once_connected(f, f->client, &req, SHORT_TIMEOUT_MS, &late), 0);
    uint64_t late_id = req.request_id;
    assert_true(unit_run_until(&f->loop, called, &late, UNIT_RUN_MS_DEFAULT));
    assert_int_equal(late.status, ERR_TIMEOUT);
    assert_int_equal(client_pending(f->client), 0);
    assert_int_equal(f->received, 1);

    /* The server answers after all; then a second call is answered at once. The late reply
       travels first on the same connection, so once the second reply is in, the late one has
       been seen and dropped. */
    server_send_reply(f, late_id, false);
    f->mode = SERVER_ANSWERS;
    outcome_t second = { 0 };
    assert_int_equal(client_call(f->client, &req, 2000, on_outcome, &second), 0);
    assert_true(unit_run_until(&f->loop, called, &second, UNIT_RUN_MS_DEFAULT));
    assert_int_equal(second.status, CLIENT_OK);
    assert_int_equal(second.request_id, req.request_id);
    assert_int_equal(late.calls, 1);
}

static void an_undecodable_reply_is_dropped_and_the_call_times_out(void **state) {
    fixture_t *f = *state;
    f->mode = SERVER_ANSWERS_GARBAGE;
    f->client = new_client(f, f->client_bus, f->endpoint);
    Lumbung__Ping ping = LUMBUNG__PING__INIT;
    Lumbung__Request req = ping_request(&ping);
    outcome_t o = { 0 };
    assert_int_equal(call_once_connected(f, f->client, &req, SHORT_TIMEOUT_MS, &o), 0);
    assert_true(unit_run_until(&f->loop, called, &o, UNIT_RUN_MS_DEFAULT));
    assert_int_equal(o.calls, 1);
    assert_int_equal(o.status, ERR_TIMEOUT);
}

static void destroying_the_client_calls_back_what_is_pending(void **state) {
    fixture_t *f = *state;
    f->mode = SERVER_IGNORES;
    f->client = new_client(f, f->client_bus, f->endpoint);
    Lumbung__Ping ping = LUMBUNG__PING__INIT;
    Lumbung__Request req = ping_request(&ping);
    outcome_t a = { 0 }, b = { 0 };
    assert_int_equal(call_once_connected(f, f->client, &req, 5000, &a), 0);
    assert_int_equal(client_call(f->client, &req, 5000, on_outcome, &b), 0);
    assert_int_equal(client_pending(f->client), 2);
    client_destroy(&f->client);
    assert_null(f->client);
    assert_int_equal(a.calls, 1);
    assert_int_equal(a.status, ERR_UNAVAILABLE);
    assert_int_equal(b.calls, 1);
    assert_int_equal(b.status, ERR_UNAVAILABLE);
    unit_run_for(&f->loop, 20);   /* no second callback from a timer */
    assert_int_equal(a.calls, 1);
}

typedef struct {
    fixture_t *f;
    client_t *client;
    outcome_t o;
    int unavailable;
} stranger_t;

static bool stranger_refused(void *arg) {
    stranger_t *s = arg;
    Lumbung__Ping ping = LUMBUNG__PING__INIT;
    Lumbung__Request req = ping_request(&ping);
    if (client_call(s->client, &req, 1000, on_outcome, &s->o) == ERR_UNAVAILABLE) s->unavailable++;
    return bus_auth_refused(s->f->server_bus) > 0;
}

/* A peer with a valid CURVE key that is not on the allow-list never gets a request through. */
static void a_key_not_on_the_allow_list_is_refused_and_counted(void **state) {
    fixture_t *f = *state;
    bus_t *stranger_bus = new_bus(f, "stranger");
    stranger_t s = { .f = f };
    s.client = new_client(f, stranger_bus, f->endpoint);
    assert_true(unit_run_until(&f->loop, stranger_refused, &s, UNIT_RUN_MS_DEFAULT));
    unit_run_for(&f->loop, 100);
    Lumbung__Ping ping = LUMBUNG__PING__INIT;
    Lumbung__Request req = ping_request(&ping);
    assert_int_equal(client_call(s.client, &req, 1000, on_outcome, &s.o), ERR_UNAVAILABLE);
    assert_true(s.unavailable > 0);
    assert_int_equal(s.o.calls, 0);
    assert_int_equal(f->received, 0);
    assert_true(bus_auth_refused(f->server_bus) >= 1);
    client_destroy(&s.client);
    bus_destroy(&stranger_bus);
}

static bool received_one(void *arg) { return ((fixture_t *) arg)->received >= 1; }

static void on_nothing(bus_socket_t *s, bus_msg_t *msg, void *arg) {
    (void) s;
    (void) msg;
    (void) arg;
}

static void a_message_with_too_many_frames_is_dropped_and_counted(void **state) {
    fixture_t *f = *state;
    f->mode = SERVER_IGNORES;
    int err = 0;
    bus_socket_opts_t opts = { .immediate = false };   /* queue until connected */
    bus_socket_t *dealer = bus_connect(f->client_bus, ZMQ_DEALER, f->endpoint, "svc", &opts,
                                       on_nothing, NULL, &err);
    assert_non_null(dealer);
    const void *parts[BUS_FRAMES_MAX + 2];
    size_t sizes[BUS_FRAMES_MAX + 2];
    for (int i = 0; i < BUS_FRAMES_MAX + 2; i++) {
        parts[i] = "x";
        sizes[i] = 1;
    }
    assert_int_equal(bus_send(dealer, parts, sizes, BUS_FRAMES_MAX + 2), 0);
    Lumbung__Ping ping = LUMBUNG__PING__INIT;
    Lumbung__Request req = ping_request(&ping);
    uint8_t buf[64];
    size_t len = lumbung__request__pack(&req, buf);
    const void *good[2] = { "", buf };
    size_t good_sizes[2] = { 0, len };
    assert_int_equal(bus_send(dealer, good, good_sizes, 2), 0);
    /* The good message follows the oversized one, so once it is in, the other was handled. */
    assert_true(unit_run_until(&f->loop, received_one, f, UNIT_RUN_MS_DEFAULT));
    assert_int_equal(f->received, 1);
    assert_int_equal(bus_socket_dropped(f->router), 1);
    bus_socket_destroy(&dealer);
    assert_null(dealer);
}

/* Three frames, each under ZMQ_MAXMSGSIZE, over BUS_MESSAGE_MAX together: dropped whole. */
static void a_message_over_the_total_size_is_dropped_and_counted(void **state) {
    fixture_t *f = *state;
    f->mode = SERVER_IGNORES;
    int err = 0;
    bus_socket_opts_t opts = { .immediate = false };
    bus_socket_t *dealer = bus_connect(f->client_bus, ZMQ_DEALER, f->endpoint, "svc", &opts,
                                       on_nothing, NULL, &err);
    assert_non_null(dealer);
    size_t part = BUS_MESSAGE_MAX / 2 + 16;
    char *big = calloc(1, part);
    assert_non_null(big);
    const void *parts[3] = { "", big, big };
    size_t sizes[3] = { 0, part, part };
    assert_int_equal(bus_send(dealer, parts, sizes, 3), 0);
    free(big);
    Lumbung__Ping ping = LUMBUNG__PING__INIT;
    Lumbung__Request req = ping_request(&ping);
    uint8_t buf[64];
    size_t len = lumbung__request__pack(&req, buf);
    const void *good[2] = { "", buf };
    size_t good_sizes[2] = { 0, len };
    assert_int_equal(bus_send(dealer, good, good_sizes, 2), 0);
    assert_true(unit_run_until(&f->loop, received_one, f, UNIT_RUN_MS_DEFAULT * 4));
    assert_int_equal(f->received, 1);
    assert_int_equal(bus_socket_dropped(f->router), 1);
    bus_socket_destroy(&dealer);
}

static void a_reply_to_a_peer_that_is_gone_is_unreachable(void **state) {
    fixture_t *f = *state;
    const void *parts[3] = { "nobody", "", "reply" };
    size_t sizes[3] = { 6, 0, 5 };
    assert_int_equal(bus_send(f->router, parts, sizes, 3), -EHOSTUNREACH);
}

static void connecting_without_the_servers_public_key_fails(void **state) {
    fixture_t *f = *state;
    int err = 0;
    assert_null(client_new(f->client_bus, "no-such-service", f->endpoint, &err));
    assert_int_equal(err, -ENOENT);
    err = 0;
    assert_null(bus_connect(f->client_bus, ZMQ_SUB, f->endpoint, "no-such-service", NULL, on_nothing,
                            NULL, &err));
    assert_int_equal(err, -ENOENT);
}

static void binding_an_endpoint_in_use_or_invalid_fails(void **state) {
    fixture_t *f = *state;
    int err = 0;
    assert_null(bus_bind(f->server_bus, ZMQ_ROUTER, f->endpoint, NULL, on_request, f, &err));
    assert_int_equal(err, -EADDRINUSE);
    err = 0;
    assert_null(bus_bind(f->server_bus, ZMQ_PUB, "bogus://endpoint", NULL, NULL, NULL, &err));
    assert_true(err < 0);
}

static void a_malformed_allow_list_stops_the_bus(void **state) {
    fixture_t *f = *state;
    char path[UNIT_PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/allow.list", f->dir);
    unit_write_file(path, "svc service not-a-key\n");
    bus_config_t bc = { .name = "svc", .curve = true };
    int err = 0;
    assert_null(bus_new(&f->loop, &bc, &err));
    assert_int_equal(err, -EINVAL);
}

/* curve = false is for inproc only; the same client code works over it. */
static void a_plain_inproc_bus_carries_calls_too(void **state) {
    fixture_t *f = *state;
    bus_config_t bc = { .name = "svc", .curve = false };
    int err = 0;
    bus_t *plain = bus_new(&f->loop, &bc, &err);
    assert_non_null(plain);
    bus_socket_t *router = bus_bind(plain, ZMQ_ROUTER, "inproc://unit", NULL, on_request, f, &err);
    assert_non_null(router);
    bus_socket_t *saved = f->router;
    f->router = router;
    client_t *c = client_new(plain, "svc", "inproc://unit", &err);
    assert_non_null(c);
    Lumbung__Ping ping = LUMBUNG__PING__INIT;
    Lumbung__Request req = ping_request(&ping);
    outcome_t o = { 0 };
    assert_int_equal(call_once_connected(f, c, &req, 2000, &o), 0);
    assert_true(unit_run_until(&f->loop, called, &o, UNIT_RUN_MS_DEFAULT));
    assert_int_equal(o.status, CLIENT_OK);
    assert_string_equal(f->last_peer, "");   /* no ZAP, so no name */
    assert_null(bus_peer_role(plain, "cli"));
    assert_int_equal(bus_auth_refused(plain), 0);
    f->router = saved;
    client_destroy(&c);
    bus_destroy(&plain);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void) {
    unit_quiet_logs("test_bus_client");
    const struct CMUnitTest tests[] = {
        T(a_call_gets_its_reply_and_the_server_knows_the_caller),
        T(many_calls_in_flight_all_get_their_own_reply),
        T(calls_of_one_turn_travel_together_and_batched_replies_reach_each_caller),
        T(a_refused_batch_calls_back_each_of_its_calls_and_the_next_turn_sends_again),
        T(a_batch_refused_mid_turn_fails_the_rest_of_the_turn_at_once),
        T(a_call_to_a_port_with_nothing_listening_fails_fast),
        T(a_server_that_never_answers_yields_a_timeout),
        T(an_undecodable_reply_is_dropped_and_the_call_times_out),
        T(destroying_the_client_calls_back_what_is_pending),
        T(a_key_not_on_the_allow_list_is_refused_and_counted),
        T(a_message_with_too_many_frames_is_dropped_and_counted),
        T(a_message_over_the_total_size_is_dropped_and_counted),
        T(a_reply_to_a_peer_that_is_gone_is_unreachable),
        T(connecting_without_the_servers_public_key_fails),
        T(binding_an_endpoint_in_use_or_invalid_fails),
        T(a_malformed_allow_list_stops_the_bus),
        T(a_plain_inproc_bus_carries_calls_too),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
