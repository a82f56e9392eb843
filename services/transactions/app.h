/*  app — the state of one transactions service process, shared by its modules: the
    runtime, the tables, the follower of the members stream, and the replica's arena.

    Not for: anything that must survive a redone batch (that lives in the store). */
#ifndef LUMBUNG_TX_APP_H
#define LUMBUNG_TX_APP_H

#include "arena.h"
#include "follower.h"
#include "service.h"
#include "store.h"

typedef struct {
    service_t *service;         /* owned by service_run() */
    tx_store_t db;
    follower_t *members;        /* owned: created in setup, destroyed in teardown */
    arena_t *replica_arena;     /* owned: one members event at a time */
    int shard;                  /* which transactions shard this process is (shard.h) */
    uint32_t close_step_loans;  /* loans per step of a close-day (TX_CLOSE_STEP_LOANS) */
} tx_app_t;

/* The operation table (handlers.c): the service's list (common/operations_transactions.h)
   with a handler per operation; the runtime dispatches and authorises from it. */
extern const service_operations_t tx_handlers_operations;

/* The follower's callbacks for the members stream (replica.c). */
int tx_replica_apply(void *app, store_txn_t *txn, const Lumbung__Event *event);
void tx_replica_advanced(void *app, uint64_t cursor);

#endif
