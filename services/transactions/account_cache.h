/*  account_cache — accounts' totals as one unit of work of the transactions service changed
    them, written to the store once at its end: a batch of thousands of postings moves the
    same few accounts, and each posting would otherwise rewrite their rows.

    A read goes through the cache to the store; a change of an account not cached reads its
    stored row first (only existing accounts change here). With TX_ACCOUNT_CACHE accounts
    cached, a change of another one is written at once, into the txn of the moment, so an
    aborted child takes the write with it as it would without the cache. Every change
    remembers what it replaced, so tx_account_cache_rollback() can undo the changes after a
    mark (a batch's linked chain that fails). The cache is written only at the end of the unit
    of work or before a scan of the accounts table, never inside a chain's child txn (its abort
    would take the writes of earlier postings with it).

    Not for: the rules of what may post (ledger.c); the record layout (store.h). */
#ifndef LUMBUNG_TX_ACCOUNT_CACHE_H
#define LUMBUNG_TX_ACCOUNT_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include "arena.h"
#include "store.h"

enum { TX_ACCOUNT_CACHE = 32 };     /* accounts one unit of work keeps unwritten */

typedef struct {
    uint64_t coop;
    const char *code;               /* in the arena */
    tx_account_t a;
} tx_cached_account_t;

/* What a put replaced, so a rollback can undo the puts after a mark. */
typedef struct {
    size_t slot;
    tx_account_t before;
} tx_account_undo_t;

/* Zeroed is empty; the arrays are made in the arena on first use. */
typedef struct {
    tx_cached_account_t *items;     /* TX_ACCOUNT_CACHE */
    size_t count;
    tx_account_undo_t *undo;        /* grown by doubling */
    size_t undo_count, undo_cap;
} tx_account_cache_t;

/* An account's totals as changed so far, else as stored. 0, ERR_NOT_FOUND or a store error. */
int tx_account_cache_get(tx_account_cache_t *c, tx_store_t *db, store_txn_t *txn,
                         uint64_t coop, const char *code, tx_account_t *out);
/* Changes an existing account's totals. 0 or a store error (ERR_NOT_FOUND included). */
int tx_account_cache_put(tx_account_cache_t *c, tx_store_t *db, store_txn_t *txn,
                         arena_t *arena, uint64_t coop, const char *code, const tx_account_t *a);
/* Writes every cached account into txn and empties the cache. 0 or a store error. */
int tx_account_cache_write(tx_account_cache_t *c, tx_store_t *db, store_txn_t *txn);

/* The undo mark of now, and undoing every put since that mark. */
size_t tx_account_cache_mark(const tx_account_cache_t *c);
void tx_account_cache_rollback(tx_account_cache_t *c, size_t mark);

#endif
