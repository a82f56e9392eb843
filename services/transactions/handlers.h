/*  handlers — the transactions service's side of the bus: one function that takes a request
    from the runtime, checks who may do it (access.h), runs the operation, turns rejections into
    typed errors, publishes the events the work queued, and fills the reply. The function,
    tx_handlers_handle(), is declared in app.h beside the rest of the process's state.

    Read-your-writes needs nothing here: the runtime parks a request with after_members_seq
    until the members replica has applied it, so the member checks below see that state.

    Not for: rules (ledger.c, savings.c, batch.c), authorisation (access.c) or transport
    (service.h). */
#ifndef LUMBUNG_TX_HANDLERS_H
#define LUMBUNG_TX_HANDLERS_H

#include "app.h"

#endif
