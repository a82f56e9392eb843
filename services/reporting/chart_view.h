/*  chart_view — the transactions stream's ledger projection: each cooperative's accounts
    (class, role, name, all-time totals) and, per account and value date, the debits and credits
    of that day. A balance as of any date is the sum of the days up to it, so an entry posted
    late with an earlier value date changes every report from that date on, as it should.

    (The chart of accounts itself, its standard accounts and roles, is the transactions
    service's standard_chart.c.)

    Not for: shaping a balance sheet or trial balance (sheet.h). Tables: reporting.h. */
#ifndef LUMBUNG_REPORTING_CHART_VIEW_H
#define LUMBUNG_REPORTING_CHART_VIEW_H

#include "reporting.h"

#include <errno.h>
#include "pb_date.h"

int reporting_chart_apply_account(reporting_t *app, store_txn_t *txn, const Lumbung__Account *a);
int reporting_chart_apply_entry(reporting_t *app, store_txn_t *txn,
                                const Lumbung__JournalEntry *e);
/* The role of an account, 0 when it has none or is unknown. */
int reporting_chart_role(reporting_t *app, store_txn_t *txn, uint64_t coop, const char *code);

/* What a journal line adds to the balance of a liability or equity account (a member's
   savings, capital): its credit less its debit. */
static inline int64_t reporting_line_credit_change(const Lumbung__JournalLine *l) {
    return (l->has_credit_sen ? l->credit_sen : 0) - (l->has_debit_sen ? l->debit_sen : 0);
}

/* The value date of an entry that concerns a member, for the member projections (statement.c,
   loans_view.c): 1 with *day set; 0 when the entry names no member (nothing to apply);
   -EPROTO when it has no value date. */
static inline int reporting_member_entry_day(const Lumbung__JournalEntry *e, int32_t *day) {
    if (!e->has_member_id || e->member_id == 0) return 0;
    return PB_DATE_GET(e, value_date, day) ? 1 : -EPROTO;
}

/* Every account of `coop` (in `arena`) with the sums of movements whose value date lies in
   [from, to]. ERR_NOT_FOUND when the cooperative has no account; -E2BIG beyond
   REPORTING_ACCOUNTS_MAX. */
int reporting_chart_read(reporting_t *app, store_txn_t *txn, arena_t *arena, uint64_t coop,
                         int32_t from, int32_t to, reporting_chart_t *out);

#endif
