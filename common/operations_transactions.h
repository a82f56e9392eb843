/*  operations_transactions — the operations of lumbung.TransactionsRequest, written once.

    X(CASE, name, ACCESS, FLAGS): CASE of LUMBUNG__TRANSACTIONS_REQUEST__OP_<CASE>, the oneof
    field's name, the access class (access.h, without ACCESS_) and the OP_* flags (operation.h).
    The transactions service binds a handler to each (services/transactions/handlers.c); the
    gateway and libcommon read them without (operation_find). A new operation is one line here.

    Not for: handlers, HTTP routes (services/gateway/routes_transactions.c). */
#ifndef LUMBUNG_OPERATIONS_TRANSACTIONS_H
#define LUMBUNG_OPERATIONS_TRANSACTIONS_H

#include "operation.h"

#define TRANSACTIONS_OPERATIONS(X)                                                             \
    X(GET_MEMBER_ACCOUNTS, get_member_accounts, COOP_READ, 0)                                  \
    X(DEPOSIT, deposit, COOP_WRITE, OP_WRITE | OP_MOVES_MONEY)                                 \
    X(WITHDRAW, withdraw, COOP_WRITE, OP_WRITE | OP_MOVES_MONEY)                               \
    X(LIST_ACCOUNTS, list_accounts, COOP_READ, 0)                                              \
    X(ADD_ACCOUNT, add_account, COOP_WRITE, OP_WRITE)                                          \
    X(POST_ENTRY, post_entry, COOP_WRITE, OP_WRITE | OP_MOVES_MONEY)                           \
    X(LIST_JOURNAL, list_journal, COOP_READ, 0)                                                \
    X(GET_ENTRY, get_entry, COOP_READ, 0)                                                      \
    X(REVERSE_ENTRY, reverse_entry, COOP_WRITE, OP_WRITE | OP_MOVES_MONEY)                     \
    X(TRIAL_BALANCE, trial_balance, COOP_READ, 0)                                              \
    X(GET_SETTLEMENT, get_settlement, COOP_READ, 0)                                            \
    X(POST_BATCH, post_batch, COOP_WRITE,                                                      \
      OP_WRITE | OP_MOVES_MONEY | OP_LONG | OP_AUTHORISES_ITSELF)                              \
    X(CREATE_LOAN, create_loan, COOP_WRITE, OP_WRITE | OP_CHANGES_LOANS)                       \
    X(POST_DISBURSEMENT, post_disbursement, COOP_WRITE,                                        \
      OP_WRITE | OP_MOVES_MONEY | OP_CHANGES_LOANS)                                            \
    X(POST_REPAYMENT, post_repayment, COOP_WRITE, OP_WRITE | OP_MOVES_MONEY | OP_CHANGES_LOANS) \
    X(GET_LOAN, get_loan, COOP_READ, 0)                                                        \
    X(LIST_LOANS, list_loans, COOP_READ, 0)                                                    \
    X(CLOSE_DAY, close_day, COOP_WRITE, OP_WRITE | OP_LONG | OP_STEPS)                         \
    X(CANCEL_LOAN, cancel_loan, COOP_WRITE, OP_WRITE | OP_CHANGES_LOANS)                       \
    X(WRITE_OFF_LOAN, write_off_loan, COOP_WRITE, OP_WRITE | OP_MOVES_MONEY | OP_CHANGES_LOANS) \
    X(POST_RECOVERY, post_recovery, COOP_WRITE, OP_WRITE | OP_MOVES_MONEY | OP_CHANGES_LOANS)  \
    X(POST_OPENING, post_opening, COOP_WRITE, OP_WRITE | OP_MOVES_MONEY)

#endif
