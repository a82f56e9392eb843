/* index_runs (transactions): what the journal's readers rely on — the index rows a unit of
   work writes cover every posted entry exactly once: consecutive ids of one cooperative, day
   and account become one row keyed by the first id whose value is the last id (a lone entry:
   an empty value, as before runs); a gap in ids, another day, account or cooperative starts
   another row; a failed linked chain's items taken back by truncating leave no row; more row
   families than are kept open at once still give correct rows. Against a real store. */
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

#include "../../services/transactions/index_runs.h"
#include "../../services/transactions/store.h"
#include "tx_store_fixture.h"

typedef struct {
    tx_store_fx_t base;
    store_txn_t *txn;
    arena_t *arena;
    tx_index_runs_t runs;
} fx_t;

enum { DAY1 = 20100, DAY2 = 20101 };

static int setup(void **state) {
    tx_store_fixture_setup(state, sizeof(fx_t), "tx-index-runs");
    fx_t *f = *state;
    f->arena = arena_new();
    assert_int_equal(store_begin(f->base.store, false, &f->txn), 0);
    return 0;
}

static int teardown(void **state) {
    fx_t *f = *state;
    store_abort(&f->txn);
    arena_destroy(&f->arena);
    return tx_store_fixture_teardown(state);
}

static void push(fx_t *f, uint64_t coop, const char *code, int32_t date, uint64_t id) {
    tx_index_runs_push(&f->runs, f->arena, coop, code, date, id);
}

static void write_all(fx_t *f) {
    assert_int_equal(tx_index_runs_write(&f->runs, &f->base.db, f->txn), 0);
    assert_int_equal(tx_index_runs_count(&f->runs), 0);
}

static size_t rows(fx_t *f, store_table_t table) {
    store_scan_t s;
    assert_int_equal(store_scan_open(&s, f->txn, table, &(store_range_t){ 0 }), 0);
    size_t n = 0;
    int rc;
    while ((rc = store_scan_next(&s)) == 0) n++;
    assert_int_equal(store_scan_close(&s, rc), 0);
    return n;
}

/* The row keyed by `first` exists and its run ends at `last`. */
static void expect_run(fx_t *f, uint64_t coop, const char *code, int32_t date, uint64_t first,
                       uint64_t last) {
    uint8_t key[TX_ACCOUNT_LINE_KEY_SIZE];
    size_t kl = code ? tx_key_account_line(coop, code, date, first, key)
                     : tx_key_coop_entry(coop, date, first, key);
    const void *val;
    size_t vl;
    assert_int_equal(store_get(f->txn, code ? f->base.db.account_lines : f->base.db.coop_entries,
                               key, kl, &val, &vl), 0);
    assert_int_equal(vl, first == last ? 0 : 8);
    uint64_t end = 0;
    assert_int_equal(tx_index_run_decode(val, vl, first, &end), 0);
    assert_int_equal(end, last);
}

static void consecutive_ids_become_one_row(void **state) {
    fx_t *f = *state;
    for (uint64_t id = 5001; id <= 6000; id++) {
        push(f, 1, NULL, DAY1, id);
        push(f, 1, "1-101", DAY1, id);
        push(f, 1, "2-101", DAY1, id);
    }
    assert_int_equal(tx_index_runs_count(&f->runs), 3000);
    write_all(f);
    assert_int_equal(rows(f, f->base.db.coop_entries), 1);
    assert_int_equal(rows(f, f->base.db.account_lines), 2);
    expect_run(f, 1, NULL, DAY1, 5001, 6000);
    expect_run(f, 1, "1-101", DAY1, 5001, 6000);
    expect_run(f, 1, "2-101", DAY1, 5001, 6000);
}

static void a_lone_entry_is_a_row_with_an_empty_value(void **state) {
    fx_t *f = *state;
    push(f, 1, NULL, DAY1, 7);
    push(f, 1, "1-101", DAY1, 7);
    /* two lines of one entry on the same account: still one row */
    push(f, 1, "1-101", DAY1, 7);
    write_all(f);
    assert_int_equal(rows(f, f->base.db.coop_entries), 1);
    assert_int_equal(rows(f, f->base.db.account_lines), 1);
    expect_run(f, 1, NULL, DAY1, 7, 7);
    expect_run(f, 1, "1-101", DAY1, 7, 7);
}

static void a_gap_another_day_or_cooperative_starts_another_row(void **state) {
    fx_t *f = *state;
    push(f, 1, NULL, DAY1, 10);
    push(f, 1, NULL, DAY1, 11);
    push(f, 1, NULL, DAY1, 13);     /* gap */
    push(f, 1, NULL, DAY2, 14);     /* another day */
    push(f, 2, NULL, DAY2, 15);     /* another cooperative */
    push(f, 1, NULL, DAY2, 16);     /* cooperative 1 on DAY2 again: 15 was not its, a gap */
    write_all(f);
    assert_int_equal(rows(f, f->base.db.coop_entries), 5);
    assert_int_equal(rows(f, f->base.db.account_lines), 0);
    expect_run(f, 1, NULL, DAY1, 10, 11);
    expect_run(f, 1, NULL, DAY1, 13, 13);
    expect_run(f, 1, NULL, DAY2, 14, 14);
    expect_run(f, 2, NULL, DAY2, 15, 15);
    expect_run(f, 1, NULL, DAY2, 16, 16);
}

static void interleaved_accounts_keep_their_own_runs(void **state) {
    fx_t *f = *state;
    /* entry n: Dr 1-101 / Cr 2-101 when odd, Dr 1-101 / Cr 3-102 when even */
    for (uint64_t id = 1; id <= 6; id++) {
        push(f, 1, "1-101", DAY1, id);
        push(f, 1, id % 2 ? "2-101" : "3-102", DAY1, id);
    }
    write_all(f);
    expect_run(f, 1, "1-101", DAY1, 1, 6);
    for (uint64_t id = 1; id <= 6; id++) expect_run(f, 1, id % 2 ? "2-101" : "3-102", DAY1, id, id);
    assert_int_equal(rows(f, f->base.db.account_lines), 7);
}

static void truncated_items_leave_no_row(void **state) {
    fx_t *f = *state;
    push(f, 1, NULL, DAY1, 1);
    push(f, 1, NULL, DAY1, 2);
    size_t mark = tx_index_runs_count(&f->runs);
    assert_int_equal(mark, 2);
    push(f, 1, NULL, DAY1, 3);
    push(f, 1, "1-101", DAY1, 3);
    tx_index_runs_truncate(&f->runs, mark);
    assert_int_equal(tx_index_runs_count(&f->runs), 2);
    write_all(f);
    assert_int_equal(rows(f, f->base.db.coop_entries), 1);
    assert_int_equal(rows(f, f->base.db.account_lines), 0);
    expect_run(f, 1, NULL, DAY1, 1, 2);
}

static void more_families_than_open_runs_are_all_written(void **state) {
    fx_t *f = *state;
    /* 40 cooperatives (more than the 32 runs kept open), each with two consecutive entries */
    for (uint64_t c = 1; c <= 40; c++) {
        push(f, c, NULL, DAY1, 2 * c + 1);
        push(f, c, NULL, DAY1, 2 * c + 2);
    }
    /* then 40 families open at once, two passes over them */
    for (uint64_t pass = 0; pass < 2; pass++)
        for (uint64_t c = 1; c <= 40; c++) push(f, c, "1-101", DAY2, 200 + pass * 40 + c);
    write_all(f);
    assert_int_equal(rows(f, f->base.db.coop_entries), 40);
    for (uint64_t c = 1; c <= 40; c++) {
        expect_run(f, c, NULL, DAY1, 2 * c + 1, 2 * c + 2);
        expect_run(f, c, "1-101", DAY2, 200 + c, 200 + c);
        expect_run(f, c, "1-101", DAY2, 240 + c, 240 + c);
    }
    assert_int_equal(rows(f, f->base.db.account_lines), 80);
}

static void the_run_value_decodes_strictly(void **state) {
    (void) state;
    uint8_t v[TX_INDEX_RUN_VALUE_MAX];
    assert_int_equal(tx_index_run_encode(9, 9, v), 0);
    assert_int_equal(tx_index_run_encode(9, 12, v), 8);
    uint64_t last = 0;
    assert_int_equal(tx_index_run_decode(v, 8, 9, &last), 0);
    assert_int_equal(last, 12);
    assert_int_equal(tx_index_run_decode(v, 8, 12, &last), ERR_RECORD_VERSION);
    assert_int_equal(tx_index_run_decode(v, 4, 9, &last), ERR_RECORD_VERSION);
}

int main(void) {
    unit_quiet_logs("test_transactions_index_runs");
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(consecutive_ids_become_one_row),
        T(a_lone_entry_is_a_row_with_an_empty_value),
        T(a_gap_another_day_or_cooperative_starts_another_row),
        T(interleaved_accounts_keep_their_own_runs),
        T(truncated_items_leave_no_row),
        T(more_families_than_open_runs_are_all_written),
        cmocka_unit_test(the_run_value_decodes_strictly),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
