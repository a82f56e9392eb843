#include "reporting.h"
#include "bytes.h"
#include "date.h"
#include "pb_date.h"
#include "render.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define ROLE(x) LUMBUNG__ACCOUNT_ROLE__ACCOUNT_ROLE_##x
#define TYPES 7                    /* CooperativeType values, unspecified included */
#define RATINGS 6                  /* HealthRating values, unspecified included */

enum { REASONS_MAX = 4 };

/* The fiscal year that ended last before as_of; fiscal years start on the first of the
   cooperative's fiscal_year_start month and are named by the calendar year they start in. */
static uint32_t last_fiscal_year(const Lumbung__Cooperative *c, int32_t as_of, int32_t *end) {
    const Lumbung__CooperativeSettings *set = c->settings;
    int start = set && set->has_fiscal_year_start ? (int) set->fiscal_year_start : 1;
    if (start < 1 || start > 12) start = 1;
    int current = date_fiscal_year_of(as_of, start);
    if (date_from_ymd(current, start, 1, end) == 0) (*end)--;
    else *end = as_of;
    return current > 0 ? (uint32_t) (current - 1) : 0;
}

/* A fiscal year ending on `end` needs a RAT unless the cooperative was founded after it. */
static bool needs_rat(const Lumbung__Cooperative *c, int32_t end) {
    int32_t founded;
    return !PB_DATE_GET(c, founded_on, &founded) || founded <= end;
}

int reporting_dashboard_rat(reporting_t *app, store_txn_t *txn, arena_t *arena, int32_t as_of,
                            const Lumbung__Cooperative *c, Lumbung__CooperativeSummary *s) {
    int32_t end;
    uint32_t last = last_fiscal_year(c, as_of, &end);
    reporting_rats_t r;
    int rc = reporting_oversight_rats(app, txn, c->id, last, &r);
    if (rc != 0) return rc;
    s->has_last_fiscal_year = s->has_rat_overdue = s->has_dissolution_review = 1;
    s->last_fiscal_year = last;
    if (r.any) {
        s->has_last_rat_fiscal_year = 1;
        s->last_rat_fiscal_year = r.fiscal_year;
        PB_DATE_SET(s, last_rat_held_on, r.held_on);
    }
    s->rat_overdue = needs_rat(c, end) && !r.held_last;
    int32_t end_before;
    int y, m, d;
    date_to_ymd(end, &y, &m, &d);
    if (date_from_ymd(y - 1, m, d, &end_before) != 0) end_before = end - 365;
    s->dissolution_review = s->rat_overdue && needs_rat(c, end_before) && !r.held_before_last;
    return 0;
}

static int loans_and_supervision(reporting_t *app, store_txn_t *txn, arena_t *arena,
                                 int32_t as_of, Lumbung__CooperativeSummary *s) {
    reporting_portfolio_counts_t counts;
    int rc = reporting_loans_portfolio(app, txn, s->cooperative_id, as_of, &counts);
    if (rc != 0) return rc;
    s->has_loans = s->has_loans_outstanding_sen = s->has_non_performing_sen = 1;
    for (int cls = 1; cls <= REPORTING_LOAN_CLASSES; cls++) {
        s->loans += counts.loans[cls];
        s->loans_outstanding_sen += counts.outstanding_sen[cls];
        if (cls > 1) s->non_performing_sen += counts.outstanding_sen[cls];
    }
    char pct[REPORTING_PERCENT_TEXT_MAX];
    reporting_portfolio_percent(s->non_performing_sen, s->loans_outstanding_sen, pct, sizeof pct);
    s->npl_ratio = arena_strdup(arena, pct);
    s->has_overdue_recommendations = 1;
    return reporting_oversight_overdue(app, txn, arena, s->cooperative_id, as_of,
                                       &s->overdue_recommendations);
}

/* NPL above 5 %, compared exactly. */
static bool npl_high(int64_t non_performing, int64_t outstanding) {
    return outstanding > 0 &&
           (__int128) non_performing * 10000 > (__int128) REPORTING_NPL_ATTENTION_BP * outstanding;
}

/* The attention row of a cooperative, or NULL when nothing is wrong. */
static Lumbung__AttentionItem *attention(arena_t *arena, const Lumbung__CooperativeSummary *s) {
    const char *reasons[REASONS_MAX];
    size_t n = 0;
    if (s->overdue_recommendations > 0) reasons[n++] = "overdue_recommendations";
    if (s->rat_overdue) reasons[n++] = "no_rat";
    if (s->dissolution_review) reasons[n++] = "dissolution_review";
    if (npl_high(s->non_performing_sen, s->loans_outstanding_sen))
        reasons[n++] = "npl_above_5_percent";
    if (n == 0) return NULL;
    Lumbung__AttentionItem *a = arena_message(arena, &lumbung__attention_item__descriptor);
    a->has_cooperative_id = 1;
    a->cooperative_id = s->cooperative_id;
    a->name = s->name;
    a->reasons = arena_alloc(arena, n * sizeof *a->reasons);
    for (size_t i = 0; i < n; i++) a->reasons[i] = (char *) reasons[i];
    a->n_reasons = n;
    return a;
}

/* The rating of the last ended fiscal year, built in `scratch` (reset here: a district's
   ratings would otherwise all stay in the call's arena) and copied out. */
static int health(reporting_t *app, store_txn_t *txn, arena_t *arena, arena_t *scratch,
                  const Lumbung__Cooperative *c, Lumbung__CooperativeSummary *s) {
    arena_reset(scratch);
    Lumbung__HealthReport *h;
    int rc = reporting_rating_build(app, txn, scratch, c, s->last_fiscal_year, &h);
    s->has_health_rating = 1;
    s->health_rating = LUMBUNG__HEALTH_RATING__HEALTH_RATING_NOT_RATED;
    if (rc == -EINVAL) return 0;              /* no such fiscal year: nothing to rate */
    if (rc != 0) return rc;
    s->health_rating = h->rating;
    s->health_total = arena_strdup(arena, h->total);
    s->health_max_available = arena_strdup(arena, h->max_available);
    return 0;
}

static bool is_savings(Lumbung__AccountRole role) {
    return role == ROLE(PRINCIPAL_SAVINGS) || role == ROLE(MANDATORY_SAVINGS) ||
           role == ROLE(VOLUNTARY_SAVINGS) || role == ROLE(TIME_DEPOSITS);
}

static int summarise(reporting_t *app, store_txn_t *txn, arena_t *arena, arena_t *scratch,
                     int32_t as_of, const Lumbung__Cooperative *c,
                     Lumbung__CooperativeSummary **out) {
    Lumbung__CooperativeSummary *s = arena_message(arena, &lumbung__cooperative_summary__descriptor);
    s->has_cooperative_id = s->has_type = s->has_active = 1;
    s->cooperative_id = c->id;
    s->name = c->name;
    s->type = c->has_type ? c->type : 0;
    s->group = c->group;
    s->district = c->district;
    s->active = !c->has_active || c->active;
    reporting_counts_t n;
    int rc = reporting_registry_counts(app, txn, c->id, &n);
    if (rc != 0) return rc;
    s->has_members_active = s->has_members_female = s->has_members_male = 1;
    s->members_active = n.active;
    s->members_female = n.female;
    s->members_male = n.male;
    reporting_chart_t chart;
    rc = reporting_chart_read(app, txn, arena, c->id, DATE_MIN, as_of, &chart);
    if (rc == ERR_NOT_FOUND) { chart.count = 0; rc = 0; }
    if (rc != 0) return rc;
    s->has_total_assets_sen = s->has_savings_sen = 1;
    for (size_t i = 0; i < chart.count; i++) {
        const reporting_account_t *a = &chart.items[i];
        int64_t balance = reporting_sheet_balance(a->class_, a->debit_sen, a->credit_sen);
        if (a->class_ == LUMBUNG__ACCOUNT_CLASS__ACCOUNT_CLASS_ASSET) s->total_assets_sen += balance;
        if (is_savings(a->role)) s->savings_sen += balance;
    }
    if ((rc = reporting_dashboard_rat(app, txn, arena, as_of, c, s)) != 0) return rc;
    if ((rc = loans_and_supervision(app, txn, arena, as_of, s)) != 0) return rc;
    if ((rc = health(app, txn, arena, scratch, c, s)) != 0) return rc;
    *out = s;
    return 0;
}

/* What every breakdown sums for its cooperatives. */
typedef struct {
    uint32_t cooperatives, members_active;
    int64_t total_assets_sen, savings_sen;
} tally_t;

static void tally(tally_t *t, const Lumbung__CooperativeSummary *s) {
    t->cooperatives++;
    t->members_active += s->members_active;
    t->total_assets_sen += s->total_assets_sen;
    t->savings_sen += s->savings_sen;
}

static void add_up(Lumbung__DistrictDashboard *d, Lumbung__TypeSummary **types,
                   tally_t ratings[RATINGS], const Lumbung__CooperativeSummary *s) {
    int rating = (int) s->health_rating;
    tally(&ratings[rating >= 0 && rating < RATINGS ? rating : 0], s);
    d->cooperatives++;
    d->members_active += s->members_active;
    d->members_female += s->members_female;
    d->members_male += s->members_male;
    d->total_assets_sen += s->total_assets_sen;
    d->savings_sen += s->savings_sen;
    d->loans += s->loans;
    d->loans_outstanding_sen += s->loans_outstanding_sen;
    d->non_performing_sen += s->non_performing_sen;
    d->rat_overdue += s->rat_overdue;
    d->dissolution_review += s->dissolution_review;
    Lumbung__TypeSummary *t = types[s->type >= 0 && s->type < TYPES ? s->type : 0];
    t->cooperatives++;
    t->members_active += s->members_active;
    t->total_assets_sen += s->total_assets_sen;
    t->savings_sen += s->savings_sen;
}

/* Every type with at least one cooperative, in the enum's order. */
static void by_type(arena_t *arena, Lumbung__DistrictDashboard *d, Lumbung__TypeSummary **types) {
    d->by_type = arena_alloc(arena, TYPES * sizeof *d->by_type);
    for (int i = 0; i < TYPES; i++)
        if (types[i]->cooperatives) d->by_type[d->n_by_type++] = types[i];
}

/* Every rating with at least one cooperative, in the enum's order. */
static void by_rating(arena_t *arena, Lumbung__DistrictDashboard *d, const tally_t r[RATINGS]) {
    d->by_rating = arena_alloc(arena, RATINGS * sizeof *d->by_rating);
    for (int i = 0; i < RATINGS; i++) {
        if (!r[i].cooperatives) continue;
        Lumbung__RatingSummary *x = arena_message(arena, &lumbung__rating_summary__descriptor);
        x->has_rating = x->has_cooperatives = x->has_members_active = 1;
        x->has_total_assets_sen = x->has_savings_sen = 1;
        x->rating = (Lumbung__HealthRating) i;
        x->cooperatives = r[i].cooperatives;
        x->members_active = r[i].members_active;
        x->total_assets_sen = r[i].total_assets_sen;
        x->savings_sen = r[i].savings_sen;
        d->by_rating[d->n_by_rating++] = x;
    }
}

/* ---- by group and by district: the items sorted by the name, each run of one name summed */

typedef const char *(*name_of_t)(const Lumbung__CooperativeSummary *s);

static const char *group_of(const Lumbung__CooperativeSummary *s) {
    return s->group ? s->group : "";
}

static const char *district_of(const Lumbung__CooperativeSummary *s) {
    return s->district ? s->district : "";
}

static int by_id(const Lumbung__CooperativeSummary *x, const Lumbung__CooperativeSummary *y) {
    return (x->cooperative_id > y->cooperative_id) - (x->cooperative_id < y->cooperative_id);
}

static int by_group_name(const void *a, const void *b) {
    const Lumbung__CooperativeSummary *x = *(Lumbung__CooperativeSummary *const *) a;
    const Lumbung__CooperativeSummary *y = *(Lumbung__CooperativeSummary *const *) b;
    int c = strcmp(group_of(x), group_of(y));
    return c ? c : by_id(x, y);
}

static int by_district_name(const void *a, const void *b) {
    const Lumbung__CooperativeSummary *x = *(Lumbung__CooperativeSummary *const *) a;
    const Lumbung__CooperativeSummary *y = *(Lumbung__CooperativeSummary *const *) b;
    int c = strcmp(district_of(x), district_of(y));
    return c ? c : by_id(x, y);
}

/* The runs of one name among the items: names[i] and tallies[i], *n of them (in `arena`). */
static void runs(arena_t *arena, const Lumbung__DistrictDashboard *d, name_of_t name,
                 int (*order)(const void *, const void *), const char ***names,
                 tally_t **tallies, size_t *n) {
    size_t count = d->n_items;
    Lumbung__CooperativeSummary **sorted = arena_alloc(arena, (count ? count : 1) * sizeof *sorted);
    if (count) memcpy(sorted, d->items, count * sizeof *sorted);
    qsort(sorted, count, sizeof *sorted, order);
    *names = arena_alloc(arena, (count ? count : 1) * sizeof **names);
    *tallies = arena_alloc(arena, (count ? count : 1) * sizeof **tallies);
    *n = 0;
    for (size_t i = 0; i < count; i++) {
        if (*n == 0 || strcmp((*names)[*n - 1], name(sorted[i])) != 0) {
            (*names)[*n] = name(sorted[i]);
            memset(&(*tallies)[*n], 0, sizeof **tallies);
            (*n)++;
        }
        tally(&(*tallies)[*n - 1], sorted[i]);
    }
}

static void by_group_and_district(arena_t *arena, Lumbung__DistrictDashboard *d) {
    const char **names;
    tally_t *t;
    size_t n;
    runs(arena, d, group_of, by_group_name, &names, &t, &n);
    d->by_group = arena_alloc(arena, (n ? n : 1) * sizeof *d->by_group);
    for (size_t i = 0; i < n; i++) {
        Lumbung__GroupSummary *g = arena_message(arena, &lumbung__group_summary__descriptor);
        g->group = (char *) names[i];
        g->has_cooperatives = g->has_members_active = 1;
        g->has_total_assets_sen = g->has_savings_sen = 1;
        g->cooperatives = t[i].cooperatives;
        g->members_active = t[i].members_active;
        g->total_assets_sen = t[i].total_assets_sen;
        g->savings_sen = t[i].savings_sen;
        d->by_group[d->n_by_group++] = g;
    }
    runs(arena, d, district_of, by_district_name, &names, &t, &n);
    d->by_district = arena_alloc(arena, (n ? n : 1) * sizeof *d->by_district);
    for (size_t i = 0; i < n; i++) {
        Lumbung__DistrictSummary *x = arena_message(arena, &lumbung__district_summary__descriptor);
        x->district = (char *) names[i];
        x->has_cooperatives = x->has_members_active = 1;
        x->has_total_assets_sen = x->has_savings_sen = 1;
        x->cooperatives = t[i].cooperatives;
        x->members_active = t[i].members_active;
        x->total_assets_sen = t[i].total_assets_sen;
        x->savings_sen = t[i].savings_sen;
        d->by_district[d->n_by_district++] = x;
    }
}

static int collect(reporting_t *app, store_txn_t *txn, arena_t *arena, arena_t *scratch,
                   int32_t as_of, Lumbung__DistrictDashboard *d, Lumbung__TypeSummary **types,
                   tally_t ratings[RATINGS]) {
    store_scan_t cur;
    int rc = store_scan_open(&cur, txn, app->tables.coops,
                             &(store_range_t){ .rows_max = REPORTING_COOPS_MAX });
    if (rc != 0) return rc;
    size_t cap = 16;
    d->items = arena_alloc(arena, cap * sizeof *d->items);
    d->attention = arena_alloc(arena, cap * sizeof *d->attention);
    while ((rc = store_scan_next(&cur)) == 0) {
        ProtobufCAllocator alloc = arena_allocator(arena);
        Lumbung__Cooperative *c = lumbung__cooperative__unpack(&alloc, cur.val_len, cur.val);
        if (!c) { rc = -EPROTO; break; }
        if (d->n_items == cap) {
            Lumbung__CooperativeSummary **more = arena_alloc(arena, 2 * cap * sizeof *more);
            memcpy(more, d->items, cap * sizeof *more);
            d->items = more;
            Lumbung__AttentionItem **also = arena_alloc(arena, 2 * cap * sizeof *also);
            memcpy(also, d->attention, d->n_attention * sizeof *also);
            d->attention = also;
            cap *= 2;
        }
        Lumbung__CooperativeSummary *s;
        if ((rc = summarise(app, txn, arena, scratch, as_of, c, &s)) != 0) break;
        d->items[d->n_items++] = s;
        add_up(d, types, ratings, s);
        Lumbung__AttentionItem *a = attention(arena, s);
        if (a) d->attention[d->n_attention++] = a;
    }
    return store_scan_close(&cur, rc);
}

int reporting_dashboard(reporting_t *app, service_call_t *call, store_txn_t *txn, arena_t *arena,
                        const Lumbung__GetDistrictDashboard *req, Lumbung__ReportingReply *out) {
    assert(app && call && txn && arena && req && out);
    reporting_opts_t opts;
    const char *bad = reporting_opts_read(&opts, req->has_format, req->format, req->dialect,
                                          req->lang, req->has_metadata, req->metadata);
    if (bad) return reporting_options_fail(call, bad);
    int32_t as_of = date_today_in_zone(DATE_ZONE_LATEST);   /* nothing is dated later */
    if (req->has_as_of) {
        if (!pb_date_valid(req->as_of))
            return service_call_fail(call, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "invalid_date",
                                     "as_of", "as_of %s", date_error_text(ERR_DATE_RANGE));
        as_of = req->as_of;
    }
    Lumbung__DistrictDashboard *d = arena_message(arena, &lumbung__district_dashboard__descriptor);
    Lumbung__TypeSummary *types[TYPES];
    for (int i = 0; i < TYPES; i++) {
        types[i] = arena_message(arena, &lumbung__type_summary__descriptor);
        types[i]->has_type = types[i]->has_cooperatives = types[i]->has_members_active = 1;
        types[i]->has_total_assets_sen = types[i]->has_savings_sen = 1;
        types[i]->type = (Lumbung__CooperativeType) i;
    }
    tally_t ratings[RATINGS];
    memset(ratings, 0, sizeof ratings);
    arena_t *scratch = arena_new();
    if (!scratch) return -ENOMEM;
    int rc = collect(app, txn, arena, scratch, as_of, d, types, ratings);
    arena_destroy(&scratch);
    if (rc != 0) return rc;
    by_type(arena, d, types);
    by_rating(arena, d, ratings);
    by_group_and_district(arena, d);
    PB_DATE_SET(d, as_of, as_of);
    d->has_as_of_seq = d->has_members_seq = d->has_cooperatives = d->has_members_active = 1;
    d->has_members_female = d->has_members_male = d->has_total_assets_sen = d->has_savings_sen = 1;
    d->has_loans = d->has_loans_outstanding_sen = d->has_non_performing_sen = 1;
    d->has_rat_overdue = d->has_dissolution_review = 1;
    char pct[REPORTING_PERCENT_TEXT_MAX];
    reporting_portfolio_percent(d->non_performing_sen, d->loans_outstanding_sen, pct, sizeof pct);
    d->npl_ratio = arena_strdup(arena, pct);
    d->as_of_seq = reporting_tx_seq(app, 0);
    d->as_of_shard_seqs = reporting_shard_seqs(app, arena, &d->n_as_of_shard_seqs);
    d->members_seq = app->members ? follower_cursor(app->members) : 0;
    if (reporting_opts_file(&opts)) {
        reporting_doc_t doc;
        reporting_render_dashboard(&doc, arena, d);
        return reporting_answer_doc(app, call, txn, &doc, &opts, out);
    }
    out->result_case = LUMBUNG__REPORTING_REPLY__RESULT_DISTRICT_DASHBOARD;
    out->district_dashboard = d;
    return 0;
}
