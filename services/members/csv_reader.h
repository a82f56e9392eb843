/*  csv_reader — a strict RFC 4180 reader for member imports, with `,` or `;` between fields.

    Records end with CRLF, LF or CR; the last may end at the end of the data. A field that
    starts with a double quote is quoted: it may hold commas, line breaks and doubled quotes
    ("" for one "), and the closing quote must be followed by a comma, a line end or the end.
    A quote anywhere else, a quoted field that never closes, or text after a closing quote is a
    broken file, reported with its line and column, because guessing what the sender meant
    would import wrong data. Empty lines are skipped. A UTF-8 byte order mark at the very start
    (spreadsheets write one) is skipped. The separator is `,` unless members_csv_separator()
    says `;` (what Excel set to Indonesian writes); members_csv_sniff() tells which a file's
    first line uses.

    A record is numbered by the line it starts on (the header is line 1), which is the row
    number a spreadsheet shows for files without line breaks inside fields.

    The reader does not check encodings (see members_utf8_valid) or what the fields mean.
    Not for: writing CSV, other separators, or files larger than fit in memory. */
#ifndef LUMBUNG_MEMBERS_CSV_READER_H
#define LUMBUNG_MEMBERS_CSV_READER_H

#include <stddef.h>
#include <stdint.h>
#include "arena.h"
#include "error.h"

enum {
    MEMBERS_CSV_FIELDS_MAX = 64,     /* fields kept per record; more are counted, not kept */
    MEMBERS_CSV_MESSAGE_MAX = 200,
    MEMBERS_CSV_END = 0,             /* members_csv_next(): no more records */
};

typedef struct {
    const uint8_t *data;
    size_t len;
    size_t pos;
    char separator;                  /* ',' or ';' */
    uint32_t line;                   /* line of data[pos], from 1 */
    uint32_t record_line;            /* line the last record returned started on */
    uint32_t error_line, error_column;
    char error[MEMBERS_CSV_MESSAGE_MAX];
} members_csv_t;

/* Starts reading `data` (borrowed; it must outlive the reader). */
void members_csv_init(members_csv_t *csv, const uint8_t *data, size_t len);

/* Separates fields with `separator` (',' or ';') from here on. */
void members_csv_separator(members_csv_t *csv, char separator);

/* The separator of the file's first line: ';' when it holds more `;` than `,` outside quotes
   (a header names no field with either), ',' otherwise. */
char members_csv_sniff(const uint8_t *data, size_t len);

/* Reads the next non-empty record. Returns its number of fields (>= 1), MEMBERS_CSV_END, or
   ERR_BROKEN_INPUT (error.h) with csv->error, error_line and error_column set. When `arena` is not
   NULL, fields[0 .. min(n, max) - 1] receive NUL-terminated copies with quoting removed,
   allocated in `arena`; with a NULL arena the record is only checked (a cheap first pass).
   csv->record_line gives the record's line number. */
int members_csv_next(members_csv_t *csv, arena_t *arena, char **fields, int max);

#endif
