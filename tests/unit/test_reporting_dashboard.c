/* dashboard (reporting): the district dashboard a supervisor opens — every cooperative with its
   active members, assets and members' savings as of the date, its RAT compliance for the fiscal
   year that ended last (by its own fiscal_year_start; not due for a year that ended before it
   was founded; two years without one: dissolution review), its overdue recommendations, and the
   health rating (not rated without books); the district's totals; sums by type, group and
   district; and the cooperatives that need attention, each with its reasons. Against a real
   store, fed as the members and transactions streams would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"
#include "../../services/reporting/reporting.h"
#include "reporting_fixture.h"

#define CLASS(x) LUMBUNG__ACCOUNT_CLASS__ACCOUNT_CLASS_##x
#define ROLE(x) LUMBUNG__ACCOUNT_ROLE__ACCOUNT_ROLE_##x
#define TYPE(x) LUMBUNG__COOPERATIVE_TYPE__COOPERATIVE_TYPE_##x
#define STATUS(x) LUMBUNG__MEMBER_STATUS__MEMBER_STATUS_##x
#define RATING(x) LUMBUNG__HEALTH_RATING__HEALTH_RATING_##x

/* 3: a KSP with books, fiscal years from July, its RAT of 2024 held. 4: founded in 2024, no
   RAT for 2024 (due). 5: no RAT ever, no founding date, a recommendation overdue. */
enum { KSP = 3, BARU = 4, LAMA = 5 };

static void coop(reporting_fixture_t *f, uint64_t id, const char *name, Lumbung__CooperativeType t,
                 const char *group, const char *district, int fiscal_start, const char *founded) {
    Lumbung__CooperativeSettings s = LUMBUNG__COOPERATIVE_SETTINGS__INIT;
    s.has_fiscal_year_start = fiscal_start != 0;
    s.fiscal_year_start = (uint32_t) fiscal_start;
    Lumbung__Cooperative c = LUMBUNG__COOPERATIVE__INIT;
    c.has_id = c.has_type = 1;
    c.id = id;
    c.name = (char *) name;
    c.type = t;
    c.group = (char *) group;
    c.district = (char *) district;
    c.settings = &s;
    c.has_founded_on = founded != NULL;
    c.founded_on = founded ? unit_day(founded) : 0;
    reporting_fixture_cooperative(f, &c);
}

static void overdue_recommendation(reporting_fixture_t *f, uint64_t coop, const char *due) {
    Lumbung__Recommendation r = LUMBUNG__RECOMMENDATION__INIT;
    Lumbung__Recommendation *recs[] = { &r };
    r.has_due_on = 1;
    r.due_on = unit_day(due);
    Lumbung__Supervision s = LUMBUNG__SUPERVISION__INIT;
    s.has_id = s.has_cooperative_id = 1;
    s.id = 1;
    s.cooperative_id = coop;
    s.n_recommendations = 1;
    s.recommendations = recs;
    Lumbung__MembersEvent ev = LUMBUNG__MEMBERS_EVENT__INIT;
    ev.body_case = LUMBUNG__MEMBERS_EVENT__BODY_SUPERVISION_RECORDED;
    ev.supervision_recorded = &s;
    reporting_fixture_members_event(f, &ev);
}

static void district(reporting_fixture_t *f) {
    coop(f, KSP, "KSP Maju Bersama", TYPE(SAVINGS_LOAN), "Simpan pinjam", "Cimahi Utara", 7, NULL);
    coop(f, BARU, "Koperasi Baru", TYPE(CONSUMER), "Konsumen", "Cimahi Selatan", 0, "2024-02-01");
    coop(f, LAMA, "Koperasi Lama", TYPE(CONSUMER), "Konsumen", "Cimahi Utara", 0, NULL);
    reporting_fixture_member(f, KSP, 1, LUMBUNG__SEX__SEX_FEMALE, STATUS(ACTIVE));
    reporting_fixture_member(f, KSP, 2, LUMBUNG__SEX__SEX_MALE, STATUS(ACTIVE));
    reporting_fixture_member(f, LAMA, 3, LUMBUNG__SEX__SEX_FEMALE, STATUS(ACTIVE));
    reporting_fixture_rat(f, KSP, 2024, "2025-09-20");
    overdue_recommendation(f, LAMA, "2025-06-30");
    reporting_fixture_account(f, KSP, "1-101", CLASS(ASSET), ROLE(CASH));
    reporting_fixture_account(f, KSP, "2-101", CLASS(LIABILITY), ROLE(VOLUNTARY_SAVINGS));
    reporting_fixture_account(f, KSP, "3-101", CLASS(EQUITY), ROLE(PRINCIPAL_SAVINGS));
    reporting_fixture_account(f, KSP, "4-301", CLASS(INCOME), ROLE(OTHER_INCOME));
    reporting_fixture_post(f, KSP, "2024-08-01", "1-101", "3-101", 30000000);
    reporting_fixture_post(f, KSP, "2025-02-01", "1-101", "2-101", 106618546);
    reporting_fixture_post(f, KSP, "2025-03-01", "1-101", "4-301", 5000000);
    reporting_fixture_post(f, KSP, "2026-01-02", "1-101", "2-101", 777);      /* after as_of */
}

static Lumbung__DistrictDashboard *dashboard(reporting_fixture_t *f, const char *as_of) {
    Lumbung__GetDistrictDashboard req = LUMBUNG__GET_DISTRICT_DASHBOARD__INIT;
    req.has_as_of = 1;
    req.as_of = unit_day(as_of);
    Lumbung__ReportingReply out = LUMBUNG__REPORTING_REPLY__INIT;
    /* The call is only used to fail a request or to answer a file: a JSON answer to a good
       request never touches it. */
    int untouched;
    assert_int_equal(reporting_dashboard(&f->app, (service_call_t *) &untouched, f->txn, f->arena,
                                         &req, &out), 0);
    assert_int_equal(out.result_case, LUMBUNG__REPORTING_REPLY__RESULT_DISTRICT_DASHBOARD);
    return out.district_dashboard;
}

static void each_cooperative_with_members_assets_and_savings(void **state) {
    reporting_fixture_t *f = *state;
    district(f);
    Lumbung__DistrictDashboard *d = dashboard(f, "2025-12-31");
    assert_int_equal(d->as_of, unit_day("2025-12-31"));
    assert_int_equal(d->n_items, 3);
    const Lumbung__CooperativeSummary *k = d->items[0];
    assert_int_equal(k->cooperative_id, KSP);
    assert_string_equal(k->name, "KSP Maju Bersama");
    assert_int_equal(k->members_active, 2);
    assert_int_equal(k->members_female, 1);
    assert_int_equal(k->members_male, 1);
    assert_int_equal(k->total_assets_sen, 141618546);    /* cash: not the entry of 2026 */
    assert_int_equal(k->savings_sen, 136618546);         /* voluntary + principal savings */
    assert_int_equal(d->items[1]->cooperative_id, BARU);
    assert_int_equal(d->items[1]->total_assets_sen, 0);
    assert_int_equal(d->items[2]->members_active, 1);
    assert_int_equal(d->cooperatives, 3);
    assert_int_equal(d->members_active, 3);
    assert_int_equal(d->members_female, 2);
    assert_int_equal(d->members_male, 1);
    assert_int_equal(d->total_assets_sen, 141618546);
    assert_int_equal(d->savings_sen, 136618546);
}

static void rat_compliance_by_each_cooperatives_fiscal_year(void **state) {
    reporting_fixture_t *f = *state;
    district(f);
    Lumbung__DistrictDashboard *d = dashboard(f, "2025-12-31");
    const Lumbung__CooperativeSummary *k = d->items[0], *baru = d->items[1], *lama = d->items[2];
    assert_int_equal(k->last_fiscal_year, 2024);        /* July 2024 to June 2025 */
    assert_int_equal(k->last_rat_fiscal_year, 2024);
    assert_int_equal(k->last_rat_held_on, unit_day("2025-09-20"));
    assert_false(k->rat_overdue);
    assert_int_equal(baru->last_fiscal_year, 2024);     /* the calendar year */
    assert_false(baru->has_last_rat_fiscal_year);
    assert_true(baru->rat_overdue);
    assert_false(baru->dissolution_review);             /* 2023 ended before it was founded */
    assert_true(lama->rat_overdue);
    assert_true(lama->dissolution_review);
    assert_int_equal(d->rat_overdue, 2);
    assert_int_equal(d->dissolution_review, 1);
    /* As of June 2025 the KSP's last ended year is 2023/2024, without a RAT. */
    d = dashboard(f, "2025-06-30");
    assert_int_equal(d->items[0]->last_fiscal_year, 2023);
    assert_true(d->items[0]->rat_overdue);
    assert_int_equal(d->items[0]->last_rat_fiscal_year, 2024);   /* the latest recorded */
}

static void attention_lists_each_cooperative_with_its_reasons(void **state) {
    reporting_fixture_t *f = *state;
    district(f);
    Lumbung__DistrictDashboard *d = dashboard(f, "2025-12-31");
    assert_int_equal(d->items[2]->overdue_recommendations, 1);
    assert_int_equal(d->items[0]->overdue_recommendations, 0);
    assert_int_equal(d->n_attention, 2);
    assert_int_equal(d->attention[0]->cooperative_id, BARU);
    assert_int_equal(d->attention[0]->n_reasons, 1);
    assert_string_equal(d->attention[0]->reasons[0], "no_rat");
    assert_int_equal(d->attention[1]->cooperative_id, LAMA);
    assert_string_equal(d->attention[1]->name, "Koperasi Lama");
    assert_int_equal(d->attention[1]->n_reasons, 3);
    assert_string_equal(d->attention[1]->reasons[0], "overdue_recommendations");
    assert_string_equal(d->attention[1]->reasons[1], "no_rat");
    assert_string_equal(d->attention[1]->reasons[2], "dissolution_review");
    /* Before the recommendation fell due it is not a reason. */
    d = dashboard(f, "2025-06-30");
    assert_int_equal(d->items[2]->overdue_recommendations, 0);
}

static void sums_by_type_group_and_district(void **state) {
    reporting_fixture_t *f = *state;
    district(f);
    Lumbung__DistrictDashboard *d = dashboard(f, "2025-12-31");
    assert_int_equal(d->n_by_type, 2);                   /* types with a cooperative, enum order */
    assert_int_equal(d->by_type[0]->type, TYPE(SAVINGS_LOAN));
    assert_int_equal(d->by_type[0]->cooperatives, 1);
    assert_int_equal(d->by_type[0]->total_assets_sen, 141618546);
    assert_int_equal(d->by_type[1]->type, TYPE(CONSUMER));
    assert_int_equal(d->by_type[1]->cooperatives, 2);
    assert_int_equal(d->by_type[1]->members_active, 1);
    assert_int_equal(d->n_by_group, 2);                  /* by name */
    assert_string_equal(d->by_group[0]->group, "Konsumen");
    assert_int_equal(d->by_group[0]->cooperatives, 2);
    assert_string_equal(d->by_group[1]->group, "Simpan pinjam");
    assert_int_equal(d->by_group[1]->savings_sen, 136618546);
    assert_int_equal(d->n_by_district, 2);
    assert_string_equal(d->by_district[0]->district, "Cimahi Selatan");
    assert_int_equal(d->by_district[0]->cooperatives, 1);
    assert_string_equal(d->by_district[1]->district, "Cimahi Utara");
    assert_int_equal(d->by_district[1]->cooperatives, 2);
    assert_int_equal(d->by_district[1]->members_active, 3);
    assert_int_equal(d->by_district[1]->total_assets_sen, 141618546);
}

static void cooperatives_without_books_are_not_rated(void **state) {
    reporting_fixture_t *f = *state;
    district(f);
    Lumbung__DistrictDashboard *d = dashboard(f, "2025-12-31");
    assert_true(d->items[1]->has_health_rating);
    assert_int_equal(d->items[1]->health_rating, RATING(NOT_RATED));
    assert_int_equal(d->items[2]->health_rating, RATING(NOT_RATED));
    assert_int_not_equal(d->items[0]->health_rating, RATING(NOT_RATED));   /* it has books */
    assert_non_null(d->items[0]->health_total);
    size_t not_rated = 0;
    for (size_t i = 0; i < d->n_by_rating; i++)
        if (d->by_rating[i]->rating == RATING(NOT_RATED)) not_rated = d->by_rating[i]->cooperatives;
    assert_int_equal(not_rated, 2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(each_cooperative_with_members_assets_and_savings,
                                        reporting_fixture_setup, reporting_fixture_teardown),
        cmocka_unit_test_setup_teardown(rat_compliance_by_each_cooperatives_fiscal_year,
                                        reporting_fixture_setup, reporting_fixture_teardown),
        cmocka_unit_test_setup_teardown(attention_lists_each_cooperative_with_its_reasons,
                                        reporting_fixture_setup, reporting_fixture_teardown),
        cmocka_unit_test_setup_teardown(sums_by_type_group_and_district, reporting_fixture_setup,
                                        reporting_fixture_teardown),
        cmocka_unit_test_setup_teardown(cooperatives_without_books_are_not_rated,
                                        reporting_fixture_setup, reporting_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
