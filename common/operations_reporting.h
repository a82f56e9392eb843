/*  operations_reporting — the operations of lumbung.ReportingRequest, written once.

    X(CASE, name, ACCESS, FLAGS) as in operations_transactions.h. A report names one
    cooperative, or none for the district as a whole (REPORT_READ); the district's own views
    (dashboard, ODS) are supervision. The reporting service binds a handler to each
    (services/reporting/handlers.c); the gateway reads them without (operation_find).

    Not for: handlers, HTTP routes (services/gateway/routes_reporting.c). */
#ifndef LUMBUNG_OPERATIONS_REPORTING_H
#define LUMBUNG_OPERATIONS_REPORTING_H

#include "operation.h"

#define REPORTING_OPERATIONS(X)                                                                \
    X(BALANCE_SHEET, balance_sheet, REPORT_READ, 0)                                            \
    X(INCOME_STATEMENT, income_statement, REPORT_READ, 0)                                      \
    X(TRIAL_BALANCE, trial_balance, REPORT_READ, 0)                                            \
    X(MEMBER_STATEMENT, member_statement, REPORT_READ, 0)                                      \
    X(DISTRICT_DASHBOARD, district_dashboard, SUPERVISE, 0)                                    \
    X(LOAN_PORTFOLIO, loan_portfolio, REPORT_READ, 0)                                          \
    X(SHU, shu, REPORT_READ, 0)                                                                \
    X(HEALTH, health, REPORT_READ, 0)                                                          \
    X(PUT_MANAGEMENT, put_management, ASSESS, OP_WRITE)                                        \
    X(ODS, ods, SUPERVISE, 0)                                                                  \
    X(MEMBER_IMPORT_TEMPLATE, member_import_template, REPORT_READ, 0)                          \
    X(RAT_PACK, rat_pack, REPORT_READ, 0)                                                      \
    X(MEMBER_REGISTER, member_register, REPORT_READ, 0)                                        \
    X(LOAN_REGISTER, loan_register, REPORT_READ, 0)                                            \
    X(LOAN_CARD, loan_card, REPORT_READ, 0)                                                    \
    X(JOURNAL, journal, REPORT_READ, 0)                                                        \
    X(MEMBER_OVERVIEW, member_overview, REPORT_READ, 0)                                        \
    X(MEMBER_SHU, member_shu, REPORT_READ, 0)                                                  \
    X(PUBLIC_FACTS, public_facts, REPORT_READ, 0)

#endif
