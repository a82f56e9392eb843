/* account_cache: accounts' totals as a unit of work changed them — reads see the changes
   before any write, the store sees them only after tx_account_cache_write, a rollback undoes
   the puts after its mark, an unknown account is refused, and past TX_ACCOUNT_CACHE accounts a
   change is written at once. */
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
#include "../../services/transactions/account_cache.h"
#include "../../services/transactions/context.h"
#include "../../services/transactions/replica.h"

#include "tx_fixture.h"
#include "../../services/transactions/ledger.h"
#include "tx_helpers.h"

/* The cache under test is the fixture's unit of work's own (nothing is cached after setup). */
static tx_account_cache_t *cache_of(fx_t *f) {
    return &f->ctx.accounts;
}

static void put(fx_t *f, const char *code, int64_t debit) {
    tx_account_t a;
    assert_int_equal(tx_account_cache_get(cache_of(f), &f->db, f->txn, COOP, code, &a), 0);
    a.debit_total_sen = debit;
    assert_int_equal(tx_account_cache_put(cache_of(f), &f->db, f->txn, f->arena, COOP, code, &a), 0);
}

static void a_change_is_read_back_and_stored_at_the_write(void **state) {
    fx_t *f = *state;
    tx_open_account(f, COOP, "9-101", 0);
    put(f, "9-101", 1500);
    tx_account_t a;
    assert_int_equal(tx_account_cache_get(cache_of(f), &f->db, f->txn, COOP, "9-101", &a), 0);
    assert_int_equal(a.debit_total_sen, 1500);
    assert_int_equal(tx_stored_debit(f, COOP, "9-101"), 0);
    assert_int_equal(tx_account_cache_write(cache_of(f), &f->db, f->txn), 0);
    assert_int_equal(tx_stored_debit(f, COOP, "9-101"), 1500);
    assert_int_equal(cache_of(f)->count, 0);
}

static void a_rollback_undoes_the_puts_after_its_mark(void **state) {
    fx_t *f = *state;
    tx_open_account(f, COOP, "9-101", 0);
    put(f, "9-101", 100);
    size_t mark = tx_account_cache_mark(cache_of(f));
    put(f, "9-101", 200);
    put(f, "9-101", 300);
    tx_account_cache_rollback(cache_of(f), mark);
    tx_account_t a;
    assert_int_equal(tx_account_cache_get(cache_of(f), &f->db, f->txn, COOP, "9-101", &a), 0);
    assert_int_equal(a.debit_total_sen, 100);
}

static void an_unknown_account_is_not_found(void **state) {
    fx_t *f = *state;
    tx_account_t a = { 0 };
    assert_int_equal(tx_account_cache_put(cache_of(f), &f->db, f->txn, f->arena, COOP, "9-999", &a),
                     ERR_NOT_FOUND);
    assert_int_equal(tx_account_cache_get(cache_of(f), &f->db, f->txn, COOP, "9-999", &a),
                     ERR_NOT_FOUND);
}

static void past_the_limit_a_change_is_written_at_once(void **state) {
    fx_t *f = *state;
    assert_int_equal(cache_of(f)->count, 0);
    char code[16];
    for (int i = 0; i <= TX_ACCOUNT_CACHE; i++) {
        snprintf(code, sizeof code, "2-%03d", i);
        tx_open_account(f, COOP, code, 0);
        put(f, code, 10 + i);
    }
    assert_int_equal(cache_of(f)->count, TX_ACCOUNT_CACHE);
    assert_int_equal(tx_stored_debit(f, COOP, "2-000"), 0);                     /* cached */
    snprintf(code, sizeof code, "2-%03d", TX_ACCOUNT_CACHE);
    assert_int_equal(tx_stored_debit(f, COOP, code), 10 + TX_ACCOUNT_CACHE);   /* at once */
}

int main(void) {
    unit_quiet_logs("test_transactions_account_cache");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_change_is_read_back_and_stored_at_the_write, setup, teardown),
        cmocka_unit_test_setup_teardown(a_rollback_undoes_the_puts_after_its_mark, setup, teardown),
        cmocka_unit_test_setup_teardown(an_unknown_account_is_not_found, setup, teardown),
        cmocka_unit_test_setup_teardown(past_the_limit_a_change_is_written_at_once, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
