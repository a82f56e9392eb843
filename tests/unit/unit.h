/*  unit — small helpers shared by the unit tests of common/: temporary directories, quiet logs
    and a bounded way to run a libuv loop until something happened.

    Header-only (static inline) because the Makefile builds each tests/unit/test_*.c into a
    binary of its own. Every helper asserts with cmocka, so a broken fixture fails the test
    instead of crashing it. Include after <cmocka.h>.

    Not for: anything a test asserts about (each test states its own expectations). */
#ifndef LUMBUNG_TEST_UNIT_H
#define LUMBUNG_TEST_UNIT_H

#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "date.h"
#include "log.h"

enum { UNIT_PATH_MAX = 512, UNIT_RUN_MS_DEFAULT = 2000 };

/* The day number of "YYYY-MM-DD" (a fixture's date field, pb_date.h). */
static inline int32_t unit_day(const char *text) {
    int32_t days = 0;
    assert_int_equal(date_parse(text, &days), 0);
    return days;
}

/* Logs only errors unless the developer asked for more with LUMBUNG_LOG_LEVEL: the tests
   provoke warnings on purpose and the noise would hide real failures. */
static inline void unit_quiet_logs(const char *name) {
    setenv("LUMBUNG_LOG_LEVEL", "error", 0);
    log_init(name);
}

/* Creates a fresh directory under $TMPDIR (or /tmp) into `out` (UNIT_PATH_MAX bytes). */
static inline void unit_tempdir(char *out, const char *tag) {
    const char *base = getenv("TMPDIR");
    snprintf(out, UNIT_PATH_MAX, "%s/lumbung-%s-XXXXXX", base && *base ? base : "/tmp", tag);
    assert_non_null(mkdtemp(out));
}

static inline int unit_rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void) st;
    (void) flag;
    (void) ftw;
    return remove(path);
}

/* Removes `dir` and everything below it; a no-op for "". */
static inline void unit_rmtree(const char *dir) {
    if (!dir || !*dir) return;
    assert_int_equal(nftw(dir, unit_rm_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static inline void unit_write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

/* ---- running a loop until a condition holds, never longer than a bound ---- */

/* The guard only wakes the loop up; the deadline is checked by unit_run_until itself. */
static inline void unit_guard_fired(uv_timer_t *t) { (void) t; }

typedef bool (*unit_cond_fn)(void *arg);

/* Runs `loop` one turn at a time until cond(arg) is true or `ms` have passed. Returns whether
   the condition held. A short guard timer makes sure each turn returns even when nothing
   else happens, so the bound holds. */
static inline bool unit_run_until(uv_loop_t *loop, unit_cond_fn cond, void *arg, unsigned ms) {
    uv_timer_t guard;
    assert_int_equal(uv_timer_init(loop, &guard), 0);
    uv_update_time(loop);
    uint64_t deadline = uv_now(loop) + ms;
    bool ok = cond(arg);
    while (!ok) {
        uv_update_time(loop);
        uint64_t now = uv_now(loop);
        if (now >= deadline) break;
        uint64_t wait = deadline - now < 10 ? deadline - now : 10;
        uv_timer_start(&guard, unit_guard_fired, wait, 0);
        uv_run(loop, UV_RUN_ONCE);
        ok = cond(arg);
    }
    uv_timer_stop(&guard);
    uv_close((uv_handle_t *) &guard, NULL);
    uv_run(loop, UV_RUN_NOWAIT);   /* runs the guard's close before it leaves the stack */
    return ok;
}

static inline bool unit_never(void *arg) {
    (void) arg;
    return false;
}

/* Lets the loop run for `ms`: for checking that something does NOT happen. */
static inline void unit_run_for(uv_loop_t *loop, unsigned ms) {
    unit_run_until(loop, unit_never, NULL, ms);
}

/* Closes every handle left on the loop and asserts the loop then closes cleanly. */
static inline void unit_close_loop(uv_loop_t *loop) {
    for (int i = 0; i < 100 && uv_loop_alive(loop); i++) uv_run(loop, UV_RUN_NOWAIT);
    assert_int_equal(uv_loop_close(loop), 0);
}

#endif
