/* mandatory: what a member and an operator rely on for mandatory savings (simpanan wajib) —
   the joining period counts as the first, one more falls due every period after joining
   (monthly by default, weekly, quarterly, half-yearly, yearly), and the arrears are
   periods x amount - paid, never negative and never overflowing (docs/domain.md, "Savings").
   Transactions and reporting state a member's arrears from these same functions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "unit.h"
#include "mandatory.h"
#include "members.pb-c.h"

#define PERIOD(x) LUMBUNG__MANDATORY_PERIOD__MANDATORY_PERIOD_##x

static void each_period_setting_has_its_months(void **state) {
    assert_int_equal(mandatory_period_months(PERIOD(MONTHLY)), 1);
    assert_int_equal(mandatory_period_months(PERIOD(WEEKLY)), 0);
    assert_int_equal(mandatory_period_months(PERIOD(QUARTERLY)), 3);
    assert_int_equal(mandatory_period_months(PERIOD(SEMIANNUAL)), 6);
    assert_int_equal(mandatory_period_months(PERIOD(ANNUAL)), 12);
}

static void an_unset_or_unknown_period_is_monthly(void **state) {
    assert_int_equal(mandatory_period_months(PERIOD(UNSPECIFIED)), 1);
    assert_int_equal(mandatory_period_months(99), 1);
    assert_int_equal(mandatory_period_months(-1), 1);
}

static void the_joining_month_is_the_first_period(void **state) {
    int32_t joined = unit_day("2024-01-15");
    assert_int_equal(mandatory_periods_due(joined, joined, 1), 1);
    assert_int_equal(mandatory_periods_due(joined, unit_day("2024-02-14"), 1), 1);
    assert_int_equal(mandatory_periods_due(joined, unit_day("2024-02-15"), 1), 2);
    assert_int_equal(mandatory_periods_due(joined, unit_day("2024-12-31"), 1), 12);
    assert_int_equal(mandatory_periods_due(joined, unit_day("2025-01-15"), 1), 13);
}

static void nothing_is_due_before_joining(void **state) {
    assert_int_equal(mandatory_periods_due(unit_day("2024-01-15"), unit_day("2024-01-14"), 1), 0);
    assert_int_equal(mandatory_periods_due(unit_day("2024-01-15"), unit_day("2023-06-01"), 0), 0);
}

/* A member who joins on the 31st owes the next period on the last day of a shorter month. */
static void a_month_end_joiner_owes_on_the_last_day_of_shorter_months(void **state) {
    int32_t joined = unit_day("2024-01-31");
    assert_int_equal(mandatory_periods_due(joined, unit_day("2024-02-28"), 1), 1);
    assert_int_equal(mandatory_periods_due(joined, unit_day("2024-02-29"), 1), 2);
}

static void weekly_periods_start_every_seven_days(void **state) {
    int32_t joined = unit_day("2024-01-01");
    assert_int_equal(mandatory_periods_due(joined, unit_day("2024-01-07"), 0), 1);
    assert_int_equal(mandatory_periods_due(joined, unit_day("2024-01-08"), 0), 2);
    assert_int_equal(mandatory_periods_due(joined, unit_day("2024-12-31"), 0), 53);
}

static void quarterly_half_yearly_and_yearly_periods(void **state) {
    int32_t joined = unit_day("2024-01-15");
    int32_t as_of = unit_day("2025-01-14");        /* 11 whole months */
    assert_int_equal(mandatory_periods_due(joined, as_of, 3), 4);
    assert_int_equal(mandatory_periods_due(joined, as_of, 6), 2);
    assert_int_equal(mandatory_periods_due(joined, as_of, 12), 1);
    assert_int_equal(mandatory_periods_due(joined, unit_day("2025-01-15"), 12), 2);
    assert_int_equal(mandatory_periods_due(joined, unit_day("2024-04-15"), 3), 2);
}

/* 12 months of Rp 50,000 with Rp 450,000 paid: Rp 150,000 in arrears of Rp 600,000 due. */
static void arrears_are_due_less_paid(void **state) {
    int64_t due = -1;
    assert_int_equal(mandatory_arrears(12, 5000000, 45000000, &due), 15000000);
    assert_int_equal(due, 60000000);
}

static void paying_ahead_leaves_no_negative_arrears(void **state) {
    int64_t due = -1;
    assert_int_equal(mandatory_arrears(2, 5000000, 25000000, &due), 0);
    assert_int_equal(due, 10000000);
    assert_int_equal(mandatory_arrears(2, 5000000, 10000000, NULL), 0);
    assert_int_equal(mandatory_arrears(0, 5000000, 0, &due), 0);
    assert_int_equal(due, 0);
}

static void a_huge_amount_saturates_instead_of_overflowing(void **state) {
    int64_t due = 0;
    int64_t arrears = mandatory_arrears(UINT32_MAX, INT64_MAX / 2, 1, &due);
    assert_true(due == INT64_MAX);
    assert_true(arrears == INT64_MAX - 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_period_setting_has_its_months),
        cmocka_unit_test(an_unset_or_unknown_period_is_monthly),
        cmocka_unit_test(the_joining_month_is_the_first_period),
        cmocka_unit_test(nothing_is_due_before_joining),
        cmocka_unit_test(a_month_end_joiner_owes_on_the_last_day_of_shorter_months),
        cmocka_unit_test(weekly_periods_start_every_seven_days),
        cmocka_unit_test(quarterly_half_yearly_and_yearly_periods),
        cmocka_unit_test(arrears_are_due_less_paid),
        cmocka_unit_test(paying_ahead_leaves_no_negative_arrears),
        cmocka_unit_test(a_huge_amount_saturates_instead_of_overflowing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
