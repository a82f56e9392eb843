/*  store — one LMDB environment per service: tables, transactions, cursors, map growth.

    A service opens exactly one store (LMDB forbids opening an env twice in a process) and its
    loop thread writes; a second thread that writes too (the gateway's audit writer) registers
    a grow guard, so that the map is never grown while that thread has a transaction open. Writes happen in one write transaction per batch with a child
    transaction per request (see service.h): a failed request aborts only its child. Commits
    use full sync; durability is never switched off.

    When a write hits the end of the map, store_put() returns ERR_MAP_FULL; the caller must
    abort the whole write transaction, call store_grow() with no transaction open, and redo the
    batch. The service runtime does this; handlers only pass the code up.

    A top-level commit that fails for any other reason than a full disk (ENOSPC) or map ends
    the process with STORE_EXIT_FATAL: a failed write or fsync is never retried in place; the
    supervisor restarts the service and LMDB reopens at the last state that reached the disk.

    Every table and its key/value layout is written down in the owning service's store.h.
    Not for: reading another service's store (never done). */
#ifndef LUMBUNG_STORE_H
#define LUMBUNG_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include <stdbool.h>

enum {
    STORE_TABLES_MAX = 64,
    STORE_KEY_MAX = 511,                      /* LMDB's default maximum key size */
    STORE_MAP_INITIAL = 64 * 1024 * 1024,     /* bytes; doubled by store_grow() */
    STORE_EXIT_FATAL = 74,                    /* exit status after a failed commit (EX_IOERR) */
};

/* Operating errors (error.h): ERR_NOT_FOUND, ERR_EXISTS, ERR_MAP_FULL, and ERR_STORE for any
   other LMDB failure (logged where it happens). */

/* Flags for store_put(). STORE_APPEND: the key sorts after every key of the table.
   STORE_APPEND_DUP (tables of duplicates): the value sorts after every value of its key
   (one descent of the tree); ERR_EXISTS and nothing written when it does not, so that the
   caller can place it otherwise. STORE_NO_DUP (tables of duplicates): ERR_EXISTS when
   exactly this value is already there. */
enum { STORE_NOOVERWRITE = 1, STORE_APPEND = 2, STORE_APPEND_DUP = 4, STORE_NO_DUP = 8 };

typedef struct store store_t;
typedef struct store_txn store_txn_t;
typedef struct store_cursor store_cursor_t;
typedef unsigned int store_table_t;

/* Opens (creating) the environment in directory `dir`, clears stale readers, and returns it.
   NULL with *err set (negative) on failure. */
store_t *store_new(const char *dir, int *err);
void store_destroy(store_t **self_p);

/* Opens or creates a named table. Call before the loop starts, with no transaction open. */
int store_table(store_t *self, const char *name, store_table_t *table);

/* Opens or creates a table of duplicates: many values of one fixed size under one key, in
   byte order of the value, packed in pages without a header per value (LMDB's MDB_DUPSORT
   with MDB_DUPFIXED). For rows appended per key, such as a member's movements: appended with
   STORE_APPEND_DUP they fill whole pages, where distinct keys appended inside each member's
   range leave pages split in half. store_put() adds a value (it never replaces one),
   store_get() gives a key's first value, store_del() removes all of its values, and a cursor
   or a scan visits every value of every key in order. Same rules as store_table(). */
int store_table_dups(store_t *self, const char *name, store_table_t *table);

/* Empties a table and removes it from the store, in `txn` (a format replaced by another). */
int store_drop(store_txn_t *txn, store_table_t table);

/* Transactions. A read-only txn must not be held across an asynchronous wait. */
int store_begin(store_t *self, bool read_only, store_txn_t **txn);
int store_begin_child(store_txn_t *parent, store_txn_t **child);
/* Commit frees the txn and sets *txn to NULL whether or not it succeeded. */
int store_commit(store_txn_t **txn);
void store_abort(store_txn_t **txn);

/* Doubles the map size (up to LUMBUNG_STORE_MAP_MAX). No transaction may be open in the
   process: the caller has none, and the grow guard, when one is set, keeps the other thread's
   away (it is called with before = true, then false once the map has grown). */
int store_grow(store_t *self);
typedef void (*store_grow_guard_fn)(void *arg, bool before);
void store_set_grow_guard(store_t *self, store_grow_guard_fn fn, void *arg);
size_t store_map_size(const store_t *self);

/* Returns 0, ERR_EXISTS (NOOVERWRITE and present), ERR_MAP_FULL or ERR_STORE.
   After any failure the enclosing write txn must be aborted. */
int store_put(store_txn_t *txn, store_table_t table, const void *key, size_t klen,
              const void *val, size_t vlen, unsigned flags);

/* On success *val points into the map and is valid until the txn ends or writes again. */
int store_get(store_txn_t *txn, store_table_t table, const void *key, size_t klen,
              const void **val, size_t *vlen);

/* Returns 0 or ERR_NOT_FOUND. */
int store_del(store_txn_t *txn, store_table_t table, const void *key, size_t klen);

/* Number of entries in a table. */
uint64_t store_count(store_txn_t *txn, store_table_t table);

/* Cursors: positioned by seek (first key >= given key), first or last, then moved by next or
   prev. Each positioning call returns 0 or ERR_NOT_FOUND and fills key/val on success. */
int store_cursor_open(store_txn_t *txn, store_table_t table, store_cursor_t **cursor);
void store_cursor_close(store_cursor_t **cursor);
int store_cursor_seek(store_cursor_t *c, const void *key, size_t klen,
                      const void **k, size_t *kl, const void **v, size_t *vl);
int store_cursor_first(store_cursor_t *c, const void **k, size_t *kl, const void **v, size_t *vl);
int store_cursor_last(store_cursor_t *c, const void **k, size_t *kl, const void **v, size_t *vl);
int store_cursor_next(store_cursor_t *c, const void **k, size_t *kl, const void **v, size_t *vl);
int store_cursor_prev(store_cursor_t *c, const void **k, size_t *kl, const void **v, size_t *vl);

/* Writes a compacted hot copy of the environment into directory `dir` (must exist, empty). */
int store_backup(store_t *self, const char *dir);


/* Range scans: the one loop over "keys that begin with a prefix, from a start, up to a bound".
   Every service reads its tables this way instead of writing the cursor loop again.
   All pointers in the range are borrowed and must outlive the scan; key/val of the scan point
   into the map and are valid until the next store_scan_next() or the end of the txn. */
typedef struct {
    const void *prefix;           /* only keys that begin with these bytes; prefix_len 0: all */
    size_t prefix_len;
    const void *from;             /* start at the first key >= from; NULL: at the prefix */
    size_t from_len;
    bool from_exclusive;          /* skip a key equal to `from` (resuming after a page) */
    const void *until;            /* end at the first key whose first until_len bytes sort */
    size_t until_len;             /* after `until`; NULL: no upper bound */
    size_t rows_max;              /* a row past this many is -E2BIG; 0: no limit */
} store_range_t;

typedef struct {
    store_cursor_t *cursor;
    store_range_t range;
    size_t rows;                  /* rows handed out so far */
    bool begun;
    const void *key, *val;
    size_t key_len, val_len;
} store_scan_t;

/* Opens a scan of `table` over `range`; nothing is read until the first store_scan_next().
   Returns 0 or ERR_STORE (nothing to close then). */
int store_scan_open(store_scan_t *s, store_txn_t *txn, store_table_t table,
                    const store_range_t *range);
/* Moves to the next row in the range: 0 with key/val set, ERR_NOT_FOUND past the end,
   -E2BIG on the row past range.rows_max, or ERR_STORE. */
int store_scan_next(store_scan_t *s);
/* Closes the cursor and returns rc with the end of the range (ERR_NOT_FOUND) folded to 0,
   so a loop can end with `return store_scan_close(&s, rc);`. */
int store_scan_close(store_scan_t *s, int rc);


/* Runs fn in a write transaction and commits it: the one loop of "retry after the map is
   full". When fn or the commit meets ERR_MAP_FULL the transaction is aborted, the map grown
   (no transaction open) and fn run again from scratch, `attempts` times at most, so fn must
   change nothing outside the transaction. Returns 0, fn's own failure (the transaction
   aborted), a store error, or ERR_MAP_FULL when the map can grow no further or the attempts
   ran out. */
typedef int (*store_write_fn)(void *arg, store_txn_t *txn);
int store_write(store_t *self, int attempts, store_write_fn fn, void *arg);

/* Opens a table only when it exists (ERR_NOT_FOUND otherwise), writing nothing: for reading
   a store offline (lumbungctl verify). */
int store_table_existing(store_t *self, const char *name, store_table_t *table);
/* Bytes of the map in use (pages up to the last one written). */
size_t store_used_bytes(const store_t *self);

#endif
