/* call_batch: what the builder writes is a lumbung.Request protobuf-c unpacks with the same
   elements in order, a batch of one is its element alone, a batch says it is full at
   CALL_BATCH_CALLS elements or CALL_BATCH_BYTES; the reader takes a single message as 0,
   gives every element of a batch, and refuses a batch beside another field, malformed bytes
   and more elements than asked for. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"
#include "call_batch.h"
#include "envelope.pb-c.h"

/* A packed Ping Request with id `id` into buf (room for 64 bytes); returns its length. */
static size_t packed_ping(uint64_t id, uint8_t *buf) {
    Lumbung__Request r = LUMBUNG__REQUEST__INIT;
    Lumbung__Ping ping = LUMBUNG__PING__INIT;
    r.has_request_id = 1;
    r.request_id = id;
    r.body_case = LUMBUNG__REQUEST__BODY_PING;
    r.ping = &ping;
    assert_true(lumbung__request__get_packed_size(&r) <= 64);
    return lumbung__request__pack(&r, buf);
}

static void a_batch_is_a_request_whose_batch_holds_each_element_in_order(void **state) {
    (void) state;
    call_batch_t b;
    call_batch_init(&b);
    uint8_t one[64];
    for (uint64_t id = 1; id <= 3; id++) {
        size_t len = packed_ping(id, one);
        if (id == 2) memcpy(call_batch_reserve(&b, len), one, len);   /* packed in place */
        else call_batch_add(&b, one, len);
    }
    size_t len;
    const uint8_t *bytes = call_batch_message(&b, &len);
    Lumbung__Request *outer = lumbung__request__unpack(NULL, len, bytes);
    assert_non_null(outer);
    assert_int_equal(outer->n_batch, 3);
    assert_int_equal(outer->has_request_id, 0);
    for (size_t i = 0; i < 3; i++) {
        Lumbung__Request *inner = lumbung__request__unpack(NULL, outer->batch[i].len, outer->batch[i].data);
        assert_non_null(inner);
        assert_int_equal(inner->request_id, i + 1);
        lumbung__request__free_unpacked(inner, NULL);
    }
    lumbung__request__free_unpacked(outer, NULL);

    call_batch_part_t parts[4];
    assert_int_equal(call_batch_split(bytes, len, parts, 4), 3);
    Lumbung__Request *second = lumbung__request__unpack(NULL, parts[1].len, parts[1].data);
    assert_int_equal(second->request_id, 2);
    lumbung__request__free_unpacked(second, NULL);
    assert_int_equal(call_batch_split(bytes, len, parts, 2), -E2BIG);
    call_batch_free(&b);
}

static void a_batch_of_one_is_its_element_alone_and_reads_as_a_single_message(void **state) {
    (void) state;
    call_batch_t b;
    call_batch_init(&b);
    size_t len;
    assert_null(call_batch_message(&b, &len));
    assert_int_equal(len, 0);
    uint8_t one[64];
    size_t one_len = packed_ping(7, one);
    call_batch_add(&b, one, one_len);
    const uint8_t *bytes = call_batch_message(&b, &len);
    assert_int_equal(len, one_len);
    assert_memory_equal(bytes, one, one_len);
    call_batch_part_t parts[4];
    assert_int_equal(call_batch_split(bytes, len, parts, 4), 0);
    assert_int_equal(call_batch_split(NULL, 0, parts, 4), 0);      /* an empty Request */
    call_batch_clear(&b);
    assert_null(call_batch_message(&b, &len));
    call_batch_free(&b);
}

static void a_batch_is_full_at_its_count_or_its_bytes(void **state) {
    (void) state;
    call_batch_t b;
    call_batch_init(&b);
    uint8_t one[64];
    size_t len = packed_ping(1, one);
    for (int i = 0; i < CALL_BATCH_CALLS - 1; i++) call_batch_add(&b, one, len);
    assert_false(call_batch_full(&b));
    call_batch_add(&b, one, len);
    assert_true(call_batch_full(&b));
    call_batch_clear(&b);
    uint8_t *big = calloc(1, 8 * CALL_BATCH_BYTES);
    call_batch_add(&b, big, CALL_BATCH_BYTES);
    assert_true(call_batch_full(&b));
    call_batch_clear(&b);
    assert_non_null(b.data);                     /* the usual room is kept... */
    call_batch_add(&b, big, 8 * CALL_BATCH_BYTES);
    call_batch_clear(&b);
    assert_null(b.data);                         /* ...a huge element's is given back */
    assert_int_equal(b.cap, 0);
    call_batch_add(&b, big, 10);
    size_t out_len;
    assert_memory_equal(call_batch_message(&b, &out_len), big, 10);
    free(big);
    call_batch_free(&b);
}

static void a_batch_beside_another_field_or_cut_off_is_refused(void **state) {
    (void) state;
    call_batch_t b;
    call_batch_init(&b);
    uint8_t one[64];
    size_t one_len = packed_ping(1, one);
    call_batch_add(&b, one, one_len);
    call_batch_add(&b, one, one_len);
    uint8_t msg[256];
    memcpy(msg, b.data, b.len);
    call_batch_part_t parts[4];
    /* request_id = 5 after the elements */
    msg[b.len] = 0x08;
    msg[b.len + 1] = 0x05;
    assert_int_equal(call_batch_split(msg, b.len + 2, parts, 4), -EPROTO);
    /* the last element cut short */
    assert_int_equal(call_batch_split(msg, b.len - 1, parts, 4), -EPROTO);
    /* field 50 as a varint is no batch either */
    const uint8_t varint50[] = { 0x90, 0x03, 0x01 };
    assert_int_equal(call_batch_split(varint50, sizeof varint50, parts, 4), -EPROTO);
    /* bytes that are no protobuf, without field 50: left to protobuf-c to refuse */
    const uint8_t junk[] = { 0xFF, 0xFF, 0xFF };
    assert_int_equal(call_batch_split(junk, sizeof junk, parts, 4), 0);
    call_batch_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_batch_is_a_request_whose_batch_holds_each_element_in_order),
        cmocka_unit_test(a_batch_of_one_is_its_element_alone_and_reads_as_a_single_message),
        cmocka_unit_test(a_batch_is_full_at_its_count_or_its_bytes),
        cmocka_unit_test(a_batch_beside_another_field_or_cut_off_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
