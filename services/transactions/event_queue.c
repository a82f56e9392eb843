#include "event_queue.h"
#include "arena_grow.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

enum { QUEUE_INITIAL = 16 };

/* The number of EntriesPosted's only field, `entries` (a oneof case's value is its field's
   number, so the bodies need no such constant). */
#define ENTRIES_FIELD (lumbung__entries_posted__descriptor.fields[0].id)

int tx_event_queue_push(tx_event_queue_t *q, arena_t *arena, tx_pending_t item) {
    assert(q && arena && (item.entry != NULL) != (item.event != NULL));
    assert(!item.entry || item.entry_len > 0);
    if (q->count == TX_PENDING_MAX) return -ENOBUFS;
    q->items = tx_arena_grow(arena, q->items, q->count, &q->cap, sizeof *q->items,
                             QUEUE_INITIAL);
    q->items[q->count++] = item;
    return 0;
}

size_t tx_event_queue_count(const tx_event_queue_t *q) {
    return q->count;
}

void tx_event_queue_truncate(tx_event_queue_t *q, size_t count) {
    assert(count <= q->count);
    q->count = count;
}

static int64_t emit_event(arena_t *arena, Lumbung__TransactionsEvent *body, tx_emit_fn emit,
                          void *arg) {
    Lumbung__Event *ev = arena_message(arena, &lumbung__event__descriptor);
    ev->body_case = LUMBUNG__EVENT__BODY_TRANSACTIONS;
    ev->transactions = body;
    return emit(arg, ev, NULL);
}

/* An entry's bytes inside EntriesPosted: field `entries`, its length, the entry. */
static size_t entry_field_size(const tx_pending_t *item) {
    return pb_splice_field_size(&(pb_splice_field_t) {
        ENTRIES_FIELD, item->entry, item->entry_len });
}

/* The consecutive entries from items[at] that go in one EntriesPosted event: up to
   TX_EVENT_ENTRIES_MAX and TX_EVENT_BYTES_MAX bytes (one entry alone may be bigger; it is at
   most ~30 KB). Returns how many, and their bytes inside EntriesPosted in *bytes. */
static size_t group_entries(const tx_event_queue_t *q, size_t at, size_t *bytes) {
    size_t n = 0, total = 0;
    while (at + n < q->count && q->items[at + n].entry && n < TX_EVENT_ENTRIES_MAX) {
        size_t size = entry_field_size(&q->items[at + n]);
        if (n > 0 && total + size > TX_EVENT_BYTES_MAX) break;
        total += size;
        n++;
    }
    *bytes = total;
    return n;
}

/* The packed TransactionsEvent { entries_posted: EntriesPosted { entries } } of `n` entries
   from items[at]: the fields written one after another in field order, as protobuf-c would. */
static size_t pack_entries_posted(const tx_event_queue_t *q, size_t at, size_t n,
                                  size_t posted_len, uint8_t *out) {
    uint8_t *p = pb_splice_prefix(out, LUMBUNG__TRANSACTIONS_EVENT__BODY_ENTRIES_POSTED,
                                  posted_len);
    for (size_t j = 0; j < n; j++) {
        const tx_pending_t *item = &q->items[at + j];
        p = pb_splice_field(p, &(pb_splice_field_t) {
            ENTRIES_FIELD, item->entry, item->entry_len });
    }
    return (size_t) (p - out);
}

/* Emits the entries from items[at] as one EntriesPosted event; *taken says how many it held.
   The packed body is built in *scratch, which grows in the arena and is reused: emit copies
   the bytes before it returns. */
static int64_t emit_entries(const tx_event_queue_t *q, arena_t *arena, size_t at,
                            size_t *taken, uint8_t **scratch, size_t *scratch_cap,
                            tx_emit_fn emit, void *arg) {
    size_t posted_len;
    size_t n = group_entries(q, at, &posted_len);
    size_t len = pb_splice_prefix_size(LUMBUNG__TRANSACTIONS_EVENT__BODY_ENTRIES_POSTED,
                                       posted_len) + posted_len;
    if (len > *scratch_cap) {
        *scratch = arena_alloc(arena, len);
        *scratch_cap = len;
    }
    size_t written = pack_entries_posted(q, at, n, posted_len, *scratch);
    assert(written == len);
    *taken = n;
    Lumbung__Event *ev = arena_message(arena, &lumbung__event__descriptor);
    pb_splice_field_t body = { LUMBUNG__EVENT__BODY_TRANSACTIONS, *scratch, len };
    return emit(arg, ev, &body);
}

int tx_event_queue_flush(tx_event_queue_t *q, arena_t *arena, tx_emit_fn emit, void *arg) {
    assert(q && arena && emit);
    uint8_t *scratch = NULL;
    size_t scratch_cap = 0, i = 0;
    while (i < q->count) {
        size_t taken = 1;
        int64_t seq = q->items[i].event
            ? emit_event(arena, q->items[i].event, emit, arg)
            : emit_entries(q, arena, i, &taken, &scratch, &scratch_cap, emit, arg);
        i += taken;
        if (seq < 0) return (int) seq;
    }
    q->count = 0;
    return 0;
}
