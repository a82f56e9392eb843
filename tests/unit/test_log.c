/* log: request ids from outside kept only when sane, random ones, and the lines of both
   formats with the request's context (stderr is captured into a temporary file). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "log.h"

enum { CAPTURE_MAX = 8192 };

/* Runs fn with stderr going to a file; returns what it wrote (static buffer). */
static const char *capture(const char *format, void (*fn)(void)) {
    static char out[CAPTURE_MAX];
    setenv("LUMBUNG_LOG_FORMAT", format, 1);
    setenv("LUMBUNG_LOG_LEVEL", "debug", 1);
    log_init("unittest");
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    int saved = dup(STDERR_FILENO);
    dup2(fileno(tmp), STDERR_FILENO);
    fn();
    dup2(saved, STDERR_FILENO);
    close(saved);
    rewind(tmp);
    size_t n = fread(out, 1, sizeof out - 1, tmp);
    out[n] = 0;
    fclose(tmp);
    return out;
}

static void sane_ids_are_kept_and_others_are_not(void **state) {
    (void) state;
    char max[LOG_REQUEST_ID_MAX + 2];
    memset(max, 'a', sizeof max);
    max[LOG_REQUEST_ID_MAX] = 0;
    assert_true(log_request_id_sane(max));
    assert_true(log_request_id_sane("Kasir-01.setor_7"));
    max[LOG_REQUEST_ID_MAX] = 'a';
    max[LOG_REQUEST_ID_MAX + 1] = 0;
    assert_false(log_request_id_sane(max));
    assert_false(log_request_id_sane(""));
    assert_false(log_request_id_sane(NULL));
    assert_false(log_request_id_sane("a b"));
    assert_false(log_request_id_sane("a\"b"));
    assert_false(log_request_id_sane("a\nb"));
    assert_false(log_request_id_sane("caf\xc3\xa9"));
}

static void made_ids_are_random_hex(void **state) {
    (void) state;
    char a[LOG_REQUEST_ID_MAX + 1], b[LOG_REQUEST_ID_MAX + 1];
    log_request_id_make(a, sizeof a);
    log_request_id_make(b, sizeof b);
    assert_int_equal(strlen(a), 32);
    assert_int_equal(strspn(a, "0123456789abcdef"), 32);
    assert_true(log_request_id_sane(a));
    assert_string_not_equal(a, b);
}

static void write_in_context(void) {
    log_context_t ctx = { "rid-1", "siti \"s\"", 3, "transactions.deposit" };
    log_context_set(&ctx);
    log_info(99, "posted\tentry %d", 7);
    log_context_set(NULL);
    log_warn(42, "no context");
    log_emit(LOG_ERROR, &ctx, "insufficient_funds", 1.5, "refused");
    log_debug(0, "quiet");
}

static void json_lines_carry_every_field(void **state) {
    (void) state;
    const char *out = capture("json", write_in_context);
    char *copy = strdup(out), *save = NULL;
    const char *want_rid[] = { "rid-1", "42", "rid-1", NULL };
    const char *want_level[] = { "info", "warn", "error", "debug" };
    int n = 0;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save), n++) {
        json_error_t err;
        json_t *j = json_loads(line, 0, &err);
        assert_non_null(j);
        assert_int_equal(json_object_size(j), 10);
        assert_string_equal(json_string_value(json_object_get(j, "service")), "unittest");
        assert_string_equal(json_string_value(json_object_get(j, "level")), want_level[n]);
        assert_int_equal(strlen(json_string_value(json_object_get(j, "time"))), 24);
        json_t *rid = json_object_get(j, "request_id");
        if (want_rid[n]) assert_string_equal(json_string_value(rid), want_rid[n]);
        else assert_true(json_is_null(rid));
        if (n == 0) {
            assert_string_equal(json_string_value(json_object_get(j, "actor")), "siti \"s\"");
            assert_int_equal(json_integer_value(json_object_get(j, "cooperative")), 3);
            assert_string_equal(json_string_value(json_object_get(j, "message")), "posted\tentry 7");
            assert_true(json_is_null(json_object_get(j, "outcome")));
        }
        if (n == 2) {
            assert_string_equal(json_string_value(json_object_get(j, "outcome")), "insufficient_funds");
            assert_true(json_real_value(json_object_get(j, "duration_ms")) == 1.5);
        }
        json_decref(j);
    }
    assert_int_equal(n, 4);
    free(copy);
}

static void text_lines_stay_readable(void **state) {
    (void) state;
    const char *out = capture("text", write_in_context);
    assert_non_null(strstr(out, " unittest INFO rid=rid-1 posted\tentry 7 op=transactions.deposit "
                                "actor=siti \"s\" coop=3\n"));
    assert_non_null(strstr(out, " unittest WARN rid=42 no context\n"));
    assert_non_null(strstr(out, " unittest ERROR rid=rid-1 refused op=transactions.deposit "
                                "actor=siti \"s\" coop=3 outcome=insufficient_funds ms=1.500\n"));
    assert_non_null(strstr(out, " unittest DEBUG rid=- quiet\n"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sane_ids_are_kept_and_others_are_not),
        cmocka_unit_test(made_ids_are_random_hex),
        cmocka_unit_test(json_lines_carry_every_field),
        cmocka_unit_test(text_lines_stay_readable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
