/* rating (reporting): what a supervisor relies on from the health rating of a fiscal year — the
   year runs from the cooperative's fiscal_year_start month, a year out of range is refused, a
   year without an entry dated in it is not rated (every component unavailable, said why), and
   a year with books is rated with the figures of that year only. Against a real store with the
   chart projection fed as the transactions stream would. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"
#include "date.h"
#include "../../services/reporting/reporting.h"
#include "reporting_fixture.h"

#define CLASS(x) LUMBUNG__ACCOUNT_CLASS__ACCOUNT_CLASS_##x
#define ROLE(x) LUMBUNG__ACCOUNT_ROLE__ACCOUNT_ROLE_##x
#define RATING(x) LUMBUNG__HEALTH_RATING__HEALTH_RATING_##x

enum { COOP = 7 };

/* The reporting fixture's store, with the cooperative the rating reads (fiscal year from July). */
typedef struct {
    reporting_fixture_t *rf;
    Lumbung__CooperativeSettings settings;
    Lumbung__Cooperative coop;
} fixture_t;

static void post(fixture_t *f, const char *date, const char *debit, const char *credit,
                 int64_t sen) {
    reporting_fixture_post(f->rf, COOP, date, debit, credit, sen);
}

static int setup(void **state) {
    fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    void *rf = NULL;
    reporting_fixture_setup(&rf);
    f->rf = rf;
    lumbung__cooperative_settings__init(&f->settings);
    f->settings.has_fiscal_year_start = 1;
    f->settings.fiscal_year_start = 7;             /* July to June */
    lumbung__cooperative__init(&f->coop);
    f->coop.has_id = 1;
    f->coop.id = COOP;
    f->coop.settings = &f->settings;
    reporting_fixture_account(f->rf, COOP, "1-101", CLASS(ASSET), ROLE(CASH));
    reporting_fixture_account(f->rf, COOP, "3-101", CLASS(EQUITY), ROLE(PRINCIPAL_SAVINGS));
    reporting_fixture_account(f->rf, COOP, "4-101", CLASS(INCOME), ROLE(OTHER_INCOME));
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture_t *f = *state;
    void *rf = f->rf;
    free(f);
    return reporting_fixture_teardown(&rf);
}

static Lumbung__HealthReport *rate(fixture_t *f, uint32_t year) {
    Lumbung__HealthReport *r = NULL;
    assert_int_equal(reporting_rating_build(&f->rf->app, f->rf->txn, f->rf->arena, &f->coop, year, &r), 0);
    assert_non_null(r);
    return r;
}

static void a_year_out_of_range_is_refused(void **state) {
    fixture_t *f = *state;
    Lumbung__HealthReport *r = NULL;
    assert_int_equal(reporting_rating_build(&f->rf->app, f->rf->txn, f->rf->arena, &f->coop,
                                            DATE_FISCAL_YEAR_MIN - 1, &r), -EINVAL);
    assert_int_equal(reporting_rating_build(&f->rf->app, f->rf->txn, f->rf->arena, &f->coop,
                                            DATE_FISCAL_YEAR_MAX + 1, &r), -EINVAL);
    assert_null(r);
}

static void the_year_runs_from_the_fiscal_start_month(void **state) {
    fixture_t *f = *state;
    Lumbung__HealthReport *r = rate(f, 2024);
    assert_int_equal(r->cooperative_id, COOP);
    assert_int_equal(r->year, 2024);
    assert_int_equal(r->from, unit_day("2024-07-01"));
    assert_int_equal(r->to, unit_day("2025-06-30"));
    f->settings.has_fiscal_year_start = 0;          /* none set: the calendar year */
    r = rate(f, 2024);
    assert_int_equal(r->from, unit_day("2024-01-01"));
    assert_int_equal(r->to, unit_day("2024-12-31"));
}

static void a_year_without_entries_is_not_rated_and_says_why(void **state) {
    fixture_t *f = *state;
    post(f, "2024-06-30", "1-101", "3-101", 5000000);    /* the year before, by one day */
    post(f, "2025-07-01", "1-101", "4-101", 100000);     /* the year after, by one day */
    Lumbung__HealthReport *r = rate(f, 2024);
    assert_true(r->has_rating);
    assert_int_equal(r->rating, RATING(NOT_RATED));
    assert_non_null(r->reason);
    assert_true(r->n_components > 0);
    assert_int_equal(r->n_unavailable, r->n_components);
    for (size_t i = 0; i < r->n_components; i++) {
        assert_false(r->components[i]->available);
        assert_false(r->components[i]->has_value);
        assert_string_equal(r->unavailable[i], r->components[i]->code);
    }
    assert_null(r->total);
}

static void a_year_with_books_is_rated(void **state) {
    fixture_t *f = *state;
    post(f, "2024-06-30", "1-101", "3-101", 5000000);
    post(f, "2024-07-01", "1-101", "4-101", 100000);     /* the first day of the year */
    Lumbung__HealthReport *r = rate(f, 2024);
    assert_true(r->has_rating);
    assert_int_not_equal(r->rating, RATING(NOT_RATED));
    assert_int_not_equal(r->rating, RATING(UNSPECIFIED));
    assert_non_null(r->total);
    assert_non_null(r->max_available);
    assert_true(r->n_unavailable < r->n_components);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void) {
    unit_quiet_logs("test_reporting_health_rating");
    const struct CMUnitTest tests[] = {
        T(a_year_out_of_range_is_refused),
        T(the_year_runs_from_the_fiscal_start_month),
        T(a_year_without_entries_is_not_rated_and_says_why),
        T(a_year_with_books_is_rated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
