/*  projections — routes each event the followers bring to the projections it feeds (registry.c,
    oversight.c, chart_view.c, statement.c, journal.c, loans_view.c, loancard.c, writeoffs.c).
    Events a projection does not need are counted and otherwise ignored, so a producer may add
    event kinds without stopping us.

    It also opens the tables (reporting_tables_t) and the apply state (reporting_apply_t), and
    tells which sequence of each stream the store reflects, for every report to state.

    Not for: what a projection keeps (each projection's own header) or answering requests
    (handlers.h). Tables: reporting.h. */
#ifndef LUMBUNG_REPORTING_PROJECTIONS_H
#define LUMBUNG_REPORTING_PROJECTIONS_H

#include "reporting.h"

/* Opens the tables and the scratch arena. Returns 0 or a negative code. */
int reporting_open(reporting_t *app, service_t *service);
/* The same for a store alone (app->service stays NULL): the tables and the arena, for the
   unit tests of the modules that read them. */
int reporting_open_store(reporting_t *app, store_t *store);
void reporting_close(reporting_t *app);

/* The transactions sequence a report of `coop` reflects: the cursor of the follower of the
   shard that owns it (shard 0's for coop 0, a district-wide report); 0 before any. */
uint64_t reporting_tx_seq(const reporting_t *app, uint64_t coop);
/* Every shard's cursor (element K: shard K's), for a district-wide report: an array of
   app->shards in the arena, its length in *n. */
uint64_t *reporting_shard_seqs(const reporting_t *app, arena_t *arena, size_t *n);

/* The followers' callbacks: applies one event of either stream. */
int reporting_apply(void *app, store_txn_t *txn, const Lumbung__Event *event);
/* The same with the event's wire bytes (follower_wire_apply_fn): the journal stores each
   entry's bytes from them (entry_wire.h). */
int reporting_apply_wire(void *app, store_txn_t *txn, const Lumbung__Event *event,
                         const uint8_t *wire, size_t len);
void reporting_advanced(void *app, uint64_t cursor);
/* The followers' batch hook: clears the row cache as an attempt begins, writes it out at its
   end (follower_batch_fn). */
int reporting_batch(void *app, store_txn_t *txn, bool end);

#endif
