/* savings (transactions): what a member and a teller rely on — a deposit is one balanced entry
   (Dr Kas / Cr the kind's account) that raises the member's balance by exactly the amount; a
   voluntary withdrawal is the reverse and never leaves the balance below the cooperative's
   minimum (422 insufficient_funds on "amount", nothing written); principal is paid exactly once
   and exactly the configured amount (the amount may be left out); principal and mandatory
   savings cannot be withdrawn while a member (savings_locked on "kind"); mandatory arrears are
   periods since joining x amount - paid (docs/domain.md, "Savings"). Against a real store, the
   ledger and the members replica. */
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
#include "../../services/transactions/replica.h"
#include "../../services/transactions/savings.h"
#include "../../services/transactions/store.h"

#define K(x) LUMBUNG__SAVINGS_KIND__SAVINGS_KIND_##x
#define EK(x) LUMBUNG__ERROR_KIND__ERROR_KIND_##x

#include "tx_fixture.h"
#include "tx_helpers.h"

/* ------------------------------------------------------------------ helpers */

static int try_move(fx_t *f, bool deposit, Lumbung__SavingsKind kind, int64_t sen,
                    Lumbung__SavingsPosted **out) {
    Lumbung__SavingsMovement mv = tx_movement(COOP, ALICE, kind, sen);
    memset(&f->err, 0, sizeof f->err);
    return tx_savings_move(&f->ctx, &mv, deposit, out, &f->err);
}

static Lumbung__SavingsPosted *move(fx_t *f, bool deposit, Lumbung__SavingsKind kind,
                                    int64_t sen) {
    Lumbung__SavingsPosted *p = NULL;
    assert_int_equal(try_move(f, deposit, kind, sen, &p), 0);
    return p;
}

/* As the unit of work sees it (its savings records are written once, at its flush). */
static tx_savings_t savings(fx_t *f, Lumbung__SavingsKind kind) {
    tx_savings_t s;
    assert_int_equal(tx_ctx_get_savings(&f->ctx, ALICE, kind, &s), 0);
    return s;
}

static void expect_savings(fx_t *f, Lumbung__SavingsKind kind, int64_t balance, int64_t paid,
                           int64_t withdrawn) {
    tx_savings_t s = savings(f, kind);
    assert_true(s.balance_sen == balance);
    assert_true(s.paid_sen == paid);
    assert_true(s.withdrawn_sen == withdrawn);
}

static void expect_line(const Lumbung__JournalLine *l, const char *account, int64_t debit,
                        int64_t credit) {
    assert_string_equal(l->account, account);
    assert_true((l->has_debit_sen ? l->debit_sen : 0) == debit);
    assert_true((l->has_credit_sen ? l->credit_sen : 0) == credit);
}

/* ------------------------------------------------------------------ tests */

static void a_voluntary_deposit_is_one_balanced_entry(void **state) {
    fx_t *f = *state;
    Lumbung__SavingsPosted *p = move(f, true, K(VOLUNTARY), 2500050);
    assert_int_equal(p->member_id, ALICE);
    assert_int_equal(p->kind, K(VOLUNTARY));
    assert_true(p->amount_sen == 2500050);
    assert_true(p->balance_sen == 2500050);
    assert_int_equal(p->entry->kind, LUMBUNG__ENTRY_KIND__ENTRY_KIND_DEPOSIT);
    assert_int_equal(p->entry->id, p->entry_id);
    assert_string_equal(p->entry->memo, "Setoran simpanan sukarela");
    assert_int_equal(p->entry->n_lines, 2);
    expect_line(p->entry->lines[0], "1-101", 2500050, 0);
    expect_line(p->entry->lines[1], "2-101", 0, 2500050);
    assert_true(p->entry->savings_delta_sen == 2500050);
    assert_int_equal(tx_account_balance(f, COOP, "1-101"), 2500050);
    assert_int_equal(tx_account_balance(f, COOP, "2-101"), 2500050);
    expect_savings(f, K(VOLUNTARY), 2500050, 2500050, 0);
    /* other kinds and other members are untouched */
    expect_savings(f, K(MANDATORY), 0, 0, 0);
    tx_savings_t budi;
    assert_int_equal(tx_ctx_get_savings(&f->ctx, BUDI, K(VOLUNTARY), &budi), 0);
    assert_true(budi.balance_sen == 0);
}

static void a_withdrawal_takes_exactly_the_amount(void **state) {
    fx_t *f = *state;
    move(f, true, K(VOLUNTARY), 3000000);
    Lumbung__SavingsPosted *p = move(f, false, K(VOLUNTARY), 1200000);
    assert_true(p->balance_sen == 1800000);
    assert_int_equal(p->entry->kind, LUMBUNG__ENTRY_KIND__ENTRY_KIND_WITHDRAWAL);
    assert_string_equal(p->entry->memo, "Penarikan simpanan sukarela");
    expect_line(p->entry->lines[0], "2-101", 1200000, 0);
    expect_line(p->entry->lines[1], "1-101", 0, 1200000);
    assert_true(p->entry->savings_delta_sen == -1200000);
    assert_int_equal(tx_account_balance(f, COOP, "1-101"), 1800000);
    assert_int_equal(tx_account_balance(f, COOP, "2-101"), 1800000);
    expect_savings(f, K(VOLUNTARY), 1800000, 3000000, 1200000);
    /* the whole balance may go */
    p = move(f, false, K(VOLUNTARY), 1800000);
    assert_true(p->balance_sen == 0);
    expect_savings(f, K(VOLUNTARY), 0, 3000000, 3000000);
}

static void a_withdrawal_beyond_the_balance_is_refused_and_writes_nothing(void **state) {
    fx_t *f = *state;
    move(f, true, K(VOLUNTARY), 1000000);
    Lumbung__SavingsPosted *p = NULL;
    tx_expect_rejected(&f->err, try_move(f, false, K(VOLUNTARY), 1000001, &p), EK(RULE),
                    "insufficient_funds", "amount");
    assert_null(p);
    expect_savings(f, K(VOLUNTARY), 1000000, 1000000, 0);
    assert_int_equal(tx_account_balance(f, COOP, "1-101"), 1000000);
    assert_int_equal(tx_account_balance(f, COOP, "2-101"), 1000000);
    /* with nothing saved at all, too */
    Lumbung__SavingsMovement mv = tx_movement(COOP, BUDI, K(VOLUNTARY), 1);
    assert_int_equal(tx_savings_move(&f->ctx, &mv, false, &p, &f->err), ERR_REJECTED);
    assert_string_equal(f->err.code, "insufficient_funds");
    assert_string_equal(f->err.field, "amount");
}

static void the_minimum_balance_holds(void **state) {
    fx_t *f = *state;
    /* the cooperative's settings now ask for Rp 10,000 to stay */
    Lumbung__CooperativeSettings s = LUMBUNG__COOPERATIVE_SETTINGS__INIT;
    s.has_principal_amount_sen = s.has_mandatory_amount_sen = 1;
    s.principal_amount_sen = PRINCIPAL_SEN;
    s.mandatory_amount_sen = MANDATORY_SEN;
    s.has_voluntary_min_balance_sen = 1;
    s.voluntary_min_balance_sen = 1000000;
    Lumbung__Cooperative c = LUMBUNG__COOPERATIVE__INIT;
    c.has_id = 1;
    c.id = COOP;
    c.settings = &s;
    Lumbung__MembersEvent ev = LUMBUNG__MEMBERS_EVENT__INIT;
    ev.body_case = LUMBUNG__MEMBERS_EVENT__BODY_COOPERATIVE_CREATED;
    ev.cooperative_created = &c;
    assert_int_equal(apply(f, &ev, 6), 0);
    move(f, true, K(VOLUNTARY), 5000000);
    Lumbung__SavingsPosted *p;
    tx_expect_rejected(&f->err, try_move(f, false, K(VOLUNTARY), 4000001, &p), EK(RULE),
                    "insufficient_funds", "amount");
    expect_savings(f, K(VOLUNTARY), 5000000, 5000000, 0);
    p = move(f, false, K(VOLUNTARY), 4000000);
    assert_true(p->balance_sen == 1000000);
}

static void principal_is_paid_once_and_exactly_the_configured_amount(void **state) {
    fx_t *f = *state;
    Lumbung__SavingsPosted *p;
    tx_expect_rejected(&f->err, try_move(f, true, K(PRINCIPAL), PRINCIPAL_SEN - 1, &p), EK(RULE),
                    "wrong_principal_amount", "amount");
    expect_savings(f, K(PRINCIPAL), 0, 0, 0);
    assert_int_equal(tx_account_balance(f, COOP, "3-101"), 0);
    /* the amount may be left out: it is the configured one */
    p = move(f, true, K(PRINCIPAL), 0);
    assert_true(p->amount_sen == PRINCIPAL_SEN);
    assert_true(p->balance_sen == PRINCIPAL_SEN);
    assert_string_equal(p->entry->memo, "Setoran simpanan pokok");
    expect_line(p->entry->lines[0], "1-101", PRINCIPAL_SEN, 0);
    expect_line(p->entry->lines[1], "3-101", 0, PRINCIPAL_SEN);
    assert_int_equal(tx_account_balance(f, COOP, "3-101"), PRINCIPAL_SEN);
    tx_expect_rejected(&f->err, try_move(f, true, K(PRINCIPAL), PRINCIPAL_SEN, &p), EK(RULE),
                    "principal_already_paid", "kind");
    expect_savings(f, K(PRINCIPAL), PRINCIPAL_SEN, PRINCIPAL_SEN, 0);
    assert_int_equal(tx_account_balance(f, COOP, "3-101"), PRINCIPAL_SEN);
}

static void principal_and_mandatory_are_locked_while_a_member(void **state) {
    fx_t *f = *state;
    move(f, true, K(PRINCIPAL), 0);
    move(f, true, K(MANDATORY), MANDATORY_SEN);
    Lumbung__SavingsPosted *p;
    tx_expect_rejected(&f->err, try_move(f, false, K(PRINCIPAL), PRINCIPAL_SEN, &p), EK(RULE),
                    "savings_locked", "kind");
    tx_expect_rejected(&f->err, try_move(f, false, K(MANDATORY), 1, &p), EK(RULE), "savings_locked",
                    "kind");
    expect_savings(f, K(PRINCIPAL), PRINCIPAL_SEN, PRINCIPAL_SEN, 0);
    expect_savings(f, K(MANDATORY), MANDATORY_SEN, MANDATORY_SEN, 0);
    assert_int_equal(tx_account_balance(f, COOP, "1-101"), PRINCIPAL_SEN + MANDATORY_SEN);
    assert_int_equal(tx_account_balance(f, COOP, "3-102"), MANDATORY_SEN);
}

static void a_movement_needs_a_kind_and_a_positive_amount(void **state) {
    fx_t *f = *state;
    Lumbung__SavingsPosted *p;
    tx_expect_rejected(&f->err, try_move(f, true, K(VOLUNTARY), 0, &p), EK(INVALID), "missing_field",
                    "amount");
    tx_expect_rejected(&f->err, try_move(f, true, K(MANDATORY), -500, &p), EK(INVALID),
                    "negative_amount", "amount");
    Lumbung__SavingsMovement mv = tx_movement(COOP, ALICE, K(VOLUNTARY), 100);
    mv.has_kind = 0;
    tx_expect_rejected(&f->err, tx_savings_move(&f->ctx, &mv, true, &p, &f->err), EK(INVALID),
                    "missing_field", "kind");
    expect_savings(f, K(VOLUNTARY), 0, 0, 0);
    assert_int_equal(tx_account_balance(f, COOP, "1-101"), 0);
}

static void mandatory_arrears_are_periods_times_amount_less_paid(void **state) {
    fx_t *f = *state;
    move(f, true, K(MANDATORY), MANDATORY_SEN);
    Lumbung__GetMemberAccounts req = LUMBUNG__GET_MEMBER_ACCOUNTS__INIT;
    req.has_cooperative_id = req.has_member_id = req.has_as_of = 1;
    req.cooperative_id = COOP;
    req.member_id = ALICE;
    req.as_of = unit_day("2024-03-20");   /* joined 2024-01-15, monthly: 3 periods */
    Lumbung__MemberAccounts *m;
    assert_int_equal(tx_savings_member_accounts(&f->ctx, &req, &m, &f->err), 0);
    assert_string_equal(m->status, "active");
    assert_int_equal(m->n_items, 4);
    const Lumbung__SavingsAccount *mand = m->items[1];
    assert_int_equal(mand->kind, K(MANDATORY));
    assert_int_equal(mand->periods_due, 3);
    assert_true(mand->due_sen == 3 * MANDATORY_SEN);
    assert_true(mand->arrears_sen == 2 * MANDATORY_SEN);
    assert_true(mand->balance_sen == MANDATORY_SEN);
    assert_int_equal(m->items[0]->kind, K(PRINCIPAL));
    assert_true(m->items[0]->due_sen == PRINCIPAL_SEN);
    /* paying ahead: no arrears, never negative */
    move(f, true, K(MANDATORY), 3 * MANDATORY_SEN);
    assert_int_equal(tx_savings_member_accounts(&f->ctx, &req, &m, &f->err), 0);
    assert_true(m->items[1]->arrears_sen == 0);
    assert_true(m->items[1]->paid_sen == 4 * MANDATORY_SEN);
}

static void the_records_survive_the_end_of_the_unit_of_work(void **state) {
    fx_t *f = *state;
    move(f, true, K(VOLUNTARY), 700000);
    move(f, false, K(VOLUNTARY), 200000);
    tx_next_unit_of_work(f);
    expect_savings(f, K(VOLUNTARY), 500000, 700000, 200000);
    assert_int_equal(tx_account_balance(f, COOP, "1-101"), 500000);
    Lumbung__SavingsPosted *p;
    tx_expect_rejected(&f->err, try_move(f, false, K(VOLUNTARY), 500001, &p), EK(RULE),
                    "insufficient_funds", "amount");
}

static void the_pure_rules(void **state) {
    (void) state;
    int32_t joined = unit_day("2024-01-15");
    assert_int_equal(tx_savings_periods_due(joined, joined - 1, 1), 0);
    assert_int_equal(tx_savings_periods_due(joined, joined, 1), 1);
    assert_int_equal(tx_savings_periods_due(joined, unit_day("2024-02-14"), 1), 1);
    assert_int_equal(tx_savings_periods_due(joined, unit_day("2024-02-15"), 1), 2);
    assert_int_equal(tx_savings_periods_due(joined, joined + 7, 0), 2);
    int64_t due;
    assert_true(tx_savings_arrears(3, 5000000, 4000000, &due) == 11000000);
    assert_true(due == 15000000);
    assert_true(tx_savings_arrears(1, 5000000, 9000000, &due) == 0);
    int64_t interest;
    /* Rp 1,000,000 at 6 % for 12 months: Rp 60,000 */
    assert_int_equal(tx_savings_td_interest(100000000, 600, 12, &interest), 0);
    assert_true(interest == 6000000);
    /* 1 sen at 50 % for 1 month: 0.0416 sen, rounds to 0 */
    assert_int_equal(tx_savings_td_interest(1, 5000, 1, &interest), 0);
    assert_true(interest == 0);
}

int main(void) {
    unit_quiet_logs("test_transactions_savings");
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(a_voluntary_deposit_is_one_balanced_entry),
        T(a_withdrawal_takes_exactly_the_amount),
        T(a_withdrawal_beyond_the_balance_is_refused_and_writes_nothing),
        T(the_minimum_balance_holds),
        T(principal_is_paid_once_and_exactly_the_configured_amount),
        T(principal_and_mandatory_are_locked_while_a_member),
        T(a_movement_needs_a_kind_and_a_positive_amount),
        T(mandatory_arrears_are_periods_times_amount_less_paid),
        T(the_records_survive_the_end_of_the_unit_of_work),
        cmocka_unit_test(the_pure_rules),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
