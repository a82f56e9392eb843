/*  loancard — each member's loan movements (kartu angsuran) for the member statement:
    disbursements, repayments with their allocation, write-offs and recoveries.

    Not for: the portfolio or classes (loans_view.h), savings lines (statement.h). Tables: reporting.h. */
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
