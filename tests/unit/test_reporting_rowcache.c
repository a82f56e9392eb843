/* rowcache: the write-back cache of reporting's apply txn. Rows read back through it as last
   put, reach the store only at flush, vanish on clear; an edit changes a row in place; many rows (past the 3/4 mark, with
   keys that share prefixes) and rows over the limits stay right. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"
#include "../../services/reporting/rowcache.h"

typedef struct {
    char dir[UNIT_PATH_MAX];
    store_t *store;
    store_table_t a, b;
    rowcache_t *cache;
} fixture_t;

static int setup(void **state) {
    fixture_t *f = calloc(1, sizeof *f);
    unit_tempdir(f->dir, "rowcache");
    int err = 0;
    f->store = store_new(f->dir, &err);
    assert_non_null(f->store);
    assert_int_equal(store_table(f->store, "a", &f->a), 0);
    assert_int_equal(store_table(f->store, "b", &f->b), 0);
    f->cache = rowcache_new();
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture_t *f = *state;
    rowcache_destroy(&f->cache);
    store_destroy(&f->store);
    unit_rmtree(f->dir);
    free(f);
    return 0;
}

static void key_of(uint8_t key[12], uint32_t i) {
    memset(key, 0, 12);        /* a cooperative's id, then a counter: long shared prefixes */
    key[7] = 1;
    key[8] = (uint8_t) (i >> 24), key[9] = (uint8_t) (i >> 16);
    key[10] = (uint8_t) (i >> 8), key[11] = (uint8_t) i;
}

static void rows_read_back_and_reach_the_store_at_flush(void **state) {
    fixture_t *f = *state;
    store_txn_t *txn;
    assert_int_equal(store_begin(f->store, false, &txn), 0);
    rowcache_clear(f->cache);
    const void *v;
    size_t vl;
    assert_int_equal(rowcache_put(f->cache, txn, f->a, "k", 1, "one", 3), 0);
    assert_int_equal(rowcache_put(f->cache, txn, f->b, "k", 1, "other", 5), 0);  /* same key */
    assert_int_equal(rowcache_put(f->cache, txn, f->a, "k", 1, "two", 3), 0);
    assert_int_equal(rowcache_get(f->cache, txn, f->a, "k", 1, &v, &vl), 0);
    assert_int_equal(vl, 3);
    assert_memory_equal(v, "two", 3);
    assert_int_equal(rowcache_get(f->cache, txn, f->b, "k", 1, &v, &vl), 0);
    assert_memory_equal(v, "other", 5);
    assert_int_equal(store_get(txn, f->a, "k", 1, &v, &vl), ERR_NOT_FOUND);   /* not yet */
    assert_int_equal(rowcache_flush(f->cache, txn), 0);
    assert_int_equal(store_get(txn, f->a, "k", 1, &v, &vl), 0);
    assert_memory_equal(v, "two", 3);
    assert_int_equal(rowcache_get(f->cache, txn, f->b, "k", 1, &v, &vl), 0);   /* from the store */
    assert_memory_equal(v, "other", 5);
    store_abort(&txn);
}

static void a_cleared_cache_forgets_its_rows(void **state) {
    fixture_t *f = *state;
    store_txn_t *txn;
    assert_int_equal(store_begin(f->store, false, &txn), 0);
    assert_int_equal(rowcache_put(f->cache, txn, f->a, "gone", 4, "x", 1), 0);
    rowcache_clear(f->cache);
    const void *v;
    size_t vl;
    assert_int_equal(rowcache_get(f->cache, txn, f->a, "gone", 4, &v, &vl), ERR_NOT_FOUND);
    assert_int_equal(rowcache_flush(f->cache, txn), 0);
    assert_int_equal(store_get(txn, f->a, "gone", 4, &v, &vl), ERR_NOT_FOUND);
    store_abort(&txn);
}

/* Three times the slots: the cache writes itself out when 3/4 full and every row keeps its
   last value, whether read from the cache or the store. */
static void many_rows_keep_their_last_values(void **state) {
    fixture_t *f = *state;
    store_txn_t *txn;
    assert_int_equal(store_begin(f->store, false, &txn), 0);
    rowcache_clear(f->cache);
    enum { ROWS = 3 * ROWCACHE_SLOTS };
    for (int round = 0; round < 2; round++)
        for (uint32_t i = 0; i < ROWS; i++) {
            uint8_t key[12];
            key_of(key, i);
            uint32_t val = i * 2 + (uint32_t) round;
            assert_int_equal(rowcache_put(f->cache, txn, f->a, key, sizeof key, &val, 4), 0);
        }
    for (uint32_t i = 0; i < ROWS; i++) {
        uint8_t key[12];
        key_of(key, i);
        const void *v;
        size_t vl;
        assert_int_equal(rowcache_get(f->cache, txn, f->a, key, sizeof key, &v, &vl), 0);
        uint32_t got;
        memcpy(&got, v, 4);
        assert_int_equal(got, i * 2 + 1);
    }
    assert_int_equal(rowcache_flush(f->cache, txn), 0);
    assert_int_equal(store_count(txn, f->a), ROWS);
    store_abort(&txn);
}

/* A value over ROWCACHE_VALUE_MAX goes to the store at once, and wins over the cached one. */
static void a_large_value_replaces_the_cached_one(void **state) {
    fixture_t *f = *state;
    store_txn_t *txn;
    assert_int_equal(store_begin(f->store, false, &txn), 0);
    rowcache_clear(f->cache);
    uint8_t big[ROWCACHE_VALUE_MAX + 1];
    memset(big, 'b', sizeof big);
    assert_int_equal(rowcache_put(f->cache, txn, f->a, "r", 1, "small", 5), 0);
    assert_int_equal(rowcache_put(f->cache, txn, f->a, "r", 1, big, sizeof big), 0);
    const void *v;
    size_t vl;
    assert_int_equal(rowcache_get(f->cache, txn, f->a, "r", 1, &v, &vl), 0);
    assert_int_equal(vl, sizeof big);
    assert_int_equal(rowcache_flush(f->cache, txn), 0);
    assert_int_equal(store_get(txn, f->a, "r", 1, &v, &vl), 0);
    assert_int_equal(vl, sizeof big);
    store_abort(&txn);
}

/* An edit changes the cached row in place, loading it from the store first; a row the store
   lacks is not found, one over the limits is refused. */
static void an_edit_changes_the_row_in_place(void **state) {
    fixture_t *f = *state;
    store_txn_t *txn;
    assert_int_equal(store_begin(f->store, false, &txn), 0);
    rowcache_clear(f->cache);
    assert_int_equal(store_put(txn, f->a, "s", 1, "abc", 3, 0), 0);
    uint8_t *row;
    size_t len;
    assert_int_equal(rowcache_edit(f->cache, txn, f->a, "s", 1, &row, &len), 0);
    assert_int_equal(len, 3);
    assert_memory_equal(row, "abc", 3);
    row[0] = 'x';
    assert_int_equal(rowcache_edit(f->cache, txn, f->a, "s", 1, &row, &len), 0);
    assert_memory_equal(row, "xbc", 3);              /* the same cached row */
    const void *v;
    size_t vl;
    assert_int_equal(store_get(txn, f->a, "s", 1, &v, &vl), 0);
    assert_memory_equal(v, "abc", 3);                /* the store until flush */
    assert_int_equal(rowcache_flush(f->cache, txn), 0);
    assert_int_equal(store_get(txn, f->a, "s", 1, &v, &vl), 0);
    assert_memory_equal(v, "xbc", 3);
    assert_int_equal(rowcache_edit(f->cache, txn, f->a, "none", 4, &row, &len), ERR_NOT_FOUND);
    uint8_t big[ROWCACHE_VALUE_MAX + 1] = { 0 };
    assert_int_equal(store_put(txn, f->a, "big", 3, big, sizeof big, 0), 0);
    assert_int_equal(rowcache_edit(f->cache, txn, f->a, "big", 3, &row, &len), -E2BIG);
    uint8_t long_key[ROWCACHE_KEY_MAX + 1] = { 1 };
    assert_int_equal(rowcache_edit(f->cache, txn, f->a, long_key, sizeof long_key, &row, &len),
                     -E2BIG);
    store_abort(&txn);
}

int main(void) {
    unit_quiet_logs("test_reporting_rowcache");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(rows_read_back_and_reach_the_store_at_flush, setup, teardown),
        cmocka_unit_test_setup_teardown(a_cleared_cache_forgets_its_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(many_rows_keep_their_last_values, setup, teardown),
        cmocka_unit_test_setup_teardown(a_large_value_replaces_the_cached_one, setup, teardown),
        cmocka_unit_test_setup_teardown(an_edit_changes_the_row_in_place, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
