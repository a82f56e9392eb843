/* context: the unit of work every request of the transactions service runs in. A user relies
   on it for this: an account's or a member's savings read in the middle of a request shows
   the changes the request made so far, while the store sees nothing until the flush; the
   flush publishes the queued events in the order they happened, each emitted once with the
   sequence the outbox handed out, and only then writes the changed accounts, savings records
   and journal index rows; a failed publish returns its error and writes nothing; a rollback to
   a mark takes back exactly what came after it; and the words of a refusal show money and
   dates as "150000.50" and "2025-01-31". */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"
#include "../../services/transactions/context.h"
#include "../../services/transactions/replica.h"
#include "date.h"

#include "tx_fixture.h"
#include "../../services/transactions/ledger.h"
#include "tx_helpers.h"

#define BODY(x) LUMBUNG__TRANSACTIONS_EVENT__BODY_##x
enum { KIND = 3, EMITS_MAX = 16 };

/* What the emit function saw: each event's kind (0 for an EntriesPosted body given packed),
   and the sequence it returned; `fail_at` (1-based) makes that emit fail with -EIO. */
typedef struct {
    int kinds[EMITS_MAX];
    int64_t seqs[EMITS_MAX];
    size_t count;
    size_t fail_at;
    int64_t next_seq;
} emits_t;

static int64_t record_emit(void *arg, Lumbung__Event *ev, const pb_splice_field_t *body) {
    emits_t *e = arg;
    if (e->fail_at && e->count + 1 == e->fail_at) return -EIO;
    assert_true(e->count < EMITS_MAX);
    e->kinds[e->count] = body ? 0 : (int) ev->transactions->body_case;
    e->seqs[e->count] = ++e->next_seq;
    return e->seqs[e->count++];
}

/* The fixture's setup applied members events in its unit of work, which queued events of their
   own: they are published and committed, and each test starts a unit of work of its own. */
static int64_t count_emit(void *arg, Lumbung__Event *ev, const pb_splice_field_t *body) {
    (void) ev, (void) body;
    return (int64_t) ++*(size_t *) arg;
}

static void fresh_unit_of_work(fx_t *f) {
    size_t setup_events = 0;
    assert_int_equal(tx_ctx_flush(&f->ctx, count_emit, &setup_events), 0);
    assert_true(setup_events > 0);
    assert_int_equal(store_commit(&f->txn), 0);
    assert_int_equal(store_begin(f->store, false, &f->txn), 0);
    tx_ctx_init(&f->ctx, &f->db, f->txn, f->arena, "tester");
}

static int64_t ctx_debit(fx_t *f, const char *code) {
    tx_account_t a;
    assert_int_equal(tx_ctx_get_account(&f->ctx, COOP, code, &a), 0);
    return a.debit_total_sen;
}

static void set_debit(fx_t *f, const char *code, int64_t debit) {
    tx_account_t a;
    assert_int_equal(tx_ctx_get_account(&f->ctx, COOP, code, &a), 0);
    a.debit_total_sen = debit;
    assert_int_equal(tx_ctx_put_account(&f->ctx, COOP, code, &a), 0);
}

static int64_t stored_savings(fx_t *f, uint64_t member) {
    tx_savings_t s;
    assert_int_equal(tx_store_get_savings(&f->db, f->txn, member, KIND, &s), 0);
    return s.balance_sen;
}

static int64_t ctx_savings(fx_t *f, uint64_t member) {
    tx_savings_t s;
    assert_int_equal(tx_ctx_get_savings(&f->ctx, member, KIND, &s), 0);
    return s.balance_sen;
}

static void set_savings(fx_t *f, uint64_t member, int64_t balance) {
    tx_savings_t s = { .balance_sen = balance, .paid_sen = balance };
    assert_int_equal(tx_ctx_put_savings(&f->ctx, member, KIND, &s), 0);
}

/* A posted entry of COOP with two lines, packed in the arena as ledger.c queues it, and its
   index rows queued. */
static void post_entry(fx_t *f, uint64_t id, const char *debit, const char *credit) {
    Lumbung__JournalLine *lines[2];
    const char *codes[2] = { debit, credit };
    for (int i = 0; i < 2; i++) {
        lines[i] = arena_message(f->arena, &lumbung__journal_line__descriptor);
        lines[i]->account = (char *) codes[i];
    }
    Lumbung__JournalEntry *e = arena_message(f->arena, &lumbung__journal_entry__descriptor);
    e->has_id = e->has_cooperative_id = 1;
    e->id = id;
    e->cooperative_id = COOP;
    e->n_lines = 2;
    e->lines = lines;
    size_t len = protobuf_c_message_get_packed_size(&e->base);
    uint8_t *bytes = arena_alloc(f->arena, len);
    protobuf_c_message_pack(&e->base, bytes);
    assert_int_equal(tx_ctx_queue_entry(&f->ctx, bytes, len), 0);
    tx_ctx_index_entry(&f->ctx, e, unit_day("2025-01-10"));
}

static void queue_loan_applied(fx_t *f) {
    Lumbung__TransactionsEvent *ev = tx_ctx_event(&f->ctx);
    ev->body_case = BODY(LOAN_APPLIED);
    ev->loan_applied = arena_message(f->arena, &lumbung__loan_applied__descriptor);
    assert_int_equal(tx_ctx_queue_event(&f->ctx, ev), 0);
}

static void reads_see_the_changes_the_store_sees_them_at_the_flush(void **state) {
    fx_t *f = *state;
    fresh_unit_of_work(f);
    tx_open_account(f, COOP, "9-101", 700);
    assert_int_equal(ctx_debit(f, "9-101"), 700);
    set_debit(f, "9-101", 1500);
    set_savings(f, ALICE, 250000);
    assert_int_equal(ctx_debit(f, "9-101"), 1500);
    assert_int_equal(ctx_savings(f, ALICE), 250000);
    assert_int_equal(ctx_savings(f, BUDI), 0);                /* no record: all zero */
    assert_int_equal(tx_stored_debit(f, COOP, "9-101"), 700);
    assert_int_equal(stored_savings(f, ALICE), 0);
    emits_t e = { 0 };
    assert_int_equal(tx_ctx_flush(&f->ctx, record_emit, &e), 0);
    assert_int_equal(e.count, 0);
    assert_int_equal(tx_stored_debit(f, COOP, "9-101"), 1500);
    assert_int_equal(stored_savings(f, ALICE), 250000);
    tx_savings_t s;
    assert_int_equal(tx_store_get_savings(&f->db, f->txn, ALICE, KIND, &s), 0);
    assert_int_equal(s.paid_sen, 250000);
    assert_int_equal(store_count(f->txn, f->db.savings), 1);
}

static void the_flush_emits_in_order_then_writes_index_rows(void **state) {
    fx_t *f = *state;
    fresh_unit_of_work(f);
    uint64_t coop_rows = store_count(f->txn, f->db.coop_entries);
    uint64_t line_rows = store_count(f->txn, f->db.account_lines);
    queue_loan_applied(f);
    post_entry(f, 41, "1-101", "3-101");
    post_entry(f, 42, "1-101", "3-101");
    queue_loan_applied(f);
    post_entry(f, 43, "1-102", "3-101");
    assert_int_equal(store_count(f->txn, f->db.coop_entries), coop_rows);
    emits_t e = { .next_seq = 100 };
    assert_int_equal(tx_ctx_flush(&f->ctx, record_emit, &e), 0);
    assert_int_equal(e.count, 4);                      /* entries 41 and 42 share one event */
    assert_int_equal(e.kinds[0], BODY(LOAN_APPLIED));
    assert_int_equal(e.kinds[1], 0);
    assert_int_equal(e.kinds[2], BODY(LOAN_APPLIED));
    assert_int_equal(e.kinds[3], 0);
    for (size_t i = 0; i < 4; i++) assert_int_equal(e.seqs[i], 101 + (int64_t) i);
    /* Ids 41..43 of one day make one run per cooperative, per account. */
    assert_int_equal(store_count(f->txn, f->db.coop_entries), coop_rows + 1);
    assert_int_equal(store_count(f->txn, f->db.account_lines), line_rows + 3);
    emits_t again = { 0 };                            /* the queue is empty after the flush */
    assert_int_equal(tx_ctx_flush(&f->ctx, record_emit, &again), 0);
    assert_int_equal(again.count, 0);
}

static void an_emit_failure_is_returned_and_nothing_is_written(void **state) {
    fx_t *f = *state;
    fresh_unit_of_work(f);
    tx_open_account(f, COOP, "9-101", 700);
    uint64_t coop_rows = store_count(f->txn, f->db.coop_entries);
    set_debit(f, "9-101", 900);
    set_savings(f, ALICE, 5000);
    queue_loan_applied(f);
    post_entry(f, 51, "1-101", "3-101");
    queue_loan_applied(f);
    emits_t e = { .fail_at = 2 };
    assert_int_equal(tx_ctx_flush(&f->ctx, record_emit, &e), -EIO);
    assert_int_equal(e.count, 1);
    assert_int_equal(e.kinds[0], BODY(LOAN_APPLIED));
    assert_int_equal(tx_stored_debit(f, COOP, "9-101"), 700);
    assert_int_equal(stored_savings(f, ALICE), 0);
    assert_int_equal(store_count(f->txn, f->db.coop_entries), coop_rows);
}

static void a_rollback_takes_back_what_came_after_the_mark(void **state) {
    fx_t *f = *state;
    fresh_unit_of_work(f);
    tx_open_account(f, COOP, "9-101", 700);
    uint64_t coop_rows = store_count(f->txn, f->db.coop_entries);
    f->ctx.next_entry_id = 60;
    set_debit(f, "9-101", 800);
    set_savings(f, ALICE, 100);
    queue_loan_applied(f);
    tx_mark_t mark = tx_ctx_mark(&f->ctx);
    f->ctx.next_entry_id = 62;
    set_debit(f, "9-101", 999);
    set_savings(f, ALICE, 200);
    set_savings(f, BUDI, 300);
    post_entry(f, 61, "1-101", "3-101");
    queue_loan_applied(f);
    tx_ctx_rollback(&f->ctx, mark);
    assert_int_equal(f->ctx.next_entry_id, 60);
    assert_int_equal(ctx_debit(f, "9-101"), 800);
    assert_int_equal(ctx_savings(f, ALICE), 100);
    assert_int_equal(ctx_savings(f, BUDI), 0);
    emits_t e = { 0 };
    assert_int_equal(tx_ctx_flush(&f->ctx, record_emit, &e), 0);
    assert_int_equal(e.count, 1);
    assert_int_equal(e.kinds[0], BODY(LOAN_APPLIED));
    assert_int_equal(tx_stored_debit(f, COOP, "9-101"), 800);
    assert_int_equal(stored_savings(f, ALICE), 100);
    assert_int_equal(stored_savings(f, BUDI), 0);
    assert_int_equal(store_count(f->txn, f->db.coop_entries), coop_rows);
}

static void money_and_dates_read_as_a_person_writes_them(void **state) {
    fx_t *f = *state;
    fresh_unit_of_work(f);
    assert_string_equal(tx_money_text(&f->ctx, 15000050), "150000.50");
    assert_string_equal(tx_money_text(&f->ctx, 7), "0.07");
    assert_string_equal(tx_date_text(&f->ctx, unit_day("2025-01-31")), "2025-01-31");
    assert_string_equal(tx_date_text(&f->ctx, unit_day("2024-02-29")), "2024-02-29");
    Lumbung__SavingsMovement mv = LUMBUNG__SAVINGS_MOVEMENT__INIT;
    assert_string_equal(TX_DATE_TEXT_OR(&f->ctx, &mv, value_date, "today"), "today");
    mv.has_value_date = 1;
    mv.value_date = unit_day("2025-01-31");
    assert_string_equal(TX_DATE_TEXT_OR(&f->ctx, &mv, value_date, "today"), "2025-01-31");
}

static void a_date_field_defaults_to_today_and_refuses_out_of_range(void **state) {
    fx_t *f = *state;
    fresh_unit_of_work(f);
    f->ctx.today = unit_day("2025-03-05");
    int32_t day = 0;
    assert_int_equal(tx_date_field(&f->ctx, false, 0, "value_date", &day, &f->err), 0);
    assert_int_equal(day, unit_day("2025-03-05"));
    assert_int_equal(tx_date_field(&f->ctx, true, unit_day("2025-01-31"), "value_date", &day,
                                   &f->err), 0);
    assert_int_equal(day, unit_day("2025-01-31"));
    day = 7;
    assert_int_equal(tx_date_field(&f->ctx, true, DATE_MAX + 1, "value_date", &day, &f->err),
                     ERR_REJECTED);
    assert_int_equal(day, 7);
    assert_int_equal(f->err.kind, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID);
    assert_string_equal(f->err.code, "invalid_date");
    assert_string_equal(f->err.field, "value_date");
    assert_string_equal(f->err.message,
                        "value_date must be between 1900-01-01 and 2999-12-31");
}

int main(void) {
    unit_quiet_logs("test_transactions_context");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(reads_see_the_changes_the_store_sees_them_at_the_flush, setup, teardown),
        cmocka_unit_test_setup_teardown(the_flush_emits_in_order_then_writes_index_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(an_emit_failure_is_returned_and_nothing_is_written, setup, teardown),
        cmocka_unit_test_setup_teardown(a_rollback_takes_back_what_came_after_the_mark, setup, teardown),
        cmocka_unit_test_setup_teardown(money_and_dates_read_as_a_person_writes_them, setup, teardown),
        cmocka_unit_test_setup_teardown(a_date_field_defaults_to_today_and_refuses_out_of_range, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
