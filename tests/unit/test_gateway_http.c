/* http: what the gateway relies on from its HTTP server — a request reaches the handler with
   its method, path, query, headers and body; an answer may be given at once or later (the
   connection waits); extra response headers go out; a body over the per-request limit is
   refused with the handler told so, before the body is read; destroying the server answers a
   waiting request with 503 and calls its cancel hook. The client is a plain socket in a thread,
   so the server's loop runs here undisturbed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../services/gateway/http.h"
#include "unit.h"

enum { RESPONSE_MAX = 8192, LIMIT = 64 };

typedef struct {
    uv_loop_t loop;
    http_server_t *server;
    /* what the handler saw */
    int calls;
    char method[16], path[128], query_a[32], header[64], body[256];
    bool exceeded;
    http_req_t *held;              /* a request answered later */
    bool hold, cancelled;
    /* the client thread */
    pthread_t thread;
    char request[1024];
    char response[RESPONSE_MAX];
    atomic_bool client_done;
} fixture_t;

static size_t body_limit(void *arg, const char *method, const char *path) {
    (void) arg;
    (void) method;
    (void) path;
    return LIMIT;
}

static void on_cancel(void *arg) { ((fixture_t *) arg)->cancelled = true; }

static void handle(void *arg, http_req_t *req) {
    fixture_t *f = arg;
    f->calls++;
    snprintf(f->method, sizeof f->method, "%s", http_req_method(req));
    snprintf(f->path, sizeof f->path, "%s", http_req_path(req));
    const char *a = http_req_query(req, "a");
    snprintf(f->query_a, sizeof f->query_a, "%s", a ? a : "(none)");
    const char *h = http_req_header(req, "X-Thing");
    snprintf(f->header, sizeof f->header, "%s", h ? h : "(none)");
    size_t len = 0;
    const uint8_t *body = http_req_body(req, &len);
    snprintf(f->body, sizeof f->body, "%.*s", (int) len, body ? (const char *) body : "");
    f->exceeded = http_req_body_exceeded(req);
    if (f->exceeded) {
        http_req_respond(req, 413, "text/plain", "too big", 7);
        return;
    }
    if (f->hold) {                 /* answered later, by the test */
        f->held = req;
        http_req_on_cancel(req, on_cancel, f);
        return;
    }
    assert_int_equal(http_req_add_header(req, "X-Answer", "42"), 0);
    http_req_respond(req, 201, "application/json", "{\"ok\":true}", 11);
}

static int setup(void **state) {
    fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(uv_loop_init(&f->loop), 0);
    http_server_config_t c = { .host = "127.0.0.1", .port = 0 };
    http_server_handlers_t h = { .handle = handle, .body_limit = body_limit, .arg = f };
    int err = 0;
    f->server = http_server_new(&f->loop, &c, &h, &err);
    assert_non_null(f->server);
    assert_true(http_server_port(f->server) > 0);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture_t *f = *state;
    http_server_destroy(&f->server);
    unit_close_loop(&f->loop);
    free(f);
    return 0;
}

/* ---- the client: sends f->request whole, reads until the server closes ---- */

static void *client_main(void *arg) {
    fixture_t *f = arg;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET };
    a.sin_port = htons((uint16_t) http_server_port(f->server));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    size_t got = 0;
    if (fd >= 0 && connect(fd, (struct sockaddr *) &a, sizeof a) == 0) {
        size_t len = strlen(f->request), sent = 0;
        while (sent < len) {
            ssize_t n = send(fd, f->request + sent, len - sent, MSG_NOSIGNAL);
            if (n <= 0) break;
            sent += (size_t) n;
        }
        ssize_t n;
        while (got < RESPONSE_MAX - 1 &&
               (n = recv(fd, f->response + got, RESPONSE_MAX - 1 - got, 0)) > 0)
            got += (size_t) n;
    }
    f->response[got] = '\0';
    if (fd >= 0) close(fd);
    atomic_store(&f->client_done, true);
    return NULL;
}

static void client_start(fixture_t *f, const char *request) {
    snprintf(f->request, sizeof f->request, "%s", request);
    atomic_store(&f->client_done, false);
    assert_int_equal(pthread_create(&f->thread, NULL, client_main, f), 0);
}

static bool client_finished(void *arg) { return atomic_load(&((fixture_t *) arg)->client_done); }
static bool handler_called(void *arg) { return ((fixture_t *) arg)->calls > 0; }

static void client_wait(fixture_t *f) {
    assert_true(unit_run_until(&f->loop, client_finished, f, 5000));
    assert_int_equal(pthread_join(f->thread, NULL), 0);
}

/* ---- tests ---- */

static void a_request_reaches_the_handler_whole_and_gets_its_answer(void **state) {
    fixture_t *f = *state;
    client_start(f, "POST /api/v1/things?a=b%20c&z HTTP/1.1\r\nHost: x\r\nX-Thing: seven\r\n"
                    "Content-Type: application/json\r\nContent-Length: 9\r\n"
                    "Connection: close\r\n\r\n{\"n\":123}");
    client_wait(f);
    assert_int_equal(f->calls, 1);
    assert_string_equal(f->method, "POST");
    assert_string_equal(f->path, "/api/v1/things");
    assert_string_equal(f->query_a, "b c");
    assert_string_equal(f->header, "seven");
    assert_string_equal(f->body, "{\"n\":123}");
    assert_false(f->exceeded);
    assert_non_null(strstr(f->response, "HTTP/1.1 201"));
    assert_non_null(strstr(f->response, "X-Answer: 42"));
    assert_non_null(strstr(f->response, "{\"ok\":true}"));
}

static void a_body_over_the_limit_is_refused_and_the_handler_told(void **state) {
    fixture_t *f = *state;
    char req[512];
    snprintf(req, sizeof req, "POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n"
                              "Connection: close\r\n\r\n", LIMIT + 1);
    client_start(f, req);           /* announces more than the limit, sends none of it */
    client_wait(f);
    assert_int_equal(f->calls, 1);
    assert_true(f->exceeded);
    assert_non_null(strstr(f->response, "HTTP/1.1 413"));
}

static bool held(void *arg) { return ((fixture_t *) arg)->held != NULL; }

static void an_answer_given_later_reaches_the_waiting_client(void **state) {
    fixture_t *f = *state;
    f->hold = true;
    client_start(f, "GET /slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_true(unit_run_until(&f->loop, held, f, 5000));
    unit_run_for(&f->loop, 50);
    assert_false(atomic_load(&f->client_done));     /* still waiting for its answer */
    http_req_respond(f->held, 200, "text/plain", "late", 4);
    f->held = NULL;
    client_wait(f);
    assert_non_null(strstr(f->response, "HTTP/1.1 200"));
    assert_non_null(strstr(f->response, "late"));
    assert_false(f->cancelled);
}

static void stopping_answers_a_waiting_request_with_503_and_cancels_it(void **state) {
    fixture_t *f = *state;
    f->hold = true;
    client_start(f, "GET /slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_true(unit_run_until(&f->loop, held, f, 5000));
    assert_true(handler_called(f));
    http_server_destroy(&f->server);
    assert_true(f->cancelled);
    client_wait(f);
    assert_non_null(strstr(f->response, "HTTP/1.1 503"));
}

static void each_error_code_has_one_http_status(void **state) {
    (void) state;
    static const struct { int code, status; } table[] = {
        { 0, 200 },
        { ERR_REJECTED, 400 }, { ERR_INVALID_PATH, 400 },
        { ERR_UNAUTHENTICATED, 401 }, { ERR_INVALID_CREDENTIALS, 401 },
        { ERR_FORBIDDEN, 403 }, { ERR_NOT_FOUND, 404 }, { ERR_METHOD_NOT_ALLOWED, 405 },
        { ERR_EXISTS, 409 }, { ERR_RULE, 422 }, { ERR_LOCKED, 429 }, { ERR_THROTTLED, 429 },
        { ERR_BAD_REPLY, 502 }, { ERR_UNAVAILABLE, 503 }, { ERR_OVERLOADED, 503 },
        { ERR_BUSY, 503 }, { ERR_SHUTTING_DOWN, 503 }, { ERR_TIMEOUT, 504 },
        { ERR_STORE, 500 }, { ERR_MAP_FULL, 500 }, { -EINVAL, 500 }, { -ENOMEM, 500 },
    };
    for (size_t i = 0; i < sizeof table / sizeof *table; i++)
        if (http_status_of_error(table[i].code) != table[i].status)
            fail_msg("%s: %d, not %d", error_name(table[i].code),
                     http_status_of_error(table[i].code), table[i].status);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void) {
    unit_quiet_logs("test_gateway_http");
    const struct CMUnitTest tests[] = {
        T(a_request_reaches_the_handler_whole_and_gets_its_answer),
        T(a_body_over_the_limit_is_refused_and_the_handler_told),
        T(an_answer_given_later_reaches_the_waiting_client),
        T(stopping_answers_a_waiting_request_with_503_and_cancels_it),
        cmocka_unit_test(each_error_code_has_one_http_status),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
