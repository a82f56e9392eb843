/* statement (reporting): a member's savings statement as a user reads it — the opening balance
   per kind (principal, mandatory, voluntary, time deposit) and in total from every movement
   before the period, each movement of the period in value-date then entry order with its
   amount, the entry's kind and memo (kept to 256 bytes), the balance of its kind and the total
   after it, and the closing balances; an exit settlement's change per kind read from its lines
   on the savings accounts (a debit takes, a credit adds; two lines of one kind in one entry are
   one movement); other members' movements apart; an entry without a member ignored, one
   without a value date refused; a savings kind not known read by its lines; beyond 20,000
   lines -E2BIG; the memo read from the journal, and only for a statement that names its
   cooperative; a store of an earlier release (a row per movement in "movements") moved over
   at start with its memos, in chunks, the old table dropped, and a row it cannot read
   refused with nothing lost. Against a real store. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"
#include "bytes.h"
#include "date.h"
#include "../../services/reporting/reporting.h"
#include "reporting_fixture.h"

#define KIND(x) LUMBUNG__SAVINGS_KIND__SAVINGS_KIND_##x
#define ENTRY(x) LUMBUNG__ENTRY_KIND__ENTRY_KIND_##x
#define ROLE(x) LUMBUNG__ACCOUNT_ROLE__ACCOUNT_ROLE_##x
#define CLASS(x) LUMBUNG__ACCOUNT_CLASS__ACCOUNT_CLASS_##x

enum { COOP = 7, MEMBER = 12, OTHER_MEMBER = 13 };

static Lumbung__JournalEntry *entry(reporting_fixture_t *f, uint64_t member, uint64_t id,
                                    const char *date, Lumbung__EntryKind kind) {
    Lumbung__JournalEntry *e = arena_message(f->arena, &lumbung__journal_entry__descriptor);
    e->has_id = e->has_cooperative_id = e->has_member_id = e->has_kind = 1;
    e->id = id;
    e->cooperative_id = COOP;
    e->member_id = member;
    e->kind = kind;
    e->has_value_date = date != NULL;
    e->value_date = date ? unit_day(date) : 0;
    return e;
}

/* As reporting applies an entry: the statement, and the journal, which holds its memo. */
static int apply(reporting_fixture_t *f, const Lumbung__JournalEntry *e) {
    int rc = reporting_statement_apply_entry(&f->app, f->txn, e);
    return rc == 0 ? reporting_journal_apply_entry(&f->app, f->txn, e, NULL) : rc;
}

/* A savings entry: it names its kind and the change of the balance. */
static int save(reporting_fixture_t *f, uint64_t member, uint64_t id, const char *date,
                Lumbung__EntryKind ek, Lumbung__SavingsKind kind, int64_t delta, const char *memo) {
    Lumbung__JournalEntry *e = entry(f, member, id, date, ek);
    e->has_savings_kind = e->has_savings_delta_sen = 1;
    e->savings_kind = kind;
    e->savings_delta_sen = delta;
    e->memo = (char *) memo;
    return apply(f, e);
}

/* The statement as the member statement report reads it: of the member's cooperative, so
   with the memos. */
static Lumbung__MemberStatement *statement(reporting_fixture_t *f, uint64_t member,
                                           const char *from, const char *to) {
    Lumbung__MemberStatement *st = reporting_fixture_statement(f, COOP, member, from, to);
    assert_int_equal(st->n_opening, 4);
    assert_int_equal(st->n_closing, 4);
    return st;
}

static void expect_balances(Lumbung__KindBalance **b, int64_t principal, int64_t mandatory,
                            int64_t voluntary, int64_t deposit) {
    const int64_t want[] = { principal, mandatory, voluntary, deposit };
    for (int k = 0; k < 4; k++) {
        assert_int_equal(b[k]->kind, k + 1);
        assert_int_equal(b[k]->balance_sen, want[k]);
    }
}

static void expect_line(const Lumbung__StatementLine *l, const char *date, uint64_t entry_id,
                        Lumbung__SavingsKind kind, int64_t amount, int64_t balance,
                        int64_t total) {
    assert_int_equal(l->value_date, unit_day(date));
    assert_int_equal(l->entry_id, entry_id);
    assert_int_equal(l->kind, kind);
    assert_int_equal(l->amount_sen, amount);
    assert_int_equal(l->balance_sen, balance);
    assert_int_equal(l->total_balance_sen, total);
}

/* Member 12: principal 100,000.00 on 01-05; mandatory 25,000.00 on 02-01; voluntary 7,500.00
   on 02-15; on 03-01 (posted in the other order) entry 5 mandatory 25,000.00 and entry 4 a
   withdrawal of 2,000.00 voluntary. Member 13: voluntary 9.99 on 02-01. */
static void books(reporting_fixture_t *f) {
    assert_int_equal(save(f, MEMBER, 1, "2026-01-05", ENTRY(DEPOSIT), KIND(PRINCIPAL),
                          10000000, "simpanan pokok"), 0);
    assert_int_equal(save(f, MEMBER, 2, "2026-02-01", ENTRY(DEPOSIT), KIND(MANDATORY),
                          2500000, "wajib Februari"), 0);
    assert_int_equal(save(f, OTHER_MEMBER, 3, "2026-02-01", ENTRY(DEPOSIT), KIND(VOLUNTARY),
                          999, NULL), 0);
    assert_int_equal(save(f, MEMBER, 6, "2026-02-15", ENTRY(DEPOSIT), KIND(VOLUNTARY),
                          750000, NULL), 0);
    assert_int_equal(save(f, MEMBER, 5, "2026-03-01", ENTRY(DEPOSIT), KIND(MANDATORY),
                          2500000, "wajib Maret"), 0);
    assert_int_equal(save(f, MEMBER, 4, "2026-03-01", ENTRY(WITHDRAWAL), KIND(VOLUNTARY),
                          -200000, "tarik tunai"), 0);
}

static void opening_lines_and_closing_of_a_period(void **state) {
    reporting_fixture_t *f = *state;
    books(f);
    Lumbung__MemberStatement *st = statement(f, MEMBER, "2026-02-01", "2026-02-28");
    expect_balances(st->opening, 10000000, 0, 0, 0);
    assert_int_equal(st->opening_total_sen, 10000000);
    assert_int_equal(st->n_lines, 2);
    expect_line(st->lines[0], "2026-02-01", 2, KIND(MANDATORY), 2500000, 2500000, 12500000);
    assert_int_equal(st->lines[0]->entry_kind, ENTRY(DEPOSIT));
    assert_string_equal(st->lines[0]->memo, "wajib Februari");
    expect_line(st->lines[1], "2026-02-15", 6, KIND(VOLUNTARY), 750000, 750000, 13250000);
    assert_null(st->lines[1]->memo);
    expect_balances(st->closing, 10000000, 2500000, 750000, 0);
    assert_int_equal(st->closing_total_sen, 13250000);
}

static void one_day_in_entry_order_to_included(void **state) {
    reporting_fixture_t *f = *state;
    books(f);
    Lumbung__MemberStatement *st = statement(f, MEMBER, "2026-03-01", "2026-03-01");
    assert_int_equal(st->opening_total_sen, 13250000);
    assert_int_equal(st->n_lines, 2);
    expect_line(st->lines[0], "2026-03-01", 4, KIND(VOLUNTARY), -200000, 550000, 13050000);
    assert_int_equal(st->lines[0]->entry_kind, ENTRY(WITHDRAWAL));
    assert_string_equal(st->lines[0]->memo, "tarik tunai");
    expect_line(st->lines[1], "2026-03-01", 5, KIND(MANDATORY), 2500000, 5000000, 15550000);
    expect_balances(st->closing, 10000000, 5000000, 550000, 0);
    assert_int_equal(st->closing_total_sen, 15550000);
    st = statement(f, MEMBER, "2026-01-01", "2026-02-28");   /* before 03-01 only */
    assert_int_equal(st->n_lines, 3);
    assert_int_equal(st->opening_total_sen, 0);
    assert_int_equal(st->closing_total_sen, 13250000);
}

static void a_period_without_movements_opens_as_it_closes(void **state) {
    reporting_fixture_t *f = *state;
    books(f);
    Lumbung__MemberStatement *st = statement(f, MEMBER, "2026-06-01", "2026-06-30");
    assert_int_equal(st->n_lines, 0);
    expect_balances(st->opening, 10000000, 5000000, 550000, 0);
    expect_balances(st->closing, 10000000, 5000000, 550000, 0);
    assert_int_equal(st->opening_total_sen, 15550000);
    assert_int_equal(st->closing_total_sen, 15550000);
    st = statement(f, MEMBER, "2025-01-01", "2025-12-31");   /* before anything */
    assert_int_equal(st->n_lines, 0);
    assert_int_equal(st->opening_total_sen, 0);
    assert_int_equal(st->closing_total_sen, 0);
}

static void other_members_apart(void **state) {
    reporting_fixture_t *f = *state;
    books(f);
    Lumbung__MemberStatement *st = statement(f, OTHER_MEMBER, "2026-01-01", "2026-12-31");
    assert_int_equal(st->n_lines, 1);
    expect_line(st->lines[0], "2026-02-01", 3, KIND(VOLUNTARY), 999, 999, 999);
    expect_balances(st->closing, 0, 0, 999, 0);
    assert_int_equal(statement(f, 99, "2026-01-01", "2026-12-31")->n_lines, 0);
}

static Lumbung__JournalLine *line(reporting_fixture_t *f, const char *account, int64_t debit,
                                  int64_t credit) {
    Lumbung__JournalLine *l = arena_message(f->arena, &lumbung__journal_line__descriptor);
    l->account = (char *) account;
    l->has_debit_sen = debit != 0;
    l->debit_sen = debit;
    l->has_credit_sen = credit != 0;
    l->credit_sen = credit;
    return l;
}

static void chart(reporting_fixture_t *f) {
    reporting_fixture_account(f, COOP, "1101", CLASS(ASSET), ROLE(CASH));
    reporting_fixture_account(f, COOP, "2101", CLASS(LIABILITY), ROLE(VOLUNTARY_SAVINGS));
    reporting_fixture_account(f, COOP, "2102", CLASS(LIABILITY), ROLE(TIME_DEPOSITS));
    reporting_fixture_account(f, COOP, "3101", CLASS(EQUITY), ROLE(PRINCIPAL_SAVINGS));
    reporting_fixture_account(f, COOP, "3102", CLASS(EQUITY), ROLE(MANDATORY_SAVINGS));
}

/* Exit settlement 20 on 04-30 pays out 100,000.00 principal, 50,000.00 mandatory, 5,500.00
   voluntary (in two lines) and a 1,000,000.00 time deposit; then its reversal 21 on 05-02. */
static void an_exit_settlement_by_its_lines_and_its_reversal(void **state) {
    reporting_fixture_t *f = *state;
    books(f);
    chart(f);
    assert_int_equal(save(f, MEMBER, 7, "2026-04-01", ENTRY(DEPOSIT), KIND(TIME_DEPOSIT),
                          100000000, NULL), 0);
    Lumbung__JournalEntry *e = entry(f, MEMBER, 20, "2026-04-30", ENTRY(EXIT_SETTLEMENT));
    Lumbung__JournalLine *lines[] = {
        line(f, "3101", 10000000, 0), line(f, "3102", 5000000, 0), line(f, "2101", 300000, 0),
        line(f, "2101", 250000, 0), line(f, "2102", 100000000, 0), line(f, "1101", 0, 115550000),
    };
    e->n_lines = 6;
    e->lines = lines;
    assert_int_equal(apply(f, e), 0);
    Lumbung__MemberStatement *st = statement(f, MEMBER, "2026-04-30", "2026-04-30");
    assert_int_equal(st->opening_total_sen, 115550000);
    assert_int_equal(st->n_lines, 4);                    /* cash is no savings: no line */
    expect_line(st->lines[0], "2026-04-30", 20, KIND(PRINCIPAL), -10000000, 0, 105550000);
    expect_line(st->lines[1], "2026-04-30", 20, KIND(MANDATORY), -5000000, 0, 100550000);
    expect_line(st->lines[2], "2026-04-30", 20, KIND(VOLUNTARY), -550000, 0, 100000000);
    expect_line(st->lines[3], "2026-04-30", 20, KIND(TIME_DEPOSIT), -100000000, 0, 0);
    assert_int_equal(st->lines[0]->entry_kind, ENTRY(EXIT_SETTLEMENT));
    expect_balances(st->closing, 0, 0, 0, 0);
    assert_int_equal(st->closing_total_sen, 0);

    Lumbung__JournalEntry *r = entry(f, MEMBER, 21, "2026-05-02", ENTRY(REVERSAL));
    Lumbung__JournalLine *back[] = { line(f, "1101", 15000000, 0), line(f, "3101", 0, 10000000),
                                     line(f, "3102", 0, 5000000) };
    r->n_lines = 3;
    r->lines = back;
    assert_int_equal(apply(f, r), 0);
    st = statement(f, MEMBER, "2026-05-01", "2026-05-31");
    assert_int_equal(st->n_lines, 2);
    expect_line(st->lines[0], "2026-05-02", 21, KIND(PRINCIPAL), 10000000, 10000000, 10000000);
    expect_line(st->lines[1], "2026-05-02", 21, KIND(MANDATORY), 5000000, 5000000, 15000000);
    expect_balances(st->closing, 10000000, 5000000, 0, 0);
}

static void a_memo_is_kept_to_256_bytes(void **state) {
    reporting_fixture_t *f = *state;
    char memo[301];
    memset(memo, 'm', 300);
    memo[300] = '\0';
    assert_int_equal(save(f, MEMBER, 1, "2026-01-05", ENTRY(DEPOSIT), KIND(VOLUNTARY), 1, memo),
                     0);
    Lumbung__MemberStatement *st = statement(f, MEMBER, "2026-01-01", "2026-12-31");
    assert_int_equal(st->n_lines, 1);
    assert_int_equal(strlen(st->lines[0]->memo), 256);
    assert_memory_equal(st->lines[0]->memo, memo, 256);
    /* Read without its cooperative (a member's overview, which shows balances): no memos. */
    st = reporting_fixture_statement(f, 0, MEMBER, "2026-01-01", "2026-12-31");
    assert_int_equal(st->n_lines, 1);
    assert_int_equal(st->lines[0]->amount_sen, 1);
    assert_null(st->lines[0]->memo);
}

static void without_a_member_ignored_without_a_date_refused(void **state) {
    reporting_fixture_t *f = *state;
    assert_int_equal(save(f, 0, 1, "2026-01-05", ENTRY(DEPOSIT), KIND(VOLUNTARY), 100, NULL), 0);
    Lumbung__JournalEntry *e = entry(f, MEMBER, 2, "2026-01-05", ENTRY(DEPOSIT));
    e->has_member_id = 0;
    e->has_savings_kind = e->has_savings_delta_sen = 1;
    e->savings_kind = KIND(VOLUNTARY);
    e->savings_delta_sen = 100;
    assert_int_equal(apply(f, e), 0);
    assert_int_equal(save(f, MEMBER, 3, NULL, ENTRY(DEPOSIT), KIND(VOLUNTARY), 100, NULL),
                     -EPROTO);
    Lumbung__MemberStatement *st = statement(f, MEMBER, "1900-01-01", "2100-12-31");
    assert_int_equal(st->n_lines, 0);
    assert_int_equal(st->closing_total_sen, 0);
    assert_int_equal(statement(f, 0, "1900-01-01", "2100-12-31")->n_lines, 0);
}

/* An entry naming a savings kind this build does not know (0, or 9 from a newer producer) is
   read by its lines, so the statement stays readable: entry 30's credit on 2101 is voluntary;
   entry 31 has no line on a savings account and makes no movement. */
static void an_unknown_savings_kind_is_read_by_its_lines(void **state) {
    reporting_fixture_t *f = *state;
    chart(f);
    Lumbung__JournalEntry *e = entry(f, MEMBER, 30, "2026-06-01", ENTRY(DEPOSIT));
    e->has_savings_kind = e->has_savings_delta_sen = 1;
    e->savings_kind = (Lumbung__SavingsKind) 9;
    e->savings_delta_sen = 400000;
    Lumbung__JournalLine *lines[] = { line(f, "1101", 400000, 0), line(f, "2101", 0, 400000) };
    e->n_lines = 2;
    e->lines = lines;
    assert_int_equal(apply(f, e), 0);
    assert_int_equal(save(f, MEMBER, 31, "2026-06-02", ENTRY(DEPOSIT), (Lumbung__SavingsKind) 0,
                          123, NULL), 0);
    Lumbung__MemberStatement *st = statement(f, MEMBER, "2026-01-01", "2026-12-31");
    assert_int_equal(st->n_lines, 1);
    expect_line(st->lines[0], "2026-06-01", 30, KIND(VOLUNTARY), 400000, 400000, 400000);
    expect_balances(st->closing, 0, 0, 400000, 0);
}

static void beyond_20000_lines_too_big(void **state) {
    reporting_fixture_t *f = *state;
    for (uint64_t id = 1; id <= REPORTING_STATEMENT_LINES_MAX; id++)
        assert_int_equal(save(f, MEMBER, id, "2026-01-05", ENTRY(DEPOSIT), KIND(VOLUNTARY), 1,
                              NULL), 0);
    Lumbung__MemberStatement *st = statement(f, MEMBER, "2026-01-01", "2026-12-31");
    assert_int_equal(st->n_lines, 20000);
    assert_int_equal(st->lines[19999]->entry_id, 20000);
    assert_int_equal(st->closing_total_sen, 20000);
    assert_int_equal(save(f, MEMBER, 20001, "2026-01-06", ENTRY(DEPOSIT), KIND(VOLUNTARY), 1,
                          NULL), 0);
    st = arena_message(f->arena, &lumbung__member_statement__descriptor);
    st->has_member_id = 1;
    st->member_id = MEMBER;
    assert_int_equal(reporting_statement_read(&f->app, f->txn, f->arena, unit_day("2026-01-01"),
                                              unit_day("2026-12-31"), st), -E2BIG);
    st = statement(f, MEMBER, "2026-01-06", "2026-12-31");   /* a shorter period */
    assert_int_equal(st->n_lines, 1);
    assert_int_equal(st->opening_total_sen, 20000);
}


/* ---- a store of an earlier release ---- */

/* A row of the earlier "movements" table: key member|date|entry|kind, value version 1,
   EntryKind, i64 change, u16 memo length, memo. */
static void old_row(store_txn_t *txn, store_table_t old, uint64_t member, const char *date,
                    uint64_t entry_id, int kind, int entry_kind, int64_t change,
                    const char *memo, uint8_t version) {
    uint8_t k[21], v[12 + 64];
    be64_write(k, member);
    be32_write(k + 8, date_key(unit_day(date)));
    be64_write(k + 12, entry_id);
    k[20] = (uint8_t) kind;
    size_t memo_len = memo ? strlen(memo) : 0;
    v[0] = version;
    v[1] = (uint8_t) entry_kind;
    be64_write(v + 2, (uint64_t) change);
    v[10] = (uint8_t) (memo_len >> 8);
    v[11] = (uint8_t) memo_len;
    memcpy(v + 12, memo ? memo : "", memo_len);
    assert_int_equal(store_put(txn, old, k, sizeof k, v, 12 + memo_len, 0), 0);
}

enum { MANY = 10001 };      /* one more than a chunk of the upgrade */

/* The fixture's transaction is closed, "movements" filled as an earlier release left it,
   then the upgrade runs as at start; a new transaction is open for reading afterwards. */
static int upgrade_from(reporting_fixture_t *f, uint8_t version_of_last) {
    store_abort(&f->txn);
    store_table_t old;
    assert_int_equal(store_table(f->store, "movements", &old), 0);
    store_txn_t *txn;
    assert_int_equal(store_begin(f->store, false, &txn), 0);
    old_row(txn, old, MEMBER, "2026-01-05", 1, KIND(PRINCIPAL), ENTRY(DEPOSIT), 10000000,
            "simpanan pokok", 1);
    old_row(txn, old, MEMBER, "2026-02-01", 2, KIND(MANDATORY), ENTRY(DEPOSIT), 2500000, NULL, 1);
    old_row(txn, old, MEMBER, "2026-03-01", 4, KIND(VOLUNTARY), ENTRY(WITHDRAWAL), -200000,
            "tarik tunai", 1);
    for (uint64_t id = 1; id <= MANY; id++)
        old_row(txn, old, OTHER_MEMBER, "2026-01-05", 100 + id, KIND(VOLUNTARY), ENTRY(DEPOSIT),
                1, NULL, id == MANY ? version_of_last : 1);
    assert_int_equal(store_commit(&txn), 0);
    int rc = reporting_statement_upgrade(&f->app, f->store);
    assert_int_equal(store_begin(f->store, false, &f->txn), 0);
    return rc;
}

static void an_earlier_store_is_moved_over_with_its_memos(void **state) {
    reporting_fixture_t *f = *state;
    assert_int_equal(upgrade_from(f, 1), 0);
    Lumbung__MemberStatement *st = statement(f, MEMBER, "2026-01-01", "2026-12-31");
    assert_int_equal(st->n_lines, 3);
    expect_line(st->lines[0], "2026-01-05", 1, KIND(PRINCIPAL), 10000000, 10000000, 10000000);
    assert_string_equal(st->lines[0]->memo, "simpanan pokok");
    expect_line(st->lines[1], "2026-02-01", 2, KIND(MANDATORY), 2500000, 2500000, 12500000);
    assert_null(st->lines[1]->memo);
    expect_line(st->lines[2], "2026-03-01", 4, KIND(VOLUNTARY), -200000, -200000, 12300000);
    assert_int_equal(st->lines[2]->entry_kind, ENTRY(WITHDRAWAL));
    assert_string_equal(st->lines[2]->memo, "tarik tunai");
    st = statement(f, OTHER_MEMBER, "2026-01-01", "2026-12-31");
    assert_int_equal(st->n_lines, MANY);
    assert_int_equal(st->lines[MANY - 1]->entry_id, 100 + MANY);
    assert_int_equal(st->closing_total_sen, MANY);
    store_abort(&f->txn);
    store_table_t old;
    assert_int_equal(store_table_existing(f->store, "movements", &old), ERR_NOT_FOUND);
    /* A second start finds nothing to move; new movements append after the moved ones. */
    assert_int_equal(reporting_statement_upgrade(&f->app, f->store), 0);
    assert_int_equal(store_begin(f->store, false, &f->txn), 0);
    assert_int_equal(save(f, MEMBER, 9, "2026-04-01", ENTRY(DEPOSIT), KIND(VOLUNTARY), 50000,
                          NULL), 0);
    st = statement(f, MEMBER, "2026-04-01", "2026-04-30");
    assert_int_equal(st->n_lines, 1);
    expect_line(st->lines[0], "2026-04-01", 9, KIND(VOLUNTARY), 50000, -150000, 12350000);
}

/* A row of a version this build cannot read stops the upgrade: the chunks before it are
   moved, it and every row after it stay where they were, and the service does not start. */
static void an_unreadable_earlier_row_is_refused_and_kept(void **state) {
    reporting_fixture_t *f = *state;
    assert_int_equal(upgrade_from(f, 2), ERR_RECORD_VERSION);
    store_table_t old;
    store_abort(&f->txn);
    assert_int_equal(store_table_existing(f->store, "movements", &old), 0);
    assert_int_equal(store_begin(f->store, true, &f->txn), 0);
    store_scan_t s;
    assert_int_equal(store_scan_open(&s, f->txn, old, &(store_range_t){ 0 }), 0);
    size_t left = 0;
    int rc;
    while ((rc = store_scan_next(&s)) == 0) left++;
    assert_int_equal(store_scan_close(&s, rc), 0);
    /* The first chunk (10,000 rows: member 12's 3, then 9,997 of member 13's) committed; the
       second (the last 4, the unreadable one among them) rolled back whole. */
    assert_int_equal(left, 4);
    Lumbung__MemberStatement *st = statement(f, OTHER_MEMBER, "2026-01-01", "2026-12-31");
    assert_int_equal(st->n_lines, 9997);
}

#define T(name) cmocka_unit_test_setup_teardown(name, reporting_fixture_setup, \
                                                reporting_fixture_teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        T(opening_lines_and_closing_of_a_period),
        T(one_day_in_entry_order_to_included),
        T(a_period_without_movements_opens_as_it_closes),
        T(other_members_apart),
        T(an_exit_settlement_by_its_lines_and_its_reversal),
        T(a_memo_is_kept_to_256_bytes),
        T(without_a_member_ignored_without_a_date_refused),
        T(an_unknown_savings_kind_is_read_by_its_lines),
        T(beyond_20000_lines_too_big),
        T(an_earlier_store_is_moved_over_with_its_memos),
        T(an_unreadable_earlier_row_is_refused_and_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
