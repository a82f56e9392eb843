/*  context — what one unit of work of the transactions service carries: the tables, the
    transaction to read and write in, the arena for everything built on the way, a typed error
    for business rejections, and the events to publish once the work is done.

    A unit of work is one request (handlers.c), one posting chain of a batch (batch.c), or one
    members event applied by the replica (replica.c). Rules code reads and writes through
    ctx->txn only; the batch swaps in a child txn for a linked chain and rolls the pending
    events back with tx_ctx_rollback() when the chain fails. Its parts are modules of their
    own: the event queue (event_queue.h: posted entries grouped into EntriesPosted events at
    flush time), the accounts and savings records changed so far (account_cache.h,
    savings_cache.h: each written once per unit of work, with an undo log), the
    journal's index rows merged into runs (index_runs.h) and the lookups remembered
    (lookup_cache.h: roles' accounts, the cooperative last looked up); this file ties them to
    one txn and one arena.

    Error convention of every rules function: 0 on success; ERR_REJECTED when a business rule or
    validation said no (the problem_t is filled, its field relative to the operation, e.g.
    "lines[1].account"); any other negative value is a store error (ERR_MAP_FULL included)
    that must abort the whole request and be passed up unchanged.

    Not for: the bus or authorisation (handlers.c). */
#ifndef LUMBUNG_TX_CONTEXT_H
#define LUMBUNG_TX_CONTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arena.h"
#include "pb_date.h"
#include "problem.h"
#include "envelope.pb-c.h"
#include "store.h"
#include "account_cache.h"
#include "savings_cache.h"
#include "index_runs.h"
#include "event_queue.h"
#include "lookup_cache.h"

typedef struct tx_ledger_plan tx_ledger_plan_t;   /* ledger.c: the last checked entry */

typedef struct {
    tx_store_t *db;
    store_txn_t *txn;
    arena_t *arena;
    const char *actor;              /* posted_by; may be NULL */
    int64_t now_ms;
    int32_t today;                  /* default value date: UTC at init, then the local today of
                                       the cooperative last looked up (tx_ledger_coop) */
    tx_event_queue_t events;        /* to publish once the work is done (event_queue.h) */
    uint64_t next_entry_id;         /* 0: read it from the txn; restored by tx_ctx_rollback() */
    /* Caches for the unit of work; a batch of thousands of postings repeats these lookups. */
    tx_role_cache_t roles;          /* lookup_cache.h */
    tx_coop_cache_t coop;           /* lookup_cache.h */
    tx_ledger_plan_t *plan;         /* ledger.c's, in the arena, made on first use */
    tx_account_cache_t accounts;    /* account_cache.h, with the undo of its changes */
    tx_savings_cache_t savings;     /* savings_cache.h, the same for members' savings */
    tx_index_runs_t index;          /* index_runs.h: the journal's index rows, as runs */
} tx_ctx_t;

/* What tx_ctx_rollback() restores: queued items and the entry id counter. */
typedef struct {
    size_t pending;
    uint64_t next_entry_id;
    size_t undo, savings_undo, index;
} tx_mark_t;

/* Prepares ctx for a unit of work; nothing is allocated until something is queued. */
void tx_ctx_init(tx_ctx_t *ctx, tx_store_t *db, store_txn_t *txn, arena_t *arena,
                 const char *actor);

/* Queues a posted entry, as the `len` bytes it was packed into (in the arena), or another
   event (event_queue.h). -ENOBUFS past TX_PENDING_MAX. */
int tx_ctx_queue_entry(tx_ctx_t *ctx, const uint8_t *packed, size_t len);
int tx_ctx_queue_event(tx_ctx_t *ctx, Lumbung__TransactionsEvent *event);
/* A new TransactionsEvent in the arena, to fill and queue. */
Lumbung__TransactionsEvent *tx_ctx_event(tx_ctx_t *ctx);

tx_mark_t tx_ctx_mark(const tx_ctx_t *ctx);
void tx_ctx_rollback(tx_ctx_t *ctx, tx_mark_t mark);

/* An account of the unit of work: its totals as changed so far (read through to the store).
   Every read of an account's totals in a unit of work that may post goes through here. */
int tx_ctx_get_account(tx_ctx_t *ctx, uint64_t coop, const char *code, tx_account_t *out);
/* Changes an existing account's totals (the store row is written by tx_ctx_flush, or at once
   when the cache is full). 0 or a store error. */
int tx_ctx_put_account(tx_ctx_t *ctx, uint64_t coop, const char *code, const tx_account_t *a);
/* Writes the changed accounts into ctx->txn now (before a scan of the accounts table). */
int tx_ctx_write_accounts(tx_ctx_t *ctx);

/* A member's savings of one kind as the unit of work changed them so far (all zero without a
   record), and changing them (written by tx_ctx_flush). Every read and write of a savings
   record in a unit of work goes through here. 0 or a store error. */
int tx_ctx_get_savings(tx_ctx_t *ctx, uint64_t member, int kind, tx_savings_t *out);
int tx_ctx_put_savings(tx_ctx_t *ctx, uint64_t member, int kind, const tx_savings_t *s);

/* Queues the journal's index rows of a posted entry (index_runs.h), and writes the queued
   ones into ctx->txn now (before a scan of the index tables; 0 or a store error). */
void tx_ctx_index_entry(tx_ctx_t *ctx, const Lumbung__JournalEntry *entry, int32_t date);
int tx_ctx_write_index(tx_ctx_t *ctx);

/* Emits every queued item, in order, as lumbung.Event messages through `emit`, which returns
   the sequence or a negative error, then writes the changed accounts (tx_ctx_write_accounts),
   savings records and index rows.
   Returns 0 or the first error. Clears the queue. */
int tx_ctx_flush(tx_ctx_t *ctx, tx_emit_fn emit, void *arg);

/* Text helpers in the arena for messages: "150000.50", "2025-01-31" (fields carry sen and day
   numbers; only a sentence for a person holds the text). */
const char *tx_money_text(tx_ctx_t *ctx, int64_t sen);
const char *tx_date_text(tx_ctx_t *ctx, int32_t days);
/* The text of the date field `f` of message `m`, or `fallback` when absent. */
#define TX_DATE_TEXT_OR(ctx, m, f, fallback) \
    ((m)->has_##f ? tx_date_text((ctx), (m)->f) : (fallback))

/* An optional date field of a request (a day number, pb_date.h): absent gives ctx->today; a
   day outside DATE_MIN..DATE_MAX is ERR_REJECTED invalid_date naming `field`, as the gateway
   words a date out of range. */
int tx_date_field(tx_ctx_t *ctx, bool has, int32_t days, const char *field, int32_t *out,
                  problem_t *err);
/* tx_date_field() of the field `f` of request `r`, named by itself. */
#define TX_DATE_FIELD(ctx, r, f, out, err) \
    tx_date_field((ctx), (r)->has_##f, (r)->f, #f, (out), (err))

#endif
