/*  journal — the journal of a period, from the transactions stream.

    "journal" keeps every posted entry as it was posted (lumbung.JournalEntry, lines included),
    keyed by cooperative, value date and entry id, so the journal of [from, to] is one range
    read in value-date then entry order. Entries never change after posting (a correction is a
    reversal entry), so an entry is written once; a replayed event writes the same bytes. The
    bytes are those the event carried (entry_wire.h), not packed again.

    Not for: the ledger's own journal and its rules (the transactions service), or account
    balances (chart_view.h). */
#ifndef LUMBUNG_REPORTING_JOURNAL_H
#define LUMBUNG_REPORTING_JOURNAL_H

#include "reporting.h"
#include "entry_wire.h"

/* Stores entry e: `wire`, when not NULL, is the entry's bytes as received (entry_wire.h),
   stored as they are; otherwise e is packed. */
int reporting_journal_apply_entry(reporting_t *app, store_txn_t *txn, const Lumbung__JournalEntry *e,
                                  const reporting_span_t *wire);
/* Appends the entries of `coop` with value dates in [from, to] to out->entries (value date,
   then entry order) and sums their lines. -E2BIG beyond REPORTING_JOURNAL_ENTRIES_MAX. */
int reporting_journal_read(reporting_t *app, store_txn_t *txn, arena_t *arena, uint64_t coop,
                           int32_t from, int32_t to, Lumbung__JournalReport *out);
/* The memo of entry `id` of `coop` with value date `day`, as posted, cut to `max` bytes, in
   arena (NUL-terminated), read from the stored bytes without unpacking the entry: for the
   statement's lines, which do not keep a copy. NULL when the journal does not hold the entry
   (a store built before the journal) or the entry has no memo. */
char *reporting_journal_memo(reporting_t *app, store_txn_t *txn, arena_t *arena, uint64_t coop,
                             int32_t day, uint64_t id, size_t max);

#endif
