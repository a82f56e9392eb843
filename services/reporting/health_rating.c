#include "reporting.h"
#include "date.h"
#include "pb_date.h"
#include "health_bands.h"
#include "money.h"
#include "shu.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#define ROLE(x) LUMBUNG__ACCOUNT_ROLE__ACCOUNT_ROLE_##x
#define CLASS(x) LUMBUNG__ACCOUNT_CLASS__ACCOUNT_CLASS_##x
#define KIND(x) LUMBUNG__ERROR_KIND__ERROR_KIND_##x
#define H(x) REPORTING_HEALTH_##x
#define SET(in, f, v) ((in)->has_##f##_sen = 1, (in)->f##_sen = (v))

enum {
    ROLES = 32,                          /* AccountRole values kept, 0 .. 31 */
    COMPONENTS_MAX = REPORTING_HEALTH_COMPONENTS + 1,  /* and aspect 3 */
    MANAGEMENT_WEIGHT = 15,
};

typedef struct {
    int64_t end[ROLES];                  /* balance by role at the year end */
    int64_t year[ROLES];                 /* movement by role over the year */
    int64_t assets, equity;              /* at the year end; equity with unclosed surplus */
    int64_t income, expenses;            /* of the year */
    int64_t unclosed;                    /* income - expenses not closed, at the year end */
    int64_t loans, risky, rpm;           /* loan portfolio at the year end */
    int64_t members_bp;                  /* capital + usage share of the SHU allocation */
    int64_t posted;                      /* debits with value dates in the year: 0 = no books */
} books_t;

typedef struct {
    arena_t *arena;
    Lumbung__HealthReport *report;
    int64_t total_centi, max_centi;
} build_t;

static void sum_chart(const reporting_chart_t *c, int64_t by_role[ROLES], int64_t *income,
                      int64_t *expenses, int64_t *assets, int64_t *equity) {
    for (size_t i = 0; i < c->count; i++) {
        const reporting_account_t *a = &c->items[i];
        int64_t bal = reporting_sheet_balance(a->class_, a->debit_sen, a->credit_sen);
        if ((int) a->role > 0 && (int) a->role < ROLES) by_role[a->role] += bal;
        if (a->class_ == CLASS(INCOME)) *income += bal;
        if (a->class_ == CLASS(EXPENSE)) *expenses += bal;
        if (a->class_ == CLASS(ASSET)) *assets += bal;
        if (a->class_ == CLASS(EQUITY)) *equity += bal;
    }
}

/* The portfolio's own sums (portfolio.h), so 1b, 2b, 2c and 2d use the loan report's RPM. */
static void sum_portfolio(const reporting_portfolio_counts_t *p, books_t *b) {
    reporting_portfolio_sums_t s;
    reporting_portfolio_sum(p, &s);
    b->loans += s.outstanding_sen;
    b->risky += s.risky_sen;
    b->rpm += s.rpm_sen;
}

static int64_t role(const books_t *b, Lumbung__AccountRole r) {
    return b->end[r];
}

static int64_t flow(const books_t *b, Lumbung__AccountRole r) {
    return b->year[r];
}

/* ------------------------------------------------------------------ components */

static Lumbung__HealthComponent *component(build_t *x, const char *code, const char *name,
                                           int weight, const char *definition) {
    Lumbung__HealthComponent *c = arena_message(x->arena, &lumbung__health_component__descriptor);
    c->code = (char *) code;
    c->name = (char *) name;
    c->has_weight = 1;
    c->weight = (uint32_t) weight;
    c->definition = (char *) definition;
    c->inputs = arena_message(x->arena, &lumbung__health_inputs__descriptor);
    assert(x->report->n_components < COMPONENTS_MAX);
    x->report->components[x->report->n_components++] = c;
    return c;
}

static Lumbung__HealthComponent *ratio_component(build_t *x, reporting_health_component_t h) {
    return component(x, reporting_health_code(h), reporting_health_name(h),
                     reporting_health_weight(h), reporting_health_definition(h));
}

#define REASON(x) LUMBUNG__HEALTH_REASON__HEALTH_REASON_##x

static void set_reason(Lumbung__HealthComponent *c, Lumbung__HealthReason code,
                       const char *reason) {
    c->has_available = 1;
    c->available = 0;
    c->reason = (char *) reason;
    c->has_reason_code = 1;
    c->reason_code = code;
}

static void unavailable(build_t *x, Lumbung__HealthComponent *c, Lumbung__HealthReason code,
                        const char *reason) {
    set_reason(c, code, reason);
    size_t n = x->report->n_unavailable;
    x->report->unavailable[n] = c->code;
    x->report->n_unavailable = n + 1;
}

static void scored(build_t *x, Lumbung__HealthComponent *c, reporting_health_component_t h,
                   int value) {
    char buf[REPORTING_HEALTH_TEXT_MAX];
    int centi = reporting_health_score_centi(h, value);
    c->has_available = c->has_value = 1;
    c->available = 1;
    c->value = (uint32_t) value;
    reporting_health_centi_text(centi, buf, sizeof buf);
    c->score = arena_strdup(x->arena, buf);
    x->total_centi += centi;
    x->max_centi += 100 * reporting_health_weight(h);
}

/* Rates num / den. A ratio below 0 (a loss, negative equity) falls in the band of 0, which in
   every table is the lowest band that is open below. A denominator of 0 has no ratio: the
   component is not available, except where the value is capped at 100 (1b, 2c) and the
   numerator is positive: nothing to cover, fully covered. */
static void rate(build_t *x, Lumbung__HealthComponent *c, reporting_health_component_t h,
                 int64_t num, int64_t den) {
    bool capped = h == H(1B) || h == H(2C);
    if (den == 0 && capped && num > 0) { scored(x, c, h, 100); return; }
    if (den == 0) {
        unavailable(x, c, REASON(ZERO_DENOMINATOR), "the denominator is 0, so there is no ratio");
        return;
    }
    if (den < 0) {
        unavailable(x, c, REASON(NEGATIVE_DENOMINATOR),
                    "the denominator is negative, so there is no ratio");
        return;
    }
    char buf[REPORTING_HEALTH_TEXT_MAX];
    reporting_health_percent(num, den, buf, sizeof buf);
    c->ratio = arena_strdup(x->arena, buf);
    int value = 0;
    int rc = reporting_health_value(h, num > 0 ? num : 0, den, &value);
    assert(rc == 0);
    scored(x, c, h, value);
}

static void capital(build_t *x, const books_t *b) {
    Lumbung__HealthComponent *c = ratio_component(x, H(1A));
    SET(c->inputs, equity, b->equity);
    SET(c->inputs, total_assets, b->assets);
    rate(x, c, H(1A), b->equity, b->assets);

    c = ratio_component(x, H(1B));
    SET(c->inputs, equity, b->equity);
    SET(c->inputs, risky_loans, b->risky);
    rate(x, c, H(1B), b->equity, b->risky);

    int64_t c100 = role(b, ROLE(PRINCIPAL_SAVINGS)) + role(b, ROLE(MANDATORY_SAVINGS)) +
                   role(b, ROLE(RESERVES)) + role(b, ROLE(GRANTS));
    int64_t c50 = role(b, ROLE(RISK_RESERVE)) + role(b, ROLE(EQUITY_PARTICIPATION)) +
                  role(b, ROLE(CURRENT_SURPLUS)) + b->unclosed +
                  role(b, ROLE(VOLUNTARY_SAVINGS)) + role(b, ROLE(TIME_DEPOSITS)) +
                  role(b, ROLE(OTHER_LIABILITIES));
    int64_t a20 = role(b, ROLE(BANK_DEPOSITS)), a50 = role(b, ROLE(ACCRUED_INCOME));
    int64_t a70 = role(b, ROLE(FIXED_ASSETS));
    int64_t a100 = role(b, ROLE(MEMBER_LOANS)) + role(b, ROLE(NON_MEMBER_LOANS)) +
                   role(b, ROLE(INVESTMENTS));
    int64_t num10 = 10 * c100 + 5 * c50, den10 = 2 * a20 + 5 * a50 + 7 * a70 + 10 * a100;
    c = ratio_component(x, H(1C));
    SET(c->inputs, capital_at_100, c100);
    SET(c->inputs, capital_at_50, c50);
    int64_t wc = 0, rwa = 0;
    (void) money_mul_div_round(num10, 1, 10, &wc);
    (void) money_mul_div_round(den10, 1, 10, &rwa);
    SET(c->inputs, weighted_capital, wc);
    SET(c->inputs, assets_at_20, a20);
    SET(c->inputs, assets_at_50, a50);
    SET(c->inputs, assets_at_70, a70);
    SET(c->inputs, assets_at_100, a100);
    SET(c->inputs, risk_weighted_assets, rwa);
    rate(x, c, H(1C), num10, den10);
}

static void assets(build_t *x, const books_t *b) {
    int64_t member = role(b, ROLE(MEMBER_LOANS)), other = role(b, ROLE(NON_MEMBER_LOANS));
    Lumbung__HealthComponent *c = ratio_component(x, H(2A));
    SET(c->inputs, member_loans, member);
    SET(c->inputs, non_member_loans, other);
    rate(x, c, H(2A), member, member + other);

    c = ratio_component(x, H(2B));
    SET(c->inputs, rpm, b->rpm);
    SET(c->inputs, all_loans, b->loans);
    rate(x, c, H(2B), b->rpm, b->loans);

    int64_t reserve = role(b, ROLE(RISK_RESERVE)), allowance = -role(b, ROLE(LOAN_LOSS_ALLOWANCE));
    c = ratio_component(x, H(2C));
    SET(c->inputs, risk_reserve, reserve);
    SET(c->inputs, loan_loss_allowance, allowance);
    SET(c->inputs, rpm, b->rpm);
    rate(x, c, H(2C), reserve + allowance, b->rpm);

    c = ratio_component(x, H(2D));
    SET(c->inputs, risky_loans, b->risky);
    SET(c->inputs, all_loans, b->loans);
    rate(x, c, H(2D), b->risky, b->loans);
}

/* Aspect 3 from the questionnaire put for the year (management.c): the score is the points,
   value = points / 15 in percent rounded down (it is not a band table). */
static int management(build_t *x, reporting_t *app, store_txn_t *txn, uint64_t coop,
                      uint32_t year) {
    Lumbung__HealthComponent *c = component(x, "3", "management", MANAGEMENT_WEIGHT,
        "yes answers x weight: general 12 x 0.25, institution 6 x 0.5, capital 5 x 0.6, "
        "assets 10 x 0.3, liquidity 5 x 0.6; value = points / 15 x 100, rounded down");
    Lumbung__ManagementQuestionnaire *q;
    int centi = 0;
    int rc = reporting_management_read(app, txn, x->arena, coop, year, &q, &centi);
    if (rc == ERR_NOT_FOUND) {
        unavailable(x, c, REASON(NO_QUESTIONNAIRE),
                    "no management questionnaire is recorded for this year");
        return 0;
    }
    if (rc != 0) return rc;
    c->inputs->management = q;
    c->has_available = c->has_value = 1;
    c->available = 1;
    c->value = (uint32_t) (centi / MANAGEMENT_WEIGHT);
    c->score = q->points;
    x->total_centi += centi;
    x->max_centi += 100 * MANAGEMENT_WEIGHT;
    return 0;
}

static int64_t gross_participation(const books_t *b) {
    return flow(b, ROLE(LOAN_INTEREST_INCOME)) + flow(b, ROLE(FEE_INCOME)) +
           flow(b, ROLE(LATE_FEE_INCOME));
}

static int64_t operating(const books_t *b) {
    return flow(b, ROLE(STAFF_EXPENSE)) + flow(b, ROLE(OPERATING_EXPENSE)) +
           flow(b, ROLE(PROVISION_EXPENSE));
}

static void efficiency(build_t *x, const books_t *b) {
    int64_t gross = gross_participation(b), funds = flow(b, ROLE(COST_OF_FUNDS));
    int64_t op = operating(b), coop = flow(b, ROLE(COOPERATIVE_EXPENSE));
    Lumbung__HealthComponent *c = ratio_component(x, H(4A));
    SET(c->inputs, cost_of_funds, funds);
    SET(c->inputs, operating_expense, op);
    SET(c->inputs, cooperative_expense, coop);
    SET(c->inputs, gross_participation, gross);
    rate(x, c, H(4A), funds + op + coop, gross);

    c = ratio_component(x, H(4B));
    SET(c->inputs, operating_expense, op);
    SET(c->inputs, gross_surplus, b->income - funds);
    rate(x, c, H(4B), op, b->income - funds);

    int64_t loans = role(b, ROLE(MEMBER_LOANS)) + role(b, ROLE(NON_MEMBER_LOANS));
    c = ratio_component(x, H(4C));
    SET(c->inputs, staff_expense, flow(b, ROLE(STAFF_EXPENSE)));
    SET(c->inputs, all_loans, loans);
    rate(x, c, H(4C), flow(b, ROLE(STAFF_EXPENSE)), loans);
}

static void liquidity(build_t *x, const books_t *b) {
    int64_t cash = role(b, ROLE(CASH)) + role(b, ROLE(BANK));
    int64_t current = role(b, ROLE(VOLUNTARY_SAVINGS)) + role(b, ROLE(TIME_DEPOSITS)) +
                      role(b, ROLE(BORROWINGS)) + role(b, ROLE(OTHER_LIABILITIES)) +
                      role(b, ROLE(SHU_PAYABLE));
    Lumbung__HealthComponent *c = ratio_component(x, H(5A));
    SET(c->inputs, cash_and_bank, cash);
    SET(c->inputs, current_liabilities, current);
    rate(x, c, H(5A), cash, current);

    int64_t loans = role(b, ROLE(MEMBER_LOANS)) + role(b, ROLE(NON_MEMBER_LOANS));
    int64_t savings = role(b, ROLE(PRINCIPAL_SAVINGS)) + role(b, ROLE(MANDATORY_SAVINGS)) +
                      role(b, ROLE(VOLUNTARY_SAVINGS)) + role(b, ROLE(TIME_DEPOSITS));
    c = ratio_component(x, H(5B));
    SET(c->inputs, all_loans, loans);
    SET(c->inputs, savings, savings);
    SET(c->inputs, borrowings, role(b, ROLE(BORROWINGS)));
    rate(x, c, H(5B), loans, savings + role(b, ROLE(BORROWINGS)));
}

static void self_reliance(build_t *x, const books_t *b) {
    int64_t surplus = b->income - b->expenses;
    Lumbung__HealthComponent *c = ratio_component(x, H(6A));
    SET(c->inputs, surplus, surplus);
    SET(c->inputs, total_assets, b->assets);
    rate(x, c, H(6A), surplus, b->assets);

    int64_t shared = surplus - flow(b, ROLE(NON_MEMBER_INCOME)), share = 0;
    if (shared > 0) (void) money_mul_div_round(shared, b->members_bp, 10000, &share);
    c = ratio_component(x, H(6B));
    SET(c->inputs, members_share, share);
    SET(c->inputs, equity, b->equity);
    rate(x, c, H(6B), share, b->equity);

    int64_t net = gross_participation(b) - flow(b, ROLE(COST_OF_FUNDS));
    int64_t cost = operating(b) + flow(b, ROLE(COOPERATIVE_EXPENSE));
    c = ratio_component(x, H(6C));
    SET(c->inputs, net_participation, net);
    SET(c->inputs, operating_expense, operating(b));
    SET(c->inputs, cooperative_expense, flow(b, ROLE(COOPERATIVE_EXPENSE)));
    rate(x, c, H(6C), net, cost);
}

static void identity(build_t *x, const books_t *b) {
    int64_t gross = gross_participation(b), other = flow(b, ROLE(NON_MEMBER_INCOME));
    Lumbung__HealthComponent *c = ratio_component(x, H(7A));
    SET(c->inputs, gross_participation, gross);
    SET(c->inputs, non_member_income, other);
    rate(x, c, H(7A), gross, gross + other);

    c = ratio_component(x, H(7B));
    SET(c->inputs, principal_and_mandatory,
        role(b, ROLE(PRINCIPAL_SAVINGS)) + role(b, ROLE(MANDATORY_SAVINGS)));
    unavailable(x, c, REASON(NOT_RECORDED), "members' economic benefit (the price or rate "
                                            "advantage members get) is not recorded by the system");
}

/* ------------------------------------------------------------------ reading */

static int64_t members_bp(const Lumbung__Cooperative *coop) {
    const Lumbung__ShuAllocation *a = coop->settings ? coop->settings->shu_allocation : NULL;
    return a ? a->capital_share_bp + a->usage_share_bp : 4000;    /* docs/domain.md's default */
}

static int read_chart(reporting_t *app, store_txn_t *txn, arena_t *arena, uint64_t coop,
                      int32_t from, int32_t to, reporting_chart_t *out) {
    int rc = reporting_chart_read(app, txn, arena, coop, from, to, out);
    if (rc == ERR_NOT_FOUND) { out->items = NULL; out->count = 0; rc = 0; }
    return rc;
}

static int read_books(reporting_t *app, store_txn_t *txn, arena_t *arena, uint64_t coop,
                      int32_t from, int32_t to, books_t *b) {
    reporting_chart_t chart;
    int64_t income = 0, expenses = 0, equity = 0, ignored = 0;
    int rc = read_chart(app, txn, arena, coop, DATE_MIN, to, &chart);
    if (rc != 0) return rc;
    sum_chart(&chart, b->end, &income, &expenses, &b->assets, &equity);
    b->unclosed = income - expenses;
    b->equity = equity + b->unclosed;
    if ((rc = read_chart(app, txn, arena, coop, from, to, &chart)) != 0) return rc;
    sum_chart(&chart, b->year, &b->income, &b->expenses, &ignored, &ignored);
    for (size_t i = 0; i < chart.count; i++) b->posted |= chart.items[i].debit_sen;
    reporting_portfolio_counts_t counts;
    if ((rc = reporting_loans_portfolio(app, txn, coop, to, &counts)) != 0) return rc;
    sum_portfolio(&counts, b);
    return 0;
}

static int fail_year(service_call_t *call) {
    return service_call_fail(call, KIND(INVALID), "invalid_year", "year",
                             "year must be given, between %d and %d", DATE_FISCAL_YEAR_MIN,
                             DATE_FISCAL_YEAR_MAX);
}

/* The fiscal year `year` of the cooperative (as the SHU report). */
static int fiscal_year(uint32_t year, const Lumbung__Cooperative *coop, int32_t *from,
                       int32_t *to) {
    const Lumbung__CooperativeSettings *s = coop->settings;
    int start = s && s->has_fiscal_year_start ? (int) s->fiscal_year_start : 1;
    return date_fiscal_year((int) year, start, from, to) == 0 ? 0 : -EINVAL;
}

/* A year without books has nothing to rate: every component is listed as not available and
   no band is given, even where balances carried from earlier years would fill a ratio. */
static void not_rated(build_t *x) {
    Lumbung__HealthReport *r = x->report;
    static const char reason[] = "no books for this fiscal year: no entry has a value date in it";
    r->n_unavailable = 0;
    for (size_t i = 0; i < r->n_components; i++) {
        Lumbung__HealthComponent *c = r->components[i];
        set_reason(c, REASON(NO_BOOKS), reason);
        c->has_value = 0;
        c->ratio = c->score = NULL;
        r->unavailable[r->n_unavailable++] = c->code;
    }
    r->has_rating = 1;
    r->rating = LUMBUNG__HEALTH_RATING__HEALTH_RATING_NOT_RATED;
    r->reason = (char *) reason;
}

static void finish(build_t *x, const books_t *b) {
    if (b->posted == 0) { not_rated(x); return; }
    Lumbung__HealthReport *r = x->report;
    char buf[REPORTING_HEALTH_TEXT_MAX];
    reporting_health_centi_text(x->total_centi, buf, sizeof buf);
    r->total = arena_strdup(x->arena, buf);
    reporting_health_centi_text(x->max_centi, buf, sizeof buf);
    r->max_available = arena_strdup(x->arena, buf);
    r->has_rating = 1;
    r->rating = (Lumbung__HealthRating) reporting_health_rating(x->total_centi);
}

int reporting_rating_build(reporting_t *app, store_txn_t *txn, arena_t *arena,
                           const Lumbung__Cooperative *coop, uint32_t year,
                           Lumbung__HealthReport **out) {
    assert(app && txn && arena && coop && out);
    int32_t from, to;
    if (year < DATE_FISCAL_YEAR_MIN || year > DATE_FISCAL_YEAR_MAX ||
        fiscal_year(year, coop, &from, &to) != 0)
        return -EINVAL;
    books_t *b = arena_alloc(arena, sizeof *b);
    memset(b, 0, sizeof *b);
    b->members_bp = members_bp(coop);
    int rc = read_books(app, txn, arena, coop->id, from, to, b);
    if (rc != 0) return rc;

    Lumbung__HealthReport *r = arena_message(arena, &lumbung__health_report__descriptor);
    r->has_cooperative_id = r->has_year = 1;
    r->cooperative_id = coop->id;
    r->year = year;
    PB_DATE_SET(r, from, from);
    PB_DATE_SET(r, to, to);
    r->components = arena_alloc(arena, COMPONENTS_MAX * sizeof *r->components);
    r->unavailable = arena_alloc(arena, COMPONENTS_MAX * sizeof *r->unavailable);
    build_t x = { .arena = arena, .report = r };
    capital(&x, b);
    assets(&x, b);
    if ((rc = management(&x, app, txn, coop->id, year)) != 0) return rc;
    efficiency(&x, b);
    liquidity(&x, b);
    self_reliance(&x, b);
    identity(&x, b);
    finish(&x, b);
    *out = r;
    return 0;
}

int reporting_rating(reporting_t *app, service_call_t *call, store_txn_t *txn, arena_t *arena,
                     const Lumbung__GetHealth *req, Lumbung__ReportingReply *out) {
    assert(app && call && txn && arena && req && out);
    if (!req->has_year || req->year < DATE_FISCAL_YEAR_MIN || req->year > DATE_FISCAL_YEAR_MAX)
        return fail_year(call);
    Lumbung__Cooperative *coop;
    int rc = reporting_registry_coop_of(app, call, txn, arena, req->cooperative_id, &coop);
    if (rc != 0) return rc;
    coop->id = req->cooperative_id;
    Lumbung__HealthReport *r;
    rc = reporting_rating_build(app, txn, arena, coop, req->year, &r);
    if (rc == -EINVAL) return fail_year(call);
    if (rc != 0) return rc;
    out->result_case = LUMBUNG__REPORTING_REPLY__RESULT_HEALTH;
    out->health = r;
    return 0;
}
