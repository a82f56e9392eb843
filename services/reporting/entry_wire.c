#include "entry_wire.h"
#include "envelope.pb-c.h"
#include "pbwire.h"

#include <assert.h>

enum {
    TX_ENTRIES_POSTED = LUMBUNG__TRANSACTIONS_EVENT__BODY_ENTRIES_POSTED,
    ENTRIES_POSTED_ENTRIES = 1,                 /* EntriesPosted.entries */
};

/* The one length-delimited field `number` of msg: 1 found, 0 absent or given more than once,
   or malformed. */
static int only_field(const uint8_t *msg, size_t len, uint32_t number, pbwire_field_t *out) {
    pbwire_t r = pbwire_reader(msg, len);
    pbwire_field_t f;
    int rc, found = 0;
    while ((rc = pbwire_next(&r, &f)) == 1) {
        if (f.number != number) continue;
        if (f.type != PBWIRE_BYTES || found++) return 0;
        *out = f;
    }
    return rc == 0 && found == 1;
}

const reporting_span_t *reporting_entry_spans(arena_t *arena, const uint8_t *wire, size_t len,
                                              size_t expected) {
    assert(arena);
    pbwire_field_t body, posted;
    if (!wire || expected == 0 ||
        !only_field(wire, len, LUMBUNG__EVENT__BODY_TRANSACTIONS, &body) ||
        !only_field(body.data, body.len, TX_ENTRIES_POSTED, &posted))
        return NULL;
    reporting_span_t *spans = arena_alloc(arena, expected * sizeof *spans);
    size_t n = 0;
    pbwire_t r = pbwire_reader(posted.data, posted.len);
    pbwire_field_t f;
    int rc;
    while ((rc = pbwire_next(&r, &f)) == 1) {
        if (f.number != ENTRIES_POSTED_ENTRIES) continue;
        if (f.type != PBWIRE_BYTES || n == expected) return NULL;
        spans[n++] = (reporting_span_t){ f.data, f.len };
    }
    return rc == 0 && n == expected ? spans : NULL;
}
