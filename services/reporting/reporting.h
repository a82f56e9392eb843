/*  reporting — the reporting service's state, tables and entry points.

    Reporting owns no facts but one: every table except "management" (a supervisor's
    questionnaire, management.c) is a projection of the members and transactions streams,
    applied by the followers in the same txn as their cursors, so it can always be rebuilt by
    deleting it and replaying both streams from sequence 1. Each projection lives in its own
    file: registry.c (cooperatives, members and member counts, from members events),
    oversight.c (annual meetings and supervision records, from members events), chart.c
    (accounts with totals and daily movements by value date, from transactions events),
    statement.c (each member's savings movements, from transactions events), loancard.c (each
    member's loan movements, from loan events), loans.c (loan states by date and members'
    participation, from transactions events). handlers.c,
    dashboard.c and rating.c (the health rating) answer the reports from them; sheet.c, csv.c
    and render.c are the pure parts that shape a report and its CSV file.

    Tables (opened by reporting_open; integers big-endian; a date is a day count of date.h
    biased by 2^31 into a u32 so that byte order is date order):
      "stream_stats"  key: stream name; value: u64 count of events applied
      "coops"         key: u64 cooperative id; value: lumbung.Cooperative as the last event said
      "coop_counts"   key: u64 cooperative id; value: [0] version 1, [1..4] active members,
                      [5..8] active women, [9..12] active men (u32 each)
      "members"       key: u64 member id; value: lumbung.Member as the last event said
      "accounts"      key: u64 cooperative id + account code (1..REPORTING_CODE_MAX bytes);
                      value: [0] version 1, [1] AccountClass, [2] AccountRole, [3] name length,
                      [4..11] i64 debit total, [12..19] i64 credit total, [20..] name
      "daily"         key: u64 cooperative id + u32 value date + account code;
                      value: [0..7] i64 debits, [8..15] i64 credits of that account that day
      "movements"     key: u64 member id + u32 value date + u64 entry id + u8 SavingsKind;
                      value: [0] version 1, [1] EntryKind, [2..9] i64 change of the balance,
                      [10..11] u16 memo length, [12..] memo
      "loan_states"   key: u64 cooperative id + u64 loan id + u32 date of the state;
                      value: [0] version 1, [1] LoanStatus, [2] LoanClass, [3..10] i64
                      outstanding principal, [11..18] u64 member id
      "loan_lines"    key: u64 member id + u64 loan id + u32 value date + u64 event sequence;
                      value: one line of a loan card (loancard.c)
      "participation" key: u64 cooperative id + u64 member id + u32 value date;
                      value: [0..7] i64 change of principal + mandatory savings, [8..15] i64
                      loan interest paid, [16..23] i64 loan principal disbursed
      "rats"          key: u64 cooperative id + u32 fiscal year; value: [0] version 1,
                      [1..4] u32 held_on of the annual meeting (RAT) for that year
      "supervisions"  key: u64 cooperative id + u64 supervision id; value: lumbung.Supervision
                      as the last event said
      "write_offs"    key: u64 cooperative id + u64 loan id + u32 value date + u64 entry id;
                      value: a write-off or recovery row (writeoffs.c)
      "management"    key: u64 cooperative id + u32 fiscal year; value:
                      lumbung.ManagementQuestionnaire as put (management.c). Not a projection:
                      a supervisor's assessment written by a request, lost on a rebuild.

    Not for: validation of business rules (the owning services do that); writing anything a
    handler could see half-done (handlers only read, except management.c's questionnaire). */
#ifndef LUMBUNG_REPORTING_H
#define LUMBUNG_REPORTING_H

#include <stdbool.h>
#include <stdint.h>
#include "arena.h"
#include "follower.h"
#include "service.h"
#include "portfolio.h"
#include "sheet.h"

enum {
    REPORTING_ACCOUNTS_MAX = 4096,        /* accounts of one cooperative a report reads */
    REPORTING_MEMO_MAX = 256,             /* bytes of a statement line's memo kept */
    REPORTING_STATEMENT_LINES_MAX = 20000,/* lines of one statement; ask a shorter period */
    REPORTING_COOPS_MAX = 10000,          /* cooperatives on the district dashboard */
    REPORTING_ACCOUNT_HEADER = 20,
    REPORTING_MOVEMENT_HEADER = 12,
    REPORTING_LOAN_CLASSES = 4,           /* current, substandard, doubtful, loss */
    REPORTING_LOAN_STATES_MAX = 4000000,  /* loan states of one cooperative a portfolio reads */
    REPORTING_SHU_MEMBERS_MAX = 100000,   /* members of one cooperative an SHU report shares to */
    REPORTING_RATS_MAX = 1000,            /* annual meetings of one cooperative a report reads */
    REPORTING_SUPERVISIONS_MAX = 10000,   /* supervision records of one cooperative read */
    REPORTING_NPL_ATTENTION_BP = 500,     /* NPL above 5 % needs the district's attention */
    REPORTING_WRITE_OFF_ROWS_MAX = 1000000, /* write-off and recovery rows of one cooperative */
};

typedef struct {
    service_t *service;
    follower_t *members, *transactions;
    arena_t *arena;                       /* one event's scratch space in the followers */
    store_table_t stream_stats, coops, coop_counts, members_table, accounts, daily, movements,
                  loan_states, participation, management, rats,
                  supervisions, loan_lines, write_offs;
    uint64_t event_seq;                   /* the sequence of the event being applied */
} reporting_t;

/* Opens the tables and the scratch arena. Returns 0 or a negative code. */
int reporting_open(reporting_t *app, service_t *service);
/* The same for a store alone (app->service stays NULL): the tables and the arena, for the
   unit tests of the modules that read them. */
int reporting_open_store(reporting_t *app, store_t *store);
void reporting_close(reporting_t *app);

/* The followers' callbacks (projections.c): applies one event of either stream. */
int reporting_apply(void *app, store_txn_t *txn, const Lumbung__Event *event);
void reporting_advanced(void *app, uint64_t cursor);

/* The service handler (handlers.c). */
int reporting_handle(void *app, service_call_t *call);

/* --- registry.c: the members stream --- */
int reporting_registry_apply(reporting_t *app, store_txn_t *txn, const Lumbung__MembersEvent *ev);

typedef struct {
    uint32_t active, female, male;
} reporting_counts_t;

/* The cooperative as last seen (unpacked into `arena`), or STORE_NOT_FOUND. */
int reporting_registry_coop(reporting_t *app, store_txn_t *txn, arena_t *arena, uint64_t coop,
                            Lumbung__Cooperative **out);
/* The same for a request naming `coop`: an unknown (or 0) cooperative fails the call
   NOT_FOUND "cooperative_not_found" on field cooperative_id. */
int reporting_registry_coop_of(reporting_t *app, service_call_t *call, store_txn_t *txn,
                               arena_t *arena, uint64_t coop, Lumbung__Cooperative **out);
int reporting_registry_member(reporting_t *app, store_txn_t *txn, arena_t *arena,
                              uint64_t member, Lumbung__Member **out);
/* Zero counts when the cooperative has no member yet. */
int reporting_registry_counts(reporting_t *app, store_txn_t *txn, uint64_t coop,
                              reporting_counts_t *out);

/* --- oversight.c: annual meetings and supervision, from the members stream --- */
int reporting_oversight_apply(reporting_t *app, store_txn_t *txn, const Lumbung__MembersEvent *ev);

typedef struct {
    bool any;                    /* a RAT is recorded at all */
    uint32_t fiscal_year;        /* the latest fiscal year with a RAT, when any */
    int32_t held_on;             /* and the day it was held */
    bool held_last;              /* a RAT for `last_year` */
    bool held_before_last;       /* a RAT for last_year - 1 */
} reporting_rats_t;

/* The cooperative's RATs seen against the fiscal year `last_year`. -E2BIG beyond
   REPORTING_RATS_MAX. */
int reporting_oversight_rats(reporting_t *app, store_txn_t *txn, uint64_t coop,
                             uint32_t last_year, reporting_rats_t *out);
/* The day the RAT for fiscal `year` was held, or STORE_NOT_FOUND. */
int reporting_oversight_rat_of(reporting_t *app, store_txn_t *txn, uint64_t coop, uint32_t year,
                               int32_t *held_on);
/* *count = recommendations of the cooperative due before as_of and not done. -E2BIG beyond
   REPORTING_SUPERVISIONS_MAX records. */
int reporting_oversight_overdue(reporting_t *app, store_txn_t *txn, arena_t *arena,
                                uint64_t coop, int32_t as_of, uint32_t *count);

/* --- chart.c: accounts and their daily movements --- */
int reporting_chart_apply_account(reporting_t *app, store_txn_t *txn, const Lumbung__Account *a);
int reporting_chart_apply_entry(reporting_t *app, store_txn_t *txn,
                                const Lumbung__JournalEntry *e);
/* The role of an account, 0 when it has none or is unknown. */
int reporting_chart_role(reporting_t *app, store_txn_t *txn, uint64_t coop, const char *code);

/* Every account of `coop` (in `arena`) with the sums of movements whose value date lies in
   [from, to]. STORE_NOT_FOUND when the cooperative has no account; -E2BIG beyond
   REPORTING_ACCOUNTS_MAX. */
int reporting_chart_read(reporting_t *app, store_txn_t *txn, arena_t *arena, uint64_t coop,
                         int32_t from, int32_t to, reporting_chart_t *out);

/* --- statement.c: members' savings movements --- */
int reporting_statement_apply_entry(reporting_t *app, store_txn_t *txn,
                                    const Lumbung__JournalEntry *e);
/* Fills opening/lines/closing of `st` for movements of st->member_id with value dates in
   [from, to]. -E2BIG beyond REPORTING_STATEMENT_LINES_MAX lines. */
int reporting_statement_read(reporting_t *app, store_txn_t *txn, arena_t *arena, int32_t from,
                             int32_t to, Lumbung__MemberStatement *st);

/* --- loancard.c: members' loan movements (kartu angsuran) --- */
typedef struct {
    uint64_t member_id, loan_id;
    uint64_t entry_id;                    /* the journal entry, 0 when there is none */
    int32_t day;                          /* value date */
    Lumbung__LoanMovementKind kind;
    int64_t amount_sen;                   /* money that moved */
    int64_t late_fee_sen, interest_sen, principal_sen;   /* a payment's allocation */
    int64_t outstanding_change_sen;       /* + disbursed, - repaid or written off */
    int64_t still_owed_sen;               /* write-off, recovery: what is owed after it */
} reporting_loan_line_t;

/* Records one line of a member's loan card, keyed by the event being applied
   (app->event_seq): one line per loan per event. Loan events call it (loans.c); write-off
   and recovery events add their lines here too. */
int reporting_loancard_put(reporting_t *app, store_txn_t *txn, const reporting_loan_line_t *l);
/* Fills st->loans for st->member_id: lines with value dates in [from, to], the outstanding
   principal before and after. Reads after reporting_statement_read (a payment whose entry is
   an exit settlement among st->lines is labelled so). -E2BIG beyond
   REPORTING_STATEMENT_LINES_MAX lines. */
int reporting_loancard_read(reporting_t *app, store_txn_t *txn, arena_t *arena, int32_t from,
                            int32_t to, Lumbung__MemberStatement *st);
/* --- writeoffs.c: loans written off and recoveries ("write_offs", see the file) --- */
int reporting_writeoffs_apply(reporting_t *app, store_txn_t *txn,
                              const Lumbung__TransactionsEvent *ev);
/* Fills the portfolio's written-off list, recoveries and their totals as of as_of. */
int reporting_writeoffs_portfolio(reporting_t *app, store_txn_t *txn, arena_t *arena,
                                  uint64_t coop, int32_t as_of, Lumbung__LoanPortfolio *p);

/* --- loans.c: loan states and members' participation --- */
int reporting_loans_apply(reporting_t *app, store_txn_t *txn,
                          const Lumbung__TransactionsEvent *ev);
int reporting_loans_apply_entry(reporting_t *app, store_txn_t *txn,
                                const Lumbung__JournalEntry *e);

/* Counts each active loan of `coop` with outstanding principal by the class of its last state
   dated on or before as_of. -E2BIG beyond REPORTING_LOAN_STATES_MAX states. */
int reporting_loans_portfolio(reporting_t *app, store_txn_t *txn, uint64_t coop, int32_t as_of,
                              reporting_portfolio_counts_t *out);

typedef struct {
    uint64_t member_id;
    int64_t capital_sen;          /* principal + mandatory savings at the end of `to` */
    int64_t interest_paid_sen;    /* loan interest paid with value dates in [from, to] */
    int64_t disbursed_sen;        /* loan principal disbursed in [from, to] */
} reporting_participation_t;

/* Every member of `coop` with any participation row, by member id, in *items (in `arena`).
   -E2BIG beyond REPORTING_SHU_MEMBERS_MAX members. */
int reporting_loans_participation(reporting_t *app, store_txn_t *txn, arena_t *arena,
                                  uint64_t coop, int32_t from, int32_t to,
                                  reporting_participation_t **items, size_t *count);

/* --- dashboard.c: the district as a whole --- */
/* Fills `out` with the dashboard (or its CSV file); fails the call (negative) on bad input. */
int reporting_dashboard(reporting_t *app, service_call_t *call, store_txn_t *txn, arena_t *arena,
                        const Lumbung__GetDistrictDashboard *req, Lumbung__ReportingReply *out);

/* --- management.c: the questionnaire of health aspect 3 --- */
/* Stores the answers of req (admin or supervisor; every group with exactly its number of
   answers, else a 400 naming the group) and replies with them and their points. */
int reporting_management_put(reporting_t *app, service_call_t *call, store_txn_t *txn,
                             arena_t *arena, const Lumbung__ManagementQuestionnaire *req,
                             Lumbung__ReportingReply *out);
/* The answers put for (coop, year) in `arena` with their points in hundredths, or
   STORE_NOT_FOUND. */
int reporting_management_read(reporting_t *app, store_txn_t *txn, arena_t *arena, uint64_t coop,
                              uint32_t year, Lumbung__ManagementQuestionnaire **out,
                              int *points_centi);

/* --- ods.c: the yearly national data return --- */
/* Fills `out` with the ODS of req->year (or its CSV file); fails the call on bad input. */
int reporting_ods(reporting_t *app, service_call_t *call, store_txn_t *txn, arena_t *arena,
                  const Lumbung__GetOds *req, Lumbung__ReportingReply *out);

/* --- rating.c: the health rating of a fiscal year --- */
/* Fills `out` with the rating; fails the call (negative) on bad input or an unknown
   cooperative. as_of_seq and members_seq are the caller's to set. */
int reporting_rating(reporting_t *app, service_call_t *call, store_txn_t *txn, arena_t *arena,
                     const Lumbung__GetHealth *req, Lumbung__ReportingReply *out);
/* The rating of `coop`'s fiscal `year` into *out (in `arena`); rating not_rated when no entry
   is dated inside the year. -EINVAL when `year` is out of range. as_of_seq and members_seq
   are the caller's to set. */
int reporting_rating_build(reporting_t *app, store_txn_t *txn, arena_t *arena,
                           const Lumbung__Cooperative *coop, uint32_t year,
                           Lumbung__HealthReport **out);

#endif
