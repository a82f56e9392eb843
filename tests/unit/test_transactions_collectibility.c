/* collectibility (transactions): what an operator and the district office rely on in a loan's
   class (docs/domain.md, Permen 14/2009) — a loan is current until its oldest unpaid principal
   (or interest) is late by more than the band's lower edge for its instalment frequency,
   substandard up to and including the upper edge, and beyond it doubtful when the collateral
   covers at least 75 % of the debt (outstanding principal + due interest + fees), else loss; a
   doubtful loan is loss twelve months after it became doubtful. Each edge to the day. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "unit.h"
#include "../../services/transactions/collectibility.h"

enum { CURRENT = TX_CLASS_CURRENT, SUB = TX_CLASS_SUBSTANDARD, DOUBT = TX_CLASS_DOUBTFUL,
       LOSS = TX_CLASS_LOSS, NONE = TX_LOAN_NO_DATE };

/* Arrears whose oldest principal is due on `principal_due` and oldest interest on
   `interest_due` (either "" for none); debt Rp 100,000 = 80,000 + 15,000 interest + 5,000 fees. */
static tx_arrears_t arrears(const char *principal_due, const char *interest_due) {
    tx_arrears_t a = { 0 };
    a.oldest_principal_due = *principal_due ? unit_day(principal_due) : NONE;
    a.oldest_interest_due = *interest_due ? unit_day(interest_due) : NONE;
    a.outstanding_principal_sen = 8000000;
    a.interest_due_sen = 1500000;
    a.fee_sen = 500000;
    return a;
}

static int class_of(int frequency, const tx_arrears_t *a, const char *as_of) {
    return tx_collectibility_class(frequency, a, unit_day(as_of), 0, NONE);
}

static void a_loan_without_arrears_is_current_however_late_the_day(void **state) {
    tx_arrears_t a = arrears("", "");
    assert_int_equal(class_of(TX_FREQ_MONTHLY, &a, "2030-01-01"), CURRENT);
    assert_int_equal(class_of(TX_FREQ_DAILY, &a, "2030-01-01"), CURRENT);
    assert_int_equal(tx_collectibility_class(TX_FREQ_MONTHLY, &a, unit_day("2030-01-01"), 0,
                                             unit_day("2025-01-01")), CURRENT);
}

/* Monthly to quarterly: principal more than 3 and at most 6 months late is substandard. */
static void monthly_principal_bands_are_three_and_six_months(void **state) {
    tx_arrears_t a = arrears("2025-01-10", "");
    static const int freqs[] = { TX_FREQ_MONTHLY, TX_FREQ_BIMONTHLY, TX_FREQ_QUARTERLY };
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(class_of(freqs[i], &a, "2025-02-10"), CURRENT);
        assert_int_equal(class_of(freqs[i], &a, "2025-04-10"), CURRENT);   /* exactly 3 months */
        assert_int_equal(class_of(freqs[i], &a, "2025-04-11"), SUB);
        assert_int_equal(class_of(freqs[i], &a, "2025-07-10"), SUB);       /* exactly 6 months */
        assert_int_equal(class_of(freqs[i], &a, "2025-07-11"), LOSS);      /* no collateral */
    }
}

static void monthly_interest_bands_are_three_and_six_months(void **state) {
    tx_arrears_t a = arrears("", "2025-01-10");
    assert_int_equal(class_of(TX_FREQ_MONTHLY, &a, "2025-04-10"), CURRENT);
    assert_int_equal(class_of(TX_FREQ_MONTHLY, &a, "2025-04-11"), SUB);
    assert_int_equal(class_of(TX_FREQ_MONTHLY, &a, "2025-07-10"), SUB);
    assert_int_equal(class_of(TX_FREQ_MONTHLY, &a, "2025-07-11"), LOSS);
}

/* Daily and weekly: principal (1, 2] months, interest (1, 3] months. */
static void instalments_under_a_month_have_shorter_bands(void **state) {
    static const int freqs[] = { TX_FREQ_DAILY, TX_FREQ_WEEKLY };
    for (size_t i = 0; i < 2; i++) {
        tx_arrears_t p = arrears("2025-01-10", "");
        assert_int_equal(class_of(freqs[i], &p, "2025-02-10"), CURRENT);
        assert_int_equal(class_of(freqs[i], &p, "2025-02-11"), SUB);
        assert_int_equal(class_of(freqs[i], &p, "2025-03-10"), SUB);
        assert_int_equal(class_of(freqs[i], &p, "2025-03-11"), LOSS);
        tx_arrears_t in = arrears("", "2025-01-10");
        assert_int_equal(class_of(freqs[i], &in, "2025-02-10"), CURRENT);
        assert_int_equal(class_of(freqs[i], &in, "2025-02-11"), SUB);
        assert_int_equal(class_of(freqs[i], &in, "2025-04-10"), SUB);
        assert_int_equal(class_of(freqs[i], &in, "2025-04-11"), LOSS);
    }
}

/* Semi-annual: principal (6, 12] months, interest (3, 6] months. */
static void semiannual_instalments_have_longer_principal_bands(void **state) {
    tx_arrears_t p = arrears("2025-01-10", "");
    assert_int_equal(class_of(TX_FREQ_SEMIANNUAL, &p, "2025-07-10"), CURRENT);
    assert_int_equal(class_of(TX_FREQ_SEMIANNUAL, &p, "2025-07-11"), SUB);
    assert_int_equal(class_of(TX_FREQ_SEMIANNUAL, &p, "2026-01-10"), SUB);
    assert_int_equal(class_of(TX_FREQ_SEMIANNUAL, &p, "2026-01-11"), LOSS);
    tx_arrears_t in = arrears("", "2025-01-10");
    assert_int_equal(class_of(TX_FREQ_SEMIANNUAL, &in, "2025-04-10"), CURRENT);
    assert_int_equal(class_of(TX_FREQ_SEMIANNUAL, &in, "2025-04-11"), SUB);
    assert_int_equal(class_of(TX_FREQ_SEMIANNUAL, &in, "2025-07-11"), LOSS);
}

/* The worse of principal and interest decides. */
static void the_worse_of_principal_and_interest_arrears_decides(void **state) {
    tx_arrears_t a = arrears("2025-03-10", "2025-01-10");
    assert_int_equal(class_of(TX_FREQ_MONTHLY, &a, "2025-04-11"), SUB);    /* interest > 3 */
    assert_int_equal(class_of(TX_FREQ_MONTHLY, &a, "2025-07-11"), LOSS);   /* interest > 6 */
}

/* A month counted from the 31st ends on the last day of a shorter month. */
static void months_from_a_month_end_end_on_the_last_day(void **state) {
    tx_arrears_t a = arrears("2025-01-31", "");
    assert_int_equal(class_of(TX_FREQ_MONTHLY, &a, "2025-04-30"), CURRENT);
    assert_int_equal(class_of(TX_FREQ_MONTHLY, &a, "2025-05-01"), SUB);
}

/* Beyond the band: collateral of at least 75 % of Rp 100,000 (Rp 75,000) makes it doubtful. */
static void collateral_of_three_quarters_of_the_debt_makes_it_doubtful(void **state) {
    tx_arrears_t a = arrears("2025-01-10", "");
    int32_t day = unit_day("2025-07-11");
    assert_int_equal(tx_collectibility_class(TX_FREQ_MONTHLY, &a, day, 7500000, NONE), DOUBT);
    assert_int_equal(tx_collectibility_class(TX_FREQ_MONTHLY, &a, day, 7499999, NONE), LOSS);
    assert_int_equal(tx_collectibility_class(TX_FREQ_MONTHLY, &a, day, 20000000, NONE), DOUBT);
    /* collateral does not lift a substandard loan */
    assert_int_equal(tx_collectibility_class(TX_FREQ_MONTHLY, &a, unit_day("2025-05-01"),
                                             20000000, NONE), SUB);
    /* fees count in the debt: Rp 75,000 no longer covers it with Rp 10,000 more in fees */
    a.fee_sen += 1000000;
    assert_int_equal(tx_collectibility_class(TX_FREQ_MONTHLY, &a, day, 7500000, NONE), LOSS);
    assert_int_equal(tx_collectibility_class(TX_FREQ_MONTHLY, &a, day, 8250000, NONE), DOUBT);
}

static void doubtful_for_twelve_months_becomes_loss(void **state) {
    tx_arrears_t a = arrears("2025-01-10", "");
    int32_t doubtful_on = unit_day("2025-07-11");
    assert_int_equal(tx_collectibility_class(TX_FREQ_MONTHLY, &a, unit_day("2026-07-10"),
                                             7500000, doubtful_on), DOUBT);
    assert_int_equal(tx_collectibility_class(TX_FREQ_MONTHLY, &a, unit_day("2026-07-11"),
                                             7500000, doubtful_on), LOSS);
    assert_int_equal(tx_collectibility_class(TX_FREQ_MONTHLY, &a, unit_day("2027-01-01"),
                                             7500000, doubtful_on), LOSS);
}

/* Huge amounts compare without overflow. */
static void huge_debts_and_collateral_compare_exactly(void **state) {
    tx_arrears_t a = arrears("2025-01-10", "");
    a.outstanding_principal_sen = INT64_MAX / 2;
    a.interest_due_sen = INT64_MAX / 2;
    a.fee_sen = 0;
    int32_t day = unit_day("2025-07-11");
    assert_int_equal(tx_collectibility_class(TX_FREQ_MONTHLY, &a, day, INT64_MAX, NONE), DOUBT);
    assert_int_equal(tx_collectibility_class(TX_FREQ_MONTHLY, &a, day, INT64_MAX / 2, NONE),
                     LOSS);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_loan_without_arrears_is_current_however_late_the_day),
        cmocka_unit_test(monthly_principal_bands_are_three_and_six_months),
        cmocka_unit_test(monthly_interest_bands_are_three_and_six_months),
        cmocka_unit_test(instalments_under_a_month_have_shorter_bands),
        cmocka_unit_test(semiannual_instalments_have_longer_principal_bands),
        cmocka_unit_test(the_worse_of_principal_and_interest_arrears_decides),
        cmocka_unit_test(months_from_a_month_end_end_on_the_last_day),
        cmocka_unit_test(collateral_of_three_quarters_of_the_debt_makes_it_doubtful),
        cmocka_unit_test(doubtful_for_twelve_months_becomes_loss),
        cmocka_unit_test(huge_debts_and_collateral_compare_exactly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
