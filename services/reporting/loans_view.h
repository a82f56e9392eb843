/*  loans_view — the loan portfolio and members' participation, from the transactions stream.

    "loan_states" keeps each loan's state as every loan event said it, keyed by the date the
    state is for (disbursement, repayment value date, close-day), so the portfolio as of a date
    takes each loan's last state on or before it; a later event of the same date replaces the
    earlier one. "participation" keeps per member and value date what SHU needs: the change of
    principal + mandatory savings (from the entries, as statement.c reads them), loan interest
    paid (from each repayment's allocation) and loan principal disbursed. Each disbursement and
    payment is also a line of the member's loan card (loancard.c).

    (Loans themselves, their terms and rules, are the transactions service's lending.c.)

    Not for: deciding a loan's class (the transactions service) or the report's figures
    (portfolio.h). Tables: reporting.h. */
#ifndef LUMBUNG_REPORTING_LOANS_VIEW_H
#define LUMBUNG_REPORTING_LOANS_VIEW_H

#include "reporting.h"

int reporting_loans_apply(reporting_t *app, store_txn_t *txn,
                          const Lumbung__TransactionsEvent *ev);
int reporting_loans_apply_entry(reporting_t *app, store_txn_t *txn,
                                const Lumbung__JournalEntry *e);

/* Counts each active loan of `coop` with outstanding principal by the class of its last state
   dated on or before as_of. -E2BIG beyond REPORTING_LOAN_STATES_MAX states. */
int reporting_loans_portfolio(reporting_t *app, store_txn_t *txn, uint64_t coop, int32_t as_of,
                              reporting_portfolio_counts_t *out);

typedef struct {
    uint64_t member_id;
    int64_t capital_sen;          /* principal + mandatory savings at the end of `to` */
    int64_t interest_paid_sen;    /* loan interest paid with value dates in [from, to] */
    int64_t disbursed_sen;        /* loan principal disbursed in [from, to] */
} reporting_participation_t;

/* Every member of `coop` with any participation row, by member id, in *items (in `arena`).
   -E2BIG beyond REPORTING_SHU_MEMBERS_MAX members. */
int reporting_loans_participation(reporting_t *app, store_txn_t *txn, arena_t *arena,
                                  uint64_t coop, int32_t from, int32_t to,
                                  reporting_participation_t **items, size_t *count);

/* The loan as applied (terms and schedule) into *out; ERR_NOT_FOUND when reporting has not
   seen it applied (an unknown loan, or one applied before this projection: rebuild). */
int reporting_loans_terms(reporting_t *app, store_txn_t *txn, arena_t *arena, uint64_t coop,
                          uint64_t loan, Lumbung__Loan **out);
/* Appends to out->items each loan of `coop` with a state on or before as_of, in that state,
   by loan id; out->outstanding_principal_sen sums the active ones. -E2BIG beyond
   REPORTING_LOAN_STATES_MAX states. */
int reporting_loans_register(reporting_t *app, store_txn_t *txn, arena_t *arena, uint64_t coop,
                             int32_t as_of, Lumbung__LoanRegister *out);

#endif
