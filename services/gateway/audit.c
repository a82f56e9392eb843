#include "audit.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "config.h"
#include "envelope.h"
#include "kv.h"
#include "log.h"
#include "retention.h"

enum { AUDIT_RECORD_VERSION = 1 };

typedef struct pending {
    struct pending *next;
    gateway_kv_writer_t record;       /* encoded without the sequence, which is the key */
    audit_done_fn fn;
    void *arg;
} pending_t;

struct audit {
    uv_loop_t *loop;
    store_t *store;
    store_table_t table;
    uv_idle_t idle;                   /* runs the flush on the next loop iteration */
    bool idle_on;
    pending_t *head, **tail;
    unsigned queued;
    uint64_t next_seq;
    uv_timer_t prune_timer;           /* drops entries older than the retention period */
    int64_t retention_ms;
    uint32_t prune_step;
    uint64_t pruned;
    int handles_open;
};

static void encode(const audit_entry_t *e, gateway_kv_writer_t *w) {
    gateway_kv_put_u8(w, AUDIT_RECORD_VERSION);
    gateway_kv_put_u64(w, (uint64_t) e->at_ms);
    gateway_kv_put_u64(w, e->cooperative_id);
    gateway_kv_put_u32(w, (uint32_t) e->status);
    gateway_kv_put_u64(w, e->request_id);
    gateway_kv_put_u64(w, e->bus_request_id);
    gateway_kv_put_str(w, e->user);
    gateway_kv_put_str(w, e->role);
    gateway_kv_put_str(w, e->method);
    gateway_kv_put_str(w, e->route);
    gateway_kv_put_str(w, e->path);
    gateway_kv_put_str(w, e->target);
    gateway_kv_put_str(w, e->outcome);
    gateway_kv_put_str(w, e->idempotency_key);
    gateway_kv_put_str(w, e->trace_id);
}

static int decode(const void *data, size_t len, audit_entry_t *e) {
    gateway_kv_reader_t r;
    gateway_kv_reader_init(&r, data, len);
    if (gateway_kv_get_u8(&r) != AUDIT_RECORD_VERSION) return ERR_STORE;
    e->at_ms = (int64_t) gateway_kv_get_u64(&r);
    e->cooperative_id = gateway_kv_get_u64(&r);
    e->status = (int) gateway_kv_get_u32(&r);
    e->request_id = gateway_kv_get_u64(&r);
    e->bus_request_id = gateway_kv_get_u64(&r);
    gateway_kv_get_str(&r, e->user, sizeof e->user);
    gateway_kv_get_str(&r, e->role, sizeof e->role);
    gateway_kv_get_str(&r, e->method, sizeof e->method);
    gateway_kv_get_str(&r, e->route, sizeof e->route);
    gateway_kv_get_str(&r, e->path, sizeof e->path);
    gateway_kv_get_str(&r, e->target, sizeof e->target);
    gateway_kv_get_str(&r, e->outcome, sizeof e->outcome);
    gateway_kv_get_str(&r, e->idempotency_key, sizeof e->idempotency_key);
    e->trace_id[0] = 0;
    if (r.pos < r.len) gateway_kv_get_str(&r, e->trace_id, sizeof e->trace_id);
    return r.bad ? ERR_STORE : 0;
}

static int read_head(audit_t *a, uint64_t *head) {
    store_txn_t *txn = NULL;
    int rc = store_begin(a->store, true, &txn);
    if (rc < 0) return rc;
    store_cursor_t *c = NULL;
    rc = store_cursor_open(txn, a->table, &c);
    if (rc == 0) {
        const void *k, *v;
        size_t kl, vl;
        rc = store_cursor_last(c, &k, &kl, &v, &vl);
        *head = (rc == 0 && kl == 8) ? be64_read(k) : 0;
        if (rc == ERR_NOT_FOUND) rc = 0;
        store_cursor_close(&c);
    }
    store_abort(&txn);
    return rc;
}

static void on_idle(uv_idle_t *idle) {
    audit_t *a = idle->data;
    audit_flush(a);
}

/* Entries from the oldest while older than the period, at most `step`, never the newest
   (it numbers the next one). */
typedef struct {
    audit_t *audit;
    int64_t cutoff_ms;
    uint64_t removed;
} prune_t;

static int prune_write(void *arg, store_txn_t *txn) {
    prune_t *p = arg;
    audit_t *a = p->audit;
    p->removed = 0;
    store_cursor_t *c;
    int rc = store_cursor_open(txn, a->table, &c);
    if (rc != 0) return rc;
    const void *k, *v;
    size_t kl, vl;
    uint64_t first = 0, last = 0;
    rc = store_cursor_first(c, &k, &kl, &v, &vl);
    for (uint32_t seen = 0; rc == 0 && seen < a->prune_step && kl == 8; seen++) {
        gateway_kv_reader_t r;
        gateway_kv_reader_init(&r, v, vl);
        uint64_t seq = be64_read(k);
        if (gateway_kv_get_u8(&r) != AUDIT_RECORD_VERSION || seq + 1 >= a->next_seq) break;
        if ((int64_t) gateway_kv_get_u64(&r) >= p->cutoff_ms || r.bad) break;
        if (!first) first = seq;
        last = seq;
        rc = store_cursor_next(c, &k, &kl, &v, &vl);
    }
    store_cursor_close(&c);
    for (uint64_t seq = first; first && seq <= last; seq++, p->removed++) {
        uint8_t key[8];
        be64_write(key, seq);
        if ((rc = store_del(txn, a->table, key, sizeof key)) != 0 && rc != ERR_NOT_FOUND)
            return rc;
    }
    return 0;
}

/* True when the oldest entry is past the period (a read, so an idle trail writes nothing). */
static bool oldest_expired(audit_t *a, int64_t cutoff_ms) {
    store_txn_t *txn;
    if (store_begin(a->store, true, &txn) != 0) return false;
    store_cursor_t *c;
    bool expired = false;
    if (store_cursor_open(txn, a->table, &c) == 0) {
        const void *k, *v;
        size_t kl, vl;
        if (store_cursor_first(c, &k, &kl, &v, &vl) == 0 && kl == 8 &&
            be64_read(k) + 1 < a->next_seq) {
            gateway_kv_reader_t r;
            gateway_kv_reader_init(&r, v, vl);
            expired = gateway_kv_get_u8(&r) == AUDIT_RECORD_VERSION &&
                      (int64_t) gateway_kv_get_u64(&r) < cutoff_ms && !r.bad;
        }
        store_cursor_close(&c);
    }
    store_abort(&txn);
    return expired;
}

int audit_prune(audit_t *self, int64_t now_ms, uint64_t *removed) {
    assert(self && removed);
    *removed = 0;
    audit_flush(self);                 /* the queue first: next_seq is then the stored head */
    prune_t p = { self, now_ms - self->retention_ms, 0 };
    if (!oldest_expired(self, p.cutoff_ms)) return 0;
    int rc = gateway_kv_write(self->store, prune_write, &p);
    *removed = rc == 0 ? p.removed : 0;
    self->pruned += *removed;
    return rc;
}

static void on_prune(uv_timer_t *t) {
    uint64_t removed;
    int rc = audit_prune(t->data, envelope_now_ms(), &removed);
    if (rc != 0) log_warn(0, "audit: pruning failed (%s); it is tried again", error_name(rc));
}

audit_t *audit_new(uv_loop_t *loop, store_t *store, int *err) {
    assert(loop && store && err);
    audit_t *a = calloc(1, sizeof *a);
    if (!a) abort();
    a->loop = loop;
    a->store = store;
    a->tail = &a->head;
    uint64_t head = 0;
    int rc = store_table(store, "audit", &a->table);
    if (rc == 0) rc = read_head(a, &head);
    if (rc < 0) {
        log_error(0, "audit: cannot open the audit table: %s", error_name(rc));
        free(a);
        *err = rc;
        return NULL;
    }
    a->next_seq = head + 1;
    uv_idle_init(loop, &a->idle);
    a->idle.data = a;
    retention_config_t rc_cfg = retention_config();
    a->retention_ms = 1000 * config_int("LUMBUNG_AUDIT_RETENTION_S", AUDIT_RETENTION_DEFAULT_S,
                                        1, 100LL * 366 * 24 * 3600);
    a->prune_step = rc_cfg.step;
    uv_timer_init(loop, &a->prune_timer);
    a->prune_timer.data = a;
    a->handles_open = 2;
    uv_timer_start(&a->prune_timer, on_prune, (uint64_t) rc_cfg.interval_ms,
                   (uint64_t) rc_cfg.interval_ms);
    return a;
}

static void on_closed(uv_handle_t *h) {
    audit_t *a = h->data;
    if (--a->handles_open == 0) free(a);
}

void audit_destroy(audit_t **self_p) {
    assert(self_p);
    audit_t *a = *self_p;
    if (!a) return;
    *self_p = NULL;
    audit_flush(a);
    uv_timer_stop(&a->prune_timer);
    uv_close((uv_handle_t *) &a->idle, on_closed);
    uv_close((uv_handle_t *) &a->prune_timer, on_closed);
}

uint64_t audit_head(const audit_t *self) { return self->next_seq - 1; }

void audit_record(audit_t *self, const audit_entry_t *entry, audit_done_fn fn, void *arg) {
    assert(self && entry);
    pending_t *p = calloc(1, sizeof *p);
    if (!p) abort();
    encode(entry, &p->record);
    assert(!p->record.overflow);      /* every field is bounded well below the record size */
    p->fn = fn;
    p->arg = arg;
    *self->tail = p;
    self->tail = &p->next;
    self->queued++;
    if (!self->idle_on) {
        uv_idle_start(&self->idle, on_idle);
        self->idle_on = true;
    }
}

int audit_put(audit_t *self, store_txn_t *txn, const audit_entry_t *entry) {
    assert(self && txn && entry);
    /* No flush here: that would open a second write txn in this thread. Entries still queued
       take their numbers when they are written, from next_seq, so this one takes next_seq
       now and they follow it. */
    store_cursor_t *c = NULL;
    int rc = store_cursor_open(txn, self->table, &c);
    if (rc < 0) return rc;
    const void *k, *v;
    size_t kl, vl;
    uint64_t seq = store_cursor_last(c, &k, &kl, &v, &vl) == 0 && kl == 8 ? be64_read(k) + 1 : 1;
    store_cursor_close(&c);
    if (seq < self->next_seq) seq = self->next_seq;
    pending_t p = { 0 };
    encode(entry, &p.record);
    uint8_t key[8];
    be64_write(key, seq);
    rc = store_put(txn, self->table, key, sizeof key, p.record.data, p.record.len, STORE_APPEND);
    /* Even if the caller's txn aborts later, a higher next sequence only leaves a gap. */
    if (rc == 0) self->next_seq = seq + 1;
    return rc;
}

typedef struct {
    audit_t *audit;
    pending_t *first;
    unsigned count;
} batch_t;

static int batch_write(void *arg, store_txn_t *txn) {
    batch_t *b = arg;
    uint64_t seq = b->audit->next_seq;
    pending_t *p = b->first;
    for (unsigned i = 0; i < b->count; i++, p = p->next, seq++) {
        uint8_t key[8];
        be64_write(key, seq);
        int rc = store_put(txn, b->audit->table, key, sizeof key, p->record.data, p->record.len,
                           STORE_APPEND);
        if (rc < 0) return rc;
    }
    return 0;
}

/* Writes up to AUDIT_BATCH_MAX entries in one transaction, then calls their callbacks. */
static int flush_batch(audit_t *a) {
    batch_t b = { a, a->head, 0 };
    for (pending_t *p = a->head; p && b.count < AUDIT_BATCH_MAX; p = p->next) b.count++;
    int rc = gateway_kv_write(a->store, batch_write, &b);
    if (rc == 0) a->next_seq += b.count;
    else log_error(0, "audit: %u entries could not be stored: %s", b.count, error_name(rc));
    for (unsigned i = 0; i < b.count; i++) {
        pending_t *p = a->head;
        a->head = p->next;
        if (!a->head) a->tail = &a->head;
        a->queued--;
        if (p->fn) p->fn(p->arg, rc);
        free(p);
    }
    return rc;
}

int audit_flush(audit_t *self) {
    assert(self);
    int rc = 0;
    /* Callbacks may record more entries; those are written in this loop too. */
    while (self->head) {
        int r = flush_batch(self);
        if (r < 0) rc = r;
    }
    if (self->idle_on) {
        uv_idle_stop(&self->idle);
        self->idle_on = false;
    }
    return rc;
}

static bool matches(const audit_query_t *q, const audit_entry_t *e) {
    if (q->cooperative_id && e->cooperative_id != q->cooperative_id) return false;
    if (q->user && strcmp(q->user, e->user) != 0) return false;
    if (q->from_ms && e->at_ms < q->from_ms) return false;
    if (q->to_ms && e->at_ms > q->to_ms) return false;
    return true;
}

/* Positions the cursor on the newest entry older than `before` (the newest when 0). */
static int position(store_cursor_t *c, uint64_t before, const void **k, size_t *kl,
                    const void **v, size_t *vl) {
    if (before == 0) return store_cursor_last(c, k, kl, v, vl);
    uint8_t key[8];
    be64_write(key, before);
    int rc = store_cursor_seek(c, key, sizeof key, k, kl, v, vl);
    if (rc == ERR_NOT_FOUND) return store_cursor_last(c, k, kl, v, vl);
    if (rc < 0) return rc;
    return store_cursor_prev(c, k, kl, v, vl);
}

static int scan(audit_t *a, store_txn_t *txn, const audit_query_t *q, audit_visit_fn fn,
                void *arg, uint64_t *next_cursor) {
    store_cursor_t *c = NULL;
    int rc = store_cursor_open(txn, a->table, &c);
    if (rc < 0) return rc;
    const void *k, *v;
    size_t kl, vl;
    int found = 0;
    unsigned examined = 0;
    uint64_t last_seq = 0;
    *next_cursor = 0;
    for (rc = position(c, q->before_seq, &k, &kl, &v, &vl); rc == 0;
         rc = store_cursor_prev(c, &k, &kl, &v, &vl)) {
        if (kl != 8) continue;
        uint64_t seq = be64_read(k);
        if ((unsigned) found == q->limit || examined == AUDIT_SCAN_MAX) {
            *next_cursor = last_seq;  /* more entries exist before this point */
            break;
        }
        examined++;
        last_seq = seq;
        audit_entry_t e = { .seq = seq };
        if (decode(v, vl, &e) < 0) {
            log_error(0, "audit: entry %llu is corrupt", (unsigned long long) seq);
            continue;
        }
        if (!matches(q, &e)) continue;
        fn(arg, &e);
        found++;
    }
    store_cursor_close(&c);
    return rc == 0 || rc == ERR_NOT_FOUND ? found : rc;
}

int audit_query(audit_t *self, const audit_query_t *q, audit_visit_fn fn, void *arg,
                uint64_t *next_cursor) {
    assert(self && q && fn && next_cursor);
    assert(q->limit >= 1 && q->limit <= AUDIT_PAGE_MAX);
    audit_flush(self);
    store_txn_t *txn = NULL;
    int rc = store_begin(self->store, true, &txn);
    if (rc < 0) return rc;
    rc = scan(self, txn, q, fn, arg, next_cursor);
    store_abort(&txn);
    return rc;
}
