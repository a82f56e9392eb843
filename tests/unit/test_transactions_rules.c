/* Pure rules of the transactions service: the standard chart, savings periods and arrears,
   time deposit interest, journal cursors, record codecs and key order, authorisation. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "date.h"
#include "../../services/transactions/standard_chart.h"
#include "../../services/transactions/ledger.h"
#include "../../services/transactions/replica.h"
#include "../../services/transactions/savings.h"
#include "../../services/transactions/store.h"

#define ROLE(x) LUMBUNG__ACCOUNT_ROLE__ACCOUNT_ROLE_##x
#define CLASS(x) LUMBUNG__ACCOUNT_CLASS__ACCOUNT_CLASS_##x

static int32_t day(const char *text) {
    int32_t d;
    assert_int_equal(date_parse(text, &d), 0);
    return d;
}

static void standard_chart_has_every_role_once(void **state) {
    (void) state;
    size_t count;
    const tx_chart_row_t *rows = tx_chart_standard(&count);
    assert_int_equal(count, TX_ROLE_MAX);
    int seen[TX_ROLE_MAX + 1] = { 0 };
    for (size_t i = 0; i < count; i++) {
        assert_true(tx_chart_code_valid(rows[i].code));
        assert_true((int) rows[i].role > 0 && (int) rows[i].role <= (int) TX_ROLE_MAX);
        seen[rows[i].role]++;
        assert_int_equal(tx_chart_role_class(rows[i].role), rows[i].class_);
        if (i > 0) assert_true(strcmp(rows[i - 1].code, rows[i].code) < 0);
    }
    for (int r = 1; r <= TX_ROLE_MAX; r++) assert_int_equal(seen[r], 1);
}

static void standard_chart_uses_the_documented_accounts(void **state) {
    (void) state;
    size_t count;
    const tx_chart_row_t *rows = tx_chart_standard(&count);
    struct { const char *code, *name; Lumbung__AccountRole role; } want[] = {
        { "1-101", "Kas", ROLE(CASH) },
        { "1-102", "Bank", ROLE(BANK) },
        { "1-201", "Piutang pinjaman anggota", ROLE(MEMBER_LOANS) },
        { "2-101", "Simpanan sukarela", ROLE(VOLUNTARY_SAVINGS) },
        { "2-102", "Simpanan berjangka", ROLE(TIME_DEPOSITS) },
        { "3-101", "Simpanan pokok", ROLE(PRINCIPAL_SAVINGS) },
        { "3-102", "Simpanan wajib", ROLE(MANDATORY_SAVINGS) },
        { "3-201", "Cadangan", ROLE(RESERVES) },
    };
    for (size_t w = 0; w < sizeof want / sizeof want[0]; w++) {
        size_t i = 0;
        while (i < count && strcmp(rows[i].code, want[w].code) != 0) i++;
        assert_true(i < count);
        assert_string_equal(rows[i].name, want[w].name);
        assert_int_equal(rows[i].role, want[w].role);
    }
}

static void savings_roles_and_kinds_agree(void **state) {
    (void) state;
    assert_int_equal(tx_chart_kind_role(LUMBUNG__SAVINGS_KIND__SAVINGS_KIND_PRINCIPAL),
                     ROLE(PRINCIPAL_SAVINGS));
    assert_int_equal(tx_chart_kind_role(LUMBUNG__SAVINGS_KIND__SAVINGS_KIND_TIME_DEPOSIT),
                     ROLE(TIME_DEPOSITS));
    assert_true(tx_chart_role_is_savings(ROLE(VOLUNTARY_SAVINGS)));
    assert_false(tx_chart_role_is_savings(ROLE(CASH)));
    assert_int_equal(tx_chart_role_class(ROLE(PRINCIPAL_SAVINGS)), CLASS(EQUITY));
    assert_int_equal(tx_chart_role_class(ROLE(VOLUNTARY_SAVINGS)), CLASS(LIABILITY));
    assert_string_equal(tx_chart_role_name(ROLE(LOAN_LOSS_ALLOWANCE)), "loan_loss_allowance");
}

static void account_codes_are_checked(void **state) {
    (void) state;
    assert_true(tx_chart_code_valid("1-105"));
    assert_true(tx_chart_code_valid("5.201.01"));
    assert_false(tx_chart_code_valid(""));
    assert_false(tx_chart_code_valid("A-101"));
    assert_false(tx_chart_code_valid("1 101"));
    assert_false(tx_chart_code_valid("1-1234567890123456"));   /* 18 characters */
    assert_false(tx_chart_code_valid(NULL));
}

static void balance_follows_the_normal_side(void **state) {
    (void) state;
    assert_int_equal(tx_chart_balance(CLASS(ASSET), 500, 200), 300);
    assert_int_equal(tx_chart_balance(CLASS(EXPENSE), 500, 200), 300);
    assert_int_equal(tx_chart_balance(CLASS(LIABILITY), 200, 500), 300);
    assert_int_equal(tx_chart_balance(CLASS(EQUITY), 0, 7), 7);
    assert_int_equal(tx_chart_balance(CLASS(INCOME), 10, 0), -10);
}

static void mandatory_periods_count_the_joining_period(void **state) {
    (void) state;
    int32_t joined = day("2024-01-15");
    assert_int_equal(tx_savings_periods_due(joined, day("2024-01-14"), 1), 0);
    assert_int_equal(tx_savings_periods_due(joined, joined, 1), 1);
    assert_int_equal(tx_savings_periods_due(joined, day("2024-02-14"), 1), 1);
    assert_int_equal(tx_savings_periods_due(joined, day("2024-02-15"), 1), 2);
    assert_int_equal(tx_savings_periods_due(joined, day("2025-01-15"), 1), 13);
    assert_int_equal(tx_savings_periods_due(joined, day("2024-07-14"), 3), 2);
    assert_int_equal(tx_savings_periods_due(joined, day("2024-07-15"), 3), 3);
    assert_int_equal(tx_savings_periods_due(joined, day("2025-01-14"), 12), 1);
    /* Weekly: every 7 days. */
    assert_int_equal(tx_savings_periods_due(joined, day("2024-01-21"), 0), 1);
    assert_int_equal(tx_savings_periods_due(joined, day("2024-01-22"), 0), 2);
    /* Joined on the 31st: the next period starts at the end of the shorter month. */
    assert_int_equal(tx_savings_periods_due(day("2024-01-31"), day("2024-02-29"), 1), 2);
}

static void arrears_are_due_minus_paid_never_negative(void **state) {
    (void) state;
    int64_t due;
    assert_int_equal(tx_savings_arrears(3, 5000000, 10000000, &due), 5000000);
    assert_int_equal(due, 15000000);
    assert_int_equal(tx_savings_arrears(3, 5000000, 20000000, &due), 0);
    assert_int_equal(tx_savings_arrears(0, 5000000, 0, &due), 0);
    assert_int_equal(tx_savings_arrears(UINT32_MAX, INT64_MAX / 2, 0, &due), INT64_MAX);
}

static void time_deposit_interest_is_simple_and_rounded_half_away(void **state) {
    (void) state;
    int64_t i;
    /* 10,000,000.00 at 6 % for 12 months = 600,000.00 */
    assert_int_equal(tx_savings_td_interest(1000000000, 600, 12, &i), 0);
    assert_int_equal(i, 60000000);
    /* 1,000,000.00 at 5.5 % for 3 months = 13,750.00 */
    assert_int_equal(tx_savings_td_interest(100000000, 550, 3, &i), 0);
    assert_int_equal(i, 1375000);
    /* 333.33 at 7 % for 1 month = 1.9444... -> 1.94; 50.00 at 3 % for 1 month = 0.125 -> 0.13 */
    assert_int_equal(tx_savings_td_interest(33333, 700, 1, &i), 0);
    assert_int_equal(i, 194);
    assert_int_equal(tx_savings_td_interest(5000, 300, 1, &i), 0);
    assert_int_equal(i, 13);
    assert_int_equal(tx_savings_td_interest(INT64_MAX, 5000, 120, &i), -ERANGE);
}

static void journal_cursors_round_trip(void **state) {
    (void) state;
    char buf[64];
    tx_ledger_cursor_format(day("2025-03-01"), 1234, buf, sizeof buf);
    assert_string_equal(buf, "2025-03-01.1234");
    int32_t d;
    uint64_t id;
    assert_int_equal(tx_ledger_cursor_parse(buf, &d, &id), 0);
    assert_int_equal(d, day("2025-03-01"));
    assert_int_equal(id, 1234);
    assert_int_not_equal(tx_ledger_cursor_parse("2025-03-01", &d, &id), 0);
    assert_int_not_equal(tx_ledger_cursor_parse("2025-02-30.1", &d, &id), 0);
    assert_int_not_equal(tx_ledger_cursor_parse("2025-03-01.x", &d, &id), 0);
    assert_int_not_equal(tx_ledger_cursor_parse("2025-03-01.-1", &d, &id), 0);
}

static void records_round_trip_and_reject_other_versions(void **state) {
    (void) state;
    tx_coop_t c = { .period_months = 3, .principal_sen = 10000000, .mandatory_sen = -1,
                    .voluntary_min_sen = 5000, .members_seq = 77 }, c2;
    uint8_t cb[TX_COOP_RECORD_SIZE];
    tx_coop_encode(&c, cb);
    assert_int_equal(tx_coop_decode(cb, sizeof cb, &c2), 0);
    /* Field by field: the struct has padding, whose bytes decode never promises to copy. */
    assert_int_equal(c2.period_months, c.period_months);
    assert_int_equal(c2.principal_sen, c.principal_sen);
    assert_int_equal(c2.mandatory_sen, c.mandatory_sen);
    assert_int_equal(c2.voluntary_min_sen, c.voluntary_min_sen);
    assert_int_equal(c2.members_seq, c.members_seq);
    cb[0] = 9;
    assert_int_equal(tx_coop_decode(cb, sizeof cb, &c2), ERR_RECORD_VERSION);

    tx_member_t m = { .status = TX_MEMBER_EXITED, .joined_on = -5, .exited_on = 20000,
                      .coop = 3 }, m2;
    uint8_t mb[TX_MEMBER_RECORD_SIZE];
    tx_member_encode(&m, mb);
    assert_int_equal(tx_member_decode(mb, sizeof mb, &m2), 0);
    assert_int_equal(m2.joined_on, -5);
    assert_int_equal(m2.exited_on, 20000);
    assert_int_equal(m2.coop, 3);
    assert_int_equal(tx_member_decode(mb, sizeof mb - 1, &m2), ERR_RECORD_VERSION);

    tx_account_t a = { .class_ = 1, .role = 9, .flags = 1, .debit_total_sen = 5,
                       .credit_total_sen = INT64_MAX, .name_len = 4 }, a2;
    memcpy(a.name, "Kas!", 5);
    uint8_t ab[TX_ACCOUNT_RECORD_MAX];
    size_t n = tx_account_encode(&a, ab);
    assert_int_equal(n, TX_ACCOUNT_RECORD_HEADER + 4);
    assert_int_equal(tx_account_decode(ab, n, &a2), 0);
    assert_string_equal(a2.name, "Kas!");
    assert_true(a2.credit_total_sen == INT64_MAX);
    assert_int_equal(tx_account_decode(ab, n + 1, &a2), ERR_RECORD_VERSION);
}

static void date_keys_sort_like_dates(void **state) {
    (void) state;
    uint8_t k1[TX_ACCOUNT_LINE_KEY_SIZE], k2[TX_ACCOUNT_LINE_KEY_SIZE];
    tx_key_account_line(1, "1-101", -10, 99, k1);
    tx_key_account_line(1, "1-101", 5, 1, k2);
    assert_true(memcmp(k1, k2, sizeof k1) < 0);
    /* A shorter code sorts before a longer one with the same prefix, whatever the date. */
    tx_key_account_line(1, "1-10", 30000, 1, k1);
    tx_key_account_line(1, "1-101", -30000, 1, k2);
    assert_true(memcmp(k1, k2, sizeof k1) < 0);
    assert_int_equal(date_from_key(date_key(-12345)), -12345);
}

static void mandatory_periods_map_from_members(void **state) {
    (void) state;
    assert_int_equal(tx_replica_period_months(LUMBUNG__MANDATORY_PERIOD__MANDATORY_PERIOD_MONTHLY), 1);
    assert_int_equal(tx_replica_period_months(LUMBUNG__MANDATORY_PERIOD__MANDATORY_PERIOD_UNSPECIFIED), 1);
    assert_int_equal(tx_replica_period_months(LUMBUNG__MANDATORY_PERIOD__MANDATORY_PERIOD_WEEKLY), 0);
    assert_int_equal(tx_replica_period_months(LUMBUNG__MANDATORY_PERIOD__MANDATORY_PERIOD_QUARTERLY), 3);
    assert_int_equal(tx_replica_period_months(LUMBUNG__MANDATORY_PERIOD__MANDATORY_PERIOD_ANNUAL), 12);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(standard_chart_has_every_role_once),
        cmocka_unit_test(standard_chart_uses_the_documented_accounts),
        cmocka_unit_test(savings_roles_and_kinds_agree),
        cmocka_unit_test(account_codes_are_checked),
        cmocka_unit_test(balance_follows_the_normal_side),
        cmocka_unit_test(mandatory_periods_count_the_joining_period),
        cmocka_unit_test(arrears_are_due_minus_paid_never_negative),
        cmocka_unit_test(time_deposit_interest_is_simple_and_rounded_half_away),
        cmocka_unit_test(journal_cursors_round_trip),
        cmocka_unit_test(records_round_trip_and_reject_other_versions),
        cmocka_unit_test(date_keys_sort_like_dates),
        cmocka_unit_test(mandatory_periods_map_from_members),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
