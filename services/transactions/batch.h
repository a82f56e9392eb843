/*  batch — many postings (deposits, withdrawals, journal entries) in one request, each with its
    own result, for integrators that move thousands of postings at a time.

    A posting without a link_id runs directly in the request's transaction: the rules check
    everything before writing (ledger.h, savings.h), so a rejected posting leaves no trace and
    the next one continues. Consecutive postings with the same non-zero link_id form a chain
    that runs in a child transaction of its own: if one fails, the child is aborted, its queued
    events are dropped, the failing posting reports its error and the others of the chain
    report "linked_posting_failed". A store error (map full, disk) aborts the whole request so
    the runtime can grow the map and redo it.

    Not for: single operations (handlers.c calls ledger.c and savings.c directly). */
#ifndef LUMBUNG_TX_BATCH_H
#define LUMBUNG_TX_BATCH_H

#include "access.h"
#include "context.h"
#include "transactions.pb-c.h"

enum {
    TX_BATCH_MAX = 8190,          /* postings in one request */
};

/* The cooperative_id of a posting's operation (deposit, withdraw or entry), NULL for a
   posting without one. */
uint64_t *tx_batch_posting_coop(Lumbung__Posting *p);

/* Runs `req` (postings may be given the batch's cooperative_id in place). Each posting is
   authorised for `who` by its own cooperative (access.h: COOP_WRITE; a refused posting is its
   result's error). Returns 0 with *out filled, ERR_REJECTED when the batch as a whole is
   invalid (empty, too large, a link_id reused after its chain ended), or a store error. */
int tx_batch_post(tx_ctx_t *ctx, const access_actor_t *who, Lumbung__PostBatch *req,
                  Lumbung__BatchResult **out, problem_t *err);

#endif
