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

int reporting_chart_apply_account(reporting_t *app, store_txn_t *txn, const Lumbung__Account *a);
int reporting_chart_apply_entry(reporting_t *app, store_txn_t *txn,
                                const Lumbung__JournalEntry *e);
/* The role of an account, 0 when it has none or is unknown. */
int reporting_chart_role(reporting_t *app, store_txn_t *txn, uint64_t coop, const char *code);

/* Every account of `coop` (in `arena`) with the sums of movements whose value date lies in
   [from, to]. ERR_NOT_FOUND when the cooperative has no account; -E2BIG beyond
   REPORTING_ACCOUNTS_MAX. */
int reporting_chart_read(reporting_t *app, store_txn_t *txn, arena_t *arena, uint64_t coop,
                         int32_t from, int32_t to, reporting_chart_t *out);

#endif
