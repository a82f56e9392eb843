/*  pbwire — reading protobuf wire bytes in place, without unpacking them.

    A follower must learn an event's sequence and who caused it before it knows whether to
    decode the whole event (follower.c, envelope_event_header in envelope.h), and reporting
    stores each journal entry as the bytes it received. These read a message's fields one by
    one: every length and varint is checked against the end of the input, so any byte string
    is safe to give (tests/fuzz/fuzz_pbwire.c). Wire types 0 (varint), 1 (64-bit), 2 (length-
    delimited) and 5 (32-bit) are read; groups (3, 4) and wire types 6, 7 are malformed, as
    protobuf-c's decoder has them. Field number 0 is read like any other (protobuf-c keeps it
    as an unknown field when its tag is over-long), so that whatever protobuf-c unpacks reads
    here too.

    The reader borrows the bytes; nothing is allocated. Not for: building messages (protobuf-c
    packs them), or semantics beyond the wire (a field's last occurrence wins is the caller's
    rule to apply). */
#ifndef LUMBUNG_PBWIRE_H
#define LUMBUNG_PBWIRE_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

enum {
    PBWIRE_VARINT = 0,
    PBWIRE_FIXED64 = 1,
    PBWIRE_BYTES = 2,
    PBWIRE_FIXED32 = 5,
    PBWIRE_VARINT_MAX = 10,    /* bytes of the longest varint (a u64) */
};

/* A position in a message's bytes: [at, end). */
typedef struct {
    const uint8_t *at, *end;
} pbwire_t;

/* One field as read: `value` for a varint or fixed field, `data`/`len` for a length-delimited
   one (pointing into the message). */
typedef struct {
    uint32_t number;
    int type;
    uint64_t value;
    const uint8_t *data;
    size_t len;
} pbwire_field_t;

/* A reader over len bytes at data (data may be NULL when len is 0). */
pbwire_t pbwire_reader(const void *data, size_t len);

/* Reads one varint at r->at and moves past it. 0, or -EPROTO when it is cut off or longer
   than PBWIRE_VARINT_MAX bytes. */
int pbwire_varint(pbwire_t *r, uint64_t *out);

/* The same, inline (for a decoder that reads many fields: most tags and many values are one
   byte), also giving the varint's length in *bytes. */
static inline int pbwire_varint_len(pbwire_t *r, uint64_t *out, size_t *bytes) {
    const uint8_t *p = r->at;
    size_t left = (size_t) (r->end - p);
    if (left && p[0] < 0x80) {
        *out = p[0];
        r->at = p + 1;
        *bytes = 1;
        return 0;
    }
    size_t max = left < PBWIRE_VARINT_MAX ? left : PBWIRE_VARINT_MAX;
    uint64_t v = 0;
    for (size_t i = 0; i < max; i++) {
        v |= (uint64_t) (p[i] & 0x7f) << (7 * i);
        if (p[i] < 0x80) {
            *out = v;
            r->at = p + i + 1;
            *bytes = i + 1;
            return 0;
        }
    }
    return -EPROTO;
}

/* Reads the next field and moves past it. 1 when a field was read, 0 at the end of the
   message, -EPROTO when the bytes are malformed (the reader is then left where it was). */
int pbwire_next(pbwire_t *r, pbwire_field_t *f);

/* The last occurrence of varint field `number` in a message (protobuf's rule for a scalar):
   1 found, 0 absent, -EPROTO malformed or present with another wire type. */
int pbwire_find_varint(const void *msg, size_t len, uint32_t number, uint64_t *out);
/* The same for a length-delimited field (a string, bytes or a message): *data points into
   msg. 1 found, 0 absent, -EPROTO malformed or present with another wire type. */
int pbwire_find_bytes(const void *msg, size_t len, uint32_t number, const uint8_t **data,
                      size_t *data_len);

#endif
