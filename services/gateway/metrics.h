/*  metrics — the gateway's counters and histograms, and their Prometheus text rendering.

    Requests are counted by method, route pattern (never the raw path, so the number of series
    stays bounded) and status; their latency goes into one histogram per method and route.
    Backend failures are counted per service and kind. Values owned by other modules (open
    connections, cut-off clients, requests in flight) are copied in with metrics_set() just
    before rendering. Everything runs on the loop thread; there is no locking.

    When METRICS_SERIES_MAX - 1 method/route pairs exist, further pairs are counted under
    method "*" and route "other" instead of growing without bound.

    Not for: the audit trail (audit.h) or logs. */
#ifndef LUMBUNG_GATEWAY_METRICS_H
#define LUMBUNG_GATEWAY_METRICS_H

#include <stddef.h>
#include <stdint.h>

enum {
    METRICS_SERIES_MAX = 256,        /* method/route pairs */
    METRICS_STATUSES_MAX = 24,       /* distinct statuses counted per pair */
    METRICS_BUCKETS = 14,            /* latency buckets including +Inf */
    METRICS_SERVICES_MAX = 16,          /* backends: services and transactions shards */
    METRICS_VALUES_MAX = 16,         /* values set with metrics_set() */
    METRICS_LABEL_MAX = 160,         /* longer label values are cut */
};

typedef enum {
    METRICS_BACKEND_UNAVAILABLE = 0, /* no connection: 503 */
    METRICS_BACKEND_TIMEOUT,         /* no answer in time: 504 */
    METRICS_BACKEND_BAD_REPLY,       /* undecodable or mismatched reply */
    METRICS_BACKEND_ERROR,           /* the service answered with an internal error */
    METRICS_BACKEND_KINDS
} metrics_backend_t;

typedef struct metrics metrics_t;

metrics_t *metrics_new(void);
void metrics_destroy(metrics_t **self_p);

/* Counts one answered request. `route` is the pattern ("/api/v1/users/{id}") or "unmatched";
   the strings are copied. */
void metrics_request(metrics_t *self, const char *method, const char *route, int status,
                     double seconds);
void metrics_backend(metrics_t *self, const char *service, metrics_backend_t kind);

/* Sets a value rendered as `name value` with the given TYPE ("gauge" or "counter") and HELP.
   `name`, `type` and `help` must be literals (they are not copied). */
void metrics_set(metrics_t *self, const char *name, const char *type, const char *help,
                 double value);

/* The Prometheus text exposition (format 0.0.4), NUL-terminated; the caller frees it. */
char *metrics_render(const metrics_t *self, size_t *len);

/* One process's status as the gateway gathered it over the bus: its Pong (service.c
   answer_ping), or NULL when it did not answer. The gateway passes its own process figures as
   a Pong that has only `metrics`. */
typedef struct Lumbung__Pong Lumbung__Pong;
typedef struct {
    const char *name;                /* "transactions" */
    const Lumbung__Pong *pong;
} metrics_service_t;

/* metrics_render() followed by the families of every service's figures, each family once,
   labelled service="..." (and stream, operation where they apply). */
char *metrics_render_services(const metrics_t *self, const metrics_service_t *services, int count,
                              size_t *len);

/* Writes `value` into buf escaped as a Prometheus label value (\\, \" and \n), cut to fit.
   Returns buf. Exposed for tests. */
char *metrics_escape_label(const char *value, char *buf, size_t size);

/* Upper bounds of the latency buckets in seconds; the last is +Inf. */
extern const double metrics_buckets[METRICS_BUCKETS];

#endif
