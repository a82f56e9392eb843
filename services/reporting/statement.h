/*  statement — each member's savings movements by value date, from the entries the
    transactions service posts, and the member statement read from them.

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
