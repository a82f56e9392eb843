/*  lending — members' loans (docs/domain.md, "Loans"): application with its schedule,
    disbursement, repayments with late fees, collectibility, the close of a business day, and
    what a member owes for the exit settlement and the member's accounts.

    A loan is one lumbung.Loan record (terms, schedule, per-instalment state) rewritten whole by
    each change; the arithmetic is schedule.c's. Money moves as balanced entries: disbursement
    Dr member_loans / Cr cash; repayment Dr cash / Cr late_fee_income, loan_interest_income,
    member_loans. Late fees are income when paid (cash basis): close-day charges them to the
    loan, not to the ledger, so the member_loans account always equals the principal
    outstanding of all loans. A repayment first charges late fees up to its value date.

    Collectibility is set as of a date by close-day and by repayments; a change is published as
    a LoanClassChanged event, like every application, disbursement and repayment (LoanApplied,
    LoanDisbursed, LoanRepaid), so a reader can keep a portfolio by class. Close-day then brings
    the loan-loss allowance to the required allowance of the classes (common/allowance.h) with
    one entry, Dr provision expense / Cr allowance or the reverse.

    A loss loan may be written off (Dr allowance, and provision expense for what the allowance
    lacks / Cr member_loans for the principal); it stays on record as written_off with what the
    member still owes, and recoveries (Dr cash / Cr other_income) reduce that. An application
    not disbursed can be cancelled, by an operator or by its member's exit. Each publishes an
    event (LoanWrittenOff, LoanRecovered, LoanCancelled).

    Like ledger.c and savings.c, an operation checks everything before it writes, so a rejected
    one leaves no trace. Error convention: context.h.

    Not for: authorisation (handlers.c) or the schedule arithmetic (schedule.c). */
#ifndef LUMBUNG_TX_LENDING_H
#define LUMBUNG_TX_LENDING_H

#include <stdbool.h>
#include <stdint.h>
#include "context.h"
#include "schedule.h"
#include "transactions.pb-c.h"

enum {
    TX_LOANS_PER_MEMBER_MAX = 100,          /* loans listed or settled per member */
    TX_LOANS_PER_CLOSE_MAX = 200000,        /* loans one list page walks to fill itself */
    TX_CLOSE_STEP_LOANS = 500,              /* loans one step of a close-day walks (the
                                               environment's LUMBUNG_CLOSE_DAY_STEP may set
                                               another, for tests) */
};

int tx_loans_apply(tx_ctx_t *ctx, const Lumbung__ApplyLoan *req, Lumbung__Loan **out,
                   problem_t *err);
int tx_loans_disburse(tx_ctx_t *ctx, const Lumbung__DisburseLoan *req,
                      Lumbung__LoanPosted **out, problem_t *err);
int tx_loans_repay(tx_ctx_t *ctx, const Lumbung__RepayLoan *req, Lumbung__LoanPosted **out,
                   problem_t *err);
int tx_loans_get(tx_ctx_t *ctx, const Lumbung__GetLoan *req, Lumbung__Loan **out,
                 problem_t *err);
int tx_loans_list(tx_ctx_t *ctx, const Lumbung__ListLoans *req, Lumbung__LoanPage **out,
                  problem_t *err);
/* Cancels an application not yet disbursed (422 already_disbursed otherwise; a cancelled one
   is returned as it is). Queues LoanCancelled with reason "operator". */
int tx_loans_cancel(tx_ctx_t *ctx, const Lumbung__CancelLoan *req, Lumbung__Loan **out,
                    problem_t *err);
/* Writes a loss loan off (see the header) and queues LoanWrittenOff; books a recovery on a
   written-off loan, at most what is still owed, and queues LoanRecovered. */
int tx_loans_write_off(tx_ctx_t *ctx, const Lumbung__WriteOffLoan *req,
                       Lumbung__LoanPosted **out, problem_t *err);
int tx_loans_recover(tx_ctx_t *ctx, const Lumbung__PostRecovery *req, Lumbung__LoanPosted **out,
                     problem_t *err);
/* Cancels every application of a member who exited on exit_on (reason "member_exit").
   0 or store error. */
int tx_loans_cancel_member(tx_ctx_t *ctx, uint64_t member, int32_t exit_on);
/* One step of the close of business_date: classifies the next `step_loans` loans of the
   cooperative (from where the stored progress says, table tx_close_steps) and stores the
   totals so far with where to go on; *out stays NULL and the caller runs another step. The
   step that reaches the last loan posts the allowance once on the totals, stores and returns
   the DayClosed (*out) and drops the progress. A date already closed returns its stored
   answer; a close of another date under way is RULE close_in_progress. Each step queues at
   most step_loans events (one LoanClassChanged per loan at most). */
int tx_loans_close_day(tx_ctx_t *ctx, const Lumbung__CloseDay *req, uint32_t step_loans,
                       Lumbung__DayClosed **out, problem_t *err);
/* UNAVAILABLE day_closing while a close-day of `coop` is under way: loan writes would change
   what the close is adding up. 0 when none, or a store error. */
int tx_loans_check_not_closing(tx_ctx_t *ctx, uint64_t coop, problem_t *err);

/* The member's loans for their accounts, outstanding as of as_of (arena). 0 or store error. */
int tx_loans_member_summaries(tx_ctx_t *ctx, uint64_t member, int32_t as_of,
                              Lumbung__MemberAccounts *accounts);

/* What the member owes on active loans as of as_of: principal outstanding + interest due and
   unpaid + late fees (charged up to as_of). 0 or store error. */
int tx_loans_outstanding(tx_ctx_t *ctx, uint64_t member, int32_t as_of, int64_t *out);

/* Pays the member's active loans, oldest first, from `amount` as of as_of and adds the split
   to *alloc: a loan the amount covers whole is paid off early (tx_schedule_payoff); one it does
   not is repaid as a repayment would be (tx_schedule_allocate) and stays active with the rest. With write = false it only computes; with
   write = true it stores the loans and queues LoanRepaid events naming entry_id. */
/* The split as its message (amount = the sum), in the arena. */
Lumbung__LoanAllocation *tx_loans_allocation_pb(tx_ctx_t *ctx, const tx_allocation_t *a);

int tx_loans_settle(tx_ctx_t *ctx, uint64_t member, int32_t as_of, int64_t amount, bool write,
                    uint64_t entry_id, tx_allocation_t *alloc);

#endif
