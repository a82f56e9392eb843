/*  call_batch — see call_batch.h. */
#include "call_batch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pb_splice.h"
#include "pbwire.h"

void call_batch_init(call_batch_t *b) {
    *b = (call_batch_t) { 0 };
}

void call_batch_free(call_batch_t *b) {
    free(b->data);
    *b = (call_batch_t) { 0 };
}

uint8_t *call_batch_reserve(call_batch_t *b, size_t len) {
    pb_splice_room(&b->data, &b->cap, b->len + pb_splice_prefix_size(CALL_BATCH_FIELD, len) + len,
                   CALL_BATCH_BYTES + PB_SPLICE_PREFIX_MAX);
    uint8_t *at = pb_splice_prefix(b->data + b->len, CALL_BATCH_FIELD, len);
    if (b->count == 0) {
        b->first_at = (size_t) (at - b->data);
        b->first_len = len;
    }
    b->len = (size_t) (at - b->data) + len;
    b->count++;
    return at;
}

void call_batch_add(call_batch_t *b, const uint8_t *element, size_t len) {
    uint8_t *at = call_batch_reserve(b, len);
    if (len) memcpy(at, element, len);
}

bool call_batch_full(const call_batch_t *b) {
    return b->count >= CALL_BATCH_CALLS || b->len >= CALL_BATCH_BYTES;
}

const uint8_t *call_batch_message(const call_batch_t *b, size_t *len) {
    if (b->count == 0) {
        *len = 0;
        return NULL;
    }
    if (b->count == 1) {
        *len = b->first_len;
        return b->data + b->first_at;
    }
    *len = b->len;
    return b->data;
}

void call_batch_clear(call_batch_t *b) {
    if (b->cap > 4 * CALL_BATCH_BYTES) {       /* one huge element: do not keep its room */
        free(b->data);
        b->data = NULL;
        b->cap = 0;
    }
    b->len = 0;
    b->count = 0;
    b->first_at = b->first_len = 0;
}

int call_batch_split(const uint8_t *msg, size_t len, call_batch_part_t *parts, int max) {
    pbwire_t r = pbwire_reader(msg, len);
    pbwire_field_t f;
    int count = 0, rc;
    bool other = false;
    while ((rc = pbwire_next(&r, &f)) == 1) {
        if (f.number != CALL_BATCH_FIELD) {
            other = true;
            continue;
        }
        if (f.type != PBWIRE_BYTES) return -EPROTO;
        if (count == max) return -E2BIG;
        parts[count++] = (call_batch_part_t) { f.data, f.len };
    }
    if (count == 0) return 0;            /* a single message: protobuf-c judges it */
    if (rc < 0 || other) return -EPROTO;
    return count;
}
