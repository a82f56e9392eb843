/*  standard_chart — the standard chart of accounts every cooperative starts with, and the fixed
    relations between account roles, classes and savings kinds.

    docs/domain.md gives each report-relevant account a role; this table gives every role one
    standard account with an Indonesian name, so a new cooperative can post from its first
    minute. Which account the service posts to for a role is stored per cooperative (tx_roles),
    so a cooperative may later add its own accounts without breaking the service's postings.

    Not for: storing anything (ledger.c creates the chart in a cooperative's store). */
#ifndef LUMBUNG_TX_STANDARD_CHART_H
#define LUMBUNG_TX_STANDARD_CHART_H

#include <stdbool.h>
#include <stddef.h>
#include "transactions.pb-c.h"

typedef struct {
    const char *code;
    const char *name;
    Lumbung__AccountClass class_;
    Lumbung__AccountRole role;
} tx_chart_row_t;

enum { TX_ROLE_MAX = 31 };   /* highest AccountRole value */

/* The standard chart, in code order; *count is set to its length. Static storage. */
const tx_chart_row_t *tx_chart_standard(size_t *count);

/* The class a role belongs to (ACCOUNT_CLASS_UNSPECIFIED for an unknown role). */
Lumbung__AccountClass tx_chart_role_class(Lumbung__AccountRole role);

/* Lower-case names for messages: "asset", "cash", "voluntary". Never NULL. */
const char *tx_chart_class_name(Lumbung__AccountClass c);
const char *tx_chart_role_name(Lumbung__AccountRole role);
const char *tx_chart_kind_name(Lumbung__SavingsKind kind);

/* The liability or equity role that holds savings of `kind` (UNSPECIFIED for none). */
Lumbung__AccountRole tx_chart_kind_role(Lumbung__SavingsKind kind);

/* True for roles only the savings rules may post to (principal, mandatory, voluntary, time
   deposits): a manual entry on them would part the ledger from the members' balances. */
bool tx_chart_role_is_savings(Lumbung__AccountRole role);

/* True when `code` is 1..TX_CODE_MAX characters of [0-9A-Za-z.-] starting with a digit. */
bool tx_chart_code_valid(const char *code);

/* The normal balance of an account: debit - credit for assets and expenses, credit - debit
   for the others. The totals are never negative and at most INT64_MAX, so no overflow. */
int64_t tx_chart_balance(Lumbung__AccountClass c, int64_t debit_total, int64_t credit_total);

#endif
