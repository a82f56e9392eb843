/*  arena — bump allocation for everything that lives as long as one request.

    A request's unpacked protobuf message, its reply and every string the handler builds are
    allocated here and released together by arena_reset() or arena_destroy(). This removes
    per-field frees from handlers, which is where leaks hide.

    Not for: anything that outlives the request (copy it out first). */
#ifndef LUMBUNG_ARENA_H
#define LUMBUNG_ARENA_H

#include <stddef.h>
#include <stdarg.h>
#include <protobuf-c/protobuf-c.h>

enum { ARENA_BLOCK_SIZE = 16 * 1024 };

typedef struct arena arena_t;

arena_t *arena_new(void);
void arena_destroy(arena_t **self_p);

/* Returns zeroed memory aligned for any type; aborts the process when memory is exhausted
   (an allocation failure here is not an operating error we can answer usefully). */
void *arena_alloc(arena_t *self, size_t size);
char *arena_strdup(arena_t *self, const char *s);   /* NULL stays NULL */
/* The len bytes at s (a string read from a store or the wire, not NUL-terminated there) as a
   NUL-terminated copy. */
char *arena_strndup(arena_t *self, const void *s, size_t len);
char *arena_printf(arena_t *self, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(arena_t *self, const char *fmt, va_list ap);

/* Releases every allocation at once; the arena is reusable afterwards. One block of
   ARENA_BLOCK_SIZE is kept for the next use (none under AddressSanitizer). */
void arena_reset(arena_t *self);

/* An allocator for protobuf_c_message_unpack() that allocates from the arena; frees are
   no-ops, so never call protobuf_c_message_free_unpacked() on what it produced. */
ProtobufCAllocator arena_allocator(arena_t *self);

/* Allocates and initialises a protobuf message of the given descriptor. */
void *arena_message(arena_t *self, const ProtobufCMessageDescriptor *descriptor);

#endif
