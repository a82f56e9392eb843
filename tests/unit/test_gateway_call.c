/* call (gateway): what a user relies on in how the gateway finds the service behind a route —
   the three services answer by name (members, transactions, reporting) and nothing else does;
   with one transactions shard every call goes to the service itself, with several a call of
   transactions goes to the shard of the cooperative it names (id mod shards without a map)
   while members and reporting stay single; and a route row whose service, operation, path
   parameter fields or raw body the protos do not have is caught at start-up (one problem each),
   as is the follow-up of the member exit, so a bad table never reaches a user. */
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
