#include "portfolio.h"
#include "pb_date.h"
#include "allowance.h"
#include "money.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define CLASS(x) LUMBUNG__LOAN_CLASS__LOAN_CLASS_##x

int64_t reporting_portfolio_risk_bp(int class_) {
    switch (class_) {
    case CLASS(SUBSTANDARD): return 5000;
    case CLASS(DOUBTFUL): return 7500;
    case CLASS(LOSS): return 10000;
    default: return 0;
    }
}

/* The same rates the transactions service books at every close of day (common/allowance.h). */
int64_t reporting_portfolio_allowance_bp(int class_) {
    return allowance_rate_bp(class_);
}

void reporting_portfolio_percent(int64_t part, int64_t whole, char *buf, size_t size) {
    assert(buf && size >= REPORTING_PERCENT_TEXT_MAX && part >= 0 && whole >= 0);
    int64_t hundredths = 0;
    if (whole > 0 && money_mul_div_round(part, 10000, whole, &hundredths) != 0)
        hundredths = 0;                       /* part <= whole in every caller */
    snprintf(buf, size, "%" PRId64 ".%02" PRId64, hundredths / 100, hundredths % 100);
}

static int64_t part_of(int64_t sen, int64_t bp) {
    int64_t out = 0;
    int rc = money_mul_div_round(sen, bp, 10000, &out);
    assert(rc == 0 && "bp <= 100 %: the part is at most the amount");
    (void) rc;
    return out;
}

/* One class's part of RPM, rounded to the sen. */
static int64_t risk_of(const reporting_portfolio_counts_t *c, int k) {
    return part_of(c->outstanding_sen[k], reporting_portfolio_risk_bp(k));
}

void reporting_portfolio_sum(const reporting_portfolio_counts_t *counts,
                             reporting_portfolio_sums_t *out) {
    assert(counts && out);
    memset(out, 0, sizeof *out);
    for (int k = CLASS(CURRENT); k <= CLASS(LOSS); k++) {
        out->outstanding_sen += counts->outstanding_sen[k];
        if (k != CLASS(CURRENT)) out->risky_sen += counts->outstanding_sen[k];
        out->rpm_sen += risk_of(counts, k);
    }
}

static Lumbung__PortfolioClass *class_row(arena_t *arena, const reporting_portfolio_counts_t *c,
                                          int k) {
    Lumbung__PortfolioClass *r = arena_message(arena, &lumbung__portfolio_class__descriptor);
    r->has_class_ = r->has_loans = r->has_outstanding_principal_sen = 1;
    r->has_risk_weight_bp = r->has_risk_sen = r->has_allowance_rate_bp = r->has_allowance_sen = 1;
    r->class_ = (Lumbung__LoanClass) k;
    r->loans = c->loans[k];
    r->outstanding_principal_sen = c->outstanding_sen[k];
    r->risk_weight_bp = reporting_portfolio_risk_bp(k);
    r->risk_sen = risk_of(c, k);
    r->allowance_rate_bp = reporting_portfolio_allowance_bp(k);
    r->allowance_sen = allowance_part(r->outstanding_principal_sen, r->allowance_rate_bp);
    return r;
}

Lumbung__LoanPortfolio *reporting_portfolio_build(arena_t *arena,
                                                  const reporting_portfolio_counts_t *counts,
                                                  uint64_t coop, int32_t as_of) {
    Lumbung__LoanPortfolio *p = arena_message(arena, &lumbung__loan_portfolio__descriptor);
    p->has_cooperative_id = p->has_loans = p->has_outstanding_principal_sen = 1;
    p->has_rpm_sen = p->has_non_performing_sen = p->has_allowance_sen = 1;
    p->cooperative_id = coop;
    PB_DATE_SET(p, as_of, as_of);
    p->n_classes = 4;
    p->classes = arena_alloc(arena, p->n_classes * sizeof *p->classes);
    for (int k = CLASS(CURRENT); k <= CLASS(LOSS); k++) {
        Lumbung__PortfolioClass *r = class_row(arena, counts, k);
        p->classes[k - 1] = r;
        p->loans += r->loans;
        p->outstanding_principal_sen += r->outstanding_principal_sen;
        p->rpm_sen += r->risk_sen;
        p->allowance_sen += r->allowance_sen;
        if (k != CLASS(CURRENT)) p->non_performing_sen += r->outstanding_principal_sen;
    }
    char buf[REPORTING_PERCENT_TEXT_MAX];
    reporting_portfolio_percent(p->non_performing_sen, p->outstanding_principal_sen, buf,
                                sizeof buf);
    p->npl_ratio = arena_strdup(arena, buf);
    return p;
}
