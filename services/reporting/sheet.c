#include "sheet.h"
#include "pb_date.h"

#include <assert.h>
#include <string.h>

#define CLASS(x) LUMBUNG__ACCOUNT_CLASS__ACCOUNT_CLASS_##x
#define ROLE(x) LUMBUNG__ACCOUNT_ROLE__ACCOUNT_ROLE_##x

int64_t reporting_sheet_balance(Lumbung__AccountClass class_, int64_t debit_sen,
                                int64_t credit_sen) {
    return class_ == CLASS(ASSET) || class_ == CLASS(EXPENSE) ? debit_sen - credit_sen
                                                              : credit_sen - debit_sen;
}

static int64_t balance_of(const reporting_account_t *a) {
    return reporting_sheet_balance(a->class_, a->debit_sen, a->credit_sen);
}

static size_t count_class(const reporting_chart_t *chart, Lumbung__AccountClass class_) {
    size_t n = 0;
    for (size_t i = 0; i < chart->count; i++) n += chart->items[i].class_ == class_;
    return n;
}

static Lumbung__ReportAccount *report_account(arena_t *arena, const char *code, const char *name,
                                              Lumbung__AccountRole role, int64_t balance) {
    Lumbung__ReportAccount *r = arena_message(arena, &lumbung__report_account__descriptor);
    r->code = code ? arena_strdup(arena, code) : NULL;
    r->name = arena_strdup(arena, name);
    r->has_role = role != 0;
    r->role = role;
    r->has_balance_sen = 1;
    r->balance_sen = balance;
    return r;
}

/* The accounts of one class as report rows, with room for `extra` more; *total their sum. */
static Lumbung__ReportAccount **rows_of(arena_t *arena, const reporting_chart_t *chart,
                                        Lumbung__AccountClass class_, size_t extra, size_t *n,
                                        int64_t *total) {
    Lumbung__ReportAccount **rows =
        arena_alloc(arena, (count_class(chart, class_) + extra) * sizeof *rows + 1);
    *n = 0;
    *total = 0;
    for (size_t i = 0; i < chart->count; i++) {
        const reporting_account_t *a = &chart->items[i];
        if (a->class_ != class_) continue;
        rows[(*n)++] = report_account(arena, a->code, a->name, a->role, balance_of(a));
        *total += balance_of(a);
    }
    return rows;
}

static Lumbung__BalanceSheetSection *section(arena_t *arena, const reporting_chart_t *chart,
                                             Lumbung__AccountClass class_, size_t extra) {
    Lumbung__BalanceSheetSection *s =
        arena_message(arena, &lumbung__balance_sheet_section__descriptor);
    s->has_class_ = s->has_total_sen = 1;
    s->class_ = class_;
    s->accounts = rows_of(arena, chart, class_, extra, &s->n_accounts, &s->total_sen);
    return s;
}

static int64_t class_total(const reporting_chart_t *chart, Lumbung__AccountClass class_) {
    int64_t total = 0;
    for (size_t i = 0; i < chart->count; i++)
        if (chart->items[i].class_ == class_) total += balance_of(&chart->items[i]);
    return total;
}

/* Loans gross, the allowance (a contra asset: its balance is negative) and loans net of it. */
static void loans_net(const reporting_chart_t *chart, Lumbung__BalanceSheet *b) {
    int64_t gross = 0, allowance = 0;
    for (size_t i = 0; i < chart->count; i++) {
        const reporting_account_t *a = &chart->items[i];
        if (a->role == ROLE(MEMBER_LOANS) || a->role == ROLE(NON_MEMBER_LOANS))
            gross += balance_of(a);
        else if (a->role == ROLE(LOAN_LOSS_ALLOWANCE))
            allowance -= balance_of(a);
    }
    b->has_loans_gross_sen = b->has_loan_loss_allowance_sen = b->has_loans_net_sen = 1;
    b->loans_gross_sen = gross;
    b->loan_loss_allowance_sen = allowance;
    b->loans_net_sen = gross - allowance;
}

Lumbung__BalanceSheet *reporting_sheet_balance_sheet(arena_t *arena, const reporting_chart_t *chart,
                                                     uint64_t coop, int32_t as_of) {
    assert(arena && chart);
    Lumbung__BalanceSheet *b = arena_message(arena, &lumbung__balance_sheet__descriptor);
    b->has_cooperative_id = 1;
    b->cooperative_id = coop;
    PB_DATE_SET(b, as_of, as_of);
    b->n_sections = 3;
    b->sections = arena_alloc(arena, 3 * sizeof *b->sections);
    b->sections[0] = section(arena, chart, CLASS(ASSET), 0);
    b->sections[1] = section(arena, chart, CLASS(LIABILITY), 0);
    Lumbung__BalanceSheetSection *equity = section(arena, chart, CLASS(EQUITY), 1);
    b->sections[2] = equity;
    int64_t surplus = class_total(chart, CLASS(INCOME)) - class_total(chart, CLASS(EXPENSE));
    equity->accounts[equity->n_accounts++] =
        report_account(arena, NULL, REPORTING_UNCLOSED_SURPLUS_NAME,
                       LUMBUNG__ACCOUNT_ROLE__ACCOUNT_ROLE_CURRENT_SURPLUS, surplus);
    equity->total_sen += surplus;
    b->has_total_assets_sen = b->has_total_liabilities_sen = b->has_total_equity_sen = 1;
    b->total_assets_sen = b->sections[0]->total_sen;
    b->total_liabilities_sen = b->sections[1]->total_sen;
    b->total_equity_sen = equity->total_sen;
    b->has_unclosed_surplus_sen = b->has_balanced = 1;
    b->unclosed_surplus_sen = surplus;
    b->balanced = b->total_assets_sen == b->total_liabilities_sen + b->total_equity_sen;
    loans_net(chart, b);
    return b;
}

Lumbung__IncomeStatement *reporting_sheet_income(arena_t *arena, const reporting_chart_t *chart,
                                                 uint64_t coop, int32_t from, int32_t to) {
    assert(arena && chart);
    Lumbung__IncomeStatement *s = arena_message(arena, &lumbung__income_statement__descriptor);
    s->has_cooperative_id = 1;
    s->cooperative_id = coop;
    PB_DATE_SET(s, from, from);
    PB_DATE_SET(s, to, to);
    s->has_total_income_sen = s->has_total_expenses_sen = s->has_surplus_sen = 1;
    s->income = rows_of(arena, chart, CLASS(INCOME), 0, &s->n_income, &s->total_income_sen);
    s->expenses = rows_of(arena, chart, CLASS(EXPENSE), 0, &s->n_expenses, &s->total_expenses_sen);
    s->surplus_sen = s->total_income_sen - s->total_expenses_sen;
    return s;
}

static Lumbung__Account *trial_item(arena_t *arena, uint64_t coop, const reporting_account_t *a) {
    Lumbung__Account *m = arena_message(arena, &lumbung__account__descriptor);
    m->has_cooperative_id = 1;
    m->cooperative_id = coop;
    m->code = arena_strdup(arena, a->code);
    m->name = arena_strdup(arena, a->name);
    m->has_class_ = a->class_ != 0;
    m->class_ = a->class_;
    m->has_role = a->role != 0;
    m->role = a->role;
    m->has_debit_total_sen = m->has_credit_total_sen = m->has_balance_sen = 1;
    m->debit_total_sen = a->debit_sen;
    m->credit_total_sen = a->credit_sen;
    m->balance_sen = balance_of(a);
    return m;
}

Lumbung__ReportTrialBalance *reporting_sheet_trial_balance(arena_t *arena,
                                                           const reporting_chart_t *chart,
                                                           uint64_t coop, int32_t as_of) {
    assert(arena && chart);
    Lumbung__ReportTrialBalance *t = arena_message(arena, &lumbung__report_trial_balance__descriptor);
    t->has_cooperative_id = 1;
    t->cooperative_id = coop;
    PB_DATE_SET(t, as_of, as_of);
    t->items = arena_alloc(arena, chart->count * sizeof *t->items + 1);
    t->n_items = chart->count;
    t->has_total_debit_sen = t->has_total_credit_sen = t->has_balanced = 1;
    for (size_t i = 0; i < chart->count; i++) {
        t->items[i] = trial_item(arena, coop, &chart->items[i]);
        t->total_debit_sen += chart->items[i].debit_sen;
        t->total_credit_sen += chart->items[i].credit_sen;
    }
    t->balanced = t->total_debit_sen == t->total_credit_sen;
    return t;
}
