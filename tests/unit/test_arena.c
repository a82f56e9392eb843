/* arena: zeroed aligned bump allocation, reset, and the protobuf-c allocator built on it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"
#include "arena.h"
#include "envelope.pb-c.h"

enum { MANY = 2000 };

static void allocations_are_zeroed_and_aligned_for_any_type(void **state) {
    (void) state;
    arena_t *a = arena_new();
    size_t sizes[] = { 1, 3, 8, 15, 16, 17, 100, 4095, ARENA_BLOCK_SIZE / 4 + 1, ARENA_BLOCK_SIZE * 3 };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        unsigned char *p = arena_alloc(a, sizes[i]);
        assert_non_null(p);
        assert_int_equal((uintptr_t) p % _Alignof(max_align_t), 0);
        for (size_t j = 0; j < sizes[i]; j++) assert_int_equal(p[j], 0);
        memset(p, 0xAB, sizes[i]);   /* dirty it: the next allocation must still come zeroed */
    }
    arena_destroy(&a);
}

static void zero_sized_allocations_are_distinct(void **state) {
    (void) state;
    arena_t *a = arena_new();
    void *p = arena_alloc(a, 0), *q = arena_alloc(a, 0);
    assert_non_null(p);
    assert_non_null(q);
    assert_ptr_not_equal(p, q);
    arena_destroy(&a);
}

/* Small and large requests interleave across many blocks; each keeps its own bytes. */
static void allocations_never_overlap_across_blocks(void **state) {
    (void) state;
    arena_t *a = arena_new();
    unsigned char *ptrs[MANY];
    size_t lens[MANY];
    for (int i = 0; i < MANY; i++) {
        lens[i] = i % 97 == 0 ? ARENA_BLOCK_SIZE / 2 + (size_t) i : (size_t) (i % 61) + 1;
        ptrs[i] = arena_alloc(a, lens[i]);
        memset(ptrs[i], i & 0xFF, lens[i]);
    }
    for (int i = 0; i < MANY; i++)
        for (size_t j = 0; j < lens[i]; j++) assert_int_equal(ptrs[i][j], i & 0xFF);
    arena_destroy(&a);
}

static void strdup_copies_and_keeps_null(void **state) {
    (void) state;
    arena_t *a = arena_new();
    char src[] = "Koperasi Sejahtera";
    char *copy = arena_strdup(a, src);
    assert_ptr_not_equal(copy, src);
    src[0] = 'X';
    assert_string_equal(copy, "Koperasi Sejahtera");
    assert_null(arena_strdup(a, NULL));
    assert_string_equal(arena_strdup(a, ""), "");
    char *part = arena_strndup(a, "Setoran simpanan", 7);   /* bytes with no terminator */
    assert_string_equal(part, "Setoran");
    assert_string_equal(arena_strndup(a, NULL, 0), "");
    arena_destroy(&a);
}

static void printf_formats_strings_longer_than_a_block(void **state) {
    (void) state;
    arena_t *a = arena_new();
    assert_string_equal(arena_printf(a, "%s-%d-%05.1f", "rt", 7, 2.5), "rt-7-002.5");
    char *big = arena_printf(a, "%*s|", ARENA_BLOCK_SIZE * 2, "x");
    assert_int_equal(strlen(big), ARENA_BLOCK_SIZE * 2 + 1);
    assert_int_equal(big[ARENA_BLOCK_SIZE * 2 - 1], 'x');
    assert_int_equal(big[ARENA_BLOCK_SIZE * 2], '|');
    arena_destroy(&a);
}

/* Under the sanitizer build a leak here fails the test binary. */
static void reset_releases_everything_and_the_arena_stays_usable(void **state) {
    (void) state;
    arena_t *a = arena_new();
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 100; i++) arena_alloc(a, (size_t) (i + 1) * 100);
        arena_reset(a);
        char *s = arena_strdup(a, "after reset");
        assert_string_equal(s, "after reset");
    }
    arena_reset(a);
    arena_reset(a);   /* resetting an empty arena is harmless */
    arena_destroy(&a);
}

/* The block a reset keeps for the next request hands out zeroed memory again, and the
   memory written before the reset is not seen through it. */
static void memory_after_a_reset_is_zeroed_again(void **state) {
    (void) state;
    arena_t *a = arena_new();
    for (int round = 0; round < 3; round++) {
        unsigned char *p = arena_alloc(a, 1000);
        for (size_t i = 0; i < 1000; i++) assert_int_equal(p[i], 0);
        memset(p, 0xAB, 1000);
        unsigned char *big = arena_alloc(a, 3 * ARENA_BLOCK_SIZE);   /* a block of its own */
        memset(big, 0xCD, 3 * ARENA_BLOCK_SIZE);
        arena_reset(a);
    }
    unsigned char *big = arena_alloc(a, 3 * ARENA_BLOCK_SIZE);
    for (size_t i = 0; i < 3 * ARENA_BLOCK_SIZE; i++) assert_int_equal(big[i], 0);
    arena_destroy(&a);
}

static void destroy_clears_the_pointer_and_accepts_null(void **state) {
    (void) state;
    arena_t *a = arena_new();
    arena_alloc(a, 10);
    arena_destroy(&a);
    assert_null(a);
    arena_destroy(&a);
}

static void message_is_initialised_with_its_descriptor(void **state) {
    (void) state;
    arena_t *a = arena_new();
    Lumbung__Request *r = arena_message(a, &lumbung__request__descriptor);
    assert_ptr_equal(r->base.descriptor, &lumbung__request__descriptor);
    assert_int_equal(r->has_request_id, 0);
    assert_null(r->actor);
    assert_int_equal(r->body_case, LUMBUNG__REQUEST__BODY__NOT_SET);
    arena_destroy(&a);
}

/* What a handler relies on: unpack into the arena, use, and drop it all with the arena. */
static void allocator_unpacks_messages_that_vanish_with_the_arena(void **state) {
    (void) state;
    Lumbung__Request req = LUMBUNG__REQUEST__INIT;
    Lumbung__Actor actor = LUMBUNG__ACTOR__INIT;
    Lumbung__ReplayRequest replay = LUMBUNG__REPLAY_REQUEST__INIT;
    actor.user = "siti";
    actor.has_role = 1;
    actor.role = LUMBUNG__ROLE__ROLE_OPERATOR;
    req.has_request_id = 1;
    req.request_id = 42;
    req.actor = &actor;
    req.idempotency_key = "k-1";
    replay.has_from_seq = 1;
    replay.from_seq = 7;
    req.body_case = LUMBUNG__REQUEST__BODY_REPLAY;
    req.replay = &replay;
    uint8_t buf[256];
    size_t len = lumbung__request__pack(&req, buf);

    arena_t *a = arena_new();
    ProtobufCAllocator alloc = arena_allocator(a);
    for (int i = 0; i < 100; i++) {
        Lumbung__Request *r = lumbung__request__unpack(&alloc, len, buf);
        assert_non_null(r);
        assert_int_equal(r->request_id, 42);
        assert_string_equal(r->actor->user, "siti");
        assert_int_equal(r->actor->role, LUMBUNG__ROLE__ROLE_OPERATOR);
        assert_string_equal(r->idempotency_key, "k-1");
        assert_int_equal(r->body_case, LUMBUNG__REQUEST__BODY_REPLAY);
        assert_int_equal(r->replay->from_seq, 7);
    }
    /* Garbage fails cleanly and leaves the arena usable. */
    uint8_t junk[] = { 0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F };
    assert_null(lumbung__request__unpack(&alloc, sizeof junk, junk));
    assert_non_null(lumbung__request__unpack(&alloc, len, buf));
    arena_destroy(&a);
}

int main(void) {
    unit_quiet_logs("test_arena");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(allocations_are_zeroed_and_aligned_for_any_type),
        cmocka_unit_test(zero_sized_allocations_are_distinct),
        cmocka_unit_test(allocations_never_overlap_across_blocks),
        cmocka_unit_test(strdup_copies_and_keeps_null),
        cmocka_unit_test(printf_formats_strings_longer_than_a_block),
        cmocka_unit_test(reset_releases_everything_and_the_arena_stays_usable),
        cmocka_unit_test(memory_after_a_reset_is_zeroed_again),
        cmocka_unit_test(destroy_clears_the_pointer_and_accepts_null),
        cmocka_unit_test(message_is_initialised_with_its_descriptor),
        cmocka_unit_test(allocator_unpacks_messages_that_vanish_with_the_arena),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
