/* entry_wire (reporting): the bytes of each journal entry of a transactions event, found in
   the event as received, which the journal stores so a user reads an entry exactly as it was
   posted — one span per entry, in order, each the entry's own bytes; and none (NULL, so the
   caller packs the entries itself) for anything not of the shape the transactions service
   packs: no bytes, no entries expected, another count, a members event, another transactions
   body, the transactions body or its entries_posted given twice (which protobuf merges), or
   truncated bytes. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"
#include "../../services/reporting/reporting.h"

typedef struct {
    arena_t *arena;
    Lumbung__JournalEntry entries[3];
    Lumbung__JournalEntry *list[3];
    Lumbung__EntriesPosted posted;
    Lumbung__TransactionsEvent tx;
    Lumbung__Event event;
} wire_t;

static int setup(void **state) {
    wire_t *w = calloc(1, sizeof *w);
    assert_non_null(w);
    w->arena = arena_new();
    const char *memos[] = { "setoran wajib", "", "angsuran pinjaman 3 dari 12" };
    for (int i = 0; i < 3; i++) {
        Lumbung__JournalEntry e = LUMBUNG__JOURNAL_ENTRY__INIT;
        e.has_id = e.has_cooperative_id = e.has_value_date = 1;
        e.id = 100 + (uint64_t) i;
        e.cooperative_id = 7;
        e.value_date = unit_day("2026-03-01") + i;
        e.memo = (char *) memos[i];
        w->entries[i] = e;
        w->list[i] = &w->entries[i];
    }
    w->posted = (Lumbung__EntriesPosted) LUMBUNG__ENTRIES_POSTED__INIT;
    w->posted.n_entries = 3;
    w->posted.entries = w->list;
    w->tx = (Lumbung__TransactionsEvent) LUMBUNG__TRANSACTIONS_EVENT__INIT;
    w->tx.body_case = LUMBUNG__TRANSACTIONS_EVENT__BODY_ENTRIES_POSTED;
    w->tx.entries_posted = &w->posted;
    w->event = (Lumbung__Event) LUMBUNG__EVENT__INIT;
    w->event.has_seq = 1;
    w->event.seq = 42;
    w->event.stream = (char *) "transactions.0";
    w->event.body_case = LUMBUNG__EVENT__BODY_TRANSACTIONS;
    w->event.transactions = &w->tx;
    *state = w;
    return 0;
}

static int teardown(void **state) {
    wire_t *w = *state;
    arena_destroy(&w->arena);
    free(w);
    return 0;
}

static uint8_t *pack(wire_t *w, const ProtobufCMessage *m, size_t *len) {
    *len = protobuf_c_message_get_packed_size(m);
    uint8_t *buf = arena_alloc(w->arena, *len + 1);
    assert_int_equal(protobuf_c_message_pack(m, buf), *len);
    return buf;
}

/* A length-delimited field `number` holding body[0..len), after `out` (cap >= len + 12). */
static size_t field(uint8_t *out, uint32_t number, const uint8_t *body, size_t len) {
    size_t n = 0;
    for (uint64_t v = (uint64_t) number << 3 | 2; ; v >>= 7) {
        out[n++] = (uint8_t) (v & 0x7f) | (v >= 0x80 ? 0x80 : 0);
        if (v < 0x80) break;
    }
    for (uint64_t v = len; ; v >>= 7) {
        out[n++] = (uint8_t) (v & 0x7f) | (v >= 0x80 ? 0x80 : 0);
        if (v < 0x80) break;
    }
    memcpy(out + n, body, len);
    return n + len;
}

static void each_entry_its_own_bytes_in_order(void **state) {
    wire_t *w = *state;
    size_t len;
    const uint8_t *wire = pack(w, &w->event.base, &len);
    const reporting_span_t *spans = reporting_entry_spans(w->arena, wire, len, 3);
    assert_non_null(spans);
    for (int i = 0; i < 3; i++) {
        size_t elen;
        const uint8_t *own = pack(w, &w->entries[i].base, &elen);
        assert_int_equal(spans[i].len, elen);
        assert_memory_equal(spans[i].data, own, elen);
        assert_true(spans[i].data > wire && spans[i].data + spans[i].len <= wire + len);
        ProtobufCAllocator alloc = arena_allocator(w->arena);
        Lumbung__JournalEntry *e = (Lumbung__JournalEntry *) protobuf_c_message_unpack(
            &lumbung__journal_entry__descriptor, &alloc, spans[i].len, spans[i].data);
        assert_non_null(e);
        assert_int_equal(e->id, 100 + i);
        assert_int_equal(e->value_date, unit_day("2026-03-01") + i);
    }
    assert_true(spans[0].data < spans[1].data && spans[1].data < spans[2].data);
}

static void one_entry(void **state) {
    wire_t *w = *state;
    w->posted.n_entries = 1;
    size_t len, elen;
    const uint8_t *wire = pack(w, &w->event.base, &len);
    const reporting_span_t *spans = reporting_entry_spans(w->arena, wire, len, 1);
    assert_non_null(spans);
    const uint8_t *own = pack(w, &w->entries[0].base, &elen);
    assert_int_equal(spans[0].len, elen);
    assert_memory_equal(spans[0].data, own, elen);
}

static void none_without_bytes_or_for_another_count(void **state) {
    wire_t *w = *state;
    size_t len;
    const uint8_t *wire = pack(w, &w->event.base, &len);
    assert_null(reporting_entry_spans(w->arena, NULL, len, 3));
    assert_null(reporting_entry_spans(w->arena, wire, len, 0));
    assert_null(reporting_entry_spans(w->arena, wire, len, 2));
    assert_null(reporting_entry_spans(w->arena, wire, len, 4));
    assert_null(reporting_entry_spans(w->arena, wire, len - 1, 3));   /* truncated */
    assert_null(reporting_entry_spans(w->arena, wire, 0, 3));
    assert_non_null(reporting_entry_spans(w->arena, wire, len, 3));   /* the same, whole */
}

static void none_for_events_of_another_shape(void **state) {
    wire_t *w = *state;
    size_t len;
    Lumbung__MembersEvent members = LUMBUNG__MEMBERS_EVENT__INIT;
    w->event.body_case = LUMBUNG__EVENT__BODY_MEMBERS;
    w->event.members = &members;
    const uint8_t *wire = pack(w, &w->event.base, &len);
    assert_null(reporting_entry_spans(w->arena, wire, len, 3));
    Lumbung__LoanApplied applied = LUMBUNG__LOAN_APPLIED__INIT;
    w->tx.body_case = LUMBUNG__TRANSACTIONS_EVENT__BODY_LOAN_APPLIED;
    w->tx.loan_applied = &applied;
    w->event.body_case = LUMBUNG__EVENT__BODY_TRANSACTIONS;
    w->event.transactions = &w->tx;
    wire = pack(w, &w->event.base, &len);
    assert_null(reporting_entry_spans(w->arena, wire, len, 3));
}

static void none_when_a_body_is_given_twice(void **state) {
    wire_t *w = *state;
    size_t tlen, plen;
    const uint8_t *tx = pack(w, &w->tx.base, &tlen);
    const uint8_t *posted = pack(w, &w->posted.base, &plen);
    uint8_t *twice = arena_alloc(w->arena, 2 * tlen + 2 * plen + 64);
    uint8_t *event = arena_alloc(w->arena, 2 * tlen + 2 * plen + 128);
    /* The shape the service packs, built by hand: the spans are found. */
    size_t n = field(event, LUMBUNG__EVENT__BODY_TRANSACTIONS, tx, tlen);
    assert_non_null(reporting_entry_spans(w->arena, event, n, 3));
    /* The transactions body twice. */
    n += field(event + n, LUMBUNG__EVENT__BODY_TRANSACTIONS, tx, tlen);
    assert_null(reporting_entry_spans(w->arena, event, n, 3));
    assert_null(reporting_entry_spans(w->arena, event, n, 6));
    /* entries_posted twice inside one body. */
    size_t b = field(twice, LUMBUNG__TRANSACTIONS_EVENT__BODY_ENTRIES_POSTED, posted, plen);
    b += field(twice + b, LUMBUNG__TRANSACTIONS_EVENT__BODY_ENTRIES_POSTED, posted, plen);
    n = field(event, LUMBUNG__EVENT__BODY_TRANSACTIONS, twice, b);
    assert_null(reporting_entry_spans(w->arena, event, n, 3));
    assert_null(reporting_entry_spans(w->arena, event, n, 6));
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        T(each_entry_its_own_bytes_in_order),
        T(one_entry),
        T(none_without_bytes_or_for_another_count),
        T(none_for_events_of_another_shape),
        T(none_when_a_body_is_given_twice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
