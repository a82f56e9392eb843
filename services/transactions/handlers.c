#include "handlers.h"
#include "app.h"
#include "batch.h"
#include "envelope.h"
#include "ledger.h"
#include "lending.h"
#include "log.h"
#include "operations_transactions.h"
#include "owner.h"
#include "reversal.h"
#include "savings.h"

#include <assert.h>
#include <inttypes.h>
#include <string.h>

#define OP(x) LUMBUNG__TRANSACTIONS_REQUEST__OP_##x
#define RES(x) LUMBUNG__TRANSACTIONS_REPLY__RESULT_##x

/* What every operation's handler gets (begin() makes it in the call's arena). */
typedef struct {
    tx_app_t *app;
    tx_ctx_t ctx;
    access_actor_t who;
    Lumbung__TransactionsReply *out;
    problem_t err;
} tx_call_t;

/* The handlers: each names its reply's result and runs its rule (ledger.c, savings.c, ...). */
#define ANSWER(RESULT) (t->out->result_case = RES(RESULT), t->out)

static int op_list_accounts(void *x, service_call_t *call, const void *m) {
    tx_call_t *t = x;
    const Lumbung__ListAccounts *r = m;
    return tx_ledger_list_accounts(&t->ctx, r->cooperative_id, &ANSWER(ACCOUNTS)->accounts,
                                   &t->err);
}

static int op_get_entry(void *x, service_call_t *call, const void *m) {
    tx_call_t *t = x;
    const Lumbung__GetEntry *r = m;
    return tx_ledger_get_entry(&t->ctx, r->cooperative_id, r->entry_id, &ANSWER(ENTRY)->entry,
                               &t->err);
}

static int op_trial_balance(void *x, service_call_t *call, const void *m) {
    tx_call_t *t = x;
    const Lumbung__GetTrialBalance *r = m;
    return tx_ledger_trial_balance(&t->ctx, r->cooperative_id,
                                   &ANSWER(TRIAL_BALANCE)->trial_balance, &t->err);
}

static int op_get_settlement(void *x, service_call_t *call, const void *m) {
    tx_call_t *t = x;
    const Lumbung__GetSettlement *r = m;
    return tx_savings_get_settlement(&t->ctx, r->cooperative_id, r->member_id,
                                     &ANSWER(SETTLEMENT)->settlement, &t->err);
}

static int op_deposit(void *x, service_call_t *call, const void *m) {
    tx_call_t *t = x;
    return tx_savings_move(&t->ctx, m, true, &ANSWER(SAVINGS)->savings, &t->err);
}

static int op_withdraw(void *x, service_call_t *call, const void *m) {
    tx_call_t *t = x;
    return tx_savings_move(&t->ctx, m, false, &ANSWER(SAVINGS)->savings, &t->err);
}

/* The handlers that hand the message to their rule and answer with what it returns. */
#define HANDLER(name, rule, RESULT, member)                                                     \
    static int op_##name(void *x, service_call_t *call, const void *m) {                       \
        tx_call_t *t = x;                                                                      \
        return rule(&t->ctx, m, &ANSWER(RESULT)->member, &t->err);                             \
    }
HANDLER(get_member_accounts, tx_savings_member_accounts, MEMBER_ACCOUNTS, member_accounts)
HANDLER(list_journal, tx_ledger_list_journal, JOURNAL, journal)
HANDLER(get_loan, tx_loans_get, LOAN, loan)
HANDLER(list_loans, tx_loans_list, LOANS, loans)
HANDLER(add_account, tx_ledger_add_account, ACCOUNT, account)
HANDLER(post_entry, tx_ledger_post_manual, ENTRY, entry)
HANDLER(reverse_entry, tx_reversal_post, ENTRY, entry)
HANDLER(create_loan, tx_loans_apply, LOAN, loan)
HANDLER(post_disbursement, tx_loans_disburse, DISBURSEMENT, disbursement)
HANDLER(post_repayment, tx_loans_repay, REPAYMENT, repayment)
HANDLER(cancel_loan, tx_loans_cancel, CANCELLED_LOAN, cancelled_loan)
HANDLER(write_off_loan, tx_loans_write_off, WRITE_OFF, write_off)
HANDLER(post_recovery, tx_loans_recover, RECOVERY, recovery)
HANDLER(post_opening, tx_savings_post_opening, OPENING, opening)
#undef HANDLER

/* A batch authorises each posting by its own cooperative (batch.c, OP_AUTHORISES_ITSELF), and
   gives postings without one the batch's, in place: the message is the call's own. */
static int op_post_batch(void *x, service_call_t *call, const void *m) {
    tx_call_t *t = x;
    return tx_batch_post(&t->ctx, &t->who, (Lumbung__PostBatch *) m, &ANSWER(BATCH)->batch,
                         &t->err);
}

/* A close-day not finished in this step goes on in the next batch (service.h). */
static int op_close_day(void *x, service_call_t *call, const void *m) {
    tx_call_t *t = x;
    int rc = tx_loans_close_day(&t->ctx, m, t->app->close_step_loans,
                                &ANSWER(CLOSE_DAY)->close_day, &t->err);
    if (rc == 0 && !t->out->close_day) service_call_continue(call);
    return rc;
}

static int64_t emit_call(void *arg, Lumbung__Event *event, const pb_splice_field_t *body) {
    return service_call_emit_packed(arg, event, body);
}

/* A shard serves only the cooperatives it owns (owner.h), before anything else is asked. */
static int admit(void *arg, service_call_t *call, const operation_t *op, const void *msg) {
    tx_app_t *app = arg;
    problem_t err = { 0 };
    uint64_t coop = service_call_op_cooperative(call);
    if (tx_owner_check(app->shard, service_call_request(call)->transactions, coop, &err) != 0)
        return service_call_reject(call, &err);
    return 0;
}

/* The handlers' context; a loan write while the cooperative's close-day is under way would
   change what it adds up. */
static int begin(void *arg, service_call_t *call, const operation_t *op, const void *msg,
                 void **out) {
    tx_app_t *app = arg;
    const Lumbung__Actor *actor = service_call_actor(call);
    arena_t *arena = service_call_arena(call);
    tx_call_t *t = arena_alloc(arena, sizeof *t);
    memset(t, 0, sizeof *t);
    t->app = app;
    t->who = service_call_access_actor(call);
    tx_ctx_init(&t->ctx, &app->db, service_call_txn(call), arena, actor ? actor->user : NULL);
    t->out = arena_message(arena, &lumbung__transactions_reply__descriptor);
    *out = t;
    if ((op->flags & OP_CHANGES_LOANS) &&
        tx_loans_check_not_closing(&t->ctx, service_call_op_cooperative(call), &t->err) != 0)
        return service_call_reject(call, &t->err);
    return 0;
}

/* A rejection becomes the typed error; the events the work queued are published; the reply
   carries the result. */
static int end(void *x, service_call_t *call, const operation_t *op, int rc) {
    tx_call_t *t = x;
    if (rc == ERR_REJECTED) return service_call_reject(call, &t->err);
    if (rc == 0) rc = tx_ctx_flush(&t->ctx, emit_call, call);
    if (rc != 0) {
        if (rc != ERR_MAP_FULL)
            log_error(service_call_request(call)->request_id,
                      "transactions: operation %s failed with %s", op->name, error_name(rc));
        return rc;
    }
    Lumbung__Reply *reply = service_call_reply(call);
    reply->result_case = LUMBUNG__REPLY__RESULT_TRANSACTIONS;
    reply->transactions = t->out;
    return 0;
}

#define ROW(CASE, name, access, flags) { OP(CASE), #name, ACCESS_##access, (flags), op_##name },
static const operation_t rows[] = { TRANSACTIONS_OPERATIONS(ROW) };
#undef ROW

const service_operations_t tx_handlers_operations = {
    .service = "transactions", .body = LUMBUNG__REQUEST__BODY_TRANSACTIONS,
    .rows = rows, .count = sizeof rows / sizeof rows[0],
    .admit = admit, .begin = begin, .end = end,
};
