/* event_queue: the events of one unit of work — items come out in the order they were queued,
   consecutive entries share EntriesPosted events within the entry limit, a truncate takes the
   items after a mark back, an emit error stops the flush, and the queue refuses past its
   limit. */
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

#define BODY(x) LUMBUNG__TRANSACTIONS_EVENT__BODY_##x

typedef struct {
    arena_t *arena;
    tx_event_queue_t q;
    Lumbung__TransactionsEvent *emitted[64];
    size_t count;
    int64_t fail_at;                  /* the emit that fails (1-based), 0: none */
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

static int64_t emit(void *arg, Lumbung__Event *event) {
    fx_t *f = arg;
    assert_int_equal(event->body_case, LUMBUNG__EVENT__BODY_TRANSACTIONS);
    if (f->fail_at && (int64_t) f->count + 1 == f->fail_at) return -EIO;
    assert_true(f->count < 64);
    f->emitted[f->count++] = event->transactions;
    return (int64_t) f->count;
}

static void push_entry(fx_t *f, uint64_t id) {
    Lumbung__JournalEntry *e = arena_message(f->arena, &lumbung__journal_entry__descriptor);
    e->has_id = 1;
    e->id = id;
    assert_int_equal(tx_event_queue_push(&f->q, f->arena, (tx_pending_t) { .entry = e }), 0);
}

static void push_event(fx_t *f) {
    Lumbung__TransactionsEvent *ev =
        arena_message(f->arena, &lumbung__transactions_event__descriptor);
    ev->body_case = BODY(LOAN_APPLIED);
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

int main(void) {
    unit_quiet_logs("test_transactions_event_queue");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(entries_are_grouped_between_other_events_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(an_event_holds_at_most_the_entry_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(truncate_takes_back_what_came_after_the_mark, setup, teardown),
        cmocka_unit_test_setup_teardown(an_emit_error_is_returned_and_stops_the_flush, setup, teardown),
        cmocka_unit_test_setup_teardown(the_queue_refuses_past_its_limit, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
