/* tx_store_fixture — a fresh store with the transactions tables and nothing in them, for the
   unit tests of the modules under the rules (verify, id_range), which open and commit their
   own transactions. Header-only (static): each test file is one translation unit. Include
   after cmocka.h, unit.h and the transactions store.h. (tx_fixture.h is the fixture with a
   unit of work and the members replica, for the rules.) */
#ifndef LUMBUNG_TESTS_TX_STORE_FIXTURE_H
#define LUMBUNG_TESTS_TX_STORE_FIXTURE_H

/* Makes dir (UNIT_PATH_MAX bytes) a new directory named after tag, opens a store in it and
   the transactions tables in *db. */
static void tx_store_fixture_open(char *dir, const char *tag, store_t **store, tx_store_t *db) {
    unit_tempdir(dir, tag);
    int err = 0;
    *store = store_new(dir, &err);
    assert_non_null(*store);
    assert_int_equal(tx_store_open(db, *store), 0);
}

/* Closes the store and removes its directory. */
static void tx_store_fixture_close(char *dir, store_t **store) {
    store_destroy(store);
    unit_rmtree(dir);
}

#endif
