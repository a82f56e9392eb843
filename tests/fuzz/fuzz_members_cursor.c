/* libFuzzer target: the members service's list cursors (services/members/handlers.c), text an
   HTTP client or integrator hands back in `cursor` for members, cooperatives and the other
   lists.

   Input: one byte gives the length of a key prefix (the list's own, e.g. a cooperative id),
   taken from what follows; the rest is the cursor text. Properties: a cursor that decodes
   starts with the prefix, fits MEMBERS_KEY_MAX and encodes back to the very same text (one
   position has one spelling); a key encodes to a cursor that decodes to the same key under
   any prefix of it.

   Run with `make fuzz` or, once built:
     build-fuzz/fuzz/fuzz_members_cursor -max_total_time=60 tests/fuzz/corpus/fuzz_members_cursor */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "../../services/members/members.h"

enum { CURSOR_TEXT_MAX = 4 * MEMBERS_KEY_MAX };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    size_t prefix_len = data[0] % 16;
    if (size < 1 + prefix_len || size - 1 - prefix_len > CURSOR_TEXT_MAX) return 0;
    const uint8_t *prefix = data + 1;
    size_t text_len = size - 1 - prefix_len;
    char text[CURSOR_TEXT_MAX + 1];
    memcpy(text, data + 1 + prefix_len, text_len);
    text[text_len] = 0;
    arena_t *arena = arena_new();
    uint8_t key[MEMBERS_KEY_MAX];
    size_t len = 0;
    if (members_cursor_decode(text, prefix, prefix_len, key, &len) == 0) {
        assert(len >= prefix_len && len <= MEMBERS_KEY_MAX && !memcmp(key, prefix, prefix_len));
        assert(!strcmp(members_cursor_encode(arena, key, len), text));
    }
    /* the raw bytes as a key: encoded, decoded again under its own first bytes */
    size_t raw = size - 1 < MEMBERS_KEY_MAX ? size - 1 : MEMBERS_KEY_MAX;
    if (raw > 0) {
        char *c = members_cursor_encode(arena, data + 1, raw);
        assert(strlen(c) == 2 * raw);
        uint8_t back[MEMBERS_KEY_MAX];
        size_t back_len = 0;
        size_t p = prefix_len < raw ? prefix_len : raw;
        assert(members_cursor_decode(c, data + 1, p, back, &back_len) == 0);
        assert(back_len == raw && !memcmp(back, data + 1, raw));
    }
    arena_destroy(&arena);
    return 0;
}
