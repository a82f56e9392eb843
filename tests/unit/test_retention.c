/* retention: idempotency replies pruned by age in steps that resume, first-layout values
   stamped rather than dropped, followers' lowest cursor, and the outbox pruned only below it,
   past the window, never its newest event. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"
#include "bytes.h"
#include "outbox.h"
#include "retention.h"

typedef struct {
    char dir[UNIT_PATH_MAX];
    store_t *store;
    outbox_t *outbox;
    store_table_t idem, followers, outbox_table;
    retention_followers_t reg;
} fixture_t;

static int setup(void **state) {
    fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    unit_tempdir(f->dir, "retention");
    int err = 0;
    f->store = store_new(f->dir, &err);
    assert_non_null(f->store);
    f->outbox = outbox_new(f->store, "members", &err);
    assert_non_null(f->outbox);
    assert_int_equal(store_table(f->store, "idem", &f->idem), 0);
    assert_int_equal(store_table(f->store, "followers", &f->followers), 0);
    assert_int_equal(store_table(f->store, "outbox", &f->outbox_table), 0);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture_t *f = *state;
    outbox_destroy(&f->outbox);
    store_destroy(&f->store);
    unit_rmtree(f->dir);
    free(f);
    return 0;
}

static store_txn_t *begin(fixture_t *f) {
    store_txn_t *txn;
    assert_int_equal(store_begin(f->store, false, &txn), 0);
    return txn;
}

/* A test codec: value = 'T' + at_ms u64, or 'U' (no time). */
static int64_t stored_at(const void *val, size_t len) {
    const uint8_t *v = val;
    return len == 9 && v[0] == 'T' ? (int64_t) be64_read(v + 1) : -1;
}

static size_t stamp(const void *val, size_t len, int64_t at_ms, uint8_t *out) {
    (void) val, (void) len;
    out[0] = 'T';
    be64_write(out + 1, (uint64_t) at_ms);
    return 9;
}

static const retention_idem_codec_t codec = { stored_at, stamp };

static void put_reply(store_txn_t *txn, fixture_t *f, int i, int64_t at_ms) {
    char key[16];
    snprintf(key, sizeof key, "k%03d", i);
    uint8_t v[9] = { at_ms < 0 ? 'U' : 'T' };
    be64_write(v + 1, (uint64_t) at_ms);
    assert_int_equal(store_put(txn, f->idem, key, strlen(key), v, at_ms < 0 ? 1 : 9, 0), 0);
}

static void replies_past_the_window_go_in_steps(void **state) {
    fixture_t *f = *state;
    store_txn_t *txn = begin(f);
    for (int i = 0; i < 10; i++) put_reply(txn, f, i, i % 2 ? 5000 : 100);   /* 5 old, 5 new */
    retention_walk_t walk = { .key_len = 0 };
    uint64_t removed = 0, stamped = 0;
    /* now 6000, window 1000: stored before 5000 goes; steps of 4 keys */
    assert_int_equal(retention_prune_idempotency(txn, f->idem, &codec, &walk, 6000, 1000, 4,
                                                 &removed, &stamped), 0);
    assert_int_equal(removed, 2);
    assert_int_equal(walk.key_len, 4);                       /* resumes at k004 */
    assert_memory_equal(walk.key, "k004", 4);
    assert_int_equal(retention_prune_idempotency(txn, f->idem, &codec, &walk, 6000, 1000, 4,
                                                 &removed, &stamped), 0);
    assert_int_equal(removed, 4);
    assert_int_equal(retention_prune_idempotency(txn, f->idem, &codec, &walk, 6000, 1000, 4,
                                                 &removed, &stamped), 0);
    assert_int_equal(removed, 5);
    assert_int_equal(walk.key_len, 0);                       /* the end: next pass from the top */
    assert_int_equal(store_count(txn, f->idem), 5);
    store_abort(&txn);
}

static void an_untimed_reply_is_stamped_not_dropped(void **state) {
    fixture_t *f = *state;
    store_txn_t *txn = begin(f);
    put_reply(txn, f, 1, -1);
    retention_walk_t walk = { .key_len = 0 };
    uint64_t removed = 0, stamped = 0;
    assert_int_equal(retention_prune_idempotency(txn, f->idem, &codec, &walk, 9000, 1000, 10,
                                                 &removed, &stamped), 0);
    assert_int_equal(removed, 0);
    assert_int_equal(stamped, 1);
    const void *v;
    size_t vl;
    assert_int_equal(store_get(txn, f->idem, "k001", 4, &v, &vl), 0);
    assert_int_equal(stored_at(v, vl), 9000);
    assert_int_equal(retention_prune_idempotency(txn, f->idem, &codec, &walk, 10001, 1000, 10,
                                                 &removed, &stamped), 0);
    assert_int_equal(removed, 1);                            /* a window later it goes */
    store_abort(&txn);
}

static void append_events(fixture_t *f, store_txn_t *txn, int n, int64_t at_ms) {
    for (int i = 0; i < n; i++) {
        Lumbung__Event ev = LUMBUNG__EVENT__INIT;
        Lumbung__TestingEvent te = LUMBUNG__TESTING_EVENT__INIT;
        ev.body_case = LUMBUNG__EVENT__BODY_TESTING;
        ev.testing = &te;
        ev.has_at_ms = 1;
        ev.at_ms = at_ms;
        assert_true(outbox_append(f->outbox, txn, &ev) > 0);
    }
}

static int prune(fixture_t *f, store_txn_t *txn, int64_t now_ms, uint32_t step, int64_t forget_ms,
                 uint64_t *removed) {
    retention_config_t c = { .outbox_ms = 1000, .step = step, .follower_forget_ms = forget_ms };
    uint64_t stored = 0;
    return retention_prune_outbox(txn, f->outbox_table, f->followers, &f->reg, &c, now_ms,
                                  removed, &stored);
}

static void note(fixture_t *f, const char *name, uint64_t cursor, int64_t now) {
    retention_followers_note(&f->reg, name, cursor, now);
}

/* What a restart would load from the table (UINT64_MAX: not stored). */
static uint64_t stored_cursor(fixture_t *f, store_txn_t *txn, const char *name) {
    retention_followers_t loaded;
    assert_int_equal(retention_followers_load(txn, f->followers, &loaded), 0);
    for (int i = 0; i < loaded.count; i++)
        if (!strcmp(loaded.followers[i].name, name)) return loaded.followers[i].cursor;
    return UINT64_MAX;
}

static void the_outbox_waits_for_the_slowest_follower(void **state) {
    fixture_t *f = *state;
    store_txn_t *txn = begin(f);
    append_events(f, txn, 10, 1000);
    uint64_t removed = 0, low = 0;
    assert_int_equal(prune(f, txn, 9000, 100, 0, &removed), 0);
    assert_int_equal(removed, 0);                            /* nobody registered: kept */
    assert_false(retention_followers_low(&f->reg, 9000, 0, &low));
    note(f, "reporting", 10, 5000);
    note(f, "bank", 2, 5000);
    assert_int_equal(stored_cursor(f, txn, "bank"), UINT64_MAX);   /* a replay writes nothing */
    assert_int_equal(prune(f, txn, 1500, 100, 0, &removed), 0);
    assert_int_equal(removed, 0);                            /* inside the window */
    assert_int_equal(stored_cursor(f, txn, "bank"), 2);      /* new names: with the step */
    note(f, "bank", 4, 5000);
    assert_true(retention_followers_low(&f->reg, 9000, 0, &low));
    assert_int_equal(low, 4);
    assert_int_equal(prune(f, txn, 1500, 100, 0, &removed), 0);
    assert_int_equal(stored_cursor(f, txn, "bank"), 2);      /* forward: not yet */
    assert_int_equal(prune(f, txn, 9000, 3, 0, &removed), 0);
    assert_int_equal(removed, 3);                            /* one step of 3 */
    assert_int_equal(stored_cursor(f, txn, "bank"), 4);      /* with the step that removed */
    assert_int_equal(prune(f, txn, 9000, 100, 0, &removed), 0);
    assert_int_equal(removed, 4);                            /* up to the bank's cursor */
    note(f, "bank", 10, 6000);
    assert_int_equal(prune(f, txn, 9000, 100, 0, &removed), 0);
    assert_int_equal(removed, 9);                            /* all but the newest */
    assert_int_equal(store_count(txn, f->outbox_table), 1);
    assert_int_equal(outbox_head(f->outbox, txn), 10);
    store_abort(&txn);
}

static void a_follower_gone_for_good_is_forgotten_when_configured(void **state) {
    fixture_t *f = *state;
    store_txn_t *txn = begin(f);
    append_events(f, txn, 5, 1000);
    uint64_t removed = 0, low = 0;
    note(f, "reporting", 5, 90000);
    note(f, "old-bank", 1, 2000);
    assert_int_equal(prune(f, txn, 100000, 100, 0, &removed), 0);
    assert_int_equal(removed, 1);                            /* never forgotten: held at 1 */
    assert_true(retention_followers_low(&f->reg, 100000, 50000, &low));
    assert_int_equal(low, 5);                                /* old-bank silent for 98 s */
    assert_int_equal(prune(f, txn, 100000, 100, 50000, &removed), 0);
    assert_int_equal(removed, 4);                            /* all but the newest */
    store_abort(&txn);
}

static void a_rebuilt_follower_is_stored_with_the_next_step(void **state) {
    fixture_t *f = *state;
    store_txn_t *txn = begin(f);
    uint64_t removed = 0;
    note(f, "reporting", 900, 1000);
    assert_int_equal(prune(f, txn, 2000, 100, 0, &removed), 0);
    assert_int_equal(stored_cursor(f, txn, "reporting"), 900);
    note(f, "reporting", 950, 2000);
    assert_int_equal(prune(f, txn, 3000, 100, 0, &removed), 0);
    assert_int_equal(stored_cursor(f, txn, "reporting"), 900);
    note(f, "reporting", 0, 3000);                           /* its store was rebuilt */
    assert_int_equal(prune(f, txn, 4000, 100, 0, &removed), 0);
    assert_int_equal(stored_cursor(f, txn, "reporting"), 0);
    store_abort(&txn);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        T(replies_past_the_window_go_in_steps),
        T(an_untimed_reply_is_stamped_not_dropped),
        T(the_outbox_waits_for_the_slowest_follower),
        T(a_follower_gone_for_good_is_forgotten_when_configured),
        T(a_rebuilt_follower_is_stored_with_the_next_step),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
