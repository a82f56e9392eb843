#include "context.h"
#include "date.h"
#include "envelope.h"
#include "money.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum { PENDING_INITIAL = 16 };

void tx_ctx_init(tx_ctx_t *ctx, tx_store_t *db, store_txn_t *txn, arena_t *arena,
                 const char *actor) {
    assert(ctx && db && txn && arena);
    memset(ctx, 0, sizeof *ctx);
    ctx->db = db;
    ctx->txn = txn;
    ctx->arena = arena;
    ctx->actor = actor;
    ctx->now_ms = envelope_now_ms();
    ctx->today = date_today_utc();
}

/* Grows by doubling inside the arena; the old array is simply left behind until the arena
   resets, which costs at most the size of the final array again. */
static int queue(tx_ctx_t *ctx, tx_pending_t item) {
    if (ctx->pending_count == ctx->pending_cap) {
        if (ctx->pending_cap >= TX_PENDING_MAX) return -ENOBUFS;
        size_t cap = ctx->pending_cap ? ctx->pending_cap * 2 : PENDING_INITIAL;
        tx_pending_t *grown = arena_alloc(ctx->arena, cap * sizeof *grown);
        if (ctx->pending_count)
            memcpy(grown, ctx->pending, ctx->pending_count * sizeof *grown);
        ctx->pending = grown;
        ctx->pending_cap = cap;
    }
    ctx->pending[ctx->pending_count++] = item;
    return 0;
}

int tx_ctx_queue_entry(tx_ctx_t *ctx, Lumbung__JournalEntry *entry) {
    assert(entry);
    return queue(ctx, (tx_pending_t) { .entry = entry });
}

int tx_ctx_queue_event(tx_ctx_t *ctx, Lumbung__TransactionsEvent *event) {
    assert(event && event->body_case != LUMBUNG__TRANSACTIONS_EVENT__BODY__NOT_SET);
    return queue(ctx, (tx_pending_t) { .event = event });
}

Lumbung__TransactionsEvent *tx_ctx_event(tx_ctx_t *ctx) {
    return arena_message(ctx->arena, &lumbung__transactions_event__descriptor);
}

tx_mark_t tx_ctx_mark(const tx_ctx_t *ctx) {
    return (tx_mark_t) { ctx->pending_count, ctx->next_entry_id, ctx->undo_count };
}

void tx_ctx_rollback(tx_ctx_t *ctx, tx_mark_t mark) {
    assert(mark.pending <= ctx->pending_count);
    ctx->pending_count = mark.pending;
    ctx->next_entry_id = mark.next_entry_id;
    while (ctx->undo_count > mark.undo) {       /* none left after tx_ctx_write_accounts */
        const tx_account_undo_t *u = &ctx->undo[--ctx->undo_count];
        ctx->accounts[u->slot].a = u->before;
    }
}

/* ---- the accounts of the unit of work ---- */

static tx_cached_account_t *cached_account(tx_ctx_t *ctx, uint64_t coop, const char *code) {
    for (size_t i = 0; i < ctx->account_count; i++)
        if (ctx->accounts[i].coop == coop && !strcmp(ctx->accounts[i].code, code))
            return &ctx->accounts[i];
    return NULL;
}

int tx_ctx_get_account(tx_ctx_t *ctx, uint64_t coop, const char *code, tx_account_t *out) {
    const tx_cached_account_t *c = code ? cached_account(ctx, coop, code) : NULL;
    if (!c) return tx_store_get_account(ctx->db, ctx->txn, coop, code, out);
    *out = c->a;
    return 0;
}

static void remember_undo(tx_ctx_t *ctx, size_t slot, const tx_account_t *before) {
    if (ctx->undo_count == ctx->undo_cap) {
        size_t cap = ctx->undo_cap ? ctx->undo_cap * 2 : PENDING_INITIAL;
        tx_account_undo_t *grown = arena_alloc(ctx->arena, cap * sizeof *grown);
        if (ctx->undo_count) memcpy(grown, ctx->undo, ctx->undo_count * sizeof *grown);
        ctx->undo = grown;
        ctx->undo_cap = cap;
    }
    ctx->undo[ctx->undo_count++] = (tx_account_undo_t) { slot, *before };
}

int tx_ctx_put_account(tx_ctx_t *ctx, uint64_t coop, const char *code, const tx_account_t *a) {
    tx_cached_account_t *c = cached_account(ctx, coop, code);
    if (!c) {
        tx_account_t stored;
        if (!ctx->accounts)
            ctx->accounts = arena_alloc(ctx->arena, TX_ACCOUNT_CACHE * sizeof *ctx->accounts);
        /* Full: this account is written at once, into the txn of the moment, so an aborted
           child takes the write with it as it would without the cache. */
        if (ctx->account_count == TX_ACCOUNT_CACHE)
            return tx_store_put_account(ctx->db, ctx->txn, coop, code, a);
        int rc = tx_store_get_account(ctx->db, ctx->txn, coop, code, &stored);
        if (rc != 0) return rc;                          /* only existing accounts change here */
        c = &ctx->accounts[ctx->account_count++];
        *c = (tx_cached_account_t) { coop, arena_strdup(ctx->arena, code), stored };
    }
    remember_undo(ctx, (size_t) (c - ctx->accounts), &c->a);
    c->a = *a;
    return 0;
}

/* Every cached account is written. After a write the cache is empty: later reads see the
   store, which now holds the same. Not inside a linked chain's child txn (its abort would
   take writes of earlier postings with it): only at the end of the unit of work or before a
   scan of the accounts table. */
int tx_ctx_write_accounts(tx_ctx_t *ctx) {
    for (size_t i = 0; i < ctx->account_count; i++) {
        const tx_cached_account_t *c = &ctx->accounts[i];
        int rc = tx_store_put_account(ctx->db, ctx->txn, c->coop, c->code, &c->a);
        if (rc != 0) return rc;
    }
    ctx->account_count = 0;
    ctx->undo_count = 0;
    return 0;
}

static int64_t emit_body(tx_ctx_t *ctx, Lumbung__TransactionsEvent *body, tx_emit_fn emit,
                         void *arg) {
    Lumbung__Event *ev = arena_message(ctx->arena, &lumbung__event__descriptor);
    ev->body_case = LUMBUNG__EVENT__BODY_TRANSACTIONS;
    ev->transactions = body;
    return emit(arg, ev);
}

/* An upper bound of an entry's packed size, from its strings and a fixed allowance for every
   varint field, so grouping needs no packing. */
static size_t entry_size_bound(const Lumbung__JournalEntry *e) {
    size_t n = 192 + (e->memo ? strlen(e->memo) : 0) + (e->posted_by ? strlen(e->posted_by) : 0);
    for (size_t i = 0; i < e->n_lines; i++) {
        const Lumbung__JournalLine *l = e->lines[i];
        n += 48 + (l->account ? strlen(l->account) : 0) + (l->memo ? strlen(l->memo) : 0);
    }
    return n;
}

/* Consecutive entries share one EntriesPosted event, up to TX_EVENT_ENTRIES_MAX entries and
   about TX_EVENT_BYTES_MAX bytes (one entry alone may be bigger; it is at most ~30 KB). */
int tx_ctx_flush(tx_ctx_t *ctx, tx_emit_fn emit, void *arg) {
    size_t i = 0;
    while (i < ctx->pending_count) {
        Lumbung__TransactionsEvent *body = ctx->pending[i].event;
        if (body) {
            i++;
        } else {
            size_t n = 0, bytes = 0;
            while (i + n < ctx->pending_count && ctx->pending[i + n].entry &&
                   n < TX_EVENT_ENTRIES_MAX) {
                bytes += entry_size_bound(ctx->pending[i + n].entry);
                if (n > 0 && bytes > TX_EVENT_BYTES_MAX) break;
                n++;
            }
            Lumbung__EntriesPosted *posted =
                arena_message(ctx->arena, &lumbung__entries_posted__descriptor);
            posted->n_entries = n;
            posted->entries = arena_alloc(ctx->arena, n * sizeof *posted->entries);
            for (size_t j = 0; j < n; j++) posted->entries[j] = ctx->pending[i + j].entry;
            body = tx_ctx_event(ctx);
            body->body_case = LUMBUNG__TRANSACTIONS_EVENT__BODY_ENTRIES_POSTED;
            body->entries_posted = posted;
            i += n;
        }
        int64_t seq = emit_body(ctx, body, emit, arg);
        if (seq < 0) return (int) seq;
    }
    ctx->pending_count = 0;
    return tx_ctx_write_accounts(ctx);     /* the same txn: the order of the puts is free */
}

const char *tx_money_text(tx_ctx_t *ctx, int64_t sen) {
    char buf[MONEY_FORMAT_MAX];
    money_format(sen, buf, sizeof buf);
    return arena_strdup(ctx->arena, buf);
}

/* Postings of one request nearly always share a value date: format it once. */
const char *tx_date_text(tx_ctx_t *ctx, int32_t days) {
    if (ctx->date_text && ctx->date_cached == days) return ctx->date_text;
    char buf[DATE_FORMAT_MAX];
    date_format(days, buf, sizeof buf);
    ctx->date_cached = days;
    ctx->date_text = arena_strdup(ctx->arena, buf);
    return ctx->date_text;
}

int tx_parse_date(tx_ctx_t *ctx, const char *text, const char *field, int32_t *days,
                  problem_t *err) {
    if (!text || !*text) {
        *days = ctx->today;
        return 0;
    }
    int rc = date_parse(text, days);
    if (rc != 0)
        return problem_set(err, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "invalid_date", field,
                         "%s %s", field, date_error_text(rc));
    return 0;
}
