/* pb_splice: fields written by concatenation are what protobuf-c packs (one-, two- and
   three-byte lengths and tags), and the walk over a packed message's fields finds each field
   with its exact bytes, refusing bytes that are no protobuf; the buffer such a message is
   built in grows by doubling. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"
#include "pb_splice.h"
#include "envelope.pb-c.h"

static void varint_sizes_follow_the_seven_bit_groups(void **state) {
    (void) state;
    assert_int_equal(pb_splice_varint_size(0), 1);
    assert_int_equal(pb_splice_varint_size(127), 1);
    assert_int_equal(pb_splice_varint_size(128), 2);
    assert_int_equal(pb_splice_varint_size(16383), 2);
    assert_int_equal(pb_splice_varint_size(16384), 3);
    assert_int_equal(pb_splice_varint_size(UINT64_MAX), 10);
}

/* Request { idempotency_key (3), ping (10) } packed by protobuf-c equals its spliced fields. */
static void spliced_fields_equal_protobuf_c_packing(void **state) {
    (void) state;
    size_t sizes[] = { 0, 1, 127, 128, 300, 16383, 16384, 70000 };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        char *key = malloc(sizes[i] + 1);
        memset(key, 'k', sizes[i]);
        key[sizes[i]] = 0;
        Lumbung__Request req = LUMBUNG__REQUEST__INIT;
        req.idempotency_key = key;
        size_t len = lumbung__request__get_packed_size(&req);
        uint8_t *packed = malloc(len + 1), *spliced = malloc(len + PB_SPLICE_PREFIX_MAX);
        lumbung__request__pack(&req, packed);
        pb_splice_field_t f = { 3, (const uint8_t *) key, sizes[i] };
        assert_int_equal(pb_splice_field_size(&f), len);
        uint8_t *end = pb_splice_field(spliced, &f);
        assert_int_equal((size_t) (end - spliced), len);
        assert_memory_equal(spliced, packed, len);
        free(packed);
        free(spliced);
        free(key);
    }
}

static void the_walk_finds_each_field_with_its_bytes(void **state) {
    (void) state;
    Lumbung__Ping ping = LUMBUNG__PING__INIT;
    Lumbung__Request req = LUMBUNG__REQUEST__INIT;
    req.has_request_id = req.has_deadline_ms = 1;
    req.request_id = 300;
    req.deadline_ms = -5;                        /* a ten-byte varint */
    req.idempotency_key = "abc";
    req.body_case = LUMBUNG__REQUEST__BODY_PING;
    req.ping = &ping;
    uint8_t buf[128];
    size_t len = lumbung__request__pack(&req, buf);
    const uint8_t *p = buf, *start;
    uint32_t fields[8], n = 0;
    size_t spans[8];
    while (p < buf + len) {
        assert_int_equal(pb_splice_next(&p, buf + len, &fields[n], &start), 0);
        spans[n++] = (size_t) (p - start);
    }
    assert_int_equal(n, 4);
    assert_int_equal(fields[0], 1);
    assert_int_equal(spans[0], 3);               /* tag, 300 in two bytes */
    assert_int_equal(fields[1], 3);
    assert_int_equal(spans[1], 5);
    assert_int_equal(fields[2], 4);
    assert_int_equal(spans[2], 11);
    assert_int_equal(fields[3], 10);
    assert_int_equal(spans[3], 2);
    p = buf;
    assert_int_equal(pb_splice_next(&p, buf + 4, &fields[0], &start), 0);   /* field 1 */
    assert_int_equal(pb_splice_next(&p, buf + 4, &fields[0], &start), -EBADMSG);
    const uint8_t group[] = { 0x0b };            /* wire type 3, a group */
    p = group;
    assert_int_equal(pb_splice_next(&p, group + 1, &fields[0], &start), -EBADMSG);
}

/* A buffer grows to `initial` first, then by doubling, keeps its bytes, and is left alone
   while it has room. */
static void the_room_starts_at_initial_then_doubles_and_keeps_the_bytes(void **state) {
    (void) state;
    uint8_t *data = NULL;
    size_t cap = 0;
    pb_splice_room(&data, &cap, 10, 64);
    assert_non_null(data);
    assert_int_equal(cap, 64);
    memset(data, 0xab, 64);
    uint8_t *same = data;
    pb_splice_room(&data, &cap, 64, 64);
    assert_ptr_equal(data, same);
    assert_int_equal(cap, 64);
    pb_splice_room(&data, &cap, 65, 64);
    assert_int_equal(cap, 128);
    pb_splice_room(&data, &cap, 1000, 64);
    assert_int_equal(cap, 1024);
    for (int i = 0; i < 64; i++) assert_int_equal(data[i], 0xab);
    free(data);
}

int main(void) {
    unit_quiet_logs("test_pb_splice");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(varint_sizes_follow_the_seven_bit_groups),
        cmocka_unit_test(spliced_fields_equal_protobuf_c_packing),
        cmocka_unit_test(the_walk_finds_each_field_with_its_bytes),
        cmocka_unit_test(the_room_starts_at_initial_then_doubles_and_keeps_the_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
