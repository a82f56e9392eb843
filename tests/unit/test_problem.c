/* problem: what every rule and every client relies on in a business rejection — problem_set()
   fills the kind, the stable code, the field and the formatted message exactly and returns
   ERR_REJECTED; a too-long field or message is cut at its limit, never overflowing; a rule run
   on a part of a request names the field from the request's top ("postings[3].amount"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"
#include "problem.h"

#define EK(x) LUMBUNG__ERROR_KIND__ERROR_KIND_##x

static void set_fills_every_part_and_returns_rejected(void **state) {
    problem_t p;
    memset(&p, 0x55, sizeof p);
    int rc = problem_set(&p, EK(RULE), "insufficient_balance", "amount_sen",
                         "balance is %d sen, withdrawal %s", 1500, "2000");
    assert_int_equal(rc, ERR_REJECTED);
    assert_int_equal(p.kind, EK(RULE));
    assert_string_equal(p.code, "insufficient_balance");
    assert_string_equal(p.field, "amount_sen");
    assert_string_equal(p.message, "balance is 1500 sen, withdrawal 2000");
}

static void a_problem_without_a_field_names_none(void **state) {
    problem_t p;
    memset(&p, 0x55, sizeof p);
    assert_int_equal(problem_set(&p, EK(FORBIDDEN), "forbidden", NULL, "no"), ERR_REJECTED);
    assert_string_equal(p.field, "");
    assert_string_equal(p.message, "no");
}

static void a_second_set_replaces_the_first(void **state) {
    problem_t p;
    problem_set(&p, EK(INVALID), "too_long", "memo", "memo has at most %d bytes", 200);
    problem_set(&p, EK(NOT_FOUND), "no_such_entry", NULL, "entry 7");
    assert_int_equal(p.kind, EK(NOT_FOUND));
    assert_string_equal(p.code, "no_such_entry");
    assert_string_equal(p.field, "");
    assert_string_equal(p.message, "entry 7");
}

static void long_fields_and_messages_are_cut_at_their_limits(void **state) {
    char field[200], message[600];
    memset(field, 'f', sizeof field - 1);
    field[sizeof field - 1] = 0;
    memset(message, 'm', sizeof message - 1);
    message[sizeof message - 1] = 0;
    problem_t p;
    problem_set(&p, EK(INVALID), "invalid", field, "%s", message);
    assert_int_equal(strlen(p.field), PROBLEM_FIELD_MAX - 1);
    assert_int_equal(strlen(p.message), PROBLEM_MESSAGE_MAX - 1);
    assert_int_equal(p.field[0], 'f');
    assert_int_equal(p.message[PROBLEM_MESSAGE_MAX - 2], 'm');
}

static void nest_prefixes_the_field_with_a_dot(void **state) {
    problem_t p;
    problem_set(&p, EK(INVALID), "invalid_amount", "amount_sen", "x");
    problem_nest(&p, "postings[3]");
    assert_string_equal(p.field, "postings[3].amount_sen");
    problem_nest(&p, "batch");
    assert_string_equal(p.field, "batch.postings[3].amount_sen");
    assert_string_equal(p.code, "invalid_amount");   /* only the field changes */
    assert_string_equal(p.message, "x");
}

static void nest_of_an_empty_field_is_the_prefix_alone(void **state) {
    problem_t p;
    problem_set(&p, EK(RULE), "day_closed", NULL, "x");
    problem_nest(&p, "postings[0]");
    assert_string_equal(p.field, "postings[0]");
}

static void nest_cuts_at_the_field_limit(void **state) {
    char prefix[PROBLEM_FIELD_MAX + 20];
    memset(prefix, 'p', sizeof prefix - 1);
    prefix[sizeof prefix - 1] = 0;
    problem_t p;
    problem_set(&p, EK(INVALID), "invalid", "amount", "x");
    problem_nest(&p, prefix);
    assert_int_equal(strlen(p.field), PROBLEM_FIELD_MAX - 1);
    assert_int_equal(p.field[PROBLEM_FIELD_MAX - 2], 'p');

    /* a prefix that leaves room for the dot and part of the field */
    char near[PROBLEM_FIELD_MAX - 3];
    memset(near, 'q', sizeof near - 1);
    near[sizeof near - 1] = 0;                  /* 92 characters */
    problem_set(&p, EK(INVALID), "invalid", "amount", "x");
    problem_nest(&p, near);
    assert_int_equal(strlen(p.field), PROBLEM_FIELD_MAX - 1);
    assert_string_equal(p.field + sizeof near - 1, ".am");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(set_fills_every_part_and_returns_rejected),
        cmocka_unit_test(a_problem_without_a_field_names_none),
        cmocka_unit_test(a_second_set_replaces_the_first),
        cmocka_unit_test(long_fields_and_messages_are_cut_at_their_limits),
        cmocka_unit_test(nest_prefixes_the_field_with_a_dot),
        cmocka_unit_test(nest_of_an_empty_field_is_the_prefix_alone),
        cmocka_unit_test(nest_cuts_at_the_field_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
