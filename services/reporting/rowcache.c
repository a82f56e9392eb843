#include "rowcache.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    store_table_t table;
    uint8_t klen, vlen, used;
    uint8_t key[ROWCACHE_KEY_MAX];
    uint8_t val[ROWCACHE_VALUE_MAX];
} slot_t;

struct rowcache {
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
    for (unsigned i = 0; i < c->count; i++) c->slots[c->used_idx[i]].used = 0;
    c->count = 0;
}

static uint32_t hash(store_table_t table, const uint8_t *k, size_t n) {
    uint32_t h = 2166136261u ^ table;
    for (size_t i = 0; i < n; i++) h = (h ^ k[i]) * 16777619u;
    return h;
}

/* The slot of the row, or the free slot where it belongs. */
static slot_t *find(rowcache_t *c, store_table_t table, const void *key, size_t klen) {
    unsigned i = hash(table, key, klen) & (ROWCACHE_SLOTS - 1);
    for (;;) {
        slot_t *s = &c->slots[i];
        if (!s->used || (s->table == table && s->klen == klen && !memcmp(s->key, key, klen)))
            return s;
        i = (i + 1) & (ROWCACHE_SLOTS - 1);
    }
}

int rowcache_get(rowcache_t *c, store_txn_t *txn, store_table_t table, const void *key,
                 size_t klen, const void **val, size_t *vlen) {
    if (klen <= ROWCACHE_KEY_MAX) {
        slot_t *s = find(c, table, key, klen);
        if (s->used) {
            *val = s->val;
            *vlen = s->vlen;
            return 0;
        }
    }
    return store_get(txn, table, key, klen, val, vlen);
}

int rowcache_put(rowcache_t *c, store_txn_t *txn, store_table_t table, const void *key,
                 size_t klen, const void *val, size_t vlen) {
    if (klen > ROWCACHE_KEY_MAX || vlen > ROWCACHE_VALUE_MAX) {
        slot_t *s = klen <= ROWCACHE_KEY_MAX ? find(c, table, key, klen) : NULL;
        if (s && s->used) {             /* the stored value must win over a stale cached one */
            int rc = rowcache_flush(c, txn);
            if (rc != 0) return rc;
        }
        return store_put(txn, table, key, klen, val, vlen, 0);
    }
    slot_t *s = find(c, table, key, klen);
    if (!s->used) {
        if (c->count >= ROWCACHE_SLOTS / 4 * 3) {
            int rc = rowcache_flush(c, txn);
            if (rc != 0) return rc;
            s = find(c, table, key, klen);
        }
        s->used = 1;
        s->table = table;
        s->klen = (uint8_t) klen;
        memcpy(s->key, key, klen);
        c->used_idx[c->count++] = (unsigned) (s - c->slots);
    }
    s->vlen = (uint8_t) vlen;
    memcpy(s->val, val, vlen);
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
