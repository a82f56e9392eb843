#include "savings_cache.h"
#include "arena_grow.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

enum { ITEMS_INITIAL = 16, UNDO_INITIAL = 16 };

static size_t hash_of(uint64_t member, int kind, size_t mask) {
    uint64_t h = (member * 0x9E3779B97F4A7C15ull) ^ ((uint64_t) kind * 0xC2B2AE3D27D4EB4Full);
    return (size_t) (h >> 17) & mask;
}

/* The index has 2 x cap entries (a power of two), so it is never more than half full. */
static void index_add(tx_savings_cache_t *c, size_t slot) {
    size_t mask = 2 * c->cap - 1;
    const tx_cached_savings_t *e = &c->items[slot];
    size_t i = hash_of(e->member, e->kind, mask);
    while (c->index[i]) i = (i + 1) & mask;
    c->index[i] = (uint32_t) slot + 1;
}

static tx_cached_savings_t *cached(tx_savings_cache_t *c, uint64_t member, int kind) {
    if (!c->count) return NULL;
    size_t mask = 2 * c->cap - 1;
    for (size_t i = hash_of(member, kind, mask); c->index[i]; i = (i + 1) & mask) {
        tx_cached_savings_t *e = &c->items[c->index[i] - 1];
        if (e->member == member && e->kind == kind) return e;
    }
    return NULL;
}

/* Room for one more record: the items and the index double together. False when full. */
static bool make_room(tx_savings_cache_t *c, arena_t *arena) {
    if (c->count < c->cap) return true;
    if (c->cap >= TX_SAVINGS_CACHE) return false;
    c->items = tx_arena_grow(arena, c->items, c->count, &c->cap, sizeof *c->items,
                             ITEMS_INITIAL);
    c->index = arena_alloc(arena, 2 * c->cap * sizeof *c->index);
    memset(c->index, 0, 2 * c->cap * sizeof *c->index);
    for (size_t slot = 0; slot < c->count; slot++) index_add(c, slot);
    return true;
}

/* The cached record, read from the store into the cache on a miss; NULL when the cache is
   full (*out then holds the stored record). */
static int lookup(tx_savings_cache_t *c, tx_store_t *db, store_txn_t *txn, arena_t *arena,
                  uint64_t member, int kind, tx_savings_t *out, tx_cached_savings_t **hit) {
    *hit = cached(c, member, kind);
    if (*hit) {
        *out = (*hit)->s;
        return 0;
    }
    int rc = tx_store_get_savings(db, txn, member, kind, out);
    if (rc != 0 || !make_room(c, arena)) return rc;
    *hit = &c->items[c->count];
    **hit = (tx_cached_savings_t) { .member = member, .kind = kind, .s = *out };
    index_add(c, c->count++);
    return 0;
}

int tx_savings_cache_get(tx_savings_cache_t *c, tx_store_t *db, store_txn_t *txn,
                         arena_t *arena, uint64_t member, int kind, tx_savings_t *out) {
    tx_cached_savings_t *hit;
    return lookup(c, db, txn, arena, member, kind, out, &hit);
}

int tx_savings_cache_put(tx_savings_cache_t *c, tx_store_t *db, store_txn_t *txn,
                         arena_t *arena, uint64_t member, int kind, const tx_savings_t *s) {
    tx_cached_savings_t *hit;
    tx_savings_t before;
    int rc = lookup(c, db, txn, arena, member, kind, &before, &hit);
    if (rc != 0) return rc;
    if (!hit) return tx_store_put_savings(db, txn, member, kind, s);      /* full */
    c->undo = tx_arena_grow(arena, c->undo, c->undo_count, &c->undo_cap, sizeof *c->undo,
                            UNDO_INITIAL);
    c->undo[c->undo_count++] = (tx_savings_undo_t) { (uint32_t) (hit - c->items), hit->dirty,
                                                     hit->s };
    hit->s = *s;
    hit->dirty = true;
    return 0;
}

static int by_key(const void *a, const void *b) {
    const tx_cached_savings_t *x = *(const tx_cached_savings_t *const *) a;
    const tx_cached_savings_t *y = *(const tx_cached_savings_t *const *) b;
    if (x->member != y->member) return x->member < y->member ? -1 : 1;
    return (x->kind > y->kind) - (x->kind < y->kind);
}

int tx_savings_cache_write(tx_savings_cache_t *c, tx_store_t *db, store_txn_t *txn) {
    size_t n = 0;
    tx_cached_savings_t **dirty = c->count ? malloc(c->count * sizeof *dirty) : NULL;
    if (c->count && !dirty) abort();
    for (size_t i = 0; i < c->count; i++)
        if (c->items[i].dirty) dirty[n++] = &c->items[i];
    if (n > 1) qsort(dirty, n, sizeof *dirty, by_key);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = tx_store_put_savings(db, txn, dirty[i]->member, dirty[i]->kind, &dirty[i]->s);
    free(dirty);
    if (rc != 0) return rc;
    /* Empty: later reads see the store, which now holds the same. */
    if (c->index) memset(c->index, 0, 2 * c->cap * sizeof *c->index);
    c->count = 0;
    c->undo_count = 0;
    return 0;
}

size_t tx_savings_cache_mark(const tx_savings_cache_t *c) {
    return c->undo_count;
}

void tx_savings_cache_rollback(tx_savings_cache_t *c, size_t mark) {
    while (c->undo_count > mark) {       /* none left after tx_savings_cache_write */
        const tx_savings_undo_t *u = &c->undo[--c->undo_count];
        c->items[u->slot].s = u->before;
        c->items[u->slot].dirty = u->dirty;
    }
}
