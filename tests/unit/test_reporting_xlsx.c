/* xlsx (reporting): the workbook a treasurer opens in Excel, read back with Python's zipfile —
   one sheet per table named in the document's language, the block above each table (title,
   cooperative with its legal number, period and as_of_seq), the header row frozen, money as a
   number of rupiah with the "Rp " format (1066185.46, not sen), percentages and decimals as
   numbers, labels in Bahasa Indonesia or English, and the document's identity in the custom
   properties. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"
#include "unit_tool.h"
#include "../../services/reporting/xlsx.h"
#include "reporting_doc_fixture.h"

/* One member of the workbook, read with Python's zipfile as any spreadsheet reader would. */
static char *unzip(arena_t *a, const ProtobufCBinaryData *x, const char *member) {
    char cmd[256];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 -c 'import sys, zipfile; sys.stdout.buffer.write("
             "zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))' %%s %s", member);
    return unit_tool_output(a, x->data, x->len, cmd);
}

static ProtobufCBinaryData workbook(arena_t *a, bool english) {
    reporting_doc_t d;
    reporting_doc_fixture_book(&d, a, "2025-12-31", "Kas", 5000);
    ProtobufCBinaryData out = { 0, NULL };
    assert_int_equal(reporting_xlsx_render(&d, english, &out), 0);
    assert_true(out.len > 1000);
    assert_memory_equal(out.data, "PK\x03\x04", 4);
    return out;
}

static void one_sheet_per_table_named_in_the_language(void **state) {
    (void) state;
    arena_t *a = arena_new();
    ProtobufCBinaryData id = workbook(a, false);
    char *wb = unzip(a, &id, "xl/workbook.xml");
    assert_non_null(strstr(wb, "<sheet name=\"Neraca\" sheetId=\"1\""));
    assert_non_null(strstr(wb, "<sheet name=\"Rasio\" sheetId=\"2\""));
    ProtobufCBinaryData en = workbook(a, true);
    wb = unzip(a, &en, "xl/workbook.xml");
    assert_non_null(strstr(wb, "<sheet name=\"Balance sheet\" sheetId=\"1\""));
    /* ':' and '/' are not allowed in a sheet name: they become '-'. */
    assert_non_null(strstr(wb, "<sheet name=\"Ratios- 2025-2026\" sheetId=\"2\""));
    arena_destroy(&a);
}

static void money_is_rupiah_with_the_rp_format(void **state) {
    (void) state;
    arena_t *a = arena_new();
    ProtobufCBinaryData x = workbook(a, false);
    char *sheet = unzip(a, &x, "xl/worksheets/sheet1.xml");
    /* Row 6 (below the 4-row block and the header): the cash account, 1,066,185.46 rupiah. */
    assert_non_null(strstr(sheet, "<c r=\"C6\" s=\"3\"><v>1066185.46</v></c>"));
    assert_null(strstr(sheet, "106618546"));
    /* A total row is bold: its label with the header's style, its amount in bold money. */
    assert_non_null(strstr(sheet, "<c r=\"A7\" s=\"2\" t=\"s\">"));
    assert_non_null(strstr(sheet, "<c r=\"C7\" s=\"4\"><v>-45000.75</v></c>"));
    assert_non_null(strstr(sheet, "<c r=\"A6\" t=\"s\">"));    /* not bold */
    char *styles = unzip(a, &x, "xl/styles.xml");
    assert_non_null(strstr(styles, "<numFmt numFmtId=\"164\" "
                                   "formatCode=\"&quot;Rp &quot;#,##0.00\"/>"));
    /* Styles 3 and 4 (the cells above) are that format, plain and bold. */
    assert_non_null(strstr(styles, "<xf numFmtId=\"164\" fontId=\"0\" fillId=\"0\" borderId=\"0\" "
                                   "xfId=\"0\" applyNumberFormat=\"1\"/><xf numFmtId=\"164\" "
                                   "fontId=\"2\""));
    arena_destroy(&a);
}

static void header_row_is_frozen_below_the_block(void **state) {
    (void) state;
    arena_t *a = arena_new();
    ProtobufCBinaryData x = workbook(a, false);
    char *sheet = unzip(a, &x, "xl/worksheets/sheet1.xml");
    assert_non_null(strstr(sheet, "<pane ySplit=\"5\" topLeftCell=\"A6\" activePane=\"bottomLeft\" "
                                  "state=\"frozen\"/>"));
    assert_non_null(strstr(sheet, "<row r=\"5\" spans=\"1:3\"><c r=\"A5\" s=\"2\" t=\"s\">"));
    assert_non_null(strstr(sheet, "<col min=\"2\" max=\"2\" width=\"40.7109375\""));
    arena_destroy(&a);
}

/* Text lands in the shared strings: headings, labels and the block, in Bahasa Indonesia. */
static void text_is_in_the_documents_language(void **state) {
    (void) state;
    arena_t *a = arena_new();
    ProtobufCBinaryData x = workbook(a, false);
    char *s = unzip(a, &x, "xl/sharedStrings.xml");
    assert_non_null(strstr(s, "<t>Neraca</t>"));
    assert_non_null(strstr(s, "<t>KSP Maju Bersama (No. Badan Hukum 518/BH/XII/2019)</t>"));
    assert_non_null(strstr(s, "<t>Periode 2025-12-31, as_of_seq 42</t>"));
    assert_non_null(strstr(s, "<t>Nama Akun</t>"));
    assert_non_null(strstr(s, "<t>jumlah</t>"));
    assert_non_null(strstr(s, "<t>Jumlah Aset</t>"));
    assert_non_null(strstr(s, "<t>Likuiditas</t>"));
    assert_null(strstr(s, "<t>total_assets</t>"));
    x = workbook(a, true);
    s = unzip(a, &x, "xl/sharedStrings.xml");
    assert_non_null(strstr(s, "<t>KSP Maju Bersama (legal number 518/BH/XII/2019)</t>"));
    assert_non_null(strstr(s, "<t>Period 2025-12-31, as_of_seq 42</t>"));
    assert_non_null(strstr(s, "<t>total_assets</t>"));
    assert_null(strstr(s, "<t>Jumlah Aset</t>"));
    arena_destroy(&a);
}

static void percentages_decimals_and_counts_are_numbers(void **state) {
    (void) state;
    arena_t *a = arena_new();
    ProtobufCBinaryData x = workbook(a, false);
    char *sheet = unzip(a, &x, "xl/worksheets/sheet2.xml");
    assert_non_null(strstr(sheet, "<c r=\"B6\" s=\""));
    assert_non_null(strstr(sheet, "<v>12.5</v>"));
    assert_non_null(strstr(sheet, "<v>50</v>"));       /* 5000 bp is 50 % */
    assert_non_null(strstr(sheet, "<v>1234</v>"));
    arena_destroy(&a);
}

static void custom_properties_say_what_the_file_reflects(void **state) {
    (void) state;
    arena_t *a = arena_new();
    ProtobufCBinaryData x = workbook(a, false);
    char *p = unzip(a, &x, "docProps/custom.xml");
    assert_non_null(strstr(p, "name=\"report\"><vt:lpwstr>balance_sheet</vt:lpwstr>"));
    assert_non_null(strstr(p, "name=\"cooperative_id\"><vt:lpwstr>7</vt:lpwstr>"));
    assert_non_null(strstr(p, "name=\"legal_number\"><vt:lpwstr>518/BH/XII/2019</vt:lpwstr>"));
    assert_non_null(strstr(p, "name=\"period\"><vt:lpwstr>2025-12-31</vt:lpwstr>"));
    assert_non_null(strstr(p, "name=\"as_of_seq\"><vt:lpwstr>42</vt:lpwstr>"));
    assert_non_null(strstr(p, "name=\"members_seq\"><vt:lpwstr>17</vt:lpwstr>"));
    char *core = unzip(a, &x, "docProps/core.xml");
    assert_non_null(strstr(core, "<dc:title>Neraca</dc:title>"));
    assert_non_null(strstr(core, "<cp:keywords>balance_sheet, as_of_seq 42</cp:keywords>"));
    arena_destroy(&a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_sheet_per_table_named_in_the_language),
        cmocka_unit_test(money_is_rupiah_with_the_rp_format),
        cmocka_unit_test(header_row_is_frozen_below_the_block),
        cmocka_unit_test(text_is_in_the_documents_language),
        cmocka_unit_test(percentages_decimals_and_counts_are_numbers),
        cmocka_unit_test(custom_properties_say_what_the_file_reflects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
