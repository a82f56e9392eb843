/* member_view — a member's loan as of a date from its schedule and its card's sums: paid
   instalment by instalment (interest, then principal), overdue = due before as_of and not
   fully paid, payoff = outstanding principal + unpaid interest due on or before as_of; and the
   mandatory savings rule the overview shares with transactions (common/mandatory.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../services/reporting/reporting.h"
#include "date.h"
#include "mandatory.h"

#define RP 100

static const char *const DUE[] = { "2025-02-10", "2025-03-10", "2025-04-10", "2025-05-10" };

/* 4 instalments of 100,000 principal + 12,000 interest. */
static Lumbung__Loan *loan_of(arena_t *a) {
    Lumbung__Loan *l = arena_message(a, &lumbung__loan__descriptor);
    l->n_schedule = 4;
    l->schedule = arena_alloc(a, 4 * sizeof *l->schedule);
    for (int i = 0; i < 4; i++) {
        Lumbung__Instalment *in = arena_message(a, &lumbung__instalment__descriptor);
        in->number = (uint32_t) i + 1;
        in->due_on = (char *) DUE[i];
        in->principal_sen = 100000 * RP;
        in->interest_sen = 12000 * RP;
        in->total_sen = 112000 * RP;
        l->schedule[i] = in;
    }
    return l;
}

static int32_t day(const char *s) {
    int32_t d;
    assert_int_equal(date_parse(s, &d), 0);
    return d;
}

static void partly_paid_one_overdue(void **state) {
    (void) state;
    arena_t *a = arena_new();
    Lumbung__Loan *l = loan_of(a);
    /* 1.5 instalments paid: 24,000 interest, 150,000 principal; 250,000 still owed. */
    Lumbung__LoanStatement card = LUMBUNG__LOAN_STATEMENT__INIT;
    card.interest_paid_sen = 24000 * RP;
    card.principal_paid_sen = 150000 * RP;
    card.closing_principal_sen = 250000 * RP;
    Lumbung__MemberLoan out = LUMBUNG__MEMBER_LOAN__INIT;
    int64_t payoff = reporting_member_loan_view(l, &card, day("2025-04-10"), &out, a);
    /* Due before 10/04: #1 paid, #2 half its principal. #3 is due that very day: not overdue
       yet, but its interest is owed on a payoff. */
    assert_false(l->schedule[0]->overdue);
    assert_true(l->schedule[1]->overdue);
    assert_false(l->schedule[2]->overdue);
    assert_int_equal(l->schedule[1]->interest_paid_sen, 12000 * RP);
    assert_int_equal(l->schedule[1]->principal_paid_sen, 50000 * RP);
    assert_int_equal(l->instalments_overdue, 1);
    assert_int_equal(l->arrears_principal_sen, 50000 * RP);
    assert_int_equal(l->arrears_interest_sen, 0);
    assert_int_equal(payoff, (250000 + 12000) * RP);
    assert_int_equal(out.payoff_sen, payoff);
    assert_string_equal(out.next_due_on, "2025-03-10");
    assert_int_equal(out.next_due_sen, 50000 * RP);
    assert_int_equal(l->status, LUMBUNG__LOAN_STATUS__LOAN_STATUS_ACTIVE);
    arena_destroy(&a);
}

static void paid_off_owes_nothing(void **state) {
    (void) state;
    arena_t *a = arena_new();
    Lumbung__Loan *l = loan_of(a);
    Lumbung__LoanStatement card = LUMBUNG__LOAN_STATEMENT__INIT;
    card.interest_paid_sen = 48000 * RP;
    card.principal_paid_sen = 400000 * RP;
    Lumbung__MemberLoan out = LUMBUNG__MEMBER_LOAN__INIT;
    assert_int_equal(reporting_member_loan_view(l, &card, day("2026-01-01"), &out, a), 0);
    assert_int_equal(l->status, LUMBUNG__LOAN_STATUS__LOAN_STATUS_PAID);
    assert_int_equal(l->instalments_overdue, 0);
    assert_null(out.next_due_on);
    arena_destroy(&a);
}

static void mandatory_periods_and_arrears(void **state) {
    (void) state;
    assert_int_equal(mandatory_period_months(2), 0);          /* weekly */
    assert_int_equal(mandatory_period_months(0), 1);          /* unspecified: monthly */
    assert_int_equal(mandatory_periods_due(day("2025-01-02"), day("2025-06-15"), 1), 6);
    assert_int_equal(mandatory_periods_due(day("2025-01-02"), day("2025-01-01"), 1), 0);
    int64_t due;
    assert_int_equal(mandatory_arrears(6, 25000 * RP, 75000 * RP, &due), 75000 * RP);
    assert_int_equal(due, 150000 * RP);
    assert_int_equal(mandatory_arrears(2, 25000 * RP, 75000 * RP, NULL), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(partly_paid_one_overdue),
        cmocka_unit_test(paid_off_owes_nothing),
        cmocka_unit_test(mandatory_periods_and_arrears),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
