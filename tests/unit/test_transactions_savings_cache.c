/* savings_cache: members' savings records as a unit of work changed them — reads see the
   changes before any write, the store sees them only after tx_savings_cache_write, a rollback
   undoes the puts after its mark exactly (a record read but never changed stays unwritten),
   thousands of members are kept, and past TX_SAVINGS_CACHE records a change is written at
   once. */
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
#include "../../services/transactions/savings_cache.h"
#include "../../services/transactions/context.h"
#include "../../services/transactions/replica.h"

#include "tx_fixture.h"

enum { KIND = 3 };

/* The cache under test is the fixture's unit of work's own (nothing is cached after setup). */
static tx_savings_cache_t *cache_of(fx_t *f) {
    return &f->ctx.savings;
}

static int64_t stored_balance(fx_t *f, uint64_t member) {
    tx_savings_t s;
    assert_int_equal(tx_store_get_savings(&f->db, f->txn, member, KIND, &s), 0);
    return s.balance_sen;
}

static int64_t cached_balance(fx_t *f, uint64_t member) {
    tx_savings_t s;
    assert_int_equal(tx_savings_cache_get(cache_of(f), &f->db, f->txn, f->arena, member, KIND,
                                          &s), 0);
    return s.balance_sen;
}

static void put(fx_t *f, uint64_t member, int64_t balance) {
    tx_savings_t s;
    assert_int_equal(tx_savings_cache_get(cache_of(f), &f->db, f->txn, f->arena, member, KIND,
                                          &s), 0);
    s.balance_sen = balance;
    s.paid_sen += 1;
    assert_int_equal(tx_savings_cache_put(cache_of(f), &f->db, f->txn, f->arena, member, KIND,
                                          &s), 0);
}

static void a_change_is_read_back_and_stored_at_the_write(void **state) {
    fx_t *f = *state;
    put(f, 501, 1500);
    put(f, 501, 1700);
    assert_int_equal(cached_balance(f, 501), 1700);
    assert_int_equal(stored_balance(f, 501), 0);
    assert_int_equal(tx_savings_cache_write(cache_of(f), &f->db, f->txn), 0);
    assert_int_equal(stored_balance(f, 501), 1700);
    tx_savings_t s;
    assert_int_equal(tx_store_get_savings(&f->db, f->txn, 501, KIND, &s), 0);
    assert_int_equal(s.paid_sen, 2);
    assert_int_equal(cache_of(f)->count, 0);
    assert_int_equal(cached_balance(f, 501), 1700);       /* read through to the store */
}

static void a_rollback_undoes_the_puts_after_its_mark(void **state) {
    fx_t *f = *state;
    assert_int_equal(tx_store_put_savings(&f->db, f->txn, 502, KIND,
                                          &(tx_savings_t) { .balance_sen = 40 }), 0);
    put(f, 501, 100);
    assert_int_equal(cached_balance(f, 502), 40);          /* read, not changed */
    size_t mark = tx_savings_cache_mark(cache_of(f));
    put(f, 501, 200);
    put(f, 502, 300);
    put(f, 503, 400);
    tx_savings_cache_rollback(cache_of(f), mark);
    assert_int_equal(cached_balance(f, 501), 100);
    assert_int_equal(cached_balance(f, 502), 40);
    assert_int_equal(cached_balance(f, 503), 0);
    /* Only what survived the rollback as a change is written. */
    assert_int_equal(tx_store_put_savings(&f->db, f->txn, 502, KIND,
                                          &(tx_savings_t) { .balance_sen = 41 }), 0);
    assert_int_equal(tx_savings_cache_write(cache_of(f), &f->db, f->txn), 0);
    assert_int_equal(stored_balance(f, 501), 100);
    assert_int_equal(stored_balance(f, 502), 41);
    assert_int_equal(stored_balance(f, 503), 0);
    assert_int_equal(store_count(f->txn, f->db.savings), 2);
}

static void thousands_of_members_are_kept_apart(void **state) {
    fx_t *f = *state;
    for (uint64_t m = 1; m <= 5000; m++) put(f, 1000 + m, (int64_t) m);
    for (uint64_t m = 1; m <= 5000; m++) put(f, 1000 + m, (int64_t) m * 2);
    assert_int_equal(cache_of(f)->count, 5000);
    for (uint64_t m = 1; m <= 5000; m += 499) assert_int_equal(cached_balance(f, 1000 + m), m * 2);
    assert_int_equal(stored_balance(f, 1001), 0);
    assert_int_equal(tx_savings_cache_write(cache_of(f), &f->db, f->txn), 0);
    for (uint64_t m = 1; m <= 5000; m += 499) assert_int_equal(stored_balance(f, 1000 + m), m * 2);
}

static void past_the_limit_a_change_is_written_at_once(void **state) {
    fx_t *f = *state;
    for (uint64_t m = 0; m <= TX_SAVINGS_CACHE; m++) put(f, 100000 + m, 10 + (int64_t) m);
    assert_int_equal(cache_of(f)->count, TX_SAVINGS_CACHE);
    assert_int_equal(stored_balance(f, 100000), 0);                       /* cached */
    assert_int_equal(stored_balance(f, 100000 + TX_SAVINGS_CACHE), 10 + TX_SAVINGS_CACHE);
}

int main(void) {
    unit_quiet_logs("test_transactions_savings_cache");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_change_is_read_back_and_stored_at_the_write, setup, teardown),
        cmocka_unit_test_setup_teardown(a_rollback_undoes_the_puts_after_its_mark, setup, teardown),
        cmocka_unit_test_setup_teardown(thousands_of_members_are_kept_apart, setup, teardown),
        cmocka_unit_test_setup_teardown(past_the_limit_a_change_is_written_at_once, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
