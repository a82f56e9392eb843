/*  health_rating — the health rating of one fiscal year from the books and the loan portfolio:
    every component with the figures it used, components the system does not record marked
    not available; a year without entries is not rated.

    Not for: the band tables and weights (health_bands.h) or RPM (portfolio.h). Tables: reporting.h. */
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
