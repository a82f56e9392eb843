#include "reporting.h"
#include "bytes.h"

#include <string.h>

int reporting_open(reporting_t *app, service_t *service) {
    app->service = service;
    return store_table(service_store(service), "stream_stats", &app->stream_stats);
}

static int count_event(reporting_t *app, store_txn_t *txn, const char *stream) {
    const void *v;
    size_t vl;
    uint64_t n = 0;
    if (store_get(txn, app->stream_stats, stream, strlen(stream), &v, &vl) == 0 && vl == 8)
        n = be64_read(v);
    uint8_t buf[8];
    be64_write(buf, n + 1);
    return store_put(txn, app->stream_stats, stream, strlen(stream), buf, 8, 0);
}

int reporting_apply(void *arg, store_txn_t *txn, const Lumbung__Event *event) {
    reporting_t *app = arg;
    return count_event(app, txn, event->stream && *event->stream ? event->stream : "unknown");
}

void reporting_advanced(void *arg, uint64_t cursor) {
    reporting_t *app = arg;
    service_replica_advanced(app->service);
}

int reporting_handle(void *arg, service_call_t *call) {
    return service_call_fail(call, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "unknown_body", NULL,
                             "the reporting service has no operation for this request yet");
}
