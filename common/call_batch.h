/*  call_batch — several requests (or their replies) carried in one bus message.

    Each bus message costs a ZeroMQ message, a CURVE box and unbox, and the wake-ups of both
    ends' I/O threads and loops; for a small read that is most of what the call costs
    (docs/performance.md, "The gateway"). So a client packs the requests it makes during one
    turn of its loop into one lumbung.Request whose only field is `repeated bytes batch`, each
    element a whole serialized Request, and a service answers the elements that finish in the
    same group commit in one lumbung.Reply whose only field is `batch`, each element a whole
    serialized Reply. A batch of one is sent as its element alone, so a lone request looks as
    it always did, and integrators may keep sending single requests (docs/bus.md).

    The builder writes the wire bytes by concatenation (pb_splice.h): the element's tag and
    length, then its bytes, packed in place or copied. The reader borrows the message and
    checks every length (pbwire.h), so any bytes are safe to give it.

    Ownership: a call_batch_t is owned by its caller and holds its own bytes; the parts that
    call_batch_split() gives point into the message it was given.
    Not for: events (event_batch.h), what a request means (service.c, client.c). */
#ifndef LUMBUNG_CALL_BATCH_H
#define LUMBUNG_CALL_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    CALL_BATCH_FIELD = 50,             /* lumbung.Request.batch and lumbung.Reply.batch */
    CALL_BATCH_CALLS = 16,            /* elements a sender puts in one message at most */
    CALL_BATCH_BYTES = 64 * 1024,      /* a message is full once it holds this many bytes */
    CALL_BATCH_ACCEPT_MAX = 256,       /* elements a receiver takes from one message */
};

typedef struct {
    uint8_t *data;                     /* the message's bytes so far (malloc'd) */
    size_t len, cap;
    int count;                         /* elements in it */
    size_t first_at, first_len;        /* where the first element's own bytes are */
} call_batch_t;

/* An empty batch; call_batch_free() releases its buffer. */
void call_batch_init(call_batch_t *b);
void call_batch_free(call_batch_t *b);

/* Room for one element of `len` bytes, after its tag and length: the caller writes exactly
   `len` bytes there (protobuf-c's pack) before the next call on the batch. */
uint8_t *call_batch_reserve(call_batch_t *b, size_t len);

/* Appends one element (copied). */
void call_batch_add(call_batch_t *b, const uint8_t *element, size_t len);

/* True when the batch should be sent before another element is added: it holds
   CALL_BATCH_CALLS elements or CALL_BATCH_BYTES bytes. */
bool call_batch_full(const call_batch_t *b);

/* The bytes to send: the element itself when the batch holds one, else the whole message.
   NULL and 0 when it is empty. */
const uint8_t *call_batch_message(const call_batch_t *b, size_t *len);

/* Empties the batch after it was sent, keeping its buffer unless one huge element grew it. */
void call_batch_clear(call_batch_t *b);

typedef struct {
    const uint8_t *data;
    size_t len;
} call_batch_part_t;

/* Splits a received message. Returns 0 when it carries no `batch` field (a single Request or
   Reply, left to protobuf-c to decode, malformed or not); the number of elements, put in
   parts[0..n), when it is a batch; -EPROTO when it carries `batch` beside any other field or
   its bytes are malformed; -E2BIG when it has more than `max` elements. */
int call_batch_split(const uint8_t *msg, size_t len, call_batch_part_t *parts, int max);

#endif
