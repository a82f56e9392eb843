/* projections (reporting): what a user relies on from the routing of the followers' events —
   an account opened and an entry posted reach the chart (day sums), the member's statement,
   SHU participation and the journal; opening balances give every listed member a movement of
   their own; with the wire bytes the journal keeps each entry as received, and without them
   (or after them) packs it; members events reach the registry and the meetings; loan events
   the loan register and, for write-offs, the write-off list; events it does not need are
   ignored but counted per stream, like every other ("unknown" without a stream); an entry it
   cannot apply fails the event (-EPROTO); the batch hook writes the row cache out at an
   attempt's end and forgets an abandoned attempt's rows. Against a real store. */
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

#define TX(x) LUMBUNG__TRANSACTIONS_EVENT__BODY_##x
#define MB(x) LUMBUNG__MEMBERS_EVENT__BODY_##x
#define ROLE(x) LUMBUNG__ACCOUNT_ROLE__ACCOUNT_ROLE_##x
#define CLASS(x) LUMBUNG__ACCOUNT_CLASS__ACCOUNT_CLASS_##x
#define KIND(x) LUMBUNG__SAVINGS_KIND__SAVINGS_KIND_##x
#define STATUS(x) LUMBUNG__LOAN_STATUS__LOAN_STATUS_##x

enum { COOP = 7, MEMBER = 21 };

static int apply_tx(reporting_fixture_t *f, Lumbung__TransactionsEvent *tx, uint64_t seq) {
    Lumbung__Event ev = LUMBUNG__EVENT__INIT;
    ev.has_seq = 1;
    ev.seq = seq;
    ev.stream = (char *) "transactions.0";
    ev.body_case = LUMBUNG__EVENT__BODY_TRANSACTIONS;
    ev.transactions = tx;
    return reporting_apply(&f->app, f->txn, &ev);
}

static int open_account(reporting_fixture_t *f, const char *code, Lumbung__AccountClass class_,
                        Lumbung__AccountRole role) {
    Lumbung__Account a = LUMBUNG__ACCOUNT__INIT;
    a.has_cooperative_id = a.has_class_ = a.has_role = 1;
    a.cooperative_id = COOP;
    a.code = a.name = (char *) code;
    a.class_ = class_;
    a.role = role;
    Lumbung__AccountOpened o = LUMBUNG__ACCOUNT_OPENED__INIT;
    o.account = &a;
    Lumbung__TransactionsEvent tx = LUMBUNG__TRANSACTIONS_EVENT__INIT;
    tx.body_case = TX(ACCOUNT_OPENED);
    tx.account_opened = &o;
    return apply_tx(f, &tx, 1);
}

static void chart(reporting_fixture_t *f) {
    assert_int_equal(open_account(f, "1101", CLASS(ASSET), ROLE(CASH)), 0);
    assert_int_equal(open_account(f, "3102", CLASS(EQUITY), ROLE(MANDATORY_SAVINGS)), 0);
}

/* Entry `id` on `date`: cash Dr / mandatory savings Cr `sen`, as member 21's deposit. */
static Lumbung__JournalEntry *deposit(reporting_fixture_t *f, uint64_t id, const char *date,
                                      int64_t sen, const char *memo) {
    Lumbung__JournalEntry *e = arena_message(f->arena, &lumbung__journal_entry__descriptor);
    Lumbung__JournalLine **lines = arena_alloc(f->arena, 2 * sizeof *lines);
    for (int i = 0; i < 2; i++) {
        lines[i] = arena_message(f->arena, &lumbung__journal_line__descriptor);
        lines[i]->account = (char *) (i ? "3102" : "1101");
    }
    lines[0]->has_debit_sen = lines[1]->has_credit_sen = 1;
    lines[0]->debit_sen = lines[1]->credit_sen = sen;
    e->has_id = e->has_cooperative_id = e->has_member_id = e->has_value_date = 1;
    e->has_savings_kind = e->has_savings_delta_sen = e->has_kind = 1;
    e->id = id;
    e->cooperative_id = COOP;
    e->member_id = MEMBER;
    e->value_date = unit_day(date);
    e->kind = LUMBUNG__ENTRY_KIND__ENTRY_KIND_DEPOSIT;
    e->savings_kind = KIND(MANDATORY);
    e->savings_delta_sen = sen;
    e->memo = (char *) memo;
    e->n_lines = 2;
    e->lines = lines;
    return e;
}

static Lumbung__TransactionsEvent *posted(reporting_fixture_t *f, Lumbung__JournalEntry **list,
                                          size_t n) {
    Lumbung__EntriesPosted *p = arena_message(f->arena, &lumbung__entries_posted__descriptor);
    p->n_entries = n;
    p->entries = list;
    Lumbung__TransactionsEvent *tx = arena_message(f->arena,
                                                   &lumbung__transactions_event__descriptor);
    tx->body_case = TX(ENTRIES_POSTED);
    tx->entries_posted = p;
    return tx;
}

static Lumbung__JournalReport *journal(reporting_fixture_t *f, const char *from, const char *to) {
    Lumbung__JournalReport *r = arena_message(f->arena, &lumbung__journal_report__descriptor);
    assert_int_equal(reporting_journal_read(&f->app, f->txn, f->arena, COOP, unit_day(from),
                                            unit_day(to), r), 0);
    return r;
}

static void an_entry_reaches_chart_statement_participation_and_journal(void **state) {
    reporting_fixture_t *f = *state;
    chart(f);
    Lumbung__JournalEntry *list[] = { deposit(f, 31, "2026-02-01", 2500000, "wajib"),
                                      deposit(f, 32, "2026-02-03", 1000, NULL) };
    assert_int_equal(apply_tx(f, posted(f, list, 2), 2), 0);
    reporting_chart_t c;
    memset(&c, 0, sizeof c);
    assert_int_equal(reporting_chart_read(&f->app, f->txn, f->arena, COOP, unit_day("2026-02-01"),
                                          unit_day("2026-02-28"), &c), 0);
    assert_int_equal(c.count, 2);
    assert_string_equal(c.items[0].code, "1101");
    assert_int_equal(c.items[0].debit_sen, 2501000);
    assert_int_equal(c.items[1].credit_sen, 2501000);
    Lumbung__MemberStatement *st =
        reporting_fixture_statement(f, COOP, MEMBER, "2026-02-01", "2026-02-28");
    assert_int_equal(st->n_lines, 2);
    assert_int_equal(st->lines[0]->entry_id, 31);
    assert_int_equal(st->lines[0]->amount_sen, 2500000);
    assert_string_equal(st->lines[0]->memo, "wajib");
    assert_int_equal(st->closing_total_sen, 2501000);
    reporting_participation_t *p = NULL;
    size_t n = 0;
    assert_int_equal(reporting_loans_participation(&f->app, f->txn, f->arena, COOP,
                                                   unit_day("2026-01-01"), unit_day("2026-12-31"),
                                                   &p, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(p[0].member_id, MEMBER);
    assert_int_equal(p[0].capital_sen, 2501000);
    Lumbung__JournalReport *r = journal(f, "2026-02-01", "2026-02-28");
    assert_int_equal(r->n_entries, 2);
    assert_int_equal(r->entries[0]->id, 31);
    assert_int_equal(r->entries[1]->id, 32);
    assert_int_equal(r->total_debit_sen, 2501000);
}

static void opening_balances_give_each_member_a_movement(void **state) {
    reporting_fixture_t *f = *state;
    chart(f);
    Lumbung__JournalEntry *e = deposit(f, 40, "2026-01-01", 0, "saldo awal");
    e->has_member_id = e->has_savings_kind = e->has_savings_delta_sen = 0;
    e->member_id = 0;
    e->kind = LUMBUNG__ENTRY_KIND__ENTRY_KIND_OPENING;
    Lumbung__OpeningSavings o[3] = { LUMBUNG__OPENING_SAVINGS__INIT,
                                     LUMBUNG__OPENING_SAVINGS__INIT,
                                     LUMBUNG__OPENING_SAVINGS__INIT };
    Lumbung__OpeningSavings *os[] = { &o[0], &o[1], &o[2] };
    const uint64_t members[] = { 21, 22, 21 };
    const Lumbung__SavingsKind kinds[] = { KIND(PRINCIPAL), KIND(MANDATORY), KIND(VOLUNTARY) };
    const int64_t sen[] = { 10000000, 7500000, 123456 };
    for (int i = 0; i < 3; i++) {
        o[i].has_member_id = o[i].has_kind = o[i].has_amount_sen = 1;
        o[i].member_id = members[i];
        o[i].kind = kinds[i];
        o[i].amount_sen = sen[i];
    }
    e->n_opening_savings = 3;
    e->opening_savings = os;
    Lumbung__JournalEntry *list[] = { e };
    assert_int_equal(apply_tx(f, posted(f, list, 1), 2), 0);
    Lumbung__MemberStatement *st =
        reporting_fixture_statement(f, COOP, 21, "2026-01-01", "2026-01-01");
    assert_int_equal(st->n_lines, 2);
    assert_int_equal(st->lines[0]->kind, KIND(PRINCIPAL));
    assert_int_equal(st->lines[0]->amount_sen, 10000000);
    assert_int_equal(st->lines[1]->kind, KIND(VOLUNTARY));
    assert_int_equal(st->lines[1]->amount_sen, 123456);
    assert_int_equal(st->lines[1]->entry_id, 40);
    assert_int_equal(st->closing_total_sen, 10123456);
    st = reporting_fixture_statement(f, COOP, 22, "2026-01-01", "2026-01-01");
    assert_int_equal(st->n_lines, 1);
    assert_int_equal(st->closing_total_sen, 7500000);
    reporting_participation_t *p = NULL;
    size_t n = 0;
    assert_int_equal(reporting_loans_participation(&f->app, f->txn, f->arena, COOP,
                                                   unit_day("2026-01-01"), unit_day("2026-12-31"),
                                                   &p, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(p[0].capital_sen, 10000000);       /* voluntary is no capital */
    assert_int_equal(p[1].capital_sen, 7500000);
    assert_int_equal(journal(f, "2026-01-01", "2026-01-01")->n_entries, 1);
}

static void with_the_wire_the_journal_keeps_what_was_received(void **state) {
    reporting_fixture_t *f = *state;
    chart(f);
    Lumbung__JournalEntry *sent[] = { deposit(f, 50, "2026-03-01", 700, "as sent") };
    Lumbung__Event ev = LUMBUNG__EVENT__INIT;
    ev.has_seq = 1;
    ev.seq = 5;
    ev.stream = (char *) "transactions.0";
    ev.body_case = LUMBUNG__EVENT__BODY_TRANSACTIONS;
    ev.transactions = posted(f, sent, 1);
    size_t len = protobuf_c_message_get_packed_size(&ev.base);
    uint8_t *wire = arena_alloc(f->arena, len);
    protobuf_c_message_pack(&ev.base, wire);
    Lumbung__JournalEntry *unpacked[] = { deposit(f, 50, "2026-03-01", 700, "unpacked") };
    ev.transactions = posted(f, unpacked, 1);
    assert_int_equal(reporting_apply_wire(&f->app, f->txn, &ev, wire, len), 0);
    Lumbung__JournalReport *r = journal(f, "2026-03-01", "2026-03-01");
    assert_int_equal(r->n_entries, 1);
    assert_string_equal(r->entries[0]->memo, "as sent");
    /* The wire is the one event's: the next event without it is packed from its fields. */
    Lumbung__JournalEntry *next[] = { deposit(f, 51, "2026-03-01", 300, "packed") };
    assert_int_equal(apply_tx(f, posted(f, next, 1), 6), 0);
    r = journal(f, "2026-03-01", "2026-03-01");
    assert_int_equal(r->n_entries, 2);
    assert_string_equal(r->entries[1]->memo, "packed");
    assert_int_equal(r->total_credit_sen, 1000);
}

static void members_events_reach_the_registry_and_the_meetings(void **state) {
    reporting_fixture_t *f = *state;
    Lumbung__Cooperative c = LUMBUNG__COOPERATIVE__INIT;
    c.has_id = 1;
    c.id = COOP;
    c.name = (char *) "KSP Maju";
    Lumbung__MembersEvent mev = LUMBUNG__MEMBERS_EVENT__INIT;
    mev.body_case = MB(COOPERATIVE_CREATED);
    mev.cooperative_created = &c;
    Lumbung__Event ev = LUMBUNG__EVENT__INIT;
    ev.stream = (char *) "members";
    ev.body_case = LUMBUNG__EVENT__BODY_MEMBERS;
    ev.members = &mev;
    assert_int_equal(reporting_apply(&f->app, f->txn, &ev), 0);
    Lumbung__Member m = LUMBUNG__MEMBER__INIT;
    m.has_id = m.has_cooperative_id = m.has_sex = m.has_status = 1;
    m.id = MEMBER;
    m.cooperative_id = COOP;
    m.sex = LUMBUNG__SEX__SEX_FEMALE;
    m.status = LUMBUNG__MEMBER_STATUS__MEMBER_STATUS_ACTIVE;
    mev.body_case = MB(MEMBER_JOINED);
    mev.member_joined = &m;
    assert_int_equal(reporting_apply(&f->app, f->txn, &ev), 0);
    Lumbung__AnnualMeeting rat = LUMBUNG__ANNUAL_MEETING__INIT;
    rat.has_cooperative_id = rat.has_fiscal_year = rat.has_held_on = 1;
    rat.cooperative_id = COOP;
    rat.fiscal_year = 2025;
    rat.held_on = unit_day("2026-03-15");
    mev.body_case = MB(ANNUAL_MEETING_RECORDED);
    mev.annual_meeting_recorded = &rat;
    assert_int_equal(reporting_apply(&f->app, f->txn, &ev), 0);
    Lumbung__Cooperative *got = NULL;
    assert_int_equal(reporting_registry_coop(&f->app, f->txn, f->arena, COOP, &got), 0);
    assert_string_equal(got->name, "KSP Maju");
    reporting_counts_t counts;
    assert_int_equal(reporting_registry_counts(&f->app, f->txn, COOP, &counts), 0);
    assert_int_equal(counts.active, 1);
    assert_int_equal(counts.female, 1);
    int32_t held_on = 0;
    assert_int_equal(reporting_oversight_rat_of(&f->app, f->txn, COOP, 2025, &held_on), 0);
    assert_int_equal(held_on, unit_day("2026-03-15"));
    assert_int_equal(reporting_oversight_rat_of(&f->app, f->txn, COOP, 2024, &held_on),
                     ERR_NOT_FOUND);
}

static void loan_events_reach_the_register_and_the_write_offs(void **state) {
    reporting_fixture_t *f = *state;
    Lumbung__LoanState s = LUMBUNG__LOAN_STATE__INIT;
    s.has_loan_id = s.has_cooperative_id = s.has_member_id = s.has_as_of = 1;
    s.has_status = s.has_class_ = s.has_principal_sen = s.has_outstanding_principal_sen = 1;
    s.loan_id = 5;
    s.cooperative_id = COOP;
    s.member_id = MEMBER;
    s.as_of = unit_day("2026-01-05");
    s.status = STATUS(ACTIVE);
    s.class_ = LUMBUNG__LOAN_CLASS__LOAN_CLASS_CURRENT;
    s.principal_sen = s.outstanding_principal_sen = 50000000;
    Lumbung__LoanDisbursed d = LUMBUNG__LOAN_DISBURSED__INIT;
    d.state = &s;
    d.entry_id = 60;
    Lumbung__TransactionsEvent tx = LUMBUNG__TRANSACTIONS_EVENT__INIT;
    tx.body_case = TX(LOAN_DISBURSED);
    tx.loan_disbursed = &d;
    assert_int_equal(apply_tx(f, &tx, 3), 0);
    Lumbung__LoanState off = s;
    off.as_of = unit_day("2026-06-30");
    off.status = STATUS(WRITTEN_OFF);
    off.class_ = LUMBUNG__LOAN_CLASS__LOAN_CLASS_LOSS;
    off.outstanding_principal_sen = 0;
    Lumbung__LoanWrittenOff w = LUMBUNG__LOAN_WRITTEN_OFF__INIT;
    w.state = &off;
    w.entry_id = 61;
    w.has_value_date = 1;
    w.value_date = unit_day("2026-06-30");
    w.principal_sen = 40000000;
    w.owed_sen = 41000000;
    tx.body_case = TX(LOAN_WRITTEN_OFF);
    tx.loan_written_off = &w;
    assert_int_equal(apply_tx(f, &tx, 4), 0);
    Lumbung__LoanRegister *reg = arena_message(f->arena, &lumbung__loan_register__descriptor);
    assert_int_equal(reporting_loans_register(&f->app, f->txn, f->arena, COOP,
                                              unit_day("2026-12-31"), reg), 0);
    assert_int_equal(reg->n_items, 1);
    assert_int_equal(reg->items[0]->status, STATUS(WRITTEN_OFF));
    assert_int_equal(reg->outstanding_principal_sen, 0);
    Lumbung__LoanPortfolio *p = arena_message(f->arena, &lumbung__loan_portfolio__descriptor);
    assert_int_equal(reporting_writeoffs_portfolio(&f->app, f->txn, f->arena, COOP,
                                                   unit_day("2026-12-31"), p), 0);
    assert_int_equal(p->written_off_loans, 1);
    assert_int_equal(p->written_off_sen, 40000000);
    assert_int_equal(p->write_offs[0]->owed_sen, 41000000);
}

/* The count of events applied from `stream`, once the row cache is written out. */
static uint64_t events_of(reporting_fixture_t *f, const char *stream) {
    assert_int_equal(reporting_batch(&f->app, f->txn, true), 0);
    const void *v;
    size_t vl;
    int rc = store_get(f->txn, f->app.tables.stream_stats, stream, strlen(stream), &v, &vl);
    if (rc == ERR_NOT_FOUND) return 0;
    assert_int_equal(rc, 0);
    assert_int_equal(vl, 8);
    const uint8_t *p = v;
    uint64_t n = 0;
    for (int i = 0; i < 8; i++) n = n << 8 | p[i];
    return n;
}

static void events_not_needed_are_ignored_but_counted(void **state) {
    reporting_fixture_t *f = *state;
    Lumbung__TransactionsEvent tx = LUMBUNG__TRANSACTIONS_EVENT__INIT;   /* no body */
    assert_int_equal(apply_tx(f, &tx, 1), 0);
    tx.body_case = TX(ACCOUNT_OPENED);                   /* without its account */
    assert_int_equal(apply_tx(f, &tx, 2), 0);
    tx.body_case = TX(ENTRIES_POSTED);                   /* without its entries */
    assert_int_equal(apply_tx(f, &tx, 3), 0);
    Lumbung__Event ev = LUMBUNG__EVENT__INIT;            /* no stream, no body */
    assert_int_equal(reporting_apply(&f->app, f->txn, &ev), 0);
    ev.stream = (char *) "";
    ev.body_case = LUMBUNG__EVENT__BODY_MEMBERS;         /* without its message */
    assert_int_equal(reporting_apply(&f->app, f->txn, &ev), 0);
    ev.stream = (char *) "members";
    assert_int_equal(reporting_apply(&f->app, f->txn, &ev), 0);
    assert_int_equal(events_of(f, "transactions.0"), 3);
    assert_int_equal(events_of(f, "unknown"), 2);
    assert_int_equal(events_of(f, "members"), 1);
    assert_int_equal(events_of(f, "transactions.1"), 0);
    chart(f);                                            /* counted across batches */
    assert_int_equal(events_of(f, "transactions.0"), 5);
    reporting_chart_t c;
    memset(&c, 0, sizeof c);
    assert_int_equal(reporting_chart_read(&f->app, f->txn, f->arena, COOP, 0, 0, &c), 0);
    assert_int_equal(c.count, 2);
}

static void an_entry_it_cannot_apply_fails_the_event(void **state) {
    reporting_fixture_t *f = *state;
    chart(f);
    Lumbung__JournalEntry *e = deposit(f, 70, "2026-03-01", 100, NULL);
    e->has_value_date = 0;
    Lumbung__JournalEntry *list[] = { e };
    assert_int_equal(apply_tx(f, posted(f, list, 1), 2), -EPROTO);
    e = deposit(f, 71, "2026-03-01", 100, NULL);
    e->lines[1]->account = (char *) "";
    list[0] = e;
    assert_int_equal(apply_tx(f, posted(f, list, 1), 3), -EPROTO);
}

static void an_abandoned_attempt_leaves_no_cached_rows(void **state) {
    reporting_fixture_t *f = *state;
    assert_int_equal(reporting_batch(&f->app, f->txn, false), 0);      /* attempt 1 begins */
    assert_int_equal(open_account(f, "1101", CLASS(ASSET), ROLE(CASH)), 0);
    assert_int_equal(reporting_batch(&f->app, f->txn, true), 0);       /* and ends */
    assert_int_equal(reporting_batch(&f->app, f->txn, false), 0);      /* attempt 2 begins */
    assert_int_equal(open_account(f, "3102", CLASS(EQUITY), ROLE(MANDATORY_SAVINGS)), 0);
    assert_int_equal(reporting_batch(&f->app, f->txn, false), 0);      /* abandoned: retried */
    reporting_chart_t c;
    memset(&c, 0, sizeof c);
    assert_int_equal(reporting_chart_read(&f->app, f->txn, f->arena, COOP, 0, 0, &c), 0);
    assert_int_equal(c.count, 1);
    assert_string_equal(c.items[0].code, "1101");
    assert_int_equal(reporting_chart_role(&f->app, f->txn, COOP, "3102"), 0);
    assert_int_equal(events_of(f, "transactions.0"), 1);              /* attempt 1's only */
}

static void no_follower_no_sequence(void **state) {
    reporting_fixture_t *f = *state;
    assert_int_equal(reporting_tx_seq(&f->app, 0), 0);
    f->app.shards = 3;
    size_t n = 0;
    uint64_t *seqs = reporting_shard_seqs(&f->app, f->arena, &n);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++) assert_int_equal(seqs[i], 0);
}

#define T(name) cmocka_unit_test_setup_teardown(name, reporting_fixture_setup, \
                                                reporting_fixture_teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        T(an_entry_reaches_chart_statement_participation_and_journal),
        T(opening_balances_give_each_member_a_movement),
        T(with_the_wire_the_journal_keeps_what_was_received),
        T(members_events_reach_the_registry_and_the_meetings),
        T(loan_events_reach_the_register_and_the_write_offs),
        T(events_not_needed_are_ignored_but_counted),
        T(an_entry_it_cannot_apply_fails_the_event),
        T(an_abandoned_attempt_leaves_no_cached_rows),
        T(no_follower_no_sequence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
