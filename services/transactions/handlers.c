#include "handlers.h"
#include "access.h"
#include "app.h"
#include "batch.h"
#include "envelope.h"
#include "ledger.h"
#include "lending.h"
#include "log.h"
#include "owner.h"
#include "reversal.h"
#include "savings.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#define FORBIDDEN LUMBUNG__ERROR_KIND__ERROR_KIND_FORBIDDEN
#define INVALID LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID
#define ROLE(x) LUMBUNG__ROLE__ROLE_##x
#define OP(x) LUMBUNG__TRANSACTIONS_REQUEST__OP_##x
#define RES(x) LUMBUNG__TRANSACTIONS_REPLY__RESULT_##x

/* Which cooperative an operation concerns, and whether it writes. */
static bool op_scope(const Lumbung__TransactionsRequest *r, uint64_t *coop, bool *write) {
    *write = false;
    switch (r->op_case) {
    case OP(GET_MEMBER_ACCOUNTS): *coop = r->get_member_accounts->cooperative_id; return true;
    case OP(LIST_ACCOUNTS): *coop = r->list_accounts->cooperative_id; return true;
    case OP(LIST_JOURNAL): *coop = r->list_journal->cooperative_id; return true;
    case OP(GET_ENTRY): *coop = r->get_entry->cooperative_id; return true;
    case OP(TRIAL_BALANCE): *coop = r->trial_balance->cooperative_id; return true;
    case OP(GET_SETTLEMENT): *coop = r->get_settlement->cooperative_id; return true;
    case OP(GET_LOAN): *coop = r->get_loan->cooperative_id; return true;
    case OP(LIST_LOANS): *coop = r->list_loans->cooperative_id; return true;
    default: break;
    }
    *write = true;
    switch (r->op_case) {
    case OP(DEPOSIT): *coop = r->deposit->cooperative_id; return true;
    case OP(WITHDRAW): *coop = r->withdraw->cooperative_id; return true;
    case OP(ADD_ACCOUNT): *coop = r->add_account->cooperative_id; return true;
    case OP(POST_ENTRY): *coop = r->post_entry->cooperative_id; return true;
    case OP(REVERSE_ENTRY): *coop = r->reverse_entry->cooperative_id; return true;
    case OP(POST_BATCH): *coop = r->post_batch->cooperative_id; return true;
    case OP(CREATE_LOAN): *coop = r->create_loan->cooperative_id; return true;
    case OP(POST_DISBURSEMENT): *coop = r->post_disbursement->cooperative_id; return true;
    case OP(POST_REPAYMENT): *coop = r->post_repayment->cooperative_id; return true;
    case OP(CLOSE_DAY): *coop = r->close_day->cooperative_id; return true;
    case OP(CANCEL_LOAN): *coop = r->cancel_loan->cooperative_id; return true;
    case OP(WRITE_OFF_LOAN): *coop = r->write_off_loan->cooperative_id; return true;
    case OP(POST_RECOVERY): *coop = r->post_recovery->cooperative_id; return true;
    case OP(POST_OPENING): *coop = r->post_opening->cooperative_id; return true;
    default: return false;
    }
}

static int run_read(tx_ctx_t *ctx, const Lumbung__TransactionsRequest *r,
                    Lumbung__TransactionsReply *out, problem_t *err) {
    switch (r->op_case) {
    case OP(GET_MEMBER_ACCOUNTS):
        out->result_case = RES(MEMBER_ACCOUNTS);
        return tx_savings_member_accounts(ctx, r->get_member_accounts, &out->member_accounts,
                                          err);
    case OP(LIST_ACCOUNTS):
        out->result_case = RES(ACCOUNTS);
        return tx_ledger_list_accounts(ctx, r->list_accounts->cooperative_id, &out->accounts,
                                       err);
    case OP(LIST_JOURNAL):
        out->result_case = RES(JOURNAL);
        return tx_ledger_list_journal(ctx, r->list_journal, &out->journal, err);
    case OP(GET_ENTRY):
        out->result_case = RES(ENTRY);
        return tx_ledger_get_entry(ctx, r->get_entry->cooperative_id, r->get_entry->entry_id,
                                   &out->entry, err);
    case OP(TRIAL_BALANCE):
        out->result_case = RES(TRIAL_BALANCE);
        return tx_ledger_trial_balance(ctx, r->trial_balance->cooperative_id,
                                       &out->trial_balance, err);
    case OP(GET_SETTLEMENT):
        out->result_case = RES(SETTLEMENT);
        return tx_savings_get_settlement(ctx, r->get_settlement->cooperative_id,
                                         r->get_settlement->member_id, &out->settlement, err);
    case OP(GET_LOAN):
        out->result_case = RES(LOAN);
        return tx_loans_get(ctx, r->get_loan, &out->loan, err);
    case OP(LIST_LOANS):
        out->result_case = RES(LOANS);
        return tx_loans_list(ctx, r->list_loans, &out->loans, err);
    default:
        assert(0 && "op_scope() and run_read() disagree");
        return -ENOSYS;
    }
}

/* A loan write while the cooperative's close-day is under way would change what it adds up. */
static bool changes_loans(const Lumbung__TransactionsRequest *r) {
    switch (r->op_case) {
    case OP(CREATE_LOAN): case OP(POST_DISBURSEMENT): case OP(POST_REPAYMENT):
    case OP(CANCEL_LOAN): case OP(WRITE_OFF_LOAN): case OP(POST_RECOVERY):
        return true;
    default:
        return false;
    }
}

static int run_write(tx_app_t *app, tx_ctx_t *ctx, const Lumbung__Actor *actor,
                     const Lumbung__TransactionsRequest *r, Lumbung__TransactionsReply *out,
                     problem_t *err) {
    switch (r->op_case) {
    case OP(DEPOSIT):
        out->result_case = RES(SAVINGS);
        return tx_savings_move(ctx, r->deposit, true, &out->savings, err);
    case OP(WITHDRAW):
        out->result_case = RES(SAVINGS);
        return tx_savings_move(ctx, r->withdraw, false, &out->savings, err);
    case OP(ADD_ACCOUNT):
        out->result_case = RES(ACCOUNT);
        return tx_ledger_add_account(ctx, r->add_account, &out->account, err);
    case OP(POST_ENTRY):
        out->result_case = RES(ENTRY);
        return tx_ledger_post_manual(ctx, r->post_entry, &out->entry, err);
    case OP(REVERSE_ENTRY):
        out->result_case = RES(ENTRY);
        return tx_reversal_post(ctx, r->reverse_entry, &out->entry, err);
    case OP(POST_BATCH):
        out->result_case = RES(BATCH);
        return tx_batch_post(ctx, actor, r->post_batch, &out->batch, err);
    case OP(CREATE_LOAN):
        out->result_case = RES(LOAN);
        return tx_loans_apply(ctx, r->create_loan, &out->loan, err);
    case OP(POST_DISBURSEMENT):
        out->result_case = RES(DISBURSEMENT);
        return tx_loans_disburse(ctx, r->post_disbursement, &out->disbursement, err);
    case OP(POST_REPAYMENT):
        out->result_case = RES(REPAYMENT);
        return tx_loans_repay(ctx, r->post_repayment, &out->repayment, err);
    case OP(CLOSE_DAY):
        out->result_case = RES(CLOSE_DAY);
        return tx_loans_close_day(ctx, r->close_day, app->close_step_loans, &out->close_day,
                                  err);
    case OP(CANCEL_LOAN):
        out->result_case = RES(CANCELLED_LOAN);
        return tx_loans_cancel(ctx, r->cancel_loan, &out->cancelled_loan, err);
    case OP(WRITE_OFF_LOAN):
        out->result_case = RES(WRITE_OFF);
        return tx_loans_write_off(ctx, r->write_off_loan, &out->write_off, err);
    case OP(POST_RECOVERY):
        out->result_case = RES(RECOVERY);
        return tx_loans_recover(ctx, r->post_recovery, &out->recovery, err);
    case OP(POST_OPENING):
        out->result_case = RES(OPENING);
        return tx_savings_post_opening(ctx, r->post_opening, &out->opening, err);
    default:
        return run_read(ctx, r, out, err);
    }
}

static int64_t emit_call(void *arg, Lumbung__Event *event) {
    return service_call_emit(arg, event);
}

int tx_handlers_handle(void *arg, service_call_t *call) {
    tx_app_t *app = arg;
    const Lumbung__Request *req = service_call_request(call);
    if (req->body_case != LUMBUNG__REQUEST__BODY_TRANSACTIONS || !req->transactions)
        return service_call_fail(call, INVALID, "unknown_body", NULL,
                                 "the transactions service answers TransactionsRequest only");
    const Lumbung__TransactionsRequest *r = req->transactions;
    const Lumbung__Actor *actor = service_call_actor(call);
    problem_t err = { 0 };
    uint64_t coop;
    bool write;
    if (!op_scope(r, &coop, &write))
        return service_call_fail(call, INVALID, "unknown_operation", NULL,
                                 "the request names no operation this service knows");
    /* Money moved by an outside system must be safe to retry: without a key a lost reply
       followed by a retry would post twice. (The gateway enforces the same for HTTP.) */
    bool moves_money = r->op_case == OP(DEPOSIT) || r->op_case == OP(WITHDRAW) ||
                       r->op_case == OP(POST_ENTRY) || r->op_case == OP(REVERSE_ENTRY) ||
                       r->op_case == OP(POST_BATCH) || r->op_case == OP(POST_DISBURSEMENT) ||
                       r->op_case == OP(POST_REPAYMENT) || r->op_case == OP(WRITE_OFF_LOAN) ||
                       r->op_case == OP(POST_RECOVERY) || r->op_case == OP(POST_OPENING);
    if (moves_money && actor && actor->role == ROLE(INTEGRATOR) &&
        (!req->idempotency_key || !*req->idempotency_key))
        return service_call_fail(call, INVALID, "idempotency_key_required", "idempotency_key",
                                 "an integrator must send an idempotency key with every "
                                 "request that moves money, and reuse it when retrying");
    if (tx_owner_check(app->shard, r, coop, &err) != 0) return service_call_reject(call, &err);
    /* A batch authorises each posting by its own cooperative. */
    if (r->op_case != OP(POST_BATCH) && tx_authorise(actor, coop, write, &err) != 0)
        return service_call_reject(call, &err);
    tx_ctx_t ctx;
    tx_ctx_init(&ctx, &app->db, service_call_txn(call), service_call_arena(call),
                actor ? actor->user : NULL);
    Lumbung__TransactionsReply *out =
        arena_message(ctx.arena, &lumbung__transactions_reply__descriptor);
    int rc = changes_loans(r) ? tx_loans_check_not_closing(&ctx, coop, &err) : 0;
    if (rc == 0) rc = run_write(app, &ctx, actor, r, out, &err);
    if (rc == ERR_REJECTED) return service_call_reject(call, &err);
    /* A close-day not finished in this step goes on in the next batch (service.h). */
    if (rc == 0 && r->op_case == OP(CLOSE_DAY) && !out->close_day) service_call_continue(call);
    if (rc == 0) rc = tx_ctx_flush(&ctx, emit_call, call);
    if (rc != 0) {
        if (rc != ERR_MAP_FULL)
            log_error(req->request_id, "transactions: operation %d failed with %s", r->op_case,
                      error_name(rc));
        return rc;
    }
    Lumbung__Reply *reply = service_call_reply(call);
    reply->result_case = LUMBUNG__REPLY__RESULT_TRANSACTIONS;
    reply->transactions = out;
    return 0;
}
