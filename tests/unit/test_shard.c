/* shard: what an operator and every process rely on in the transactions shard map — without a
   map there is one shard that owns everything; with one, a listed cooperative lives where its
   line says and the others by id mod shards (or on the `default` shard); a bad line, a shard
   past the count or disagreeing counts stop the process (-EINVAL); the map is read once and
   read again only on reload; lumbungctl's rewrite keeps every other line and takes effect at
   once; and the shards' names and the names' shards agree. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"
#include "shard.h"

typedef struct {
    char dir[UNIT_PATH_MAX];
    char map[UNIT_PATH_MAX + 16];
} fx_t;

static int setup(void **state) {
    fx_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    unit_tempdir(f->dir, "shard");
    snprintf(f->map, sizeof f->map, "%s/shard.map", f->dir);
    assert_int_equal(setenv("LUMBUNG_SHARD_MAP", f->map, 1), 0);
    unsetenv("LUMBUNG_TRANSACTIONS_SHARDS");
    unsetenv("LUMBUNG_TRANSACTIONS_SHARD");
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fx_t *f = *state;
    unsetenv("LUMBUNG_SHARD_MAP");
    unsetenv("LUMBUNG_TRANSACTIONS_SHARDS");
    unsetenv("LUMBUNG_TRANSACTIONS_SHARD");
    unit_rmtree(f->dir);
    free(f);
    return 0;
}

static char *read_text(const char *path, char *buf, size_t size) {
    FILE *in = fopen(path, "r");
    assert_non_null(in);
    size_t n = fread(buf, 1, size - 1, in);
    buf[n] = 0;
    fclose(in);
    return buf;
}

static void without_a_map_one_shard_owns_everything(void **state) {
    assert_int_equal(shard_reload(), 0);
    assert_int_equal(shard_count(), 1);
    assert_int_equal(shard_default_rule(), SHARD_DEFAULT_MOD);
    assert_int_equal(shard_of(1), 0);
    assert_int_equal(shard_of(12345), 0);
    assert_int_equal(shard_self(), 0);
}

static void listed_cooperatives_live_where_their_line_says(void **state) {
    fx_t *f = *state;
    unit_write_file(f->map, "# district map\nshards = 3\n\n7 = 2   # moved in May\n  9=1\n");
    assert_int_equal(shard_reload(), 0);
    assert_int_equal(shard_count(), 3);
    assert_int_equal(shard_of(7), 2);     /* 7 mod 3 would be 1 */
    assert_int_equal(shard_of(9), 1);     /* 9 mod 3 would be 0 */
    assert_int_equal(shard_of(3), 0);     /* unlisted: id mod shards */
    assert_int_equal(shard_of(4), 1);
    assert_int_equal(shard_of(5), 2);
}

static void a_default_shard_takes_every_unlisted_cooperative(void **state) {
    fx_t *f = *state;
    unit_write_file(f->map, "shards = 2\ndefault = 1\n4 = 0\n");
    assert_int_equal(shard_reload(), 0);
    assert_int_equal(shard_default_rule(), 1);
    assert_int_equal(shard_of(2), 1);
    assert_int_equal(shard_of(3), 1);
    assert_int_equal(shard_of(4), 0);
    unit_write_file(f->map, "shards = 2\ndefault = mod\n");
    assert_int_equal(shard_reload(), 0);
    assert_int_equal(shard_default_rule(), SHARD_DEFAULT_MOD);
    assert_int_equal(shard_of(2), 0);
}

static void the_environment_sets_the_count_when_the_map_does_not(void **state) {
    fx_t *f = *state;
    setenv("LUMBUNG_TRANSACTIONS_SHARDS", "4", 1);
    unit_write_file(f->map, "6 = 3\n");
    assert_int_equal(shard_reload(), 0);
    assert_int_equal(shard_count(), 4);
    assert_int_equal(shard_of(6), 3);
    assert_int_equal(shard_of(10), 2);
    setenv("LUMBUNG_TRANSACTIONS_SHARD", "3", 1);
    assert_int_equal(shard_self(), 3);
}

static void disagreeing_counts_are_refused(void **state) {
    fx_t *f = *state;
    setenv("LUMBUNG_TRANSACTIONS_SHARDS", "2", 1);
    unit_write_file(f->map, "shards = 3\n");
    assert_int_equal(shard_reload(), -EINVAL);
    /* a failed load is remembered; callers that ask anyway get the single-shard answers */
    assert_int_equal(shard_load(), -EINVAL);
    assert_int_equal(shard_count(), 1);
    assert_int_equal(shard_of(5), 0);
}

static void bad_lines_are_refused(void **state) {
    fx_t *f = *state;
    static const char *const bad[] = {
        "shards = 0\n",            /* shards 1..SHARD_MAX */
        "shards = 9\n",
        "shards = two\n",
        "default = 8\n",           /* not a shard number */
        "default = modulo\n",
        "7\n",                     /* no '=' */
        "0 = 0\n",                 /* no cooperative 0 */
        "-7 = 0\n",
        "7 = -1\n",
        "7 = 8\n",
        "x = 1\n",
        "shards = 2\n7 = 2\n",     /* a shard past the count */
        "shards = 2\ndefault = 2\n",
        "5 = 1\n",                 /* one shard by default: shard 1 does not exist */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        unit_write_file(f->map, bad[i]);
        if (shard_reload() != -EINVAL) fail_msg("accepted: %s", bad[i]);
    }
}

static void an_unreadable_map_returns_its_errno(void **state) {
    fx_t *f = *state;
    char path[UNIT_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/shard.map/inner", f->dir);
    unit_write_file(f->map, "shards = 2\n");
    setenv("LUMBUNG_SHARD_MAP", path, 1);            /* a path through a plain file */
    assert_int_equal(shard_reload(), -ENOTDIR);
}

static void the_map_is_read_once_until_reloaded(void **state) {
    fx_t *f = *state;
    unit_write_file(f->map, "shards = 2\n");
    assert_int_equal(shard_reload(), 0);
    unit_write_file(f->map, "shards = 5\n");
    assert_int_equal(shard_load(), 0);
    assert_int_equal(shard_count(), 2);
    assert_int_equal(shard_reload(), 0);
    assert_int_equal(shard_count(), 5);
}

static void the_map_path_follows_the_setting_or_the_data_directory(void **state) {
    fx_t *f = *state;
    char buf[512];
    assert_string_equal(shard_map_path(buf, sizeof buf), f->map);
    unsetenv("LUMBUNG_SHARD_MAP");
    setenv("LUMBUNG_DATA", "/srv/lumbung", 1);
    assert_string_equal(shard_map_path(buf, sizeof buf), "/srv/lumbung/shard.map");
    unsetenv("LUMBUNG_DATA");
}

static void names_and_indexes_agree(void **state) {
    char name[SHARD_NAME_MAX];
    assert_string_equal(shard_name(0, name, sizeof name), "transactions");
    assert_string_equal(shard_name(3, name, sizeof name), "transactions-3");
    assert_int_equal(shard_index("transactions"), 0);
    assert_int_equal(shard_index("transactions-1"), 1);
    assert_int_equal(shard_index("transactions-7"), 7);
    for (int k = 0; k < SHARD_MAX; k++)
        assert_int_equal(shard_index(shard_name(k, name, sizeof name)), k);
    assert_int_equal(shard_index("transactions-0"), -1);   /* shard 0 has no suffix */
    assert_int_equal(shard_index("transactions-8"), -1);
    assert_int_equal(shard_index("transactions-"), -1);
    assert_int_equal(shard_index("transactions-1x"), -1);
    assert_int_equal(shard_index("transactions--1"), -1);
    assert_int_equal(shard_index("reporting"), -1);
    assert_int_equal(shard_index("transactionsX"), -1);
}

static void assigning_rewrites_one_line_and_keeps_the_rest(void **state) {
    fx_t *f = *state;
    unit_write_file(f->map, "# district map\nshards = 3\n7 = 2   # moved in May\n9 = 1");
    assert_int_equal(shard_reload(), 0);
    assert_int_equal(shard_map_assign(7, 0), 0);
    assert_int_equal(shard_of(7), 0);                 /* at once, in this process */
    assert_int_equal(shard_map_assign(11, 1), 0);
    assert_int_equal(shard_of(11), 1);
    char text[512];
    assert_string_equal(read_text(f->map, text, sizeof text),
                        "# district map\nshards = 3\n7 = 0\n9 = 1\n11 = 1\n");
    assert_int_equal(shard_reload(), 0);              /* and in the next process */
    assert_int_equal(shard_of(7), 0);
    assert_int_equal(shard_of(9), 1);
    assert_int_equal(shard_of(11), 1);
    assert_int_equal(shard_of(8), 2);
}

static void assigning_without_a_map_starts_one(void **state) {
    fx_t *f = *state;
    assert_int_equal(shard_reload(), 0);
    assert_int_equal(shard_map_assign(5, 0), 0);
    char text[512];
    assert_string_equal(read_text(f->map, text, sizeof text),
                        "# the transactions shard map (docs/operations.md)\n5 = 0\n");
    assert_int_equal(shard_reload(), 0);
    assert_int_equal(shard_of(5), 0);
}

int main(void) {
    unit_quiet_logs("test_shard");
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(without_a_map_one_shard_owns_everything),
        T(listed_cooperatives_live_where_their_line_says),
        T(a_default_shard_takes_every_unlisted_cooperative),
        T(the_environment_sets_the_count_when_the_map_does_not),
        T(disagreeing_counts_are_refused),
        T(bad_lines_are_refused),
        T(an_unreadable_map_returns_its_errno),
        T(the_map_is_read_once_until_reloaded),
        T(the_map_path_follows_the_setting_or_the_data_directory),
        T(names_and_indexes_agree),
        T(assigning_rewrites_one_line_and_keeps_the_rest),
        T(assigning_without_a_map_starts_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
