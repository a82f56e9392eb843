/*  retention — how long a service keeps what it needs only for a while, and the pruning of it
    in bounded steps.

    Idempotency replies are kept for a window (LUMBUNG_IDEMPOTENCY_RETENTION_S, default 30
    days): a retry inside it gets the stored reply, a retry after it is a new request (the
    lookup itself checks the age, so this holds before pruning has caught up). Outbox events
    are kept until every registered follower has passed them AND they are older than the
    replay window (LUMBUNG_OUTBOX_RETENTION_S, default 30 days); the newest event is never
    removed (it numbers the next one). A follower registers by asking for a replay: the
    producer keeps its name with from_seq - 1 as its cursor (table "followers", written
    lazily: see retention_followers_t); followers ask periodically (follower.h) so a caught-up
    one keeps its cursor current. A step that has nothing to do writes nothing. With no
    follower registered nothing is removed from the outbox. A follower not heard from for
    LUMBUNG_FOLLOWER_FORGET_S (default 0: never) no longer holds the outbox (an integrator
    that was removed); its record stays, and it holds again once it asks.

    Pruning runs every LUMBUNG_PRUNE_INTERVAL_MS (default 1000) in its own write transaction of
    at most LUMBUNG_PRUNE_STEP (default 1000) entries examined per table, so it never holds the
    writer long; a table larger than one step is walked over several ticks.

    Table "followers": key = peer name, value = u64 big-endian cursor, u64 big-endian at_ms.
    Not for: the audit trail of the gateway (audit.h prunes its own by the same step rule). */
#ifndef LUMBUNG_RETENTION_H
#define LUMBUNG_RETENTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "store.h"

enum {
    RETENTION_DEFAULT_S = 30 * 24 * 3600,
    RETENTION_INTERVAL_MS = 1000,
    RETENTION_FIRST_STEP_INTERVALS = 30, /* the first step after start waits this many */
    RETENTION_STEP = 1000,               /* entries examined per table and tick */
    RETENTION_STEP_MAX = 100000,
    RETENTION_FOLLOWERS_MAX = 64,        /* followers that hold the outbox; more are refused */
    RETENTION_NAME_MAX = 64,             /* bytes of a follower's (peer's) name */
};

typedef struct {
    int64_t idempotency_ms, outbox_ms;  /* windows */
    int64_t interval_ms;
    uint32_t step;
    int64_t follower_forget_ms;         /* 0: a registered follower holds the outbox forever */
} retention_config_t;

/* The windows and pace from the environment (see above). */
retention_config_t retention_config(void);

/* Where the idempotency walk goes on next tick (the first key, after a full pass). */
typedef struct {
    uint8_t key[STORE_KEY_MAX];
    size_t key_len;                      /* 0: from the first key */
} retention_walk_t;

/* An idempotency value carries when it was stored: ms since the epoch, or -1 for a value of
   the first layout (no time; the pruner stamps it with the time it first sees it). */
typedef int64_t (*retention_stored_at_fn)(const void *val, size_t len);
/* Rewrites a value of the first layout with a time (a buffer of at most len + 16 bytes);
   returns its length. */
typedef size_t (*retention_stamp_fn)(const void *val, size_t len, int64_t at_ms, uint8_t *out);

typedef struct {
    retention_stored_at_fn stored_at;
    retention_stamp_fn stamp;
} retention_idem_codec_t;

/* One step over the idempotency table in txn: removes the entries stored before
   now_ms - window_ms, examining at most `step`. Adds the entries removed to *removed and the
   first-layout ones stamped to *stamped (both 0: nothing written). 0 or a store error. */
int retention_prune_idempotency(store_txn_t *txn, store_table_t table,
                                const retention_idem_codec_t *codec, retention_walk_t *walk,
                                int64_t now_ms, int64_t window_ms, uint32_t step,
                                uint64_t *removed, uint64_t *stamped);

/* The registered followers, in memory: loaded at start and kept current by every replay,
   which never writes. The pruning step writes them to table "followers": a new name or a
   cursor that went back (a rebuilt follower) with the next step, a cursor that went forward
   only with a step that removes events (until then the stored cursor is lower, which only
   keeps more). The first step runs RETENTION_FIRST_STEP_INTERVALS intervals after start, by
   when every live follower has asked again. */
typedef struct {
    char name[RETENTION_NAME_MAX + 1];
    uint64_t cursor;
    int64_t heard_ms;
    bool dirty;                          /* newer than what the table holds */
} retention_follower_t;

typedef struct {
    retention_follower_t followers[RETENTION_FOLLOWERS_MAX];
    int count;
    bool urgent;                         /* a new name or a cursor that went back */
} retention_followers_t;

int retention_followers_load(store_txn_t *txn, store_table_t table, retention_followers_t *reg);
/* Follower `name` has every event up to `cursor` (it asked for a replay from cursor + 1) as
   of now_ms. Past RETENTION_FOLLOWERS_MAX names a new one is not recorded. */
void retention_followers_note(retention_followers_t *reg, const char *name, uint64_t cursor,
                              int64_t now_ms);

/* The lowest cursor of the followers heard from within forget_ms (0: all); false when none. */
bool retention_followers_low(const retention_followers_t *reg, int64_t now_ms,
                             int64_t forget_ms, uint64_t *low);

/* One step over the outbox: removes events from the oldest while their seq is at most the
   followers' lowest cursor, below the newest event, and older than now_ms - outbox_ms, at
   most config->step, and stores the followers as described above. Adds the events removed to
   *removed and the followers written to *stored (both 0: nothing written). 0 or a store
   error. */
int retention_prune_outbox(store_txn_t *txn, store_table_t outbox, store_table_t followers,
                           retention_followers_t *reg, const retention_config_t *config,
                           int64_t now_ms, uint64_t *removed, uint64_t *stored);

#endif
