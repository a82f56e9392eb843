#include "pb_splice.h"

#include <assert.h>
#include <string.h>

enum { WIRE_LENGTH_DELIMITED = 2, FIELD_MAX = (1u << 29) - 1 };

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
