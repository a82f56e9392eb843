/*  reporting — the reporting service's state, tables and entry points.

    Reporting owns no facts but one: every table except "management" (a supervisor's
    questionnaire, management.c) is a projection of the members and transactions streams,
    applied by the followers in the same txn as their cursors, so it can always be rebuilt by
    deleting it and replaying both streams from sequence 1. Each projection lives in its own
    file: registry.c (cooperatives, members and member counts, from members events), oversight.c
    (annual meetings and supervision records, from members events), chart_view.c (accounts with
    totals and daily movements by value date, from transactions events), statement.c (each
    member's savings movements, from transactions events), journal.c (every posted entry, from
    transactions events), loancard.c (each member's loan movements, from loan events),
    loans_view.c (loan states by date, loans as applied with their schedules, and members'
    participation, from transactions events), writeoffs.c (write-offs and recoveries, from loan
    events); projections.c routes each event to them, and they read their tables through
    tables.c (a message by key, a cooperative's rows). handlers.c, dashboard.c and
    health_rating.c (the health rating) answer the reports from them; sheet.c shapes the ledger
    reports; render.c lays each report out as a document (doc.h), answer.c answers with it, and
    docfile.c writes it as CSV (csv_writer.c), XLSX (xlsx.c) or PDF (pdf.c).

    Tables (opened by reporting_open; integers big-endian; a date is its day count as
    date_key() of date.h, a u32 whose byte order is date order):
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
      "savings_moves" key: u64 member id; values (duplicates of 23 bytes, in byte order):
                      [0..3] u32 value date, [4..11] u64 entry id, [12] SavingsKind,
                      [13] EntryKind, [14] flags (1: the memo is in movement_memos; 2: the
                      entry has a memo, read from "journal"), [15..22] i64 change of the
                      balance. Replaces "movements" (a row per movement, the memo in it) of
                      earlier stores, moved over at start (statement.h).
      "movement_memos" key: u64 member id + u32 value date + u64 entry id; value: the memo,
                      at most REPORTING_MEMO_MAX bytes, of a movement moved over from
                      "movements" (newer entries' memos are the journal's)
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
      "loan_terms"    key: u64 cooperative id + u64 loan id; value: lumbung.Loan as applied, with
                      its schedule (the transactions service's lending.c), for the loan's
                      repayment card
      "journal"       key: u64 cooperative id + u32 value date + u64 entry id; value:
                      lumbung.JournalEntry as posted (journal.c)
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
#include "shard.h"
#include "portfolio.h"
#include "sheet.h"
#include "docfile.h"
#include "rowcache.h"

enum {
    REPORTING_ACCOUNTS_MAX = 4096,        /* accounts of one cooperative a report reads */
    REPORTING_MEMO_MAX = 256,             /* bytes of a statement line's memo kept */
    REPORTING_STATEMENT_LINES_MAX = 20000,/* lines of one statement; ask a shorter period */
    REPORTING_COOPS_MAX = 10000,          /* cooperatives on the district dashboard */
    REPORTING_ACCOUNT_HEADER = 20,
    REPORTING_LOAN_CLASSES = 4,           /* current, substandard, doubtful, loss */
    REPORTING_LOAN_STATES_MAX = 4000000,  /* loan states of one cooperative a portfolio reads */
    REPORTING_SHU_MEMBERS_MAX = 100000,
    REPORTING_JOURNAL_ENTRIES_MAX = 100000,  /* entries of one journal report (a period) */   /* members of one cooperative an SHU report shares to */
    REPORTING_RATS_MAX = 1000,            /* annual meetings of one cooperative a report reads */
    REPORTING_SUPERVISIONS_MAX = 10000,   /* supervision records of one cooperative read */
    REPORTING_NPL_ATTENTION_BP = 500,     /* NPL above 5 % needs the district's attention */
    REPORTING_WRITE_OFF_ROWS_MAX = 1000000, /* write-off and recovery rows of one cooperative */
};

/* The projection tables, one per row of the list above (opened by reporting_open_store). */
typedef struct {
    store_table_t stream_stats, coops, coop_counts, members_table, accounts, daily, moves,
                  movement_memos,
                  loan_states, participation, management, rats,
                  supervisions, loan_lines, loan_terms, journal, write_offs;
} reporting_tables_t;

/* What the followers' apply of one event uses (projections.c clears and flushes it). */
typedef struct {
    arena_t *arena;                       /* one event's scratch space */
    rowcache_t *rows;                     /* rows changed by many postings (rowcache.h) */
    uint64_t event_seq;                   /* the sequence of the event being applied */
    const uint8_t *wire;                  /* its wire bytes, when the follower gave them */
    size_t wire_len;
} reporting_apply_t;

typedef struct {
    service_t *service;
    follower_t *members;
    follower_t *transactions[SHARD_MAX];  /* one follower per transactions shard (shard.h),
                                             each with its own cursor "transactions-K" */
    int shards;
    reporting_tables_t tables;
    reporting_apply_t apply;
} reporting_t;

/* One header per module, each with its contract; included here so that a file needs only
   reporting.h. Every module's header includes reporting.h, so a module's .c may include
   reporting.h or its own header first. */
#include "tables.h"
#include "projections.h"
#include "handlers.h"
#include "answer.h"
#include "registry.h"
#include "oversight.h"
#include "chart_view.h"
#include "statement.h"
#include "loancard.h"
#include "writeoffs.h"
#include "loans_view.h"
#include "dashboard.h"
#include "management.h"
#include "ods.h"
#include "health_rating.h"
#include "journal.h"
#include "member_view.h"

#endif
