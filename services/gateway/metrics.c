#include "metrics.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.pb-c.h"

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

/* ---------------------------------------------------------------- the services' figures */

typedef struct {
    const char *name, *type, *help;
    /* the value of one service, false when it has none */
    bool (*get)(const Lumbung__Pong *p, double *value);
} family_t;

#define FIGURE(fn, expr, present)                                              \
    static bool fn(const Lumbung__Pong *p, double *v) {                        \
        const Lumbung__ServiceMetrics *m = p->metrics;                         \
        (void) m;                                                              \
        if (!(present)) return false;                                          \
        *v = (double) (expr);                                                  \
        return true;                                                           \
    }
#define M(field) (m && m->has_##field)
FIGURE(f_head, p->head_seq, p->has_head_seq && p->service)
FIGURE(f_used, p->store_used_bytes, p->has_store_used_bytes)
FIGURE(f_map, p->store_map_bytes, p->has_store_map_bytes)
FIGURE(f_map_use, (double) p->store_used_bytes / (double) p->store_map_bytes,
       p->has_store_used_bytes && p->has_store_map_bytes && p->store_map_bytes > 0)
FIGURE(f_requests, m->requests, M(requests))
FIGURE(f_malformed, m->malformed, M(malformed))
FIGURE(f_batches, m->batches, M(batches))
FIGURE(f_commits, m->commits, M(commits))
FIGURE(f_commit_failures, m->commit_failures, M(commit_failures))
FIGURE(f_batch_requests, m->batch_requests, M(batch_requests))
FIGURE(f_batch_max, m->batch_max, M(batch_max))
FIGURE(f_commit_seconds, m->commit_seconds, M(commit_seconds))
FIGURE(f_commit_seconds_max, m->commit_seconds_max, M(commit_seconds_max))
FIGURE(f_map_grows, m->map_grows, M(map_grows))
FIGURE(f_idem_hits, m->idempotent_hits, M(idempotent_hits))
FIGURE(f_replays, m->replays, M(replays))
FIGURE(f_idem_entries, m->idempotency_entries, M(idempotency_entries))
FIGURE(f_outbox_entries, m->outbox_entries, M(outbox_entries))
FIGURE(f_waiting, m->waiting, M(waiting))
FIGURE(f_batched, m->batched_messages, M(batched_messages))
FIGURE(f_cpu, m->cpu_seconds, M(cpu_seconds))
FIGURE(f_rss, m->rss_bytes, M(rss_bytes))
FIGURE(f_fds, m->open_fds, M(open_fds))
#undef M
#undef FIGURE

static const family_t families[] = {
    { "lumbung_outbox_head", "gauge", "Newest event in the service's outbox.", f_head },
    { "lumbung_outbox_entries", "gauge", "Events stored in the service's outbox table.", f_outbox_entries },
    { "lumbung_idempotency_entries", "gauge", "Stored replies in the service's idempotency table.", f_idem_entries },
    { "lumbung_store_used_bytes", "gauge", "Bytes of the LMDB map in use.", f_used },
    { "lumbung_store_map_bytes", "gauge", "Size of the LMDB map (it grows by doubling).", f_map },
    { "lumbung_store_map_use_ratio", "gauge", "Used bytes over the map size.", f_map_use },
    { "lumbung_store_map_grows_total", "counter", "Times the map was grown and a batch redone.", f_map_grows },
    { "lumbung_service_requests_total", "counter", "Bus requests received.", f_requests },
    { "lumbung_service_malformed_requests_total", "counter", "Bus requests that could not be decoded or had no body.", f_malformed },
    { "lumbung_service_batched_messages_total", "counter", "Bus messages that carried several requests (a batch).", f_batched },
    { "lumbung_service_requests_waiting", "gauge", "Requests parked until a replica catches up.", f_waiting },
    { "lumbung_group_commit_batches_total", "counter", "Group commits attempted.", f_batches },
    { "lumbung_group_commits_total", "counter", "Group commits that reached the disk.", f_commits },
    { "lumbung_group_commit_failures_total", "counter", "Group commits that failed; their requests were answered 503.", f_commit_failures },
    { "lumbung_group_commit_requests_total", "counter", "Requests in all group commits (over batches: the mean size).", f_batch_requests },
    { "lumbung_group_commit_size_max", "gauge", "Requests in the largest group commit.", f_batch_max },
    { "lumbung_group_commit_seconds_total", "counter", "Time spent in group commits.", f_commit_seconds },
    { "lumbung_group_commit_seconds_max", "gauge", "The longest group commit.", f_commit_seconds_max },
    { "lumbung_idempotent_hits_total", "counter", "Repeats answered from the idempotency table.", f_idem_hits },
    { "lumbung_replays_total", "counter", "Replay requests answered.", f_replays },
    { "process_cpu_seconds_total", "counter", "User and system CPU time of the process.", f_cpu },
    { "process_resident_memory_bytes", "gauge", "Resident memory of the process.", f_rss },
    { "process_open_fds", "gauge", "Open file descriptors of the process.", f_fds },
};

static void render_family(text_t *t, const family_t *f, const metrics_service_t *svcs, int n) {
    text_printf(t, "# HELP %s %s\n# TYPE %s %s\n", f->name, f->help, f->name, f->type);
    char name[METRICS_LABEL_MAX];
    for (int i = 0; i < n; i++) {
        double v;
        if (!svcs[i].pong || !f->get(svcs[i].pong, &v)) continue;
        text_printf(t, "%s{service=\"%s\"} %.17g\n", f->name,
                    metrics_escape_label(svcs[i].name, name, sizeof name), v);
    }
}

static void render_followers(text_t *t, const metrics_service_t *svcs, int n) {
    static const struct { const char *name, *help; int which; } kinds[] = {
        { "lumbung_follower_cursor", "Last event of the stream the follower applied.", 0 },
        { "lumbung_follower_known_head", "Newest event of the stream the follower knows of.", 1 },
        { "lumbung_follower_lag", "Events of the stream not yet applied (known head - cursor).", 2 },
    };
    char name[METRICS_LABEL_MAX], stream[METRICS_LABEL_MAX];
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        text_printf(t, "# HELP %s %s\n# TYPE %s gauge\n", kinds[k].name, kinds[k].help, kinds[k].name);
        for (int i = 0; i < n; i++) {
            const Lumbung__Pong *p = svcs[i].pong;
            for (size_t j = 0; p && j < p->n_followers; j++) {
                const Lumbung__FollowerStatus *f = p->followers[j];
                uint64_t lag = f->known_head > f->cursor ? f->known_head - f->cursor : 0;
                uint64_t v = kinds[k].which == 0 ? f->cursor : kinds[k].which == 1 ? f->known_head : lag;
                text_printf(t, "%s{service=\"%s\",stream=\"%s\"} %llu\n", kinds[k].name,
                            metrics_escape_label(svcs[i].name, name, sizeof name),
                            metrics_escape_label(f->stream ? f->stream : "", stream, sizeof stream),
                            (unsigned long long) v);
            }
        }
    }
}

static void render_operations(text_t *t, const metrics_service_t *svcs, int n) {
    char name[METRICS_LABEL_MAX], op[METRICS_LABEL_MAX];
    for (int rejected = 0; rejected < 2; rejected++) {
        const char *family = rejected ? "lumbung_operation_rejections_total" : "lumbung_operation_requests_total";
        text_printf(t, "# HELP %s %s\n# TYPE %s counter\n", family,
                    rejected ? "Bus requests answered with an error, by operation."
                             : "Bus requests answered, by operation.", family);
        for (int i = 0; i < n; i++) {
            const Lumbung__ServiceMetrics *m = svcs[i].pong ? svcs[i].pong->metrics : NULL;
            for (size_t j = 0; m && j < m->n_operations; j++) {
                const Lumbung__OperationCount *o = m->operations[j];
                text_printf(t, "%s{service=\"%s\",operation=\"%s\"} %llu\n", family,
                            metrics_escape_label(svcs[i].name, name, sizeof name),
                            metrics_escape_label(o->operation ? o->operation : "", op, sizeof op),
                            (unsigned long long) (rejected ? o->rejected : o->requests));
            }
        }
    }
}

static void render_up(text_t *t, const metrics_service_t *svcs, int n) {
    char name[METRICS_LABEL_MAX];
    text_printf(t, "# HELP lumbung_service_up Whether the service answered the gateway's status "
                   "request for this scrape.\n# TYPE lumbung_service_up gauge\n");
    for (int i = 0; i < n; i++)
        text_printf(t, "lumbung_service_up{service=\"%s\"} %d\n",
                    metrics_escape_label(svcs[i].name, name, sizeof name), svcs[i].pong != NULL);
}

static void render_gateway(const metrics_t *self, text_t *t);

char *metrics_render_services(const metrics_t *self, const metrics_service_t *services, int count,
                              size_t *len) {
    assert(self && (services || count == 0));
    text_t t = { malloc(4096), 0, 4096 };
    if (!t.data) abort();
    t.data[0] = 0;
    render_gateway(self, &t);
    if (count > 0) {
        render_up(&t, services, count);
        for (size_t f = 0; f < sizeof families / sizeof families[0]; f++)
            render_family(&t, &families[f], services, count);
        render_followers(&t, services, count);
        render_operations(&t, services, count);
    }
    if (len) *len = t.len;
    return t.data;
}

char *metrics_render(const metrics_t *self, size_t *len) {
    return metrics_render_services(self, NULL, 0, len);
}

static void render_gateway(const metrics_t *self, text_t *t) {
    render_requests(self, t);
    render_latency(self, t);
    render_backends(self, t);
    for (int i = 0; i < self->value_count; i++) {
        const value_t *v = &self->values[i];
        text_printf(t, "# HELP %s %s\n# TYPE %s %s\n%s %.17g\n", v->name, v->help, v->name,
                    v->type, v->name, v->value);
    }
}
