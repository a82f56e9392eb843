/*  answer — how a report handler answers with a file: a wrong file option fails the call with
    its typed error, and a document (doc.h) goes out as the file the options ask for
    (docfile.h), headed with the cooperative's name and legal number from the registry.

    Shared by every module that answers reports (handlers.c, dashboard.c, ods.c), so that they
    do not reach into one another. The file lives in the document's arena; the reply only
    points at it.

    Not for: reading the options or writing the formats (docfile.h), laying a report out
    (render.h). */
#ifndef LUMBUNG_REPORTING_ANSWER_H
#define LUMBUNG_REPORTING_ANSWER_H

#include "reporting.h"

/* Fails the call naming `bad` (an option of docfile.h that is not one of its choices). */
int reporting_options_fail(service_call_t *call, const char *bad);
/* Answers with the document as the file `opts` asks for (the cooperative's name and legal
   number filled from the registry); fails the call when it is too large. */
int reporting_answer_doc(reporting_t *app, service_call_t *call, store_txn_t *txn,
                         reporting_doc_t *doc, const reporting_opts_t *opts,
                         Lumbung__ReportingReply *out);

#endif
