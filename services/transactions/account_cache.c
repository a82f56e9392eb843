#include "account_cache.h"
#include "arena_grow.h"

#include <assert.h>
#include <string.h>

enum { UNDO_INITIAL = 16 };

static tx_cached_account_t *cached(tx_account_cache_t *c, uint64_t coop, const char *code) {
    for (size_t i = 0; i < c->count; i++)
        if (c->items[i].coop == coop && !strcmp(c->items[i].code, code)) return &c->items[i];
    return NULL;
}

int tx_account_cache_get(tx_account_cache_t *c, tx_store_t *db, store_txn_t *txn,
                         uint64_t coop, const char *code, tx_account_t *out) {
    const tx_cached_account_t *hit = code ? cached(c, coop, code) : NULL;
    if (!hit) return tx_store_get_account(db, txn, coop, code, out);
    *out = hit->a;
    return 0;
}

static void remember_undo(tx_account_cache_t *c, arena_t *arena, size_t slot,
                          const tx_account_t *before) {
    c->undo = tx_arena_grow(arena, c->undo, c->undo_count, &c->undo_cap, sizeof *c->undo,
                            UNDO_INITIAL);
    c->undo[c->undo_count++] = (tx_account_undo_t) { slot, *before };
}

int tx_account_cache_put(tx_account_cache_t *c, tx_store_t *db, store_txn_t *txn,
                         arena_t *arena, uint64_t coop, const char *code, const tx_account_t *a) {
    tx_cached_account_t *hit = cached(c, coop, code);
    if (!hit) {
        tx_account_t stored;
        if (!c->items) c->items = arena_alloc(arena, TX_ACCOUNT_CACHE * sizeof *c->items);
        if (c->count == TX_ACCOUNT_CACHE)                /* full: written at once */
            return tx_store_put_account(db, txn, coop, code, a);
        int rc = tx_store_get_account(db, txn, coop, code, &stored);
        if (rc != 0) return rc;                          /* only existing accounts change here */
        hit = &c->items[c->count++];
        *hit = (tx_cached_account_t) { coop, arena_strdup(arena, code), stored };
    }
    remember_undo(c, arena, (size_t) (hit - c->items), &hit->a);
    hit->a = *a;
    return 0;
}

/* After a write the cache is empty: later reads see the store, which now holds the same. */
int tx_account_cache_write(tx_account_cache_t *c, tx_store_t *db, store_txn_t *txn) {
    for (size_t i = 0; i < c->count; i++) {
        const tx_cached_account_t *e = &c->items[i];
        int rc = tx_store_put_account(db, txn, e->coop, e->code, &e->a);
        if (rc != 0) return rc;
    }
    c->count = 0;
    c->undo_count = 0;
    return 0;
}

size_t tx_account_cache_mark(const tx_account_cache_t *c) {
    return c->undo_count;
}

void tx_account_cache_rollback(tx_account_cache_t *c, size_t mark) {
    while (c->undo_count > mark) {       /* none left after tx_account_cache_write */
        const tx_account_undo_t *u = &c->undo[--c->undo_count];
        c->items[u->slot].a = u->before;
    }
}
