/*  handlers — answers ReportingRequest from the projections through the service's operation
    table (common/operations_reporting.h; the runtime authorises each with the role matrix),
    reads in the call's transaction (so a report is one consistent snapshot), states the sequences of both
    streams it reflects, and renders CSV when asked. Handlers only read, except the management
    questionnaire (management.c), a supervisor's assessment. The SHU of a fiscal year is shared
    out by shu.c from the ledger's surplus and loans_view.c's participation.

    Not for: keeping the projections (projections.h), laying a report out (render.h) or
    answering with a file (answer.h). Tables: reporting.h. */
#ifndef LUMBUNG_REPORTING_HANDLERS_H
#define LUMBUNG_REPORTING_HANDLERS_H

#include "reporting.h"

/* The operation table: common/operations_reporting.h with a handler bound to each row; the
   runtime authorises every report with the role matrix before it runs. */
extern const service_operations_t reporting_operations;

#endif
