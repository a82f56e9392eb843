/*  reporting_fixture — a reporting service's projection tables in a fresh store, with one
    write transaction open, for the unit tests of the modules that read and write them
    (loancard, writeoffs, oversight, ods, dashboard).

    Header-only (static inline) like unit.h; include after <cmocka.h>, unit.h and reporting.h.
    reporting_fixture_setup/teardown are cmocka group or test fixtures: *state is the
    reporting_fixture_t, whose store, transaction and arena the test uses as it likes.

    Ownership: the fixture owns everything it opens and closes it all in teardown. Not for:
    anything a test asserts about (each test states its own expectations). */
#ifndef LUMBUNG_TEST_REPORTING_FIXTURE_H
#define LUMBUNG_TEST_REPORTING_FIXTURE_H

#include <stdlib.h>

typedef struct {
    char dir[UNIT_PATH_MAX];
    store_t *store;
    reporting_t app;
    store_txn_t *txn;
    arena_t *arena;
} reporting_fixture_t;

static inline int reporting_fixture_setup(void **state) {
    reporting_fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    unit_quiet_logs("test_reporting");
    unit_tempdir(f->dir, "reporting");
    int err = 0;
    f->store = store_new(f->dir, &err);
    assert_non_null(f->store);
    assert_int_equal(reporting_open_store(&f->app, f->store), 0);
    assert_int_equal(store_begin(f->store, false, &f->txn), 0);
    f->arena = arena_new();
    *state = f;
    return 0;
}

static inline int reporting_fixture_teardown(void **state) {
    reporting_fixture_t *f = *state;
    store_abort(&f->txn);
    arena_destroy(&f->arena);
    reporting_close(&f->app);
    store_destroy(&f->store);
    unit_rmtree(f->dir);
    free(f);
    return 0;
}

#endif
