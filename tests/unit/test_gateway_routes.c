/* routes: path matching over every route table, the one authorisation decision, the search
   for cooperatives a request names, and the start-up consistency check of the tables. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../services/gateway/gateway.h"
#include "unit.h"

static int match(const char *method, const char *path, gateway_route_match_t *m, char *allow) {
    return gateway_routes_match(method, path, m, allow, GATEWAY_ALLOW_MAX);
}

static void literal_paths_match_their_own_route(void **state) {
    (void) state;
    gateway_route_match_t m;
    char allow[GATEWAY_ALLOW_MAX];
    assert_int_equal(match("GET", "/healthz", &m, allow), 0);
    assert_string_equal(m.route->operation, "healthz");
    assert_int_equal(m.count, 0);
    assert_int_equal(match("POST", "/api/v1/auth/login", &m, allow), 0);
    assert_string_equal(m.route->operation, "login");
}

static void parameters_are_captured_by_name(void **state) {
    (void) state;
    gateway_route_match_t m;
    char allow[GATEWAY_ALLOW_MAX];
    assert_int_equal(match("PATCH", "/api/v1/users/42", &m, allow), 0);
    assert_string_equal(m.route->operation, "update_user");
    assert_int_equal(m.count, 1);
    assert_string_equal(m.params[0].name, "id");
    assert_string_equal(m.params[0].value, "42");
    assert_int_equal(match("GET", "/api/v1/cooperatives/7/members/9", &m, allow), 0);
    assert_int_equal(m.count, 2);
    assert_string_equal(m.params[0].name, "coop");
    assert_string_equal(m.params[0].value, "7");
    assert_string_equal(m.params[1].name, "id");
    assert_string_equal(m.params[1].value, "9");
}

/* ".../members/import" must not be taken as the member with id "import". */
static void a_literal_segment_beats_a_parameter(void **state) {
    (void) state;
    gateway_route_match_t m;
    char allow[GATEWAY_ALLOW_MAX];
    assert_int_equal(match("POST", "/api/v1/cooperatives/3/members/import", &m, allow), 0);
    assert_string_equal(m.route->operation, "import_members");
    assert_int_equal(match("GET", "/api/v1/cooperatives/3/members/17", &m, allow), 0);
    assert_string_equal(m.route->operation, "get_member");
}

static void an_unknown_path_is_not_found(void **state) {
    (void) state;
    gateway_route_match_t m;
    char allow[GATEWAY_ALLOW_MAX];
    assert_int_equal(match("GET", "/nothing", &m, allow), ERR_NOT_FOUND);
    assert_int_equal(match("GET", "/api/v1/users/", &m, allow), ERR_NOT_FOUND);
    assert_int_equal(match("GET", "/api/v1//users", &m, allow), ERR_NOT_FOUND);
    assert_int_equal(match("GET", "api/v1/users", &m, allow), ERR_NOT_FOUND);
    assert_int_equal(match("GET", "/", &m, allow), ERR_NOT_FOUND);
    assert_int_equal(match("GET", "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r", &m, allow),
                     ERR_NOT_FOUND);
    char long_id[GATEWAY_SEGMENT_MAX + 20] = "/api/v1/users/";
    memset(long_id + strlen(long_id), '7', GATEWAY_SEGMENT_MAX + 1);
    assert_int_equal(match("GET", long_id, &m, allow), ERR_NOT_FOUND);
}

static void another_method_is_not_allowed_and_names_the_allowed_ones(void **state) {
    (void) state;
    gateway_route_match_t m;
    char allow[GATEWAY_ALLOW_MAX];
    assert_int_equal(match("DELETE", "/api/v1/users", &m, allow), ERR_METHOD_NOT_ALLOWED);
    assert_string_equal(allow, "GET, POST");
    assert_int_equal(match("GET", "/api/v1/auth/login", &m, allow), ERR_METHOD_NOT_ALLOWED);
    assert_string_equal(allow, "POST");
}

static void head_is_served_by_get_routes(void **state) {
    (void) state;
    gateway_route_match_t m;
    char allow[GATEWAY_ALLOW_MAX];
    assert_int_equal(match("HEAD", "/healthz", &m, allow), 0);
    assert_string_equal(m.route->method, "GET");
}

static auth_user_t user(Lumbung__Role role, uint64_t coop) {
    auth_user_t u;
    memset(&u, 0, sizeof u);
    u.role = role;
    u.cooperative_id = coop;
    u.active = true;
    return u;
}

static const route_t *route_of(const char *method, const char *path) {
    static gateway_route_match_t m;
    char allow[GATEWAY_ALLOW_MAX];
    assert_int_equal(gateway_routes_match(method, path, &m, allow, sizeof allow), 0);
    return m.route;
}

/* The decision for `method path` (matched as a request would be). */
static int authz(const char *method, const char *path, const auth_user_t *u, bool other) {
    gateway_route_match_t m;
    char allow[GATEWAY_ALLOW_MAX];
    assert_int_equal(gateway_routes_match(method, path, &m, allow, sizeof allow), 0);
    return gateway_routes_authorize(&m, u, other);
}

#define A LUMBUNG__ROLE__ROLE_ADMIN
#define S LUMBUNG__ROLE__ROLE_SUPERVISOR
#define O LUMBUNG__ROLE__ROLE_OPERATOR
#define V LUMBUNG__ROLE__ROLE_VIEWER

/* Each role against each access class, within its own cooperative: a route of each class. */
static void the_permission_matrix(void **state) {
    (void) state;
    static const struct { const char *method, *path; access_t access; } rows[] = {
        { "GET", "/healthz", ACCESS_PUBLIC },
        { "POST", "/api/v1/auth/password", ACCESS_AUTHENTICATED },
        { "GET", "/api/v1/cooperatives/5/members", ACCESS_COOP_READ },
        { "POST", "/api/v1/cooperatives/5/members", ACCESS_COOP_WRITE },
        { "GET", "/api/v1/trainings", ACCESS_SUPERVISE },
        { "POST", "/api/v1/trainings", ACCESS_SUPERVISE },
        { "GET", "/api/v1/users", ACCESS_ADMIN },
    };
    /* expected result per row for admin, supervisor, operator, viewer */
    static const int expect[][4] = {
        { 0, 0, 0, 0 },
        { 0, 0, 0, 0 },
        { 0, 0, 0, 0 },
        { 0, ERR_FORBIDDEN, 0, ERR_FORBIDDEN },
        { 0, 0, ERR_FORBIDDEN, ERR_FORBIDDEN },
        { 0, 0, ERR_FORBIDDEN, ERR_FORBIDDEN },
        { 0, ERR_FORBIDDEN, ERR_FORBIDDEN, ERR_FORBIDDEN },
    };
    const Lumbung__Role roles[4] = { A, S, O, V };
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        gateway_route_match_t m;
        char allow[GATEWAY_ALLOW_MAX];
        assert_int_equal(gateway_routes_match(rows[r].method, rows[r].path, &m, allow, sizeof allow), 0);
        assert_int_equal(m.access, rows[r].access);
        for (int k = 0; k < 4; k++) {
            auth_user_t u = user(roles[k], roles[k] == O || roles[k] == V ? 5 : 0);
            int got = gateway_routes_authorize(&m, &u, false);
            if (got != expect[r][k]) fail_msg("row %zu role %d: got %d", r, k, got);
        }
        int anonymous = gateway_routes_authorize(&m, NULL, false);
        assert_int_equal(anonymous, rows[r].access == ACCESS_PUBLIC ? 0 : ERR_UNAUTHENTICATED);
    }
}

/* The classes the API names alike (x-lumbung-access) decide alike for every user the gateway
   has: a report like a cooperative's records, an assessment like supervision, and a read that
   authorises itself by its record (a job) like any known caller's, when the request names the
   caller's own cooperative or another. */
static void reports_and_assessments_decide_as_reads_and_supervision(void **state) {
    (void) state;
    const Lumbung__Role roles[] = { A, S, O, V, LUMBUNG__ROLE__ROLE_MEMBER };
    for (size_t k = 0; k < sizeof roles / sizeof roles[0]; k++)
        for (int other = 0; other < 2; other++)
            for (int member_too = 0; member_too < 2; member_too++) {
                access_actor_t who = { .role = roles[k], .cooperative_id = 5, .member_id = 9 };
                uint64_t coop = other ? ACCESS_OTHER : 5;
                access_ask_t report = { ACCESS_REPORT_READ, coop, 0, member_too };
                access_ask_t read = { ACCESS_COOP_READ, coop, 0, member_too };
                access_ask_t assess = { ACCESS_ASSESS, coop, 0, member_too };
                access_ask_t supervise = { ACCESS_SUPERVISE, coop, 0, member_too };
                assert_int_equal(access_decide(&who, &report, NULL), access_decide(&who, &read, NULL));
                assert_int_equal(access_decide(&who, &assess, NULL),
                                 access_decide(&who, &supervise, NULL));
                access_ask_t known = { ACCESS_AUTHENTICATED, coop, 0, member_too };
                assert_int_equal(access_decide(&who, &read, NULL), access_decide(&who, &known, NULL));
            }
}

/* Access, Idempotency-Key and the long deadline come from the operation's row. */
static void a_route_takes_access_and_flags_from_its_operation(void **state) {
    (void) state;
    access_t access;
    unsigned flags;
    assert_int_equal(gateway_route_operation(route_of("POST", "/api/v1/cooperatives/5/deposits"),
                                             &access, &flags), 0);
    assert_int_equal(access, ACCESS_COOP_WRITE);
    assert_true(flags & OP_MOVES_MONEY);
    assert_int_equal(gateway_route_operation(route_of("POST", "/api/v1/cooperatives/5/batch"),
                                             &access, &flags), 0);
    assert_true((flags & OP_MOVES_MONEY) && (flags & OP_LONG));
    assert_int_equal(gateway_route_operation(route_of("GET", "/api/v1/member/statement"),
                                             &access, &flags), 0);
    assert_int_equal(access, ACCESS_MEMBER_ONLY);
    assert_int_equal(gateway_route_operation(route_of("GET", "/api/v1/jobs/3"), &access, &flags), 0);
    assert_int_equal(access, ACCESS_AUTHENTICATED);     /* the job's cooperative decides */
    assert_int_equal(gateway_route_operation(route_of("GET", "/api/v1/users"), &access, &flags), 0);
    assert_int_equal(access, ACCESS_ADMIN);
    assert_int_equal(flags, 0);
    route_t unlisted = { "GET", "/x", "members", "no_such_operation", { { NULL, NULL } }, 0 };
    assert_int_equal(gateway_route_operation(&unlisted, &access, &flags), ERR_NOT_FOUND);
}

static void a_viewer_never_writes_and_an_operator_never_leaves_their_cooperative(void **state) {
    (void) state;
    auth_user_t viewer = user(V, 5), op = user(O, 5), admin = user(A, 0), sup = user(S, 0);
    const char *coop = "/api/v1/cooperatives/5/members";
    assert_int_equal(authz("POST", coop, &viewer, false), ERR_FORBIDDEN);
    assert_int_equal(authz("GET", coop, &viewer, false), 0);
    assert_int_equal(authz("GET", coop, &op, true), ERR_FORBIDDEN);
    assert_int_equal(authz("POST", coop, &op, true), ERR_FORBIDDEN);
    assert_int_equal(authz("POST", coop, &sup, false), ERR_FORBIDDEN);
    assert_int_equal(authz("GET", coop, &sup, false), 0);
    /* A scoped user without a cooperative (never created so) may do nothing scoped. */
    auth_user_t orphan = user(O, 0);
    assert_int_equal(authz("GET", coop, &orphan, false), ERR_FORBIDDEN);
    /* Another cooperative named on a route open to every user is still refused. */
    assert_int_equal(authz("GET", "/api/v1/cooperatives", &op, true), ERR_FORBIDDEN);
    assert_int_equal(authz("GET", "/api/v1/cooperatives", &admin, true), 0);
}

/* A member: only the rows marked ROUTE_MEMBER, only in their own cooperative, and never
   without their member id; every other access class is refused, public aside. */
static void a_member_gets_only_the_member_rows(void **state) {
    (void) state;
    auth_user_t member = user(LUMBUNG__ROLE__ROLE_MEMBER, 5);
    member.member_id = 9;
    const char *own = "/api/v1/cooperatives/5/members/9/statement";
    assert_int_equal(authz("GET", own, &member, false), 0);
    assert_int_equal(authz("GET", "/api/v1/cooperatives/5/members/9", &member, false), 0);
    assert_int_equal(authz("GET", "/api/v1/auth/me", &member, false), 0);
    assert_int_equal(authz("POST", "/api/v1/member/login", &member, false), 0);
    assert_int_equal(authz("GET", own, &member, true), ERR_FORBIDDEN);
    assert_int_equal(authz("GET", "/api/v1/cooperatives/5/members", &member, false), ERR_FORBIDDEN);
    assert_int_equal(authz("PATCH", "/api/v1/cooperatives/5/members/9", &member, false),
                     ERR_FORBIDDEN);
    assert_int_equal(authz("GET", "/api/v1/cooperatives/5/reports/shu", &member, false),
                     ERR_FORBIDDEN);
    assert_int_equal(authz("GET", "/api/v1/cooperatives", &member, false), ERR_FORBIDDEN);
    assert_int_equal(authz("POST", "/api/v1/auth/password", &member, false), ERR_FORBIDDEN);
    member.member_id = 0;                    /* never granted so */
    assert_int_equal(authz("GET", own, &member, false), ERR_FORBIDDEN);
}

static void cooperatives_are_found_in_path_query_and_body(void **state) {
    (void) state;
    gateway_route_match_t m;
    char allow[GATEWAY_ALLOW_MAX];
    assert_int_equal(match("GET", "/api/v1/cooperatives/5/members/9", &m, allow), 0);
    assert_false(gateway_routes_names_other_coop(&m, NULL, NULL, 5));
    assert_true(gateway_routes_names_other_coop(&m, NULL, NULL, 6));
    assert_true(gateway_routes_names_other_coop(&m, "6", NULL, 5));
    assert_false(gateway_routes_names_other_coop(&m, "5", NULL, 5));
    assert_true(gateway_routes_names_other_coop(&m, "abc", NULL, 5));
    json_t *flat = json_pack("{s:s}", "cooperative_id", "6");
    json_t *same = json_pack("{s:s, s:n}", "cooperative_id", "5", "x", "y");
    json_t *nested = json_pack("{s:[{s:{s:i}}]}", "lines", "meta", "cooperative_id", 6);
    json_t *null = json_pack("{s:n}", "cooperative_id");
    json_t *bad = json_pack("{s:b}", "cooperative_id", 1);
    assert_true(gateway_routes_names_other_coop(&m, NULL, flat, 5));
    assert_false(gateway_routes_names_other_coop(&m, NULL, same, 5));
    assert_true(gateway_routes_names_other_coop(&m, NULL, nested, 5));
    assert_false(gateway_routes_names_other_coop(&m, NULL, null, 5));
    assert_true(gateway_routes_names_other_coop(&m, NULL, bad, 5));
    json_decref(flat);
    json_decref(same);
    json_decref(nested);
    json_decref(null);
    json_decref(bad);
}

static void every_table_agrees_with_the_protos_and_handlers(void **state) {
    (void) state;
    assert_int_equal(gateway_routes_check(), 0);
}

/* The limit follows the route matched once, when the headers are in; a path that matches no
   route gets the default. */
static void body_limits_follow_the_route(void **state) {
    (void) state;
    gateway_route_match_t m;
    char allow[GATEWAY_ALLOW_MAX];
    assert_int_equal(match("POST", "/api/v1/cooperatives/1/members/import", &m, allow), 0);
    assert_int_equal(gateway_route_body_limit(&m), HTTP_SERVER_BODY_MAX_LONG);
    assert_int_equal(match("POST", "/api/v1/cooperatives/1/members", &m, allow), 0);
    assert_int_equal(gateway_route_body_limit(&m), HTTP_SERVER_BODY_MAX_DEFAULT);
    assert_int_equal(match("POST", "/nowhere", &m, allow), ERR_NOT_FOUND);
    assert_int_equal(gateway_route_body_limit(NULL), HTTP_SERVER_BODY_MAX_DEFAULT);
}

static void times_and_ids_parse_strictly(void **state) {
    (void) state;
    int64_t ms;
    assert_int_equal(gateway_parse_time("2026-11-29", false, &ms), 0);
    assert_int_equal(ms, 1795910400000LL);
    assert_int_equal(gateway_parse_time("2026-11-29", true, &ms), 0);
    assert_int_equal(ms, 1795910400000LL + 86400000 - 1);
    assert_int_equal(gateway_parse_time("2026-11-29T09:10:00.5Z", false, &ms), 0);
    assert_int_equal(ms, 1795910400000LL + (9 * 3600 + 600) * 1000 + 500);
    assert_int_equal(gateway_parse_time("2026-02-30", false, &ms), -EINVAL);
    assert_int_equal(gateway_parse_time("2026-11-29T25:00:00Z", false, &ms), -EINVAL);
    assert_int_equal(gateway_parse_time("2026-11-29T09:10:00+07:00", false, &ms), -EINVAL);
    assert_int_equal(gateway_parse_time("29-11-2026", false, &ms), -EINVAL);
    char buf[40];
    assert_string_equal(gateway_format_time(1795910400000LL + 123, buf, sizeof buf),
                        "2026-11-29T00:00:00.123Z");
    uint64_t id;
    assert_int_equal(gateway_parse_u64("18446744073709551615", &id), 0);
    assert_true(id == UINT64_MAX);
    assert_int_equal(gateway_parse_u64("18446744073709551616", &id), -EINVAL);
    assert_int_equal(gateway_parse_u64("-1", &id), -EINVAL);
    assert_int_equal(gateway_parse_u64("1e3", &id), -EINVAL);
    assert_int_equal(gateway_parse_u64("", &id), -EINVAL);
}

int main(void) {
    unit_quiet_logs("test_gateway_routes");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(literal_paths_match_their_own_route),
        cmocka_unit_test(parameters_are_captured_by_name),
        cmocka_unit_test(a_literal_segment_beats_a_parameter),
        cmocka_unit_test(an_unknown_path_is_not_found),
        cmocka_unit_test(another_method_is_not_allowed_and_names_the_allowed_ones),
        cmocka_unit_test(head_is_served_by_get_routes),
        cmocka_unit_test(the_permission_matrix),
        cmocka_unit_test(reports_and_assessments_decide_as_reads_and_supervision),
        cmocka_unit_test(a_route_takes_access_and_flags_from_its_operation),
        cmocka_unit_test(a_viewer_never_writes_and_an_operator_never_leaves_their_cooperative),
        cmocka_unit_test(cooperatives_are_found_in_path_query_and_body),
        cmocka_unit_test(a_member_gets_only_the_member_rows),
        cmocka_unit_test(every_table_agrees_with_the_protos_and_handlers),
        cmocka_unit_test(body_limits_follow_the_route),
        cmocka_unit_test(times_and_ids_parse_strictly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
