#include "peer_guard.h"
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

typedef struct {
    char address[PEER_GUARD_ADDRESS_MAX];
    unsigned open;
} peer_count_t;

struct peer_guard {
    peer_guard_config_t config;
    uv_loop_t *loop;
    uv_timer_t timer;                 /* ends a window that left lines out */
    bool timer_on;                    /* initialised (only once a line was left out) */
    peer_count_t *peers;              /* addresses with open connections */
    int peer_count, peer_cap;
    char (*by_fd)[PEER_GUARD_ADDRESS_MAX];  /* the address counted for each descriptor */
    int fd_cap;
    uint64_t window_start_ms, left_out, refused;
    unsigned lines;
    char last_left_out[PEER_GUARD_ADDRESS_MAX];
};

peer_guard_config_t peer_guard_config_from_env(void) {
    peer_guard_config_t c = {
        .connections_per_address = (unsigned) config_int("LUMBUNG_BUS_CONNECTIONS_PER_ADDRESS",
                                                         PEER_GUARD_CONNECTIONS_PER_ADDRESS, 1, 1000000),
        .lines_per_window = (unsigned) config_int("LUMBUNG_BUS_PEER_LOG_LINES",
                                                  PEER_GUARD_LINES_PER_WINDOW, 1, 1000000),
        .window_ms = (unsigned) config_int("LUMBUNG_BUS_PEER_LOG_WINDOW_MS", PEER_GUARD_WINDOW_MS,
                                           100, 3600000),
    };
    return c;
}

peer_guard_t *peer_guard_new(uv_loop_t *loop, const peer_guard_config_t *config) {
    peer_guard_t *self = calloc(1, sizeof *self);
    if (!self) abort();
    self->config = *config;
    if (!self->config.connections_per_address)
        self->config.connections_per_address = PEER_GUARD_CONNECTIONS_PER_ADDRESS;
    if (!self->config.lines_per_window) self->config.lines_per_window = PEER_GUARD_LINES_PER_WINDOW;
    if (!self->config.window_ms) self->config.window_ms = PEER_GUARD_WINDOW_MS;
    self->loop = loop;
    self->window_start_ms = uv_now(loop);
    return self;
}

static void guard_free(peer_guard_t *self) {
    free(self->peers);
    free(self->by_fd);
    free(self);
}

static void on_timer_closed(uv_handle_t *h) { guard_free(h->data); }

/* Without a timer (nothing was ever left out) the memory goes at once, so a process that
   fails before its loop runs leaks nothing. */
void peer_guard_destroy(peer_guard_t **self_p) {
    peer_guard_t *self = *self_p;
    if (!self) return;
    *self_p = NULL;
    if (!self->timer_on) { guard_free(self); return; }
    uv_timer_stop(&self->timer);
    uv_close((uv_handle_t *) &self->timer, on_timer_closed);
}

/* ---- counting ---- */

static peer_count_t *peer_find(peer_guard_t *self, const char *address, bool add) {
    for (int i = 0; i < self->peer_count; i++)
        if (!strcmp(self->peers[i].address, address)) return &self->peers[i];
    if (!add) return NULL;
    if (self->peer_count == self->peer_cap) {
        self->peer_cap = self->peer_cap ? self->peer_cap * 2 : 16;
        self->peers = realloc(self->peers, (size_t) self->peer_cap * sizeof *self->peers);
        if (!self->peers) abort();
    }
    peer_count_t *p = &self->peers[self->peer_count++];
    snprintf(p->address, sizeof p->address, "%s", address);
    p->open = 0;
    return p;
}

static bool peer_address(int fd, char *out, size_t size) {
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getpeername(fd, (struct sockaddr *) &ss, &len) != 0) return false;
    const void *a = NULL;
    if (ss.ss_family == AF_INET) a = &((struct sockaddr_in *) &ss)->sin_addr;
    else if (ss.ss_family == AF_INET6) a = &((struct sockaddr_in6 *) &ss)->sin6_addr;
    return a && inet_ntop(ss.ss_family, a, out, (socklen_t) size) != NULL;
}

static void fd_room(peer_guard_t *self, int fd) {
    if (fd < self->fd_cap) return;
    int cap = self->fd_cap ? self->fd_cap : 256;
    while (cap <= fd) cap *= 2;
    self->by_fd = realloc(self->by_fd, (size_t) cap * sizeof *self->by_fd);
    if (!self->by_fd) abort();
    memset(self->by_fd + self->fd_cap, 0, (size_t) (cap - self->fd_cap) * sizeof *self->by_fd);
    self->fd_cap = cap;
}

/* The events come late: the descriptor may already belong to a later connection. Each
   ACCEPTED of a descriptor is followed by its DISCONNECTED before the next ACCEPTED, so
   counting whatever address holds it now still gives every address its own total once all
   queued events are read; and the connection cut is always one of the address over its
   limit, since getpeername() is asked just before. */
bool peer_guard_accepted(peer_guard_t *self, int fd, const char *endpoint) {
    char address[PEER_GUARD_ADDRESS_MAX];
    if (fd < 0 || !peer_address(fd, address, sizeof address)) return false;
    fd_room(self, fd);
    if (self->by_fd[fd][0]) {                  /* never closed as far as we saw: count it off */
        char old[PEER_GUARD_ADDRESS_MAX];
        peer_guard_closed(self, fd, old, sizeof old);
    }
    snprintf(self->by_fd[fd], sizeof self->by_fd[fd], "%s", address);
    peer_count_t *p = peer_find(self, address, true);
    p->open++;
    if (p->open <= self->config.connections_per_address) return false;
    peer_guard_line(self, LOG_WARN, true, address,
                    "bus: refused a connection from %s to %s: %u open from that address "
                    "(limit %u, LUMBUNG_BUS_CONNECTIONS_PER_ADDRESS)", address, endpoint,
                    p->open - 1, self->config.connections_per_address);
    return true;
}

void peer_guard_closed(peer_guard_t *self, int fd, char *address, size_t size) {
    if (size) address[0] = 0;
    if (fd < 0 || fd >= self->fd_cap || !self->by_fd[fd][0]) return;
    snprintf(address, size, "%s", self->by_fd[fd]);
    peer_count_t *p = peer_find(self, self->by_fd[fd], false);
    self->by_fd[fd][0] = 0;
    if (!p || --p->open > 0) return;
    *p = self->peers[--self->peer_count];      /* an address with nothing open is forgotten */
}

unsigned peer_guard_open(const peer_guard_t *self, const char *address) {
    for (int i = 0; i < self->peer_count; i++)
        if (!strcmp(self->peers[i].address, address)) return self->peers[i].open;
    return 0;
}

/* ---- rate-limited lines ---- */

static void window_end(uv_timer_t *t) {
    peer_guard_t *self = t->data;
    if (self->left_out)
        log_warn(0, "bus: %llu more line(s) about peers left out in the last %u ms (the last "
                    "about %s); %llu peer(s) refused since start",
                 (unsigned long long) self->left_out, self->config.window_ms,
                 self->last_left_out[0] ? self->last_left_out : "an unknown address",
                 (unsigned long long) self->refused);
    self->left_out = 0;
    self->lines = 0;
    self->window_start_ms = uv_now(self->loop);
}

void peer_guard_line(peer_guard_t *self, log_level_t level, bool refused, const char *address,
                     const char *fmt, ...) {
    if (refused) self->refused++;
    uint64_t now = uv_now(self->loop);
    if (!self->left_out && now - self->window_start_ms >= self->config.window_ms) {
        self->window_start_ms = now;
        self->lines = 0;
    }
    if (self->lines >= self->config.lines_per_window) {
        self->left_out++;
        snprintf(self->last_left_out, sizeof self->last_left_out, "%s", address ? address : "");
        if (!self->timer_on) {
            uv_timer_init(self->loop, &self->timer);
            self->timer.data = self;
            uv_unref((uv_handle_t *) &self->timer);   /* a pending summary keeps no loop alive */
            self->timer_on = true;
        }
        if (!uv_is_active((uv_handle_t *) &self->timer)) {
            uint64_t end = self->window_start_ms + self->config.window_ms;
            uv_timer_start(&self->timer, window_end, end > now ? end - now : 0, 0);
        }
        return;
    }
    self->lines++;
    if (!log_enabled(level)) return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    log_write(level, 0, "%s", line);
}

uint64_t peer_guard_refused(const peer_guard_t *self) { return self->refused; }
