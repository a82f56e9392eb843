/*  statement — each member's savings movements, from the entries the transactions service
    posts. A savings entry names its member, kind and the change of the balance; an exit
    settlement (or its reversal) names only the member, so its change per kind is read from its
    lines on the savings accounts (by role): a credit adds to the member's savings, a debit
    takes from them. Kept in value-date order per member, so a statement lists movements in
    that order and an opening balance is the sum before its first day. A member's movements
    are values of one fixed size under the member's key, appended in entry order, so that they
    fill whole pages (one 23-byte value each where a row of its own took about 128 bytes of
    page). A movement's memo is not copied: the statement reads it from the journal (journal.h),
    which holds every entry as posted.

    Not for: loan movements (loancard.h). Tables: reporting.h. */
#ifndef LUMBUNG_REPORTING_STATEMENT_H
#define LUMBUNG_REPORTING_STATEMENT_H

#include "reporting.h"

int reporting_statement_apply_entry(reporting_t *app, store_txn_t *txn,
                                    const Lumbung__JournalEntry *e);
/* Fills opening/lines/closing of `st` for movements of st->member_id with value dates in
   [from, to]; the lines' memos only when st names its cooperative (the journal's key), which
   a reader of balances alone leaves out. -E2BIG beyond REPORTING_STATEMENT_LINES_MAX lines. */
int reporting_statement_read(reporting_t *app, store_txn_t *txn, arena_t *arena, int32_t from,
                             int32_t to, Lumbung__MemberStatement *st);
/* Moves a store's movements from the table of an earlier release ("movements", a row per
   movement) to savings_moves and movement_memos, in chunks that each commit, then drops the
   old table; nothing to do when it is absent. At start, before any event is applied, with no
   transaction open. 0, ERR_RECORD_VERSION for an old row this build cannot read, or a store
   error. */
int reporting_statement_upgrade(reporting_t *app, store_t *s);

#endif
