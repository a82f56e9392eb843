/*  date — calendar dates as int32 days since 1970-01-01 (proleptic Gregorian, no time zone).

    Business dates, value dates, due dates and birth dates are whole days; storing them as a
    day count makes comparison and "days overdue" plain subtraction and keeps keys fixed-width.
    Text is exactly `YYYY-MM-DD`. Dates a user can enter or the system can compute are limited
    to years DATE_YEAR_MIN..DATE_YEAR_MAX, which covers every birth date and every loan term
    and keeps arithmetic far from overflow; date_to_ymd() and date_format() accept any day count.

    Month arithmetic clamps to the end of the month (Jan 31 + 1 month = Feb 28 or 29), which is
    how instalment due dates and savings periods are counted (docs/domain.md).

    Time zones are only the three of Indonesia (WIB, WITA, WIT), fixed offsets from UTC without
    daylight saving, so a cooperative's local today is plain arithmetic on the clock.

    Not for: timestamps (UTC times of day are int64 milliseconds elsewhere) or other time
    zones; a cooperative's business date comes from the cooperative, not from the clock. */
#ifndef LUMBUNG_DATE_H
#define LUMBUNG_DATE_H

#include "error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    DATE_YEAR_MIN = 1900,
    DATE_YEAR_MAX = 2999,
    DATE_MIN = -25567,        /* 1900-01-01 */
    DATE_MAX = 376199,        /* 2999-12-31 */
    DATE_TEXT_LEN = 10,       /* "YYYY-MM-DD" */
    DATE_FORMAT_MAX = 16,     /* buffer for date_format(), any int32 day count + NUL */
};

/* Operating errors are codes of error.h, distinct so a caller can word the message:
   ERR_DATE_FORMAT      not exactly YYYY-MM-DD with digits
   ERR_DATE_NOT_A_DATE  month not 1..12 or day not in that month (2023-02-29)
   ERR_DATE_RANGE       year outside DATE_YEAR_MIN..DATE_YEAR_MAX, or a result beyond */

/* Parses exactly "YYYY-MM-DD" into *days. Returns 0 or an ERR_DATE_* code; *days is
   written only on success. */
int date_parse(const char *text, int32_t *days);

/* A phrase for an error code that reads after a field name: "must be a date as YYYY-MM-DD",
   "is not a calendar date", "must be between 1900-01-01 and 2999-12-31". A static string. */
const char *date_error_text(int code);

/* Writes "YYYY-MM-DD" into buf (size >= DATE_FORMAT_MAX, asserted) and returns its length,
   10 for every date in the supported range. */
int date_format(int32_t days, char *buf, size_t size);

/* *days for a calendar date; ERR_DATE_NOT_A_DATE or ERR_DATE_RANGE as date_parse(). */
int date_from_ymd(int year, int month, int day, int32_t *days);

/* The calendar date of a day count; never fails. */
void date_to_ymd(int32_t days, int *year, int *month, int *day);

bool date_is_leap_year(int year);

/* Days in `month` (1..12, asserted) of `year`. */
int date_days_in_month(int year, int month);

/* *out = days + n, ERR_DATE_RANGE when the result leaves the supported range. */
int date_add_days(int32_t days, int32_t n, int32_t *out);

/* *out = the same day `months` months later (earlier when negative), clamped to the last day
   of the target month: 2024-01-31 + 1 = 2024-02-29, 2023-01-31 + 1 = 2023-02-28.
   ERR_DATE_RANGE when the result leaves the supported range. */
int date_add_months(int32_t days, int32_t months, int32_t *out);

/* Whole months from `from` to `to`: the largest m with date_add_months(from, m) <= to when
   to >= from (2024-01-31 -> 2024-02-29 is 1, 2024-01-15 -> 2024-02-14 is 0), and
   -date_months_between(to, from) when to < from. */
int32_t date_months_between(int32_t from, int32_t to);

/* Today's date in UTC from the system clock. */
int32_t date_today_utc(void);

/* The zone a cooperative keeps its days in when it names none (WIB). */
#define DATE_ZONE_DEFAULT "Asia/Jakarta"

/* Minutes east of UTC of an Indonesian zone: Asia/Jakarta 420, Asia/Makassar 480,
   Asia/Jayapura 540; -1 for any other name (or NULL). */
int date_zone_offset_minutes(const char *zone);

/* The local date at `now_ms` (Unix ms, >= 0) in a zone `offset_minutes` east of UTC. */
int32_t date_local_today(int64_t now_ms, int offset_minutes);

/* Today from the system clock in `zone` (NULL or a name date_zone_offset_minutes() does not
   know: DATE_ZONE_DEFAULT). A cooperative's "today" is this with its time_zone setting. */
int32_t date_today_in_zone(const char *zone);

/* The latest date anywhere in Indonesia now (WIT): the default "as of" of a district-wide
   view, since no cooperative has posted anything dated later. */
#define DATE_ZONE_LATEST "Asia/Jayapura"

/* ---- keys, fiscal years, text ---- */

/* Fiscal years a request may name: the year after one must still be a date, so one less than
   DATE_YEAR_MAX. Every service checks a `year` field against these two. */
enum { DATE_FISCAL_YEAR_MIN = DATE_YEAR_MIN, DATE_FISCAL_YEAR_MAX = DATE_YEAR_MAX - 1 };

/* A day count as a store key part that sorts like the dates (big-endian u32, sign bit
   flipped), and back. Every table keyed by date uses these two. */
uint32_t date_key(int32_t days);
int32_t date_from_key(uint32_t key);

/* The fiscal year `year` that starts on the first of `start_month` (1..12; anything else counts
   as January): *from is that day, *to the day before the same date a year later.
   ERR_DATE_RANGE when either end leaves the supported range. */
int date_fiscal_year(int year, int start_month, int32_t *from, int32_t *to);

/* The fiscal year (named by the calendar year it starts in) that holds `days`. */
int date_fiscal_year_of(int32_t days, int start_month);

/* "YYYY-MM-DD" of `days`, copied into `arena` (for a reply field). */
struct arena;
char *date_text(struct arena *arena, int32_t days);

#endif
