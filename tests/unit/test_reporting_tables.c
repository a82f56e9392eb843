/* tables — how the projections read their tables: one stored message by key (unpacked into
   the caller's arena; ERR_NOT_FOUND when absent, -EPROTO when the bytes are not that message)
   and the rows of one cooperative in key order, no other cooperative's, -E2BIG past the limit. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "unit.h"

#include "../../services/reporting/tables.h"
#include "bytes.h"
#include "error.h"
#include "members.pb-c.h"

typedef struct {
    char dir[UNIT_PATH_MAX];
    store_t *store;
    store_table_t table;
    store_txn_t *txn;
    arena_t *arena;
} fixture_t;

static int setup(void **state) {
    fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    unit_tempdir(f->dir, "tables");
    int err = 0;
    f->store = store_new(f->dir, &err);
    assert_non_null(f->store);
    assert_int_equal(store_table(f->store, "rows", &f->table), 0);
    assert_int_equal(store_begin(f->store, false, &f->txn), 0);
    f->arena = arena_new();
    assert_non_null(f->arena);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture_t *f = *state;
    store_abort(&f->txn);
    arena_destroy(&f->arena);
    store_destroy(&f->store);
    unit_rmtree(f->dir);
    free(f);
    return 0;
}

/* A row keyed by cooperative and row number (u64 + u64), its value the row number's byte. */
static void put_row(fixture_t *f, uint64_t coop, uint64_t n) {
    uint8_t key[16], val = (uint8_t) n;
    be64_write(key, coop);
    be64_write(key + 8, n);
    assert_int_equal(store_put(f->txn, f->table, key, sizeof key, &val, 1, 0), 0);
}

static void a_stored_message_is_read_back_into_the_arena(void **state) {
    fixture_t *f = *state;
    Lumbung__Cooperative c = LUMBUNG__COOPERATIVE__INIT;
    c.has_id = 1;
    c.id = 7;
    c.name = "Koperasi Maju";
    uint8_t buf[64], key[8];
    size_t len = lumbung__cooperative__pack(&c, buf);
    be64_write(key, 7);
    assert_int_equal(store_put(f->txn, f->table, key, sizeof key, buf, len, 0), 0);
    ProtobufCMessage *out = NULL;
    assert_int_equal(reporting_get_message(f->txn, f->table, key, sizeof key, f->arena,
                                           &lumbung__cooperative__descriptor, &out), 0);
    const Lumbung__Cooperative *read = (const Lumbung__Cooperative *) out;
    assert_int_equal(read->id, 7);
    assert_string_equal(read->name, "Koperasi Maju");
}

static void an_absent_key_is_not_found_and_broken_bytes_do_not_unpack(void **state) {
    fixture_t *f = *state;
    uint8_t key[8];
    be64_write(key, 8);
    ProtobufCMessage *out = NULL;
    assert_int_equal(reporting_get_message(f->txn, f->table, key, sizeof key, f->arena,
                                           &lumbung__cooperative__descriptor, &out),
                     ERR_NOT_FOUND);
    const uint8_t broken[] = { 0x0a, 0x7f, 0x01 };   /* field 1, 127 bytes announced, 1 given */
    assert_int_equal(store_put(f->txn, f->table, key, sizeof key, broken, sizeof broken, 0), 0);
    assert_int_equal(reporting_get_message(f->txn, f->table, key, sizeof key, f->arena,
                                           &lumbung__cooperative__descriptor, &out),
                     -EPROTO);
}

static void a_scan_reads_one_cooperative_in_key_order(void **state) {
    fixture_t *f = *state;
    put_row(f, 4, 1);
    put_row(f, 5, 3);
    put_row(f, 5, 1);
    put_row(f, 5, 2);
    put_row(f, 6, 1);
    store_scan_t s;
    uint8_t prefix[8];
    assert_int_equal(reporting_scan_coop(&s, f->txn, f->table, 5, prefix, 0), 0);
    int rc;
    uint64_t seen[4], n = 0;
    while ((rc = store_scan_next(&s)) == 0 && n < 4) {
        assert_int_equal(be64_read(s.key), 5);
        seen[n++] = be64_read((const uint8_t *) s.key + 8);
    }
    assert_int_equal(store_scan_close(&s, rc), 0);
    assert_int_equal(n, 3);
    assert_int_equal(seen[0], 1);
    assert_int_equal(seen[1], 2);
    assert_int_equal(seen[2], 3);
}

static void a_scan_past_its_limit_is_too_big(void **state) {
    fixture_t *f = *state;
    for (uint64_t i = 1; i <= 3; i++) put_row(f, 5, i);
    store_scan_t s;
    uint8_t prefix[8];
    assert_int_equal(reporting_scan_coop(&s, f->txn, f->table, 5, prefix, 2), 0);
    assert_int_equal(store_scan_next(&s), 0);
    assert_int_equal(store_scan_next(&s), 0);
    assert_int_equal(store_scan_close(&s, store_scan_next(&s)), -E2BIG);
}

int main(void) {
    unit_quiet_logs("test_reporting_tables");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_stored_message_is_read_back_into_the_arena, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(an_absent_key_is_not_found_and_broken_bytes_do_not_unpack,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(a_scan_reads_one_cooperative_in_key_order, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_scan_past_its_limit_is_too_big, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
