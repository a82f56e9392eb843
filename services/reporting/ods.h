/*  ods — the yearly national data return (ODS): one row per cooperative the members stream
    named, with its identity (registry.c), whether a RAT approved the fiscal year (oversight.c),
    its active members by sex, and its own capital, outside capital, assets at the fiscal year
    end and its surplus over the year (chart_view.c); as JSON or a CSV file.

    Not for: the CSV writer (csv_writer.h). Tables: reporting.h. */
#ifndef LUMBUNG_REPORTING_ODS_H
#define LUMBUNG_REPORTING_ODS_H

#include "reporting.h"

/* Fills `out` with the ODS of req->year (or its CSV file); fails the call on bad input. */
int reporting_ods(reporting_t *app, service_call_t *call, store_txn_t *txn, arena_t *arena,
                  const Lumbung__GetOds *req, Lumbung__ReportingReply *out);

#endif
