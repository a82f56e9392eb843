/*  id_range — the ids one transactions shard hands out for its id-keyed tables (entries, loans,
    time deposits), so that reporting, which follows every shard, never sees one id twice.

    Shard K hands out ids in [K * TX_SHARD_ID_SPAN + 1, (K + 1) * TX_SHARD_ID_SPAN) (shard 0 as
    before). The next id is the last one of the table inside that range + 1, read from the txn
    so an aborted child gives its ids back, and never at or below the floor lumbungctl
    move-cooperative left in tx_id_floors for a cooperative moved away. A table that holds ids
    above the range (a cooperative moved in from a later shard) cannot use STORE_APPEND.
    The range is fixed while the service runs: only move-cooperative (system stopped) changes it.

    The struct is embedded in tx_store_t; its fields are this module's alone.

    Not for: the tables themselves or their records (store.h). */
#ifndef LUMBUNG_TX_ID_RANGE_H
#define LUMBUNG_TX_ID_RANGE_H

#include <stdbool.h>
#include <stdint.h>
/* Angle brackets on purpose: the transactions service has its own store.h. */
#include <store.h>

/* The span keeps ids of 8 shards below 2^53 (JSON numbers). */
#define TX_SHARD_ID_SPAN (UINT64_C(1) << 48)
enum { TX_ID_TABLES = 3 };        /* entries, loans, time deposits */

typedef struct {
    uint64_t base;                        /* shard * TX_SHARD_ID_SPAN */
    store_table_t tables[TX_ID_TABLES];   /* entries, loans, time deposits */
    store_table_t floors;                 /* tx_id_floors */
    uint64_t floor[TX_ID_TABLES];         /* read by tx_id_range_shard() */
    bool above[TX_ID_TABLES];             /* ids past the range: no STORE_APPEND there */
} tx_id_range_t;

/* Names the tables the range covers; shard 0 until tx_id_range_shard(). */
void tx_id_range_init(tx_id_range_t *self, store_table_t entries, store_table_t loans,
                      store_table_t time_deposits, store_table_t floors);

/* Makes the range shard's and reads the floors and whether foreign ids lie above it.
   0 or a store error. */
int tx_id_range_shard(tx_id_range_t *self, store_t *store, int shard);

/* The next id of `table` (one of the three) inside the range; base + 1 when it has none. */
uint64_t tx_id_range_next(const tx_id_range_t *self, store_txn_t *txn, store_table_t table);

/* STORE_APPEND when new ids of `table` are above every key in it, else 0. */
unsigned tx_id_range_append(const tx_id_range_t *self, store_table_t table);

/* Writes, in txn, a floor for every table that holds ids of this range, so those ids are not
   handed out again once the rows that held them are gone (move-cooperative's source shard).
   0 or a store error. */
int tx_id_range_keep_floors(const tx_id_range_t *self, store_txn_t *txn);

#endif
