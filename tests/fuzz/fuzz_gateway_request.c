/* libFuzzer target: the gateway's whole request path after libmicrohttpd, with headers,
   cookies and a body: http.c's detached request (request id, framing check, body limit, the
   query string cut and decoded as MHD does it) handed to gateway_routes_handle, the handler the
   server runs — route matching, the session cookie and Bearer token, the CSRF check,
   authorisation, the Idempotency-Key, JSON parsing, JSON -> protobuf with path and query
   fields, the envelope — and the answer through metrics and the audit trail. A real gateway_t
   with its store (on /dev/shm), auth, audit and metrics; no backends (a bus call is answered
   503 at once), an admin and an operator of cooperative 7 logged in.

   Input: byte 0 picks the method, byte 1 the credentials the harness adds (none, the admin's
   Bearer token, the admin's session cookie with or without its X-CSRF-Token, the operator's
   token or cookie), then NUL-separated fields: PATH, QUERY, header lines "Name: value" up to
   an empty field, and the rest is the body (Cookie, Content-Type, Content-Length,
   Transfer-Encoding, X-Request-Id, Authorization, Idempotency-Key, X-CSRF-Token come from
   there; see the seeds).
   Properties, beyond no crash, leak or undefined behaviour: every request is answered, with a
   status of 100..599; an error in JSON names its code and message; the answer's X-Request-Id
   is the caller's when sane, else 32 hex digits; every state-changing request the gateway
   handled (all but a refused framing) left exactly one audit entry before it was answered;
   every envelope built for the bus packs and unpacks to the same bytes, names the actor
   exactly when a user was authenticated, and scopes an idempotency key by user.

   Run with `make fuzz` or, once built:
     build-fuzz/fuzz/fuzz_gateway_request -max_total_time=60 tests/fuzz/corpus/fuzz_gateway_request */
#include <assert.h>
#include <ftw.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "envelope.pb-c.h"
#include "log.h"
#include "../../services/gateway/gateway.h"

enum { INPUT_MAX = 64 * 1024, HEADERS_MAX = 32, LOOP_TURNS_MAX = 100000,
       OVERSIZE_AUDIT_WAIT_MS = 10000 };

static const char *const METHODS[] = { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE",
                                       "OPTIONS", "PROPFIND" };
static const char PASSWORD[] = "fuzz-password-Lumbung-1";

static uv_loop_t loop;
static gateway_t gw;
static char dir[64];
static char admin_token[AUTH_TOKEN_TEXT_MAX], operator_token[AUTH_TOKEN_TEXT_MAX];
static const char *authenticated_user;     /* who the harness's credentials name, or NULL */
static bool sent_checked;

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void) st, (void) flag, (void) ftw;
    return remove(path);
}

static void cleanup(void) { nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS); }

typedef struct { bool done; int status; char *token; } login_wait_t;

static void on_login(void *arg, int status, const auth_login_result_t *result) {
    login_wait_t *w = arg;
    w->done = true;
    w->status = status;
    if (status == 0) snprintf(w->token, AUTH_TOKEN_TEXT_MAX, "%s", result->token);
}

static void login(const char *name, char *token) {
    login_wait_t w = { .token = token };
    auth_login(gw.auth, name, PASSWORD, "192.0.2.1", on_login, &w);
    while (!w.done) uv_run(&loop, UV_RUN_ONCE);
    if (w.status != 0) token[0] = 0;        /* renamed, deactivated or relocked by an input */
}

static void on_user(void *arg, int status, const auth_user_t *user, const problem_t *e) {
    (void) user, (void) e;
    *(int *) arg = status == 0 ? 1 : -1;
}

static void add_operator(void) {
    auth_user_input_t in = { .username = "petugas7", .password = PASSWORD, .full_name = "Petugas",
                             .has_role = true, .role = LUMBUNG__ROLE__ROLE_OPERATOR,
                             .has_cooperative_id = true, .cooperative_id = 7 };
    problem_t e;
    int done = 0;
    assert(auth_user_create(gw.auth, &in, &e, on_user, &done) == 0);
    while (!done) uv_run(&loop, UV_RUN_ONCE);
    assert(done == 1);
}

/* Every envelope the request path builds for the bus. */
static void on_send(void *arg, const Lumbung__Request *rq) {
    (void) arg;
    size_t n = protobuf_c_message_get_packed_size(&rq->base);
    uint8_t *packed = malloc(n + 1);
    assert(packed && protobuf_c_message_pack(&rq->base, packed) == n);
    Lumbung__Request *back = lumbung__request__unpack(NULL, n, packed);
    assert(back);
    uint8_t *again = malloc(n + 1);
    assert(again && protobuf_c_message_get_packed_size(&back->base) == n &&
           protobuf_c_message_pack(&back->base, again) == n && !memcmp(packed, again, n));
    assert((rq->actor != NULL) == (authenticated_user != NULL));
    if (rq->actor) assert(!strcmp(rq->actor->user, authenticated_user));
    if (rq->idempotency_key) {
        const char *user = authenticated_user ? authenticated_user : "";
        assert(!strncmp(rq->idempotency_key, user, strlen(user)) &&
               rq->idempotency_key[strlen(user)] == ':');
    }
    lumbung__request__free_unpacked(back, NULL);
    free(packed);
    free(again);
    sent_checked = true;
}

static void set_up(void) {
    setenv("LUMBUNG_LOG_LEVEL", "error", 1);      /* a line per request would be most of the time */
    log_init("fuzz");
    snprintf(dir, sizeof dir, "/dev/shm/lumbung-fuzz-XXXXXX");
    if (!mkdtemp(dir)) snprintf(dir, sizeof dir, "/tmp/lumbung-fuzz-XXXXXX"), assert(mkdtemp(dir));
    atexit(cleanup);
    assert(sodium_init() >= 0 && uv_loop_init(&loop) == 0);
    gw = (gateway_t) { .loop = &loop, .metrics = metrics_new(), .timeout_ms = 1000,
                       .long_timeout_ms = 1000, .ready_timeout_ms = 1000,
                       .on_send = on_send,
                       /* no backends: a call is answered 503 at once, never retried later */
                       .stopping = true };
    gateway_call_init(&gw);
    auth_config_t ac;
    auth_config_default(&ac);
    ac.ops = crypto_pwhash_OPSLIMIT_MIN;
    ac.mem = crypto_pwhash_MEMLIMIT_MIN;
    ac.delay_base_ms = ac.delay_max_ms = 0;
    ac.failures_max = ac.address_failures_max = 1000000000u;
    int err = 0;
    assert((gw.store = store_new(dir, &err)));
    assert((gw.auth = auth_new(&loop, gw.store, &ac, &err)));
    assert((gw.audit = audit_new(&loop, gw.store, &err)));
    assert(auth_bootstrap(gw.auth, PASSWORD) == 0);
    add_operator();
}

/* The admin's and the operator's sessions, again when an input ended or broke one. */
static void sessions(void) {
    auth_user_t u;
    if (!admin_token[0] || auth_authenticate(gw.auth, admin_token, &u) != 0) login("admin", admin_token);
    if (!operator_token[0] || auth_authenticate(gw.auth, operator_token, &u) != 0)
        login("petugas7", operator_token);
}

typedef struct {
    http_pair_t headers[HEADERS_MAX + 3];
    int count;
    char cookie[COOKIE_TOKEN_MAX + 64], bearer[AUTH_TOKEN_TEXT_MAX + 16];
    char csrf[COOKIE_CSRF_TEXT_MAX];
} headers_t;

static void credentials(uint8_t mode, headers_t *h) {
    const char *token = (mode & 3) == 3 ? operator_token : (mode & 3) ? admin_token : NULL;
    authenticated_user = NULL;
    if (!token || !token[0]) return;
    bool cookie = (mode & 3) == 2 || ((mode & 3) == 3 && (mode & 8));
    if (cookie) {
        snprintf(h->cookie, sizeof h->cookie, "%s=%s", COOKIE_SESSION_NAME, token);
        h->headers[h->count++] = (http_pair_t) { "Cookie", h->cookie };
        cookie_csrf_token(token, h->csrf);
        if (mode & 4) h->headers[h->count++] = (http_pair_t) { COOKIE_CSRF_HEADER, h->csrf };
    } else {
        snprintf(h->bearer, sizeof h->bearer, "Bearer %s", token);
        h->headers[h->count++] = (http_pair_t) { "Authorization", h->bearer };
    }
    authenticated_user = token == admin_token ? "admin" : "petugas7";
}

/* "Name: value" as MHD hands it over: no CR or LF in a value, leading blanks trimmed. */
static void header_line(char *line, headers_t *h) {
    if (h->count >= HEADERS_MAX) return;
    for (char *c = line; *c; c++)
        if (*c == '\r' || *c == '\n') *c = ' ';
    char *colon = strchr(line, ':');
    char *value = colon ? colon + 1 : line + strlen(line);
    if (colon) *colon = 0;
    while (*value == ' ' || *value == '\t') value++;
    h->headers[h->count++] = (http_pair_t) { line, value };
}

static void check_answer(const http_req_t *req, const http_detached_t *d, bool framing_refused,
                         uint64_t audit_before) {
    int status;
    const char *type, *body;
    size_t len;
    assert(http_req_answered(req, &status, &type, &body, &len));
    assert(status >= 100 && status <= 599);
    if (status >= 400 && type && !strcmp(type, "application/json")) {
        json_t *j = json_loadb(body, len, 0, NULL);
        json_t *e = json_object_get(j, "error");
        assert(json_is_string(json_object_get(e, "code")) &&
               json_is_string(json_object_get(e, "message")));
        json_decref(j);
    }
    bool changes = strcmp(d->method, "GET") && strcmp(d->method, "HEAD") &&
                   strcmp(d->method, "OPTIONS");
    if (framing_refused) return;
    const char *rid = http_req_answer_header(req, "X-Request-Id");
    assert(rid && log_request_id_sane(rid));
    const char *given = NULL;
    for (int i = 0; i < d->header_count && !given; i++)
        if (!strcasecmp(d->headers[i].name, "X-Request-Id")) given = d->headers[i].value;
    if (log_request_id_sane(given)) assert(!strcmp(rid, given));
    else assert(strlen(rid) == 32);
    /* A request with an oversize body is answered at once, while MHD allows it, and recorded
       right after, by the audit's writer thread: wait for it, up to OVERSIZE_AUDIT_WAIT_MS. */
    for (int ms = 0; changes && http_req_body_exceeded(req) && audit_head(gw.audit) == audit_before &&
                     ms < OVERSIZE_AUDIT_WAIT_MS; ms++) {
        uv_run(&loop, UV_RUN_NOWAIT);
        usleep(1000);
    }
    if (changes) assert(audit_head(gw.audit) == audit_before + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2 || size > INPUT_MAX) return 0;
    if (!gw.loop) set_up();
    sessions();
    char *text = malloc(size + 1);
    assert(text);
    memcpy(text, data + 2, size - 2);
    text[size - 2] = 0;
    const char *end = text + size - 2;
    char *path = text, *query = path + strlen(path) + 1 <= end ? path + strlen(path) + 1 : NULL;
    headers_t h = { .count = 0 };
    credentials(data[1], &h);
    char *p = query && query + strlen(query) + 1 <= end ? query + strlen(query) + 1 : NULL;
    while (p && p < end && *p) {
        size_t n = strlen(p);
        header_line(p, &h);
        p = p + n + 1 <= end ? p + n + 1 : NULL;
    }
    const uint8_t *body = p && p < end ? (const uint8_t *) p + 1 : NULL;
    size_t body_len = body && body < (const uint8_t *) end ? (size_t) ((const uint8_t *) end - body) : 0;
    http_detached_t d = { .method = METHODS[data[0] % 8], .url = *path ? path : "/",
                          .query = query, .headers = h.headers, .header_count = h.count,
                          .body = body, .body_len = body_len };
    http_server_handlers_t handlers = { .handle = gateway_routes_handle,
                                        .body_limit = gateway_routes_body_limit,
                                        .context_free = gateway_routes_context_free, .arg = &gw };
    uint64_t audit_before = audit_head(gw.audit);
    static uint64_t id;
    sent_checked = false;
    http_req_t *req = http_req_detached(&d, &handlers, ++id);
    int status;
    const char *type, *answer;
    size_t len;
    bool refused = http_req_answered(req, &status, &type, &answer, &len) && status == 400 &&
                   answer && strstr(answer, "\"invalid_framing\"");
    for (int turns = 0; !http_req_answered(req, &status, &type, &answer, &len); turns++) {
        assert(turns < LOOP_TURNS_MAX);
        uv_run(&loop, UV_RUN_ONCE);
    }
    check_answer(req, &d, refused, audit_before);
    http_req_detached_free(&req);
    free(text);
    return 0;
}
