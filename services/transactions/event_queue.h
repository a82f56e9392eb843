/*  event_queue — the events one unit of work of the transactions service publishes once it is
    done: posted entries and other TransactionsEvents, in the order they happened.

    Items queue up in the unit of work's arena. A posted entry is queued as the bytes it was
    packed into for its store row (ledger.c packs it once). At flush time consecutive posted
    entries are grouped into EntriesPosted events of at most TX_EVENT_ENTRIES_MAX entries (and
    TX_EVENT_BYTES_MAX bytes), so a batch of thousands of postings makes a few dozen events,
    not thousands; an EntriesPosted body is built from the entries' bytes by concatenation
    (pb_splice.h), byte for byte what protobuf-c packs for the same TransactionsEvent. A linked chain of a batch that fails is taken back by truncating the queue
    to the count it had before (tx_event_queue_count).

    Not for: writing the outbox or publishing (the emit function the caller passes does). */
#ifndef LUMBUNG_TX_EVENT_QUEUE_H
#define LUMBUNG_TX_EVENT_QUEUE_H

#include <stddef.h>
#include <stdint.h>
#include "arena.h"
#include "envelope.pb-c.h"
#include "pb_splice.h"

enum {
    TX_EVENT_ENTRIES_MAX = 256,     /* entries in one EntriesPosted event */
    TX_EVENT_BYTES_MAX = 256 * 1024,/* and their packed size, well under OUTBOX_EVENT_MAX */
    TX_PENDING_MAX = 65536,         /* queued events and entries of one unit of work */
};

typedef struct {
    const uint8_t *entry;               /* a packed lumbung.JournalEntry, in the arena */
    size_t entry_len;
    Lumbung__TransactionsEvent *event;  /* exactly one of entry and event is set */
} tx_pending_t;

/* Zeroed is empty; nothing is allocated until the first push. */
typedef struct {
    tx_pending_t *items;                /* in the arena */
    size_t count, cap;
} tx_event_queue_t;

/* Appends one item, growing in `arena`. -ENOBUFS past TX_PENDING_MAX. */
int tx_event_queue_push(tx_event_queue_t *q, arena_t *arena, tx_pending_t item);

/* Items queued so far, and taking back every item after the first `count`. */
size_t tx_event_queue_count(const tx_event_queue_t *q);
void tx_event_queue_truncate(tx_event_queue_t *q, size_t count);

/* Emits every queued item, in order, as lumbung.Event messages (built in `arena`) through
   `emit`, which returns the sequence or a negative error. An EntriesPosted event comes with
   its body packed: `body` is the Event's field transactions (outbox_append_packed) and
   event->body_case is not set; any other event has body NULL and its body set. Returns 0 or
   the first error; the queue is empty after a 0. */
typedef int64_t (*tx_emit_fn)(void *arg, Lumbung__Event *event, const pb_splice_field_t *body);
int tx_event_queue_flush(tx_event_queue_t *q, arena_t *arena, tx_emit_fn emit, void *arg);

#endif
