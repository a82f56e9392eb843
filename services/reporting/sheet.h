/*  sheet — the pure part of the ledger reports: from a cooperative's accounts with their debits
    and credits over a period to a balance sheet, an income statement or a trial balance.

    No store and no clock here: the caller reads the accounts (chart_view.c) and states the period,
    so every rule of how a report adds up is testable on plain arrays. A balance follows the
    transactions service's rule (docs/design.md): debit minus credit for assets and expenses, credit
    minus debit for liabilities, equity and income. Income and expenses not yet closed into
    equity are shown in the equity section as a derived current-surplus row, so assets equal
    liabilities plus equity whenever the books balance.

    Every message returned lives in the given arena. Accounts of no known class (a line on an
    account never opened) appear in the trial balance only.

    Not for: reading the store, formats (csv_writer.c), authorisation (handlers.c). */
#ifndef LUMBUNG_REPORTING_SHEET_H
#define LUMBUNG_REPORTING_SHEET_H

#include <stddef.h>
#include <stdint.h>
#include "arena.h"
#include "envelope.pb-c.h"

enum {
    REPORTING_CODE_MAX = 16,              /* bytes of an account code (as transactions) */
    REPORTING_NAME_MAX = 96,              /* bytes of an account name kept */
};

/* One account of a cooperative with its debits and credits over a range of value dates. */
typedef struct {
    char code[REPORTING_CODE_MAX + 1];
    char name[REPORTING_NAME_MAX + 1];
    Lumbung__AccountClass class_;
    Lumbung__AccountRole role;
    int64_t debit_sen, credit_sen;
} reporting_account_t;

typedef struct {
    reporting_account_t *items;           /* by code */
    size_t count;
} reporting_chart_t;

/* The name of the derived equity row. */
#define REPORTING_UNCLOSED_SURPLUS_NAME "SHU tahun berjalan (belum ditutup)"

int64_t reporting_sheet_balance(Lumbung__AccountClass class_, int64_t debit_sen,
                                int64_t credit_sen);

/* Sections asset, liability, equity with every account of the class (zero balances too) and
   the derived row last in equity. as_of is copied. */
Lumbung__BalanceSheet *reporting_sheet_balance_sheet(arena_t *arena, const reporting_chart_t *chart,
                                                     uint64_t coop, int32_t as_of);

/* Income and expense accounts with their balances over the chart's period. */
Lumbung__IncomeStatement *reporting_sheet_income(arena_t *arena, const reporting_chart_t *chart,
                                                 uint64_t coop, int32_t from, int32_t to);

/* Every account with its debits, credits and balance; balanced when the sums are equal. */
Lumbung__ReportTrialBalance *reporting_sheet_trial_balance(arena_t *arena,
                                                           const reporting_chart_t *chart,
                                                           uint64_t coop, int32_t as_of);

#endif
