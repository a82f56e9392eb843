/*  member_view — what one member holds in their cooperative as of a date, for the member's
    own pages (docs/members-self-service.md): savings by kind from the statement's movements
    (statement.c) with the mandatory arrears (common/mandatory.c on the cooperative's settings
    and the member's joining date from the registry), and each loan from its terms as applied
    (loans_view.c) and its card (loancard.c): the schedule with what is paid and overdue, and
    the payoff amount that day.

    Not for: deciding who may ask (the gateway scopes a member to their own id; handlers.c
    authorises the actor), or a loan's class (the transactions service). Tables: reporting.h. */
#ifndef LUMBUNG_REPORTING_MEMBER_VIEW_H
#define LUMBUNG_REPORTING_MEMBER_VIEW_H

#include "reporting.h"

/* Fills `out` (already stamped with ids, names and sequences by the caller) for member `m` of
   cooperative `c` as of as_of. -E2BIG beyond REPORTING_STATEMENT_LINES_MAX movements. */
int reporting_member_overview(reporting_t *app, store_txn_t *txn, arena_t *arena,
                              const Lumbung__Cooperative *c, const Lumbung__Member *m,
                              int32_t as_of, Lumbung__MemberOverview *out);

/* The schedule's state from the card's sums (payments go oldest instalment first, interest
   then principal): fills each instalment's *_paid and overdue, the loan's arrears, paid and
   outstanding fields as of as_of, and returns the payoff amount that day. Pure; unit-tested. */
int64_t reporting_member_loan_view(Lumbung__Loan *loan, const Lumbung__LoanStatement *card,
                                   int32_t as_of, Lumbung__MemberLoan *out, arena_t *arena);

#endif
