#include "handlers.h"
#include "date.h"
#include "pb_date.h"
#include "log.h"
#include "docfile.h"
#include "render.h"
#include "operations_reporting.h"
#include "shu.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define KIND(x) LUMBUNG__ERROR_KIND__ERROR_KIND_##x
#define OP(x) LUMBUNG__REPORTING_REQUEST__OP_##x
#define RES(x) LUMBUNG__REPORTING_REPLY__RESULT_##x

typedef struct {
    reporting_t *app;
    service_call_t *call;
    arena_t *arena;
    store_txn_t *txn;
    Lumbung__ReportingReply *out;
} ctx_t;

/* *days = a request's date field (present, day), or `fallback` when absent; a day outside
   DATE_MIN..DATE_MAX fails the call as the gateway words a date out of range. */
static int date_arg(ctx_t *x, pb_date_opt_t in, const char *field, int32_t fallback,
                    int32_t *days) {
    *days = fallback;
    if (!in.present) return 0;
    if (pb_date_valid(in.days)) { *days = in.days; return 0; }
    return service_call_fail(x->call, KIND(INVALID), "invalid_date", field, "%s %s", field,
                             date_error_text(ERR_DATE_RANGE));
}

/* The cooperative's today (its time_zone setting) as the default end of a report: a posting
   dated its local today is in the report even while UTC is still on the day before. The
   district as a whole (coop 0) takes the latest date in Indonesia. */
static int32_t today_of(ctx_t *x, uint64_t coop) {
    if (coop == 0) return date_today_in_zone(DATE_ZONE_LATEST);
    Lumbung__Cooperative *c = NULL;
    if (reporting_registry_coop(x->app, x->txn, x->arena, coop, &c) != 0) c = NULL;
    return date_today_in_zone(c && c->settings ? c->settings->time_zone : NULL);
}

static int period_args(ctx_t *x, uint64_t coop, pb_date_opt_t from_in, pb_date_opt_t to_in,
                       int32_t from_default, int32_t *from, int32_t *to) {
    int rc = date_arg(x, to_in, "to", today_of(x, coop), to);
    if (rc == 0) rc = date_arg(x, from_in, "from", from_default, from);
    if (rc != 0) return rc;
    if (*from <= *to) return 0;
    return service_call_fail(x->call, KIND(INVALID), "invalid_period", "from",
                             "from must not be after to");
}

/* A period that defaults to the calendar year of `to` so far (`to` defaulting to today). */
static int year_to_date_args(ctx_t *x, uint64_t coop, pb_date_opt_t from_in,
                             pb_date_opt_t to_in,
                             int32_t *from, int32_t *to) {
    int32_t year_start;
    int rc = date_arg(x, to_in, "to", today_of(x, coop), to);
    if (rc != 0) return rc;
    int y, m, d;
    date_to_ymd(*to, &y, &m, &d);
    if (date_from_ymd(y, 1, 1, &year_start) != 0) year_start = *to;
    return period_args(x, coop, from_in, to_in, year_start, from, to);
}

static uint64_t seq_of(const follower_t *f) {
    return f ? follower_cursor(f) : 0;
}

/* Stamps the report message `m` with the sequences it reflects: of the transactions shard
   that owns cooperative `coop`, and of the members stream. */
#define STAMP_SEQS(x, m, coop)                                                                 \
    do {                                                                                       \
        (m)->has_as_of_seq = (m)->has_members_seq = 1;                                         \
        (m)->as_of_seq = reporting_tx_seq((x)->app, (coop));                                   \
        (m)->members_seq = seq_of((x)->app->members);                                          \
    } while (0)

static int coop_known(ctx_t *x, uint64_t coop) {
    Lumbung__Cooperative *c;
    return reporting_registry_coop_of(x->app, x->call, x->txn, x->arena, coop, &c);
}

/* The accounts with their movements in [from, to]; none yet is an empty chart. */
static int chart(ctx_t *x, uint64_t coop, int32_t from, int32_t to, reporting_chart_t *out) {
    int rc = coop_known(x, coop);
    if (rc == 0) rc = reporting_chart_read(x->app, x->txn, x->arena, coop, from, to, out);
    if (rc == ERR_NOT_FOUND) { out->items = NULL; out->count = 0; rc = 0; }
    if (rc == -E2BIG)
        return service_call_fail(x->call, KIND(RULE), "too_many_accounts", NULL,
                                 "the cooperative has more than %d accounts",
                                 REPORTING_ACCOUNTS_MAX);
    return rc;
}

/* The request's file options into *o; a wrong one fails the call. */
#define READ_OPTIONS(x, r, o)                                                                   \
    do {                                                                                        \
        const char *bad_ = reporting_opts_read((o), (r)->has_format, (r)->format, (r)->dialect, \
                                               (r)->lang, (r)->has_metadata, (r)->metadata);   \
        if (bad_) return reporting_options_fail((x)->call, bad_);                               \
    } while (0)

static int answer_doc(ctx_t *x, reporting_doc_t *d, const reporting_opts_t *o) {
    return reporting_answer_doc(x->app, x->call, x->txn, d, o, x->out);
}

/* The report in the reply as the file the options ask for, else as it is. */
static int answer(ctx_t *x, const reporting_opts_t *o) {
    if (!reporting_opts_file(o)) return 0;
    const Lumbung__ReportingReply *r = x->out;
    reporting_doc_t d;
    switch (r->result_case) {
    case RES(BALANCE_SHEET): reporting_render_balance_sheet(&d, x->arena, r->balance_sheet); break;
    case RES(INCOME_STATEMENT): reporting_render_income(&d, x->arena, r->income_statement); break;
    case RES(TRIAL_BALANCE): reporting_render_trial_balance(&d, x->arena, r->trial_balance); break;
    case RES(MEMBER_STATEMENT):
        reporting_render_statement(&d, x->arena, r->member_statement);
        break;
    case RES(LOAN_PORTFOLIO): reporting_render_portfolio(&d, x->arena, r->loan_portfolio); break;
    case RES(SHU): reporting_render_shu(&d, x->arena, r->shu); break;
    case RES(HEALTH): reporting_render_health(&d, x->arena, r->health); break;
    case RES(MEMBER_REGISTER):
        reporting_render_member_register(&d, x->arena, r->member_register);
        break;
    case RES(LOAN_REGISTER): reporting_render_loan_register(&d, x->arena, r->loan_register); break;
    case RES(LOAN_CARD): reporting_render_loan_card(&d, x->arena, r->loan_card); break;
    case RES(JOURNAL): reporting_render_journal(&d, x->arena, r->journal); break;
    default:
        assert(0 && "a report read file options but has no file form");
        return -EINVAL;
    }
    return answer_doc(x, &d, o);
}

/* A report past one of its limits (-E2BIG) fails as RULE "report_too_large" with the text;
   any other code passes through. */
static int report_failed(ctx_t *x, int rc, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int report_failed(ctx_t *x, int rc, const char *field, const char *fmt, ...) {
    if (rc != -E2BIG) return rc;
    char text[PROBLEM_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    return service_call_fail(x->call, KIND(RULE), "report_too_large", field, "%s", text);
}

/* What a report of the books as of a day reads: its file options, the request's as_of (the
   cooperative's today when absent) and the accounts with their movements up to that day. */
typedef struct {
    reporting_opts_t opts;
    int32_t as_of;
    reporting_chart_t chart;
} books_t;

static int books_as_of(ctx_t *x, uint64_t coop, pb_date_opt_t as_of_in, books_t *k) {
    int rc = date_arg(x, as_of_in, "as_of", today_of(x, coop), &k->as_of);
    return rc == 0 ? chart(x, coop, DATE_MIN, k->as_of, &k->chart) : rc;
}

/* Request r's books into *k; a wrong option or day fails the call. */
#define READ_BOOKS_AS_OF(x, r, k)                                                               \
    do {                                                                                        \
        READ_OPTIONS((x), (r), &(k)->opts);                                                     \
        int rc_ = books_as_of((x), (r)->cooperative_id, PB_DATE_OPT((r), as_of), (k));          \
        if (rc_ != 0) return rc_;                                                               \
    } while (0)

static int balance_sheet(ctx_t *x, const Lumbung__GetBalanceSheet *r) {
    books_t k;
    READ_BOOKS_AS_OF(x, r, &k);
    Lumbung__BalanceSheet *b =
        reporting_sheet_balance_sheet(x->arena, &k.chart, r->cooperative_id, k.as_of);
    STAMP_SEQS(x, b, r->cooperative_id);
    x->out->result_case = RES(BALANCE_SHEET);
    x->out->balance_sheet = b;
    return answer(x, &k.opts);
}

/* The income statement defaults to the calendar year of `to` so far. */
static int income_statement(ctx_t *x, const Lumbung__GetIncomeStatement *r) {
    reporting_opts_t o;
    READ_OPTIONS(x, r, &o);
    int32_t from, to;
    reporting_chart_t c;
    int rc = year_to_date_args(x, r->cooperative_id, PB_DATE_OPT(r, from), PB_DATE_OPT(r, to),
                               &from, &to);
    if (rc != 0) return rc;
    if ((rc = chart(x, r->cooperative_id, from, to, &c)) != 0) return rc;
    Lumbung__IncomeStatement *s = reporting_sheet_income(x->arena, &c, r->cooperative_id,
                                                         from, to);
    STAMP_SEQS(x, s, r->cooperative_id);
    x->out->result_case = RES(INCOME_STATEMENT);
    x->out->income_statement = s;
    return answer(x, &o);
}

static int trial_balance(ctx_t *x, const Lumbung__GetReportTrialBalance *r) {
    books_t k;
    READ_BOOKS_AS_OF(x, r, &k);
    Lumbung__ReportTrialBalance *t =
        reporting_sheet_trial_balance(x->arena, &k.chart, r->cooperative_id, k.as_of);
    STAMP_SEQS(x, t, r->cooperative_id);
    x->out->result_case = RES(TRIAL_BALANCE);
    x->out->trial_balance = t;
    return answer(x, &k.opts);
}

static int member_of(ctx_t *x, uint64_t coop, uint64_t id, Lumbung__Member **m) {
    int rc = reporting_registry_member(x->app, x->txn, x->arena, id, m);
    if (rc == 0 && (*m)->cooperative_id != coop) rc = ERR_NOT_FOUND;
    if (rc == ERR_NOT_FOUND)
        return service_call_fail(x->call, KIND(NOT_FOUND), "member_not_found", "member_id",
                                 "cooperative %" PRIu64 " has no member %" PRIu64, coop, id);
    return rc;
}

static int member_statement(ctx_t *x, const Lumbung__GetMemberStatement *r) {
    reporting_opts_t o;
    READ_OPTIONS(x, r, &o);
    int32_t from, to;
    Lumbung__Member *m;
    int rc = period_args(x, r->cooperative_id, PB_DATE_OPT(r, from), PB_DATE_OPT(r, to),
                         DATE_MIN, &from, &to);
    if (rc == 0) rc = coop_known(x, r->cooperative_id);
    if (rc == 0) rc = member_of(x, r->cooperative_id, r->member_id, &m);
    if (rc != 0) return rc;
    Lumbung__MemberStatement *s = arena_message(x->arena, &lumbung__member_statement__descriptor);
    s->has_cooperative_id = s->has_member_id = s->has_member_number = 1;
    s->cooperative_id = r->cooperative_id;
    s->member_id = r->member_id;
    s->member_number = m->member_number;
    s->name = m->name;
    if (r->has_from) PB_DATE_SET(s, from, from);
    PB_DATE_SET(s, to, to);
    STAMP_SEQS(x, s, r->cooperative_id);
    rc = reporting_statement_read(x->app, x->txn, x->arena, from, to, s);
    if (rc == 0) rc = reporting_loancard_read(x->app, x->txn, x->arena, from, to, s);
    if (rc != 0)
        return report_failed(x, rc, "from",
                             "more than %d movements in the period; ask for a shorter one",
                             REPORTING_STATEMENT_LINES_MAX);
    x->out->result_case = RES(MEMBER_STATEMENT);
    x->out->member_statement = s;
    return answer(x, &o);
}

static int loan_portfolio(ctx_t *x, const Lumbung__GetLoanPortfolio *r) {
    reporting_opts_t o;
    READ_OPTIONS(x, r, &o);
    int32_t as_of;
    reporting_portfolio_counts_t counts;
    int rc = date_arg(x, PB_DATE_OPT(r, as_of), "as_of", today_of(x, r->cooperative_id), &as_of);
    if (rc == 0) rc = coop_known(x, r->cooperative_id);
    if (rc == 0) rc = reporting_loans_portfolio(x->app, x->txn, r->cooperative_id, as_of, &counts);
    if (rc != 0)
        return report_failed(x, rc, NULL, "the cooperative has more than %d loan states",
                             REPORTING_LOAN_STATES_MAX);
    Lumbung__LoanPortfolio *p =
        reporting_portfolio_build(x->arena, &counts, r->cooperative_id, as_of);
    rc = reporting_writeoffs_portfolio(x->app, x->txn, x->arena, r->cooperative_id, as_of, p);
    if (rc != 0)
        return report_failed(x, rc, NULL, "the cooperative has more than %d write-off rows",
                             REPORTING_WRITE_OFF_ROWS_MAX);
    STAMP_SEQS(x, p, r->cooperative_id);
    x->out->result_case = RES(LOAN_PORTFOLIO);
    x->out->loan_portfolio = p;
    return answer(x, &o);
}

/* ------------------------------------------------------------------ SHU */

/* The fiscal year `year` of a cooperative whose year starts in month `start` (1..12). */
static int fiscal_year(ctx_t *x, uint32_t year, uint32_t start, int32_t *from, int32_t *to) {
    if (date_fiscal_year((int) year, (int) start, from, to) != 0)
        return service_call_fail(x->call, KIND(INVALID), "invalid_year", "year",
                                 "year %u is not a fiscal year", (unsigned) year);
    return 0;
}

typedef struct {
    int64_t income, expenses, non_member_income;
} shu_books_t;

static void shu_books(const reporting_chart_t *c, shu_books_t *b) {
    memset(b, 0, sizeof *b);
    for (size_t i = 0; i < c->count; i++) {
        const reporting_account_t *a = &c->items[i];
        int64_t bal = reporting_sheet_balance(a->class_, a->debit_sen, a->credit_sen);
        if (a->class_ == LUMBUNG__ACCOUNT_CLASS__ACCOUNT_CLASS_INCOME) b->income += bal;
        if (a->class_ == LUMBUNG__ACCOUNT_CLASS__ACCOUNT_CLASS_EXPENSE) b->expenses += bal;
        if (a->role == LUMBUNG__ACCOUNT_ROLE__ACCOUNT_ROLE_NON_MEMBER_INCOME)
            b->non_member_income += bal;
    }
}

/* The cooperative's allocation; docs/domain.md's default where it has none. */
static void shu_rates(const Lumbung__Cooperative *c, int64_t rate_bp[REPORTING_SHU_PARTS]) {
    const Lumbung__ShuAllocation *a = c->settings ? c->settings->shu_allocation : NULL;
    if (!a) {
        const int64_t def[REPORTING_SHU_PARTS] = { 4000, 2000, 2000, 500, 500, 500, 500 };
        memcpy(rate_bp, def, sizeof def);
        return;
    }
    rate_bp[REPORTING_SHU_RESERVES] = a->reserves_bp;
    rate_bp[REPORTING_SHU_CAPITAL] = a->capital_share_bp;
    rate_bp[REPORTING_SHU_USAGE] = a->usage_share_bp;
    rate_bp[REPORTING_SHU_BOARD] = a->board_bp;
    rate_bp[REPORTING_SHU_STAFF] = a->staff_bp;
    rate_bp[REPORTING_SHU_EDUCATION] = a->education_bp;
    rate_bp[REPORTING_SHU_SOCIAL] = a->social_bp;
}

static Lumbung__ShuAllocationAmounts *shu_amounts(ctx_t *x, const reporting_shu_result_t *r) {
    Lumbung__ShuAllocationAmounts *a =
        arena_message(x->arena, &lumbung__shu_allocation_amounts__descriptor);
    a->has_reserves_sen = a->has_capital_share_sen = a->has_usage_share_sen = 1;
    a->has_board_sen = a->has_staff_sen = a->has_education_sen = a->has_social_sen = 1;
    a->reserves_sen = r->part_sen[REPORTING_SHU_RESERVES];
    a->capital_share_sen = r->part_sen[REPORTING_SHU_CAPITAL];
    a->usage_share_sen = r->part_sen[REPORTING_SHU_USAGE];
    a->board_sen = r->part_sen[REPORTING_SHU_BOARD];
    a->staff_sen = r->part_sen[REPORTING_SHU_STAFF];
    a->education_sen = r->part_sen[REPORTING_SHU_EDUCATION];
    a->social_sen = r->part_sen[REPORTING_SHU_SOCIAL];
    return a;
}

/* The members' rows; members with neither capital nor participation are left out. */
static int shu_rows(ctx_t *x, Lumbung__ShuReport *s, const reporting_shu_member_t *m, size_t n) {
    s->members = arena_alloc(x->arena, (n ? n : 1) * sizeof *s->members);
    s->n_members = 0;
    for (size_t i = 0; i < n; i++) {
        if (m[i].capital_sen == 0 && m[i].participation_sen == 0) continue;
        Lumbung__ShuMemberShare *row = arena_message(x->arena, &lumbung__shu_member_share__descriptor);
        row->has_member_id = row->has_capital_sen = row->has_participation_sen = 1;
        row->has_capital_share_sen = row->has_usage_share_sen = row->has_total_sen = 1;
        row->member_id = m[i].member_id;
        row->capital_sen = m[i].capital_sen;
        row->participation_sen = m[i].participation_sen;
        row->capital_share_sen = m[i].capital_share_sen;
        row->usage_share_sen = m[i].usage_share_sen;
        row->total_sen = m[i].capital_share_sen + m[i].usage_share_sen;
        Lumbung__Member *who;
        int rc = reporting_registry_member(x->app, x->txn, x->arena, m[i].member_id, &who);
        if (rc == 0) {
            row->has_member_number = who->has_member_number;
            row->member_number = who->member_number;
            row->name = who->name;
        } else if (rc != ERR_NOT_FOUND) {
            return rc;
        }
        s->members[s->n_members++] = row;
    }
    return 0;
}

/* Reads the members' capital and participation and shares the surplus out. */
static int shu_share(ctx_t *x, Lumbung__ShuReport *s, int32_t from, int32_t to,
                     const int64_t rate_bp[REPORTING_SHU_PARTS]) {
    reporting_participation_t *p;
    size_t n;
    int rc = reporting_loans_participation(x->app, x->txn, x->arena, s->cooperative_id, from, to,
                                           &p, &n);
    if (rc != 0)
        return report_failed(x, rc, NULL, "the cooperative has more than %d members to share to",
                             REPORTING_SHU_MEMBERS_MAX);
    bool loans_taken = s->usage_share_basis ==
                       LUMBUNG__USAGE_SHARE_BASIS__USAGE_SHARE_BASIS_LOANS_TAKEN;
    reporting_shu_member_t *m = arena_alloc(x->arena, (n ? n : 1) * sizeof *m);
    for (size_t i = 0; i < n; i++) {
        m[i] = (reporting_shu_member_t) {
            .member_id = p[i].member_id,
            .capital_sen = p[i].capital_sen > 0 ? p[i].capital_sen : 0,
            .participation_sen = loans_taken ? p[i].disbursed_sen : p[i].interest_paid_sen,
        };
        if (m[i].participation_sen < 0) m[i].participation_sen = 0;
    }
    reporting_shu_result_t r;
    rc = reporting_shu_share(s->shared_surplus_sen, rate_bp, m, n, &r);
    if (rc == -EINVAL)
        return service_call_fail(x->call, KIND(RULE), "invalid_shu_allocation", "shu_allocation",
                                 "the cooperative's SHU allocation does not sum to 100 %%");
    if (rc == -ERANGE)
        return service_call_fail(x->call, KIND(RULE), "amount_too_large", NULL,
                                 "the SHU figures are too large to share exactly");
    if (rc != 0) return rc;
    s->allocation = shu_amounts(x, &r);
    s->has_rounding_sen = s->has_total_capital_sen = s->has_total_participation_sen = 1;
    s->rounding_sen = r.rounding_sen;
    s->total_capital_sen = r.total_capital_sen;
    s->total_participation_sen = r.total_participation_sen;
    return shu_rows(x, s, m, n);
}

static int shu(ctx_t *x, const Lumbung__GetShu *r) {
    reporting_opts_t o;
    READ_OPTIONS(x, r, &o);
    if (!r->has_year || r->year < DATE_FISCAL_YEAR_MIN || r->year > DATE_FISCAL_YEAR_MAX)
        return service_call_fail(x->call, KIND(INVALID), "invalid_year", "year",
                                 "year must be given, between %d and %d", DATE_FISCAL_YEAR_MIN,
                                 DATE_FISCAL_YEAR_MAX);
    Lumbung__Cooperative *c;
    int rc = coop_known(x, r->cooperative_id);
    if (rc == 0) rc = reporting_registry_coop(x->app, x->txn, x->arena, r->cooperative_id, &c);
    if (rc != 0) return rc;
    const Lumbung__CooperativeSettings *set = c->settings;
    int32_t from = 0, to = 0;
    reporting_chart_t chart_;
    if ((rc = fiscal_year(x, r->year, set && set->has_fiscal_year_start ? set->fiscal_year_start : 1,
                          &from, &to)) != 0 ||
        (rc = chart(x, r->cooperative_id, from, to, &chart_)) != 0)
        return rc;
    shu_books_t b;
    shu_books(&chart_, &b);
    Lumbung__ShuReport *s = arena_message(x->arena, &lumbung__shu_report__descriptor);
    s->has_cooperative_id = s->has_year = 1;
    s->has_surplus_sen = s->has_non_member_income_sen = s->has_shared_surplus_sen = 1;
    s->has_usage_share_basis = 1;
    s->cooperative_id = r->cooperative_id;
    s->year = r->year;
    PB_DATE_SET(s, from, from);
    PB_DATE_SET(s, to, to);
    STAMP_SEQS(x, s, r->cooperative_id);
    s->surplus_sen = b.income - b.expenses;
    s->non_member_income_sen = b.non_member_income;
    s->shared_surplus_sen = s->surplus_sen - b.non_member_income;
    s->usage_share_basis = set && set->has_usage_share_basis && set->usage_share_basis
                           ? set->usage_share_basis
                           : LUMBUNG__USAGE_SHARE_BASIS__USAGE_SHARE_BASIS_INTEREST_PAID;
    int64_t rate_bp[REPORTING_SHU_PARTS];
    shu_rates(c, rate_bp);
    s->allocation_rates = set ? set->shu_allocation : NULL;
    if ((rc = shu_share(x, s, from, to, rate_bp)) != 0) return rc;
    x->out->result_case = RES(SHU);
    x->out->shu = s;
    return answer(x, &o);
}

/* The health rating (health_rating.c), stamped with the sequences it reflects. */
static int health(ctx_t *x, const Lumbung__GetHealth *r) {
    reporting_opts_t o;
    READ_OPTIONS(x, r, &o);
    int rc = reporting_rating(x->app, x->call, x->txn, x->arena, r, x->out);
    if (rc != 0) return rc;
    Lumbung__HealthReport *h = x->out->health;
    STAMP_SEQS(x, h, r->cooperative_id);
    return answer(x, &o);
}

static int member_import_template(ctx_t *x, const Lumbung__GetMemberImportTemplate *r) {
    reporting_opts_t o;
    READ_OPTIONS(x, r, &o);
    if (!reporting_opts_file(&o)) o.format = LUMBUNG__REPORT_FORMAT__REPORT_FORMAT_CSV;
    int rc = coop_known(x, r->cooperative_id);
    if (rc != 0) return rc;
    reporting_doc_t d;
    reporting_render_import_template(&d, x->arena, r->cooperative_id);
    return answer_doc(x, &d, &o);
}

/* The RAT pack: each report built by its own handler (so exactly as it answers alone), then
   their tables in one document. */
static int rat_pack(ctx_t *x, const Lumbung__GetRatPack *r) {
    reporting_opts_t o;
    READ_OPTIONS(x, r, &o);
    if (!reporting_opts_file(&o)) o.format = LUMBUNG__REPORT_FORMAT__REPORT_FORMAT_PDF;
    Lumbung__GetShu sr = LUMBUNG__GET_SHU__INIT;
    sr.cooperative_id = r->cooperative_id;
    sr.has_year = r->has_year;
    sr.year = r->year;
    int rc = shu(x, &sr);
    if (rc != 0) return rc;
    const Lumbung__ShuReport *s = x->out->shu;
    Lumbung__GetBalanceSheet br = LUMBUNG__GET_BALANCE_SHEET__INIT;
    br.cooperative_id = r->cooperative_id;
    PB_DATE_SET(&br, as_of, s->to);
    if ((rc = balance_sheet(x, &br)) != 0) return rc;
    const Lumbung__BalanceSheet *b = x->out->balance_sheet;
    Lumbung__GetIncomeStatement ir = LUMBUNG__GET_INCOME_STATEMENT__INIT;
    ir.cooperative_id = r->cooperative_id;
    PB_DATE_SET(&ir, from, s->from);
    PB_DATE_SET(&ir, to, s->to);
    if ((rc = income_statement(x, &ir)) != 0) return rc;
    const Lumbung__IncomeStatement *i = x->out->income_statement;
    Lumbung__GetLoanPortfolio pr = LUMBUNG__GET_LOAN_PORTFOLIO__INIT;
    pr.cooperative_id = r->cooperative_id;
    PB_DATE_SET(&pr, as_of, s->to);
    if ((rc = loan_portfolio(x, &pr)) != 0) return rc;
    const Lumbung__LoanPortfolio *p = x->out->loan_portfolio;
    Lumbung__GetHealth hr = LUMBUNG__GET_HEALTH__INIT;
    hr.cooperative_id = r->cooperative_id;
    hr.has_year = 1;
    hr.year = r->year;
    if ((rc = health(x, &hr)) != 0) return rc;
    reporting_doc_t d;
    reporting_render_rat_pack(&d, x->arena, b, i, s, p, x->out->health);
    return answer_doc(x, &d, &o);
}

static int member_register(ctx_t *x, const Lumbung__GetMemberRegister *r) {
    reporting_opts_t o;
    READ_OPTIONS(x, r, &o);
    int rc = coop_known(x, r->cooperative_id);
    if (rc != 0) return rc;
    Lumbung__MemberRegister *m = arena_message(x->arena, &lumbung__member_register__descriptor);
    m->has_cooperative_id = 1;
    m->cooperative_id = r->cooperative_id;
    STAMP_SEQS(x, m, r->cooperative_id);
    rc = reporting_registry_members_of(x->app, x->txn, x->arena, r->cooperative_id, m);
    if (rc != 0)
        return report_failed(x, rc, NULL, "the cooperative has more than %d members",
                             REPORTING_SHU_MEMBERS_MAX);
    x->out->result_case = RES(MEMBER_REGISTER);
    x->out->member_register = m;
    return answer(x, &o);
}

static int loan_register(ctx_t *x, const Lumbung__GetLoanRegister *r) {
    reporting_opts_t o;
    READ_OPTIONS(x, r, &o);
    int32_t as_of;
    int rc = date_arg(x, PB_DATE_OPT(r, as_of), "as_of", today_of(x, r->cooperative_id), &as_of);
    if (rc == 0) rc = coop_known(x, r->cooperative_id);
    if (rc != 0) return rc;
    Lumbung__LoanRegister *l = arena_message(x->arena, &lumbung__loan_register__descriptor);
    l->has_cooperative_id = 1;
    l->has_outstanding_principal_sen = 1;
    l->cooperative_id = r->cooperative_id;
    PB_DATE_SET(l, as_of, as_of);
    STAMP_SEQS(x, l, r->cooperative_id);
    rc = reporting_loans_register(x->app, x->txn, x->arena, r->cooperative_id, as_of, l);
    if (rc == -E2BIG)
        return report_failed(x, rc, NULL, "the cooperative has more than %d loan states",
                             REPORTING_LOAN_STATES_MAX);
    for (size_t i = 0; rc == 0 && i < l->n_items; i++) {
        Lumbung__Member *who;
        rc = reporting_registry_member(x->app, x->txn, x->arena, l->items[i]->member_id, &who);
        if (rc == 0) {
            l->items[i]->has_member_number = who->has_member_number;
            l->items[i]->member_number = who->member_number;
            l->items[i]->name = who->name;
        }
        if (rc == ERR_NOT_FOUND) rc = 0;
    }
    if (rc != 0) return rc;
    x->out->result_case = RES(LOAN_REGISTER);
    x->out->loan_register = l;
    return answer(x, &o);
}

static int loan_card(ctx_t *x, const Lumbung__GetLoanCard *r) {
    reporting_opts_t o;
    READ_OPTIONS(x, r, &o);
    Lumbung__Loan *loan;
    Lumbung__Member *m;
    int rc = coop_known(x, r->cooperative_id);
    if (rc == 0) rc = reporting_loans_terms(x->app, x->txn, x->arena, r->cooperative_id, r->loan_id,
                                            &loan);
    if (rc == ERR_NOT_FOUND)
        return service_call_fail(x->call, KIND(NOT_FOUND), "loan_not_found", "loan_id",
                                 "cooperative %" PRIu64 " has no loan %" PRIu64 " (a loan applied "
                                 "before this version: rebuild the reporting store)",
                                 r->cooperative_id, r->loan_id);
    if (rc == 0) rc = member_of(x, r->cooperative_id, loan->member_id, &m);
    if (rc != 0) return rc;   /* unknown cooperative or member, or a store error: no card */
    Lumbung__LoanCard *c = arena_message(x->arena, &lumbung__loan_card__descriptor);
    c->has_cooperative_id = c->has_loan_id = c->has_member_id = c->has_member_number = 1;
    c->cooperative_id = r->cooperative_id;
    c->loan_id = r->loan_id;
    c->member_id = m->id;
    c->member_number = m->member_number;
    c->name = m->name;
    c->loan = loan;
    STAMP_SEQS(x, c, r->cooperative_id);
    Lumbung__MemberStatement *s = arena_message(x->arena, &lumbung__member_statement__descriptor);
    s->member_id = m->id;
    if ((rc = reporting_loancard_read(x->app, x->txn, x->arena, DATE_MIN, DATE_MAX, s)) != 0)
        return rc;
    for (size_t i = 0; i < s->n_loans; i++)
        if (s->loans[i]->loan_id == r->loan_id) c->card = s->loans[i];
    x->out->result_case = RES(LOAN_CARD);
    x->out->loan_card = c;
    return answer(x, &o);
}

static int journal(ctx_t *x, const Lumbung__GetJournal *r) {
    reporting_opts_t o;
    READ_OPTIONS(x, r, &o);
    int32_t from, to;
    int rc = year_to_date_args(x, r->cooperative_id, PB_DATE_OPT(r, from), PB_DATE_OPT(r, to),
                               &from, &to);
    if (rc != 0) return rc;
    if ((rc = coop_known(x, r->cooperative_id)) != 0) return rc;
    Lumbung__JournalReport *j = arena_message(x->arena, &lumbung__journal_report__descriptor);
    j->has_cooperative_id = 1;
    j->has_total_debit_sen = j->has_total_credit_sen = 1;
    j->cooperative_id = r->cooperative_id;
    PB_DATE_SET(j, from, from);
    PB_DATE_SET(j, to, to);
    STAMP_SEQS(x, j, r->cooperative_id);
    rc = reporting_journal_read(x->app, x->txn, x->arena, r->cooperative_id, from, to, j);
    if (rc != 0)
        return report_failed(x, rc, "from",
                             "more than %d entries in the period; ask for a shorter one",
                             REPORTING_JOURNAL_ENTRIES_MAX);
    x->out->result_case = RES(JOURNAL);
    x->out->journal = j;
    return answer(x, &o);
}

/* A member's own overview (member_view.c): the gateway put the member's own ids in the
   request; the cooperative's today is the default date. */
static int member_overview(ctx_t *x, const Lumbung__GetMemberOverview *r) {
    int32_t as_of;
    Lumbung__Cooperative *c;
    Lumbung__Member *m;
    int rc = coop_known(x, r->cooperative_id);
    if (rc == 0)
        rc = date_arg(x, PB_DATE_OPT(r, as_of), "as_of", today_of(x, r->cooperative_id), &as_of);
    if (rc == 0) rc = reporting_registry_coop(x->app, x->txn, x->arena, r->cooperative_id, &c);
    if (rc == 0) rc = member_of(x, r->cooperative_id, r->member_id, &m);
    if (rc != 0) return rc;
    Lumbung__MemberOverview *o = arena_message(x->arena, &lumbung__member_overview__descriptor);
    o->has_cooperative_id = o->has_member_id = o->has_member_number = 1;
    o->cooperative_id = r->cooperative_id;
    o->member_id = m->id;
    o->member_number = m->member_number;
    o->name = m->name;
    STAMP_SEQS(x, o, r->cooperative_id);
    rc = reporting_member_overview(x->app, x->txn, x->arena, c, m, as_of, o);
    if (rc != 0)
        return report_failed(x, rc, "as_of", "more than %d movements",
                             REPORTING_STATEMENT_LINES_MAX);
    x->out->result_case = RES(MEMBER_OVERVIEW);
    x->out->member_overview = o;
    return 0;
}

/* The SHU of a year exactly as shu() shares it, with every other member's line left out. */
static int member_shu(ctx_t *x, const Lumbung__GetMemberShu *r) {
    Lumbung__Member *m;
    int rc = coop_known(x, r->cooperative_id);
    if (rc == 0) rc = member_of(x, r->cooperative_id, r->member_id, &m);
    if (rc != 0) return rc;
    Lumbung__GetShu q = LUMBUNG__GET_SHU__INIT;
    q.has_cooperative_id = 1;
    q.cooperative_id = r->cooperative_id;
    q.has_year = r->has_year;
    q.year = r->year;
    if ((rc = shu(x, &q)) != 0) return rc;
    Lumbung__ShuReport *s = x->out->shu;
    size_t kept = 0;
    for (size_t i = 0; i < s->n_members; i++)
        if (s->members[i]->member_id == r->member_id) s->members[kept++] = s->members[i];
    s->n_members = kept;
    return 0;
}

/* The public profile's facts: active members and the RAT, nothing of the books. */
static int public_facts(ctx_t *x, const Lumbung__GetPublicFacts *r) {
    Lumbung__Cooperative *c;
    reporting_counts_t n;
    int rc = reporting_registry_coop_of(x->app, x->call, x->txn, x->arena, r->cooperative_id, &c);
    if (rc == 0) rc = reporting_registry_counts(x->app, x->txn, r->cooperative_id, &n);
    if (rc != 0) return rc;
    Lumbung__CooperativeSummary *s = arena_message(x->arena, &lumbung__cooperative_summary__descriptor);
    s->has_cooperative_id = s->has_members_active = s->has_members_female = s->has_members_male = 1;
    s->cooperative_id = r->cooperative_id;
    s->name = c->name;
    s->members_active = n.active;
    s->members_female = n.female;
    s->members_male = n.male;
    if ((rc = reporting_dashboard_rat(x->app, x->txn, x->arena, today_of(x, r->cooperative_id), c,
                                      s)) != 0)
        return rc;
    x->out->result_case = RES(PUBLIC_FACTS);
    x->out->public_facts = s;
    return 0;
}

static int reply(ctx_t *x, int rc) {
    if (rc != 0) {
        const Lumbung__Reply *r = service_call_reply(x->call);
        if (!r->error && rc != ERR_MAP_FULL)
            log_error(service_call_request(x->call)->request_id,
                      "reporting: a report failed with %s", error_name(rc));
        return rc;
    }
    Lumbung__Reply *r = service_call_reply(x->call);
    r->result_case = LUMBUNG__REPLY__RESULT_REPORTING;
    r->reporting = x->out;
    return 0;
}

/* The operation table: common/operations_reporting.h with a handler bound to each row. The
   reports are the functions above; the questionnaire, the ODS and the dashboard live in their
   own files. */
#define REPORT(name)                                                                           \
    static int run_##name(void *x, service_call_t *call, const void *r) { return name(x, r); }
REPORT(balance_sheet) REPORT(income_statement) REPORT(trial_balance) REPORT(member_statement)
REPORT(loan_portfolio) REPORT(shu) REPORT(health) REPORT(member_import_template) REPORT(rat_pack)
REPORT(member_register) REPORT(loan_register) REPORT(loan_card) REPORT(journal)
REPORT(member_overview) REPORT(member_shu) REPORT(public_facts)
#undef REPORT

static int run_put_management(void *arg, service_call_t *call, const void *r) {
    ctx_t *x = arg;
    return reporting_management_put(x->app, call, x->txn, x->arena, r, x->out);
}

static int run_ods(void *arg, service_call_t *call, const void *r) {
    ctx_t *x = arg;
    return reporting_ods(x->app, call, x->txn, x->arena, r, x->out);
}

static int run_district_dashboard(void *arg, service_call_t *call, const void *r) {
    ctx_t *x = arg;
    return reporting_dashboard(x->app, call, x->txn, x->arena, r, x->out);
}

/* Every report reads in the call's transaction, so it is one consistent snapshot. */
static int begin(void *app, service_call_t *call, const operation_t *op, const void *msg,
                 void **out) {
    arena_t *arena = service_call_arena(call);
    ctx_t *x = arena_alloc(arena, sizeof *x);
    *x = (ctx_t) { .app = app, .call = call, .arena = arena, .txn = service_call_txn(call) };
    x->out = arena_message(arena, &lumbung__reporting_reply__descriptor);
    *out = x;
    return 0;
}

static int end(void *x, service_call_t *call, const operation_t *op, int rc) {
    return reply(x, rc);
}

#define ROW(CASE, name, access, flags) { OP(CASE), #name, ACCESS_##access, (flags), run_##name },
static const operation_t rows[] = { REPORTING_OPERATIONS(ROW) };
#undef ROW

const service_operations_t reporting_operations = {
    .service = "reporting", .body = LUMBUNG__REQUEST__BODY_REPORTING,
    .rows = rows, .count = sizeof rows / sizeof rows[0], .begin = begin, .end = end,
};
