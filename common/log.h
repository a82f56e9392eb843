/*  log — one line per event on stderr: time, service, level, request id, message, and for a
    request also actor, cooperative, operation, outcome and duration.

    LUMBUNG_LOG_FORMAT picks the shape: `text` (the default, for a terminal and `make run`)
    looks like `2026-11-29T09:10:00.123Z members INFO rid=0f3a.. deposit posted`; `json`
    (what the systemd units and docker-compose.yml set) writes one JSON object per line with
    the keys time, service, level, request_id, actor, cooperative, operation, outcome,
    duration_ms and message (null when not known). Lines go to stderr unbuffered, one write()
    each, so a killed process loses nothing it said. LUMBUNG_LOG_LEVEL (debug, info, warn,
    error) filters; the default is info.

    The request id is a string (the caller's X-Request-Id when sane, else a random one made by
    the gateway) carried in the envelope's trace_id. A service runs one request at a time on a
    thread (its loop; a long operation's step on a worker), so it sets the thread's current
    request with log_context_set() and every line that thread writes until
    log_context_set(NULL) carries it; the gateway, which interleaves requests, passes a context
    to log_emit() instead. The numeric `request_id` argument of log_write() is used only when
    no context is set (0 prints as "-").

    Not for: the audit trail (the gateway keeps that in its store) or metrics. */
#ifndef LUMBUNG_LOG_H
#define LUMBUNG_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { LOG_DEBUG = 0, LOG_INFO = 1, LOG_WARN = 2, LOG_ERROR = 3 } log_level_t;

enum {
    LOG_REQUEST_ID_MAX = 64,       /* characters of a request id */
    LOG_FIELD_MAX = 96,            /* actor and operation are cut to this */
    LOG_DURATION_NONE = -1,        /* log_emit(): no duration */
};

/* What a line says about the request it belongs to. Strings may be NULL; they are copied by
   log_context_set() and only read during log_emit(). */
typedef struct {
    const char *request_id;
    const char *actor;
    uint64_t cooperative_id;       /* 0: none named */
    const char *operation;
} log_context_t;

/* Names the process in every line; `service` must outlive the process (a literal). Reads
   LUMBUNG_LOG_LEVEL and LUMBUNG_LOG_FORMAT. */
void log_init(const char *service);
bool log_enabled(log_level_t level);

/* Sets (copies) or, with NULL, clears the current request of this process. */
void log_context_set(const log_context_t *ctx);

void log_write(log_level_t level, uint64_t request_id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* One line with an explicit context (NULL: the current one), an outcome ("ok", an error code;
   NULL: none) and a duration in ms (LOG_DURATION_NONE: none). */
void log_emit(log_level_t level, const log_context_t *ctx, const char *outcome,
              double duration_ms, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* A request id from outside is kept when it has 1..LOG_REQUEST_ID_MAX characters of
   [A-Za-z0-9._-]; anything else could forge or break log lines. */
bool log_request_id_sane(const char *id);
/* Writes a new random id (32 hex digits) into out, which has room for LOG_REQUEST_ID_MAX + 1. */
void log_request_id_make(char *out, size_t size);

#define log_debug(rid, ...) log_write(LOG_DEBUG, (rid), __VA_ARGS__)
#define log_info(rid, ...)  log_write(LOG_INFO, (rid), __VA_ARGS__)
#define log_warn(rid, ...)  log_write(LOG_WARN, (rid), __VA_ARGS__)
#define log_error(rid, ...) log_write(LOG_ERROR, (rid), __VA_ARGS__)

#endif
