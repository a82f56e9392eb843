#include "arena.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct block {
    struct block *next;
    size_t size;
    size_t used;
    _Alignas(max_align_t) unsigned char data[];
} block_t;

struct arena {
    block_t *head;
};

static block_t *free_blocks(block_t *b, bool keep);

arena_t *arena_new(void) {
    arena_t *self = calloc(1, sizeof *self);
    if (!self) abort();
    return self;
}

void arena_destroy(arena_t **self_p) {
    assert(self_p);
    if (!*self_p) return;
    free_blocks((*self_p)->head, false);
    free(*self_p);
    *self_p = NULL;
}

static block_t *block_new(size_t size) {
    block_t *b = malloc(sizeof *b + size);
    if (!b) abort();
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

void *arena_alloc(arena_t *self, size_t size) {
    assert(self);
    size_t align = _Alignof(max_align_t);
    size = (size + align - 1) & ~(align - 1);
    if (size == 0) size = align;
    block_t *b = self->head;
    if (!b || b->size - b->used < size) {
        /* Large requests get a block of their own so small ones keep filling the current. */
        block_t *nb = block_new(size > ARENA_BLOCK_SIZE / 4 ? size : ARENA_BLOCK_SIZE);
        if (b && size > ARENA_BLOCK_SIZE / 4) {
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            self->head = nb;
        }
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += size;
    memset(p, 0, size);
    return p;
}

char *arena_strdup(arena_t *self, const char *s) {
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *p = arena_alloc(self, n);
    memcpy(p, s, n);
    return p;
}

char *arena_strndup(arena_t *self, const void *s, size_t len) {
    char *p = arena_alloc(self, len + 1);      /* zeroed: p[len] is the terminator */
    if (len) memcpy(p, s, len);
    return p;
}

char *arena_vprintf(arena_t *self, const char *fmt, va_list ap) {
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    assert(n >= 0);
    char *p = arena_alloc(self, (size_t) n + 1);
    vsnprintf(p, (size_t) n + 1, fmt, ap);
    return p;
}

char *arena_printf(arena_t *self, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *p = arena_vprintf(self, fmt, ap);
    va_end(ap);
    return p;
}

/* Frees the blocks of `b` onward, except (when `keep`) one of the standard size, which is
   returned emptied: an arena reset once per request would otherwise malloc and free a block
   for every request. Under AddressSanitizer every block is freed, so that a use after a reset
   is still caught. */
static block_t *free_blocks(block_t *b, bool keep) {
#if defined(__SANITIZE_ADDRESS__)
    keep = false;
#endif
    block_t *kept = NULL;
    while (b) {
        block_t *next = b->next;
        if (keep && !kept && b->size == ARENA_BLOCK_SIZE) {
            kept = b;
            kept->used = 0;
            kept->next = NULL;
        } else {
            free(b);
        }
        b = next;
    }
    return kept;
}

void arena_reset(arena_t *self) {
    assert(self);
    self->head = free_blocks(self->head, true);
}

static void *allocator_alloc(void *data, size_t size) { return arena_alloc(data, size); }
static void allocator_free(void *data, void *p) { (void) data; (void) p; }

ProtobufCAllocator arena_allocator(arena_t *self) {
    ProtobufCAllocator a = { .alloc = allocator_alloc, .free = allocator_free, .allocator_data = self };
    return a;
}

void *arena_message(arena_t *self, const ProtobufCMessageDescriptor *descriptor) {
    ProtobufCMessage *m = arena_alloc(self, descriptor->sizeof_message);
    descriptor->message_init(m);
    return m;
}
