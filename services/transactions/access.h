/*  access — who may read or write which cooperative in the transactions service.

    Authorisation (the API (docs/openapi.yaml) roles): admin and Lumbung services may do anything; a supervisor may
    read any cooperative and write none; an operator reads and writes, a viewer only reads, the
    one cooperative of their actor; an integrator (a bus peer admitted by its CURVE key) reads
    and writes its cooperative when the actor names one, else any.

    The request handler asks once per request, a batch once per item (batch.c), so both take it
    from here and neither from the other. Not for: which operation writes (handlers.c). */
#ifndef LUMBUNG_TX_ACCESS_H
#define LUMBUNG_TX_ACCESS_H

#include <stdbool.h>
#include <stdint.h>
#include "context.h"

/* 0 when `actor` may read (write = false) or write cooperative `coop`, else ERR_REJECTED with a
   FORBIDDEN error that says why. */
int tx_authorise(const Lumbung__Actor *actor, uint64_t coop, bool write, problem_t *err);

#endif
