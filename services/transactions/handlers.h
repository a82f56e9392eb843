/*  handlers — the transactions service's operation table: its list of operations
    (common/operations_transactions.h) with a handler bound to each, and the hooks around them:
    a shard admits only its own cooperatives (owner.h), a loan write waits for no close-day,
    rejections become typed errors, the events the work queued are published and the reply
    filled. The runtime (service.h) finds the row and authorises once with the role matrix
    (access.h). The table, tx_handlers_operations, is declared in app.h beside the rest of the
    process's state.

    Read-your-writes needs nothing here: the runtime parks a request with after_members_seq
    until the members replica has applied it, so the member checks below see that state.

    Not for: rules (ledger.c, savings.c, batch.c), who may do what (common/access.h) or
    transport (service.h). */
#ifndef LUMBUNG_TX_HANDLERS_H
#define LUMBUNG_TX_HANDLERS_H

#include "app.h"

#endif
