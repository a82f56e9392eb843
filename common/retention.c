#include "retention.h"
#include "bytes.h"
#include "config.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

enum {
    FOLLOWER_VALUE = 16,
    EVENT_AT_MS_FIELD = 2,
    VARINT_MAX = 10,
};

retention_config_t retention_config(void) {
    retention_config_t c;
    int64_t year100 = 100LL * 366 * 24 * 3600;
    c.idempotency_ms = 1000 * config_int("LUMBUNG_IDEMPOTENCY_RETENTION_S", RETENTION_DEFAULT_S,
                                         1, year100);
    c.outbox_ms = 1000 * config_int("LUMBUNG_OUTBOX_RETENTION_S", RETENTION_DEFAULT_S, 1, year100);
    c.interval_ms = config_int("LUMBUNG_PRUNE_INTERVAL_MS", RETENTION_INTERVAL_MS, 10, 3600000);
    c.step = (uint32_t) config_int("LUMBUNG_PRUNE_STEP", RETENTION_STEP, 1, RETENTION_STEP_MAX);
    c.follower_forget_ms = 1000 * config_int("LUMBUNG_FOLLOWER_FORGET_S", 0, 0, year100);
    return c;
}

/* ---- idempotency ---- */

typedef struct {
    uint8_t *keys;                 /* step keys of at most STORE_KEY_MAX bytes, back to back */
    size_t *lens;
    bool *stamp;                   /* a first-layout value to stamp rather than an expired one */
    uint32_t count;
} doomed_t;

/* Collects the expired keys of one step (deleting under an open cursor is avoided), stamps
   first-layout values, and remembers where the next step starts. */
static int idem_collect(store_txn_t *txn, store_table_t table, const retention_idem_codec_t *codec,
                        retention_walk_t *walk, int64_t cutoff_ms, uint32_t step, doomed_t *d) {
    store_cursor_t *c;
    int rc = store_cursor_open(txn, table, &c);
    if (rc != 0) return rc;
    const void *k, *v;
    size_t kl, vl;
    rc = walk->key_len ? store_cursor_seek(c, walk->key, walk->key_len, &k, &kl, &v, &vl)
                       : store_cursor_first(c, &k, &kl, &v, &vl);
    uint32_t seen = 0;
    for (; rc == 0 && seen < step; seen++, rc = store_cursor_next(c, &k, &kl, &v, &vl)) {
        int64_t at = codec->stored_at(v, vl);
        if (at >= 0 && at >= cutoff_ms) continue;
        memcpy(d->keys + (size_t) d->count * STORE_KEY_MAX, k, kl);
        d->lens[d->count] = kl;
        d->stamp[d->count] = at < 0;
        d->count++;
    }
    walk->key_len = 0;                                  /* the end: the next pass from the top */
    if (rc == 0) {                                      /* the step ended here: go on from k */
        memcpy(walk->key, k, kl);
        walk->key_len = kl;
    }
    store_cursor_close(&c);
    return rc == ERR_NOT_FOUND || rc == 0 ? 0 : rc;
}

static int idem_apply(store_txn_t *txn, store_table_t table, const retention_idem_codec_t *codec,
                      const doomed_t *d, int64_t now_ms, uint64_t *removed, uint64_t *stamped) {
    for (uint32_t i = 0; i < d->count; i++) {
        const uint8_t *key = d->keys + (size_t) i * STORE_KEY_MAX;
        size_t kl = d->lens[i];
        int rc;
        if (!d->stamp[i]) {
            rc = store_del(txn, table, key, kl);
            if (rc == 0) (*removed)++;
            if (rc != 0 && rc != ERR_NOT_FOUND) return rc;
            continue;
        }
        const void *v;
        size_t vl;
        if ((rc = store_get(txn, table, key, kl, &v, &vl)) != 0) return rc;
        uint8_t *out = malloc(vl + 16);
        if (!out) abort();
        size_t n = codec->stamp(v, vl, now_ms, out);
        rc = store_put(txn, table, key, kl, out, n, 0);
        free(out);
        if (rc != 0) return rc;
        (*stamped)++;
    }
    return 0;
}

int retention_prune_idempotency(store_txn_t *txn, store_table_t table,
                                const retention_idem_codec_t *codec, retention_walk_t *walk,
                                int64_t now_ms, int64_t window_ms, uint32_t step,
                                uint64_t *removed, uint64_t *stamped) {
    assert(txn && codec && walk && removed && stamped && step > 0);
    doomed_t d = { .keys = malloc((size_t) step * STORE_KEY_MAX),
                   .lens = malloc(step * sizeof *d.lens), .stamp = malloc(step * sizeof *d.stamp) };
    if (!d.keys || !d.lens || !d.stamp) abort();
    int rc = idem_collect(txn, table, codec, walk, now_ms - window_ms, step, &d);
    if (rc == 0) rc = idem_apply(txn, table, codec, &d, now_ms, removed, stamped);
    free(d.keys);
    free(d.lens);
    free(d.stamp);
    return rc;
}

/* ---- followers ---- */

static int follower_put(store_txn_t *txn, store_table_t table, const retention_follower_t *f) {
    uint8_t val[FOLLOWER_VALUE];
    be64_write(val, f->cursor);
    be64_write(val + 8, (uint64_t) f->heard_ms);
    return store_put(txn, table, f->name, strlen(f->name), val, sizeof val, 0);
}

int retention_followers_load(store_txn_t *txn, store_table_t table, retention_followers_t *reg) {
    assert(txn && reg);
    memset(reg, 0, sizeof *reg);
    store_cursor_t *c;
    int rc = store_cursor_open(txn, table, &c);
    if (rc != 0) return rc;
    const void *k, *v;
    size_t kl, vl;
    for (rc = store_cursor_first(c, &k, &kl, &v, &vl);
         rc == 0 && reg->count < RETENTION_FOLLOWERS_MAX; rc = store_cursor_next(c, &k, &kl, &v, &vl)) {
        if (vl != FOLLOWER_VALUE || kl == 0 || kl > RETENTION_NAME_MAX) continue;
        retention_follower_t *f = &reg->followers[reg->count++];
        memcpy(f->name, k, kl);
        f->cursor = be64_read(v);
        f->heard_ms = (int64_t) be64_read((const uint8_t *) v + 8);
    }
    store_cursor_close(&c);
    return rc == ERR_NOT_FOUND || rc == 0 ? 0 : rc;
}

void retention_followers_note(retention_followers_t *reg, const char *name, uint64_t cursor,
                              int64_t now_ms) {
    assert(reg && name);
    size_t len = strlen(name);
    if (len == 0 || len > RETENTION_NAME_MAX) return;
    retention_follower_t *f = NULL;
    for (int i = 0; i < reg->count && !f; i++)
        if (!strcmp(reg->followers[i].name, name)) f = &reg->followers[i];
    if (!f) {
        if (reg->count == RETENTION_FOLLOWERS_MAX) return;   /* the first ones hold it */
        f = &reg->followers[reg->count++];
        memcpy(f->name, name, len + 1);
        reg->urgent = true;                    /* a new name: stored with the next step */
    } else if (cursor < f->cursor) {
        reg->urgent = true;                    /* rebuilt: it needs more than we stored */
    }
    f->cursor = cursor;
    f->heard_ms = now_ms;
    f->dirty = true;
}

bool retention_followers_low(const retention_followers_t *reg, int64_t now_ms,
                             int64_t forget_ms, uint64_t *low) {
    bool any = false;
    for (int i = 0; i < reg->count; i++) {
        const retention_follower_t *f = &reg->followers[i];
        if (forget_ms > 0 && f->heard_ms < now_ms - forget_ms) continue;   /* gone for good */
        if (!any || f->cursor < *low) *low = f->cursor;
        any = true;
    }
    return any;
}

/* Cursors that only went forward are stored with a step that removes events: until then the
   stored ones are lower, which only keeps more. */
static int followers_store(store_txn_t *txn, store_table_t table, retention_followers_t *reg,
                           uint64_t *written) {
    reg->urgent = false;
    for (int i = 0; i < reg->count; i++) {
        retention_follower_t *f = &reg->followers[i];
        if (!f->dirty) continue;
        int rc = follower_put(txn, table, f);
        if (rc != 0) return rc;
        f->dirty = false;
        (*written)++;
    }
    return 0;
}

/* ---- outbox ---- */

static bool read_varint(const uint8_t **p, const uint8_t *end, uint64_t *out) {
    uint64_t v = 0;
    for (int shift = 0; *p < end && shift < 7 * VARINT_MAX; shift += 7) {
        uint8_t b = *(*p)++;
        v |= (uint64_t) (b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return true;
        }
    }
    return false;
}

/* The event's at_ms (field 2) from its wire form, without unpacking the body; -1 if absent. */
static int64_t event_at_ms(const uint8_t *p, size_t len) {
    const uint8_t *end = p + len;
    uint64_t tag, v;
    while (p < end && read_varint(&p, end, &tag)) {
        unsigned wire = (unsigned) (tag & 7);
        if (wire == 0) {
            if (!read_varint(&p, end, &v)) return -1;
            if (tag >> 3 == EVENT_AT_MS_FIELD) return (int64_t) v;
        } else if (wire == 2) {
            if (!read_varint(&p, end, &v) || v > (uint64_t) (end - p)) return -1;
            p += v;
        } else {
            return -1;                 /* Event has no other wire types before its body */
        }
    }
    return -1;
}

int retention_prune_outbox(store_txn_t *txn, store_table_t outbox, store_table_t followers,
                           retention_followers_t *reg, const retention_config_t *config,
                           int64_t now_ms, uint64_t *removed, uint64_t *stored) {
    uint64_t low = 0;
    if (!retention_followers_low(reg, now_ms, config->follower_forget_ms, &low))
        return reg->urgent ? followers_store(txn, followers, reg, stored) : 0;
    int64_t window_ms = config->outbox_ms;
    uint32_t step = config->step;
    store_cursor_t *c;
    int rc = store_cursor_open(txn, outbox, &c);
    if (rc != 0) return rc;
    const void *k, *v;
    size_t kl, vl;
    uint64_t head = 0, first = 0, last = 0;
    if (store_cursor_last(c, &k, &kl, &v, &vl) == 0 && kl == 8) head = be64_read(k);
    rc = store_cursor_first(c, &k, &kl, &v, &vl);
    for (uint32_t seen = 0; rc == 0 && seen < step && kl == 8; seen++) {
        uint64_t seq = be64_read(k);
        int64_t at = event_at_ms(v, vl);
        if (seq > low || seq >= head || at < 0 || at >= now_ms - window_ms) break;
        if (!first) first = seq;
        last = seq;
        rc = store_cursor_next(c, &k, &kl, &v, &vl);
    }
    store_cursor_close(&c);
    if (!first)                                /* nothing to remove: write only what is urgent */
        return reg->urgent ? followers_store(txn, followers, reg, stored) : 0;
    for (uint64_t seq = first; seq <= last; seq++) {
        uint8_t key[8];
        be64_write(key, seq);
        rc = store_del(txn, outbox, key, sizeof key);
        if (rc != 0 && rc != ERR_NOT_FOUND) return rc;
        (*removed)++;
    }
    return followers_store(txn, followers, reg, stored);
}
