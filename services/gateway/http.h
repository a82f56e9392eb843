/*  http — the gateway's HTTP/1.1 server: libmicrohttpd driven by the gateway's libuv loop.

    MHD runs without a thread of its own, in its epoll mode: a uv_poll_t watches MHD's epoll
    fd, a uv_timer_t follows MHD_get_timeout(), and every MHD_run() happens on the loop thread,
    so handlers never need a lock. A request whose answer needs the bus is suspended
    (MHD_suspend_connection) when the handler returns without responding and resumed when
    http_req_respond() is called later; MHD_run() is then scheduled again at once.

    Limits: request line + headers fit in HTTP_SERVER_HEADER_MEMORY (MHD answers 431 beyond);
    the body limit is asked of the application per request (http_server_handlers_t.body_limit)
    and a larger body is refused before it is read when Content-Length announces it, or once
    the limit is crossed for chunked bodies; connections are capped; an idle connection is
    closed after timeout_s, and a client that has not delivered its complete headers within
    header_deadline_s (or its body within body_deadline_s) is cut off even when it keeps
    trickling bytes.

    Not for: routing, authentication, JSON or audit (routes.c and the gateway modules). */
#ifndef LUMBUNG_GATEWAY_HTTP_H
#define LUMBUNG_GATEWAY_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "error.h"

enum {
    HTTP_SERVER_HEADER_MEMORY = 32 * 1024,          /* per connection: request line + headers */
    HTTP_SERVER_BODY_MAX_DEFAULT = 1024 * 1024,     /* 1 MiB */
    HTTP_SERVER_BODY_MAX_LONG = 20 * 1024 * 1024,   /* ROUTE_LONG routes (imports) */
    HTTP_SERVER_CONNECTIONS_MAX = 1024,
    /* From one address: a flood of idle connections from one client cannot take every slot.
       Behind a reverse proxy every connection comes from the proxy; raise it there. */
    HTTP_SERVER_CONNECTIONS_PER_ADDRESS_MAX = 256,
    HTTP_SERVER_LOG_LINES_PER_S = 5,                /* libmicrohttpd's complaints, then a count */
    HTTP_SERVER_TIMEOUT_S_DEFAULT = 10,             /* idle connection */
    HTTP_SERVER_BODY_DEADLINE_S_DEFAULT = 60,
    HTTP_SERVER_SWEEP_MS = 250,                     /* how often deadlines are checked */
    HTTP_SERVER_RESPONSE_HEADERS_MAX = 16,          /* extra headers on one response */
    HTTP_SERVER_HEADER_VALUE_MAX = 512,
    HTTP_SERVER_PATH_MAX = 2048,
    HTTP_SERVER_METHOD_MAX = 16,
};

typedef struct http_server http_server_t;
typedef struct http_req http_req_t;

typedef struct {
    const char *host;                /* numeric IPv4 address, e.g. "127.0.0.1" */
    int port;                        /* 0: any free port (see http_server_port) */
    unsigned timeout_s;              /* idle connection timeout; 0: default */
    unsigned header_deadline_s;      /* complete headers within; 0: timeout_s */
    unsigned body_deadline_s;        /* complete body within, after the headers; 0: default */
    unsigned connections_max;        /* 0: HTTP_SERVER_CONNECTIONS_MAX */
    unsigned connections_per_address; /* 0: HTTP_SERVER_CONNECTIONS_PER_ADDRESS_MAX */
} http_server_config_t;

typedef struct {
    /* Called on the loop thread once the whole request is in (or, when the body exceeded its
       limit, as soon as that is known: then http_req_body_exceeded() is true and the handler
       must respond before returning). Otherwise the handler calls http_req_respond() exactly
       once, now or later, from the loop thread. */
    void (*handle)(void *arg, http_req_t *req);
    /* Called once the headers are in: the largest body accepted for this request. */
    size_t (*body_limit)(void *arg, const char *method, const char *path);
    void *arg;
} http_server_handlers_t;

/* Binds and starts serving on `loop`. Returns NULL and sets *err (negative) on failure. The
   handlers struct is copied. */
http_server_t *http_server_new(uv_loop_t *loop, const http_server_config_t *config,
                               const http_server_handlers_t *handlers, int *err);

/* Answers every request still waiting for its handler with 503 (after calling its cancel
   hook), resumes those connections, stops MHD and closes the uv handles. The memory is
   released by the loop's close callbacks, so the loop must run once more afterwards. */
void http_server_destroy(http_server_t **self_p);

/* The bound port (useful when config.port was 0). */
int http_server_port(const http_server_t *self);
/* Open connections right now. */
unsigned http_server_connections(const http_server_t *self);
/* Connections cut off because their headers or body did not arrive in time. */
uint64_t http_server_cut_off(const http_server_t *self);

/* --- one request; every pointer returned is owned by the request and valid until it is
       answered (http_req_respond) or cancelled --- */
const char *http_req_method(const http_req_t *req);
const char *http_req_path(const http_req_t *req);          /* without the query string */
const char *http_req_header(const http_req_t *req, const char *name);   /* NULL when absent */
const char *http_req_query(const http_req_t *req, const char *name);    /* NULL when absent */
/* Calls fn for each query argument in order; stops when fn returns non-zero, and returns that
   value (0 when all were visited). Values are URL-decoded; a valueless `?a` gives "". */
int http_req_query_each(const http_req_t *req,
                        int (*fn)(void *arg, const char *name, const char *value), void *arg);
const uint8_t *http_req_body(const http_req_t *req, size_t *len);
bool http_req_body_exceeded(const http_req_t *req);
/* The client's source address, numeric ("127.0.0.2"), into buf; "" when unknown. */
void http_req_peer_address(const http_req_t *req, char *buf, size_t size);
size_t http_req_body_limit(const http_req_t *req);
/* A process-unique number (the audit trail's request number). */
uint64_t http_req_id(const http_req_t *req);
/* The request id of logs and the X-Request-Id answer: the caller's when sane (log.h), else a
   random one. */
const char *http_req_request_id(const http_req_t *req);

/* Adds a response header (copied). Returns 0, or -ENOSPC beyond HTTP_SERVER_RESPONSE_HEADERS_MAX. */
int http_req_add_header(http_req_t *req, const char *name, const char *value);
/* Drops the headers added so far but Connection (a "close" must stay): for an answer replaced
   by an error, which must not carry the first answer's cookie or Location. */
void http_req_drop_headers(http_req_t *req);

/* Answers the request (the body is copied) and resumes the connection when it was waiting.
   `req` must not be used afterwards. */
void http_req_respond(http_req_t *req, int status, const char *content_type,
                      const void *body, size_t len);

/* --- a detached request: one that did not come over a connection, for fuzzers and tests. It
       goes through what a request from libmicrohttpd goes through after MHD has parsed it
       (the request id, the framing check, the body limit, the handler), with the query string
       cut and decoded as MHD does it and the path decoded by the same unescape --- */
typedef struct { const char *name, *value; } http_pair_t;    /* value NULL: "?a" without '=' */
typedef struct {
    const char *method, *url, *query;       /* url: the path as sent; query: after '?', or NULL */
    const http_pair_t *headers;
    int header_count;
    const uint8_t *body;
    size_t body_len;
} http_detached_t;
/* Everything is copied. The handler is called before this returns (unless the framing is
   refused); it may answer then or later, from the loop. */
http_req_t *http_req_detached(const http_detached_t *d, const http_server_handlers_t *h,
                              uint64_t id);
/* True once answered, with the answer (owned by the request). */
bool http_req_answered(const http_req_t *req, int *status, const char **content_type,
                       const char **body, size_t *len);
/* A header the answer carries (http_req_add_header), or NULL. */
const char *http_req_answer_header(const http_req_t *req, const char *name);
/* Frees it; one not answered yet is cancelled first (its hook is called), as when a client
   goes away. */
void http_req_detached_free(http_req_t **req_p);

/* The HTTP status that answers an operating error code of error.h, decided here once:
   ERR_REJECTED and ERR_INVALID_PATH 400, ERR_UNAUTHENTICATED and ERR_INVALID_CREDENTIALS 401,
   ERR_FORBIDDEN 403, ERR_NOT_FOUND 404, ERR_METHOD_NOT_ALLOWED 405, ERR_EXISTS 409, ERR_RULE
   422, ERR_LOCKED and ERR_THROTTLED 429, ERR_BAD_REPLY 502, ERR_UNAVAILABLE, ERR_OVERLOADED,
   ERR_BUSY and ERR_SHUTTING_DOWN 503, ERR_TIMEOUT 504; 200 for 0 and 500 for anything else
   (a store failure, a negated errno). A bus reply's typed error has its own mapping
   (envelope_http_status). */
int http_status_of_error(int code);

/* Called when the request goes away before it was answered (client gone, server stopping);
   `req` is invalid after the hook returns. One hook per request; NULL removes it. */
void http_req_on_cancel(http_req_t *req, void (*fn)(void *arg), void *arg);

#endif
