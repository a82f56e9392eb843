/* nik: parsing per docs/domain.md "Identity numbers", error sentences, record comparison. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "date.h"
#include "nik.h"

static nik_t parsed(const char *text) {
    nik_t nik;
    memset(&nik, 0, sizeof nik);
    assert_int_equal(nik_parse(text, &nik), 0);
    return nik;
}

/* Parses `text`, expects `code` and the exact sentence for it. */
static void expect_error(const char *text, int code, const char *message) {
    nik_t nik = { .province = 99 };
    assert_int_equal(nik_parse(text, &nik), code);
    assert_int_equal(nik.province, 99);   /* untouched on failure */
    char buf[NIK_MESSAGE_MAX];
    assert_int_equal(nik_error_message(text, code, buf, sizeof buf), (int) strlen(message));
    assert_string_equal(buf, message);
}

static int32_t day_of(const char *text) {
    int32_t days = 0;
    assert_int_equal(date_parse(text, &days), 0);
    return days;
}

static void parses_every_part_of_a_mans_nik(void **state) {
    (void) state;
    nik_t nik = parsed("3201011707850001");
    assert_int_equal(nik.province, 32);
    assert_int_equal(nik.regency, 1);
    assert_int_equal(nik.district, 1);
    assert_int_equal(nik.day, 17);
    assert_int_equal(nik.month, 7);
    assert_int_equal(nik.yy, 85);
    assert_int_equal(nik.serial, 1);
    assert_int_equal(nik.sex, NIK_SEX_MALE);
}

static void a_womans_day_has_forty_added(void **state) {
    (void) state;
    nik_t nik = parsed("3578045707859999");
    assert_int_equal(nik.province, 35);
    assert_int_equal(nik.regency, 78);
    assert_int_equal(nik.district, 4);
    assert_int_equal(nik.day, 17);
    assert_int_equal(nik.sex, NIK_SEX_FEMALE);
    assert_int_equal(nik.serial, 9999);
    assert_int_equal(parsed("3201014101000001").day, 1);    /* 41 -> 1 */
    assert_int_equal(parsed("3201017101000001").day, 31);   /* 71 -> 31 */
    assert_int_equal(parsed("3201013101000001").sex, NIK_SEX_MALE);
}

static void rejects_wrong_length(void **state) {
    (void) state;
    expect_error("320101170785001", ERR_NIK_LENGTH, "NIK must be exactly 16 digits, not 15");
    expect_error("32010117078500011", ERR_NIK_LENGTH, "NIK must be exactly 16 digits, not 17");
    expect_error("", ERR_NIK_LENGTH, "NIK must be exactly 16 digits, not 0");
}

static void rejects_characters_that_are_not_digits(void **state) {
    (void) state;
    expect_error("3201A11707850001", ERR_NIK_DIGITS,
                 "NIK must be exactly 16 digits; character 5 is not a digit");
    expect_error("3201.01.170785.0001", ERR_NIK_DIGITS,
                 "NIK must be exactly 16 digits; character 5 is not a digit");
    expect_error(" 3201011707850001", ERR_NIK_DIGITS,
                 "NIK must be exactly 16 digits; character 1 is not a digit");
    expect_error("320101170785000", ERR_NIK_LENGTH, "NIK must be exactly 16 digits, not 15");
    expect_error("320101170785000\xd9\xa1", ERR_NIK_DIGITS,   /* Arabic-Indic one */
                 "NIK must be exactly 16 digits; character 16 is not a digit");
}

static void rejects_a_day_that_cannot_be_a_day(void **state) {
    (void) state;
    const char *hint = " is not a date (digits 7-8: 01-31, or 41-71 for women)";
    const char *days[] = { "00", "32", "40", "72", "99" };
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++) {
        char nik[NIK_DIGITS + 1], message[NIK_MESSAGE_MAX];
        snprintf(nik, sizeof nik, "320101%s07850001", days[i]);
        snprintf(message, sizeof message, "NIK day %s%s", days[i], hint);
        expect_error(nik, ERR_NIK_DAY, message);
    }
}

static void rejects_a_month_that_cannot_be_a_month(void **state) {
    (void) state;
    expect_error("3201011713850001", ERR_NIK_MONTH,
                 "NIK month 13 is not a month (digits 9-10: 01-12)");
    expect_error("3201011700850001", ERR_NIK_MONTH,
                 "NIK month 00 is not a month (digits 9-10: 01-12)");
}

static void rejects_a_date_that_is_not_on_the_calendar(void **state) {
    (void) state;
    expect_error("3201013104850001", ERR_NIK_DATE,
                 "NIK birth date 31-04-85 is not a calendar date");
    expect_error("3201013002850001", ERR_NIK_DATE,
                 "NIK birth date 30-02-85 is not a calendar date");
    expect_error("3201016902850001", ERR_NIK_DATE,   /* a woman born "29 February 1985" */
                 "NIK birth date 29-02-85 is not a calendar date");
    expect_error("3201012902230001", ERR_NIK_DATE,   /* 1923 and 2023 are not leap years */
                 "NIK birth date 29-02-23 is not a calendar date");
}

static void accepts_29_february_when_either_century_is_leap(void **state) {
    (void) state;
    assert_int_equal(parsed("3201012902840001").day, 29);   /* 1984 and 2084 */
    assert_int_equal(parsed("3201012902000001").yy, 0);     /* 1900 no, 2000 yes */
    assert_int_equal(parsed("3201016902040001").sex, NIK_SEX_FEMALE);
}

static void rejects_serial_zero(void **state) {
    (void) state;
    expect_error("3201011707850000", ERR_NIK_SERIAL,
                 "NIK serial 0000 is not allowed (digits 13-16: 0001-9999)");
}

static void checks_rules_in_order(void **state) {
    (void) state;
    nik_t nik;
    assert_int_equal(nik_parse("3201019913850000", &nik), ERR_NIK_DAY);   /* day before month */
    assert_int_equal(nik_parse("3201013113850000", &nik), ERR_NIK_MONTH); /* month before date */
    assert_int_equal(nik_parse("3201013104850000", &nik), ERR_NIK_DATE);  /* date before serial */
    char buf[NIK_MESSAGE_MAX];
    nik_error_message("3201011707850001", 12345, buf, sizeof buf);
    assert_string_equal(buf, "NIK is not valid");
}

static void agrees_with_a_matching_record(void **state) {
    (void) state;
    nik_t man = parsed("3201011707850001");
    assert_int_equal(nik_check_person(&man, day_of("1985-07-17"), NIK_SEX_MALE), 0);
    nik_t woman = parsed("3201015707050002");
    assert_int_equal(nik_check_person(&woman, day_of("2005-07-17"), NIK_SEX_FEMALE), 0);
    assert_int_equal(nik_check_person(&woman, NIK_BIRTH_DATE_UNKNOWN, NIK_SEX_UNKNOWN), 0);
}

static void warns_on_a_record_that_differs(void **state) {
    (void) state;
    nik_t man = parsed("3201011707850001");
    assert_int_equal(nik_check_person(&man, day_of("1985-07-18"), NIK_SEX_MALE),
                     NIK_WARN_BIRTH_DATE);
    assert_int_equal(nik_check_person(&man, day_of("1985-08-17"), NIK_SEX_UNKNOWN),
                     NIK_WARN_BIRTH_DATE);
    assert_int_equal(nik_check_person(&man, day_of("1986-07-17"), NIK_SEX_MALE),
                     NIK_WARN_BIRTH_DATE);
    assert_int_equal(nik_check_person(&man, day_of("1985-07-17"), NIK_SEX_FEMALE), NIK_WARN_SEX);
    assert_int_equal(nik_check_person(&man, day_of("1990-01-01"), NIK_SEX_FEMALE),
                     NIK_WARN_BIRTH_DATE | NIK_WARN_SEX);
    /* The recorded century settles 29 February: 1900 is not leap, so no record matches it. */
    nik_t leap = parsed("3201012902000001");
    assert_int_equal(nik_check_person(&leap, day_of("2000-02-29"), NIK_SEX_MALE), 0);
    assert_int_equal(nik_check_person(&leap, day_of("1900-02-28"), NIK_SEX_MALE),
                     NIK_WARN_BIRTH_DATE);
    assert_string_equal(nik_warning_text(NIK_WARN_BIRTH_DATE),
                        "the birth date in the NIK differs from the recorded one");
    assert_string_equal(nik_warning_text(NIK_WARN_SEX),
                        "the sex in the NIK differs from the recorded one");
}

static void resolves_the_century_against_today(void **state) {
    (void) state;
    int32_t today = day_of("2026-11-29"), days = 0;
    nik_t old = parsed("3201011707850001");
    assert_int_equal(nik_birth_date(&old, today, &days), 0);
    assert_int_equal(days, day_of("1985-07-17"));
    nik_t young = parsed("3201011707100001");
    assert_int_equal(nik_birth_date(&young, today, &days), 0);
    assert_int_equal(days, day_of("2010-07-17"));
    nik_t edge = parsed("3201012911260001");   /* born today */
    assert_int_equal(nik_birth_date(&edge, today, &days), 0);
    assert_int_equal(days, today);
    nik_t tomorrow = parsed("3201013011260001");
    assert_int_equal(nik_birth_date(&tomorrow, today, &days), 0);
    assert_int_equal(days, day_of("1926-11-30"));
    nik_t leap = parsed("3201012902000001");   /* only 2000-02-29 exists */
    assert_int_equal(nik_birth_date(&leap, day_of("1999-01-01"), &days), 0);
    assert_int_equal(days, day_of("2000-02-29"));
    nik_t forged = old;
    forged.month = 2;
    forged.day = 30;
    days = 5;
    assert_int_equal(nik_birth_date(&forged, today, &days), ERR_NIK_DATE);
    assert_int_equal(days, 5);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_every_part_of_a_mans_nik),
        cmocka_unit_test(a_womans_day_has_forty_added),
        cmocka_unit_test(rejects_wrong_length),
        cmocka_unit_test(rejects_characters_that_are_not_digits),
        cmocka_unit_test(rejects_a_day_that_cannot_be_a_day),
        cmocka_unit_test(rejects_a_month_that_cannot_be_a_month),
        cmocka_unit_test(rejects_a_date_that_is_not_on_the_calendar),
        cmocka_unit_test(accepts_29_february_when_either_century_is_leap),
        cmocka_unit_test(rejects_serial_zero),
        cmocka_unit_test(checks_rules_in_order),
        cmocka_unit_test(agrees_with_a_matching_record),
        cmocka_unit_test(warns_on_a_record_that_differs),
        cmocka_unit_test(resolves_the_century_against_today),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
