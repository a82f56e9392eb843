/*  portfolio — the loan-portfolio report from loans counted by collectibility class: each
    class's loans and outstanding principal, its part of RPM (risk of problem loans: 50 %
    substandard, 75 % doubtful, 100 % loss) and its required loan-loss allowance (district
    defaults 0.5 / 10 / 50 / 100 %, docs/domain.md), and the NPL ratio. Each class's part is
    rounded to the sen (half away from zero) and the totals are sums of the rows, so a reader
    can check them by adding the column. Pure: reads the counts, allocates in the arena.

    Not for: reading the store (loans_view.c) or deciding a loan's class (the transactions
    service). */
#ifndef LUMBUNG_REPORTING_PORTFOLIO_H
#define LUMBUNG_REPORTING_PORTFOLIO_H

#include <stddef.h>
#include <stdint.h>
#include "arena.h"
#include "envelope.pb-c.h"

enum { REPORTING_PERCENT_TEXT_MAX = 32 };

/* Loans and outstanding principal by LoanClass (index 1..4). */
typedef struct {
    uint32_t loans[5];
    int64_t outstanding_sen[5];
} reporting_portfolio_counts_t;

/* The RPM weight and the default allowance rate of a LoanClass, in basis points. */
int64_t reporting_portfolio_risk_bp(int class_);
int64_t reporting_portfolio_allowance_bp(int class_);

/* The sums the report's totals hold: all outstanding principal, the risky part (substandard +
   doubtful + loss) and RPM, each class's RPM part rounded as its row. The health rating's
   components 1b, 2b, 2c and 2d read these, so RPM is computed here only. */
typedef struct {
    int64_t outstanding_sen, risky_sen, rpm_sen;
} reporting_portfolio_sums_t;
void reporting_portfolio_sum(const reporting_portfolio_counts_t *counts,
                             reporting_portfolio_sums_t *out);

/* part / whole as a percentage with exactly two decimals, rounded half away from zero, into
   buf (size >= REPORTING_PERCENT_TEXT_MAX): 1 of 3 -> "33.33", 0 of 0 -> "0.00". part and
   whole >= 0. */
void reporting_portfolio_percent(int64_t part, int64_t whole, char *buf, size_t size);

/* The report; as_of is copied. */
Lumbung__LoanPortfolio *reporting_portfolio_build(arena_t *arena,
                                                  const reporting_portfolio_counts_t *counts,
                                                  uint64_t coop, int32_t as_of);


#endif
