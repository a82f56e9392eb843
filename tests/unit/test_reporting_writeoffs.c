/* writeoffs (reporting): loans written off and the money recovered on them as the loan
   portfolio lists them apart from the classes — per write-off its loan, member, date, principal
   written off, what was owed, recovered since and still owed; each recovery; and the totals, as
   of the portfolio's date (a recovery after it does not count yet), for one cooperative only.
   An event without a loan is ignored, one without a value date refused. Against a real store,
   fed as the transactions stream would. */
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

enum { COOP = 7, OTHER_COOP = 8, MEMBER = 12 };

static Lumbung__LoanState *state_of(reporting_fixture_t *f, uint64_t coop, uint64_t loan) {
    Lumbung__LoanState *s = arena_message(f->arena, &lumbung__loan_state__descriptor);
    s->has_loan_id = s->has_cooperative_id = s->has_member_id = 1;
    s->loan_id = loan;
    s->cooperative_id = coop;
    s->member_id = MEMBER;
    return s;
}

static int write_off(reporting_fixture_t *f, Lumbung__LoanState *s, const char *date,
                     uint64_t entry, int64_t principal, int64_t owed) {
    Lumbung__LoanWrittenOff w = LUMBUNG__LOAN_WRITTEN_OFF__INIT;
    w.state = s;
    w.entry_id = entry;
    w.has_value_date = date != NULL;
    w.value_date = date ? unit_day(date) : 0;
    w.principal_sen = principal;
    w.owed_sen = owed;
    Lumbung__TransactionsEvent ev = LUMBUNG__TRANSACTIONS_EVENT__INIT;
    ev.body_case = TX(LOAN_WRITTEN_OFF);
    ev.loan_written_off = &w;
    return reporting_writeoffs_apply(&f->app, f->txn, &ev);
}

static int recover(reporting_fixture_t *f, Lumbung__LoanState *s, const char *date,
                   uint64_t entry, int64_t amount, int64_t still_owed) {
    Lumbung__LoanRecovered r = LUMBUNG__LOAN_RECOVERED__INIT;
    r.state = s;
    r.entry_id = entry;
    r.has_value_date = 1;
    r.value_date = unit_day(date);
    r.amount_sen = amount;
    r.still_owed_sen = still_owed;
    Lumbung__TransactionsEvent ev = LUMBUNG__TRANSACTIONS_EVENT__INIT;
    ev.body_case = TX(LOAN_RECOVERED);
    ev.loan_recovered = &r;
    return reporting_writeoffs_apply(&f->app, f->txn, &ev);
}

static Lumbung__LoanPortfolio *portfolio(reporting_fixture_t *f, uint64_t coop, const char *as_of) {
    Lumbung__LoanPortfolio *p = arena_message(f->arena, &lumbung__loan_portfolio__descriptor);
    assert_int_equal(reporting_writeoffs_portfolio(&f->app, f->txn, f->arena, coop,
                                                   unit_day(as_of), p), 0);
    return p;
}

/* Loan 5: 4,166,666 principal written off (4,266,666 owed with interest), then 1,066,185.46
   and 500,000 recovered. Loan 6 of another cooperative. */
static void books(reporting_fixture_t *f) {
    Lumbung__LoanState *five = state_of(f, COOP, 5);
    assert_int_equal(write_off(f, five, "2025-11-30", 90, 416666600, 426666600), 0);
    assert_int_equal(recover(f, five, "2025-12-15", 91, 106618546, 320048054), 0);
    assert_int_equal(recover(f, five, "2026-01-20", 95, 50000000, 270048054), 0);
    assert_int_equal(write_off(f, state_of(f, OTHER_COOP, 6), "2025-10-01", 80, 99900, 99900), 0);
}

static void write_offs_and_recoveries_with_their_totals(void **state) {
    reporting_fixture_t *f = *state;
    books(f);
    Lumbung__LoanPortfolio *p = portfolio(f, COOP, "2026-12-31");
    assert_true(p->has_written_off_loans && p->has_written_off_sen && p->has_recovered_sen);
    assert_int_equal(p->written_off_loans, 1);
    assert_int_equal(p->written_off_sen, 416666600);
    assert_int_equal(p->recovered_sen, 156618546);
    assert_int_equal(p->written_off_still_owed_sen, 270048054);   /* 426,666,600 - recovered */
    assert_int_equal(p->n_write_offs, 1);
    const Lumbung__WrittenOffLoan *w = p->write_offs[0];
    assert_int_equal(w->loan_id, 5);
    assert_int_equal(w->member_id, MEMBER);
    assert_int_equal(w->entry_id, 90);
    assert_int_equal(w->written_off_on, unit_day("2025-11-30"));
    assert_int_equal(w->principal_sen, 416666600);
    assert_int_equal(w->owed_sen, 426666600);
    assert_int_equal(w->recovered_sen, 156618546);
    assert_int_equal(w->still_owed_sen, 270048054);
    assert_int_equal(p->n_recoveries, 2);
    assert_int_equal(p->recoveries[0]->value_date, unit_day("2025-12-15"));
    assert_int_equal(p->recoveries[0]->amount_sen, 106618546);
    assert_int_equal(p->recoveries[0]->entry_id, 91);
    assert_int_equal(p->recoveries[0]->still_owed_sen, 320048054);
    assert_int_equal(p->recoveries[1]->amount_sen, 50000000);
}

static void as_of_a_date_counts_only_what_came_before(void **state) {
    reporting_fixture_t *f = *state;
    books(f);
    Lumbung__LoanPortfolio *p = portfolio(f, COOP, "2025-12-31");
    assert_int_equal(p->n_recoveries, 1);
    assert_int_equal(p->recovered_sen, 106618546);
    assert_int_equal(p->written_off_still_owed_sen, 320048054);
    assert_int_equal(p->write_offs[0]->still_owed_sen, 320048054);
    p = portfolio(f, COOP, "2025-11-30");                 /* the day of the write-off */
    assert_int_equal(p->written_off_loans, 1);
    assert_int_equal(p->n_recoveries, 0);
    assert_int_equal(p->written_off_still_owed_sen, 426666600);
    p = portfolio(f, COOP, "2025-11-29");
    assert_int_equal(p->written_off_loans, 0);
    assert_int_equal(p->n_write_offs, 0);
    assert_int_equal(p->written_off_sen, 0);
    assert_true(p->has_written_off_sen);                  /* a zero, not absent */
}

static void one_cooperative_only(void **state) {
    reporting_fixture_t *f = *state;
    books(f);
    Lumbung__LoanPortfolio *p = portfolio(f, OTHER_COOP, "2026-12-31");
    assert_int_equal(p->written_off_loans, 1);
    assert_int_equal(p->write_offs[0]->loan_id, 6);
    assert_int_equal(p->written_off_sen, 99900);
    assert_int_equal(p->recovered_sen, 0);
    p = portfolio(f, 9, "2026-12-31");
    assert_int_equal(p->written_off_loans, 0);
}

static void events_without_a_loan_are_ignored_without_a_date_refused(void **state) {
    reporting_fixture_t *f = *state;
    assert_int_equal(write_off(f, NULL, "2025-11-30", 1, 100, 100), 0);
    Lumbung__LoanState *no_loan = state_of(f, COOP, 5);
    no_loan->has_loan_id = 0;
    assert_int_equal(write_off(f, no_loan, "2025-11-30", 1, 100, 100), 0);
    assert_int_equal(write_off(f, state_of(f, COOP, 5), NULL, 1, 100, 100), -EPROTO);
    Lumbung__TransactionsEvent other = LUMBUNG__TRANSACTIONS_EVENT__INIT;
    other.body_case = TX(LOAN_WRITTEN_OFF);             /* the case without its message */
    assert_int_equal(reporting_writeoffs_apply(&f->app, f->txn, &other), 0);
    assert_int_equal(portfolio(f, COOP, "2026-12-31")->written_off_loans, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(write_offs_and_recoveries_with_their_totals,
                                        reporting_fixture_setup, reporting_fixture_teardown),
        cmocka_unit_test_setup_teardown(as_of_a_date_counts_only_what_came_before,
                                        reporting_fixture_setup, reporting_fixture_teardown),
        cmocka_unit_test_setup_teardown(one_cooperative_only, reporting_fixture_setup,
                                        reporting_fixture_teardown),
        cmocka_unit_test_setup_teardown(events_without_a_loan_are_ignored_without_a_date_refused,
                                        reporting_fixture_setup, reporting_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
