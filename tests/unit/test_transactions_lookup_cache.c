/* lookup_cache: a role's account is found only for the cooperative and role it was remembered
   for, a full cache remembers nothing more, and a forgotten cooperative is none. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "unit.h"
#include "../../services/transactions/lookup_cache.h"

static void a_role_is_found_for_its_cooperative_only(void **state) {
    (void) state;
    tx_role_cache_t c = { 0 };
    assert_null(tx_role_cache_find(&c, 1, 3));
    tx_role_cache_remember(&c, 1, 3, "1-101");
    assert_string_equal(tx_role_cache_find(&c, 1, 3), "1-101");
    assert_null(tx_role_cache_find(&c, 2, 3));
    assert_null(tx_role_cache_find(&c, 1, 4));
}

static void a_full_cache_remembers_nothing_more(void **state) {
    (void) state;
    tx_role_cache_t c = { 0 };
    for (int role = 1; role <= TX_ROLE_CACHE; role++) tx_role_cache_remember(&c, 1, role, "x");
    tx_role_cache_remember(&c, 1, TX_ROLE_CACHE + 1, "y");
    assert_int_equal(c.count, TX_ROLE_CACHE);
    assert_null(tx_role_cache_find(&c, 1, TX_ROLE_CACHE + 1));
    assert_string_equal(tx_role_cache_find(&c, 1, 1), "x");
}

static void a_forgotten_cooperative_is_none(void **state) {
    (void) state;
    tx_coop_cache_t c = { .id = 5 };
    tx_coop_cache_forget(&c);
    assert_int_equal(c.id, 0);
}

int main(void) {
    unit_quiet_logs("test_transactions_lookup_cache");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_role_is_found_for_its_cooperative_only),
        cmocka_unit_test(a_full_cache_remembers_nothing_more),
        cmocka_unit_test(a_forgotten_cooperative_is_none),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
