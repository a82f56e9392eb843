/* libFuzzer target: reading an event's header from its wire bytes (envelope_event_header over
   common/pbwire), as every follower does with each live frame an outside peer may send.

   Any input must be read without reading past its end (the sanitizers check), and whatever
   protobuf-c unpacks as a lumbung.Event must read alike: no error, the same sequence, the same
   actor's role, the same body.

   Run with `make fuzz` (all targets) or, once built:
     build-fuzz/fuzz/fuzz_pbwire -max_total_time=60 tests/fuzz/corpus/fuzz_pbwire */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "pbwire.h"

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
    free(copy);
    return 0;
}
