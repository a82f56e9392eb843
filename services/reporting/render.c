/* render — reports as CSV files. */
#include "render.h"
#include "csv.h"

#include <assert.h>
#include <inttypes.h>

#define ENUM(x) &lumbung__##x##__descriptor

static Lumbung__ReportFile *finish(reporting_csv_t *csv, arena_t *arena, const char *filename) {
    Lumbung__ReportFile *f = arena_message(arena, &lumbung__report_file__descriptor);
    if (reporting_csv_finish(csv, &f->body) != 0) return NULL;
    f->has_body = 1;
    f->content_type = "text/csv; charset=utf-8";
    f->filename = arena_strdup(arena, filename);
    return f;
}

/* The first row: what the file is and which events it reflects. */
static void title(reporting_csv_t *csv, const char *report, uint64_t coop, const char *period,
                  uint64_t as_of_seq) {
    reporting_csv_text(csv, report);
    if (coop) reporting_csv_u64(csv, coop);
    reporting_csv_text(csv, period);
    reporting_csv_text(csv, "as_of_seq");
    reporting_csv_u64(csv, as_of_seq);
    reporting_csv_end(csv);
}

static void header(reporting_csv_t *csv, const char *const *names) {
    for (; *names; names++) reporting_csv_text(csv, *names);
    reporting_csv_end(csv);
}

static void account_row(reporting_csv_t *csv, int class_, const Lumbung__ReportAccount *a) {
    reporting_csv_enum(csv, ENUM(account_class), class_);
    reporting_csv_text(csv, a->code);
    reporting_csv_text(csv, a->name);
    reporting_csv_enum(csv, ENUM(account_role), a->has_role ? (int) a->role : 0);
    reporting_csv_money(csv, a->balance_sen);
    reporting_csv_end(csv);
}

static void total_row(reporting_csv_t *csv, const char *label, int64_t sen) {
    reporting_csv_text(csv, "total");
    reporting_csv_text(csv, "");
    reporting_csv_text(csv, label);
    reporting_csv_text(csv, "");
    reporting_csv_money(csv, sen);
    reporting_csv_end(csv);
}

static const char *const ACCOUNT_COLUMNS[] = { "class", "code", "name", "role", "balance", NULL };

Lumbung__ReportFile *reporting_render_balance_sheet(arena_t *arena, const Lumbung__BalanceSheet *b) {
    reporting_csv_t csv;
    reporting_csv_init(&csv, arena);
    title(&csv, "balance_sheet", b->cooperative_id, b->as_of, b->as_of_seq);
    header(&csv, ACCOUNT_COLUMNS);
    for (size_t i = 0; i < b->n_sections; i++) {
        const Lumbung__BalanceSheetSection *s = b->sections[i];
        for (size_t j = 0; j < s->n_accounts; j++) account_row(&csv, s->class_, s->accounts[j]);
    }
    total_row(&csv, "total_assets", b->total_assets_sen);
    total_row(&csv, "total_liabilities", b->total_liabilities_sen);
    total_row(&csv, "total_equity", b->total_equity_sen);
    total_row(&csv, "loans_gross", b->loans_gross_sen);            /* loans net of the */
    total_row(&csv, "loan_loss_allowance", b->loan_loss_allowance_sen);   /* allowance */
    total_row(&csv, "loans_net", b->loans_net_sen);
    return finish(&csv, arena, arena_printf(arena, "balance-sheet-%" PRIu64 "-%s.csv",
                                            b->cooperative_id, b->as_of));
}

Lumbung__ReportFile *reporting_render_income(arena_t *arena, const Lumbung__IncomeStatement *s) {
    reporting_csv_t csv;
    reporting_csv_init(&csv, arena);
    title(&csv, "income_statement", s->cooperative_id,
          arena_printf(arena, "%s..%s", s->from, s->to), s->as_of_seq);
    header(&csv, ACCOUNT_COLUMNS);
    for (size_t i = 0; i < s->n_income; i++)
        account_row(&csv, LUMBUNG__ACCOUNT_CLASS__ACCOUNT_CLASS_INCOME, s->income[i]);
    for (size_t i = 0; i < s->n_expenses; i++)
        account_row(&csv, LUMBUNG__ACCOUNT_CLASS__ACCOUNT_CLASS_EXPENSE, s->expenses[i]);
    total_row(&csv, "total_income", s->total_income_sen);
    total_row(&csv, "total_expenses", s->total_expenses_sen);
    total_row(&csv, "surplus", s->surplus_sen);
    return finish(&csv, arena, arena_printf(arena, "income-statement-%" PRIu64 "-%s-%s.csv",
                                            s->cooperative_id, s->from, s->to));
}

Lumbung__ReportFile *reporting_render_trial_balance(arena_t *arena,
                                                    const Lumbung__ReportTrialBalance *t) {
    static const char *const columns[] = { "code", "name", "class", "role", "debit_total",
                                           "credit_total", "balance", NULL };
    reporting_csv_t csv;
    reporting_csv_init(&csv, arena);
    title(&csv, "trial_balance", t->cooperative_id, t->as_of, t->as_of_seq);
    header(&csv, columns);
    for (size_t i = 0; i < t->n_items; i++) {
        const Lumbung__Account *a = t->items[i];
        reporting_csv_text(&csv, a->code);
        reporting_csv_text(&csv, a->name);
        reporting_csv_enum(&csv, ENUM(account_class), a->has_class_ ? (int) a->class_ : 0);
        reporting_csv_enum(&csv, ENUM(account_role), a->has_role ? (int) a->role : 0);
        reporting_csv_money(&csv, a->debit_total_sen);
        reporting_csv_money(&csv, a->credit_total_sen);
        reporting_csv_money(&csv, a->balance_sen);
        reporting_csv_end(&csv);
    }
    reporting_csv_text(&csv, "total");
    for (int i = 0; i < 3; i++) reporting_csv_text(&csv, "");
    reporting_csv_money(&csv, t->total_debit_sen);
    reporting_csv_money(&csv, t->total_credit_sen);
    reporting_csv_money(&csv, t->total_debit_sen - t->total_credit_sen);
    reporting_csv_end(&csv);
    return finish(&csv, arena, arena_printf(arena, "trial-balance-%" PRIu64 "-%s.csv",
                                            t->cooperative_id, t->as_of));
}

static void kind_rows(reporting_csv_t *csv, const char *label, Lumbung__KindBalance **kinds,
                      size_t n, int64_t total) {
    for (size_t i = 0; i < n; i++) {
        reporting_csv_text(csv, label);
        for (int j = 0; j < 2; j++) reporting_csv_text(csv, "");
        reporting_csv_enum(csv, ENUM(savings_kind), kinds[i]->kind);
        for (int j = 0; j < 2; j++) reporting_csv_text(csv, "");
        reporting_csv_money(csv, kinds[i]->balance_sen);
        reporting_csv_money(csv, total);
        reporting_csv_end(csv);
    }
}

static void loan_end_row(reporting_csv_t *csv, uint64_t loan, const char *label, int64_t sen) {
    reporting_csv_u64(csv, loan);
    reporting_csv_text(csv, label);
    for (int j = 0; j < 6; j++) reporting_csv_text(csv, "");
    reporting_csv_money(csv, sen);
    reporting_csv_end(csv);
}

static void loan_line_row(reporting_csv_t *csv, uint64_t loan, const Lumbung__LoanStatementLine *x) {
    reporting_csv_u64(csv, loan);
    reporting_csv_text(csv, x->value_date);
    reporting_csv_enum(csv, ENUM(loan_movement_kind), x->kind);
    if (x->has_entry_id) reporting_csv_u64(csv, x->entry_id);
    else reporting_csv_text(csv, "");
    reporting_csv_money(csv, x->amount_sen);
    reporting_csv_money(csv, x->late_fee_sen);
    reporting_csv_money(csv, x->interest_sen);
    reporting_csv_money(csv, x->principal_sen);
    reporting_csv_money(csv, x->outstanding_principal_sen);
    reporting_csv_end(csv);
}

/* The loan cards after the savings: a header of their own, then per loan its opening
   principal, its lines and its closing principal. */
static void loan_rows(reporting_csv_t *csv, const Lumbung__MemberStatement *s) {
    static const char *const columns[] = { "loan_id", "value_date", "kind", "entry_id", "amount",
                                           "late_fee", "interest", "principal",
                                           "outstanding_principal", NULL };
    if (s->n_loans == 0) return;
    header(csv, columns);
    for (size_t i = 0; i < s->n_loans; i++) {
        const Lumbung__LoanStatement *l = s->loans[i];
        loan_end_row(csv, l->loan_id, "opening", l->opening_principal_sen);
        for (size_t j = 0; j < l->n_lines; j++) loan_line_row(csv, l->loan_id, l->lines[j]);
        loan_end_row(csv, l->loan_id, "closing", l->closing_principal_sen);
    }
}

Lumbung__ReportFile *reporting_render_statement(arena_t *arena, const Lumbung__MemberStatement *s) {
    static const char *const columns[] = { "value_date", "entry_id", "entry_kind", "kind", "memo",
                                           "amount", "balance", "total_balance", NULL };
    reporting_csv_t csv;
    reporting_csv_init(&csv, arena);
    title(&csv, "member_statement", s->member_id,
          arena_printf(arena, "%s..%s", s->from ? s->from : "", s->to), s->as_of_seq);
    header(&csv, columns);
    kind_rows(&csv, "opening", s->opening, s->n_opening, s->opening_total_sen);
    for (size_t i = 0; i < s->n_lines; i++) {
        const Lumbung__StatementLine *l = s->lines[i];
        reporting_csv_text(&csv, l->value_date);
        reporting_csv_u64(&csv, l->entry_id);
        reporting_csv_enum(&csv, ENUM(entry_kind), l->entry_kind);
        reporting_csv_enum(&csv, ENUM(savings_kind), l->kind);
        reporting_csv_text(&csv, l->memo);
        reporting_csv_money(&csv, l->amount_sen);
        reporting_csv_money(&csv, l->balance_sen);
        reporting_csv_money(&csv, l->total_balance_sen);
        reporting_csv_end(&csv);
    }
    kind_rows(&csv, "closing", s->closing, s->n_closing, s->closing_total_sen);
    loan_rows(&csv, s);
    return finish(&csv, arena, arena_printf(arena, "statement-%" PRIu64 "-%s.csv", s->member_id,
                                            s->to));
}

Lumbung__ReportFile *reporting_render_dashboard(arena_t *arena, const Lumbung__DistrictDashboard *d) {
    static const char *const columns[] = { "cooperative_id", "name", "type", "group", "district",
                                           "active", "members_active", "members_female",
                                           "members_male", "total_assets", "savings",
                                           "health_year", "health_rating", "health_total",
                                           NULL };
    reporting_csv_t csv;
    reporting_csv_init(&csv, arena);
    title(&csv, "district_dashboard", 0, d->as_of, d->as_of_seq);
    header(&csv, columns);
    for (size_t i = 0; i < d->n_items; i++) {
        const Lumbung__CooperativeSummary *c = d->items[i];
        reporting_csv_u64(&csv, c->cooperative_id);
        reporting_csv_text(&csv, c->name);
        reporting_csv_enum(&csv, ENUM(cooperative_type), c->type);
        reporting_csv_text(&csv, c->group);
        reporting_csv_text(&csv, c->district);
        reporting_csv_text(&csv, c->active ? "true" : "false");
        reporting_csv_u64(&csv, c->members_active);
        reporting_csv_u64(&csv, c->members_female);
        reporting_csv_u64(&csv, c->members_male);
        reporting_csv_money(&csv, c->total_assets_sen);
        reporting_csv_money(&csv, c->savings_sen);
        reporting_csv_u64(&csv, c->last_fiscal_year);
        reporting_csv_enum(&csv, ENUM(health_rating), c->health_rating);
        reporting_csv_text(&csv, c->health_total);
        reporting_csv_end(&csv);
    }
    return finish(&csv, arena, arena_printf(arena, "district-dashboard-%s.csv", d->as_of));
}

Lumbung__ReportFile *reporting_render_shu(arena_t *arena, const Lumbung__ShuReport *s) {
    static const char *const columns[] = { "member_id", "member_number", "name", "capital",
                                           "participation", "capital_share", "usage_share",
                                           "total", NULL };
    reporting_csv_t csv;
    reporting_csv_init(&csv, arena);
    title(&csv, "shu", s->cooperative_id, arena_printf(arena, "%s..%s", s->from, s->to),
          s->as_of_seq);
    header(&csv, columns);
    for (size_t i = 0; i < s->n_members; i++) {
        const Lumbung__ShuMemberShare *m = s->members[i];
        reporting_csv_u64(&csv, m->member_id);
        reporting_csv_u64(&csv, m->member_number);
        reporting_csv_text(&csv, m->name);
        reporting_csv_money(&csv, m->capital_sen);
        reporting_csv_money(&csv, m->participation_sen);
        reporting_csv_money(&csv, m->capital_share_sen);
        reporting_csv_money(&csv, m->usage_share_sen);
        reporting_csv_money(&csv, m->total_sen);
        reporting_csv_end(&csv);
    }
    const Lumbung__ShuAllocationAmounts *a = s->allocation;
    const struct { const char *label; int64_t sen; } totals[] = {
        { "surplus", s->surplus_sen }, { "shared_surplus", s->shared_surplus_sen },
        { "reserves", a ? a->reserves_sen : 0 }, { "capital_share", a ? a->capital_share_sen : 0 },
        { "usage_share", a ? a->usage_share_sen : 0 }, { "board", a ? a->board_sen : 0 },
        { "staff", a ? a->staff_sen : 0 }, { "education", a ? a->education_sen : 0 },
        { "social", a ? a->social_sen : 0 }, { "rounding_to_reserves", s->rounding_sen },
    };
    for (size_t i = 0; i < sizeof totals / sizeof totals[0]; i++) {
        reporting_csv_text(&csv, "total");
        reporting_csv_text(&csv, "");
        reporting_csv_text(&csv, totals[i].label);
        reporting_csv_money(&csv, totals[i].sen);
        reporting_csv_end(&csv);
    }
    return finish(&csv, arena, arena_printf(arena, "shu-%" PRIu64 "-%u.csv", s->cooperative_id,
                                            (unsigned) s->year));
}
