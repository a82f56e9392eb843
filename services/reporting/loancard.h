/*  loancard — each member's loan movements, the loan cards (kartu angsuran) of the member
    statement: disbursements, repayments with their allocation to late fees, interest and
    principal, payments out of an exit settlement, and (from the write-off and recovery events)
    write-offs and recoveries. Fed by loans_view.c from the loan events; read by statement.c's
    caller (handlers.c) into MemberStatement.loans.

    "loan_lines" key: u64 member id + u64 loan id + u32 value date + u64 event sequence, so a
    member's loans come in loan id order and each loan's lines in value-date then event order;
    value: [0] version 1, [1] LoanMovementKind, then i64 amount, late fee, interest, principal,
    change of the outstanding principal, u64 entry id, and i64 what is still owed after a
    write-off or recovery (8 bytes each). The running outstanding principal is summed when read,
    in value-date order, so a line posted late (a back-dated repayment) shows the balance of its
    own date; one line per loan per event.

    Not for: the portfolio or classes (loans_view.h), savings lines (statement.h). Tables:
    reporting.h. */
#ifndef LUMBUNG_REPORTING_LOANCARD_H
#define LUMBUNG_REPORTING_LOANCARD_H

#include "reporting.h"

typedef struct {
    uint64_t member_id, loan_id;
    uint64_t entry_id;                    /* the journal entry, 0 when there is none */
    int32_t day;                          /* value date */
    Lumbung__LoanMovementKind kind;
    int64_t amount_sen;                   /* money that moved */
    int64_t late_fee_sen, interest_sen, principal_sen;   /* a payment's allocation */
    int64_t outstanding_change_sen;       /* + disbursed, - repaid or written off */
    int64_t still_owed_sen;               /* write-off, recovery: what is owed after it */
} reporting_loan_line_t;

/* Records one line of a member's loan card, keyed by the event being applied
   (app->event_seq): one line per loan per event. Loan events call it (loans_view.c); write-off
   and recovery events add their lines here too. */
int reporting_loancard_put(reporting_t *app, store_txn_t *txn, const reporting_loan_line_t *l);
/* Fills st->loans for st->member_id: lines with value dates in [from, to], the outstanding
   principal before and after. Reads after reporting_statement_read (a payment whose entry is
   an exit settlement among st->lines is labelled so). -E2BIG beyond
   REPORTING_STATEMENT_LINES_MAX lines. */
int reporting_loancard_read(reporting_t *app, store_txn_t *txn, arena_t *arena, int32_t from,
                            int32_t to, Lumbung__MemberStatement *st);

#endif
