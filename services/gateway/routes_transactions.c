/* The HTTP endpoints served by the transactions service (see routes.h for the row format).
   Operations are fields of lumbung.TransactionsRequest (proto/transactions.proto). */
#include "routes.h"

const route_t routes_transactions[] = {
    /* Savings */
    { "GET", "/api/v1/cooperatives/{coop}/members/{id}/accounts", ROUTE_COOP_READ, "transactions",
      "get_member_accounts", { {"coop", "cooperative_id"}, {"id", "member_id"} },
      ROUTE_QUERY_FIELDS },
    { "GET", "/api/v1/cooperatives/{coop}/members/{id}/settlement", ROUTE_COOP_READ,
      "transactions", "get_settlement", { {"coop", "cooperative_id"}, {"id", "member_id"} }, 0 },
    { "POST", "/api/v1/cooperatives/{coop}/deposits", ROUTE_COOP_WRITE, "transactions",
      "deposit", { {"coop", "cooperative_id"} }, ROUTE_CREATED | ROUTE_IDEMPOTENCY_REQUIRED },
    { "POST", "/api/v1/cooperatives/{coop}/withdrawals", ROUTE_COOP_WRITE, "transactions",
      "withdraw", { {"coop", "cooperative_id"} }, ROUTE_CREATED | ROUTE_IDEMPOTENCY_REQUIRED },

    /* Loans */
    { "POST", "/api/v1/cooperatives/{coop}/loans", ROUTE_COOP_WRITE, "transactions",
      "create_loan", { {"coop", "cooperative_id"} }, ROUTE_CREATED },
    { "GET", "/api/v1/cooperatives/{coop}/loans", ROUTE_COOP_READ, "transactions",
      "list_loans", { {"coop", "cooperative_id"} }, ROUTE_QUERY_FIELDS },
    { "GET", "/api/v1/cooperatives/{coop}/loans/{id}", ROUTE_COOP_READ, "transactions",
      "get_loan", { {"coop", "cooperative_id"}, {"id", "loan_id"} }, ROUTE_QUERY_FIELDS },
    { "POST", "/api/v1/cooperatives/{coop}/loans/{id}/disburse", ROUTE_COOP_WRITE,
      "transactions", "post_disbursement", { {"coop", "cooperative_id"}, {"id", "loan_id"} },
      ROUTE_CREATED | ROUTE_IDEMPOTENCY_REQUIRED },
    { "POST", "/api/v1/cooperatives/{coop}/loans/{id}/repayments", ROUTE_COOP_WRITE,
      "transactions", "post_repayment", { {"coop", "cooperative_id"}, {"id", "loan_id"} },
      ROUTE_CREATED | ROUTE_IDEMPOTENCY_REQUIRED },
    { "POST", "/api/v1/cooperatives/{coop}/loans/{id}/cancel", ROUTE_COOP_WRITE,
      "transactions", "cancel_loan", { {"coop", "cooperative_id"}, {"id", "loan_id"} }, 0 },
    { "POST", "/api/v1/cooperatives/{coop}/loans/{id}/write-off", ROUTE_COOP_WRITE,
      "transactions", "write_off_loan", { {"coop", "cooperative_id"}, {"id", "loan_id"} },
      ROUTE_CREATED | ROUTE_IDEMPOTENCY_REQUIRED },
    { "POST", "/api/v1/cooperatives/{coop}/loans/{id}/recoveries", ROUTE_COOP_WRITE,
      "transactions", "post_recovery", { {"coop", "cooperative_id"}, {"id", "loan_id"} },
      ROUTE_CREATED | ROUTE_IDEMPOTENCY_REQUIRED },
    { "POST", "/api/v1/cooperatives/{coop}/close-day", ROUTE_COOP_WRITE, "transactions",
      "close_day", { {"coop", "cooperative_id"} }, ROUTE_LONG },

    /* Ledger */
    { "GET", "/api/v1/cooperatives/{coop}/accounts", ROUTE_COOP_READ, "transactions",
      "list_accounts", { {"coop", "cooperative_id"} }, 0 },
    { "POST", "/api/v1/cooperatives/{coop}/accounts", ROUTE_COOP_WRITE, "transactions",
      "add_account", { {"coop", "cooperative_id"} }, ROUTE_CREATED },
    { "POST", "/api/v1/cooperatives/{coop}/journal", ROUTE_COOP_WRITE, "transactions",
      "post_entry", { {"coop", "cooperative_id"} }, ROUTE_CREATED | ROUTE_IDEMPOTENCY_REQUIRED },
    { "POST", "/api/v1/cooperatives/{coop}/opening-balances", ROUTE_COOP_WRITE, "transactions",
      "post_opening", { {"coop", "cooperative_id"} }, ROUTE_CREATED | ROUTE_IDEMPOTENCY_REQUIRED },
    { "GET", "/api/v1/cooperatives/{coop}/journal", ROUTE_COOP_READ, "transactions",
      "list_journal", { {"coop", "cooperative_id"} }, ROUTE_QUERY_FIELDS },
    { "GET", "/api/v1/cooperatives/{coop}/journal/{id}", ROUTE_COOP_READ, "transactions",
      "get_entry", { {"coop", "cooperative_id"}, {"id", "entry_id"} }, 0 },
    { "POST", "/api/v1/cooperatives/{coop}/journal/{id}/reverse", ROUTE_COOP_WRITE,
      "transactions", "reverse_entry", { {"coop", "cooperative_id"}, {"id", "entry_id"} },
      ROUTE_CREATED | ROUTE_IDEMPOTENCY_REQUIRED },
    { "GET", "/api/v1/cooperatives/{coop}/trial-balance", ROUTE_COOP_READ, "transactions",
      "trial_balance", { {"coop", "cooperative_id"} }, 0 },
    { "POST", "/api/v1/cooperatives/{coop}/batch", ROUTE_COOP_WRITE, "transactions",
      "post_batch", { {"coop", "cooperative_id"} }, ROUTE_IDEMPOTENCY_REQUIRED | ROUTE_LONG },
    ROUTE_END
};
