/* move (transactions): what an operator relies on in `lumbungctl move-cooperative` — every
   record of the cooperative goes to the target shard with its ids unchanged (the replica of
   the cooperative and its members, the chart and its balances, entries, savings, loans), the
   source keeps nothing of it and never hands out the moved ids again, the other cooperatives
   stay where they were; and a move that may not run (a cooperative the source lacks or the
   target has, shards at different places in the members stream) says why and changes nothing.
   Against two real stores: the fixture's (COOP, COOP2) and an empty target. */
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

#include "bytes.h"
#include "date.h"
#include "../../services/transactions/ledger.h"
#include "../../services/transactions/lending.h"
#include "../../services/transactions/move.h"
#include "../../services/transactions/replica.h"
#include "../../services/transactions/savings.h"
#include "../../services/transactions/store.h"

#define K(x) LUMBUNG__SAVINGS_KIND__SAVINGS_KIND_##x
#define EK(x) LUMBUNG__ERROR_KIND__ERROR_KIND_##x

#include "tx_fixture.h"
#include "tx_helpers.h"

/* ------------------------------------------------------------------ the books to move */

typedef struct {
    uint64_t fund_entry, deposit_entry, coop2_entry, loan;
} books_t;

static uint64_t manual(fx_t *f, uint64_t coop, int64_t sen) {
    return tx_fund(f, coop, sen, NULL)->id;
}

/* COOP: Rp 500,000 of capital, Alice's Rp 1,234.56 voluntary deposit, a Rp 100,000 loan to
   Budi paid out; COOP2: Rp 70,000 of capital. Committed, so the move sees them. */
static books_t write_books(fx_t *f) {
    books_t b;
    b.fund_entry = manual(f, COOP, 50000000);
    b.coop2_entry = manual(f, COOP2, 7000000);
    Lumbung__SavingsMovement mv = LUMBUNG__SAVINGS_MOVEMENT__INIT;
    mv.has_cooperative_id = mv.has_member_id = mv.has_kind = mv.has_amount_sen = 1;
    mv.cooperative_id = COOP;
    mv.member_id = ALICE;
    mv.kind = K(VOLUNTARY);
    mv.amount_sen = 123456;
    mv.has_value_date = 1;
    mv.value_date = unit_day("2025-01-10");
    Lumbung__SavingsPosted *p;
    assert_int_equal(tx_savings_move(&f->ctx, &mv, true, &p, &f->err), 0);
    b.deposit_entry = p->entry_id;
    Lumbung__ApplyLoan a = LUMBUNG__APPLY_LOAN__INIT;
    a.has_cooperative_id = a.has_member_id = a.has_principal_sen = a.has_annual_rate_bp = 1;
    a.has_instalments = a.has_frequency = a.has_method = a.has_first_due_on = 1;
    a.cooperative_id = COOP;
    a.member_id = BUDI;
    a.principal_sen = 10000000;
    a.annual_rate_bp = 1200;
    a.instalments = 12;
    a.frequency = LUMBUNG__LOAN_FREQUENCY__LOAN_FREQUENCY_MONTHLY;
    a.method = LUMBUNG__LOAN_METHOD__LOAN_METHOD_FLAT;
    a.first_due_on = unit_day("2025-02-10");
    a.has_applied_on = 1;
    a.applied_on = unit_day("2025-01-05");
    Lumbung__Loan *loan;
    assert_int_equal(tx_loans_apply(&f->ctx, &a, &loan, &f->err), 0);
    b.loan = loan->id;
    Lumbung__DisburseLoan d = LUMBUNG__DISBURSE_LOAN__INIT;
    d.has_cooperative_id = d.has_loan_id = d.has_value_date = 1;
    d.cooperative_id = COOP;
    d.loan_id = loan->id;
    d.value_date = unit_day("2025-01-10");
    Lumbung__LoanPosted *posted;
    assert_int_equal(tx_loans_disburse(&f->ctx, &d, &posted, &f->err), 0);
    /* The end of the unit of work: its events, accounts, savings records and index rows. */
    assert_int_equal(tx_ctx_flush(&f->ctx, tx_number_events, NULL), 0);
    assert_int_equal(store_commit(&f->txn), 0);
    return b;
}

/* ------------------------------------------------------------------ reading a store */

typedef struct {
    char dir[UNIT_PATH_MAX];
    store_t *store;
    tx_store_t db;
    arena_t *arena;
    store_txn_t *txn;
    tx_ctx_t ctx;
    problem_t err;
} side_t;

static void side_new(side_t *s) {
    memset(s, 0, sizeof *s);
    unit_tempdir(s->dir, "move-target");
    int err = 0;
    s->store = store_new(s->dir, &err);
    assert_non_null(s->store);
    assert_int_equal(tx_store_open(&s->db, s->store), 0);
    s->arena = arena_new();
}

/* Opens a unit of work on a store (no txn may be open while tables are opened). */
static tx_ctx_t *side_begin(side_t *s) {
    assert_int_equal(store_begin(s->store, false, &s->txn), 0);
    tx_ctx_init(&s->ctx, &s->db, s->txn, s->arena, "tester");
    return &s->ctx;
}

static void side_end(side_t *s) {
    store_abort(&s->txn);
}

static void side_destroy(side_t *s) {
    store_abort(&s->txn);
    arena_destroy(&s->arena);
    store_destroy(&s->store);
    unit_rmtree(s->dir);
}

/* The source store seen as a side (the fixture's store and tables). */
static side_t source_side(fx_t *f) {
    side_t s;
    memset(&s, 0, sizeof s);
    s.store = f->store;
    s.db = f->db;
    s.arena = f->arena;
    return s;
}

static int64_t balance_of(tx_ctx_t *ctx, uint64_t coop, const char *code) {
    Lumbung__AccountList *list;
    problem_t err;
    assert_int_equal(tx_ledger_list_accounts(ctx, coop, &list, &err), 0);
    for (size_t i = 0; i < list->n_items; i++)
        if (!strcmp(list->items[i]->code, code)) return list->items[i]->balance_sen;
    fail_msg("no account %s", code);
    return 0;
}

static int move_coop(store_t *from, store_t *to, uint64_t coop, char *text, size_t size,
                     tx_move_result_t *res) {
    FILE *out = fmemopen(text, size, "w");
    assert_non_null(out);
    int rc = tx_move_cooperative(from, 0, to, coop, out, res);
    fclose(out);
    return rc;
}

/* ------------------------------------------------------------------ tests */

static void every_record_of_the_cooperative_moves_with_its_ids(void **state) {
    fx_t *f = *state;
    books_t b = write_books(f);
    side_t dst;
    side_new(&dst);
    char text[512] = "";
    tx_move_result_t res;
    assert_int_equal(move_coop(f->store, dst.store, COOP, text, sizeof text, &res), 0);
    assert_string_equal(text, "");
    assert_int_equal(res.members, 2);          /* Alice and Budi */
    assert_int_equal(res.entries, 3);          /* capital, deposit, disbursement */
    assert_int_equal(res.loans, 1);
    assert_int_equal(res.time_deposits, 0);
    assert_true(res.rows > 31);                /* at least the chart */

    tx_ctx_t *ctx = side_begin(&dst);
    problem_t err;
    assert_int_equal(balance_of(ctx, COOP, "1-101"), 50000000 + 123456 - 10000000);
    assert_int_equal(balance_of(ctx, COOP, "2-101"), 123456);
    assert_int_equal(balance_of(ctx, COOP, "1-201"), 10000000);
    Lumbung__JournalEntry *e;
    assert_int_equal(tx_ledger_get_entry(ctx, COOP, b.deposit_entry, &e, &err), 0);
    assert_int_equal(e->member_id, ALICE);
    assert_int_equal(tx_ledger_get_entry(ctx, COOP, b.fund_entry, &e, &err), 0);
    tx_savings_t s;
    assert_int_equal(tx_store_get_savings(&dst.db, dst.txn, ALICE, K(VOLUNTARY), &s), 0);
    assert_int_equal(s.balance_sen, 123456);
    Lumbung__GetLoan q = LUMBUNG__GET_LOAN__INIT;
    q.has_cooperative_id = q.has_loan_id = 1;
    q.cooperative_id = COOP;
    q.loan_id = b.loan;
    Lumbung__Loan *loan;
    assert_int_equal(tx_loans_get(ctx, &q, &loan, &err), 0);
    assert_int_equal(loan->member_id, BUDI);
    assert_int_equal(loan->principal_sen, 10000000);
    /* the other cooperative did not come along */
    assert_int_equal(tx_ledger_require_coop(ctx, COOP2, &err), ERR_REJECTED);
    assert_string_equal(err.code, "cooperative_not_found");
    side_end(&dst);
    side_destroy(&dst);
}

static void the_source_keeps_nothing_of_it_and_the_rest_of_its_books(void **state) {
    fx_t *f = *state;
    books_t b = write_books(f);
    side_t dst;
    side_new(&dst);
    char text[512] = "";
    tx_move_result_t res;
    assert_int_equal(move_coop(f->store, dst.store, COOP, text, sizeof text, &res), 0);

    side_t src = source_side(f);
    tx_ctx_t *ctx = side_begin(&src);
    problem_t err;
    assert_int_equal(tx_ledger_require_coop(ctx, COOP, &err), ERR_REJECTED);
    assert_string_equal(err.code, "cooperative_not_found");
    ProtobufCMessage *m = NULL;
    assert_int_equal(tx_store_get_pb(src.txn, src.db.entries, b.deposit_entry, src.arena,
                                     &lumbung__journal_entry__descriptor, &m), ERR_NOT_FOUND);
    tx_savings_t s;
    assert_int_equal(tx_store_get_savings(&src.db, src.txn, ALICE, K(VOLUNTARY), &s), 0);
    assert_int_equal(s.balance_sen, 0);
    assert_int_equal(balance_of(ctx, COOP2, "1-101"), 7000000);
    Lumbung__JournalEntry *e;
    assert_int_equal(tx_ledger_get_entry(ctx, COOP2, b.coop2_entry, &e, &err), 0);
    side_end(&src);

    /* the source, started again after the move, never hands out a moved entry's id */
    assert_int_equal(tx_store_open(&f->db, f->store), 0);
    assert_int_equal(tx_store_shard(&f->db, 0), 0);
    assert_int_equal(store_begin(f->store, false, &f->txn), 0);
    tx_ctx_init(&f->ctx, &f->db, f->txn, f->arena, "tester");
    uint64_t next = manual(f, COOP2, 100);
    assert_true(next > b.fund_entry && next > b.deposit_entry && next > b.coop2_entry);
    side_destroy(&dst);
}

static void a_cooperative_the_source_lacks_is_refused(void **state) {
    fx_t *f = *state;
    write_books(f);
    side_t dst;
    side_new(&dst);
    char text[512] = "";
    tx_move_result_t res;
    assert_int_equal(move_coop(f->store, dst.store, 99, text, sizeof text, &res), ERR_REJECTED);
    assert_string_equal(text, "move: the source shard has no cooperative 99\n");
    side_destroy(&dst);
}

/* The target is a second fixture store that holds COOP already: nothing moves. */
static void a_cooperative_the_target_has_is_refused_and_nothing_moves(void **state) {
    fx_t *f = *state;
    write_books(f);
    void *other_state;
    setup(&other_state);
    fx_t *other = other_state;
    assert_int_equal(store_commit(&other->txn), 0);
    char text[512] = "";
    tx_move_result_t res;
    assert_int_equal(move_coop(f->store, other->store, COOP, text, sizeof text, &res),
                     ERR_REJECTED);
    assert_string_equal(text, "move: the target shard already has cooperative 1\n");
    side_t src = source_side(f);
    tx_ctx_t *ctx = side_begin(&src);
    assert_int_equal(balance_of(ctx, COOP, "2-101"), 123456);   /* still here */
    side_end(&src);
    teardown(&other_state);
}

/* A shard behind on the members stream would skip events of the cooperative it takes on. */
static void shards_at_different_places_in_the_members_stream_are_refused(void **state) {
    fx_t *f = *state;
    write_books(f);
    store_table_t cursors;
    assert_int_equal(store_table(f->store, "cursors", &cursors), 0);
    store_txn_t *txn;
    assert_int_equal(store_begin(f->store, false, &txn), 0);
    uint8_t seq[8];
    be64_write(seq, 5);
    assert_int_equal(store_put(txn, cursors, "members", 7, seq, 8, 0), 0);
    assert_int_equal(store_commit(&txn), 0);
    side_t dst;
    side_new(&dst);
    char text[512] = "";
    tx_move_result_t res;
    assert_int_equal(move_coop(f->store, dst.store, COOP, text, sizeof text, &res), ERR_REJECTED);
    assert_string_equal(text, "move: the shards have applied the members stream up to 5 and 0: "
                              "start the system until both have caught up (lumbungctl status "
                              "shows lag 0), stop it, and move again\n");
    tx_ctx_t *ctx = side_begin(&dst);
    problem_t err;
    assert_int_equal(tx_ledger_require_coop(ctx, COOP, &err), ERR_REJECTED);   /* not moved */
    side_end(&dst);
    side_destroy(&dst);
}

int main(void) {
    unit_quiet_logs("test_transactions_move");
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(every_record_of_the_cooperative_moves_with_its_ids),
        T(the_source_keeps_nothing_of_it_and_the_rest_of_its_books),
        T(a_cooperative_the_source_lacks_is_refused),
        T(a_cooperative_the_target_has_is_refused_and_nothing_moves),
        T(shards_at_different_places_in_the_members_stream_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
