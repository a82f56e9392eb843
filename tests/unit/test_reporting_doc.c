/* doc (reporting): the document model every file format renders — a row starts empty and is
   filled left to right, cells past the table's width are dropped, empty text stays an empty
   cell, dates are YYYY-MM-DD and absent dates empty, enum values carry their JSON name and their
   Bahasa Indonesia, booleans read true/ya and false/tidak, a table keeps every row as it grows,
   and a document holds at most REPORTING_DOC_TABLES_MAX tables (the cell calls take the NULL
   past it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"
#include "../../services/reporting/doc.h"

#define CLASS(x) LUMBUNG__ACCOUNT_CLASS__ACCOUNT_CLASS_##x

static const reporting_column_t THREE[] = {
    { "code", "Kode", 8 }, { "name", "Nama Akun", 40 }, { "balance", "Saldo", 20 },
    { NULL, NULL, 0 } };

typedef struct {
    arena_t *arena;
    reporting_doc_t doc;
    reporting_table_t *t;
} fixture_t;

static int setup(void **state) {
    fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->arena = arena_new();
    reporting_doc_init(&f->doc, f->arena, "balance_sheet", "Balance sheet", "Neraca");
    f->t = reporting_doc_table(&f->doc, "Balance sheet", "Neraca", THREE);
    assert_non_null(f->t);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture_t *f = *state;
    arena_destroy(&f->arena);
    free(f);
    return 0;
}

static const reporting_cell_t *cell(const fixture_t *f, size_t row, size_t col) {
    return reporting_table_cell(f->t, row, col);
}

static void a_document_knows_what_it_is(void **state) {
    fixture_t *f = *state;
    assert_string_equal(f->doc.report, "balance_sheet");
    assert_string_equal(f->doc.title_en, "Balance sheet");
    assert_string_equal(f->doc.title_id, "Neraca");
    assert_int_equal(f->doc.n_tables, 1);
    assert_ptr_equal(f->doc.tables[0], f->t);
    assert_int_equal(f->t->n_columns, 3);
    assert_string_equal(f->t->columns[2].id, "Saldo");
    assert_int_equal(f->t->n_rows, 0);
}

static void cells_fill_a_row_left_to_right_and_extras_are_dropped(void **state) {
    fixture_t *f = *state;
    reporting_row(f->t);
    reporting_cell_text(f->t, "1-101");
    reporting_cell_text(f->t, "Kas");
    reporting_cell_money(f->t, 106618546);
    reporting_cell_text(f->t, "a fourth cell");
    reporting_cell_money(f->t, 1);
    assert_int_equal(f->t->n_rows, 1);
    assert_int_equal(cell(f, 0, 0)->kind, REPORTING_CELL_TEXT);
    assert_string_equal(cell(f, 0, 0)->text, "1-101");
    assert_string_equal(cell(f, 0, 1)->text, "Kas");
    assert_int_equal(cell(f, 0, 2)->kind, REPORTING_CELL_MONEY);
    assert_int_equal(cell(f, 0, 2)->value, 106618546);
    /* The next row starts empty: a short row leaves its last cells empty. */
    reporting_row(f->t);
    reporting_cell_empty(f->t);
    reporting_cell_money(f->t, -4500075);
    assert_int_equal(f->t->n_rows, 2);
    assert_int_equal(cell(f, 1, 0)->kind, REPORTING_CELL_EMPTY);
    assert_int_equal(cell(f, 1, 1)->kind, REPORTING_CELL_MONEY);
    assert_int_equal(cell(f, 1, 1)->value, -4500075);
    assert_int_equal(cell(f, 1, 2)->kind, REPORTING_CELL_EMPTY);
}

static void a_cell_before_any_row_goes_nowhere(void **state) {
    fixture_t *f = *state;
    reporting_cell_text(f->t, "orphan");
    reporting_cell_money(f->t, 100);
    assert_int_equal(f->t->n_rows, 0);
    reporting_row(f->t);
    assert_int_equal(cell(f, 0, 0)->kind, REPORTING_CELL_EMPTY);
}

static void empty_text_and_decimals_stay_empty_cells(void **state) {
    fixture_t *f = *state;
    reporting_row(f->t);
    reporting_cell_text(f->t, "");
    reporting_cell_text(f->t, NULL);
    reporting_cell_decimal(f->t, "");
    for (size_t i = 0; i < 3; i++) assert_int_equal(cell(f, 0, i)->kind, REPORTING_CELL_EMPTY);
    reporting_row(f->t);
    reporting_cell_decimal(f->t, "12.50");
    reporting_cell_bp(f->t, 5000);
    reporting_cell_count(f->t, 10000);
    assert_int_equal(cell(f, 1, 0)->kind, REPORTING_CELL_DECIMAL);
    assert_string_equal(cell(f, 1, 0)->text, "12.50");
    assert_int_equal(cell(f, 1, 1)->kind, REPORTING_CELL_BP);
    assert_int_equal(cell(f, 1, 1)->value, 5000);
    assert_int_equal(cell(f, 1, 2)->kind, REPORTING_CELL_COUNT);
    assert_int_equal(cell(f, 1, 2)->count, 10000);
}

static void dates_are_iso_text_and_absent_dates_empty(void **state) {
    fixture_t *f = *state;
    reporting_row(f->t);
    reporting_cell_date(f->t, true, unit_day("2025-12-31"));
    reporting_cell_date(f->t, false, unit_day("2025-12-31"));
    reporting_cell_date(f->t, true, unit_day("2024-02-29"));
    assert_int_equal(cell(f, 0, 0)->kind, REPORTING_CELL_TEXT);
    assert_string_equal(cell(f, 0, 0)->text, "2025-12-31");
    assert_int_equal(cell(f, 0, 1)->kind, REPORTING_CELL_EMPTY);
    assert_string_equal(cell(f, 0, 2)->text, "2024-02-29");
}

static void enums_carry_json_name_and_bahasa_indonesia(void **state) {
    fixture_t *f = *state;
    const ProtobufCEnumDescriptor *e = &lumbung__account_class__descriptor;
    reporting_row(f->t);
    reporting_cell_enum(f->t, e, CLASS(ASSET));
    reporting_cell_enum(f->t, e, 0);
    reporting_cell_enum(f->t, e, 9999);
    assert_int_equal(cell(f, 0, 0)->kind, REPORTING_CELL_LABEL);
    assert_string_equal(cell(f, 0, 0)->text, "asset");
    assert_string_equal(cell(f, 0, 0)->text_id, "Aset");
    assert_int_equal(cell(f, 0, 1)->kind, REPORTING_CELL_EMPTY);   /* unspecified */
    assert_int_equal(cell(f, 0, 2)->kind, REPORTING_CELL_EMPTY);   /* unknown */
    assert_string_equal(reporting_enum_name(f->arena, e, CLASS(LIABILITY)), "liability");
    assert_string_equal(reporting_enum_name(f->arena, e, 9999), "");
}

static void booleans_and_labels_in_both_languages(void **state) {
    fixture_t *f = *state;
    reporting_row(f->t);
    reporting_cell_bool(f->t, true);
    reporting_cell_bool(f->t, false);
    reporting_cell_label(f->t, "total", "jumlah");
    assert_string_equal(cell(f, 0, 0)->text, "true");
    assert_string_equal(cell(f, 0, 0)->text_id, "ya");
    assert_string_equal(cell(f, 0, 1)->text, "false");
    assert_string_equal(cell(f, 0, 1)->text_id, "tidak");
    assert_int_equal(cell(f, 0, 2)->kind, REPORTING_CELL_LABEL);
    assert_string_equal(cell(f, 0, 2)->text_id, "jumlah");
}

/* Past the initial capacity the cells move: every earlier row must come along intact. */
static void a_table_keeps_every_row_as_it_grows(void **state) {
    fixture_t *f = *state;
    enum { ROWS = REPORTING_TABLE_ROWS_INITIAL * 4 + 3 };
    for (int64_t i = 0; i < ROWS; i++) {
        reporting_row(f->t);
        reporting_cell_count(f->t, (uint64_t) i);
        reporting_cell_empty(f->t);
        reporting_cell_money(f->t, i * 100 + 46);
    }
    assert_int_equal(f->t->n_rows, ROWS);
    for (size_t r = 0; r < ROWS; r++) {
        assert_int_equal(cell(f, r, 0)->count, r);
        assert_int_equal(cell(f, r, 1)->kind, REPORTING_CELL_EMPTY);
        assert_int_equal(cell(f, r, 2)->value, (int64_t) r * 100 + 46);
    }
}

static void tables_past_the_limit_are_null_and_harmless(void **state) {
    fixture_t *f = *state;
    for (size_t i = 1; i < REPORTING_DOC_TABLES_MAX; i++)
        assert_non_null(reporting_doc_table(&f->doc, "More", "Lagi", THREE));
    assert_int_equal(f->doc.n_tables, REPORTING_DOC_TABLES_MAX);
    reporting_table_t *none = reporting_doc_table(&f->doc, "One too many", "Kelebihan", THREE);
    assert_null(none);
    assert_int_equal(f->doc.n_tables, REPORTING_DOC_TABLES_MAX);
    reporting_row(none);
    reporting_cell_text(none, "x");
    reporting_cell_money(none, 1);
    reporting_cell_label(none, "a", "b");
    reporting_cell_count(none, 1);
    reporting_cell_bp(none, 1);
    reporting_cell_decimal(none, "1.00");
    reporting_cell_bool(none, true);
    reporting_cell_enum(none, &lumbung__account_class__descriptor, CLASS(ASSET));
    reporting_cell_empty(none);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_document_knows_what_it_is, setup, teardown),
        cmocka_unit_test_setup_teardown(cells_fill_a_row_left_to_right_and_extras_are_dropped,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(a_cell_before_any_row_goes_nowhere, setup, teardown),
        cmocka_unit_test_setup_teardown(empty_text_and_decimals_stay_empty_cells, setup, teardown),
        cmocka_unit_test_setup_teardown(dates_are_iso_text_and_absent_dates_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(enums_carry_json_name_and_bahasa_indonesia, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(booleans_and_labels_in_both_languages, setup, teardown),
        cmocka_unit_test_setup_teardown(a_table_keeps_every_row_as_it_grows, setup, teardown),
        cmocka_unit_test_setup_teardown(tables_past_the_limit_are_null_and_harmless, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
