/* libFuzzer target: the gateway's JSON <-> protobuf converter (services/gateway/json_pb.c) on
   request bodies and path/query text an HTTP client controls.

   Input layout: two bytes choose the message (every message reachable from lumbung.Request,
   Reply and Event, sorted by name), one byte the mode, then the payload. Mode bit 0 set: the
   payload starts with NAME \0 TEXT \0, given to json_pb_set_text after the body, as a path
   or query parameter would be. Mode bit 1 set: the rest is JSON text, parsed as the gateway
   parses it (JSON_REJECT_DUPLICATES, objects only); clear: the rest steers a generator that
   builds the body from the message's own field names with values of every JSON type, so the
   fuzzer reaches the converter's checks without having to discover JSON syntax and field
   names through jansson, which is not instrumented.
   Properties: never a crash, a leak or undefined behaviour; a refusal always names its error
   code and message; an accepted message packs, renders with json_pb_to_json, and that JSON is
   accepted again and yields the same protobuf encoding (so what the gateway shows an operator
   can be sent back unchanged).

   Run with `make fuzz` (all targets) or, once built:
     build-fuzz/fuzz/fuzz_gateway_json_pb -max_total_time=60 tests/fuzz/corpus/fuzz_gateway_json_pb */
#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "envelope.pb-c.h"
#include "../../services/gateway/json_pb.h"

enum { DESCRIPTORS_MAX = 1024, TEXT_MAX = 4096 };

static const ProtobufCMessageDescriptor *descriptors[DESCRIPTORS_MAX];
static size_t descriptor_count;

static void collect(const ProtobufCMessageDescriptor *d) {
    for (size_t i = 0; i < descriptor_count; i++)
        if (descriptors[i] == d) return;
    assert(descriptor_count < DESCRIPTORS_MAX);
    descriptors[descriptor_count++] = d;
    for (unsigned i = 0; i < d->n_fields; i++)
        if (d->fields[i].type == PROTOBUF_C_TYPE_MESSAGE) collect(d->fields[i].descriptor);
}

static int by_name(const void *a, const void *b) {
    const ProtobufCMessageDescriptor *const *x = a, *const *y = b;
    return strcmp((*x)->name, (*y)->name);
}

static void collect_all(void) {
    collect(&lumbung__request__descriptor);
    collect(&lumbung__reply__descriptor);
    collect(&lumbung__event__descriptor);
    qsort(descriptors, descriptor_count, sizeof descriptors[0], by_name);
}

static void assert_error_named(const problem_t *e) {
    assert(e->code[0] != '\0');
    assert(e->message[0] != '\0');
    assert(memchr(e->field, '\0', sizeof e->field));   /* terminated within its buffer */
}

static uint8_t *packed(arena_t *arena, const ProtobufCMessage *m, size_t *len) {
    assert(protobuf_c_message_check(m));
    *len = protobuf_c_message_get_packed_size(m);
    uint8_t *buf = arena_alloc(arena, *len ? *len : 1);
    assert(protobuf_c_message_pack(m, buf) == *len);
    return buf;
}

/* What the gateway does with an accepted message, and the round trip through its output. */
static void check_accepted(arena_t *arena, const ProtobufCMessage *m) {
    size_t len, again_len;
    uint8_t *bytes = packed(arena, m, &len);
    json_t *shown = json_pb_to_json(m);
    assert(shown && json_is_object(shown));
    ProtobufCMessage *again = arena_message(arena, m->descriptor);
    problem_t e;
    memset(&e, 0, sizeof e);
    int rc = json_pb_from_json(arena, shown, again, &e);
    assert(rc == 0);
    uint8_t *again_bytes = packed(arena, again, &again_len);
    assert(again_len == len && memcmp(bytes, again_bytes, len) == 0);
    json_decref(shown);
}

/* Parses `body` like the gateway; returns 0 and converts into m, 1 when the body is not an
   object of JSON (the gateway answers invalid_json itself), -1 when json_pb refused it. */
static int from_body(arena_t *arena, const uint8_t *body, size_t len, ProtobufCMessage *m) {
    json_error_t jerr;
    json_t *json = json_loadb((const char *) body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!json) return 1;
    int rc = 1;
    if (json_is_object(json)) {
        problem_t e;
        memset(&e, 0, sizeof e);
        rc = json_pb_from_json(arena, json, m, &e);
        if (rc != 0) assert_error_named(&e);
    }
    json_decref(json);
    return rc;
}

/* ---- the generator: JSON bodies shaped like the message, values steered by the input ---- */

enum { GEN_MEMBERS_MAX = 8, GEN_ITEMS_MAX = 4, GEN_DEPTH_MAX = JSON_PB_DEPTH_MAX + 2 };

typedef struct {
    const uint8_t *p, *end;
} source_t;

static uint8_t take_byte(source_t *s) { return s->p < s->end ? *s->p++ : 0; }

static uint64_t take_u64(source_t *s) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | take_byte(s);
    return v;
}

/* Texts the conventions give meaning to, right and wrong. */
static const char *const interesting[] = {
    "0", "1", "-1", "1500.50", "0.01", "0.001", "1.", ".5", "12", "100.00", "1e3", " 1",
    "92233720368547758.07", "92233720368547758.08", "9223372036854775807", "9223372036854775808",
    "18446744073709551615", "18446744073709551616", "-9223372036854775808", "2147483648",
    "2024-02-29", "2023-02-29", "2024-13-01", "2024-1-01", "0000-01-01", "9999-12-31",
    "2024-02-29T10:00:00Z", "2024-02-29T10:00:00.123+07:00", "2024-02-29 10:00:00",
    "AAEC", "AAE=", "!!!!", "", "true", "false", "null", "unspecified",
};

/* The JSON name of a value of enum e, as json_pb expects it (prefix dropped, lower case). */
static json_t *enum_text(source_t *s, const ProtobufCEnumDescriptor *e) {
    const char *name = e->values[take_byte(s) % e->n_values].name;
    const char *under = strchr(name, '_');
    size_t skip = 0;
    for (unsigned i = 0; under && i < (take_byte(s) & 3u); i++) {
        skip = (size_t) (under - name) + 1;
        under = strchr(under + 1, '_');
    }
    char buf[128];
    size_t n = 0;
    for (const char *c = name + skip; *c && n + 1 < sizeof buf; c++)
        buf[n++] = (char) (*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
    buf[n] = '\0';
    return json_string(buf);
}

static json_t *gen_object(source_t *s, const ProtobufCMessageDescriptor *d, int depth);

static json_t *gen_text(source_t *s) {
    size_t n = take_byte(s);
    if ((size_t) (s->end - s->p) < n) n = (size_t) (s->end - s->p);
    json_t *v = json_stringn((const char *) s->p, n);   /* NULL unless valid UTF-8 */
    s->p += n;
    return v ? v : json_string("");
}

static json_t *gen_value(source_t *s, const ProtobufCFieldDescriptor *f, int depth) {
    if (depth > GEN_DEPTH_MAX) return json_null();
    uint8_t kind = take_byte(s);
    switch (kind % 10) {
    case 0: return json_null();
    case 1: return json_boolean(kind & 0x10);
    case 2: return json_integer((json_int_t) take_u64(s));
    case 3: {
        uint64_t bits = take_u64(s);
        double d;
        memcpy(&d, &bits, sizeof d);
        json_t *v = json_real(d);   /* NULL for NaN and infinities */
        return v ? v : json_real(0.5);
    }
    case 4: return gen_text(s);
    case 5: return json_string(interesting[take_byte(s) % (sizeof interesting / sizeof interesting[0])]);
    case 6: {
        json_t *a = json_array();
        unsigned n = take_byte(s) % (GEN_ITEMS_MAX + 1);
        for (unsigned i = 0; i < n; i++) json_array_append_new(a, gen_value(s, f, depth + 1));
        return a;
    }
    case 7: return gen_object(s, f && f->type == PROTOBUF_C_TYPE_MESSAGE ? f->descriptor
                                                                      : &lumbung__actor__descriptor,
                              depth + 1);
    default:   /* the value the field's type calls for */
        if (!f) return json_null();
        if (f->type == PROTOBUF_C_TYPE_ENUM) return enum_text(s, f->descriptor);
        if (f->type == PROTOBUF_C_TYPE_MESSAGE) return gen_object(s, f->descriptor, depth + 1);
        if (f->label == PROTOBUF_C_LABEL_REPEATED && (kind & 0x80)) {
            json_t *a = json_array();
            json_array_append_new(a, gen_value(s, NULL, depth + 1));
            return a;
        }
        return json_string(interesting[take_byte(s) % (sizeof interesting / sizeof interesting[0])]);
    }
}

static json_t *gen_object(source_t *s, const ProtobufCMessageDescriptor *d, int depth) {
    json_t *o = json_object();
    unsigned n = take_byte(s) % (GEN_MEMBERS_MAX + 1);
    for (unsigned i = 0; i < n && d->n_fields > 0; i++) {
        uint8_t pick = take_byte(s);
        const ProtobufCFieldDescriptor *f = &d->fields[pick % d->n_fields];
        char name[JSON_PB_FIELD_PATH_MAX];
        if (pick == 0xFF) snprintf(name, sizeof name, "%s_x", f->name);   /* unknown */
        else if (pick == 0xFE) snprintf(name, sizeof name, "%s", f->name); /* the proto name */
        else json_pb_json_name(f, name, sizeof name);
        json_object_set_new(o, name, gen_value(s, f, depth));
    }
    return o;
}

/* Like from_body, for a generated body. */
static int from_generated(arena_t *arena, source_t *s, ProtobufCMessage *m) {
    json_t *json = gen_object(s, m->descriptor, 1);
    problem_t e;
    memset(&e, 0, sizeof e);
    int rc = json_pb_from_json(arena, json, m, &e);
    if (rc != 0) assert_error_named(&e);
    json_decref(json);
    return rc;
}

/* Copies the bytes up to the next NUL (or the end) into a terminated string in the arena. */
static char *take_text(arena_t *arena, const uint8_t **p, const uint8_t *end) {
    const uint8_t *nul = memchr(*p, 0, (size_t) (end - *p));
    size_t n = (size_t) ((nul ? nul : end) - *p);
    if (n > TEXT_MAX) n = TEXT_MAX;
    char *s = arena_alloc(arena, n + 1);
    memcpy(s, *p, n);
    *p = nul ? nul + 1 : end;
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static arena_t *arena;
    if (!arena) {
        arena = arena_new();
        collect_all();
    }
    if (size < 3) return 0;
    const ProtobufCMessageDescriptor *d = descriptors[(data[0] | data[1] << 8) % descriptor_count];
    bool with_text = data[2] & 1, raw_json = data[2] & 2;
    const uint8_t *p = data + 3, *end = data + size;
    ProtobufCMessage *m = arena_message(arena, d);
    char *name = with_text ? take_text(arena, &p, end) : NULL;
    char *text = with_text ? take_text(arena, &p, end) : NULL;
    int rc;
    if (raw_json) {
        rc = from_body(arena, p, (size_t) (end - p), m);
    } else {
        source_t src = { p, end };
        rc = from_generated(arena, &src, m);
    }
    if (with_text && rc >= 0) {
        problem_t e;
        memset(&e, 0, sizeof e);
        rc = json_pb_set_text(arena, m, name, text, &e);
        if (rc != 0) assert_error_named(&e);
    }
    if (rc == 0) check_accepted(arena, m);
    arena_reset(arena);
    return 0;
}
