#include "event_queue.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

enum { QUEUE_INITIAL = 16 };

/* Grows by doubling inside the arena; the old array is simply left behind until the arena
   resets, which costs at most the size of the final array again. */
int tx_event_queue_push(tx_event_queue_t *q, arena_t *arena, tx_pending_t item) {
    assert(q && arena && (item.entry != NULL) != (item.event != NULL));
    if (q->count == q->cap) {
        if (q->cap >= TX_PENDING_MAX) return -ENOBUFS;
        size_t cap = q->cap ? q->cap * 2 : QUEUE_INITIAL;
        tx_pending_t *grown = arena_alloc(arena, cap * sizeof *grown);
        if (q->count) memcpy(grown, q->items, q->count * sizeof *grown);
        q->items = grown;
        q->cap = cap;
    }
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

static int64_t emit_body(arena_t *arena, Lumbung__TransactionsEvent *body, tx_emit_fn emit,
                         void *arg) {
    Lumbung__Event *ev = arena_message(arena, &lumbung__event__descriptor);
    ev->body_case = LUMBUNG__EVENT__BODY_TRANSACTIONS;
    ev->transactions = body;
    return emit(arg, ev);
}

/* An upper bound of an entry's packed size, from its strings and a fixed allowance for every
   varint field, so grouping needs no packing. */
static size_t entry_size_bound(const Lumbung__JournalEntry *e) {
    size_t n = 192 + (e->memo ? strlen(e->memo) : 0) + (e->posted_by ? strlen(e->posted_by) : 0);
    for (size_t i = 0; i < e->n_lines; i++) {
        const Lumbung__JournalLine *l = e->lines[i];
        n += 48 + (l->account ? strlen(l->account) : 0) + (l->memo ? strlen(l->memo) : 0);
    }
    return n;
}

/* The consecutive entries from items[at] as one EntriesPosted event, up to
   TX_EVENT_ENTRIES_MAX entries and about TX_EVENT_BYTES_MAX bytes (one entry alone may be
   bigger; it is at most ~30 KB). *taken says how many it holds. */
static Lumbung__TransactionsEvent *entries_posted(const tx_event_queue_t *q, arena_t *arena,
                                                  size_t at, size_t *taken) {
    size_t n = 0, bytes = 0;
    while (at + n < q->count && q->items[at + n].entry && n < TX_EVENT_ENTRIES_MAX) {
        bytes += entry_size_bound(q->items[at + n].entry);
        if (n > 0 && bytes > TX_EVENT_BYTES_MAX) break;
        n++;
    }
    Lumbung__EntriesPosted *posted = arena_message(arena, &lumbung__entries_posted__descriptor);
    posted->n_entries = n;
    posted->entries = arena_alloc(arena, n * sizeof *posted->entries);
    for (size_t j = 0; j < n; j++) posted->entries[j] = q->items[at + j].entry;
    Lumbung__TransactionsEvent *body =
        arena_message(arena, &lumbung__transactions_event__descriptor);
    body->body_case = LUMBUNG__TRANSACTIONS_EVENT__BODY_ENTRIES_POSTED;
    body->entries_posted = posted;
    *taken = n;
    return body;
}

int tx_event_queue_flush(tx_event_queue_t *q, arena_t *arena, tx_emit_fn emit, void *arg) {
    assert(q && arena && emit);
    size_t i = 0;
    while (i < q->count) {
        Lumbung__TransactionsEvent *body = q->items[i].event;
        size_t taken = 1;
        if (!body) body = entries_posted(q, arena, i, &taken);
        i += taken;
        int64_t seq = emit_body(arena, body, emit, arg);
        if (seq < 0) return (int) seq;
    }
    q->count = 0;
    return 0;
}
