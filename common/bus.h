/*  bus — ZeroMQ sockets driven by a libuv loop, with CURVE and limits always on.

    One bus_t per process owns the zmq context, this process's CURVE keypair and the ZAP
    handler. Sockets are created bound (servers: ROUTER, PUB) or connected (clients: DEALER,
    SUB); every socket gets explicit high-water marks, linger, maximum message size and ZMTP
    heartbeats. Received messages are delivered to a callback on the loop thread.

    ZMQ_FD is edge-triggered: after the poll fires we read until ZMQ_EVENTS no longer shows
    POLLIN, at most BUS_DRAIN_MAX messages per turn (the rest on the next loop iteration, so
    one busy socket cannot starve the loop), and we re-check ZMQ_EVENTS after every send.

    Not for: request/reply bookkeeping (client.h) or service dispatch (service.h). */
#ifndef LUMBUNG_BUS_H
#define LUMBUNG_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>
#include <zmq.h>
#include "curve.h"

enum {
    BUS_FRAMES_MAX = 8,                  /* frames of one message we accept */
    BUS_MESSAGE_MAX = 16 * 1024 * 1024,  /* ZMQ_MAXMSGSIZE; a batch of 8,190 postings fits */
    BUS_HWM_DEFAULT = 100000,
    BUS_DRAIN_MAX = 1024,                /* messages read per poll callback */
    BUS_LINGER_MS = 1000,
    BUS_HEARTBEAT_MS = 2000,
    BUS_HANDSHAKE_MS = 10000,            /* ZMQ_HANDSHAKE_IVL of a server; LUMBUNG_BUS_HANDSHAKE_MS */
};

typedef struct bus bus_t;
typedef struct bus_socket bus_socket_t;

typedef struct {
    int count;
    zmq_msg_t frames[BUS_FRAMES_MAX];
    const char *peer;   /* the ZAP User-Id (allow-list name) of the sender; "" when unknown */
    const char *peer_key;  /* the Z85 key it authenticated with (ZAP metadata "Key"), or "" */
} bus_msg_t;

/* Called on the loop thread for each received message; the message is closed after return. */
typedef void (*bus_recv_fn)(bus_socket_t *socket, bus_msg_t *msg, void *arg);

typedef struct {
    const char *name;       /* this process's key name, e.g. "members" */
    const char *key_dir;    /* NULL: curve_key_dir() */
    bool curve;             /* false only for inproc tests; CURVE is on for every TCP endpoint */
} bus_config_t;

typedef struct {
    int sndhwm, rcvhwm;     /* 0: BUS_HWM_DEFAULT */
    const char *subscribe;  /* SUB only: prefix, "" for everything */
    bool immediate;         /* DEALER: queue only to completed connections (fail fast when down) */
} bus_socket_opts_t;

/* Loads this process's keypair (creating it if missing) and the allow-list, and starts the ZAP
   handler. Returns NULL and sets *err on failure. */
bus_t *bus_new(uv_loop_t *loop, const bus_config_t *config, int *err);
/* Destroys every socket still open, the ZAP handler and the context. */
void bus_destroy(bus_t **self_p);
uv_loop_t *bus_loop(bus_t *self);
const char *bus_name(const bus_t *self);
/* The role ("service", "integrator") the allow-list gives to `peer`, or NULL when unknown. */
const char *bus_peer_role(const bus_t *self, const char *peer);
uint64_t bus_auth_refused(const bus_t *self);
/* The allow-list entry of `peer` (role, key, integrator scope), re-read at most once a second;
   NULL when unknown or without CURVE. Valid until the next bus call. */
const curve_peer_t *bus_peer(const bus_t *self, const char *peer);
/* False only for an inproc test bus without CURVE. */
bool bus_curve(const bus_t *self);

/* A CURVE server socket (ROUTER or PUB) bound to `endpoint`. ROUTERs get ZMQ_ROUTER_MANDATORY. */
bus_socket_t *bus_bind(bus_t *self, int type, const char *endpoint,
                       const bus_socket_opts_t *opts, bus_recv_fn fn, void *arg, int *err);

/* A CURVE client socket (DEALER or SUB) connected to `endpoint`, authenticating the server by
   the public key of `server_name` from the key directory. */
bus_socket_t *bus_connect(bus_t *self, int type, const char *endpoint, const char *server_name,
                          const bus_socket_opts_t *opts, bus_recv_fn fn, void *arg, int *err);

/* Stops the poll handle, then closes the zmq socket; sets *socket_p to NULL. */
void bus_socket_destroy(bus_socket_t **socket_p);

/* Sends `count` frames without blocking. Returns 0, -EAGAIN (high-water mark reached or, for
   an immediate DEALER, no peer connected), -EHOSTUNREACH (ROUTER: peer gone) or another
   negative errno. Re-checks ZMQ_EVENTS afterwards so no input goes unseen. */
int bus_send(bus_socket_t *socket, const void *const *data, const size_t *sizes, int count);

/* Counters for metrics and tests. */
uint64_t bus_socket_dropped(const bus_socket_t *socket);   /* messages refused as malformed */

#endif
