#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { LOG_LINE_MAX = 2048 };

static const char *log_service = "lumbung";
static log_level_t log_threshold = LOG_INFO;
static const char *const level_names[] = { "DEBUG", "INFO", "WARN", "ERROR" };

void log_init(const char *service) {
    log_service = service;
    const char *lvl = getenv("LUMBUNG_LOG_LEVEL");
    if (!lvl) return;
    if (!strcmp(lvl, "debug")) log_threshold = LOG_DEBUG;
    else if (!strcmp(lvl, "warn")) log_threshold = LOG_WARN;
    else if (!strcmp(lvl, "error")) log_threshold = LOG_ERROR;
}

void log_write(log_level_t level, uint64_t request_id, const char *fmt, ...) {
    if (level < log_threshold) return;
    char line[LOG_LINE_MAX];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    int n = snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s %s rid=%llu ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec, ts.tv_nsec / 1000000, log_service, level_names[level],
                     (unsigned long long) request_id);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - (size_t) n - 1, fmt, ap);
    va_end(ap);
    size_t len = (size_t) n + (m < 0 ? 0 : (size_t) m);
    if (len > sizeof line - 2) len = sizeof line - 2;
    line[len++] = '\n';
    /* One write() per line keeps lines whole when several processes share a terminal. */
    ssize_t w = write(STDERR_FILENO, line, len);
    (void) w;
}
