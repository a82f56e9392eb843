#include "rowcache.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    store_table_t table;
    uint8_t klen, vlen, used;
    uint8_t key[ROWCACHE_KEY_MAX];
    uint8_t val[ROWCACHE_VALUE_MAX];
} slot_t;

/* Probing reads tags[] only (32 KB, not the 1.6 MB of slots): a slot's key is compared only
   when its tag, the row's hash with the low bit set (0 = free), matches. */
struct rowcache {
    uint32_t tags[ROWCACHE_SLOTS];
    slot_t slots[ROWCACHE_SLOTS];
    unsigned used_idx[ROWCACHE_SLOTS];    /* which slots hold a row, for clear and flush */
    unsigned count;
};

rowcache_t *rowcache_new(void) { return calloc(1, sizeof(rowcache_t)); }

void rowcache_destroy(rowcache_t **self_p) {
    free(*self_p);
    *self_p = NULL;
}

void rowcache_clear(rowcache_t *c) {
    for (unsigned i = 0; i < c->count; i++) {
        c->slots[c->used_idx[i]].used = 0;
        c->tags[c->used_idx[i]] = 0;
    }
    c->count = 0;
}

/* Eight bytes at a time, mixed by multiplication (keys are 8-byte ids, dates and codes). */
static uint32_t hash(store_table_t table, const uint8_t *k, size_t n) {
    uint64_t h = 0x9e3779b97f4a7c15ull ^ ((uint64_t) table << 32) ^ n;
    for (; n >= 8; k += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, k, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    if (n) {
        uint64_t w = 0;
        memcpy(&w, k, n);
        h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    }
    h ^= h >> 29;
    return (uint32_t) h | 1u;
}

/* The slot of the row, or the free slot where it belongs; *tag is the row's tag. */
static slot_t *find(rowcache_t *c, store_table_t table, const void *key, size_t klen,
                    uint32_t *tag) {
    *tag = hash(table, key, klen);
    unsigned i = (*tag >> 1) & (ROWCACHE_SLOTS - 1);
    for (;;) {
        if (c->tags[i] == 0) return &c->slots[i];
        slot_t *s = &c->slots[i];
        if (c->tags[i] == *tag && s->table == table && s->klen == klen &&
            !memcmp(s->key, key, klen))
            return s;
        i = (i + 1) & (ROWCACHE_SLOTS - 1);
    }
}

int rowcache_get(rowcache_t *c, store_txn_t *txn, store_table_t table, const void *key,
                 size_t klen, const void **val, size_t *vlen) {
    if (klen <= ROWCACHE_KEY_MAX) {
        uint32_t tag;
        slot_t *s = find(c, table, key, klen, &tag);
        if (s->used) {
            *val = s->val;
            *vlen = s->vlen;
            return 0;
        }
    }
    return store_get(txn, table, key, klen, val, vlen);
}

/* The row's slot, taken when it is not cached yet (its value then unset); a cache 3/4 full is
   written out first. */
static int claim(rowcache_t *c, store_txn_t *txn, store_table_t table, const void *key,
                 size_t klen, slot_t **out) {
    uint32_t tag;
    slot_t *s = find(c, table, key, klen, &tag);
    if (!s->used) {
        if (c->count >= ROWCACHE_SLOTS / 4 * 3) {
            int rc = rowcache_flush(c, txn);
            if (rc != 0) return rc;
            s = find(c, table, key, klen, &tag);
        }
        s->used = 1;
        c->tags[s - c->slots] = tag;
        s->table = table;
        s->klen = (uint8_t) klen;
        memcpy(s->key, key, klen);
        c->used_idx[c->count++] = (unsigned) (s - c->slots);
    }
    *out = s;
    return 0;
}

int rowcache_put(rowcache_t *c, store_txn_t *txn, store_table_t table, const void *key,
                 size_t klen, const void *val, size_t vlen) {
    if (klen > ROWCACHE_KEY_MAX || vlen > ROWCACHE_VALUE_MAX) {
        uint32_t tag;
        slot_t *s = klen <= ROWCACHE_KEY_MAX ? find(c, table, key, klen, &tag) : NULL;
        if (s && s->used) {             /* the stored value must win over a stale cached one */
            int rc = rowcache_flush(c, txn);
            if (rc != 0) return rc;
        }
        return store_put(txn, table, key, klen, val, vlen, 0);
    }
    slot_t *s;
    int rc = claim(c, txn, table, key, klen, &s);
    if (rc != 0) return rc;
    s->vlen = (uint8_t) vlen;
    memcpy(s->val, val, vlen);
    return 0;
}

int rowcache_edit(rowcache_t *c, store_txn_t *txn, store_table_t table, const void *key,
                  size_t klen, uint8_t **val, size_t *vlen) {
    if (klen > ROWCACHE_KEY_MAX) return -E2BIG;
    uint32_t tag;
    slot_t *s = find(c, table, key, klen, &tag);
    if (!s->used) {
        const void *v;
        size_t vl;
        int rc = store_get(txn, table, key, klen, &v, &vl);
        if (rc != 0) return rc;
        if (vl > ROWCACHE_VALUE_MAX) return -E2BIG;
        uint8_t copy[ROWCACHE_VALUE_MAX];
        memcpy(copy, v, vl);             /* v lives in the map, which a flush may move */
        if ((rc = claim(c, txn, table, key, klen, &s)) != 0) return rc;
        memcpy(s->val, copy, vl);
        s->vlen = (uint8_t) vl;
    }
    *val = s->val;
    *vlen = s->vlen;
    return 0;
}

int rowcache_flush(rowcache_t *c, store_txn_t *txn) {
    for (unsigned i = 0; i < c->count; i++) {
        const slot_t *s = &c->slots[c->used_idx[i]];
        int rc = store_put(txn, s->table, s->key, s->klen, s->val, s->vlen, 0);
        if (rc != 0) return rc;
    }
    rowcache_clear(c);
    return 0;
}
