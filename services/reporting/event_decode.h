/*  event_decode — the transactions service's EntriesPosted events decoded by hand, every
    other event by protobuf-c: the decoder reporting's follower uses (follower_set_wire_decode).

    Most of the stream reporting follows is EntriesPosted events, and protobuf-c's generic
    unpack of them (a descriptor lookup for every field, two passes over each repeated field,
    an allocation per message) was about a fifth of reporting's CPU per posting
    (docs/performance.md). This decoder reads only the shape the transactions service packs:
    an Event of seq, at_ms, stream, actor, trace_id and a transactions body holding one
    entries_posted, whose entries have the known fields of JournalEntry and JournalLine with
    their wire types. Anything else goes to protobuf-c instead:
      - an entry that is not of that shape (an opening entry's opening_savings, an unknown
        field) is unpacked by protobuf-c alone, as protobuf-c unpacks each element of a
        repeated field;
      - any other event (another body, a field given twice that protobuf merges, an unknown
        field of the event, a tag or a length prefix protobuf-c reads differently) is
        unpacked by protobuf-c whole.
    So any byte string decodes to what protobuf-c gives or fails where it fails
    (tests/unit/test_reporting_event_decode.c; tests/fuzz/fuzz_reporting_event_decode.c packs
    both results and compares the bytes).

    Everything is allocated in the caller's arena (strings copied and NUL-terminated, as
    protobuf-c does), so the event lives until that arena is reset. The wire bytes are only
    read. The members stream's events, not of that shape, go straight to protobuf-c.
    Not for: packing (protobuf-c packs). */
#ifndef LUMBUNG_REPORTING_EVENT_DECODE_H
#define LUMBUNG_REPORTING_EVENT_DECODE_H

#include <stddef.h>
#include <stdint.h>
#include "arena.h"
#include "envelope.pb-c.h"

/* The Event of wire[0..len) in arena, or NULL when protobuf-c would not unpack it either. */
Lumbung__Event *reporting_event_decode(arena_t *arena, const uint8_t *wire, size_t len);

/* The hand decoder alone: the event when wire is of the shape above (*unpacked then counts
   its entries that went to protobuf-c), NULL when it is not. For the tests, which check that
   the events the transactions service packs take this path. */
Lumbung__Event *reporting_event_decode_by_hand(arena_t *arena, const uint8_t *wire, size_t len,
                                              size_t *unpacked);

#endif
