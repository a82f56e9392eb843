/* throttle: per (name, address) and per address counters, their delays, locks, windows,
   parallel attempts, an admin's clear and the bounded table — pure, with the time passed in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "../../services/gateway/throttle.h"

static const throttle_config_t CONFIG = { .failures_max = 3, .address_failures_max = 5,
                                          .lock_s = 60, .delay_base_ms = 100, .delay_max_ms = 300 };

/* One failed attempt; returns its delay and sets *state. */
static uint64_t fail_once(throttle_t *t, const char *name, const char *addr, int64_t now,
                          throttle_state_t *state) {
    int64_t until;
    assert_int_equal(throttle_begin(t, name, addr, now, &until), THROTTLE_OPEN);
    return throttle_failed(t, name, addr, now, state, &until);
}

static void failures_of_a_name_slow_down_then_lock_it_from_that_address(void **state) {
    (void) state;
    throttle_t *t = throttle_new(&CONFIG);
    throttle_state_t st;
    assert_int_equal(fail_once(t, "budi", "10.0.0.2", 1000, &st), 100);
    assert_int_equal(st, THROTTLE_OPEN);
    assert_int_equal(fail_once(t, "budi", "10.0.0.2", 1000, &st), 200);
    assert_int_equal(fail_once(t, "budi", "10.0.0.2", 1000, &st), 300);     /* capped */
    assert_int_equal(st, THROTTLE_NAME_LOCKED);
    int64_t until;
    assert_int_equal(throttle_begin(t, "budi", "10.0.0.2", 2000, &until), THROTTLE_NAME_LOCKED);
    assert_int_equal(until, 61000);
    assert_int_equal(throttle_name_locked_until(t, "budi", 2000), 61000);
    /* the same name from elsewhere, and another name from there, are open */
    assert_int_equal(throttle_begin(t, "budi", "10.0.0.1", 2000, &until), THROTTLE_OPEN);
    throttle_succeeded(t, "budi", "10.0.0.1", 2000);
    assert_int_equal(throttle_begin(t, "sari", "10.0.0.2", 2000, &until), THROTTLE_OPEN);
    throttle_succeeded(t, "sari", "10.0.0.2", 2000);
    /* the lock runs out and the count starts again */
    assert_int_equal(throttle_begin(t, "budi", "10.0.0.2", 61000, &until), THROTTLE_OPEN);
    assert_int_equal(throttle_failed(t, "budi", "10.0.0.2", 61000, &st, &until), 100);
    assert_int_equal(st, THROTTLE_OPEN);
    throttle_destroy(&t);
}

static void a_success_resets_its_name_but_not_the_address(void **state) {
    (void) state;
    throttle_t *t = throttle_new(&CONFIG);
    throttle_state_t st;
    int64_t until;
    fail_once(t, "budi", "10.0.0.2", 0, &st);
    fail_once(t, "budi", "10.0.0.2", 0, &st);
    assert_int_equal(throttle_begin(t, "budi", "10.0.0.2", 0, &until), THROTTLE_OPEN);
    throttle_succeeded(t, "budi", "10.0.0.2", 0);
    assert_int_equal(fail_once(t, "budi", "10.0.0.2", 0, &st), 100);       /* count restarted */
    /* the address has 3 failures; 2 more of any names lock it */
    fail_once(t, "x1", "10.0.0.2", 0, &st);
    assert_int_equal(st, THROTTLE_OPEN);
    fail_once(t, "x2", "10.0.0.2", 0, &st);
    assert_int_equal(st, THROTTLE_ADDRESS_LOCKED);
    assert_int_equal(throttle_begin(t, "sari", "10.0.0.2", 10, &until), THROTTLE_ADDRESS_LOCKED);
    assert_int_equal(throttle_begin(t, "sari", "10.0.0.3", 10, &until), THROTTLE_OPEN);
    throttle_destroy(&t);
}

/* Attempts count when they begin, so parallel guesses cannot outrun the lock. */
/* Attempts in flight count against the limit (parallel guesses cannot outrun it), but only
   failures lock: the right password on many connections at once is slowed, never locked out. */
static void parallel_attempts_count_from_the_start(void **state) {
    (void) state;
    throttle_t *t = throttle_new(&CONFIG);
    int64_t until;
    throttle_state_t st;
    for (int i = 0; i < 3; i++)
        assert_int_equal(throttle_begin(t, "budi", "10.0.0.2", 0, &until), THROTTLE_OPEN);
    assert_int_equal(throttle_begin(t, "budi", "10.0.0.2", 0, &until), THROTTLE_BUSY);
    assert_int_equal(until, 1000);                      /* try again in a second */
    for (int i = 0; i < 3; i++) throttle_succeeded(t, "budi", "10.0.0.2", 5);
    assert_int_equal(throttle_name_locked_until(t, "budi", 5), 0);
    assert_int_equal(throttle_begin(t, "budi", "10.0.0.2", 10, &until), THROTTLE_OPEN);
    throttle_succeeded(t, "budi", "10.0.0.2", 10);

    /* Three guesses in flight that all fail lock the name as three failures in a row do. */
    for (int i = 0; i < 3; i++)
        assert_int_equal(throttle_begin(t, "sri", "10.0.0.2", 20, &until), THROTTLE_OPEN);
    for (int i = 0; i < 3; i++) throttle_failed(t, "sri", "10.0.0.2", 30, &st, &until);
    assert_int_equal(st, THROTTLE_NAME_LOCKED);
    assert_int_equal(throttle_begin(t, "sri", "10.0.0.2", 40, &until), THROTTLE_NAME_LOCKED);
    throttle_destroy(&t);
}

static void the_address_window_and_an_admin_clear(void **state) {
    (void) state;
    throttle_t *t = throttle_new(&CONFIG);
    throttle_state_t st;
    int64_t until;
    for (int i = 0; i < 4; i++) {
        char name[8];
        snprintf(name, sizeof name, "n%d", i);
        fail_once(t, name, "10.0.0.9", 0, &st);
    }
    /* the address's failures are forgotten lock_s after the first */
    fail_once(t, "n4", "10.0.0.9", 60000, &st);
    assert_int_equal(st, THROTTLE_OPEN);
    for (int i = 0; i < 3; i++) fail_once(t, "budi", "10.0.0.7", 0, &st);
    assert_int_equal(st, THROTTLE_NAME_LOCKED);
    throttle_clear_name(t, "budi");
    assert_int_equal(throttle_name_locked_until(t, "budi", 0), 0);
    assert_int_equal(throttle_begin(t, "budi", "10.0.0.7", 0, &until), THROTTLE_OPEN);
    throttle_destroy(&t);
}

static void the_table_is_bounded_and_keeps_locks_longest(void **state) {
    (void) state;
    throttle_t *t = throttle_new(&CONFIG);
    throttle_state_t st;
    int64_t until;
    for (int i = 0; i < 3; i++) fail_once(t, "budi", "10.0.0.2", 0, &st);
    assert_int_equal(st, THROTTLE_NAME_LOCKED);
    for (int i = 0; i < THROTTLE_ROWS_MAX; i++) {
        char addr[32];
        snprintf(addr, sizeof addr, "10.1.%d.%d", i / 250, i % 250);
        fail_once(t, "spray", addr, 1 + i / 1000, &st);
    }
    assert_true(throttle_rows(t) <= THROTTLE_ROWS_MAX);
    assert_int_equal(throttle_begin(t, "budi", "10.0.0.2", 20, &until), THROTTLE_NAME_LOCKED);
    throttle_destroy(&t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(failures_of_a_name_slow_down_then_lock_it_from_that_address),
        cmocka_unit_test(a_success_resets_its_name_but_not_the_address),
        cmocka_unit_test(parallel_attempts_count_from_the_start),
        cmocka_unit_test(the_address_window_and_an_admin_clear),
        cmocka_unit_test(the_table_is_bounded_and_keeps_locks_longest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
