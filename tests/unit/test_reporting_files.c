/* docfile, xlsx, pdf — a document of two tables as CSV (every row as wide as the widest
   table), as an XLSX workbook and as PDF pages; dates for people. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../services/reporting/docfile.h"
#include "../../services/reporting/pdf.h"
#include "../../services/reporting/xlsx.h"

#define FORMAT(x) LUMBUNG__REPORT_FORMAT__REPORT_FORMAT_##x

static const reporting_column_t TWO[] = { { "a", "A", 0 }, { "b", "B", 0 }, { NULL, NULL, 0 } };
static const reporting_column_t THREE[] = { { "x", "X", 0 }, { "y", "Y", 0 }, { "z", "Z", 0 },
                                            { NULL, NULL, 0 } };

static void two_tables(reporting_doc_t *d, arena_t *a) {
    reporting_doc_init(d, a, "test", "Test", "Uji");
    d->cooperative_id = 3;
    d->period = "2025-01-01..2025-12-31";
    d->file_en = d->file_id = "test-3";
    reporting_table_t *t = reporting_doc_table(d, "First", "Pertama", TWO);
    reporting_row(t);
    reporting_cell_text(t, "Siti; S.Pd");
    reporting_cell_money(t, 106618546);
    reporting_cell_text(t, "dropped: the row has two cells");
    t = reporting_doc_table(d, "Second", "Kedua", THREE);
    reporting_row(t);
    reporting_cell_label(t, "total", "jumlah");
    reporting_cell_decimal(t, "12.50");
    reporting_cell_bp(t, 5000);
}

static char *body(arena_t *a, const Lumbung__ReportFile *f) {
    char *s = arena_alloc(a, f->body.len + 1);
    memcpy(s, f->body.data, f->body.len);
    return s;
}

static void csv_rows_have_the_widest_width(void **state) {
    (void) state;
    arena_t *a = arena_new();
    reporting_doc_t d;
    two_tables(&d, a);
    reporting_opts_t o;
    assert_null(reporting_opts_read(&o, true, FORMAT(CSV), "excel-id", NULL, false, false));
    Lumbung__ReportFile *f = reporting_doc_file(&d, &o);
    assert_non_null(f);
    assert_string_equal(body(a, f), "\xEF\xBB\xBF" "A;B;\r\n"
                                    "\"Siti; S.Pd\";1066185,46;\r\n"
                                    "X;Y;Z\r\n"
                                    "jumlah;12,50;50\r\n");
    arena_destroy(&a);
}

static void xlsx_is_a_zip_named_for_its_language(void **state) {
    (void) state;
    arena_t *a = arena_new();
    reporting_doc_t d;
    two_tables(&d, a);
    reporting_opts_t o;
    assert_null(reporting_opts_read(&o, true, FORMAT(XLSX), NULL, "en", false, false));
    int rc = 1;
    Lumbung__ReportFile *f = reporting_doc_file_rc(&d, &o, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(f);
    assert_string_equal(f->content_type, REPORTING_XLSX_TYPE);
    assert_string_equal(f->filename, "test-3.xlsx");
    assert_true(f->body.len > 1000 && !memcmp(f->body.data, "PK", 2));
    assert_int_equal(f->n_headers, 5);
    arena_destroy(&a);
}

static void pdf_is_a_pdf(void **state) {
    (void) state;
    arena_t *a = arena_new();
    reporting_doc_t d;
    two_tables(&d, a);
    ProtobufCBinaryData out;
    assert_int_equal(reporting_pdf_render(&d, false, &out), 0);
    assert_true(out.len > 1000 && !memcmp(out.data, "%PDF-", 5));
    assert_non_null(memmem(out.data, out.len, "%%EOF", 5));
    arena_destroy(&a);
}

static void dates_for_people(void **state) {
    (void) state;
    char buf[16];
    assert_string_equal(reporting_pdf_date("2025-12-31", buf, sizeof buf), "31/12/2025");
    assert_string_equal(reporting_pdf_date("2025-1-31", buf, sizeof buf), "2025-1-31");
    assert_string_equal(reporting_pdf_date("Kas", buf, sizeof buf), "Kas");
    assert_string_equal(reporting_pdf_date(NULL, buf, sizeof buf), "");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(csv_rows_have_the_widest_width),
        cmocka_unit_test(xlsx_is_a_zip_named_for_its_language),
        cmocka_unit_test(pdf_is_a_pdf),
        cmocka_unit_test(dates_for_people),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
