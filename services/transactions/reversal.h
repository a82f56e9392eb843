/*  reversal — undoing a posted entry with its mirror: which entries may be reversed (none of a
    reversal, an exit settlement, the opening, a loan or a time deposit; each only once), the
    mirror entry itself, and the savings effect of undoing a deposit or withdrawal.

    It stands above both the ledger (which posts any balanced entry and knows nothing of
    savings or loans) and savings (whose records a reversal corrects), so neither imports the
    other. Not for: posting ordinary entries (ledger.h). */
#ifndef LUMBUNG_TX_REVERSAL_H
#define LUMBUNG_TX_REVERSAL_H

#include "context.h"

/* Posts the reversal of req->entry_id dated req->value_date; *out is the new entry. Rejects
   (ERR_REJECTED with err filled) what may not be reversed. */
int tx_reversal_post(tx_ctx_t *ctx, const Lumbung__ReverseEntry *req,
                     Lumbung__JournalEntry **out, problem_t *err);

#endif
