/* csv — RFC 4180 quoting, money and enum fields, formula guard, size limit; and a rendered
   report's rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>
#include "unit.h"

#include "../../services/reporting/csv_writer.h"
#include "../../services/reporting/docfile.h"
#include "../../services/reporting/render.h"
#include "envelope.pb-c.h"

static char *text_of(reporting_csv_t *csv) {
    ProtobufCBinaryData out;
    assert_int_equal(reporting_csv_finish(csv, &out), 0);
    char *s = arena_alloc(csv->arena, out.len + 1);
    memcpy(s, out.data, out.len);
    return s;
}

static char *body_of(arena_t *a, const Lumbung__ReportFile *f) {
    char *text = arena_alloc(a, f->body.len + 1);
    memcpy(text, f->body.data, f->body.len);
    return text;
}

static void quotes_only_what_needs_it(void **state) {
    (void) state;
    arena_t *a = arena_new();
    reporting_csv_t csv;
    reporting_csv_init(&csv, a);
    reporting_csv_text(&csv, "Kas");
    reporting_csv_text(&csv, "Jl. Mawar 1, RT 02");
    reporting_csv_text(&csv, "O\"Neil");
    reporting_csv_text(&csv, NULL);
    reporting_csv_text(&csv, "two\nlines");
    reporting_csv_end(&csv);
    assert_string_equal(text_of(&csv), "Kas,\"Jl. Mawar 1, RT 02\",\"O\"\"Neil\",,\"two\nlines\"\r\n");
    arena_destroy(&a);
}

static void money_enums_and_numbers(void **state) {
    (void) state;
    arena_t *a = arena_new();
    reporting_csv_t csv;
    reporting_csv_init(&csv, a);
    reporting_csv_money(&csv, 48099950);
    reporting_csv_money(&csv, -50025);
    reporting_csv_money(&csv, 0);
    reporting_csv_u64(&csv, 18446744073709551615ULL);
    reporting_csv_enum(&csv, &lumbung__account_class__descriptor,
                       LUMBUNG__ACCOUNT_CLASS__ACCOUNT_CLASS_ASSET);
    reporting_csv_enum(&csv, &lumbung__savings_kind__descriptor,
                       LUMBUNG__SAVINGS_KIND__SAVINGS_KIND_TIME_DEPOSIT);
    reporting_csv_enum(&csv, &lumbung__account_role__descriptor, 0);
    reporting_csv_enum(&csv, &lumbung__account_role__descriptor, 999);
    reporting_csv_end(&csv);
    assert_string_equal(text_of(&csv),
                        "480999.50,-500.25,0,18446744073709551615,asset,time_deposit,,\r\n");
    arena_destroy(&a);
}

static void guards_against_formulas(void **state) {
    (void) state;
    arena_t *a = arena_new();
    reporting_csv_t csv;
    reporting_csv_init(&csv, a);
    reporting_csv_text(&csv, "=HYPERLINK(\"x\")");
    reporting_csv_text(&csv, "@SUM(A1)");
    reporting_csv_text(&csv, "-1+2");
    reporting_csv_end(&csv);
    assert_string_equal(text_of(&csv), "\"'=HYPERLINK(\"\"x\"\")\",\"'@SUM(A1)\",\"'-1+2\"\r\n");
    arena_destroy(&a);
}

static void stops_at_the_limit(void **state) {
    (void) state;
    arena_t *a = arena_new();
    reporting_csv_t csv;
    reporting_csv_init(&csv, a);
    static char chunk[64 * 1024];
    memset(chunk, 'x', sizeof chunk - 1);
    for (int i = 0; i < REPORTING_CSV_MAX / (int) (sizeof chunk - 1) + 1; i++)
        reporting_csv_text(&csv, chunk);
    ProtobufCBinaryData out;
    assert_int_equal(reporting_csv_finish(&csv, &out), -E2BIG);
    arena_destroy(&a);
}

static void renders_a_balance_sheet(void **state) {
    (void) state;
    arena_t *a = arena_new();
    Lumbung__ReportAccount kas = LUMBUNG__REPORT_ACCOUNT__INIT;
    kas.code = "1-101";
    kas.name = "Kas";
    kas.has_role = 1;
    kas.role = LUMBUNG__ACCOUNT_ROLE__ACCOUNT_ROLE_CASH;
    kas.balance_sen = 12345;
    Lumbung__ReportAccount *accounts[] = { &kas };
    Lumbung__BalanceSheetSection assets = LUMBUNG__BALANCE_SHEET_SECTION__INIT;
    assets.class_ = LUMBUNG__ACCOUNT_CLASS__ACCOUNT_CLASS_ASSET;
    assets.n_accounts = 1;
    assets.accounts = accounts;
    Lumbung__BalanceSheetSection *sections[] = { &assets };
    Lumbung__BalanceSheet b = LUMBUNG__BALANCE_SHEET__INIT;
    b.cooperative_id = 3;
    b.has_as_of = 1;
    b.as_of = unit_day("2025-12-31");
    b.as_of_seq = 42;
    b.n_sections = 1;
    b.sections = sections;
    b.total_assets_sen = 12345;
    b.loans_gross_sen = 100000;
    b.loan_loss_allowance_sen = 500;
    b.loans_net_sen = 99500;
    reporting_doc_t d;
    reporting_render_balance_sheet(&d, a, &b);
    reporting_opts_t o;
    assert_null(reporting_opts_read(&o, true, LUMBUNG__REPORT_FORMAT__REPORT_FORMAT_CSV, NULL,
                                    "en", false, false));
    Lumbung__ReportFile *f = reporting_doc_file(&d, &o);
    assert_non_null(f);
    assert_string_equal(f->content_type, "text/csv; charset=utf-8");
    assert_string_equal(f->filename, "balance-sheet-cooperative-3-2025-12-31.csv");
    assert_string_equal(body_of(a, f), "class,code,name,role,balance\r\n"
                                       "asset,1-101,Kas,cash,123.45\r\n"
                                       "total,,total_assets,,123.45\r\n"
                                       "total,,total_liabilities,,0\r\n"
                                       "total,,total_equity,,0\r\n"
                                       "total,,loans_gross,,1000\r\n"
                                       "total,,loan_loss_allowance,,5\r\n"
                                       "total,,loans_net,,995\r\n");
    assert_int_equal(f->n_headers, 5);
    assert_string_equal(f->headers[0]->name, "X-Lumbung-Report");
    assert_string_equal(f->headers[1]->value, "3");
    assert_string_equal(f->headers[2]->name, "X-Lumbung-Period");
    assert_string_equal(f->headers[3]->name, "X-Lumbung-As-Of-Seq");
    assert_string_equal(f->headers[3]->value, "42");

    /* What Excel set to Indonesian opens: BOM, `;`, decimal comma, Indonesian headings; the
       metadata section at the end on request, every row as wide as the header. */
    b.total_assets_sen = 123456789;
    reporting_render_balance_sheet(&d, a, &b);
    assert_null(reporting_opts_read(&o, true, LUMBUNG__REPORT_FORMAT__REPORT_FORMAT_CSV,
                                    "excel-id", "id", true, true));
    f = reporting_doc_file(&d, &o);
    assert_string_equal(f->filename, "neraca-koperasi-3-2025-12-31.csv");
    assert_string_equal(body_of(a, f), "\xEF\xBB\xBFKelompok;Kode;Nama Akun;Peran;Saldo\r\n"
                                       "Aset;1-101;Kas;Kas;123,45\r\n"
                                       "jumlah;;Jumlah Aset;;1234567,89\r\n"
                                       "jumlah;;Jumlah Kewajiban;;0\r\n"
                                       "jumlah;;Jumlah Ekuitas;;0\r\n"
                                       "jumlah;;Pinjaman bruto;;1000\r\n"
                                       "jumlah;;Penyisihan penghapusan pinjaman;;5\r\n"
                                       "jumlah;;Pinjaman neto;;995\r\n"
                                       ";;;;\r\n"
                                       "report;balance_sheet;;;\r\n"
                                       "cooperative_id;3;;;\r\n"
                                       "period;2025-12-31;;;\r\n"
                                       "as_of_seq;42;;;\r\n"
                                       "members_seq;0;;;\r\n");
    assert_string_equal(reporting_opts_read(&o, true, LUMBUNG__REPORT_FORMAT__REPORT_FORMAT_CSV,
                                            "excel", NULL, false, false), "dialect");
    assert_string_equal(reporting_opts_read(&o, true, LUMBUNG__REPORT_FORMAT__REPORT_FORMAT_CSV,
                                            NULL, "fr", false, false), "lang");
    arena_destroy(&a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(quotes_only_what_needs_it),
        cmocka_unit_test(money_enums_and_numbers),
        cmocka_unit_test(guards_against_formulas),
        cmocka_unit_test(stops_at_the_limit),
        cmocka_unit_test(renders_a_balance_sheet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
