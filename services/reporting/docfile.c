#include "docfile.h"
#include "csv_writer.h"
#include "pdf.h"
#include "xlsx.h"

#include <assert.h>
#include <inttypes.h>
#include <string.h>

#define FORMAT(x) LUMBUNG__REPORT_FORMAT__REPORT_FORMAT_##x

static const char BOM[] = "\xEF\xBB\xBF";

const char *reporting_opts_read(reporting_opts_t *o, bool has_format, Lumbung__ReportFormat format,
                                const char *dialect, const char *lang, bool has_metadata,
                                bool metadata) {
    assert(o);
    memset(o, 0, sizeof *o);
    o->format = has_format ? format : FORMAT(JSON);
    /* A value the proto does not name (a newer client, or a bad one on the bus) is refused, not
       written as some other format. */
    if (o->format < FORMAT(UNSPECIFIED) || o->format > FORMAT(PDF)) return "format";
    if (dialect && *dialect && strcmp(dialect, "rfc4180")) {
        if (strcmp(dialect, "excel-id")) return "dialect";
        o->excel_id = true;
    }
    if (lang && *lang && strcmp(lang, "id")) {
        if (strcmp(lang, "en")) return "lang";
        o->english = true;
    }
    o->metadata = has_metadata && metadata;
    return NULL;
}

bool reporting_opts_file(const reporting_opts_t *o) {
    return o->format != FORMAT(JSON) && o->format != FORMAT(UNSPECIFIED);
}

/* ---------------------------------------------------------------- metadata */

typedef struct {
    const char *key, *header, *value;
} meta_t;

enum { META_MAX = 6 };

static size_t meta_of(const reporting_doc_t *d, meta_t out[META_MAX]) {
    size_t n = 0;
    out[n++] = (meta_t) { "report", "X-Lumbung-Report", d->report };
    if (d->cooperative_id)
        out[n++] = (meta_t) { "cooperative_id", "X-Lumbung-Cooperative",
                              arena_printf(d->arena, "%" PRIu64, d->cooperative_id) };
    if (d->period) out[n++] = (meta_t) { "period", "X-Lumbung-Period", d->period };
    out[n++] = (meta_t) { "as_of_seq", "X-Lumbung-As-Of-Seq",
                          arena_printf(d->arena, "%" PRIu64, d->as_of_seq) };
    out[n++] = (meta_t) { "members_seq", "X-Lumbung-Members-Seq",
                          arena_printf(d->arena, "%" PRIu64, d->members_seq) };
    return n;
}

static void set_headers(Lumbung__ReportFile *f, const reporting_doc_t *d) {
    meta_t meta[META_MAX];
    size_t n = meta_of(d, meta);
    f->headers = arena_alloc(d->arena, n * sizeof *f->headers);
    for (size_t i = 0; i < n; i++) {
        Lumbung__ReportHeader *h = arena_message(d->arena, &lumbung__report_header__descriptor);
        h->name = (char *) meta[i].header;
        h->value = (char *) meta[i].value;
        f->headers[f->n_headers++] = h;
    }
}

/* ---------------------------------------------------------------- CSV */

static void pad(reporting_csv_t *csv, size_t written, size_t width) {
    for (size_t i = written; i < width; i++) reporting_csv_text(csv, NULL);
    reporting_csv_end(csv);
}

static void csv_cell(reporting_csv_t *csv, const reporting_cell_t *c, bool english) {
    switch (c->kind) {
    case REPORTING_CELL_MONEY:
    case REPORTING_CELL_BP: reporting_csv_money(csv, c->value); break;   /* bp: 2 places too */
    case REPORTING_CELL_COUNT: reporting_csv_u64(csv, c->count); break;
    case REPORTING_CELL_DECIMAL: reporting_csv_decimal(csv, c->text); break;
    case REPORTING_CELL_EMPTY: reporting_csv_text(csv, NULL); break;
    default: reporting_csv_text(csv, reporting_cell_label_text(c, english)); break;
    }
}

static void csv_table(reporting_csv_t *csv, const reporting_table_t *t, size_t width,
                      bool english) {
    for (size_t i = 0; i < t->n_columns; i++)
        reporting_csv_text(csv, english || !t->columns[i].id ? t->columns[i].key
                                                             : t->columns[i].id);
    pad(csv, t->n_columns, width);
    for (size_t r = 0; r < t->n_rows; r++) {
        for (size_t i = 0; i < t->n_columns; i++)
            csv_cell(csv, reporting_table_cell(t, r, i), english);
        pad(csv, t->n_columns, width);
    }
}

static int render_csv(const reporting_doc_t *d, const reporting_opts_t *o,
                      ProtobufCBinaryData *out) {
    reporting_csv_t csv;
    reporting_csv_init(&csv, d->arena);
    if (o->excel_id) {
        reporting_csv_dialect(&csv, ';', true);
        reporting_csv_raw(&csv, BOM);
    }
    size_t width = 2;
    for (size_t i = 0; i < d->n_tables; i++)
        if (d->tables[i]->n_columns > width) width = d->tables[i]->n_columns;
    for (size_t i = 0; i < d->n_tables; i++) csv_table(&csv, d->tables[i], width, o->english);
    if (o->metadata) {
        meta_t meta[META_MAX];
        size_t n = meta_of(d, meta);
        pad(&csv, 0, width);
        for (size_t i = 0; i < n; i++) {
            reporting_csv_text(&csv, meta[i].key);
            reporting_csv_text(&csv, meta[i].value);
            pad(&csv, 2, width);
        }
    }
    return reporting_csv_finish(&csv, out);
}

Lumbung__ReportFile *reporting_doc_file_rc(const reporting_doc_t *d, const reporting_opts_t *o,
                                           int *rc_out) {
    assert(d && o);
    Lumbung__ReportFile *f = arena_message(d->arena, &lumbung__report_file__descriptor);
    const char *base = o->english ? d->file_en : d->file_id;
    int rc;
    switch (o->format) {
    case FORMAT(PDF):
        rc = reporting_pdf_render(d, o->english, &f->body);
        f->content_type = "application/pdf";
        f->filename = arena_printf(d->arena, "%s.pdf", base);
        break;
    case FORMAT(XLSX):
        rc = reporting_xlsx_render(d, o->english, &f->body);
        f->content_type = REPORTING_XLSX_TYPE;
        f->filename = arena_printf(d->arena, "%s.xlsx", base);
        break;
    default:
        rc = render_csv(d, o, &f->body);
        f->content_type = "text/csv; charset=utf-8";
        f->filename = arena_printf(d->arena, "%s.csv", base);
        break;
    }
    if (rc_out) *rc_out = rc;
    if (rc != 0) return NULL;
    f->has_body = 1;
    set_headers(f, d);
    return f;
}
