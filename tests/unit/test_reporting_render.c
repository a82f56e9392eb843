/* render (reporting): each report as the document every file shows, read as the CSV Excel set
   to Indonesian opens (BOM, `;`, decimal comma, Indonesian headings and labels) and as English
   CSV — the member's savings book with its opening and closing balances per kind and its loan
   cards, the loan repayment card (terms, schedule, payments), the loan register with its total,
   the ODS return with dates, yes/no and the fiscal year, SHU's allocation totals, the member
   import template (headings only, the same in both languages), the RAT pack's five tables in
   order; and what each document says it reflects (report, period, file names). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"
#include "../../services/reporting/docfile.h"
#include "../../services/reporting/render.h"

#define SAVINGS(x) LUMBUNG__SAVINGS_KIND__SAVINGS_KIND_##x
#define ENTRY(x) LUMBUNG__ENTRY_KIND__ENTRY_KIND_##x
#define MOVE(x) LUMBUNG__LOAN_MOVEMENT_KIND__LOAN_MOVEMENT_KIND_##x

/* The CSV text of the document: Indonesian as Excel-id opens it, or English RFC 4180. */
static const char *csv(arena_t *a, const reporting_doc_t *d, bool english) {
    reporting_opts_t o;
    assert_null(reporting_opts_read(&o, true, LUMBUNG__REPORT_FORMAT__REPORT_FORMAT_CSV,
                                    english ? NULL : "excel-id", english ? "en" : "id", false,
                                    false));
    Lumbung__ReportFile *f = reporting_doc_file(&d[0], &o);
    assert_non_null(f);
    char *s = arena_alloc(a, f->body.len + 1);
    memcpy(s, f->body.data, f->body.len);
    return s;
}

static Lumbung__KindBalance *kind(arena_t *a, Lumbung__SavingsKind k, int64_t sen) {
    Lumbung__KindBalance *b = arena_message(a, &lumbung__kind_balance__descriptor);
    b->has_kind = b->has_balance_sen = 1;
    b->kind = k;
    b->balance_sen = sen;
    return b;
}

static Lumbung__LoanStatementLine *loan_line(arena_t *a, const char *date, int kind_,
                                             int64_t amount, int64_t interest, int64_t principal,
                                             int64_t outstanding) {
    Lumbung__LoanStatementLine *l = arena_message(a, &lumbung__loan_statement_line__descriptor);
    l->has_value_date = 1;
    l->value_date = unit_day(date);
    l->kind = kind_;
    l->has_entry_id = 1;
    l->entry_id = 88;
    l->amount_sen = amount;
    l->interest_sen = interest;
    l->principal_sen = principal;
    l->outstanding_principal_sen = outstanding;
    return l;
}

static Lumbung__LoanStatement *loan(arena_t *a) {
    Lumbung__LoanStatement *l = arena_message(a, &lumbung__loan_statement__descriptor);
    l->loan_id = 5;
    l->opening_principal_sen = 500000000;
    l->n_lines = 1;
    l->lines = arena_alloc(a, sizeof *l->lines);
    l->lines[0] = loan_line(a, "2025-03-10", MOVE(REPAYMENT), 46666700, 5000000, 41666700,
                            458333300);
    l->closing_principal_sen = 458333300;
    return l;
}

static void savings_book_with_balances_per_kind_and_loan_cards(void **state) {
    (void) state;
    arena_t *a = arena_new();
    Lumbung__MemberStatement s = LUMBUNG__MEMBER_STATEMENT__INIT;
    s.cooperative_id = 7;
    s.member_id = 12;
    s.has_from = s.has_to = 1;
    s.from = unit_day("2025-01-01");
    s.to = unit_day("2025-03-31");
    s.as_of_seq = 42;
    Lumbung__KindBalance *opening[] = { kind(a, SAVINGS(VOLUNTARY), 100000000) };
    Lumbung__KindBalance *closing[] = { kind(a, SAVINGS(VOLUNTARY), 106618546) };
    s.n_opening = s.n_closing = 1;
    s.opening = opening;
    s.closing = closing;
    s.opening_total_sen = 100000000;
    s.closing_total_sen = 106618546;
    Lumbung__StatementLine line = LUMBUNG__STATEMENT_LINE__INIT;
    Lumbung__StatementLine *lines[] = { &line };
    line.has_value_date = 1;
    line.value_date = unit_day("2025-02-14");
    line.entry_id = 31;
    line.entry_kind = ENTRY(DEPOSIT);
    line.kind = SAVINGS(VOLUNTARY);
    line.memo = "Setoran; Februari";
    line.amount_sen = 6618546;
    line.balance_sen = line.total_balance_sen = 106618546;
    s.n_lines = 1;
    s.lines = lines;
    Lumbung__LoanStatement *loans[] = { loan(a) };
    s.n_loans = 1;
    s.loans = loans;
    reporting_doc_t d;
    reporting_render_statement(&d, a, &s);
    assert_string_equal(d.report, "member_statement");
    assert_string_equal(d.period, "2025-01-01..2025-03-31");
    assert_string_equal(d.file_id, "buku-simpanan-koperasi-7-anggota-12-2025-03-31");
    assert_string_equal(d.file_en, "statement-cooperative-7-member-12-2025-03-31");
    assert_int_equal(d.n_tables, 2);
    assert_string_equal(csv(a, &d, false),
        "\xEF\xBB\xBF" "Tanggal;No. Jurnal;Jenis Transaksi;Jenis Simpanan;Keterangan;Jumlah;Saldo;"
        "Saldo Total;\r\n"
        "awal;;;Simpanan sukarela;;;1000000;1000000;\r\n"
        "2025-02-14;31;Setoran;Simpanan sukarela;\"Setoran; Februari\";66185,46;1066185,46;"
        "1066185,46;\r\n"
        "akhir;;;Simpanan sukarela;;;1066185,46;1066185,46;\r\n"
        "No. Pinjaman;Tanggal;Jenis;No. Jurnal;Jumlah;Denda;Bunga;Pokok;Sisa Pokok\r\n"
        "5;awal;;;;;;;5000000\r\n"
        "5;2025-03-10;Angsuran;88;466667;0;50000;416667;4583333\r\n"
        "5;akhir;;;;;;;4583333\r\n");
    assert_string_equal(csv(a, &d, true),
        "value_date,entry_id,entry_kind,kind,memo,amount,balance,total_balance,\r\n"
        "opening,,,voluntary,,,1000000,1000000,\r\n"
        "2025-02-14,31,deposit,voluntary,Setoran; Februari,66185.46,1066185.46,1066185.46,\r\n"
        "closing,,,voluntary,,,1066185.46,1066185.46,\r\n"
        "loan_id,value_date,kind,entry_id,amount,late_fee,interest,principal,"
        "outstanding_principal\r\n"
        "5,opening,,,,,,,5000000\r\n"
        "5,2025-03-10,repayment,88,466667,0,50000,416667,4583333\r\n"
        "5,closing,,,,,,,4583333\r\n");
    arena_destroy(&a);
}

static void repayment_card_shows_terms_schedule_and_payments(void **state) {
    (void) state;
    arena_t *a = arena_new();
    Lumbung__Instalment i1 = LUMBUNG__INSTALMENT__INIT, i2 = LUMBUNG__INSTALMENT__INIT;
    Lumbung__Instalment *schedule[] = { &i1, &i2 };
    i1.number = 1;
    i1.has_due_on = 1;
    i1.due_on = unit_day("2025-03-10");
    i1.principal_sen = 41666700;
    i1.interest_sen = 5000000;
    i1.total_sen = 46666700;
    i1.balance_after_sen = 458333300;
    i2.number = 2;
    i2.has_due_on = 1;
    i2.due_on = unit_day("2025-04-10");
    i2.principal_sen = 41666600;
    i2.interest_sen = 5000000;
    i2.total_sen = 46666600;
    i2.balance_after_sen = 416666700;
    Lumbung__Loan terms = LUMBUNG__LOAN__INIT;
    terms.principal_sen = 500000000;
    terms.annual_rate_bp = 1200;
    terms.method = LUMBUNG__LOAN_METHOD__LOAN_METHOD_FLAT;
    terms.frequency = LUMBUNG__LOAN_FREQUENCY__LOAN_FREQUENCY_MONTHLY;
    terms.instalments = 12;
    terms.has_applied_on = 1;
    terms.applied_on = unit_day("2025-02-01");
    terms.total_interest_sen = 60000000;
    terms.n_schedule = 2;
    terms.schedule = schedule;
    Lumbung__LoanCard c = LUMBUNG__LOAN_CARD__INIT;
    c.cooperative_id = 7;
    c.loan_id = 5;
    c.member_number = 103;
    c.name = "Siti Rahayu";
    c.loan = &terms;
    c.card = loan(a);
    reporting_doc_t d;
    reporting_render_loan_card(&d, a, &c);
    assert_string_equal(d.report, "loan_card");
    assert_null(d.period);
    assert_string_equal(d.file_id, "kartu-angsuran-koperasi-7-pinjaman-5");
    assert_string_equal(d.file_en, "loan-card-cooperative-7-loan-5");
    assert_string_equal(csv(a, &d, false),
        "\xEF\xBB\xBF" "Keterangan;Nilai;;;;;;;\r\n"
        "Anggota;103 Siti Rahayu;;;;;;;\r\n"
        "No. Pinjaman;5;;;;;;;\r\n"
        "Pokok Pinjaman;5000000;;;;;;;\r\n"
        "Bunga per Tahun (%);12;;;;;;;\r\n"
        "Metode;Flat (tetap);;;;;;;\r\n"
        "Angsuran;Bulanan;;;;;;;\r\n"
        "Jumlah Angsuran;12;;;;;;;\r\n"
        "Tanggal Pengajuan;2025-02-01;;;;;;;\r\n"
        "Jumlah Bunga;600000;;;;;;;\r\n"
        "Ke;Jatuh Tempo;Pokok;Bunga;Angsuran;Sisa Pokok;;;\r\n"
        "1;2025-03-10;416667;50000;466667;4583333;;;\r\n"
        "2;2025-04-10;416666;50000;466666;4166667;;;\r\n"
        "No. Pinjaman;Tanggal;Jenis;No. Jurnal;Jumlah;Denda;Bunga;Pokok;Sisa Pokok\r\n"
        "5;2025-03-10;Angsuran;88;466667;0;50000;416667;4583333\r\n"
        "5;akhir;;;;;;;4583333\r\n");
    arena_destroy(&a);
}

static void loan_register_totals_the_outstanding_principal(void **state) {
    (void) state;
    arena_t *a = arena_new();
    Lumbung__LoanRegisterRow r1 = LUMBUNG__LOAN_REGISTER_ROW__INIT;
    Lumbung__LoanRegisterRow r2 = LUMBUNG__LOAN_REGISTER_ROW__INIT;
    Lumbung__LoanRegisterRow *rows[] = { &r1, &r2 };
    r1.loan_id = 5;
    r1.has_member_number = 1;
    r1.member_number = 103;
    r1.name = "Siti Rahayu";
    r1.status = LUMBUNG__LOAN_STATUS__LOAN_STATUS_ACTIVE;
    r1.class_ = LUMBUNG__LOAN_CLASS__LOAN_CLASS_CURRENT;
    r1.outstanding_principal_sen = 458333300;
    r1.has_state_date = 1;
    r1.state_date = unit_day("2025-03-10");
    r2.loan_id = 6;                      /* a member without a number yet: an empty cell */
    r2.name = "Budi";
    r2.status = LUMBUNG__LOAN_STATUS__LOAN_STATUS_ACTIVE;
    r2.class_ = LUMBUNG__LOAN_CLASS__LOAN_CLASS_DOUBTFUL;
    r2.outstanding_principal_sen = 60785246;
    Lumbung__LoanRegister l = LUMBUNG__LOAN_REGISTER__INIT;
    l.cooperative_id = 7;
    l.has_as_of = 1;
    l.as_of = unit_day("2025-12-31");
    l.n_items = 2;
    l.items = rows;
    l.outstanding_principal_sen = 519118546;
    reporting_doc_t d;
    reporting_render_loan_register(&d, a, &l);
    assert_string_equal(d.period, "2025-12-31");
    assert_string_equal(d.file_id, "daftar-pinjaman-koperasi-7-2025-12-31");
    assert_string_equal(csv(a, &d, false),
        "\xEF\xBB\xBF" "No. Pinjaman;No. Anggota;Nama;Status;Kolektibilitas;Sisa Pokok;"
        "Per Tanggal\r\n"
        "5;103;Siti Rahayu;Berjalan;Lancar;4583333;2025-03-10\r\n"
        "6;;Budi;Berjalan;Diragukan;607852,46;\r\n"
        "jumlah;;Sisa Pokok;;;5191185,46;\r\n");
    assert_string_equal(csv(a, &d, true),
        "loan_id,member_number,name,status,class,outstanding_principal,state_date\r\n"
        "5,103,Siti Rahayu,active,current,4583333,2025-03-10\r\n"
        "6,,Budi,active,doubtful,607852.46,\r\n"
        "total,,outstanding_principal,,,5191185.46,\r\n");
    arena_destroy(&a);
}

static void ods_rows_carry_dates_yes_no_and_the_fiscal_year(void **state) {
    (void) state;
    arena_t *a = arena_new();
    Lumbung__OdsRow r = LUMBUNG__ODS_ROW__INIT;
    Lumbung__OdsRow *rows[] = { &r };
    r.cooperative_id = 7;
    r.name = "KSP Maju Bersama";
    r.legal_number = "518/BH/XII/2019";
    r.has_legal_date = 1;
    r.legal_date = unit_day("2019-12-02");
    r.national_number = "3204010020001";
    r.type = LUMBUNG__COOPERATIVE_TYPE__COOPERATIVE_TYPE_SAVINGS_LOAN;
    r.group = "KSP";
    r.address = "Jl. Merdeka 1";
    r.district = "Cimahi";
    r.active = 1;
    r.rat_held = 0;                      /* no RAT: "tidak" and no date */
    r.members_male = 40;
    r.members_female = 62;
    r.own_capital_sen = 32500000;
    r.outside_capital_sen = 20100025;
    r.total_assets_sen = 106618546;
    r.surplus_sen = -4500075;
    r.has_from = r.has_to = 1;
    r.from = unit_day("2024-07-01");
    r.to = unit_day("2025-06-30");
    Lumbung__OdsReturn o = LUMBUNG__ODS_RETURN__INIT;
    o.year = 2024;
    o.as_of_seq = 42;
    o.n_items = 1;
    o.items = rows;
    reporting_doc_t d;
    reporting_render_ods(&d, a, &o);
    assert_string_equal(d.report, "ods");
    assert_int_equal(d.cooperative_id, 0);
    assert_string_equal(d.period, "2024");
    assert_string_equal(d.file_id, "ods-2024");
    assert_string_equal(d.file_en, "ods-2024");
    assert_string_equal(csv(a, &d, false),
        "\xEF\xBB\xBF" "ID Koperasi;Nama;No. Badan Hukum;Tgl. Badan Hukum;NIK Koperasi;Jenis;"
        "Kelompok;Alamat;Wilayah;Aktif;RAT;Tanggal RAT;Anggota Laki-laki;Anggota Perempuan;"
        "Modal Sendiri;Modal Luar;Jumlah Aset;SHU;Dari;Sampai\r\n"
        "7;KSP Maju Bersama;518/BH/XII/2019;2019-12-02;3204010020001;Simpan pinjam;KSP;"
        "Jl. Merdeka 1;Cimahi;ya;tidak;;40;62;325000;201000,25;1066185,46;-45000,75;"
        "2024-07-01;2025-06-30\r\n");
    assert_string_equal(csv(a, &d, true),
        "cooperative_id,name,legal_number,legal_date,national_number,type,group,address,district,"
        "active,rat_held,rat_held_on,members_male,members_female,own_capital,outside_capital,"
        "total_assets,surplus,from,to\r\n"
        "7,KSP Maju Bersama,518/BH/XII/2019,2019-12-02,3204010020001,savings_loan,KSP,"
        "Jl. Merdeka 1,Cimahi,true,false,,40,62,325000,201000.25,1066185.46,-45000.75,"
        "2024-07-01,2025-06-30\r\n");
    arena_destroy(&a);
}

static void shu_lists_members_then_the_allocation(void **state) {
    (void) state;
    arena_t *a = arena_new();
    Lumbung__ShuMemberShare m = LUMBUNG__SHU_MEMBER_SHARE__INIT;
    Lumbung__ShuMemberShare *members[] = { &m };
    m.member_id = 12;
    m.member_number = 103;
    m.name = "Siti Rahayu";
    m.capital_sen = 32500000;
    m.participation_sen = 5000000;
    m.capital_share_sen = 1066185;
    m.usage_share_sen = 533092;
    m.total_sen = 1599277;
    Lumbung__ShuAllocationAmounts al = LUMBUNG__SHU_ALLOCATION_AMOUNTS__INIT;
    al.reserves_sen = 4000000;
    al.capital_share_sen = 2000000;
    al.usage_share_sen = 1000000;
    al.board_sen = 500000;
    al.staff_sen = 500000;
    al.education_sen = 500000;
    al.social_sen = 1500000;
    Lumbung__ShuReport s = LUMBUNG__SHU_REPORT__INIT;
    s.cooperative_id = 7;
    s.year = 2025;
    s.has_from = s.has_to = 1;
    s.from = unit_day("2025-01-01");
    s.to = unit_day("2025-12-31");
    s.surplus_sen = 10000046;
    s.shared_surplus_sen = 10000000;
    s.rounding_sen = 46;
    s.allocation = &al;
    s.n_members = 1;
    s.members = members;
    reporting_doc_t d;
    reporting_render_shu(&d, a, &s);
    assert_string_equal(d.period, "2025-01-01..2025-12-31");
    assert_string_equal(d.file_id, "shu-koperasi-7-2025");
    assert_string_equal(d.file_en, "shu-cooperative-7-2025");
    assert_string_equal(csv(a, &d, false),
        "\xEF\xBB\xBF" "ID Anggota;No. Anggota;Nama;Modal;Partisipasi;Jasa Modal;Jasa Usaha;"
        "Jumlah\r\n"
        "12;103;Siti Rahayu;325000;50000;10661,85;5330,92;15992,77\r\n"
        "jumlah;;Sisa Hasil Usaha;100000,46;;;;\r\n"
        "jumlah;;SHU Dibagikan;100000;;;;\r\n"
        "jumlah;;Cadangan;40000;;;;\r\n"
        "jumlah;;Jasa Modal;20000;;;;\r\n"
        "jumlah;;Jasa Usaha;10000;;;;\r\n"
        "jumlah;;Dana Pengurus;5000;;;;\r\n"
        "jumlah;;Dana Karyawan;5000;;;;\r\n"
        "jumlah;;Dana Pendidikan;5000;;;;\r\n"
        "jumlah;;Dana Sosial;15000;;;;\r\n"
        "jumlah;;Pembulatan ke Cadangan;0,46;;;;\r\n");
    arena_destroy(&a);
}

static void import_template_is_headings_only_in_both_languages(void **state) {
    (void) state;
    arena_t *a = arena_new();
    reporting_doc_t d;
    reporting_render_import_template(&d, a, 7);
    assert_string_equal(d.file_id, "impor-anggota-koperasi-7");
    assert_string_equal(d.file_en, "member-import-cooperative-7");
    assert_string_equal(csv(a, &d, true), "nik,name,sex,birth_date,address,phone,joined_on\r\n");
    assert_string_equal(csv(a, &d, false),
                        "\xEF\xBB\xBF" "nik;name;sex;birth_date;address;phone;joined_on\r\n");
    arena_destroy(&a);
}

static void rat_pack_holds_the_five_reports_in_order(void **state) {
    (void) state;
    arena_t *a = arena_new();
    Lumbung__BalanceSheet b = LUMBUNG__BALANCE_SHEET__INIT;
    Lumbung__IncomeStatement i = LUMBUNG__INCOME_STATEMENT__INIT;
    Lumbung__ShuReport s = LUMBUNG__SHU_REPORT__INIT;
    Lumbung__LoanPortfolio p = LUMBUNG__LOAN_PORTFOLIO__INIT;
    Lumbung__HealthReport h = LUMBUNG__HEALTH_REPORT__INIT;
    s.cooperative_id = 7;
    s.year = 2025;
    s.has_from = s.has_to = 1;
    s.from = unit_day("2025-01-01");
    s.to = unit_day("2025-12-31");
    b.total_assets_sen = 106618546;
    reporting_doc_t d;
    reporting_render_rat_pack(&d, a, &b, &i, &s, &p, &h);
    assert_string_equal(d.report, "rat_pack");
    assert_string_equal(d.title_id, "Laporan Rapat Anggota Tahunan (RAT)");
    assert_string_equal(d.period, "2025-01-01..2025-12-31");
    assert_string_equal(d.file_id, "laporan-rat-koperasi-7-2025");
    assert_int_equal(d.n_tables, 5);
    const char *names[] = { "Neraca", "Perhitungan Hasil Usaha", "SHU", "Portofolio Pinjaman",
                            "Kesehatan Koperasi" };
    for (size_t k = 0; k < 5; k++) assert_string_equal(d.tables[k]->name_id, names[k]);
    const reporting_table_t *t = d.tables[0];
    const reporting_cell_t *c = reporting_table_cell(t, 0, 4);     /* total_assets */
    assert_int_equal(c->kind, REPORTING_CELL_MONEY);
    assert_int_equal(c->value, 106618546);
    assert_string_equal(reporting_table_cell(t, 0, 2)->text_id, "Jumlah Aset");
    arena_destroy(&a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(savings_book_with_balances_per_kind_and_loan_cards),
        cmocka_unit_test(repayment_card_shows_terms_schedule_and_payments),
        cmocka_unit_test(loan_register_totals_the_outstanding_principal),
        cmocka_unit_test(ods_rows_carry_dates_yes_no_and_the_fiscal_year),
        cmocka_unit_test(shu_lists_members_then_the_allocation),
        cmocka_unit_test(import_template_is_headings_only_in_both_languages),
        cmocka_unit_test(rat_pack_holds_the_five_reports_in_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
