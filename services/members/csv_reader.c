#include "csv_reader.h"

#include <assert.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

void members_csv_init(members_csv_t *csv, const uint8_t *data, size_t len) {
    assert(csv && (data || len == 0));
    memset(csv, 0, sizeof *csv);
    csv->data = data;
    csv->len = len;
    csv->line = 1;
    csv->separator = ',';
    if (len >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF) csv->pos = 3;
}

void members_csv_separator(members_csv_t *csv, char separator) {
    assert(csv && (separator == ',' || separator == ';'));
    csv->separator = separator;
}

char members_csv_sniff(const uint8_t *data, size_t len) {
    size_t i = len >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF ? 3 : 0;
    size_t commas = 0, semicolons = 0;
    bool quoted = false;
    for (; i < len && (quoted || (data[i] != '\n' && data[i] != '\r')); i++) {
        if (data[i] == '"') quoted = !quoted;
        else if (!quoted && data[i] == ',') commas++;
        else if (!quoted && data[i] == ';') semicolons++;
    }
    return semicolons > commas ? ';' : ',';
}

static int broken(members_csv_t *csv, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Column of byte `at` on its line, counted in bytes from 1. */
static uint32_t column_of(const members_csv_t *csv, size_t at) {
    size_t start = at;
    while (start > 0 && csv->data[start - 1] != '\n' && csv->data[start - 1] != '\r') start--;
    return (uint32_t) (at - start + 1);
}

static int broken(members_csv_t *csv, size_t at, const char *fmt, ...) {
    csv->error_line = csv->line;
    csv->error_column = column_of(csv, at);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(csv->error, sizeof csv->error, fmt, ap);
    va_end(ap);
    return ERR_BROKEN_INPUT;
}

static bool at_line_end(const members_csv_t *csv) {
    return csv->pos < csv->len && (csv->data[csv->pos] == '\n' || csv->data[csv->pos] == '\r');
}

/* Consumes one line end (CRLF, LF or CR) at pos. */
static void skip_line_end(members_csv_t *csv) {
    assert(at_line_end(csv));
    if (csv->data[csv->pos] == '\r' && csv->pos + 1 < csv->len && csv->data[csv->pos + 1] == '\n')
        csv->pos++;
    csv->pos++;
    csv->line++;
}

static char *copy_plain(arena_t *arena, const uint8_t *s, size_t n) {
    char *out = arena_alloc(arena, n + 1);
    memcpy(out, s, n);
    return out;
}

/* Copies a quoted field's inside [from, to) collapsing "" to ". */
static char *copy_quoted(arena_t *arena, const uint8_t *s, size_t n) {
    char *out = arena_alloc(arena, n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        out[o++] = (char) s[i];
        if (s[i] == '"') i++;     /* the second quote of a pair */
    }
    out[o] = '\0';
    return out;
}

/* Reads a quoted field starting at the opening quote; leaves pos after the closing quote. */
static int read_quoted(members_csv_t *csv, arena_t *arena, char **out) {
    size_t open_at = csv->pos;
    uint32_t open_line = csv->line;
    size_t from = ++csv->pos;
    for (;;) {
        if (csv->pos >= csv->len) {
            csv->line = open_line;
            return broken(csv, open_at, "a quoted field starting on line %u never ends "
                          "(a closing \" is missing)", open_line);
        }
        uint8_t c = csv->data[csv->pos];
        if (c == '"') {
            if (csv->pos + 1 < csv->len && csv->data[csv->pos + 1] == '"') { csv->pos += 2; continue; }
            break;
        }
        if (c == '\n' || (c == '\r' && !(csv->pos + 1 < csv->len && csv->data[csv->pos + 1] == '\n')))
            csv->line++;
        csv->pos++;
    }
    if (out) *out = copy_quoted(arena, csv->data + from, csv->pos - from);
    csv->pos++;    /* the closing quote */
    if (csv->pos < csv->len && csv->data[csv->pos] != csv->separator && !at_line_end(csv))
        return broken(csv, csv->pos, "unexpected text after the closing quote of a field on "
                      "line %u; a quoted field must end right before a '%c' or the line end",
                      csv->line, csv->separator);
    return 0;
}

static int read_plain(members_csv_t *csv, arena_t *arena, char **out) {
    size_t from = csv->pos;
    while (csv->pos < csv->len && csv->data[csv->pos] != csv->separator && !at_line_end(csv)) {
        if (csv->data[csv->pos] == '"')
            return broken(csv, csv->pos, "a quote inside an unquoted field on line %u; enclose "
                          "the field in quotes and double the quote (\"\")", csv->line);
        csv->pos++;
    }
    if (out) *out = copy_plain(arena, csv->data + from, csv->pos - from);
    return 0;
}

int members_csv_next(members_csv_t *csv, arena_t *arena, char **fields, int max) {
    assert(csv && (!arena || (fields && max > 0)));
    while (at_line_end(csv)) skip_line_end(csv);     /* empty lines */
    if (csv->pos >= csv->len) return MEMBERS_CSV_END;
    csv->record_line = csv->line;
    int n = 0;
    for (;;) {
        char **slot = arena && n < max ? &fields[n] : NULL;
        bool quoted = csv->pos < csv->len && csv->data[csv->pos] == '"';
        int rc = quoted ? read_quoted(csv, arena, slot) : read_plain(csv, arena, slot);
        if (rc != 0) return rc;
        n++;
        if (csv->pos >= csv->len) break;
        if (at_line_end(csv)) { skip_line_end(csv); break; }
        assert(csv->data[csv->pos] == csv->separator);
        csv->pos++;
    }
    return n;
}
