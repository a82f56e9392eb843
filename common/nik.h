/*  nik — the 16-digit Indonesian identity number (Nomor Induk Kependudukan) of a person.

    Layout (docs/domain.md, "Identity numbers"): digits 1-2 province, 3-4 regency or city, 5-6
    district (kecamatan), 7-8 day of birth (women add 40, so 41-71), 9-10 month, 11-12 the
    year's last two digits, 13-16 a serial 0001-9999. There is no check digit, so what can be
    checked is the shape, the date and the serial. The century is not written down: a day and
    month are accepted when they make a real date in 19yy or in 20yy (only 29 February depends
    on it), and a recorded birth date, when there is one, decides.

    nik_parse() rejects, with one distinct code per rule, a number that cannot be a NIK;
    nik_check_person() compares a valid NIK with what is recorded about the person and only
    warns, because the civil registry makes mistakes the cooperative must live with.

    Not for: uniqueness of members (the members service enforces one membership per NIK per
    cooperative) or region names (codes only). */
#ifndef LUMBUNG_NIK_H
#define LUMBUNG_NIK_H

#include "error.h"

#include <stddef.h>
#include <stdint.h>

enum {
    NIK_DIGITS = 16,
    NIK_WOMAN_DAY_OFFSET = 40,  /* women's day of birth is written as day + 40 */
    NIK_MESSAGE_MAX = 160,      /* buffer for nik_error_message() */
};

/* Numbered as the proto enums (`SEX_FEMALE = 1`) so a cast between them is safe. */
typedef enum { NIK_SEX_UNKNOWN = 0, NIK_SEX_FEMALE = 1, NIK_SEX_MALE = 2 } nik_sex_t;

typedef struct {
    int province;    /* digits 1-2, e.g. 32 */
    int regency;     /* digits 3-4 */
    int district;    /* digits 5-6 */
    int day;         /* day of birth 1..31, the women's +40 removed */
    int month;       /* 1..12 */
    int yy;          /* last two digits of the year of birth, 0..99 */
    int serial;      /* 1..9999 */
    nik_sex_t sex;   /* NIK_SEX_FEMALE when digits 7-8 are 41..71, else NIK_SEX_MALE */
} nik_t;

/* Operating errors are codes of error.h, one per rule, checked in this order:
   ERR_NIK_DIGITS  a character that is not an ASCII digit
   ERR_NIK_LENGTH  only digits, but not 16 of them
   ERR_NIK_DAY     digits 7-8 neither 01..31 nor 41..71
   ERR_NIK_MONTH   digits 9-10 not 01..12
   ERR_NIK_DATE    day and month not a date in 19yy nor in 20yy (31 April)
   ERR_NIK_SERIAL  digits 13-16 are 0000 */

/* Parses `text` into *nik (written only on success). Returns 0 or an ERR_NIK_* code. */
int nik_parse(const char *text, nik_t *nik);

/* Writes into buf (size >= NIK_MESSAGE_MAX, asserted) the sentence that tells a person what is
   wrong with `text`, which nik_parse() rejected with `code`, and returns its length:
     ERR_NIK_DIGITS  "NIK must be exactly 16 digits; character 5 is not a digit"
     ERR_NIK_LENGTH  "NIK must be exactly 16 digits, not 15"
     ERR_NIK_DAY     "NIK day 32 is not a date (digits 7-8: 01-31, or 41-71 for women)"
     ERR_NIK_MONTH   "NIK month 13 is not a month (digits 9-10: 01-12)"
     ERR_NIK_DATE    "NIK birth date 31-04-85 is not a calendar date" (DD-MM-YY, a woman's
                     day shown without the 40)
     ERR_NIK_SERIAL  "NIK serial 0000 is not allowed (digits 13-16: 0001-9999)" */
int nik_error_message(const char *text, int code, char *buf, size_t size);

/* Warnings of nik_check_person(), or-ed together. */
enum {
    NIK_WARN_BIRTH_DATE = 1 << 0,   /* day, month or two-digit year differ from the record */
    NIK_WARN_SEX = 1 << 1,          /* the NIK's sex differs from the recorded sex */
};

/* Pass as birth_date when none is recorded: the date is then not compared. */
enum { NIK_BIRTH_DATE_UNKNOWN = INT32_MIN };

/* Compares a parsed NIK with the person's record (birth_date in days since 1970, or
   NIK_BIRTH_DATE_UNKNOWN; sex NIK_SEX_UNKNOWN is not compared) and returns the warnings, 0
   when everything agrees. The recorded year settles the century: 1985-07-17 agrees with
   day 17, month 07, yy 85. */
unsigned nik_check_person(const nik_t *nik, int32_t birth_date, nik_sex_t sex);

/* A phrase for one warning flag: "the birth date in the NIK differs from the recorded one",
   "the sex in the NIK differs from the recorded one". A static string. */
const char *nik_warning_text(unsigned warning);

/* The birth date the NIK says when nothing is recorded: 20yy when that is a date not after
   `today`, otherwise 19yy, unless only 20yy is a date (29 February with yy 00). Returns 0,
   or ERR_NIK_DATE for a nik_t that nik_parse() would not have produced. */
int nik_birth_date(const nik_t *nik, int32_t today, int32_t *days);

#endif
