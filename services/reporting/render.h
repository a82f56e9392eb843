/*  render — each report as a CSV file (a lumbung.ReportFile the gateway sends as is).

    One table per file, a header row first, one row per account, line or cooperative, and the
    totals a reader would otherwise add up by hand as rows marked in the first column. The
    first row names the report and what it reflects (`as_of_seq`), so a printed file says how
    fresh it is. Pure: every function reads the report message and allocates in the arena.

    Not for: JSON (the gateway converts the report message itself). */
#ifndef LUMBUNG_REPORTING_RENDER_H
#define LUMBUNG_REPORTING_RENDER_H

#include "arena.h"
#include "envelope.pb-c.h"

/* Each returns the file, or NULL when it would exceed REPORTING_CSV_MAX (csv.h). */
Lumbung__ReportFile *reporting_render_balance_sheet(arena_t *arena, const Lumbung__BalanceSheet *b);
Lumbung__ReportFile *reporting_render_income(arena_t *arena, const Lumbung__IncomeStatement *s);
Lumbung__ReportFile *reporting_render_trial_balance(arena_t *arena,
                                                    const Lumbung__ReportTrialBalance *t);
Lumbung__ReportFile *reporting_render_statement(arena_t *arena, const Lumbung__MemberStatement *s);
Lumbung__ReportFile *reporting_render_shu(arena_t *arena, const Lumbung__ShuReport *s);
Lumbung__ReportFile *reporting_render_dashboard(arena_t *arena, const Lumbung__DistrictDashboard *d);

#endif
