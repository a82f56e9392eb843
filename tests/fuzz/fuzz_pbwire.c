/* libFuzzer target: reading an event's header from its wire bytes (envelope_event_header over
   common/pbwire), as every follower does with each live frame an outside peer may send.

   Any input must be read without reading past its end (the sanitizers check), and whatever
   protobuf-c unpacks as a lumbung.Event must read alike: no error, the same sequence, the same
   actor's role, the same body. Read as an event batch (a PUB message of topic B, event_batch.h),
   it must give the events protobuf-c unpacks from a lumbung.EventBatch, byte for byte.

   Run with `make fuzz` (all targets) or, once built:
     build-fuzz/fuzz/fuzz_pbwire -max_total_time=60 tests/fuzz/corpus/fuzz_pbwire */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "event_batch.h"
#include "pbwire.h"

typedef struct {
    const Lumbung__EventBatch *batch;     /* NULL: protobuf-c refused the bytes */
    size_t visited;
} batch_check_t;

static void check_batched(void *arg, const uint8_t *event, size_t len) {
    batch_check_t *c = arg;
    if (c->batch) {
        assert(c->visited < c->batch->n_events);
        assert(c->batch->events[c->visited].len == len);
        assert(len == 0 || !memcmp(c->batch->events[c->visited].data, event, len));
    }
    c->visited++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* A copy of exactly `size` bytes, so that a read past the end is caught. */
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy) abort();
    if (size) memcpy(copy, data, size);
    envelope_event_header_t h;
    int rc = envelope_event_header(copy, size, &h);
    pbwire_t r = pbwire_reader(copy, size);
    pbwire_field_t f;
    while (pbwire_next(&r, &f) == 1)
        assert(f.type != PBWIRE_BYTES || (f.data >= copy && f.data + f.len <= copy + size));
    Lumbung__Event *ev = lumbung__event__unpack(NULL, size, copy);
    if (ev) {
        assert(rc == 0);
        assert(h.has_seq == (bool) ev->has_seq && (!h.has_seq || h.seq == ev->seq));
        bool has_role = ev->actor && ev->actor->has_role;
        assert(h.has_role == has_role && (!has_role || h.role == ev->actor->role));
        assert(h.body == ev->body_case);
        lumbung__event__free_unpacked(ev, NULL);
    }
    batch_check_t check = { lumbung__event_batch__unpack(NULL, size, copy), 0 };
    int visited = event_batch_each(copy, size, check_batched, &check);
    if (check.batch) {
        assert(visited >= 0 && (size_t) visited == check.batch->n_events);
        lumbung__event_batch__free_unpacked((Lumbung__EventBatch *) check.batch, NULL);
    }
    free(copy);
    return 0;
}
