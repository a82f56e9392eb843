/* ods (reporting): the yearly national data return as the district sends it — one row per
   cooperative in id order with its identity, its own fiscal year (July to June here, the
   calendar year there), whether a RAT approved that year and when, its active members by sex
   (an exited member is not counted), and from its books its own capital (equity with the
   surplus not yet closed, earlier years' included), outside capital and assets at the year's
   end and its surplus over the year alone; a cooperative without books reports zeros; the
   fields the books cannot give are named as not recorded. Against a real store, fed as the
   members and transactions streams would. */
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
#define SEX(x) LUMBUNG__SEX__SEX_##x
#define STATUS(x) LUMBUNG__MEMBER_STATUS__MEMBER_STATUS_##x

enum { KSP = 7, KOPERASI_BARU = 8 };

static void cooperatives(reporting_fixture_t *f) {
    Lumbung__CooperativeSettings july = LUMBUNG__COOPERATIVE_SETTINGS__INIT;
    july.has_fiscal_year_start = 1;
    july.fiscal_year_start = 7;
    Lumbung__Cooperative c = LUMBUNG__COOPERATIVE__INIT;
    c.has_id = c.has_type = c.has_legal_date = 1;
    c.id = KOPERASI_BARU;                  /* created first, listed second */
    c.name = "Koperasi Baru";
    c.type = LUMBUNG__COOPERATIVE_TYPE__COOPERATIVE_TYPE_CONSUMER;
    c.legal_date = unit_day("2024-02-01");
    reporting_fixture_cooperative(f, &c);
    c.id = KSP;
    c.name = "KSP Maju Bersama";
    c.legal_number = "518/BH/XII/2019";
    c.legal_date = unit_day("2019-12-02");
    c.national_number = "3204010020001";
    c.type = LUMBUNG__COOPERATIVE_TYPE__COOPERATIVE_TYPE_SAVINGS_LOAN;
    c.district = "Cimahi Utara";
    c.settings = &july;
    reporting_fixture_cooperative(f, &c);
    reporting_fixture_member(f, KSP, 1, SEX(FEMALE), STATUS(ACTIVE));
    reporting_fixture_member(f, KSP, 2, SEX(FEMALE), STATUS(ACTIVE));
    reporting_fixture_member(f, KSP, 3, SEX(MALE), STATUS(ACTIVE));
    reporting_fixture_member(f, KSP, 4, SEX(FEMALE), STATUS(EXITED));
    reporting_fixture_rat(f, KSP, 2024, "2025-09-20");
}

/* Fiscal year 2024 of the KSP runs 2024-07-01..2025-06-30. */
static void books(reporting_fixture_t *f) {
    reporting_fixture_account(f, KSP, "1-101", CLASS(ASSET), ROLE(CASH));
    reporting_fixture_account(f, KSP, "2-101", CLASS(LIABILITY), ROLE(VOLUNTARY_SAVINGS));
    reporting_fixture_account(f, KSP, "3-101", CLASS(EQUITY), ROLE(PRINCIPAL_SAVINGS));
    reporting_fixture_account(f, KSP, "4-301", CLASS(INCOME), ROLE(OTHER_INCOME));
    reporting_fixture_account(f, KSP, "5-202", CLASS(EXPENSE), ROLE(OPERATING_EXPENSE));
    reporting_fixture_post(f, KSP, "2024-05-01", "1-101", "4-301", 1000000);   /* year before */
    reporting_fixture_post(f, KSP, "2024-06-30", "1-101", "3-101", 30000000);
    reporting_fixture_post(f, KSP, "2024-08-01", "1-101", "2-101", 106618546);
    reporting_fixture_post(f, KSP, "2025-01-15", "1-101", "4-301", 5000000);
    reporting_fixture_post(f, KSP, "2025-06-30", "5-202", "1-101", 1250050);   /* last day */
    reporting_fixture_post(f, KSP, "2025-07-01", "1-101", "4-301", 9999900);   /* year after */
}

static Lumbung__OdsReturn *ods(reporting_fixture_t *f, uint32_t year) {
    Lumbung__GetOds req = LUMBUNG__GET_ODS__INIT;
    req.has_year = 1;
    req.year = year;
    Lumbung__ReportingReply out = LUMBUNG__REPORTING_REPLY__INIT;
    /* The call is only used to fail a request or to answer a file: a JSON answer to a good
       request never touches it. */
    int untouched;
    assert_int_equal(reporting_ods(&f->app, (service_call_t *) &untouched, f->txn, f->arena, &req,
                                   &out), 0);
    assert_int_equal(out.result_case, LUMBUNG__REPORTING_REPLY__RESULT_ODS);
    return out.ods;
}

static void one_row_per_cooperative_with_its_identity_and_year(void **state) {
    reporting_fixture_t *f = *state;
    cooperatives(f);
    Lumbung__OdsReturn *o = ods(f, 2024);
    assert_int_equal(o->year, 2024);
    assert_int_equal(o->n_not_recorded, 2);
    assert_string_equal(o->not_recorded[0], "managers_and_staff");
    assert_string_equal(o->not_recorded[1], "business_volume");
    assert_int_equal(o->n_items, 2);
    const Lumbung__OdsRow *r = o->items[0];
    assert_int_equal(r->cooperative_id, KSP);
    assert_string_equal(r->name, "KSP Maju Bersama");
    assert_string_equal(r->legal_number, "518/BH/XII/2019");
    assert_int_equal(r->legal_date, unit_day("2019-12-02"));
    assert_string_equal(r->national_number, "3204010020001");
    assert_string_equal(r->district, "Cimahi Utara");
    assert_true(r->active);
    assert_int_equal(r->from, unit_day("2024-07-01"));
    assert_int_equal(r->to, unit_day("2025-06-30"));
    assert_true(r->rat_held);
    assert_int_equal(r->rat_held_on, unit_day("2025-09-20"));
    assert_int_equal(r->members_female, 2);
    assert_int_equal(r->members_male, 1);
    r = o->items[1];
    assert_int_equal(r->cooperative_id, KOPERASI_BARU);
    assert_int_equal(r->from, unit_day("2024-01-01"));
    assert_int_equal(r->to, unit_day("2024-12-31"));
    assert_false(r->rat_held);
    assert_false(r->has_rat_held_on);
    assert_int_equal(r->members_female + r->members_male, 0);
    assert_true(r->has_total_assets_sen);
    assert_int_equal(r->total_assets_sen, 0);           /* no books: zeros */
    assert_int_equal(r->own_capital_sen, 0);
    assert_int_equal(r->surplus_sen, 0);
    /* The next year: no RAT recorded for it yet. */
    assert_false(ods(f, 2025)->items[0]->rat_held);
}

static void capital_and_assets_at_the_years_end_surplus_of_the_year(void **state) {
    reporting_fixture_t *f = *state;
    cooperatives(f);
    books(f);
    const Lumbung__OdsRow *r = ods(f, 2024)->items[0];
    assert_int_equal(r->total_assets_sen, 141368496);     /* cash at 2025-06-30 */
    assert_int_equal(r->outside_capital_sen, 106618546);  /* voluntary savings */
    assert_int_equal(r->own_capital_sen, 34749950);       /* 300,000 + 60,000 - 12,500.50 */
    assert_int_equal(r->own_capital_sen + r->outside_capital_sen, r->total_assets_sen);
    assert_int_equal(r->surplus_sen, 3749950);            /* 50,000 - 12,500.50 */
    r = ods(f, 2025)->items[0];                           /* 2025-07-01..2026-06-30 */
    assert_int_equal(r->surplus_sen, 9999900);
    assert_int_equal(r->total_assets_sen, 151368396);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(one_row_per_cooperative_with_its_identity_and_year,
                                        reporting_fixture_setup, reporting_fixture_teardown),
        cmocka_unit_test_setup_teardown(capital_and_assets_at_the_years_end_surplus_of_the_year,
                                        reporting_fixture_setup, reporting_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
