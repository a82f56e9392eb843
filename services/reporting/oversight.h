/*  oversight — the district's view of each cooperative's duties, from the members stream: the
    annual meetings (RAT) recorded per fiscal year and the supervision records with their
    recommendations, as the last event said. The dashboard (dashboard.c) reads them to find
    cooperatives without a RAT and recommendations past their due date.

    Not for: the registry of cooperatives and members (registry.h). Tables: reporting.h. */
#ifndef LUMBUNG_REPORTING_OVERSIGHT_H
#define LUMBUNG_REPORTING_OVERSIGHT_H

#include "reporting.h"

int reporting_oversight_apply(reporting_t *app, store_txn_t *txn, const Lumbung__MembersEvent *ev);

typedef struct {
    bool any;                    /* a RAT is recorded at all */
    uint32_t fiscal_year;        /* the latest fiscal year with a RAT, when any */
    int32_t held_on;             /* and the day it was held */
    bool held_last;              /* a RAT for `last_year` */
    bool held_before_last;       /* a RAT for last_year - 1 */
} reporting_rats_t;

/* The cooperative's RATs seen against the fiscal year `last_year`. -E2BIG beyond
   REPORTING_RATS_MAX. */
int reporting_oversight_rats(reporting_t *app, store_txn_t *txn, uint64_t coop,
                             uint32_t last_year, reporting_rats_t *out);
/* The day the RAT for fiscal `year` was held, or ERR_NOT_FOUND. */
int reporting_oversight_rat_of(reporting_t *app, store_txn_t *txn, uint64_t coop, uint32_t year,
                               int32_t *held_on);
/* *count = recommendations of the cooperative due before as_of and not done. -E2BIG beyond
   REPORTING_SUPERVISIONS_MAX records. */
int reporting_oversight_overdue(reporting_t *app, store_txn_t *txn, arena_t *arena,
                                uint64_t coop, int32_t as_of, uint32_t *count);

#endif
