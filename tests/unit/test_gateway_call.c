/* call (gateway): what a user relies on in how the gateway finds the service behind a route —
   the three services answer by name (members, transactions, reporting) and nothing else does;
   with one transactions shard every call goes to the service itself, with several a call of
   transactions goes to the shard of the cooperative it names (id mod shards without a map)
   while members and reporting stay single; and a route row whose service, operation, path
   parameter fields or raw body the protos do not have is caught at start-up (one problem each),
   as is the follow-up of the member exit, so a bad table never reaches a user. A call's
   message gets the cooperative from the path and the page from the query (a limit outside
   1..500 is a 400 invalid_limit naming the field limit, and nothing is sent), the actor and
   the idempotency key scoped by user ("<username>:<key>"), and the read-your-writes
   sequences of the services the called one follows.

   call.c talks to the rest of the gateway through gateway.h, http.h and client.h: this file
   stands in for those calls (path parameters, query, answer, one bus call) and keeps the
   request sent. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../services/gateway/gateway.h"
#include "shard.h"
#include "unit.h"

/* ---------------------------------------------------------------- the stand-ins */

static struct {
    const char *coop;                         /* the {coop} path parameter */
    const char *query[2][2];                  /* name, value */
    Lumbung__Request *sent;
    int n_sent, status;
    const char *code, *field;
} fake;

void gateway_exchange_error(gateway_exchange_t *ex, int status, const char *code,
                            const char *field, const char *fmt, ...) {
    (void) fmt;
    fake.status = status;
    fake.code = arena_strdup(ex->arena, code);
    fake.field = field ? arena_strdup(ex->arena, field) : NULL;
}

void gateway_exchange_finish(gateway_exchange_t *ex, int status, const char *content_type,
                             const void *body, size_t len, const char *outcome) {
    (void) ex, (void) content_type, (void) body, (void) len, (void) outcome;
    fake.status = status;
}

void gateway_exchange_json(gateway_exchange_t *ex, int status, json_t *json) {
    (void) ex;
    fake.status = status;
    json_decref(json);
}

void gateway_exchange_json_out(gateway_exchange_t *ex, int status, json_pb_out_t *out) {
    (void) ex, (void) out;
    fake.status = status;                    /* no reply comes in these tests */
}

void gateway_exchange_header(gateway_exchange_t *ex, const char *name, const char *value) {
    (void) ex, (void) name, (void) value;
}

void gateway_exchange_call_sent(gateway_exchange_t *ex) {
    (void) ex;                               /* the audit is not part of these tests */
}

const char *gateway_exchange_param(const gateway_exchange_t *ex, const char *name) {
    (void) ex;
    return !strcmp(name, "coop") ? fake.coop : NULL;
}

int gateway_parse_u64(const char *text, uint64_t *value) {
    if (!text || !*text || strspn(text, "0123456789") != strlen(text)) return -EINVAL;
    *value = strtoull(text, NULL, 10);
    return 0;
}

int http_req_query_each(const http_req_t *req,
                        int (*fn)(void *arg, const char *name, const char *value), void *arg) {
    (void) req;
    for (int i = 0; i < 2 && fake.query[i][0]; i++) {
        int rc = fn(arg, fake.query[i][0], fake.query[i][1]);
        if (rc) return rc;
    }
    return 0;
}

const uint8_t *http_req_body(const http_req_t *req, size_t *len) {
    (void) req;
    *len = 0;
    return NULL;
}

int client_call(client_t *self, Lumbung__Request *request, uint32_t timeout_ms,
                client_reply_fn fn, void *arg) {
    (void) self, (void) timeout_ms, (void) fn, (void) arg;
    fake.sent = request;
    fake.n_sent++;
    return 0;
}

/* ---------------------------------------------------------------- backends */

static void services_are_found_by_name_only(void **state) {
    (void) state;
    assert_int_equal(gateway_service_index("members"), GATEWAY_SERVICE_MEMBERS);
    assert_int_equal(gateway_service_index("transactions"), GATEWAY_SERVICE_TRANSACTIONS);
    assert_int_equal(gateway_service_index("reporting"), GATEWAY_SERVICE_REPORTING);
    assert_int_equal(GATEWAY_SERVICE_MEMBERS, 0);
    assert_int_equal(GATEWAY_SERVICE_TRANSACTIONS, 1);
    assert_int_equal(GATEWAY_SERVICE_REPORTING, 2);
    assert_int_equal(gateway_service_index("gateway"), ERR_NOT_FOUND);
    assert_int_equal(gateway_service_index("Members"), ERR_NOT_FOUND);
    assert_int_equal(gateway_service_index("transactions-1"), ERR_NOT_FOUND);
    assert_int_equal(gateway_service_index(""), ERR_NOT_FOUND);
    assert_int_equal(gateway_service_index(NULL), ERR_NOT_FOUND);
    for (int i = 0; i < GATEWAY_SERVICES; i++)
        assert_int_equal(gateway_service_index(gateway_service_names[i]), i);
}

/* Shard 0 is the transactions service's own client; shard K (K >= 1) comes after the three
   services. */
static void shard_backends_follow_the_services(void **state) {
    (void) state;
    assert_int_equal(gateway_shard_backend(0), GATEWAY_SERVICE_TRANSACTIONS);
    assert_int_equal(gateway_shard_backend(1), 3);
    assert_int_equal(gateway_shard_backend(2), 4);
    assert_int_equal(gateway_shard_backend(SHARD_MAX - 1), GATEWAY_BACKENDS_MAX - 1);
}

static void one_shard_sends_every_call_to_its_service(void **state) {
    (void) state;
    gateway_t gw = { .shards = 1 };
    for (uint64_t coop = 0; coop < 10; coop++) {
        assert_int_equal(gateway_backend(&gw, GATEWAY_SERVICE_MEMBERS, coop), 0);
        assert_int_equal(gateway_backend(&gw, GATEWAY_SERVICE_TRANSACTIONS, coop), 1);
        assert_int_equal(gateway_backend(&gw, GATEWAY_SERVICE_REPORTING, coop), 2);
    }
}

static void several_shards_send_transactions_by_cooperative(void **state) {
    (void) state;
    char dir[UNIT_PATH_MAX], map[UNIT_PATH_MAX + 16];
    unit_tempdir(dir, "gwcall");
    snprintf(map, sizeof map, "%s/shard.map", dir);      /* absent: the rule id mod shards */
    assert_int_equal(setenv("LUMBUNG_SHARD_MAP", map, 1), 0);
    assert_int_equal(setenv("LUMBUNG_TRANSACTIONS_SHARDS", "3", 1), 0);
    assert_int_equal(shard_reload(), 0);
    assert_int_equal(shard_count(), 3);
    gateway_t gw = { .shards = 3 };
    assert_int_equal(gateway_backend(&gw, GATEWAY_SERVICE_TRANSACTIONS, 3), 1);   /* shard 0 */
    assert_int_equal(gateway_backend(&gw, GATEWAY_SERVICE_TRANSACTIONS, 4), 3);   /* shard 1 */
    assert_int_equal(gateway_backend(&gw, GATEWAY_SERVICE_TRANSACTIONS, 5), 4);   /* shard 2 */
    assert_int_equal(gateway_backend(&gw, GATEWAY_SERVICE_TRANSACTIONS, 7), 3);
    assert_int_equal(gateway_backend(&gw, GATEWAY_SERVICE_MEMBERS, 5), 0);
    assert_int_equal(gateway_backend(&gw, GATEWAY_SERVICE_REPORTING, 4), 2);
    unsetenv("LUMBUNG_SHARD_MAP");
    unsetenv("LUMBUNG_TRANSACTIONS_SHARDS");
    assert_int_equal(shard_reload(), 0);
    assert_int_equal(shard_count(), 1);
    unit_rmtree(dir);
}

/* ---------------------------------------------------------------- start-up check */

static void sound_rows_pass_the_check(void **state) {
    (void) state;
    const route_t get = { "GET", "/api/v1/cooperatives/{coop}/members/{id}", "members",
                          "get_member", { { "coop", "cooperative_id" }, { "id", "id" } }, 0 };
    const route_t import = { "POST", "/api/v1/cooperatives/{coop}/members/import", "members",
                             "import_members", { { "coop", "cooperative_id" } },
                             ROUTE_CREATED | ROUTE_RAW_BODY };
    const route_t exit = { "POST", "/x/{coop}/{id}", "members", "exit_member",
                           { { "coop", "cooperative_id" }, { "id", "id" } }, 0 };
    assert_int_equal(gateway_call_check_route(&get), 0);
    assert_int_equal(gateway_call_check_route(&import), 0);
    assert_int_equal(gateway_call_check_route(&exit), 0);
}

static void an_unknown_service_or_operation_is_one_problem(void **state) {
    (void) state;
    const route_t no_service = { "GET", "/x", "ledger", "get_member", { { NULL, NULL } }, 0 };
    const route_t gateway = { "GET", "/x", "gateway", "healthz", { { NULL, NULL } }, 0 };
    const route_t no_op = { "GET", "/x/{coop}", "members", "get_members_all",
                            { { "coop", "cooperative_id" }, { "id", "nothing" } }, 0 };
    const route_t other_service = { "GET", "/x", "reporting", "get_member", { { NULL, NULL } }, 0 };
    assert_int_equal(gateway_call_check_route(&no_service), 1);
    assert_int_equal(gateway_call_check_route(&gateway), 1);
    assert_int_equal(gateway_call_check_route(&no_op), 1);
    assert_int_equal(gateway_call_check_route(&other_service), 1);
}

static void each_missing_field_is_a_problem(void **state) {
    (void) state;
    const route_t one = { "GET", "/x/{coop}/{id}", "members", "get_member",
                          { { "coop", "cooperative_id" }, { "id", "member_number" } }, 0 };
    const route_t two = { "GET", "/x/{coop}/{id}", "members", "get_member",
                          { { "coop", "coop" }, { "id", "member_id_x" } }, 0 };
    assert_int_equal(gateway_call_check_route(&one), 1);
    assert_int_equal(gateway_call_check_route(&two), 2);
}

/* A raw body (CSV) goes to the bytes field `body`: an operation without one cannot take it. */
static void a_raw_body_needs_a_bytes_body_field(void **state) {
    (void) state;
    const route_t raw = { "POST", "/x/{coop}/{id}", "members", "get_member",
                          { { "coop", "cooperative_id" }, { "id", "id" } }, ROUTE_RAW_BODY };
    const route_t raw_and_field = { "POST", "/x/{coop}", "members", "get_member",
                                    { { "coop", "cooperative" } }, ROUTE_RAW_BODY };
    assert_int_equal(gateway_call_check_route(&raw), 1);
    assert_int_equal(gateway_call_check_route(&raw_and_field), 2);
}

/* The member exit's follow-up (transactions get_settlement by cooperative and member id)
   agrees with the protos. */
static void the_follow_up_rows_are_sound(void **state) {
    (void) state;
    assert_int_equal(gateway_call_check_follow_ups(), 0);
}

/* ---------------------------------------------------------------- a call's message */

static const route_t meetings = { "GET", "/api/v1/cooperatives/{coop}/annual-meetings", "members",
                                  "list_annual_meetings", { { "coop", "cooperative_id" } },
                                  ROUTE_QUERY_FIELDS };

typedef struct {
    gateway_t gw;
    gateway_exchange_t ex;
    int client;                               /* stands in for a client_t */
} call_fixture_t;

static int call_setup(void **state) {
    call_fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    memset(&fake, 0, sizeof fake);
    f->gw.shards = 1;
    f->gw.timeout_ms = 1000;
    for (int i = 0; i < GATEWAY_SERVICES; i++) f->gw.clients[i] = (client_t *) &f->client;
    f->ex.gw = &f->gw;
    f->ex.arena = arena_new();
    f->ex.route = &meetings;
    f->ex.request_id = "rid-1";
    f->ex.caller.known = true;
    strcpy(f->ex.caller.user.username, "budi");
    f->ex.caller.user.role = LUMBUNG__ROLE__ROLE_ADMIN;
    *state = f;
    return 0;
}

static int call_teardown(void **state) {
    call_fixture_t *f = *state;
    arena_destroy(&f->ex.arena);
    free(f);
    return 0;
}

static const Lumbung__ListAnnualMeetings *sent_meetings(void) {
    assert_int_equal(fake.n_sent, 1);
    assert_int_equal(fake.sent->body_case, LUMBUNG__REQUEST__BODY_MEMBERS);
    assert_int_equal(fake.sent->members->op_case, LUMBUNG__MEMBERS_REQUEST__OP_LIST_ANNUAL_MEETINGS);
    return fake.sent->members->list_annual_meetings;
}

static void path_and_query_fill_the_message(void **state) {
    call_fixture_t *f = *state;
    fake.coop = "12";
    fake.query[0][0] = "limit", fake.query[0][1] = "500";
    fake.query[1][0] = "cursor", fake.query[1][1] = "abc";
    gateway_call(&f->ex, NULL);
    assert_int_equal(fake.status, 0);
    const Lumbung__ListAnnualMeetings *m = sent_meetings();
    assert_true(m->has_cooperative_id);
    assert_int_equal(m->cooperative_id, 12);
    assert_true(m->has_limit);
    assert_int_equal(m->limit, 500);
    assert_string_equal(m->cursor, "abc");
    assert_string_equal(fake.sent->trace_id, "rid-1");
    assert_non_null(fake.sent->actor);
    assert_string_equal(fake.sent->actor->user, "budi");
    assert_int_equal(fake.sent->actor->role, LUMBUNG__ROLE__ROLE_ADMIN);
    assert_null(fake.sent->idempotency_key);
}

static void a_limit_out_of_range_is_refused_unsent(void **state) {
    call_fixture_t *f = *state;
    const char *bad[] = { "0", "501", "-1", "ten", "" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fake.coop = "12";
        fake.query[0][0] = "limit", fake.query[0][1] = bad[i];
        fake.status = 0;
        f->ex.call = NULL;
        gateway_call(&f->ex, NULL);
        assert_int_equal(fake.status, 400);
        assert_string_equal(fake.code, "invalid_limit");
        assert_string_equal(fake.field, "limit");
        assert_int_equal(fake.n_sent, 0);
    }
    fake.query[0][1] = "1";
    f->ex.call = NULL;
    gateway_call(&f->ex, NULL);
    assert_int_equal(sent_meetings()->limit, 1);
}

/* Two users sending the same key are two different requests to the services. */
static void the_idempotency_key_is_scoped_by_user(void **state) {
    call_fixture_t *f = *state;
    fake.coop = "12";
    f->ex.noted.idempotency_key = "k-7";
    gateway_call(&f->ex, NULL);
    assert_string_equal(fake.sent->idempotency_key, "budi:k-7");
}

/* members follows no one, transactions members, reporting members and transactions. */
static void read_your_writes_follow_the_called_service(void **state) {
    call_fixture_t *f = *state;
    fake.coop = "12";
    f->gw.seen_seq[GATEWAY_SERVICE_MEMBERS] = 40;
    f->gw.seen_seq[GATEWAY_SERVICE_TRANSACTIONS] = 70;
    gateway_call(&f->ex, NULL);
    assert_false(fake.sent->has_after_members_seq);
    assert_false(fake.sent->has_after_transactions_seq);
    const route_t tx = { "GET", "/x/{coop}", "transactions", "list_accounts",
                         { { "coop", "cooperative_id" } }, 0 };
    assert_int_equal(gateway_call_check_route(&tx), 0);
    f->ex.route = &tx;
    f->ex.call = NULL;
    gateway_call(&f->ex, NULL);
    assert_int_equal(fake.n_sent, 2);
    assert_true(fake.sent->has_after_members_seq);
    assert_int_equal(fake.sent->after_members_seq, 40);
    assert_false(fake.sent->has_after_transactions_seq);
    const route_t rep = { "GET", "/x/{coop}", "reporting", "health",
                          { { "coop", "cooperative_id" } }, 0 };
    assert_int_equal(gateway_call_check_route(&rep), 0);
    f->ex.route = &rep;
    f->ex.call = NULL;
    gateway_call(&f->ex, NULL);
    assert_int_equal(fake.n_sent, 3);
    assert_int_equal(fake.sent->body_case, LUMBUNG__REQUEST__BODY_REPORTING);
    assert_true(fake.sent->has_after_members_seq);
    assert_int_equal(fake.sent->after_members_seq, 40);
    assert_true(fake.sent->has_after_transactions_seq);
    assert_int_equal(fake.sent->after_transactions_seq, 70);
}

int main(void) {
    unit_quiet_logs("test_gateway_call");                  /* the checks log errors on purpose */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(services_are_found_by_name_only),
        cmocka_unit_test(shard_backends_follow_the_services),
        cmocka_unit_test(one_shard_sends_every_call_to_its_service),
        cmocka_unit_test(several_shards_send_transactions_by_cooperative),
        cmocka_unit_test(sound_rows_pass_the_check),
        cmocka_unit_test(an_unknown_service_or_operation_is_one_problem),
        cmocka_unit_test(each_missing_field_is_a_problem),
        cmocka_unit_test(a_raw_body_needs_a_bytes_body_field),
        cmocka_unit_test(the_follow_up_rows_are_sound),
        cmocka_unit_test_setup_teardown(path_and_query_fill_the_message, call_setup, call_teardown),
        cmocka_unit_test_setup_teardown(a_limit_out_of_range_is_refused_unsent, call_setup,
                                        call_teardown),
        cmocka_unit_test_setup_teardown(the_idempotency_key_is_scoped_by_user, call_setup,
                                        call_teardown),
        cmocka_unit_test_setup_teardown(read_your_writes_follow_the_called_service, call_setup,
                                        call_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
