/* pbwire: reading protobuf wire bytes in place, against what protobuf-c packs, and the same
   reader on malformed input (cut-off varints and lengths, groups); envelope's event
   header read from the wire as protobuf-c would unpack it. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"
#include "envelope.h"
#include "pbwire.h"

static void varints_of_every_length_are_read(void **state) {
    (void) state;
    const uint64_t values[] = { 0, 1, 127, 128, 300, 16383, 16384, UINT32_MAX,
                                (uint64_t) 1 << 56, UINT64_MAX };
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        uint8_t buf[PBWIRE_VARINT_MAX];
        size_t n = 0;
        uint64_t v = values[i];
        do {
            buf[n++] = (uint8_t) ((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
            v >>= 7;
        } while (v);
        pbwire_t r = pbwire_reader(buf, n);
        uint64_t out = 0;
        assert_int_equal(pbwire_varint(&r, &out), 0);
        assert_true(out == values[i]);
        assert_ptr_equal(r.at, buf + n);
    }
}

static void a_cut_off_or_overlong_varint_is_malformed(void **state) {
    (void) state;
    const uint8_t cut[] = { 0x80, 0x80 };
    pbwire_t r = pbwire_reader(cut, sizeof cut);
    uint64_t v;
    assert_int_equal(pbwire_varint(&r, &v), -EPROTO);
    assert_ptr_equal(r.at, cut);                    /* not moved */
    uint8_t eleven[11];
    memset(eleven, 0x80, sizeof eleven);
    eleven[10] = 0x01;
    r = pbwire_reader(eleven, sizeof eleven);
    assert_int_equal(pbwire_varint(&r, &v), -EPROTO);
    r = pbwire_reader(NULL, 0);
    assert_int_equal(pbwire_varint(&r, &v), -EPROTO);
}

/* A Heartbeat packed by protobuf-c: string, varint; a Reply's error: a nested message. */
static void fields_are_read_as_protobuf_c_packs_them(void **state) {
    (void) state;
    Lumbung__Heartbeat hb = LUMBUNG__HEARTBEAT__INIT;
    hb.stream = "transactions";
    hb.has_head_seq = hb.has_at_ms = 1;
    hb.head_seq = 123456789;
    hb.at_ms = -5;
    uint8_t buf[128];
    size_t n = lumbung__heartbeat__pack(&hb, buf);
    pbwire_t r = pbwire_reader(buf, n);
    pbwire_field_t f;
    assert_int_equal(pbwire_next(&r, &f), 1);
    assert_int_equal(f.number, 1);
    assert_int_equal(f.type, PBWIRE_BYTES);
    assert_int_equal(f.len, strlen("transactions"));
    assert_memory_equal(f.data, "transactions", f.len);
    assert_int_equal(pbwire_next(&r, &f), 1);
    assert_int_equal(f.number, 2);
    assert_true(f.value == 123456789);
    assert_int_equal(pbwire_next(&r, &f), 1);
    assert_int_equal(f.number, 3);
    assert_true((int64_t) f.value == -5);          /* int64: two's complement, 10 bytes */
    assert_int_equal(pbwire_next(&r, &f), 0);
    uint64_t head = 0;
    assert_int_equal(pbwire_find_varint(buf, n, 2, &head), 1);
    assert_true(head == 123456789);
    assert_int_equal(pbwire_find_varint(buf, n, 9, &head), 0);
    assert_int_equal(pbwire_find_varint(buf, n, 1, &head), -EPROTO);   /* a string, not a varint */
    const uint8_t *name = NULL;
    size_t name_len = 0;
    assert_int_equal(pbwire_find_bytes(buf, n, 1, &name, &name_len), 1);
    assert_int_equal(name_len, strlen("transactions"));
    assert_memory_equal(name, "transactions", name_len);
    assert_int_equal(pbwire_find_bytes(buf, n, 9, &name, &name_len), 0);
    assert_int_equal(pbwire_find_bytes(buf, n, 2, &name, &name_len), -EPROTO);   /* a varint */
}

/* A string given twice: the last wins, as protobuf-c unpacks it. */
static void the_last_string_of_a_field_wins(void **state) {
    (void) state;
    const uint8_t msg[] = { 0x22, 2, 'a', 'b', 0x08, 1, 0x22, 3, 'x', 'y', 'z' };   /* 4, 1, 4 */
    const uint8_t *s = NULL;
    size_t len = 0;
    assert_int_equal(pbwire_find_bytes(msg, sizeof msg, 4, &s, &len), 1);
    assert_int_equal(len, 3);
    assert_memory_equal(s, "xyz", 3);
    assert_int_equal(pbwire_find_bytes(msg, sizeof msg - 1, 4, &s, &len), -EPROTO);   /* cut off */
}

static void fixed_fields_are_read_little_endian(void **state) {
    (void) state;
    const uint8_t msg[] = { 0x09, 1, 2, 3, 4, 5, 6, 7, 8,       /* field 1, 64-bit */
                            0x15, 0xff, 0, 0, 0x80 };           /* field 2, 32-bit */
    pbwire_t r = pbwire_reader(msg, sizeof msg);
    pbwire_field_t f;
    assert_int_equal(pbwire_next(&r, &f), 1);
    assert_int_equal(f.type, PBWIRE_FIXED64);
    assert_true(f.value == 0x0807060504030201ull);
    assert_int_equal(pbwire_next(&r, &f), 1);
    assert_int_equal(f.type, PBWIRE_FIXED32);
    assert_true(f.value == 0x800000ffull);
    assert_int_equal(pbwire_next(&r, &f), 0);
}

static void malformed_fields_are_refused_without_moving(void **state) {
    (void) state;
    const struct { uint8_t bytes[8]; size_t len; } bad[] = {
        { { 0x0a, 0x05, 'a', 'b' }, 4 },          /* length past the end */
        { { 0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f }, 6 },   /* a length of 4 GB */
        { { 0x0a }, 1 },                           /* length cut off */
        { { 0x08 }, 1 },                           /* varint value cut off */
        { { 0x09, 1, 2, 3 }, 4 },                  /* 64-bit value cut off */
        { { 0x0d, 1 }, 2 },                        /* 32-bit value cut off */
        { { 0x0b, 0x0c }, 2 },                     /* a group */
        { { 0x0e, 0 }, 2 },                        /* wire type 6 */
        { { 0x80 }, 1 },                           /* tag cut off */
        { { 0xf8, 0xff, 0xff, 0xff, 0xff, 0x01 }, 6 },   /* field number past 2^32 */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        pbwire_t r = pbwire_reader(bad[i].bytes, bad[i].len);
        pbwire_field_t f;
        assert_int_equal(pbwire_next(&r, &f), -EPROTO);
        assert_ptr_equal(r.at, bad[i].bytes);
        uint64_t v;
        assert_int_equal(pbwire_find_varint(bad[i].bytes, bad[i].len, 1, &v), -EPROTO);
        const uint8_t *data;
        size_t len;
        assert_int_equal(pbwire_find_bytes(bad[i].bytes, bad[i].len, 1, &data, &len), -EPROTO);
    }
}

/* protobuf-c keeps an over-long tag of field 0 (80 00) as an unknown field: so does pbwire. */
static void field_number_0_is_read_as_protobuf_c_does(void **state) {
    (void) state;
    const uint8_t wire[] = { 0x80, 0x00, 0x07, 0x08, 0x09 };   /* field 0 = 7, seq = 9 */
    Lumbung__Event *ev = lumbung__event__unpack(NULL, sizeof wire, wire);
    assert_non_null(ev);
    envelope_event_header_t h;
    assert_int_equal(envelope_event_header(wire, sizeof wire, &h), 0);
    assert_true(h.has_seq && h.seq == 9 && ev->seq == 9);
    lumbung__event__free_unpacked(ev, NULL);
}

static Lumbung__Actor actor_of(char *user, Lumbung__Role role) {
    Lumbung__Actor actor = LUMBUNG__ACTOR__INIT;
    actor.user = user;
    actor.has_role = 1;
    actor.role = role;
    return actor;
}

static size_t pack_event(const Lumbung__Event *e, uint8_t *buf, size_t cap) {
    size_t n = lumbung__event__get_packed_size(e);
    assert_true(n <= cap);
    return lumbung__event__pack(e, buf);
}

static void the_event_header_is_read_from_the_wire(void **state) {
    (void) state;
    Lumbung__Actor actor = actor_of("acme", LUMBUNG__ROLE__ROLE_INTEGRATOR);
    Lumbung__TransactionsEvent body = LUMBUNG__TRANSACTIONS_EVENT__INIT;
    Lumbung__Event e = LUMBUNG__EVENT__INIT;
    e.has_seq = e.has_at_ms = 1;
    e.seq = 4242;
    e.at_ms = 1700000000000;
    e.stream = "transactions";
    e.actor = &actor;
    e.trace_id = "req-1";
    e.body_case = LUMBUNG__EVENT__BODY_TRANSACTIONS;
    e.transactions = &body;
    uint8_t buf[256];
    size_t n = pack_event(&e, buf, sizeof buf);
    envelope_event_header_t h;
    assert_int_equal(envelope_event_header(buf, n, &h), 0);
    assert_true(h.has_seq && h.seq == 4242);
    assert_true(h.has_role);
    assert_int_equal(h.role, LUMBUNG__ROLE__ROLE_INTEGRATOR);
    assert_int_equal(h.body, LUMBUNG__EVENT__BODY_TRANSACTIONS);

    e.actor = NULL;                        /* no actor, no body */
    e.body_case = LUMBUNG__EVENT__BODY__NOT_SET;
    n = pack_event(&e, buf, sizeof buf);
    assert_int_equal(envelope_event_header(buf, n, &h), 0);
    assert_true(h.has_seq && h.seq == 4242);
    assert_false(h.has_role);
    assert_int_equal(h.body, LUMBUNG__EVENT__BODY__NOT_SET);

    assert_int_equal(envelope_event_header(NULL, 0, &h), 0);     /* the empty Event */
    assert_false(h.has_seq);
}

/* Two seq fields and two actors in one event: protobuf-c keeps the last seq and merges the
   actors, and so does the header. */
static void repeated_fields_follow_protobuf_c(void **state) {
    (void) state;
    const uint8_t wire[] = {
        0x08, 0x05,                         /* seq = 5 */
        0x22, 0x02, 0x10, 0x06,             /* actor { role: INTEGRATOR } */
        0x22, 0x03, 0x0a, 0x01, 'u',        /* actor { user: "u" } (merged: role stays) */
        0x08, 0x07,                         /* seq = 7 */
    };
    Lumbung__Event *ev = lumbung__event__unpack(NULL, sizeof wire, wire);
    assert_non_null(ev);
    envelope_event_header_t h;
    assert_int_equal(envelope_event_header(wire, sizeof wire, &h), 0);
    assert_true(h.seq == ev->seq);
    assert_true(h.has_role == (ev->actor && ev->actor->has_role));
    assert_int_equal(h.role, ev->actor->role);
    lumbung__event__free_unpacked(ev, NULL);
}

static void a_malformed_event_has_no_header(void **state) {
    (void) state;
    const uint8_t seq_as_bytes[] = { 0x0a, 0x01, 0x05 };
    const uint8_t actor_as_varint[] = { 0x08, 0x01, 0x20, 0x06 };
    const uint8_t bad_actor[] = { 0x08, 0x01, 0x22, 0x02, 0x10, 0x80 };
    const uint8_t body_as_varint[] = { 0x08, 0x01, 0xa8, 0x01, 0x01 };   /* field 21, varint */
    const uint8_t cut[] = { 0x08, 0x01, 0x1a, 0x09, 't' };
    envelope_event_header_t h;
    assert_int_equal(envelope_event_header(seq_as_bytes, sizeof seq_as_bytes, &h), -EPROTO);
    assert_int_equal(envelope_event_header(actor_as_varint, sizeof actor_as_varint, &h), -EPROTO);
    assert_int_equal(envelope_event_header(bad_actor, sizeof bad_actor, &h), -EPROTO);
    assert_int_equal(envelope_event_header(body_as_varint, sizeof body_as_varint, &h), -EPROTO);
    assert_int_equal(envelope_event_header(cut, sizeof cut, &h), -EPROTO);
}

/* Every prefix of a valid event either reads or is refused; none reads past its end (the
   sanitizer build checks the bytes). */
static void every_prefix_of_an_event_is_safe(void **state) {
    (void) state;
    Lumbung__Actor actor = actor_of("someone", LUMBUNG__ROLE__ROLE_OPERATOR);
    Lumbung__Event e = LUMBUNG__EVENT__INIT;
    e.has_seq = 1;
    e.seq = UINT64_MAX;
    e.stream = "members";
    e.actor = &actor;
    uint8_t buf[256];
    size_t n = pack_event(&e, buf, sizeof buf);
    for (size_t len = 0; len <= n; len++) {
        uint8_t *copy = malloc(len ? len : 1);
        memcpy(copy, buf, len);
        envelope_event_header_t h;
        int rc = envelope_event_header(copy, len, &h);
        Lumbung__Event *ev = lumbung__event__unpack(NULL, len, copy);
        if (ev) {                           /* what protobuf-c takes, the header takes alike */
            assert_int_equal(rc, 0);
            assert_true(h.has_seq == ev->has_seq && (!h.has_seq || h.seq == ev->seq));
            lumbung__event__free_unpacked(ev, NULL);
        }
        if (len == n) assert_int_equal(rc, 0);
        free(copy);
    }
}

int main(void) {
    unit_quiet_logs("test_pbwire");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(varints_of_every_length_are_read),
        cmocka_unit_test(a_cut_off_or_overlong_varint_is_malformed),
        cmocka_unit_test(fields_are_read_as_protobuf_c_packs_them),
        cmocka_unit_test(fixed_fields_are_read_little_endian),
        cmocka_unit_test(the_last_string_of_a_field_wins),
        cmocka_unit_test(malformed_fields_are_refused_without_moving),
        cmocka_unit_test(field_number_0_is_read_as_protobuf_c_does),
        cmocka_unit_test(the_event_header_is_read_from_the_wire),
        cmocka_unit_test(repeated_fields_follow_protobuf_c),
        cmocka_unit_test(a_malformed_event_has_no_header),
        cmocka_unit_test(every_prefix_of_an_event_is_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
