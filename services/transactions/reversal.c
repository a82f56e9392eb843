#include "reversal.h"
#include "bytes.h"
#include "ledger.h"
#include "savings.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define INVALID LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID
#define RULE LUMBUNG__ERROR_KIND__ERROR_KIND_RULE

static int check_reversible(tx_ctx_t *ctx, const Lumbung__JournalEntry *orig, problem_t *err) {
    if (orig->kind == LUMBUNG__ENTRY_KIND__ENTRY_KIND_REVERSAL)
        return problem_set(err, RULE, "cannot_reverse_reversal", "entry_id",
                         "entry %" PRIu64 " is itself a reversal (of entry %" PRIu64
                         "); post a new entry instead", orig->id, orig->reverses_id);
    if (orig->kind == LUMBUNG__ENTRY_KIND__ENTRY_KIND_EXIT_SETTLEMENT)
        return problem_set(err, RULE, "settlement_final", "entry_id",
                         "entry %" PRIu64 " settles a member's exit and cannot be reversed",
                         orig->id);
    if (orig->kind == LUMBUNG__ENTRY_KIND__ENTRY_KIND_OPENING)
        return problem_set(err, RULE, "opening_final", "entry_id",
                         "entry %" PRIu64 " holds the opening balances and members' savings; "
                         "correct it with a manual entry, a deposit or a withdrawal", orig->id);
    if (orig->loan_id)
        return problem_set(err, RULE, "loan_entry", "entry_id",
                         "entry %" PRIu64 " moves loan %" PRIu64 "; loan entries cannot be "
                         "reversed", orig->id, orig->loan_id);
    if (orig->time_deposit_id)
        return problem_set(err, RULE, "time_deposit_entry", "entry_id",
                         "entry %" PRIu64 " opens or closes time deposit %" PRIu64
                         "; time deposit entries cannot be reversed", orig->id,
                         orig->time_deposit_id);
    uint8_t key[8];
    be64_write(key, orig->id);
    const void *v;
    size_t vl;
    int rc = store_get(ctx->txn, ctx->db->reversals, key, sizeof key, &v, &vl);
    if (rc == 0 && vl == 8)
        return problem_set(err, RULE, "already_reversed", "entry_id",
                         "entry %" PRIu64 " was already reversed by entry %" PRIu64, orig->id,
                         be64_read(v));
    return rc == ERR_NOT_FOUND ? 0 : rc;
}

static Lumbung__JournalEntry *mirror(tx_ctx_t *ctx, const Lumbung__JournalEntry *orig,
                                     int32_t date, const char *memo) {
    char text[TX_MEMO_MAX + 1];
    if (!memo || !*memo) {
        snprintf(text, sizeof text, "Pembalikan jurnal %" PRIu64, orig->id);
        memo = text;
    }
    Lumbung__JournalEntry *e = tx_ledger_entry_new(ctx, orig->cooperative_id, date, memo,
                                                   LUMBUNG__ENTRY_KIND__ENTRY_KIND_REVERSAL,
                                                   orig->n_lines);
    for (size_t i = 0; i < orig->n_lines; i++) {
        const Lumbung__JournalLine *l = orig->lines[i];
        tx_ledger_add(ctx, e, l->account, l->has_credit_sen ? l->credit_sen : 0,
                      l->has_debit_sen ? l->debit_sen : 0);
    }
    e->has_reverses_id = 1;
    e->reverses_id = orig->id;
    e->has_member_id = orig->has_member_id;
    e->member_id = orig->member_id;
    e->has_savings_kind = orig->has_savings_kind;
    e->savings_kind = orig->savings_kind;
    if (orig->has_savings_delta_sen) {
        e->has_savings_delta_sen = 1;
        e->savings_delta_sen = -orig->savings_delta_sen;
    }
    return e;
}

int tx_reversal_post(tx_ctx_t *ctx, const Lumbung__ReverseEntry *req,
                     Lumbung__JournalEntry **out, problem_t *err) {
    Lumbung__JournalEntry *orig;
    int rc = tx_ledger_get_entry(ctx, req->cooperative_id, req->entry_id, &orig, err);
    int32_t date;
    if (rc == 0) rc = TX_DATE_FIELD(ctx, req, value_date, &date, err);
    if (rc == 0 && req->memo && strlen(req->memo) > TX_MEMO_MAX)
        rc = problem_set(err, INVALID, "too_long", "memo", "memo has at most %d bytes",
                       TX_MEMO_MAX);
    if (rc == 0) rc = check_reversible(ctx, orig, err);
    if (rc != 0) return rc;
    Lumbung__JournalEntry *e = mirror(ctx, orig, date, req->memo);
    tx_savings_effect_t effect;
    if ((rc = tx_savings_reversal_check(ctx, e, &effect, err)) != 0) return rc;
    if ((rc = tx_ledger_check(ctx, e, false, err)) != 0) return rc;
    if ((rc = tx_ledger_apply(ctx, e, date)) != 0) return rc;
    if ((rc = tx_savings_effect_apply(ctx, &effect)) != 0) return rc;
    uint8_t key[8], val[8];
    be64_write(key, orig->id);
    be64_write(val, e->id);
    if ((rc = store_put(ctx->txn, ctx->db->reversals, key, 8, val, 8, 0)) != 0) return rc;
    *out = e;
    return 0;
}
