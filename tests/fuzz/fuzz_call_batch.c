/* libFuzzer target: splitting a bus message into the requests of a batch (call_batch_split),
   as every service does with every message any peer sends, and the client with every reply.

   Any input must be split without reading past its end (the sanitizers check), into parts
   that lie inside it, and alike to what protobuf-c reads: a message split into n parts is a
   lumbung.Request whose n `batch` elements are those parts, byte for byte; a Request that
   protobuf-c reads with elements is never taken for a single request. The parts, put in a
   batch again by the builder, split back into the same parts.

   Run with `make fuzz` (all targets) or, once built:
     build-fuzz/fuzz/fuzz_call_batch -max_total_time=60 tests/fuzz/corpus/fuzz_call_batch */
#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "call_batch.h"
#include "envelope.pb-c.h"
#include "pb_splice.h"

enum { SMALL_MAX = 8 };    /* a limit small inputs can pass, so -E2BIG is reached too */

static bool inside(const call_batch_part_t *p, const uint8_t *msg, size_t len) {
    return p->len == 0 || (p->data >= msg && p->data + p->len <= msg + len);
}

static void check_agrees_with_protobuf_c(const uint8_t *msg, size_t len, int rc,
                                         const call_batch_part_t *parts, int max) {
    Lumbung__Request *req = lumbung__request__unpack(NULL, len, msg);
    if (rc > 0) assert(req && req->n_batch == (size_t) rc);
    if (req && req->n_batch > 0)
        assert(req->n_batch > (size_t) max ? rc == -E2BIG : (rc == (int) req->n_batch || rc == -EPROTO));
    size_t batch_only = 0;             /* what the message packs to when it holds nothing else */
    for (int i = 0; rc > 0 && i < rc; i++) {
        assert(req->batch[i].len == parts[i].len &&
               (parts[i].len == 0 || !memcmp(req->batch[i].data, parts[i].data, parts[i].len)));
        batch_only += pb_splice_prefix_size(CALL_BATCH_FIELD, parts[i].len) + parts[i].len;
    }
    if (rc > 0) assert(lumbung__request__get_packed_size(req) == batch_only);
    if (req) lumbung__request__free_unpacked(req, NULL);
}

/* Two parts or more, built into a batch again, split back into the same parts. */
static void check_rebuilt(const call_batch_part_t *parts, int n) {
    call_batch_t b;
    call_batch_init(&b);
    for (int i = 0; i < n; i++) call_batch_add(&b, parts[i].data, parts[i].len);
    size_t len;
    const uint8_t *msg = call_batch_message(&b, &len);
    call_batch_part_t again[CALL_BATCH_ACCEPT_MAX];
    assert(call_batch_split(msg, len, again, CALL_BATCH_ACCEPT_MAX) == n);
    for (int i = 0; i < n; i++)
        assert(again[i].len == parts[i].len &&
               (parts[i].len == 0 || !memcmp(again[i].data, parts[i].data, parts[i].len)));
    call_batch_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* A copy of exactly `size` bytes, so that a read past the end is caught. */
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy) abort();
    if (size) memcpy(copy, data, size);
    static const int limits[] = { SMALL_MAX, CALL_BATCH_ACCEPT_MAX };
    for (size_t l = 0; l < sizeof limits / sizeof limits[0]; l++) {
        call_batch_part_t parts[CALL_BATCH_ACCEPT_MAX];
        int rc = call_batch_split(copy, size, parts, limits[l]);
        assert(rc == -EPROTO || rc == -E2BIG || (rc >= 0 && rc <= limits[l]));
        for (int i = 0; i < rc; i++) assert(inside(&parts[i], copy, size));
        check_agrees_with_protobuf_c(copy, size, rc, parts, limits[l]);
        if (rc >= 2) check_rebuilt(parts, rc);
    }
    free(copy);
    return 0;
}
