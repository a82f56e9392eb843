/*  reporting_doc_fixture — one small document (doc.h) for the tests of the file formats that
    render it (xlsx, pdf): a cooperative's balance sheet with a cash account of 1,066,185.46
    rupiah and a total row of -45,000.75, then a table of ratios (a label, a decimal 12.50, a
    percentage in basis points, a count of 1234).

    Header-only (static inline) like unit.h; include after <cmocka.h> and doc.h. Ownership:
    everything is in the arena given. Not for: anything a test asserts about (each test states
    its own expectations). */
#ifndef LUMBUNG_TEST_REPORTING_DOC_FIXTURE_H
#define LUMBUNG_TEST_REPORTING_DOC_FIXTURE_H

static const reporting_column_t REPORTING_FIXTURE_ACCOUNTS[] = {
    { "code", "Kode", 8 }, { "name", "Nama Akun", 40 }, { "balance", "Saldo", 20 },
    { NULL, NULL, 0 } };
static const reporting_column_t REPORTING_FIXTURE_RATIOS[] = {
    { "ratio", "Rasio", 0 }, { "value", "Nilai", 0 }, { "weight", "Bobot (%)", 0 },
    { "members", "Anggota", 0 }, { NULL, NULL, 0 } };

/* The document of cooperative 7 for `period`, as_of_seq 42, members_seq 17, without tables. */
static inline void reporting_doc_fixture_start(reporting_doc_t *d, arena_t *a, const char *period) {
    reporting_doc_init(d, a, "balance_sheet", "Balance sheet", "Neraca");
    d->cooperative_id = 7;
    d->cooperative_name = "KSP Maju Bersama";
    d->legal_number = "518/BH/XII/2019";
    d->period = period;
    d->as_of_seq = 42;
    d->members_seq = 17;
}

/* The two tables: the cash row's second cell is `name` (text), the ratio's percentage `bp`. */
static inline void reporting_doc_fixture_book(reporting_doc_t *d, arena_t *a, const char *period,
                                              const char *name, int64_t bp) {
    reporting_doc_fixture_start(d, a, period);
    reporting_table_t *t = reporting_doc_table(d, "Balance sheet", "Neraca",
                                               REPORTING_FIXTURE_ACCOUNTS);
    reporting_row(t);
    reporting_cell_text(t, "1-101");
    reporting_cell_text(t, name);
    reporting_cell_money(t, 106618546);
    reporting_row(t);
    reporting_cell_label(t, "total", "jumlah");
    reporting_cell_label(t, "total_assets", "Jumlah Aset");
    reporting_cell_money(t, -4500075);
    t = reporting_doc_table(d, "Ratios: 2025/2026", "Rasio", REPORTING_FIXTURE_RATIOS);
    reporting_row(t);
    reporting_cell_label(t, "liquidity", "Likuiditas");
    reporting_cell_decimal(t, "12.50");
    reporting_cell_bp(t, bp);
    reporting_cell_count(t, 1234);
}

#endif
