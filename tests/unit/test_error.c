/* error and problem: one error space with names and texts; a problem filled one way. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "error.h"
#include "problem.h"

static void project_codes_lie_below_every_errno(void **state) {
    (void) state;
    assert_int_equal(ERR_REJECTED, ERR_BASE - 1);
    assert_true(ERR_BROKEN_INPUT < ERR_REJECTED);
    assert_int_equal(ERR_ANSWERED, ERR_BASE - ERR_COUNT); /* the last code */
    assert_int_equal(ERR_RULE, ERR_ANSWERED + 1);          /* values stay: new codes go last */
    assert_true(error_is_project(ERR_MAP_FULL));
    assert_false(error_is_project(-EINVAL));
    assert_false(error_is_project(0));
    assert_false(error_is_project(ERR_BASE));
}

static void every_code_has_a_name_and_a_text(void **state) {
    (void) state;
    assert_string_equal(error_name(ERR_NOT_FOUND), "ERR_NOT_FOUND");
    assert_string_equal(error_name(ERR_BROKEN_INPUT), "ERR_BROKEN_INPUT");
    assert_string_equal(error_string(ERR_MAP_FULL),
                        "the store's map is full (grow it and redo the transaction)");
    assert_string_equal(error_name(-ENOSPC), "ENOSPC");
    assert_string_equal(error_string(-ENOSPC), strerror(ENOSPC));
    assert_string_equal(error_name(0), "OK");
    assert_string_equal(error_name(ERR_BASE - ERR_COUNT - 1), "unknown");
    for (int c = ERR_BASE - 1; c >= ERR_BASE - ERR_COUNT; c--) {
        assert_memory_equal(error_name(c), "ERR_", 4);
        assert_true(strlen(error_string(c)) > 5);
    }
}

static void a_problem_is_filled_and_rejected(void **state) {
    (void) state;
    problem_t p;
    int rc = problem_set(&p, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "invalid_money", "amount",
                         "amount %s is not a decimal number", "1,5x");
    assert_int_equal(rc, ERR_REJECTED);
    assert_string_equal(p.code, "invalid_money");
    assert_string_equal(p.field, "amount");
    assert_string_equal(p.message, "amount 1,5x is not a decimal number");
    problem_nest(&p, "postings[3]");
    assert_string_equal(p.field, "postings[3].amount");
    problem_set(&p, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "empty_batch", NULL, "empty");
    assert_string_equal(p.field, "");
    problem_nest(&p, "postings");
    assert_string_equal(p.field, "postings");
}

static void a_long_field_is_cut_not_overrun(void **state) {
    (void) state;
    char longer[PROBLEM_FIELD_MAX * 2];
    memset(longer, 'f', sizeof longer - 1);
    longer[sizeof longer - 1] = 0;
    problem_t p;
    problem_set(&p, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "x", longer, "m");
    assert_int_equal(strlen(p.field), PROBLEM_FIELD_MAX - 1);
    problem_nest(&p, "lines[1]");
    assert_int_equal(strlen(p.field), PROBLEM_FIELD_MAX - 1);
    assert_memory_equal(p.field, "lines[1].", 9);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(project_codes_lie_below_every_errno),
        cmocka_unit_test(every_code_has_a_name_and_a_text),
        cmocka_unit_test(a_problem_is_filled_and_rejected),
        cmocka_unit_test(a_long_field_is_cut_not_overrun),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
