/*  csv_writer — reports as CSV files (RFC 4180): comma-separated, CRLF line ends, a field
    quoted when it holds the separator, a quote, CR or LF, with quotes doubled. Money is the
    canonical decimal text of money.h ("1500.50"), enums their lower-case JSON names
    ("voluntary"). reporting_csv_dialect() switches to what Excel set to Indonesian reads: `;`
    between fields and a decimal comma in money and decimals ("1500,50"); the byte order mark is
    the caller's.

    A text field that a spreadsheet would take for a formula (starting with = + - @ or a tab)
    gets a leading apostrophe: memos and names are typed by people, and a file opened in a
    spreadsheet must not run what they typed. Numbers are never altered.

    The writer builds the file in an arena and never fails midway; reporting_csv_finish()
    reports a file larger than REPORTING_CSV_MAX.

    Not for: parsing CSV (members' import has its own reader). */
#ifndef LUMBUNG_REPORTING_CSV_WRITER_H
#define LUMBUNG_REPORTING_CSV_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <protobuf-c/protobuf-c.h>
#include "arena.h"

enum {
    REPORTING_CSV_MAX = 8 * 1024 * 1024,   /* bytes of one file; fits a bus message */
    REPORTING_CSV_INITIAL = 4096,
};

typedef struct {
    arena_t *arena;
    char *buf;
    size_t len, cap;
    char separator;         /* ',' unless reporting_csv_dialect() said otherwise */
    bool decimal_comma;
    bool row_open;          /* a field was written on the current row */
    bool too_large;
} reporting_csv_t;

void reporting_csv_init(reporting_csv_t *csv, arena_t *arena);
void reporting_csv_dialect(reporting_csv_t *csv, char separator, bool decimal_comma);
/* Bytes as they are, outside any field (a byte order mark). */
void reporting_csv_raw(reporting_csv_t *csv, const char *bytes);

/* One field each; NULL text is an empty field. */
void reporting_csv_text(reporting_csv_t *csv, const char *text);
void reporting_csv_money(reporting_csv_t *csv, int64_t sen);
void reporting_csv_u64(reporting_csv_t *csv, uint64_t value);
/* A canonical decimal text ("12.50"), with the dialect's decimal mark. */
void reporting_csv_decimal(reporting_csv_t *csv, const char *text);
/* The value's name without the enum's prefix, lower case: ACCOUNT_CLASS_ASSET -> "asset";
   empty for 0 (unspecified) or an unknown value. */
void reporting_csv_enum(reporting_csv_t *csv, const ProtobufCEnumDescriptor *e, int value);
/* Ends the row (CRLF). */
void reporting_csv_end(reporting_csv_t *csv);

/* Points *out at the file (in the arena). -E2BIG when it grew past REPORTING_CSV_MAX. */
int reporting_csv_finish(reporting_csv_t *csv, ProtobufCBinaryData *out);

#endif
