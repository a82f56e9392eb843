/*  audit — the gateway's trail of every state-changing call: who, when, what, on which
    cooperative, and how it ended.

    Every POST, PUT, PATCH and DELETE is recorded, whether it succeeded or not, logins
    included: time, user (for a login, the name that was tried), role, method, route pattern,
    path, cooperative, the other path ids, HTTP status and outcome code, request ids and the
    idempotency key. What one loop iteration records is handed, at the iteration's end, to a
    writer thread of the audit's own, which writes whatever was handed over while its last
    commit synced in one transaction (group commit, full sync, up to AUDIT_BATCH_MAX entries),
    so the HTTP loop never waits for the disk;
    audit_record() calls back on the loop once its entry is durable, so the gateway answers a
    state-changing call only after its audit entry has committed. A call that goes over the bus
    is recorded as it is sent (status 0, outcome AUDIT_OUTCOME_PENDING), so that commit runs
    while the service commits the call, and audit_rewrite() replaces it with the status and
    outcome once the call is answered (gateway.c). Only the loop thread grows the store's
    map, with the writer paused (store_set_grow_guard).

    Table "audit": key u64 big-endian sequence (1, 2, 3, ...) -> u8 version (1), u64 at_ms,
    u64 cooperative_id, u32 status, u64 request_id, u64 bus_request_id, str user, str role,
    str method, str route, str path, str target, str outcome, str idempotency_key, and since
    the logs' request ids str trace_id (kv.h; an older record without it reads as "").

    Entries are kept for LUMBUNG_AUDIT_RETENTION_S (default AUDIT_RETENTION_DEFAULT_S, five
    years); older ones are removed from the oldest, at most LUMBUNG_PRUNE_STEP per
    LUMBUNG_PRUNE_INTERVAL_MS in a transaction of their own (retention.h); the newest entry
    always stays, as it numbers the next.

    Not for: logs (log.h), metrics (metrics.h), or the services' own event streams. */
#ifndef LUMBUNG_GATEWAY_AUDIT_H
#define LUMBUNG_GATEWAY_AUDIT_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>
#include "log.h"
#include "store.h"

enum {
    AUDIT_BATCH_MAX = 1024,           /* entries written in one transaction */
    AUDIT_PAGE_DEFAULT = 50,
    AUDIT_PAGE_MAX = 500,
    AUDIT_SCAN_MAX = 100000,          /* entries examined by one query */
    AUDIT_USER_MAX = 64,
    AUDIT_ROUTE_MAX = 160,
    AUDIT_PATH_MAX = 512,
    AUDIT_TARGET_MAX = 256,
    AUDIT_CODE_MAX = 48,
    AUDIT_KEY_MAX = 128,
};
#define AUDIT_RETENTION_DEFAULT_S (5LL * 365 * 24 * 3600)
/* The outcome of an entry recorded before its call was answered; one the gateway could not
   rewrite (it stopped in between) keeps it, and the call's idempotency key and bus request id
   find how it ended in the service's own records. */
#define AUDIT_OUTCOME_PENDING "pending"

typedef struct {
    uint64_t seq;                     /* set when stored */
    int64_t at_ms;
    char user[AUDIT_USER_MAX + 1];
    char role[16];
    char method[16];
    char route[AUDIT_ROUTE_MAX + 1];  /* the pattern, "" when no route matched */
    char path[AUDIT_PATH_MAX + 1];
    uint64_t cooperative_id;          /* 0 when the call named none */
    char target[AUDIT_TARGET_MAX + 1];/* other path ids, "id=12" */
    int status;                       /* HTTP status */
    char outcome[AUDIT_CODE_MAX + 1]; /* "ok" or the error code */
    uint64_t request_id;              /* the gateway's number of the request */
    char trace_id[LOG_REQUEST_ID_MAX + 1];  /* X-Request-Id and the logs' request_id */
    uint64_t bus_request_id;          /* the bus request's, 0 when none was sent */
    char idempotency_key[AUDIT_KEY_MAX + 1];
} audit_entry_t;

typedef struct audit audit_t;

/* Opens table "audit" (before the loop runs, with no transaction open). */
audit_t *audit_new(uv_loop_t *loop, store_t *store, int *err);
/* Writes what is queued (calling back), stops the writer thread, then closes its loop handles;
   the memory is released by the loop's close callback, so run the loop once more afterwards. */
void audit_destroy(audit_t **self_p);

/* Copies the entry into the queue. When `fn` is not NULL it is called exactly once from a
   later loop iteration, after the entry committed (status 0, with the sequence it took) or
   failed to (negative, seq 0). */
typedef void (*audit_done_fn)(void *arg, int status, uint64_t seq);
void audit_record(audit_t *self, const audit_entry_t *entry, audit_done_fn fn, void *arg);

/* Queues `entry` to replace the stored entry `seq` (whose audit_record() callback gave the
   number): a call recorded as it was sent gets its status and outcome once it is answered.
   Nothing calls back; it commits with the next batch. An entry no longer stored (pruned) is
   not written again. */
void audit_rewrite(audit_t *self, uint64_t seq, const audit_entry_t *entry);

/* Writes `entry` inside the caller's write txn (a follower's, so the entry commits with the
   cursor of the event it records: busaudit.h). Its sequence comes from the txn. 0 or a
   negative store error (ERR_MAP_FULL: the caller's txn must be redone). */
int audit_put(audit_t *self, store_txn_t *txn, const audit_entry_t *entry);

/* One pruning step now (the timer runs it every interval): removes entries older than the
   retention period as of now_ms, at most one step. 0 or a negative store error. */
int audit_prune(audit_t *self, int64_t now_ms, uint64_t *removed);

/* Waits until the queue is written and calls back (a query calls this first, so it sees
   every earlier call). 0, or the first failure among the entries written. */
int audit_flush(audit_t *self);

typedef struct {
    uint64_t cooperative_id;          /* 0: any */
    const char *user;                 /* NULL: any */
    int64_t from_ms, to_ms;           /* inclusive bounds; 0: open */
    uint64_t before_seq;              /* the cursor: entries older than this; 0: the newest */
    unsigned limit;                   /* 1..AUDIT_PAGE_MAX */
} audit_query_t;

/* Calls fn for each matching entry, newest first, up to q->limit of them, examining at most
   AUDIT_SCAN_MAX entries. *next_cursor is the cursor for the next page, 0 at the end.
   Returns the number of entries visited or a negative store error. */
typedef void (*audit_visit_fn)(void *arg, const audit_entry_t *entry);
int audit_query(audit_t *self, const audit_query_t *q, audit_visit_fn fn, void *arg,
                uint64_t *next_cursor);

/* Entries stored so far (the newest sequence). */
uint64_t audit_head(const audit_t *self);

#endif
