/* The HTTP endpoints served by the reporting service (see routes.h for the row format).
   Operations are fields of lumbung.ReportingRequest (proto/reporting.proto), with their access
   in common/operations_reporting.h; every report takes ?format=csv and then answers with a
   file (a ReportFile result). */
#include "routes.h"

const route_t routes_reporting[] = {
    { "GET", "/api/v1/cooperatives/{coop}/reports/balance-sheet", "reporting",
      "balance_sheet", { {"coop", "cooperative_id"} }, ROUTE_QUERY_FIELDS },
    { "GET", "/api/v1/cooperatives/{coop}/reports/income-statement", "reporting",
      "income_statement", { {"coop", "cooperative_id"} }, ROUTE_QUERY_FIELDS },
    { "GET", "/api/v1/cooperatives/{coop}/reports/trial-balance", "reporting",
      "trial_balance", { {"coop", "cooperative_id"} }, ROUTE_QUERY_FIELDS },
    { "GET", "/api/v1/cooperatives/{coop}/members/{id}/statement", "reporting",
      "member_statement", { {"coop", "cooperative_id"}, {"id", "member_id"} },
      ROUTE_QUERY_FIELDS | ROUTE_MEMBER },
    { "GET", "/api/v1/cooperatives/{coop}/reports/loan-portfolio", "reporting",
      "loan_portfolio", { {"coop", "cooperative_id"} }, ROUTE_QUERY_FIELDS },
    { "GET", "/api/v1/cooperatives/{coop}/reports/shu", "reporting", "shu",
      { {"coop", "cooperative_id"} }, ROUTE_QUERY_FIELDS },
    { "GET", "/api/v1/cooperatives/{coop}/reports/health", "reporting", "health",
      { {"coop", "cooperative_id"} }, ROUTE_QUERY_FIELDS },
    { "PUT", "/api/v1/cooperatives/{coop}/reports/health/{year}/management",
      "reporting", "put_management",
      { {"coop", "cooperative_id"}, {"year", "year"} }, 0 },
    { "GET", "/api/v1/district/dashboard", "reporting", "district_dashboard",
      { { NULL, NULL } }, ROUTE_QUERY_FIELDS },
    { "GET", "/api/v1/district/ods", "reporting", "ods", { { NULL, NULL } },
      ROUTE_QUERY_FIELDS },
    { "GET", "/api/v1/cooperatives/{coop}/reports/members", "reporting",
      "member_register", { {"coop", "cooperative_id"} }, ROUTE_QUERY_FIELDS },
    { "GET", "/api/v1/cooperatives/{coop}/reports/loans", "reporting",
      "loan_register", { {"coop", "cooperative_id"} }, ROUTE_QUERY_FIELDS },
    { "GET", "/api/v1/cooperatives/{coop}/loans/{id}/card", "reporting",
      "loan_card", { {"coop", "cooperative_id"}, {"id", "loan_id"} }, ROUTE_QUERY_FIELDS },
    { "GET", "/api/v1/cooperatives/{coop}/reports/journal", "reporting",
      "journal", { {"coop", "cooperative_id"} }, ROUTE_QUERY_FIELDS },
    { "GET", "/api/v1/cooperatives/{coop}/reports/rat-pack", "reporting",
      "rat_pack", { {"coop", "cooperative_id"} }, ROUTE_QUERY_FIELDS },
    { "GET", "/api/v1/cooperatives/{coop}/members/import-template", "reporting",
      "member_import_template", { {"coop", "cooperative_id"} }, ROUTE_QUERY_FIELDS },

    /* A member's own pages (docs/members-self-service.md): the ids come from the session. */
    { "GET", "/api/v1/member/overview", "reporting", "member_overview",
      { { NULL, NULL } }, ROUTE_QUERY_FIELDS | ROUTE_MEMBER | ROUTE_SELF },
    { "GET", "/api/v1/member/statement", "reporting", "member_statement",
      { { NULL, NULL } }, ROUTE_QUERY_FIELDS | ROUTE_MEMBER | ROUTE_SELF },
    { "GET", "/api/v1/member/shu", "reporting", "member_shu",
      { { NULL, NULL } }, ROUTE_QUERY_FIELDS | ROUTE_MEMBER | ROUTE_SELF },
    { "GET", "/api/v1/member/reports/balance-sheet", "reporting",
      "balance_sheet", { { NULL, NULL } }, ROUTE_QUERY_FIELDS | ROUTE_MEMBER | ROUTE_SELF },
    { "GET", "/api/v1/member/reports/income-statement", "reporting",
      "income_statement", { { NULL, NULL } }, ROUTE_QUERY_FIELDS | ROUTE_MEMBER | ROUTE_SELF },
    ROUTE_END
};
