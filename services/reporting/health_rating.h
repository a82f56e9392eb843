/*  health_rating — the health rating of one fiscal year (docs/domain.md, "Health rating") from
    the books: balances by account role at the year end, income and expenses by role over the
    year, and the loan portfolio by collectibility class as of the year end. Every component
    states the figures it used; a component whose inputs the system does not record (aspect 3
    until its questionnaire is put, management.c; 7b's members' economic benefit) is marked not
    available with a reason and left out of the total, never filled with a guess. A fiscal year
    with no entry dated inside it is not rated: no band, every component not available, a
    reason.

    Not for: the band tables and weights (health_bands.h) or RPM (portfolio.h). Tables:
    reporting.h. */
#ifndef LUMBUNG_REPORTING_HEALTH_RATING_H
#define LUMBUNG_REPORTING_HEALTH_RATING_H

#include "reporting.h"

/* Fills `out` with the rating; fails the call (negative) on bad input or an unknown
   cooperative. as_of_seq and members_seq are the caller's to set. */
int reporting_rating(reporting_t *app, service_call_t *call, store_txn_t *txn, arena_t *arena,
                     const Lumbung__GetHealth *req, Lumbung__ReportingReply *out);
/* The rating of `coop`'s fiscal `year` into *out (in `arena`); rating not_rated when no entry
   is dated inside the year. -EINVAL when `year` is out of range. as_of_seq and members_seq
   are the caller's to set. */
int reporting_rating_build(reporting_t *app, store_txn_t *txn, arena_t *arena,
                           const Lumbung__Cooperative *coop, uint32_t year,
                           Lumbung__HealthReport **out);

#endif
