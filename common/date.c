#include "date.h"
#include "arena.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum { SECONDS_PER_DAY = 86400, MONTHS_PER_YEAR = 12 };

/* Day count of a civil date (H. Hinnant's days_from_civil), in 64 bits so that no int32 day
   count or year near it can overflow. month 1..12, day 1..31. */
static int64_t days_from_civil(int64_t year, int month, int day) {
    year -= month <= 2;
    int64_t era = (year >= 0 ? year : year - 399) / 400;
    int64_t year_of_era = year - era * 400;                              /* [0, 399] */
    int64_t day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468;
}

/* The inverse (Hinnant's civil_from_days). */
static void civil_from_days(int64_t days, int64_t *year, int *month, int *day) {
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t day_of_era = days - era * 146097;                            /* [0, 146096] */
    int64_t year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    int64_t shifted_month = (5 * day_of_year + 2) / 153;                 /* March = 0 */
    *day = (int) (day_of_year - (153 * shifted_month + 2) / 5 + 1);
    *month = (int) (shifted_month < 10 ? shifted_month + 3 : shifted_month - 9);
    *year = year_of_era + era * 400 + (*month <= 2);
}

bool date_is_leap_year(int year) {
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int date_days_in_month(int year, int month) {
    static const int days[MONTHS_PER_YEAR] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    assert(month >= 1 && month <= MONTHS_PER_YEAR);
    return month == 2 && date_is_leap_year(year) ? 29 : days[month - 1];
}

int date_from_ymd(int year, int month, int day, int32_t *days) {
    assert(days);
    if (month < 1 || month > MONTHS_PER_YEAR) return ERR_DATE_NOT_A_DATE;
    if (day < 1 || day > date_days_in_month(year, month)) return ERR_DATE_NOT_A_DATE;
    if (year < DATE_YEAR_MIN || year > DATE_YEAR_MAX) return ERR_DATE_RANGE;
    *days = (int32_t) days_from_civil(year, month, day);
    return 0;
}

void date_to_ymd(int32_t days, int *year, int *month, int *day) {
    assert(year && month && day);
    int64_t y;
    civil_from_days(days, &y, month, day);
    *year = (int) y;
}

/* Reads `count` ASCII digits at p into *value; false at the first non-digit (or NUL). */
static bool read_digits(const char *p, int count, int *value) {
    int v = 0;
    for (int i = 0; i < count; i++) {
        if (p[i] < '0' || p[i] > '9') return false;
        v = v * 10 + (p[i] - '0');
    }
    *value = v;
    return true;
}

int date_parse(const char *text, int32_t *days) {
    assert(text && days);
    int year, month, day;
    if (!read_digits(text, 4, &year) || text[4] != '-') return ERR_DATE_FORMAT;
    if (!read_digits(text + 5, 2, &month) || text[7] != '-') return ERR_DATE_FORMAT;
    if (!read_digits(text + 8, 2, &day) || text[DATE_TEXT_LEN] != '\0') return ERR_DATE_FORMAT;
    return date_from_ymd(year, month, day, days);
}

const char *date_error_text(int code) {
    switch (code) {
    case 0: return "is valid";
    case ERR_DATE_FORMAT: return "must be a date as YYYY-MM-DD";
    case ERR_DATE_NOT_A_DATE: return "is not a calendar date";
    case ERR_DATE_RANGE: return "must be between 1900-01-01 and 2999-12-31";
    default: return "is not a valid date";
    }
}

int date_format(int32_t days, char *buf, size_t size) {
    assert(buf && size >= DATE_FORMAT_MAX);
    int year, month, day;
    date_to_ymd(days, &year, &month, &day);
    int n = snprintf(buf, size, "%04d-%02d-%02d", year, month, day);
    assert(n > 0 && (size_t) n < size);
    return n;
}

static int check_range(int64_t days, int32_t *out) {
    if (days < DATE_MIN || days > DATE_MAX) return ERR_DATE_RANGE;
    *out = (int32_t) days;
    return 0;
}

int date_add_days(int32_t days, int32_t n, int32_t *out) {
    assert(out);
    return check_range((int64_t) days + n, out);
}

/* The clamped month addition on any date, without range checks (64-bit throughout). */
static int64_t add_months(int32_t days, int64_t months) {
    int year, month, day;
    date_to_ymd(days, &year, &month, &day);
    int64_t total = (int64_t) year * MONTHS_PER_YEAR + (month - 1) + months;
    int64_t new_year = total >= 0 ? total / MONTHS_PER_YEAR : -((-total + 11) / MONTHS_PER_YEAR);
    int new_month = (int) (total - new_year * MONTHS_PER_YEAR) + 1;
    int last = date_days_in_month((int) (new_year % 400), new_month);  /* leap rule repeats */
    return days_from_civil(new_year, new_month, day < last ? day : last);
}

int date_add_months(int32_t days, int32_t months, int32_t *out) {
    assert(out);
    return check_range(add_months(days, months), out);
}

int32_t date_months_between(int32_t from, int32_t to) {
    if (to < from) return -date_months_between(to, from);
    int from_year, from_month, from_day, to_year, to_month, to_day;
    date_to_ymd(from, &from_year, &from_month, &from_day);
    date_to_ymd(to, &to_year, &to_month, &to_day);
    int64_t months = ((int64_t) to_year - from_year) * MONTHS_PER_YEAR + (to_month - from_month);
    /* Landing in to's month past to's day means the last month is not whole yet. */
    if (add_months(from, months) > to) months--;
    assert(months >= 0 && months <= INT32_MAX);
    return (int32_t) months;
}

int32_t date_today_utc(void) {
    time_t now = time(NULL);
    assert(now != (time_t) -1 && now >= 0);
    return (int32_t) (now / SECONDS_PER_DAY);
}

static const struct { const char *name; int offset_minutes; } zones[] = {
    { "Asia/Jakarta", 7 * 60 },     /* WIB: Sumatra, Java, West and Central Kalimantan */
    { "Asia/Makassar", 8 * 60 },    /* WITA: Bali, Nusa Tenggara, Sulawesi, ... */
    { "Asia/Jayapura", 9 * 60 },    /* WIT: Maluku and Papua */
};

int date_zone_offset_minutes(const char *zone) {
    for (size_t i = 0; zone && i < sizeof zones / sizeof zones[0]; i++)
        if (!strcmp(zone, zones[i].name)) return zones[i].offset_minutes;
    return -1;
}

int32_t date_local_today(int64_t now_ms, int offset_minutes) {
    assert(now_ms >= 0 && offset_minutes >= 0);
    int64_t ms = now_ms + (int64_t) offset_minutes * 60 * 1000;
    return (int32_t) (ms / (SECONDS_PER_DAY * INT64_C(1000)));
}

int32_t date_today_in_zone(const char *zone) {
    int offset = date_zone_offset_minutes(zone);
    if (offset < 0) offset = date_zone_offset_minutes(DATE_ZONE_DEFAULT);
    struct timespec ts;
    int rc = clock_gettime(CLOCK_REALTIME, &ts);
    assert(rc == 0 && ts.tv_sec >= 0);
    (void) rc;
    return date_local_today((int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000, offset);
}

/* ---- keys, fiscal years, text ---- */

uint32_t date_key(int32_t days) { return (uint32_t) days ^ 0x80000000u; }

int32_t date_from_key(uint32_t key) { return (int32_t) (key ^ 0x80000000u); }

int date_fiscal_year(int year, int start_month, int32_t *from, int32_t *to) {
    if (start_month < 1 || start_month > 12) start_month = 1;
    int32_t start, next;
    int rc = date_from_ymd(year, start_month, 1, &start);
    if (rc == 0) rc = date_from_ymd(year + 1, start_month, 1, &next);
    if (rc != 0) return ERR_DATE_RANGE;
    *from = start;
    *to = next - 1;
    return 0;
}

int date_fiscal_year_of(int32_t days, int start_month) {
    if (start_month < 1 || start_month > 12) start_month = 1;
    int y, m, d;
    date_to_ymd(days, &y, &m, &d);
    return m >= start_month ? y : y - 1;
}

char *date_text(struct arena *arena, int32_t days) {
    char buf[DATE_FORMAT_MAX];
    date_format(days, buf, sizeof buf);
    return arena_strdup(arena, buf);
}
