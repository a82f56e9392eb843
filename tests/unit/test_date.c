/* date: strict parsing, formatting, calendar arithmetic with month-end clamping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "date.h"

static int32_t day_of(const char *text) {
    int32_t days = 0;
    assert_int_equal(date_parse(text, &days), 0);
    return days;
}

static int parse_error(const char *text) {
    int32_t days = 777;
    int rc = date_parse(text, &days);
    assert_int_equal(days, 777);   /* untouched on failure */
    return rc;
}

static void parses_known_day_counts(void **state) {
    (void) state;
    assert_int_equal(day_of("1970-01-01"), 0);
    assert_int_equal(day_of("1970-01-02"), 1);
    assert_int_equal(day_of("1969-12-31"), -1);
    assert_int_equal(day_of("2000-03-01"), 11017);
    assert_int_equal(day_of("2024-02-29"), 19782);
    assert_int_equal(day_of("1900-01-01"), DATE_MIN);
    assert_int_equal(day_of("2999-12-31"), DATE_MAX);
}

static void rejects_anything_but_yyyy_mm_dd(void **state) {
    (void) state;
    const char *bad[] = { "", "2024-1-05", "2024-01-5", "24-01-05", "2024/01/05", "2024-01-05 ",
                          " 2024-01-05", "2024-01-05T00:00:00Z", "20240105", "2024-01", "+024-01-05",
                          "2024-0a-05", "２０２４-01-05", "2024--1-05", "-2024-01-05" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(parse_error(bad[i]), ERR_DATE_FORMAT);
}

static void rejects_dates_not_on_the_calendar(void **state) {
    (void) state;
    assert_int_equal(parse_error("2023-02-29"), ERR_DATE_NOT_A_DATE);
    assert_int_equal(parse_error("1900-02-29"), ERR_DATE_NOT_A_DATE);   /* century, not leap */
    assert_int_equal(day_of("2000-02-29"), 11016);                       /* 400th year, leap */
    assert_int_equal(parse_error("2024-04-31"), ERR_DATE_NOT_A_DATE);
    assert_int_equal(parse_error("2024-13-01"), ERR_DATE_NOT_A_DATE);
    assert_int_equal(parse_error("2024-00-10"), ERR_DATE_NOT_A_DATE);
    assert_int_equal(parse_error("2024-01-00"), ERR_DATE_NOT_A_DATE);
    assert_int_equal(parse_error("2024-01-32"), ERR_DATE_NOT_A_DATE);
}

static void rejects_years_outside_the_range(void **state) {
    (void) state;
    assert_int_equal(parse_error("1899-12-31"), ERR_DATE_RANGE);
    assert_int_equal(parse_error("3000-01-01"), ERR_DATE_RANGE);
    assert_int_equal(parse_error("0000-01-01"), ERR_DATE_RANGE);
    int32_t days;
    assert_int_equal(date_from_ymd(3000, 1, 1, &days), ERR_DATE_RANGE);
    assert_int_equal(date_from_ymd(2024, 2, 30, &days), ERR_DATE_NOT_A_DATE);
}

static void error_texts_read_after_a_field_name(void **state) {
    (void) state;
    assert_string_equal(date_error_text(ERR_DATE_FORMAT), "must be a date as YYYY-MM-DD");
    assert_string_equal(date_error_text(ERR_DATE_NOT_A_DATE), "is not a calendar date");
    assert_string_equal(date_error_text(ERR_DATE_RANGE),
                        "must be between 1900-01-01 and 2999-12-31");
    assert_string_equal(date_error_text(-99), "is not a valid date");
}

static void formats_and_round_trips_every_day_in_range(void **state) {
    (void) state;
    char buf[DATE_FORMAT_MAX];
    for (int32_t d = DATE_MIN; d <= DATE_MAX; d++) {
        assert_int_equal(date_format(d, buf, sizeof buf), DATE_TEXT_LEN);
        int32_t back = 0;
        assert_int_equal(date_parse(buf, &back), 0);
        assert_int_equal(back, d);
    }
    date_format(19782, buf, sizeof buf);
    assert_string_equal(buf, "2024-02-29");
    date_format(INT32_MIN, buf, sizeof buf);   /* far outside the range still formats */
    assert_string_equal(buf, "-5877641-06-23");
}

static void converts_to_and_from_ymd(void **state) {
    (void) state;
    int year, month, day;
    date_to_ymd(day_of("2026-11-29"), &year, &month, &day);
    assert_int_equal(year, 2026);
    assert_int_equal(month, 11);
    assert_int_equal(day, 29);
    int32_t days;
    assert_int_equal(date_from_ymd(1985, 7, 17, &days), 0);
    assert_int_equal(days, day_of("1985-07-17"));
    assert_true(date_is_leap_year(2000));
    assert_false(date_is_leap_year(1900));
    assert_true(date_is_leap_year(2024));
    assert_false(date_is_leap_year(2023));
    assert_int_equal(date_days_in_month(2024, 2), 29);
    assert_int_equal(date_days_in_month(2023, 2), 28);
    assert_int_equal(date_days_in_month(2023, 4), 30);
    assert_int_equal(date_days_in_month(2023, 12), 31);
}

static int32_t plus_months(const char *from, int32_t months) {
    int32_t out = 0;
    assert_int_equal(date_add_months(day_of(from), months, &out), 0);
    return out;
}

static void adds_months_clamping_to_month_end(void **state) {
    (void) state;
    assert_int_equal(plus_months("2024-01-31", 1), day_of("2024-02-29"));
    assert_int_equal(plus_months("2023-01-31", 1), day_of("2023-02-28"));
    assert_int_equal(plus_months("2024-01-31", 2), day_of("2024-03-31"));
    assert_int_equal(plus_months("2024-03-31", -1), day_of("2024-02-29"));
    assert_int_equal(plus_months("2024-01-15", 12), day_of("2025-01-15"));
    assert_int_equal(plus_months("2024-11-30", 3), day_of("2025-02-28"));
    assert_int_equal(plus_months("2024-01-15", -13), day_of("2022-12-15"));
    assert_int_equal(plus_months("2024-05-10", 0), day_of("2024-05-10"));
    int32_t out = 5;
    assert_int_equal(date_add_months(day_of("2999-12-01"), 1, &out), ERR_DATE_RANGE);
    assert_int_equal(date_add_months(day_of("1900-01-31"), -1, &out), ERR_DATE_RANGE);
    assert_int_equal(date_add_months(0, INT32_MAX, &out), ERR_DATE_RANGE);
    assert_int_equal(date_add_months(0, INT32_MIN, &out), ERR_DATE_RANGE);
    assert_int_equal(out, 5);
}

static void adds_days_within_the_range(void **state) {
    (void) state;
    int32_t out = 0;
    assert_int_equal(date_add_days(day_of("2024-02-28"), 1, &out), 0);
    assert_int_equal(out, day_of("2024-02-29"));
    assert_int_equal(date_add_days(day_of("2024-03-01"), -1, &out), 0);
    assert_int_equal(out, day_of("2024-02-29"));
    assert_int_equal(date_add_days(DATE_MAX, 1, &out), ERR_DATE_RANGE);
    assert_int_equal(date_add_days(DATE_MIN, -1, &out), ERR_DATE_RANGE);
    assert_int_equal(date_add_days(INT32_MAX, INT32_MAX, &out), ERR_DATE_RANGE);
    assert_int_equal(out, day_of("2024-02-29"));
}

static int32_t months(const char *from, const char *to) {
    return date_months_between(day_of(from), day_of(to));
}

static void counts_whole_months_between(void **state) {
    (void) state;
    assert_int_equal(months("2024-01-15", "2024-01-15"), 0);
    assert_int_equal(months("2024-01-15", "2024-02-14"), 0);
    assert_int_equal(months("2024-01-15", "2024-02-15"), 1);
    assert_int_equal(months("2024-01-31", "2024-02-29"), 1);   /* consistent with clamping */
    assert_int_equal(months("2024-01-31", "2024-02-28"), 0);
    assert_int_equal(months("2023-01-31", "2023-02-28"), 1);
    assert_int_equal(months("2023-06-10", "2024-06-09"), 11);
    assert_int_equal(months("2023-06-10", "2024-06-10"), 12);
    assert_int_equal(months("2024-02-15", "2024-01-15"), -1);
    assert_int_equal(months("2024-02-14", "2024-01-15"), 0);
    assert_int_equal(months("1900-01-01", "2999-12-31"), 13199);
}

static void today_is_the_utc_calendar_day(void **state) {
    (void) state;
    time_t before = time(NULL);
    int32_t today = date_today_utc();
    time_t after = time(NULL);
    assert_true(today >= before / 86400 && today <= after / 86400);
    assert_true(today > day_of("2024-01-01"));
}

/* Indonesia is UTC+7 to UTC+9: a zone's today is the UTC day or the next, the eastern zones are
   never behind the western ones, and an unknown zone counts as Jakarta. */
static void today_in_a_zone_is_its_local_day(void **state) {
    (void) state;
    int32_t utc = date_today_utc();
    int32_t wib = date_today_in_zone("Asia/Jakarta");
    int32_t wit = date_today_in_zone(DATE_ZONE_LATEST);
    int32_t utc_after = date_today_utc();
    assert_true(wib >= utc && wib <= utc_after + 1);
    assert_true(wit >= wib && wit <= utc_after + 1);
    int32_t unknown = date_today_in_zone("Europe/Paris");
    int32_t null_zone = date_today_in_zone(NULL);
    int32_t wib_after = date_today_in_zone("Asia/Jakarta");
    assert_true(unknown >= wib && unknown <= wib_after);
    assert_true(null_zone >= wib && null_zone <= wib_after);
}

static int32_t day(const char *text) {
    int32_t d = 0;
    assert_int_equal(date_parse(text, &d), 0);
    return d;
}

static void keys_sort_like_the_dates(void **state) {
    assert_true(date_key(-1) < date_key(0));
    assert_true(date_key(DATE_MIN) < date_key(-1));
    assert_true(date_key(0) < date_key(DATE_MAX));
    assert_int_equal(date_from_key(date_key(-12345)), -12345);
    assert_int_equal(date_from_key(date_key(DATE_MAX)), DATE_MAX);
}

static void a_fiscal_year_runs_from_its_start_month_for_twelve_months(void **state) {
    int32_t from, to;
    assert_int_equal(date_fiscal_year(2024, 7, &from, &to), 0);
    assert_int_equal(from, day("2024-07-01"));
    assert_int_equal(to, day("2025-06-30"));
    assert_int_equal(date_fiscal_year(2024, 0, &from, &to), 0);    /* counts as January */
    assert_int_equal(from, day("2024-01-01"));
    assert_int_equal(to, day("2024-12-31"));
    assert_int_equal(date_fiscal_year(DATE_FISCAL_YEAR_MAX, 1, &from, &to), 0);
    assert_int_equal(date_fiscal_year(DATE_FISCAL_YEAR_MAX + 1, 1, &from, &to), ERR_DATE_RANGE);
    assert_int_equal(date_fiscal_year(DATE_FISCAL_YEAR_MIN - 1, 1, &from, &to), ERR_DATE_RANGE);
    assert_int_equal(date_fiscal_year_of(day("2025-06-30"), 7), 2024);
    assert_int_equal(date_fiscal_year_of(day("2025-07-01"), 7), 2025);
    assert_int_equal(date_fiscal_year_of(day("2025-01-01"), 13), 2025);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_known_day_counts),
        cmocka_unit_test(rejects_anything_but_yyyy_mm_dd),
        cmocka_unit_test(rejects_dates_not_on_the_calendar),
        cmocka_unit_test(rejects_years_outside_the_range),
        cmocka_unit_test(error_texts_read_after_a_field_name),
        cmocka_unit_test(formats_and_round_trips_every_day_in_range),
        cmocka_unit_test(converts_to_and_from_ymd),
        cmocka_unit_test(adds_months_clamping_to_month_end),
        cmocka_unit_test(adds_days_within_the_range),
        cmocka_unit_test(counts_whole_months_between),
        cmocka_unit_test(today_is_the_utc_calendar_day),
        cmocka_unit_test(today_in_a_zone_is_its_local_day),
        cmocka_unit_test(keys_sort_like_the_dates),
        cmocka_unit_test(a_fiscal_year_runs_from_its_start_month_for_twelve_months),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
