/*  ledger — the double-entry book of each cooperative: its chart of accounts, immutable
    journal entries, account totals, reversals, journal listing and the trial balance.

    An entry is posted in two steps so that a batch can post many entries in one transaction
    without a child transaction each: tx_ledger_check() only reads (lines well-formed, exactly
    one of debit/credit > 0 per line, accounts in that cooperative's chart, debits == credits,
    totals far from overflow) and tx_ledger_apply() only writes (entry id, account totals, the
    entry and its indexes, the queued event). A check that passed makes the apply fail only on a
    store error, which aborts the whole request.

    Accounts are referred to by code ("1-101"); the service's own postings find their account
    by role (tx_ledger_role_code). Manual entries may not touch the members' savings accounts,
    so the ledger's savings balances always equal the sum of the members' balances.

    Not for: savings rules (savings.c) or authorisation (handlers.c). */
#ifndef LUMBUNG_TX_LEDGER_H
#define LUMBUNG_TX_LEDGER_H

#include <stdbool.h>
#include <stdint.h>
#include "context.h"
#include "transactions.pb-c.h"

enum {
    TX_LINES_MAX = 64,                        /* lines in one entry */
    TX_MEMO_MAX = 256,                        /* bytes of a memo or note */
    TX_ACCOUNTS_MAX = 1000,                   /* accounts in one cooperative's chart */
    TX_PAGE_DEFAULT = 50,
    TX_PAGE_MAX = 500,
};

/* A cooperative's days are counted in WIB unless its settings name another zone. */
enum { TX_ZONE_HOURS_DEFAULT = 7 };
/* tx_ledger_last_closed() of a cooperative that never closed a day. */
#define TX_NO_CLOSED_DAY INT32_MIN

/* The most one line or one movement may carry: 10 trillion rupiah. */
#define TX_AMOUNT_MAX_SEN INT64_C(1000000000000000)

/* A new entry in the arena with room for `lines` lines (n_lines = 0; add with tx_ledger_add). */
Lumbung__JournalEntry *tx_ledger_entry_new(tx_ctx_t *ctx, uint64_t coop, int32_t value_date,
                                           const char *memo, Lumbung__EntryKind kind,
                                           size_t lines);
/* Appends a line; exactly one of debit_sen, credit_sen is > 0 (asserted). */
void tx_ledger_add(tx_ctx_t *ctx, Lumbung__JournalEntry *entry, const char *code,
                   int64_t debit_sen, int64_t credit_sen);

/* Validates entry for posting; fills entry->total_sen. `manual`: the lines come from outside
   and may not use savings accounts. Fields in errors are "lines", "lines[i].account", ...
   The guards of every posting live here, so each operation has them without code of its own:
   value_date not after the cooperative's today (422 future_date) and after its last closed
   day (422 day_closed, naming the day); no cash or bank account (roles cash, bank) left below
   zero by the entry (422 insufficient_cash naming what it holds; field "amount", or the line's
   account for a manual entry). */
int tx_ledger_check(tx_ctx_t *ctx, Lumbung__JournalEntry *entry, bool manual, problem_t *err);
/* Posts a checked entry dated value_date: sets id, posted_at_ms, posted_by; 0 or store error. */
int tx_ledger_apply(tx_ctx_t *ctx, Lumbung__JournalEntry *entry, int32_t value_date);

/* The code of the account the service posts to for `role` in `coop`, in the arena. A missing
   mapping (a chart without that role) is ERR_REJECTED with code "no_account_for_role". */
int tx_ledger_role_code(tx_ctx_t *ctx, uint64_t coop, Lumbung__AccountRole role,
                        const char **code, problem_t *err);

/* Creates the standard chart for a new cooperative (accounts that exist are kept) and queues
   an AccountOpened event per account created. 0 or store error. */
int tx_ledger_create_chart(tx_ctx_t *ctx, uint64_t coop);

/* The operations behind the requests of the same names. Each returns 0, ERR_REJECTED or a
   store error; results are allocated in the arena. */
int tx_ledger_post_manual(tx_ctx_t *ctx, const Lumbung__PostEntry *req,
                          Lumbung__JournalEntry **out, problem_t *err);
int tx_ledger_add_account(tx_ctx_t *ctx, const Lumbung__AddAccount *req,
                          Lumbung__Account **out, problem_t *err);
int tx_ledger_list_accounts(tx_ctx_t *ctx, uint64_t coop, Lumbung__AccountList **out,
                            problem_t *err);
int tx_ledger_trial_balance(tx_ctx_t *ctx, uint64_t coop, Lumbung__TrialBalance **out,
                            problem_t *err);
int tx_ledger_list_journal(tx_ctx_t *ctx, const Lumbung__ListJournal *req,
                           Lumbung__JournalPage **out, problem_t *err);
int tx_ledger_get_entry(tx_ctx_t *ctx, uint64_t coop, uint64_t id, Lumbung__JournalEntry **out,
                        problem_t *err);

/* NOT_FOUND rejection when the replica has not seen `coop` (names field "cooperative_id").
   tx_ledger_coop() also gives its record (valid for the unit of work) and sets ctx->today to
   that cooperative's local today, the default of every date left out. */
int tx_ledger_require_coop(tx_ctx_t *ctx, uint64_t coop, problem_t *err);
int tx_ledger_coop(tx_ctx_t *ctx, uint64_t coop, const tx_coop_t **out, problem_t *err);

/* Today in the cooperative's time zone at ctx->now_ms. */
int32_t tx_ledger_local_today(const tx_ctx_t *ctx, const tx_coop_t *coop);
/* The last business day closed in `coop`, TX_NO_CLOSED_DAY when none. 0 or store error. */
int tx_ledger_last_closed(tx_ctx_t *ctx, uint64_t coop, int32_t *out);

/* Journal cursors: "<YYYY-MM-DD>.<entry id>" of the first entry of the next page. */
int tx_ledger_cursor_parse(const char *text, int32_t *date, uint64_t *id);
void tx_ledger_cursor_format(int32_t date, uint64_t id, char *buf, size_t size);

#endif
