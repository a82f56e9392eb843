#include "audit.h"

#include <assert.h>
#include <pthread.h>
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
    audit_done_fn fn;
    void *arg;
    int status;                       /* set by the writer: 0 or the commit's error */
    uint64_t seq;                     /* a rewrite's entry; else set by the writer */
    bool rewrite;                     /* replaces entry `seq` (audit_rewrite) */
    size_t len;
    uint8_t record[];                 /* encoded without the sequence, which is the key */
} pending_t;

/* A list of entries, in the order they were recorded. */
typedef struct {
    pending_t *head, **tail;
} pending_list_t;

/* The writer thread and the loop share what is under `mu`: the queue the writer takes its
   batches from, the entries it has written (whose callbacks the loop runs), the counts a
   flush waits on, and the next sequence (audit_put() takes one from the loop thread too,
   inside a write txn, which LMDB's writer lock orders with the writer's). */
struct audit {
    uv_loop_t *loop;
    store_t *store;
    store_table_t table;
    pthread_t writer;
    pthread_mutex_t mu;
    pthread_cond_t wake;              /* the writer: work, a resume, or stop */
    pthread_cond_t settled;           /* the loop: a batch was written, or the writer is idle */
    pending_list_t queue, done;
    uint64_t recorded, written;       /* entries queued and entries settled, ever */
    uint64_t next_seq;
    bool busy;                        /* the writer has a transaction open */
    bool grow_wanted;                 /* its last batch hit the end of the map */
    bool paused;                      /* the loop grows the map: no new transaction */
    bool stopping;
    uv_async_t async;                 /* wakes the loop for callbacks and growth */
    /* Loop thread only: what this loop iteration recorded, handed to the writer at its end
       (uv_check), so a burst of replies becomes one batch rather than a wake-up per entry. */
    pending_list_t staged;
    uint64_t staged_count;
    uv_check_t handoff;
    bool handoff_on;
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

/* The entry encoded, in a writer of the loop thread's (too big for the stack comfortably),
   valid until the next call. */
static const gateway_kv_writer_t *encoded(const audit_entry_t *e) {
    static gateway_kv_writer_t w;
    w.len = 0;
    w.overflow = false;
    encode(e, &w);
    assert(!w.overflow);              /* every field is bounded well below the record size */
    return &w;
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

static uint64_t next_seq_get(audit_t *a) {
    pthread_mutex_lock(&a->mu);
    uint64_t seq = a->next_seq;
    pthread_mutex_unlock(&a->mu);
    return seq;
}

/* Entries from the oldest while older than the period, at most `step`, never the newest
   (it numbers the next one). */
typedef struct {
    audit_t *audit;
    int64_t cutoff_ms;
    uint64_t next_seq;                /* as the prune began; it only grows */
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
        if (gateway_kv_get_u8(&r) != AUDIT_RECORD_VERSION || seq + 1 >= p->next_seq) break;
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
            be64_read(k) + 1 < next_seq_get(a)) {
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
    prune_t p = { self, now_ms - self->retention_ms, next_seq_get(self), 0 };
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

/* ------------------------------------------------------------------ the writer thread */

static void list_init(pending_list_t *l) {
    l->head = NULL;
    l->tail = &l->head;
}

/* The sequence the next entry takes in txn: past the stored head and past next_seq (the
   writer and audit_put() both take numbers; LMDB's writer lock orders their transactions). */
static int seq_in(audit_t *a, store_txn_t *txn, uint64_t *seq) {
    store_cursor_t *c = NULL;
    int rc = store_cursor_open(txn, a->table, &c);
    if (rc < 0) return rc;
    const void *k, *v;
    size_t kl, vl;
    uint64_t next = store_cursor_last(c, &k, &kl, &v, &vl) == 0 && kl == 8 ? be64_read(k) + 1 : 1;
    store_cursor_close(&c);
    uint64_t hint = next_seq_get(a);
    *seq = next > hint ? next : hint;
    return 0;
}

static void next_seq_raise(audit_t *a, uint64_t next) {   /* under mu */
    if (next > a->next_seq) a->next_seq = next;
}

typedef struct {
    audit_t *audit;
    pending_t *first;                 /* a list of its own, NULL-terminated */
    unsigned count;
    uint64_t next_seq;                /* past the last new entry written */
} batch_t;

/* Takes up to AUDIT_BATCH_MAX entries off the head of the queue (under mu, queue not empty). */
static batch_t batch_take(audit_t *a) {
    batch_t b = { a, a->queue.head, 0, 0 };
    pending_t *last = NULL;
    for (pending_t *p = a->queue.head; p && b.count < AUDIT_BATCH_MAX; p = p->next) {
        last = p;
        b.count++;
    }
    a->queue.head = last->next;
    if (!a->queue.head) a->queue.tail = &a->queue.head;
    last->next = NULL;
    return b;
}

/* Puts a batch back at the head of the queue, in its order (under mu). */
static void batch_requeue(audit_t *a, batch_t *b) {
    pending_t *last = b->first;
    while (last->next) last = last->next;
    last->next = a->queue.head;
    if (!a->queue.head) a->queue.tail = &last->next;
    a->queue.head = b->first;
}

/* Hands a written (or failed) batch to the loop for its callbacks (under mu). */
static void batch_settle(audit_t *a, batch_t *b, int rc) {
    pending_t *last = NULL;
    for (pending_t *p = b->first; p; p = p->next) {
        p->status = rc;
        last = p;
    }
    *a->done.tail = b->first;
    a->done.tail = &last->next;
    a->written += b->count;
}

/* Replaces a stored entry with its answered form; one pruned meanwhile stays away. */
static int rewrite_one(batch_t *b, store_txn_t *txn, const pending_t *p) {
    uint8_t key[8];
    be64_write(key, p->seq);
    const void *old;
    size_t old_len;
    int rc = store_get(txn, b->audit->table, key, sizeof key, &old, &old_len);
    if (rc == ERR_NOT_FOUND) return 0;
    if (rc < 0) return rc;
    return store_put(txn, b->audit->table, key, sizeof key, p->record, p->len, 0);
}

/* New entries take the next sequences, in order (each callback learns its own). */
static int batch_write(batch_t *b, store_txn_t *txn) {
    int rc = seq_in(b->audit, txn, &b->next_seq);
    if (rc < 0) return rc;
    for (pending_t *p = b->first; p; p = p->next) {
        if (p->rewrite) {
            rc = rewrite_one(b, txn, p);
        } else {
            p->seq = b->next_seq++;
            uint8_t key[8];
            be64_write(key, p->seq);
            rc = store_put(txn, b->audit->table, key, sizeof key, p->record, p->len,
                           STORE_APPEND);
        }
        if (rc < 0) return rc;
    }
    return 0;
}

/* One transaction, one attempt: on ERR_MAP_FULL the loop thread grows the map (grow_for_writer)
   and the writer tries the batch again; this thread never grows it, as the loop's read
   transactions may be open. */
static int batch_commit(batch_t *b) {
    store_txn_t *txn = NULL;
    int rc = store_begin(b->audit->store, false, &txn);
    if (rc != 0) return rc;
    rc = batch_write(b, txn);
    if (rc == 0) return store_commit(&txn);
    store_abort(&txn);
    return rc;
}

static bool writer_may_start(const audit_t *a) {
    return a->queue.head && !a->grow_wanted && !a->paused;
}

/* Group commit: whatever was queued while the last batch synced goes in the next one. */
static void *writer_main(void *arg) {
    audit_t *a = arg;
    pthread_mutex_lock(&a->mu);
    for (;;) {
        while (!writer_may_start(a) && !(a->stopping && !a->queue.head))
            pthread_cond_wait(&a->wake, &a->mu);
        if (!a->queue.head) break;    /* stopping, with everything written */
        batch_t b = batch_take(a);
        a->busy = true;
        pthread_mutex_unlock(&a->mu);
        int rc = batch_commit(&b);
        pthread_mutex_lock(&a->mu);
        a->busy = false;
        if (rc == ERR_MAP_FULL) {
            batch_requeue(a, &b);
            a->grow_wanted = true;
        } else {
            if (rc == 0) next_seq_raise(a, b.next_seq);
            batch_settle(a, &b, rc);
        }
        pthread_cond_broadcast(&a->settled);
        uv_async_send(&a->async);
    }
    pthread_mutex_unlock(&a->mu);
    return NULL;
}

/* store_grow()'s guard: no writer transaction while the map is remapped. */
static void grow_guard(void *arg, bool before) {
    audit_t *a = arg;
    pthread_mutex_lock(&a->mu);
    if (before) {
        a->paused = true;
        while (a->busy) pthread_cond_wait(&a->settled, &a->mu);
    } else {
        a->paused = false;
        pthread_cond_signal(&a->wake);
    }
    pthread_mutex_unlock(&a->mu);
}

/* On the loop thread (no transaction open): grows the map the writer ran out of; when it
   cannot grow, the batch fails as a full map. */
static void grow_for_writer(audit_t *a) {
    int rc = store_grow(a->store);
    pthread_mutex_lock(&a->mu);
    a->grow_wanted = false;
    if (rc != 0 && a->queue.head) {
        batch_t b = batch_take(a);
        batch_settle(a, &b, rc);
        pthread_cond_broadcast(&a->settled);
    }
    pthread_cond_signal(&a->wake);
    pthread_mutex_unlock(&a->mu);
}

/* On the loop thread: serves a growth the writer waits for, then calls back every entry
   settled so far. 0, or the first failure among them. */
static int settle(audit_t *a) {
    pthread_mutex_lock(&a->mu);
    bool grow = a->grow_wanted;
    pthread_mutex_unlock(&a->mu);
    if (grow) grow_for_writer(a);
    pthread_mutex_lock(&a->mu);
    pending_t *p = a->done.head;
    list_init(&a->done);
    pthread_mutex_unlock(&a->mu);
    int rc = 0;
    unsigned failed = 0;
    for (pending_t *q = p; q; q = q->next)
        if (q->status < 0 && failed++ == 0) rc = q->status;
    if (failed) log_error(0, "audit: %u entries could not be stored: %s", failed, error_name(rc));
    while (p) {
        pending_t *next = p->next;
        if (p->fn) p->fn(p->arg, p->status, p->status < 0 ? 0 : p->seq);
        free(p);
        p = next;
    }
    return rc;
}

static void on_async(uv_async_t *async) {
    settle(async->data);
}

/* Hands what this iteration recorded to the writer, in one go. */
static void handoff(audit_t *a) {
    if (a->handoff_on) {
        uv_check_stop(&a->handoff);
        a->handoff_on = false;
    }
    if (!a->staged.head) return;
    pthread_mutex_lock(&a->mu);
    *a->queue.tail = a->staged.head;
    a->queue.tail = a->staged.tail;
    a->recorded += a->staged_count;
    pthread_cond_signal(&a->wake);
    pthread_mutex_unlock(&a->mu);
    list_init(&a->staged);
    a->staged_count = 0;
}

static void on_handoff(uv_check_t *check) {
    handoff(check->data);
}

/* ------------------------------------------------------------------ life */

audit_t *audit_new(uv_loop_t *loop, store_t *store, int *err) {
    assert(loop && store && err);
    audit_t *a = calloc(1, sizeof *a);
    if (!a) abort();
    a->loop = loop;
    a->store = store;
    list_init(&a->queue);
    list_init(&a->done);
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
    pthread_mutex_init(&a->mu, NULL);
    pthread_cond_init(&a->wake, NULL);
    pthread_cond_init(&a->settled, NULL);
    uv_async_init(loop, &a->async, on_async);
    a->async.data = a;
    list_init(&a->staged);
    uv_check_init(loop, &a->handoff);
    a->handoff.data = a;
    retention_config_t rc_cfg = retention_config();
    a->retention_ms = 1000 * config_int("LUMBUNG_AUDIT_RETENTION_S", AUDIT_RETENTION_DEFAULT_S,
                                        1, 100LL * 366 * 24 * 3600);
    a->prune_step = rc_cfg.step;
    uv_timer_init(loop, &a->prune_timer);
    a->prune_timer.data = a;
    a->handles_open = 3;
    uv_timer_start(&a->prune_timer, on_prune, (uint64_t) rc_cfg.interval_ms,
                   (uint64_t) rc_cfg.interval_ms);
    if (pthread_create(&a->writer, NULL, writer_main, a) != 0) abort();
    store_set_grow_guard(store, grow_guard, a);
    return a;
}

static void on_closed(uv_handle_t *h) {
    audit_t *a = h->data;
    if (--a->handles_open > 0) return;
    pthread_cond_destroy(&a->settled);
    pthread_cond_destroy(&a->wake);
    pthread_mutex_destroy(&a->mu);
    free(a);
}

void audit_destroy(audit_t **self_p) {
    assert(self_p);
    audit_t *a = *self_p;
    if (!a) return;
    *self_p = NULL;
    audit_flush(a);                   /* the queue drains before the writer stops */
    pthread_mutex_lock(&a->mu);
    a->stopping = true;
    pthread_cond_signal(&a->wake);
    pthread_mutex_unlock(&a->mu);
    pthread_join(a->writer, NULL);
    store_set_grow_guard(a->store, NULL, NULL);
    settle(a);
    uv_timer_stop(&a->prune_timer);
    uv_check_stop(&a->handoff);
    uv_close((uv_handle_t *) &a->handoff, on_closed);
    uv_close((uv_handle_t *) &a->async, on_closed);
    uv_close((uv_handle_t *) &a->prune_timer, on_closed);
}

uint64_t audit_head(const audit_t *self) { return next_seq_get((audit_t *) self) - 1; }

/* Stages an entry for the writer, handed over at the end of this loop iteration. */
static void stage(audit_t *self, const audit_entry_t *entry, bool rewrite, uint64_t seq,
                  audit_done_fn fn, void *arg) {
    const gateway_kv_writer_t *w = encoded(entry);
    pending_t *p = malloc(sizeof *p + w->len);  /* the record's bytes, not the writer's room */
    if (!p) abort();
    memcpy(p->record, w->data, w->len);
    p->len = w->len;
    p->next = NULL;
    p->status = 0;
    p->seq = seq;
    p->rewrite = rewrite;
    p->fn = fn;
    p->arg = arg;
    *self->staged.tail = p;
    self->staged.tail = &p->next;
    self->staged_count++;
    if (!self->handoff_on) {
        uv_check_start(&self->handoff, on_handoff);
        self->handoff_on = true;
    }
}

void audit_record(audit_t *self, const audit_entry_t *entry, audit_done_fn fn, void *arg) {
    assert(self && entry);
    stage(self, entry, false, 0, fn, arg);
}

void audit_rewrite(audit_t *self, uint64_t seq, const audit_entry_t *entry) {
    assert(self && entry && seq > 0);
    stage(self, entry, true, seq, NULL, NULL);
}

int audit_put(audit_t *self, store_txn_t *txn, const audit_entry_t *entry) {
    assert(self && txn && entry);
    /* No flush here: that would wait for the writer, which waits for this txn's writer lock.
       The writer numbers its batches inside its own txn, after this one. */
    uint64_t seq;
    int rc = seq_in(self, txn, &seq);
    if (rc < 0) return rc;
    const gateway_kv_writer_t *w = encoded(entry);
    uint8_t key[8];
    be64_write(key, seq);
    rc = store_put(txn, self->table, key, sizeof key, w->data, w->len, STORE_APPEND);
    /* Even if the caller's txn aborts later, a higher next sequence only leaves a gap. */
    if (rc == 0) {
        pthread_mutex_lock(&self->mu);
        next_seq_raise(self, seq + 1);
        pthread_mutex_unlock(&self->mu);
    }
    return rc;
}

/* Waits until every entry recorded so far is settled (serving a growth the writer needs, as
   the loop is blocked here), then calls them back; again while callbacks record more. */
int audit_flush(audit_t *self) {
    assert(self);
    int rc = 0;
    for (;;) {
        handoff(self);
        pthread_mutex_lock(&self->mu);
        uint64_t target = self->recorded;
        bool drained = self->written == target && !self->done.head;
        while (self->written < target && !self->grow_wanted)
            pthread_cond_wait(&self->settled, &self->mu);
        pthread_mutex_unlock(&self->mu);
        if (drained) return rc;
        int r = settle(self);
        if (r < 0 && rc == 0) rc = r;
    }
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
