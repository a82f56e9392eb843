/*  entry_wire — the wire bytes of each journal entry of a transactions event, found in the
    event's bytes as the follower received them (pbwire.h), so that journal.c stores an entry
    as it was posted without packing it again.

    The spans point into the event's bytes and are allocated in the caller's arena. Only an
    event of the shape the transactions service packs gives spans: one transactions body with
    one entries_posted, its entries in order. Anything else (a body or entries_posted given
    twice, which protobuf merges) gives none, and the caller packs the entries itself.

    Not for: reading an entry's fields (the unpacked event has them). */
#ifndef LUMBUNG_REPORTING_ENTRY_WIRE_H
#define LUMBUNG_REPORTING_ENTRY_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include "arena.h"

typedef struct {
    const uint8_t *data;
    size_t len;
} reporting_span_t;

/* The bytes of the `expected` entries of the Event at wire[0..len): an array of `expected`
   spans in arena, or NULL when the event is not of that shape or holds another number. */
const reporting_span_t *reporting_entry_spans(arena_t *arena, const uint8_t *wire, size_t len,
                                              size_t expected);

#endif
