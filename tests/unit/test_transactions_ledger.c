/* The ledger, savings, replica and batch modules of the transactions service against a real
   LMDB store: every test runs in one write transaction that is aborted afterwards. */
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
#include "../../services/transactions/batch.h"
#include "../../services/transactions/ledger.h"
#include "../../services/transactions/reversal.h"
#include "../../services/transactions/lending.h"
#include "../../services/transactions/replica.h"
#include "../../services/transactions/savings.h"
#include "../../services/transactions/store.h"

#define K(x) LUMBUNG__SAVINGS_KIND__SAVINGS_KIND_##x
#define EK(x) LUMBUNG__ERROR_KIND__ERROR_KIND_##x

#include "tx_fixture.h"
#include "tx_helpers.h"

/* ------------------------------------------------------------------ helpers */

static int move(fx_t *f, bool deposit, uint64_t member, Lumbung__SavingsKind kind, int64_t sen,
                Lumbung__SavingsPosted **out) {
    Lumbung__SavingsMovement mv = tx_movement(COOP, member, kind, sen);
    Lumbung__SavingsPosted *p;
    memset(&f->err, 0, sizeof f->err);
    return tx_savings_move(&f->ctx, &mv, deposit, out ? out : &p, &f->err);
}

/* As the unit of work sees it (its savings records are written once, at its flush). */
static int64_t balance(fx_t *f, uint64_t member, int kind) {
    tx_savings_t s;
    assert_int_equal(tx_ctx_get_savings(&f->ctx, member, kind, &s), 0);
    return s.balance_sen;
}

static uint64_t entry_count(fx_t *f) { return store_count(f->txn, f->db.entries); }

static void assert_trial_balance(fx_t *f, uint64_t coop) {
    Lumbung__TrialBalance *tb;
    assert_int_equal(tx_ledger_trial_balance(&f->ctx, coop, &tb, &f->err), 0);
    assert_true(tb->balanced);
    assert_true(tb->total_debit_sen == tb->total_credit_sen);
}

typedef struct { Lumbung__JournalLine lines[8]; Lumbung__JournalLine *ptrs[8]; } lines_t;

static Lumbung__PostEntry entry(lines_t *l, size_t n, const char *const *codes,
                                const int64_t *debits, const int64_t *credits) {
    Lumbung__PostEntry e = LUMBUNG__POST_ENTRY__INIT;
    e.has_cooperative_id = 1;
    e.cooperative_id = COOP;
    e.has_value_date = 1;
    e.value_date = unit_day("2025-01-10");
    for (size_t i = 0; i < n; i++) {
        lumbung__journal_line__init(&l->lines[i]);
        l->lines[i].account = (char *) codes[i];
        if (debits[i]) {
            l->lines[i].has_debit_sen = 1;
            l->lines[i].debit_sen = debits[i];
        }
        if (credits[i]) {
            l->lines[i].has_credit_sen = 1;
            l->lines[i].credit_sen = credits[i];
        }
        l->ptrs[i] = &l->lines[i];
    }
    e.n_lines = n;
    e.lines = l->ptrs;
    return e;
}

/* ------------------------------------------------------------------ chart and entries */

/* Cash in hand for tests that pay out: Dr Kas / Cr Modal penyertaan, dated 2025-01-01. */
static void fund(fx_t *f, int64_t sen) {
    lines_t l;
    const char *codes[] = { "1-101", "3-401" };
    int64_t d[] = { sen, 0 }, c[] = { 0, sen };
    Lumbung__PostEntry req = entry(&l, 2, codes, d, c);
    req.has_value_date = 1;
    req.value_date = unit_day("2025-01-01");
    Lumbung__JournalEntry *e;
    assert_int_equal(tx_ledger_post_manual(&f->ctx, &req, &e, &f->err), 0);
}

static void new_cooperative_gets_the_standard_chart(void **state) {
    fx_t *f = *state;
    Lumbung__AccountList *list;
    assert_int_equal(tx_ledger_list_accounts(&f->ctx, COOP, &list, &f->err), 0);
    assert_int_equal(list->n_items, 31);
    assert_string_equal(list->items[0]->code, "1-101");
    assert_string_equal(list->items[0]->name, "Kas");
    const char *code;
    assert_int_equal(tx_ledger_role_code(&f->ctx, COOP2, LUMBUNG__ACCOUNT_ROLE__ACCOUNT_ROLE_VOLUNTARY_SAVINGS,
                                         &code, &f->err), 0);
    assert_string_equal(code, "2-101");
    /* A repeated creation event changes nothing. */
    coop_created(f, COOP, 1);
    assert_int_equal(tx_ledger_list_accounts(&f->ctx, COOP, &list, &f->err), 0);
    assert_int_equal(list->n_items, 31);
}

static void balanced_entry_posts_and_moves_totals(void **state) {
    fx_t *f = *state;
    lines_t l;
    const char *codes[] = { "5-202", "1-101" };
    int64_t d[] = { 150000, 0 }, c[] = { 0, 150000 };
    Lumbung__PostEntry req = entry(&l, 2, codes, d, c);
    Lumbung__JournalEntry *e;
    fund(f, 200000);
    assert_int_equal(tx_ledger_post_manual(&f->ctx, &req, &e, &f->err), 0);
    assert_true(e->id > 0);
    assert_int_equal(e->total_sen, 150000);
    assert_int_equal(tx_account_balance(f, COOP, "5-202"), 150000);
    assert_int_equal(tx_account_balance(f, COOP, "1-101"), 50000);
    assert_int_equal(tx_account_balance(f, COOP2, "1-101"), 0);
    assert_trial_balance(f, COOP);
}

static void unbalanced_entry_states_both_totals(void **state) {
    fx_t *f = *state;
    lines_t l;
    const char *codes[] = { "5-202", "1-101" };
    int64_t d[] = { 150000, 0 }, c[] = { 0, 140000 };
    Lumbung__PostEntry req = entry(&l, 2, codes, d, c);
    Lumbung__JournalEntry *e;
    uint64_t before = entry_count(f);
    assert_int_equal(tx_ledger_post_manual(&f->ctx, &req, &e, &f->err), ERR_REJECTED);
    assert_int_equal(f->err.kind, EK(INVALID));
    assert_string_equal(f->err.code, "unbalanced");
    assert_string_equal(f->err.field, "lines");
    assert_non_null(strstr(f->err.message, "1500"));
    assert_non_null(strstr(f->err.message, "1400"));
    assert_int_equal(entry_count(f), before);
}

static void bad_lines_are_named(void **state) {
    fx_t *f = *state;
    lines_t l;
    Lumbung__JournalEntry *e;
    const char *codes[] = { "1-101", "9-999" };
    int64_t d[] = { 100, 0 }, c[] = { 0, 100 };
    Lumbung__PostEntry req = entry(&l, 2, codes, d, c);
    assert_int_equal(tx_ledger_post_manual(&f->ctx, &req, &e, &f->err), ERR_REJECTED);
    assert_string_equal(f->err.field, "lines[1].account");
    assert_string_equal(f->err.code, "unknown_account");

    const char *codes2[] = { "1-101", "1-102" };
    int64_t d2[] = { 100, 100 }, c2[] = { 0, 100 };     /* line 1 has both sides */
    req = entry(&l, 2, codes2, d2, c2);
    assert_int_equal(tx_ledger_post_manual(&f->ctx, &req, &e, &f->err), ERR_REJECTED);
    assert_string_equal(f->err.field, "lines[1]");

    int64_t d3[] = { 100, 0 }, c3[] = { 0, 0 };          /* line 1 has neither */
    req = entry(&l, 2, codes2, d3, c3);
    assert_int_equal(tx_ledger_post_manual(&f->ctx, &req, &e, &f->err), ERR_REJECTED);
    assert_string_equal(f->err.field, "lines[1]");

    req = entry(&l, 1, codes2, d, c);
    assert_int_equal(tx_ledger_post_manual(&f->ctx, &req, &e, &f->err), ERR_REJECTED);
    assert_string_equal(f->err.code, "too_few_lines");
}

static void manual_entries_cannot_touch_savings(void **state) {
    fx_t *f = *state;
    lines_t l;
    Lumbung__JournalEntry *e;
    const char *codes[] = { "1-101", "2-101" };
    int64_t d[] = { 100, 0 }, c[] = { 0, 100 };
    Lumbung__PostEntry req = entry(&l, 2, codes, d, c);
    assert_int_equal(tx_ledger_post_manual(&f->ctx, &req, &e, &f->err), ERR_REJECTED);
    assert_int_equal(f->err.kind, EK(RULE));
    assert_string_equal(f->err.code, "savings_account");
    assert_string_equal(f->err.field, "lines[1].account");
}

static void added_accounts_are_checked(void **state) {
    fx_t *f = *state;
    Lumbung__AddAccount a = LUMBUNG__ADD_ACCOUNT__INIT;
    Lumbung__Account *out;
    a.has_cooperative_id = a.has_class_ = 1;
    a.cooperative_id = COOP;
    a.code = "1-104";
    a.name = "Kas kecil";
    a.class_ = LUMBUNG__ACCOUNT_CLASS__ACCOUNT_CLASS_ASSET;
    a.has_role = 1;
    a.role = LUMBUNG__ACCOUNT_ROLE__ACCOUNT_ROLE_CASH;
    assert_int_equal(tx_ledger_add_account(&f->ctx, &a, &out, &f->err), 0);
    assert_string_equal(out->code, "1-104");
    /* The role keeps posting to its first account. */
    const char *code;
    assert_int_equal(tx_ledger_role_code(&f->ctx, COOP, LUMBUNG__ACCOUNT_ROLE__ACCOUNT_ROLE_CASH,
                                         &code, &f->err), 0);
    assert_string_equal(code, "1-101");
    assert_int_equal(tx_ledger_add_account(&f->ctx, &a, &out, &f->err), ERR_REJECTED);
    assert_int_equal(f->err.kind, EK(CONFLICT));
    a.code = "1-105";
    a.class_ = LUMBUNG__ACCOUNT_CLASS__ACCOUNT_CLASS_INCOME;
    assert_int_equal(tx_ledger_add_account(&f->ctx, &a, &out, &f->err), ERR_REJECTED);
    assert_string_equal(f->err.field, "role");
    a.code = "kas";
    assert_int_equal(tx_ledger_add_account(&f->ctx, &a, &out, &f->err), ERR_REJECTED);
    assert_string_equal(f->err.field, "code");
}

/* ------------------------------------------------------------------ savings */

static void voluntary_never_goes_below_zero(void **state) {
    fx_t *f = *state;
    Lumbung__SavingsPosted *p;
    assert_int_equal(move(f, true, ALICE, K(VOLUNTARY), 100000, &p), 0);
    assert_int_equal(p->balance_sen, 100000);
    assert_int_equal(p->entry->n_lines, 2);
    assert_string_equal(p->entry->lines[0]->account, "1-101");
    assert_string_equal(p->entry->lines[1]->account, "2-101");
    uint64_t before = entry_count(f);
    assert_int_equal(move(f, false, ALICE, K(VOLUNTARY), 150000, NULL), ERR_REJECTED);
    assert_int_equal(f->err.kind, EK(RULE));
    assert_string_equal(f->err.code, "insufficient_funds");
    assert_string_equal(f->err.field, "amount");
    assert_int_equal(entry_count(f), before);
    assert_int_equal(balance(f, ALICE, K(VOLUNTARY)), 100000);
    assert_int_equal(move(f, false, ALICE, K(VOLUNTARY), 100000, &p), 0);
    assert_int_equal(p->balance_sen, 0);
    assert_int_equal(tx_account_balance(f, COOP, "2-101"), 0);
    assert_trial_balance(f, COOP);
}

static void principal_is_paid_once_and_exactly(void **state) {
    fx_t *f = *state;
    Lumbung__SavingsPosted *p;
    assert_int_equal(move(f, true, ALICE, K(PRINCIPAL), 5000000, NULL), ERR_REJECTED);
    assert_string_equal(f->err.code, "wrong_principal_amount");
    assert_int_equal(move(f, true, ALICE, K(PRINCIPAL), 0, &p), 0);   /* the configured amount */
    assert_int_equal(p->amount_sen, PRINCIPAL_SEN);
    assert_int_equal(move(f, true, ALICE, K(PRINCIPAL), PRINCIPAL_SEN, NULL), ERR_REJECTED);
    assert_string_equal(f->err.code, "principal_already_paid");
    assert_int_equal(move(f, false, ALICE, K(PRINCIPAL), PRINCIPAL_SEN, NULL), ERR_REJECTED);
    assert_int_equal(f->err.kind, EK(RULE));
    assert_string_equal(f->err.code, "savings_locked");
    assert_int_equal(move(f, false, ALICE, K(MANDATORY), 1, NULL), ERR_REJECTED);
    assert_string_equal(f->err.code, "savings_locked");
    assert_int_equal(tx_account_balance(f, COOP, "3-101"), PRINCIPAL_SEN);
}

static void members_are_checked_against_the_replica(void **state) {
    fx_t *f = *state;
    assert_int_equal(move(f, true, CITRA, K(VOLUNTARY), 100, NULL), ERR_REJECTED);
    assert_int_equal(f->err.kind, EK(RULE));
    assert_string_equal(f->err.code, "member_of_other_cooperative");
    assert_string_equal(f->err.field, "member_id");
    assert_int_equal(move(f, true, 999, K(VOLUNTARY), 100, NULL), ERR_REJECTED);
    assert_int_equal(f->err.kind, EK(NOT_FOUND));
    member_event(f, BUDI, COOP, true, 6);
    assert_int_equal(move(f, true, BUDI, K(VOLUNTARY), 100, NULL), ERR_REJECTED);
    assert_string_equal(f->err.code, "member_not_active");
    assert_non_null(strstr(f->err.message, "2025-06-30"));
}

static void mandatory_arrears_count_periods_since_joining(void **state) {
    fx_t *f = *state;
    assert_int_equal(move(f, true, ALICE, K(MANDATORY), 2 * MANDATORY_SEN, NULL), 0);
    Lumbung__GetMemberAccounts q = LUMBUNG__GET_MEMBER_ACCOUNTS__INIT;
    q.has_cooperative_id = q.has_member_id = 1;
    q.cooperative_id = COOP;
    q.member_id = ALICE;
    q.has_as_of = 1;
    q.as_of = unit_day("2024-04-20");     /* joined 2024-01-15: Jan, Feb, Mar, Apr are due */
    Lumbung__MemberAccounts *a;
    assert_int_equal(tx_savings_member_accounts(&f->ctx, &q, &a, &f->err), 0);
    assert_int_equal(a->n_items, 4);
    Lumbung__SavingsAccount *m = a->items[1];
    assert_int_equal(m->kind, K(MANDATORY));
    assert_int_equal(m->periods_due, 4);
    assert_int_equal(m->due_sen, 4 * MANDATORY_SEN);
    assert_int_equal(m->arrears_sen, 2 * MANDATORY_SEN);
    assert_int_equal(a->n_loans, 0);
    q.cooperative_id = COOP2;   /* reading another cooperative's member is "not found" */
    assert_int_equal(tx_savings_member_accounts(&f->ctx, &q, &a, &f->err), ERR_REJECTED);
    assert_int_equal(f->err.kind, EK(NOT_FOUND));
}

static void time_deposit_pays_interest_at_maturity(void **state) {
    fx_t *f = *state;
    fund(f, 30000000);                      /* the interest is paid out of cash too */
    Lumbung__SavingsMovement mv = LUMBUNG__SAVINGS_MOVEMENT__INIT;
    mv.has_cooperative_id = mv.has_member_id = mv.has_kind = mv.has_amount_sen = 1;
    mv.cooperative_id = COOP;
    mv.member_id = ALICE;
    mv.kind = K(TIME_DEPOSIT);
    mv.amount_sen = 1000000000;
    mv.has_value_date = 1;
    mv.value_date = unit_day("2025-01-31");
    Lumbung__SavingsPosted *p;
    assert_int_equal(tx_savings_move(&f->ctx, &mv, true, &p, &f->err), ERR_REJECTED);
    assert_string_equal(f->err.field, "term_months");
    mv.has_term_months = mv.has_annual_rate_bp = 1;
    mv.term_months = 6;
    mv.annual_rate_bp = 600;
    assert_int_equal(tx_savings_move(&f->ctx, &mv, true, &p, &f->err), 0);
    assert_int_equal(p->time_deposit->maturity_on, unit_day("2025-07-31"));
    assert_int_equal(p->time_deposit->interest_sen, 30000000);
    uint64_t td = p->time_deposit->id;

    Lumbung__SavingsMovement w = LUMBUNG__SAVINGS_MOVEMENT__INIT;
    w.has_cooperative_id = w.has_member_id = w.has_kind = w.has_time_deposit_id = 1;
    w.cooperative_id = COOP;
    w.member_id = ALICE;
    w.kind = K(TIME_DEPOSIT);
    w.time_deposit_id = td;
    w.has_value_date = 1;
    w.value_date = unit_day("2025-07-30");
    assert_int_equal(tx_savings_move(&f->ctx, &w, false, &p, &f->err), ERR_REJECTED);
    assert_string_equal(f->err.code, "not_matured");
    w.has_value_date = 1;
    w.value_date = unit_day("2025-07-31");
    assert_int_equal(tx_savings_move(&f->ctx, &w, false, &p, &f->err), 0);
    assert_int_equal(p->entry->n_lines, 3);
    assert_int_equal(tx_account_balance(f, COOP, "5-101"), 30000000);
    assert_int_equal(tx_account_balance(f, COOP, "2-102"), 0);
    assert_int_equal(tx_account_balance(f, COOP, "1-101"), 0);
    assert_int_equal(tx_savings_move(&f->ctx, &w, false, &p, &f->err), ERR_REJECTED);
    assert_string_equal(f->err.code, "time_deposit_closed");
    assert_trial_balance(f, COOP);
}

static void reversal_undoes_a_deposit_once(void **state) {
    fx_t *f = *state;
    Lumbung__SavingsPosted *p;
    assert_int_equal(move(f, true, ALICE, K(VOLUNTARY), 70000, &p), 0);
    Lumbung__ReverseEntry r = LUMBUNG__REVERSE_ENTRY__INIT;
    r.has_cooperative_id = r.has_entry_id = 1;
    r.cooperative_id = COOP;
    r.entry_id = p->entry_id;
    Lumbung__JournalEntry *rev;
    assert_int_equal(tx_reversal_post(&f->ctx, &r, &rev, &f->err), 0);
    assert_int_equal(rev->reverses_id, p->entry_id);
    assert_true(rev->lines[0]->credit_sen == 70000);
    assert_int_equal(balance(f, ALICE, K(VOLUNTARY)), 0);
    assert_int_equal(tx_account_balance(f, COOP, "2-101"), 0);
    assert_int_equal(tx_reversal_post(&f->ctx, &r, &rev, &f->err), ERR_REJECTED);
    assert_string_equal(f->err.code, "already_reversed");
    r.entry_id = rev->id;
    assert_int_equal(tx_reversal_post(&f->ctx, &r, &rev, &f->err), ERR_REJECTED);
    assert_string_equal(f->err.code, "cannot_reverse_reversal");
    /* A withdrawal whose deposit is gone cannot be reversed into a negative balance... */
    assert_int_equal(move(f, true, ALICE, K(VOLUNTARY), 100, &p), 0);
    uint64_t deposit = p->entry_id;
    assert_int_equal(move(f, false, ALICE, K(VOLUNTARY), 100, &p), 0);
    r.entry_id = deposit;
    assert_int_equal(tx_reversal_post(&f->ctx, &r, &rev, &f->err), ERR_REJECTED);
    assert_string_equal(f->err.code, "insufficient_funds");
    assert_trial_balance(f, COOP);
}

static void exit_posts_the_settlement_once(void **state) {
    fx_t *f = *state;
    assert_int_equal(move(f, true, BUDI, K(PRINCIPAL), 0, NULL), 0);
    assert_int_equal(move(f, true, BUDI, K(MANDATORY), MANDATORY_SEN, NULL), 0);
    assert_int_equal(move(f, true, BUDI, K(VOLUNTARY), 123456, NULL), 0);
    member_event(f, BUDI, COOP, true, 6);
    Lumbung__Settlement *st;
    assert_int_equal(tx_savings_get_settlement(&f->ctx, COOP, BUDI, &st, &f->err), 0);
    assert_int_equal(st->refund_sen, PRINCIPAL_SEN + MANDATORY_SEN + 123456);
    assert_int_equal(st->debts_sen, 0);
    assert_int_equal(st->net_sen, st->refund_sen);
    assert_true(st->entry_id > 0);
    assert_int_equal(st->exit_on, unit_day("2025-06-30"));
    for (int k = K(PRINCIPAL); k <= K(VOLUNTARY); k++) assert_int_equal(balance(f, BUDI, k), 0);
    assert_int_equal(tx_account_balance(f, COOP, "3-101"), 0);
    assert_int_equal(tx_account_balance(f, COOP, "1-101"), 0);
    uint64_t before = entry_count(f);
    member_event(f, BUDI, COOP, true, 7);     /* a repeat settles nothing twice */
    assert_int_equal(entry_count(f), before);
    assert_int_equal(tx_savings_get_settlement(&f->ctx, COOP, ALICE, &st, &f->err), ERR_REJECTED);
    assert_string_equal(f->err.code, "no_settlement");
    assert_trial_balance(f, COOP);
}

/* ------------------------------------------------------------------ batch */

static Lumbung__Posting *posting(Lumbung__Posting *p, Lumbung__SavingsMovement *mv,
                                 bool deposit, uint64_t member, int64_t sen, uint64_t link) {
    lumbung__posting__init(p);
    lumbung__savings_movement__init(mv);
    mv->has_member_id = mv->has_kind = mv->has_amount_sen = 1;
    mv->member_id = member;
    mv->kind = K(VOLUNTARY);
    mv->amount_sen = sen;
    if (link) {
        p->has_link_id = 1;
        p->link_id = link;
    }
    p->op_case = deposit ? LUMBUNG__POSTING__OP_DEPOSIT : LUMBUNG__POSTING__OP_WITHDRAW;
    if (deposit) p->deposit = mv;
    else p->withdraw = mv;
    return p;
}

static void batch_reports_each_posting_and_links_all_or_nothing(void **state) {
    fx_t *f = *state;
    Lumbung__Posting p[6], *pp[6];
    Lumbung__SavingsMovement mv[6];
    pp[0] = posting(&p[0], &mv[0], true, ALICE, 1000, 0);
    pp[1] = posting(&p[1], &mv[1], false, ALICE, 5000, 0);    /* fails: balance 1000 */
    pp[2] = posting(&p[2], &mv[2], true, CITRA, 1000, 0);     /* fails: other cooperative */
    pp[3] = posting(&p[3], &mv[3], true, ALICE, 2000, 7);     /* chain 7: ok ... */
    pp[4] = posting(&p[4], &mv[4], false, ALICE, 9000, 7);    /* ... fails, so 3 is undone */
    pp[5] = posting(&p[5], &mv[5], false, ALICE, 400, 0);
    Lumbung__PostBatch b = LUMBUNG__POST_BATCH__INIT;
    b.has_cooperative_id = 1;
    b.cooperative_id = COOP;
    b.n_postings = 6;
    b.postings = pp;
    access_actor_t admin = { .role = LUMBUNG__ROLE__ROLE_ADMIN };
    Lumbung__BatchResult *res;
    tx_mark_t mark = tx_ctx_mark(&f->ctx);
    assert_int_equal(tx_batch_post(&f->ctx, &admin, &b, &res, &f->err), 0);
    assert_int_equal(res->posted, 2);
    assert_int_equal(res->failed, 4);
    assert_true(res->results[0]->ok);
    assert_string_equal(res->results[1]->code, "insufficient_funds");
    assert_string_equal(res->results[1]->field, "postings[1].amount");
    assert_string_equal(res->results[2]->code, "member_of_other_cooperative");
    assert_int_equal(res->results[2]->error_kind, EK(RULE));
    assert_string_equal(res->results[3]->code, "linked_posting_failed");
    assert_string_equal(res->results[4]->code, "insufficient_funds");
    assert_true(res->results[5]->ok);
    assert_int_equal(res->results[5]->balance_sen, 600);
    assert_int_equal(balance(f, ALICE, K(VOLUNTARY)), 600);
    assert_int_equal(tx_account_balance(f, COOP, "2-101"), 600);
    assert_int_equal(tx_ctx_mark(&f->ctx).pending - mark.pending, 2);     /* two entries queued, no more */
    /* A link id may not come back after its chain ended. */
    pp[1] = posting(&p[1], &mv[1], true, ALICE, 1, 7);
    assert_int_equal(tx_batch_post(&f->ctx, &admin, &b, &res, &f->err), ERR_REJECTED);
    assert_string_equal(f->err.code, "link_id_reused");
    assert_string_equal(f->err.field, "postings[3].link_id");
    assert_trial_balance(f, COOP);
}

/* The TransactionsEvent of an emitted event, unpacked from its packed body when it has one. */
static Lumbung__TransactionsEvent *emitted_body(Lumbung__Event *ev,
                                                const pb_splice_field_t *body) {
    if (!body) {
        assert_int_equal(ev->body_case, LUMBUNG__EVENT__BODY_TRANSACTIONS);
        return ev->transactions;
    }
    assert_int_equal(body->field, LUMBUNG__EVENT__BODY_TRANSACTIONS);
    Lumbung__TransactionsEvent *te = lumbung__transactions_event__unpack(NULL, body->len,
                                                                         body->bytes);
    assert_non_null(te);
    return te;
}

static int64_t count_emit(void *arg, Lumbung__Event *ev, const pb_splice_field_t *body) {
    int *n = arg;
    Lumbung__TransactionsEvent *te = emitted_body(ev, body);
    if (te->body_case == LUMBUNG__TRANSACTIONS_EVENT__BODY_ENTRIES_POSTED)
        assert_true(te->entries_posted->n_entries <= TX_EVENT_ENTRIES_MAX);
    if (body) lumbung__transactions_event__free_unpacked(te, NULL);
    return ++*n;
}

static void entries_are_grouped_into_few_events(void **state) {
    fx_t *f = *state;
    int n = 0;
    assert_int_equal(tx_ctx_flush(&f->ctx, count_emit, &n), 0);   /* the charts' events */
    assert_int_equal(n, 2 * 31);
    for (int i = 0; i < 600; i++) assert_int_equal(move(f, true, ALICE, K(VOLUNTARY), 1, NULL), 0);
    n = 0;
    assert_int_equal(tx_ctx_flush(&f->ctx, count_emit, &n), 0);
    assert_int_equal(n, 3);     /* 256 + 256 + 88 */
}

static int64_t size_emit(void *arg, Lumbung__Event *ev, const pb_splice_field_t *body) {
    size_t *max = arg;
    size_t n = protobuf_c_message_get_packed_size(&ev->base) +
               (body ? pb_splice_field_size(body) : 0);
    if (n > *max) *max = n;
    return 1;
}

static void big_entries_are_split_by_size(void **state) {
    fx_t *f = *state;
    int ignored = 0;
    fund(f, 40 * TX_LINES_MAX / 2);         /* each entry pays 32 sen out of cash */
    assert_int_equal(tx_ctx_flush(&f->ctx, count_emit, &ignored), 0);
    static char memo[TX_MEMO_MAX + 1];
    memset(memo, 'm', TX_MEMO_MAX);
    for (int n = 0; n < 40; n++) {
        /* In the arena, as in the service: queued entries point at their lines until flush. */
        Lumbung__JournalLine **ptrs = arena_alloc(f->arena, TX_LINES_MAX * sizeof *ptrs);
        for (int i = 0; i < TX_LINES_MAX; i++) {
            Lumbung__JournalLine *l = arena_message(f->arena, &lumbung__journal_line__descriptor);
            l->account = i % 2 ? "1-101" : "5-202";
            l->memo = memo;
            l->has_debit_sen = i % 2 == 0;
            l->debit_sen = 1;
            l->has_credit_sen = i % 2 == 1;
            l->credit_sen = 1;
            ptrs[i] = l;
        }
        Lumbung__PostEntry req = LUMBUNG__POST_ENTRY__INIT;
        req.has_cooperative_id = 1;
        req.cooperative_id = COOP;
        req.memo = memo;
        req.n_lines = TX_LINES_MAX;
        req.lines = ptrs;
        Lumbung__JournalEntry *e;
        assert_int_equal(tx_ledger_post_manual(&f->ctx, &req, &e, &f->err), 0);
    }
    size_t max = 0;
    assert_int_equal(tx_ctx_flush(&f->ctx, size_emit, &max), 0);
    /* 40 entries of about 19 KB: several events, none far beyond the byte budget. */
    assert_true(max > 0 && max <= TX_EVENT_BYTES_MAX + 32 * 1024);
    memo[0] = 0;
}

static void journal_lists_by_period_and_account_in_pages(void **state) {
    fx_t *f = *state;
    const char *dates[] = { "2025-01-03", "2025-01-01", "2025-02-01", "2025-01-02" };
    for (int i = 0; i < 4; i++) {
        lines_t l;
        const char *codes[] = { i % 2 ? "5-202" : "5-201", "1-101" };
        int64_t d[] = { 0, 100 + i }, c[] = { 100 + i, 0 };     /* cash in: no payout */
        Lumbung__PostEntry req = entry(&l, 2, codes, d, c);
        req.has_value_date = 1;
        req.value_date = unit_day(dates[i]);
        Lumbung__JournalEntry *e;
        assert_int_equal(tx_ledger_post_manual(&f->ctx, &req, &e, &f->err), 0);
    }
    Lumbung__ListJournal q = LUMBUNG__LIST_JOURNAL__INIT;
    q.has_cooperative_id = q.has_limit = 1;
    q.cooperative_id = COOP;
    q.limit = 2;
    q.has_from = 1;
    q.from = unit_day("2025-01-01");
    q.has_to = 1;
    q.to = unit_day("2025-01-31");
    Lumbung__JournalPage *page;
    assert_int_equal(tx_ledger_list_journal(&f->ctx, &q, &page, &f->err), 0);
    assert_int_equal(page->n_items, 2);
    assert_int_equal(page->items[0]->value_date, unit_day("2025-01-01"));
    assert_int_equal(page->items[1]->value_date, unit_day("2025-01-02"));
    assert_non_null(page->next_cursor);
    q.cursor = page->next_cursor;
    assert_int_equal(tx_ledger_list_journal(&f->ctx, &q, &page, &f->err), 0);
    assert_int_equal(page->n_items, 1);
    assert_int_equal(page->items[0]->value_date, unit_day("2025-01-03"));
    assert_null(page->next_cursor);
    q.cursor = NULL;
    q.account = "5-202";
    q.has_to = 0;
    assert_int_equal(tx_ledger_list_journal(&f->ctx, &q, &page, &f->err), 0);
    assert_int_equal(page->n_items, 2);
    assert_int_equal(page->items[0]->value_date, unit_day("2025-01-01"));
    assert_int_equal(page->items[1]->value_date, unit_day("2025-01-02"));
    q.account = "9-999";
    assert_int_equal(tx_ledger_list_journal(&f->ctx, &q, &page, &f->err), ERR_REJECTED);
    assert_string_equal(f->err.field, "account");
    q.account = NULL;
    q.limit = 501;
    assert_int_equal(tx_ledger_list_journal(&f->ctx, &q, &page, &f->err), ERR_REJECTED);
    assert_string_equal(f->err.field, "limit");
}

/* The ids of every entry the journal lists for `account` (NULL: the cooperative), paging by
   `limit` through the cursors. Returns how many. */
static size_t list_all(fx_t *f, const char *account, uint32_t limit, uint64_t *ids) {
    Lumbung__ListJournal q = LUMBUNG__LIST_JOURNAL__INIT;
    q.has_cooperative_id = q.has_limit = 1;
    q.cooperative_id = COOP;
    q.limit = limit;
    q.account = (char *) account;
    size_t n = 0;
    for (int pages = 0; pages < 100; pages++) {
        Lumbung__JournalPage *page;
        assert_int_equal(tx_ledger_list_journal(&f->ctx, &q, &page, &f->err), 0);
        assert_true(page->n_items <= limit);
        for (size_t i = 0; i < page->n_items; i++) ids[n++] = page->items[i]->id;
        if (!page->next_cursor) return n;
        assert_int_equal(page->n_items, limit);
        q.cursor = page->next_cursor;
    }
    fail_msg("the journal did not end");
    return 0;
}

/* Ten deposits and a manual entry in one unit of work: the index holds runs of consecutive
   entries (a few rows, not one per entry and line), and every listing, by cooperative or by
   account, pages through them with cursors into the middle of a run. */
static void index_rows_are_runs_and_every_listing_pages_through_them(void **state) {
    fx_t *f = *state;
    int ignored = 0;
    assert_int_equal(tx_ctx_flush(&f->ctx, count_emit, &ignored), 0);
    uint64_t coop_rows = store_count(f->txn, f->db.coop_entries);
    uint64_t line_rows = store_count(f->txn, f->db.account_lines);
    uint64_t posted[11];
    Lumbung__SavingsPosted *p;
    for (int i = 0; i < 10; i++) {
        if (i == 6) {                     /* between: an entry on other accounts */
            lines_t l;
            const char *codes[] = { "5-201", "1-101" };
            int64_t d[] = { 0, 70 }, c[] = { 70, 0 };
            Lumbung__PostEntry req = entry(&l, 2, codes, d, c);
            Lumbung__JournalEntry *e;
            assert_int_equal(tx_ledger_post_manual(&f->ctx, &req, &e, &f->err), 0);
            posted[10] = e->id;
        }
        assert_int_equal(move(f, true, ALICE, K(VOLUNTARY), 100 + i, &p), 0);
        posted[i] = p->entry_id;
    }
    /* A chain that fails takes its index rows back with its entries. */
    tx_mark_t mark = tx_ctx_mark(&f->ctx);
    assert_int_equal(move(f, true, ALICE, K(VOLUNTARY), 5, &p), 0);
    tx_ctx_rollback(&f->ctx, mark);
    assert_int_equal(tx_ctx_flush(&f->ctx, count_emit, &ignored), 0);
    /* One run for the cooperative; cash one run, savings two (broken by the manual entry),
       5-201 one. */
    assert_int_equal(store_count(f->txn, f->db.coop_entries) - coop_rows, 1);
    assert_int_equal(store_count(f->txn, f->db.account_lines) - line_rows, 4);
    uint64_t ids[64];
    for (uint32_t limit = 1; limit <= 4; limit++) {
        size_t n = list_all(f, NULL, limit, ids);
        assert_true(n >= 11);
        for (size_t i = 1; i < n; i++) assert_true(ids[i] > ids[i - 1]);
        assert_int_equal(ids[n - 1], posted[9]);
        assert_int_equal(ids[n - 11], posted[0]);
        n = list_all(f, "2-101", limit, ids);
        assert_true(n >= 10);
        for (int i = 0; i < 10; i++) assert_int_equal(ids[n - 10 + (size_t) i], posted[i]);
        n = list_all(f, "5-201", limit, ids);
        assert_int_equal(ids[n - 1], posted[10]);
        n = list_all(f, "1-101", limit, ids);
        assert_int_equal(ids[n - 1], posted[9]);
        assert_int_equal(ids[n - 5], posted[10]);
    }
}

/* 2025-03-01 18:00 UTC is already 2025-03-02 in Jakarta (UTC+7). */
#define MARCH_1_18H_UTC INT64_C(1740852000000)

static int post_cash_out(fx_t *f, const char *date, int64_t sen) {
    lines_t l;
    const char *codes[] = { "5-202", "1-101" };
    int64_t d[] = { sen, 0 }, c[] = { 0, sen };
    Lumbung__PostEntry req = entry(&l, 2, codes, d, c);
    req.has_value_date = 1;
    req.value_date = unit_day(date);
    Lumbung__JournalEntry *e;
    memset(&f->err, 0, sizeof f->err);
    return tx_ledger_post_manual(&f->ctx, &req, &e, &f->err);
}

static void postings_are_guarded_by_date_and_cash(void **state) {
    fx_t *f = *state;
    f->ctx.now_ms = MARCH_1_18H_UTC;
    assert_int_equal(post_cash_out(f, "2025-03-02", 100), ERR_REJECTED);
    assert_string_equal(f->err.code, "insufficient_cash");
    assert_string_equal(f->err.field, "lines[1].account");
    assert_string_equal(f->err.message, "Kas (1-101) holds Rp 0,00; this payout needs Rp 1,00");
    fund(f, 100);
    assert_int_equal(post_cash_out(f, "2025-03-03", 100), ERR_REJECTED);
    assert_string_equal(f->err.code, "future_date");
    assert_string_equal(f->err.field, "value_date");
    assert_int_equal(post_cash_out(f, "2025-03-02", 60), 0);     /* Jakarta's today */
    assert_int_equal(post_cash_out(f, "2025-03-02", 41), ERR_REJECTED);
    assert_string_equal(f->err.message, "Kas (1-101) holds Rp 0,40; this payout needs Rp 0,41");
    Lumbung__CloseDay close = LUMBUNG__CLOSE_DAY__INIT;
    close.has_cooperative_id = 1;
    close.cooperative_id = COOP;
    close.has_business_date = 1;
    close.business_date = unit_day("2025-03-03");
    Lumbung__DayClosed *day;
    assert_int_equal(tx_loans_close_day(&f->ctx, &close, TX_CLOSE_STEP_LOANS, &day, &f->err),
                     ERR_REJECTED);
    assert_string_equal(f->err.code, "future_date");
    assert_string_equal(f->err.field, "business_date");
    close.has_business_date = 1;
    close.business_date = unit_day("2025-02-28");
    assert_int_equal(tx_loans_close_day(&f->ctx, &close, TX_CLOSE_STEP_LOANS, &day, &f->err),
                     0);
    assert_int_equal(post_cash_out(f, "2025-02-28", 10), ERR_REJECTED);
    assert_string_equal(f->err.code, "day_closed");
    assert_non_null(strstr(f->err.message, "closed up to 2025-02-28"));
    assert_int_equal(post_cash_out(f, "2025-03-01", 10), 0);
    assert_trial_balance(f, COOP);
}

static void a_cooperative_counts_days_in_its_zone(void **state) {
    fx_t *f = *state;
    Lumbung__CooperativeSettings s = LUMBUNG__COOPERATIVE_SETTINGS__INIT;
    s.time_zone = "Asia/Jayapura";
    Lumbung__Cooperative c = LUMBUNG__COOPERATIVE__INIT;
    c.has_id = 1;
    c.id = COOP2;
    c.settings = &s;
    Lumbung__MembersEvent ev = LUMBUNG__MEMBERS_EVENT__INIT;
    ev.body_case = LUMBUNG__MEMBERS_EVENT__BODY_COOPERATIVE_UPDATED;
    ev.cooperative_updated = &c;
    assert_int_equal(apply(f, &ev, 9), 0);
    f->ctx.now_ms = MARCH_1_18H_UTC - 3 * 3600 * 1000;    /* 15:00 UTC */
    const tx_coop_t *rec;
    int32_t march_1, march_2;
    assert_int_equal(date_parse("2025-03-01", &march_1), 0);
    assert_int_equal(date_parse("2025-03-02", &march_2), 0);
    assert_int_equal(tx_ledger_coop(&f->ctx, COOP, &rec, &f->err), 0);
    assert_int_equal(f->ctx.today, march_1);              /* 22:00 in Jakarta */
    assert_int_equal(tx_ledger_coop(&f->ctx, COOP2, &rec, &f->err), 0);
    assert_int_equal(f->ctx.today, march_2);              /* 00:00 in Jayapura */
    assert_int_equal(date_zone_offset_minutes("Asia/Makassar"), 480);
    assert_int_equal(date_zone_offset_minutes("Asia/Tokyo"), -1);
}

int main(void) {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(new_cooperative_gets_the_standard_chart),
        T(postings_are_guarded_by_date_and_cash),
        T(a_cooperative_counts_days_in_its_zone),
        T(balanced_entry_posts_and_moves_totals),
        T(unbalanced_entry_states_both_totals),
        T(bad_lines_are_named),
        T(manual_entries_cannot_touch_savings),
        T(added_accounts_are_checked),
        T(voluntary_never_goes_below_zero),
        T(principal_is_paid_once_and_exactly),
        T(members_are_checked_against_the_replica),
        T(mandatory_arrears_count_periods_since_joining),
        T(time_deposit_pays_interest_at_maturity),
        T(reversal_undoes_a_deposit_once),
        T(exit_posts_the_settlement_once),
        T(batch_reports_each_posting_and_links_all_or_nothing),
        T(entries_are_grouped_into_few_events),
        T(big_entries_are_split_by_size),
        T(journal_lists_by_period_and_account_in_pages),
        T(index_rows_are_runs_and_every_listing_pages_through_them),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
