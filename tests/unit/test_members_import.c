/* import (members): what an operator relies on when importing members from a spreadsheet — the
   request checks the file as a whole (header, UTF-8, not empty: INVALID naming `body`) and
   answers a job; the rows are imported in the background, each bad row reported by its row
   number (the header is row 1), field and code while the good ones join; dates as YYYY-MM-DD or
   DD/MM/YYYY, sex as female/male, F/M or P/L, `,` or `;` separated; running the same file again
   imports nothing twice, and the same NIK with other data is duplicate_nik; the job's finish is
   one import_finished event without the row errors. Against the real members service on a
   fresh store, over the bus, its import steps running on the loop. */
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
#define DONE LUMBUNG__JOB_STATE__JOB_STATE_DONE

#define HEADER "nik,name,sex,birth_date,address,phone,joined_on\n"
/* Row 2: Siti, row 3: Budi (day-first dates, "L"), row 4: a NIK of 15 digits. */
#define THREE_ROWS HEADER                                                   \
    "3404014508900001,Siti Aminah,P,1990-08-05,Jl. Kaliurang 5,0812-3456-7890,2024-01-15\n" \
    "3404011203850002,Budi Santoso,l,12/03/1985,,,15/1/2024\n"              \
    "340401450890001,Rina,female,1990-08-05,,,2024-01-15\n"

static uint64_t new_coop(mf_t *f) {
    Lumbung__CreateCooperative c = LUMBUNG__CREATE_COOPERATIVE__INIT;
    c.name = "KSP Maju";
    c.has_type = 1;
    c.type = LUMBUNG__COOPERATIVE_TYPE__COOPERATIVE_TYPE_SAVINGS_LOAN;
    Lumbung__MembersRequest mr = LUMBUNG__MEMBERS_REQUEST__INIT;
    mr.op_case = OP(CREATE_COOPERATIVE);
    mr.create_cooperative = &c;
    return mf_ok(mf_call(f, &mr))->cooperative->id;
}

static Lumbung__Reply *import(mf_t *f, uint64_t coop, const char *csv, size_t len) {
    Lumbung__ImportMembers im = LUMBUNG__IMPORT_MEMBERS__INIT;
    im.has_cooperative_id = im.has_body = 1;
    im.cooperative_id = coop;
    im.body.data = (uint8_t *) csv;
    im.body.len = len;
    Lumbung__MembersRequest mr = LUMBUNG__MEMBERS_REQUEST__INIT;
    mr.op_case = OP(IMPORT_MEMBERS);
    mr.import_members = &im;
    return mf_call_as(f, &mr, LUMBUNG__ROLE__ROLE_OPERATOR, coop);
}

static Lumbung__Reply *get_job(mf_t *f, uint64_t id, Lumbung__Role role, uint64_t coop) {
    Lumbung__GetJob g = LUMBUNG__GET_JOB__INIT;
    g.has_id = 1;
    g.id = id;
    Lumbung__MembersRequest mr = LUMBUNG__MEMBERS_REQUEST__INIT;
    mr.op_case = OP(GET_JOB);
    mr.get_job = &g;
    return mf_call_as(f, &mr, role, coop);
}

/* Waits (the loop runs between polls, so the steps go on) until job `id` is done. */
static Lumbung__ImportJob *wait_job(mf_t *f, uint64_t id, uint64_t coop) {
    for (int i = 0; i < 200; i++) {
        Lumbung__ImportJob *job =
            mf_ok(get_job(f, id, LUMBUNG__ROLE__ROLE_OPERATOR, coop))->job;
        if (job->state == DONE) return job;
        unit_run_for(&f->loop, 20);
    }
    fail_msg("job %llu not done", (unsigned long long) id);
    return NULL;
}

static Lumbung__ImportJob *import_done(mf_t *f, uint64_t coop, const char *csv) {
    Lumbung__ImportStarted *st = mf_ok(import(f, coop, csv, strlen(csv)))->import_started;
    assert_true(st->job_id > 0);
    return wait_job(f, st->job_id, coop);
}

static size_t member_count(mf_t *f, uint64_t coop) {
    Lumbung__ListMembers l = LUMBUNG__LIST_MEMBERS__INIT;
    l.has_cooperative_id = 1;
    l.cooperative_id = coop;
    Lumbung__MembersRequest mr = LUMBUNG__MEMBERS_REQUEST__INIT;
    mr.op_case = OP(LIST_MEMBERS);
    mr.list_members = &l;
    return mf_ok(mf_call(f, &mr))->members->n_items;
}

/* ------------------------------------------------------------------ tests */

static void good_rows_join_and_bad_rows_are_reported_by_number(void **state) {
    mf_t *f = *state;
    uint64_t coop = new_coop(f);
    Lumbung__ImportStarted *st = mf_ok(import(f, coop, THREE_ROWS, strlen(THREE_ROWS)))
                                     ->import_started;
    assert_int_equal(st->job_id, 1);
    assert_int_equal(st->rows_total, 3);
    Lumbung__ImportJob *job = wait_job(f, st->job_id, coop);
    assert_int_equal(job->state, DONE);
    assert_int_equal(job->cooperative_id, coop);
    assert_int_equal(job->rows_total, 3);
    assert_int_equal(job->rows_done, 2);
    assert_int_equal(job->rows_imported, 2);
    assert_int_equal(job->rows_failed, 1);
    assert_int_equal(job->rows_existing, 0);
    assert_int_equal(job->n_errors, 1);
    assert_int_equal(job->errors[0]->row, 4);
    assert_string_equal(job->errors[0]->field, "nik");
    assert_string_equal(job->errors[0]->code, "invalid_nik");
    assert_string_equal(job->created_by, "operator");
    assert_int_equal(member_count(f, coop), 2);

    Lumbung__GetMember g = LUMBUNG__GET_MEMBER__INIT;
    g.has_cooperative_id = g.has_id = 1;
    g.cooperative_id = coop;
    g.id = 2;
    Lumbung__MembersRequest mr = LUMBUNG__MEMBERS_REQUEST__INIT;
    mr.op_case = OP(GET_MEMBER);
    mr.get_member = &g;
    Lumbung__Member *budi = mf_ok(mf_call(f, &mr))->member;
    assert_string_equal(budi->name, "Budi Santoso");
    assert_int_equal(budi->sex, LUMBUNG__SEX__SEX_MALE);
    assert_int_equal(budi->birth_date, unit_day("1985-03-12"));
    assert_int_equal(budi->joined_on, unit_day("2024-01-15"));
    assert_int_equal(budi->import_job_id, 1);
}

static void the_same_file_again_imports_nothing_twice(void **state) {
    mf_t *f = *state;
    uint64_t coop = new_coop(f);
    import_done(f, coop, THREE_ROWS);
    Lumbung__ImportJob *job = import_done(f, coop, THREE_ROWS);
    assert_int_equal(job->rows_done, 2);
    assert_int_equal(job->rows_existing, 2);
    assert_int_equal(job->rows_imported, 0);
    assert_int_equal(job->rows_failed, 1);
    assert_int_equal(member_count(f, coop), 2);
    /* the same NIK with another name is not the same person */
    job = import_done(f, coop, HEADER "3404014508900001,Siti Rahayu,P,1990-08-05,,,2024-01-15\n");
    assert_int_equal(job->rows_failed, 1);
    assert_int_equal(job->errors[0]->row, 2);
    assert_string_equal(job->errors[0]->code, "duplicate_nik");
    assert_string_equal(job->errors[0]->field, "nik");
    assert_string_equal(job->errors[0]->message, "NIK 3404014508900001 already belongs to active "
                                                 "member number 1 (Siti Aminah) with different "
                                                 "data");
}

static void semicolons_and_bad_dates_and_sexes_per_row(void **state) {
    mf_t *f = *state;
    uint64_t coop = new_coop(f);
    Lumbung__ImportJob *job = import_done(
        f, coop,
        "NIK ; Name ; Sex ; Birth_Date ; Address ; Phone ; Joined_On\n"
        "3404014508900001;Siti Aminah;F;05/08/1990;;;2024-01-15\n"
        "3404011203850002;Budi Santoso;x;1985-03-12;;;2024-01-15\n"
        "3404015001950003;Sri Wahyuni;P;1995-02-30;;;2024-01-15\n"
        "3404015001950004;Sri;P\n");
    assert_int_equal(job->rows_total, 4);
    assert_int_equal(job->rows_imported, 1);
    assert_int_equal(job->rows_failed, 3);
    assert_int_equal(job->n_errors, 3);
    assert_int_equal(job->errors[0]->row, 3);
    assert_string_equal(job->errors[0]->code, "invalid_sex");
    assert_string_equal(job->errors[0]->message, "sex must be female or male (also F/M, P/L)");
    assert_int_equal(job->errors[1]->row, 4);
    assert_string_equal(job->errors[1]->code, "invalid_date");
    assert_string_equal(job->errors[1]->field, "birth_date");
    assert_int_equal(job->errors[2]->row, 5);
    assert_string_equal(job->errors[2]->code, "field_count");
}

static void a_file_wrong_as_a_whole_is_refused_naming_body(void **state) {
    mf_t *f = *state;
    uint64_t coop = new_coop(f);
    const char *bad_header = "nik,nama,sex\n3404014508900001,Siti,P\n";
    mf_expect_error(import(f, coop, bad_header, strlen(bad_header)), EK(INVALID),
                    "invalid_csv_header", "body");
    mf_expect_error(import(f, coop, "", 0), EK(INVALID), "required", "body");
    const char latin1[] = HEADER "3404014508900001,Siti \xe9,P,1990-08-05,,,2024-01-15\n";
    Lumbung__Reply *r = import(f, coop, latin1, sizeof latin1 - 1);
    mf_expect_error(r, EK(INVALID), "invalid_utf8", "body");
    assert_string_equal(r->error->message, "the file is not UTF-8 text (line 2, byte 71); save "
                                           "it as \"CSV UTF-8\"");
    const char *broken = HEADER "\"3404014508900001,Siti,P,1990-08-05,,,2024-01-15\n";
    mf_expect_error(import(f, coop, broken, strlen(broken)), EK(INVALID), "invalid_csv", "body");
    assert_int_equal(member_count(f, coop), 0);
}

static void a_job_is_read_by_its_cooperative_only(void **state) {
    mf_t *f = *state;
    uint64_t coop = new_coop(f);
    import_done(f, coop, THREE_ROWS);
    mf_expect_error(get_job(f, 1, LUMBUNG__ROLE__ROLE_OPERATOR, coop + 1), EK(FORBIDDEN),
                    "forbidden", "cooperative_id");
    mf_expect_error(get_job(f, 7, LUMBUNG__ROLE__ROLE_ADMIN, 0), EK(NOT_FOUND), "not_found", "id");
    mf_expect_error(get_job(f, 0, LUMBUNG__ROLE__ROLE_ADMIN, 0), EK(INVALID), "required", "id");
}

static void the_finish_is_one_event_without_the_row_errors(void **state) {
    mf_t *f = *state;
    uint64_t coop = new_coop(f);
    import_done(f, coop, THREE_ROWS);
    Lumbung__ReplayReply *r = mf_replay(f, 1);
    assert_int_equal(r->n_events, 4);     /* cooperative, two members, the finish */
    Lumbung__Event *ev = lumbung__event__unpack(NULL, r->events[3].len, r->events[3].data);
    assert_non_null(ev);
    assert_int_equal(ev->members->body_case, LUMBUNG__MEMBERS_EVENT__BODY_IMPORT_FINISHED);
    const Lumbung__ImportJob *job = ev->members->import_finished;
    assert_int_equal(job->id, 1);
    assert_int_equal(job->state, DONE);
    assert_int_equal(job->rows_imported, 2);
    assert_int_equal(job->rows_failed, 1);
    assert_int_equal(job->n_errors, 0);
    assert_int_equal(job->n_warnings, 0);
    lumbung__event__free_unpacked(ev, NULL);
    Lumbung__Event *joined = lumbung__event__unpack(NULL, r->events[1].len, r->events[1].data);
    assert_int_equal(joined->members->body_case, LUMBUNG__MEMBERS_EVENT__BODY_MEMBER_JOINED);
    assert_string_equal(joined->members->member_joined->name, "Siti Aminah");
    lumbung__event__free_unpacked(joined, NULL);
}

int main(void) {
#define T(name) cmocka_unit_test_setup_teardown(name, mf_setup, mf_teardown)
    const struct CMUnitTest tests[] = {
        T(good_rows_join_and_bad_rows_are_reported_by_number),
        T(the_same_file_again_imports_nothing_twice),
        T(semicolons_and_bad_dates_and_sexes_per_row),
        T(a_file_wrong_as_a_whole_is_refused_naming_body),
        T(a_job_is_read_by_its_cooperative_only),
        T(the_finish_is_one_event_without_the_row_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
