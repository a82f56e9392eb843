/*  tx context — what one unit of work of the transactions service carries: the tables, the
    transaction to read and write in, the arena for everything built on the way, a typed error
    for business rejections, and the events to publish once the work is done.

    A unit of work is one request (handlers.c), one posting chain of a batch (batch.c), or one
    members event applied by the replica (replica.c). Rules code reads and writes through
    ctx->txn only; the batch swaps in a child txn for a linked chain and rolls the pending
    events back with tx_ctx_rollback() when the chain fails. Posted entries queue up and are
    grouped into EntriesPosted events of at most TX_EVENT_ENTRIES_MAX entries (and about
    TX_EVENT_BYTES_MAX bytes) at flush time, so a batch of thousands of postings makes a few
    dozen events, not thousands.

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

enum {
    TX_EVENT_ENTRIES_MAX = 256,     /* entries in one EntriesPosted event */
    TX_EVENT_BYTES_MAX = 256 * 1024,/* and their estimated size, well under OUTBOX_EVENT_MAX */
    TX_PENDING_MAX = 65536,         /* queued events and entries of one unit of work */
};

typedef struct {
    Lumbung__JournalEntry *entry;       /* exactly one of the two is set */
    Lumbung__TransactionsEvent *event;
} tx_pending_t;

enum { TX_ROLE_CACHE = 8 };

/* A role's posting account, remembered for the unit of work: a role's account is set once
   (when the first account with that role is opened) and never changes afterwards. */
typedef struct {
    uint64_t coop;
    int role;
    const char *code;               /* in the arena */
} tx_role_cache_t;

typedef struct tx_ledger_plan tx_ledger_plan_t;   /* ledger.c: the last checked entry */

enum { TX_ACCOUNT_CACHE = 32 };

/* An account's totals as this unit of work changed them, written to the store once at
   tx_ctx_flush (a batch of thousands of postings moves the same few accounts). */
typedef struct {
    uint64_t coop;
    const char *code;               /* in the arena */
    tx_account_t a;
} tx_cached_account_t;

/* What a put replaced, so tx_ctx_rollback() can undo the puts after a mark. */
typedef struct {
    size_t slot;
    tx_account_t before;
} tx_account_undo_t;

typedef struct {
    tx_store_t *db;
    store_txn_t *txn;
    arena_t *arena;
    const char *actor;              /* posted_by; may be NULL */
    int64_t now_ms;
    int32_t today;                  /* default value date: UTC at init, then the local today of
                                       the cooperative last looked up (tx_ledger_coop) */
    tx_pending_t *pending;          /* in the arena */
    size_t pending_count, pending_cap;
    /* Caches for the unit of work; a batch of thousands of postings repeats these lookups. */
    uint64_t next_entry_id;         /* 0: read it from the txn; restored by tx_ctx_rollback() */
    tx_role_cache_t roles[TX_ROLE_CACHE];
    unsigned role_count;
    uint64_t coop_cached;           /* 0: none; cooperatives change only through the replica */
    tx_coop_t coop;
    tx_ledger_plan_t *plan;         /* in the arena, made on first use */
    tx_cached_account_t *accounts;  /* in the arena, made on first use; TX_ACCOUNT_CACHE */
    size_t account_count;
    tx_account_undo_t *undo;        /* in the arena, grown by doubling */
    size_t undo_count, undo_cap;
} tx_ctx_t;

/* What tx_ctx_rollback() restores: queued items and the entry id counter. */
typedef struct {
    size_t pending;
    uint64_t next_entry_id;
    size_t undo;
} tx_mark_t;

/* Prepares ctx for a unit of work; nothing is allocated until something is queued. */
void tx_ctx_init(tx_ctx_t *ctx, tx_store_t *db, store_txn_t *txn, arena_t *arena,
                 const char *actor);

/* Queues a posted entry or another event. -ENOBUFS past TX_PENDING_MAX. */
int tx_ctx_queue_entry(tx_ctx_t *ctx, Lumbung__JournalEntry *entry);
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

/* Emits every queued item, in order, as lumbung.Event messages through `emit`, which returns
   the sequence or a negative error, then writes the changed accounts (tx_ctx_write_accounts).
   Returns 0 or the first error. Clears the queue. */
typedef int64_t (*tx_emit_fn)(void *arg, Lumbung__Event *event);
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
