/*  writeoffs — loans written off and the money recovered on them, from the transactions stream,
    for the loan portfolio.

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
