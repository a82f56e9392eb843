/*  peer_guard — what one address may cost a bus server, and how much log it may cause.

    A bus server (ROUTER, PUB) does the CURVE handshake in libzmq's I/O thread before ZAP is
    asked, and keeps a descriptor for every connection, even one that never says a word. So
    one address opening connections by the hundred could take the descriptors, the I/O
    thread's time and the log that everyone else needs. peer_guard counts the open connections
    of each peer address (from the socket monitor's ACCEPTED and DISCONNECTED events, by
    descriptor) and tells the caller to cut a connection that takes its address over
    `connections_per_address` — before any cryptography. A connection that opens and never
    finishes its handshake is dropped by libzmq itself after ZMQ_HANDSHAKE_IVL (bus.c).

    Lines about peers (refused by ZAP, cut here, failed handshakes, disconnects) go through
    peer_guard_line(): at most `lines_per_window` in a window of `window_ms`; the rest are
    counted, and one summary line at the end of the window says how many were left out, the
    last address among them, and how many peers were refused since the start.

    Owned by bus_t (one per process, loop thread only). Not for: who may connect (the
    allow-list and ZAP, curve.h) or HTTP clients (the gateway's http.c). */
#ifndef LUMBUNG_PEER_GUARD_H
#define LUMBUNG_PEER_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>
#include "log.h"

enum {
    PEER_GUARD_ADDRESS_MAX = 64,               /* an IPv6 address as text fits */
    PEER_GUARD_CONNECTIONS_PER_ADDRESS = 256,  /* LUMBUNG_BUS_CONNECTIONS_PER_ADDRESS */
    PEER_GUARD_LINES_PER_WINDOW = 10,          /* LUMBUNG_BUS_PEER_LOG_LINES */
    PEER_GUARD_WINDOW_MS = 10000,              /* LUMBUNG_BUS_PEER_LOG_WINDOW_MS */
};

typedef struct peer_guard peer_guard_t;

typedef struct {
    unsigned connections_per_address;  /* 0: PEER_GUARD_CONNECTIONS_PER_ADDRESS */
    unsigned lines_per_window;         /* 0: PEER_GUARD_LINES_PER_WINDOW */
    unsigned window_ms;                /* 0: PEER_GUARD_WINDOW_MS */
} peer_guard_config_t;

/* The configuration from LUMBUNG_BUS_CONNECTIONS_PER_ADDRESS, LUMBUNG_BUS_PEER_LOG_LINES and
   LUMBUNG_BUS_PEER_LOG_WINDOW_MS (the defaults above when unset). */
peer_guard_config_t peer_guard_config_from_env(void);
peer_guard_t *peer_guard_new(uv_loop_t *loop, const peer_guard_config_t *config);
/* Frees it, or, once its timer has been used, closes the timer and frees it from the close
   callback (run the loop once more). */
void peer_guard_destroy(peer_guard_t **self_p);

/* A connection accepted on descriptor fd (a TCP peer; others are not counted). Returns true
   when its address is now over the limit: the caller cuts it. */
bool peer_guard_accepted(peer_guard_t *self, int fd, const char *endpoint);
/* The connection on fd is gone; writes its address (or "") into address. */
void peer_guard_closed(peer_guard_t *self, int fd, char *address, size_t size);
unsigned peer_guard_open(const peer_guard_t *self, const char *address);

/* One line about a peer at `address` ("" when not known), unless this window's lines are
   spent. `refused` counts it among the refused peers. */
void peer_guard_line(peer_guard_t *self, log_level_t level, bool refused, const char *address,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
uint64_t peer_guard_refused(const peer_guard_t *self);

#endif
