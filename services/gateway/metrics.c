#include "metrics.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const double metrics_buckets[METRICS_BUCKETS] = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, INFINITY,
};

typedef struct {
    int status;
    uint64_t count;
} status_count_t;

typedef struct {
    char *method, *route;
    status_count_t statuses[METRICS_STATUSES_MAX];
    int status_count;
    uint64_t other_statuses;         /* beyond METRICS_STATUSES_MAX distinct codes */
    uint64_t buckets[METRICS_BUCKETS];
    double sum;
    uint64_t count;
} series_t;

typedef struct {
    char *name;
    uint64_t kinds[METRICS_BACKEND_KINDS];
} backend_t;

typedef struct {
    const char *name, *type, *help;
    double value;
} value_t;

struct metrics {
    series_t series[METRICS_SERIES_MAX];
    int series_count;
    backend_t backends[METRICS_SERVICES_MAX];
    int backend_count;
    value_t values[METRICS_VALUES_MAX];
    int value_count;
};

static const char *const backend_kind_names[METRICS_BACKEND_KINDS] = {
    "unavailable", "timeout", "bad_reply", "error",
};

metrics_t *metrics_new(void) {
    metrics_t *self = calloc(1, sizeof *self);
    if (!self) abort();
    return self;
}

void metrics_destroy(metrics_t **self_p) {
    assert(self_p);
    metrics_t *self = *self_p;
    if (!self) return;
    for (int i = 0; i < self->series_count; i++) {
        free(self->series[i].method);
        free(self->series[i].route);
    }
    for (int i = 0; i < self->backend_count; i++) free(self->backends[i].name);
    free(self);
    *self_p = NULL;
}

static char *dup_or_die(const char *s) {
    char *p = strdup(s);
    if (!p) abort();
    return p;
}

static series_t *series_find(metrics_t *self, const char *method, const char *route) {
    for (int i = 0; i < self->series_count; i++) {
        series_t *s = &self->series[i];
        if (!strcmp(s->method, method) && !strcmp(s->route, route)) return s;
    }
    /* The last slot is kept for the overflow series, so nothing goes uncounted. */
    bool overflow = !strcmp(method, "*") && !strcmp(route, "other");
    if (self->series_count >= METRICS_SERIES_MAX - 1 && !overflow)
        return series_find(self, "*", "other");
    assert(self->series_count < METRICS_SERIES_MAX);
    series_t *s = &self->series[self->series_count++];
    s->method = dup_or_die(method);
    s->route = dup_or_die(route);
    return s;
}

static void series_count_status(series_t *s, int status) {
    for (int i = 0; i < s->status_count; i++) {
        if (s->statuses[i].status == status) { s->statuses[i].count++; return; }
    }
    if (s->status_count == METRICS_STATUSES_MAX) { s->other_statuses++; return; }
    s->statuses[s->status_count].status = status;
    s->statuses[s->status_count].count = 1;
    s->status_count++;
}

void metrics_request(metrics_t *self, const char *method, const char *route, int status,
                     double seconds) {
    assert(self && method && route);
    series_t *s = series_find(self, method, route);
    series_count_status(s, status);
    if (!(seconds >= 0)) seconds = 0;     /* also catches NaN */
    for (int b = 0; b < METRICS_BUCKETS; b++)
        if (seconds <= metrics_buckets[b]) { s->buckets[b]++; break; }
    s->sum += seconds;
    s->count++;
}

void metrics_backend(metrics_t *self, const char *service, metrics_backend_t kind) {
    assert(self && service && kind < METRICS_BACKEND_KINDS);
    backend_t *b = NULL;
    for (int i = 0; i < self->backend_count && !b; i++)
        if (!strcmp(self->backends[i].name, service)) b = &self->backends[i];
    if (!b) {
        if (self->backend_count == METRICS_SERVICES_MAX) return;
        b = &self->backends[self->backend_count++];
        b->name = dup_or_die(service);
    }
    b->kinds[kind]++;
}

void metrics_set(metrics_t *self, const char *name, const char *type, const char *help,
                 double value) {
    assert(self && name && type && help);
    for (int i = 0; i < self->value_count; i++) {
        if (!strcmp(self->values[i].name, name)) { self->values[i].value = value; return; }
    }
    assert(self->value_count < METRICS_VALUES_MAX);
    self->values[self->value_count++] = (value_t) { name, type, help, value };
}

char *metrics_escape_label(const char *value, char *buf, size_t size) {
    assert(buf && size > 0);
    size_t n = 0;
    for (const char *p = value; *p && n + 3 < size; p++) {
        if (*p == '\\' || *p == '"') { buf[n++] = '\\'; buf[n++] = *p; }
        else if (*p == '\n') { buf[n++] = '\\'; buf[n++] = 'n'; }
        else buf[n++] = *p;
    }
    buf[n] = 0;
    return buf;
}

/* ---------------------------------------------------------------- rendering */

typedef struct {
    char *data;
    size_t len, cap;
} text_t;

static void text_printf(text_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void text_printf(text_t *t, const char *fmt, ...) {
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->data + t->len, t->cap - t->len, fmt, ap);
        va_end(ap);
        assert(n >= 0);
        if ((size_t) n < t->cap - t->len) { t->len += (size_t) n; return; }
        t->cap = t->cap * 2 + (size_t) n;
        t->data = realloc(t->data, t->cap);
        if (!t->data) abort();
    }
}

static void render_requests(const metrics_t *self, text_t *t) {
    char m[METRICS_LABEL_MAX], r[METRICS_LABEL_MAX];
    text_printf(t, "# HELP lumbung_http_requests_total HTTP requests answered, by method, "
                   "route pattern and status.\n# TYPE lumbung_http_requests_total counter\n");
    for (int i = 0; i < self->series_count; i++) {
        const series_t *s = &self->series[i];
        metrics_escape_label(s->method, m, sizeof m);
        metrics_escape_label(s->route, r, sizeof r);
        for (int k = 0; k < s->status_count; k++)
            text_printf(t, "lumbung_http_requests_total{method=\"%s\",route=\"%s\",status=\"%d\"} %llu\n",
                        m, r, s->statuses[k].status, (unsigned long long) s->statuses[k].count);
        if (s->other_statuses)
            text_printf(t, "lumbung_http_requests_total{method=\"%s\",route=\"%s\",status=\"other\"} %llu\n",
                        m, r, (unsigned long long) s->other_statuses);
    }
}

static void render_latency(const metrics_t *self, text_t *t) {
    char m[METRICS_LABEL_MAX], r[METRICS_LABEL_MAX];
    text_printf(t, "# HELP lumbung_http_request_duration_seconds Time from the complete request "
                   "to the answer.\n# TYPE lumbung_http_request_duration_seconds histogram\n");
    for (int i = 0; i < self->series_count; i++) {
        const series_t *s = &self->series[i];
        metrics_escape_label(s->method, m, sizeof m);
        metrics_escape_label(s->route, r, sizeof r);
        uint64_t cumulative = 0;
        for (int b = 0; b < METRICS_BUCKETS; b++) {
            cumulative += s->buckets[b];
            char le[32];
            if (isinf(metrics_buckets[b])) snprintf(le, sizeof le, "+Inf");
            else snprintf(le, sizeof le, "%g", metrics_buckets[b]);
            text_printf(t, "lumbung_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\",le=\"%s\"} %llu\n",
                        m, r, le, (unsigned long long) cumulative);
        }
        text_printf(t, "lumbung_http_request_duration_seconds_sum{method=\"%s\",route=\"%s\"} %.6f\n",
                    m, r, s->sum);
        text_printf(t, "lumbung_http_request_duration_seconds_count{method=\"%s\",route=\"%s\"} %llu\n",
                    m, r, (unsigned long long) s->count);
    }
}

static void render_backends(const metrics_t *self, text_t *t) {
    char name[METRICS_LABEL_MAX];
    text_printf(t, "# HELP lumbung_backend_failures_total Bus requests from the gateway that "
                   "failed, by service and kind.\n# TYPE lumbung_backend_failures_total counter\n");
    for (int i = 0; i < self->backend_count; i++) {
        metrics_escape_label(self->backends[i].name, name, sizeof name);
        for (int k = 0; k < METRICS_BACKEND_KINDS; k++)
            text_printf(t, "lumbung_backend_failures_total{service=\"%s\",kind=\"%s\"} %llu\n",
                        name, backend_kind_names[k],
                        (unsigned long long) self->backends[i].kinds[k]);
    }
}

char *metrics_render(const metrics_t *self, size_t *len) {
    assert(self);
    text_t t = { malloc(4096), 0, 4096 };
    if (!t.data) abort();
    t.data[0] = 0;
    render_requests(self, &t);
    render_latency(self, &t);
    render_backends(self, &t);
    for (int i = 0; i < self->value_count; i++) {
        const value_t *v = &self->values[i];
        text_printf(&t, "# HELP %s %s\n# TYPE %s %s\n%s %.17g\n", v->name, v->help, v->name,
                    v->type, v->name, v->value);
    }
    if (len) *len = t.len;
    return t.data;
}
