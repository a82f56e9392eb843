/*  writeoffs — loans written off and the money recovered on them, from the transactions stream
    (LoanWrittenOff, LoanRecovered), for the loan portfolio (listed apart from the classes: a
    written-off loan is off the books). The member statement shows the same events on the
    member's loan card (loancard.c, fed by loans_view.c).

    "write_offs" keeps one row per event, keyed by cooperative, loan, value date and entry id,
    so a portfolio as of a date sums the rows on or before it. Row: [0] version 1, [1] 1
    write-off / 2 recovery, [2..9] u64 member id, [10..17] i64 amount (principal written off, or
    money recovered), [18..25] i64 what the member still owes after it.

    Not for: loans on the books (loans_view.h). Tables: reporting.h. */
#ifndef LUMBUNG_REPORTING_WRITEOFFS_H
#define LUMBUNG_REPORTING_WRITEOFFS_H

#include "reporting.h"

int reporting_writeoffs_apply(reporting_t *app, store_txn_t *txn,
                              const Lumbung__TransactionsEvent *ev);
/* Fills the portfolio's written-off list, recoveries and their totals as of as_of. */
int reporting_writeoffs_portfolio(reporting_t *app, store_txn_t *txn, arena_t *arena,
                                  uint64_t coop, int32_t as_of, Lumbung__LoanPortfolio *p);

#endif
