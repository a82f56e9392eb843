#include "doc.h"
#include "date.h"
#include "enum_id.h"

#include <assert.h>
#include <string.h>


void reporting_doc_init(reporting_doc_t *d, arena_t *arena, const char *report,
                        const char *title_en, const char *title_id) {
    assert(d && arena && report);
    memset(d, 0, sizeof *d);
    d->arena = arena;
    d->report = report;
    d->title_en = title_en;
    d->title_id = title_id;
}

reporting_table_t *reporting_doc_table(reporting_doc_t *d, const char *name_en,
                                       const char *name_id, const reporting_column_t *columns) {
    assert(d && columns);
    if (d->n_tables == REPORTING_DOC_TABLES_MAX) return NULL;
    reporting_table_t *t = arena_alloc(d->arena, sizeof *t);
    t->arena = d->arena;
    t->name_en = name_en;
    t->name_id = name_id;
    t->columns = columns;
    while (columns[t->n_columns].key) t->n_columns++;
    d->tables[d->n_tables++] = t;
    return t;
}

/* Rows grow by doubling; the old cells stay in the arena until the request ends. */
void reporting_row(reporting_table_t *t) {
    if (!t) return;
    if (t->n_rows == t->cap_rows) {
        size_t cap = t->cap_rows ? t->cap_rows * 2 : REPORTING_TABLE_ROWS_INITIAL;
        reporting_cell_t *more = arena_alloc(t->arena, cap * (t->n_columns ? t->n_columns : 1) *
                                                       sizeof *more);
        if (t->n_rows) memcpy(more, t->cells, t->n_rows * t->n_columns * sizeof *more);
        t->cells = more;
        t->cap_rows = cap;
    }
    memset(&t->cells[t->n_rows * t->n_columns], 0, t->n_columns * sizeof *t->cells);
    t->n_rows++;
    t->next = 0;
}

static reporting_cell_t *next_cell(reporting_table_t *t) {
    if (!t || t->n_rows == 0 || t->next >= t->n_columns) return NULL;
    return &t->cells[(t->n_rows - 1) * t->n_columns + t->next++];
}

void reporting_cell_empty(reporting_table_t *t) {
    (void) next_cell(t);
}

void reporting_cell_text(reporting_table_t *t, const char *text) {
    reporting_cell_t *c = next_cell(t);
    if (c && text && *text) *c = (reporting_cell_t) { .kind = REPORTING_CELL_TEXT, .text = text };
}

void reporting_cell_date(reporting_table_t *t, bool present, int32_t days) {
    if (present)
        reporting_cell_text(t, date_text(t->arena, days));
    else
        reporting_cell_empty(t);
}

void reporting_cell_label(reporting_table_t *t, const char *en, const char *id) {
    reporting_cell_t *c = next_cell(t);
    if (c) *c = (reporting_cell_t) { .kind = REPORTING_CELL_LABEL, .text = en, .text_id = id };
}

void reporting_cell_money(reporting_table_t *t, int64_t sen) {
    reporting_cell_t *c = next_cell(t);
    if (c) *c = (reporting_cell_t) { .kind = REPORTING_CELL_MONEY, .value = sen };
}

void reporting_cell_bp(reporting_table_t *t, int64_t bp) {
    reporting_cell_t *c = next_cell(t);
    if (c) *c = (reporting_cell_t) { .kind = REPORTING_CELL_BP, .value = bp };
}

void reporting_cell_count(reporting_table_t *t, uint64_t n) {
    reporting_cell_t *c = next_cell(t);
    if (c) *c = (reporting_cell_t) { .kind = REPORTING_CELL_COUNT, .count = n };
}

void reporting_cell_decimal(reporting_table_t *t, const char *text) {
    reporting_cell_t *c = next_cell(t);
    if (c && text && *text) *c = (reporting_cell_t) { .kind = REPORTING_CELL_DECIMAL, .text = text };
}

void reporting_cell_bool(reporting_table_t *t, bool value) {
    reporting_cell_label(t, value ? "true" : "false", value ? "ya" : "tidak");
}

const char *reporting_enum_name(arena_t *arena, const ProtobufCEnumDescriptor *e, int value) {
    assert(arena && e);
    char buf[REPORTING_ENUM_NAME_MAX];
    return reporting_enum_json_name(e, value, buf, sizeof buf) ? arena_strdup(arena, buf) : "";
}

/* The JSON name for lang=en, its Bahasa Indonesia (enum_id.c) for lang=id; an enum value
   without a translation stays its JSON name in both. */
void reporting_cell_enum(reporting_table_t *t, const ProtobufCEnumDescriptor *e, int value) {
    if (!t) return;
    const char *name = reporting_enum_name(t->arena, e, value);
    const char *id = reporting_enum_id(e, value);
    if (id && *name) reporting_cell_label(t, name, id);
    else reporting_cell_text(t, name);
}

const char *reporting_cell_label_text(const reporting_cell_t *c, bool english) {
    if (c->kind == REPORTING_CELL_LABEL && !english && c->text_id) return c->text_id;
    return c->text ? c->text : "";
}
