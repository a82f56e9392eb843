/*  render — each report as a document (doc.h): the tables every file format (CSV, XLSX, PDF)
    shows, filled from the very report message the JSON answer is made of.

    One table per listing (accounts, lines, classes, members, cooperatives), a row per item,
    and the totals a reader would otherwise add up by hand as rows marked `total` in the first
    column. Column headings, labels and enum values come in English keys (as the JSON has them) and
    Bahasa Indonesia; codes stay as they are. The document says what the report reflects (its
    cooperative, period, as_of_seq, members_seq) and the file's base name in both languages.

    Pure: every function reads the report message and allocates in the arena.

    Not for: the formats (docfile.c); JSON (the gateway converts the report message itself). */
#ifndef LUMBUNG_REPORTING_RENDER_H
#define LUMBUNG_REPORTING_RENDER_H

#include "arena.h"
#include "doc.h"
#include "envelope.pb-c.h"

void reporting_render_balance_sheet(reporting_doc_t *d, arena_t *arena,
                                    const Lumbung__BalanceSheet *b);
void reporting_render_income(reporting_doc_t *d, arena_t *arena, const Lumbung__IncomeStatement *s);
void reporting_render_trial_balance(reporting_doc_t *d, arena_t *arena,
                                    const Lumbung__ReportTrialBalance *t);
void reporting_render_statement(reporting_doc_t *d, arena_t *arena,
                                const Lumbung__MemberStatement *s);
void reporting_render_portfolio(reporting_doc_t *d, arena_t *arena, const Lumbung__LoanPortfolio *p);
void reporting_render_shu(reporting_doc_t *d, arena_t *arena, const Lumbung__ShuReport *s);
void reporting_render_health(reporting_doc_t *d, arena_t *arena, const Lumbung__HealthReport *h);
void reporting_render_dashboard(reporting_doc_t *d, arena_t *arena,
                                const Lumbung__DistrictDashboard *x);
void reporting_render_ods(reporting_doc_t *d, arena_t *arena, const Lumbung__OdsReturn *o);

/* The file a member import takes: its header row and nothing else (a sample row would be
   imported by whoever forgets to delete it). */
void reporting_render_import_template(reporting_doc_t *d, arena_t *arena, uint64_t coop);

void reporting_render_member_register(reporting_doc_t *d, arena_t *arena,
                                      const Lumbung__MemberRegister *m);
void reporting_render_loan_register(reporting_doc_t *d, arena_t *arena,
                                    const Lumbung__LoanRegister *l);

/* The journal of a period: one row per line, the entry's id, date, kind and memo on each. */
void reporting_render_journal(reporting_doc_t *d, arena_t *arena, const Lumbung__JournalReport *j);

/* A loan's repayment card: terms, schedule and every movement. */
void reporting_render_loan_card(reporting_doc_t *d, arena_t *arena, const Lumbung__LoanCard *c);

/* The papers of the annual meeting for one fiscal year in one document. */
void reporting_render_rat_pack(reporting_doc_t *d, arena_t *arena, const Lumbung__BalanceSheet *b,
                               const Lumbung__IncomeStatement *i, const Lumbung__ShuReport *s,
                               const Lumbung__LoanPortfolio *p, const Lumbung__HealthReport *h);

/* The tables of one report added to a document another report started (the RAT pack). */
void reporting_tables_balance_sheet(reporting_doc_t *d, const Lumbung__BalanceSheet *b);
void reporting_tables_income(reporting_doc_t *d, const Lumbung__IncomeStatement *s);
void reporting_tables_portfolio(reporting_doc_t *d, const Lumbung__LoanPortfolio *p);
void reporting_tables_shu(reporting_doc_t *d, const Lumbung__ShuReport *s);
void reporting_tables_health(reporting_doc_t *d, const Lumbung__HealthReport *h);

#endif
