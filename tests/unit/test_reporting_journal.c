/* journal (reporting): the journal of a period as a user reads it — every entry of one
   cooperative whose value date is in [from, to] (both ends included), in value-date then
   entry-id order whatever order they were posted in, with its lines as posted and the sums
   of their debits and credits; the bytes the event carried are stored as they are (not packed
   again); a replayed entry is kept once; an entry without an id or cooperative is ignored, one
   without a value date refused. Against a real store. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"
#include "../../services/reporting/reporting.h"
#include "reporting_fixture.h"

enum { COOP = 7, OTHER_COOP = 8 };

/* Entry `id` of `coop` on `date`: Dr 1101 `sen` / Cr 2101 `sen`, its memo `memo`. */
static Lumbung__JournalEntry *entry(reporting_fixture_t *f, uint64_t coop, uint64_t id,
                                    const char *date, int64_t sen, const char *memo) {
    Lumbung__JournalEntry *e = arena_message(f->arena, &lumbung__journal_entry__descriptor);
    Lumbung__JournalLine **lines = arena_alloc(f->arena, 2 * sizeof *lines);
    for (int i = 0; i < 2; i++) {
        lines[i] = arena_message(f->arena, &lumbung__journal_line__descriptor);
        lines[i]->account = (char *) (i == 0 ? "1101" : "2101");
    }
    lines[0]->has_debit_sen = lines[1]->has_credit_sen = 1;
    lines[0]->debit_sen = lines[1]->credit_sen = sen;
    e->has_id = e->has_cooperative_id = e->has_value_date = 1;
    e->id = id;
    e->cooperative_id = coop;
    e->value_date = date ? unit_day(date) : 0;
    e->has_value_date = date != NULL;
    e->memo = (char *) memo;
    e->n_lines = 2;
    e->lines = lines;
    return e;
}

static int post(reporting_fixture_t *f, uint64_t coop, uint64_t id, const char *date,
                int64_t sen) {
    return reporting_journal_apply_entry(&f->app, f->txn, entry(f, coop, id, date, sen, "setor"),
                                         NULL);
}

static Lumbung__JournalReport *journal(reporting_fixture_t *f, uint64_t coop, const char *from,
                                       const char *to) {
    Lumbung__JournalReport *r = arena_message(f->arena, &lumbung__journal_report__descriptor);
    assert_int_equal(reporting_journal_read(&f->app, f->txn, f->arena, coop, unit_day(from),
                                            unit_day(to), r), 0);
    return r;
}

/* Posted out of order: 40 on 03-02, 12 on 03-01, 9 on 03-02, 3 on 02-28, 50 on 03-31,
   51 on 04-01, and 13 of another cooperative on 03-01. */
static void books(reporting_fixture_t *f) {
    assert_int_equal(post(f, COOP, 40, "2026-03-02", 150000), 0);
    assert_int_equal(post(f, COOP, 12, "2026-03-01", 2500050), 0);
    assert_int_equal(post(f, COOP, 9, "2026-03-02", 7), 0);
    assert_int_equal(post(f, COOP, 3, "2026-02-28", 100), 0);
    assert_int_equal(post(f, COOP, 50, "2026-03-31", 99999), 0);
    assert_int_equal(post(f, COOP, 51, "2026-04-01", 123), 0);
    assert_int_equal(post(f, OTHER_COOP, 13, "2026-03-01", 555), 0);
}

static void a_period_in_value_date_then_entry_order_with_its_sums(void **state) {
    reporting_fixture_t *f = *state;
    books(f);
    Lumbung__JournalReport *r = journal(f, COOP, "2026-03-01", "2026-03-31");
    assert_int_equal(r->n_entries, 4);
    const uint64_t ids[] = { 12, 9, 40, 50 };
    const char *days[] = { "2026-03-01", "2026-03-02", "2026-03-02", "2026-03-31" };
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(r->entries[i]->id, ids[i]);
        assert_int_equal(r->entries[i]->cooperative_id, COOP);
        assert_int_equal(r->entries[i]->value_date, unit_day(days[i]));
    }
    assert_int_equal(r->total_debit_sen, 2500050 + 7 + 150000 + 99999);
    assert_int_equal(r->total_credit_sen, 2750056);
    const Lumbung__JournalEntry *e = r->entries[0];
    assert_int_equal(e->n_lines, 2);
    assert_string_equal(e->lines[0]->account, "1101");
    assert_int_equal(e->lines[0]->debit_sen, 2500050);
    assert_int_equal(e->lines[0]->credit_sen, 0);
    assert_string_equal(e->lines[1]->account, "2101");
    assert_int_equal(e->lines[1]->credit_sen, 2500050);
    assert_string_equal(e->memo, "setor");
}

static void both_ends_count_one_day_and_one_cooperative(void **state) {
    reporting_fixture_t *f = *state;
    books(f);
    Lumbung__JournalReport *r = journal(f, COOP, "2026-03-02", "2026-03-02");
    assert_int_equal(r->n_entries, 2);
    assert_int_equal(r->entries[0]->id, 9);
    assert_int_equal(r->entries[1]->id, 40);
    assert_int_equal(r->total_debit_sen, 150007);
    r = journal(f, COOP, "2026-02-28", "2026-04-01");
    assert_int_equal(r->n_entries, 6);
    assert_int_equal(r->entries[0]->id, 3);
    assert_int_equal(r->entries[5]->id, 51);
    r = journal(f, OTHER_COOP, "2026-01-01", "2026-12-31");
    assert_int_equal(r->n_entries, 1);
    assert_int_equal(r->entries[0]->id, 13);
    assert_int_equal(r->total_credit_sen, 555);
    r = journal(f, COOP, "2026-04-02", "2026-12-31");    /* after the last entry */
    assert_int_equal(r->n_entries, 0);
    assert_int_equal(r->total_debit_sen, 0);
    r = journal(f, 6, "2026-01-01", "2026-12-31");        /* a cooperative before COOP */
    assert_int_equal(r->n_entries, 0);
}

static void days_before_1970_sort_before_it(void **state) {
    reporting_fixture_t *f = *state;
    assert_int_equal(post(f, COOP, 2, "1970-01-01", 10), 0);
    assert_int_equal(post(f, COOP, 1, "1969-12-31", 20), 0);
    Lumbung__JournalReport *r = journal(f, COOP, "1969-01-01", "1970-12-31");
    assert_int_equal(r->n_entries, 2);
    assert_int_equal(r->entries[0]->id, 1);
    assert_int_equal(r->entries[0]->value_date, -1);
    assert_int_equal(r->entries[1]->id, 2);
    assert_int_equal(journal(f, COOP, "1969-12-31", "1969-12-31")->n_entries, 1);
}

static void the_bytes_received_are_stored_as_they_are(void **state) {
    reporting_fixture_t *f = *state;
    Lumbung__JournalEntry *as_posted = entry(f, COOP, 5, "2026-03-01", 900, "as posted");
    size_t len = protobuf_c_message_get_packed_size(&as_posted->base);
    uint8_t *bytes = arena_alloc(f->arena, len);
    protobuf_c_message_pack(&as_posted->base, bytes);
    reporting_span_t wire = { bytes, len };
    /* The unpacked entry names the key; the stored value is the wire's. */
    Lumbung__JournalEntry *e = entry(f, COOP, 5, "2026-03-01", 900, "unpacked");
    assert_int_equal(reporting_journal_apply_entry(&f->app, f->txn, e, &wire), 0);
    Lumbung__JournalReport *r = journal(f, COOP, "2026-03-01", "2026-03-01");
    assert_int_equal(r->n_entries, 1);
    assert_string_equal(r->entries[0]->memo, "as posted");
    assert_int_equal(r->total_debit_sen, 900);
}

static void a_replayed_entry_is_kept_once(void **state) {
    reporting_fixture_t *f = *state;
    assert_int_equal(post(f, COOP, 5, "2026-03-01", 900), 0);
    assert_int_equal(post(f, COOP, 5, "2026-03-01", 900), 0);
    Lumbung__JournalReport *r = journal(f, COOP, "2026-03-01", "2026-03-01");
    assert_int_equal(r->n_entries, 1);
    assert_int_equal(r->total_debit_sen, 900);
    assert_int_equal(r->total_credit_sen, 900);
}

static void without_id_or_cooperative_ignored_without_a_date_refused(void **state) {
    reporting_fixture_t *f = *state;
    assert_int_equal(reporting_journal_apply_entry(&f->app, f->txn, NULL, NULL), 0);
    Lumbung__JournalEntry *e = entry(f, COOP, 5, "2026-03-01", 900, "x");
    e->has_id = 0;
    assert_int_equal(reporting_journal_apply_entry(&f->app, f->txn, e, NULL), 0);
    e = entry(f, COOP, 6, "2026-03-01", 900, "x");
    e->has_cooperative_id = 0;
    assert_int_equal(reporting_journal_apply_entry(&f->app, f->txn, e, NULL), 0);
    assert_int_equal(post(f, COOP, 7, NULL, 900), -EPROTO);
    assert_int_equal(journal(f, COOP, "1900-01-01", "2100-12-31")->n_entries, 0);
    assert_int_equal(journal(f, 0, "1900-01-01", "2100-12-31")->n_entries, 0);
}

#define T(name) cmocka_unit_test_setup_teardown(name, reporting_fixture_setup, \
                                                reporting_fixture_teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        T(a_period_in_value_date_then_entry_order_with_its_sums),
        T(both_ends_count_one_day_and_one_cooperative),
        T(days_before_1970_sort_before_it),
        T(the_bytes_received_are_stored_as_they_are),
        T(a_replayed_entry_is_kept_once),
        T(without_id_or_cooperative_ignored_without_a_date_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
