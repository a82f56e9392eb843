/* libFuzzer target: reporting's decoder of transactions events (event_decode.h), which reads
   the EntriesPosted events of every follower's stream by hand instead of by protobuf-c.

   Any input must be read without reading past its end (the sanitizers check), and decode as
   protobuf-c unpacks it: both refuse it, or both give an event that packs to the same bytes.
   The hand decoder alone, when it takes the input, must agree too.

   Run with `make fuzz` (all targets) or, once built:
     build-fuzz/fuzz/fuzz_reporting_event_decode -max_total_time=60 \
       tests/fuzz/corpus/fuzz_reporting_event_decode */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../services/reporting/event_decode.h"

static arena_t *arena;

/* The packed bytes of m, malloc'd. */
static uint8_t *packed(const ProtobufCMessage *m, size_t *len) {
    *len = protobuf_c_message_get_packed_size(m);
    uint8_t *out = malloc(*len ? *len : 1);
    if (!out) abort();
    assert(protobuf_c_message_pack(m, out) == *len);
    return out;
}

static void assert_same(const Lumbung__Event *mine, const Lumbung__Event *theirs) {
    size_t a, b;
    uint8_t *x = packed(&mine->base, &a), *y = packed(&theirs->base, &b);
    assert(a == b && !memcmp(x, y, a));
    free(x);
    free(y);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!arena) arena = arena_new();
    /* A copy of exactly `size` bytes, so that a read past the end is caught. */
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy) abort();
    if (size) memcpy(copy, data, size);
    arena_reset(arena);
    Lumbung__Event *theirs = lumbung__event__unpack(NULL, size, copy);
    Lumbung__Event *mine = reporting_event_decode(arena, copy, size);
    assert((mine == NULL) == (theirs == NULL));
    if (theirs) assert_same(mine, theirs);
    size_t unpacked;
    Lumbung__Event *by_hand = reporting_event_decode_by_hand(arena, copy, size, &unpacked);
    if (by_hand) {
        assert(theirs);
        assert_same(by_hand, theirs);
    }
    if (theirs) lumbung__event__free_unpacked(theirs, NULL);
    free(copy);
    return 0;
}
