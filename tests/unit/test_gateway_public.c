/* public (gateway): the cooperatives' public pages as a visitor's phone gets them — the
   directory lists only cooperatives that opted in and are active, searches by name, district
   and type (a type the gateway does not know is not sent), and keeps the search in the form;
   a profile shows the registry's public part, members and the last RAT from reporting's facts
   with dates as dd/mm/yyyy and fees as `Rp 1.066.185,46`, never the NIK or figures of the books;
   a cooperative that did not opt in is a 404 like an unknown one; every stored text is
   HTML-escaped; an unreachable members service is a 503.

   public.c talks to the rest of the gateway through gateway.h and client.h: this file stands
   in for those calls (answer, headers, query and path parameters, one bus call), so the test
   sees each request sent and answers it as the members and reporting services would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"
#include "../../services/gateway/public.h"

#define TYPE(x) LUMBUNG__COOPERATIVE_TYPE__COOPERATIVE_TYPE_##x

/* ---------------------------------------------------------------- the stand-ins */

enum { QUERY_MAX = 4 };

static struct {
    const char *query[QUERY_MAX][2];          /* name, value */
    const char *coop;                         /* the {coop} path parameter */
    bool unreachable;                         /* client_call refuses */
    Lumbung__Request *sent[4];                /* copies kept in the arena */
    int n_sent;
    client_reply_fn fn;
    void *arg;
    int status;                               /* 0 until answered */
    char *body, *content_type, *cache_control;
} fake;

void gateway_exchange_finish(gateway_exchange_t *ex, int status, const char *content_type,
                             const void *body, size_t len, const char *outcome) {
    (void) outcome;
    fake.status = status;
    fake.content_type = arena_strdup(ex->arena, content_type);
    fake.body = arena_alloc(ex->arena, len + 1);
    memcpy(fake.body, body, len);
    json_decref(ex->first_result);
    ex->first_result = NULL;
}

void gateway_exchange_error(gateway_exchange_t *ex, int status, const char *code,
                            const char *field, const char *fmt, ...) {
    (void) field;
    (void) fmt;
    fake.status = status;
    fake.body = arena_strdup(ex->arena, code);
    json_decref(ex->first_result);
    ex->first_result = NULL;
}

void gateway_exchange_header(gateway_exchange_t *ex, const char *name, const char *value) {
    if (!strcmp(name, "Cache-Control")) fake.cache_control = arena_strdup(ex->arena, value);
}

const char *gateway_exchange_query(const gateway_exchange_t *ex, const char *name) {
    (void) ex;
    for (int i = 0; i < QUERY_MAX; i++)
        if (fake.query[i][0] && !strcmp(fake.query[i][0], name)) return fake.query[i][1];
    return NULL;
}

const char *gateway_exchange_param(const gateway_exchange_t *ex, const char *name) {
    (void) ex;
    return !strcmp(name, "coop") ? fake.coop : NULL;
}

int gateway_parse_u64(const char *text, uint64_t *value) {
    char *end = NULL;
    if (!text || !*text || strspn(text, "0123456789") != strlen(text)) return -EINVAL;
    *value = strtoull(text, &end, 10);
    return 0;
}

int client_call(client_t *self, Lumbung__Request *request, uint32_t timeout_ms,
                client_reply_fn fn, void *arg) {
    (void) self;
    (void) timeout_ms;
    if (fake.unreachable) return ERR_UNAVAILABLE;
    assert_true(fake.n_sent < 4);
    fake.sent[fake.n_sent++] = request;
    fake.fn = fn;
    fake.arg = arg;
    return 0;
}

/* ---------------------------------------------------------------- the fixture */

typedef struct {
    gateway_t gw;
    gateway_exchange_t ex;
    int client;                               /* stands in for a client_t */
    arena_t *arena;
} fixture_t;

static int setup(void **state) {
    fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    memset(&fake, 0, sizeof fake);
    f->arena = arena_new();
    f->gw.clients[GATEWAY_SERVICE_MEMBERS] = (client_t *) &f->client;
    f->gw.clients[GATEWAY_SERVICE_REPORTING] = (client_t *) &f->client;
    f->gw.timeout_ms = 1000;
    f->ex.gw = &f->gw;
    f->ex.arena = f->arena;
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture_t *f = *state;
    arena_destroy(&f->arena);
    free(f);
    return 0;
}

static Lumbung__Cooperative *coop(fixture_t *f, uint64_t id, const char *name, bool public_) {
    Lumbung__CooperativeSettings *s =
        arena_message(f->arena, &lumbung__cooperative_settings__descriptor);
    s->has_public_profile = 1;
    s->public_profile = public_;
    Lumbung__Cooperative *c = arena_message(f->arena, &lumbung__cooperative__descriptor);
    c->has_id = 1;
    c->id = id;
    c->name = (char *) name;
    c->has_type = 1;
    c->type = TYPE(SAVINGS_LOAN);
    c->district = "Cimahi Utara";
    c->settings = s;
    return c;
}

static void answer_members(fixture_t *f, Lumbung__MembersReply *mr) {
    Lumbung__Reply *r = arena_message(f->arena, &lumbung__reply__descriptor);
    r->result_case = LUMBUNG__REPLY__RESULT_MEMBERS;
    r->members = mr;
    fake.fn(fake.arg, CLIENT_OK, r);
}

static void answer_list(fixture_t *f, Lumbung__Cooperative **items, size_t n) {
    Lumbung__CooperativeList *l = arena_message(f->arena, &lumbung__cooperative_list__descriptor);
    l->n_items = n;
    l->items = items;
    Lumbung__MembersReply *mr = arena_message(f->arena, &lumbung__members_reply__descriptor);
    mr->result_case = LUMBUNG__MEMBERS_REPLY__RESULT_COOPERATIVES;
    mr->cooperatives = l;
    answer_members(f, mr);
}

static void answer_cooperative(fixture_t *f, Lumbung__Cooperative *c) {
    Lumbung__MembersReply *mr = arena_message(f->arena, &lumbung__members_reply__descriptor);
    mr->result_case = LUMBUNG__MEMBERS_REPLY__RESULT_COOPERATIVE;
    mr->cooperative = c;
    answer_members(f, mr);
}

static void answer_facts(fixture_t *f, Lumbung__CooperativeSummary *s) {
    Lumbung__ReportingReply *rr = arena_message(f->arena, &lumbung__reporting_reply__descriptor);
    rr->result_case = LUMBUNG__REPORTING_REPLY__RESULT_PUBLIC_FACTS;
    rr->public_facts = s;
    Lumbung__Reply *r = arena_message(f->arena, &lumbung__reply__descriptor);
    r->result_case = LUMBUNG__REPLY__RESULT_REPORTING;
    r->reporting = rr;
    fake.fn(fake.arg, CLIENT_OK, r);
}

/* ---------------------------------------------------------------- the directory */

static void the_directory_lists_only_active_opted_in_cooperatives(void **state) {
    fixture_t *f = *state;
    public_directory(&f->ex, NULL);
    assert_int_equal(fake.n_sent, 1);
    const Lumbung__Request *rq = fake.sent[0];
    assert_int_equal(rq->body_case, LUMBUNG__REQUEST__BODY_MEMBERS);
    assert_string_equal(rq->actor->user, "public");
    assert_int_equal(rq->actor->role, LUMBUNG__ROLE__ROLE_SUPERVISOR);
    assert_int_equal(rq->members->op_case, LUMBUNG__MEMBERS_REQUEST__OP_LIST_COOPERATIVES);
    assert_int_equal(rq->members->list_cooperatives->limit, 500);
    assert_null(rq->members->list_cooperatives->q);
    assert_false(rq->members->list_cooperatives->has_type);
    Lumbung__Cooperative *items[] = {
        coop(f, 3, "KSP Maju Bersama", true), coop(f, 4, "KSP Tertutup", false),
        coop(f, 5, "KSP Dibubarkan", true), coop(f, 6, "Koperasi Tanpa Setelan", true) };
    items[2]->has_active = 1;
    items[2]->active = 0;                    /* marked inactive by the district */
    items[3]->settings = NULL;               /* never opted in */
    answer_list(f, items, 4);
    assert_int_equal(fake.status, 200);
    assert_string_equal(fake.content_type, "text/html; charset=utf-8");
    assert_string_equal(fake.cache_control, "public, max-age=60");
    assert_non_null(strstr(fake.body, "<li><a href=\"/publik/koperasi/3\">KSP Maju Bersama</a><br>"
                                      "Koperasi Simpan Pinjam, Kecamatan Cimahi Utara</li>"));
    assert_null(strstr(fake.body, "Tertutup"));
    assert_null(strstr(fake.body, "Dibubarkan"));
    assert_null(strstr(fake.body, "Tanpa Setelan"));
    assert_null(strstr(fake.body, "Tidak ada koperasi yang cocok."));
    assert_non_null(strstr(fake.body, "<html lang=\"id\">"));
}

static void a_search_is_sent_and_kept_in_the_form(void **state) {
    fixture_t *f = *state;
    fake.query[0][0] = "q";
    fake.query[0][1] = "Maju \"Jaya\"";
    fake.query[1][0] = "district";
    fake.query[1][1] = "Cimahi";
    fake.query[2][0] = "type";
    fake.query[2][1] = "consumer";
    public_directory(&f->ex, NULL);
    const Lumbung__ListCooperatives *l = fake.sent[0]->members->list_cooperatives;
    assert_string_equal(l->q, "Maju \"Jaya\"");
    assert_string_equal(l->district, "Cimahi");
    assert_true(l->has_type);
    assert_int_equal(l->type, TYPE(CONSUMER));
    answer_list(f, NULL, 0);
    assert_int_equal(fake.status, 200);
    assert_non_null(strstr(fake.body, "<input name=\"q\" value=\"Maju &quot;Jaya&quot;\">"));
    assert_non_null(strstr(fake.body, "<input name=\"district\" value=\"Cimahi\">"));
    assert_non_null(strstr(fake.body,
                           "<option value=\"consumer\" selected>Koperasi Konsumen</option>"));
    assert_non_null(strstr(fake.body, "<option value=\"savings_loan\">"));
    assert_non_null(strstr(fake.body, "<p>Tidak ada koperasi yang cocok.</p>"));
}

static void an_unknown_type_is_not_sent(void **state) {
    fixture_t *f = *state;
    fake.query[0][0] = "type";
    fake.query[0][1] = "bank";
    public_directory(&f->ex, NULL);
    assert_false(fake.sent[0]->members->list_cooperatives->has_type);
    answer_list(f, NULL, 0);
    assert_null(strstr(fake.body, " selected"));
}

/* Names are typed by operators: what they type must never become markup on the page. */
static void stored_text_is_escaped(void **state) {
    fixture_t *f = *state;
    public_directory(&f->ex, NULL);
    Lumbung__Cooperative *items[] = { coop(f, 3, "<script>alert('x')</script> & Co", true) };
    items[0]->district = "\"><img src=x>";
    answer_list(f, items, 1);
    assert_null(strstr(fake.body, "<script>"));
    assert_null(strstr(fake.body, "<img"));
    assert_non_null(strstr(fake.body, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co"));
    assert_non_null(strstr(fake.body, "Kecamatan &quot;&gt;&lt;img src=x&gt;</li>"));
}

static void an_unreachable_members_service_is_a_503(void **state) {
    fixture_t *f = *state;
    fake.unreachable = true;
    public_directory(&f->ex, NULL);
    assert_int_equal(fake.status, 503);
    assert_string_equal(fake.body, "service_unavailable");
}

/* ---------------------------------------------------------------- the profile */

static Lumbung__Cooperative *full_profile(fixture_t *f) {
    Lumbung__Cooperative *c = coop(f, 3, "KSP Maju Bersama", true);
    c->group = "Simpan pinjam";
    c->legal_number = "518/BH/XII/2019";
    c->has_legal_date = 1;
    c->legal_date = unit_day("2019-12-02");
    c->address = "Jl. Merdeka 1";
    c->phone = "022-6654321";
    c->national_number = "3204010020001";
    c->settings->principal_amount_sen = 10000000;
    c->settings->mandatory_amount_sen = 106618546;
    c->settings->has_mandatory_period = 1;
    c->settings->mandatory_period = LUMBUNG__MANDATORY_PERIOD__MANDATORY_PERIOD_QUARTERLY;
    c->settings->loan_annual_rate_bp = 1250;
    c->settings->loan_max_sen = 5000000000;
    return c;
}

static Lumbung__CooperativeSummary *facts(fixture_t *f) {
    Lumbung__CooperativeSummary *s =
        arena_message(f->arena, &lumbung__cooperative_summary__descriptor);
    s->has_cooperative_id = s->has_members_active = 1;
    s->cooperative_id = 3;
    s->members_active = 102;
    s->has_last_fiscal_year = s->has_last_rat_fiscal_year = s->has_last_rat_held_on = 1;
    s->last_fiscal_year = 2025;
    s->last_rat_fiscal_year = 2024;
    s->last_rat_held_on = unit_day("2025-03-20");
    s->has_rat_overdue = 1;
    s->rat_overdue = 1;
    s->has_total_assets_sen = s->has_savings_sen = 1;
    s->total_assets_sen = 98765432100;       /* never on a public page */
    s->savings_sen = 12345678900;
    return s;
}

static void a_profile_shows_the_public_part_with_facts(void **state) {
    fixture_t *f = *state;
    fake.coop = "3";
    f->gw.seen_seq[GATEWAY_SERVICE_MEMBERS] = 77;
    public_profile(&f->ex, NULL);
    assert_int_equal(fake.n_sent, 1);
    const Lumbung__Request *rq = fake.sent[0];
    assert_int_equal(rq->body_case, LUMBUNG__REQUEST__BODY_REPORTING);
    assert_int_equal(rq->reporting->op_case, LUMBUNG__REPORTING_REQUEST__OP_PUBLIC_FACTS);
    assert_int_equal(rq->reporting->public_facts->cooperative_id, 3);
    assert_true(rq->has_after_members_seq);   /* an opt-in a moment ago is in the facts */
    assert_int_equal(rq->after_members_seq, 77);
    answer_facts(f, facts(f));
    assert_int_equal(fake.n_sent, 2);
    assert_int_equal(fake.sent[1]->members->op_case, LUMBUNG__MEMBERS_REQUEST__OP_GET_COOPERATIVE);
    assert_int_equal(fake.sent[1]->members->get_cooperative->cooperative_id, 3);
    answer_cooperative(f, full_profile(f));
    assert_int_equal(fake.status, 200);
    const char *b = fake.body;
    assert_non_null(strstr(b, "<title>KSP Maju Bersama</title>"));
    assert_non_null(strstr(b, "content=\"KSP Maju Bersama, Koperasi Simpan Pinjam di Kecamatan "
                              "Cimahi Utara: profil, layanan dan kontak.\""));
    assert_non_null(strstr(b, "<h1>KSP Maju Bersama</h1>"));
    assert_non_null(strstr(b, "<dt>Jenis</dt><dd>Koperasi Simpan Pinjam</dd>"));
    assert_non_null(strstr(b, "<dt>Kelompok</dt><dd>Simpan pinjam</dd>"));
    assert_non_null(strstr(b, "<dt>Nomor badan hukum</dt><dd>518/BH/XII/2019</dd>"));
    assert_non_null(strstr(b, "<dt>Tanggal badan hukum</dt><dd>02/12/2019</dd>"));
    assert_non_null(strstr(b, "<dt>Alamat</dt><dd>Jl. Merdeka 1</dd>"));
    assert_non_null(strstr(b, "<dt>Jumlah anggota</dt><dd>102 anggota aktif</dd>"));
    assert_non_null(strstr(b, "<dd>RAT tahun buku 2024 diselenggarakan 20/03/2025; "
                              "RAT tahun buku 2025 belum diselenggarakan</dd>"));
    assert_non_null(strstr(b, "<dt>Telepon</dt><dd>022-6654321</dd>"));
    assert_non_null(strstr(b, "<li>Simpanan pokok Rp 100.000,00, dibayar sekali saat menjadi "
                              "anggota</li>"));
    assert_non_null(strstr(b, "<li>Simpanan wajib Rp 1.066.185,46 per triwulan</li>"));
    assert_non_null(strstr(b, "<li>Pinjaman untuk anggota, bunga 12,50% per tahun, paling banyak "
                              "Rp 50.000.000,00</li>"));
    /* Never the cooperative's NIK nor a figure of its books. */
    assert_null(strstr(b, "3204010020001"));
    assert_null(strstr(b, "987.654.321"));
    assert_null(strstr(b, "123.456.789"));
}

static void without_facts_the_profile_says_no_rat_and_no_count(void **state) {
    fixture_t *f = *state;
    fake.coop = "3";
    public_profile(&f->ex, NULL);
    fake.fn(fake.arg, ERR_TIMEOUT, NULL);    /* reporting could not say */
    Lumbung__Cooperative *c = coop(f, 3, "KSP Maju Bersama", true);
    answer_cooperative(f, c);
    assert_int_equal(fake.status, 200);
    assert_null(strstr(fake.body, "Jumlah anggota"));
    assert_null(strstr(fake.body, "Simpanan pokok"));       /* no fee set: not offered */
    assert_null(strstr(fake.body, "Pinjaman untuk anggota"));
    assert_non_null(strstr(fake.body, "<li>Simpanan sukarela, dapat disetor dan ditarik kapan "
                                      "saja</li>"));
    assert_null(strstr(fake.body, "Telepon"));
}

static void not_opted_in_is_the_same_404_as_unknown(void **state) {
    fixture_t *f = *state;
    fake.coop = "4";
    public_profile(&f->ex, NULL);
    answer_facts(f, facts(f));
    answer_cooperative(f, coop(f, 4, "KSP Tertutup", false));
    assert_int_equal(fake.status, 404);
    char *closed = fake.body;
    assert_null(strstr(closed, "KSP Tertutup"));
    assert_null(strstr(closed, "102 anggota"));
    assert_non_null(strstr(closed, "<h1>Koperasi tidak ditemukan</h1>"));
    memset(&fake, 0, sizeof fake);
    fake.coop = "99";
    public_profile(&f->ex, NULL);
    answer_facts(f, NULL);
    Lumbung__Reply *r = arena_message(f->arena, &lumbung__reply__descriptor);
    r->error = arena_message(f->arena, &lumbung__error__descriptor);
    r->error->has_kind = 1;
    r->error->kind = LUMBUNG__ERROR_KIND__ERROR_KIND_NOT_FOUND;
    fake.fn(fake.arg, CLIENT_OK, r);
    assert_int_equal(fake.status, 404);
    assert_string_equal(fake.body, closed);
}

static void a_path_that_is_not_a_number_is_a_404_without_a_call(void **state) {
    fixture_t *f = *state;
    fake.coop = "3;drop";
    public_profile(&f->ex, NULL);
    assert_int_equal(fake.status, 404);
    assert_int_equal(fake.n_sent, 0);
}

int main(void) {
    unit_quiet_logs("test_public");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(the_directory_lists_only_active_opted_in_cooperatives,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(a_search_is_sent_and_kept_in_the_form, setup, teardown),
        cmocka_unit_test_setup_teardown(an_unknown_type_is_not_sent, setup, teardown),
        cmocka_unit_test_setup_teardown(stored_text_is_escaped, setup, teardown),
        cmocka_unit_test_setup_teardown(an_unreachable_members_service_is_a_503, setup, teardown),
        cmocka_unit_test_setup_teardown(a_profile_shows_the_public_part_with_facts, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(without_facts_the_profile_says_no_rat_and_no_count, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(not_opted_in_is_the_same_404_as_unknown, setup, teardown),
        cmocka_unit_test_setup_teardown(a_path_that_is_not_a_number_is_a_404_without_a_call,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
