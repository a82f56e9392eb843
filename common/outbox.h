/*  outbox — the event log of one service, kept in that service's LMDB store.

    A change and the events it causes are written in the same write transaction, so an event
    exists if and only if its change committed. Events are numbered from 1 without gaps; the
    next number is read from the transaction itself, so an aborted child transaction gives its
    numbers back without any bookkeeping. Publishing happens after commit (service.c); replay
    reads from here.

    Table "outbox": key = seq (u64 big-endian), value = serialized lumbung.Event.
    Not for: delivery tracking per consumer (each consumer keeps its own cursor). */
#ifndef LUMBUNG_OUTBOX_H
#define LUMBUNG_OUTBOX_H

#include <stdint.h>
#include "store.h"
#include "envelope.pb-c.h"
#include "pb_splice.h"

enum { OUTBOX_REPLAY_MAX = 4096, OUTBOX_EVENT_MAX = 1024 * 1024 };

typedef struct outbox outbox_t;

/* Opens the outbox table of `stream` ("members", ...) in an open store. */
outbox_t *outbox_new(store_t *store, const char *stream, int *err);
void outbox_destroy(outbox_t **self_p);

/* Sets ev->seq, ev->stream and ev->at_ms (when unset), serializes the event and appends it in
   txn. Returns the sequence (>= 1) or a negative error (ERR_MAP_FULL, -EMSGSIZE). The caller
   keeps ownership of `ev`. */
int64_t outbox_append(outbox_t *self, store_txn_t *txn, Lumbung__Event *ev);

/* outbox_append() of an event whose body is packed already (pb_splice.h): `body` holds the
   bytes of the Event's oneof field numbered body->field (a body field, numbered above every
   other field of Event), and ev has no body set. The stored bytes are exactly what
   outbox_append() stores for the same event with that body unpacked into it. A NULL body is
   outbox_append(). */
int64_t outbox_append_packed(outbox_t *self, store_txn_t *txn, Lumbung__Event *ev,
                             const pb_splice_field_t *body);

/* The newest sequence visible in txn, 0 when empty. */
uint64_t outbox_head(outbox_t *self, store_txn_t *txn);

/* Calls fn for each stored event with seq in [from, from + max) in order, stopping early when
   fn returns non-zero. Returns the number of events visited. `max` is capped at
   OUTBOX_REPLAY_MAX. The bytes are valid only during the call. */
typedef int (*outbox_visit_fn)(void *arg, uint64_t seq, const uint8_t *event, size_t len);
int outbox_read(outbox_t *self, store_txn_t *txn, uint64_t from, uint32_t max,
                outbox_visit_fn fn, void *arg);

const char *outbox_stream(const outbox_t *self);

#endif
