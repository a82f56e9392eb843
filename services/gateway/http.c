#include "http.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "log.h"

enum {
    HTTP_DISCARD_FACTOR = 4,                 /* an oversize chunked body is read and dropped up
                                                to this many times its limit, then cut off */
    HTTP_RUN_IDLE_MS = 1000,                 /* MHD runs at least this often */
};

/* Where a connection is in its current request; only the first two phases have deadlines. */
typedef enum { PHASE_HEADERS = 0, PHASE_BODY, PHASE_HANDLING } phase_t;

typedef struct conn {
    struct conn *next, *prev;
    struct MHD_Connection *mhd;
    int fd;
    phase_t phase;
    uint64_t since_ms;              /* start of the current phase */
    bool cut;                       /* shut down by the sweep */
} conn_t;

typedef struct { char *name, *value; } header_t;

struct http_req {
    http_req_t *next, *prev;        /* in server->suspended while waiting */
    http_server_t *server;
    struct MHD_Connection *mhd;
    conn_t *conn;
    uint64_t id;
    char request_id[LOG_REQUEST_ID_MAX + 1];   /* the caller's X-Request-Id when sane, or made */
    char method[HTTP_SERVER_METHOD_MAX];
    char *path;
    uint8_t *body;
    size_t len, cap, limit, discarded;
    bool exceeded, dispatched, in_handler, suspended, responded;
    struct MHD_Response *response;
    unsigned status;
    header_t headers[HTTP_SERVER_RESPONSE_HEADERS_MAX];
    int header_count;
    void (*cancel_fn)(void *arg);
    void *cancel_arg;
    /* a detached request (http_req_detached): its headers and query, and the answer */
    header_t *in_headers, *in_query;
    int in_header_count, in_query_count;
    char *answer, *answer_type;
    size_t answer_len;
};

struct http_server {
    uv_loop_t *loop;
    struct MHD_Daemon *mhd;
    uv_poll_t poll;
    uv_timer_t timer;               /* MHD_get_timeout and "run again now" */
    uv_timer_t sweep;               /* header and body deadlines */
    int closing_handles;
    http_server_handlers_t handlers;
    http_server_config_t config;
    conn_t *conns;
    http_req_t *suspended;
    unsigned open;
    uint64_t next_id, cut_off;
    uint64_t log_second, log_lines, log_suppressed;   /* mhd_log's rate limit */
    bool stopping;
    int port;
};

static void on_timer(uv_timer_t *timer);

/* ---------------------------------------------------------------- lists and small helpers */

#define LIST_PUSH(head, item) do {                                   \
        (item)->prev = NULL;                                            \
        (item)->next = (head);                                          \
        if (head) (head)->prev = (item);                                \
        (head) = (item);                                                \
    } while (0)
#define LIST_REMOVE(head, item) do {                                    \
        if ((item)->prev) (item)->prev->next = (item)->next;            \
        else (head) = (item)->next;                                     \
        if ((item)->next) (item)->next->prev = (item)->prev;            \
        (item)->next = (item)->prev = NULL;                             \
    } while (0)

static uint64_t now_ms(const http_server_t *s) { return uv_now(s->loop); }

/* Runs MHD on the next loop iteration: used after a resume, never from inside MHD. */
static void server_kick(http_server_t *s) {
    if (!s->stopping) uv_timer_start(&s->timer, on_timer, 0, 0);
}

static void req_free(http_req_t *req) {
    if (req->response) MHD_destroy_response(req->response);
    for (int i = 0; i < req->header_count; i++) {
        free(req->headers[i].name);
        free(req->headers[i].value);
    }
    free(req->path);
    free(req->body);
    for (int i = 0; i < req->in_header_count; i++) {
        free(req->in_headers[i].name);
        free(req->in_headers[i].value);
    }
    for (int i = 0; i < req->in_query_count; i++) {
        free(req->in_query[i].name);
        free(req->in_query[i].value);
    }
    free(req->in_headers);
    free(req->in_query);
    free(req->answer);
    free(req->answer_type);
    free(req);
}

/* A flood of refused connections must not become a flood of log lines: at most
   HTTP_SERVER_LOG_LINES_PER_S a second, and the number left out with the next one. */
static void mhd_log(void *cls, const char *fmt, va_list ap) {
    http_server_t *s = cls;
    uint64_t now_s = uv_hrtime() / 1000000000u;
    if (now_s != s->log_second) {
        s->log_second = now_s;
        s->log_lines = 0;
    }
    if (++s->log_lines > HTTP_SERVER_LOG_LINES_PER_S) {
        s->log_suppressed++;
        return;
    }
    if (s->log_suppressed) {
        log_warn(0, "http: %llu similar line(s) left out", (unsigned long long) s->log_suppressed);
        s->log_suppressed = 0;
    }
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
    log_warn(0, "http: %s", line);
}

/* ---------------------------------------------------------------- connections and deadlines */

static void on_connection(void *cls, struct MHD_Connection *mhd, void **socket_context,
                          enum MHD_ConnectionNotificationCode code) {
    http_server_t *s = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        conn_t *c = calloc(1, sizeof *c);
        if (!c) abort();
        const union MHD_ConnectionInfo *info =
            MHD_get_connection_info(mhd, MHD_CONNECTION_INFO_CONNECTION_FD);
        c->mhd = mhd;
        c->fd = info ? info->connect_fd : -1;
        c->phase = PHASE_HEADERS;
        c->since_ms = now_ms(s);
        LIST_PUSH(s->conns, c);
        s->open++;
        *socket_context = c;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        conn_t *c = *socket_context;
        if (!c) return;
        LIST_REMOVE(s->conns, c);
        assert(s->open > 0);
        s->open--;
        free(c);
        *socket_context = NULL;
    }
}

static conn_t *conn_of(struct MHD_Connection *mhd) {
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(mhd, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info ? info->socket_context : NULL;
}

static uint64_t phase_deadline_ms(const http_server_t *s, phase_t phase) {
    if (phase == PHASE_HEADERS) return (uint64_t) s->config.header_deadline_s * 1000;
    return (uint64_t) s->config.body_deadline_s * 1000;
}

/* MHD has no total deadline for receiving a request, only an idle timeout that every byte
   restarts. Shutting the socket down makes MHD see end-of-stream and close it normally. */
static void on_sweep(uv_timer_t *timer) {
    http_server_t *s = timer->data;
    uint64_t now = now_ms(s);
    int cut = 0;
    for (conn_t *c = s->conns; c; c = c->next) {
        if (c->cut || c->fd < 0 || c->phase == PHASE_HANDLING) continue;
        if (now - c->since_ms < phase_deadline_ms(s, c->phase)) continue;
        shutdown(c->fd, SHUT_RDWR);
        c->cut = true;
        s->cut_off++;
        cut++;
    }
    if (cut) {
        log_info(0, "http: cut off %d connection(s) that did not send their request in time", cut);
        server_kick(s);
    }
}

/* ---------------------------------------------------------------- requests */

/* What every request gets, from a connection or detached: its request id (the caller's
   X-Request-Id when sane), method, path and body limit. */
static http_req_t *req_alloc(const http_server_handlers_t *h, const char *given_id,
                             const char *url, const char *method) {
    http_req_t *req = calloc(1, sizeof *req);
    if (!req) abort();
    if (log_request_id_sane(given_id)) snprintf(req->request_id, sizeof req->request_id, "%s", given_id);
    else log_request_id_make(req->request_id, sizeof req->request_id);
    snprintf(req->method, sizeof req->method, "%s", method);
    size_t n = strnlen(url, HTTP_SERVER_PATH_MAX);
    req->path = strndup(url, n);
    if (!req->path) abort();
    req->limit = h->body_limit(h->arg, req->method, req->path);
    return req;
}

static http_req_t *req_new(http_server_t *s, struct MHD_Connection *mhd, const char *url,
                           const char *method) {
    http_req_t *req = req_alloc(&s->handlers,
                                MHD_lookup_connection_value(mhd, MHD_HEADER_KIND, "X-Request-Id"),
                                url, method);
    req->server = s;
    req->mhd = mhd;
    req->conn = conn_of(mhd);
    req->id = ++s->next_id;
    return req;
}

static bool length_exceeds(const char *cl, size_t limit) {
    if (!cl) return false;
    errno = 0;
    char *end;
    unsigned long long n = strtoull(cl, &end, 10);
    if (errno || end == cl) return false;   /* MHD itself rejects a malformed length */
    return n > limit;
}

static int body_append(http_req_t *req, const char *data, size_t size) {
    if (req->exceeded) {
        req->discarded += size;
        size_t cap = req->limit * HTTP_DISCARD_FACTOR;
        return req->discarded > (cap > HTTP_SERVER_BODY_MAX_DEFAULT ? cap : HTTP_SERVER_BODY_MAX_DEFAULT)
                   ? -EMSGSIZE : 0;
    }
    if (req->len + size > req->limit) {
        req->exceeded = true;
        req->discarded = req->len + size;
        free(req->body);
        req->body = NULL;
        req->len = req->cap = 0;
        return 0;
    }
    if (req->len + size > req->cap) {
        size_t cap = req->cap ? req->cap : 4096;
        while (cap < req->len + size) cap *= 2;
        if (cap > req->limit) cap = req->limit;
        uint8_t *p = realloc(req->body, cap + 1);
        if (!p) abort();
        req->body = p;
        req->cap = cap;
    }
    memcpy(req->body + req->len, data, size);
    req->len += size;
    req->body[req->len] = 0;     /* convenient for text parsers; not counted in len */
    return 0;
}

static enum MHD_Result queue_response(http_req_t *req) {
    assert(req->response);
    enum MHD_Result rc = MHD_queue_response(req->mhd, req->status, req->response);
    MHD_destroy_response(req->response);
    req->response = NULL;
    return rc;
}

/* ---- request framing (RFC 9112 section 6). MHD takes the first of two Content-Length
   headers, lets Transfer-Encoding win over Content-Length, and reads a body of an unknown
   coding until the peer closes; a proxy in front of us may frame the same bytes differently
   and so smuggle a second request past it. So a request whose length is ambiguous is refused
   with 400 and its connection closed, before its body is read or any handler runs. */

/* Transfer-Encoding is compared exactly as MHD compares it (after its own trimming), so that
   what we accept as chunked is what MHD decodes as chunked. */
typedef struct {
    int content_lengths, transfer_encodings;
    const char *transfer_encoding;
} framing_t;

static enum MHD_Result framing_visit(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value) {
    framing_t *f = cls;
    (void) kind;
    if (!strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH)) f->content_lengths++;
    if (!strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING)) {
        f->transfer_encodings++;
        f->transfer_encoding = value ? value : "";
    }
    return MHD_YES;
}

/* NULL when the request's body length is unambiguous, else why not (and *header names the
   header at fault). */
static const char *framing_verdict(const framing_t *fr, const char **header) {
    framing_t f = *fr;
    *header = MHD_HTTP_HEADER_CONTENT_LENGTH;
    if (f.content_lengths > 1)
        return "a request carries at most one Content-Length header";
    if (f.content_lengths && f.transfer_encodings)
        return "a request carries Content-Length or Transfer-Encoding, not both";
    *header = MHD_HTTP_HEADER_TRANSFER_ENCODING;
    if (f.transfer_encodings > 1 || (f.transfer_encodings && strcasecmp(f.transfer_encoding, "chunked")))
        return "the only transfer coding accepted is chunked, alone";
    return NULL;
}

static const char *framing_error(struct MHD_Connection *mhd, const char **header) {
    framing_t f = { 0 };
    MHD_get_connection_values(mhd, MHD_HEADER_KIND, framing_visit, &f);
    return framing_verdict(&f, header);
}

/* Answers 400 with the JSON error body and has the connection closed after it. */
static void answer_framing(http_req_t *req, const char *header, const char *why) {
    log_context_t ctx = { .request_id = req->request_id, .operation = "http" };
    log_emit(LOG_WARN, &ctx, "invalid_framing", LOG_DURATION_NONE,
             "http: refused a request with ambiguous framing (%s)", why);
    char body[320];
    int n = snprintf(body, sizeof body,
                     "{\"error\":{\"code\":\"invalid_framing\",\"message\":\"%s; the "
                     "connection is closed\",\"field\":\"%s\"}}", why, header);
    req->dispatched = true;                  /* whatever body follows is never read */
    http_req_add_header(req, MHD_HTTP_HEADER_CONNECTION, "close");
    http_req_respond(req, 400, "application/json", body, (size_t) n);
}

static enum MHD_Result refuse_framing(http_req_t *req, const char *header, const char *why) {
    answer_framing(req, header, why);
    return queue_response(req);
}

static void req_suspend(http_req_t *req) {
    http_server_t *s = req->server;
    MHD_suspend_connection(req->mhd);
    req->suspended = true;
    LIST_PUSH(s->suspended, req);
}

static void respond_stopping(http_req_t *req) {
    static const char body[] =
        "{\"error\":{\"code\":\"shutting_down\",\"message\":\"the gateway is stopping; retry shortly\"}}";
    http_req_respond(req, 503, "application/json", body, sizeof body - 1);
}

/* Hands the complete request (or the news that its body is too large) to the application. */
static void handle_now(http_req_t *req, const http_server_handlers_t *h) {
    req->in_handler = true;
    h->handle(h->arg, req);
    req->in_handler = false;
}

static enum MHD_Result dispatch(http_req_t *req) {
    http_server_t *s = req->server;
    req->dispatched = true;
    if (req->conn) {
        req->conn->phase = PHASE_HANDLING;
        req->conn->since_ms = now_ms(s);
    }
    if (s->stopping) respond_stopping(req);
    else handle_now(req, &s->handlers);
    if (req->response) return queue_response(req);
    /* Only an ordinary request may wait: an early 413 must be queued right now, while MHD is
       still in the state that allows it. */
    assert(!req->exceeded && "a handler must answer an oversize request at once");
    if (req->responded) return MHD_YES;     /* answered, then queued on an earlier call */
    req_suspend(req);
    return MHD_YES;
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *mhd, const char *url,
                                 const char *method, const char *version,
                                 const char *upload_data, size_t *upload_size, void **con_cls) {
    http_server_t *s = cls;
    (void) version;
    http_req_t *req = *con_cls;
    if (!req) {
        req = req_new(s, mhd, url, method);
        *con_cls = req;
        if (req->conn) {
            req->conn->phase = PHASE_BODY;
            req->conn->since_ms = now_ms(s);
        }
        const char *header, *why = framing_error(mhd, &header);
        if (why) return refuse_framing(req, header, why);
        if (length_exceeds(MHD_lookup_connection_value(mhd, MHD_HEADER_KIND,
                                                       MHD_HTTP_HEADER_CONTENT_LENGTH), req->limit)) {
            req->exceeded = true;
            return dispatch(req);
        }
        return MHD_YES;
    }
    if (*upload_size > 0) {
        if (req->dispatched) { *upload_size = 0; return MHD_YES; }   /* early 413 */
        int rc = body_append(req, upload_data, *upload_size);
        *upload_size = 0;
        return rc == 0 ? MHD_YES : MHD_NO;
    }
    if (!req->dispatched) return dispatch(req);
    if (req->response) return queue_response(req);    /* resumed with the answer */
    /* Resumed without an answer cannot happen: we resume only in http_req_respond. */
    assert(!req->suspended);
    return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *mhd, void **con_cls,
                         enum MHD_RequestTerminationCode code) {
    http_server_t *s = cls;
    (void) code;
    http_req_t *req = *con_cls;
    conn_t *c = conn_of(mhd);
    if (c) {
        c->phase = PHASE_HEADERS;
        c->since_ms = now_ms(s);
    }
    if (!req) return;
    *con_cls = NULL;
    if (req->suspended) LIST_REMOVE(s->suspended, req);
    if (!req->responded && req->cancel_fn) req->cancel_fn(req->cancel_arg);
    req_free(req);
}

/* ---------------------------------------------------------------- request accessors */

const char *http_req_method(const http_req_t *req) { return req->method; }
const char *http_req_path(const http_req_t *req) { return req->path; }
uint64_t http_req_id(const http_req_t *req) { return req->id; }
const char *http_req_request_id(const http_req_t *req) { return req->request_id; }
bool http_req_body_exceeded(const http_req_t *req) { return req->exceeded; }

void http_req_peer_address(const http_req_t *req, char *buf, size_t size) {
    assert(buf && size > 0);
    buf[0] = 0;
    if (!req->mhd) return;
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(req->mhd, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = info ? info->client_addr : NULL;
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *) sa)->sin_addr, buf, (socklen_t) size);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *) sa)->sin6_addr, buf, (socklen_t) size);
}
size_t http_req_body_limit(const http_req_t *req) { return req->limit; }

/* The first of a detached request's pairs named `name` (case-insensitively for headers, as
   MHD compares them); *found says whether there was one (its value may be NULL). */
static const char *pair_find(const header_t *pairs, int count, const char *name, bool header) {
    for (int i = 0; i < count; i++)
        if (header ? !strcasecmp(pairs[i].name, name) : !strcmp(pairs[i].name, name))
            return pairs[i].value;
    return NULL;
}

const char *http_req_header(const http_req_t *req, const char *name) {
    assert(!req->responded);
    if (!req->mhd) return pair_find(req->in_headers, req->in_header_count, name, true);
    return MHD_lookup_connection_value(req->mhd, MHD_HEADER_KIND, name);
}

const char *http_req_query(const http_req_t *req, const char *name) {
    assert(!req->responded);
    if (!req->mhd) return pair_find(req->in_query, req->in_query_count, name, false);
    return MHD_lookup_connection_value(req->mhd, MHD_GET_ARGUMENT_KIND, name);
}

typedef struct {
    int (*fn)(void *arg, const char *name, const char *value);
    void *arg;
    int rc;
} query_visit_t;

static enum MHD_Result query_visit(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value) {
    query_visit_t *v = cls;
    (void) kind;
    v->rc = v->fn(v->arg, key, value ? value : "");
    return v->rc == 0 ? MHD_YES : MHD_NO;
}

int http_req_query_each(const http_req_t *req,
                        int (*fn)(void *arg, const char *name, const char *value), void *arg) {
    assert(!req->responded && fn);
    query_visit_t v = { fn, arg, 0 };
    if (!req->mhd) {
        for (int i = 0; i < req->in_query_count && v.rc == 0; i++)
            query_visit(&v, MHD_GET_ARGUMENT_KIND, req->in_query[i].name, req->in_query[i].value);
        return v.rc;
    }
    MHD_get_connection_values(req->mhd, MHD_GET_ARGUMENT_KIND, query_visit, &v);
    return v.rc;
}

const uint8_t *http_req_body(const http_req_t *req, size_t *len) {
    *len = req->len;
    return req->body ? req->body : (const uint8_t *) "";
}

int http_req_add_header(http_req_t *req, const char *name, const char *value) {
    assert(req && !req->responded && name && value);
    if (req->header_count == HTTP_SERVER_RESPONSE_HEADERS_MAX) return -ENOSPC;
    header_t *h = &req->headers[req->header_count++];
    h->name = strdup(name);
    h->value = strndup(value, HTTP_SERVER_HEADER_VALUE_MAX);
    if (!h->name || !h->value) abort();
    return 0;
}

void http_req_drop_headers(http_req_t *req) {
    assert(req && !req->responded);
    int kept = 0;
    for (int i = 0; i < req->header_count; i++) {
        header_t *h = &req->headers[i];
        if (!strcasecmp(h->name, MHD_HTTP_HEADER_CONNECTION)) {
            req->headers[kept++] = *h;
            continue;
        }
        free(h->name);
        free(h->value);
    }
    req->header_count = kept;
}

void http_req_on_cancel(http_req_t *req, void (*fn)(void *arg), void *arg) {
    assert(req);
    req->cancel_fn = fn;
    req->cancel_arg = arg;
}

static struct MHD_Response *response_new(http_req_t *req, const char *content_type,
                                         const void *body, size_t len) {
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *) body, MHD_RESPMEM_MUST_COPY);
    if (!r) abort();
    if (content_type) MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    bool cache_control = false;             /* the application's own wins (static files) */
    for (int i = 0; i < req->header_count; i++) {
        MHD_add_response_header(r, req->headers[i].name, req->headers[i].value);
        cache_control |= !strcasecmp(req->headers[i].name, MHD_HTTP_HEADER_CACHE_CONTROL);
    }
    if (!cache_control) MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    return r;
}

void http_req_respond(http_req_t *req, int status, const char *content_type,
                      const void *body, size_t len) {
    assert(req && !req->responded && status >= 100 && status <= 599);
    assert(body || len == 0);
    req->responded = true;
    req->cancel_fn = NULL;
    req->status = (unsigned) status;
    if (!req->mhd) {                                  /* detached: kept for the caller */
        req->answer = malloc(len + 1);
        if (!req->answer) abort();
        if (len) memcpy(req->answer, body, len);
        req->answer[len] = 0;
        req->answer_len = len;
        req->answer_type = content_type ? strdup(content_type) : NULL;
        return;
    }
    req->response = response_new(req, content_type, body ? body : "", len);
    if (req->in_handler || !req->suspended) return;   /* dispatch() queues it */
    http_server_t *s = req->server;
    LIST_REMOVE(s->suspended, req);
    req->suspended = false;
    MHD_resume_connection(req->mhd);
    server_kick(s);
}

/* ---------------------------------------------------------------- the loop */

/* MHD wants to run again within its timeout; without one we still run every
   HTTP_RUN_IDLE_MS, a cheap guard against any wake-up MHD might not signal on its epoll fd. */
static void schedule(http_server_t *s) {
    if (s->stopping) return;
    MHD_UNSIGNED_LONG_LONG timeout;
    if (MHD_get_timeout(s->mhd, &timeout) != MHD_YES || timeout > HTTP_RUN_IDLE_MS)
        timeout = HTTP_RUN_IDLE_MS;
    uv_timer_start(&s->timer, on_timer, (uint64_t) timeout, 0);
}

/* At its connection limit MHD takes the listen socket out of its epoll set and puts it back
   only at the start of a later MHD_run(). When connections closed during this run, run again
   at once, or new clients would wait in the backlog until something else woke us. */
static void server_run(http_server_t *s) {
    unsigned open_before = s->open;
    if (MHD_run(s->mhd) != MHD_YES) log_warn(0, "http: MHD_run failed");
    if (s->open < open_before) server_kick(s);
    else schedule(s);
}
static void on_poll(uv_poll_t *poll, int status, int events) {
    (void) events;
    http_server_t *s = poll->data;
    if (status < 0) log_warn(0, "http: poll: %s", uv_strerror(status));
    server_run(s);
}

static void on_timer(uv_timer_t *timer) { server_run(timer->data); }

/* ---------------------------------------------------------------- lifecycle */

static void config_defaults(http_server_config_t *c) {
    if (!c->timeout_s) c->timeout_s = HTTP_SERVER_TIMEOUT_S_DEFAULT;
    if (!c->header_deadline_s) c->header_deadline_s = c->timeout_s;
    if (!c->body_deadline_s) c->body_deadline_s = HTTP_SERVER_BODY_DEADLINE_S_DEFAULT;
    if (!c->connections_max) c->connections_max = HTTP_SERVER_CONNECTIONS_MAX;
    if (!c->connections_per_address) c->connections_per_address = HTTP_SERVER_CONNECTIONS_PER_ADDRESS_MAX;
    if (!c->host) c->host = "127.0.0.1";
}

static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* MHD's URL decoding, except that "%00" stays as it is: a decoded NUL would cut the path or a
   query value short without anyone noticing (GET /app.js%00.png would serve /app.js). */
static size_t unescape(void *cls, struct MHD_Connection *c, char *text) {
    (void) cls;
    (void) c;
    char *out = text;
    for (const char *in = text; *in; in++) {
        int hi, lo;
        if (*in == '%' && (hi = hex_value(in[1])) >= 0 && (lo = hex_value(in[2])) >= 0 &&
            (hi | lo) != 0) {
            *out++ = (char) (hi * 16 + lo);
            in += 2;
        } else {
            *out++ = *in;
        }
    }
    *out = 0;
    return (size_t) (out - text);
}

/* ---------------------------------------------------------------- detached requests */

static header_t *pairs_copy(const http_pair_t *in, int count) {
    header_t *out = calloc((size_t) (count > 0 ? count : 1), sizeof *out);
    if (!out) abort();
    for (int i = 0; i < count; i++) {
        out[i].name = strdup(in[i].name);
        out[i].value = in[i].value ? strdup(in[i].value) : NULL;
        if (!out[i].name || (in[i].value && !out[i].value)) abort();
    }
    return out;
}

/* The query string cut as MHD cuts it: '&' between arguments, the first '=' between name and
   value (none: a NULL value), '+' for a space, then the same unescape as MHD's. */
static void query_split(http_req_t *req, const char *query) {
    int cap = 1;
    for (const char *p = query; *p; p++) cap += *p == '&';
    req->in_query = calloc((size_t) cap, sizeof *req->in_query);
    if (!req->in_query) abort();
    for (const char *p = query; *p;) {
        size_t n = strcspn(p, "&");
        char *arg = strndup(p, n);
        if (!arg) abort();
        p += n + (p[n] == '&');
        if (!*arg) { free(arg); continue; }
        for (char *c = arg; *c; c++)
            if (*c == '+') *c = ' ';
        char *eq = strchr(arg, '=');
        if (eq) *eq++ = 0;
        unescape(NULL, NULL, arg);
        header_t *q = &req->in_query[req->in_query_count++];
        q->name = arg;
        q->value = eq ? strdup(eq) : NULL;
        if (eq && !q->value) abort();
        if (q->value) unescape(NULL, NULL, q->value);
    }
}

http_req_t *http_req_detached(const http_detached_t *d, const http_server_handlers_t *h,
                              uint64_t id) {
    assert(d && d->method && d->url && h);
    const char *given = NULL;
    for (int i = 0; i < d->header_count && !given; i++)
        if (!strcasecmp(d->headers[i].name, "X-Request-Id")) given = d->headers[i].value;
    char *url = strndup(d->url, HTTP_SERVER_PATH_MAX);
    if (!url) abort();
    unescape(NULL, NULL, url);
    http_req_t *req = req_alloc(h, given, url, d->method);
    free(url);
    req->id = id;
    req->in_headers = pairs_copy(d->headers, d->header_count);
    req->in_header_count = d->header_count;
    query_split(req, d->query ? d->query : "");
    framing_t f = { 0 };
    for (int i = 0; i < d->header_count; i++)
        framing_visit(&f, MHD_HEADER_KIND, d->headers[i].name, d->headers[i].value);
    const char *header, *why = framing_verdict(&f, &header);
    if (why) { answer_framing(req, header, why); return req; }
    if (length_exceeds(http_req_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH), req->limit))
        req->exceeded = true;
    else if (d->body_len && body_append(req, (const char *) d->body, d->body_len) != 0)
        req->exceeded = true;
    req->dispatched = true;
    handle_now(req, h);
    return req;
}

bool http_req_answered(const http_req_t *req, int *status, const char **content_type,
                       const char **body, size_t *len) {
    assert(req && !req->mhd);
    if (!req->responded) return false;
    *status = (int) req->status;
    *content_type = req->answer_type;
    *body = req->answer;
    *len = req->answer_len;
    return true;
}

const char *http_req_answer_header(const http_req_t *req, const char *name) {
    for (int i = 0; i < req->header_count; i++)
        if (!strcasecmp(req->headers[i].name, name)) return req->headers[i].value;
    return NULL;
}

void http_req_detached_free(http_req_t **req_p) {
    http_req_t *req = *req_p;
    if (!req) return;
    assert(!req->mhd);
    if (!req->responded && req->cancel_fn) req->cancel_fn(req->cancel_arg);
    req_free(req);
    *req_p = NULL;
}

static struct MHD_Daemon *daemon_start(http_server_t *s, int *err) {
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t) s->config.port) };
    if (inet_pton(AF_INET, s->config.host, &addr.sin_addr) != 1) {
        log_error(0, "http: LUMBUNG_HTTP_HOST %s is not an IPv4 address", s->config.host);
        *err = -EINVAL;
        return NULL;
    }
    unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, (uint16_t) s->config.port, NULL, NULL, on_access, s,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &addr,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t) HTTP_SERVER_HEADER_MEMORY,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned) s->config.connections_max,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned) s->config.connections_per_address,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned) s->config.timeout_s,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned) 256,
        MHD_OPTION_UNESCAPE_CALLBACK, unescape, s,
        MHD_OPTION_END);
    if (!d) {
        log_error(0, "http: cannot listen on %s:%d", s->config.host, s->config.port);
        *err = -EADDRINUSE;
    }
    return d;
}

http_server_t *http_server_new(uv_loop_t *loop, const http_server_config_t *config,
                               const http_server_handlers_t *handlers, int *err) {
    assert(loop && config && handlers && handlers->handle && handlers->body_limit && err);
    http_server_t *s = calloc(1, sizeof *s);
    if (!s) abort();
    s->loop = loop;
    s->config = *config;
    config_defaults(&s->config);
    s->handlers = *handlers;
    s->mhd = daemon_start(s, err);
    if (!s->mhd) { free(s); return NULL; }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_EPOLL_FD);
    const union MHD_DaemonInfo *port = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
    s->port = port ? port->port : s->config.port;
    int rc = info ? uv_poll_init(loop, &s->poll, info->epoll_fd) : UV_EINVAL;
    if (rc == 0) rc = uv_timer_init(loop, &s->timer);
    if (rc == 0) rc = uv_timer_init(loop, &s->sweep);
    assert(rc == 0);     /* these fail only on a programming error */
    s->poll.data = s->timer.data = s->sweep.data = s;
    uv_poll_start(&s->poll, UV_READABLE, on_poll);
    uv_timer_start(&s->timer, on_timer, 0, 0);
    uv_timer_start(&s->sweep, on_sweep, HTTP_SERVER_SWEEP_MS, HTTP_SERVER_SWEEP_MS);
    log_info(0, "http: listening on %s:%d", s->config.host, s->port);
    return s;
}

static void on_handle_closed(uv_handle_t *handle) {
    http_server_t *s = handle->data;
    if (--s->closing_handles == 0) free(s);
}

void http_server_destroy(http_server_t **self_p) {
    assert(self_p);
    http_server_t *s = *self_p;
    if (!s) return;
    *self_p = NULL;
    /* Stop watching the epoll fd before MHD closes it. */
    uv_poll_stop(&s->poll);
    uv_timer_stop(&s->timer);
    uv_timer_stop(&s->sweep);
    s->stopping = true;
    int waiting = 0;
    while (s->suspended) {
        http_req_t *req = s->suspended;
        if (req->cancel_fn) req->cancel_fn(req->cancel_arg);
        req->cancel_fn = NULL;
        respond_stopping(req);      /* unlinks and resumes */
        waiting++;
    }
    if (waiting) log_info(0, "http: answered %d waiting request(s) with 503 on shutdown", waiting);
    MHD_run(s->mhd);                /* lets MHD take the resumed connections back */
    MHD_stop_daemon(s->mhd);
    s->mhd = NULL;
    s->closing_handles = 3;
    uv_close((uv_handle_t *) &s->poll, on_handle_closed);
    uv_close((uv_handle_t *) &s->timer, on_handle_closed);
    uv_close((uv_handle_t *) &s->sweep, on_handle_closed);
}

int http_server_port(const http_server_t *self) { return self->port; }
unsigned http_server_connections(const http_server_t *self) { return self->open; }
uint64_t http_server_cut_off(const http_server_t *self) { return self->cut_off; }

int http_status_of_error(int code) {
    switch (code) {
    case 0: return 200;
    case ERR_REJECTED: case ERR_INVALID_PATH: return 400;
    case ERR_UNAUTHENTICATED: case ERR_INVALID_CREDENTIALS: return 401;
    case ERR_FORBIDDEN: return 403;
    case ERR_NOT_FOUND: return 404;
    case ERR_METHOD_NOT_ALLOWED: return 405;
    case ERR_EXISTS: return 409;
    case ERR_RULE: return 422;
    case ERR_LOCKED: case ERR_THROTTLED: return 429;
    case ERR_BAD_REPLY: return 502;
    case ERR_UNAVAILABLE: case ERR_OVERLOADED: case ERR_BUSY: case ERR_SHUTTING_DOWN: return 503;
    case ERR_TIMEOUT: return 504;
    default: return 500;
    }
}
