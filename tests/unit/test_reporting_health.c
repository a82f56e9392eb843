/* health — every band edge of the supported components: lower inclusive, upper exclusive
   unless DOMAIN.md's table says otherwise, compared exactly (a hair above an edge is above). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../services/reporting/health.h"

#define H(x) REPORTING_HEALTH_##x

/* The value for a ratio of `bp` hundredths of a percent (num bp of den 10000), and just above
   it (bp + 1/1000 of a hundredth). */
static int at(reporting_health_component_t c, int64_t bp) {
    int v = -1;
    assert_int_equal(reporting_health_value(c, bp * 1000, 10000000, &v), 0);
    return v;
}

static int above(reporting_health_component_t c, int64_t bp) {
    int v = -1;
    assert_int_equal(reporting_health_value(c, bp * 1000 + 1, 10000000, &v), 0);
    return v;
}

static void own_capital_ratio_1a(void **state) {
    (void) state;
    assert_int_equal(at(H(1A), 0), 0);
    assert_int_equal(above(H(1A), 0), 25);
    assert_int_equal(above(H(1A), 1999), 25);
    assert_int_equal(at(H(1A), 2000), 50);
    assert_int_equal(at(H(1A), 3999), 50);
    assert_int_equal(at(H(1A), 4000), 100);
    assert_int_equal(above(H(1A), 5999), 100);
    assert_int_equal(at(H(1A), 6000), 50);
    assert_int_equal(at(H(1A), 8000), 25);
    assert_int_equal(at(H(1A), 10000), 25);         /* [80, 100]: 100 included */
}

static void rpm_ratio_2b(void **state) {
    (void) state;
    assert_int_equal(at(H(2B), 0), 100);
    assert_int_equal(above(H(2B), 0), 80);
    assert_int_equal(at(H(2B), 1000), 80);          /* (0, 10]: 10 included */
    assert_int_equal(above(H(2B), 1000), 60);
    assert_int_equal(at(H(2B), 2000), 60);
    assert_int_equal(above(H(2B), 2000), 40);
    assert_int_equal(at(H(2B), 3000), 40);
    assert_int_equal(above(H(2B), 3000), 20);
    assert_int_equal(at(H(2B), 4000), 20);
    assert_int_equal(above(H(2B), 4000), 10);
    assert_int_equal(at(H(2B), 4500), 10);
    assert_int_equal(above(H(2B), 4500), 0);
}

static void risky_loans_2d(void **state) {
    (void) state;
    assert_int_equal(above(H(2D), 2099), 100);
    assert_int_equal(at(H(2D), 2100), 75);
    assert_int_equal(above(H(2D), 2599), 75);
    assert_int_equal(at(H(2D), 2600), 50);
    assert_int_equal(at(H(2D), 3099), 50);
    assert_int_equal(at(H(2D), 3100), 25);
}

static void cash_ratio_5a(void **state) {
    (void) state;
    assert_int_equal(at(H(5A), 0), 25);
    assert_int_equal(at(H(5A), 1000), 25);          /* <= 10 */
    assert_int_equal(above(H(5A), 1000), 100);
    assert_int_equal(at(H(5A), 1500), 100);
    assert_int_equal(above(H(5A), 1500), 50);
    assert_int_equal(at(H(5A), 2000), 50);
    assert_int_equal(above(H(5A), 2000), 25);
}

static void loans_to_funds_5b(void **state) {
    (void) state;
    assert_int_equal(above(H(5B), 5999), 25);
    assert_int_equal(at(H(5B), 6000), 50);
    assert_int_equal(at(H(5B), 7000), 75);
    assert_int_equal(above(H(5B), 7999), 75);
    assert_int_equal(at(H(5B), 8000), 100);
}

static void return_on_assets_6a(void **state) {
    (void) state;
    assert_int_equal(above(H(6A), 499), 25);
    assert_int_equal(at(H(6A), 500), 50);
    assert_int_equal(above(H(6A), 749), 50);
    assert_int_equal(at(H(6A), 750), 75);
    assert_int_equal(at(H(6A), 1000), 100);
}

static void no_ratio_without_a_denominator_and_scores(void **state) {
    (void) state;
    int v;
    assert_int_equal(reporting_health_value(H(5A), 100, 0, &v), -EDOM);
    assert_int_equal(reporting_health_value(H(6A), -1, 100, &v), -EDOM);
    assert_int_equal(reporting_health_score_centi(H(1A), 100), 600);
    assert_int_equal(reporting_health_score_centi(H(5A), 25), 250);
    assert_int_equal(reporting_health_score_centi(H(6A), 75), 225);
    assert_string_equal(reporting_health_code(H(2D)), "2d");
    int total = 0;
    for (int c = 0; c < REPORTING_HEALTH_COMPONENTS; c++)
        total += reporting_health_weight((reporting_health_component_t) c);
    assert_int_equal(total, 34);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(own_capital_ratio_1a),
        cmocka_unit_test(rpm_ratio_2b),
        cmocka_unit_test(risky_loans_2d),
        cmocka_unit_test(cash_ratio_5a),
        cmocka_unit_test(loans_to_funds_5b),
        cmocka_unit_test(return_on_assets_6a),
        cmocka_unit_test(no_ratio_without_a_denominator_and_scores),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
