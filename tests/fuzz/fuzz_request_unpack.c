/* libFuzzer target: decoding what arrives from the bus, as the runtime does it.

   A service unpacks every message its ROUTER receives as a lumbung.Request with the call's
   arena allocator (service.c), a client unpacks replies as lumbung.Reply (client.c) and a
   follower unpacks events as lumbung.Event (follower.c), all from bytes an outside peer
   controls. Each input goes through all three decoders and must never crash or leak. What
   decodes must also pack again, since the runtime re-packs requests (the idempotency hash) and
   stores re-packed replies, and one round of re-encoding its known fields must reach a fixed
   point.

   Run with `make fuzz` (all targets) or, once built:
     build-fuzz/fuzz/fuzz_request_unpack -max_total_time=60 tests/fuzz/corpus/fuzz_request_unpack */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "envelope.pb-c.h"

/* protobuf-c 1.4 keeps unknown fields verbatim, even one with the invalid field number 0 when
   its tag is over-long (80 00); it re-emits that as 00, which its own decoder then rejects.
   Lumbung never forwards unknown fields, so they are dropped, at every level, before the
   round trip. */
static void drop_unknown(ProtobufCMessage *m) {
    m->n_unknown_fields = 0;
    m->unknown_fields = NULL;
    const ProtobufCMessageDescriptor *d = m->descriptor;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (f->type != PROTOBUF_C_TYPE_MESSAGE) continue;
        char *member = (char *) m + f->offset;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t count = *(size_t *) ((char *) m + f->quantifier_offset);
            ProtobufCMessage **items = *(ProtobufCMessage ***) member;
            for (size_t j = 0; j < count; j++) drop_unknown(items[j]);
            continue;
        }
        if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
            *(uint32_t *) ((char *) m + f->quantifier_offset) != f->id)
            continue;   /* another member of the oneof owns the storage */
        ProtobufCMessage *sub = *(ProtobufCMessage **) member;
        if (sub) drop_unknown(sub);
    }
}

/* Packs `m`, unpacks the bytes again, packs that, and asserts both encodings are equal. */
static void assert_stable(arena_t *arena, ProtobufCMessage *m) {
    ProtobufCAllocator alloc = arena_allocator(arena);
    drop_unknown(m);
    size_t n = protobuf_c_message_get_packed_size(m);
    uint8_t *once = arena_alloc(arena, n ? n : 1);
    assert(protobuf_c_message_pack(m, once) == n);
    ProtobufCMessage *again = protobuf_c_message_unpack(m->descriptor, &alloc, n, once);
    assert(again);
    size_t n2 = protobuf_c_message_get_packed_size(again);
    uint8_t *twice = arena_alloc(arena, n2 ? n2 : 1);
    assert(protobuf_c_message_pack(again, twice) == n2);
    ProtobufCMessage *third = protobuf_c_message_unpack(m->descriptor, &alloc, n2, twice);
    assert(third);
    size_t n3 = protobuf_c_message_get_packed_size(third);
    uint8_t *thrice = arena_alloc(arena, n3 ? n3 : 1);
    assert(protobuf_c_message_pack(third, thrice) == n3);
    assert(n3 == n2 && memcmp(twice, thrice, n2) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* One arena for the process, reset per input like a service call's arena per request. */
    static arena_t *arena;
    if (!arena) arena = arena_new();
    ProtobufCAllocator alloc = arena_allocator(arena);

    Lumbung__Request *req = lumbung__request__unpack(&alloc, size, data);
    if (req) {
        assert(protobuf_c_message_check(&req->base));
        assert_stable(arena, &req->base);
        /* What the runtime reads before dispatching. */
        if (req->idempotency_key) (void) strlen(req->idempotency_key);
        if (req->actor && req->actor->user) (void) strlen(req->actor->user);
    }
    Lumbung__Reply *reply = lumbung__reply__unpack(&alloc, size, data);
    if (reply) assert_stable(arena, &reply->base);
    Lumbung__Event *event = lumbung__event__unpack(&alloc, size, data);
    if (event) assert_stable(arena, &event->base);
    arena_reset(arena);
    return 0;
}
