/*  pb_splice — protobuf wire bytes built by concatenation: a message whose fields are already
    packed is its fields' bytes one after another, and an embedded message field is its tag,
    the varint length, then the packed message (the protobuf encoding spec). What protobuf-c
    packs for the same message is exactly these bytes, as long as the pieces come in field
    number order, which is the order protobuf-c packs in.

    So a service that packed a record once (for its store) puts the same bytes inside an event
    without packing it again. The result is a standard message: no unknown or private fields.

    It also walks a packed message's top-level fields as they were received, so a reader can
    leave some out of what it hashes without unpacking and packing again, and grows the buffer
    a builder concatenates into (event_batch.h, call_batch.h).

    Not for: building anything but length-delimited fields (wire type 2). */
#ifndef LUMBUNG_PB_SPLICE_H
#define LUMBUNG_PB_SPLICE_H

#include <stddef.h>
#include <stdint.h>

enum { PB_SPLICE_PREFIX_MAX = 5 + 10 };   /* tag varint (field < 2^29) + length varint */

/* Packed bytes meant as the value of the length-delimited field `field` of a message. */
typedef struct {
    uint32_t field;
    const uint8_t *bytes;
    size_t len;
} pb_splice_field_t;

/* The bytes of a varint of `v`, 1..10. */
size_t pb_splice_varint_size(uint64_t v);

/* The bytes of the tag and length in front of a field of `len` bytes. */
size_t pb_splice_prefix_size(uint32_t field, size_t len);

/* Writes the tag and length of field `field` holding `len` bytes at `out` (room for
   pb_splice_prefix_size()), and returns the end of what it wrote. */
uint8_t *pb_splice_prefix(uint8_t *out, uint32_t field, size_t len);

/* Writes the whole field (prefix and bytes) at `out` and returns its end. */
uint8_t *pb_splice_field(uint8_t *out, const pb_splice_field_t *f);

/* The bytes pb_splice_field() writes for `f`. */
size_t pb_splice_field_size(const pb_splice_field_t *f);

/* Grows the malloc'd buffer *data of *cap bytes, in which a message is being built by
   concatenation, to hold at least `need` bytes: `initial` the first time, then doubling.
   Aborts when memory runs out, as every allocation of a service does. */
void pb_splice_room(uint8_t **data, size_t *cap, size_t need, size_t initial);

/* Walks the top-level fields of the packed message in [*p, end): sets *field to the next
   field's number, *start to its first byte (its tag) and moves *p past it. 0, or -EBADMSG for
   bytes that are no protobuf (a truncated field, a group, a varint of more than 10 bytes). */
int pb_splice_next(const uint8_t **p, const uint8_t *end, uint32_t *field,
                   const uint8_t **start);

#endif
