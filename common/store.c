#include "store.h"
#include "config.h"
#include "files.h"
#include "log.h"

#include <assert.h>
#include <errno.h>
#include <lmdb.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct store {
    MDB_env *env;
    size_t map_size;
    size_t map_max;
    char dir[512];
    store_grow_guard_fn grow_guard;   /* NULL: only one thread uses the store */
    void *grow_guard_arg;
    /* One finished read txn, reset (it holds its reader slot but no snapshot), renewed by the
       next store_begin(read_only): a read then costs no allocation and no reader-slot search,
       which is most of what a small read costs LMDB. Atomic because the gateway's audit
       writer thread reads too. */
    _Atomic(struct store_txn *) spare_read;
};

struct store_txn {
    MDB_txn *txn;
    store_t *store;
    bool durable;             /* a top-level write txn: its commit writes and syncs the file */
    bool read_only;           /* a top-level read txn: kept as the spare when it ends */
};

struct store_cursor {
    MDB_cursor *cursor;
};

static int store_code(int rc, const char *what) {
    switch (rc) {
    case 0: return 0;
    case MDB_NOTFOUND: return ERR_NOT_FOUND;
    case MDB_KEYEXIST: return ERR_EXISTS;
    case MDB_MAP_FULL: return ERR_MAP_FULL;
    default:
        log_error(0, "store: %s: %s", what, mdb_strerror(rc));
        return ERR_STORE;
    }
}

/* A durable commit that failed for any reason but a full disk or map ends the process. A
   failed write or fsync leaves the file in a state nobody can vouch for (the kernel may have
   dropped the dirty pages and will report success next time), so the commit is never retried
   in place: we exit, the supervisor restarts us, and LMDB reopens at the last meta page that
   did reach the disk. Nothing of the failed batch was acknowledged. ENOSPC is the exception:
   LMDB got it writing new pages past the last committed state (tmpfs and ext4 refuse the
   write itself), the meta page was not touched, so the store is intact and the caller
   answers "unavailable" until space is back. */
static void exit_fatal(const store_t *store, int rc) {
    log_error(0, "store: %s: commit failed: %s; exiting so that the store is reopened from "
              "what reached the disk (never retried in place)", store->dir, mdb_strerror(rc));
    _exit(STORE_EXIT_FATAL);
}

/* LMDB marks its environment unusable when the meta page's write fails (it then answers every
   later txn with MDB_PANIC), and that write can fail with ENOSPC too: not on ext4, which
   overwrites the meta page in place, but on a file system that allocates on overwrite, or
   under tests/fault/faultfs.c. Such a store cannot serve another read, so the process ends
   as for a failed sync, and the restart reopens it at the last meta page on disk. */
static void exit_if_panicked(const store_t *store, int rc) {
    if (rc == MDB_PANIC) exit_fatal(store, rc);
}

static void exit_if_fatal(const store_txn_t *t, int rc) {
    if (rc == 0 || !t->durable || rc == MDB_MAP_FULL) return;
    if (rc != ENOSPC) exit_fatal(t->store, rc);
    MDB_txn *probe;                 /* was it the meta page? then the env is gone (above) */
    int panicked = mdb_txn_begin(t->store->env, NULL, MDB_RDONLY, &probe);
    if (panicked == 0) mdb_txn_abort(probe);
    exit_if_panicked(t->store, panicked);
}


store_t *store_new(const char *dir, int *err) {
    assert(dir && err);
    int rc = files_mkdir_p(dir);
    if (rc != 0) {
        log_error(0, "store: cannot create %s: %s", dir, strerror(-rc));
        *err = rc;
        return NULL;
    }
    store_t *self = calloc(1, sizeof *self);
    if (!self) abort();
    snprintf(self->dir, sizeof self->dir, "%s", dir);
    self->map_max = (size_t) config_int("LUMBUNG_STORE_MAP_MAX", (int64_t) 1 << 40, 1 << 20,
                                        INT64_MAX);
    size_t initial = (size_t) config_int("LUMBUNG_STORE_MAP_INITIAL", STORE_MAP_INITIAL,
                                         1 << 16, INT64_MAX);
    if ((rc = mdb_env_create(&self->env)) != 0) goto fail;
    if ((rc = mdb_env_set_maxdbs(self->env, STORE_TABLES_MAX)) != 0) goto fail;
    if ((rc = mdb_env_set_maxreaders(self->env, 126)) != 0) goto fail;
    /* MDB_NOTLS: read txns are tied to our objects, not to threads. No WRITEMAP: nested txns
       need it off. Full sync is LMDB's default and stays on. */
    if ((rc = mdb_env_open(self->env, dir, MDB_NOTLS, 0600)) != 0) goto fail;
    MDB_envinfo info;
    mdb_env_info(self->env, &info);
    /* A store that grew before reopens at its grown size; never shrink it. */
    self->map_size = info.me_mapsize > initial ? info.me_mapsize : initial;
    if ((rc = mdb_env_set_mapsize(self->env, self->map_size)) != 0) goto fail;
    int dead = 0;
    mdb_reader_check(self->env, &dead);
    if (dead) log_warn(0, "store: cleared %d stale readers in %s", dead, dir);
    return self;
fail:
    log_error(0, "store: open %s: %s", dir, mdb_strerror(rc));
    if (self->env) mdb_env_close(self->env);
    free(self);
    *err = ERR_STORE;
    return NULL;
}

void store_destroy(store_t **self_p) {
    assert(self_p);
    store_t *self = *self_p;
    if (!self) return;
    store_txn_t *spare = atomic_exchange(&self->spare_read, NULL);
    if (spare) {
        mdb_txn_abort(spare->txn);
        free(spare);
    }
    mdb_env_close(self->env);
    free(self);
    *self_p = NULL;
}

static int table_open(store_t *self, const char *name, unsigned flags, store_table_t *table) {
    MDB_txn *txn;
    int rc = mdb_txn_begin(self->env, NULL, 0, &txn);
    if (rc != 0) return store_code(rc, "table begin");
    MDB_dbi dbi;
    rc = mdb_dbi_open(txn, name, MDB_CREATE | flags, &dbi);
    if (rc != 0) {
        mdb_txn_abort(txn);
        return store_code(rc, name);
    }
    rc = mdb_txn_commit(txn);
    store_txn_t top = { .txn = txn, .store = self, .durable = true };
    exit_if_fatal(&top, rc);
    if (rc != 0) return store_code(rc, "table commit");
    *table = dbi;
    return 0;
}

int store_table(store_t *self, const char *name, store_table_t *table) {
    return table_open(self, name, 0, table);
}

int store_table_dups(store_t *self, const char *name, store_table_t *table) {
    return table_open(self, name, MDB_DUPSORT | MDB_DUPFIXED, table);
}

static int txn_wrap(store_t *store, MDB_txn *parent, unsigned flags, store_txn_t **out) {
    store_txn_t *t = malloc(sizeof *t);
    if (!t) abort();
    int rc = mdb_txn_begin(store->env, parent, flags, &t->txn);
    if (rc != 0) {
        free(t);
        exit_if_panicked(store, rc);
        return store_code(rc, "begin");
    }
    t->store = store;
    t->durable = !parent && !(flags & MDB_RDONLY);
    t->read_only = !parent && (flags & MDB_RDONLY);
    *out = t;
    return 0;
}

/* The spare read txn renewed on the current snapshot, or NULL when there is none (or it could
   not be renewed, when it is dropped and a new one begun). */
static store_txn_t *spare_renewed(store_t *self) {
    store_txn_t *t = atomic_exchange(&self->spare_read, NULL);
    if (!t || mdb_txn_renew(t->txn) == 0) return t;
    mdb_txn_abort(t->txn);
    free(t);
    return NULL;
}

int store_begin(store_t *self, bool read_only, store_txn_t **txn) {
    assert(self && txn);
    if (read_only && (*txn = spare_renewed(self)) != NULL) return 0;
    return txn_wrap(self, NULL, read_only ? MDB_RDONLY : 0, txn);
}

int store_begin_child(store_txn_t *parent, store_txn_t **child) {
    assert(parent && child);
    return txn_wrap(parent->store, parent->txn, 0, child);
}

int store_commit(store_txn_t **txn) {
    assert(txn && *txn);
    int rc = mdb_txn_commit((*txn)->txn);
    exit_if_fatal(*txn, rc);
    free(*txn);
    *txn = NULL;
    return store_code(rc, "commit");
}

void store_abort(store_txn_t **txn) {
    assert(txn);
    if (!*txn) return;
    store_txn_t *expected = NULL;
    if ((*txn)->read_only) {
        mdb_txn_reset((*txn)->txn);
        if (atomic_compare_exchange_strong(&(*txn)->store->spare_read, &expected, *txn)) {
            *txn = NULL;
            return;
        }
    }
    mdb_txn_abort((*txn)->txn);
    free(*txn);
    *txn = NULL;
}

void store_set_grow_guard(store_t *self, store_grow_guard_fn fn, void *arg) {
    assert(self);
    self->grow_guard = fn;
    self->grow_guard_arg = arg;
}

int store_grow(store_t *self) {
    if (self->map_size >= self->map_max) {
        log_error(0, "store: %s reached its maximum size of %zu bytes", self->dir, self->map_max);
        return ERR_MAP_FULL;
    }
    size_t next = self->map_size * 2;
    if (next > self->map_max) next = self->map_max;
    if (self->grow_guard) self->grow_guard(self->grow_guard_arg, true);
    int rc = mdb_env_set_mapsize(self->env, next);
    if (self->grow_guard) self->grow_guard(self->grow_guard_arg, false);
    if (rc != 0) return store_code(rc, "grow");
    log_info(0, "store: %s map grown to %zu bytes", self->dir, next);
    self->map_size = next;
    return 0;
}

size_t store_map_size(const store_t *self) { return self->map_size; }

int store_put(store_txn_t *txn, store_table_t table, const void *key, size_t klen,
              const void *val, size_t vlen, unsigned flags) {
    assert(txn && key && klen > 0 && klen <= STORE_KEY_MAX);
    MDB_val k = { klen, (void *) key }, v = { vlen, (void *) val };
    unsigned mflags = 0;
    if (flags & STORE_NOOVERWRITE) mflags |= MDB_NOOVERWRITE;
    if (flags & STORE_APPEND) mflags |= MDB_APPEND;
    if (flags & STORE_APPEND_DUP) mflags |= MDB_APPENDDUP;
    if (flags & STORE_NO_DUP) mflags |= MDB_NODUPDATA;
    return store_code(mdb_put(txn->txn, table, &k, &v, mflags), "put");
}

int store_drop(store_txn_t *txn, store_table_t table) {
    assert(txn);
    return store_code(mdb_drop(txn->txn, table, 1), "drop");
}

int store_get(store_txn_t *txn, store_table_t table, const void *key, size_t klen,
              const void **val, size_t *vlen) {
    assert(txn && key && klen > 0 && klen <= STORE_KEY_MAX);
    MDB_val k = { klen, (void *) key }, v;
    int rc = mdb_get(txn->txn, table, &k, &v);
    if (rc != 0) return store_code(rc, "get");
    if (val) *val = v.mv_data;
    if (vlen) *vlen = v.mv_size;
    return 0;
}

int store_del(store_txn_t *txn, store_table_t table, const void *key, size_t klen) {
    assert(txn && key && klen > 0);
    MDB_val k = { klen, (void *) key };
    return store_code(mdb_del(txn->txn, table, &k, NULL), "del");
}

uint64_t store_count(store_txn_t *txn, store_table_t table) {
    MDB_stat st;
    if (mdb_stat(txn->txn, table, &st) != 0) return 0;
    return st.ms_entries;
}

int store_cursor_open(store_txn_t *txn, store_table_t table, store_cursor_t **cursor) {
    store_cursor_t *c = malloc(sizeof *c);
    if (!c) abort();
    int rc = mdb_cursor_open(txn->txn, table, &c->cursor);
    if (rc != 0) {
        free(c);
        return store_code(rc, "cursor");
    }
    *cursor = c;
    return 0;
}

void store_cursor_close(store_cursor_t **cursor) {
    if (!*cursor) return;
    mdb_cursor_close((*cursor)->cursor);
    free(*cursor);
    *cursor = NULL;
}

static int cursor_get(store_cursor_t *c, MDB_val *k, MDB_cursor_op op, const void **kp,
                      size_t *kl, const void **vp, size_t *vl) {
    MDB_val v;
    int rc = mdb_cursor_get(c->cursor, k, &v, op);
    if (rc != 0) return store_code(rc, "cursor get");
    if (kp) *kp = k->mv_data;
    if (kl) *kl = k->mv_size;
    if (vp) *vp = v.mv_data;
    if (vl) *vl = v.mv_size;
    return 0;
}

int store_cursor_seek(store_cursor_t *c, const void *key, size_t klen, const void **k,
                      size_t *kl, const void **v, size_t *vl) {
    MDB_val mk = { klen, (void *) key };
    return cursor_get(c, &mk, MDB_SET_RANGE, k, kl, v, vl);
}

int store_cursor_first(store_cursor_t *c, const void **k, size_t *kl, const void **v, size_t *vl) {
    MDB_val mk = { 0, NULL };
    return cursor_get(c, &mk, MDB_FIRST, k, kl, v, vl);
}

int store_cursor_last(store_cursor_t *c, const void **k, size_t *kl, const void **v, size_t *vl) {
    MDB_val mk = { 0, NULL };
    return cursor_get(c, &mk, MDB_LAST, k, kl, v, vl);
}

int store_cursor_next(store_cursor_t *c, const void **k, size_t *kl, const void **v, size_t *vl) {
    MDB_val mk = { 0, NULL };
    return cursor_get(c, &mk, MDB_NEXT, k, kl, v, vl);
}

int store_cursor_prev(store_cursor_t *c, const void **k, size_t *kl, const void **v, size_t *vl) {
    MDB_val mk = { 0, NULL };
    return cursor_get(c, &mk, MDB_PREV, k, kl, v, vl);
}

int store_backup(store_t *self, const char *dir) {
    int rc = mdb_env_copy2(self->env, dir, MDB_CP_COMPACT);
    return store_code(rc, "backup");
}

/* ------------------------------------------------------------------ range scans */

int store_scan_open(store_scan_t *s, store_txn_t *txn, store_table_t table,
                    const store_range_t *range) {
    assert(s && txn && range);
    assert(range->prefix || range->prefix_len == 0);
    memset(s, 0, sizeof *s);
    s->range = *range;
    return store_cursor_open(txn, table, &s->cursor);
}

static int scan_first(store_scan_t *s) {
    const store_range_t *r = &s->range;
    const void *at = r->from ? r->from : r->prefix;
    size_t at_len = r->from ? r->from_len : r->prefix_len;
    if (at_len == 0) return store_cursor_first(s->cursor, &s->key, &s->key_len, &s->val, &s->val_len);
    int rc = store_cursor_seek(s->cursor, at, at_len, &s->key, &s->key_len, &s->val, &s->val_len);
    if (rc == 0 && r->from && r->from_exclusive && s->key_len == r->from_len &&
        memcmp(s->key, r->from, r->from_len) == 0)
        rc = store_cursor_next(s->cursor, &s->key, &s->key_len, &s->val, &s->val_len);
    return rc;
}

/* Whether the row under the cursor is still inside the range. */
static bool scan_inside(const store_scan_t *s) {
    const store_range_t *r = &s->range;
    if (s->key_len < r->prefix_len ||
        (r->prefix_len && memcmp(s->key, r->prefix, r->prefix_len) != 0))
        return false;
    if (!r->until) return true;
    size_t n = s->key_len < r->until_len ? s->key_len : r->until_len;
    return memcmp(s->key, r->until, n) <= 0;
}

int store_scan_next(store_scan_t *s) {
    assert(s && s->cursor);
    int rc = s->begun ? store_cursor_next(s->cursor, &s->key, &s->key_len, &s->val, &s->val_len)
                      : scan_first(s);
    s->begun = true;
    if (rc != 0) return rc;
    if (!scan_inside(s)) return ERR_NOT_FOUND;
    if (s->range.rows_max && s->rows == s->range.rows_max) return -E2BIG;
    s->rows++;
    return 0;
}

int store_scan_close(store_scan_t *s, int rc) {
    store_cursor_close(&s->cursor);
    return rc == ERR_NOT_FOUND ? 0 : rc;
}

/* ------------------------------------------------------------------ retry on a full map */

int store_write(store_t *self, int attempts, store_write_fn fn, void *arg) {
    assert(self && fn && attempts > 0);
    for (int attempt = 0; attempt < attempts; attempt++) {
        store_txn_t *txn = NULL;
        int rc = store_begin(self, false, &txn);
        if (rc != 0) return rc;
        rc = fn(arg, txn);
        if (rc == 0) rc = store_commit(&txn);
        else store_abort(&txn);
        if (rc != ERR_MAP_FULL) return rc;
        if ((rc = store_grow(self)) != 0) return rc;
    }
    return ERR_MAP_FULL;
}

/* ---- for lumbungctl: reading a store without changing it, and how full it is ---- */

int store_table_existing(store_t *self, const char *name, store_table_t *table) {
    MDB_txn *txn;
    int rc = mdb_txn_begin(self->env, NULL, MDB_RDONLY, &txn);
    if (rc != 0) return store_code(rc, "table begin");
    MDB_dbi dbi;
    rc = mdb_dbi_open(txn, name, 0, &dbi);
    if (rc == MDB_NOTFOUND) {
        mdb_txn_abort(txn);
        return ERR_NOT_FOUND;
    }
    if (rc != 0) {
        mdb_txn_abort(txn);
        return store_code(rc, name);
    }
    /* A handle opened in a read-only txn stays usable once the txn commits. */
    rc = mdb_txn_commit(txn);
    if (rc != 0) return store_code(rc, "table commit");
    *table = dbi;
    return 0;
}

size_t store_used_bytes(const store_t *self) {
    MDB_envinfo info;
    MDB_stat st;
    if (mdb_env_info(self->env, &info) != 0 || mdb_env_stat(self->env, &st) != 0) return 0;
    return (info.me_last_pgno + 1) * (size_t) st.ms_psize;
}
