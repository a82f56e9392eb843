#include "pb_splice.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum {
    WIRE_VARINT = 0, WIRE_FIXED64 = 1, WIRE_LENGTH_DELIMITED = 2, WIRE_FIXED32 = 5,
    FIELD_MAX = (1u << 29) - 1, VARINT_MAX = 10,
};

size_t pb_splice_varint_size(uint64_t v) {
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

static uint8_t *write_varint(uint8_t *out, uint64_t v) {
    while (v >= 0x80) {
        *out++ = (uint8_t) (v | 0x80);
        v >>= 7;
    }
    *out++ = (uint8_t) v;
    return out;
}

static uint64_t tag_of(uint32_t field) {
    assert(field >= 1 && field <= FIELD_MAX);
    return ((uint64_t) field << 3) | WIRE_LENGTH_DELIMITED;
}

size_t pb_splice_prefix_size(uint32_t field, size_t len) {
    return pb_splice_varint_size(tag_of(field)) + pb_splice_varint_size(len);
}

uint8_t *pb_splice_prefix(uint8_t *out, uint32_t field, size_t len) {
    return write_varint(write_varint(out, tag_of(field)), len);
}

uint8_t *pb_splice_field(uint8_t *out, const pb_splice_field_t *f) {
    out = pb_splice_prefix(out, f->field, f->len);
    if (f->len) memcpy(out, f->bytes, f->len);
    return out + f->len;
}

size_t pb_splice_field_size(const pb_splice_field_t *f) {
    return pb_splice_prefix_size(f->field, f->len) + f->len;
}

static int read_varint(const uint8_t **p, const uint8_t *end, uint64_t *out) {
    uint64_t v = 0;
    for (int i = 0; i < VARINT_MAX && *p < end; i++) {
        uint8_t b = *(*p)++;
        v |= (uint64_t) (b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            *out = v;
            return 0;
        }
    }
    return -EBADMSG;
}

int pb_splice_next(const uint8_t **p, const uint8_t *end, uint32_t *field,
                   const uint8_t **start) {
    *start = *p;
    uint64_t tag, skip = 0;
    if (read_varint(p, end, &tag) != 0 || (tag >> 3) == 0 || (tag >> 3) > FIELD_MAX)
        return -EBADMSG;
    switch (tag & 7) {
    case WIRE_VARINT: if (read_varint(p, end, &skip) != 0) return -EBADMSG;
                      skip = 0;
                      break;
    case WIRE_FIXED64: skip = 8; break;
    case WIRE_LENGTH_DELIMITED: if (read_varint(p, end, &skip) != 0) return -EBADMSG;
                                break;
    case WIRE_FIXED32: skip = 4; break;
    default: return -EBADMSG;
    }
    if (skip > (uint64_t) (end - *p)) return -EBADMSG;
    *p += skip;
    *field = (uint32_t) (tag >> 3);
    return 0;
}

void pb_splice_room(uint8_t **data, size_t *cap, size_t need, size_t initial) {
    assert(initial > 0 && "doubling from nothing stays nothing");
    if (need <= *cap) return;
    size_t grown = *cap ? *cap : initial;
    while (grown < need) grown *= 2;
    uint8_t *bigger = realloc(*data, grown);
    if (!bigger) abort();
    *data = bigger;
    *cap = grown;
}
