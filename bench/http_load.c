/*  http_load — a closed-loop HTTP/1.1 load generator for `make bench` (bench/bench.py).

    CONNECTIONS keep-alive connections to 127.0.0.1:PORT, each sending one request and waiting
    for its whole answer before the next, for SECONDS. Prints one line of key=value figures:
    requests, ok (2xx), failed, rps, p50_ms, p99_ms. A `%u` in the Idempotency-Key template is
    replaced by a number unique to the request, so every deposit is a new one.

        http_load PORT CONNECTIONS SECONDS METHOD PATH [TOKEN [BODY [KEY_TEMPLATE]]]

    Not a test: it never fails on timing; it exits 1 only when it could not connect at all. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { CONN_MAX = 512, REQ_MAX = 8192, RESP_MAX = 65536, LAT_MAX = 4 * 1024 * 1024 };

typedef struct {
    int fd;
    char req[REQ_MAX];
    size_t req_len, req_sent;
    char resp[RESP_MAX];
    size_t resp_len;
    uint64_t sent_ns;
} conn_t;

typedef struct {
    const char *method, *path, *token, *body, *key_template;
    unsigned next_key;
    uint64_t requests, ok, failed;
    uint64_t *lat;
    size_t lat_count;
} load_t;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
    return x < y ? -1 : x > y;
}

static int dial(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t) port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *) &a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void build_request(load_t *l, conn_t *c) {
    char key[128] = "";
    if (l->key_template && *l->key_template) {
        char k[96];
        snprintf(k, sizeof k, l->key_template, l->next_key++);
        snprintf(key, sizeof key, "Idempotency-Key: %s\r\n", k);
    }
    char auth[600] = "";
    if (l->token && *l->token) snprintf(auth, sizeof auth, "Authorization: Bearer %s\r\n", l->token);
    size_t body_len = l->body ? strlen(l->body) : 0;
    int n = snprintf(c->req, sizeof c->req,
                     "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s%s"
                     "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                     l->method, l->path, auth, key, body_len, body_len ? l->body : "");
    c->req_len = n > 0 && (size_t) n < sizeof c->req ? (size_t) n : 0;
    c->req_sent = 0;
    c->resp_len = 0;
    c->sent_ns = now_ns();
}

/* The length of a complete answer at the start of resp, or 0 while it is incomplete. */
static size_t complete_length(const conn_t *c, int *status) {
    const char *end = memmem(c->resp, c->resp_len, "\r\n\r\n", 4);
    if (!end) return 0;
    size_t head = (size_t) (end - c->resp) + 4, body = 0;
    const char *cl = memmem(c->resp, head, "Content-Length:", 15);
    if (!cl) cl = memmem(c->resp, head, "content-length:", 15);
    if (cl) body = strtoul(cl + 15, NULL, 10);
    if (c->resp_len < head + body) return 0;
    *status = c->resp_len > 12 ? atoi(c->resp + 9) : 0;
    return head + body;
}

/* Reads what arrived; on a complete answer counts it and sends the next request. Returns -1
   when the connection failed. */
static int on_readable(load_t *l, conn_t *c, uint64_t end_ns) {
    ssize_t n = read(c->fd, c->resp + c->resp_len, sizeof c->resp - c->resp_len);
    if (n <= 0) return -1;
    c->resp_len += (size_t) n;
    int status = 0;
    size_t len = complete_length(c, &status);
    if (len == 0) return c->resp_len < sizeof c->resp ? 0 : -1;
    l->requests++;
    if (status >= 200 && status < 300) l->ok++;
    else if (l->failed++ < 3) fprintf(stderr, "http_load: %.*s\n", (int) (len < 300 ? len : 300), c->resp);
    if (l->lat_count < LAT_MAX) l->lat[l->lat_count++] = now_ns() - c->sent_ns;
    if (now_ns() >= end_ns) return 1;
    build_request(l, c);
    return 0;
}

static int on_writable(conn_t *c) {
    ssize_t n = write(c->fd, c->req + c->req_sent, c->req_len - c->req_sent);
    if (n < 0) return errno == EAGAIN ? 0 : -1;
    c->req_sent += (size_t) n;
    return 0;
}

static void run(load_t *l, conn_t *conns, int count, uint64_t end_ns) {
    struct pollfd pfd[CONN_MAX];
    int open = count;
    while (open > 0) {
        for (int i = 0; i < count; i++) {
            pfd[i].fd = conns[i].fd;
            pfd[i].events = conns[i].req_sent < conns[i].req_len ? POLLOUT : POLLIN;
        }
        if (poll(pfd, (nfds_t) count, 1000) < 0 && errno != EINTR) break;
        for (int i = 0; i < count; i++) {
            conn_t *c = &conns[i];
            if (c->fd < 0 || !pfd[i].revents) continue;
            int rc = (pfd[i].revents & POLLOUT) ? on_writable(c) : on_readable(l, c, end_ns);
            if (rc != 0) {
                if (rc < 0) l->failed++;
                close(c->fd);
                c->fd = -1;
                open--;
            }
        }
        if (now_ns() > end_ns + 30000000000u) break;     /* a stuck answer: give up */
    }
}

int main(int argc, char **argv) {
    if (argc < 6) {
        fprintf(stderr, "usage: http_load PORT CONNECTIONS SECONDS METHOD PATH [TOKEN [BODY [KEY]]]\n");
        return 2;
    }
    int port = atoi(argv[1]), count = atoi(argv[2]);
    double seconds = atof(argv[3]);
    if (count < 1 || count > CONN_MAX) count = count < 1 ? 1 : CONN_MAX;
    static load_t l;
    l.method = argv[4];
    l.path = argv[5];
    l.token = argc > 6 ? argv[6] : NULL;
    l.body = argc > 7 ? argv[7] : NULL;
    l.key_template = argc > 8 ? argv[8] : NULL;
    l.lat = malloc(LAT_MAX * sizeof *l.lat);
    static conn_t conns[CONN_MAX];
    for (int i = 0; i < count; i++) {
        conns[i].fd = dial(port);
        if (conns[i].fd < 0) {
            fprintf(stderr, "http_load: cannot connect to 127.0.0.1:%d\n", port);
            return 1;
        }
    }
    uint64_t start = now_ns(), end_ns = start + (uint64_t) (seconds * 1e9);
    for (int i = 0; i < count; i++) build_request(&l, &conns[i]);
    run(&l, conns, count, end_ns);
    double elapsed = (double) (now_ns() - start) / 1e9;
    qsort(l.lat, l.lat_count, sizeof *l.lat, cmp_u64);
    double p50 = l.lat_count ? (double) l.lat[(size_t) (0.50 * (double) (l.lat_count - 1))] / 1e6 : 0;
    double p99 = l.lat_count ? (double) l.lat[(size_t) (0.99 * (double) (l.lat_count - 1))] / 1e6 : 0;
    printf("requests=%llu ok=%llu failed=%llu rps=%.0f p50_ms=%.3f p99_ms=%.3f\n",
           (unsigned long long) l.requests, (unsigned long long) l.ok,
           (unsigned long long) l.failed, (double) l.ok / elapsed, p50, p99);
    free(l.lat);
    return 0;
}
