/* chart_view (reporting): the accounts and day sums every balance sheet and trial balance is
   built from, as a user relies on them — each account of one cooperative in code order with
   its class, role and name (kept to 96 bytes), and the debits and credits of the entries whose
   value date lies in [from, to] (both ends included; an entry posted late with an earlier value
   date counts on its own day); an account announced again keeps what was posted to it and the
   class and role it does not name; a line on an account never announced still counts (the
   account is named by its code); a cooperative without accounts is ERR_NOT_FOUND; an entry
   without cooperative, date or valid account code is refused (-EPROTO), an account event
   without cooperative or valid code ignored. Against a real store. */
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

#define ROLE(x) LUMBUNG__ACCOUNT_ROLE__ACCOUNT_ROLE_##x
#define CLASS(x) LUMBUNG__ACCOUNT_CLASS__ACCOUNT_CLASS_##x

enum { COOP = 7, OTHER_COOP = 8 };

static int announce(reporting_fixture_t *f, uint64_t coop, const char *code, const char *name,
                    int class_, int role) {
    Lumbung__Account a = LUMBUNG__ACCOUNT__INIT;
    a.has_cooperative_id = 1;
    a.cooperative_id = coop;
    a.code = (char *) code;
    a.name = (char *) name;
    a.has_class_ = class_ >= 0;
    a.class_ = class_ >= 0 ? (Lumbung__AccountClass) class_ : 0;
    a.has_role = role >= 0;
    a.role = role >= 0 ? (Lumbung__AccountRole) role : 0;
    return reporting_chart_apply_account(&f->app, f->txn, &a);
}

static reporting_chart_t read_chart(reporting_fixture_t *f, uint64_t coop, const char *from,
                                    const char *to) {
    reporting_chart_t c;
    memset(&c, 0, sizeof c);
    assert_int_equal(reporting_chart_read(&f->app, f->txn, f->arena, coop, unit_day(from),
                                          unit_day(to), &c), 0);
    return c;
}

static void expect_account(const reporting_account_t *a, const char *code, const char *name,
                           int class_, int role, int64_t debit, int64_t credit) {
    assert_string_equal(a->code, code);
    assert_string_equal(a->name, name);
    assert_int_equal(a->class_, class_);
    assert_int_equal(a->role, role);
    assert_int_equal(a->debit_sen, debit);
    assert_int_equal(a->credit_sen, credit);
}

/* Announced out of code order: 3101 principal savings, 1101 cash, 2101 voluntary savings,
   4101 interest income; and 1101 of another cooperative. Posted: 01-10 cash 100,000.00 in for
   principal; 02-01 and 02-01 again cash 250.00 + 50.00 in for voluntary; 03-01 cash 120.00 out
   of voluntary; posted last, 01-31 interest 15.50 received in cash. */
static void books(reporting_fixture_t *f) {
    assert_int_equal(announce(f, COOP, "3101", "Simpanan Pokok", CLASS(EQUITY),
                              ROLE(PRINCIPAL_SAVINGS)), 0);
    assert_int_equal(announce(f, COOP, "1101", "Kas", CLASS(ASSET), ROLE(CASH)), 0);
    assert_int_equal(announce(f, COOP, "2101", "Simpanan Sukarela", CLASS(LIABILITY),
                              ROLE(VOLUNTARY_SAVINGS)), 0);
    assert_int_equal(announce(f, COOP, "4101", "Pendapatan Jasa", CLASS(INCOME),
                              ROLE(LOAN_INTEREST_INCOME)), 0);
    assert_int_equal(announce(f, OTHER_COOP, "1101", "Kas lain", CLASS(ASSET), ROLE(CASH)), 0);
    reporting_fixture_post(f, COOP, "2026-01-10", "1101", "3101", 10000000);
    reporting_fixture_post(f, COOP, "2026-02-01", "1101", "2101", 25000);
    reporting_fixture_post(f, COOP, "2026-02-01", "1101", "2101", 5000);
    reporting_fixture_post(f, COOP, "2026-03-01", "2101", "1101", 12000);
    reporting_fixture_post(f, COOP, "2026-01-31", "1101", "4101", 1550);
    reporting_fixture_post(f, OTHER_COOP, "2026-01-31", "1101", "1101", 777);
}

static void accounts_in_code_order_with_the_sums_of_a_period(void **state) {
    reporting_fixture_t *f = *state;
    books(f);
    reporting_chart_t c = read_chart(f, COOP, "2026-01-01", "2026-12-31");
    assert_int_equal(c.count, 4);
    expect_account(&c.items[0], "1101", "Kas", CLASS(ASSET), ROLE(CASH), 10031550, 12000);
    expect_account(&c.items[1], "2101", "Simpanan Sukarela", CLASS(LIABILITY),
                   ROLE(VOLUNTARY_SAVINGS), 12000, 30000);
    expect_account(&c.items[2], "3101", "Simpanan Pokok", CLASS(EQUITY),
                   ROLE(PRINCIPAL_SAVINGS), 0, 10000000);
    expect_account(&c.items[3], "4101", "Pendapatan Jasa", CLASS(INCOME),
                   ROLE(LOAN_INTEREST_INCOME), 0, 1550);
}

static void both_ends_included_and_a_late_entry_on_its_own_day(void **state) {
    reporting_fixture_t *f = *state;
    books(f);
    reporting_chart_t c = read_chart(f, COOP, "2026-01-31", "2026-02-01");
    assert_int_equal(c.count, 4);                      /* every account, moved or not */
    expect_account(&c.items[0], "1101", "Kas", CLASS(ASSET), ROLE(CASH), 31550, 0);
    assert_int_equal(c.items[1].credit_sen, 30000);
    assert_int_equal(c.items[2].credit_sen, 0);         /* 01-10 is before the period */
    assert_int_equal(c.items[3].credit_sen, 1550);
    c = read_chart(f, COOP, "2026-01-10", "2026-01-10");
    assert_int_equal(c.items[0].debit_sen, 10000000);
    assert_int_equal(c.items[2].credit_sen, 10000000);
    assert_int_equal(c.items[3].credit_sen, 0);
    c = read_chart(f, COOP, "2026-03-02", "2026-12-31");
    for (size_t i = 0; i < c.count; i++) {
        assert_int_equal(c.items[i].debit_sen, 0);
        assert_int_equal(c.items[i].credit_sen, 0);
    }
    c = read_chart(f, COOP, "2026-12-31", "2026-01-01");  /* from after to: no movement */
    assert_int_equal(c.count, 4);
    assert_int_equal(c.items[0].debit_sen, 0);
}

static void one_cooperative_only(void **state) {
    reporting_fixture_t *f = *state;
    books(f);
    reporting_chart_t c = read_chart(f, OTHER_COOP, "2026-01-01", "2026-12-31");
    assert_int_equal(c.count, 1);
    expect_account(&c.items[0], "1101", "Kas lain", CLASS(ASSET), ROLE(CASH), 777, 777);
    memset(&c, 0, sizeof c);
    assert_int_equal(reporting_chart_read(&f->app, f->txn, f->arena, 9, unit_day("2026-01-01"),
                                          unit_day("2026-12-31"), &c), ERR_NOT_FOUND);
    assert_int_equal(reporting_chart_read(&f->app, f->txn, f->arena, 6, unit_day("2026-01-01"),
                                          unit_day("2026-12-31"), &c), ERR_NOT_FOUND);
}

static void sums_go_on_across_reads(void **state) {
    reporting_fixture_t *f = *state;
    books(f);
    assert_int_equal(read_chart(f, COOP, "2026-02-01", "2026-02-01").items[0].debit_sen, 30000);
    reporting_fixture_post(f, COOP, "2026-02-01", "1101", "2101", 1);   /* after a read */
    reporting_fixture_post(f, COOP, "2026-02-02", "1101", "2101", 2);
    reporting_chart_t c = read_chart(f, COOP, "2026-02-01", "2026-02-01");
    assert_int_equal(c.items[0].debit_sen, 30001);
    assert_int_equal(c.items[1].credit_sen, 30001);
    assert_int_equal(read_chart(f, COOP, "2026-02-01", "2026-02-02").items[1].credit_sen, 30003);
}

static void an_account_announced_again_keeps_what_it_does_not_name(void **state) {
    reporting_fixture_t *f = *state;
    books(f);
    assert_int_equal(announce(f, COOP, "1101", "Kas Besar", -1, -1), 0);
    assert_int_equal(announce(f, COOP, "2101", NULL, CLASS(LIABILITY), ROLE(TIME_DEPOSITS)), 0);
    reporting_chart_t c = read_chart(f, COOP, "2026-01-01", "2026-12-31");
    expect_account(&c.items[0], "1101", "Kas Besar", CLASS(ASSET), ROLE(CASH), 10031550, 12000);
    expect_account(&c.items[1], "2101", "", CLASS(LIABILITY), ROLE(TIME_DEPOSITS), 12000,
                   30000);
    assert_int_equal(reporting_chart_role(&f->app, f->txn, COOP, "2101"), ROLE(TIME_DEPOSITS));
    assert_int_equal(reporting_chart_role(&f->app, f->txn, COOP, "3101"),
                     ROLE(PRINCIPAL_SAVINGS));
    assert_int_equal(reporting_chart_role(&f->app, f->txn, OTHER_COOP, "3101"), 0);
    assert_int_equal(reporting_chart_role(&f->app, f->txn, COOP, "9999"), 0);
    assert_int_equal(reporting_chart_role(&f->app, f->txn, COOP, ""), 0);
    assert_int_equal(reporting_chart_role(&f->app, f->txn, COOP, NULL), 0);
}

static void a_name_is_kept_to_96_bytes(void **state) {
    reporting_fixture_t *f = *state;
    char name[121];
    memset(name, 'n', 120);
    name[120] = '\0';
    assert_int_equal(announce(f, COOP, "1101", name, CLASS(ASSET), ROLE(CASH)), 0);
    reporting_chart_t c = read_chart(f, COOP, "2026-01-01", "2026-12-31");
    assert_int_equal(strlen(c.items[0].name), 96);
    assert_memory_equal(c.items[0].name, name, 96);
}

static void a_line_on_an_account_never_announced_still_counts(void **state) {
    reporting_fixture_t *f = *state;
    assert_int_equal(announce(f, COOP, "1101", "Kas", CLASS(ASSET), ROLE(CASH)), 0);
    reporting_fixture_post(f, COOP, "2026-05-05", "1101", "2999", 4200);
    reporting_fixture_post(f, COOP, "2026-05-06", "1101", "2999", 100);
    reporting_chart_t c = read_chart(f, COOP, "2026-05-05", "2026-05-06");
    assert_int_equal(c.count, 2);
    expect_account(&c.items[0], "1101", "Kas", CLASS(ASSET), ROLE(CASH), 4300, 0);
    expect_account(&c.items[1], "2999", "2999", 0, 0, 0, 4300);
    assert_int_equal(announce(f, COOP, "2999", "Titipan", CLASS(LIABILITY),
                              ROLE(OTHER_LIABILITIES)), 0);    /* announced later */
    c = read_chart(f, COOP, "2026-05-06", "2026-05-06");
    expect_account(&c.items[1], "2999", "Titipan", CLASS(LIABILITY), ROLE(OTHER_LIABILITIES),
                   0, 100);
}

static int entry_on(reporting_fixture_t *f, bool has_coop, const char *date, const char *code) {
    Lumbung__JournalLine l = LUMBUNG__JOURNAL_LINE__INIT, *lines[] = { &l };
    l.account = (char *) code;
    l.has_debit_sen = 1;
    l.debit_sen = 100;
    Lumbung__JournalEntry e = LUMBUNG__JOURNAL_ENTRY__INIT;
    e.has_id = 1;
    e.id = 1;
    e.has_cooperative_id = has_coop;
    e.cooperative_id = COOP;
    e.has_value_date = date != NULL;
    e.value_date = date ? unit_day(date) : 0;
    e.n_lines = 1;
    e.lines = lines;
    return reporting_chart_apply_entry(&f->app, f->txn, &e);
}

static void entries_and_accounts_without_what_they_need(void **state) {
    reporting_fixture_t *f = *state;
    assert_int_equal(entry_on(f, false, "2026-01-01", "1101"), -EPROTO);
    assert_int_equal(entry_on(f, true, NULL, "1101"), -EPROTO);
    assert_int_equal(entry_on(f, true, "2026-01-01", ""), -EPROTO);
    assert_int_equal(entry_on(f, true, "2026-01-01", NULL), -EPROTO);
    assert_int_equal(entry_on(f, true, "2026-01-01", "12345678901234567"), -EPROTO);  /* 17 */
    reporting_chart_t c;
    memset(&c, 0, sizeof c);
    assert_int_equal(reporting_chart_read(&f->app, f->txn, f->arena, COOP, unit_day("2026-01-01"),
                                          unit_day("2026-12-31"), &c), ERR_NOT_FOUND);
    Lumbung__Account a = LUMBUNG__ACCOUNT__INIT;
    a.code = (char *) "1101";
    a.cooperative_id = COOP;                           /* but has_cooperative_id not set */
    assert_int_equal(reporting_chart_apply_account(&f->app, f->txn, &a), 0);
    assert_int_equal(announce(f, COOP, "", "Kosong", CLASS(ASSET), ROLE(CASH)), 0);
    assert_int_equal(announce(f, COOP, "12345678901234567", "Panjang", CLASS(ASSET), ROLE(CASH)),
                     0);
    assert_int_equal(reporting_chart_read(&f->app, f->txn, f->arena, COOP, unit_day("2026-01-01"),
                                          unit_day("2026-12-31"), &c), ERR_NOT_FOUND);
    assert_int_equal(entry_on(f, true, "2026-01-01", "1234567890123456"), 0);       /* 16 */
    c = read_chart(f, COOP, "2026-01-01", "2026-01-01");
    assert_int_equal(c.count, 1);
    expect_account(&c.items[0], "1234567890123456", "1234567890123456", 0, 0, 100, 0);
}

#define T(name) cmocka_unit_test_setup_teardown(name, reporting_fixture_setup, \
                                                reporting_fixture_teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        T(accounts_in_code_order_with_the_sums_of_a_period),
        T(both_ends_included_and_a_late_entry_on_its_own_day),
        T(one_cooperative_only),
        T(sums_go_on_across_reads),
        T(an_account_announced_again_keeps_what_it_does_not_name),
        T(a_name_is_kept_to_96_bytes),
        T(a_line_on_an_account_never_announced_still_counts),
        T(entries_and_accounts_without_what_they_need),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
