/* supervision (members): what the district's supervisors rely on — a visit is recorded with
   its recommendations numbered 1, 2, ... and counted open until done; the supervisor defaults
   to the acting user; a visit in the future or a recommendation done before the visit is
   refused naming the field; a follow-up closes or adds recommendations by number; only the
   district supervises (an operator is FORBIDDEN, but may read their own cooperative's visits);
   a training counts its days and its participants by their cooperatives' group and type.
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
#define SUPERVISOR LUMBUNG__ROLE__ROLE_SUPERVISOR
#define OPERATOR LUMBUNG__ROLE__ROLE_OPERATOR

static uint64_t new_coop(mf_t *f, const char *name, const char *group, int type) {
    Lumbung__CreateCooperative c = LUMBUNG__CREATE_COOPERATIVE__INIT;
    c.name = (char *) name;
    c.group = (char *) group;
    c.has_type = 1;
    c.type = type;
    Lumbung__MembersRequest mr = LUMBUNG__MEMBERS_REQUEST__INIT;
    mr.op_case = OP(CREATE_COOPERATIVE);
    mr.create_cooperative = &c;
    return mf_ok(mf_call(f, &mr))->cooperative->id;
}

static uint64_t ksp(mf_t *f) {
    return new_coop(f, "KSP Maju", "women",
                    LUMBUNG__COOPERATIVE_TYPE__COOPERATIVE_TYPE_SAVINGS_LOAN);
}

typedef struct {
    Lumbung__Recommendation r[3], *ptrs[3];
} recs_t;

static void recommend(recs_t *rs, size_t i, const char *text, const char *due, const char *done) {
    rs->r[i] = (Lumbung__Recommendation) LUMBUNG__RECOMMENDATION__INIT;
    rs->r[i].text = (char *) text;
    rs->r[i].has_due_on = due != NULL;
    if (due) rs->r[i].due_on = unit_day(due);
    rs->r[i].has_done_on = done != NULL;
    if (done) rs->r[i].done_on = unit_day(done);
    rs->ptrs[i] = &rs->r[i];
}

static Lumbung__Reply *record_visit(mf_t *f, uint64_t coop, const char *on, recs_t *rs, size_t n,
                                    Lumbung__Role role) {
    Lumbung__RecordSupervision s = LUMBUNG__RECORD_SUPERVISION__INIT;
    s.has_cooperative_id = s.has_visited_on = 1;
    s.cooperative_id = coop;
    s.visited_on = unit_day(on);
    s.findings = "Buku kas belum ditutup tiap bulan";
    s.n_recommendations = n;
    s.recommendations = rs ? rs->ptrs : NULL;
    Lumbung__MembersRequest mr = LUMBUNG__MEMBERS_REQUEST__INIT;
    mr.op_case = OP(RECORD_SUPERVISION);
    mr.record_supervision = &s;
    return mf_call_as(f, &mr, role, role == OPERATOR ? coop : 0);
}

static Lumbung__Reply *follow_up(mf_t *f, uint64_t coop, uint64_t id, recs_t *rs, size_t n) {
    Lumbung__UpdateSupervision u = LUMBUNG__UPDATE_SUPERVISION__INIT;
    u.has_cooperative_id = u.has_id = 1;
    u.cooperative_id = coop;
    u.id = id;
    u.n_recommendations = n;
    u.recommendations = rs->ptrs;
    Lumbung__MembersRequest mr = LUMBUNG__MEMBERS_REQUEST__INIT;
    mr.op_case = OP(UPDATE_SUPERVISION);
    mr.update_supervision = &u;
    return mf_call_as(f, &mr, SUPERVISOR, 0);
}

/* ------------------------------------------------------------------ tests */

static void a_visit_numbers_its_recommendations_and_counts_the_open_ones(void **state) {
    mf_t *f = *state;
    uint64_t coop = ksp(f);
    recs_t rs;
    recommend(&rs, 0, "Tutup buku kas tiap akhir bulan", "2025-04-30", NULL);
    recommend(&rs, 1, "Adakan RAT tahun buku 2024", "2025-06-30", NULL);
    recommend(&rs, 2, "Pisahkan rekening bank koperasi", NULL, "2025-03-12");
    Lumbung__Reply *r = record_visit(f, coop, "2025-03-10", &rs, 3, SUPERVISOR);
    Lumbung__Supervision *s = mf_ok(r)->supervision;
    assert_int_equal(s->id, 1);
    assert_int_equal(s->cooperative_id, coop);
    assert_string_equal(s->supervisor, "pengawas.dinas");     /* the acting user */
    assert_int_equal(s->n_recommendations, 3);
    for (uint32_t i = 0; i < 3; i++) assert_int_equal(s->recommendations[i]->number, i + 1);
    assert_int_equal(s->open_recommendations, 2);
    assert_true(r->has_event_seq);
}

static void a_visit_in_the_future_or_done_before_the_visit_is_refused(void **state) {
    mf_t *f = *state;
    uint64_t coop = ksp(f);
    mf_expect_error(record_visit(f, coop, "2099-01-01", NULL, 0, SUPERVISOR), EK(INVALID),
                    "in_future", "visited_on");
    recs_t rs;
    recommend(&rs, 0, "Tutup buku kas", NULL, NULL);
    recommend(&rs, 1, "Adakan RAT", NULL, "2025-03-09");
    Lumbung__Reply *r = record_visit(f, coop, "2025-03-10", &rs, 2, SUPERVISOR);
    mf_expect_error(r, EK(INVALID), "before_visit", "recommendations[1].done_on");
    assert_string_equal(r->error->message,
                        "recommendations[1].done_on 2025-03-09 is before the visit");
    recommend(&rs, 1, "   ", NULL, NULL);
    mf_expect_error(record_visit(f, coop, "2025-03-10", &rs, 2, SUPERVISOR), EK(INVALID),
                    "required", "recommendations[1].text");
    mf_expect_error(record_visit(f, 99, "2025-03-10", NULL, 0, SUPERVISOR), EK(NOT_FOUND),
                    "not_found", "cooperative_id");
}

static void a_follow_up_closes_and_adds_recommendations(void **state) {
    mf_t *f = *state;
    uint64_t coop = ksp(f);
    recs_t rs;
    recommend(&rs, 0, "Tutup buku kas", "2025-04-30", NULL);
    recommend(&rs, 1, "Adakan RAT", "2025-06-30", NULL);
    uint64_t id = mf_ok(record_visit(f, coop, "2025-03-10", &rs, 2, SUPERVISOR))->supervision->id;

    recs_t up;
    recommend(&up, 0, NULL, NULL, "2025-04-28");
    up.r[0].has_number = 1;
    up.r[0].number = 1;
    recommend(&up, 1, "Latih bendahara pembukuan", "2025-09-30", NULL);
    Lumbung__Supervision *s = mf_ok(follow_up(f, coop, id, &up, 2))->supervision;
    assert_int_equal(s->n_recommendations, 3);
    assert_int_equal(s->recommendations[0]->done_on, unit_day("2025-04-28"));
    assert_string_equal(s->recommendations[0]->text, "Tutup buku kas");   /* kept */
    assert_int_equal(s->recommendations[2]->number, 3);
    assert_string_equal(s->recommendations[2]->text, "Latih bendahara pembukuan");
    assert_int_equal(s->open_recommendations, 2);

    recs_t bad;
    recommend(&bad, 0, NULL, NULL, "2025-05-01");
    bad.r[0].has_number = 1;
    bad.r[0].number = 9;
    mf_expect_error(follow_up(f, coop, id, &bad, 1), EK(NOT_FOUND), "not_found",
                    "recommendations[0].number");
    mf_expect_error(follow_up(f, coop, id + 1, &bad, 1), EK(NOT_FOUND), "not_found", "id");
}

static void only_the_district_supervises_but_an_operator_reads_their_own(void **state) {
    mf_t *f = *state;
    uint64_t coop = ksp(f);
    mf_expect_error(record_visit(f, coop, "2025-03-10", NULL, 0, OPERATOR), EK(FORBIDDEN),
                    "forbidden", NULL);
    mf_ok(record_visit(f, coop, "2025-03-10", NULL, 0, SUPERVISOR));
    mf_ok(record_visit(f, coop, "2025-06-10", NULL, 0, LUMBUNG__ROLE__ROLE_ADMIN));
    Lumbung__ListSupervisions l = LUMBUNG__LIST_SUPERVISIONS__INIT;
    l.has_cooperative_id = 1;
    l.cooperative_id = coop;
    Lumbung__MembersRequest mr = LUMBUNG__MEMBERS_REQUEST__INIT;
    mr.op_case = OP(LIST_SUPERVISIONS);
    mr.list_supervisions = &l;
    Lumbung__SupervisionList *list = mf_ok(mf_call_as(f, &mr, OPERATOR, coop))->supervisions;
    assert_int_equal(list->n_items, 2);
    mf_expect_error(mf_call_as(f, &mr, OPERATOR, coop + 1), EK(FORBIDDEN), "forbidden",
                    "cooperative_id");
}

static Lumbung__Reply *training(mf_t *f, const char *from, const char *to,
                                Lumbung__TrainingParticipant **people, size_t n) {
    Lumbung__RecordTraining t = LUMBUNG__RECORD_TRAINING__INIT;
    t.title = "Pelatihan pembukuan koperasi";
    t.has_held_from = 1;
    t.held_from = unit_day(from);
    t.has_held_to = to != NULL;
    if (to) t.held_to = unit_day(to);
    char *trainers[] = { "Dra. Sri Lestari" };
    t.n_trainers = 1;
    t.trainers = trainers;
    t.n_participants = n;
    t.participants = people;
    Lumbung__MembersRequest mr = LUMBUNG__MEMBERS_REQUEST__INIT;
    mr.op_case = OP(RECORD_TRAINING);
    mr.record_training = &t;
    return mf_call_as(f, &mr, SUPERVISOR, 0);
}

static Lumbung__TrainingParticipant participant(uint64_t coop, const char *name) {
    Lumbung__TrainingParticipant p = LUMBUNG__TRAINING_PARTICIPANT__INIT;
    p.has_cooperative_id = coop != 0;
    p.cooperative_id = coop;
    p.name = (char *) name;
    p.role = "bendahara";
    return p;
}

static void a_training_counts_days_and_participants_by_group_and_type(void **state) {
    mf_t *f = *state;
    uint64_t a = ksp(f);
    uint64_t b = new_coop(f, "KSU Tani Makmur", "farmers",
                          LUMBUNG__COOPERATIVE_TYPE__COOPERATIVE_TYPE_MULTI_PURPOSE);
    Lumbung__TrainingParticipant p[4] = {
        participant(a, "Siti"), participant(b, "Joko"), participant(a, "Rina"),
        participant(0, "Pak Camat"),
    };
    Lumbung__TrainingParticipant *ptrs[4] = { &p[0], &p[1], &p[2], &p[3] };
    Lumbung__Training *t = mf_ok(training(f, "2025-05-05", "2025-05-07", ptrs, 4))->training;
    assert_int_equal(t->id, 1);
    assert_int_equal(t->days, 3);
    assert_int_equal(t->participants_total, 4);
    assert_int_equal(t->n_by_group, 2);
    assert_string_equal(t->by_group[0]->name, "women");
    assert_int_equal(t->by_group[0]->participants, 2);
    assert_int_equal(t->by_group[0]->cooperatives, 1);
    assert_string_equal(t->by_group[1]->name, "farmers");
    assert_int_equal(t->by_group[1]->participants, 1);
    assert_int_equal(t->by_group[1]->cooperatives, 1);
    assert_int_equal(t->n_by_type, 2);
    assert_string_equal(t->by_type[0]->name, "savings_loan");
    assert_int_equal(t->by_type[0]->participants, 2);
    assert_string_equal(t->by_type[1]->name, "multi_purpose");
    /* one day when held_to is absent */
    t = mf_ok(training(f, "2025-06-01", NULL, ptrs, 1))->training;
    assert_int_equal(t->days, 1);
    assert_int_equal(t->held_to, unit_day("2025-06-01"));
}

static void a_bad_training_is_refused_naming_the_field(void **state) {
    mf_t *f = *state;
    uint64_t a = ksp(f);
    Lumbung__TrainingParticipant p[2] = { participant(a, "Siti"), participant(42, "Joko") };
    Lumbung__TrainingParticipant *ptrs[2] = { &p[0], &p[1] };
    mf_expect_error(training(f, "2025-05-05", "2025-05-04", ptrs, 1), EK(INVALID),
                    "before_start", "held_to");
    mf_expect_error(training(f, "2025-05-05", "2025-05-06", ptrs, 2), EK(NOT_FOUND),
                    "not_found", "participants[1].cooperative_id");
    p[1] = participant(0, "  ");
    mf_expect_error(training(f, "2025-05-05", "2025-05-06", ptrs, 2), EK(INVALID), "required",
                    "participants[1].name");
}

int main(void) {
#define T(name) cmocka_unit_test_setup_teardown(name, mf_setup, mf_teardown)
    const struct CMUnitTest tests[] = {
        T(a_visit_numbers_its_recommendations_and_counts_the_open_ones),
        T(a_visit_in_the_future_or_done_before_the_visit_is_refused),
        T(a_follow_up_closes_and_adds_recommendations),
        T(only_the_district_supervises_but_an_operator_reads_their_own),
        T(a_training_counts_days_and_participants_by_group_and_type),
        T(a_bad_training_is_refused_naming_the_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
