/*  log — one line per event on stderr: time, service, level, request id, message.

    Lines look like `2026-11-29T09:10:00.123Z members INFO rid=42 deposit posted`. They go to
    stderr unbuffered so that a killed process loses nothing it said. LUMBUNG_LOG_LEVEL
    (debug, info, warn, error) filters; the default is info.

    Not for: the audit trail (the gateway keeps that in its store) or metrics. */
#ifndef LUMBUNG_LOG_H
#define LUMBUNG_LOG_H

#include <stdint.h>

typedef enum { LOG_DEBUG = 0, LOG_INFO = 1, LOG_WARN = 2, LOG_ERROR = 3 } log_level_t;

/* Names the process in every line; `service` must outlive the process (a literal). */
void log_init(const char *service);

void log_write(log_level_t level, uint64_t request_id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_debug(rid, ...) log_write(LOG_DEBUG, (rid), __VA_ARGS__)
#define log_info(rid, ...)  log_write(LOG_INFO, (rid), __VA_ARGS__)
#define log_warn(rid, ...)  log_write(LOG_WARN, (rid), __VA_ARGS__)
#define log_error(rid, ...) log_write(LOG_ERROR, (rid), __VA_ARGS__)

#endif
