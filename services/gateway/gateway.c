#include "gateway.h"
#include "json_pb.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

/* The answer, kept while the audit entry commits. */
struct gateway_answer {
    int status;
    char outcome[AUDIT_CODE_MAX + 1];
    char *body;                              /* malloc'd */
    size_t len;
    const char *content_type;
};

/* Copies text into a buffer of `size`, cut to fit (snprintf's "%s" without its parsing). */
static void copy_text(char *dst, size_t size, const char *src) {
    size_t n = strnlen(src, size - 1);
    memcpy(dst, src, n);
    dst[n] = 0;
}

static void on_request_gone(void *arg) {
    gateway_exchange_t *ex = arg;
    ex->req = NULL;
}

gateway_exchange_t *gateway_exchange_new(gateway_t *gw, http_req_t *req) {
    assert(gw && req);
    arena_t *arena = gw->spare_arena_count ? gw->spare_arenas[--gw->spare_arena_count]
                                           : arena_new();
    gateway_exchange_t *ex = arena_alloc(arena, sizeof *ex);
    ex->gw = gw;
    ex->req = req;
    ex->arena = arena;
    ex->id = http_req_id(req);
    ex->request_id = arena_strdup(arena, http_req_request_id(req));
    http_req_peer_address(req, ex->peer, sizeof ex->peer);
    ex->started_ns = uv_hrtime();
    copy_text(ex->method, sizeof ex->method, http_req_method(req));
    ex->path = arena_strdup(arena, http_req_path(req));
    http_req_on_cancel(req, on_request_gone, ex);
    gw->exchanges++;
    return ex;
}

static bool changes_state(const char *method) {
    return strcmp(method, "GET") && strcmp(method, "HEAD") && strcmp(method, "OPTIONS");
}

static void exchange_free(gateway_exchange_t *ex) {
    assert(ex->gw->exchanges > 0);
    ex->gw->exchanges--;
    if (ex->answer) free(ex->answer->body);
    if (ex->first_result) json_decref(ex->first_result);
    gateway_t *gw = ex->gw;
    arena_t *arena = ex->arena;
    arena_reset(arena);               /* ex itself lived in the arena */
    if (gw->spare_arena_count < GATEWAY_SPARE_ARENAS) gw->spare_arenas[gw->spare_arena_count++] = arena;
    else arena_destroy(&arena);
}

void gateway_exchange_arenas_free(gateway_t *gw) {
    while (gw->spare_arena_count > 0) arena_destroy(&gw->spare_arenas[--gw->spare_arena_count]);
}

/* What the gateway's lines about this exchange name (log.h). */
static log_context_t exchange_log_context(const gateway_exchange_t *ex) {
    const char *user = ex->caller.known ? ex->caller.user.username : ex->caller.audit_name;
    return (log_context_t) { ex->request_id, user, ex->noted.cooperative_id,
                             ex->route ? ex->route->operation : NULL };
}

/* The access log: one line per answered HTTP request, at info. The path has no query string
   (http_req_path), so no secret in one reaches the log. */
static void access_log(const gateway_exchange_t *ex) {
    if (!log_enabled(LOG_INFO)) return;
    log_context_t ctx = exchange_log_context(ex);
    double ms = (double) (uv_hrtime() - ex->started_ns) / 1e6;
    const struct gateway_answer *a = ex->answer;
    log_emit(LOG_INFO, &ctx, a->outcome, ms, "access: %s %s %d %zu bytes user=%s peer=%s",
             ex->method, ex->path, a->status, a->len,
             ctx.actor && *ctx.actor ? ctx.actor : "-", *ex->peer ? ex->peer : "-");
}

static void exchange_send(gateway_exchange_t *ex) {
    access_log(ex);
    if (ex->req) {
        http_req_add_header(ex->req, "X-Request-Id", ex->request_id);
        http_req_add_header(ex->req, "Content-Security-Policy", STATIC_CSP);
        http_req_add_header(ex->req, "Referrer-Policy", STATIC_REFERRER_POLICY);
        http_req_add_header(ex->req, "X-Frame-Options", "DENY");
        http_req_on_cancel(ex->req, NULL, NULL);
        const struct gateway_answer *a = ex->answer;
        http_req_respond(ex->req, a->status, a->content_type, a->body, a->len);
        ex->req = NULL;
    }
    exchange_free(ex);
}

/* {"error": {"code", "message", "field"}} as compact ASCII JSON (malloc'd); `field` may be NULL.
   Any of them may repeat what the client sent (a query argument's name, say), in any bytes. */
static char *error_text(const char *code, const char *field, const char *message) {
    json_t *error = json_object();
    json_object_set_new(error, "code", json_pb_text(code));
    json_object_set_new(error, "message", json_pb_text(message));
    if (field && *field) json_object_set_new(error, "field", json_pb_text(field));
    json_t *body = json_pack("{s:o}", "error", error);
    char *text = json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(body);
    if (!text) abort();
    return text;
}

static void on_audited(void *arg, int status, uint64_t seq) {
    (void) seq;
    gateway_exchange_t *ex = arg;
    struct gateway_answer *a = ex->answer;
    if (status < 0) {
        /* An unrecorded change must not look like a recorded one: the answer becomes a 503
           (without the first answer's headers, a session cookie say). The change itself may
           have happened, which the log line says; the client's retry with its Idempotency-Key
           gets the same result again, recorded this time. */
        log_context_t ctx = exchange_log_context(ex);
        log_emit(LOG_ERROR, &ctx, "audit_failed", LOG_DURATION_NONE,
                 "audit entry for %s %s (status %d) was not stored; answered 503 "
                 "audit_unavailable instead", ex->method, ex->path, a->status);
        free(a->body);
        a->body = error_text("audit_unavailable", NULL, "the change could not be recorded in "
                             "the audit trail; send it again with the same Idempotency-Key");
        a->len = strlen(a->body);
        a->status = 503;
        a->content_type = "application/json";
        snprintf(a->outcome, sizeof a->outcome, "%s", "audit_unavailable");
        if (ex->req) {
            http_req_drop_headers(ex->req);
            http_req_add_header(ex->req, "Retry-After", "1");
        }
    }
    exchange_send(ex);
}

/* The entry of the exchange with `status` and `outcome` (the answer's, or 0 and pending). */
static void audit_fill(const gateway_exchange_t *ex, int status, const char *outcome,
                       audit_entry_t *e) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    e->at_ms = (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    const gateway_caller_t *c = &ex->caller;
    const char *user = c->known ? c->user.username : c->audit_name ? c->audit_name : "";
    copy_text(e->user, sizeof e->user, user);
    copy_text(e->role, sizeof e->role, c->known ? auth_role_name(c->user.role) : "");
    copy_text(e->method, sizeof e->method, ex->method);
    copy_text(e->route, sizeof e->route, ex->route ? ex->route->pattern : "");
    copy_text(e->path, sizeof e->path, ex->path);
    e->cooperative_id = ex->noted.cooperative_id;
    size_t n = 0;
    e->target[0] = 0;
    for (int i = 0; i < ex->match.count && n < sizeof e->target; i++) {
        if (!strcmp(ex->match.params[i].name, "coop")) continue;
        n += (size_t) snprintf(e->target + n, sizeof e->target - n, "%s%s=%s", n ? " " : "",
                               ex->match.params[i].name, ex->match.params[i].value);
    }
    e->status = status;
    copy_text(e->outcome, sizeof e->outcome, outcome);
    e->request_id = ex->id;
    copy_text(e->trace_id, sizeof e->trace_id, ex->request_id);
    e->bus_request_id = ex->noted.bus_request_id;
    copy_text(e->idempotency_key, sizeof e->idempotency_key,
              ex->noted.idempotency_key ? ex->noted.idempotency_key : "");
    e->seq = 0;
}

/* The answer of an exchange whose entry was recorded as its call was sent: that entry gets
   the answer's status and outcome (nothing waits for this second write), then the answer goes
   out, or 503 audit_unavailable when the first write failed. */
static void answer_recorded(gateway_exchange_t *ex) {
    if (ex->audit == EXCHANGE_AUDIT_RECORDED) {
        audit_entry_t *e = ex->audit_entry;      /* as recorded, with the time of the call */
        e->status = ex->answer->status;
        copy_text(e->outcome, sizeof e->outcome, ex->answer->outcome);
        e->bus_request_id = ex->noted.bus_request_id;    /* a follow-up's, when one was made */
        audit_rewrite(ex->gw->audit, ex->audit_seq, e);
    }
    on_audited(ex, ex->audit == EXCHANGE_AUDIT_RECORDED ? 0 : ex->audit_status, ex->audit_seq);
}

static void on_recorded(void *arg, int status, uint64_t seq) {
    gateway_exchange_t *ex = arg;
    ex->audit = status < 0 ? EXCHANGE_AUDIT_FAILED : EXCHANGE_AUDIT_RECORDED;
    ex->audit_status = status;
    ex->audit_seq = seq;
    if (ex->answer) answer_recorded(ex);
}

void gateway_exchange_call_sent(gateway_exchange_t *ex) {
    if (ex->audit != EXCHANGE_AUDIT_AT_ANSWER || !changes_state(ex->method)) return;
    ex->audit_entry = arena_alloc(ex->arena, sizeof *ex->audit_entry);
    audit_fill(ex, 0, AUDIT_OUTCOME_PENDING, ex->audit_entry);
    ex->audit = EXCHANGE_AUDIT_RECORDING;
    audit_record(ex->gw->audit, ex->audit_entry, on_recorded, ex);
}

/* gateway_exchange_finish() with a malloc'd body the answer takes. */
static void finish_taking(gateway_exchange_t *ex, int status, const char *content_type,
                          char *body, size_t len, const char *outcome) {
    assert(ex && !ex->answer && status >= 100 && status <= 599);
    gateway_t *gw = ex->gw;
    struct gateway_answer *a = ex->answer = arena_alloc(ex->arena, sizeof *a);
    a->status = status;
    a->content_type = content_type;
    copy_text(a->outcome, sizeof a->outcome, outcome ? outcome : "ok");
    a->body = body;
    a->len = len;
    double seconds = (double) (uv_hrtime() - ex->started_ns) / 1e9;
    metrics_request(gw->metrics, ex->method, ex->route ? ex->route->pattern : "unmatched",
                    status, seconds);
    if (status >= 500) {
        log_context_t ctx = exchange_log_context(ex);
        log_emit(LOG_WARN, &ctx, a->outcome, seconds * 1e3, "%s %s -> %d %s", ex->method,
                 ex->path, status, a->outcome);
    }
    if (!changes_state(ex->method)) { exchange_send(ex); return; }
    if (ex->audit == EXCHANGE_AUDIT_RECORDING) return;         /* on_recorded answers */
    if (ex->audit != EXCHANGE_AUDIT_AT_ANSWER) { answer_recorded(ex); return; }
    audit_entry_t entry;                     /* audit_fill() sets every field */
    audit_fill(ex, a->status, a->outcome, &entry);
    /* An oversize body must be answered while MHD still allows it: record without waiting. */
    bool now = ex->req && http_req_body_exceeded(ex->req);
    audit_record(gw->audit, &entry, now ? NULL : on_audited, ex);
    if (now) exchange_send(ex);
}

void gateway_exchange_finish(gateway_exchange_t *ex, int status, const char *content_type,
                             const void *body, size_t len, const char *outcome) {
    char *copy = malloc(len + 1);
    if (!copy) abort();
    if (len) memcpy(copy, body, len);
    finish_taking(ex, status, content_type, copy, len, outcome);
}

void gateway_exchange_json_out(gateway_exchange_t *ex, int status, json_pb_out_t *out) {
    assert(status < 400 && "an error answer has its outcome from its code");
    char *body = out->data ? out->data : malloc(1);
    if (!body) abort();
    size_t len = out->len;
    *out = (json_pb_out_t) { 0 };
    finish_taking(ex, status, "application/json", body, len, "ok");
}

void gateway_exchange_json(gateway_exchange_t *ex, int status, json_t *json) {
    assert(json);
    const char *outcome = "ok";
    if (status >= 400) {
        json_t *code = json_object_get(json_object_get(json, "error"), "code");
        outcome = json_is_string(code) ? arena_strdup(ex->arena, json_string_value(code)) : "error";
    }
    char *text = json_dumps(json, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(json);
    if (!text) abort();
    gateway_exchange_finish(ex, status, "application/json", text, strlen(text), outcome);
    free(text);
}

void gateway_exchange_error(gateway_exchange_t *ex, int status, const char *code,
                            const char *field, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *message = arena_vprintf(ex->arena, fmt, ap);
    va_end(ap);
    char *text = error_text(code, field, message);
    gateway_exchange_finish(ex, status, "application/json", text, strlen(text), code);
    free(text);
}

void gateway_exchange_header(gateway_exchange_t *ex, const char *name, const char *value) {
    if (ex->req) http_req_add_header(ex->req, name, value);
}

const char *gateway_exchange_query(const gateway_exchange_t *ex, const char *name) {
    return ex->req ? http_req_query(ex->req, name) : NULL;
}

const char *gateway_exchange_param(const gateway_exchange_t *ex, const char *name) {
    for (int i = 0; i < ex->match.count; i++)
        if (!strcmp(ex->match.params[i].name, name)) return ex->match.params[i].value;
    return NULL;
}

int gateway_parse_u64(const char *text, uint64_t *value) {
    if (!text || !*text || strlen(text) > 20) return -EINVAL;
    for (const char *p = text; *p; p++)
        if (!isdigit((unsigned char) *p)) return -EINVAL;
    errno = 0;
    unsigned long long v = strtoull(text, NULL, 10);
    if (errno) return -EINVAL;
    *value = v;
    return 0;
}

int gateway_exchange_limit(gateway_exchange_t *ex, unsigned max, unsigned *limit) {
    const char *text = gateway_exchange_query(ex, "limit");
    *limit = GATEWAY_PAGE_DEFAULT < max ? GATEWAY_PAGE_DEFAULT : max;
    if (!text) return 0;
    uint64_t v;
    if (gateway_parse_u64(text, &v) < 0 || v < 1 || v > max) {
        gateway_exchange_error(ex, 400, "invalid_limit", "limit",
                               "limit: give a whole number from 1 to %u", max);
        return ERR_REJECTED;
    }
    *limit = (unsigned) v;
    return 0;
}

const char *gateway_format_time(int64_t ms, char *buf, size_t size) {
    time_t secs = (time_t) (ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int) (ms % 1000));
    return buf;
}

/* A real calendar date and time: timegm normalises, so a round trip must give the same. */
static int tm_to_ms(struct tm *tm, int millis, int64_t *ms) {
    struct tm copy = *tm;
    time_t t = timegm(&copy);
    if (t == (time_t) -1 || copy.tm_mday != tm->tm_mday || copy.tm_mon != tm->tm_mon ||
        copy.tm_hour != tm->tm_hour || copy.tm_min != tm->tm_min || copy.tm_sec != tm->tm_sec)
        return -EINVAL;
    *ms = (int64_t) t * 1000 + millis;
    return 0;
}

int gateway_parse_time(const char *text, bool end_of_day, int64_t *ms) {
    if (!text) return -EINVAL;
    struct tm tm = { 0 };
    int y, mo, d, h = 0, mi = 0, s = 0, millis = 0, n = 0;
    size_t len = strlen(text);
    if (len == 10 && sscanf(text, "%4d-%2d-%2d%n", &y, &mo, &d, &n) == 3 && n == 10) {
        if (end_of_day) { h = 23; mi = 59; s = 59; millis = 999; }
    } else if (sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &n) == 6 &&
               n == 19) {
        const char *rest = text + n;
        if (*rest == '.') {
            int digits = 0;
            for (rest++; isdigit((unsigned char) *rest) && digits < 3; rest++, digits++)
                millis = millis * 10 + (*rest - '0');
            if (digits == 0) return -EINVAL;
            for (; digits < 3; digits++) millis *= 10;
        }
        if (strcmp(rest, "Z") != 0) return -EINVAL;
    } else {
        return -EINVAL;
    }
    if (y < 1970 || y > 9999 || text[4] != '-' || text[7] != '-') return -EINVAL;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    return tm_to_ms(&tm, millis, ms);
}
