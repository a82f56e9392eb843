/* event_batch: what the builder writes is a lumbung.EventBatch protobuf-c unpacks with the
   same events in the same order; a batch says it is full at 32 events or 64 KiB (and at once
   for one event larger than that); the reader visits every event in order, skips other
   fields, and stops at malformed bytes with the events before them visited. */
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
#include "event_batch.h"
#include "envelope.pb-c.h"

/* A packed Event with sequence seq (malloc'd, *len set). */
static uint8_t *packed_event(uint64_t seq, size_t *len) {
    Lumbung__Event ev = LUMBUNG__EVENT__INIT;
    ev.has_seq = 1;
    ev.seq = seq;
    ev.stream = "transactions";
    *len = lumbung__event__get_packed_size(&ev);
    uint8_t *out = malloc(*len);
    lumbung__event__pack(&ev, out);
    return out;
}

typedef struct {
    uint64_t seqs[64];
    int count;
} seen_t;

static void note_seq(void *arg, const uint8_t *event, size_t len) {
    seen_t *seen = arg;
    Lumbung__Event *ev = lumbung__event__unpack(NULL, len, event);
    assert_non_null(ev);
    seen->seqs[seen->count++] = ev->seq;
    lumbung__event__free_unpacked(ev, NULL);
}

static void a_batch_is_an_event_batch_protobuf_c_reads(void **state) {
    (void) state;
    event_batch_t b;
    event_batch_init(&b);
    for (uint64_t seq = 7; seq <= 9; seq++) {
        size_t len;
        uint8_t *ev = packed_event(seq, &len);
        assert_false(event_batch_add(&b, ev, len));
        free(ev);
    }
    assert_int_equal(b.count, 3);
    Lumbung__EventBatch *batch = lumbung__event_batch__unpack(NULL, b.len, b.data);
    assert_non_null(batch);
    assert_int_equal(batch->n_events, 3);
    for (size_t i = 0; i < 3; i++) {
        Lumbung__Event *ev = lumbung__event__unpack(NULL, batch->events[i].len,
                                                    batch->events[i].data);
        assert_non_null(ev);
        assert_int_equal(ev->seq, 7 + i);
        assert_string_equal(ev->stream, "transactions");
        lumbung__event__free_unpacked(ev, NULL);
    }
    lumbung__event_batch__free_unpacked(batch, NULL);
    seen_t seen = { 0 };
    assert_int_equal(event_batch_each(b.data, b.len, note_seq, &seen), 3);
    assert_int_equal(seen.count, 3);
    assert_int_equal(seen.seqs[0], 7);
    assert_int_equal(seen.seqs[2], 9);
    event_batch_clear(&b);
    assert_int_equal(b.count, 0);
    assert_int_equal(b.len, 0);
    event_batch_free(&b);
}

static void a_batch_is_full_at_32_events_or_64_kib(void **state) {
    (void) state;
    event_batch_t b;
    event_batch_init(&b);
    size_t len;
    uint8_t *ev = packed_event(1, &len);
    for (int i = 1; i < EVENT_BATCH_EVENTS; i++) assert_false(event_batch_add(&b, ev, len));
    assert_true(event_batch_add(&b, ev, len));            /* the 32nd */
    assert_int_equal(b.count, 32);
    free(ev);
    event_batch_clear(&b);
    uint8_t *big = calloc(1, EVENT_BATCH_BYTES / 2);      /* two of these reach 64 KiB */
    assert_false(event_batch_add(&b, big, EVENT_BATCH_BYTES / 2));
    assert_true(event_batch_add(&b, big, EVENT_BATCH_BYTES / 2));
    free(big);
    event_batch_clear(&b);
    uint8_t *huge = calloc(1, EVENT_BATCH_BYTES * 3);     /* alone, and full at once */
    assert_true(event_batch_add(&b, huge, EVENT_BATCH_BYTES * 3));
    Lumbung__EventBatch *batch = lumbung__event_batch__unpack(NULL, b.len, b.data);
    assert_non_null(batch);
    assert_int_equal(batch->n_events, 1);
    assert_int_equal(batch->events[0].len, EVENT_BATCH_BYTES * 3);
    lumbung__event_batch__free_unpacked(batch, NULL);
    free(huge);
    event_batch_free(&b);
}

static void the_reader_skips_other_fields_and_stops_at_malformed_bytes(void **state) {
    (void) state;
    size_t len;
    uint8_t *ev = packed_event(41, &len);
    uint8_t frame[256];
    size_t n = 0;
    frame[n++] = 0x10;                                    /* field 2, a varint: skipped */
    frame[n++] = 0x05;
    frame[n++] = 0x0a;                                    /* field 1, the event */
    frame[n++] = (uint8_t) len;
    memcpy(frame + n, ev, len);
    n += len;
    seen_t seen = { 0 };
    assert_int_equal(event_batch_each(frame, n, note_seq, &seen), 1);
    assert_int_equal(seen.seqs[0], 41);
    frame[n++] = 0x0a;                                    /* a second event cut off */
    frame[n++] = 100;
    frame[n++] = 0x08;
    seen = (seen_t) { 0 };
    assert_int_equal(event_batch_each(frame, n, note_seq, &seen), -EPROTO);
    assert_int_equal(seen.count, 1);                      /* the one before the fault */
    assert_int_equal(event_batch_each(NULL, 0, note_seq, &seen), 0);
    free(ev);
}

int main(void) {
    unit_quiet_logs("test_event_batch");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_batch_is_an_event_batch_protobuf_c_reads),
        cmocka_unit_test(a_batch_is_full_at_32_events_or_64_kib),
        cmocka_unit_test(the_reader_skips_other_fields_and_stops_at_malformed_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
