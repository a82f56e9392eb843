/* loans_view (reporting): the loan portfolio, loan register and SHU participation as a user
   relies on them — the portfolio as of a date counts each active loan with principal
   outstanding by the class of its last state on or before that date (a later event of the same
   date replaces the earlier one; paid and written-off loans count in no class); the register
   lists each loan of one cooperative with its last state by loan id and sums the outstanding
   principal of the active ones; participation gives per member (by member id) the principal +
   mandatory savings at the end of the period, the loan interest paid and the principal
   disbursed in it; the terms of a loan as applied are kept. A state without a date, a write-off
   without a value date are refused; events without a state or loan are ignored. Against a real
   store, fed as the transactions stream would. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"
#include "../../services/reporting/reporting.h"
#include "reporting_fixture.h"

#define TX(x) LUMBUNG__TRANSACTIONS_EVENT__BODY_##x
#define STATUS(x) LUMBUNG__LOAN_STATUS__LOAN_STATUS_##x
#define CLASS(x) LUMBUNG__LOAN_CLASS__LOAN_CLASS_##x
#define KIND(x) LUMBUNG__SAVINGS_KIND__SAVINGS_KIND_##x
#define ROLE(x) LUMBUNG__ACCOUNT_ROLE__ACCOUNT_ROLE_##x
#define ACLASS(x) LUMBUNG__ACCOUNT_CLASS__ACCOUNT_CLASS_##x

enum { COOP = 7, OTHER_COOP = 8 };

static Lumbung__LoanState *loan_state(reporting_fixture_t *f, uint64_t coop, uint64_t loan,
                                      uint64_t member, const char *date,
                                      Lumbung__LoanStatus status,
                                 Lumbung__LoanClass class_, int64_t principal,
                                 int64_t outstanding) {
    Lumbung__LoanState *s = arena_message(f->arena, &lumbung__loan_state__descriptor);
    s->has_loan_id = s->has_cooperative_id = s->has_member_id = s->has_status = 1;
    s->has_class_ = s->has_principal_sen = s->has_outstanding_principal_sen = 1;
    s->loan_id = loan;
    s->cooperative_id = coop;
    s->member_id = member;
    s->has_as_of = date != NULL;
    s->as_of = date ? unit_day(date) : 0;
    s->status = status;
    s->class_ = class_;
    s->principal_sen = principal;
    s->outstanding_principal_sen = outstanding;
    return s;
}

static int disburse(reporting_fixture_t *f, Lumbung__LoanState *s, uint64_t entry) {
    Lumbung__LoanDisbursed d = LUMBUNG__LOAN_DISBURSED__INIT;
    d.state = s;
    d.has_entry_id = 1;
    d.entry_id = entry;
    Lumbung__TransactionsEvent ev = LUMBUNG__TRANSACTIONS_EVENT__INIT;
    ev.body_case = TX(LOAN_DISBURSED);
    ev.loan_disbursed = &d;
    return reporting_loans_apply(&f->app, f->txn, &ev);
}

static int repay(reporting_fixture_t *f, Lumbung__LoanState *s, uint64_t entry, const char *date,
                 int64_t late_fee, int64_t interest, int64_t principal) {
    Lumbung__LoanAllocation a = LUMBUNG__LOAN_ALLOCATION__INIT;
    a.late_fee_sen = late_fee;
    a.interest_sen = interest;
    a.principal_sen = principal;
    Lumbung__LoanRepaid r = LUMBUNG__LOAN_REPAID__INIT;
    r.state = s;
    r.allocation = &a;
    r.entry_id = entry;
    r.has_value_date = date != NULL;
    r.value_date = date ? unit_day(date) : 0;
    Lumbung__TransactionsEvent ev = LUMBUNG__TRANSACTIONS_EVENT__INIT;
    ev.body_case = TX(LOAN_REPAID);
    ev.loan_repaid = &r;
    return reporting_loans_apply(&f->app, f->txn, &ev);
}

static int reclass(reporting_fixture_t *f, Lumbung__LoanState *s) {
    Lumbung__LoanClassChanged c = LUMBUNG__LOAN_CLASS_CHANGED__INIT;
    c.state = s;
    Lumbung__TransactionsEvent ev = LUMBUNG__TRANSACTIONS_EVENT__INIT;
    ev.body_case = TX(LOAN_CLASS_CHANGED);
    ev.loan_class_changed = &c;
    return reporting_loans_apply(&f->app, f->txn, &ev);
}

static int write_off(reporting_fixture_t *f, Lumbung__LoanState *s, const char *date) {
    Lumbung__LoanWrittenOff w = LUMBUNG__LOAN_WRITTEN_OFF__INIT;
    w.state = s;
    w.entry_id = 30;
    w.has_value_date = date != NULL;
    w.value_date = date ? unit_day(date) : 0;
    w.principal_sen = s->principal_sen;
    w.owed_sen = s->principal_sen;
    Lumbung__TransactionsEvent ev = LUMBUNG__TRANSACTIONS_EVENT__INIT;
    ev.body_case = TX(LOAN_WRITTEN_OFF);
    ev.loan_written_off = &w;
    return reporting_loans_apply(&f->app, f->txn, &ev);
}

static int save(reporting_fixture_t *f, uint64_t member, const char *date,
                Lumbung__SavingsKind kind, int64_t delta) {
    Lumbung__JournalEntry e = LUMBUNG__JOURNAL_ENTRY__INIT;
    e.has_id = e.has_cooperative_id = e.has_member_id = e.has_value_date = 1;
    e.has_savings_kind = e.has_savings_delta_sen = 1;
    e.id = 1;
    e.cooperative_id = COOP;
    e.member_id = member;
    e.value_date = unit_day(date);
    e.savings_kind = kind;
    e.savings_delta_sen = delta;
    return reporting_loans_apply_entry(&f->app, f->txn, &e);
}

/* Loan 1 (member 21): 1,200,000.00 on 01-05, 100,000.00 principal + 1,500.00 interest paid on
   02-05, substandard from 03-10. Loan 2 (member 22): 500,000.00 on 01-20, paid off on 02-20
   with 5,000.00 interest and 25.00 late fee. Loan 3 (member 21): 300,000.00 on 03-01, loss on
   03-31 then, later that day, doubtful. Loan 4: another cooperative's 800,000.00 on 01-01. */
static void books(reporting_fixture_t *f) {
    assert_int_equal(disburse(f, loan_state(f, COOP, 1, 21, "2026-01-05", STATUS(ACTIVE),
                                       CLASS(CURRENT), 120000000, 120000000), 10), 0);
    assert_int_equal(repay(f, loan_state(f, COOP, 1, 21, "2026-02-05", STATUS(ACTIVE), CLASS(CURRENT),
                                    120000000, 110000000), 11, "2026-02-05", 0, 150000, 10000000),
                     0);
    assert_int_equal(reclass(f, loan_state(f, COOP, 1, 21, "2026-03-10", STATUS(ACTIVE),
                                      CLASS(SUBSTANDARD), 120000000, 110000000)), 0);
    assert_int_equal(disburse(f, loan_state(f, COOP, 2, 22, "2026-01-20", STATUS(ACTIVE),
                                       CLASS(CURRENT), 50000000, 50000000), 12), 0);
    assert_int_equal(repay(f, loan_state(f, COOP, 2, 22, "2026-02-20", STATUS(PAID), CLASS(CURRENT),
                                    50000000, 0), 13, "2026-02-20", 2500, 500000, 50000000), 0);
    assert_int_equal(disburse(f, loan_state(f, COOP, 3, 21, "2026-03-01", STATUS(ACTIVE),
                                       CLASS(CURRENT), 30000000, 30000000), 14), 0);
    assert_int_equal(reclass(f, loan_state(f, COOP, 3, 21, "2026-03-31", STATUS(ACTIVE), CLASS(LOSS),
                                      30000000, 30000000)), 0);
    assert_int_equal(reclass(f, loan_state(f, COOP, 3, 21, "2026-03-31", STATUS(ACTIVE),
                                      CLASS(DOUBTFUL), 30000000, 30000000)), 0);
    assert_int_equal(disburse(f, loan_state(f, OTHER_COOP, 4, 24, "2026-01-01", STATUS(ACTIVE),
                                       CLASS(CURRENT), 80000000, 80000000), 15), 0);
}

static reporting_portfolio_counts_t portfolio(reporting_fixture_t *f, uint64_t coop,
                                              const char *as_of) {
    reporting_portfolio_counts_t c;
    memset(&c, 0xff, sizeof c);
    assert_int_equal(reporting_loans_portfolio(&f->app, f->txn, coop, unit_day(as_of), &c), 0);
    return c;
}

static void expect_class(const reporting_portfolio_counts_t *c, int cls, uint32_t loans,
                         int64_t outstanding) {
    assert_int_equal(c->loans[cls], loans);
    assert_int_equal(c->outstanding_sen[cls], outstanding);
}

static void the_portfolio_by_class_as_of_a_date(void **state) {
    reporting_fixture_t *f = *state;
    books(f);
    reporting_portfolio_counts_t c = portfolio(f, COOP, "2026-01-31");
    expect_class(&c, CLASS(CURRENT), 2, 170000000);
    expect_class(&c, CLASS(SUBSTANDARD), 0, 0);
    c = portfolio(f, COOP, "2026-02-20");                 /* loan 2 paid off that day */
    expect_class(&c, CLASS(CURRENT), 1, 110000000);
    c = portfolio(f, COOP, "2026-03-30");
    expect_class(&c, CLASS(CURRENT), 1, 30000000);
    expect_class(&c, CLASS(SUBSTANDARD), 1, 110000000);
    c = portfolio(f, COOP, "2026-03-31");                 /* the later event of the day */
    expect_class(&c, CLASS(CURRENT), 0, 0);
    expect_class(&c, CLASS(SUBSTANDARD), 1, 110000000);
    expect_class(&c, CLASS(DOUBTFUL), 1, 30000000);
    expect_class(&c, CLASS(LOSS), 0, 0);
    c = portfolio(f, COOP, "2026-01-04");
    for (int k = 0; k < 5; k++) expect_class(&c, k, 0, 0);
    c = portfolio(f, OTHER_COOP, "2026-12-31");
    expect_class(&c, CLASS(CURRENT), 1, 80000000);
    c = portfolio(f, 9, "2026-12-31");
    expect_class(&c, CLASS(CURRENT), 0, 0);
}

static void a_written_off_loan_leaves_every_class(void **state) {
    reporting_fixture_t *f = *state;
    books(f);
    assert_int_equal(write_off(f, loan_state(f, COOP, 3, 21, "2026-04-15", STATUS(WRITTEN_OFF),
                                        CLASS(LOSS), 30000000, 0), "2026-04-15"), 0);
    reporting_portfolio_counts_t c = portfolio(f, COOP, "2026-04-15");
    expect_class(&c, CLASS(DOUBTFUL), 0, 0);
    expect_class(&c, CLASS(LOSS), 0, 0);
    expect_class(&c, CLASS(SUBSTANDARD), 1, 110000000);
    c = portfolio(f, COOP, "2026-04-14");
    expect_class(&c, CLASS(DOUBTFUL), 1, 30000000);
}

static Lumbung__LoanRegister *loan_register(reporting_fixture_t *f, uint64_t coop,
                                            const char *as_of) {
    Lumbung__LoanRegister *r = arena_message(f->arena, &lumbung__loan_register__descriptor);
    assert_int_equal(reporting_loans_register(&f->app, f->txn, f->arena, coop, unit_day(as_of),
                                              r), 0);
    return r;
}

static void expect_row(const Lumbung__LoanRegisterRow *row, uint64_t loan, uint64_t member,
                       Lumbung__LoanStatus status, Lumbung__LoanClass class_,
                       int64_t outstanding, const char *date) {
    assert_int_equal(row->loan_id, loan);
    assert_int_equal(row->member_id, member);
    assert_int_equal(row->status, status);
    assert_int_equal(row->class_, class_);
    assert_int_equal(row->outstanding_principal_sen, outstanding);
    assert_int_equal(row->state_date, unit_day(date));
}

static void the_register_by_loan_with_its_last_state(void **state) {
    reporting_fixture_t *f = *state;
    books(f);
    Lumbung__LoanRegister *r = loan_register(f, COOP, "2026-03-31");
    assert_int_equal(r->n_items, 3);
    expect_row(r->items[0], 1, 21, STATUS(ACTIVE), CLASS(SUBSTANDARD), 110000000, "2026-03-10");
    expect_row(r->items[1], 2, 22, STATUS(PAID), CLASS(CURRENT), 0, "2026-02-20");
    expect_row(r->items[2], 3, 21, STATUS(ACTIVE), CLASS(DOUBTFUL), 30000000, "2026-03-31");
    assert_int_equal(r->outstanding_principal_sen, 140000000);
    r = loan_register(f, COOP, "2026-01-19");
    assert_int_equal(r->n_items, 1);                      /* loan 2 is not disbursed yet */
    expect_row(r->items[0], 1, 21, STATUS(ACTIVE), CLASS(CURRENT), 120000000, "2026-01-05");
    assert_int_equal(r->outstanding_principal_sen, 120000000);
    r = loan_register(f, OTHER_COOP, "2026-12-31");
    assert_int_equal(r->n_items, 1);
    expect_row(r->items[0], 4, 24, STATUS(ACTIVE), CLASS(CURRENT), 80000000, "2026-01-01");
    assert_int_equal(loan_register(f, COOP, "2025-12-31")->n_items, 0);
    assert_int_equal(loan_register(f, 9, "2026-12-31")->n_items, 0);
}

static void chart(reporting_fixture_t *f) {
    reporting_fixture_account(f, COOP, "1101", ACLASS(ASSET), ROLE(CASH));
    reporting_fixture_account(f, COOP, "2101", ACLASS(LIABILITY), ROLE(VOLUNTARY_SAVINGS));
    reporting_fixture_account(f, COOP, "3101", ACLASS(EQUITY), ROLE(PRINCIPAL_SAVINGS));
    reporting_fixture_account(f, COOP, "3102", ACLASS(EQUITY), ROLE(MANDATORY_SAVINGS));
}

/* Savings: member 21 principal 100,000.00 on 01-05, mandatory 25,000.00 on 02-01 and 03-01,
   voluntary 9.99 (not capital); member 22 mandatory 25,000.00 on 02-01; member 23 voluntary
   only. */
static void savings(reporting_fixture_t *f) {
    assert_int_equal(save(f, 21, "2026-01-05", KIND(PRINCIPAL), 10000000), 0);
    assert_int_equal(save(f, 21, "2026-02-01", KIND(MANDATORY), 2500000), 0);
    assert_int_equal(save(f, 21, "2026-03-01", KIND(MANDATORY), 2500000), 0);
    assert_int_equal(save(f, 21, "2026-02-01", KIND(VOLUNTARY), 999), 0);
    assert_int_equal(save(f, 22, "2026-02-01", KIND(MANDATORY), 2500000), 0);
    assert_int_equal(save(f, 23, "2026-02-01", KIND(VOLUNTARY), 5000000), 0);
}

static reporting_participation_t *participation(reporting_fixture_t *f, uint64_t coop,
                                                const char *from, const char *to,
                                                size_t *count) {
    reporting_participation_t *p = NULL;
    assert_int_equal(reporting_loans_participation(&f->app, f->txn, f->arena, coop, unit_day(from),
                                                   unit_day(to), &p, count), 0);
    return p;
}

static void expect_use(const reporting_participation_t *p, uint64_t member, int64_t capital,
                       int64_t interest, int64_t disbursed) {
    assert_int_equal(p->member_id, member);
    assert_int_equal(p->capital_sen, capital);
    assert_int_equal(p->interest_paid_sen, interest);
    assert_int_equal(p->disbursed_sen, disbursed);
}

static void participation_per_member_over_a_period(void **state) {
    reporting_fixture_t *f = *state;
    books(f);
    savings(f);
    size_t n = 0;
    reporting_participation_t *p = participation(f, COOP, "2026-02-01", "2026-02-28", &n);
    assert_int_equal(n, 2);                               /* 23 has no capital, no loan */
    expect_use(&p[0], 21, 12500000, 150000, 0);
    expect_use(&p[1], 22, 2500000, 500000, 0);
    p = participation(f, COOP, "2026-01-01", "2026-03-31", &n);
    assert_int_equal(n, 2);
    expect_use(&p[0], 21, 15000000, 150000, 150000000);
    expect_use(&p[1], 22, 2500000, 500000, 50000000);
    p = participation(f, OTHER_COOP, "2026-01-01", "2026-01-01", &n);
    assert_int_equal(n, 1);
    expect_use(&p[0], 24, 0, 0, 80000000);
    p = participation(f, 9, "2026-01-01", "2026-12-31", &n);
    assert_int_equal(n, 0);
    assert_null(p);
}

static void an_exit_settlement_takes_the_capital_by_its_lines(void **state) {
    reporting_fixture_t *f = *state;
    chart(f);
    savings(f);
    Lumbung__JournalLine l[4] = { LUMBUNG__JOURNAL_LINE__INIT, LUMBUNG__JOURNAL_LINE__INIT,
                                  LUMBUNG__JOURNAL_LINE__INIT, LUMBUNG__JOURNAL_LINE__INIT };
    Lumbung__JournalLine *lines[] = { &l[0], &l[1], &l[2], &l[3] };
    const char *codes[] = { "3101", "3102", "2101", "1101" };
    const int64_t sen[] = { 10000000, 5000000, 999, 15000999 };
    for (int i = 0; i < 4; i++) {
        l[i].account = (char *) codes[i];
        l[i].has_debit_sen = i < 3;
        l[i].has_credit_sen = i == 3;
        l[i].debit_sen = i < 3 ? sen[i] : 0;
        l[i].credit_sen = i == 3 ? sen[i] : 0;
    }
    Lumbung__JournalEntry e = LUMBUNG__JOURNAL_ENTRY__INIT;
    e.has_id = e.has_cooperative_id = e.has_member_id = e.has_value_date = 1;
    e.id = 40;
    e.cooperative_id = COOP;
    e.member_id = 21;
    e.value_date = unit_day("2026-04-30");
    e.n_lines = 4;
    e.lines = lines;
    assert_int_equal(reporting_loans_apply_entry(&f->app, f->txn, &e), 0);
    size_t n = 0;
    reporting_participation_t *p = participation(f, COOP, "2026-04-01", "2026-04-30", &n);
    assert_int_equal(n, 2);
    expect_use(&p[0], 21, 0, 0, 0);
    p = participation(f, COOP, "2026-04-01", "2026-04-29", &n);
    expect_use(&p[0], 21, 15000000, 0, 0);
}

static void a_payment_without_its_own_date_counts_on_the_states(void **state) {
    reporting_fixture_t *f = *state;
    assert_int_equal(repay(f, loan_state(f, COOP, 1, 21, "2026-05-31", STATUS(ACTIVE), CLASS(CURRENT),
                                    100, 50), 0, NULL, 0, 7700, 50), 0);
    size_t n = 0;
    reporting_participation_t *p = participation(f, COOP, "2026-05-31", "2026-05-31", &n);
    assert_int_equal(n, 1);
    expect_use(&p[0], 21, 0, 7700, 0);
    assert_int_equal(participation(f, COOP, "2026-06-01", "2026-06-30", &n)[0].interest_paid_sen,
                     0);
}

static void the_terms_of_a_loan_as_applied(void **state) {
    reporting_fixture_t *f = *state;
    Lumbung__Loan loan = LUMBUNG__LOAN__INIT;
    loan.has_id = loan.has_cooperative_id = loan.has_member_id = loan.has_principal_sen = 1;
    loan.has_annual_rate_bp = 1;
    loan.id = 5;
    loan.cooperative_id = COOP;
    loan.member_id = 21;
    loan.principal_sen = 120000000;
    loan.annual_rate_bp = 1800;
    Lumbung__LoanApplied a = LUMBUNG__LOAN_APPLIED__INIT;
    a.loan = &loan;
    Lumbung__TransactionsEvent ev = LUMBUNG__TRANSACTIONS_EVENT__INIT;
    ev.body_case = TX(LOAN_APPLIED);
    ev.loan_applied = &a;
    assert_int_equal(reporting_loans_apply(&f->app, f->txn, &ev), 0);
    Lumbung__Loan *got = NULL;
    assert_int_equal(reporting_loans_terms(&f->app, f->txn, f->arena, COOP, 5, &got), 0);
    assert_int_equal(got->id, 5);
    assert_int_equal(got->member_id, 21);
    assert_int_equal(got->principal_sen, 120000000);
    assert_int_equal(got->annual_rate_bp, 1800);
    assert_int_equal(reporting_loans_terms(&f->app, f->txn, f->arena, OTHER_COOP, 5, &got),
                     ERR_NOT_FOUND);
    assert_int_equal(reporting_loans_terms(&f->app, f->txn, f->arena, COOP, 6, &got),
                     ERR_NOT_FOUND);
    /* An applied loan owes nothing yet: no state, so in no register. */
    assert_int_equal(loan_register(f, COOP, "2026-12-31")->n_items, 0);
}

static void refused_and_ignored(void **state) {
    reporting_fixture_t *f = *state;
    assert_int_equal(disburse(f, loan_state(f, COOP, 1, 21, NULL, STATUS(ACTIVE), CLASS(CURRENT),
                                            100, 100), 10), -EPROTO);
    assert_int_equal(disburse(f, NULL, 10), 0);
    Lumbung__TransactionsEvent ev = LUMBUNG__TRANSACTIONS_EVENT__INIT;
    ev.body_case = TX(LOAN_CLASS_CHANGED);               /* the case without its message */
    assert_int_equal(reporting_loans_apply(&f->app, f->txn, &ev), 0);
    ev.body_case = TX(LOAN_APPLIED);
    assert_int_equal(reporting_loans_apply(&f->app, f->txn, &ev), 0);
    assert_int_equal(save(f, 0, "2026-02-01", KIND(PRINCIPAL), 100), 0);
    assert_int_equal(loan_register(f, COOP, "2026-12-31")->n_items, 0);
    size_t n = 9;
    participation(f, COOP, "2026-01-01", "2026-12-31", &n);
    assert_int_equal(n, 0);
    Lumbung__LoanState *no_loan = loan_state(f, COOP, 2, 21, "2026-01-05", STATUS(ACTIVE),
                                             CLASS(CURRENT), 100, 100);
    no_loan->has_loan_id = 0;
    assert_int_equal(disburse(f, no_loan, 10), 0);
    assert_int_equal(repay(f, no_loan, 11, "2026-02-01", 0, 7, 50), 0);
    assert_int_equal(loan_register(f, COOP, "2026-12-31")->n_items, 0);
    participation(f, COOP, "2026-01-01", "2026-12-31", &n);   /* ignored whole: no use either */
    assert_int_equal(n, 0);
    /* Refused after its state was put: the apply's transaction is aborted by its caller. */
    assert_int_equal(write_off(f, loan_state(f, COOP, 1, 21, "2026-04-15", STATUS(WRITTEN_OFF),
                                             CLASS(LOSS), 100, 0), NULL), -EPROTO);
}

#define T(name) cmocka_unit_test_setup_teardown(name, reporting_fixture_setup, \
                                                reporting_fixture_teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        T(the_portfolio_by_class_as_of_a_date),
        T(a_written_off_loan_leaves_every_class),
        T(the_register_by_loan_with_its_last_state),
        T(participation_per_member_over_a_period),
        T(an_exit_settlement_takes_the_capital_by_its_lines),
        T(a_payment_without_its_own_date_counts_on_the_states),
        T(the_terms_of_a_loan_as_applied),
        T(refused_and_ignored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
