/*  savings_cache — members' savings records as one unit of work of the transactions service
    changed them, written to the store once at its end: a batch of thousands of deposits moves
    the same members' records again and again, and each deposit would otherwise rewrite its
    member's row (one B-tree put per posting).

    A read goes through the cache to the store and remembers what it read; a change replaces
    the cached record and marks it to be written. Every change remembers what it replaced, so
    tx_savings_cache_rollback() undoes the changes after a mark exactly (a batch's linked chain
    that fails, whose child txn is aborted). With TX_SAVINGS_CACHE records cached, another
    record is read and written straight in the txn of the moment, as without the cache. Every
    read and write of tx_savings in a unit of work goes through here (context.h), so the cache
    never holds a stale record; nothing scans that table inside a unit of work.

    Not for: the rules of savings (savings.c); the record layout (store.h). */
#ifndef LUMBUNG_TX_SAVINGS_CACHE_H
#define LUMBUNG_TX_SAVINGS_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arena.h"
#include "store.h"

enum { TX_SAVINGS_CACHE = 16384 };  /* records one unit of work keeps (2 x TX_BATCH_MAX) */

typedef struct {
    uint64_t member;
    int kind;
    bool dirty;                     /* changed since read: written by tx_savings_cache_write */
    tx_savings_t s;
} tx_cached_savings_t;

/* What a put replaced, so a rollback can undo the puts after a mark. */
typedef struct {
    uint32_t slot;
    bool dirty;
    tx_savings_t before;
} tx_savings_undo_t;

/* Zeroed is empty; the arrays are made in the arena on first use and grow by doubling. */
typedef struct {
    tx_cached_savings_t *items;
    size_t count, cap;
    uint32_t *index;                /* open addressing: slot + 1, 0 = free; 2 x cap entries */
    tx_savings_undo_t *undo;
    size_t undo_count, undo_cap;
} tx_savings_cache_t;

/* A member's savings of one kind as changed so far, else as stored (all zero without a
   record). 0 or a store error. */
int tx_savings_cache_get(tx_savings_cache_t *c, tx_store_t *db, store_txn_t *txn,
                         arena_t *arena, uint64_t member, int kind, tx_savings_t *out);
/* Replaces a member's savings of one kind. 0 or a store error. */
int tx_savings_cache_put(tx_savings_cache_t *c, tx_store_t *db, store_txn_t *txn,
                         arena_t *arena, uint64_t member, int kind, const tx_savings_t *s);
/* Writes every changed record into txn (in key order: fewer pages touched) and empties the
   cache. 0 or a store error. */
int tx_savings_cache_write(tx_savings_cache_t *c, tx_store_t *db, store_txn_t *txn);

/* The undo mark of now, and undoing every put since that mark. */
size_t tx_savings_cache_mark(const tx_savings_cache_t *c);
void tx_savings_cache_rollback(tx_savings_cache_t *c, size_t mark);

#endif
