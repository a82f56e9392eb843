#include "log.h"
#include "text.h"

#include <assert.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { LOG_LINE_MAX = 4096, LOG_MESSAGE_MAX = 2048, LOG_RANDOM_BYTES = 16 };

static const char *log_service = "lumbung";
static log_level_t log_threshold = LOG_INFO;
static bool log_json = false;
static const char *const level_names[] = { "DEBUG", "INFO", "WARN", "ERROR" };
static const char *const level_json[] = { "debug", "info", "warn", "error" };

/* The current request of the thread (services: the call being run; the step of a long
   operation runs on a worker thread, each with its own). */
static _Thread_local struct {
    bool set;
    char request_id[LOG_REQUEST_ID_MAX + 1];
    char actor[LOG_FIELD_MAX];
    char operation[LOG_FIELD_MAX];
    uint64_t cooperative_id;
} current;

void log_init(const char *service) {
    log_service = service;
    const char *lvl = getenv("LUMBUNG_LOG_LEVEL");
    if (lvl && !strcmp(lvl, "debug")) log_threshold = LOG_DEBUG;
    else if (lvl && !strcmp(lvl, "warn")) log_threshold = LOG_WARN;
    else if (lvl && !strcmp(lvl, "error")) log_threshold = LOG_ERROR;
    const char *fmt = getenv("LUMBUNG_LOG_FORMAT");
    log_json = fmt && !strcmp(fmt, "json");
}

bool log_enabled(log_level_t level) { return level >= log_threshold; }

/* Runs for every call a service answers, logged or not: a copy (text.h), not a format. */
void log_context_set(const log_context_t *ctx) {
    current.set = ctx != NULL;
    if (!ctx) return;
    text_copy(current.request_id, sizeof current.request_id, ctx->request_id);
    text_copy(current.actor, sizeof current.actor, ctx->actor);
    text_copy(current.operation, sizeof current.operation, ctx->operation);
    current.cooperative_id = ctx->cooperative_id;
}

bool log_request_id_sane(const char *id) {
    if (!id) return false;
    size_t n = 0;
    for (const char *p = id; *p; p++, n++) {
        char ch = *p;
        bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
                  ch == '.' || ch == '_' || ch == '-';
        if (!ok || n >= LOG_REQUEST_ID_MAX) return false;
    }
    return n > 0;
}

enum { LOG_RANDOM_POOL = 64 * LOG_RANDOM_BYTES };   /* ids drawn from one getrandom() */

/* Random bytes from a pool of the calling thread's, refilled when used up: one system call per
   LOG_RANDOM_POOL / LOG_RANDOM_BYTES request ids rather than one per id. */
static void random_take(uint8_t *out, size_t n) {
    static _Thread_local uint8_t pool[LOG_RANDOM_POOL];
    static _Thread_local size_t used = LOG_RANDOM_POOL;
    assert(n <= LOG_RANDOM_POOL);
    if (used + n > LOG_RANDOM_POOL) {
        randombytes_buf(pool, sizeof pool);
        used = 0;
    }
    memcpy(out, pool + used, n);
    sodium_memzero(pool + used, n);          /* an id is handed out once */
    used += n;
}

void log_request_id_make(char *out, size_t size) {
    static const char hex[] = "0123456789abcdef";
    uint8_t bytes[LOG_RANDOM_BYTES];
    random_take(bytes, sizeof bytes);
    size_t n = 0;
    for (int i = 0; i < LOG_RANDOM_BYTES && n + 2 < size; i++) {
        out[n++] = hex[bytes[i] >> 4];
        out[n++] = hex[bytes[i] & 15];
    }
    if (size) out[n < size ? n : size - 1] = 0;
}

/* ---- building a line ---- */

typedef struct {
    char data[LOG_LINE_MAX];
    size_t len;
} line_t;

static void put(line_t *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(line_t *l, const char *fmt, ...) {
    if (l->len >= sizeof l->data - 1) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(l->data + l->len, sizeof l->data - l->len, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    l->len += (size_t) n;
    if (l->len > sizeof l->data - 1) l->len = sizeof l->data - 1;
}

/* A JSON string, or null for NULL/empty; control characters escaped. */
static void put_json_string(line_t *l, const char *s) {
    if (!s || !*s) { put(l, "null"); return; }
    put(l, "\"");
    for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
        if (*p == '"' || *p == '\\') put(l, "\\%c", *p);
        else if (*p == '\n') put(l, "\\n");
        else if (*p < 0x20 || *p == 0x7f) put(l, "\\u%04x", *p);
        else put(l, "%c", *p);
    }
    put(l, "\"");
}

static void put_time(line_t *l) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    put(l, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
        tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
}

static void line_text(line_t *l, log_level_t level, const log_context_t *c, const char *outcome,
                      double ms, const char *message) {
    put_time(l);
    put(l, " %s %s rid=%s ", log_service, level_names[level],
        c->request_id && *c->request_id ? c->request_id : "-");
    put(l, "%s", message);
    if (c->operation && *c->operation) put(l, " op=%s", c->operation);
    if (c->actor && *c->actor) put(l, " actor=%s", c->actor);
    if (c->cooperative_id) put(l, " coop=%" PRIu64, c->cooperative_id);
    if (outcome) put(l, " outcome=%s", outcome);
    if (ms >= 0) put(l, " ms=%.3f", ms);
}

static void line_json(line_t *l, log_level_t level, const log_context_t *c, const char *outcome,
                      double ms, const char *message) {
    put(l, "{\"time\":\"");
    put_time(l);
    put(l, "\",\"service\":");
    put_json_string(l, log_service);
    put(l, ",\"level\":\"%s\",\"request_id\":", level_json[level]);
    put_json_string(l, c->request_id);
    put(l, ",\"actor\":");
    put_json_string(l, c->actor);
    if (c->cooperative_id) put(l, ",\"cooperative\":%" PRIu64, c->cooperative_id);
    else put(l, ",\"cooperative\":null");
    put(l, ",\"operation\":");
    put_json_string(l, c->operation);
    put(l, ",\"outcome\":");
    put_json_string(l, outcome);
    if (ms >= 0) put(l, ",\"duration_ms\":%.3f", ms);
    else put(l, ",\"duration_ms\":null");
    put(l, ",\"message\":");
    put_json_string(l, message);
    put(l, "}");
}

static void emit(log_level_t level, const log_context_t *ctx, const char *outcome, double ms,
                 const char *message) {
    line_t l = { .len = 0 };
    /* A line that does not fit is cut; room is kept for the closing and the newline. */
    if (log_json) line_json(&l, level, ctx, outcome, ms, message);
    else line_text(&l, level, ctx, outcome, ms, message);
    if (l.len > sizeof l.data - 2) l.len = sizeof l.data - 2;
    l.data[l.len++] = '\n';
    /* One write() per line keeps lines whole when several processes share a terminal. */
    ssize_t w = write(STDERR_FILENO, l.data, l.len);
    (void) w;
}

static log_context_t current_context(uint64_t request_id, char *buf, size_t size) {
    if (current.set)
        return (log_context_t) { current.request_id, current.actor, current.cooperative_id,
                                 current.operation };
    if (request_id) snprintf(buf, size, "%" PRIu64, request_id);
    else buf[0] = 0;
    return (log_context_t) { buf, NULL, 0, NULL };
}

/* Formats the message and emits it with ctx, or with the current context and request_id when
   ctx is NULL. */
__attribute__((format(printf, 6, 0)))
static void vlog(log_level_t level, const log_context_t *ctx, uint64_t request_id,
                 const char *outcome, double duration_ms, const char *fmt, va_list ap) {
    char message[LOG_MESSAGE_MAX], rid[24];
    vsnprintf(message, sizeof message, fmt, ap);
    log_context_t c = ctx ? *ctx : current_context(request_id, rid, sizeof rid);
    emit(level, &c, outcome, duration_ms, message);
}

void log_write(log_level_t level, uint64_t request_id, const char *fmt, ...) {
    if (level < log_threshold) return;
    va_list ap;
    va_start(ap, fmt);
    vlog(level, NULL, request_id, NULL, LOG_DURATION_NONE, fmt, ap);
    va_end(ap);
}

void log_emit(log_level_t level, const log_context_t *ctx, const char *outcome,
              double duration_ms, const char *fmt, ...) {
    if (level < log_threshold) return;
    va_list ap;
    va_start(ap, fmt);
    vlog(level, ctx, 0, outcome, duration_ms, fmt, ap);
    va_end(ap);
}
