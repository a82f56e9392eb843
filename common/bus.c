#include "bus.h"
#include "curve.h"
#include "config.h"
#include "log.h"
#include "peer_guard.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct bus {
    uv_loop_t *loop;
    void *ctx;
    zap_t *zap;
    peer_guard_t *guard;            /* per-address connection counts, lines about peers */
    int handshake_ms;               /* ZMQ_HANDSHAKE_IVL of server sockets */
    bool curve;
    char name[CURVE_NAME_MAX];
    char key_dir[512];
    char public_z85[CURVE_KEY_Z85 + 1];
    char secret_z85[CURVE_KEY_Z85 + 1];
    bus_socket_t *sockets;          /* every open socket, for bus_destroy */
};

struct bus_socket {
    bus_t *bus;
    void *zsock;
    int type;
    uv_poll_t poll;
    uv_idle_t idle;                 /* re-checks ZMQ_EVENTS on the next loop turn */
    bus_recv_fn fn;
    void *arg;
    bool closing;
    int handles_open;
    uint64_t dropped;
    bus_socket_t *monitor;          /* a ROUTER's connection monitor (a PAIR), or NULL */
    bus_socket_t *monitored;        /* for a monitor: the socket it watches */
    char endpoint[128];
    bus_socket_t *next, *prev;
};

bus_t *bus_new(uv_loop_t *loop, const bus_config_t *config, int *err) {
    assert(loop && config && config->name && err);
    bus_t *self = calloc(1, sizeof *self);
    if (!self) abort();
    self->loop = loop;
    self->curve = config->curve;
    snprintf(self->name, sizeof self->name, "%s", config->name);
    if (config->key_dir) snprintf(self->key_dir, sizeof self->key_dir, "%s", config->key_dir);
    else curve_key_dir(self->key_dir, sizeof self->key_dir);
    self->ctx = zmq_ctx_new();
    if (!self->ctx) abort();
    peer_guard_config_t gc = peer_guard_config_from_env();
    self->guard = peer_guard_new(loop, &gc);
    self->handshake_ms = (int) config_int("LUMBUNG_BUS_HANDSHAKE_MS", BUS_HANDSHAKE_MS, 100, 600000);
    if (self->curve) {
        int rc = curve_keys_ensure(self->key_dir, self->name, NULL);
        if (rc == 0) rc = curve_keys_load(self->key_dir, self->name, self->public_z85, self->secret_z85);
        curve_allowlist_t *allow = calloc(1, sizeof *allow);
        if (!allow) abort();
        if (rc == 0) rc = curve_allowlist_load(self->key_dir, allow);
        /* ZAP first: a CURVE server socket bound without it would admit anyone. */
        if (rc == 0) self->zap = zap_new(self->ctx, loop, self->key_dir, allow, self->guard, &rc);
        free(allow);
        if (rc != 0) {
            log_error(0, "bus: cannot set up CURVE for %s in %s", self->name, self->key_dir);
            zmq_ctx_term(self->ctx);
            peer_guard_destroy(&self->guard);
            free(self);
            *err = rc;
            return NULL;
        }
    }
    return self;
}

void bus_destroy(bus_t **self_p) {
    bus_t *self = *self_p;
    if (!self) return;
    while (self->sockets) {
        bus_socket_t *s = self->sockets;
        bus_socket_destroy(&s);
    }
    zap_destroy(&self->zap);
    peer_guard_destroy(&self->guard);
    zmq_ctx_term(self->ctx);
    free(self);
    *self_p = NULL;
}

uv_loop_t *bus_loop(bus_t *self) { return self->loop; }
const char *bus_name(const bus_t *self) { return self->name; }
const curve_peer_t *bus_peer(const bus_t *self, const char *peer) {
    if (!self->zap || !peer || !*peer) return NULL;
    return zap_peer(self->zap, peer);
}

bool bus_curve(const bus_t *self) { return self->curve; }

uint64_t bus_auth_refused(const bus_t *self) { return self->zap ? zap_refused(self->zap) : 0; }

const char *bus_peer_role(const bus_t *self, const char *peer) {
    if (!self->zap || !peer || !*peer) return NULL;
    return zap_peer_role(self->zap, peer);
}

/* Reads one whole multipart message. Returns 1 when one was read, 0 when none was waiting.
   A message of more than BUS_FRAMES_MAX frames or more than BUS_MESSAGE_MAX bytes in all is
   still read to its end (the frames belong to it), but every frame past the limit is released
   as soon as it is read and the whole message is dropped (msg->count is 0), so an oversized
   message never reaches a handler and nothing of it is kept. libzmq itself delivers a
   multipart message only once all of it has arrived, and ZMQ_MAXMSGSIZE bounds each frame,
   not their sum: what it buffered is freed here, frame by frame (see docs/bus.md). */
static int read_message(bus_socket_t *s, bus_msg_t *msg) {
    msg->count = 0;
    msg->peer = msg->peer_key = "";
    int more = 1, frames = 0;
    size_t total = 0;
    bool over = false;
    char peer[CURVE_NAME_MAX] = "";
    while (more) {
        zmq_msg_t scratch;
        zmq_msg_t *m = over || msg->count == BUS_FRAMES_MAX ? &scratch : &msg->frames[msg->count];
        zmq_msg_init(m);
        if (zmq_msg_recv(m, s->zsock, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(m);
            for (int i = 0; i < msg->count; i++) zmq_msg_close(&msg->frames[i]);
            msg->count = 0;
            return 0;
        }
        more = zmq_msg_more(m);
        frames++;
        total += zmq_msg_size(m);
        if (!over && (frames > BUS_FRAMES_MAX || total > BUS_MESSAGE_MAX)) {
            over = true;                 /* from now on nothing is kept */
            const char *uid = zmq_msg_gets(m, "User-Id");
            snprintf(peer, sizeof peer, "%s", uid ? uid : "");
            for (int i = 0; i < msg->count; i++) zmq_msg_close(&msg->frames[i]);
            msg->count = 0;
        }
        if (over) zmq_msg_close(m);
        else msg->count++;        /* frames <= BUS_FRAMES_MAX here, so m was a kept frame */
    }
    if (over) {
        s->dropped++;
        log_warn(0, "bus: dropped a message of %d frames and %zu bytes from '%s' (at most %d "
                 "frames and %d bytes)", frames, total, peer, BUS_FRAMES_MAX, BUS_MESSAGE_MAX);
        return 1;
    }
    const char *uid = zmq_msg_gets(&msg->frames[msg->count - 1], "User-Id");
    if (uid) msg->peer = uid;
    const char *key = zmq_msg_gets(&msg->frames[msg->count - 1], "Key");
    if (key) msg->peer_key = key;
    return 1;
}

static void schedule_check(bus_socket_t *s);

/* ZMQ_FD is edge-triggered: read until no input is left, bounded per turn. A non-blocking
   receive that finds nothing processes libzmq's pending commands before it says EAGAIN, so it
   leaves the descriptor exactly as a ZMQ_EVENTS check would. Reading without asking
   ZMQ_EVENTS first saves a poll() system call per message: ZMQ_EVENTS processes commands every
   time, a receive only every hundredth message while messages are waiting. */
static void drain(bus_socket_t *s) {
    bus_msg_t msg;
    for (int i = 0; i < BUS_DRAIN_MAX && !s->closing; i++) {
        if (!read_message(s, &msg)) return;
        if (msg.count == 0) continue;
        s->fn(s, &msg, s->arg);
        for (int f = 0; f < msg.count; f++) zmq_msg_close(&msg.frames[f]);
    }
    if (!s->closing) schedule_check(s);
}

static void on_poll(uv_poll_t *handle, int status, int events) { drain(handle->data); }

static void on_idle(uv_idle_t *handle) {
    bus_socket_t *s = handle->data;
    uv_idle_stop(handle);
    drain(s);
}

static void schedule_check(bus_socket_t *s) {
    if (!s->closing && !uv_is_active((uv_handle_t *) &s->idle)) uv_idle_start(&s->idle, on_idle);
}

static int set_int(void *zsock, int option, int value) {
    return zmq_setsockopt(zsock, option, &value, sizeof value);
}

static int common_options(void *z, int type, const bus_socket_opts_t *opts) {
    int64_t maxmsg = BUS_MESSAGE_MAX;
    int rc = 0;
    rc |= set_int(z, ZMQ_LINGER, BUS_LINGER_MS);
    rc |= set_int(z, ZMQ_SNDHWM, opts && opts->sndhwm ? opts->sndhwm : BUS_HWM_DEFAULT);
    rc |= set_int(z, ZMQ_RCVHWM, opts && opts->rcvhwm ? opts->rcvhwm : BUS_HWM_DEFAULT);
    rc |= zmq_setsockopt(z, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
    rc |= set_int(z, ZMQ_HEARTBEAT_IVL, BUS_HEARTBEAT_MS);
    rc |= set_int(z, ZMQ_HEARTBEAT_TIMEOUT, BUS_HEARTBEAT_MS * 3);
    rc |= set_int(z, ZMQ_HEARTBEAT_TTL, BUS_HEARTBEAT_MS * 3);
    rc |= set_int(z, ZMQ_RECONNECT_IVL, 100);
    rc |= set_int(z, ZMQ_RECONNECT_IVL_MAX, 2000);
    if (type == ZMQ_ROUTER) rc |= set_int(z, ZMQ_ROUTER_MANDATORY, 1);
    if (type == ZMQ_DEALER && opts && opts->immediate) rc |= set_int(z, ZMQ_IMMEDIATE, 1);
    if (type == ZMQ_SUB) {
        const char *prefix = opts && opts->subscribe ? opts->subscribe : "";
        rc |= zmq_setsockopt(z, ZMQ_SUBSCRIBE, prefix, strlen(prefix));
    }
    return rc == 0 ? 0 : -errno;
}

static bus_socket_t *socket_start(bus_t *self, void *z, int type, bus_recv_fn fn, void *arg,
                                  int *err) {
    int fd;
    size_t fdsz = sizeof fd;
    if (zmq_getsockopt(z, ZMQ_FD, &fd, &fdsz) != 0) {
        *err = -errno;
        zmq_close(z);
        return NULL;
    }
    bus_socket_t *s = calloc(1, sizeof *s);
    if (!s) abort();
    s->bus = self;
    s->zsock = z;
    s->type = type;
    s->fn = fn;
    s->arg = arg;
    uv_poll_init(self->loop, &s->poll, fd);
    uv_idle_init(self->loop, &s->idle);
    s->poll.data = s->idle.data = s;
    s->handles_open = 2;
    if (fn) uv_poll_start(&s->poll, UV_READABLE, on_poll);
    s->next = self->sockets;
    if (self->sockets) self->sockets->prev = s;
    self->sockets = s;
    /* Messages may already be queued before the first edge; look once. */
    if (fn) schedule_check(s);
    return s;
}

/* A server socket's connection events: each accepted connection is counted under its peer
   address and cut when that address is over its limit (peer_guard.h), and a peer cut off by
   libzmq (for a frame over ZMQ_MAXMSGSIZE, say, which libzmq drops without telling the
   application) leaves a line in the log. ZAP refusals are logged by the ZAP handler. */
enum { MONITOR_EVENTS = ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED |
                        ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL };

static void on_monitor(bus_socket_t *m, bus_msg_t *msg, void *arg) {
    if (msg->count < 1 || zmq_msg_size(&msg->frames[0]) < 6 || !m->monitored) return;
    uint16_t event;
    uint32_t value;
    memcpy(&event, zmq_msg_data(&msg->frames[0]), sizeof event);
    memcpy(&value, (const char *) zmq_msg_data(&msg->frames[0]) + 2, sizeof value);
    const char *where = m->monitored->endpoint;
    peer_guard_t *g = m->bus->guard;
    char address[PEER_GUARD_ADDRESS_MAX] = "";
    if (event == ZMQ_EVENT_ACCEPTED) {
        /* shutdown, not close: the descriptor stays libzmq's, which sees the end and drops it */
        if (peer_guard_accepted(g, (int) value, where)) shutdown((int) value, SHUT_RDWR);
    } else if (event == ZMQ_EVENT_DISCONNECTED) {
        peer_guard_closed(g, (int) value, address, sizeof address);
        peer_guard_line(g, LOG_INFO, false, address, "bus: a peer %s%sof %s disconnected (gone, or "
                        "it broke a limit such as the %d-byte maximum message size)",
                        address, address[0] ? " " : "", where, BUS_MESSAGE_MAX);
    } else {
        peer_guard_line(g, LOG_WARN, true, "", "bus: a peer of %s failed the handshake "
                        "(event 0x%x, error 0x%x)", where, event, value);
    }
}

static void monitor_start(bus_socket_t *s, const char *endpoint) {
    snprintf(s->endpoint, sizeof s->endpoint, "%s", endpoint);
    char inproc[64];
    snprintf(inproc, sizeof inproc, "inproc://lumbung-monitor-%p", (void *) s);
    if (zmq_socket_monitor(s->zsock, inproc, MONITOR_EVENTS) != 0) return;
    void *pair = zmq_socket(s->bus->ctx, ZMQ_PAIR);
    int err = 0;
    if (!pair || set_int(pair, ZMQ_LINGER, 0) != 0 || zmq_connect(pair, inproc) != 0) {
        if (pair) zmq_close(pair);
        log_warn(0, "bus: no connection monitor for %s", endpoint);
        return;
    }
    s->monitor = socket_start(s->bus, pair, ZMQ_PAIR, on_monitor, NULL, &err);
    if (s->monitor) s->monitor->monitored = s;
}

/* A ZeroMQ socket of `type` with the options every bus socket has; *rc is 0 or the first
   error of setting them (the caller still owns and closes the socket then). */
static void *socket_new(bus_t *self, int type, const bus_socket_opts_t *opts, int *rc) {
    void *z = zmq_socket(self->ctx, type);
    if (!z) abort();
    *rc = common_options(z, type, opts);
    /* A connection that never finishes its handshake is dropped instead of kept for ever. */
    if (*rc == 0 && set_int(z, ZMQ_HANDSHAKE_IVL, self->handshake_ms) != 0) *rc = -errno;
    return z;
}

bus_socket_t *bus_bind(bus_t *self, int type, const char *endpoint, const bus_socket_opts_t *opts,
                       bus_recv_fn fn, void *arg, int *err) {
    assert(self && endpoint && err);
    int rc;
    void *z = socket_new(self, type, opts, &rc);
    if (rc == 0 && self->curve) {
        rc |= set_int(z, ZMQ_CURVE_SERVER, 1);
        rc |= zmq_setsockopt(z, ZMQ_CURVE_SECRETKEY, self->secret_z85, CURVE_KEY_Z85);
        /* The event streams have a domain of their own: ZAP keeps scoped integrators off them. */
        const char *domain = type == ZMQ_PUB ? CURVE_DOMAIN_PUB : "lumbung";
        rc |= zmq_setsockopt(z, ZMQ_ZAP_DOMAIN, domain, strlen(domain));
        if (rc) rc = -errno;
    }
    if (rc == 0 && zmq_bind(z, endpoint) != 0) rc = -errno;
    if (rc != 0) {
        log_error(0, "bus: cannot bind %s: %s", endpoint, zmq_strerror(-rc));
        zmq_close(z);
        *err = rc;
        return NULL;
    }
    bus_socket_t *s = socket_start(self, z, type, fn, arg, err);
    if (s && (type == ZMQ_ROUTER || type == ZMQ_PUB)) monitor_start(s, endpoint);
    return s;
}

bus_socket_t *bus_connect(bus_t *self, int type, const char *endpoint, const char *server_name,
                          const bus_socket_opts_t *opts, bus_recv_fn fn, void *arg, int *err) {
    assert(self && endpoint && err);
    int rc;
    void *z = socket_new(self, type, opts, &rc);
    if (rc == 0 && self->curve) {
        char server_pub[CURVE_KEY_Z85 + 1];
        rc = curve_keys_load(self->key_dir, server_name, server_pub, NULL);
        if (rc != 0) {
            log_error(0, "bus: no public key for %s in %s", server_name, self->key_dir);
        } else if (zmq_setsockopt(z, ZMQ_CURVE_SERVERKEY, server_pub, CURVE_KEY_Z85) ||
                   zmq_setsockopt(z, ZMQ_CURVE_PUBLICKEY, self->public_z85, CURVE_KEY_Z85) ||
                   zmq_setsockopt(z, ZMQ_CURVE_SECRETKEY, self->secret_z85, CURVE_KEY_Z85)) {
            rc = -errno;
        }
    }
    if (rc == 0 && zmq_connect(z, endpoint) != 0) rc = -errno;
    if (rc != 0) {
        log_error(0, "bus: cannot connect to %s: %s", endpoint, rc == -ENOENT ? "missing key" : zmq_strerror(-rc));
        zmq_close(z);
        *err = rc;
        return NULL;
    }
    return socket_start(self, z, type, fn, arg, err);
}

static void on_handle_closed(uv_handle_t *h) {
    bus_socket_t *s = h->data;
    if (--s->handles_open == 0) free(s);
}

void bus_socket_destroy(bus_socket_t **socket_p) {
    bus_socket_t *s = *socket_p;
    if (!s) return;
    *socket_p = NULL;
    if (s->monitor) {                /* the monitor first: it reads events of this socket */
        zmq_socket_monitor(s->zsock, NULL, 0);
        bus_socket_t *m = s->monitor;
        bus_socket_destroy(&m);
    }
    if (s->monitored) s->monitored->monitor = NULL;
    s->closing = true;
    /* Stop polling before zmq_close: the fd belongs to libzmq and dies with the socket. */
    uv_poll_stop(&s->poll);
    uv_idle_stop(&s->idle);
    zmq_close(s->zsock);
    if (s->prev) s->prev->next = s->next;
    else s->bus->sockets = s->next;
    if (s->next) s->next->prev = s->prev;
    uv_close((uv_handle_t *) &s->poll, on_handle_closed);
    uv_close((uv_handle_t *) &s->idle, on_handle_closed);
}

int bus_send(bus_socket_t *s, const void *const *data, const size_t *sizes, int count) {
    assert(s && !s->closing && count > 0);
    int rc = 0;
    for (int i = 0; i < count; i++) {
        int flags = ZMQ_DONTWAIT | (i + 1 < count ? ZMQ_SNDMORE : 0);
        if (zmq_send(s->zsock, data[i], sizes[i], flags) < 0) {
            rc = -errno;
            break;
        }
    }
    /* A send can consume the edge that announced pending input: look again next turn. */
    if (s->fn) schedule_check(s);
    return rc;
}

uint64_t bus_socket_dropped(const bus_socket_t *s) { return s->dropped; }
