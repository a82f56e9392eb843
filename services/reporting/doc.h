/*  doc — a report as a document of tables of typed cells: the one shape every file format
    (CSV, XLSX, PDF) renders. render.c fills a document from the very report message the JSON
    answer is made of, so every format shows the same figures as the JSON.

    A cell is text, a label (text in English and Bahasa Indonesia), money (sen), a count, or a
    decimal given as text ("12.50", a ratio or score). A table has named columns (an English
    key and an Indonesian heading) and rows of exactly that many cells: a row starts empty and
    cells fill it left to right, extra cells are dropped. The document carries what the file
    reflects (report, cooperative, period, as_of_seq, members_seq) and the file's base name.

    Ownership: everything lives in the document's arena. Pure: no I/O.

    Not for: parsing; the formats themselves (csv_writer.c writes the CSV text, docfile.c turns a
    document into a lumbung.ReportFile). */
#ifndef LUMBUNG_REPORTING_DOC_H
#define LUMBUNG_REPORTING_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <protobuf-c/protobuf-c.h>
#include "arena.h"
#include "envelope.pb-c.h"

enum {
    REPORTING_DOC_TABLES_MAX = 16,
    REPORTING_TABLE_ROWS_INITIAL = 16,
};

typedef enum {
    REPORTING_CELL_EMPTY = 0,
    REPORTING_CELL_TEXT,      /* text: typed by people or a code (never translated) */
    REPORTING_CELL_LABEL,     /* text (English) and text_id (Bahasa Indonesia) */
    REPORTING_CELL_MONEY,     /* value: sen */
    REPORTING_CELL_COUNT,     /* count */
    REPORTING_CELL_DECIMAL,   /* text: a canonical decimal, "12.50" */
    REPORTING_CELL_BP,        /* value: basis points, shown as a percent ("50.00" for 5000) */
} reporting_cell_kind_t;

typedef struct {
    reporting_cell_kind_t kind;
    const char *text, *text_id;
    int64_t value;
    uint64_t count;
} reporting_cell_t;

/* A column: its English key (the CSV header with lang=en), its Indonesian heading and the
   width a spreadsheet gives it (characters; 0 = by the heading). A list ends with key NULL. */
typedef struct {
    const char *key, *id;
    unsigned width;
} reporting_column_t;

typedef struct {
    arena_t *arena;                       /* the document's */
    const char *name_en, *name_id;        /* the sheet's or section's name */
    const reporting_column_t *columns;
    size_t n_columns;
    reporting_cell_t *cells;              /* n_rows x n_columns */
    size_t n_rows, cap_rows, next;        /* next: the next cell of the last row */
} reporting_table_t;

typedef struct {
    arena_t *arena;
    const char *report;                   /* "balance_sheet": X-Lumbung-Report */
    const char *title_en, *title_id;
    const char *file_en, *file_id;        /* base name without extension */
    uint64_t cooperative_id;              /* 0: the district */
    const char *cooperative_name, *legal_number;
    const char *period;                   /* "2025-12-31" or "2025-01-01..2025-12-31" */
    uint64_t as_of_seq, members_seq;
    reporting_table_t *tables[REPORTING_DOC_TABLES_MAX];
    size_t n_tables;
} reporting_doc_t;

void reporting_doc_init(reporting_doc_t *d, arena_t *arena, const char *report,
                        const char *title_en, const char *title_id);
/* Adds a table (NULL once REPORTING_DOC_TABLES_MAX are there; the cell calls accept NULL). */
reporting_table_t *reporting_doc_table(reporting_doc_t *d, const char *name_en,
                                       const char *name_id, const reporting_column_t *columns);

/* Starts a row of empty cells; the calls below fill it left to right. */
void reporting_row(reporting_table_t *t);
void reporting_cell_empty(reporting_table_t *t);
void reporting_cell_text(reporting_table_t *t, const char *text);
/* A date field (a day number, empty when absent) as the text files show it: YYYY-MM-DD. */
void reporting_cell_date(reporting_table_t *t, bool present, int32_t days);
#define REPORTING_CELL_DATE(t, m, f) reporting_cell_date((t), (m)->has_##f, (m)->f)
void reporting_cell_label(reporting_table_t *t, const char *en, const char *id);
void reporting_cell_money(reporting_table_t *t, int64_t sen);
void reporting_cell_count(reporting_table_t *t, uint64_t n);
void reporting_cell_decimal(reporting_table_t *t, const char *text);
void reporting_cell_bp(reporting_table_t *t, int64_t bp);
/* An enum value as its JSON name (ACCOUNT_CLASS_ASSET -> "asset") for lang=en and in Bahasa
   Indonesia ("Aset", enum_id.h) for lang=id; empty for 0 or unknown. */
void reporting_cell_enum(reporting_table_t *t, const ProtobufCEnumDescriptor *e, int value);
void reporting_cell_bool(reporting_table_t *t, bool value);

/* The enum value's JSON name, or "" (static or arena text). */
const char *reporting_enum_name(arena_t *arena, const ProtobufCEnumDescriptor *e, int value);

/* The text of a cell as the text formats (CSV, XLSX, PDF) show it in the language asked for:
   a label's Bahasa Indonesia unless `english`, else the cell's text ("" when none). */
const char *reporting_cell_label_text(const reporting_cell_t *c, bool english);

static inline const reporting_cell_t *reporting_table_cell(const reporting_table_t *t, size_t row,
                                                           size_t col) {
    return &t->cells[row * t->n_columns + col];
}

#endif
