/* store: tables, tables of duplicates, transactions (nested too), cursors, map growth, reopen
   and backup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <sys/stat.h>

#include "unit.h"
#include "bytes.h"
#include "store.h"

typedef struct {
    char dir[UNIT_PATH_MAX];
    store_t *store;
    store_table_t table;
} fixture_t;

static store_t *open_store(const char *dir) {
    int err = 0;
    store_t *s = store_new(dir, &err);
    assert_non_null(s);
    assert_int_equal(err, 0);
    return s;
}

static int setup(void **state) {
    fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    unit_tempdir(f->dir, "store");
    f->store = open_store(f->dir);
    assert_int_equal(store_table(f->store, "things", &f->table), 0);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture_t *f = *state;
    store_destroy(&f->store);
    assert_null(f->store);
    unit_rmtree(f->dir);
    free(f);
    unsetenv("LUMBUNG_STORE_MAP_INITIAL");
    unsetenv("LUMBUNG_STORE_MAP_MAX");
    return 0;
}

static store_txn_t *begin(store_t *s, bool read_only) {
    store_txn_t *txn = NULL;
    assert_int_equal(store_begin(s, read_only, &txn), 0);
    assert_non_null(txn);
    return txn;
}

static void commit(store_txn_t **txn) {
    assert_int_equal(store_commit(txn), 0);
    assert_null(*txn);
}

static void put_str(store_txn_t *txn, store_table_t t, const char *k, const char *v, unsigned flags,
                    int expect) {
    assert_int_equal(store_put(txn, t, k, strlen(k), v, strlen(v), flags), expect);
}

/* Asserts that key k holds v (or is absent when v is NULL). */
static void expect_in(store_txn_t *txn, store_table_t t, const char *k, const char *v) {
    const void *val = NULL;
    size_t len = 0;
    int rc = store_get(txn, t, k, strlen(k), &val, &len);
    if (!v) {
        assert_int_equal(rc, ERR_NOT_FOUND);
        return;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(len, strlen(v));
    assert_memory_equal(val, v, len);
}

static void expect_committed(store_t *s, store_table_t t, const char *k, const char *v) {
    store_txn_t *r = begin(s, true);
    expect_in(r, t, k, v);
    store_abort(&r);
}

static void put_then_get_returns_the_value(void **state) {
    fixture_t *f = *state;
    store_txn_t *txn = begin(f->store, false);
    put_str(txn, f->table, "anggota:1", "Siti Rahayu", 0, 0);
    expect_in(txn, f->table, "anggota:1", "Siti Rahayu");   /* visible inside its txn */
    commit(&txn);
    expect_committed(f->store, f->table, "anggota:1", "Siti Rahayu");
}

static void get_of_a_missing_key_is_not_found(void **state) {
    fixture_t *f = *state;
    store_txn_t *r = begin(f->store, true);
    const void *v = (const void *) 1;
    size_t vl = 99;
    assert_int_equal(store_get(r, f->table, "nobody", 6, &v, &vl), ERR_NOT_FOUND);
    assert_int_equal(store_get(r, f->table, "nobody", 6, NULL, NULL), ERR_NOT_FOUND);
    store_abort(&r);
    assert_null(r);
}

static void put_overwrites_unless_told_not_to(void **state) {
    fixture_t *f = *state;
    store_txn_t *txn = begin(f->store, false);
    put_str(txn, f->table, "k", "one", 0, 0);
    put_str(txn, f->table, "k", "two", 0, 0);
    expect_in(txn, f->table, "k", "two");
    put_str(txn, f->table, "fresh", "ok", STORE_NOOVERWRITE, 0);
    commit(&txn);

    txn = begin(f->store, false);
    put_str(txn, f->table, "k", "three", STORE_NOOVERWRITE, ERR_EXISTS);
    store_abort(&txn);   /* after a failed put the txn is unusable: abort */
    expect_committed(f->store, f->table, "k", "two");
}

static void del_removes_and_a_missing_key_is_not_found(void **state) {
    fixture_t *f = *state;
    store_txn_t *txn = begin(f->store, false);
    put_str(txn, f->table, "a", "1", 0, 0);
    put_str(txn, f->table, "b", "2", 0, 0);
    commit(&txn);
    txn = begin(f->store, false);
    assert_int_equal(store_del(txn, f->table, "a", 1), 0);
    assert_int_equal(store_del(txn, f->table, "a", 1), ERR_NOT_FOUND);
    assert_int_equal(store_del(txn, f->table, "zz", 2), ERR_NOT_FOUND);
    commit(&txn);
    expect_committed(f->store, f->table, "a", NULL);
    expect_committed(f->store, f->table, "b", "2");
}

static void empty_values_are_stored(void **state) {
    fixture_t *f = *state;
    store_txn_t *txn = begin(f->store, false);
    assert_int_equal(store_put(txn, f->table, "empty", 5, "", 0, 0), 0);
    commit(&txn);
    expect_committed(f->store, f->table, "empty", "");
}

static void abort_discards_every_write(void **state) {
    fixture_t *f = *state;
    store_txn_t *txn = begin(f->store, false);
    put_str(txn, f->table, "kept", "yes", 0, 0);
    commit(&txn);
    txn = begin(f->store, false);
    put_str(txn, f->table, "lost", "never", 0, 0);
    assert_int_equal(store_del(txn, f->table, "kept", 4), 0);
    store_abort(&txn);
    assert_null(txn);
    store_abort(&txn);   /* aborting NULL is harmless */
    expect_committed(f->store, f->table, "lost", NULL);
    expect_committed(f->store, f->table, "kept", "yes");
}

static void a_read_txn_does_not_see_later_commits(void **state) {
    fixture_t *f = *state;
    store_txn_t *r = begin(f->store, true);
    store_txn_t *w = begin(f->store, false);
    put_str(w, f->table, "late", "1", 0, 0);
    commit(&w);
    expect_in(r, f->table, "late", NULL);   /* snapshot isolation */
    store_abort(&r);
    expect_committed(f->store, f->table, "late", "1");
}

/* A finished read txn is kept (reset) and renewed by the next read: the renewed one takes the
   snapshot of its own start, also after the map has grown, and two reads open at once are two
   txns (only one is kept; the other is freed, which AddressSanitizer's leak check sees). */
static void a_read_after_a_read_sees_the_commits_between_them(void **state) {
    fixture_t *f = *state;
    store_txn_t *r1 = begin(f->store, true);
    expect_in(r1, f->table, "k", NULL);
    store_abort(&r1);
    assert_null(r1);
    store_txn_t *w = begin(f->store, false);
    put_str(w, f->table, "k", "1", 0, 0);
    commit(&w);
    store_txn_t *r2 = begin(f->store, true), *r3 = begin(f->store, true);
    assert_ptr_not_equal(r2, r3);
    expect_in(r2, f->table, "k", "1");
    expect_in(r3, f->table, "k", "1");
    store_abort(&r2);
    store_abort(&r3);
    assert_int_equal(store_grow(f->store), 0);
    w = begin(f->store, false);
    put_str(w, f->table, "k", "2", 0, 0);
    commit(&w);
    expect_committed(f->store, f->table, "k", "2");
}

static void a_read_only_txn_refuses_writes(void **state) {
    fixture_t *f = *state;
    store_txn_t *r = begin(f->store, true);
    put_str(r, f->table, "x", "y", 0, ERR_STORE);
    store_abort(&r);
    expect_committed(f->store, f->table, "x", NULL);
}

static void tables_keep_their_keys_apart(void **state) {
    fixture_t *f = *state;
    store_table_t other, again;
    assert_int_equal(store_table(f->store, "other", &other), 0);
    assert_int_equal(store_table(f->store, "things", &again), 0);   /* reopening names the same */
    assert_int_equal(again, f->table);
    store_txn_t *txn = begin(f->store, false);
    put_str(txn, f->table, "same", "in things", 0, 0);
    put_str(txn, other, "same", "in other", 0, 0);
    commit(&txn);
    expect_committed(f->store, f->table, "same", "in things");
    expect_committed(f->store, other, "same", "in other");
}

static void count_counts_the_entries_of_one_table(void **state) {
    fixture_t *f = *state;
    store_table_t other;
    assert_int_equal(store_table(f->store, "other", &other), 0);
    store_txn_t *txn = begin(f->store, false);
    assert_int_equal(store_count(txn, f->table), 0);
    for (int i = 0; i < 25; i++) {
        uint8_t key[8];
        be64_write(key, (uint64_t) i);
        assert_int_equal(store_put(txn, f->table, key, 8, "v", 1, 0), 0);
    }
    put_str(txn, other, "x", "y", 0, 0);
    assert_int_equal(store_count(txn, f->table), 25);
    assert_int_equal(store_count(txn, other), 1);
    commit(&txn);
}

static void append_in_key_order_succeeds_and_out_of_order_fails(void **state) {
    fixture_t *f = *state;
    uint8_t key[8];
    store_txn_t *txn = begin(f->store, false);
    for (uint64_t seq = 1; seq <= 3; seq++) {
        be64_write(key, seq);
        assert_int_equal(store_put(txn, f->table, key, 8, "e", 1, STORE_APPEND), 0);
    }
    commit(&txn);

    txn = begin(f->store, false);
    be64_write(key, 2);   /* behind the last key */
    assert_int_equal(store_put(txn, f->table, key, 8, "late", 4, STORE_APPEND), ERR_EXISTS);
    store_abort(&txn);

    txn = begin(f->store, false);
    be64_write(key, 10);  /* ahead with a gap is still in order */
    assert_int_equal(store_put(txn, f->table, key, 8, "e", 1, STORE_APPEND), 0);
    commit(&txn);
    store_txn_t *r = begin(f->store, true);
    assert_int_equal(store_count(r, f->table), 4);
    be64_write(key, 2);
    const void *v;
    size_t vl;
    assert_int_equal(store_get(r, f->table, key, 8, &v, &vl), 0);
    assert_memory_equal(v, "e", 1);
    store_abort(&r);
}

static void child_commit_becomes_part_of_the_parent(void **state) {
    fixture_t *f = *state;
    store_txn_t *parent = begin(f->store, false), *child = NULL;
    assert_int_equal(store_begin_child(parent, &child), 0);
    put_str(child, f->table, "from-child", "1", 0, 0);
    assert_int_equal(store_commit(&child), 0);
    assert_null(child);
    expect_in(parent, f->table, "from-child", "1");
    commit(&parent);
    expect_committed(f->store, f->table, "from-child", "1");
}

/* The group commit relies on this: a failing request aborts only its own child. */
static void child_abort_leaves_the_parent_unchanged(void **state) {
    fixture_t *f = *state;
    store_txn_t *txn = begin(f->store, false);
    put_str(txn, f->table, "balance", "100", 0, 0);
    commit(&txn);

    store_txn_t *parent = begin(f->store, false), *child = NULL;
    put_str(parent, f->table, "before", "parent", 0, 0);

    assert_int_equal(store_begin_child(parent, &child), 0);
    put_str(child, f->table, "balance", "0", 0, 0);
    put_str(child, f->table, "child-only", "x", 0, 0);
    assert_int_equal(store_del(child, f->table, "before", 6), 0);
    store_abort(&child);
    assert_null(child);

    expect_in(parent, f->table, "balance", "100");
    expect_in(parent, f->table, "child-only", NULL);
    expect_in(parent, f->table, "before", "parent");

    /* A child that failed inside (duplicate key) is aborted, and the parent still commits. */
    assert_int_equal(store_begin_child(parent, &child), 0);
    put_str(child, f->table, "balance", "1", STORE_NOOVERWRITE, ERR_EXISTS);
    store_abort(&child);

    assert_int_equal(store_begin_child(parent, &child), 0);
    put_str(child, f->table, "after", "ok", 0, 0);
    commit(&child);
    commit(&parent);

    expect_committed(f->store, f->table, "balance", "100");
    expect_committed(f->store, f->table, "before", "parent");
    expect_committed(f->store, f->table, "child-only", NULL);
    expect_committed(f->store, f->table, "after", "ok");
}

static void aborting_the_parent_drops_committed_children(void **state) {
    fixture_t *f = *state;
    store_txn_t *parent = begin(f->store, false), *child = NULL;
    assert_int_equal(store_begin_child(parent, &child), 0);
    put_str(child, f->table, "gone", "1", 0, 0);
    commit(&child);
    store_abort(&parent);
    expect_committed(f->store, f->table, "gone", NULL);
}

/* ---- cursors ---- */

static uint64_t key_at(const void *k, size_t kl) {
    assert_int_equal(kl, 8);
    return be64_read(k);
}

/* Keys 10, 20, ..., 100 with value = key / 10 as one byte. */
static void fill_tens(fixture_t *f) {
    store_txn_t *txn = begin(f->store, false);
    for (uint64_t i = 1; i <= 10; i++) {
        uint8_t key[8], val = (uint8_t) i;
        be64_write(key, i * 10);
        assert_int_equal(store_put(txn, f->table, key, 8, &val, 1, 0), 0);
    }
    commit(&txn);
}

static void cursor_seeks_the_first_key_at_or_after(void **state) {
    fixture_t *f = *state;
    fill_tens(f);
    store_txn_t *r = begin(f->store, true);
    store_cursor_t *c = NULL;
    assert_int_equal(store_cursor_open(r, f->table, &c), 0);
    const void *k, *v;
    size_t kl, vl;
    uint8_t want[8];
    be64_write(want, 45);
    assert_int_equal(store_cursor_seek(c, want, 8, &k, &kl, &v, &vl), 0);
    assert_int_equal(key_at(k, kl), 50);
    assert_int_equal(vl, 1);
    assert_int_equal(*(const uint8_t *) v, 5);
    be64_write(want, 70);
    assert_int_equal(store_cursor_seek(c, want, 8, &k, &kl, NULL, NULL), 0);
    assert_int_equal(key_at(k, kl), 70);   /* an exact match is "at" */
    be64_write(want, 101);
    assert_int_equal(store_cursor_seek(c, want, 8, &k, &kl, &v, &vl), ERR_NOT_FOUND);
    store_cursor_close(&c);
    assert_null(c);
    store_cursor_close(&c);   /* closing NULL is harmless */
    store_abort(&r);
}

static void cursor_walks_forward_and_backward(void **state) {
    fixture_t *f = *state;
    fill_tens(f);
    store_txn_t *r = begin(f->store, true);
    store_cursor_t *c;
    assert_int_equal(store_cursor_open(r, f->table, &c), 0);
    const void *k;
    size_t kl;
    uint8_t want[8];
    be64_write(want, 30);
    assert_int_equal(store_cursor_seek(c, want, 8, &k, &kl, NULL, NULL), 0);
    assert_int_equal(store_cursor_next(c, &k, &kl, NULL, NULL), 0);
    assert_int_equal(key_at(k, kl), 40);
    assert_int_equal(store_cursor_prev(c, &k, &kl, NULL, NULL), 0);
    assert_int_equal(key_at(k, kl), 30);
    assert_int_equal(store_cursor_prev(c, &k, &kl, NULL, NULL), 0);
    assert_int_equal(key_at(k, kl), 20);

    assert_int_equal(store_cursor_last(c, &k, &kl, NULL, NULL), 0);
    assert_int_equal(key_at(k, kl), 100);
    assert_int_equal(store_cursor_next(c, &k, &kl, NULL, NULL), ERR_NOT_FOUND);

    assert_int_equal(store_cursor_first(c, &k, &kl, NULL, NULL), 0);
    assert_int_equal(key_at(k, kl), 10);
    assert_int_equal(store_cursor_prev(c, &k, &kl, NULL, NULL), ERR_NOT_FOUND);

    /* A full forward walk sees every key once, in numeric order. */
    uint64_t expect = 10;
    int rc = store_cursor_first(c, &k, &kl, NULL, NULL);
    for (; rc == 0; rc = store_cursor_next(c, &k, &kl, NULL, NULL), expect += 10)
        assert_int_equal(key_at(k, kl), expect);
    assert_int_equal(rc, ERR_NOT_FOUND);
    assert_int_equal(expect, 110);
    store_cursor_close(&c);
    store_abort(&r);
}

static void cursor_on_an_empty_table_finds_nothing(void **state) {
    fixture_t *f = *state;
    store_txn_t *r = begin(f->store, true);
    store_cursor_t *c;
    assert_int_equal(store_cursor_open(r, f->table, &c), 0);
    const void *k;
    size_t kl;
    assert_int_equal(store_cursor_first(c, &k, &kl, NULL, NULL), ERR_NOT_FOUND);
    assert_int_equal(store_cursor_last(c, &k, &kl, NULL, NULL), ERR_NOT_FOUND);
    assert_int_equal(store_cursor_seek(c, "a", 1, &k, &kl, NULL, NULL), ERR_NOT_FOUND);
    store_cursor_close(&c);
    store_abort(&r);
}

static void cursor_sees_the_uncommitted_writes_of_its_txn(void **state) {
    fixture_t *f = *state;
    store_txn_t *w = begin(f->store, false);
    put_str(w, f->table, "m", "1", 0, 0);
    store_cursor_t *c;
    assert_int_equal(store_cursor_open(w, f->table, &c), 0);
    const void *k;
    size_t kl;
    assert_int_equal(store_cursor_last(c, &k, &kl, NULL, NULL), 0);
    assert_int_equal(kl, 1);
    assert_memory_equal(k, "m", 1);
    store_cursor_close(&c);
    store_abort(&w);
}

/* ---- range scans ---- */

/* Walks `range` over a fixed set of string keys and writes what it saw, comma-separated. */
static int scan_keys(fixture_t *f, const store_range_t *range, char *out, size_t cap) {
    store_txn_t *w = begin(f->store, false);
    static const char *const keys[] = { "a1", "a2", "a3", "a30", "b1", "b2", "c" };
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) put_str(w, f->table, keys[i], "v", 0, 0);
    commit(&w);
    store_txn_t *r = begin(f->store, true);
    store_scan_t s;
    assert_int_equal(store_scan_open(&s, r, f->table, range), 0);
    out[0] = '\0';
    int rc;
    while ((rc = store_scan_next(&s)) == 0) {
        size_t used = strlen(out);
        snprintf(out + used, cap - used, "%s%.*s", used ? "," : "", (int) s.key_len,
                 (const char *) s.key);
    }
    rc = store_scan_close(&s, rc);
    assert_null(s.cursor);
    store_abort(&r);
    return rc;
}

static void scan_keeps_to_the_prefix(void **state) {
    char seen[64];
    assert_int_equal(scan_keys(*state, &(store_range_t){ .prefix = "a", .prefix_len = 1 }, seen,
                               sizeof seen), 0);
    assert_string_equal(seen, "a1,a2,a3,a30");
    assert_int_equal(scan_keys(*state, &(store_range_t){ .prefix = "z", .prefix_len = 1 }, seen,
                               sizeof seen), 0);
    assert_string_equal(seen, "");
}

static void scan_without_a_prefix_walks_the_table(void **state) {
    char seen[64];
    assert_int_equal(scan_keys(*state, &(store_range_t){ 0 }, seen, sizeof seen), 0);
    assert_string_equal(seen, "a1,a2,a3,a30,b1,b2,c");
}

static void scan_starts_at_from_inclusive_or_after_it(void **state) {
    char seen[64];
    store_range_t range = { .prefix = "a", .prefix_len = 1, .from = "a2", .from_len = 2 };
    assert_int_equal(scan_keys(*state, &range, seen, sizeof seen), 0);
    assert_string_equal(seen, "a2,a3,a30");
    range.from_exclusive = true;
    assert_int_equal(scan_keys(*state, &range, seen, sizeof seen), 0);
    assert_string_equal(seen, "a3,a30");
}

static void scan_stops_after_the_bound(void **state) {
    char seen[64];
    /* The bound compares the key's first until_len bytes: "a30" is within "a3". */
    store_range_t range = { .until = "a3", .until_len = 2 };
    assert_int_equal(scan_keys(*state, &range, seen, sizeof seen), 0);
    assert_string_equal(seen, "a1,a2,a3,a30");
}

static void scan_past_rows_max_is_too_big(void **state) {
    char seen[64];
    store_range_t range = { .prefix = "a", .prefix_len = 1, .rows_max = 4 };
    assert_int_equal(scan_keys(*state, &range, seen, sizeof seen), 0);
    range.rows_max = 3;
    assert_int_equal(scan_keys(*state, &range, seen, sizeof seen), -E2BIG);
    assert_string_equal(seen, "a1,a2,a3");
}

/* ---- growth, reopen, backup ---- */

enum { BIG_VALUE = 32 * 1024, FILL_MAX = 100000 };

/* Writes BIG_VALUE-byte values with increasing keys into txn from *next on until the map is
   full; returns the code that stopped it. */
static int fill_until_full(store_txn_t *txn, store_table_t t, uint64_t *next) {
    static uint8_t value[BIG_VALUE];
    memset(value, 0x5A, sizeof value);
    for (int i = 0; i < FILL_MAX; i++) {
        uint8_t key[8];
        be64_write(key, *next);
        int rc = store_put(txn, t, key, 8, value, sizeof value, 0);
        if (rc != 0) return rc;
        (*next)++;
    }
    return 0;
}

/* Replaces the fixture's store by a fresh one in a subdirectory, so the map size settings in
   the environment apply (an existing store keeps the size it was created or grown to). */
static void reopen_fresh(fixture_t *f) {
    store_destroy(&f->store);
    char fresh[UNIT_PATH_MAX + 16];
    snprintf(fresh, sizeof fresh, "%s/fresh", f->dir);
    f->store = open_store(fresh);
}

static void map_full_then_grow_then_the_batch_fits(void **state) {
    fixture_t *f = *state;
    setenv("LUMBUNG_STORE_MAP_INITIAL", "65536", 1);
    reopen_fresh(f);
    assert_int_equal(store_table(f->store, "things", &f->table), 0);
    size_t before = store_map_size(f->store);
    assert_true(before >= 65536);

    uint64_t written = 0;
    store_txn_t *txn = begin(f->store, false);
    assert_int_equal(fill_until_full(txn, f->table, &written), ERR_MAP_FULL);
    store_abort(&txn);
    assert_true(written > 0);

    assert_int_equal(store_grow(f->store), 0);
    assert_int_equal(store_map_size(f->store), before * 2);

    /* The same batch is redone in full and now fits. */
    txn = begin(f->store, false);
    static uint8_t value[BIG_VALUE];
    for (uint64_t i = 0; i < written; i++) {
        uint8_t key[8];
        be64_write(key, i);
        assert_int_equal(store_put(txn, f->table, key, 8, value, sizeof value, 0), 0);
    }
    commit(&txn);
    store_txn_t *r = begin(f->store, true);
    assert_int_equal(store_count(r, f->table), written);
    store_abort(&r);
}

/* What store_write's fn does: `rows` big values, counting its runs; fails with `fail` if set. */
typedef struct {
    store_table_t table;
    int rows, runs, fail;
} writer_t;

static int write_rows(void *arg, store_txn_t *txn) {
    writer_t *w = arg;
    static uint8_t value[BIG_VALUE];
    w->runs++;
    for (int i = 0; i < w->rows; i++) {
        uint8_t key[8];
        be64_write(key, (uint64_t) i);
        int rc = store_put(txn, w->table, key, 8, value, sizeof value, 0);
        if (rc != 0) return rc;
    }
    return w->fail;
}

static void store_write_grows_the_map_and_runs_fn_again(void **state) {
    fixture_t *f = *state;
    setenv("LUMBUNG_STORE_MAP_INITIAL", "65536", 1);
    reopen_fresh(f);
    assert_int_equal(store_table(f->store, "things", &f->table), 0);
    size_t before = store_map_size(f->store);
    int rows = (int) (before / BIG_VALUE) + 2;          /* more than the map holds */
    writer_t w = { .table = f->table, .rows = rows };
    assert_int_equal(store_write(f->store, 8, write_rows, &w), 0);
    assert_true(w.runs > 1);
    assert_true(store_map_size(f->store) > before);
    store_txn_t *r = begin(f->store, true);
    assert_int_equal(store_count(r, f->table), (uint64_t) rows);
    store_abort(&r);
}

static void store_write_passes_on_fn_failure_and_keeps_nothing(void **state) {
    fixture_t *f = *state;
    writer_t w = { .table = f->table, .rows = 1, .fail = -EINVAL };
    assert_int_equal(store_write(f->store, 8, write_rows, &w), -EINVAL);
    assert_int_equal(w.runs, 1);
    store_txn_t *r = begin(f->store, true);
    assert_int_equal(store_count(r, f->table), 0);
    store_abort(&r);
}

static void store_write_gives_up_when_the_map_cannot_grow(void **state) {
    fixture_t *f = *state;
    setenv("LUMBUNG_STORE_MAP_INITIAL", "1048576", 1);
    setenv("LUMBUNG_STORE_MAP_MAX", "2097152", 1);
    reopen_fresh(f);
    assert_int_equal(store_table(f->store, "things", &f->table), 0);
    writer_t w = { .table = f->table, .rows = 128 };    /* 4 MiB: never fits */
    assert_int_equal(store_write(f->store, 8, write_rows, &w), ERR_MAP_FULL);
    assert_int_equal(w.runs, 2);
}

static void grow_stops_at_the_configured_maximum(void **state) {
    fixture_t *f = *state;
    setenv("LUMBUNG_STORE_MAP_INITIAL", "1048576", 1);
    setenv("LUMBUNG_STORE_MAP_MAX", "2097152", 1);
    reopen_fresh(f);
    assert_int_equal(store_map_size(f->store), 1048576);
    assert_int_equal(store_grow(f->store), 0);
    assert_int_equal(store_map_size(f->store), 2097152);
    assert_int_equal(store_grow(f->store), ERR_MAP_FULL);
    assert_int_equal(store_map_size(f->store), 2097152);
}

static void reopening_keeps_the_data_and_the_grown_size(void **state) {
    fixture_t *f = *state;
    assert_int_equal(store_grow(f->store), 0);
    size_t grown = store_map_size(f->store);
    /* The new size is recorded in the file by the next commit. */
    store_txn_t *txn = begin(f->store, false);
    put_str(txn, f->table, "durable", "yes", 0, 0);
    commit(&txn);
    store_destroy(&f->store);

    f->store = open_store(f->dir);
    assert_int_equal(store_map_size(f->store), grown);
    assert_int_equal(store_table(f->store, "things", &f->table), 0);
    expect_committed(f->store, f->table, "durable", "yes");
}

static void backup_yields_a_readable_copy(void **state) {
    fixture_t *f = *state;
    store_txn_t *txn = begin(f->store, false);
    for (uint64_t i = 0; i < 100; i++) {
        uint8_t key[8];
        be64_write(key, i);
        assert_int_equal(store_put(txn, f->table, key, 8, "0123456789", 10, 0), 0);
    }
    put_str(txn, f->table, "name", "Koperasi Tani Makmur", 0, 0);
    commit(&txn);
    /* Deleted data is not carried into the compacted copy, and later writes are not in it. */
    txn = begin(f->store, false);
    for (uint64_t i = 0; i < 50; i++) {
        uint8_t key[8];
        be64_write(key, i);
        assert_int_equal(store_del(txn, f->table, key, 8), 0);
    }
    commit(&txn);

    char copy_dir[UNIT_PATH_MAX];
    unit_tempdir(copy_dir, "backup");
    assert_int_equal(store_backup(f->store, copy_dir), 0);

    txn = begin(f->store, false);
    put_str(txn, f->table, "after-backup", "1", 0, 0);
    commit(&txn);

    store_t *copy = open_store(copy_dir);
    store_table_t t;
    assert_int_equal(store_table(copy, "things", &t), 0);
    expect_committed(copy, t, "name", "Koperasi Tani Makmur");
    expect_committed(copy, t, "after-backup", NULL);
    store_txn_t *r = begin(copy, true);
    assert_int_equal(store_count(r, t), 51);
    store_abort(&r);
    store_destroy(&copy);
    unit_rmtree(copy_dir);
}

static void backup_into_a_missing_directory_fails(void **state) {
    fixture_t *f = *state;
    char missing[UNIT_PATH_MAX + 16];
    snprintf(missing, sizeof missing, "%s/no/such/dir", f->dir);
    assert_int_equal(store_backup(f->store, missing), ERR_STORE);
}

static void opening_where_no_directory_can_be_made_fails(void **state) {
    fixture_t *f = *state;
    char path[UNIT_PATH_MAX + 16], below[UNIT_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/a-file", f->dir);
    unit_write_file(path, "not a directory");
    snprintf(below, sizeof below, "%s/store", path);
    int err = 0;
    assert_null(store_new(below, &err));
    assert_true(err < 0);
}

static void opening_creates_missing_parent_directories(void **state) {
    fixture_t *f = *state;
    char nested[UNIT_PATH_MAX + 32];
    snprintf(nested, sizeof nested, "%s/data/members", f->dir);
    store_t *s = open_store(nested);
    struct stat st;
    assert_int_equal(stat(nested, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    store_destroy(&s);
}


/* ---- tables of duplicates ---- */

static store_table_t dups_table(fixture_t *f) {
    store_table_t t;
    assert_int_equal(store_table_dups(f->store, "dups", &t), 0);
    return t;
}

static void put_dup(store_txn_t *txn, store_table_t t, const char *key, const char *val,
                    unsigned flags, int want) {
    assert_int_equal(store_put(txn, t, key, strlen(key), val, strlen(val), flags), want);
}

/* Values of one key are kept in byte order whatever order they came in, apart from other
   keys'; a scan visits each (key, value) once; appending out of order is refused. */
static void dups_keep_their_values_in_order_under_one_key(void **state) {
    fixture_t *f = *state;
    store_table_t t = dups_table(f);
    store_txn_t *txn = begin(f->store, false);
    put_dup(txn, t, "m1", "0003", 0, 0);
    put_dup(txn, t, "m1", "0001", 0, 0);
    put_dup(txn, t, "m1", "0007", STORE_APPEND_DUP, 0);
    put_dup(txn, t, "m1", "0005", STORE_APPEND_DUP, ERR_EXISTS);  /* sorts before 0007 */
    put_dup(txn, t, "m2", "0002", 0, 0);
    commit(&txn);
    txn = begin(f->store, true);
    store_scan_t s;
    assert_int_equal(store_scan_open(&s, txn, t, &(store_range_t){ .prefix = "m1",
                                                                    .prefix_len = 2 }), 0);
    const char *want[] = { "0001", "0003", "0007" };
    size_t n = 0;
    int rc;
    while ((rc = store_scan_next(&s)) == 0) {
        assert_true(n < 3);
        assert_int_equal(s.key_len, 2);
        assert_int_equal(s.val_len, 4);
        assert_memory_equal(s.val, want[n], 4);
        n++;
    }
    assert_int_equal(store_scan_close(&s, rc), 0);
    assert_int_equal(n, 3);
    store_abort(&txn);
}

/* STORE_APPEND_DUP appends after the key's last value, even as a key's first; an equal or
   smaller value is ERR_EXISTS with nothing written. STORE_NO_DUP refuses exactly a value that
   is there and places any other in order. store_get gives the first value, store_del removes
   every value of the key. */
static void append_dup_and_no_dup_refuse_with_nothing_written(void **state) {
    fixture_t *f = *state;
    store_table_t t = dups_table(f);
    store_txn_t *txn = begin(f->store, false);
    put_dup(txn, t, "m1", "0001", STORE_APPEND_DUP, 0);
    put_dup(txn, t, "m1", "0009", STORE_APPEND_DUP, 0);
    put_dup(txn, t, "m1", "0009", STORE_APPEND_DUP, ERR_EXISTS);
    put_dup(txn, t, "m1", "0004", STORE_APPEND_DUP, ERR_EXISTS);
    put_dup(txn, t, "m1", "0009", STORE_NO_DUP, ERR_EXISTS);
    put_dup(txn, t, "m1", "0004", STORE_NO_DUP, 0);
    commit(&txn);
    txn = begin(f->store, true);
    store_scan_t s;
    assert_int_equal(store_scan_open(&s, txn, t, &(store_range_t){ 0 }), 0);
    char seen[32] = "";
    int rc;
    while ((rc = store_scan_next(&s)) == 0) strncat(seen, s.val, s.val_len);
    assert_int_equal(store_scan_close(&s, rc), 0);
    assert_string_equal(seen, "000100040009");
    store_abort(&txn);
    txn = begin(f->store, false);              /* get: the first value; del: all of them */
    const void *v;
    size_t vl;
    assert_int_equal(store_get(txn, t, "m1", 2, &v, &vl), 0);
    assert_int_equal(vl, 4);
    assert_memory_equal(v, "0001", 4);
    assert_int_equal(store_del(txn, t, "m1", 2), 0);
    assert_int_equal(store_get(txn, t, "m1", 2, &v, &vl), ERR_NOT_FOUND);
    commit(&txn);
}

static void drop_removes_a_table_and_its_rows(void **state) {
    fixture_t *f = *state;
    store_table_t t = dups_table(f);
    store_txn_t *txn = begin(f->store, false);
    put_dup(txn, t, "m1", "0001", 0, 0);
    assert_int_equal(store_put(txn, f->table, "k", 1, "v", 1, 0), 0);
    assert_int_equal(store_drop(txn, t), 0);
    commit(&txn);
    store_table_t gone;
    assert_int_equal(store_table_existing(f->store, "dups", &gone), ERR_NOT_FOUND);
    assert_int_equal(store_table_existing(f->store, "things", &gone), 0);
    txn = begin(f->store, true);
    const void *v;
    size_t vl;
    assert_int_equal(store_get(txn, f->table, "k", 1, &v, &vl), 0);   /* other tables stay */
    store_abort(&txn);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void) {
    unit_quiet_logs("test_store");
    unsetenv("LUMBUNG_STORE_MAP_INITIAL");
    unsetenv("LUMBUNG_STORE_MAP_MAX");
    const struct CMUnitTest tests[] = {
        T(put_then_get_returns_the_value),
        T(get_of_a_missing_key_is_not_found),
        T(put_overwrites_unless_told_not_to),
        T(del_removes_and_a_missing_key_is_not_found),
        T(empty_values_are_stored),
        T(abort_discards_every_write),
        T(a_read_txn_does_not_see_later_commits),
        T(a_read_after_a_read_sees_the_commits_between_them),
        T(a_read_only_txn_refuses_writes),
        T(tables_keep_their_keys_apart),
        T(count_counts_the_entries_of_one_table),
        T(append_in_key_order_succeeds_and_out_of_order_fails),
        T(child_commit_becomes_part_of_the_parent),
        T(child_abort_leaves_the_parent_unchanged),
        T(aborting_the_parent_drops_committed_children),
        T(dups_keep_their_values_in_order_under_one_key),
        T(append_dup_and_no_dup_refuse_with_nothing_written),
        T(drop_removes_a_table_and_its_rows),
        T(cursor_seeks_the_first_key_at_or_after),
        T(cursor_walks_forward_and_backward),
        T(cursor_on_an_empty_table_finds_nothing),
        T(cursor_sees_the_uncommitted_writes_of_its_txn),
        T(scan_keeps_to_the_prefix),
        T(scan_without_a_prefix_walks_the_table),
        T(scan_starts_at_from_inclusive_or_after_it),
        T(scan_stops_after_the_bound),
        T(scan_past_rows_max_is_too_big),
        T(map_full_then_grow_then_the_batch_fits),
        T(grow_stops_at_the_configured_maximum),
        T(store_write_grows_the_map_and_runs_fn_again),
        T(store_write_passes_on_fn_failure_and_keeps_nothing),
        T(store_write_gives_up_when_the_map_cannot_grow),
        T(reopening_keeps_the_data_and_the_grown_size),
        T(backup_yields_a_readable_copy),
        T(backup_into_a_missing_directory_fails),
        T(opening_where_no_directory_can_be_made_fails),
        T(opening_creates_missing_parent_directories),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
