#include "nik.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "date.h"

enum {
    /* 0-based offsets of each part in the text. */
    NIK_AT_PROVINCE = 0,
    NIK_AT_REGENCY = 2,
    NIK_AT_DISTRICT = 4,
    NIK_AT_DAY = 6,
    NIK_AT_MONTH = 8,
    NIK_AT_YEAR = 10,
    NIK_AT_SERIAL = 12,
    NIK_DAY_MAX = 31,
    NIK_MONTH_MAX = 12,
    CENTURY_19 = 1900,
    CENTURY_20 = 2000,
};

static int digits_value(const char *p, int count) {
    int v = 0;
    for (int i = 0; i < count; i++) v = v * 10 + (p[i] - '0');
    return v;
}

/* Digits 7-8 without the 40 that women add. */
static int day_of_birth(const char *text) {
    int day = digits_value(text + NIK_AT_DAY, 2);
    return day > NIK_WOMAN_DAY_OFFSET ? day - NIK_WOMAN_DAY_OFFSET : day;
}

/* 0 when text is 16 ASCII digits; otherwise the error, with the 1-based position of the first
   non-digit (or the number of digits) in *detail. */
static int check_shape(const char *text, size_t *detail) {
    size_t n = 0;
    for (; text[n] != '\0'; n++) {
        if (text[n] < '0' || text[n] > '9') {
            *detail = n + 1;
            return ERR_NIK_DIGITS;
        }
    }
    *detail = n;
    return n == NIK_DIGITS ? 0 : ERR_NIK_LENGTH;
}

static int date_in_century(int century, const nik_t *nik, int32_t *days) {
    return date_from_ymd(century + nik->yy, nik->month, nik->day, days);
}

int nik_parse(const char *text, nik_t *nik) {
    assert(text && nik);
    size_t detail;
    int rc = check_shape(text, &detail);
    if (rc != 0) return rc;

    nik_t parsed = {
        .province = digits_value(text + NIK_AT_PROVINCE, 2),
        .regency = digits_value(text + NIK_AT_REGENCY, 2),
        .district = digits_value(text + NIK_AT_DISTRICT, 2),
        .day = day_of_birth(text),
        .month = digits_value(text + NIK_AT_MONTH, 2),
        .yy = digits_value(text + NIK_AT_YEAR, 2),
        .serial = digits_value(text + NIK_AT_SERIAL, 4),
        .sex = digits_value(text + NIK_AT_DAY, 2) > NIK_WOMAN_DAY_OFFSET ? NIK_SEX_FEMALE
                                                                         : NIK_SEX_MALE,
    };
    if (parsed.day < 1 || parsed.day > NIK_DAY_MAX) return ERR_NIK_DAY;
    if (parsed.month < 1 || parsed.month > NIK_MONTH_MAX) return ERR_NIK_MONTH;
    int32_t days;
    if (date_in_century(CENTURY_19, &parsed, &days) != 0 &&
        date_in_century(CENTURY_20, &parsed, &days) != 0)
        return ERR_NIK_DATE;
    if (parsed.serial == 0) return ERR_NIK_SERIAL;
    *nik = parsed;
    return 0;
}

int nik_error_message(const char *text, int code, char *buf, size_t size) {
    assert(text && buf && size >= NIK_MESSAGE_MAX);
    size_t detail = 0;
    int shape = check_shape(text, &detail);
    assert(shape == 0 || shape == code);   /* text must be what nik_parse() rejected */
    int n;
    switch (code) {
    case ERR_NIK_DIGITS:
        n = snprintf(buf, size, "NIK must be exactly 16 digits; character %zu is not a digit",
                     detail);
        break;
    case ERR_NIK_LENGTH:
        n = snprintf(buf, size, "NIK must be exactly 16 digits, not %zu", detail);
        break;
    case ERR_NIK_DAY:
        n = snprintf(buf, size, "NIK day %.2s is not a date (digits 7-8: 01-31, or 41-71 for "
                     "women)", text + NIK_AT_DAY);
        break;
    case ERR_NIK_MONTH:
        n = snprintf(buf, size, "NIK month %.2s is not a month (digits 9-10: 01-12)",
                     text + NIK_AT_MONTH);
        break;
    case ERR_NIK_DATE:
        n = snprintf(buf, size, "NIK birth date %02d-%.2s-%.2s is not a calendar date",
                     day_of_birth(text), text + NIK_AT_MONTH, text + NIK_AT_YEAR);
        break;
    case ERR_NIK_SERIAL:
        n = snprintf(buf, size, "NIK serial %.4s is not allowed (digits 13-16: 0001-9999)",
                     text + NIK_AT_SERIAL);
        break;
    default:
        n = snprintf(buf, size, "NIK is not valid");
        break;
    }
    assert(n > 0 && (size_t) n < size);
    return n;
}

unsigned nik_check_person(const nik_t *nik, int32_t birth_date, nik_sex_t sex) {
    assert(nik);
    unsigned warnings = 0;
    if (birth_date != NIK_BIRTH_DATE_UNKNOWN) {
        int year, month, day;
        date_to_ymd(birth_date, &year, &month, &day);
        if (day != nik->day || month != nik->month || year % 100 != nik->yy)
            warnings |= NIK_WARN_BIRTH_DATE;
    }
    if (sex != NIK_SEX_UNKNOWN && sex != nik->sex) warnings |= NIK_WARN_SEX;
    return warnings;
}

const char *nik_warning_text(unsigned warning) {
    switch (warning) {
    case NIK_WARN_BIRTH_DATE: return "the birth date in the NIK differs from the recorded one";
    case NIK_WARN_SEX: return "the sex in the NIK differs from the recorded one";
    default: return "the NIK differs from the record";
    }
}

int nik_birth_date(const nik_t *nik, int32_t today, int32_t *days) {
    assert(nik && days);
    int32_t in_19 = 0, in_20 = 0;
    int rc_19 = date_in_century(CENTURY_19, nik, &in_19);
    int rc_20 = date_in_century(CENTURY_20, nik, &in_20);
    if (rc_20 == 0 && (in_20 <= today || rc_19 != 0))
        *days = in_20;
    else if (rc_19 == 0)
        *days = in_19;
    else
        return ERR_NIK_DATE;
    return 0;
}
