/* static: the web folder is loaded once and answered from memory — the right file, type,
   ETag, 304 and gzip representation; dot-files and symlinks are not loaded; "..", "%", a
   backslash or a control byte are refused; a client-side route gets index.html. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "../../services/gateway/static.h"
#include "unit.h"

typedef struct {
    char dir[UNIT_PATH_MAX];
    static_files_t *files;
} fixture_t;

static void write_in(const char *dir, const char *name, const char *text) {
    char path[UNIT_PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    unit_write_file(path, text);
}

static int setup(void **state) {
    static fixture_t f;
    memset(&f, 0, sizeof f);
    unit_quiet_logs("test_static");
    unit_tempdir(f.dir, "static");
    char sub[UNIT_PATH_MAX * 2];
    snprintf(sub, sizeof sub, "%s/app", f.dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    write_in(f.dir, "index.html", "<!doctype html><title>Lumbung</title>");
    write_in(f.dir, "app/main.js", "export const x = 1;");
    write_in(f.dir, "app/main.js.gz", "GZIPPED");             /* stands in for gzip output */
    write_in(f.dir, "app/style.css", "body{}");
    write_in(f.dir, ".secret", "never served");
    char link[UNIT_PATH_MAX * 2];
    snprintf(link, sizeof link, "%s/passwd.txt", f.dir);
    assert_int_equal(symlink("/etc/passwd", link), 0);
    assert_int_equal(static_files_load(f.dir, &f.files), 0);
    *state = &f;
    return 0;
}

static int teardown(void **state) {
    fixture_t *f = *state;
    static_files_free(&f->files);
    assert_null(f->files);
    unit_rmtree(f->dir);
    return 0;
}

static void loads_regular_files_only(void **state) {
    fixture_t *f = *state;
    assert_int_equal(static_files_count(f->files), 3);       /* not .secret, the link, the .gz */
    static_answer_t a;
    assert_int_equal(static_files_answer(f->files, "/.secret", NULL, NULL, &a), ERR_INVALID_PATH);
    assert_int_equal(static_files_answer(f->files, "/passwd.txt", NULL, NULL, &a), ERR_NOT_FOUND);
    assert_int_equal(static_files_answer(f->files, "/app/main.js.gz", NULL, NULL, &a),
                     ERR_NOT_FOUND);
}

static void serves_files_with_types(void **state) {
    fixture_t *f = *state;
    static_answer_t a;
    assert_int_equal(static_files_answer(f->files, "/", NULL, NULL, &a), 0);
    assert_int_equal(a.status, 200);
    assert_string_equal(a.content_type, "text/html; charset=utf-8");
    assert_int_equal(a.len, strlen("<!doctype html><title>Lumbung</title>"));
    assert_memory_equal(a.body, "<!doctype", 9);
    assert_null(a.content_encoding);
    assert_int_equal(static_files_answer(f->files, "/app/style.css", NULL, NULL, &a), 0);
    assert_string_equal(a.content_type, "text/css; charset=utf-8");
    assert_int_equal(static_files_answer(f->files, "/app/main.js", NULL, NULL, &a), 0);
    assert_string_equal(a.content_type, "text/javascript; charset=utf-8");
    assert_int_equal(a.len, strlen("export const x = 1;"));
    assert_string_equal(static_content_type("a/b.svg"), "image/svg+xml");
    assert_string_equal(static_content_type("noext"), "application/octet-stream");
}

static void client_routes_get_index(void **state) {
    fixture_t *f = *state;
    static_answer_t a;
    assert_int_equal(static_files_answer(f->files, "/koperasi/12/anggota", NULL, NULL, &a), 0);
    assert_string_equal(a.content_type, "text/html; charset=utf-8");
    assert_int_equal(static_files_answer(f->files, "/app/missing.js", NULL, NULL, &a),
                     ERR_NOT_FOUND);
}

static void etag_and_not_modified(void **state) {
    fixture_t *f = *state;
    static_answer_t a, b;
    assert_int_equal(static_files_answer(f->files, "/app/main.js", NULL, NULL, &a), 0);
    assert_int_equal(strlen(a.etag), 34);                     /* quotes + 32 hex digits */
    assert_int_equal(a.etag[0], '"');
    assert_int_equal(static_files_answer(f->files, "/app/main.js", a.etag, NULL, &b), 0);
    assert_int_equal(b.status, 304);
    assert_null(b.body);
    char list[128];
    snprintf(list, sizeof list, "\"other\", W/%s", a.etag);
    assert_int_equal(static_files_answer(f->files, "/app/main.js", list, NULL, &b), 0);
    assert_int_equal(b.status, 304);
    assert_int_equal(static_files_answer(f->files, "/app/main.js", "\"other\"", NULL, &b), 0);
    assert_int_equal(b.status, 200);
}

static void gzip_when_accepted(void **state) {
    fixture_t *f = *state;
    static_answer_t a, plain;
    assert_int_equal(static_files_answer(f->files, "/app/main.js", NULL, NULL, &plain), 0);
    assert_int_equal(static_files_answer(f->files, "/app/main.js", NULL, "gzip, deflate, br", &a), 0);
    assert_string_equal(a.content_encoding, "gzip");
    assert_int_equal(a.len, 7);
    assert_memory_equal(a.body, "GZIPPED", 7);
    assert_string_equal(a.content_type, "text/javascript; charset=utf-8");
    assert_string_not_equal(a.etag, plain.etag);
    assert_int_equal(static_files_answer(f->files, "/app/main.js", NULL, "gzip;q=0", &a), 0);
    assert_null(a.content_encoding);
    assert_int_equal(static_files_answer(f->files, "/app/main.js", NULL, "xgzip", &a), 0);
    assert_null(a.content_encoding);
    assert_int_equal(static_files_answer(f->files, "/app/style.css", NULL, "gzip", &a), 0);
    assert_null(a.content_encoding);                          /* no sibling: identity */
}

static void traversal_refused(void **state) {
    fixture_t *f = *state;
    static const char *const bad[] = {
        "/../etc/passwd", "/app/../index.html", "/..", "/./index.html", "/app/.",
        "/%2e%2e/etc/passwd", "/app\\main.js", "/index.html\x01", "relative", "",
    };
    static_answer_t a;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(static_files_answer(f->files, bad[i], NULL, NULL, &a), ERR_INVALID_PATH);
        assert_true(static_path_invalid(bad[i]));
    }
    assert_false(static_path_invalid("/app/main.js"));
    assert_false(static_path_invalid("/a..b/c.d"));            /* dots inside a name are fine */
}

static void missing_folder_is_empty(void **state) {
    (void) state;
    static_files_t *t = NULL;
    assert_int_equal(static_files_load("/nonexistent/lumbung-web", &t), 0);
    assert_int_equal(static_files_count(t), 0);
    static_answer_t a;
    assert_int_equal(static_files_answer(t, "/", NULL, NULL, &a), ERR_NOT_FOUND);
    static_files_free(&t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loads_regular_files_only),
        cmocka_unit_test(serves_files_with_types),
        cmocka_unit_test(client_routes_get_index),
        cmocka_unit_test(etag_and_not_modified),
        cmocka_unit_test(gzip_when_accepted),
        cmocka_unit_test(traversal_refused),
        cmocka_unit_test(missing_folder_is_empty),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
