/* allowance: the required loan-loss allowance by class, rounded per class to the sen. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "allowance.h"

static void rates_are_the_district_defaults(void **state) {
    (void) state;
    assert_int_equal(allowance_rate_bp(1), 50);
    assert_int_equal(allowance_rate_bp(2), 1000);
    assert_int_equal(allowance_rate_bp(3), 5000);
    assert_int_equal(allowance_rate_bp(4), 10000);
    assert_int_equal(allowance_rate_bp(0), 0);
    assert_int_equal(allowance_rate_bp(5), 0);
}

static void a_part_rounds_half_away_from_zero(void **state) {
    (void) state;
    assert_int_equal(allowance_part(600000111, 50), 3000001);     /* 30,000.00555 -> .01 */
    assert_int_equal(allowance_part(100, 50), 1);                 /* 0.5 sen -> 1 */
    assert_int_equal(allowance_part(99, 50), 0);                  /* 0.495 sen -> 0 */
    assert_int_equal(allowance_part(1200000000, 1000), 120000000);
    assert_int_equal(allowance_part(0, 10000), 0);
    assert_int_equal(allowance_part(INT64_MAX, 10000), INT64_MAX);
}

static void the_total_is_rounded_per_class_then_summed(void **state) {
    (void) state;
    /* 100 sen current x 0.5 % = 0.5 sen -> 1; whatever index 0 holds is not a class. */
    int64_t by_class[ALLOWANCE_CLASSES + 1] = { 999, 100, 0, 0, 0 };
    assert_int_equal(allowance_required(by_class), 1);             /* index 0 ignored */
    /* The system test's figures: current 6,000,001.11, substandard 12,000,000. */
    int64_t mixed[ALLOWANCE_CLASSES + 1] = { 0, 600000111, 1200000000, 0, 0 };
    assert_int_equal(allowance_required(mixed), 3000001 + 120000000);
    int64_t all[ALLOWANCE_CLASSES + 1] = { 0, 1000000, 1000000, 1000000, 1000000 };
    assert_int_equal(allowance_required(all), 5000 + 100000 + 500000 + 1000000);
    int64_t none[ALLOWANCE_CLASSES + 1] = { 0 };
    assert_int_equal(allowance_required(none), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rates_are_the_district_defaults),
        cmocka_unit_test(a_part_rounds_half_away_from_zero),
        cmocka_unit_test(the_total_is_rounded_per_class_then_summed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
