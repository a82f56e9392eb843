/*  dashboard — the district dashboard: every cooperative the members stream named, with its
    active members by sex (registry.c), its total assets and members' savings as of a date
    (chart_view.c), its loan portfolio and NPL (loans_view.c), its RAT compliance and overdue
    supervision recommendations (oversight.c) and the health rating of its last ended fiscal
    year (health_rating.c), summed by cooperative type, health rating, group and district, and
    for the district; and the cooperatives that need the district's attention, each with its
    reasons.

    Not for: rules of any one report it sums (their own headers). Tables: reporting.h. */
#ifndef LUMBUNG_REPORTING_DASHBOARD_H
#define LUMBUNG_REPORTING_DASHBOARD_H

#include "reporting.h"

/* Fills `out` with the dashboard (or its CSV file); fails the call (negative) on bad input. */
/* Fills the RAT compliance fields of `s` (last_fiscal_year, last_rat_*, rat_overdue,
   dissolution_review) for cooperative `c` as of as_of, as the dashboard states them. */
int reporting_dashboard_rat(reporting_t *app, store_txn_t *txn, arena_t *arena, int32_t as_of,
                            const Lumbung__Cooperative *c, Lumbung__CooperativeSummary *s);
int reporting_dashboard(reporting_t *app, service_call_t *call, store_txn_t *txn, arena_t *arena,
                        const Lumbung__GetDistrictDashboard *req, Lumbung__ReportingReply *out);

#endif
