/* json_pb_write: the reply JSON written straight from the message must be, byte for byte, what
   json_dumps(json_pb_to_json(message), JSON_COMPACT | JSON_ENSURE_ASCII) gives (the answers'
   old path), for every message a reply can hold: each is filled from its descriptor with
   awkward values (escapes, non-ASCII and invalid UTF-8, negative money, dates and timestamps
   at the edges, reals that print with exponents, NaN, unknown enum values, empty and full
   lists, absent fields, each member of a oneof in turn). */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../services/gateway/json_pb.h"
#include "envelope.pb-c.h"

enum { VARIANTS = 7, FILL_DEPTH_MAX = 4, DESCRIPTORS_MAX = 1024 };

static const char *const strings[] = {
    "plain", "", "quote \" back \\ slash / del \x7f",
    "ctrl \x01\x1f \n\t\r\b\f end", "Rupiah \xe2\x80\x93 Jakarta \xe2\x9c\x93 \xf0\x9f\x98\x80",
    "bad \xff\xfe utf8 \xc0\x80 \xed\xa0\x80 \xf4\x90\x80\x80 cut \xe2\x80",
};
static const int64_t int64s[] = { 0, -1, 150050, -550, INT64_MAX, INT64_MIN + 1, 1764669000123,
                                  -86400001, 7 };
static const int32_t int32s[] = { 0, 20000, -1, 2932896, INT32_MAX, INT32_MIN, 45 };
static const uint64_t uint64s[] = { 0, 1, UINT32_MAX, UINT64_MAX, 1234567890123 };
static const double reals[] = { 0.0, -0.0, 1.5, 1e21, 1e-7, 123456789.125, 0.1, 1e300, 5e-324,
                                -2.5e-300, 100.0 };

/* The bytes of one item of a repeated field of each type (4 for the 32-bit ones and enums). */
static size_t element_size(ProtobufCType type) {
    static const size_t sizes[] = {
        [PROTOBUF_C_TYPE_INT64] = 8, [PROTOBUF_C_TYPE_SINT64] = 8, [PROTOBUF_C_TYPE_SFIXED64] = 8,
        [PROTOBUF_C_TYPE_UINT64] = 8, [PROTOBUF_C_TYPE_FIXED64] = 8,
        [PROTOBUF_C_TYPE_FLOAT] = sizeof(float), [PROTOBUF_C_TYPE_DOUBLE] = sizeof(double),
        [PROTOBUF_C_TYPE_BOOL] = sizeof(protobuf_c_boolean),
        [PROTOBUF_C_TYPE_STRING] = sizeof(char *), [PROTOBUF_C_TYPE_BYTES] = sizeof(ProtobufCBinaryData),
        [PROTOBUF_C_TYPE_MESSAGE] = sizeof(ProtobufCMessage *),
    };
    size_t size = (size_t) type < sizeof sizes / sizeof sizes[0] ? sizes[type] : 0;
    return size ? size : sizeof(int32_t);
}

static ProtobufCMessage *fill(arena_t *a, const ProtobufCMessageDescriptor *d, unsigned v,
                              int depth);

/* One value of `f` at p; k varies it. */
static void fill_value(arena_t *a, const ProtobufCFieldDescriptor *f, void *p, unsigned k,
                       int depth) {
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32: *(int32_t *) p = int32s[k % 7]; break;
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32: *(uint32_t *) p = (uint32_t) uint64s[k % 5]; break;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64: *(int64_t *) p = int64s[k % 9]; break;
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64: *(uint64_t *) p = uint64s[k % 5]; break;
    case PROTOBUF_C_TYPE_FLOAT: *(float *) p = k % 13 == 11 ? NAN : (float) reals[k % 11]; break;
    case PROTOBUF_C_TYPE_DOUBLE:
        *(double *) p = k % 13 == 11 ? NAN : k % 13 == 12 ? -INFINITY : reals[k % 11];
        break;
    case PROTOBUF_C_TYPE_BOOL: *(protobuf_c_boolean *) p = k % 2; break;
    case PROTOBUF_C_TYPE_ENUM: {
        const ProtobufCEnumDescriptor *e = f->descriptor;
        *(int32_t *) p = k % (e->n_values + 1) == e->n_values ? 9999 : e->values[k % (e->n_values + 1)].value;
        break;
    }
    case PROTOBUF_C_TYPE_STRING: *(const char **) p = strings[k % 6]; break;
    case PROTOBUF_C_TYPE_BYTES: {
        static const uint8_t bytes[] = { 0, 0xff, 'a', 'b', 'c', 0x80, 0x3e, 0x3f };
        *(ProtobufCBinaryData *) p = (ProtobufCBinaryData) { k % 9, (uint8_t *) bytes };
        break;
    }
    case PROTOBUF_C_TYPE_MESSAGE:
        *(ProtobufCMessage **) p = depth < FILL_DEPTH_MAX ? fill(a, f->descriptor, k, depth + 1) : NULL;
        break;
    }
}

/* The member of its oneof that variant v sets (each in turn). */
static bool oneof_chosen(const ProtobufCMessageDescriptor *d, unsigned i, unsigned v) {
    unsigned members = 0, index = 0;
    for (unsigned j = 0; j < d->n_fields; j++) {
        if (!(d->fields[j].flags & PROTOBUF_C_FIELD_FLAG_ONEOF) ||
            d->fields[j].quantifier_offset != d->fields[i].quantifier_offset)
            continue;
        if (j == i) index = members;
        members++;
    }
    return v % (members + 1) == index;       /* and one variant sets none */
}

static ProtobufCMessage *fill(arena_t *a, const ProtobufCMessageDescriptor *d, unsigned v,
                              int depth) {
    ProtobufCMessage *m = arena_message(a, d);
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        char *base = (char *) m;
        unsigned k = v * 31 + i * 7;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = (v + i) % 3, size = element_size(f->type);
            char *items = arena_alloc(a, n * size + 1);
            for (size_t j = 0; j < n; j++) fill_value(a, f, items + j * size, k + (unsigned) j, depth);
            *(size_t *) (base + f->quantifier_offset) = n;
            *(char **) (base + f->offset) = items;
        } else if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            if (!oneof_chosen(d, i, v)) continue;
            fill_value(a, f, base + f->offset, k, depth);
            *(uint32_t *) (base + f->quantifier_offset) = f->id;
        } else if ((v + i) % 5 != 4) {       /* some fields stay absent */
            fill_value(a, f, base + f->offset, k, depth);
            if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->type != PROTOBUF_C_TYPE_STRING &&
                f->type != PROTOBUF_C_TYPE_MESSAGE)
                *(protobuf_c_boolean *) (base + f->quantifier_offset) = 1;
        }
    }
    return m;
}

/* Every message descriptor reachable from `d`, once. */
static void collect(const ProtobufCMessageDescriptor *d, const ProtobufCMessageDescriptor **all,
                    size_t *n) {
    for (size_t i = 0; i < *n; i++)
        if (all[i] == d) return;
    assert_true(*n < DESCRIPTORS_MAX);
    all[(*n)++] = d;
    for (unsigned i = 0; i < d->n_fields; i++)
        if (d->fields[i].type == PROTOBUF_C_TYPE_MESSAGE) collect(d->fields[i].descriptor, all, n);
}

/* 0 when json_pb_write gives the tree's text for m; else 1, with both texts in why. */
static int compare_text(const ProtobufCMessage *m, char *why, size_t size) {
    json_t *json = json_pb_to_json(m);
    char *old = json_dumps(json, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(json);
    if (!old) abort();
    json_pb_out_t out = { 0 };
    json_pb_write(&out, m);
    size_t n = strlen(old);
    int differs = out.len != n || memcmp(out.data, old, n) != 0;
    if (differs)
        snprintf(why, size, "%s:\n old %s\n new %.*s", m->descriptor->name, old, (int) out.len,
                 out.data);
    free(old);
    json_pb_out_free(&out);
    return differs;
}

static void assert_same_text(const ProtobufCMessage *m) {
    char why[8192];
    if (compare_text(m, why, sizeof why)) fail_msg("%s", why);
}

static void every_reply_message_is_written_as_the_tree_would_be(void **state) {
    (void) state;
    static const ProtobufCMessageDescriptor *all[DESCRIPTORS_MAX];
    size_t n = 0;
    collect(&lumbung__reply__descriptor, all, &n);
    assert_true(n > 50);                     /* every service's replies, not a handful */
    for (size_t i = 0; i < n; i++) {
        for (unsigned v = 0; v < VARIANTS; v++) {
            arena_t *a = arena_new();
            assert_same_text(fill(a, all[i], v, 1));
            arena_destroy(&a);
        }
        arena_t *a = arena_new();
        assert_same_text(arena_message(a, all[i]));   /* nothing set */
        arena_destroy(&a);
    }
}

enum { WRITER_THREADS = 4 };

typedef struct {
    const ProtobufCMessageDescriptor *const *all;
    size_t n;
    int differences;
    char why[8192];
} writer_t;

static void *write_all(void *arg) {
    writer_t *w = arg;
    for (size_t i = 0; i < w->n; i++)
        for (unsigned v = 0; v < VARIANTS; v++) {
            arena_t *a = arena_new();
            w->differences += compare_text(fill(a, w->all[i], v, 1), w->why, sizeof w->why);
            arena_destroy(&a);
        }
    return NULL;
}

/* The writer keeps each field's key and each enum value's name once worked out, in a table
   every thread shares: threads that fill it at the same time still write the same text. */
static void writing_from_several_threads_at_once_gives_the_same_text(void **state) {
    (void) state;
    static const ProtobufCMessageDescriptor *all[DESCRIPTORS_MAX];
    size_t n = 0;
    collect(&lumbung__reply__descriptor, all, &n);
    static writer_t writers[WRITER_THREADS];
    pthread_t threads[WRITER_THREADS];
    for (int t = 0; t < WRITER_THREADS; t++) {
        writers[t] = (writer_t) { .all = all, .n = n };
        assert_int_equal(pthread_create(&threads[t], NULL, write_all, &writers[t]), 0);
    }
    for (int t = 0; t < WRITER_THREADS; t++) {
        assert_int_equal(pthread_join(threads[t], NULL), 0);
        if (writers[t].differences) fail_msg("thread %d: %s", t, writers[t].why);
    }
}

static void writing_appends_to_what_the_buffer_holds(void **state) {
    (void) state;
    arena_t *a = arena_new();
    Lumbung__Actor *actor = arena_message(a, &lumbung__actor__descriptor);
    actor->user = "siti";
    json_pb_out_t out = { 0 };
    json_pb_write(&out, &actor->base);
    size_t first = out.len;
    json_pb_write(&out, &actor->base);
    assert_int_equal(out.len, 2 * first);
    assert_memory_equal(out.data, out.data + first, first);
    json_pb_out_free(&out);
    assert_null(out.data);
    assert_int_equal(out.len, 0);
    arena_destroy(&a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(writing_from_several_threads_at_once_gives_the_same_text),
        cmocka_unit_test(every_reply_message_is_written_as_the_tree_would_be),
        cmocka_unit_test(writing_appends_to_what_the_buffer_holds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
