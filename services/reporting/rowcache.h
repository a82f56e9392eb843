/*  rowcache — a write-back cache of small rows for the followers' apply transaction, so a row
    changed by every posting (an account's totals, its day, a stream's event count) is written
    to the B-tree once per commit, not once per posting.

    Owned by the reporting_t (one cache); filled only inside a follower's write txn: the
    follower's batch hook clears it when an attempt begins (an aborted attempt leaves nothing
    behind) and writes it out before the cursor is stored. Reads through it see the txn's own
    writes. Anything that scans a cached table inside that txn must call rowcache_flush first.
    Outside an apply txn it is empty, so handlers read the store as it is.

    Not for: rows written once (movements, journal entries): they go straight to the store. */
#ifndef LUMBUNG_REPORTING_ROWCACHE_H
#define LUMBUNG_REPORTING_ROWCACHE_H

#include <stddef.h>
#include "store.h"

enum {
    ROWCACHE_KEY_MAX = 64,
    ROWCACHE_VALUE_MAX = 128,
    ROWCACHE_SLOTS = 8192,        /* a power of two; written out when 3/4 full */
};

typedef struct rowcache rowcache_t;

rowcache_t *rowcache_new(void);
void rowcache_destroy(rowcache_t **self_p);

/* Forgets every row (the txn they belonged to was aborted or is new). */
void rowcache_clear(rowcache_t *self);

/* The row from the cache, else from the store: 0, ERR_NOT_FOUND or a store error. *val
   stays valid until the next put or flush. */
int rowcache_get(rowcache_t *self, store_txn_t *txn, store_table_t table, const void *key,
                 size_t klen, const void **val, size_t *vlen);

/* Keeps the row in the cache (written out at flush). Keys and values over the limits go to
   the store at once. Returns 0 or a store error. */
int rowcache_put(rowcache_t *self, store_txn_t *txn, store_table_t table, const void *key,
                 size_t klen, const void *val, size_t vlen);

/* The row for a change in place: from the cache, else read from the store into it. 0 with
   *val the value's bytes (*vlen of them, at most ROWCACHE_VALUE_MAX; what is written there is
   written out at flush, and the length cannot change: rowcache_put for that), ERR_NOT_FOUND
   (nothing cached), -E2BIG for a key or stored value over the limits (use get and put), or a
   store error. *val stays valid until the next put, edit or flush. */
int rowcache_edit(rowcache_t *self, store_txn_t *txn, store_table_t table, const void *key,
                  size_t klen, uint8_t **val, size_t *vlen);

/* Writes every cached row into txn and empties the cache. Returns 0 or a store error. */
int rowcache_flush(rowcache_t *self, store_txn_t *txn);

#endif
