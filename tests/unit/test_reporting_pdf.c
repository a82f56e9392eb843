/* pdf (reporting): the pages a cooperative prints for its members and the district, read back
   with poppler's pdftotext and pdfinfo — each page starts with the cooperative's name, legal
   number, the title and the period as dd/mm/yyyy ("s.d." between two dates), amounts read
   `Rp 1.066.185,46`, dates dd/mm/yyyy, decimals and percentages with a comma, labels in Bahasa
   Indonesia (English on request), "Halaman i dari n" on every page with the header row repeated,
   an empty table says "(tidak ada)", district reports carry the district office, and a table
   too wide for a portrait page goes landscape. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"
#include "unit_tool.h"
#include "../../services/reporting/pdf.h"
#include "reporting_doc_fixture.h"

static const char PERIOD[] = "2025-01-01..2025-12-31";

/* The fixture's document with a date in a text cell (the cash row's name). */
static void book(reporting_doc_t *d, arena_t *a) {
    reporting_doc_fixture_book(d, a, PERIOD, "2025-12-31", -5025);
}

static ProtobufCBinaryData render(const reporting_doc_t *d, bool english) {
    ProtobufCBinaryData out = { 0, NULL };
    assert_int_equal(reporting_pdf_render(d, english, &out), 0);
    assert_true(out.len > 1000);
    assert_memory_equal(out.data, "%PDF-", 5);
    assert_non_null(memmem(out.data + out.len - 8, 8, "%%EOF", 5));
    return out;
}

static char *text_of(arena_t *a, const ProtobufCBinaryData *x) {
    return unit_tool_output(a, x->data, x->len, "pdftotext -layout %s - 2>/dev/null");
}

static char *info_of(arena_t *a, const ProtobufCBinaryData *x) {
    return unit_tool_output(a, x->data, x->len, "pdfinfo %s 2>/dev/null");
}

static size_t count(const char *text, const char *what) {
    size_t n = 0;
    for (const char *p = strstr(text, what); p; p = strstr(p + 1, what)) n++;
    return n;
}

static void amounts_dates_and_labels_read_as_people_write_them(void **state) {
    (void) state;
    arena_t *a = arena_new();
    reporting_doc_t d;
    book(&d, a);
    ProtobufCBinaryData x = render(&d, false);
    char *s = text_of(a, &x);
    assert_non_null(strstr(s, "KSP Maju Bersama"));
    assert_non_null(strstr(s, "No. Badan Hukum: 518/BH/XII/2019"));
    assert_non_null(strstr(s, "Periode: 01/01/2025 s.d. 31/12/2025"));
    assert_non_null(strstr(s, "Rp 1.066.185,46"));
    assert_non_null(strstr(s, "-Rp 45.000,75"));
    assert_non_null(strstr(s, "31/12/2025"));
    assert_null(strstr(s, "2025-12-31"));
    assert_non_null(strstr(s, "Nama Akun"));
    assert_non_null(strstr(s, "jumlah"));
    assert_non_null(strstr(s, "Jumlah Aset"));
    assert_non_null(strstr(s, "Likuiditas"));
    assert_non_null(strstr(s, "12,50"));
    assert_non_null(strstr(s, "-50,25"));
    assert_non_null(strstr(s, "1234"));
    assert_non_null(strstr(s, "Halaman 1 dari 1"));
    assert_non_null(strstr(s, "as_of_seq 42"));
    assert_null(strstr(s, "total_assets"));
    char *info = info_of(a, &x);
    assert_non_null(strstr(info, "Title:           Neraca\n"));
    assert_non_null(strstr(info, "Pages:           1\n"));
    assert_non_null(strstr(info, "595.276 x 841.89 pts (A4)"));     /* portrait */
    arena_destroy(&a);
}

static void english_on_request(void **state) {
    (void) state;
    arena_t *a = arena_new();
    reporting_doc_t d;
    book(&d, a);
    ProtobufCBinaryData x = render(&d, true);
    char *s = text_of(a, &x);
    assert_non_null(strstr(s, "Legal number: 518/BH/XII/2019"));
    assert_non_null(strstr(s, "Period: 01/01/2025 to 31/12/2025"));
    assert_non_null(strstr(s, "Page 1 of 1"));
    assert_non_null(strstr(s, "total_assets"));
    assert_non_null(strstr(s, "Rp 1.066.185,46"));    /* amounts stay in rupiah as written */
    assert_null(strstr(s, "Jumlah Aset"));
    assert_null(strstr(s, "Halaman"));
    arena_destroy(&a);
}

static void a_district_report_names_the_district_office(void **state) {
    (void) state;
    arena_t *a = arena_new();
    reporting_doc_t d;
    book(&d, a);
    d.cooperative_id = 0;
    d.period = "2025-12-31";
    ProtobufCBinaryData x = render(&d, false);
    char *s = text_of(a, &x);
    assert_non_null(strstr(s, "Dinas Koperasi Kabupaten"));
    assert_null(strstr(s, "KSP Maju Bersama"));
    assert_null(strstr(s, "No. Badan Hukum"));
    assert_non_null(strstr(s, "Periode: 31/12/2025"));
    arena_destroy(&a);
}

static void an_empty_table_says_so(void **state) {
    (void) state;
    arena_t *a = arena_new();
    reporting_doc_t d;
    reporting_doc_fixture_start(&d, a, PERIOD);
    (void) reporting_doc_table(&d, "Balance sheet", "Neraca", REPORTING_FIXTURE_ACCOUNTS);
    ProtobufCBinaryData x = render(&d, false);
    assert_non_null(strstr(text_of(a, &x), "(tidak ada)"));
    arena_destroy(&a);
}

/* 300 members' rows run onto several pages: each is numbered of the total and repeats the
   header row; the last row is on the last page. */
static void long_tables_run_onto_numbered_pages_with_their_header(void **state) {
    (void) state;
    arena_t *a = arena_new();
    reporting_doc_t d;
    reporting_doc_fixture_start(&d, a, PERIOD);
    reporting_table_t *t =
        reporting_doc_table(&d, "Members", "Anggota", REPORTING_FIXTURE_ACCOUNTS);
    for (int i = 1; i <= 300; i++) {
        reporting_row(t);
        reporting_cell_text(t, arena_printf(a, "A-%03d", i));
        reporting_cell_text(t, "Siti Rahayu");
        reporting_cell_money(t, 100000 * (int64_t) i + 46);
    }
    ProtobufCBinaryData x = render(&d, false);
    char *s = text_of(a, &x);
    char *info = info_of(a, &x);
    int pages = 0;
    assert_int_equal(sscanf(strstr(info, "Pages:"), "Pages: %d", &pages), 1);
    assert_true(pages >= 4);
    assert_int_equal(count(s, "Nama Akun"), (size_t) pages);
    assert_int_equal(count(s, "KSP Maju Bersama"), (size_t) pages);
    assert_non_null(strstr(s, arena_printf(a, "Halaman 1 dari %d", pages)));
    char *last = strstr(s, arena_printf(a, "Halaman %d dari %d", pages, pages));
    assert_non_null(last);
    char *row = strstr(s, "A-300");
    assert_non_null(row);
    assert_non_null(strstr(row, "Rp 300.000,46"));
    assert_int_equal(count(row, "\f"), 1);   /* pdftotext ends each page with \f: the last */
    assert_true(last > row);
    assert_non_null(strstr(s, "Rp 1.000,46"));
    arena_destroy(&a);
}

static void a_wide_table_goes_landscape(void **state) {
    (void) state;
    static const reporting_column_t WIDE[] = {
        { "a", "A", 40 }, { "b", "B", 40 }, { "c", "C", 40 }, { "d", "D", 40 },
        { NULL, NULL, 0 } };
    arena_t *a = arena_new();
    reporting_doc_t d;
    reporting_doc_fixture_start(&d, a, PERIOD);
    reporting_table_t *t = reporting_doc_table(&d, "Wide", "Lebar", WIDE);
    reporting_row(t);
    reporting_cell_money(t, 106618546);
    ProtobufCBinaryData x = render(&d, false);
    assert_non_null(strstr(info_of(a, &x), "841.89 x 595.276 pts (A4)"));
    assert_non_null(strstr(text_of(a, &x), "Rp 1.066.185,46"));
    arena_destroy(&a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(amounts_dates_and_labels_read_as_people_write_them),
        cmocka_unit_test(english_on_request),
        cmocka_unit_test(a_district_report_names_the_district_office),
        cmocka_unit_test(an_empty_table_says_so),
        cmocka_unit_test(long_tables_run_onto_numbered_pages_with_their_header),
        cmocka_unit_test(a_wide_table_goes_landscape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
