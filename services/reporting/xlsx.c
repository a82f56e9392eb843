#include "xlsx.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

enum {
    SHEET_NAME_MAX = 31,          /* Excel's limit */
    PATH_MAX_ = 512,
};

typedef struct {
    lxw_format *bold, *money, *money_bold, *decimal, *count, *title;
} formats_t;

static void formats(lxw_workbook *wb, formats_t *f) {
    f->bold = workbook_add_format(wb);
    format_set_bold(f->bold);
    f->title = workbook_add_format(wb);
    format_set_bold(f->title);
    format_set_font_size(f->title, 14);
    f->money = workbook_add_format(wb);
    format_set_num_format(f->money, REPORTING_XLSX_MONEY);
    f->money_bold = workbook_add_format(wb);
    format_set_num_format(f->money_bold, REPORTING_XLSX_MONEY);
    format_set_bold(f->money_bold);
    f->decimal = workbook_add_format(wb);
    format_set_num_format(f->decimal, "0.00");
    f->count = workbook_add_format(wb);
    format_set_num_format(f->count, "0");
}

/* A sheet name Excel takes: no []:*?/\ and at most 31 bytes (cut at a character start). */
static const char *sheet_name(arena_t *arena, const char *name, size_t index) {
    char buf[SHEET_NAME_MAX + 1];
    const char *s = name ? name : "";
    size_t n = 0;
    for (; s[n] && n < SHEET_NAME_MAX; n++) buf[n] = strchr("[]:*?/\\", s[n]) ? '-' : s[n];
    while (n > 0 && ((unsigned char) s[n] & 0xC0) == 0x80) n--;   /* not inside a character */
    buf[n] = '\0';
    if (n == 0) return arena_printf(arena, "Sheet%zu", index + 1);
    return arena_strdup(arena, buf);
}

static double decimal_of(const char *text) {
    return text ? strtod(text, NULL) : 0;    /* display only: the text is canonical, "12.50" */
}

static void write_cell(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const reporting_cell_t *c,
                       bool english, bool total, const formats_t *f) {
    switch (c->kind) {
    case REPORTING_CELL_EMPTY: break;
    case REPORTING_CELL_MONEY:
        worksheet_write_number(ws, row, col, (double) c->value / 100.0,
                               total ? f->money_bold : f->money);
        break;
    case REPORTING_CELL_BP:
        worksheet_write_number(ws, row, col, (double) c->value / 100.0, f->decimal);
        break;
    case REPORTING_CELL_COUNT:
        worksheet_write_number(ws, row, col, (double) c->count, f->count);
        break;
    case REPORTING_CELL_DECIMAL:
        worksheet_write_number(ws, row, col, decimal_of(c->text), f->decimal);
        break;
    default:
        worksheet_write_string(ws, row, col, reporting_cell_label_text(c, english),
                               total ? f->bold : NULL);
        break;
    }
}

/* The block above the table: title, cooperative, period and sequence. */
static void header_block(lxw_worksheet *ws, const reporting_doc_t *d, bool english,
                         const formats_t *f) {
    worksheet_write_string(ws, 0, 0, english ? d->title_en : d->title_id, f->title);
    if (d->cooperative_id) {
        const char *name = d->cooperative_name ? d->cooperative_name : "";
        const char *legal = d->legal_number && *d->legal_number ? d->legal_number : "-";
        worksheet_write_string(ws, 1, 0,
                               arena_printf(d->arena, "%s (%s %s)", name,
                                            english ? "legal number" : "No. Badan Hukum", legal),
                               NULL);
    }
    worksheet_write_string(ws, 2, 0,
                           arena_printf(d->arena, "%s %s, as_of_seq %" PRIu64,
                                        english ? "Period" : "Periode", d->period ? d->period : "",
                                        d->as_of_seq),
                           NULL);
}

static bool is_total_row(const reporting_table_t *t, size_t r) {
    const reporting_cell_t *c = reporting_table_cell(t, r, 0);
    return c->kind == REPORTING_CELL_LABEL && c->text && !strcmp(c->text, "total");
}

static void write_table(lxw_workbook *wb, const reporting_doc_t *d, const reporting_table_t *t,
                        size_t index, bool english, const formats_t *f) {
    lxw_worksheet *ws = workbook_add_worksheet(
        wb, sheet_name(d->arena, english ? t->name_en : t->name_id, index));
    if (!ws) ws = workbook_add_worksheet(wb, NULL);   /* a name taken twice */
    header_block(ws, d, english, f);
    lxw_row_t head = REPORTING_XLSX_HEADER_ROWS;
    for (size_t i = 0; i < t->n_columns; i++) {
        const reporting_column_t *c = &t->columns[i];
        const char *name = english || !c->id ? c->key : c->id;
        double width = c->width ? c->width : strlen(name) + 2;
        if (strlen(name) + 2 > width) width = (double) strlen(name) + 2;
        worksheet_set_column(ws, (lxw_col_t) i, (lxw_col_t) i, width, NULL);
        worksheet_write_string(ws, head, (lxw_col_t) i, name, f->bold);
    }
    worksheet_freeze_panes(ws, head + 1, 0);
    for (size_t r = 0; r < t->n_rows; r++) {
        bool total = is_total_row(t, r);
        for (size_t i = 0; i < t->n_columns; i++)
            write_cell(ws, head + 1 + (lxw_row_t) r, (lxw_col_t) i, reporting_table_cell(t, r, i),
                       english, total, f);
    }
}

static void properties(lxw_workbook *wb, const reporting_doc_t *d, bool english) {
    lxw_doc_properties p = {
        .title = (char *) (english ? d->title_en : d->title_id),
        .subject = (char *) (d->period ? d->period : ""),
        .company = (char *) (d->cooperative_name ? d->cooperative_name : ""),
        .author = "Lumbung",
        .keywords = arena_printf(d->arena, "%s, as_of_seq %" PRIu64, d->report, d->as_of_seq),
    };
    workbook_set_properties(wb, &p);
    workbook_set_custom_property_string(wb, "report", d->report);
    workbook_set_custom_property_string(wb, "cooperative_id",
                                        arena_printf(d->arena, "%" PRIu64, d->cooperative_id));
    if (d->legal_number) workbook_set_custom_property_string(wb, "legal_number", d->legal_number);
    workbook_set_custom_property_string(wb, "period", d->period ? d->period : "");
    workbook_set_custom_property_string(wb, "as_of_seq",
                                        arena_printf(d->arena, "%" PRIu64, d->as_of_seq));
    workbook_set_custom_property_string(wb, "members_seq",
                                        arena_printf(d->arena, "%" PRIu64, d->members_seq));
}

/* Reads the whole file into the arena. */
static int slurp(arena_t *arena, const char *path, ProtobufCBinaryData *out) {
    FILE *fp = fopen(path, "rb");
    if (!fp) return -EIO;
    int rc = 0;
    if (fseek(fp, 0, SEEK_END) != 0) rc = -EIO;
    long size = rc == 0 ? ftell(fp) : -1;
    if (size < 0) rc = -EIO;
    else if (size > REPORTING_XLSX_MAX) rc = -E2BIG;
    if (rc == 0 && fseek(fp, 0, SEEK_SET) != 0) rc = -EIO;
    if (rc == 0) {
        out->data = arena_alloc(arena, (size_t) size + 1);
        out->len = fread(out->data, 1, (size_t) size, fp);
        if (out->len != (size_t) size) rc = -EIO;
    }
    fclose(fp);
    return rc;
}

int reporting_xlsx_render(const reporting_doc_t *d, bool english, ProtobufCBinaryData *out) {
    assert(d && out);
    const char *base = getenv("TMPDIR");
    char dir[PATH_MAX_], path[PATH_MAX_ + sizeof "/report.xlsx"];
    snprintf(dir, sizeof dir, "%s/lumbung-xlsx-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(dir)) return -EIO;
    snprintf(path, sizeof path, "%s/report.xlsx", dir);
    lxw_workbook_options options = { .constant_memory = LXW_FALSE, .tmpdir = dir };
    lxw_workbook *wb = workbook_new_opt(path, &options);
    int rc = wb ? 0 : -EIO;
    if (wb) {
        formats_t f;
        formats(wb, &f);
        properties(wb, d, english);
        for (size_t i = 0; i < d->n_tables; i++) write_table(wb, d, d->tables[i], i, english, &f);
        if (workbook_close(wb) != LXW_NO_ERROR) rc = -EIO;
    }
    if (rc == 0) rc = slurp(d->arena, path, out);
    unlink(path);
    rmdir(dir);
    return rc;
}
