#include "replica.h"
#include "app.h"
#include "date.h"
#include "ledger.h"
#include "lending.h"
#include "log.h"
#include "mandatory.h"
#include "outbox.h"
#include "owner.h"
#include "savings.h"

#include <assert.h>
#include <inttypes.h>
#include <string.h>

#define MB(x) LUMBUNG__MEMBERS_EVENT__BODY_##x

uint8_t tx_replica_period_months(Lumbung__MandatoryPeriod period) {
    return (uint8_t) mandatory_period_months(period);      /* common/mandatory.c */
}

/* Settings absent from the event keep their defaults (docs/domain.md): zero amounts, monthly. */
static int apply_cooperative(tx_ctx_t *ctx, const Lumbung__Cooperative *c, uint64_t seq) {
    if (!c || !c->has_id || c->id == 0) return 0;
    tx_coop_t rec = { .period_months = 1, .members_seq = seq };
    const Lumbung__CooperativeSettings *s = c->settings;
    if (s) {
        if (s->has_principal_amount_sen) rec.principal_sen = s->principal_amount_sen;
        if (s->has_mandatory_amount_sen) rec.mandatory_sen = s->mandatory_amount_sen;
        if (s->has_mandatory_period) rec.period_months = tx_replica_period_months(s->mandatory_period);
        if (s->has_voluntary_min_balance_sen) rec.voluntary_min_sen = s->voluntary_min_balance_sen;
        int offset = date_zone_offset_minutes(s->time_zone);
        if (offset > 0) rec.zone_hours = (uint8_t) (offset / 60);
    }
    int rc = tx_store_put_coop(ctx->db, ctx->txn, c->id, &rec);
    tx_coop_cache_forget(&ctx->coop);   /* the record just changed */
    return rc != 0 ? rc : tx_ledger_create_chart(ctx, c->id);
}

/* A member whose status turns to exited (by member_exited or, defensively, by an update that
   carries the exited status) is settled in the same transaction. */
static int apply_member(tx_ctx_t *ctx, const Lumbung__Member *m, uint64_t seq, problem_t *err) {
    if (!m || !m->has_id || m->id == 0) return 0;
    tx_member_t before, rec = { .status = TX_MEMBER_ACTIVE };
    int rc = tx_store_get_member(ctx->db, ctx->txn, m->id, &before);
    if (rc != 0 && rc != ERR_NOT_FOUND) return rc;
    bool known = rc == 0;
    rec.coop = m->has_cooperative_id ? m->cooperative_id : (known ? before.coop : 0);
    rec.joined_on = PB_DATE_OR(m, joined_on, known ? before.joined_on : ctx->today);
    bool exited = m->has_status && m->status == LUMBUNG__MEMBER_STATUS__MEMBER_STATUS_EXITED;
    if (exited) {
        rec.status = TX_MEMBER_EXITED;
        rec.exited_on = PB_DATE_OR(m, exit_on, ctx->today);
    }
    if ((rc = tx_store_put_member(ctx->db, ctx->txn, m->id, &rec)) != 0) return rc;
    if (!exited) return 0;
    /* An application of a member who leaves will never be disbursed. */
    if ((rc = tx_loans_cancel_member(ctx, m->id, rec.exited_on)) != 0) return rc;
    Lumbung__Settlement *st;
    rc = tx_savings_settle(ctx, m->id, rec.exited_on, seq, &st, err);
    if (rc == 0 && !(known && before.status == TX_MEMBER_EXITED))
        log_info(0, "transactions: member %" PRIu64 " settled: refund %s, debts %s, entry %" PRIu64,
                 m->id, tx_money_text(ctx, st->refund_sen), tx_money_text(ctx, st->debts_sen),
                 st->entry_id);
    return rc;
}

int tx_replica_apply_event(tx_ctx_t *ctx, const Lumbung__MembersEvent *ev, uint64_t seq,
                           problem_t *err) {
    assert(ctx && ev && err);
    switch (ev->body_case) {
    case MB(COOPERATIVE_CREATED): return apply_cooperative(ctx, ev->cooperative_created, seq);
    case MB(COOPERATIVE_UPDATED): return apply_cooperative(ctx, ev->cooperative_updated, seq);
    case MB(BOARD_UPDATED): return apply_cooperative(ctx, ev->board_updated, seq);
    case MB(MEMBER_JOINED): return apply_member(ctx, ev->member_joined, seq, err);
    case MB(MEMBER_UPDATED): return apply_member(ctx, ev->member_updated, seq, err);
    case MB(MEMBER_EXITED): return apply_member(ctx, ev->member_exited, seq, err);
    default: return 0;
    }
}

/* ------------------------------------------------------------------ follower callbacks */

typedef struct {
    tx_app_t *app;
    store_txn_t *txn;
    Lumbung__Actor *actor;      /* who caused the members event causes ours too */
} emit_arg_t;

static int64_t emit_to_outbox(void *arg, Lumbung__Event *event, const pb_splice_field_t *body) {
    emit_arg_t *e = arg;
    event->actor = e->actor;
    return outbox_append_packed(service_outbox(e->app->service), e->txn, event, body);
}

int tx_replica_apply(void *arg, store_txn_t *txn, const Lumbung__Event *event) {
    tx_app_t *app = arg;
    if (event->body_case != LUMBUNG__EVENT__BODY_MEMBERS || !event->members) return 0;
    /* Each shard keeps the replica of its own cooperatives only; the cursor still advances. */
    if (!tx_owner_follows(app->shard, event->members)) return 0;
    arena_reset(app->replica_arena);
    tx_ctx_t ctx;
    tx_ctx_init(&ctx, &app->db, txn, app->replica_arena,
                event->actor && event->actor->user ? event->actor->user : "members");
    problem_t err = { 0 };
    int rc = tx_replica_apply_event(&ctx, event->members, event->seq, &err);
    if (rc == ERR_REJECTED)
        log_error(0, "transactions: members event %" PRIu64 " cannot be applied: %s (%s)",
                  event->seq, err.message, err.code);
    if (rc != 0) return rc;
    emit_arg_t emit = { app, txn, event->actor };
    return tx_ctx_flush(&ctx, emit_to_outbox, &emit);
}

void tx_replica_advanced(void *arg, uint64_t cursor) {
    tx_app_t *app = arg;
    (void) cursor;
    service_replica_advanced(app->service);
}
