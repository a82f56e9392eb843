#include "pbwire.h"

#include <errno.h>

pbwire_t pbwire_reader(const void *data, size_t len) {
    const uint8_t *p = data;
    return (pbwire_t){ .at = p, .end = p ? p + len : p };
}

int pbwire_varint(pbwire_t *r, uint64_t *out) {
    size_t bytes;
    return pbwire_varint_len(r, out, &bytes);
}

/* Moves past n bytes, or fails without moving when fewer are left. */
static int skip(pbwire_t *r, uint64_t n) {
    if (n > (uint64_t) (r->end - r->at)) return -EPROTO;
    r->at += n;
    return 0;
}

static int read_value(pbwire_t *r, pbwire_field_t *f) {
    const uint8_t *start = r->at;
    switch (f->type) {
    case PBWIRE_VARINT:
        return pbwire_varint(r, &f->value);
    case PBWIRE_FIXED64:
    case PBWIRE_FIXED32: {
        int n = f->type == PBWIRE_FIXED64 ? 8 : 4;
        if (skip(r, (uint64_t) n) != 0) return -EPROTO;
        f->value = 0;
        for (int i = n - 1; i >= 0; i--) f->value = f->value << 8 | start[i];
        return 0;
    }
    case PBWIRE_BYTES: {
        uint64_t n;
        if (pbwire_varint(r, &n) != 0) return -EPROTO;
        f->data = r->at;
        f->len = (size_t) n;
        if (skip(r, n) != 0) {
            r->at = start;
            return -EPROTO;
        }
        return 0;
    }
    default:
        return -EPROTO;       /* groups and the unused wire types 6 and 7 */
    }
}

int pbwire_next(pbwire_t *r, pbwire_field_t *f) {
    if (r->at == r->end) return 0;
    const uint8_t *start = r->at;
    uint64_t tag;
    if (pbwire_varint(r, &tag) != 0 || tag >> 3 > UINT32_MAX) {
        r->at = start;
        return -EPROTO;
    }
    f->number = (uint32_t) (tag >> 3);
    f->type = (int) (tag & 7);
    f->data = NULL;
    f->len = 0;
    f->value = 0;
    if (read_value(r, f) != 0) {
        r->at = start;
        return -EPROTO;
    }
    return 1;
}

/* The last occurrence of field `number` (protobuf's rule for a scalar or a string), which
   must have wire type `type`: the one loop of pbwire_find_varint and pbwire_find_bytes. */
static int find_last(const void *msg, size_t len, uint32_t number, int type, pbwire_field_t *out) {
    pbwire_t r = pbwire_reader(msg, len);
    pbwire_field_t f;
    int rc, found = 0;
    while ((rc = pbwire_next(&r, &f)) == 1) {
        if (f.number != number) continue;
        if (f.type != type) return -EPROTO;
        *out = f;
        found = 1;
    }
    return rc < 0 ? rc : found;
}

int pbwire_find_varint(const void *msg, size_t len, uint32_t number, uint64_t *out) {
    pbwire_field_t f;
    int rc = find_last(msg, len, number, PBWIRE_VARINT, &f);
    if (rc == 1) *out = f.value;
    return rc;
}

int pbwire_find_bytes(const void *msg, size_t len, uint32_t number, const uint8_t **data,
                      size_t *data_len) {
    pbwire_field_t f;
    int rc = find_last(msg, len, number, PBWIRE_BYTES, &f);
    if (rc == 1) *data = f.data, *data_len = f.len;
    return rc;
}
