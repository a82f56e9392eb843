/*  arena_grow — an array in a unit of work's arena that grows by doubling: the old array is
    simply left behind until the arena resets, which costs at most the final array again.

    Not for: arrays that outlive the arena. */
#ifndef LUMBUNG_TX_ARENA_GROW_H
#define LUMBUNG_TX_ARENA_GROW_H

#include <stddef.h>
#include <string.h>
#include "arena.h"

/* Returns `items` when count < *cap, else a copy with twice the room (`initial` the first
   time) and updates *cap. Elements are `size` bytes. */
static inline void *tx_arena_grow(arena_t *arena, void *items, size_t count, size_t *cap,
                                  size_t size, size_t initial) {
    if (count < *cap) return items;
    size_t grown_cap = *cap ? *cap * 2 : initial;
    void *grown = arena_alloc(arena, grown_cap * size);
    if (count) memcpy(grown, items, count * size);
    *cap = grown_cap;
    return grown;
}

#endif
