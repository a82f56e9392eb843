/* docfile (reporting): a report as the file a user asked for. A treasurer relies on it for
   this: format=csv gives text/csv with every row as wide as the widest table, headings in
   the requested language, money in rupiah ("1066185.46", not sen), and on request the
   metadata rows at the end (the excel-id dialect with its BOM, `;` and decimal comma);
   format=xlsx gives an Excel workbook and format=pdf a PDF, each with its exact content type
   and a file name in the report's language with the format's extension; every file carries
   the X-Lumbung-* headers saying what it reflects (report, cooperative, period, as_of_seq,
   members_seq); JSON or no format means the report message, not a file; and a dialect or
   language that is not one of the choices is refused by the name of its field. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"
#include "../../services/reporting/docfile.h"
#include "../../services/reporting/xlsx.h"
#include "reporting_doc_fixture.h"

#define FORMAT(x) LUMBUNG__REPORT_FORMAT__REPORT_FORMAT_##x

/* The fixture's document of cooperative 7 with its file names. */
static void book(reporting_doc_t *d, arena_t *a) {
    reporting_doc_fixture_book(d, a, "2025-12-31", "Kas", 5000);
    d->file_en = "balance-sheet-cooperative-7-2025-12-31";
    d->file_id = "neraca-koperasi-7-2025-12-31";
}

static Lumbung__ReportFile *file_of(reporting_doc_t *d, Lumbung__ReportFormat format,
                                    const char *dialect, const char *lang, bool metadata) {
    reporting_opts_t o;
    assert_null(reporting_opts_read(&o, true, format, dialect, lang, true, metadata));
    assert_true(reporting_opts_file(&o));
    int rc = -1;
    Lumbung__ReportFile *f = reporting_doc_file_rc(d, &o, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(f);
    assert_true(f->has_body);
    return f;
}

static const char *body_text(arena_t *a, const Lumbung__ReportFile *f) {
    char *s = arena_alloc(a, f->body.len + 1);
    memcpy(s, f->body.data, f->body.len);
    s[f->body.len] = 0;
    return s;
}

static void expect_header(const Lumbung__ReportFile *f, size_t i, const char *name,
                          const char *value) {
    assert_true(i < f->n_headers);
    assert_string_equal(f->headers[i]->name, name);
    assert_string_equal(f->headers[i]->value, value);
}

static void expect_identity_headers(const Lumbung__ReportFile *f) {
    assert_int_equal(f->n_headers, 5);
    expect_header(f, 0, "X-Lumbung-Report", "balance_sheet");
    expect_header(f, 1, "X-Lumbung-Cooperative", "7");
    expect_header(f, 2, "X-Lumbung-Period", "2025-12-31");
    expect_header(f, 3, "X-Lumbung-As-Of-Seq", "42");
    expect_header(f, 4, "X-Lumbung-Members-Seq", "17");
}

static void csv_in_english_is_as_wide_as_the_widest_table(void **state) {
    (void) state;
    arena_t *a = arena_new();
    reporting_doc_t d;
    book(&d, a);
    Lumbung__ReportFile *f = file_of(&d, FORMAT(CSV), NULL, "en", false);
    assert_string_equal(f->content_type, "text/csv; charset=utf-8");
    assert_string_equal(f->filename, "balance-sheet-cooperative-7-2025-12-31.csv");
    assert_string_equal(body_text(a, f), "code,name,balance,\r\n"
                                       "1-101,Kas,1066185.46,\r\n"
                                       "total,total_assets,-45000.75,\r\n"
                                       "ratio,value,weight,members\r\n"
                                       "liquidity,12.50,50,1234\r\n");
    expect_identity_headers(f);
    arena_destroy(&a);
}

static void csv_for_excel_in_indonesian_ends_with_the_metadata(void **state) {
    (void) state;
    arena_t *a = arena_new();
    reporting_doc_t d;
    book(&d, a);
    Lumbung__ReportFile *f = file_of(&d, FORMAT(CSV), "excel-id", "id", true);
    assert_string_equal(f->filename, "neraca-koperasi-7-2025-12-31.csv");
    assert_string_equal(body_text(a, f), "\xEF\xBB\xBFKode;Nama Akun;Saldo;\r\n"
                                       "1-101;Kas;1066185,46;\r\n"
                                       "jumlah;Jumlah Aset;-45000,75;\r\n"
                                       "Rasio;Nilai;Bobot (%);Anggota\r\n"
                                       "Likuiditas;12,50;50;1234\r\n"
                                       ";;;\r\n"
                                       "report;balance_sheet;;\r\n"
                                       "cooperative_id;7;;\r\n"
                                       "period;2025-12-31;;\r\n"
                                       "as_of_seq;42;;\r\n"
                                       "members_seq;17;;\r\n");
    expect_identity_headers(f);
    arena_destroy(&a);
}

static void metadata_names_only_what_the_document_has(void **state) {
    (void) state;
    arena_t *a = arena_new();
    reporting_doc_t d;
    book(&d, a);
    d.cooperative_id = 0;                             /* a district's report */
    d.period = NULL;
    Lumbung__ReportFile *f = file_of(&d, FORMAT(CSV), "rfc4180", NULL, true);
    const char *body = body_text(a, f);
    const char *meta = strstr(body, ",,,\r\nreport,");
    assert_non_null(meta);
    assert_string_equal(meta, ",,,\r\nreport,balance_sheet,,\r\nas_of_seq,42,,\r\n"
                              "members_seq,17,,\r\n");
    assert_int_equal(f->n_headers, 3);
    expect_header(f, 0, "X-Lumbung-Report", "balance_sheet");
    expect_header(f, 1, "X-Lumbung-As-Of-Seq", "42");
    expect_header(f, 2, "X-Lumbung-Members-Seq", "17");
    arena_destroy(&a);
}

static void xlsx_is_a_workbook_named_in_the_language(void **state) {
    (void) state;
    arena_t *a = arena_new();
    reporting_doc_t d;
    book(&d, a);
    Lumbung__ReportFile *f = file_of(&d, FORMAT(XLSX), NULL, "id", false);
    assert_string_equal(f->content_type,
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert_string_equal(f->filename, "neraca-koperasi-7-2025-12-31.xlsx");
    assert_true(f->body.len > 1000);
    assert_memory_equal(f->body.data, "PK\x03\x04", 4);
    expect_identity_headers(f);
    f = file_of(&d, FORMAT(XLSX), NULL, "en", false);
    assert_string_equal(f->filename, "balance-sheet-cooperative-7-2025-12-31.xlsx");
    arena_destroy(&a);
}

static void pdf_is_a_pdf_named_in_the_language(void **state) {
    (void) state;
    arena_t *a = arena_new();
    reporting_doc_t d;
    book(&d, a);
    Lumbung__ReportFile *f = file_of(&d, FORMAT(PDF), NULL, "en", false);
    assert_string_equal(f->content_type, "application/pdf");
    assert_string_equal(f->filename, "balance-sheet-cooperative-7-2025-12-31.pdf");
    assert_true(f->body.len > 500);
    assert_memory_equal(f->body.data, "%PDF-", 5);
    expect_identity_headers(f);
    f = file_of(&d, FORMAT(PDF), NULL, NULL, false);         /* Bahasa Indonesia by default */
    assert_string_equal(f->filename, "neraca-koperasi-7-2025-12-31.pdf");
    arena_destroy(&a);
}

static void a_csv_past_its_limit_is_no_file(void **state) {
    (void) state;
    arena_t *a = arena_new();
    reporting_doc_t d;
    reporting_doc_fixture_start(&d, a, "2025-12-31");
    d.file_en = d.file_id = "big";
    static const reporting_column_t cols[] = { { "note", "Catatan", 0 }, { NULL, NULL, 0 } };
    reporting_table_t *t = reporting_doc_table(&d, "Notes", "Catatan", cols);
    char *text = arena_alloc(a, 1025);
    memset(text, 'x', 1024);
    text[1024] = 0;
    /* 8,500 rows of 1,024 bytes and more: past REPORTING_CSV_MAX (8 MiB). */
    for (int r = 0; r < 8500; r++) {
        reporting_row(t);
        reporting_cell_text(t, text);
    }
    reporting_opts_t o;
    assert_null(reporting_opts_read(&o, true, FORMAT(CSV), NULL, NULL, false, false));
    int rc = 0;
    assert_null(reporting_doc_file_rc(&d, &o, &rc));
    assert_int_equal(rc, -E2BIG);
    arena_destroy(&a);
}

static void json_or_no_format_is_the_report_message(void **state) {
    (void) state;
    reporting_opts_t o;
    assert_null(reporting_opts_read(&o, false, FORMAT(CSV), NULL, NULL, false, true));
    assert_int_equal(o.format, FORMAT(JSON));
    assert_false(reporting_opts_file(&o));
    assert_false(o.metadata);                                  /* not asked for: has_metadata */
    assert_null(reporting_opts_read(&o, true, FORMAT(JSON), "", "", false, false));
    assert_false(reporting_opts_file(&o));
    assert_null(reporting_opts_read(&o, true, FORMAT(UNSPECIFIED), NULL, NULL, false, false));
    assert_false(reporting_opts_file(&o));
    assert_null(reporting_opts_read(&o, true, FORMAT(PDF), "rfc4180", "id", false, false));
    assert_true(reporting_opts_file(&o));
    assert_false(o.excel_id);
    assert_false(o.english);
}

static void a_wrong_dialect_or_language_is_refused_by_its_field(void **state) {
    (void) state;
    reporting_opts_t o;
    assert_string_equal(reporting_opts_read(&o, true, FORMAT(CSV), "excel", "en", false, false),
                        "dialect");
    assert_string_equal(reporting_opts_read(&o, true, FORMAT(CSV), "EXCEL-ID", NULL, false,
                                            false), "dialect");
    assert_string_equal(reporting_opts_read(&o, true, FORMAT(CSV), "excel-id", "EN", false,
                                            false), "lang");
    assert_string_equal(reporting_opts_read(&o, true, FORMAT(XLSX), NULL, "fr", false, false),
                        "lang");
    /* A format the proto does not name (9 from a client on the bus) is refused as the format. */
    assert_string_equal(reporting_opts_read(&o, true, (Lumbung__ReportFormat) 9, NULL, NULL, false,
                                            false), "format");
    assert_string_equal(reporting_opts_read(&o, true, (Lumbung__ReportFormat) -1, NULL, NULL,
                                            false, false), "format");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(csv_in_english_is_as_wide_as_the_widest_table),
        cmocka_unit_test(csv_for_excel_in_indonesian_ends_with_the_metadata),
        cmocka_unit_test(metadata_names_only_what_the_document_has),
        cmocka_unit_test(xlsx_is_a_workbook_named_in_the_language),
        cmocka_unit_test(pdf_is_a_pdf_named_in_the_language),
        cmocka_unit_test(a_csv_past_its_limit_is_no_file),
        cmocka_unit_test(json_or_no_format_is_the_report_message),
        cmocka_unit_test(a_wrong_dialect_or_language_is_refused_by_its_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
