#include "public.h"
#include "date.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_pb.h"
#include "money.h"

enum { PUBLIC_DIRECTORY_MAX = 500 };    /* cooperatives asked for per directory page */

static const struct {
    Lumbung__CooperativeType type;
    const char *name, *words;
} types[] = {
    { LUMBUNG__COOPERATIVE_TYPE__COOPERATIVE_TYPE_SAVINGS_LOAN, "savings_loan", "Koperasi Simpan Pinjam" },
    { LUMBUNG__COOPERATIVE_TYPE__COOPERATIVE_TYPE_CONSUMER, "consumer", "Koperasi Konsumen" },
    { LUMBUNG__COOPERATIVE_TYPE__COOPERATIVE_TYPE_PRODUCER, "producer", "Koperasi Produsen" },
    { LUMBUNG__COOPERATIVE_TYPE__COOPERATIVE_TYPE_MARKETING, "marketing", "Koperasi Pemasaran" },
    { LUMBUNG__COOPERATIVE_TYPE__COOPERATIVE_TYPE_SERVICES, "services", "Koperasi Jasa" },
    { LUMBUNG__COOPERATIVE_TYPE__COOPERATIVE_TYPE_MULTI_PURPOSE, "multi_purpose", "Koperasi Serba Usaha" },
};
enum { TYPES = sizeof types / sizeof types[0] };

static const char *type_words(Lumbung__CooperativeType t) {
    for (int i = 0; i < TYPES; i++) if (types[i].type == t) return types[i].words;
    return "Koperasi";
}

static const char *period_words(Lumbung__MandatoryPeriod p) {
    switch (p) {
    case LUMBUNG__MANDATORY_PERIOD__MANDATORY_PERIOD_WEEKLY: return "per minggu";
    case LUMBUNG__MANDATORY_PERIOD__MANDATORY_PERIOD_QUARTERLY: return "per triwulan";
    case LUMBUNG__MANDATORY_PERIOD__MANDATORY_PERIOD_SEMIANNUAL: return "per semester";
    case LUMBUNG__MANDATORY_PERIOD__MANDATORY_PERIOD_ANNUAL: return "per tahun";
    default: return "per bulan";
    }
}

/* Text as HTML, safe in element content and in double-quoted attributes. */
static void esc(FILE *f, const char *s) {
    for (; s && *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*s, f);
        }
    }
}

static void page_head(FILE *f, const char *title, const char *description) {
    fputs("<!doctype html>\n<html lang=\"id\"><head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>", f);
    esc(f, title);
    fputs("</title><meta name=\"description\" content=\"", f);
    esc(f, description);
    fputs("\"><link rel=\"stylesheet\" href=\"/publik.css\"></head><body>\n", f);
}

/* Closes the stream (which is what sets *buf and *len) and answers with the page. */
static void page_finish(gateway_exchange_t *ex, FILE *f, char **buf, size_t *len, int status) {
    fputs("</body></html>\n", f);
    fclose(f);
    gateway_exchange_header(ex, "Cache-Control", "public, max-age=60");
    gateway_exchange_finish(ex, status, "text/html; charset=utf-8", *buf, *len,
                            status == 200 ? "ok" : "not_found");
    free(*buf);
}

static bool opted_in(const Lumbung__Cooperative *c) {
    return c && c->settings && c->settings->has_public_profile && c->settings->public_profile &&
           (!c->has_active || c->active);
}

/* ---------------------------------------------------------------- asking the members service */

static Lumbung__Request *public_request(gateway_exchange_t *ex) {
    arena_t *a = ex->arena;
    Lumbung__Request *rq = arena_message(a, &lumbung__request__descriptor);
    Lumbung__Actor *actor = arena_message(a, &lumbung__actor__descriptor);
    actor->user = arena_strdup(a, "public");
    actor->has_role = 1;
    actor->role = LUMBUNG__ROLE__ROLE_SUPERVISOR;   /* reads only; filtered before rendering */
    rq->actor = actor;
    return rq;
}

static void send_members(gateway_exchange_t *ex, Lumbung__MembersRequest *mr, client_reply_fn fn) {
    Lumbung__Request *rq = public_request(ex);
    rq->body_case = LUMBUNG__REQUEST__BODY_MEMBERS;
    rq->members = mr;
    client_t *c = ex->gw->clients[GATEWAY_SERVICE_MEMBERS];
    if (!c || client_call(c, rq, ex->gw->timeout_ms, fn, ex) != 0)
        gateway_exchange_error(ex, 503, "service_unavailable", NULL,
                               "the members service is not reachable; retry shortly");
}

static const Lumbung__MembersReply *members_reply(gateway_exchange_t *ex, int status,
                                                  const Lumbung__Reply *reply) {
    if (status == CLIENT_OK && !reply->error && reply->result_case == LUMBUNG__REPLY__RESULT_MEMBERS &&
        reply->members)
        return reply->members;
    if (status == CLIENT_OK && reply->error && reply->error->has_kind &&
        reply->error->kind == LUMBUNG__ERROR_KIND__ERROR_KIND_NOT_FOUND)
        return NULL;                                   /* the caller answers 404 */
    gateway_exchange_error(ex, 503, "service_unavailable", NULL,
                           "the members service could not answer; retry shortly");
    return (const Lumbung__MembersReply *) -1;
}

/* ---------------------------------------------------------------- the profile */

static void profile_services(FILE *f, const Lumbung__CooperativeSettings *s) {
    char amount[MONEY_IDR_MAX];
    fputs("<h2>Layanan</h2><ul>", f);
    if (s->principal_amount_sen > 0) {
        money_format_idr(s->principal_amount_sen, amount, sizeof amount);
        fprintf(f, "<li>Simpanan pokok %s, dibayar sekali saat menjadi anggota</li>", amount);
    }
    if (s->mandatory_amount_sen > 0) {
        money_format_idr(s->mandatory_amount_sen, amount, sizeof amount);
        fprintf(f, "<li>Simpanan wajib %s %s</li>", amount, period_words(s->mandatory_period));
    }
    fputs("<li>Simpanan sukarela, dapat disetor dan ditarik kapan saja</li>", f);
    if (s->loan_annual_rate_bp > 0) {
        fprintf(f, "<li>Pinjaman untuk anggota, bunga %" PRId64 ",%02" PRId64 "%% per tahun",
                s->loan_annual_rate_bp / 100, s->loan_annual_rate_bp % 100);
        if (s->loan_max_sen > 0) {
            money_format_idr(s->loan_max_sen, amount, sizeof amount);
            fprintf(f, ", paling banyak %s", amount);
        }
        fputs("</li>", f);
    }
    fputs("</ul>\n", f);
}

static void row(FILE *f, const char *term, const char *value) {
    if (!value || !*value) return;
    fprintf(f, "<dt>%s</dt><dd>", term);
    esc(f, value);
    fputs("</dd>", f);
}

/* "2026-03-20" as "20/03/2026". */
static const char *dmy(arena_t *a, const char *iso) {
    if (!iso || strlen(iso) != 10) return iso;
    return arena_printf(a, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
}

/* Members and the last RAT, from reporting's projections (ex->first_result, on_facts); the
   profile leaves them out when reporting could not say. */
static void profile_facts(gateway_exchange_t *ex, FILE *f) {
    const json_t *facts = ex->first_result;
    if (!json_is_object(facts)) return;
    json_t *active = json_object_get(facts, "members_active");
    if (json_is_integer(active))
        fprintf(f, "<dt>Jumlah anggota</dt><dd>%" JSON_INTEGER_FORMAT " anggota aktif</dd>",
                json_integer_value(active));
    json_t *last = json_object_get(facts, "last_fiscal_year");
    json_t *rat_year = json_object_get(facts, "last_rat_fiscal_year");
    const char *held = json_string_value(json_object_get(facts, "last_rat_held_on"));
    fputs("<dt>Rapat anggota tahunan (RAT) terakhir</dt><dd>", f);
    if (json_is_integer(rat_year) && held)
        fprintf(f, "RAT tahun buku %" JSON_INTEGER_FORMAT " diselenggarakan %s",
                json_integer_value(rat_year), dmy(ex->arena, held));
    else
        fputs("Belum ada RAT yang dicatat", f);
    if (json_is_true(json_object_get(facts, "rat_overdue")) && json_is_integer(last))
        fprintf(f, "; RAT tahun buku %" JSON_INTEGER_FORMAT " belum diselenggarakan",
                json_integer_value(last));
    fputs("</dd>", f);
}

static void on_profile(void *arg, int status, const Lumbung__Reply *reply) {
    gateway_exchange_t *ex = arg;
    const Lumbung__MembersReply *mr = members_reply(ex, status, reply);
    if (mr == (const Lumbung__MembersReply *) -1) return;
    const Lumbung__Cooperative *c =
        mr && mr->result_case == LUMBUNG__MEMBERS_REPLY__RESULT_COOPERATIVE ? mr->cooperative : NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) { gateway_exchange_error(ex, 500, "internal", NULL, "out of memory"); return; }
    if (!opted_in(c)) {
        page_head(f, "Koperasi tidak ditemukan", "Koperasi ini tidak memiliki profil publik.");
        fputs("<h1>Koperasi tidak ditemukan</h1><p><a href=\"/publik/koperasi\">Direktori koperasi</a></p>", f);
        page_finish(ex, f, &buf, &len, 404);
        return;
    }
    char *description = arena_printf(ex->arena, "%s, %s di Kecamatan %s: profil, layanan dan kontak.",
                                     c->name ? c->name : "", type_words(c->type),
                                     c->district ? c->district : "-");
    page_head(f, c->name ? c->name : "Koperasi", description);
    fputs("<p><a href=\"/publik/koperasi\">Direktori koperasi</a></p><h1>", f);
    esc(f, c->name);
    fputs("</h1><dl>", f);
    row(f, "Jenis", type_words(c->type));
    row(f, "Kelompok", c->group);
    row(f, "Nomor badan hukum", c->legal_number);
    row(f, "Tanggal badan hukum",
        c->has_legal_date ? dmy(ex->arena, date_text(ex->arena, c->legal_date)) : NULL);
    row(f, "Alamat", c->address);
    row(f, "Kecamatan", c->district);
    profile_facts(ex, f);
    row(f, "Telepon", c->phone);
    fputs("</dl>\n", f);
    profile_services(f, c->settings);
    page_finish(ex, f, &buf, &len, 200);
}

static void ask_cooperative(gateway_exchange_t *ex, uint64_t id) {
    Lumbung__GetCooperative *get = arena_message(ex->arena, &lumbung__get_cooperative__descriptor);
    get->has_cooperative_id = 1;
    get->cooperative_id = id;
    Lumbung__MembersRequest *mr = arena_message(ex->arena, &lumbung__members_request__descriptor);
    mr->op_case = LUMBUNG__MEMBERS_REQUEST__OP_GET_COOPERATIVE;
    mr->get_cooperative = get;
    send_members(ex, mr, on_profile);
}

/* The facts first (kept as JSON in ex->first_result, which the exchange frees), then the
   cooperative, whose answer decides whether there is a profile at all. */
static void on_facts(void *arg, int status, const Lumbung__Reply *reply) {
    gateway_exchange_t *ex = arg;
    if (status == CLIENT_OK && !reply->error && reply->result_case == LUMBUNG__REPLY__RESULT_REPORTING &&
        reply->reporting && reply->reporting->result_case ==
            LUMBUNG__REPORTING_REPLY__RESULT_PUBLIC_FACTS && reply->reporting->public_facts)
        ex->first_result = json_pb_to_json(&reply->reporting->public_facts->base);
    uint64_t id = 0;
    gateway_parse_u64(gateway_exchange_param(ex, "coop"), &id);
    ask_cooperative(ex, id);
}

void public_profile(gateway_exchange_t *ex, json_t *body) {
    (void) body;
    uint64_t id;
    if (gateway_parse_u64(gateway_exchange_param(ex, "coop"), &id) < 0) {
        gateway_exchange_error(ex, 404, "not_found", NULL, "there is no cooperative at this path");
        return;
    }
    Lumbung__GetPublicFacts *facts = arena_message(ex->arena, &lumbung__get_public_facts__descriptor);
    facts->has_cooperative_id = 1;
    facts->cooperative_id = id;
    Lumbung__ReportingRequest *rr = arena_message(ex->arena, &lumbung__reporting_request__descriptor);
    rr->op_case = LUMBUNG__REPORTING_REQUEST__OP_PUBLIC_FACTS;
    rr->public_facts = facts;
    Lumbung__Request *rq = public_request(ex);
    rq->body_case = LUMBUNG__REQUEST__BODY_REPORTING;
    rq->reporting = rr;
    /* What the gateway has seen of the members stream is in the facts (an opt-in or a RAT
       recorded a moment ago), as for every reporting call (routes.c envelope_build). */
    if (ex->gw->seen_seq[GATEWAY_SERVICE_MEMBERS]) {
        rq->has_after_members_seq = 1;
        rq->after_members_seq = ex->gw->seen_seq[GATEWAY_SERVICE_MEMBERS];
    }
    client_t *c = ex->gw->clients[GATEWAY_SERVICE_REPORTING];
    if (!c || client_call(c, rq, ex->gw->timeout_ms, on_facts, ex) != 0)
        ask_cooperative(ex, id);               /* the profile without the facts */
}

/* ---------------------------------------------------------------- the directory */

static void search_form(FILE *f, gateway_exchange_t *ex) {
    const char *q = gateway_exchange_query(ex, "q"), *district = gateway_exchange_query(ex, "district");
    const char *type = gateway_exchange_query(ex, "type");
    fputs("<form method=\"get\" action=\"/publik/koperasi\"><p><label>Nama <input name=\"q\" value=\"", f);
    esc(f, q);
    fputs("\"></label></p><p><label>Kecamatan <input name=\"district\" value=\"", f);
    esc(f, district);
    fputs("\"></label></p><p><label>Jenis <select name=\"type\"><option value=\"\">Semua</option>", f);
    for (int i = 0; i < TYPES; i++)
        fprintf(f, "<option value=\"%s\"%s>%s</option>", types[i].name,
                type && !strcmp(type, types[i].name) ? " selected" : "", types[i].words);
    fputs("</select></label></p><p><button type=\"submit\">Cari</button></p></form>\n", f);
}

static void on_directory(void *arg, int status, const Lumbung__Reply *reply) {
    gateway_exchange_t *ex = arg;
    const Lumbung__MembersReply *mr = members_reply(ex, status, reply);
    if (mr == (const Lumbung__MembersReply *) -1) return;
    const Lumbung__CooperativeList *list =
        mr && mr->result_case == LUMBUNG__MEMBERS_REPLY__RESULT_COOPERATIVES ? mr->cooperatives : NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) { gateway_exchange_error(ex, 500, "internal", NULL, "out of memory"); return; }
    page_head(f, "Direktori Koperasi",
              "Koperasi di kabupaten yang membuka profil publiknya: cari menurut nama, kecamatan dan jenis.");
    fputs("<h1>Direktori Koperasi</h1>\n", f);
    search_form(f, ex);
    unsigned shown = 0;
    fputs("<ul>", f);
    for (size_t i = 0; list && i < list->n_items; i++) {
        const Lumbung__Cooperative *c = list->items[i];
        if (!opted_in(c)) continue;
        fprintf(f, "<li><a href=\"/publik/koperasi/%" PRIu64 "\">", c->id);
        esc(f, c->name);
        fprintf(f, "</a><br>%s, Kecamatan ", type_words(c->type));
        esc(f, c->district);
        fputs("</li>", f);
        shown++;
    }
    fputs("</ul>", f);
    if (!shown) fputs("<p>Tidak ada koperasi yang cocok.</p>", f);
    page_finish(ex, f, &buf, &len, 200);
}

void public_directory(gateway_exchange_t *ex, json_t *body) {
    (void) body;
    Lumbung__ListCooperatives *l = arena_message(ex->arena, &lumbung__list_cooperatives__descriptor);
    const char *q = gateway_exchange_query(ex, "q"), *district = gateway_exchange_query(ex, "district");
    const char *type = gateway_exchange_query(ex, "type");
    if (q && *q) l->q = arena_strdup(ex->arena, q);
    if (district && *district) l->district = arena_strdup(ex->arena, district);
    for (int i = 0; type && i < TYPES; i++)
        if (!strcmp(type, types[i].name)) { l->has_type = 1; l->type = types[i].type; }
    l->has_limit = 1;
    l->limit = PUBLIC_DIRECTORY_MAX;
    Lumbung__MembersRequest *mr = arena_message(ex->arena, &lumbung__members_request__descriptor);
    mr->op_case = LUMBUNG__MEMBERS_REQUEST__OP_LIST_COOPERATIVES;
    mr->list_cooperatives = l;
    send_members(ex, mr, on_directory);
}
