/* health — every band edge of the supported components: lower inclusive, upper exclusive
   unless docs/domain.md's table says otherwise, compared exactly (a hair above an edge is above). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../services/reporting/health_bands.h"

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
    assert_int_equal(total, 85);                    /* 100 less aspect 3's 15 */
}

static void own_capital_to_risky_loans_1b(void **state) {
    (void) state;
    assert_int_equal(at(H(1B), 0), 0);
    assert_int_equal(above(H(1B), 999), 0);
    assert_int_equal(at(H(1B), 1000), 10);
    assert_int_equal(above(H(1B), 5999), 50);
    assert_int_equal(at(H(1B), 6000), 60);
    assert_int_equal(above(H(1B), 9999), 90);
    assert_int_equal(at(H(1B), 10000), 100);
    assert_int_equal(at(H(1B), 500000), 100);       /* capped */
}

static void capital_adequacy_1c(void **state) {
    (void) state;
    assert_int_equal(above(H(1C), 399), 0);
    assert_int_equal(at(H(1C), 400), 50);
    assert_int_equal(above(H(1C), 599), 50);
    assert_int_equal(at(H(1C), 600), 75);
    assert_int_equal(above(H(1C), 799), 75);
    assert_int_equal(at(H(1C), 800), 100);
}

static void loans_to_members_2a(void **state) {
    (void) state;
    assert_int_equal(at(H(2A), 2500), 0);           /* <= 25 */
    assert_int_equal(above(H(2A), 2500), 50);
    assert_int_equal(at(H(2A), 5000), 50);
    assert_int_equal(above(H(2A), 5000), 75);
    assert_int_equal(at(H(2A), 7500), 75);
    assert_int_equal(above(H(2A), 7500), 100);
    assert_int_equal(at(H(2A), 10000), 100);
}

static void risk_reserve_to_rpm_2c(void **state) {
    (void) state;
    assert_int_equal(at(H(2C), 0), 0);
    assert_int_equal(above(H(2C), 0), 10);          /* rounded up */
    assert_int_equal(at(H(2C), 1000), 10);
    assert_int_equal(above(H(2C), 1000), 20);
    assert_int_equal(at(H(2C), 9000), 90);
    assert_int_equal(above(H(2C), 9000), 100);
    assert_int_equal(at(H(2C), 30000), 100);        /* capped */
}

static void member_operating_cost_4a(void **state) {
    (void) state;
    assert_int_equal(above(H(4A), 8999), 100);
    assert_int_equal(at(H(4A), 9000), 75);
    assert_int_equal(above(H(4A), 9499), 75);
    assert_int_equal(at(H(4A), 9500), 50);
    assert_int_equal(above(H(4A), 9999), 50);
    assert_int_equal(at(H(4A), 10000), 25);
}

static void operating_expense_to_gross_surplus_4b(void **state) {
    (void) state;
    assert_int_equal(at(H(4B), 4000), 100);         /* <= 40 */
    assert_int_equal(above(H(4B), 4000), 75);
    assert_int_equal(at(H(4B), 6000), 75);
    assert_int_equal(above(H(4B), 6000), 50);
    assert_int_equal(at(H(4B), 8000), 50);
    assert_int_equal(above(H(4B), 8000), 25);
}

static void service_efficiency_4c(void **state) {
    (void) state;
    assert_int_equal(at(H(4C), 500), 100);          /* <= 5 */
    assert_int_equal(above(H(4C), 500), 75);
    assert_int_equal(at(H(4C), 1000), 75);
    assert_int_equal(above(H(4C), 1000), 50);
    assert_int_equal(at(H(4C), 1500), 50);
    assert_int_equal(above(H(4C), 1500), 0);
}

static void return_on_own_capital_6b(void **state) {
    (void) state;
    assert_int_equal(above(H(6B), 299), 25);
    assert_int_equal(at(H(6B), 300), 50);
    assert_int_equal(above(H(6B), 399), 50);
    assert_int_equal(at(H(6B), 400), 75);
    assert_int_equal(above(H(6B), 499), 75);
    assert_int_equal(at(H(6B), 500), 100);
}

static void self_reliance_6c(void **state) {
    (void) state;
    assert_int_equal(at(H(6C), 10000), 0);          /* <= 100 */
    assert_int_equal(above(H(6C), 10000), 100);
}

static void gross_participation_7a(void **state) {
    (void) state;
    assert_int_equal(above(H(7A), 2499), 25);
    assert_int_equal(at(H(7A), 2500), 50);
    assert_int_equal(above(H(7A), 4999), 50);
    assert_int_equal(at(H(7A), 5000), 75);
    assert_int_equal(above(H(7A), 7499), 75);
    assert_int_equal(at(H(7A), 7500), 100);
}

static void members_benefit_7b(void **state) {
    (void) state;
    assert_int_equal(above(H(7B), 499), 0);
    assert_int_equal(at(H(7B), 500), 50);
    assert_int_equal(above(H(7B), 749), 50);
    assert_int_equal(at(H(7B), 750), 75);
    assert_int_equal(above(H(7B), 999), 75);
    assert_int_equal(at(H(7B), 1000), 100);
}

static void percent_text_and_rating(void **state) {
    (void) state;
    char buf[REPORTING_HEALTH_TEXT_MAX];
    reporting_health_percent(1, 3, buf, sizeof buf);
    assert_string_equal(buf, "33.33");
    reporting_health_percent(2, 3, buf, sizeof buf);
    assert_string_equal(buf, "66.67");
    reporting_health_percent(-1, 8, buf, sizeof buf);
    assert_string_equal(buf, "-12.50");
    reporting_health_percent(1, 20000, buf, sizeof buf);    /* 0.005 % -> 0.01 */
    assert_string_equal(buf, "0.01");
    reporting_health_centi_text(600, buf, sizeof buf);
    assert_string_equal(buf, "6.00");
    assert_int_equal(reporting_health_rating(8000), REPORTING_HEALTH_HEALTHY);
    assert_int_equal(reporting_health_rating(7999), REPORTING_HEALTH_FAIRLY_HEALTHY);
    assert_int_equal(reporting_health_rating(6600), REPORTING_HEALTH_FAIRLY_HEALTHY);
    assert_int_equal(reporting_health_rating(6599), REPORTING_HEALTH_UNDER_SUPERVISION);
    assert_int_equal(reporting_health_rating(5100), REPORTING_HEALTH_UNDER_SUPERVISION);
    assert_int_equal(reporting_health_rating(5099), REPORTING_HEALTH_UNDER_SPECIAL_SUPERVISION);
}

/* Aspect 3: every yes is worth its group's weight; all yes is exactly 15 points. */
static void management_points(void **state) {
    (void) state;
    int none[REPORTING_MANAGEMENT_GROUPS] = { 0, 0, 0, 0, 0 };
    int all[REPORTING_MANAGEMENT_GROUPS] = { 12, 6, 5, 10, 5 };
    int some[REPORTING_MANAGEMENT_GROUPS] = { 10, 5, 4, 7, 3 };
    int one_each[REPORTING_MANAGEMENT_GROUPS] = { 1, 1, 1, 1, 1 };
    assert_int_equal(reporting_management_points_centi(none), 0);
    assert_int_equal(reporting_management_points_centi(all), 1500);
    /* 10 x 0.25 + 5 x 0.5 + 4 x 0.6 + 7 x 0.3 + 3 x 0.6 = 2.5 + 2.5 + 2.4 + 2.1 + 1.8 */
    assert_int_equal(reporting_management_points_centi(some), 1130);
    assert_int_equal(reporting_management_points_centi(one_each), 25 + 50 + 60 + 30 + 60);
    int questions = 0;
    for (int g = 0; g < REPORTING_MANAGEMENT_GROUPS; g++)
        questions += reporting_management_questions((reporting_management_group_t) g);
    assert_int_equal(questions, 38);
    int too_many[REPORTING_MANAGEMENT_GROUPS] = { 13, 0, 0, 0, 0 };
    int negative[REPORTING_MANAGEMENT_GROUPS] = { 0, 0, 0, 0, -1 };
    assert_int_equal(reporting_management_points_centi(too_many), -EINVAL);
    assert_int_equal(reporting_management_points_centi(negative), -EINVAL);
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
        cmocka_unit_test(own_capital_to_risky_loans_1b),
        cmocka_unit_test(capital_adequacy_1c),
        cmocka_unit_test(loans_to_members_2a),
        cmocka_unit_test(risk_reserve_to_rpm_2c),
        cmocka_unit_test(member_operating_cost_4a),
        cmocka_unit_test(operating_expense_to_gross_surplus_4b),
        cmocka_unit_test(service_efficiency_4c),
        cmocka_unit_test(return_on_own_capital_6b),
        cmocka_unit_test(self_reliance_6c),
        cmocka_unit_test(gross_participation_7a),
        cmocka_unit_test(members_benefit_7b),
        cmocka_unit_test(percent_text_and_rating),
        cmocka_unit_test(management_points),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
