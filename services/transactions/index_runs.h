/*  index_runs — the journal's index rows of one unit of work (tx_coop_entries by cooperative,
    tx_account_lines by account), written at its end as runs: the entries a unit of work posts
    have consecutive ids, so a batch of a thousand deposits into one cooperative on one day is
    one row per index and account ("ids 5001 to 6000"), not three thousand rows.

    Each posted entry queues one item per index row it needs (its cooperative, each of its
    lines' accounts). At write time the items of one cooperative, day and account whose ids
    follow each other become one row keyed by the first id, whose value holds the last
    (store.h: tx_index_run_encode); a lone entry is a row with an empty value, as before runs.
    A batch's linked chain that fails takes its items back by truncating to a mark.

    Not for: reading the journal (ledger.c expands the runs); the key layout (store.h). */
#ifndef LUMBUNG_TX_INDEX_RUNS_H
#define LUMBUNG_TX_INDEX_RUNS_H

#include <stddef.h>
#include <stdint.h>
#include "arena.h"
#include "store.h"

typedef struct {
    uint64_t coop;
    const char *code;               /* the account of a tx_account_lines row; NULL: a
                                       tx_coop_entries row. Lives as long as the arena. */
    int32_t date;
    uint64_t id;
} tx_index_item_t;

/* Zeroed is empty; grows in the arena. */
typedef struct {
    tx_index_item_t *items;
    size_t count, cap;
} tx_index_runs_t;

/* Queues the index row of entry `id` (ids queued in increasing order). */
void tx_index_runs_push(tx_index_runs_t *r, arena_t *arena, uint64_t coop, const char *code,
                        int32_t date, uint64_t id);

/* Items queued so far, and taking back every item after the first `count`. */
size_t tx_index_runs_count(const tx_index_runs_t *r);
void tx_index_runs_truncate(tx_index_runs_t *r, size_t count);

/* Writes the queued items as runs into txn and empties the queue. 0 or a store error. */
int tx_index_runs_write(tx_index_runs_t *r, tx_store_t *db, store_txn_t *txn);

#endif
