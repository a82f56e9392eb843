/*  reporting_fixture — a reporting service's projection tables in a fresh store, with one
    write transaction open, for the unit tests of the modules that read and write them
    (loancard, writeoffs, oversight, ods, dashboard), and the calls that feed them as the
    members and transactions streams would (accounts and entries, cooperatives, members, RATs).

    Header-only (static inline) like unit.h; include after <cmocka.h>, unit.h and reporting.h.
    reporting_fixture_setup/teardown are cmocka group or test fixtures: *state is the
    reporting_fixture_t, whose store, transaction and arena the test uses as it likes.

    Ownership: the fixture owns everything it opens and closes it all in teardown. Not for:
    anything a test asserts about (each test states its own expectations). */
#ifndef LUMBUNG_TEST_REPORTING_FIXTURE_H
#define LUMBUNG_TEST_REPORTING_FIXTURE_H

#include <stdlib.h>

typedef struct {
    char dir[UNIT_PATH_MAX];
    store_t *store;
    reporting_t app;
    store_txn_t *txn;
    arena_t *arena;
} reporting_fixture_t;

static inline int reporting_fixture_setup(void **state) {
    reporting_fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    unit_quiet_logs("test_reporting");
    unit_tempdir(f->dir, "reporting");
    int err = 0;
    f->store = store_new(f->dir, &err);
    assert_non_null(f->store);
    assert_int_equal(reporting_open_store(&f->app, f->store), 0);
    assert_int_equal(store_begin(f->store, false, &f->txn), 0);
    f->arena = arena_new();
    *state = f;
    return 0;
}

static inline int reporting_fixture_teardown(void **state) {
    reporting_fixture_t *f = *state;
    store_abort(&f->txn);
    arena_destroy(&f->arena);
    reporting_close(&f->app);
    store_destroy(&f->store);
    unit_rmtree(f->dir);
    free(f);
    return 0;
}

/* ---- feeding the projections as the streams would ---- */

/* An account of cooperative `coop` (its code is its name). */
static inline void reporting_fixture_account(reporting_fixture_t *f, uint64_t coop,
                                             const char *code, Lumbung__AccountClass class_,
                                             Lumbung__AccountRole role) {
    Lumbung__Account a = LUMBUNG__ACCOUNT__INIT;
    a.has_cooperative_id = a.has_class_ = a.has_role = 1;
    a.cooperative_id = coop;
    a.code = a.name = (char *) code;
    a.class_ = class_;
    a.role = role;
    assert_int_equal(reporting_chart_apply_account(&f->app, f->txn, &a), 0);
}

/* One balanced entry of `coop`: Dr `debit` / Cr `credit`, `sen` each, on `date`. */
static inline void reporting_fixture_post(reporting_fixture_t *f, uint64_t coop, const char *date,
                                          const char *debit, const char *credit, int64_t sen) {
    static uint64_t entry_id;
    Lumbung__JournalLine l[2] = { LUMBUNG__JOURNAL_LINE__INIT, LUMBUNG__JOURNAL_LINE__INIT };
    Lumbung__JournalLine *lines[2] = { &l[0], &l[1] };
    l[0].account = (char *) debit;
    l[0].has_debit_sen = 1;
    l[0].debit_sen = sen;
    l[1].account = (char *) credit;
    l[1].has_credit_sen = 1;
    l[1].credit_sen = sen;
    Lumbung__JournalEntry e = LUMBUNG__JOURNAL_ENTRY__INIT;
    e.has_id = e.has_cooperative_id = e.has_value_date = 1;
    e.id = ++entry_id;
    e.cooperative_id = coop;
    e.value_date = unit_day(date);
    e.n_lines = 2;
    e.lines = lines;
    assert_int_equal(reporting_chart_apply_entry(&f->app, f->txn, &e), 0);
}

/* A members event applied by the projections that read it (registry, oversight). */
static inline void reporting_fixture_members_event(reporting_fixture_t *f,
                                                   const Lumbung__MembersEvent *ev) {
    assert_int_equal(reporting_registry_apply(&f->app, f->txn, ev), 0);
    assert_int_equal(reporting_oversight_apply(&f->app, f->txn, ev), 0);
}

static inline void reporting_fixture_cooperative(reporting_fixture_t *f,
                                                 const Lumbung__Cooperative *c) {
    Lumbung__MembersEvent ev = LUMBUNG__MEMBERS_EVENT__INIT;
    ev.body_case = LUMBUNG__MEMBERS_EVENT__BODY_COOPERATIVE_CREATED;
    ev.cooperative_created = (Lumbung__Cooperative *) c;
    reporting_fixture_members_event(f, &ev);
}

/* A member of `coop` joining with `sex` and `status`. */
static inline void reporting_fixture_member(reporting_fixture_t *f, uint64_t coop, uint64_t id,
                                            Lumbung__Sex sex, Lumbung__MemberStatus status) {
    Lumbung__Member m = LUMBUNG__MEMBER__INIT;
    m.has_id = m.has_cooperative_id = m.has_sex = m.has_status = 1;
    m.id = id;
    m.cooperative_id = coop;
    m.sex = sex;
    m.status = status;
    Lumbung__MembersEvent ev = LUMBUNG__MEMBERS_EVENT__INIT;
    ev.body_case = LUMBUNG__MEMBERS_EVENT__BODY_MEMBER_JOINED;
    ev.member_joined = &m;
    reporting_fixture_members_event(f, &ev);
}

/* The annual meeting of fiscal `year` held on `held_on`. */
static inline void reporting_fixture_rat(reporting_fixture_t *f, uint64_t coop, uint32_t year,
                                         const char *held_on) {
    Lumbung__AnnualMeeting m = LUMBUNG__ANNUAL_MEETING__INIT;
    m.has_cooperative_id = m.has_fiscal_year = m.has_held_on = 1;
    m.cooperative_id = coop;
    m.fiscal_year = year;
    m.held_on = unit_day(held_on);
    Lumbung__MembersEvent ev = LUMBUNG__MEMBERS_EVENT__INIT;
    ev.body_case = LUMBUNG__MEMBERS_EVENT__BODY_ANNUAL_MEETING_RECORDED;
    ev.annual_meeting_recorded = &m;
    reporting_fixture_members_event(f, &ev);
}

/* ---- reading ---- */

/* Member `member`'s statement from `from` to `to` (YYYY-MM-DD), asserted to read: of
   cooperative `coop`, with the memos, as the statement report reads it; coop 0: without (as a
   member's overview reads its balances). */
static inline Lumbung__MemberStatement *reporting_fixture_statement(reporting_fixture_t *f,
                                                                    uint64_t coop,
                                                                    uint64_t member,
                                                                    const char *from,
                                                                    const char *to) {
    Lumbung__MemberStatement *st = arena_message(f->arena, &lumbung__member_statement__descriptor);
    st->has_member_id = 1;
    st->member_id = member;
    st->has_cooperative_id = coop != 0;
    st->cooperative_id = coop;
    assert_int_equal(reporting_statement_read(&f->app, f->txn, f->arena, unit_day(from),
                                              unit_day(to), st), 0);
    return st;
}

#endif
