/*  statement — each member's savings movements, from the entries the transactions service
    posts. A savings entry names its member, kind and the change of the balance; an exit
    settlement (or its reversal) names only the member, so its change per kind is read from its
    lines on the savings accounts (by role): a credit adds to the member's savings, a debit
    takes from them. Keyed by value date, so a statement lists movements in value-date order and
    an opening balance is the sum before its first day.

    Not for: loan movements (loancard.h). Tables: reporting.h. */
#ifndef LUMBUNG_REPORTING_STATEMENT_H
#define LUMBUNG_REPORTING_STATEMENT_H

#include "reporting.h"

int reporting_statement_apply_entry(reporting_t *app, store_txn_t *txn,
                                    const Lumbung__JournalEntry *e);
/* Fills opening/lines/closing of `st` for movements of st->member_id with value dates in
   [from, to]. -E2BIG beyond REPORTING_STATEMENT_LINES_MAX lines. */
int reporting_statement_read(reporting_t *app, store_txn_t *txn, arena_t *arena, int32_t from,
                             int32_t to, Lumbung__MemberStatement *st);

#endif
