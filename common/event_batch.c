/*  event_batch — see event_batch.h. */
#include "event_batch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pb_splice.h"
#include "pbwire.h"

enum { EVENTS_FIELD = 1 };              /* lumbung.EventBatch.events */

void event_batch_init(event_batch_t *b) {
    *b = (event_batch_t) { 0 };
}

void event_batch_free(event_batch_t *b) {
    free(b->data);
    *b = (event_batch_t) { 0 };
}

bool event_batch_add(event_batch_t *b, const uint8_t *event, size_t len) {
    const pb_splice_field_t f = { EVENTS_FIELD, event, len };
    pb_splice_room(&b->data, &b->cap, b->len + pb_splice_field_size(&f),
                   EVENT_BATCH_BYTES + PB_SPLICE_PREFIX_MAX);
    b->len = (size_t) (pb_splice_field(b->data + b->len, &f) - b->data);
    b->count++;
    return b->count >= EVENT_BATCH_EVENTS || b->len >= EVENT_BATCH_BYTES;
}

void event_batch_clear(event_batch_t *b) {
    b->len = 0;
    b->count = 0;
}

int event_batch_each(const uint8_t *frame, size_t len, event_batch_visit_fn fn, void *arg) {
    pbwire_t r = pbwire_reader(frame, len);
    pbwire_field_t f;
    int visited = 0, rc;
    while ((rc = pbwire_next(&r, &f)) == 1) {
        if (f.number != EVENTS_FIELD || f.type != PBWIRE_BYTES) continue;
        fn(arg, f.data, f.len);
        visited++;
    }
    return rc < 0 ? -EPROTO : visited;
}
