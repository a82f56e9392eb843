/* events (members): what every follower (transactions, reporting) relies on in the members
   stream — each change is one event numbered from 1 without gaps, of the change's kind,
   carrying the whole record after the change (never a diff) and the actor who made it; a
   reply's warnings never reach the stream; a refused request emits nothing; a reply's
   event_seq is the last event it caused. Read back with a replay, as a follower reads it.
   Against the real members service on a fresh store, over the bus. */
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
#define MB(x) LUMBUNG__MEMBERS_EVENT__BODY_##x

enum { EVENTS_MAX = 16 };

typedef struct {
    Lumbung__Event *ev[EVENTS_MAX];
    size_t n;
    uint64_t head;
} stream_t;

static void stream_read(mf_t *f, stream_t *s) {
    Lumbung__ReplayReply *r = mf_replay(f, 1);
    assert_true(r->n_events <= EVENTS_MAX);
    s->n = r->n_events;
    s->head = r->head_seq;
    for (size_t i = 0; i < r->n_events; i++) {
        s->ev[i] = lumbung__event__unpack(NULL, r->events[i].len, r->events[i].data);
        assert_non_null(s->ev[i]);
        assert_int_equal(s->ev[i]->seq, i + 1);               /* from 1, no gaps */
        assert_int_equal(s->ev[i]->body_case, LUMBUNG__EVENT__BODY_MEMBERS);
    }
}

static void stream_free(stream_t *s) {
    for (size_t i = 0; i < s->n; i++) lumbung__event__free_unpacked(s->ev[i], NULL);
}

static Lumbung__Reply *create_coop(mf_t *f) {
    Lumbung__CreateCooperative c = LUMBUNG__CREATE_COOPERATIVE__INIT;
    c.name = "KSP Maju";
    c.district = "Sleman";
    c.has_type = 1;
    c.type = LUMBUNG__COOPERATIVE_TYPE__COOPERATIVE_TYPE_SAVINGS_LOAN;
    Lumbung__MembersRequest mr = LUMBUNG__MEMBERS_REQUEST__INIT;
    mr.op_case = OP(CREATE_COOPERATIVE);
    mr.create_cooperative = &c;
    return mf_call(f, &mr);
}

static void each_change_is_one_event_with_the_whole_record(void **state) {
    mf_t *f = *state;
    Lumbung__Reply *r = create_coop(f);
    assert_int_equal(r->event_seq, 1);
    Lumbung__UpdateCooperative u = LUMBUNG__UPDATE_COOPERATIVE__INIT;
    u.has_cooperative_id = 1;
    u.cooperative_id = 1;
    u.address = "Jl. Kaliurang km 5";
    Lumbung__MembersRequest mr = LUMBUNG__MEMBERS_REQUEST__INIT;
    mr.op_case = OP(UPDATE_COOPERATIVE);
    mr.update_cooperative = &u;
    assert_int_equal(mf_call(f, &mr)->event_seq, 2);
    Lumbung__PutBoard b = LUMBUNG__PUT_BOARD__INIT;
    b.has_cooperative_id = 1;
    b.cooperative_id = 1;
    b.chair = "Budi Santoso";
    mr.op_case = OP(PUT_BOARD);
    mr.put_board = &b;
    assert_int_equal(mf_call(f, &mr)->event_seq, 3);

    stream_t s;
    stream_read(f, &s);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.head, 3);
    Lumbung__MembersEvent *e = s.ev[0]->members;
    assert_int_equal(e->body_case, MB(COOPERATIVE_CREATED));
    assert_int_equal(e->cooperative_created->id, 1);
    assert_string_equal(e->cooperative_created->name, "KSP Maju");
    assert_int_equal(e->cooperative_created->settings->shu_allocation->reserves_bp, 4000);
    e = s.ev[1]->members;
    assert_int_equal(e->body_case, MB(COOPERATIVE_UPDATED));
    assert_string_equal(e->cooperative_updated->address, "Jl. Kaliurang km 5");
    assert_string_equal(e->cooperative_updated->name, "KSP Maju");      /* not a diff */
    assert_string_equal(e->cooperative_updated->district, "Sleman");
    assert_int_equal(e->cooperative_updated->version, 2);
    e = s.ev[2]->members;
    assert_int_equal(e->body_case, MB(BOARD_UPDATED));
    assert_string_equal(e->board_updated->board->chair, "Budi Santoso");
    assert_string_equal(e->board_updated->address, "Jl. Kaliurang km 5");
    for (size_t i = 0; i < 3; i++) {
        assert_non_null(s.ev[i]->actor);
        assert_string_equal(s.ev[i]->actor->user, "admin");
    }
    stream_free(&s);
}

static void a_replys_warnings_never_reach_the_stream(void **state) {
    mf_t *f = *state;
    create_coop(f);
    Lumbung__CreateMember m = LUMBUNG__CREATE_MEMBER__INIT;
    m.has_cooperative_id = m.has_sex = m.has_birth_date = m.has_joined_on = 1;
    m.cooperative_id = 1;
    m.nik = "3404014508900001";                  /* a woman born 1990-08-05 */
    m.name = "Siti Aminah";
    m.sex = LUMBUNG__SEX__SEX_MALE;
    m.birth_date = unit_day("1990-08-05");
    m.joined_on = unit_day("2024-01-15");
    Lumbung__MembersRequest mr = LUMBUNG__MEMBERS_REQUEST__INIT;
    mr.op_case = OP(CREATE_MEMBER);
    mr.create_member = &m;
    Lumbung__Reply *r = mf_call(f, &mr);
    assert_int_equal(mf_ok(r)->member->n_warnings, 1);
    assert_int_equal(r->event_seq, 2);
    Lumbung__ExitMember x = LUMBUNG__EXIT_MEMBER__INIT;
    x.has_cooperative_id = x.has_id = x.has_reason = x.has_exit_on = 1;
    x.cooperative_id = 1;
    x.id = 1;
    x.reason = LUMBUNG__EXIT_REASON__EXIT_REASON_RESIGNED;
    x.exit_on = unit_day("2025-06-30");
    mr.op_case = OP(EXIT_MEMBER);
    mr.exit_member = &x;
    assert_int_equal(mf_call(f, &mr)->event_seq, 3);

    stream_t s;
    stream_read(f, &s);
    assert_int_equal(s.n, 3);
    Lumbung__MembersEvent *e = s.ev[1]->members;
    assert_int_equal(e->body_case, MB(MEMBER_JOINED));
    assert_int_equal(e->member_joined->id, 1);
    assert_int_equal(e->member_joined->cooperative_id, 1);
    assert_string_equal(e->member_joined->nik, "3404014508900001");
    assert_int_equal(e->member_joined->n_warnings, 0);
    e = s.ev[2]->members;
    assert_int_equal(e->body_case, MB(MEMBER_EXITED));
    assert_int_equal(e->member_exited->status, LUMBUNG__MEMBER_STATUS__MEMBER_STATUS_EXITED);
    assert_int_equal(e->member_exited->exit_on, unit_day("2025-06-30"));
    assert_string_equal(e->member_exited->name, "Siti Aminah");
    stream_free(&s);
}

static void a_refused_request_emits_nothing(void **state) {
    mf_t *f = *state;
    create_coop(f);
    Lumbung__UpdateCooperative u = LUMBUNG__UPDATE_COOPERATIVE__INIT;
    u.has_cooperative_id = 1;
    u.cooperative_id = 1;
    u.name = "   ";
    Lumbung__MembersRequest mr = LUMBUNG__MEMBERS_REQUEST__INIT;
    mr.op_case = OP(UPDATE_COOPERATIVE);
    mr.update_cooperative = &u;
    Lumbung__Reply *r = mf_call(f, &mr);
    mf_expect_error(r, EK(INVALID), "required", "name");
    assert_false(r->has_event_seq);
    stream_t s;
    stream_read(f, &s);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.head, 1);
    stream_free(&s);
}

/* A meeting that decides settings: the meeting, then the cooperative with its new settings. */
static void a_deciding_meeting_emits_the_meeting_then_the_cooperative(void **state) {
    mf_t *f = *state;
    create_coop(f);
    Lumbung__RecordAnnualMeeting m = LUMBUNG__RECORD_ANNUAL_MEETING__INIT;
    m.has_cooperative_id = m.has_held_on = m.has_fiscal_year = 1;
    m.cooperative_id = 1;
    m.held_on = unit_day("2025-03-15");
    m.fiscal_year = 2024;
    m.has_mandatory_amount_sen = 1;
    m.mandatory_amount_sen = 2500000;
    Lumbung__MembersRequest mr = LUMBUNG__MEMBERS_REQUEST__INIT;
    mr.op_case = OP(RECORD_ANNUAL_MEETING);
    mr.record_annual_meeting = &m;
    assert_int_equal(mf_call(f, &mr)->event_seq, 3);
    stream_t s;
    stream_read(f, &s);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.ev[1]->members->body_case, MB(ANNUAL_MEETING_RECORDED));
    assert_int_equal(s.ev[1]->members->annual_meeting_recorded->fiscal_year, 2024);
    assert_int_equal(s.ev[2]->members->body_case, MB(COOPERATIVE_UPDATED));
    assert_int_equal(s.ev[2]->members->cooperative_updated->settings->mandatory_amount_sen,
                     2500000);
    stream_free(&s);
}

int main(void) {
#define T(name) cmocka_unit_test_setup_teardown(name, mf_setup, mf_teardown)
    const struct CMUnitTest tests[] = {
        T(each_change_is_one_event_with_the_whole_record),
        T(a_replys_warnings_never_reach_the_stream),
        T(a_refused_request_emits_nothing),
        T(a_deciding_meeting_emits_the_meeting_then_the_cooperative),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
