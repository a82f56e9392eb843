/*  owner — whether a request is for a cooperative this transactions shard owns (shard.h).

    Every request names its cooperative; a shard serves only its own and refuses the others
    before anything runs, naming the field and the shard that owns the cooperative, so a
    client that routed by a stale or wrong map learns where to go, and a batch with a posting
    for another shard's cooperative posts nothing at all.

    Not for: who may act for a cooperative (common/access.h). */
#ifndef LUMBUNG_TX_OWNER_H
#define LUMBUNG_TX_OWNER_H

#include <stdbool.h>
#include <stdint.h>
#include "context.h"
#include "transactions.pb-c.h"

/* 0 when shard `self` owns `coop` (the operation's cooperative_id) and, for a batch, every
   posting's cooperative (unset ones take the batch's); else ERR_REJECTED with INVALID
   `wrong_shard`, field "cooperative_id" or "postings[I].deposit.cooperative_id". */
int tx_owner_check(int self, const Lumbung__TransactionsRequest *r, uint64_t coop,
                   problem_t *err);

/* Whether shard `self` follows the members event `ev` (about one of its cooperatives, or
   about none in particular). */
bool tx_owner_follows(int self, const Lumbung__MembersEvent *ev);

#endif
