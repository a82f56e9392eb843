/* The HTTP endpoints served by the transactions service (see routes.h for the row format).
   Operations are fields of lumbung.TransactionsRequest (proto/transactions.proto); their access
   and flags (OP_MOVES_MONEY: Idempotency-Key required) are their rows in
   common/operations_transactions.h. */
#include "routes.h"

const route_t routes_transactions[] = {
    /* Savings */
    { "GET", "/api/v1/cooperatives/{coop}/members/{id}/accounts", "transactions",
      "get_member_accounts", { {"coop", "cooperative_id"}, {"id", "member_id"} },
      ROUTE_QUERY_FIELDS },
    { "GET", "/api/v1/cooperatives/{coop}/members/{id}/settlement",
      "transactions", "get_settlement",
      { {"coop", "cooperative_id"}, {"id", "member_id"} }, 0 },
    { "POST", "/api/v1/cooperatives/{coop}/deposits", "transactions",
      "deposit", { {"coop", "cooperative_id"} }, ROUTE_CREATED },
    { "POST", "/api/v1/cooperatives/{coop}/withdrawals", "transactions",
      "withdraw", { {"coop", "cooperative_id"} }, ROUTE_CREATED },

    /* Loans */
    { "POST", "/api/v1/cooperatives/{coop}/loans", "transactions",
      "create_loan", { {"coop", "cooperative_id"} }, ROUTE_CREATED },
    { "GET", "/api/v1/cooperatives/{coop}/loans", "transactions",
      "list_loans", { {"coop", "cooperative_id"} }, ROUTE_QUERY_FIELDS },
    { "GET", "/api/v1/cooperatives/{coop}/loans/{id}", "transactions",
      "get_loan", { {"coop", "cooperative_id"}, {"id", "loan_id"} }, ROUTE_QUERY_FIELDS },
    { "POST", "/api/v1/cooperatives/{coop}/loans/{id}/disburse",
      "transactions", "post_disbursement",
      { {"coop", "cooperative_id"}, {"id", "loan_id"} },
      ROUTE_CREATED },
    { "POST", "/api/v1/cooperatives/{coop}/loans/{id}/repayments", "transactions", "post_repayment",
      { {"coop", "cooperative_id"}, {"id", "loan_id"} },
      ROUTE_CREATED },
    { "POST", "/api/v1/cooperatives/{coop}/loans/{id}/cancel", "transactions", "cancel_loan",
      { {"coop", "cooperative_id"}, {"id", "loan_id"} }, 0 },
    { "POST", "/api/v1/cooperatives/{coop}/loans/{id}/write-off", "transactions", "write_off_loan",
      { {"coop", "cooperative_id"}, {"id", "loan_id"} },
      ROUTE_CREATED },
    { "POST", "/api/v1/cooperatives/{coop}/loans/{id}/recoveries", "transactions", "post_recovery",
      { {"coop", "cooperative_id"}, {"id", "loan_id"} },
      ROUTE_CREATED },
    { "POST", "/api/v1/cooperatives/{coop}/close-day", "transactions",
      "close_day", { {"coop", "cooperative_id"} }, 0 },

    /* Ledger */
    { "GET", "/api/v1/cooperatives/{coop}/accounts", "transactions",
      "list_accounts", { {"coop", "cooperative_id"} }, 0 },
    { "POST", "/api/v1/cooperatives/{coop}/accounts", "transactions",
      "add_account", { {"coop", "cooperative_id"} }, ROUTE_CREATED },
    { "POST", "/api/v1/cooperatives/{coop}/journal", "transactions",
      "post_entry", { {"coop", "cooperative_id"} }, ROUTE_CREATED },
    { "POST", "/api/v1/cooperatives/{coop}/opening-balances", "transactions",
      "post_opening", { {"coop", "cooperative_id"} }, ROUTE_CREATED },
    { "GET", "/api/v1/cooperatives/{coop}/journal", "transactions",
      "list_journal", { {"coop", "cooperative_id"} }, ROUTE_QUERY_FIELDS },
    { "GET", "/api/v1/cooperatives/{coop}/journal/{id}", "transactions",
      "get_entry", { {"coop", "cooperative_id"}, {"id", "entry_id"} }, 0 },
    { "POST", "/api/v1/cooperatives/{coop}/journal/{id}/reverse", "transactions", "reverse_entry",
      { {"coop", "cooperative_id"}, {"id", "entry_id"} },
      ROUTE_CREATED },
    { "GET", "/api/v1/cooperatives/{coop}/trial-balance", "transactions",
      "trial_balance", { {"coop", "cooperative_id"} }, 0 },
    { "POST", "/api/v1/cooperatives/{coop}/batch", "transactions",
      "post_batch", { {"coop", "cooperative_id"} }, 0 },
    ROUTE_END
};
