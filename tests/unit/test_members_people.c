/* people (members): what an operator relies on for a cooperative's members (docs/domain.md,
   "Identity numbers") — a member joins with a valid 16-digit NIK and is numbered 1, 2, ... in
   the cooperative; a NIK whose birth date or sex differs from the record is a warning, not a
   rejection; one NIK is an active member of a cooperative only once at a time (CONFLICT
   duplicate_nik naming the holder) but may join another or rejoin after exiting; an exit
   needs a reason and a date not before joining, and happens once; a member of another
   cooperative is not found. Against the real members service on a fresh store, over the bus. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"
#include "members_fixture.h"

#define EK(x) LUMBUNG__ERROR_KIND__ERROR_KIND_##x
#define OP(x) LUMBUNG__MEMBERS_REQUEST__OP_##x
#define FEMALE LUMBUNG__SEX__SEX_FEMALE
#define MALE LUMBUNG__SEX__SEX_MALE

/* Siti, born 1990-08-05 (day 05 + 40: a woman), Sleman (34 04 01), serial 0001. */
#define SITI_NIK "3404014508900001"
/* Budi, born 1985-03-12, a man, serial 0002. */
#define BUDI_NIK "3404011203850002"

static uint64_t new_coop(mf_t *f, const char *name) {
    Lumbung__CreateCooperative c = LUMBUNG__CREATE_COOPERATIVE__INIT;
    c.name = (char *) name;
    c.has_type = 1;
    c.type = LUMBUNG__COOPERATIVE_TYPE__COOPERATIVE_TYPE_SAVINGS_LOAN;
    Lumbung__MembersRequest mr = LUMBUNG__MEMBERS_REQUEST__INIT;
    mr.op_case = OP(CREATE_COOPERATIVE);
    mr.create_cooperative = &c;
    return mf_ok(mf_call(f, &mr))->cooperative->id;
}

static Lumbung__CreateMember person(uint64_t coop, const char *nik, const char *name,
                                    Lumbung__Sex sex, const char *born) {
    Lumbung__CreateMember m = LUMBUNG__CREATE_MEMBER__INIT;
    m.has_cooperative_id = m.has_sex = m.has_birth_date = m.has_joined_on = 1;
    m.cooperative_id = coop;
    m.nik = (char *) nik;
    m.name = (char *) name;
    m.sex = sex;
    m.birth_date = unit_day(born);
    m.joined_on = unit_day("2024-01-15");
    return m;
}

static Lumbung__Reply *join(mf_t *f, Lumbung__CreateMember *m) {
    Lumbung__MembersRequest mr = LUMBUNG__MEMBERS_REQUEST__INIT;
    mr.op_case = OP(CREATE_MEMBER);
    mr.create_member = m;
    return mf_call_as(f, &mr, LUMBUNG__ROLE__ROLE_OPERATOR, m->cooperative_id);
}

static Lumbung__Member *join_ok(mf_t *f, uint64_t coop, const char *nik, const char *name,
                                Lumbung__Sex sex, const char *born) {
    Lumbung__CreateMember m = person(coop, nik, name, sex, born);
    return mf_ok(join(f, &m))->member;
}

static Lumbung__Reply *exit_member(mf_t *f, uint64_t coop, uint64_t id, int reason,
                                   const char *on) {
    Lumbung__ExitMember e = LUMBUNG__EXIT_MEMBER__INIT;
    e.has_cooperative_id = e.has_id = 1;
    e.cooperative_id = coop;
    e.id = id;
    e.has_reason = reason != 0;
    e.reason = reason;
    e.has_exit_on = on != NULL;
    if (on) e.exit_on = unit_day(on);
    Lumbung__MembersRequest mr = LUMBUNG__MEMBERS_REQUEST__INIT;
    mr.op_case = OP(EXIT_MEMBER);
    mr.exit_member = &e;
    return mf_call(f, &mr);
}

static Lumbung__Reply *get_member(mf_t *f, uint64_t coop, uint64_t id) {
    Lumbung__GetMember g = LUMBUNG__GET_MEMBER__INIT;
    g.has_cooperative_id = g.has_id = 1;
    g.cooperative_id = coop;
    g.id = id;
    Lumbung__MembersRequest mr = LUMBUNG__MEMBERS_REQUEST__INIT;
    mr.op_case = OP(GET_MEMBER);
    mr.get_member = &g;
    return mf_call(f, &mr);
}

/* ------------------------------------------------------------------ tests */

static void members_join_numbered_in_their_cooperative(void **state) {
    mf_t *f = *state;
    uint64_t a = new_coop(f, "KSP Maju"), b = new_coop(f, "KSP Sejahtera");
    Lumbung__Member *siti = join_ok(f, a, SITI_NIK, "  Siti Aminah ", FEMALE, "1990-08-05");
    assert_int_equal(siti->id, 1);
    assert_int_equal(siti->member_number, 1);
    assert_string_equal(siti->name, "Siti Aminah");
    assert_int_equal(siti->status, LUMBUNG__MEMBER_STATUS__MEMBER_STATUS_ACTIVE);
    assert_int_equal(siti->version, 1);
    assert_int_equal(siti->n_warnings, 0);
    Lumbung__Member *budi = join_ok(f, a, BUDI_NIK, "Budi Santoso", MALE, "1985-03-12");
    assert_int_equal(budi->id, 2);
    assert_int_equal(budi->member_number, 2);
    Lumbung__Member *other = join_ok(f, b, BUDI_NIK, "Budi Santoso", MALE, "1985-03-12");
    assert_int_equal(other->id, 3);
    assert_int_equal(other->member_number, 1);       /* numbers count per cooperative */
    Lumbung__Member *back = mf_ok(get_member(f, a, 1))->member;
    assert_string_equal(back->nik, SITI_NIK);
    assert_int_equal(back->birth_date, unit_day("1990-08-05"));
    assert_int_equal(back->joined_on, unit_day("2024-01-15"));
}

static void a_nik_not_matching_the_record_is_a_warning(void **state) {
    mf_t *f = *state;
    uint64_t a = new_coop(f, "KSP Maju");
    Lumbung__Member *m = join_ok(f, a, SITI_NIK, "Siti Aminah", MALE, "1990-08-06");
    assert_int_equal(m->id, 1);                      /* accepted */
    assert_int_equal(m->n_warnings, 2);
    assert_string_equal(m->warnings[0]->code, "nik_birth_date_mismatch");
    assert_string_equal(m->warnings[0]->field, "birth_date");
    assert_string_equal(m->warnings[0]->message,
                        "the birth date in the NIK differs from the recorded one; accepted, "
                        "please check the NIK and the birth_date");
    assert_string_equal(m->warnings[1]->code, "nik_sex_mismatch");
    assert_string_equal(m->warnings[1]->field, "sex");
}

static void an_invalid_nik_or_missing_field_is_refused(void **state) {
    mf_t *f = *state;
    uint64_t a = new_coop(f, "KSP Maju");
    static const char *const bad[] = {
        "340401450890001",      /* 15 digits */
        "34040145089000011",    /* 17 */
        "3404014513900001",     /* month 13 */
        "3404017208900001",     /* day 72 */
        "3404013102900001",     /* 31 February */
        "3404014508900000",     /* serial 0000 */
        "3404O14508900001",     /* a letter O */
        "3.40401E+15",          /* a spreadsheet's number */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        Lumbung__CreateMember m = person(a, bad[i], "Siti", FEMALE, "1990-08-05");
        mf_expect_error(join(f, &m), EK(INVALID), "invalid_nik", "nik");
    }
    Lumbung__CreateMember m = person(a, "3.40401E+15", "Siti", FEMALE, "1990-08-05");
    Lumbung__Reply *r = join(f, &m);
    assert_non_null(strstr(r->error->message, "(format the column as text in the spreadsheet)"));
    m = person(a, NULL, "Siti", FEMALE, "1990-08-05");
    mf_expect_error(join(f, &m), EK(INVALID), "required", "nik");
    m = person(a, SITI_NIK, "Siti", FEMALE, "1990-08-05");
    m.has_sex = 0;
    mf_expect_error(join(f, &m), EK(INVALID), "required", "sex");
    m = person(a, SITI_NIK, "Siti", FEMALE, "1990-08-05");
    m.joined_on = unit_day("1989-01-01");
    mf_expect_error(join(f, &m), EK(INVALID), "before_birth", "joined_on");
    m = person(a, SITI_NIK, "Siti", FEMALE, "1990-08-05");
    m.cooperative_id = 99;
    mf_expect_error(join(f, &m), EK(NOT_FOUND), "not_found", "cooperative_id");
    mf_expect_error(get_member(f, a, 1), EK(NOT_FOUND), "not_found", "id");   /* none joined */
}

static void one_nik_is_an_active_member_once_at_a_time(void **state) {
    mf_t *f = *state;
    uint64_t a = new_coop(f, "KSP Maju");
    join_ok(f, a, SITI_NIK, "Siti Aminah", FEMALE, "1990-08-05");
    Lumbung__CreateMember again = person(a, SITI_NIK, "Siti A.", FEMALE, "1990-08-05");
    Lumbung__Reply *r = join(f, &again);
    mf_expect_error(r, EK(CONFLICT), "duplicate_nik", "nik");
    assert_string_equal(r->error->message, "NIK " SITI_NIK " already belongs to an active member "
                                           "of this cooperative (member id 1)");
    mf_ok(exit_member(f, a, 1, LUMBUNG__EXIT_REASON__EXIT_REASON_RESIGNED, "2025-06-30"));
    Lumbung__Member *rejoined = mf_ok(join(f, &again))->member;
    assert_int_equal(rejoined->id, 2);
    assert_int_equal(rejoined->member_number, 2);
}

static void an_exit_needs_a_reason_and_a_date_after_joining_and_happens_once(void **state) {
    mf_t *f = *state;
    uint64_t a = new_coop(f, "KSP Maju");
    join_ok(f, a, BUDI_NIK, "Budi Santoso", MALE, "1985-03-12");
    mf_expect_error(exit_member(f, a, 1, 0, "2025-06-30"), EK(INVALID), "required", "reason");
    mf_expect_error(exit_member(f, a, 1, 9, "2025-06-30"), EK(INVALID), "invalid_reason",
                    "reason");
    mf_expect_error(exit_member(f, a, 1, LUMBUNG__EXIT_REASON__EXIT_REASON_RESIGNED, "2024-01-14"),
                    EK(INVALID), "before_joining", "exit_on");
    mf_expect_error(exit_member(f, a, 1, LUMBUNG__EXIT_REASON__EXIT_REASON_RESIGNED, "2099-01-01"),
                    EK(INVALID), "in_future", "exit_on");
    Lumbung__Reply *r = exit_member(f, a, 1, LUMBUNG__EXIT_REASON__EXIT_REASON_DECEASED,
                                    "2025-06-30");
    Lumbung__Member *m = mf_ok(r)->member;
    assert_int_equal(m->status, LUMBUNG__MEMBER_STATUS__MEMBER_STATUS_EXITED);
    assert_int_equal(m->exit_reason, LUMBUNG__EXIT_REASON__EXIT_REASON_DECEASED);
    assert_int_equal(m->exit_on, unit_day("2025-06-30"));
    assert_true(r->has_event_seq);
    mf_expect_error(exit_member(f, a, 1, LUMBUNG__EXIT_REASON__EXIT_REASON_RESIGNED, "2025-07-01"),
                    EK(RULE), "member_not_active", "id");
}

static void a_member_of_another_cooperative_is_not_found(void **state) {
    mf_t *f = *state;
    uint64_t a = new_coop(f, "KSP Maju"), b = new_coop(f, "KSP Sejahtera");
    join_ok(f, a, SITI_NIK, "Siti Aminah", FEMALE, "1990-08-05");
    mf_expect_error(get_member(f, b, 1), EK(NOT_FOUND), "not_found", "id");
    mf_expect_error(exit_member(f, b, 1, LUMBUNG__EXIT_REASON__EXIT_REASON_RESIGNED, "2025-06-30"),
                    EK(NOT_FOUND), "not_found", "id");
    /* and an operator of b cannot read a's members */
    Lumbung__GetMember g = LUMBUNG__GET_MEMBER__INIT;
    g.has_cooperative_id = g.has_id = 1;
    g.cooperative_id = a;
    g.id = 1;
    Lumbung__MembersRequest mr = LUMBUNG__MEMBERS_REQUEST__INIT;
    mr.op_case = OP(GET_MEMBER);
    mr.get_member = &g;
    mf_expect_error(mf_call_as(f, &mr, LUMBUNG__ROLE__ROLE_OPERATOR, b), EK(FORBIDDEN),
                    "forbidden", "cooperative_id");
}

static void lists_search_by_nik_prefix_or_name_prefix(void **state) {
    mf_t *f = *state;
    uint64_t a = new_coop(f, "KSP Maju");
    join_ok(f, a, SITI_NIK, "Siti Aminah", FEMALE, "1990-08-05");
    join_ok(f, a, BUDI_NIK, "Budi Santoso", MALE, "1985-03-12");
    join_ok(f, a, "3404015001950003", "Sri Wahyuni", FEMALE, "1995-01-10");
    Lumbung__ListMembers l = LUMBUNG__LIST_MEMBERS__INIT;
    l.has_cooperative_id = 1;
    l.cooperative_id = a;
    Lumbung__MembersRequest mr = LUMBUNG__MEMBERS_REQUEST__INIT;
    mr.op_case = OP(LIST_MEMBERS);
    mr.list_members = &l;
    assert_int_equal(mf_ok(mf_call(f, &mr))->members->n_items, 3);
    l.q = "s";
    assert_int_equal(mf_ok(mf_call(f, &mr))->members->n_items, 2);   /* Siti, Sri */
    l.q = "3404011203";
    Lumbung__MemberList *list = mf_ok(mf_call(f, &mr))->members;
    assert_int_equal(list->n_items, 1);
    assert_string_equal(list->items[0]->name, "Budi Santoso");
    l.q = "budi s";
    assert_int_equal(mf_ok(mf_call(f, &mr))->members->n_items, 1);
    l.q = "santoso";                                                 /* prefix, not contains */
    assert_int_equal(mf_ok(mf_call(f, &mr))->members->n_items, 0);
}

int main(void) {
#define T(name) cmocka_unit_test_setup_teardown(name, mf_setup, mf_teardown)
    const struct CMUnitTest tests[] = {
        T(members_join_numbered_in_their_cooperative),
        T(a_nik_not_matching_the_record_is_a_warning),
        T(an_invalid_nik_or_missing_field_is_refused),
        T(one_nik_is_an_active_member_once_at_a_time),
        T(an_exit_needs_a_reason_and_a_date_after_joining_and_happens_once),
        T(a_member_of_another_cooperative_is_not_found),
        T(lists_search_by_nik_prefix_or_name_prefix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
