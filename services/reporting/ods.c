#include "reporting.h"
#include "render.h"
#include "date.h"
#include "pb_date.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

#define CLASS(x) LUMBUNG__ACCOUNT_CLASS__ACCOUNT_CLASS_##x
#define KIND(x) LUMBUNG__ERROR_KIND__ERROR_KIND_##x

/* The fiscal year `year` of the cooperative. */
static int fiscal_year(const Lumbung__Cooperative *c, uint32_t year, int32_t *from, int32_t *to) {
    const Lumbung__CooperativeSettings *set = c->settings;
    int start = set && set->has_fiscal_year_start ? (int) set->fiscal_year_start : 1;
    return date_fiscal_year((int) year, start, from, to) == 0 ? 0 : -EINVAL;
}

static int books(reporting_t *app, store_txn_t *txn, arena_t *arena, int32_t from, int32_t to,
                 Lumbung__OdsRow *r) {
    int64_t income = 0, expenses = 0, equity = 0, year_income = 0, year_expenses = 0;
    reporting_chart_t chart;
    int rc = reporting_chart_read(app, txn, arena, r->cooperative_id, DATE_MIN, to, &chart);
    if (rc == ERR_NOT_FOUND) return 0;          /* no accounts: zeros */
    if (rc != 0) return rc;
    for (size_t i = 0; i < chart.count; i++) {
        const reporting_account_t *a = &chart.items[i];
        int64_t bal = reporting_sheet_balance(a->class_, a->debit_sen, a->credit_sen);
        if (a->class_ == CLASS(ASSET)) r->total_assets_sen += bal;
        if (a->class_ == CLASS(LIABILITY)) r->outside_capital_sen += bal;
        if (a->class_ == CLASS(EQUITY)) equity += bal;
        if (a->class_ == CLASS(INCOME)) income += bal;
        if (a->class_ == CLASS(EXPENSE)) expenses += bal;
    }
    r->own_capital_sen = equity + income - expenses;
    if ((rc = reporting_chart_read(app, txn, arena, r->cooperative_id, from, to, &chart)) != 0)
        return rc;
    for (size_t i = 0; i < chart.count; i++) {
        const reporting_account_t *a = &chart.items[i];
        int64_t bal = reporting_sheet_balance(a->class_, a->debit_sen, a->credit_sen);
        if (a->class_ == CLASS(INCOME)) year_income += bal;
        if (a->class_ == CLASS(EXPENSE)) year_expenses += bal;
    }
    r->surplus_sen = year_income - year_expenses;
    return 0;
}

static int row(reporting_t *app, store_txn_t *txn, arena_t *arena, uint32_t year,
               const Lumbung__Cooperative *c, Lumbung__OdsRow **out) {
    int32_t from, to;
    if (fiscal_year(c, year, &from, &to) != 0) return -EINVAL;
    Lumbung__OdsRow *r = arena_message(arena, &lumbung__ods_row__descriptor);
    r->has_cooperative_id = r->has_type = r->has_active = r->has_rat_held = 1;
    r->cooperative_id = c->id;
    r->name = c->name;
    r->legal_number = c->legal_number;
    PB_DATE_COPY(r, c, legal_date);
    r->national_number = c->national_number;
    r->type = c->has_type ? c->type : 0;
    r->group = c->group;
    r->address = c->address;
    r->district = c->district;
    r->active = !c->has_active || c->active;
    PB_DATE_SET(r, from, from);
    PB_DATE_SET(r, to, to);
    int32_t held;
    int rc = reporting_oversight_rat_of(app, txn, c->id, year, &held);
    if (rc != 0 && rc != ERR_NOT_FOUND) return rc;
    r->rat_held = rc == 0;
    if (rc == 0) PB_DATE_SET(r, rat_held_on, held);
    reporting_counts_t n;
    if ((rc = reporting_registry_counts(app, txn, c->id, &n)) != 0) return rc;
    r->has_members_male = r->has_members_female = 1;
    r->members_male = n.male;
    r->members_female = n.female;
    r->has_own_capital_sen = r->has_outside_capital_sen = r->has_total_assets_sen = 1;
    r->has_surplus_sen = 1;
    if ((rc = books(app, txn, arena, from, to, r)) != 0) return rc;
    *out = r;
    return 0;
}

static int collect(reporting_t *app, store_txn_t *txn, arena_t *arena, uint32_t year,
                   Lumbung__OdsReturn *o) {
    store_scan_t cur;
    int rc = store_scan_open(&cur, txn, app->tables.coops,
                             &(store_range_t){ .rows_max = REPORTING_COOPS_MAX });
    if (rc != 0) return rc;
    size_t cap = 16;
    o->items = arena_alloc(arena, cap * sizeof *o->items);
    while ((rc = store_scan_next(&cur)) == 0) {
        ProtobufCAllocator alloc = arena_allocator(arena);
        Lumbung__Cooperative *c = lumbung__cooperative__unpack(&alloc, cur.val_len, cur.val);
        if (!c) { rc = -EPROTO; break; }
        if (o->n_items == cap) {
            Lumbung__OdsRow **more = arena_alloc(arena, 2 * cap * sizeof *more);
            memcpy(more, o->items, cap * sizeof *more);
            o->items = more;
            cap *= 2;
        }
        if ((rc = row(app, txn, arena, year, c, &o->items[o->n_items])) != 0) break;
        o->n_items++;
    }
    return store_scan_close(&cur, rc);
}

int reporting_ods(reporting_t *app, service_call_t *call, store_txn_t *txn, arena_t *arena,
                  const Lumbung__GetOds *req, Lumbung__ReportingReply *out) {
    assert(app && call && txn && arena && req && out);
    reporting_opts_t opts;
    const char *bad = reporting_opts_read(&opts, req->has_format, req->format, req->dialect,
                                          req->lang, req->has_metadata, req->metadata);
    if (bad) return reporting_options_fail(call, bad);
    if (!req->has_year || req->year < DATE_FISCAL_YEAR_MIN || req->year > DATE_FISCAL_YEAR_MAX)
        return service_call_fail(call, KIND(INVALID), "invalid_year", "year",
                                 "year must be given, between %d and %d", DATE_FISCAL_YEAR_MIN, DATE_FISCAL_YEAR_MAX);
    Lumbung__OdsReturn *o = arena_message(arena, &lumbung__ods_return__descriptor);
    o->has_year = o->has_as_of_seq = o->has_members_seq = 1;
    o->year = req->year;
    o->as_of_seq = reporting_tx_seq(app, 0);
    o->as_of_shard_seqs = reporting_shard_seqs(app, arena, &o->n_as_of_shard_seqs);
    o->members_seq = app->members ? follower_cursor(app->members) : 0;
    static char *not_recorded[] = { "managers_and_staff", "business_volume" };
    o->not_recorded = not_recorded;
    o->n_not_recorded = sizeof not_recorded / sizeof not_recorded[0];
    int rc = collect(app, txn, arena, req->year, o);
    if (rc == -E2BIG)
        return service_call_fail(call, KIND(RULE), "report_too_large", NULL,
                                 "more than %d cooperatives", REPORTING_COOPS_MAX);
    if (rc != 0) return rc;
    if (reporting_opts_file(&opts)) {
        reporting_doc_t doc;
        reporting_render_ods(&doc, arena, o);
        return reporting_answer_doc(app, call, txn, &doc, &opts, out);
    }
    out->result_case = LUMBUNG__REPORTING_REPLY__RESULT_ODS;
    out->ods = o;
    return 0;
}
