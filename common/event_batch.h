/*  event_batch — a service's new events carried several to a PUB message.

    A service publishes what it committed on its PUB socket under topic "B": one frame that is
    a serialized lumbung.EventBatch, whose `events` are serialized lumbung.Event messages,
    consecutive and ascending. One message per event cost, for every event, a ZeroMQ message,
    a CURVE box on each subscriber's connection and an unbox on the subscriber, and the wake-ups
    of both I/O threads: with single postings pipelined, about a tenth of the producer's CPU
    and of each subscriber's (docs/performance.md, "What each change bought").

    The builder writes the EventBatch's wire bytes by concatenation (pb_splice.h): field 1's
    tag and length, then the event's bytes as the outbox stored them, so nothing is packed
    again. The reader borrows the frame and checks every length (pbwire.h), so any bytes are
    safe to give it.

    Ownership: an event_batch_t is owned by its caller and holds its own copy of the bytes
    added; event_batch_each() borrows the frame for the duration of the call.
    Not for: replay (lumbung.ReplayReply carries its own repeated events). */
#ifndef LUMBUNG_EVENT_BATCH_H
#define LUMBUNG_EVENT_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    EVENT_BATCH_EVENTS = 32,           /* events in one message at most */
    EVENT_BATCH_BYTES = 64 * 1024,     /* a message is full once it holds this many bytes */
    /* High-water mark of the PUB and of a follower's SUB, in messages: 2,048 batches of up to
       32 events is about 65,000 events, fewer than the 100,000 single events of before
       (BUS_HWM_DEFAULT), so a slow subscriber costs no more memory than it did; past it, the
       PUB drops and the follower replays. */
    EVENT_BATCH_HWM = 2048,
};

typedef struct {
    uint8_t *data;      /* the EventBatch's bytes so far (malloc'd) */
    size_t len, cap;
    int count;          /* events in it */
} event_batch_t;

/* An empty batch; event_batch_free() releases its buffer. */
void event_batch_init(event_batch_t *b);
void event_batch_free(event_batch_t *b);

/* Appends one serialized event (copied). Returns true when the batch is full (it holds
   EVENT_BATCH_EVENTS events or EVENT_BATCH_BYTES bytes) and should be sent now. An event
   larger than EVENT_BATCH_BYTES makes a batch of its own. */
bool event_batch_add(event_batch_t *b, const uint8_t *event, size_t len);

/* Empties the batch after it was sent, keeping its buffer. */
void event_batch_clear(event_batch_t *b);

/* Calls fn for each event of an EventBatch frame, in order; fields other than `events` are
   skipped. Returns the number of events visited, or -EPROTO when the bytes are malformed
   (the events before the fault were visited). */
typedef void (*event_batch_visit_fn)(void *arg, const uint8_t *event, size_t len);
int event_batch_each(const uint8_t *frame, size_t len, event_batch_visit_fn fn, void *arg);

#endif
