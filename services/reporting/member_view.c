#include "reporting.h"
#include "member_view.h"
#include "date.h"
#include "mandatory.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

#define KIND(x) LUMBUNG__SAVINGS_KIND__SAVINGS_KIND_##x
#define STATUS(x) LUMBUNG__LOAN_STATUS__LOAN_STATUS_##x
#define MOVE(x) LUMBUNG__LOAN_MOVEMENT_KIND__LOAN_MOVEMENT_KIND_##x

enum { KINDS = 4 };

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

/* The mandatory account's due and arrears: the amount of each period since joining, less
   what its balance holds (mandatory savings are not withdrawn while a member stays). */
static void fill_mandatory(const Lumbung__Cooperative *c, const Lumbung__Member *m,
                           int32_t as_of, Lumbung__SavingsAccount *a) {
    const Lumbung__CooperativeSettings *s = c->settings;
    int64_t amount = s && s->has_mandatory_amount_sen ? s->mandatory_amount_sen : 0;
    int months = mandatory_period_months(s && s->has_mandatory_period ? s->mandatory_period : 0);
    int32_t joined;
    if (!m->joined_on || date_parse(m->joined_on, &joined) != 0) joined = as_of;
    a->has_periods_due = a->has_due_sen = a->has_arrears_sen = 1;
    a->periods_due = mandatory_periods_due(joined, as_of, months);
    a->arrears_sen = mandatory_arrears(a->periods_due, amount, a->balance_sen, &a->due_sen);
}

static void fill_savings(arena_t *arena, const Lumbung__Cooperative *c, const Lumbung__Member *m,
                         int32_t as_of, const Lumbung__MemberStatement *st,
                         Lumbung__MemberOverview *out) {
    out->savings = arena_alloc(arena, KINDS * sizeof *out->savings);
    out->n_savings = 0;
    out->has_savings_total_sen = out->has_mandatory_arrears_sen = 1;
    for (size_t i = 0; i < st->n_closing && out->n_savings < KINDS; i++) {
        Lumbung__SavingsAccount *a = arena_message(arena, &lumbung__savings_account__descriptor);
        a->has_kind = a->has_balance_sen = 1;
        a->kind = st->closing[i]->kind;
        a->balance_sen = st->closing[i]->balance_sen;
        if (a->kind == KIND(MANDATORY)) {
            fill_mandatory(c, m, as_of, a);
            out->mandatory_arrears_sen = a->arrears_sen;
        }
        if (a->kind == KIND(PRINCIPAL) && c->settings && c->settings->has_principal_amount_sen) {
            a->has_due_sen = 1;
            a->due_sen = c->settings->principal_amount_sen;
        }
        out->savings_total_sen += a->balance_sen;
        out->savings[out->n_savings++] = a;
    }
}

static Lumbung__LoanStatus status_of(const Lumbung__LoanStatement *card) {
    for (size_t i = 0; i < card->n_lines; i++)
        if (card->lines[i]->kind == MOVE(WRITE_OFF)) return STATUS(WRITTEN_OFF);
    return card->closing_principal_sen > 0 ? STATUS(ACTIVE) : STATUS(PAID);
}

/* One instalment against what is left of the paid sums; true when it is not fully paid. */
static bool take_paid(Lumbung__Instalment *in, int64_t *interest_pool, int64_t *principal_pool) {
    in->has_interest_paid_sen = in->has_principal_paid_sen = in->has_paid_sen = 1;
    in->interest_paid_sen = min64(in->interest_sen, *interest_pool);
    in->principal_paid_sen = min64(in->principal_sen, *principal_pool);
    *interest_pool -= in->interest_paid_sen;
    *principal_pool -= in->principal_paid_sen;
    in->paid_sen = in->interest_paid_sen + in->principal_paid_sen;
    return in->paid_sen < in->interest_sen + in->principal_sen;
}

int64_t reporting_member_loan_view(Lumbung__Loan *l, const Lumbung__LoanStatement *card,
                                   int32_t as_of, Lumbung__MemberLoan *out, arena_t *arena) {
    assert(l && card && out && arena);
    int64_t ipool = card->interest_paid_sen, ppool = card->principal_paid_sen;
    int64_t arrears_p = 0, arrears_i = 0, interest_due = 0;
    uint32_t overdue = 0;
    for (size_t i = 0; i < l->n_schedule; i++) {
        Lumbung__Instalment *in = l->schedule[i];
        bool open = take_paid(in, &ipool, &ppool);
        int32_t due;
        if (!in->due_on || date_parse(in->due_on, &due) != 0) continue;
        in->has_overdue = 1;
        in->overdue = open && due < as_of;
        if (in->overdue) {
            overdue++;
            arrears_p += in->principal_sen - in->principal_paid_sen;
            arrears_i += in->interest_sen - in->interest_paid_sen;
        }
        if (due <= as_of) interest_due += in->interest_sen - in->interest_paid_sen;
        if (open && !out->next_due_on) {
            out->next_due_on = in->due_on;
            out->has_next_due_sen = 1;
            out->next_due_sen = in->interest_sen + in->principal_sen - in->paid_sen;
        }
    }
    l->has_status = l->has_outstanding_principal_sen = l->has_principal_paid_sen = 1;
    l->has_interest_paid_sen = l->has_late_fee_paid_sen = l->has_instalments_overdue = 1;
    l->has_arrears_principal_sen = l->has_arrears_interest_sen = l->has_arrears_sen = 1;
    l->status = status_of(card);
    l->outstanding_principal_sen = l->status == STATUS(ACTIVE) ? card->closing_principal_sen : 0;
    l->principal_paid_sen = card->principal_paid_sen;
    l->interest_paid_sen = card->interest_paid_sen;
    l->late_fee_paid_sen = card->late_fee_paid_sen;
    l->instalments_overdue = overdue;
    l->arrears_principal_sen = arrears_p;
    l->arrears_interest_sen = arrears_i;
    l->arrears_sen = arrears_p + arrears_i;
    l->as_of = date_text(arena, as_of);
    out->loan = l;
    out->has_payoff_sen = 1;
    out->payoff_sen = l->status == STATUS(ACTIVE) ? l->outstanding_principal_sen + interest_due : 0;
    return out->payoff_sen;
}

static int fill_loans(reporting_t *app, store_txn_t *txn, arena_t *arena, uint64_t coop,
                      int32_t as_of, const Lumbung__MemberStatement *st,
                      Lumbung__MemberOverview *out) {
    out->loans = arena_alloc(arena, (st->n_loans + 1) * sizeof *out->loans);
    out->n_loans = 0;
    for (size_t i = 0; i < st->n_loans; i++) {
        Lumbung__Loan *loan;
        int rc = reporting_loans_terms(app, txn, arena, coop, st->loans[i]->loan_id, &loan);
        if (rc == ERR_NOT_FOUND) continue;        /* applied before this projection existed */
        if (rc != 0) return rc;
        Lumbung__MemberLoan *ml = arena_message(arena, &lumbung__member_loan__descriptor);
        reporting_member_loan_view(loan, st->loans[i], as_of, ml, arena);
        out->loans[out->n_loans++] = ml;
    }
    return 0;
}

int reporting_member_overview(reporting_t *app, store_txn_t *txn, arena_t *arena,
                              const Lumbung__Cooperative *c, const Lumbung__Member *m,
                              int32_t as_of, Lumbung__MemberOverview *out) {
    assert(app && txn && arena && c && m && out);
    Lumbung__MemberStatement *st = arena_message(arena, &lumbung__member_statement__descriptor);
    st->member_id = m->id;
    int rc = reporting_statement_read(app, txn, arena, DATE_MIN, as_of, st);
    if (rc == 0) rc = reporting_loancard_read(app, txn, arena, DATE_MIN, as_of, st);
    if (rc != 0) return rc;
    fill_savings(arena, c, m, as_of, st, out);
    out->as_of = date_text(arena, as_of);
    out->joined_on = m->joined_on;
    out->cooperative_name = c->name;
    return fill_loans(app, txn, arena, c->id, as_of, st, out);
}
