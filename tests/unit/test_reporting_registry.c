/* registry (reporting): the cooperatives and members every report heads and counts with, as a
   user relies on them — each cooperative and member as the last event said (whole records:
   created, updated, board; joined, updated, exited), ERR_NOT_FOUND for one never seen; the
   members of one cooperative (any status) by member number; and per cooperative the active
   members in all, female and male, which follow a member who joins, exits, changes sex or
   moves to another cooperative, and do not count a repeated event twice. Records without an
   id (or a member without a cooperative) and other events are ignored. Against a real store,
   fed as the members stream would. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"
#include "../../services/reporting/reporting.h"
#include "reporting_fixture.h"

#define MB(x) LUMBUNG__MEMBERS_EVENT__BODY_##x
#define SEX(x) LUMBUNG__SEX__SEX_##x
#define STATUS(x) LUMBUNG__MEMBER_STATUS__MEMBER_STATUS_##x

enum { COOP = 7, OTHER_COOP = 8 };

static int coop_event(reporting_fixture_t *f, Lumbung__MembersEvent__BodyCase body, uint64_t id,
                      const char *name, const char *district) {
    Lumbung__Cooperative c = LUMBUNG__COOPERATIVE__INIT;
    c.has_id = 1;
    c.id = id;
    c.name = (char *) name;
    c.district = (char *) district;
    Lumbung__MembersEvent ev = LUMBUNG__MEMBERS_EVENT__INIT;
    ev.body_case = body;
    ev.cooperative_created = ev.cooperative_updated = ev.board_updated = &c;
    return reporting_registry_apply(&f->app, f->txn, &ev);
}

static int member_event(reporting_fixture_t *f, Lumbung__MembersEvent__BodyCase body,
                        uint64_t coop, uint64_t id, uint64_t number, const char *name,
                        Lumbung__Sex sex, Lumbung__MemberStatus status) {
    Lumbung__Member m = LUMBUNG__MEMBER__INIT;
    m.has_id = m.has_cooperative_id = m.has_member_number = m.has_sex = m.has_status = 1;
    m.id = id;
    m.cooperative_id = coop;
    m.member_number = number;
    m.name = (char *) name;
    m.sex = sex;
    m.status = status;
    Lumbung__MembersEvent ev = LUMBUNG__MEMBERS_EVENT__INIT;
    ev.body_case = body;
    ev.member_joined = ev.member_updated = ev.member_exited = &m;
    return reporting_registry_apply(&f->app, f->txn, &ev);
}

static int join(reporting_fixture_t *f, uint64_t coop, uint64_t id, uint64_t number,
                const char *name, Lumbung__Sex sex) {
    return member_event(f, MB(MEMBER_JOINED), coop, id, number, name, sex, STATUS(ACTIVE));
}

static void expect_counts(reporting_fixture_t *f, uint64_t coop, uint32_t active,
                          uint32_t female, uint32_t male) {
    reporting_counts_t c = { 99, 99, 99 };
    assert_int_equal(reporting_registry_counts(&f->app, f->txn, coop, &c), 0);
    assert_int_equal(c.active, active);
    assert_int_equal(c.female, female);
    assert_int_equal(c.male, male);
}

/* Cooperative 7 with members 21 (no. 3, Siti, F), 22 (no. 1, Budi, M), 23 (no. 2, Ayu, F);
   cooperative 8 with member 24 (no. 1, Joko, M). */
static void books(reporting_fixture_t *f) {
    assert_int_equal(coop_event(f, MB(COOPERATIVE_CREATED), COOP, "KSP Maju", "Sleman"), 0);
    assert_int_equal(coop_event(f, MB(COOPERATIVE_CREATED), OTHER_COOP, "KSP Tani", "Bantul"),
                     0);
    assert_int_equal(join(f, COOP, 21, 3, "Siti", SEX(FEMALE)), 0);
    assert_int_equal(join(f, COOP, 22, 1, "Budi", SEX(MALE)), 0);
    assert_int_equal(join(f, COOP, 23, 2, "Ayu", SEX(FEMALE)), 0);
    assert_int_equal(join(f, OTHER_COOP, 24, 1, "Joko", SEX(MALE)), 0);
}

static void a_cooperative_as_the_last_event_said(void **state) {
    reporting_fixture_t *f = *state;
    books(f);
    Lumbung__Cooperative *c = NULL;
    assert_int_equal(reporting_registry_coop(&f->app, f->txn, f->arena, COOP, &c), 0);
    assert_int_equal(c->id, COOP);
    assert_string_equal(c->name, "KSP Maju");
    assert_string_equal(c->district, "Sleman");
    assert_int_equal(coop_event(f, MB(COOPERATIVE_UPDATED), COOP, "KSP Maju Jaya", NULL), 0);
    assert_int_equal(reporting_registry_coop(&f->app, f->txn, f->arena, COOP, &c), 0);
    assert_string_equal(c->name, "KSP Maju Jaya");
    assert_null(c->district);                           /* a whole record, not a merge */
    assert_int_equal(coop_event(f, MB(BOARD_UPDATED), COOP, "KSP Maju Jaya", "Kulon Progo"), 0);
    assert_int_equal(reporting_registry_coop(&f->app, f->txn, f->arena, COOP, &c), 0);
    assert_string_equal(c->district, "Kulon Progo");
    assert_int_equal(reporting_registry_coop(&f->app, f->txn, f->arena, OTHER_COOP, &c), 0);
    assert_string_equal(c->name, "KSP Tani");
    assert_int_equal(reporting_registry_coop(&f->app, f->txn, f->arena, 9, &c), ERR_NOT_FOUND);
    /* Found: the call is not used (only failing a call touches it). */
    char untouched;
    assert_int_equal(reporting_registry_coop_of(&f->app, (service_call_t *) &untouched, f->txn,
                                                f->arena, OTHER_COOP, &c), 0);
    assert_string_equal(c->name, "KSP Tani");
}

static void a_member_as_the_last_event_said(void **state) {
    reporting_fixture_t *f = *state;
    books(f);
    assert_int_equal(member_event(f, MB(MEMBER_UPDATED), COOP, 21, 3, "Siti Aminah", SEX(FEMALE),
                                  STATUS(ACTIVE)), 0);
    Lumbung__Member *m = NULL;
    assert_int_equal(reporting_registry_member(&f->app, f->txn, f->arena, 21, &m), 0);
    assert_int_equal(m->id, 21);
    assert_int_equal(m->cooperative_id, COOP);
    assert_int_equal(m->member_number, 3);
    assert_string_equal(m->name, "Siti Aminah");
    assert_int_equal(member_event(f, MB(MEMBER_EXITED), COOP, 21, 3, "Siti Aminah", SEX(FEMALE),
                                  STATUS(EXITED)), 0);
    assert_int_equal(reporting_registry_member(&f->app, f->txn, f->arena, 21, &m), 0);
    assert_int_equal(m->status, STATUS(EXITED));
    assert_int_equal(reporting_registry_member(&f->app, f->txn, f->arena, 25, &m), ERR_NOT_FOUND);
}

static void the_members_of_one_cooperative_by_member_number(void **state) {
    reporting_fixture_t *f = *state;
    books(f);
    assert_int_equal(member_event(f, MB(MEMBER_EXITED), COOP, 23, 2, "Ayu", SEX(FEMALE),
                                  STATUS(EXITED)), 0);
    Lumbung__MemberRegister *r = arena_message(f->arena, &lumbung__member_register__descriptor);
    assert_int_equal(reporting_registry_members_of(&f->app, f->txn, f->arena, COOP, r), 0);
    assert_int_equal(r->n_items, 3);                    /* the exited one too */
    const uint64_t ids[] = { 22, 23, 21 };
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(r->items[i]->id, ids[i]);
        assert_int_equal(r->items[i]->member_number, i + 1);
    }
    assert_string_equal(r->items[0]->name, "Budi");
    assert_int_equal(r->items[1]->status, STATUS(EXITED));
    r = arena_message(f->arena, &lumbung__member_register__descriptor);
    assert_int_equal(reporting_registry_members_of(&f->app, f->txn, f->arena, OTHER_COOP, r), 0);
    assert_int_equal(r->n_items, 1);
    assert_int_equal(r->items[0]->id, 24);
    r = arena_message(f->arena, &lumbung__member_register__descriptor);
    assert_int_equal(reporting_registry_members_of(&f->app, f->txn, f->arena, 9, r), 0);
    assert_int_equal(r->n_items, 0);
}

static void active_members_by_sex(void **state) {
    reporting_fixture_t *f = *state;
    expect_counts(f, COOP, 0, 0, 0);                     /* no member yet */
    books(f);
    expect_counts(f, COOP, 3, 2, 1);
    expect_counts(f, OTHER_COOP, 1, 0, 1);
    assert_int_equal(join(f, COOP, 25, 4, "Tanpa", SEX(UNSPECIFIED)), 0);
    expect_counts(f, COOP, 4, 2, 1);                     /* active, neither female nor male */
    assert_int_equal(member_event(f, MB(MEMBER_JOINED), COOP, 26, 5, "Calon", SEX(MALE),
                                  STATUS(UNSPECIFIED)), 0);
    expect_counts(f, COOP, 4, 2, 1);                     /* not active: not counted */
    expect_counts(f, 9, 0, 0, 0);
}

static void counts_follow_exits_changes_and_moves(void **state) {
    reporting_fixture_t *f = *state;
    books(f);
    assert_int_equal(member_event(f, MB(MEMBER_EXITED), COOP, 21, 3, "Siti", SEX(FEMALE),
                                  STATUS(EXITED)), 0);
    expect_counts(f, COOP, 2, 1, 1);
    assert_int_equal(member_event(f, MB(MEMBER_UPDATED), COOP, 23, 2, "Ayu", SEX(MALE),
                                  STATUS(ACTIVE)), 0);   /* a corrected sex */
    expect_counts(f, COOP, 2, 0, 2);
    assert_int_equal(member_event(f, MB(MEMBER_UPDATED), OTHER_COOP, 22, 2, "Budi", SEX(MALE),
                                  STATUS(ACTIVE)), 0);   /* moved to cooperative 8 */
    expect_counts(f, COOP, 1, 0, 1);
    expect_counts(f, OTHER_COOP, 2, 0, 2);
    assert_int_equal(member_event(f, MB(MEMBER_UPDATED), COOP, 21, 3, "Siti", SEX(FEMALE),
                                  STATUS(ACTIVE)), 0);   /* back again */
    expect_counts(f, COOP, 2, 1, 1);
}

static void a_repeated_event_counts_once(void **state) {
    reporting_fixture_t *f = *state;
    books(f);
    assert_int_equal(join(f, COOP, 21, 3, "Siti", SEX(FEMALE)), 0);
    assert_int_equal(join(f, COOP, 21, 3, "Siti", SEX(FEMALE)), 0);
    expect_counts(f, COOP, 3, 2, 1);
    for (int i = 0; i < 2; i++)
        assert_int_equal(member_event(f, MB(MEMBER_EXITED), COOP, 22, 1, "Budi", SEX(MALE),
                                      STATUS(EXITED)), 0);
    expect_counts(f, COOP, 2, 2, 0);
}

static void records_without_an_id_and_other_events_ignored(void **state) {
    reporting_fixture_t *f = *state;
    assert_int_equal(coop_event(f, MB(COOPERATIVE_CREATED), 0, "Nol", NULL), 0);
    Lumbung__MembersEvent ev = LUMBUNG__MEMBERS_EVENT__INIT;
    ev.body_case = MB(COOPERATIVE_CREATED);              /* the case without its message */
    assert_int_equal(reporting_registry_apply(&f->app, f->txn, &ev), 0);
    ev.body_case = MB(MEMBER_JOINED);
    assert_int_equal(reporting_registry_apply(&f->app, f->txn, &ev), 0);
    assert_int_equal(join(f, COOP, 0, 1, "Nol", SEX(FEMALE)), 0);
    Lumbung__Member m = LUMBUNG__MEMBER__INIT;
    m.has_id = m.has_status = 1;
    m.id = 30;
    m.status = STATUS(ACTIVE);                           /* no cooperative */
    ev.member_joined = &m;
    assert_int_equal(reporting_registry_apply(&f->app, f->txn, &ev), 0);
    Lumbung__AnnualMeeting meeting = LUMBUNG__ANNUAL_MEETING__INIT;
    ev.body_case = MB(ANNUAL_MEETING_RECORDED);
    ev.annual_meeting_recorded = &meeting;
    assert_int_equal(reporting_registry_apply(&f->app, f->txn, &ev), 0);
    Lumbung__Cooperative *c;
    assert_int_equal(reporting_registry_coop(&f->app, f->txn, f->arena, 0, &c), ERR_NOT_FOUND);
    Lumbung__Member *got;
    assert_int_equal(reporting_registry_member(&f->app, f->txn, f->arena, 0, &got),
                     ERR_NOT_FOUND);
    assert_int_equal(reporting_registry_member(&f->app, f->txn, f->arena, 30, &got),
                     ERR_NOT_FOUND);
    expect_counts(f, COOP, 0, 0, 0);
    expect_counts(f, 0, 0, 0, 0);
}

#define T(name) cmocka_unit_test_setup_teardown(name, reporting_fixture_setup, \
                                                reporting_fixture_teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        T(a_cooperative_as_the_last_event_said),
        T(a_member_as_the_last_event_said),
        T(the_members_of_one_cooperative_by_member_number),
        T(active_members_by_sex),
        T(counts_follow_exits_changes_and_moves),
        T(a_repeated_event_counts_once),
        T(records_without_an_id_and_other_events_ignored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
