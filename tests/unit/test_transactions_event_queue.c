/* event_queue: the events of one unit of work — items come out in the order they were queued,
   consecutive entries share EntriesPosted events within the entry limit, a truncate takes the
   items after a mark back, an emit error stops the flush, the queue refuses past its
   limit, and an EntriesPosted event built from packed entries is exactly what protobuf-c
   packs for the same message. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"
#include "../../services/transactions/event_queue.h"
#include "transactions.pb-c.h"
#include "pb_splice.h"

#define BODY(x) LUMBUNG__TRANSACTIONS_EVENT__BODY_##x

typedef struct {
    arena_t *arena;
    tx_event_queue_t q;
    Lumbung__TransactionsEvent *emitted[64];
    size_t count;
    int64_t fail_at;                  /* the emit that fails (1-based), 0: none */
    Lumbung__JournalEntry *queued[1200]; /* what the byte comparison expects, in order */
    size_t compared;                  /* entries of `queued` compared so far */
} fx_t;

static int setup(void **state) {
    fx_t *f = calloc(1, sizeof *f);
    f->arena = arena_new();
    assert_non_null(f->arena);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fx_t *f = *state;
    arena_destroy(&f->arena);
    free(f);
    return 0;
}

/* The Event as stored: its own fields packed, then the packed body spliced after them. */
static uint8_t *event_bytes(const Lumbung__Event *ev, const pb_splice_field_t *body,
                            size_t *len) {
    size_t head = protobuf_c_message_get_packed_size(&ev->base);
    *len = head + (body ? pb_splice_field_size(body) : 0);
    uint8_t *buf = malloc(*len + 1);
    assert_non_null(buf);
    protobuf_c_message_pack(&ev->base, buf);
    if (body) pb_splice_field(buf + head, body);
    return buf;
}

/* Reads each event back as a reader would, from its wire bytes. */
static int64_t emit(void *arg, Lumbung__Event *event, const pb_splice_field_t *body) {
    fx_t *f = arg;
    if (body) assert_int_equal(event->body_case, LUMBUNG__EVENT__BODY__NOT_SET);
    else assert_int_equal(event->body_case, LUMBUNG__EVENT__BODY_TRANSACTIONS);
    if (f->fail_at && (int64_t) f->count + 1 == f->fail_at) return -EIO;
    assert_true(f->count < 64);
    size_t len;
    uint8_t *bytes = event_bytes(event, body, &len);
    ProtobufCAllocator alloc = arena_allocator(f->arena);
    Lumbung__Event *read = lumbung__event__unpack(&alloc, len, bytes);
    free(bytes);
    assert_non_null(read);
    assert_int_equal(read->body_case, LUMBUNG__EVENT__BODY_TRANSACTIONS);
    f->emitted[f->count++] = read->transactions;
    return (int64_t) f->count;
}

/* An entry packed in the arena, as ledger.c queues it. */
static void queue_packed(fx_t *f, const Lumbung__JournalEntry *e) {
    size_t len = protobuf_c_message_get_packed_size(&e->base);
    uint8_t *bytes = arena_alloc(f->arena, len);
    protobuf_c_message_pack(&e->base, bytes);
    assert_int_equal(tx_event_queue_push(&f->q, f->arena,
                                         (tx_pending_t) { .entry = bytes, .entry_len = len }),
                     0);
}

static void push_entry(fx_t *f, uint64_t id) {
    Lumbung__JournalEntry *e = arena_message(f->arena, &lumbung__journal_entry__descriptor);
    e->has_id = 1;
    e->id = id;
    queue_packed(f, e);
}

static void push_event(fx_t *f) {
    Lumbung__TransactionsEvent *ev =
        arena_message(f->arena, &lumbung__transactions_event__descriptor);
    ev->body_case = BODY(LOAN_APPLIED);
    ev->loan_applied = arena_message(f->arena, &lumbung__loan_applied__descriptor);
    assert_int_equal(tx_event_queue_push(&f->q, f->arena, (tx_pending_t) { .event = ev }), 0);
}

static void entries_are_grouped_between_other_events_in_order(void **state) {
    fx_t *f = *state;
    push_entry(f, 1);
    push_entry(f, 2);
    push_event(f);
    push_entry(f, 3);
    assert_int_equal(tx_event_queue_count(&f->q), 4);
    assert_int_equal(tx_event_queue_flush(&f->q, f->arena, emit, f), 0);
    assert_int_equal(f->count, 3);
    assert_int_equal(f->emitted[0]->body_case, BODY(ENTRIES_POSTED));
    assert_int_equal(f->emitted[0]->entries_posted->n_entries, 2);
    assert_int_equal(f->emitted[0]->entries_posted->entries[1]->id, 2);
    assert_int_equal(f->emitted[1]->body_case, BODY(LOAN_APPLIED));
    assert_int_equal(f->emitted[2]->entries_posted->n_entries, 1);
    assert_int_equal(f->emitted[2]->entries_posted->entries[0]->id, 3);
    assert_int_equal(tx_event_queue_count(&f->q), 0);
}

static void an_event_holds_at_most_the_entry_limit(void **state) {
    fx_t *f = *state;
    for (uint64_t id = 1; id <= TX_EVENT_ENTRIES_MAX + 1; id++) push_entry(f, id);
    assert_int_equal(tx_event_queue_flush(&f->q, f->arena, emit, f), 0);
    assert_int_equal(f->count, 2);
    assert_int_equal(f->emitted[0]->entries_posted->n_entries, TX_EVENT_ENTRIES_MAX);
    assert_int_equal(f->emitted[1]->entries_posted->n_entries, 1);
    assert_int_equal(f->emitted[1]->entries_posted->entries[0]->id, TX_EVENT_ENTRIES_MAX + 1);
}

static void truncate_takes_back_what_came_after_the_mark(void **state) {
    fx_t *f = *state;
    push_entry(f, 1);
    size_t mark = tx_event_queue_count(&f->q);
    push_event(f);
    push_entry(f, 2);
    tx_event_queue_truncate(&f->q, mark);
    assert_int_equal(tx_event_queue_flush(&f->q, f->arena, emit, f), 0);
    assert_int_equal(f->count, 1);
    assert_int_equal(f->emitted[0]->entries_posted->n_entries, 1);
    assert_int_equal(f->emitted[0]->entries_posted->entries[0]->id, 1);
}

static void an_emit_error_is_returned_and_stops_the_flush(void **state) {
    fx_t *f = *state;
    push_event(f);
    push_event(f);
    push_event(f);
    f->fail_at = 2;
    assert_int_equal(tx_event_queue_flush(&f->q, f->arena, emit, f), -EIO);
    assert_int_equal(f->count, 1);
}

static void the_queue_refuses_past_its_limit(void **state) {
    fx_t *f = *state;
    for (size_t i = 0; i < TX_PENDING_MAX; i++) push_event(f);
    Lumbung__TransactionsEvent *ev =
        arena_message(f->arena, &lumbung__transactions_event__descriptor);
    ev->body_case = BODY(LOAN_APPLIED);
    assert_int_equal(tx_event_queue_push(&f->q, f->arena, (tx_pending_t) { .event = ev }),
                     -ENOBUFS);
    assert_int_equal(tx_event_queue_count(&f->q), TX_PENDING_MAX);
}


/* An entry with `lines` lines and a memo of `memo_len` bytes, every field a posting sets. */
static Lumbung__JournalEntry *full_entry(fx_t *f, uint64_t id, size_t lines, size_t memo_len) {
    Lumbung__JournalEntry *e = arena_message(f->arena, &lumbung__journal_entry__descriptor);
    e->has_id = e->has_cooperative_id = e->has_value_date = e->has_kind = 1;
    e->id = id;
    e->cooperative_id = 7;
    e->value_date = -3 + (int32_t) id;           /* sint32: negative days too */
    e->kind = LUMBUNG__ENTRY_KIND__ENTRY_KIND_DEPOSIT;
    e->memo = arena_alloc(f->arena, memo_len + 1);
    memset(e->memo, 'm', memo_len);
    e->memo[memo_len] = 0;
    e->has_posted_at_ms = e->has_member_id = e->has_total_sen = 1;
    e->posted_at_ms = 1760000000000 + (int64_t) id;
    e->member_id = 1000 + id;
    e->total_sen = 150 * (int64_t) id;
    e->posted_by = "teller";
    e->lines = arena_alloc(f->arena, lines * sizeof *e->lines);
    for (size_t i = 0; i < lines; i++) {
        Lumbung__JournalLine *l = arena_message(f->arena, &lumbung__journal_line__descriptor);
        l->account = i % 2 ? "2-101" : "1-101";
        l->has_debit_sen = i % 2 == 0;
        l->has_credit_sen = i % 2 == 1;
        l->debit_sen = l->credit_sen = 150 * (int64_t) id;
        e->lines[e->n_lines++] = l;
    }
    return e;
}

/* Packs the same event the usual way (header and body as one message) and compares. */
static int64_t emit_compare(void *arg, Lumbung__Event *event, const pb_splice_field_t *body) {
    fx_t *f = arg;
    assert_non_null(body);
    /* The header as service_call_emit and outbox_append fill it. */
    Lumbung__Actor actor = LUMBUNG__ACTOR__INIT;
    actor.user = "teller";
    event->has_seq = event->has_at_ms = 1;
    event->seq = 300 + f->count;
    event->at_ms = 1760000000123;
    event->stream = "transactions";
    event->actor = &actor;
    event->trace_id = "trace-1";
    size_t len;
    uint8_t *spliced = event_bytes(event, body, &len);
    ProtobufCAllocator alloc = arena_allocator(f->arena);
    Lumbung__Event *read = lumbung__event__unpack(&alloc, len, spliced);
    assert_non_null(read);
    size_t n = read->transactions->entries_posted->n_entries;
    assert_true(n > 0 && f->compared + n <= 1200);
    Lumbung__EntriesPosted posted = LUMBUNG__ENTRIES_POSTED__INIT;
    posted.n_entries = n;
    posted.entries = &f->queued[f->compared];
    Lumbung__TransactionsEvent te = LUMBUNG__TRANSACTIONS_EVENT__INIT;
    te.body_case = LUMBUNG__TRANSACTIONS_EVENT__BODY_ENTRIES_POSTED;
    te.entries_posted = &posted;
    Lumbung__Event whole = *event;
    whole.body_case = LUMBUNG__EVENT__BODY_TRANSACTIONS;
    whole.transactions = &te;
    size_t expected_len = protobuf_c_message_get_packed_size(&whole.base);
    uint8_t *expected = malloc(expected_len + 1);
    protobuf_c_message_pack(&whole.base, expected);
    assert_int_equal(len, expected_len);
    assert_memory_equal(spliced, expected, len);
    free(expected);
    free(spliced);
    f->compared += n;
    f->count++;
    return (int64_t) f->count;
}

/* Entries small and large (lengths of one, two and three varint bytes; events over 16 KB and
   split by the byte limit): every event's bytes are exactly protobuf-c's for the message. */
static void spliced_events_are_byte_for_byte_protobuf_c_packs(void **state) {
    fx_t *f = *state;
    size_t n = 0;
    for (uint64_t id = 1; id <= 1100; id++) {
        size_t lines = id % 3 == 0 ? 64 : 2 + id % 2, memo = id % 7 == 0 ? 256 : id % 40;
        Lumbung__JournalEntry *e = full_entry(f, id, lines, memo);
        f->queued[n++] = e;
        queue_packed(f, e);
    }
    assert_int_equal(tx_event_queue_flush(&f->q, f->arena, emit_compare, f), 0);
    assert_int_equal(f->compared, n);
    assert_true(f->count > 1100 / TX_EVENT_ENTRIES_MAX);     /* the byte limit split some */
}

int main(void) {
    unit_quiet_logs("test_transactions_event_queue");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(entries_are_grouped_between_other_events_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(an_event_holds_at_most_the_entry_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(truncate_takes_back_what_came_after_the_mark, setup, teardown),
        cmocka_unit_test_setup_teardown(an_emit_error_is_returned_and_stops_the_flush, setup, teardown),
        cmocka_unit_test_setup_teardown(the_queue_refuses_past_its_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(spliced_events_are_byte_for_byte_protobuf_c_packs, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
