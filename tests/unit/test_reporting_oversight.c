/* oversight (reporting): the district's view of each cooperative's duties — the annual meeting
   (RAT) recorded per fiscal year (the latest one and when it was held, whether the last fiscal
   year and the one before have one, a correction replacing the date), and the supervision
   recommendations past their due date and not done (due on the day itself is not yet overdue;
   an update closing one counts at once), one cooperative at a time. Against a real store, fed
   as the members stream would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"
#include "../../services/reporting/reporting.h"
#include "reporting_fixture.h"

#define EV(x) LUMBUNG__MEMBERS_EVENT__BODY_##x

enum { COOP = 7, OTHER_COOP = 8 };

static void rat(reporting_fixture_t *f, uint64_t coop, uint32_t year, const char *held_on) {
    Lumbung__AnnualMeeting m = LUMBUNG__ANNUAL_MEETING__INIT;
    m.has_cooperative_id = m.has_fiscal_year = 1;
    m.cooperative_id = coop;
    m.fiscal_year = year;
    m.has_held_on = held_on != NULL;
    m.held_on = held_on ? unit_day(held_on) : 0;
    Lumbung__MembersEvent ev = LUMBUNG__MEMBERS_EVENT__INIT;
    ev.body_case = EV(ANNUAL_MEETING_RECORDED);
    ev.annual_meeting_recorded = &m;
    assert_int_equal(reporting_oversight_apply(&f->app, f->txn, &ev), 0);
}

static reporting_rats_t rats(reporting_fixture_t *f, uint64_t coop, uint32_t last_year) {
    reporting_rats_t r;
    assert_int_equal(reporting_oversight_rats(&f->app, f->txn, coop, last_year, &r), 0);
    return r;
}

static void the_latest_rat_and_the_last_two_years(void **state) {
    reporting_fixture_t *f = *state;
    rat(f, COOP, 2023, "2024-03-16");
    rat(f, COOP, 2024, "2025-03-20");
    rat(f, OTHER_COOP, 2025, "2026-02-01");
    reporting_rats_t r = rats(f, COOP, 2024);
    assert_true(r.any);
    assert_int_equal(r.fiscal_year, 2024);
    assert_int_equal(r.held_on, unit_day("2025-03-20"));
    assert_true(r.held_last);
    assert_true(r.held_before_last);
    r = rats(f, COOP, 2025);              /* the 2025 meeting is due and not recorded */
    assert_false(r.held_last);
    assert_true(r.held_before_last);
    assert_int_equal(r.fiscal_year, 2024);
    r = rats(f, COOP, 2026);              /* two years without: dissolution review */
    assert_false(r.held_last);
    assert_false(r.held_before_last);
    r = rats(f, 9, 2024);
    assert_false(r.any);
    assert_false(r.held_last);
}

static void the_day_a_years_rat_was_held(void **state) {
    reporting_fixture_t *f = *state;
    rat(f, COOP, 2024, "2025-03-20");
    int32_t held = 0;
    assert_int_equal(reporting_oversight_rat_of(&f->app, f->txn, COOP, 2024, &held), 0);
    assert_int_equal(held, unit_day("2025-03-20"));
    assert_int_equal(reporting_oversight_rat_of(&f->app, f->txn, COOP, 2023, &held), ERR_NOT_FOUND);
    assert_int_equal(reporting_oversight_rat_of(&f->app, f->txn, OTHER_COOP, 2024, &held),
                     ERR_NOT_FOUND);
    rat(f, COOP, 2024, "2025-04-02");     /* corrected: the last event says */
    assert_int_equal(reporting_oversight_rat_of(&f->app, f->txn, COOP, 2024, &held), 0);
    assert_int_equal(held, unit_day("2025-04-02"));
    rat(f, COOP, 2022, NULL);             /* no date: nothing recorded */
    assert_int_equal(reporting_oversight_rat_of(&f->app, f->txn, COOP, 2022, &held), ERR_NOT_FOUND);
    assert_int_equal(rats(f, COOP, 2023).held_before_last, false);
}

static Lumbung__Recommendation *recommendation(reporting_fixture_t *f, uint32_t n, const char *due,
                                               const char *done) {
    Lumbung__Recommendation *r = arena_message(f->arena, &lumbung__recommendation__descriptor);
    r->has_number = 1;
    r->number = n;
    r->has_due_on = due != NULL;
    r->due_on = due ? unit_day(due) : 0;
    r->has_done_on = done != NULL;
    r->done_on = done ? unit_day(done) : 0;
    return r;
}

static void supervise(reporting_fixture_t *f, bool update, uint64_t coop, uint64_t id,
                      Lumbung__Recommendation **recs, size_t n) {
    Lumbung__Supervision s = LUMBUNG__SUPERVISION__INIT;
    s.has_id = s.has_cooperative_id = 1;
    s.id = id;
    s.cooperative_id = coop;
    s.n_recommendations = n;
    s.recommendations = recs;
    Lumbung__MembersEvent ev = LUMBUNG__MEMBERS_EVENT__INIT;
    ev.body_case = update ? EV(SUPERVISION_UPDATED) : EV(SUPERVISION_RECORDED);
    if (update) ev.supervision_updated = &s;
    else ev.supervision_recorded = &s;
    assert_int_equal(reporting_oversight_apply(&f->app, f->txn, &ev), 0);
}

static uint32_t overdue(reporting_fixture_t *f, uint64_t coop, const char *as_of) {
    uint32_t n = 99;
    assert_int_equal(reporting_oversight_overdue(&f->app, f->txn, f->arena, coop,
                                                 unit_day(as_of), &n), 0);
    return n;
}

static void recommendations_past_due_and_not_done(void **state) {
    reporting_fixture_t *f = *state;
    Lumbung__Recommendation *first[] = {
        recommendation(f, 1, "2025-06-30", NULL),           /* overdue */
        recommendation(f, 2, "2025-06-30", "2025-06-15"),   /* done in time */
        recommendation(f, 3, "2025-09-30", NULL),           /* due on as_of: not yet */
        recommendation(f, 4, NULL, NULL),                   /* no due date */
    };
    supervise(f, false, COOP, 1, first, 4);
    Lumbung__Recommendation *second[] = { recommendation(f, 1, "2025-01-31", NULL) };
    supervise(f, false, COOP, 2, second, 1);
    Lumbung__Recommendation *elsewhere[] = { recommendation(f, 1, "2025-01-31", NULL) };
    supervise(f, false, OTHER_COOP, 3, elsewhere, 1);
    assert_int_equal(overdue(f, COOP, "2025-09-30"), 2);
    assert_int_equal(overdue(f, COOP, "2025-10-01"), 3);
    assert_int_equal(overdue(f, COOP, "2025-01-31"), 0);
    assert_int_equal(overdue(f, OTHER_COOP, "2025-09-30"), 1);
    assert_int_equal(overdue(f, 9, "2025-09-30"), 0);
    /* The supervisor closes the first one: the record is replaced, not added. */
    first[0] = recommendation(f, 1, "2025-06-30", "2025-07-04");
    supervise(f, true, COOP, 1, first, 4);
    assert_int_equal(overdue(f, COOP, "2025-10-01"), 2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(the_latest_rat_and_the_last_two_years,
                                        reporting_fixture_setup, reporting_fixture_teardown),
        cmocka_unit_test_setup_teardown(the_day_a_years_rat_was_held, reporting_fixture_setup,
                                        reporting_fixture_teardown),
        cmocka_unit_test_setup_teardown(recommendations_past_due_and_not_done,
                                        reporting_fixture_setup, reporting_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
