/* loancard (reporting): a member's loan cards (kartu angsuran) as the member statement shows
   them — per loan, in loan id order, the principal outstanding before the period, each movement
   in the period in value-date order with the balance after it (a repayment posted late shows
   the balance of its own date), the closing principal, and the late fees, interest and
   principal paid in the period; write-offs and recoveries say what is still owed; a payment
   whose entry is an exit settlement in the savings lines is labelled so; a loan that neither
   moved in the period nor owes anything at its start is left out, as are other members'
   loans. Against a real store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"
#include "../../services/reporting/reporting.h"
#include "reporting_fixture.h"

#define MOVE(x) LUMBUNG__LOAN_MOVEMENT_KIND__LOAN_MOVEMENT_KIND_##x

enum { MEMBER = 12, OTHER = 13 };

static uint64_t seq = 100;

/* One line, applied as event `seq` (the key's last part): +change to the outstanding. */
static void put(reporting_fixture_t *f, uint64_t member, uint64_t loan, const char *date,
                Lumbung__LoanMovementKind kind, int64_t amount, int64_t late_fee, int64_t interest,
                int64_t principal, int64_t change, uint64_t entry) {
    f->app.apply.event_seq = ++seq;
    reporting_loan_line_t l = {
        .member_id = member, .loan_id = loan, .entry_id = entry, .day = unit_day(date),
        .kind = kind, .amount_sen = amount, .late_fee_sen = late_fee, .interest_sen = interest,
        .principal_sen = principal, .outstanding_change_sen = change,
    };
    assert_int_equal(reporting_loancard_put(&f->app, f->txn, &l), 0);
}

static Lumbung__MemberStatement *read_card(reporting_fixture_t *f, const char *from,
                                           const char *to) {
    Lumbung__MemberStatement *st = arena_message(f->arena, &lumbung__member_statement__descriptor);
    st->member_id = MEMBER;
    assert_int_equal(reporting_loancard_read(&f->app, f->txn, f->arena, unit_day(from),
                                             unit_day(to), st), 0);
    return st;
}

/* Loan 5: 5,000,000 disbursed in January, repaid in February and March (the March one
   arrives first, the February one is posted late). */
static void loan_five(reporting_fixture_t *f) {
    put(f, MEMBER, 5, "2025-01-10", MOVE(DISBURSEMENT), 500000000, 0, 0, 500000000, 500000000, 40);
    put(f, MEMBER, 5, "2025-03-10", MOVE(REPAYMENT), 46666700, 0, 5000000, 41666700, -41666700, 62);
    put(f, MEMBER, 5, "2025-02-10", MOVE(REPAYMENT), 47666700, 1000000, 5000000, 41666700,
        -41666700, 71);
}

static void lines_in_date_order_with_the_balance_of_their_own_date(void **state) {
    reporting_fixture_t *f = *state;
    loan_five(f);
    Lumbung__MemberStatement *st = read_card(f, "2025-01-01", "2025-12-31");
    assert_int_equal(st->n_loans, 1);
    const Lumbung__LoanStatement *l = st->loans[0];
    assert_int_equal(l->loan_id, 5);
    assert_int_equal(l->opening_principal_sen, 0);
    assert_int_equal(l->n_lines, 3);
    assert_int_equal(l->lines[0]->value_date, unit_day("2025-01-10"));
    assert_int_equal(l->lines[0]->kind, MOVE(DISBURSEMENT));
    assert_int_equal(l->lines[0]->outstanding_principal_sen, 500000000);
    assert_int_equal(l->lines[0]->entry_id, 40);
    assert_int_equal(l->lines[1]->value_date, unit_day("2025-02-10"));   /* posted late */
    assert_int_equal(l->lines[1]->entry_id, 71);
    assert_int_equal(l->lines[1]->amount_sen, 47666700);
    assert_int_equal(l->lines[1]->late_fee_sen, 1000000);
    assert_int_equal(l->lines[1]->outstanding_principal_sen, 458333300);
    assert_int_equal(l->lines[2]->value_date, unit_day("2025-03-10"));
    assert_int_equal(l->lines[2]->outstanding_principal_sen, 416666600);
    assert_int_equal(l->closing_principal_sen, 416666600);
    assert_int_equal(l->late_fee_paid_sen, 1000000);
    assert_int_equal(l->interest_paid_sen, 10000000);
    assert_int_equal(l->principal_paid_sen, 83333400);    /* repayments, not the disbursement */
}

static void a_period_opens_with_the_principal_owed_before_it(void **state) {
    reporting_fixture_t *f = *state;
    loan_five(f);
    Lumbung__MemberStatement *st = read_card(f, "2025-02-01", "2025-02-28");
    assert_int_equal(st->n_loans, 1);
    const Lumbung__LoanStatement *l = st->loans[0];
    assert_int_equal(l->opening_principal_sen, 500000000);
    assert_int_equal(l->n_lines, 1);
    assert_int_equal(l->lines[0]->entry_id, 71);
    assert_int_equal(l->closing_principal_sen, 458333300);   /* March is after the period */
    assert_int_equal(l->interest_paid_sen, 5000000);
    assert_int_equal(l->late_fee_paid_sen, 1000000);
}

static void loans_that_neither_moved_nor_owe_are_left_out(void **state) {
    reporting_fixture_t *f = *state;
    loan_five(f);
    /* Loan 6: taken and repaid in full in 2024. Loan 7: taken after the period. */
    put(f, MEMBER, 6, "2024-03-01", MOVE(DISBURSEMENT), 100000000, 0, 0, 100000000, 100000000, 1);
    put(f, MEMBER, 6, "2024-09-01", MOVE(REPAYMENT), 101000000, 0, 1000000, 100000000,
        -100000000, 2);
    put(f, MEMBER, 7, "2026-01-05", MOVE(DISBURSEMENT), 200000000, 0, 0, 200000000, 200000000, 3);
    put(f, OTHER, 4, "2025-05-01", MOVE(DISBURSEMENT), 300000000, 0, 0, 300000000, 300000000, 4);
    put(f, 0, 9, "2025-05-01", MOVE(DISBURSEMENT), 1, 0, 0, 1, 1, 5);    /* no member: ignored */
    Lumbung__MemberStatement *st = read_card(f, "2025-01-01", "2025-12-31");
    assert_int_equal(st->n_loans, 1);
    assert_int_equal(st->loans[0]->loan_id, 5);
    st = read_card(f, "2024-01-01", "2026-12-31");
    assert_int_equal(st->n_loans, 3);
    assert_int_equal(st->loans[0]->loan_id, 5);
    assert_int_equal(st->loans[1]->loan_id, 6);
    assert_int_equal(st->loans[1]->closing_principal_sen, 0);
    assert_int_equal(st->loans[2]->loan_id, 7);
    assert_int_equal(st->loans[2]->closing_principal_sen, 200000000);
}

static void write_offs_and_recoveries_say_what_is_still_owed(void **state) {
    reporting_fixture_t *f = *state;
    loan_five(f);
    f->app.apply.event_seq = ++seq;
    reporting_loan_line_t w = {
        .member_id = MEMBER, .loan_id = 5, .entry_id = 90, .day = unit_day("2025-11-30"),
        .kind = MOVE(WRITE_OFF), .amount_sen = 416666600, .principal_sen = 416666600,
        .outstanding_change_sen = -416666600, .still_owed_sen = 426666600 };
    assert_int_equal(reporting_loancard_put(&f->app, f->txn, &w), 0);
    f->app.apply.event_seq = ++seq;
    reporting_loan_line_t r = {
        .member_id = MEMBER, .loan_id = 5, .entry_id = 91, .day = unit_day("2025-12-15"),
        .kind = MOVE(RECOVERY), .amount_sen = 106618546, .still_owed_sen = 320048054 };
    assert_int_equal(reporting_loancard_put(&f->app, f->txn, &r), 0);
    Lumbung__MemberStatement *st = read_card(f, "2025-11-01", "2025-12-31");
    const Lumbung__LoanStatement *l = st->loans[0];
    assert_int_equal(l->opening_principal_sen, 416666600);
    assert_int_equal(l->n_lines, 2);
    assert_int_equal(l->lines[0]->kind, MOVE(WRITE_OFF));
    assert_true(l->lines[0]->has_still_owed_sen);
    assert_int_equal(l->lines[0]->still_owed_sen, 426666600);
    assert_int_equal(l->lines[0]->outstanding_principal_sen, 0);
    assert_int_equal(l->lines[1]->kind, MOVE(RECOVERY));
    assert_int_equal(l->lines[1]->amount_sen, 106618546);
    assert_int_equal(l->lines[1]->still_owed_sen, 320048054);
    assert_int_equal(l->closing_principal_sen, 0);
    assert_int_equal(l->principal_paid_sen, 0);       /* a write-off is not a payment */
}

static void a_payment_from_an_exit_settlement_is_labelled_so(void **state) {
    reporting_fixture_t *f = *state;
    loan_five(f);
    put(f, MEMBER, 5, "2025-06-30", MOVE(REPAYMENT), 416666600, 0, 0, 416666600, -416666600, 77);
    Lumbung__StatementLine exit = LUMBUNG__STATEMENT_LINE__INIT;
    Lumbung__StatementLine *lines[] = { &exit };
    exit.entry_id = 77;
    exit.entry_kind = LUMBUNG__ENTRY_KIND__ENTRY_KIND_EXIT_SETTLEMENT;
    Lumbung__MemberStatement *st = arena_message(f->arena, &lumbung__member_statement__descriptor);
    st->member_id = MEMBER;
    st->n_lines = 1;
    st->lines = lines;
    assert_int_equal(reporting_loancard_read(&f->app, f->txn, f->arena, unit_day("2025-06-01"),
                                             unit_day("2025-06-30"), st), 0);
    const Lumbung__LoanStatement *l = st->loans[0];
    assert_int_equal(l->n_lines, 1);
    assert_int_equal(l->lines[0]->kind, MOVE(EXIT_SETTLEMENT));
    assert_int_equal(l->closing_principal_sen, 0);
    assert_int_equal(l->principal_paid_sen, 416666600);
    /* The same payment in a statement without the settlement stays a repayment. */
    st = read_card(f, "2025-06-01", "2025-06-30");
    assert_int_equal(st->loans[0]->lines[0]->kind, MOVE(REPAYMENT));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(lines_in_date_order_with_the_balance_of_their_own_date,
                                        reporting_fixture_setup, reporting_fixture_teardown),
        cmocka_unit_test_setup_teardown(a_period_opens_with_the_principal_owed_before_it,
                                        reporting_fixture_setup, reporting_fixture_teardown),
        cmocka_unit_test_setup_teardown(loans_that_neither_moved_nor_owe_are_left_out,
                                        reporting_fixture_setup, reporting_fixture_teardown),
        cmocka_unit_test_setup_teardown(write_offs_and_recoveries_say_what_is_still_owed,
                                        reporting_fixture_setup, reporting_fixture_teardown),
        cmocka_unit_test_setup_teardown(a_payment_from_an_exit_settlement_is_labelled_so,
                                        reporting_fixture_setup, reporting_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
