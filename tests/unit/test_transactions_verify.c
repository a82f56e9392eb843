/* tx_verify: the offline check of a transactions store that `lumbungctl verify` runs — a
   sound store passes; an unbalanced entry, a line on an unknown account and a stored total
   that differs from its lines are each named. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"
#include "../../services/transactions/store.h"
#include "tx_store_fixture.h"
#include "../../services/transactions/verify.h"
#include "transactions.pb-c.h"

enum { COOP = 3 };

typedef struct {
    tx_store_fx_t s;              /* first: the fixture's part */
    char report[4096];
} fx_t;

static int setup(void **state) {
    return tx_store_fixture_setup(state, sizeof(fx_t), "txverify");
}

static void put_account(fx_t *f, const char *code, int64_t debit, int64_t credit) {
    tx_account_t a = { .class_ = 1, .role = 1, .debit_total_sen = debit, .credit_total_sen = credit };
    snprintf(a.name, sizeof a.name, "akun %s", code);
    a.name_len = strlen(a.name);
    store_txn_t *txn;
    assert_int_equal(store_begin(f->s.store, false, &txn), 0);
    assert_int_equal(tx_store_put_account(&f->s.db, txn, COOP, code, &a), 0);
    assert_int_equal(store_commit(&txn), 0);
}

/* Entry `id`: debit `dr_account` by `debit`, credit `cr_account` by `credit`. */
static void put_entry(fx_t *f, uint64_t id, const char *dr_account, int64_t debit,
                      const char *cr_account, int64_t credit) {
    Lumbung__JournalLine dr = LUMBUNG__JOURNAL_LINE__INIT, cr = LUMBUNG__JOURNAL_LINE__INIT;
    Lumbung__JournalLine *lines[2] = { &dr, &cr };
    dr.account = (char *) dr_account;
    dr.has_debit_sen = 1;
    dr.debit_sen = debit;
    cr.account = (char *) cr_account;
    cr.has_credit_sen = 1;
    cr.credit_sen = credit;
    Lumbung__JournalEntry e = LUMBUNG__JOURNAL_ENTRY__INIT;
    e.has_id = e.has_cooperative_id = e.has_total_sen = 1;
    e.id = id;
    e.cooperative_id = COOP;
    e.total_sen = debit;
    e.n_lines = 2;
    e.lines = lines;
    store_txn_t *txn;
    assert_int_equal(store_begin(f->s.store, false, &txn), 0);
    assert_int_equal(tx_store_put_pb(txn, f->s.db.entries, id, &e.base, 0), 0);
    assert_int_equal(store_commit(&txn), 0);
}

static tx_verify_result_t run(fx_t *f) {
    FILE *out = fmemopen(f->report, sizeof f->report - 1, "w");
    tx_verify_result_t r;
    assert_int_equal(tx_verify(f->s.store, out, &r), 0);
    fclose(out);
    return r;
}

static void sound_books_pass(void **state) {
    fx_t *f = *state;
    put_account(f, "1-101", 1500050, 0);
    put_account(f, "2-101", 0, 1500050);
    put_entry(f, 1, "1-101", 1000000, "2-101", 1000000);
    put_entry(f, 2, "1-101", 500050, "2-101", 500050);
    tx_verify_result_t r = run(f);
    assert_int_equal(r.problems, 0);
    assert_int_equal(r.entries, 2);
    assert_int_equal(r.accounts, 2);
    assert_string_equal(f->report, "");
}

static void a_tampered_total_is_named_with_both_figures(void **state) {
    fx_t *f = *state;
    put_account(f, "1-101", 1000100, 0);            /* 100 sen more than its lines */
    put_account(f, "2-101", 0, 1000000);
    put_entry(f, 1, "1-101", 1000000, "2-101", 1000000);
    tx_verify_result_t r = run(f);
    assert_int_equal(r.problems, 1);
    assert_string_equal(f->report, "transactions: cooperative 3 account 1-101: stored totals debit "
                        "1000100 / credit 0 sen, but its lines sum to debit 1000000 / credit 0 sen\n");
}

static void an_unbalanced_entry_and_an_unknown_account_are_named(void **state) {
    fx_t *f = *state;
    put_account(f, "1-101", 1000, 0);
    put_account(f, "2-101", 0, 999);
    put_entry(f, 7, "1-101", 1000, "2-101", 999);
    put_entry(f, 8, "1-101", 0, "9-999", 0);
    tx_verify_result_t r = run(f);
    assert_int_equal(r.problems, 2);
    assert_non_null(strstr(f->report, "entry 7 (cooperative 3) does not balance: debits 1000 sen, "
                                      "credits 999 sen"));
    assert_non_null(strstr(f->report, "entry 8 line 2 names account '9-999', not in the chart of "
                                      "cooperative 3"));
}

int main(void) {
    unit_quiet_logs("test_transactions_verify");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(sound_books_pass, setup, tx_store_fixture_teardown),
        cmocka_unit_test_setup_teardown(a_tampered_total_is_named_with_both_figures, setup, tx_store_fixture_teardown),
        cmocka_unit_test_setup_teardown(an_unbalanced_entry_and_an_unknown_account_are_named, setup, tx_store_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
