/* id_range: the ids a shard hands out — shard K starts at K * TX_SHARD_ID_SPAN + 1 and goes on
   from the last id inside its range, a floor left by move-cooperative is never handed out
   again, ids above the range turn STORE_APPEND off, and keep_floors records the ids taken. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"
#include "bytes.h"
#include "../../services/transactions/store.h"
#include "tx_store_fixture.h"

typedef tx_store_fx_t fx_t;

static int setup(void **state) {
    return tx_store_fixture_setup(state, sizeof(fx_t), "txids");
}

static void put_id(fx_t *f, store_table_t table, uint64_t id) {
    store_txn_t *txn;
    assert_int_equal(store_begin(f->store, false, &txn), 0);
    uint8_t key[8];
    be64_write(key, id);
    assert_int_equal(store_put(txn, table, key, 8, "", 0, 0), 0);
    assert_int_equal(store_commit(&txn), 0);
}

static uint64_t next(fx_t *f, store_table_t table) {
    store_txn_t *txn;
    assert_int_equal(store_begin(f->store, true, &txn), 0);
    uint64_t id = tx_id_range_next(&f->db.ids, txn, table);
    store_abort(&txn);
    return id;
}

static void a_shard_starts_at_its_base_and_goes_on_from_its_last_id(void **state) {
    fx_t *f = *state;
    assert_int_equal(tx_id_range_shard(&f->db.ids, f->store, 1), 0);
    assert_int_equal(next(f, f->db.entries), TX_SHARD_ID_SPAN + 1);
    put_id(f, f->db.entries, TX_SHARD_ID_SPAN + 5);
    put_id(f, f->db.entries, 3);                            /* shard 0's: below the range */
    assert_int_equal(next(f, f->db.entries), TX_SHARD_ID_SPAN + 6);
    assert_int_equal(next(f, f->db.loans), TX_SHARD_ID_SPAN + 1);
    assert_int_equal(tx_id_range_append(&f->db.ids, f->db.entries), STORE_APPEND);
}

static void ids_above_the_range_turn_append_off(void **state) {
    fx_t *f = *state;
    put_id(f, f->db.loans, 2 * TX_SHARD_ID_SPAN + 1);       /* moved in from shard 2 */
    assert_int_equal(tx_id_range_shard(&f->db.ids, f->store, 1), 0);
    assert_int_equal(tx_id_range_append(&f->db.ids, f->db.loans), 0);
    assert_int_equal(tx_id_range_append(&f->db.ids, f->db.entries), STORE_APPEND);
    assert_int_equal(next(f, f->db.loans), TX_SHARD_ID_SPAN + 1);
}

static void kept_floors_are_not_handed_out_again(void **state) {
    fx_t *f = *state;
    assert_int_equal(tx_id_range_shard(&f->db.ids, f->store, 0), 0);
    put_id(f, f->db.time_deposits, 41);
    store_txn_t *txn;
    assert_int_equal(store_begin(f->store, false, &txn), 0);
    assert_int_equal(tx_id_range_keep_floors(&f->db.ids, txn), 0);
    uint8_t key[8];
    be64_write(key, 41);
    assert_int_equal(store_del(txn, f->db.time_deposits, key, 8), 0);   /* moved away */
    assert_int_equal(store_commit(&txn), 0);
    assert_int_equal(next(f, f->db.time_deposits), 1);       /* floors read at shard time */
    assert_int_equal(tx_id_range_shard(&f->db.ids, f->store, 0), 0);
    assert_int_equal(next(f, f->db.time_deposits), 42);
    assert_int_equal(next(f, f->db.entries), 1);             /* no floor: nothing was taken */
}

int main(void) {
    unit_quiet_logs("test_transactions_id_range");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_shard_starts_at_its_base_and_goes_on_from_its_last_id, setup, tx_store_fixture_teardown),
        cmocka_unit_test_setup_teardown(ids_above_the_range_turn_append_off, setup, tx_store_fixture_teardown),
        cmocka_unit_test_setup_teardown(kept_floors_are_not_handed_out_again, setup, tx_store_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
