/* Loan arithmetic of the transactions service (schedule.c): the worked example of docs/domain.md
   to the sen for all three methods, rounding into the last instalment, exact annuities checked
   against rational arithmetic, due dates, late fees, allocation, payoff, arrears, and every
   band edge of collectibility. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "date.h"
#include "../../services/transactions/collectibility.h"
#include "../../services/transactions/schedule.h"

static int32_t day(const char *text) {
    int32_t d;
    assert_int_equal(date_parse(text, &d), 0);
    return d;
}

/* P = 12,000,000 rupiah, 12 % a year, monthly, 12 instalments, first due 2025-02-10. */
static tx_loan_terms_t example(int method) {
    return (tx_loan_terms_t) { .principal_sen = INT64_C(1200000000), .annual_rate_bp = 1200,
                               .n = 12, .method = method, .frequency = TX_FREQ_MONTHLY,
                               .first_due_on = day("2025-02-10") };
}

static int64_t total_of(const tx_instalment_t *i) { return i->principal_sen + i->interest_sen; }

static void worked_example_flat(void **state) {
    (void) state;
    tx_loan_terms_t t = example(TX_METHOD_FLAT);
    tx_instalment_t s[12];
    int64_t interest;
    assert_int_equal(tx_schedule_build(&t, s, &interest), 0);
    for (int k = 0; k < 12; k++) {
        assert_int_equal(total_of(&s[k]), INT64_C(112000000));      /* 1,120,000 */
        assert_int_equal(s[k].interest_sen, INT64_C(12000000));
    }
    assert_int_equal(interest, INT64_C(144000000));                 /* 1,440,000 */
    assert_int_equal(s[0].balance_after_sen, INT64_C(1100000000));
    assert_int_equal(s[11].balance_after_sen, 0);
}

static void worked_example_declining(void **state) {
    (void) state;
    tx_loan_terms_t t = example(TX_METHOD_DECLINING);
    tx_instalment_t s[12];
    int64_t interest;
    assert_int_equal(tx_schedule_build(&t, s, &interest), 0);
    assert_int_equal(total_of(&s[0]), INT64_C(112000000));          /* 1,120,000 */
    assert_int_equal(total_of(&s[11]), INT64_C(101000000));         /* 1,010,000 */
    assert_int_equal(total_of(&s[5]), INT64_C(100000000) + INT64_C(7000000));
    assert_int_equal(interest, INT64_C(78000000));                  /* 780,000 */
}

/* A = P i / (1 - (1+i)^-12) = 1,066,185.46414... -> 1,066,185.46 for instalments 1..11.
   12 A = 12,794,225.5697 -> the total paid is 12,794,225.56 (rounded down: never more than
   the contract implies), so the 12th instalment is 12,794,225.56 - 11 x 1,066,185.46 =
   1,066,185.50 and the total interest 794,225.56. */
static void worked_example_annuity(void **state) {
    (void) state;
    tx_loan_terms_t t = example(TX_METHOD_ANNUITY);
    tx_instalment_t s[12];
    int64_t interest, paid = 0;
    assert_int_equal(tx_schedule_build(&t, s, &interest), 0);
    for (int k = 0; k < 11; k++) assert_int_equal(total_of(&s[k]), INT64_C(106618546));
    assert_int_equal(total_of(&s[11]), INT64_C(106618550));
    assert_int_equal(s[0].interest_sen, INT64_C(12000000));
    assert_int_equal(s[0].principal_sen, INT64_C(94618546));
    assert_int_equal(s[10].balance_after_sen, INT64_C(105562923));
    assert_int_equal(s[11].interest_sen, INT64_C(1055627));
    for (int k = 0; k < 12; k++) paid += total_of(&s[k]);
    assert_int_equal(paid, INT64_C(1279422556));
    assert_int_equal(interest, INT64_C(79422556));                  /* 794,225.56 */
}

/* Values from exact rational arithmetic (Python fractions): round(A) and floor(n A). */
static void annuity_is_exact(void **state) {
    (void) state;
    struct { int64_t p, r, ppy; uint32_t n; int64_t a, total; } cases[] = {
        { INT64_C(1200000000), 1200, 12, 12, INT64_C(106618546), INT64_C(1279422556) },
        { INT64_C(500000000), 1800, 52, 52, INT64_C(10523304), INT64_C(547211830) },
        { INT64_C(100000000), 2400, 365, 360, INT64_C(312041), INT64_C(112334840) },
        { INT64_C(999999999), 1, 2, 7, INT64_C(142885716), INT64_C(1000200008) },
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        int64_t a, total;
        assert_int_equal(tx_schedule_annuity(cases[c].p, cases[c].r, cases[c].ppy, cases[c].n,
                                             &a, &total), 0);
        assert_int_equal(a, cases[c].a);
        assert_int_equal(total, cases[c].total);
    }
    int64_t a, total;
    assert_int_equal(tx_schedule_annuity(100, 0, 12, 3, &a, &total), -EINVAL);
}

static void rounding_goes_to_the_last_instalment(void **state) {
    (void) state;
    tx_loan_terms_t t = { .principal_sen = 100, .annual_rate_bp = 1250, .n = 3,
                          .method = TX_METHOD_FLAT, .frequency = TX_FREQ_MONTHLY,
                          .first_due_on = day("2025-01-31") };
    tx_instalment_t s[3];
    int64_t interest;
    assert_int_equal(tx_schedule_build(&t, s, &interest), 0);
    /* principal 33.33.. -> 33, 33, 34; interest 100 x 1250 / 120000 = 1.04 -> 1, 1, and
       floor(3.125) - 2 = 1 */
    assert_int_equal(s[0].principal_sen, 33);
    assert_int_equal(s[2].principal_sen, 34);
    assert_int_equal(s[2].interest_sen, 1);
    assert_int_equal(interest, 3);
    assert_int_equal(s[1].due_on, day("2025-02-28"));
    assert_int_equal(s[2].due_on, day("2025-03-31"));
    /* Zero rate: the annuity is equal principal parts. */
    t.annual_rate_bp = 0;
    t.method = TX_METHOD_ANNUITY;
    assert_int_equal(tx_schedule_build(&t, s, &interest), 0);
    assert_int_equal(interest, 0);
    assert_int_equal(s[0].principal_sen + s[1].principal_sen + s[2].principal_sen, 100);
}

static void terms_out_of_range_are_refused(void **state) {
    (void) state;
    tx_instalment_t s[TX_LOAN_INSTALMENTS_MAX + 1];
    int64_t interest;
    tx_loan_terms_t t = example(TX_METHOD_FLAT);
    t.n = 0;
    assert_int_equal(tx_schedule_build(&t, s, &interest), -EINVAL);
    t.n = TX_LOAN_INSTALMENTS_MAX + 1;
    assert_int_equal(tx_schedule_build(&t, s, &interest), -EINVAL);
    t = example(0);
    assert_int_equal(tx_schedule_build(&t, s, &interest), -EINVAL);
    t = example(TX_METHOD_FLAT);
    t.frequency = 9;
    assert_int_equal(tx_schedule_build(&t, s, &interest), -EINVAL);
    t = example(TX_METHOD_DECLINING);   /* 5 sen in 12 parts: the last would be negative */
    t.principal_sen = 5;
    assert_int_equal(tx_schedule_build(&t, s, &interest), -ERANGE);
    t = example(TX_METHOD_ANNUITY);     /* the longest, most frequent loan still computes */
    t.n = TX_LOAN_INSTALMENTS_MAX;
    t.frequency = TX_FREQ_DAILY;
    t.annual_rate_bp = TX_LOAN_RATE_MAX_BP;
    assert_int_equal(tx_schedule_build(&t, s, &interest), 0);
    assert_int_equal(s[TX_LOAN_INSTALMENTS_MAX - 1].balance_after_sen, 0);
}

static void due_dates_per_frequency(void **state) {
    (void) state;
    int32_t d;
    int32_t first = day("2025-01-31");
    assert_int_equal(tx_schedule_due_on(first, TX_FREQ_DAILY, 3, &d), 0);
    assert_int_equal(d, day("2025-02-02"));
    assert_int_equal(tx_schedule_due_on(first, TX_FREQ_WEEKLY, 2, &d), 0);
    assert_int_equal(d, day("2025-02-07"));
    assert_int_equal(tx_schedule_due_on(first, TX_FREQ_BIMONTHLY, 2, &d), 0);
    assert_int_equal(d, day("2025-03-31"));
    assert_int_equal(tx_schedule_due_on(first, TX_FREQ_QUARTERLY, 2, &d), 0);
    assert_int_equal(d, day("2025-04-30"));
    assert_int_equal(tx_schedule_due_on(first, TX_FREQ_SEMIANNUAL, 3, &d), 0);
    assert_int_equal(d, day("2026-01-31"));
}

/* 0.1 % a day of the overdue instalment after 3 grace days, capped at 5 % of it. */
static void late_fee_per_day_with_grace_and_cap(void **state) {
    (void) state;
    tx_loan_terms_t t = example(TX_METHOD_FLAT);
    t.fee_rate_bp = 10;
    t.fee_basis = TX_FEE_PER_DAY;
    t.grace_days = 3;
    tx_instalment_t s[12];
    int64_t interest;
    assert_int_equal(tx_schedule_build(&t, s, &interest), 0);
    /* due 2025-02-10; grace to 02-13; 02-13 nothing, 02-14 one day: 1,120,000 x 0.1 % */
    assert_int_equal(tx_schedule_charge_fees(&t, s, 12, day("2025-02-13")), 0);
    assert_int_equal(tx_schedule_charge_fees(&t, s, 12, day("2025-02-14")), INT64_C(112000));
    assert_int_equal(tx_schedule_charge_fees(&t, s, 12, day("2025-02-14")), 0);   /* idempotent */
    assert_int_equal(tx_schedule_charge_fees(&t, s, 12, day("2025-02-20")), INT64_C(672000));
    assert_int_equal(s[0].fee_sen, INT64_C(784000));
    assert_int_equal(s[0].fee_units, 7);
    /* A partial payment lowers the base from then on. */
    tx_allocation_t a = { 0 };
    assert_int_equal(tx_schedule_allocate(s, 12, INT64_C(56784000), &a), 0);
    assert_int_equal(a.fee_sen, INT64_C(784000));
    assert_int_equal(a.interest_sen, INT64_C(12000000));
    assert_int_equal(a.principal_sen, INT64_C(44000000));
    assert_int_equal(tx_schedule_charge_fees(&t, s, 12, day("2025-02-21")), INT64_C(56000));
    /* The cap bounds one instalment's fee. */
    t.fee_cap_bp = 500;             /* 5 % of 1,120,000 = 56,000 rupiah */
    assert_int_equal(tx_schedule_charge_fees(&t, s, 12, day("2026-06-21")),
                     INT64_C(5600000) - INT64_C(840000) + INT64_C(5600000) * 11);
    for (int k = 0; k < 12; k++) assert_int_equal(s[k].fee_sen, INT64_C(5600000));
}

static void late_fee_per_begun_month(void **state) {
    (void) state;
    tx_loan_terms_t t = example(TX_METHOD_FLAT);
    t.fee_rate_bp = 200;                                /* 2 % a month */
    t.fee_basis = TX_FEE_PER_MONTH;
    tx_instalment_t s[12];
    int64_t interest;
    assert_int_equal(tx_schedule_build(&t, s, &interest), 0);
    assert_int_equal(tx_schedule_charge_fees(&t, s, 1, day("2025-02-10")), 0);
    assert_int_equal(tx_schedule_charge_fees(&t, s, 1, day("2025-02-11")), INT64_C(2240000));
    assert_int_equal(tx_schedule_charge_fees(&t, s, 1, day("2025-03-10")), 0);
    assert_int_equal(tx_schedule_charge_fees(&t, s, 1, day("2025-03-11")), INT64_C(2240000));
    assert_int_equal(s[0].fee_units, 2);
}

static void allocation_order_and_overpayment(void **state) {
    (void) state;
    tx_loan_terms_t t = example(TX_METHOD_DECLINING);
    tx_instalment_t s[12];
    int64_t interest;
    assert_int_equal(tx_schedule_build(&t, s, &interest), 0);
    s[1].fee_sen = 500;
    tx_allocation_t a = { 0 };
    /* 1st instalment whole (1,120,000), then the 2nd's fee, interest and 1 sen principal. */
    int64_t amount = INT64_C(112000000) + 500 + INT64_C(11000000) + 1;
    assert_int_equal(tx_schedule_allocate(s, 12, amount, &a), 0);
    assert_int_equal(a.fee_sen, 500);
    assert_int_equal(a.interest_sen, INT64_C(23000000));
    assert_int_equal(a.principal_sen, INT64_C(100000001));
    assert_int_equal(s[1].principal_paid_sen, 1);
    int64_t unpaid = tx_schedule_unpaid(s, 12);
    assert_int_equal(unpaid, INT64_C(1200000000) + interest + 500 - amount);
    tx_allocation_t b = { 0 };
    assert_int_equal(tx_schedule_allocate(s, 12, unpaid + 7, &b), 7);   /* 7 sen too many */
    assert_int_equal(tx_schedule_unpaid(s, 12), 0);
}

static void payoff_waives_interest_not_yet_due(void **state) {
    (void) state;
    tx_loan_terms_t t = example(TX_METHOD_FLAT);
    tx_instalment_t s[12];
    int64_t interest;
    assert_int_equal(tx_schedule_build(&t, s, &interest), 0);
    tx_arrears_t ar;
    tx_schedule_arrears(s, 12, day("2025-03-10"), &ar);     /* two due, the 2nd today */
    assert_int_equal(ar.instalments, 1);
    assert_int_equal(ar.interest_due_sen, INT64_C(24000000));
    int64_t owed = ar.outstanding_principal_sen + ar.interest_due_sen + ar.fee_sen;
    assert_int_equal(owed, INT64_C(1224000000));
    tx_allocation_t a = { 0 };
    assert_int_equal(tx_schedule_payoff(s, 12, day("2025-03-10"), owed, &a), 0);
    assert_int_equal(a.interest_sen, INT64_C(24000000));
    assert_int_equal(a.principal_sen, INT64_C(1200000000));
    assert_int_equal(tx_schedule_unpaid(s, 12), 0);
    assert_int_equal(s[11].interest_waived_sen, INT64_C(12000000));
}

/* Collectibility of a monthly loan whose first instalment (due 2025-02-10) is unpaid. */
static int monthly_class(const char *as_of, int64_t collateral, const char *doubtful_on) {
    tx_loan_terms_t t = example(TX_METHOD_FLAT);
    tx_instalment_t s[12];
    int64_t interest;
    assert_int_equal(tx_schedule_build(&t, s, &interest), 0);
    tx_arrears_t ar;
    tx_schedule_arrears(s, 12, day(as_of), &ar);
    return tx_collectibility_class(t.frequency, &ar, day(as_of), collateral,
                             doubtful_on ? day(doubtful_on) : TX_LOAN_NO_DATE);
}

static void class_bands_monthly(void **state) {
    (void) state;
    assert_int_equal(monthly_class("2025-02-10", 0, NULL), TX_CLASS_CURRENT);
    assert_int_equal(monthly_class("2025-05-10", 0, NULL), TX_CLASS_CURRENT);     /* 3 months */
    assert_int_equal(monthly_class("2025-05-11", 0, NULL), TX_CLASS_SUBSTANDARD); /* > 3 */
    assert_int_equal(monthly_class("2025-08-10", 0, NULL), TX_CLASS_SUBSTANDARD); /* 6 */
    assert_int_equal(monthly_class("2025-08-11", 0, NULL), TX_CLASS_LOSS);        /* > 6 */
    /* Debt on 2025-08-11: principal 12,000,000 + interest of the 7 instalments due by then
       840,000 = 12,840,000; 75 % of it is 9,630,000. */
    assert_int_equal(monthly_class("2025-08-11", INT64_C(963000000), NULL), TX_CLASS_DOUBTFUL);
    assert_int_equal(monthly_class("2025-08-11", INT64_C(962999999), NULL), TX_CLASS_LOSS);
    assert_int_equal(monthly_class("2026-08-10", INT64_C(999999999999), "2025-08-11"),
                     TX_CLASS_DOUBTFUL);
    assert_int_equal(monthly_class("2026-08-11", INT64_C(999999999999), "2025-08-11"),
                     TX_CLASS_LOSS);
}

static int class_of(int frequency, const char *due, const char *as_of, bool interest_only) {
    tx_instalment_t s[1] = { { .due_on = day(due), .principal_sen = 100, .interest_sen = 10 } };
    if (interest_only) s[0].principal_paid_sen = 100;
    tx_arrears_t ar;
    tx_schedule_arrears(s, 1, day(as_of), &ar);
    return tx_collectibility_class(frequency, &ar, day(as_of), 0, TX_LOAN_NO_DATE);
}

static void class_bands_by_frequency(void **state) {
    (void) state;
    /* Under a month: principal (1, 2], interest (1, 3]. */
    assert_int_equal(class_of(TX_FREQ_WEEKLY, "2025-01-10", "2025-02-10", false), TX_CLASS_CURRENT);
    assert_int_equal(class_of(TX_FREQ_WEEKLY, "2025-01-10", "2025-02-11", false), TX_CLASS_SUBSTANDARD);
    assert_int_equal(class_of(TX_FREQ_DAILY, "2025-01-10", "2025-03-10", false), TX_CLASS_SUBSTANDARD);
    assert_int_equal(class_of(TX_FREQ_DAILY, "2025-01-10", "2025-03-11", false), TX_CLASS_LOSS);
    assert_int_equal(class_of(TX_FREQ_WEEKLY, "2025-01-10", "2025-04-10", true), TX_CLASS_SUBSTANDARD);
    assert_int_equal(class_of(TX_FREQ_WEEKLY, "2025-01-10", "2025-04-11", true), TX_CLASS_LOSS);
    /* Quarterly as monthly. */
    assert_int_equal(class_of(TX_FREQ_QUARTERLY, "2025-01-10", "2025-04-11", false), TX_CLASS_SUBSTANDARD);
    /* Semiannual: principal (6, 12], interest (3, 6]. */
    /* (interest unpaid with the principal counts from 3 months on) */
    assert_int_equal(class_of(TX_FREQ_SEMIANNUAL, "2025-01-10", "2025-07-10", false), TX_CLASS_SUBSTANDARD);
    assert_int_equal(class_of(TX_FREQ_SEMIANNUAL, "2025-01-10", "2025-07-10", true), TX_CLASS_SUBSTANDARD);
    assert_int_equal(class_of(TX_FREQ_SEMIANNUAL, "2025-01-10", "2025-07-11", true), TX_CLASS_LOSS);
    assert_int_equal(class_of(TX_FREQ_SEMIANNUAL, "2025-01-10", "2025-04-11", true), TX_CLASS_SUBSTANDARD);
    assert_int_equal(class_of(TX_FREQ_SEMIANNUAL, "2025-01-10", "2025-04-10", true), TX_CLASS_CURRENT);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(worked_example_flat),
        cmocka_unit_test(worked_example_declining),
        cmocka_unit_test(worked_example_annuity),
        cmocka_unit_test(annuity_is_exact),
        cmocka_unit_test(rounding_goes_to_the_last_instalment),
        cmocka_unit_test(terms_out_of_range_are_refused),
        cmocka_unit_test(due_dates_per_frequency),
        cmocka_unit_test(late_fee_per_day_with_grace_and_cap),
        cmocka_unit_test(late_fee_per_begun_month),
        cmocka_unit_test(allocation_order_and_overpayment),
        cmocka_unit_test(payoff_waives_interest_not_yet_due),
        cmocka_unit_test(class_bands_monthly),
        cmocka_unit_test(class_bands_by_frequency),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
