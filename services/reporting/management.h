/*  management — the management questionnaire of health rating aspect 3: a supervisor's answers
    per cooperative and fiscal year, kept in the "management" table (the one table of this
    service that is not a projection: it is written by a request, so a rebuilt store loses it
    unless the answers are put again). Points are computed by health_bands.c when the answers
    are put and when a rating reads them.

    Not for: the points tables (health_bands.h). Tables: reporting.h. */
#ifndef LUMBUNG_REPORTING_MANAGEMENT_H
#define LUMBUNG_REPORTING_MANAGEMENT_H

#include "reporting.h"

/* Stores the answers of req (admin or supervisor; every group with exactly its number of
   answers, else a 400 naming the group) and replies with them and their points. */
int reporting_management_put(reporting_t *app, service_call_t *call, store_txn_t *txn,
                             arena_t *arena, const Lumbung__ManagementQuestionnaire *req,
                             Lumbung__ReportingReply *out);
/* The answers put for (coop, year) in `arena` with their points in hundredths, or
   ERR_NOT_FOUND. */
int reporting_management_read(reporting_t *app, store_txn_t *txn, arena_t *arena, uint64_t coop,
                              uint32_t year, Lumbung__ManagementQuestionnaire **out,
                              int *points_centi);

#endif
