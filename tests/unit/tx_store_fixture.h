/* tx_store_fixture — a fresh store with the transactions tables and nothing in them, for the
   unit tests of the modules under the rules (verify, id_range), which open and commit their
   own transactions. Header-only (static): each test file is one translation unit. Include
   after cmocka.h, unit.h and the transactions store.h. (tx_fixture.h is the fixture with a
   unit of work and the members replica, for the rules.) */
#ifndef LUMBUNG_TESTS_TX_STORE_FIXTURE_H
#define LUMBUNG_TESTS_TX_STORE_FIXTURE_H

/* A test's state begins with this (a test may append fields of its own). */
typedef struct {
    char dir[UNIT_PATH_MAX];
    store_t *store;
    tx_store_t db;
} tx_store_fx_t;

/* cmocka setup: allocates `size` zeroed bytes (>= sizeof(tx_store_fx_t)) as *state, makes a
   new directory named after tag, opens a store in it and the transactions tables. */
static int tx_store_fixture_setup(void **state, size_t size, const char *tag) {
    assert_true(size >= sizeof(tx_store_fx_t));
    tx_store_fx_t *f = calloc(1, size);
    assert_non_null(f);
    unit_tempdir(f->dir, tag);
    int err = 0;
    f->store = store_new(f->dir, &err);
    assert_non_null(f->store);
    assert_int_equal(tx_store_open(&f->db, f->store), 0);
    *state = f;
    return 0;
}

/* cmocka teardown: closes the store, removes its directory and frees the state. */
static int tx_store_fixture_teardown(void **state) {
    tx_store_fx_t *f = *state;
    store_destroy(&f->store);
    unit_rmtree(f->dir);
    free(f);
    return 0;
}

#endif
