/*  ods — the yearly national data return (ODS): one row per cooperative with its identity, RAT,
    members by sex, capital, assets and surplus of the fiscal year.

    Not for: the CSV writer (csv_writer.h). Tables: reporting.h. */
#ifndef LUMBUNG_REPORTING_ODS_H
#define LUMBUNG_REPORTING_ODS_H

#include "reporting.h"

/* Fills `out` with the ODS of req->year (or its CSV file); fails the call on bad input. */
int reporting_ods(reporting_t *app, service_call_t *call, store_txn_t *txn, arena_t *arena,
                  const Lumbung__GetOds *req, Lumbung__ReportingReply *out);

#endif
