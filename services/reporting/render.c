#include "render.h"
#include "date.h"
#include "enum_id.h"

#include <assert.h>
#include <inttypes.h>

#define ENUM(x) &lumbung__##x##__descriptor

/* What every report's document says about itself. */
static void stamp(reporting_doc_t *d, uint64_t coop, const char *period, uint64_t as_of_seq,
                  uint64_t members_seq) {
    d->cooperative_id = coop;
    d->period = period;
    d->as_of_seq = as_of_seq;
    d->members_seq = members_seq;
}

/* The text of a date field for a document's name or period: "YYYY-MM-DD", NULL (or "") when
   absent. Files show dates as text; the bus carries day numbers. */
static const char *day_text(arena_t *a, bool present, int32_t days, const char *absent) {
    return present ? date_text(a, days) : absent;
}
#define DAY(m, f) day_text(d->arena, (m)->has_##f, (m)->f, NULL)
#define DAY_OR_EMPTY(m, f) day_text(d->arena, (m)->has_##f, (m)->f, "")

static const char *range(arena_t *a, const char *from, const char *to) {
    return arena_printf(a, "%s..%s", from ? from : "", to ? to : "");
}

/* A `total` row: the label in column `at`, the amount in column `money_at`. */
static void total_row(reporting_table_t *t, size_t at, const char *en, const char *id,
                      size_t money_at, int64_t sen) {
    reporting_row(t);
    reporting_cell_label(t, "total", "jumlah");
    for (size_t i = 1; i < at; i++) reporting_cell_empty(t);
    reporting_cell_label(t, en, id);
    for (size_t i = at + 1; i < money_at; i++) reporting_cell_empty(t);
    reporting_cell_money(t, sen);
}

/* ---------------------------------------------------------------- ledger */

static const reporting_column_t ACCOUNT_COLUMNS[] = {
    { "class", "Kelompok", 12 }, { "code", "Kode", 8 }, { "name", "Nama Akun", 40 },
    { "role", "Peran", 24 }, { "balance", "Saldo", 20 }, { NULL, NULL, 0 } };

static void account_row(reporting_table_t *t, int class_, const Lumbung__ReportAccount *a) {
    reporting_row(t);
    reporting_cell_enum(t, ENUM(account_class), class_);
    reporting_cell_text(t, a->code);
    reporting_cell_text(t, a->name);
    reporting_cell_enum(t, ENUM(account_role), a->has_role ? (int) a->role : 0);
    reporting_cell_money(t, a->balance_sen);
}

void reporting_tables_balance_sheet(reporting_doc_t *d, const Lumbung__BalanceSheet *b) {
    reporting_table_t *t = reporting_doc_table(d, "Balance sheet", "Neraca", ACCOUNT_COLUMNS);
    for (size_t i = 0; i < b->n_sections; i++) {
        const Lumbung__BalanceSheetSection *s = b->sections[i];
        for (size_t j = 0; j < s->n_accounts; j++) account_row(t, s->class_, s->accounts[j]);
    }
    total_row(t, 2, "total_assets", "Jumlah Aset", 4, b->total_assets_sen);
    total_row(t, 2, "total_liabilities", "Jumlah Kewajiban", 4, b->total_liabilities_sen);
    total_row(t, 2, "total_equity", "Jumlah Ekuitas", 4, b->total_equity_sen);
    /* Loans net of the allowance: the gross figure, the allowance and the net. */
    total_row(t, 2, "loans_gross", "Pinjaman bruto", 4, b->loans_gross_sen);
    total_row(t, 2, "loan_loss_allowance", "Penyisihan penghapusan pinjaman", 4,
              b->loan_loss_allowance_sen);
    total_row(t, 2, "loans_net", "Pinjaman neto", 4, b->loans_net_sen);
}

void reporting_render_balance_sheet(reporting_doc_t *d, arena_t *arena,
                                    const Lumbung__BalanceSheet *b) {
    reporting_doc_init(d, arena, "balance_sheet", "Balance sheet", "Neraca");
    stamp(d, b->cooperative_id, DAY(b, as_of), b->as_of_seq, b->members_seq);
    d->file_en = arena_printf(arena, "balance-sheet-cooperative-%" PRIu64 "-%s",
                              b->cooperative_id, DAY(b, as_of));
    d->file_id = arena_printf(arena, "neraca-koperasi-%" PRIu64 "-%s", b->cooperative_id,
                              DAY(b, as_of));
    reporting_tables_balance_sheet(d, b);
}

void reporting_tables_income(reporting_doc_t *d, const Lumbung__IncomeStatement *s) {
    reporting_table_t *t = reporting_doc_table(d, "Income statement", "Perhitungan Hasil Usaha",
                                               ACCOUNT_COLUMNS);
    for (size_t i = 0; i < s->n_income; i++)
        account_row(t, LUMBUNG__ACCOUNT_CLASS__ACCOUNT_CLASS_INCOME, s->income[i]);
    for (size_t i = 0; i < s->n_expenses; i++)
        account_row(t, LUMBUNG__ACCOUNT_CLASS__ACCOUNT_CLASS_EXPENSE, s->expenses[i]);
    total_row(t, 2, "total_income", "Jumlah Pendapatan", 4, s->total_income_sen);
    total_row(t, 2, "total_expenses", "Jumlah Beban", 4, s->total_expenses_sen);
    total_row(t, 2, "surplus", "Sisa Hasil Usaha", 4, s->surplus_sen);
}

void reporting_render_income(reporting_doc_t *d, arena_t *arena, const Lumbung__IncomeStatement *s) {
    reporting_doc_init(d, arena, "income_statement", "Income statement", "Perhitungan Hasil Usaha");
    stamp(d, s->cooperative_id, range(arena, DAY(s, from), DAY(s, to)), s->as_of_seq,
          s->members_seq);
    d->file_en = arena_printf(arena, "income-statement-cooperative-%" PRIu64 "-%s-%s",
                              s->cooperative_id, DAY(s, from), DAY(s, to));
    d->file_id = arena_printf(arena, "hasil-usaha-koperasi-%" PRIu64 "-%s-%s", s->cooperative_id,
                              DAY(s, from), DAY(s, to));
    reporting_tables_income(d, s);
}

void reporting_render_trial_balance(reporting_doc_t *d, arena_t *arena,
                                    const Lumbung__ReportTrialBalance *t) {
    static const reporting_column_t columns[] = {
        { "code", "Kode", 8 }, { "name", "Nama Akun", 40 }, { "class", "Kelompok", 12 },
        { "role", "Peran", 24 }, { "debit_total", "Jumlah Debit", 20 },
        { "credit_total", "Jumlah Kredit", 20 }, { "balance", "Saldo", 20 }, { NULL, NULL, 0 } };
    reporting_doc_init(d, arena, "trial_balance", "Trial balance", "Neraca Saldo");
    stamp(d, t->cooperative_id, DAY(t, as_of), t->as_of_seq, t->members_seq);
    d->file_en = arena_printf(arena, "trial-balance-cooperative-%" PRIu64 "-%s",
                              t->cooperative_id, DAY(t, as_of));
    d->file_id = arena_printf(arena, "neraca-saldo-koperasi-%" PRIu64 "-%s", t->cooperative_id,
                              DAY(t, as_of));
    reporting_table_t *x = reporting_doc_table(d, "Trial balance", "Neraca Saldo", columns);
    for (size_t i = 0; i < t->n_items; i++) {
        const Lumbung__Account *a = t->items[i];
        reporting_row(x);
        reporting_cell_text(x, a->code);
        reporting_cell_text(x, a->name);
        reporting_cell_enum(x, ENUM(account_class), a->has_class_ ? (int) a->class_ : 0);
        reporting_cell_enum(x, ENUM(account_role), a->has_role ? (int) a->role : 0);
        reporting_cell_money(x, a->debit_total_sen);
        reporting_cell_money(x, a->credit_total_sen);
        reporting_cell_money(x, a->balance_sen);
    }
    reporting_row(x);
    reporting_cell_label(x, "total", "jumlah");
    for (int i = 0; i < 3; i++) reporting_cell_empty(x);
    reporting_cell_money(x, t->total_debit_sen);
    reporting_cell_money(x, t->total_credit_sen);
    reporting_cell_money(x, t->total_debit_sen - t->total_credit_sen);
}

/* ---------------------------------------------------------------- member statement */

static void kind_rows(reporting_table_t *t, const char *en, const char *id,
                      Lumbung__KindBalance **kinds, size_t n, int64_t total) {
    for (size_t i = 0; i < n; i++) {
        reporting_row(t);
        reporting_cell_label(t, en, id);
        for (int j = 0; j < 2; j++) reporting_cell_empty(t);
        reporting_cell_enum(t, ENUM(savings_kind), kinds[i]->kind);
        for (int j = 0; j < 2; j++) reporting_cell_empty(t);
        reporting_cell_money(t, kinds[i]->balance_sen);
        reporting_cell_money(t, total);
    }
}

static void loan_end_row(reporting_table_t *t, uint64_t loan, const char *en, const char *id,
                         int64_t sen) {
    reporting_row(t);
    reporting_cell_count(t, loan);
    reporting_cell_label(t, en, id);
    for (int j = 0; j < 6; j++) reporting_cell_empty(t);
    reporting_cell_money(t, sen);
}

static void loan_line_row(reporting_table_t *t, uint64_t loan, const Lumbung__LoanStatementLine *x) {
    reporting_row(t);
    reporting_cell_count(t, loan);
    REPORTING_CELL_DATE(t, x, value_date);
    reporting_cell_enum(t, ENUM(loan_movement_kind), x->kind);
    if (x->has_entry_id) reporting_cell_count(t, x->entry_id);
    else reporting_cell_empty(t);
    reporting_cell_money(t, x->amount_sen);
    reporting_cell_money(t, x->late_fee_sen);
    reporting_cell_money(t, x->interest_sen);
    reporting_cell_money(t, x->principal_sen);
    reporting_cell_money(t, x->outstanding_principal_sen);
}

/* The loan cards (kartu angsuran) after the savings: per loan its opening principal, its
   lines and its closing principal. */
static void loan_tables(reporting_doc_t *d, const Lumbung__MemberStatement *s) {
    static const reporting_column_t columns[] = {
        { "loan_id", "No. Pinjaman", 12 }, { "value_date", "Tanggal", 12 },
        { "kind", "Jenis", 16 }, { "entry_id", "No. Jurnal", 10 }, { "amount", "Jumlah", 18 },
        { "late_fee", "Denda", 16 }, { "interest", "Bunga", 16 }, { "principal", "Pokok", 18 },
        { "outstanding_principal", "Sisa Pokok", 18 }, { NULL, NULL, 0 } };
    if (s->n_loans == 0) return;
    reporting_table_t *t = reporting_doc_table(d, "Loan cards", "Kartu Angsuran", columns);
    for (size_t i = 0; i < s->n_loans; i++) {
        const Lumbung__LoanStatement *l = s->loans[i];
        loan_end_row(t, l->loan_id, "opening", "awal", l->opening_principal_sen);
        for (size_t j = 0; j < l->n_lines; j++) loan_line_row(t, l->loan_id, l->lines[j]);
        loan_end_row(t, l->loan_id, "closing", "akhir", l->closing_principal_sen);
    }
}

void reporting_render_statement(reporting_doc_t *d, arena_t *arena,
                                const Lumbung__MemberStatement *s) {
    static const reporting_column_t columns[] = {
        { "value_date", "Tanggal", 12 }, { "entry_id", "No. Jurnal", 10 },
        { "entry_kind", "Jenis Transaksi", 18 }, { "kind", "Jenis Simpanan", 16 },
        { "memo", "Keterangan", 30 }, { "amount", "Jumlah", 18 }, { "balance", "Saldo", 18 },
        { "total_balance", "Saldo Total", 18 }, { NULL, NULL, 0 } };
    reporting_doc_init(d, arena, "member_statement", "Member statement", "Buku Simpanan Anggota");
    stamp(d, s->cooperative_id, range(arena, DAY(s, from), DAY(s, to)), s->as_of_seq,
          s->members_seq);
    d->file_en = arena_printf(arena, "statement-cooperative-%" PRIu64 "-member-%" PRIu64 "-%s",
                              s->cooperative_id, s->member_id, DAY(s, to));
    d->file_id = arena_printf(arena, "buku-simpanan-koperasi-%" PRIu64 "-anggota-%" PRIu64 "-%s",
                              s->cooperative_id, s->member_id, DAY(s, to));
    reporting_table_t *t = reporting_doc_table(d, "Savings", "Simpanan", columns);
    kind_rows(t, "opening", "awal", s->opening, s->n_opening, s->opening_total_sen);
    for (size_t i = 0; i < s->n_lines; i++) {
        const Lumbung__StatementLine *l = s->lines[i];
        reporting_row(t);
        REPORTING_CELL_DATE(t, l, value_date);
        reporting_cell_count(t, l->entry_id);
        reporting_cell_enum(t, ENUM(entry_kind), l->entry_kind);
        reporting_cell_enum(t, ENUM(savings_kind), l->kind);
        reporting_cell_text(t, l->memo);
        reporting_cell_money(t, l->amount_sen);
        reporting_cell_money(t, l->balance_sen);
        reporting_cell_money(t, l->total_balance_sen);
    }
    kind_rows(t, "closing", "akhir", s->closing, s->n_closing, s->closing_total_sen);
    loan_tables(d, s);
}

/* ---------------------------------------------------------------- loans, SHU, health */

void reporting_tables_portfolio(reporting_doc_t *d, const Lumbung__LoanPortfolio *p) {
    static const reporting_column_t columns[] = {
        { "class", "Kolektibilitas", 16 }, { "loans", "Jumlah Pinjaman", 22 },
        { "outstanding_principal", "Sisa Pokok", 20 }, { "risk_weight", "Bobot Risiko (%)", 14 },
        { "risk", "RPM", 20 }, { "allowance_rate", "Tarif Penyisihan (%)", 14 },
        { "allowance", "Penyisihan", 20 }, { NULL, NULL, 0 } };
    reporting_table_t *t = reporting_doc_table(d, "Loan portfolio", "Portofolio Pinjaman", columns);
    for (size_t i = 0; i < p->n_classes; i++) {
        const Lumbung__PortfolioClass *r = p->classes[i];
        reporting_row(t);
        reporting_cell_enum(t, ENUM(loan_class), r->class_);
        reporting_cell_count(t, r->loans);
        reporting_cell_money(t, r->outstanding_principal_sen);
        reporting_cell_bp(t, r->risk_weight_bp);
        reporting_cell_money(t, r->risk_sen);
        reporting_cell_bp(t, r->allowance_rate_bp);
        reporting_cell_money(t, r->allowance_sen);
    }
    total_row(t, 1, "outstanding_principal", "Sisa Pokok", 2, p->outstanding_principal_sen);
    total_row(t, 1, "non_performing", "Pinjaman Bermasalah", 2, p->non_performing_sen);
    total_row(t, 1, "rpm", "RPM", 2, p->rpm_sen);
    total_row(t, 1, "allowance", "Penyisihan", 2, p->allowance_sen);
    reporting_row(t);
    reporting_cell_label(t, "total", "jumlah");
    reporting_cell_label(t, "npl_ratio", "Rasio NPL (%)");
    reporting_cell_decimal(t, p->npl_ratio);
    /* Written-off loans are off the books, so in no class: their totals come apart. */
    total_row(t, 1, "written_off", "Dihapusbukukan", 2, p->written_off_sen);
    total_row(t, 1, "recovered", "Pemulihan", 2, p->recovered_sen);
    total_row(t, 1, "written_off_still_owed", "Sisa Tagihan Hapus Buku", 2,
              p->written_off_still_owed_sen);
}

void reporting_render_portfolio(reporting_doc_t *d, arena_t *arena, const Lumbung__LoanPortfolio *p) {
    reporting_doc_init(d, arena, "loan_portfolio", "Loan portfolio", "Portofolio Pinjaman");
    stamp(d, p->cooperative_id, DAY(p, as_of), p->as_of_seq, p->members_seq);
    d->file_en = arena_printf(arena, "loan-portfolio-cooperative-%" PRIu64 "-%s",
                              p->cooperative_id, DAY_OR_EMPTY(p, as_of));
    d->file_id = arena_printf(arena, "portofolio-pinjaman-koperasi-%" PRIu64 "-%s",
                              p->cooperative_id, DAY_OR_EMPTY(p, as_of));
    reporting_tables_portfolio(d, p);
}

void reporting_tables_shu(reporting_doc_t *d, const Lumbung__ShuReport *s) {
    static const reporting_column_t columns[] = {
        { "member_id", "ID Anggota", 10 }, { "member_number", "No. Anggota", 10 },
        { "name", "Nama", 30 }, { "capital", "Modal", 18 }, { "participation", "Partisipasi", 18 },
        { "capital_share", "Jasa Modal", 18 }, { "usage_share", "Jasa Usaha", 18 },
        { "total", "Jumlah", 18 }, { NULL, NULL, 0 } };
    reporting_table_t *t = reporting_doc_table(d, "SHU", "SHU", columns);
    for (size_t i = 0; i < s->n_members; i++) {
        const Lumbung__ShuMemberShare *m = s->members[i];
        reporting_row(t);
        reporting_cell_count(t, m->member_id);
        reporting_cell_count(t, m->member_number);
        reporting_cell_text(t, m->name);
        reporting_cell_money(t, m->capital_sen);
        reporting_cell_money(t, m->participation_sen);
        reporting_cell_money(t, m->capital_share_sen);
        reporting_cell_money(t, m->usage_share_sen);
        reporting_cell_money(t, m->total_sen);
    }
    const Lumbung__ShuAllocationAmounts *a = s->allocation;
    const struct { const char *en, *id; int64_t sen; } totals[] = {
        { "surplus", "Sisa Hasil Usaha", s->surplus_sen },
        { "shared_surplus", "SHU Dibagikan", s->shared_surplus_sen },
        { "reserves", "Cadangan", a ? a->reserves_sen : 0 },
        { "capital_share", "Jasa Modal", a ? a->capital_share_sen : 0 },
        { "usage_share", "Jasa Usaha", a ? a->usage_share_sen : 0 },
        { "board", "Dana Pengurus", a ? a->board_sen : 0 },
        { "staff", "Dana Karyawan", a ? a->staff_sen : 0 },
        { "education", "Dana Pendidikan", a ? a->education_sen : 0 },
        { "social", "Dana Sosial", a ? a->social_sen : 0 },
        { "rounding_to_reserves", "Pembulatan ke Cadangan", s->rounding_sen },
    };
    for (size_t i = 0; i < sizeof totals / sizeof totals[0]; i++)
        total_row(t, 2, totals[i].en, totals[i].id, 3, totals[i].sen);
}

void reporting_render_shu(reporting_doc_t *d, arena_t *arena, const Lumbung__ShuReport *s) {
    reporting_doc_init(d, arena, "shu", "SHU per member", "SHU per Anggota");
    stamp(d, s->cooperative_id, range(arena, DAY(s, from), DAY(s, to)), s->as_of_seq,
          s->members_seq);
    d->file_en = arena_printf(arena, "shu-cooperative-%" PRIu64 "-%u", s->cooperative_id,
                              (unsigned) s->year);
    d->file_id = arena_printf(arena, "shu-koperasi-%" PRIu64 "-%u", s->cooperative_id,
                              (unsigned) s->year);
    reporting_tables_shu(d, s);
}

/* The reason in English as the JSON says it (lang=en), its code's Indonesian (lang=id). */
static void health_reason(reporting_table_t *t, const Lumbung__HealthComponent *c) {
    const char *id = c->has_reason_code ? reporting_enum_id(ENUM(health_reason), c->reason_code)
                                        : NULL;
    if (id && c->reason) reporting_cell_label(t, c->reason, id);
    else reporting_cell_text(t, c->reason);
}

void reporting_tables_health(reporting_doc_t *d, const Lumbung__HealthReport *h) {
    static const reporting_column_t columns[] = {
        { "code", "Kode", 8 }, { "name", "Komponen", 40 }, { "ratio", "Rasio (%)", 12 },
        { "value", "Nilai", 8 }, { "weight", "Bobot", 8 }, { "score", "Skor", 10 },
        { "available", "Tersedia", 10 }, { "reason", "Keterangan", 40 }, { NULL, NULL, 0 } };
    reporting_table_t *t = reporting_doc_table(d, "Health rating", "Kesehatan Koperasi", columns);
    for (size_t i = 0; i < h->n_components; i++) {
        const Lumbung__HealthComponent *c = h->components[i];
        reporting_row(t);
        reporting_cell_text(t, c->code);
        const char *name_id = reporting_health_component_id(c->code);
        if (name_id) reporting_cell_label(t, c->name, name_id);
        else reporting_cell_text(t, c->name);
        reporting_cell_decimal(t, c->ratio);
        if (c->has_value && c->available) reporting_cell_count(t, c->value);
        else reporting_cell_empty(t);
        reporting_cell_count(t, c->weight);
        reporting_cell_decimal(t, c->score);
        reporting_cell_bool(t, c->available);
        health_reason(t, c);
    }
    reporting_row(t);
    reporting_cell_label(t, "total", "jumlah");
    reporting_cell_label(t, "total", "Skor Total");
    for (int i = 0; i < 3; i++) reporting_cell_empty(t);
    reporting_cell_decimal(t, h->total);
    reporting_row(t);
    reporting_cell_label(t, "total", "jumlah");
    reporting_cell_label(t, "max_available", "Skor Maksimum Tersedia");
    for (int i = 0; i < 3; i++) reporting_cell_empty(t);
    reporting_cell_decimal(t, h->max_available);
    reporting_row(t);
    reporting_cell_label(t, "total", "jumlah");
    reporting_cell_label(t, "rating", "Predikat");
    for (int i = 0; i < 5; i++) reporting_cell_empty(t);
    reporting_cell_enum(t, ENUM(health_rating), h->rating);
}

void reporting_render_health(reporting_doc_t *d, arena_t *arena, const Lumbung__HealthReport *h) {
    reporting_doc_init(d, arena, "health", "Health rating", "Penilaian Kesehatan Koperasi");
    stamp(d, h->cooperative_id, range(arena, DAY(h, from), DAY(h, to)), h->as_of_seq,
          h->members_seq);
    d->file_en = arena_printf(arena, "health-cooperative-%" PRIu64 "-%u", h->cooperative_id,
                              (unsigned) h->year);
    d->file_id = arena_printf(arena, "kesehatan-koperasi-%" PRIu64 "-%u", h->cooperative_id,
                              (unsigned) h->year);
    reporting_tables_health(d, h);
}

/* ---------------------------------------------------------------- district */

void reporting_render_dashboard(reporting_doc_t *d, arena_t *arena,
                                const Lumbung__DistrictDashboard *x) {
    static const reporting_column_t columns[] = {
        { "cooperative_id", "ID Koperasi", 10 }, { "name", "Nama", 30 }, { "type", "Jenis", 14 },
        { "group", "Kelompok", 14 }, { "district", "Wilayah", 16 }, { "active", "Aktif", 8 },
        { "members_active", "Anggota Aktif", 10 }, { "members_female", "Anggota Perempuan", 10 },
        { "members_male", "Anggota Laki-laki", 10 }, { "total_assets", "Jumlah Aset", 20 },
        { "savings", "Simpanan", 20 }, { "health_year", "Tahun Penilaian", 10 },
        { "health_rating", "Predikat Kesehatan", 18 }, { "health_total", "Skor Kesehatan", 10 },
        { NULL, NULL, 0 } };
    reporting_doc_init(d, arena, "district_dashboard", "District dashboard", "Dasbor Kabupaten");
    stamp(d, 0, DAY(x, as_of), x->as_of_seq, x->members_seq);
    d->file_en = arena_printf(arena, "district-dashboard-%s", DAY(x, as_of));
    d->file_id = arena_printf(arena, "dasbor-kabupaten-%s", DAY(x, as_of));
    reporting_table_t *t = reporting_doc_table(d, "Cooperatives", "Koperasi", columns);
    for (size_t i = 0; i < x->n_items; i++) {
        const Lumbung__CooperativeSummary *c = x->items[i];
        reporting_row(t);
        reporting_cell_count(t, c->cooperative_id);
        reporting_cell_text(t, c->name);
        reporting_cell_enum(t, ENUM(cooperative_type), c->type);
        reporting_cell_text(t, c->group);
        reporting_cell_text(t, c->district);
        reporting_cell_bool(t, c->active);
        reporting_cell_count(t, c->members_active);
        reporting_cell_count(t, c->members_female);
        reporting_cell_count(t, c->members_male);
        reporting_cell_money(t, c->total_assets_sen);
        reporting_cell_money(t, c->savings_sen);
        reporting_cell_count(t, c->last_fiscal_year);
        reporting_cell_enum(t, ENUM(health_rating), c->health_rating);
        reporting_cell_decimal(t, c->health_total);
    }
}

void reporting_render_ods(reporting_doc_t *d, arena_t *arena, const Lumbung__OdsReturn *o) {
    static const reporting_column_t columns[] = {
        { "cooperative_id", "ID Koperasi", 10 }, { "name", "Nama", 30 },
        { "legal_number", "No. Badan Hukum", 20 }, { "legal_date", "Tgl. Badan Hukum", 12 },
        { "national_number", "NIK Koperasi", 18 }, { "type", "Jenis", 14 },
        { "group", "Kelompok", 14 }, { "address", "Alamat", 30 }, { "district", "Wilayah", 16 },
        { "active", "Aktif", 8 }, { "rat_held", "RAT", 8 }, { "rat_held_on", "Tanggal RAT", 12 },
        { "members_male", "Anggota Laki-laki", 10 }, { "members_female", "Anggota Perempuan", 10 },
        { "own_capital", "Modal Sendiri", 20 }, { "outside_capital", "Modal Luar", 20 },
        { "total_assets", "Jumlah Aset", 20 }, { "surplus", "SHU", 20 },
        { "from", "Dari", 12 }, { "to", "Sampai", 12 }, { NULL, NULL, 0 } };
    reporting_doc_init(d, arena, "ods", "National data return (ODS)", "Online Data System (ODS)");
    stamp(d, 0, arena_printf(arena, "%u", (unsigned) o->year), o->as_of_seq, o->members_seq);
    d->file_en = d->file_id = arena_printf(arena, "ods-%u", (unsigned) o->year);
    reporting_table_t *t = reporting_doc_table(d, "ODS", "ODS", columns);
    for (size_t i = 0; i < o->n_items; i++) {
        const Lumbung__OdsRow *r = o->items[i];
        reporting_row(t);
        reporting_cell_count(t, r->cooperative_id);
        reporting_cell_text(t, r->name);
        reporting_cell_text(t, r->legal_number);
        REPORTING_CELL_DATE(t, r, legal_date);
        reporting_cell_text(t, r->national_number);
        reporting_cell_enum(t, ENUM(cooperative_type), r->type);
        reporting_cell_text(t, r->group);
        reporting_cell_text(t, r->address);
        reporting_cell_text(t, r->district);
        reporting_cell_bool(t, r->active);
        reporting_cell_bool(t, r->rat_held);
        REPORTING_CELL_DATE(t, r, rat_held_on);
        reporting_cell_count(t, r->members_male);
        reporting_cell_count(t, r->members_female);
        reporting_cell_money(t, r->own_capital_sen);
        reporting_cell_money(t, r->outside_capital_sen);
        reporting_cell_money(t, r->total_assets_sen);
        reporting_cell_money(t, r->surplus_sen);
        REPORTING_CELL_DATE(t, r, from);
        REPORTING_CELL_DATE(t, r, to);
    }
}

/* ---------------------------------------------------------------- member import template */

void reporting_render_import_template(reporting_doc_t *d, arena_t *arena, uint64_t coop) {
    /* The import reads these names in both languages: the headings are the same. */
    static const reporting_column_t columns[] = {
        { "nik", "nik", 18 }, { "name", "name", 30 }, { "sex", "sex", 8 },
        { "birth_date", "birth_date", 12 }, { "address", "address", 40 },
        { "phone", "phone", 16 }, { "joined_on", "joined_on", 12 }, { NULL, NULL, 0 } };
    reporting_doc_init(d, arena, "member_import_template", "Member import", "Impor Anggota");
    d->cooperative_id = coop;
    d->file_en = arena_printf(arena, "member-import-cooperative-%" PRIu64, coop);
    d->file_id = arena_printf(arena, "impor-anggota-koperasi-%" PRIu64, coop);
    reporting_doc_table(d, "Members", "Anggota", columns);
}

/* ---------------------------------------------------------------- RAT pack */

void reporting_render_rat_pack(reporting_doc_t *d, arena_t *arena, const Lumbung__BalanceSheet *b,
                               const Lumbung__IncomeStatement *i, const Lumbung__ShuReport *s,
                               const Lumbung__LoanPortfolio *p, const Lumbung__HealthReport *h) {
    reporting_doc_init(d, arena, "rat_pack", "Annual meeting (RAT) reports",
                       "Laporan Rapat Anggota Tahunan (RAT)");
    stamp(d, s->cooperative_id, range(arena, DAY(s, from), DAY(s, to)), s->as_of_seq,
          s->members_seq);
    d->file_en = arena_printf(arena, "rat-pack-cooperative-%" PRIu64 "-%u", s->cooperative_id,
                              (unsigned) s->year);
    d->file_id = arena_printf(arena, "laporan-rat-koperasi-%" PRIu64 "-%u", s->cooperative_id,
                              (unsigned) s->year);
    reporting_tables_balance_sheet(d, b);
    reporting_tables_income(d, i);
    reporting_tables_shu(d, s);
    reporting_tables_portfolio(d, p);
    reporting_tables_health(d, h);
}

/* ---------------------------------------------------------------- registers */

void reporting_render_member_register(reporting_doc_t *d, arena_t *arena,
                                      const Lumbung__MemberRegister *m) {
    static const reporting_column_t columns[] = {
        { "member_number", "No. Anggota", 10 }, { "member_id", "ID Anggota", 10 },
        { "nik", "NIK", 18 }, { "name", "Nama", 30 }, { "sex", "Jenis Kelamin", 10 },
        { "birth_date", "Tanggal Lahir", 12 }, { "address", "Alamat", 30 },
        { "phone", "Telepon", 16 }, { "joined_on", "Tanggal Masuk", 12 },
        { "status", "Status", 10 }, { "exit_on", "Tanggal Keluar", 12 }, { NULL, NULL, 0 } };
    reporting_doc_init(d, arena, "member_register", "Member list", "Daftar Anggota");
    stamp(d, m->cooperative_id, NULL, m->as_of_seq, m->members_seq);
    d->file_en = arena_printf(arena, "members-cooperative-%" PRIu64, m->cooperative_id);
    d->file_id = arena_printf(arena, "daftar-anggota-koperasi-%" PRIu64, m->cooperative_id);
    reporting_table_t *t = reporting_doc_table(d, "Members", "Anggota", columns);
    for (size_t i = 0; i < m->n_items; i++) {
        const Lumbung__Member *x = m->items[i];
        reporting_row(t);
        reporting_cell_count(t, x->member_number);
        reporting_cell_count(t, x->id);
        reporting_cell_text(t, x->nik);
        reporting_cell_text(t, x->name);
        reporting_cell_enum(t, ENUM(sex), x->has_sex ? (int) x->sex : 0);
        REPORTING_CELL_DATE(t, x, birth_date);
        reporting_cell_text(t, x->address);
        reporting_cell_text(t, x->phone);
        REPORTING_CELL_DATE(t, x, joined_on);
        reporting_cell_enum(t, ENUM(member_status), x->has_status ? (int) x->status : 0);
        REPORTING_CELL_DATE(t, x, exit_on);
    }
}

void reporting_render_loan_register(reporting_doc_t *d, arena_t *arena,
                                    const Lumbung__LoanRegister *l) {
    static const reporting_column_t columns[] = {
        { "loan_id", "No. Pinjaman", 10 }, { "member_number", "No. Anggota", 10 },
        { "name", "Nama", 30 }, { "status", "Status", 12 }, { "class", "Kolektibilitas", 14 },
        { "outstanding_principal", "Sisa Pokok", 20 }, { "state_date", "Per Tanggal", 12 },
        { NULL, NULL, 0 } };
    reporting_doc_init(d, arena, "loan_register", "Loans", "Daftar Pinjaman");
    stamp(d, l->cooperative_id, DAY(l, as_of), l->as_of_seq, l->members_seq);
    d->file_en = arena_printf(arena, "loans-cooperative-%" PRIu64 "-%s", l->cooperative_id,
                              DAY(l, as_of));
    d->file_id = arena_printf(arena, "daftar-pinjaman-koperasi-%" PRIu64 "-%s", l->cooperative_id,
                              DAY(l, as_of));
    reporting_table_t *t = reporting_doc_table(d, "Loans", "Pinjaman", columns);
    for (size_t i = 0; i < l->n_items; i++) {
        const Lumbung__LoanRegisterRow *x = l->items[i];
        reporting_row(t);
        reporting_cell_count(t, x->loan_id);
        if (x->has_member_number) reporting_cell_count(t, x->member_number);
        else reporting_cell_empty(t);
        reporting_cell_text(t, x->name);
        reporting_cell_enum(t, ENUM(loan_status), x->status);
        reporting_cell_enum(t, ENUM(loan_class), x->class_);
        reporting_cell_money(t, x->outstanding_principal_sen);
        REPORTING_CELL_DATE(t, x, state_date);
    }
    total_row(t, 2, "outstanding_principal", "Sisa Pokok", 5, l->outstanding_principal_sen);
}

/* ---------------------------------------------------------------- loan card */

static void term_row(reporting_table_t *t, const char *en, const char *id) {
    reporting_row(t);
    reporting_cell_label(t, en, id);
}

static void loan_terms(reporting_doc_t *d, const Lumbung__LoanCard *c) {
    static const reporting_column_t columns[] = {
        { "item", "Keterangan", 24 }, { "value", "Nilai", 30 }, { NULL, NULL, 0 } };
    const Lumbung__Loan *l = c->loan;
    reporting_table_t *t = reporting_doc_table(d, "Loan", "Pinjaman", columns);
    term_row(t, "member", "Anggota");
    reporting_cell_text(t, arena_printf(d->arena, "%" PRIu64 " %s", c->member_number,
                                        c->name ? c->name : ""));
    term_row(t, "loan_id", "No. Pinjaman");
    reporting_cell_count(t, c->loan_id);
    term_row(t, "principal", "Pokok Pinjaman");
    reporting_cell_money(t, l->principal_sen);
    term_row(t, "annual_rate", "Bunga per Tahun (%)");
    reporting_cell_bp(t, l->annual_rate_bp);
    term_row(t, "method", "Metode");
    reporting_cell_enum(t, ENUM(loan_method), l->method);
    term_row(t, "frequency", "Angsuran");
    reporting_cell_enum(t, ENUM(loan_frequency), l->frequency);
    term_row(t, "instalments", "Jumlah Angsuran");
    reporting_cell_count(t, l->instalments);
    term_row(t, "applied_on", "Tanggal Pengajuan");
    REPORTING_CELL_DATE(t, l, applied_on);
    term_row(t, "total_interest", "Jumlah Bunga");
    reporting_cell_money(t, l->total_interest_sen);
}

static void loan_schedule(reporting_doc_t *d, const Lumbung__Loan *l) {
    static const reporting_column_t columns[] = {
        { "number", "Ke", 5 }, { "due_on", "Jatuh Tempo", 12 }, { "principal", "Pokok", 18 },
        { "interest", "Bunga", 18 }, { "total", "Angsuran", 18 },
        { "balance_after", "Sisa Pokok", 18 }, { NULL, NULL, 0 } };
    reporting_table_t *t = reporting_doc_table(d, "Schedule", "Jadwal Angsuran", columns);
    for (size_t i = 0; i < l->n_schedule; i++) {
        const Lumbung__Instalment *x = l->schedule[i];
        reporting_row(t);
        reporting_cell_count(t, x->number);
        REPORTING_CELL_DATE(t, x, due_on);
        reporting_cell_money(t, x->principal_sen);
        reporting_cell_money(t, x->interest_sen);
        reporting_cell_money(t, x->total_sen);
        reporting_cell_money(t, x->balance_after_sen);
    }
}

void reporting_render_loan_card(reporting_doc_t *d, arena_t *arena, const Lumbung__LoanCard *c) {
    static const reporting_column_t columns[] = {
        { "loan_id", "No. Pinjaman", 10 }, { "value_date", "Tanggal", 12 },
        { "kind", "Jenis", 16 }, { "entry_id", "No. Jurnal", 10 }, { "amount", "Jumlah", 18 },
        { "late_fee", "Denda", 16 }, { "interest", "Bunga", 16 }, { "principal", "Pokok", 18 },
        { "outstanding_principal", "Sisa Pokok", 18 }, { NULL, NULL, 0 } };
    reporting_doc_init(d, arena, "loan_card", "Loan repayment card", "Kartu Angsuran Pinjaman");
    stamp(d, c->cooperative_id, NULL, c->as_of_seq, c->members_seq);
    d->file_en = arena_printf(arena, "loan-card-cooperative-%" PRIu64 "-loan-%" PRIu64,
                              c->cooperative_id, c->loan_id);
    d->file_id = arena_printf(arena, "kartu-angsuran-koperasi-%" PRIu64 "-pinjaman-%" PRIu64,
                              c->cooperative_id, c->loan_id);
    loan_terms(d, c);
    loan_schedule(d, c->loan);
    reporting_table_t *t = reporting_doc_table(d, "Payments", "Pembayaran", columns);
    const Lumbung__LoanStatement *l = c->card;
    if (!l) return;
    for (size_t j = 0; j < l->n_lines; j++) loan_line_row(t, l->loan_id, l->lines[j]);
    loan_end_row(t, l->loan_id, "closing", "akhir", l->closing_principal_sen);
}

/* ---------------------------------------------------------------- journal */

void reporting_render_journal(reporting_doc_t *d, arena_t *arena, const Lumbung__JournalReport *j) {
    static const reporting_column_t columns[] = {
        { "entry_id", "No. Jurnal", 10 }, { "value_date", "Tanggal", 12 },
        { "kind", "Jenis", 16 }, { "memo", "Keterangan", 34 }, { "account", "Akun", 8 },
        { "debit", "Debit", 18 }, { "credit", "Kredit", 18 }, { NULL, NULL, 0 } };
    reporting_doc_init(d, arena, "journal", "Journal", "Jurnal Umum");
    stamp(d, j->cooperative_id, range(arena, DAY(j, from), DAY(j, to)), j->as_of_seq,
          j->members_seq);
    d->file_en = arena_printf(arena, "journal-cooperative-%" PRIu64 "-%s-%s", j->cooperative_id,
                              DAY(j, from), DAY(j, to));
    d->file_id = arena_printf(arena, "jurnal-koperasi-%" PRIu64 "-%s-%s", j->cooperative_id,
                              DAY(j, from), DAY(j, to));
    reporting_table_t *t = reporting_doc_table(d, "Journal", "Jurnal", columns);
    for (size_t i = 0; i < j->n_entries; i++) {
        const Lumbung__JournalEntry *e = j->entries[i];
        for (size_t k = 0; k < e->n_lines; k++) {
            const Lumbung__JournalLine *l = e->lines[k];
            reporting_row(t);
            reporting_cell_count(t, e->id);
            REPORTING_CELL_DATE(t, e, value_date);
            reporting_cell_enum(t, ENUM(entry_kind), e->has_kind ? (int) e->kind : 0);
            reporting_cell_text(t, l->memo && *l->memo ? l->memo : e->memo);
            reporting_cell_text(t, l->account);
            reporting_cell_money(t, l->debit_sen);
            reporting_cell_money(t, l->credit_sen);
        }
    }
    reporting_row(t);
    reporting_cell_label(t, "total", "jumlah");
    for (int i = 0; i < 4; i++) reporting_cell_empty(t);
    reporting_cell_money(t, j->total_debit_sen);
    reporting_cell_money(t, j->total_credit_sen);
}
