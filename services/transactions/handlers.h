/*  handlers — the transactions service's side of the bus: one function that takes a request
    from the runtime, checks who may do it, runs the operation, turns rejections into typed
    errors, publishes the events the work queued, and fills the reply.

    Authorisation (API.md roles): admin and Lumbung services may do anything; a supervisor may
    read any cooperative and write none; an operator reads and writes, a viewer only reads, the
    one cooperative of their actor; an integrator (a bus peer admitted by its CURVE key) reads
    and writes its cooperative when the actor names one, else any.

    Read-your-writes needs nothing here: the runtime parks a request with after_members_seq
    until the members replica has applied it, so the member checks below see that state.

    Not for: rules (ledger.c, savings.c, batch.c) or transport (service.h). */
#ifndef LUMBUNG_TX_HANDLERS_H
#define LUMBUNG_TX_HANDLERS_H

#include <stdbool.h>
#include <stdint.h>
#include "context.h"

/* 0 when `actor` may read (write = false) or write cooperative `coop`, else TX_REJECTED with a
   FORBIDDEN error that says why. */
int tx_authorise(const Lumbung__Actor *actor, uint64_t coop, bool write, tx_error_t *err);

#endif
