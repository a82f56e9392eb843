/*  savings — the members' savings of docs/domain.md and the entries that move them: principal
    (exactly once, exactly the configured amount, locked until exit), mandatory (per period,
    with arrears = periods since joining x amount - paid, locked until exit), voluntary (never
    below zero or the cooperative's minimum), time deposits (amount, term, rate, maturity;
    withdrawn whole once matured, with simple interest), the settlement that refunds a
    leaving member's principal + mandatory + voluntary net of outstanding loans, and the
    opening balances of a cooperative that moves from paper books (members' savings included).

    Every deposit or withdrawal is one balanced journal entry (Dr cash / Cr the kind's account,
    or the reverse) posted with the member's new balance in the same transaction. Like ledger.c,
    a movement first checks everything (reads only) and then writes, so a rejected movement
    writes nothing even without a child transaction of its own.

    The refund pays what the member owes on loans first (lending.c: an early payoff when it covers
    a loan, else a repayment in the usual order); the rest is paid out in cash, or owed to the
    member on Utang lain-lain when the cash does not cover it (an exit cannot be refused).

    Not for: loans (lending.c) or authorisation (handlers.c). */
#ifndef LUMBUNG_TX_SAVINGS_H
#define LUMBUNG_TX_SAVINGS_H

#include <stdbool.h>
#include <stdint.h>
#include "context.h"
#include "transactions.pb-c.h"

enum {
    TX_TD_TERM_MAX_MONTHS = 120,
    TX_TD_RATE_MAX_BP = 5000,         /* 50 % a year */
    TX_TD_LIST_MAX = 100,             /* time deposits shown per member */
    TX_OPENING_SAVINGS_MAX = 5000,    /* member balances in one opening */
};

/* A change to one member's savings record, decided by a check and written by apply. */
typedef struct {
    bool set;
    uint64_t member;
    int kind;
    tx_savings_t after;
} tx_savings_effect_t;

/* A deposit (deposit = true) or withdrawal; *out in the arena. */
int tx_savings_move(tx_ctx_t *ctx, const Lumbung__SavingsMovement *mv, bool deposit,
                    Lumbung__SavingsPosted **out, problem_t *err);

int tx_savings_member_accounts(tx_ctx_t *ctx, const Lumbung__GetMemberAccounts *req,
                               Lumbung__MemberAccounts **out, problem_t *err);

/* The savings side of a reversal entry built by ledger.c (member_id, savings_kind and
   savings_delta_sen set): checks the balance stays valid and fills *effect. */
int tx_savings_reversal_check(tx_ctx_t *ctx, const Lumbung__JournalEntry *reversal,
                              tx_savings_effect_t *effect, problem_t *err);
int tx_savings_effect_apply(tx_ctx_t *ctx, const tx_savings_effect_t *effect);

/* The opening balances of a cooperative moving from paper books (PostOpening): one entry of
   kind OPENING, allowed only while its books hold no entry (409 books_not_empty after), with
   the request's lines (no savings account among them: 422 savings_account) and one credit line
   per savings kind summing the members' balances, each of which is set on the member's
   savings record. Fields: "lines[i]...", "savings[i].member_id", "savings[i].kind", ... */
int tx_savings_post_opening(tx_ctx_t *ctx, const Lumbung__PostOpening *req,
                            Lumbung__JournalEntry **out, problem_t *err);

/* Posts the exit settlement of `member` (once; a repeat returns the stored one) and queues
   its events. Returns 0 or a store error; a rejection here would be a broken chart and is
   returned as ERR_REJECTED with *err filled. */
int tx_savings_settle(tx_ctx_t *ctx, uint64_t member, int32_t exit_on, uint64_t members_seq,
                      Lumbung__Settlement **out, problem_t *err);
int tx_savings_get_settlement(tx_ctx_t *ctx, uint64_t coop, uint64_t member,
                              Lumbung__Settlement **out, problem_t *err);

/* What the member owes on loans as of as_of, in sen: principal outstanding + interest due and
   unpaid + late fees (tx_loans_outstanding). */
int tx_savings_loans_outstanding(tx_ctx_t *ctx, uint64_t member, int32_t as_of, int64_t *out);

/* --- pure rules, unit-tested --- */

/* Mandatory periods due from joining up to as_of: the joining period counts as the first, and
   one more starts every period_months months after joining (every 7 days when period_months
   is 0, weekly). 0 when as_of < joined_on. */
uint32_t tx_savings_periods_due(int32_t joined_on, int32_t as_of, int period_months);
/* max(0, periods x amount - paid); saturates instead of overflowing. */
int64_t tx_savings_arrears(uint32_t periods, int64_t amount_sen, int64_t paid_sen,
                           int64_t *due_sen);
/* Simple interest for the term: amount x rate_bp x months / (12 x 10000), rounded half away
   from zero. 0, or -ERANGE when it does not fit. */
int tx_savings_td_interest(int64_t amount_sen, int64_t rate_bp, uint32_t term_months,
                           int64_t *out);

#endif
