/*  move — moves one cooperative's books from one transactions shard's store to another's,
    for `lumbungctl move-cooperative` with the system stopped (docs/operations.md).

    Everything the shard holds for the cooperative goes, with its keys unchanged: the replica of
    the cooperative and its members, the chart and its totals, roles, journal entries with their
    indexes and reversals, savings, time deposits, settlements, loans with their indexes, the last
    closed day, and the idempotency records of requests about it (so a retry after the move gets
    the stored reply, not a second posting; the copy leaves out the reply's event_seq, a number
    of the source's stream). Entry, loan and time-deposit ids stay as they are:
    they are unique in the district (id_range.h, TX_SHARD_ID_SPAN), and the source records how far
    its own ids went (tx_id_floors) so it never hands the moved ones out again.

    The copy commits in the target first, then the source lets go; both are single LMDB
    transactions. The events already published stay in the source's outbox (reporting has them);
    new events of the cooperative come from the target. Refused, changing nothing: a cooperative
    the source does not have or the target already has, and shards whose members cursors differ
    (a shard behind on the members stream would skip events of the cooperative it now owns).

    Not for: the shard map file (common/shard.h), verification (verify.h). */
#ifndef LUMBUNG_TX_MOVE_H
#define LUMBUNG_TX_MOVE_H

#include <stdint.h>
#include <stdio.h>
#include <store.h>

typedef struct {
    uint64_t members, entries, loans, time_deposits, rows;   /* what moved; rows: all keys */
} tx_move_result_t;

/* Moves `coop` from `from` (shard from_shard) to `to`. 0 with *result filled; ERR_REJECTED
   after printing to `out` why nothing was moved; a negative store code on a store failure
   (nothing moved). */
int tx_move_cooperative(store_t *from, int from_shard, store_t *to, uint64_t coop, FILE *out,
                        tx_move_result_t *result);

#endif
