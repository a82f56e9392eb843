/* members_fixture — the fixture of the members unit tests that drive the real handlers: the
   members service (its operation table, store and import steps, as main.c wires them) on a
   fresh store in a temporary directory, and a client "gateway" (a Lumbung service, so the
   actor each request names is believed) on one libuv loop with CURVE on loopback TCP.

   mf_call() sends one MembersRequest as an actor and runs the loop until the reply; the reply
   is kept (unpacked, owned by the fixture) until teardown; mf_replay() reads the members stream
   as a follower does. Header-only (static inline): each test file is one translation unit.
   Include after cmocka.h and unit.h.

   Not for: what a test asserts (each test states its own figures). */
#ifndef LUMBUNG_TESTS_MEMBERS_FIXTURE_H
#define LUMBUNG_TESTS_MEMBERS_FIXTURE_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "client.h"
#include "curve.h"
#include "service.h"
#include "../../services/members/members.h"

enum { MF_REPLIES_MAX = 256, MF_CALL_MS = 5000 };

typedef struct {
    char dir[UNIT_PATH_MAX], keys[UNIT_PATH_MAX + 8], data[UNIT_PATH_MAX + 8];
    char router[64], pub[64];
    uv_loop_t loop;
    bus_t *svc_bus, *cli_bus;
    members_app_t app;
    client_t *client;
    Lumbung__Reply *replies[MF_REPLIES_MAX];
    size_t n_replies;
} mf_t;

static inline int mf_free_port(void) {
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

static inline bus_t *mf_bus(mf_t *f, const char *name) {
    bus_config_t bc = { .name = name, .curve = true };
    int err = 0;
    bus_t *b = bus_new(&f->loop, &bc, &err);
    assert_non_null(b);
    return b;
}

static inline int mf_setup(void **state) {
    static const service_handlers_t handlers = { .operations = &members_operations };
    mf_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    unit_quiet_logs("members-unit");
    unit_tempdir(f->dir, "members");
    snprintf(f->keys, sizeof f->keys, "%s/keys", f->dir);
    snprintf(f->data, sizeof f->data, "%s/data", f->dir);
    setenv("LUMBUNG_KEYS", f->keys, 1);
    assert_int_equal(curve_keys_ensure(f->keys, "members", "service"), 0);
    assert_int_equal(curve_keys_ensure(f->keys, "gateway", "service"), 0);
    snprintf(f->router, sizeof f->router, "tcp://127.0.0.1:%d", mf_free_port());
    snprintf(f->pub, sizeof f->pub, "tcp://127.0.0.1:%d", mf_free_port());
    assert_int_equal(uv_loop_init(&f->loop), 0);
    f->svc_bus = mf_bus(f, "members");
    f->cli_bus = mf_bus(f, "gateway");
    service_config_t sc = { .name = "members", .router_endpoint = f->router,
                            .pub_endpoint = f->pub, .data_dir = f->data };
    int err = 0;
    f->app.service = service_new(f->svc_bus, &sc, &handlers, &f->app, &err);
    assert_non_null(f->app.service);
    f->app.store = members_store_new(service_store(f->app.service), &err);
    assert_non_null(f->app.store);
    assert_int_equal(members_import_resume(&f->app, &f->loop), 0);
    assert_int_equal(service_start(f->app.service), 0);
    f->client = client_new(f->cli_bus, "members", f->router, &err);
    assert_non_null(f->client);
    *state = f;
    return 0;
}

static inline int mf_teardown(void **state) {
    mf_t *f = *state;
    client_destroy(&f->client);
    members_import_stop(&f->app);
    /* The service's process ends here; a test's loop must close, so the timer is closed too. */
    if (f->app.import_timer_open) uv_close((uv_handle_t *) &f->app.import_timer, NULL);
    members_store_destroy(&f->app.store);
    service_destroy(&f->app.service);
    bus_destroy(&f->cli_bus);
    bus_destroy(&f->svc_bus);
    unit_close_loop(&f->loop);
    for (size_t i = 0; i < f->n_replies; i++) lumbung__reply__free_unpacked(f->replies[i], NULL);
    unsetenv("LUMBUNG_KEYS");
    unit_rmtree(f->dir);
    free(f);
    return 0;
}

typedef struct {
    mf_t *f;
    int calls, status;
    Lumbung__Reply *reply;
} mf_outcome_t;

/* The reply lives only during the callback: keep a copy of our own. */
static inline void mf_on_reply(void *arg, int status, const Lumbung__Reply *reply) {
    mf_outcome_t *o = arg;
    o->calls++;
    o->status = status;
    if (status != CLIENT_OK) return;
    size_t len = lumbung__reply__get_packed_size(reply);
    uint8_t *bytes = malloc(len ? len : 1);
    assert_non_null(bytes);
    lumbung__reply__pack(reply, bytes);
    o->reply = lumbung__reply__unpack(NULL, len, bytes);
    free(bytes);
    assert_non_null(o->reply);
    assert_true(o->f->n_replies < MF_REPLIES_MAX);
    o->f->replies[o->f->n_replies++] = o->reply;
}

static inline bool mf_called(void *arg) { return ((mf_outcome_t *) arg)->calls > 0; }

/* Sends `req` and returns the reply (the client stamps request_id and deadline). */
static inline Lumbung__Reply *mf_send(mf_t *f, Lumbung__Request *req) {
    mf_outcome_t o = { .f = f };
    int rc = ERR_UNAVAILABLE;
    for (int i = 0; i < 200 && rc == ERR_UNAVAILABLE; i++) {
        rc = client_call(f->client, req, MF_CALL_MS, mf_on_reply, &o);
        if (rc == ERR_UNAVAILABLE) unit_run_for(&f->loop, 10);
    }
    assert_int_equal(rc, 0);
    assert_true(unit_run_until(&f->loop, mf_called, &o, MF_CALL_MS));
    assert_int_equal(o.status, CLIENT_OK);
    return o.reply;
}

/* Sends `mr` as `role` (of cooperative `coop`, 0: all) and returns the reply. */
static inline Lumbung__Reply *mf_call_as(mf_t *f, Lumbung__MembersRequest *mr,
                                         Lumbung__Role role, uint64_t coop) {
    Lumbung__Actor actor = LUMBUNG__ACTOR__INIT;
    actor.user = role == LUMBUNG__ROLE__ROLE_ADMIN ? "admin"
                 : role == LUMBUNG__ROLE__ROLE_SUPERVISOR ? "pengawas.dinas" : "operator";
    actor.has_role = 1;
    actor.role = role;
    actor.has_cooperative_id = coop != 0;
    actor.cooperative_id = coop;
    Lumbung__Request req = LUMBUNG__REQUEST__INIT;
    req.actor = &actor;
    req.body_case = LUMBUNG__REQUEST__BODY_MEMBERS;
    req.members = mr;
    return mf_send(f, &req);
}

/* The members stream from `from` on, as the service's replay gives it to a follower. */
static inline Lumbung__ReplayReply *mf_replay(mf_t *f, uint64_t from) {
    Lumbung__ReplayRequest rr = LUMBUNG__REPLAY_REQUEST__INIT;
    rr.has_from_seq = 1;
    rr.from_seq = from;
    Lumbung__Request req = LUMBUNG__REQUEST__INIT;
    req.body_case = LUMBUNG__REQUEST__BODY_REPLAY;
    req.replay = &rr;
    Lumbung__Reply *r = mf_send(f, &req);
    assert_null(r->error);
    assert_int_equal(r->result_case, LUMBUNG__REPLY__RESULT_REPLAY);
    return r->replay;
}

static inline Lumbung__Reply *mf_call(mf_t *f, Lumbung__MembersRequest *mr) {
    return mf_call_as(f, mr, LUMBUNG__ROLE__ROLE_ADMIN, 0);
}

/* The members result of a reply that must have succeeded. */
static inline Lumbung__MembersReply *mf_ok(Lumbung__Reply *r) {
    if (r->error)
        fail_msg("error %s (%s): %s", r->error->code ? r->error->code : "",
                 r->error->field ? r->error->field : "",
                 r->error->message ? r->error->message : "");
    assert_int_equal(r->result_case, LUMBUNG__REPLY__RESULT_MEMBERS);
    return r->members;
}

/* Asserts the reply is the error kind/code/field (field NULL: none). */
static inline void mf_expect_error(const Lumbung__Reply *r, Lumbung__ErrorKind kind,
                                   const char *code, const char *field) {
    assert_non_null(r->error);
    assert_int_equal(r->error->kind, kind);
    assert_string_equal(r->error->code, code);
    if (field) assert_string_equal(r->error->field ? r->error->field : "", field);
    else assert_true(!r->error->field || !*r->error->field);
}

#endif
