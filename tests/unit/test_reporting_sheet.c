/* sheet — balance sheet, income statement and trial balance from accounts with totals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "unit.h"

#include "../../services/reporting/sheet.h"

#define CLASS(x) LUMBUNG__ACCOUNT_CLASS__ACCOUNT_CLASS_##x
#define ROLE(x) LUMBUNG__ACCOUNT_ROLE__ACCOUNT_ROLE_##x

/* Cash 480,999.50; voluntary 201,000.25; principal 300,000; mandatory 25,000; other income
   30,000; operating expense 75,000.75 (the books of test_reporting_http.py). */
static reporting_account_t books[] = {
    { "1-101", "Kas", CLASS(ASSET), ROLE(CASH), 55650050, 7550100 },
    { "1-203", "Penyisihan", CLASS(ASSET), ROLE(LOAN_LOSS_ALLOWANCE), 0, 0 },
    { "2-101", "Simpanan sukarela", CLASS(LIABILITY), ROLE(VOLUNTARY_SAVINGS), 50025, 20150050 },
    { "3-101", "Simpanan pokok", CLASS(EQUITY), ROLE(PRINCIPAL_SAVINGS), 0, 30000000 },
    { "3-102", "Simpanan wajib", CLASS(EQUITY), ROLE(MANDATORY_SAVINGS), 0, 2500000 },
    { "4-301", "Pendapatan lain-lain", CLASS(INCOME), ROLE(OTHER_INCOME), 0, 3000000 },
    { "5-202", "Beban operasional", CLASS(EXPENSE), ROLE(OPERATING_EXPENSE), 7500075, 0 },
};

static reporting_chart_t chart(void) {
    return (reporting_chart_t) { books, sizeof books / sizeof books[0] };
}

static void balance_follows_the_class(void **state) {
    (void) state;
    assert_int_equal(reporting_sheet_balance(CLASS(ASSET), 500, 200), 300);
    assert_int_equal(reporting_sheet_balance(CLASS(EXPENSE), 500, 200), 300);
    assert_int_equal(reporting_sheet_balance(CLASS(LIABILITY), 500, 200), -300);
    assert_int_equal(reporting_sheet_balance(CLASS(EQUITY), 200, 500), 300);
    assert_int_equal(reporting_sheet_balance(CLASS(INCOME), 0, 500), 500);
}

static void balance_sheet_adds_unclosed_surplus_to_equity(void **state) {
    (void) state;
    arena_t *a = arena_new();
    reporting_chart_t c = chart();
    Lumbung__BalanceSheet *b = reporting_sheet_balance_sheet(a, &c, 7, unit_day("2025-12-31"));
    assert_int_equal(b->as_of, unit_day("2025-12-31"));
    assert_int_equal(b->cooperative_id, 7);
    assert_int_equal(b->n_sections, 3);
    assert_int_equal(b->sections[0]->class_, CLASS(ASSET));
    assert_int_equal(b->sections[0]->n_accounts, 2);
    assert_int_equal(b->total_assets_sen, 48099950);
    assert_int_equal(b->total_liabilities_sen, 20100025);
    assert_int_equal(b->unclosed_surplus_sen, -4500075);
    assert_int_equal(b->total_equity_sen, 32500000 - 4500075);
    assert_true(b->balanced);
    Lumbung__BalanceSheetSection *eq = b->sections[2];
    assert_int_equal(eq->n_accounts, 3);
    assert_null(eq->accounts[2]->code);
    assert_int_equal(eq->accounts[2]->role, ROLE(CURRENT_SURPLUS));
    assert_int_equal(eq->accounts[2]->balance_sen, -4500075);
    assert_int_equal(eq->total_sen, b->total_equity_sen);
    arena_destroy(&a);
}

static void balance_sheet_says_when_books_do_not_balance(void **state) {
    (void) state;
    arena_t *a = arena_new();
    reporting_account_t one[] = { { "1-101", "Kas", CLASS(ASSET), ROLE(CASH), 100, 0 } };
    reporting_chart_t c = { one, 1 };
    Lumbung__BalanceSheet *b = reporting_sheet_balance_sheet(a, &c, 1, unit_day("2025-01-01"));
    assert_false(b->balanced);
    reporting_chart_t empty = { NULL, 0 };
    b = reporting_sheet_balance_sheet(a, &empty, 1, unit_day("2025-01-01"));
    assert_true(b->balanced);
    assert_int_equal(b->total_assets_sen, 0);
    assert_int_equal(b->sections[2]->n_accounts, 1);     /* the derived row only */
    arena_destroy(&a);
}

static void income_statement_lists_income_and_expenses(void **state) {
    (void) state;
    arena_t *a = arena_new();
    reporting_chart_t c = chart();
    Lumbung__IncomeStatement *s =
        reporting_sheet_income(a, &c, 7, unit_day("2025-02-01"), unit_day("2025-03-31"));
    assert_int_equal(s->from, unit_day("2025-02-01"));
    assert_int_equal(s->to, unit_day("2025-03-31"));
    assert_int_equal(s->n_income, 1);
    assert_string_equal(s->income[0]->code, "4-301");
    assert_int_equal(s->n_expenses, 1);
    assert_int_equal(s->total_income_sen, 3000000);
    assert_int_equal(s->total_expenses_sen, 7500075);
    assert_int_equal(s->surplus_sen, -4500075);
    arena_destroy(&a);
}

static void trial_balance_sums_debits_and_credits(void **state) {
    (void) state;
    arena_t *a = arena_new();
    reporting_chart_t c = chart();
    Lumbung__ReportTrialBalance *t = reporting_sheet_trial_balance(a, &c, 7, unit_day("2999-12-31"));
    assert_int_equal(t->n_items, 7);
    assert_int_equal(t->total_debit_sen, 63200150);
    assert_int_equal(t->total_credit_sen, 63200150);
    assert_true(t->balanced);
    assert_int_equal(t->items[0]->balance_sen, 48099950);
    assert_int_equal(t->items[2]->balance_sen, 20100025);
    assert_false(t->items[1]->has_balance_sen == 0);
    books[0].debit_sen += 1;
    t = reporting_sheet_trial_balance(a, &c, 7, unit_day("2999-12-31"));
    books[0].debit_sen -= 1;
    assert_false(t->balanced);
    arena_destroy(&a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(balance_follows_the_class),
        cmocka_unit_test(balance_sheet_adds_unclosed_surplus_to_equity),
        cmocka_unit_test(balance_sheet_says_when_books_do_not_balance),
        cmocka_unit_test(income_statement_lists_income_and_expenses),
        cmocka_unit_test(trial_balance_sums_debits_and_credits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
