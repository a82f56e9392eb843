#include "context.h"
#include "date.h"
#include "envelope.h"
#include "money.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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

int tx_ctx_queue_entry(tx_ctx_t *ctx, const uint8_t *packed, size_t len) {
    assert(packed && len > 0);
    return tx_event_queue_push(&ctx->events, ctx->arena,
                               (tx_pending_t) { .entry = packed, .entry_len = len });
}

int tx_ctx_queue_event(tx_ctx_t *ctx, Lumbung__TransactionsEvent *event) {
    assert(event && event->body_case != LUMBUNG__TRANSACTIONS_EVENT__BODY__NOT_SET);
    return tx_event_queue_push(&ctx->events, ctx->arena, (tx_pending_t) { .event = event });
}

Lumbung__TransactionsEvent *tx_ctx_event(tx_ctx_t *ctx) {
    return arena_message(ctx->arena, &lumbung__transactions_event__descriptor);
}

tx_mark_t tx_ctx_mark(const tx_ctx_t *ctx) {
    return (tx_mark_t) { tx_event_queue_count(&ctx->events), ctx->next_entry_id,
                         tx_account_cache_mark(&ctx->accounts),
                         tx_savings_cache_mark(&ctx->savings),
                         tx_index_runs_count(&ctx->index) };
}

void tx_ctx_rollback(tx_ctx_t *ctx, tx_mark_t mark) {
    tx_event_queue_truncate(&ctx->events, mark.pending);
    ctx->next_entry_id = mark.next_entry_id;
    tx_account_cache_rollback(&ctx->accounts, mark.undo);
    tx_savings_cache_rollback(&ctx->savings, mark.savings_undo);
    tx_index_runs_truncate(&ctx->index, mark.index);
}

int tx_ctx_get_account(tx_ctx_t *ctx, uint64_t coop, const char *code, tx_account_t *out) {
    return tx_account_cache_get(&ctx->accounts, ctx->db, ctx->txn, coop, code, out);
}

int tx_ctx_put_account(tx_ctx_t *ctx, uint64_t coop, const char *code, const tx_account_t *a) {
    return tx_account_cache_put(&ctx->accounts, ctx->db, ctx->txn, ctx->arena, coop, code, a);
}

int tx_ctx_write_accounts(tx_ctx_t *ctx) {
    return tx_account_cache_write(&ctx->accounts, ctx->db, ctx->txn);
}

int tx_ctx_get_savings(tx_ctx_t *ctx, uint64_t member, int kind, tx_savings_t *out) {
    return tx_savings_cache_get(&ctx->savings, ctx->db, ctx->txn, ctx->arena, member, kind, out);
}

int tx_ctx_put_savings(tx_ctx_t *ctx, uint64_t member, int kind, const tx_savings_t *s) {
    return tx_savings_cache_put(&ctx->savings, ctx->db, ctx->txn, ctx->arena, member, kind, s);
}

void tx_ctx_index_entry(tx_ctx_t *ctx, const Lumbung__JournalEntry *e, int32_t date) {
    for (size_t i = 0; i < e->n_lines; i++)
        tx_index_runs_push(&ctx->index, ctx->arena, e->cooperative_id, e->lines[i]->account,
                           date, e->id);
    tx_index_runs_push(&ctx->index, ctx->arena, e->cooperative_id, NULL, date, e->id);
}

int tx_ctx_write_index(tx_ctx_t *ctx) {
    return tx_index_runs_write(&ctx->index, ctx->db, ctx->txn);
}

int tx_ctx_flush(tx_ctx_t *ctx, tx_emit_fn emit, void *arg) {
    int rc = tx_event_queue_flush(&ctx->events, ctx->arena, emit, arg);
    if (rc != 0) return rc;
    /* The same txn: the order of the puts is free. */
    if ((rc = tx_ctx_write_accounts(ctx)) != 0) return rc;
    if ((rc = tx_ctx_write_index(ctx)) != 0) return rc;
    return tx_savings_cache_write(&ctx->savings, ctx->db, ctx->txn);
}

const char *tx_money_text(tx_ctx_t *ctx, int64_t sen) {
    char buf[MONEY_FORMAT_MAX];
    money_format(sen, buf, sizeof buf);
    return arena_strdup(ctx->arena, buf);
}

const char *tx_date_text(tx_ctx_t *ctx, int32_t days) {
    return date_text(ctx->arena, days);
}

int tx_date_field(tx_ctx_t *ctx, bool has, int32_t days, const char *field, int32_t *out,
                  problem_t *err) {
    if (!has) {
        *out = ctx->today;
        return 0;
    }
    if (!pb_date_valid(days))
        return problem_set(err, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "invalid_date", field,
                           "%s %s", field, date_error_text(ERR_DATE_RANGE));
    *out = days;
    return 0;
}
