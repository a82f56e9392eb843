/* shu — sharing out SHU exactly: the worked example of docs/domain.md, shares from the unrounded
   pools rounded down, leftovers to reserves, and
   the error paths the header promises. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../services/reporting/shu.h"

#define RP 100   /* sen per rupiah */

/* reserves 30 %, capital 20 %, usage 30 %, board, staff, education, social 5 % each. */
static const int64_t EXAMPLE_RATES[REPORTING_SHU_PARTS] = { 3000, 2000, 3000, 500, 500, 500, 500 };

static int64_t sum_parts(const reporting_shu_result_t *r) {
    int64_t s = 0;
    for (int p = 0; p < REPORTING_SHU_PARTS; p++) s += r->part_sen[p];
    return s;
}

/* SHU 2,000,000; all savings 10,000,000; all loans 15,000,000: the member with savings 500,000
   and loans 1,000,000 gets 20,000 + 40,000 = 60,000. */
static void worked_example(void **state) {
    (void) state;
    reporting_shu_member_t m[] = {
        { 1, 500000 * RP, 1000000 * RP, 0, 0 },
        { 2, 9500000 * RP, 14000000 * RP, 0, 0 },
    };
    reporting_shu_result_t r;
    assert_int_equal(reporting_shu_share(2000000 * RP, EXAMPLE_RATES, m, 2, &r), 0);
    assert_int_equal(m[0].capital_share_sen, 20000 * RP);
    assert_int_equal(m[0].usage_share_sen, 40000 * RP);
    assert_int_equal(m[0].capital_share_sen + m[0].usage_share_sen, 60000 * RP);
    assert_int_equal(m[1].capital_share_sen, 380000 * RP);
    assert_int_equal(m[1].usage_share_sen, 560000 * RP);
    assert_int_equal(r.part_sen[REPORTING_SHU_CAPITAL], 400000 * RP);
    assert_int_equal(r.part_sen[REPORTING_SHU_USAGE], 600000 * RP);
    assert_int_equal(r.part_sen[REPORTING_SHU_RESERVES], 600000 * RP);
    assert_int_equal(r.part_sen[REPORTING_SHU_BOARD], 100000 * RP);
    assert_int_equal(r.rounding_sen, 0);
    assert_int_equal(r.total_capital_sen, 10000000 * RP);
    assert_int_equal(r.total_participation_sen, 15000000 * RP);
    assert_int_equal(sum_parts(&r), 2000000 * RP);
}

/* Three equal members share a capital pool of 100 sen: 33.33 each rounds down to 33. Usage:
   2 : 1 of a pool of 200 sen is 133.33 and 66.67 -> 133 + 66. Reserves keep their 700 and
   the 1 + 1 sen rounding down left. */
static void rounding_leftover_goes_to_reserves(void **state) {
    (void) state;
    const int64_t rates[REPORTING_SHU_PARTS] = { 7000, 1000, 2000, 0, 0, 0, 0 };
    reporting_shu_member_t m[] = {
        { 1, 5000, 2, 0, 0 }, { 2, 5000, 1, 0, 0 }, { 3, 5000, 0, 0, 0 },
    };
    reporting_shu_result_t r;
    assert_int_equal(reporting_shu_share(1000, rates, m, 3, &r), 0);
    for (int i = 0; i < 3; i++) assert_int_equal(m[i].capital_share_sen, 33);
    assert_int_equal(m[0].usage_share_sen, 133);
    assert_int_equal(m[1].usage_share_sen, 66);
    assert_int_equal(m[2].usage_share_sen, 0);
    assert_int_equal(r.rounding_sen, 2);
    assert_int_equal(r.part_sen[REPORTING_SHU_CAPITAL], 99);
    assert_int_equal(r.part_sen[REPORTING_SHU_USAGE], 199);
    assert_int_equal(r.part_sen[REPORTING_SHU_RESERVES], 702);
    assert_int_equal(sum_parts(&r), 1000);
}

/* Parts are rounded down and reserves take the rest: 1,001 sen at 5 % is 50.05 -> 50 for
   each of four parts; the only member gets 200.2 -> 200 and 300.3 -> 300. */
static void parts_round_down_and_reserves_take_the_rest(void **state) {
    (void) state;
    reporting_shu_member_t m[] = { { 1, 100, 100, 0, 0 } };
    reporting_shu_result_t r;
    assert_int_equal(reporting_shu_share(1001, EXAMPLE_RATES, m, 1, &r), 0);
    assert_int_equal(r.part_sen[REPORTING_SHU_BOARD], 50);
    assert_int_equal(r.part_sen[REPORTING_SHU_CAPITAL], 200);
    assert_int_equal(r.part_sen[REPORTING_SHU_USAGE], 300);
    assert_int_equal(m[0].capital_share_sen, 200);
    assert_int_equal(r.part_sen[REPORTING_SHU_RESERVES], 1001 - 200 - 300 - 4 * 50);
    assert_int_equal(r.rounding_sen, 301 - 300);              /* 300.3 is reserves' own */
    assert_int_equal(sum_parts(&r), 1001);
}

/* Half a sen rounds down, never up at the reserves' expense: two members' equal capital of a
   101-sen pool get 50.5 -> 50 each, and reserves keep 899 + 1. */
static void a_half_sen_rounds_down_and_reserves_keep_it(void **state) {
    (void) state;
    const int64_t rates[REPORTING_SHU_PARTS] = { 8990, 1010, 0, 0, 0, 0, 0 };
    reporting_shu_member_t m[] = { { 1, 10, 0, 0, 0 }, { 2, 10, 0, 0, 0 } };
    reporting_shu_result_t r;
    assert_int_equal(reporting_shu_share(1000, rates, m, 2, &r), 0);
    assert_int_equal(m[0].capital_share_sen, 50);
    assert_int_equal(m[1].capital_share_sen, 50);
    assert_int_equal(r.rounding_sen, 1);
    assert_int_equal(r.part_sen[REPORTING_SHU_CAPITAL], 100);
    assert_int_equal(r.part_sen[REPORTING_SHU_USAGE], 0);          /* nobody took a loan */
    assert_int_equal(r.part_sen[REPORTING_SHU_RESERVES], 900);
    assert_int_equal(sum_parts(&r), 1000);
}

/* SHU 1,000,000.03 at 40/20/20/5/5/5/5; capital 125,000, 150,000 and 175,000; loans taken
   100,000 and 150,000. The capital pool is 20,000,000.6 sen: rounded first to 20,000,001 it
   would give the second member 20,000,001 / 3 = 6,666,667; from the unrounded pool the share
   is 6,666,666.87 -> 6,666,666 (and the first member's 5,555,555.72 -> 5,555,555, where
   rounding half away from the rounded pool gave 5,555,556). */
static void shares_come_from_the_unrounded_pool(void **state) {
    (void) state;
    const int64_t rates[REPORTING_SHU_PARTS] = { 4000, 2000, 2000, 500, 500, 500, 500 };
    reporting_shu_member_t m[] = {
        { 1, 125000 * RP, 100000 * RP, 0, 0 },
        { 2, 150000 * RP, 150000 * RP, 0, 0 },
        { 3, 175000 * RP, 0, 0, 0 },
    };
    reporting_shu_result_t r;
    assert_int_equal(reporting_shu_share(100000003, rates, m, 3, &r), 0);
    assert_int_equal(m[0].capital_share_sen, 5555555);     /* 5,555,555.72 */
    assert_int_equal(m[1].capital_share_sen, 6666666);     /* 6,666,666.87 */
    assert_int_equal(m[2].capital_share_sen, 7777778);     /* 7,777,778.01 */
    assert_int_equal(m[0].usage_share_sen, 8000000);       /* 8,000,000.24 */
    assert_int_equal(m[1].usage_share_sen, 12000000);      /* 12,000,000.36 */
    assert_int_equal(m[2].usage_share_sen, 0);
    assert_int_equal(r.part_sen[REPORTING_SHU_CAPITAL], 19999999);
    assert_int_equal(r.part_sen[REPORTING_SHU_USAGE], 20000000);
    assert_int_equal(r.part_sen[REPORTING_SHU_BOARD], 5000000);      /* 5,000,000.15 */
    assert_int_equal(r.part_sen[REPORTING_SHU_SOCIAL], 5000000);
    /* 40,000,001.2 -> 40,000,001 own, + 0.2 + 4 x 0.15 + 1.6 + 0.6 = 3 sen dropped */
    assert_int_equal(r.part_sen[REPORTING_SHU_RESERVES], 40000004);
    assert_int_equal(r.rounding_sen, 3);
    assert_int_equal(sum_parts(&r), 100000003);
}

/* The exact arithmetic holds at the edge of int64: no overflow, shares sum below the pool. */
static void huge_figures_share_exactly(void **state) {
    (void) state;
    const int64_t rates[REPORTING_SHU_PARTS] = { 1, 4999, 4000, 1000, 0, 0, 0 };
    reporting_shu_member_t m[] = {
        { 1, INT64_MAX / 3, INT64_MAX / 2, 0, 0 },
        { 2, INT64_MAX / 3, INT64_MAX / 2 - 7, 0, 0 },
        { 3, INT64_MAX / 3 - 11, 1, 0, 0 },
    };
    reporting_shu_result_t r;
    assert_int_equal(reporting_shu_share(INT64_MAX - 5, rates, m, 3, &r), 0);
    assert_true(r.rounding_sen >= 0 && r.rounding_sen < 16);
    int64_t capital = 0, usage = 0;
    for (int i = 0; i < 3; i++) {
        capital += m[i].capital_share_sen;
        usage += m[i].usage_share_sen;
    }
    assert_int_equal(capital, r.part_sen[REPORTING_SHU_CAPITAL]);
    assert_int_equal(usage, r.part_sen[REPORTING_SHU_USAGE]);
    assert_int_equal(sum_parts(&r), INT64_MAX - 5);
    assert_true(m[0].capital_share_sen >= m[2].capital_share_sen);
}

static void no_participation_sends_the_pool_to_reserves(void **state) {
    (void) state;
    reporting_shu_member_t m[] = { { 1, 0, 0, 0, 0 } };
    reporting_shu_result_t r;
    assert_int_equal(reporting_shu_share(10000, EXAMPLE_RATES, m, 1, &r), 0);
    assert_int_equal(r.part_sen[REPORTING_SHU_CAPITAL], 0);
    assert_int_equal(r.part_sen[REPORTING_SHU_USAGE], 0);
    assert_int_equal(r.rounding_sen, 5000);
    assert_int_equal(r.part_sen[REPORTING_SHU_RESERVES], 8000);
    assert_int_equal(sum_parts(&r), 10000);
}

static void a_deficit_shares_nothing(void **state) {
    (void) state;
    reporting_shu_member_t m[] = { { 1, 100, 100, 7, 7 } };
    reporting_shu_result_t r;
    assert_int_equal(reporting_shu_share(-4500075, EXAMPLE_RATES, m, 1, &r), 0);
    assert_int_equal(sum_parts(&r), 0);
    assert_int_equal(m[0].capital_share_sen, 0);
    assert_int_equal(m[0].usage_share_sen, 0);
    assert_int_equal(r.total_capital_sen, 100);
}

static void bad_rates_and_negative_bases_are_refused(void **state) {
    (void) state;
    const int64_t short_rates[REPORTING_SHU_PARTS] = { 3000, 2000, 3000, 500, 500, 500, 499 };
    const int64_t negative[REPORTING_SHU_PARTS] = { 11000, -1000, 0, 0, 0, 0, 0 };
    reporting_shu_member_t m[] = { { 1, 100, 100, 0, 0 } };
    reporting_shu_result_t r;
    assert_int_equal(reporting_shu_share(1000, short_rates, m, 1, &r), -EINVAL);
    assert_int_equal(reporting_shu_share(1000, negative, m, 1, &r), -EINVAL);
    m[0].participation_sen = -1;
    assert_int_equal(reporting_shu_share(1000, EXAMPLE_RATES, m, 1, &r), -EINVAL);
    reporting_shu_member_t big[] = { { 1, INT64_MAX, 0, 0, 0 }, { 2, 1, 0, 0, 0 } };
    assert_int_equal(reporting_shu_share(1000, EXAMPLE_RATES, big, 2, &r), -ERANGE);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(worked_example),
        cmocka_unit_test(rounding_leftover_goes_to_reserves),
        cmocka_unit_test(parts_round_down_and_reserves_take_the_rest),
        cmocka_unit_test(a_half_sen_rounds_down_and_reserves_keep_it),
        cmocka_unit_test(shares_come_from_the_unrounded_pool),
        cmocka_unit_test(huge_figures_share_exactly),
        cmocka_unit_test(no_participation_sends_the_pool_to_reserves),
        cmocka_unit_test(a_deficit_shares_nothing),
        cmocka_unit_test(bad_rates_and_negative_bases_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
