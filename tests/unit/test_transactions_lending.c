/* loans (transactions): what an operator relies on — an application checks its terms and its
   member, a disbursement moves the principal out of cash once, a repayment pays late fee, then
   interest, then principal, oldest first, and refuses more than is owed, a cancelled
   application cannot be disbursed and a disbursed one cannot be cancelled. Against a real store,
   the ledger and the members replica. Figures as tests/system/test_transactions_loans.py. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "unit.h"

#include "date.h"
#include "../../services/transactions/ledger.h"
#include "../../services/transactions/lending.h"
#include "../../services/transactions/replica.h"
#include "../../services/transactions/store.h"

#define EK(x) LUMBUNG__ERROR_KIND__ERROR_KIND_##x
#define STATUS(x) LUMBUNG__LOAN_STATUS__LOAN_STATUS_##x

#include "tx_fixture.h"
#include "tx_helpers.h"

/* ------------------------------------------------------------------ helpers */

/* Cash in hand, so that loans can be paid out (tx_fund: Dr Kas / Cr Modal on 2025-01-01). */
static void fund(fx_t *f, int64_t sen) { tx_fund(f, COOP, sen, NULL); }

/* 12 monthly instalments, flat 12 %, first due 2025-02-10, applied 2025-01-05. */
static Lumbung__ApplyLoan application(uint64_t member, int64_t principal, Lumbung__LateFee *fee) {
    Lumbung__ApplyLoan a = LUMBUNG__APPLY_LOAN__INIT;
    a.has_cooperative_id = a.has_member_id = a.has_principal_sen = a.has_annual_rate_bp = 1;
    a.has_instalments = a.has_frequency = a.has_method = 1;
    a.cooperative_id = COOP;
    a.member_id = member;
    a.principal_sen = principal;
    a.annual_rate_bp = 1200;
    a.instalments = 12;
    a.frequency = LUMBUNG__LOAN_FREQUENCY__LOAN_FREQUENCY_MONTHLY;
    a.method = LUMBUNG__LOAN_METHOD__LOAN_METHOD_FLAT;
    a.has_first_due_on = 1;
    a.first_due_on = unit_day("2025-02-10");
    a.has_applied_on = 1;
    a.applied_on = unit_day("2025-01-05");
    a.late_fee = fee;
    return a;
}

static int apply_loan(fx_t *f, Lumbung__ApplyLoan *a, Lumbung__Loan **out) {
    memset(&f->err, 0, sizeof f->err);
    return tx_loans_apply(&f->ctx, a, out, &f->err);
}

static uint64_t new_loan(fx_t *f, uint64_t member, int64_t principal, Lumbung__LateFee *fee) {
    Lumbung__ApplyLoan a = application(member, principal, fee);
    Lumbung__Loan *loan;
    assert_int_equal(apply_loan(f, &a, &loan), 0);
    assert_int_equal(loan->status, STATUS(APPLIED));
    return loan->id;
}

static int disburse(fx_t *f, uint64_t loan, Lumbung__LoanPosted **out) {
    Lumbung__DisburseLoan d = LUMBUNG__DISBURSE_LOAN__INIT;
    d.has_cooperative_id = d.has_loan_id = 1;
    d.cooperative_id = COOP;
    d.loan_id = loan;
    d.has_value_date = 1;
    d.value_date = unit_day("2025-01-10");
    memset(&f->err, 0, sizeof f->err);
    return tx_loans_disburse(&f->ctx, &d, out, &f->err);
}

static int repay(fx_t *f, uint64_t loan, int64_t sen, const char *date, Lumbung__LoanPosted **out) {
    Lumbung__RepayLoan r = LUMBUNG__REPAY_LOAN__INIT;
    r.has_cooperative_id = r.has_loan_id = r.has_amount_sen = 1;
    r.cooperative_id = COOP;
    r.loan_id = loan;
    r.amount_sen = sen;
    r.has_value_date = 1;
    r.value_date = unit_day(date);
    memset(&f->err, 0, sizeof f->err);
    return tx_loans_repay(&f->ctx, &r, out, &f->err);
}

static void expect_error(fx_t *f, Lumbung__ErrorKind kind, const char *code, const char *field) {
    assert_int_equal(f->err.kind, kind);
    assert_string_equal(f->err.code, code);
    if (field) assert_string_equal(f->err.field, field);
}

/* ------------------------------------------------------------------ tests */

static void an_application_checks_its_terms_and_member(void **state) {
    fx_t *f = *state;
    Lumbung__Loan *loan;
    Lumbung__ApplyLoan a = application(ALICE, 1000000, NULL);
    a.instalments = 0;
    assert_int_equal(apply_loan(f, &a, &loan), ERR_REJECTED);
    assert_int_equal(f->err.kind, EK(INVALID));
    assert_string_equal(f->err.field, "instalments");

    a = application(ALICE, 1000000, NULL);
    a.has_method = 0;
    assert_int_equal(apply_loan(f, &a, &loan), ERR_REJECTED);
    assert_string_equal(f->err.field, "method");

    a = application(ALICE, 1000000, NULL);
    a.has_first_due_on = 1;
    a.first_due_on = unit_day("2025-01-01");                  /* before it was applied for */
    assert_int_equal(apply_loan(f, &a, &loan), ERR_REJECTED);
    assert_string_equal(f->err.field, "first_due_on");

    a = application(999999, 1000000, NULL);
    assert_int_equal(apply_loan(f, &a, &loan), ERR_REJECTED);
    expect_error(f, EK(NOT_FOUND), "member_not_found", "member_id");

    a = application(CITRA, 1000000, NULL);          /* a member of cooperative 2 */
    assert_int_equal(apply_loan(f, &a, &loan), ERR_REJECTED);
    expect_error(f, EK(RULE), "member_of_other_cooperative", "member_id");
}

static void an_application_carries_its_schedule(void **state) {
    fx_t *f = *state;
    Lumbung__ApplyLoan a = application(ALICE, 12000000, NULL);
    Lumbung__Loan *loan;
    assert_int_equal(apply_loan(f, &a, &loan), 0);
    assert_int_equal(loan->n_schedule, 12);
    assert_int_equal(loan->total_interest_sen, 1440000);
    assert_int_equal(loan->schedule[0]->total_sen, 1120000);
    assert_int_equal(loan->schedule[0]->due_on, unit_day("2025-02-10"));
    assert_int_equal(loan->schedule[11]->due_on, unit_day("2026-01-10"));
}

static void a_disbursement_moves_the_principal_out_of_cash_once(void **state) {
    fx_t *f = *state;
    fund(f, 100000000);
    uint64_t id = new_loan(f, ALICE, 12000000, NULL);
    Lumbung__LoanPosted *p;
    assert_int_equal(disburse(f, id, &p), 0);
    assert_int_equal(p->loan->status, STATUS(ACTIVE));
    assert_int_equal(p->entry->n_lines, 2);
    assert_int_equal(p->entry->lines[0]->debit_sen, 12000000);
    assert_int_equal(p->entry->lines[1]->credit_sen, 12000000);
    assert_string_equal(p->entry->lines[1]->account, "1-101");
    assert_int_equal(tx_account_balance(f, COOP, "1-101"), 100000000 - 12000000);
    assert_int_equal(tx_account_balance(f, COOP, p->entry->lines[0]->account), 12000000);

    assert_int_equal(disburse(f, id, &p), ERR_REJECTED);
    expect_error(f, EK(RULE), "already_disbursed", NULL);
    assert_int_equal(tx_account_balance(f, COOP, "1-101"), 100000000 - 12000000);
}

static void a_repayment_pays_late_fee_then_interest_then_principal(void **state) {
    fx_t *f = *state;
    fund(f, 100000000);
    Lumbung__LateFee fee = LUMBUNG__LATE_FEE__INIT;
    fee.has_rate_bp = fee.has_grace_days = 1;
    fee.rate_bp = 10;                                /* 0.1 % a day after 3 days' grace */
    fee.grace_days = 3;
    uint64_t id = new_loan(f, ALICE, 1200000, &fee);
    Lumbung__LoanPosted *p;
    assert_int_equal(disburse(f, id, &p), 0);
    /* Instalment 1 (112,000) due 2025-02-10, 7 days past grace on 02-20: fee 784. */
    assert_int_equal(repay(f, id, 200000, "2025-02-20", &p), 0);
    assert_int_equal(p->allocation->amount_sen, 200000);
    assert_int_equal(p->allocation->late_fee_sen, 784);
    assert_int_equal(p->allocation->interest_sen, 24000);
    assert_int_equal(p->allocation->principal_sen, 175216);
    assert_int_equal(p->loan->outstanding_principal_sen, 1024784);
    assert_int_equal(p->loan->schedule[0]->paid_sen, 112784);
    assert_int_equal(p->loan->schedule[1]->paid_sen, 87216);

    /* Everything left: 12 x 112,000 + 784 - 200,000 = 1,144,784; a sen more is refused. */
    assert_int_equal(repay(f, id, 1144785, "2025-02-20", &p), ERR_REJECTED);
    expect_error(f, EK(RULE), "overpayment", NULL);
    assert_int_equal(repay(f, id, 1144784, "2025-02-20", &p), 0);
    assert_int_equal(p->loan->status, STATUS(PAID));
    assert_int_equal(repay(f, id, 1, "2025-02-21", &p), ERR_REJECTED);
    expect_error(f, EK(RULE), "loan_paid", NULL);
}

static void a_repayment_of_nothing_or_an_unknown_loan_is_refused(void **state) {
    fx_t *f = *state;
    fund(f, 100000000);
    uint64_t id = new_loan(f, ALICE, 1200000, NULL);
    Lumbung__LoanPosted *p;
    assert_int_equal(repay(f, id, 1000, "2025-02-20", &p), ERR_REJECTED);   /* not disbursed */
    assert_int_equal(f->err.kind, EK(RULE));
    assert_int_equal(disburse(f, id, &p), 0);
    assert_int_equal(repay(f, id, 0, "2025-02-20", &p), ERR_REJECTED);
    assert_int_equal(f->err.kind, EK(INVALID));
    assert_string_equal(f->err.field, "amount");
    assert_int_equal(repay(f, 424242, 1000, "2025-02-20", &p), ERR_REJECTED);
    expect_error(f, EK(NOT_FOUND), "loan_not_found", "loan_id");
}

static void a_cancelled_application_cannot_be_disbursed(void **state) {
    fx_t *f = *state;
    fund(f, 100000000);
    uint64_t id = new_loan(f, ALICE, 1200000, NULL);
    Lumbung__CancelLoan c = LUMBUNG__CANCEL_LOAN__INIT;
    c.has_cooperative_id = c.has_loan_id = 1;
    c.cooperative_id = COOP;
    c.loan_id = id;
    Lumbung__Loan *loan;
    assert_int_equal(tx_loans_cancel(&f->ctx, &c, &loan, &f->err), 0);
    assert_int_equal(loan->status, STATUS(CANCELLED));
    Lumbung__LoanPosted *p;
    assert_int_equal(disburse(f, id, &p), ERR_REJECTED);
    assert_int_equal(f->err.kind, EK(RULE));
    assert_int_equal(tx_account_balance(f, COOP, "1-101"), 100000000);

    uint64_t other = new_loan(f, BUDI, 1200000, NULL);
    assert_int_equal(disburse(f, other, &p), 0);
    c.loan_id = other;
    memset(&f->err, 0, sizeof f->err);
    assert_int_equal(tx_loans_cancel(&f->ctx, &c, &loan, &f->err), ERR_REJECTED);
    expect_error(f, EK(RULE), "already_disbursed", NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(an_application_checks_its_terms_and_member, setup, teardown),
        cmocka_unit_test_setup_teardown(an_application_carries_its_schedule, setup, teardown),
        cmocka_unit_test_setup_teardown(a_disbursement_moves_the_principal_out_of_cash_once, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_repayment_pays_late_fee_then_interest_then_principal,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(a_repayment_of_nothing_or_an_unknown_loan_is_refused,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(a_cancelled_application_cannot_be_disbursed, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
