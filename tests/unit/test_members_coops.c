/* coops (members): what the district office and an operator rely on for cooperatives — an
   admin registers one (trimmed, numbered from 1, version 1, active, the default SHU allocation
   40/20/20/5/5/5/5), a missing name or type is refused naming the field; registry data is the
   district's (an operator changing the name is FORBIDDEN registry_field) and what a RAT decides
   (principal, mandatory) changes only with a recorded annual meeting, which then applies when
   it is the latest fiscal year; one meeting per fiscal year. Against the real members service
   on a fresh store, over the bus. */
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
#define OPERATOR LUMBUNG__ROLE__ROLE_OPERATOR
#define SAVINGS_LOAN LUMBUNG__COOPERATIVE_TYPE__COOPERATIVE_TYPE_SAVINGS_LOAN

static Lumbung__Reply *create(mf_t *f, const char *name, const char *district) {
    Lumbung__CreateCooperative c = LUMBUNG__CREATE_COOPERATIVE__INIT;
    c.name = (char *) name;
    c.has_type = name != NULL;
    c.type = SAVINGS_LOAN;
    c.district = (char *) district;
    Lumbung__MembersRequest mr = LUMBUNG__MEMBERS_REQUEST__INIT;
    mr.op_case = OP(CREATE_COOPERATIVE);
    mr.create_cooperative = &c;
    return mf_call(f, &mr);
}

static uint64_t create_ok(mf_t *f, const char *name, const char *district) {
    return mf_ok(create(f, name, district))->cooperative->id;
}

static Lumbung__Reply *get(mf_t *f, uint64_t id) {
    Lumbung__GetCooperative g = LUMBUNG__GET_COOPERATIVE__INIT;
    g.has_cooperative_id = 1;
    g.cooperative_id = id;
    Lumbung__MembersRequest mr = LUMBUNG__MEMBERS_REQUEST__INIT;
    mr.op_case = OP(GET_COOPERATIVE);
    mr.get_cooperative = &g;
    return mf_call(f, &mr);
}

static Lumbung__Reply *update_as(mf_t *f, Lumbung__UpdateCooperative *u, Lumbung__Role role) {
    Lumbung__MembersRequest mr = LUMBUNG__MEMBERS_REQUEST__INIT;
    mr.op_case = OP(UPDATE_COOPERATIVE);
    mr.update_cooperative = u;
    return mf_call_as(f, &mr, role, role == OPERATOR ? u->cooperative_id : 0);
}

static Lumbung__Reply *meeting(mf_t *f, Lumbung__RecordAnnualMeeting *m) {
    Lumbung__MembersRequest mr = LUMBUNG__MEMBERS_REQUEST__INIT;
    mr.op_case = OP(RECORD_ANNUAL_MEETING);
    mr.record_annual_meeting = m;
    return mf_call(f, &mr);
}

static Lumbung__RecordAnnualMeeting meeting_of(uint64_t coop, const char *held_on, uint32_t year) {
    Lumbung__RecordAnnualMeeting m = LUMBUNG__RECORD_ANNUAL_MEETING__INIT;
    m.has_cooperative_id = m.has_held_on = m.has_fiscal_year = 1;
    m.cooperative_id = coop;
    m.held_on = unit_day(held_on);
    m.fiscal_year = year;
    m.has_quorum = m.has_accounts_approved = 1;
    m.quorum = m.accounts_approved = 1;
    return m;
}

/* ------------------------------------------------------------------ tests */

static void an_admin_registers_a_cooperative_with_the_defaults(void **state) {
    mf_t *f = *state;
    Lumbung__Reply *r = create(f, "  KSP Maju Bersama  ", "Sleman");
    Lumbung__Cooperative *c = mf_ok(r)->cooperative;
    assert_int_equal(c->id, 1);
    assert_string_equal(c->name, "KSP Maju Bersama");
    assert_int_equal(c->type, SAVINGS_LOAN);
    assert_true(c->active);
    assert_int_equal(c->version, 1);
    assert_true(r->has_event_seq);
    assert_int_equal(r->event_seq, 1);                   /* cooperative_created */
    const Lumbung__ShuAllocation *a = c->settings->shu_allocation;
    assert_non_null(a);
    assert_int_equal(a->reserves_bp, 4000);
    assert_int_equal(a->capital_share_bp, 2000);
    assert_int_equal(a->usage_share_bp, 2000);
    assert_int_equal(a->board_bp, 500);
    assert_int_equal(a->staff_bp, 500);
    assert_int_equal(a->education_bp, 500);
    assert_int_equal(a->social_bp, 500);
    assert_int_equal(c->settings->fiscal_year_start, 1);
    assert_int_equal(create_ok(f, "KSP Sejahtera", "Bantul"), 2);
    Lumbung__Cooperative *back = mf_ok(get(f, 1))->cooperative;
    assert_string_equal(back->name, "KSP Maju Bersama");
    assert_string_equal(back->district, "Sleman");
}

static void a_missing_name_or_type_is_refused_naming_the_field(void **state) {
    mf_t *f = *state;
    Lumbung__CreateCooperative c = LUMBUNG__CREATE_COOPERATIVE__INIT;
    c.name = "KSP Tanpa Jenis";
    Lumbung__MembersRequest mr = LUMBUNG__MEMBERS_REQUEST__INIT;
    mr.op_case = OP(CREATE_COOPERATIVE);
    mr.create_cooperative = &c;
    mf_expect_error(mf_call(f, &mr), EK(INVALID), "required", "type");
    c.name = "   ";
    c.has_type = 1;
    c.type = SAVINGS_LOAN;
    mf_expect_error(mf_call(f, &mr), EK(INVALID), "required", "name");
    c.name = "KSP Esok";
    c.has_founded_on = 1;
    c.founded_on = unit_day("2099-01-01");
    mf_expect_error(mf_call(f, &mr), EK(INVALID), "in_future", "founded_on");
    mf_expect_error(get(f, 1), EK(NOT_FOUND), "not_found", "cooperative_id");   /* none made */
}

static void only_an_admin_registers_cooperatives(void **state) {
    mf_t *f = *state;
    Lumbung__CreateCooperative c = LUMBUNG__CREATE_COOPERATIVE__INIT;
    c.name = "KSP Liar";
    c.has_type = 1;
    c.type = SAVINGS_LOAN;
    Lumbung__MembersRequest mr = LUMBUNG__MEMBERS_REQUEST__INIT;
    mr.op_case = OP(CREATE_COOPERATIVE);
    mr.create_cooperative = &c;
    mf_expect_error(mf_call_as(f, &mr, OPERATOR, 1), EK(FORBIDDEN), "forbidden", NULL);
}

static void an_operator_changes_contact_data_but_not_the_registry(void **state) {
    mf_t *f = *state;
    uint64_t id = create_ok(f, "KSP Maju", "Sleman");
    Lumbung__UpdateCooperative u = LUMBUNG__UPDATE_COOPERATIVE__INIT;
    u.has_cooperative_id = 1;
    u.cooperative_id = id;
    u.address = "Jl. Kaliurang km 5";
    Lumbung__Cooperative *c = mf_ok(update_as(f, &u, OPERATOR))->cooperative;
    assert_string_equal(c->address, "Jl. Kaliurang km 5");
    assert_int_equal(c->version, 2);
    u.address = NULL;
    u.name = "KSP Maju Jaya";
    mf_expect_error(update_as(f, &u, OPERATOR), EK(FORBIDDEN), "registry_field", "name");
    c = mf_ok(update_as(f, &u, LUMBUNG__ROLE__ROLE_ADMIN))->cooperative;
    assert_string_equal(c->name, "KSP Maju Jaya");
    assert_int_equal(c->version, 3);
    /* an operator of another cooperative reaches nothing */
    Lumbung__MembersRequest mr = LUMBUNG__MEMBERS_REQUEST__INIT;
    mr.op_case = OP(UPDATE_COOPERATIVE);
    mr.update_cooperative = &u;
    u.name = NULL;
    u.address = "x";
    mf_expect_error(mf_call_as(f, &mr, OPERATOR, id + 1), EK(FORBIDDEN), "forbidden",
                    "cooperative_id");
}

static void rat_settings_change_only_with_an_annual_meeting(void **state) {
    mf_t *f = *state;
    uint64_t id = create_ok(f, "KSP Maju", "Sleman");
    Lumbung__CooperativeSettings s = LUMBUNG__COOPERATIVE_SETTINGS__INIT;
    s.has_principal_amount_sen = 1;
    s.principal_amount_sen = 10000000;
    Lumbung__UpdateCooperative u = LUMBUNG__UPDATE_COOPERATIVE__INIT;
    u.has_cooperative_id = 1;
    u.cooperative_id = id;
    u.settings = &s;
    mf_expect_error(update_as(f, &u, LUMBUNG__ROLE__ROLE_ADMIN), EK(RULE),
                    "decided_by_annual_meeting", "settings.principal_amount");

    Lumbung__RecordAnnualMeeting m = meeting_of(id, "2025-03-15", 2024);
    m.has_principal_amount_sen = m.has_mandatory_amount_sen = 1;
    m.principal_amount_sen = 10000000;                 /* Rp 100,000 */
    m.mandatory_amount_sen = 2500000;                  /* Rp 25,000 */
    Lumbung__AnnualMeeting *am = mf_ok(meeting(f, &m))->annual_meeting;
    assert_int_equal(am->id, 1);
    assert_int_equal(am->fiscal_year, 2024);
    Lumbung__Cooperative *c = mf_ok(get(f, id))->cooperative;
    assert_int_equal(c->settings->principal_amount_sen, 10000000);
    assert_int_equal(c->settings->mandatory_amount_sen, 2500000);
    assert_int_equal(c->version, 2);

    /* an older year's meeting is recorded but does not decide today's settings */
    Lumbung__RecordAnnualMeeting old = meeting_of(id, "2024-03-15", 2023);
    old.has_principal_amount_sen = 1;
    old.principal_amount_sen = 5000000;
    mf_ok(meeting(f, &old));
    c = mf_ok(get(f, id))->cooperative;
    assert_int_equal(c->settings->principal_amount_sen, 10000000);
}

static void one_meeting_per_fiscal_year_and_none_in_the_future(void **state) {
    mf_t *f = *state;
    uint64_t id = create_ok(f, "KSP Maju", "Sleman");
    Lumbung__RecordAnnualMeeting m = meeting_of(id, "2025-03-15", 2024);
    mf_ok(meeting(f, &m));
    m.held_on = unit_day("2025-04-01");
    Lumbung__Reply *r = meeting(f, &m);
    mf_expect_error(r, EK(CONFLICT), "duplicate_annual_meeting", "fiscal_year");
    assert_string_equal(r->error->message,
                        "the annual meeting for fiscal year 2024 is already recorded (id 1)");
    Lumbung__RecordAnnualMeeting future = meeting_of(id, "2099-03-15", 2098);
    mf_expect_error(meeting(f, &future), EK(INVALID), "in_future", "held_on");
    Lumbung__RecordAnnualMeeting no_year = meeting_of(id, "2025-03-15", 0);
    no_year.has_fiscal_year = 0;
    mf_expect_error(meeting(f, &no_year), EK(INVALID), "required", "fiscal_year");
    Lumbung__RecordAnnualMeeting shu = meeting_of(id, "2024-03-15", 2023);
    Lumbung__ShuAllocation a = LUMBUNG__SHU_ALLOCATION__INIT;   /* complete, 100 %, */
    a.has_reserves_bp = a.has_capital_share_bp = a.has_usage_share_bp = a.has_board_bp = 1;
    a.has_staff_bp = a.has_education_bp = a.has_social_bp = 1;
    a.reserves_bp = 4000;
    a.capital_share_bp = a.usage_share_bp = 2000;
    a.board_bp = a.staff_bp = a.education_bp = a.social_bp = 500;
    shu.shu_allocation = &a;                                    /* but not approved */
    mf_expect_error(meeting(f, &shu), EK(RULE), "shu_not_approved", "shu_approved");
}

static void lists_filter_and_an_operator_sees_only_their_own(void **state) {
    mf_t *f = *state;
    create_ok(f, "KSP Maju", "Sleman");
    create_ok(f, "KSP Sejahtera", "Bantul");
    create_ok(f, "Kopwan Maju Mandiri", "sleman");
    Lumbung__ListCooperatives l = LUMBUNG__LIST_COOPERATIVES__INIT;
    Lumbung__MembersRequest mr = LUMBUNG__MEMBERS_REQUEST__INIT;
    mr.op_case = OP(LIST_COOPERATIVES);
    mr.list_cooperatives = &l;
    assert_int_equal(mf_ok(mf_call(f, &mr))->cooperatives->n_items, 3);
    l.district = "SLEMAN";
    Lumbung__CooperativeList *list = mf_ok(mf_call(f, &mr))->cooperatives;
    assert_int_equal(list->n_items, 2);
    assert_int_equal(list->items[0]->id, 1);
    assert_int_equal(list->items[1]->id, 3);
    l.district = NULL;
    l.q = "maju";
    assert_int_equal(mf_ok(mf_call(f, &mr))->cooperatives->n_items, 2);
    l.q = NULL;
    list = mf_ok(mf_call_as(f, &mr, OPERATOR, 2))->cooperatives;
    assert_int_equal(list->n_items, 1);
    assert_int_equal(list->items[0]->id, 2);
    l.has_limit = 1;
    l.limit = 2;
    list = mf_ok(mf_call(f, &mr))->cooperatives;
    assert_int_equal(list->n_items, 2);
    assert_non_null(list->next_cursor);
    l.cursor = list->next_cursor;
    list = mf_ok(mf_call(f, &mr))->cooperatives;
    assert_int_equal(list->n_items, 1);
    assert_int_equal(list->items[0]->id, 3);
    assert_null(list->next_cursor);
}

static void a_board_needs_its_chair(void **state) {
    mf_t *f = *state;
    uint64_t id = create_ok(f, "KSP Maju", "Sleman");
    Lumbung__PutBoard b = LUMBUNG__PUT_BOARD__INIT;
    b.has_cooperative_id = 1;
    b.cooperative_id = id;
    b.secretary = "Siti Aminah";
    Lumbung__MembersRequest mr = LUMBUNG__MEMBERS_REQUEST__INIT;
    mr.op_case = OP(PUT_BOARD);
    mr.put_board = &b;
    mf_expect_error(mf_call(f, &mr), EK(INVALID), "required", "chair");
    b.chair = "Budi Santoso";
    char *sup[] = { "Agus", "Rina" };
    b.n_supervisors = 2;
    b.supervisors = sup;
    Lumbung__Board *board = mf_ok(mf_call(f, &mr))->board;
    assert_string_equal(board->chair, "Budi Santoso");
    assert_string_equal(board->secretary, "Siti Aminah");
    assert_int_equal(board->n_supervisors, 2);
    assert_string_equal(board->supervisors[1], "Rina");
}

int main(void) {
#define T(name) cmocka_unit_test_setup_teardown(name, mf_setup, mf_teardown)
    const struct CMUnitTest tests[] = {
        T(an_admin_registers_a_cooperative_with_the_defaults),
        T(a_missing_name_or_type_is_refused_naming_the_field),
        T(only_an_admin_registers_cooperatives),
        T(an_operator_changes_contact_data_but_not_the_registry),
        T(rat_settings_change_only_with_an_annual_meeting),
        T(one_meeting_per_fiscal_year_and_none_in_the_future),
        T(lists_filter_and_an_operator_sees_only_their_own),
        T(a_board_needs_its_chair),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
