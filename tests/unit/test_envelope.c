/* envelope: typed errors, the kind -> HTTP status table, role names, packing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <time.h>

#include "unit.h"
#include "envelope.h"

static void fail_sets_a_typed_error_and_clears_the_result(void **state) {
    (void) state;
    arena_t *a = arena_new();
    Lumbung__Reply *reply = arena_message(a, &lumbung__reply__descriptor);
    Lumbung__Pong *pong = arena_message(a, &lumbung__pong__descriptor);
    reply->result_case = LUMBUNG__REPLY__RESULT_PONG;
    reply->pong = pong;
    int rc = envelope_fail(a, reply, LUMBUNG__ERROR_KIND__ERROR_KIND_RULE, "insufficient_funds",
                           "amount", "the balance is %s, less than %s", "Rp 1.000", "Rp 5.000");
    assert_int_equal(rc, ERR_REJECTED);
    assert_true(rc < 0);
    assert_int_equal(reply->result_case, LUMBUNG__REPLY__RESULT__NOT_SET);
    assert_non_null(reply->error);
    assert_int_equal(reply->error->has_kind, 1);
    assert_int_equal(reply->error->kind, LUMBUNG__ERROR_KIND__ERROR_KIND_RULE);
    assert_string_equal(reply->error->code, "insufficient_funds");
    assert_string_equal(reply->error->field, "amount");
    assert_string_equal(reply->error->message, "the balance is Rp 1.000, less than Rp 5.000");

    /* The error survives a trip over the wire. */
    size_t len;
    uint8_t *bytes = envelope_pack(a, &reply->base, &len);
    Lumbung__Reply *back = lumbung__reply__unpack(NULL, len, bytes);
    assert_non_null(back);
    assert_int_equal(back->result_case, LUMBUNG__REPLY__RESULT__NOT_SET);
    assert_string_equal(back->error->code, "insufficient_funds");
    lumbung__reply__free_unpacked(back, NULL);
    arena_destroy(&a);
}

static void fail_without_a_field_leaves_it_absent(void **state) {
    (void) state;
    arena_t *a = arena_new();
    Lumbung__Reply *reply = arena_message(a, &lumbung__reply__descriptor);
    envelope_fail(a, reply, LUMBUNG__ERROR_KIND__ERROR_KIND_NOT_FOUND, "member_not_found", NULL,
                  "no member %d", 12);
    assert_null(reply->error->field);
    assert_string_equal(reply->error->message, "no member 12");
    arena_destroy(&a);
}

static void fail_with_an_unspecified_kind_still_returns_rejected(void **state) {
    (void) state;
    arena_t *a = arena_new();
    Lumbung__Reply *reply = arena_message(a, &lumbung__reply__descriptor);
    int rc = envelope_fail(a, reply, LUMBUNG__ERROR_KIND__ERROR_KIND_UNSPECIFIED, "oops", NULL, "x");
    assert_int_equal(rc, ERR_REJECTED);
    assert_int_equal(envelope_http_status(reply->error->kind), 500);
    arena_destroy(&a);
}

static void every_kind_has_its_http_status(void **state) {
    (void) state;
    static const struct { Lumbung__ErrorKind kind; int status; } table[] = {
        { LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, 400 },
        { LUMBUNG__ERROR_KIND__ERROR_KIND_UNAUTHENTICATED, 401 },
        { LUMBUNG__ERROR_KIND__ERROR_KIND_FORBIDDEN, 403 },
        { LUMBUNG__ERROR_KIND__ERROR_KIND_NOT_FOUND, 404 },
        { LUMBUNG__ERROR_KIND__ERROR_KIND_CONFLICT, 409 },
        { LUMBUNG__ERROR_KIND__ERROR_KIND_RULE, 422 },
        { LUMBUNG__ERROR_KIND__ERROR_KIND_TOO_LARGE, 413 },
        { LUMBUNG__ERROR_KIND__ERROR_KIND_UNAVAILABLE, 503 },
        { LUMBUNG__ERROR_KIND__ERROR_KIND_TIMEOUT, 504 },
        { LUMBUNG__ERROR_KIND__ERROR_KIND_INTERNAL, 500 },
        { LUMBUNG__ERROR_KIND__ERROR_KIND_UNSPECIFIED, 500 },
        { (Lumbung__ErrorKind) 999, 500 },
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        assert_int_equal(envelope_http_status(table[i].kind), table[i].status);
}

static void role_names_round_trip(void **state) {
    (void) state;
    static const struct { Lumbung__Role role; const char *name; } table[] = {
        { LUMBUNG__ROLE__ROLE_ADMIN, "admin" },
        { LUMBUNG__ROLE__ROLE_SUPERVISOR, "supervisor" },
        { LUMBUNG__ROLE__ROLE_OPERATOR, "operator" },
        { LUMBUNG__ROLE__ROLE_VIEWER, "viewer" },
        { LUMBUNG__ROLE__ROLE_SERVICE, "service" },
        { LUMBUNG__ROLE__ROLE_INTEGRATOR, "integrator" },
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        assert_string_equal(envelope_role_name(table[i].role), table[i].name);
        assert_int_equal(envelope_role_parse(table[i].name), table[i].role);
    }
}

static void unknown_roles_are_unspecified(void **state) {
    (void) state;
    assert_string_equal(envelope_role_name(LUMBUNG__ROLE__ROLE_UNSPECIFIED), "unspecified");
    assert_string_equal(envelope_role_name((Lumbung__Role) 77), "unspecified");
    assert_string_equal(envelope_role_name((Lumbung__Role) -1), "unspecified");
    assert_int_equal(envelope_role_parse("Admin"), LUMBUNG__ROLE__ROLE_UNSPECIFIED);
    assert_int_equal(envelope_role_parse("unspecified"), LUMBUNG__ROLE__ROLE_UNSPECIFIED);
    assert_int_equal(envelope_role_parse(""), LUMBUNG__ROLE__ROLE_UNSPECIFIED);
    assert_int_equal(envelope_role_parse(NULL), LUMBUNG__ROLE__ROLE_UNSPECIFIED);
}

static void pack_round_trips_a_request(void **state) {
    (void) state;
    arena_t *a = arena_new();
    Lumbung__Request *req = arena_message(a, &lumbung__request__descriptor);
    req->has_request_id = 1;
    req->request_id = UINT64_MAX;
    req->has_deadline_ms = 1;
    req->deadline_ms = -1;
    req->body_case = LUMBUNG__REQUEST__BODY_PING;
    req->ping = arena_message(a, &lumbung__ping__descriptor);
    size_t len;
    uint8_t *bytes = envelope_pack(a, &req->base, &len);
    assert_true(len > 0);
    ProtobufCAllocator alloc = arena_allocator(a);
    Lumbung__Request *back = lumbung__request__unpack(&alloc, len, bytes);
    assert_non_null(back);
    assert_int_equal(back->request_id, UINT64_MAX);
    assert_int_equal(back->deadline_ms, -1);
    assert_int_equal(back->body_case, LUMBUNG__REQUEST__BODY_PING);
    arena_destroy(&a);
}

static void pack_of_an_empty_message_is_empty_but_valid(void **state) {
    (void) state;
    arena_t *a = arena_new();
    Lumbung__Reply *reply = arena_message(a, &lumbung__reply__descriptor);
    size_t len = 99;
    uint8_t *bytes = envelope_pack(a, &reply->base, &len);
    assert_non_null(bytes);
    assert_int_equal(len, 0);
    arena_destroy(&a);
}

/* Bounds from the same clock in ms: time() reads the coarse clock, which lags by up to a tick
   and so can still say the last second when the precise clock has passed into the next. */
static int64_t realtime_ms(void) {
    struct timespec ts;
    assert_int_equal(clock_gettime(CLOCK_REALTIME, &ts), 0);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void a_members_request_wraps_its_body_and_actor(void **state) {
    (void) state;
    arena_t *a = arena_new();
    Lumbung__MembersRequest *mr = arena_message(a, &lumbung__members_request__descriptor);
    Lumbung__Actor *actor = arena_message(a, &lumbung__actor__descriptor);
    Lumbung__Request *rq = envelope_members_request(a, mr, actor);
    assert_int_equal(rq->body_case, LUMBUNG__REQUEST__BODY_MEMBERS);
    assert_ptr_equal(rq->members, mr);
    assert_ptr_equal(rq->actor, actor);
    assert_null(envelope_members_request(a, mr, NULL)->actor);
    arena_destroy(&a);
}

static void now_is_unix_time_in_milliseconds(void **state) {
    (void) state;
    int64_t before = realtime_ms();
    int64_t now = envelope_now_ms();
    int64_t after = realtime_ms();
    assert_true(now >= before && now <= after);
    assert_true(now > (int64_t) 1700000000 * 1000);     /* milliseconds since 1970, not seconds */
}

int main(void) {
    unit_quiet_logs("test_envelope");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fail_sets_a_typed_error_and_clears_the_result),
        cmocka_unit_test(fail_without_a_field_leaves_it_absent),
        cmocka_unit_test(fail_with_an_unspecified_kind_still_returns_rejected),
        cmocka_unit_test(every_kind_has_its_http_status),
        cmocka_unit_test(role_names_round_trip),
        cmocka_unit_test(unknown_roles_are_unspecified),
        cmocka_unit_test(pack_round_trips_a_request),
        cmocka_unit_test(pack_of_an_empty_message_is_empty_but_valid),
        cmocka_unit_test(a_members_request_wraps_its_body_and_actor),
        cmocka_unit_test(now_is_unix_time_in_milliseconds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
