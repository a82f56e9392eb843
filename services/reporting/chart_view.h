/*  chart_view — the ledger as reporting keeps it: each cooperative's accounts (class, role, name,
    totals) and the debits and credits of every account per value date, from the transactions
    stream; a chart of accounts with the sums of any period is read from it. (The chart of
    accounts itself, its standard accounts and roles, is the transactions service's standard_chart.c.)

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
