#include "csv_writer.h"
#include "enum_id.h"
#include "money.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>


void reporting_csv_init(reporting_csv_t *csv, arena_t *arena) {
    assert(csv && arena);
    memset(csv, 0, sizeof *csv);
    csv->arena = arena;
    csv->separator = ',';
    csv->cap = REPORTING_CSV_INITIAL;
    csv->buf = arena_alloc(arena, csv->cap);
}

/* Appends n bytes; past the limit the file stops growing and finish() says so. */
static void put(reporting_csv_t *csv, const char *p, size_t n) {
    if (csv->too_large) return;
    if (csv->len + n > REPORTING_CSV_MAX) { csv->too_large = true; return; }
    if (csv->len + n > csv->cap) {
        size_t cap = csv->cap;
        while (cap < csv->len + n) cap *= 2;
        char *more = arena_alloc(csv->arena, cap);
        memcpy(more, csv->buf, csv->len);
        csv->buf = more;
        csv->cap = cap;
    }
    memcpy(csv->buf + csv->len, p, n);
    csv->len += n;
}

void reporting_csv_dialect(reporting_csv_t *csv, char separator, bool decimal_comma) {
    assert(csv && (separator == ',' || separator == ';'));
    csv->separator = separator;
    csv->decimal_comma = decimal_comma;
}

void reporting_csv_raw(reporting_csv_t *csv, const char *bytes) {
    put(csv, bytes, strlen(bytes));
}

static void separate(reporting_csv_t *csv) {
    if (csv->row_open) put(csv, &csv->separator, 1);
    csv->row_open = true;
}

static void raw_field(reporting_csv_t *csv, const char *text) {
    separate(csv);
    put(csv, text, strlen(text));
}

void reporting_csv_text(reporting_csv_t *csv, const char *text) {
    separate(csv);
    if (!text || !*text) return;
    bool formula = strchr("=+-@\t", text[0]) != NULL;
    const char specials[] = { csv->separator, '"', '\r', '\n', '\0' };
    bool quote = formula || strpbrk(text, specials) != NULL;
    if (quote) put(csv, "\"", 1);
    if (formula) put(csv, "'", 1);
    for (const char *p = text; *p; p++) {
        if (*p == '"') put(csv, "\"", 1);
        put(csv, p, 1);
    }
    if (quote) put(csv, "\"", 1);
}

void reporting_csv_money(reporting_csv_t *csv, int64_t sen) {
    char buf[MONEY_FORMAT_MAX];
    money_format(sen, buf, sizeof buf);
    reporting_csv_decimal(csv, buf);
}

enum { DECIMAL_TEXT_MAX = 64 };

/* A decimal is digits, a sign and one '.': only the mark changes with the dialect. */
void reporting_csv_decimal(reporting_csv_t *csv, const char *text) {
    if (!text) text = "";
    char buf[DECIMAL_TEXT_MAX];
    size_t n = strlen(text);
    if (!csv->decimal_comma || n >= sizeof buf) { raw_field(csv, text); return; }
    memcpy(buf, text, n + 1);
    char *dot = strchr(buf, '.');
    if (dot) *dot = ',';
    raw_field(csv, buf);
}

void reporting_csv_u64(reporting_csv_t *csv, uint64_t value) {
    char buf[24];
    snprintf(buf, sizeof buf, "%" PRIu64, value);
    raw_field(csv, buf);
}

void reporting_csv_enum(reporting_csv_t *csv, const ProtobufCEnumDescriptor *e, int value) {
    char buf[REPORTING_ENUM_NAME_MAX];
    reporting_enum_json_name(e, value, buf, sizeof buf);
    raw_field(csv, buf);
}

void reporting_csv_end(reporting_csv_t *csv) {
    put(csv, "\r\n", 2);
    csv->row_open = false;
}

int reporting_csv_finish(reporting_csv_t *csv, ProtobufCBinaryData *out) {
    assert(csv && out);
    if (csv->too_large) return -E2BIG;
    out->data = (uint8_t *) csv->buf;
    out->len = csv->len;
    return 0;
}
