#include "answer.h"
#include "log.h"

#include <errno.h>
#include <string.h>

#define KIND(x) LUMBUNG__ERROR_KIND__ERROR_KIND_##x
#define RES(x) LUMBUNG__REPORTING_REPLY__RESULT_##x

int reporting_options_fail(service_call_t *call, const char *bad) {
    if (!strcmp(bad, "dialect"))
        return service_call_fail(call, KIND(INVALID), "invalid_dialect", "dialect",
                                 "dialect must be rfc4180 or excel-id");
    if (!strcmp(bad, "format"))
        return service_call_fail(call, KIND(INVALID), "unsupported_format", "format",
                                 "this report is not available in that format");
    return service_call_fail(call, KIND(INVALID), "invalid_lang", "lang", "lang must be id or en");
}

int reporting_answer_doc(reporting_t *app, service_call_t *call, store_txn_t *txn,
                         reporting_doc_t *doc, const reporting_opts_t *opts,
                         Lumbung__ReportingReply *out) {
    Lumbung__Cooperative *c;
    if (doc->cooperative_id &&
        reporting_registry_coop(app, txn, doc->arena, doc->cooperative_id, &c) == 0) {
        doc->cooperative_name = c->name;
        doc->legal_number = c->legal_number;
    }
    int rc;
    Lumbung__ReportFile *file = reporting_doc_file_rc(doc, opts, &rc);
    if (!file && rc == -E2BIG)
        return service_call_fail(call, KIND(RULE), "report_too_large", NULL,
                                 "the file would be larger than its limit; ask for a shorter "
                                 "period");
    if (!file) {
        log_error(service_call_request(call)->request_id,
                  "reporting: writing a %s file failed (%s)", doc->report, error_name(rc));
        return service_call_fail(call, KIND(INTERNAL), "render_failed", "format",
                                 "the file could not be written; the JSON answer still works");
    }
    out->result_case = RES(FILE);
    out->file = file;
    return 0;
}
