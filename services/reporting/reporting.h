/*  reporting — the reporting service's state and entry points.

    Reporting owns no facts: every table is a projection of the members and transactions
    streams, applied by followers in the same txn as their cursors, so it can always be
    rebuilt by deleting the store and replaying from sequence 1.

    Tables (see reporting_open):
      "stream_stats"  key: stream name; value: u64 big-endian count of events applied

    Not for: validation of business rules (the owning services do that). */
#ifndef LUMBUNG_REPORTING_H
#define LUMBUNG_REPORTING_H

#include "follower.h"
#include "service.h"

typedef struct {
    service_t *service;
    follower_t *members, *transactions;
    store_table_t stream_stats;
} reporting_t;

int reporting_open(reporting_t *app, service_t *service);
int reporting_apply(void *app, store_txn_t *txn, const Lumbung__Event *event);
void reporting_advanced(void *app, uint64_t cursor);
int reporting_handle(void *app, service_call_t *call);

#endif
