/*  replica — what the transactions service keeps of the members stream, and what it does
    when that stream says something happened.

    Cooperatives are kept with the settings the savings rules need (principal amount, mandatory
    amount and period, voluntary minimum); a cooperative seen for the first time gets the
    standard chart of accounts. Members are kept with their cooperative, status, joining and
    exit dates. When a member exits, the exit settlement is posted in the same transaction that
    records the exit, so a member is never exited here without a settlement. Events this
    causes (AccountOpened, EntriesPosted, MemberSettled) go to this service's outbox in that
    transaction too.

    The follower guarantees order and exactly-once application; the apply functions are also
    idempotent on their own (overwrites, settle once), which costs nothing and makes replays
    from a restored backup harmless.

    Not for: reading the members service's store, or any rule about savings (savings.c). */
#ifndef LUMBUNG_TX_REPLICA_H
#define LUMBUNG_TX_REPLICA_H

#include <stdint.h>
#include "context.h"
#include "members.pb-c.h"

/* The mandatory period in months (1, 3, 6, 12), or 0 for weekly; monthly when unspecified. */
uint8_t tx_replica_period_months(Lumbung__MandatoryPeriod period);

/* Applies one members event in ctx (its txn and arena); queues this service's own events in
   ctx for the caller to flush. 0, or a store error, or ERR_REJECTED with *err filled when the
   event cannot be applied (a broken chart). Events of other kinds are ignored. */
int tx_replica_apply_event(tx_ctx_t *ctx, const Lumbung__MembersEvent *event, uint64_t seq,
                           problem_t *err);

#endif
