/* reversal (transactions): what an operator relies on when correcting the books — a reversal
   is the mirror of the entry (each debit a credit of the same account and amount), dated in an
   open day, memo "Pembalikan jurnal N" unless one is given; a deposit's reversal takes the
   member's savings back and a withdrawal's gives them back, never below zero; each entry is
   reversed once, and a reversal, an exit settlement, the opening, a loan's or a time deposit's
   entry never (docs/domain.md, "The books' guards"). A refused reversal changes nothing.
   Against a real store, the ledger, savings and the members replica. */
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
#include "../../services/transactions/reversal.h"
#include "../../services/transactions/savings.h"
#include "../../services/transactions/store.h"

#define K(x) LUMBUNG__SAVINGS_KIND__SAVINGS_KIND_##x
#define EK(x) LUMBUNG__ERROR_KIND__ERROR_KIND_##x

#include "tx_fixture.h"
#include "tx_helpers.h"

/* ------------------------------------------------------------------ helpers */

/* Capital paid in (tx_fund), with the memo the reversal tests read back. */
static Lumbung__JournalEntry *fund(fx_t *f, uint64_t coop, int64_t sen) {
    return tx_fund(f, coop, sen, "Setoran modal");
}

static uint64_t move(fx_t *f, bool deposit, Lumbung__SavingsKind kind, int64_t sen) {
    Lumbung__SavingsMovement mv = tx_movement(COOP, ALICE, kind, sen);
    Lumbung__SavingsPosted *p;
    assert_int_equal(tx_savings_move(&f->ctx, &mv, deposit, &p, &f->err), 0);
    return p->entry_id;
}

/* Reverses `entry` of `coop` dated `date` (NULL: today) with `memo` (NULL: the default). */
static int reverse(fx_t *f, uint64_t coop, uint64_t entry, const char *date, const char *memo,
                   Lumbung__JournalEntry **out) {
    Lumbung__ReverseEntry r = LUMBUNG__REVERSE_ENTRY__INIT;
    r.has_cooperative_id = r.has_entry_id = 1;
    r.cooperative_id = coop;
    r.entry_id = entry;
    if (date) {
        r.has_value_date = 1;
        r.value_date = unit_day(date);
    }
    r.memo = (char *) memo;
    memset(&f->err, 0, sizeof f->err);
    return tx_reversal_post(&f->ctx, &r, out, &f->err);
}

static void expect_rejected(fx_t *f, int rc, Lumbung__ErrorKind kind, const char *code,
                            const char *field) {
    assert_int_equal(rc, ERR_REJECTED);
    assert_int_equal(f->err.kind, kind);
    assert_string_equal(f->err.code, code);
    assert_string_equal(f->err.field, field);
}

static int64_t account_balance(fx_t *f, uint64_t coop, const char *code) {
    Lumbung__AccountList *list;
    assert_int_equal(tx_ledger_list_accounts(&f->ctx, coop, &list, &f->err), 0);
    for (size_t i = 0; i < list->n_items; i++)
        if (!strcmp(list->items[i]->code, code)) return list->items[i]->balance_sen;
    fail_msg("no account %s", code);
    return 0;
}

/* As the unit of work sees it (its savings records are written once, at its flush). */
static tx_savings_t savings(fx_t *f, Lumbung__SavingsKind kind) {
    tx_savings_t s;
    assert_int_equal(tx_ctx_get_savings(&f->ctx, ALICE, kind, &s), 0);
    return s;
}

static void expect_line(const Lumbung__JournalLine *l, const char *account, int64_t debit,
                        int64_t credit) {
    assert_string_equal(l->account, account);
    assert_true((l->has_debit_sen ? l->debit_sen : 0) == debit);
    assert_true((l->has_credit_sen ? l->credit_sen : 0) == credit);
}

/* ------------------------------------------------------------------ tests */

static void a_manual_entry_is_mirrored_line_by_line(void **state) {
    fx_t *f = *state;
    Lumbung__JournalEntry *orig = fund(f, COOP, 50000000), *rev;
    assert_int_equal(account_balance(f, COOP, "1-101"), 50000000);
    assert_int_equal(reverse(f, COOP, orig->id, "2025-02-01", NULL, &rev), 0);
    assert_int_equal(rev->kind, LUMBUNG__ENTRY_KIND__ENTRY_KIND_REVERSAL);
    assert_true(rev->has_reverses_id);
    assert_int_equal(rev->reverses_id, orig->id);
    assert_true(rev->id > orig->id);
    assert_int_equal(rev->cooperative_id, COOP);
    assert_int_equal(rev->value_date, unit_day("2025-02-01"));
    char memo[64];
    snprintf(memo, sizeof memo, "Pembalikan jurnal %llu", (unsigned long long) orig->id);
    assert_string_equal(rev->memo, memo);
    assert_int_equal(rev->n_lines, 2);
    expect_line(rev->lines[0], "1-101", 0, 50000000);
    expect_line(rev->lines[1], "3-401", 50000000, 0);
    assert_int_equal(account_balance(f, COOP, "1-101"), 0);
    assert_int_equal(account_balance(f, COOP, "3-401"), 0);
    /* the original stays in the books as it was */
    Lumbung__JournalEntry *again;
    assert_int_equal(tx_ledger_get_entry(&f->ctx, COOP, orig->id, &again, &f->err), 0);
    assert_int_equal(again->kind, orig->kind);
    expect_line(again->lines[0], "1-101", 50000000, 0);
    Lumbung__JournalEntry *stored;
    assert_int_equal(tx_ledger_get_entry(&f->ctx, COOP, rev->id, &stored, &f->err), 0);
    assert_int_equal(stored->reverses_id, orig->id);
}

static void a_given_memo_is_kept_and_a_long_one_refused(void **state) {
    fx_t *f = *state;
    Lumbung__JournalEntry *orig = fund(f, COOP, 1000), *rev;
    char long_memo[TX_MEMO_MAX + 2];
    memset(long_memo, 'x', TX_MEMO_MAX + 1);
    long_memo[TX_MEMO_MAX + 1] = 0;
    expect_rejected(f, reverse(f, COOP, orig->id, "2025-02-01", long_memo, &rev), EK(INVALID),
                    "too_long", "memo");
    assert_int_equal(account_balance(f, COOP, "1-101"), 1000);   /* nothing posted */
    long_memo[TX_MEMO_MAX] = 0;                                  /* exactly the limit */
    assert_int_equal(reverse(f, COOP, orig->id, "2025-02-01", long_memo, &rev), 0);
    assert_int_equal(strlen(rev->memo), TX_MEMO_MAX);
    Lumbung__JournalEntry *other = fund(f, COOP, 2000);
    assert_int_equal(reverse(f, COOP, other->id, "2025-02-01", "salah ketik jumlah", &rev), 0);
    assert_string_equal(rev->memo, "salah ketik jumlah");
}

/* Rp 700 deposited and reversed: the member's voluntary savings are 0 again, paid 0. */
static void a_deposit_reversal_takes_the_savings_back(void **state) {
    fx_t *f = *state;
    uint64_t dep = move(f, true, K(VOLUNTARY), 70000);
    assert_int_equal(savings(f, K(VOLUNTARY)).balance_sen, 70000);
    Lumbung__JournalEntry *rev;
    assert_int_equal(reverse(f, COOP, dep, "2025-01-11", NULL, &rev), 0);
    assert_int_equal(rev->member_id, ALICE);
    assert_int_equal(rev->savings_kind, K(VOLUNTARY));
    assert_true(rev->has_savings_delta_sen);
    assert_int_equal(rev->savings_delta_sen, -70000);
    expect_line(rev->lines[0], "1-101", 0, 70000);
    expect_line(rev->lines[1], "2-101", 70000, 0);
    tx_savings_t s = savings(f, K(VOLUNTARY));
    assert_int_equal(s.balance_sen, 0);
    assert_int_equal(s.paid_sen, 0);
    assert_int_equal(account_balance(f, COOP, "2-101"), 0);
    assert_int_equal(account_balance(f, COOP, "1-101"), 0);
}

/* Rp 1,000 in, Rp 400 out, the withdrawal reversed: Rp 1,000 again, withdrawn 0. */
static void a_withdrawal_reversal_gives_the_savings_back(void **state) {
    fx_t *f = *state;
    move(f, true, K(VOLUNTARY), 100000);
    uint64_t out = move(f, false, K(VOLUNTARY), 40000);
    assert_int_equal(savings(f, K(VOLUNTARY)).withdrawn_sen, 40000);
    Lumbung__JournalEntry *rev;
    assert_int_equal(reverse(f, COOP, out, "2025-01-11", NULL, &rev), 0);
    assert_int_equal(rev->savings_delta_sen, 40000);
    tx_savings_t s = savings(f, K(VOLUNTARY));
    assert_int_equal(s.balance_sen, 100000);
    assert_int_equal(s.paid_sen, 100000);
    assert_int_equal(s.withdrawn_sen, 0);
    assert_int_equal(account_balance(f, COOP, "2-101"), 100000);
    assert_int_equal(account_balance(f, COOP, "1-101"), 100000);
}

/* A deposit whose money has been withdrawn cannot be reversed below zero. */
static void a_reversal_never_takes_savings_below_zero(void **state) {
    fx_t *f = *state;
    uint64_t dep = move(f, true, K(VOLUNTARY), 100000);
    move(f, false, K(VOLUNTARY), 30000);
    Lumbung__JournalEntry *rev;
    expect_rejected(f, reverse(f, COOP, dep, "2025-01-11", NULL, &rev), EK(RULE),
                    "insufficient_funds", "entry_id");
    assert_int_equal(savings(f, K(VOLUNTARY)).balance_sen, 70000);
    assert_int_equal(account_balance(f, COOP, "2-101"), 70000);
    assert_int_equal(account_balance(f, COOP, "1-101"), 70000);
    move(f, true, K(VOLUNTARY), 30000);              /* with the money back it may be */
    assert_int_equal(reverse(f, COOP, dep, "2025-01-11", NULL, &rev), 0);
    assert_int_equal(savings(f, K(VOLUNTARY)).balance_sen, 0);
}

static void each_entry_is_reversed_once_and_a_reversal_never(void **state) {
    fx_t *f = *state;
    Lumbung__JournalEntry *orig = fund(f, COOP, 5000), *rev, *again;
    assert_int_equal(reverse(f, COOP, orig->id, "2025-02-01", NULL, &rev), 0);
    expect_rejected(f, reverse(f, COOP, orig->id, "2025-02-02", NULL, &again), EK(RULE),
                    "already_reversed", "entry_id");
    char msg[128];
    snprintf(msg, sizeof msg, "entry %llu was already reversed by entry %llu",
             (unsigned long long) orig->id, (unsigned long long) rev->id);
    assert_string_equal(f->err.message, msg);
    expect_rejected(f, reverse(f, COOP, rev->id, "2025-02-02", NULL, &again), EK(RULE),
                    "cannot_reverse_reversal", "entry_id");
    assert_int_equal(account_balance(f, COOP, "1-101"), 0);
}

static void an_exit_settlement_is_final(void **state) {
    fx_t *f = *state;
    move(f, true, K(PRINCIPAL), 0);
    member_event(f, ALICE, COOP, true, 6);
    Lumbung__Settlement *st;
    assert_int_equal(tx_savings_get_settlement(&f->ctx, COOP, ALICE, &st, &f->err), 0);
    Lumbung__JournalEntry *rev;
    expect_rejected(f, reverse(f, COOP, st->entry_id, "2025-07-01", NULL, &rev), EK(RULE),
                    "settlement_final", "entry_id");
}

static void the_opening_entry_is_final(void **state) {
    fx_t *f = *state;
    Lumbung__JournalLine l[2] = { LUMBUNG__JOURNAL_LINE__INIT, LUMBUNG__JOURNAL_LINE__INIT };
    Lumbung__JournalLine *lines[2] = { &l[0], &l[1] };
    l[0].account = "1-101";
    l[0].has_debit_sen = 1;
    l[0].debit_sen = 25000000;
    l[1].account = "3-201";
    l[1].has_credit_sen = 1;
    l[1].credit_sen = 25000000;
    Lumbung__PostOpening op = LUMBUNG__POST_OPENING__INIT;
    op.has_cooperative_id = 1;
    op.cooperative_id = COOP;
    op.has_value_date = 1;
    op.value_date = unit_day("2025-01-01");
    op.n_lines = 2;
    op.lines = lines;
    Lumbung__JournalEntry *opening, *rev;
    assert_int_equal(tx_savings_post_opening(&f->ctx, &op, &opening, &f->err), 0);
    expect_rejected(f, reverse(f, COOP, opening->id, "2025-02-01", NULL, &rev), EK(RULE),
                    "opening_final", "entry_id");
    assert_int_equal(account_balance(f, COOP, "1-101"), 25000000);
}

/* Rp 100,000 paid out on a loan: its entry names the loan and stays. */
static void a_loan_entry_cannot_be_reversed(void **state) {
    fx_t *f = *state;
    fund(f, COOP, 50000000);
    Lumbung__ApplyLoan a = LUMBUNG__APPLY_LOAN__INIT;
    a.has_cooperative_id = a.has_member_id = a.has_principal_sen = a.has_annual_rate_bp = 1;
    a.has_instalments = a.has_frequency = a.has_method = 1;
    a.cooperative_id = COOP;
    a.member_id = ALICE;
    a.principal_sen = 10000000;
    a.annual_rate_bp = 1200;
    a.instalments = 12;
    a.frequency = LUMBUNG__LOAN_FREQUENCY__LOAN_FREQUENCY_MONTHLY;
    a.method = LUMBUNG__LOAN_METHOD__LOAN_METHOD_FLAT;
    a.has_first_due_on = a.has_applied_on = 1;
    a.first_due_on = unit_day("2025-02-10");
    a.applied_on = unit_day("2025-01-05");
    Lumbung__Loan *loan;
    assert_int_equal(tx_loans_apply(&f->ctx, &a, &loan, &f->err), 0);
    Lumbung__DisburseLoan d = LUMBUNG__DISBURSE_LOAN__INIT;
    d.has_cooperative_id = d.has_loan_id = d.has_value_date = 1;
    d.cooperative_id = COOP;
    d.loan_id = loan->id;
    d.value_date = unit_day("2025-01-10");
    Lumbung__LoanPosted *posted;
    assert_int_equal(tx_loans_disburse(&f->ctx, &d, &posted, &f->err), 0);
    Lumbung__JournalEntry *rev;
    expect_rejected(f, reverse(f, COOP, posted->entry->id, "2025-02-01", NULL, &rev), EK(RULE),
                    "loan_entry", "entry_id");
    char msg[160];
    snprintf(msg, sizeof msg, "entry %llu moves loan %llu; loan entries cannot be reversed",
             (unsigned long long) posted->entry->id, (unsigned long long) loan->id);
    assert_string_equal(f->err.message, msg);
    assert_int_equal(account_balance(f, COOP, "1-201"), 10000000);
    assert_int_equal(account_balance(f, COOP, "1-101"), 40000000);
}

static void a_time_deposit_entry_cannot_be_reversed(void **state) {
    fx_t *f = *state;
    Lumbung__SavingsMovement mv = LUMBUNG__SAVINGS_MOVEMENT__INIT;
    mv.has_cooperative_id = mv.has_member_id = mv.has_kind = mv.has_amount_sen = 1;
    mv.cooperative_id = COOP;
    mv.member_id = ALICE;
    mv.kind = K(TIME_DEPOSIT);
    mv.amount_sen = 100000000;
    mv.has_value_date = mv.has_term_months = mv.has_annual_rate_bp = 1;
    mv.value_date = unit_day("2025-01-31");
    mv.term_months = 6;
    mv.annual_rate_bp = 600;
    Lumbung__SavingsPosted *p;
    assert_int_equal(tx_savings_move(&f->ctx, &mv, true, &p, &f->err), 0);
    Lumbung__JournalEntry *rev;
    expect_rejected(f, reverse(f, COOP, p->entry_id, "2025-02-01", NULL, &rev), EK(RULE),
                    "time_deposit_entry", "entry_id");
    assert_int_equal(account_balance(f, COOP, "2-102"), 100000000);
}

static void an_entry_of_another_cooperative_is_not_found(void **state) {
    fx_t *f = *state;
    Lumbung__JournalEntry *orig = fund(f, COOP, 5000), *rev;
    expect_rejected(f, reverse(f, COOP2, orig->id, "2025-02-01", NULL, &rev), EK(NOT_FOUND),
                    "entry_not_found", "entry_id");
    expect_rejected(f, reverse(f, COOP, orig->id + 1000, "2025-02-01", NULL, &rev),
                    EK(NOT_FOUND), "entry_not_found", "entry_id");
    expect_rejected(f, reverse(f, COOP, 0, "2025-02-01", NULL, &rev), EK(NOT_FOUND),
                    "entry_not_found", "entry_id");
    assert_int_equal(account_balance(f, COOP, "1-101"), 5000);
}

/* No value date after today; a refused reversal leaves the entry reversible. */
static void a_future_value_date_is_refused_and_changes_nothing(void **state) {
    fx_t *f = *state;
    Lumbung__JournalEntry *orig = fund(f, COOP, 5000), *rev;
    expect_rejected(f, reverse(f, COOP, orig->id, "2099-01-01", NULL, &rev), EK(RULE),
                    "future_date", "value_date");
    assert_int_equal(account_balance(f, COOP, "1-101"), 5000);
    assert_int_equal(reverse(f, COOP, orig->id, NULL, NULL, &rev), 0);   /* today */
    assert_int_equal(rev->value_date, f->ctx.today);
    assert_int_equal(account_balance(f, COOP, "1-101"), 0);
}

int main(void) {
    unit_quiet_logs("test_transactions_reversal");
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(a_manual_entry_is_mirrored_line_by_line),
        T(a_given_memo_is_kept_and_a_long_one_refused),
        T(a_deposit_reversal_takes_the_savings_back),
        T(a_withdrawal_reversal_gives_the_savings_back),
        T(a_reversal_never_takes_savings_below_zero),
        T(each_entry_is_reversed_once_and_a_reversal_never),
        T(an_exit_settlement_is_final),
        T(the_opening_entry_is_final),
        T(a_loan_entry_cannot_be_reversed),
        T(a_time_deposit_entry_cannot_be_reversed),
        T(an_entry_of_another_cooperative_is_not_found),
        T(a_future_value_date_is_refused_and_changes_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
