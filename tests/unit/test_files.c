/* files: mkdir -p semantics. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files.h"

static char root[64];

static int setup(void **state) {
    snprintf(root, sizeof root, "/tmp/lumbung-files-XXXXXX");
    return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    return system(cmd) == 0 ? 0 : -1;
}

static void creates_every_missing_parent(void **state) {
    char path[256];
    snprintf(path, sizeof path, "%s/a/b/c", root);
    assert_int_equal(files_mkdir_p(path), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0700);
}

static void an_existing_directory_is_fine(void **state) {
    assert_int_equal(files_mkdir_p(root), 0);
    assert_int_equal(files_mkdir_p(root), 0);
}

static void a_file_in_the_way_is_an_error(void **state) {
    char file[256], below[300];
    snprintf(file, sizeof file, "%s/plain", root);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    snprintf(below, sizeof below, "%s/inside", file);
    assert_int_equal(files_mkdir_p(below), -ENOTDIR);
}

static void an_overlong_or_empty_path_is_refused(void **state) {
    char path[FILES_PATH_MAX + 10];
    memset(path, 'x', sizeof path - 1);
    path[sizeof path - 1] = 0;
    assert_int_equal(files_mkdir_p(path), -ENAMETOOLONG);
    assert_int_equal(files_mkdir_p(""), -ENAMETOOLONG);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(creates_every_missing_parent, setup, teardown),
        cmocka_unit_test_setup_teardown(an_existing_directory_is_fine, setup, teardown),
        cmocka_unit_test_setup_teardown(a_file_in_the_way_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(an_overlong_or_empty_path_is_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
