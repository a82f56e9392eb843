/* money: parsing, canonical and Indonesian formatting, exact arithmetic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "money.h"

static int64_t parsed(const char *text) {
    int64_t sen = -999;
    assert_int_equal(money_parse(text, &sen), 0);
    return sen;
}

static int parse_error(const char *text) {
    int64_t sen = 12345;
    int rc = money_parse(text, &sen);
    assert_int_equal(sen, 12345);   /* untouched on failure */
    return rc;
}

static void parses_whole_and_fractional_amounts(void **state) {
    (void) state;
    assert_int_equal(parsed("150000"), 15000000);
    assert_int_equal(parsed("1066185.46"), 106618546);
    assert_int_equal(parsed("0.5"), 50);
    assert_int_equal(parsed("0.05"), 5);
    assert_int_equal(parsed("1500.50"), 150050);
    assert_int_equal(parsed("0"), 0);
    assert_int_equal(parsed("0.00"), 0);
    assert_int_equal(parsed("007"), 700);
    assert_int_equal(parsed("12"), 1200);   /* a rate: 12 % is 1200 bp */
}

static void parses_the_int64_edge(void **state) {
    (void) state;
    assert_int_equal(parsed("92233720368547758.07"), INT64_MAX);
    assert_int_equal(parse_error("92233720368547758.08"), ERR_MONEY_RANGE);
    assert_int_equal(parse_error("92233720368547759"), ERR_MONEY_RANGE);
    assert_int_equal(parse_error("99999999999999999999999999999999"), ERR_MONEY_RANGE);
}

static void rejects_what_is_not_a_decimal_number(void **state) {
    (void) state;
    const char *bad[] = { "", "+5", " 5", "5 ", "1e5", "1.5e3", "1,5", "1.000,00", ".5", "5.",
                          "-", "-.5", "abc", "12a", "0x10", "1..5", "--5", "5-", "Rp 5",
                          "\xd9\xa5", "1.5.0", "NaN", "inf" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t sen = 0;
        assert_int_equal(money_parse(bad[i], &sen), ERR_MONEY_SYNTAX);
        assert_int_equal(money_parse_signed(bad[i], &sen), ERR_MONEY_SYNTAX);
    }
}

static void rejects_a_third_decimal(void **state) {
    (void) state;
    assert_int_equal(parse_error("1.005"), ERR_MONEY_DECIMALS);
    assert_int_equal(parse_error("1.000"), ERR_MONEY_DECIMALS);
    assert_int_equal(parse_error("-1.234"), ERR_MONEY_DECIMALS);   /* decimals before sign */
    int64_t sen;
    assert_int_equal(money_parse_signed("-0.001", &sen), ERR_MONEY_DECIMALS);
}

static void rejects_negatives_unless_signed(void **state) {
    (void) state;
    assert_int_equal(parse_error("-5"), ERR_MONEY_NEGATIVE);
    assert_int_equal(parse_error("-0"), ERR_MONEY_NEGATIVE);
    assert_int_equal(parse_error("-99999999999999999999"), ERR_MONEY_NEGATIVE);
    int64_t sen = 1;
    assert_int_equal(money_parse_signed("-5.5", &sen), 0);
    assert_int_equal(sen, -550);
    assert_int_equal(money_parse_signed("-0", &sen), 0);
    assert_int_equal(sen, 0);
    assert_int_equal(money_parse_signed("-92233720368547758.08", &sen), 0);
    assert_true(sen == INT64_MIN);
    assert_int_equal(money_parse_signed("-92233720368547758.09", &sen), ERR_MONEY_RANGE);
    assert_int_equal(money_parse_signed("150000", &sen), 0);
    assert_int_equal(sen, 15000000);
}

static void error_texts_read_after_a_field_name(void **state) {
    (void) state;
    assert_string_equal(money_error_text(ERR_MONEY_SYNTAX), "is not a decimal number");
    assert_string_equal(money_error_text(ERR_MONEY_DECIMALS), "must have at most 2 decimals");
    assert_string_equal(money_error_text(ERR_MONEY_NEGATIVE), "must not be negative");
    assert_string_equal(money_error_text(ERR_MONEY_RANGE), "is too large");
    assert_string_equal(money_error_text(-77), "is not a valid amount");
}

static void formats_canonically(void **state) {
    (void) state;
    char buf[MONEY_FORMAT_MAX];
    assert_int_equal(money_format(15000000, buf, sizeof buf), 6);
    assert_string_equal(buf, "150000");
    money_format(106618546, buf, sizeof buf);
    assert_string_equal(buf, "1066185.46");
    money_format(150050, buf, sizeof buf);
    assert_string_equal(buf, "1500.50");
    money_format(-550, buf, sizeof buf);
    assert_string_equal(buf, "-5.50");
    money_format(0, buf, sizeof buf);
    assert_string_equal(buf, "0");
    money_format(5, buf, sizeof buf);
    assert_string_equal(buf, "0.05");
    money_format(-5, buf, sizeof buf);
    assert_string_equal(buf, "-0.05");
    money_format(-100, buf, sizeof buf);
    assert_string_equal(buf, "-1");
    assert_int_equal(money_format(INT64_MAX, buf, sizeof buf), 20);
    assert_string_equal(buf, "92233720368547758.07");
    assert_int_equal(money_format(INT64_MIN, buf, sizeof buf), 21);
    assert_string_equal(buf, "-92233720368547758.08");
}

static void format_and_parse_round_trip(void **state) {
    (void) state;
    const int64_t values[] = { 0, 1, 10, 99, 100, 101, 150050, 106618546, INT64_MAX, -1, -150,
                               INT64_MIN };
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char buf[MONEY_FORMAT_MAX];
        money_format(values[i], buf, sizeof buf);
        int64_t back = 0;
        assert_int_equal(money_parse_signed(buf, &back), 0);
        assert_true(back == values[i]);
    }
}

static void formats_rupiah_for_people(void **state) {
    (void) state;
    char buf[MONEY_IDR_MAX];
    assert_int_equal(money_format_idr(106618546, buf, sizeof buf), 15);
    assert_string_equal(buf, "Rp 1.066.185,46");   /* docs/domain.md's annuity instalment */
    money_format_idr(0, buf, sizeof buf);
    assert_string_equal(buf, "Rp 0,00");
    money_format_idr(50, buf, sizeof buf);
    assert_string_equal(buf, "Rp 0,50");
    money_format_idr(99900, buf, sizeof buf);
    assert_string_equal(buf, "Rp 999,00");
    money_format_idr(100000, buf, sizeof buf);
    assert_string_equal(buf, "Rp 1.000,00");
    money_format_idr(1200000000, buf, sizeof buf);
    assert_string_equal(buf, "Rp 12.000.000,00");
    money_format_idr(-550, buf, sizeof buf);
    assert_string_equal(buf, "-Rp 5,50");
    assert_int_equal(money_format_idr(INT64_MIN, buf, sizeof buf), 29);
    assert_string_equal(buf, "-Rp 92.233.720.368.547.758,08");
}

static int64_t mdr(int64_t a, int64_t b, int64_t c) {
    int64_t out = 0;
    assert_int_equal(money_mul_div_round(a, b, c, &out), 0);
    return out;
}

static void mul_div_rounds_half_away_from_zero(void **state) {
    (void) state;
    assert_int_equal(mdr(5, 1, 2), 3);      /* 2.5 -> 3 */
    assert_int_equal(mdr(-5, 1, 2), -3);    /* -2.5 -> -3 */
    assert_int_equal(mdr(5, 1, -2), -3);
    assert_int_equal(mdr(-5, -1, 2), 3);
    assert_int_equal(mdr(7, 1, 3), 2);      /* 2.33 -> 2 */
    assert_int_equal(mdr(8, 1, 3), 3);      /* 2.67 -> 3 */
    assert_int_equal(mdr(-8, 1, 3), -3);
    assert_int_equal(mdr(0, 7, 3), 0);
    /* Flat interest of docs/domain.md: 12,000,000 at 12 % a year, one month: 120,000.00. */
    assert_int_equal(mdr(1200000000, 1200, 10000 * 12), 12000000);
    /* Capital share of the SHU example: 500,000 / 10,000,000 x 20 % x 2,000,000 = 20,000. */
    assert_int_equal(mdr(50000000, 40000000, 1000000000), 2000000);
}

static void mul_div_uses_a_wide_intermediate(void **state) {
    (void) state;
    /* a*b overflows int64 but the quotient fits. */
    assert_true(mdr(INT64_MAX, INT64_MAX, INT64_MAX) == INT64_MAX);
    assert_true(mdr(INT64_MIN, 2, 2) == INT64_MIN);
    assert_true(mdr(4000000000000000000, 3, 4) == 3000000000000000000);
    int64_t out = 42;
    assert_int_equal(money_mul_div_round(INT64_MAX, 2, 1, &out), ERR_MONEY_RANGE);
    assert_int_equal(money_mul_div_round(INT64_MIN, -1, 1, &out), ERR_MONEY_RANGE);
    assert_int_equal(money_mul_div_round(INT64_MIN, INT64_MIN, 1, &out), ERR_MONEY_RANGE);
    assert_int_equal(out, 42);
}

static void add_and_sub_detect_overflow(void **state) {
    (void) state;
    int64_t out = 7;
    assert_int_equal(money_add(150, 250, &out), 0);
    assert_int_equal(out, 400);
    assert_int_equal(money_sub(150, 250, &out), 0);
    assert_int_equal(out, -100);
    assert_int_equal(money_add(INT64_MAX, 1, &out), ERR_MONEY_RANGE);
    assert_int_equal(money_sub(INT64_MIN, 1, &out), ERR_MONEY_RANGE);
    assert_int_equal(out, -100);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_whole_and_fractional_amounts),
        cmocka_unit_test(parses_the_int64_edge),
        cmocka_unit_test(rejects_what_is_not_a_decimal_number),
        cmocka_unit_test(rejects_a_third_decimal),
        cmocka_unit_test(rejects_negatives_unless_signed),
        cmocka_unit_test(error_texts_read_after_a_field_name),
        cmocka_unit_test(formats_canonically),
        cmocka_unit_test(format_and_parse_round_trip),
        cmocka_unit_test(formats_rupiah_for_people),
        cmocka_unit_test(mul_div_rounds_half_away_from_zero),
        cmocka_unit_test(mul_div_uses_a_wide_intermediate),
        cmocka_unit_test(add_and_sub_detect_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
