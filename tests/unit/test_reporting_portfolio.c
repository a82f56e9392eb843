/* portfolio — RPM, NPL and the required allowance per class, rounded per row, totals summed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "unit.h"

#include "../../services/reporting/docfile.h"
#include "../../services/reporting/portfolio.h"
#include "../../services/reporting/render.h"

#define CLASS(x) LUMBUNG__LOAN_CLASS__LOAN_CLASS_##x

static void percent_has_two_decimals_rounded_half_away(void **state) {
    (void) state;
    char buf[REPORTING_PERCENT_TEXT_MAX];
    reporting_portfolio_percent(1, 3, buf, sizeof buf);
    assert_string_equal(buf, "33.33");
    reporting_portfolio_percent(2, 3, buf, sizeof buf);
    assert_string_equal(buf, "66.67");
    reporting_portfolio_percent(1, 8, buf, sizeof buf);        /* 12.5 */
    assert_string_equal(buf, "12.50");
    reporting_portfolio_percent(1, 80000, buf, sizeof buf);    /* 0.00125 -> 0.00 */
    assert_string_equal(buf, "0.00");
    reporting_portfolio_percent(1, 40000, buf, sizeof buf);    /* 0.0025 -> 0.00 */
    assert_string_equal(buf, "0.00");
    reporting_portfolio_percent(1, 20000, buf, sizeof buf);    /* 0.005 -> 0.01 */
    assert_string_equal(buf, "0.01");
    reporting_portfolio_percent(5, 5, buf, sizeof buf);
    assert_string_equal(buf, "100.00");
    reporting_portfolio_percent(0, 0, buf, sizeof buf);
    assert_string_equal(buf, "0.00");
}

/* The figures of test_reporting_loans.py in sen. */
static void rpm_npl_and_allowance(void **state) {
    (void) state;
    arena_t *arena = arena_new();
    reporting_portfolio_counts_t c;
    memset(&c, 0, sizeof c);
    c.loans[CLASS(CURRENT)] = 1;     c.outstanding_sen[CLASS(CURRENT)] = 600000100;
    c.loans[CLASS(SUBSTANDARD)] = 1; c.outstanding_sen[CLASS(SUBSTANDARD)] = 1200000000;
    c.loans[CLASS(DOUBTFUL)] = 1;    c.outstanding_sen[CLASS(DOUBTFUL)] = 360000000;
    c.loans[CLASS(LOSS)] = 1;        c.outstanding_sen[CLASS(LOSS)] = 240000000;
    Lumbung__LoanPortfolio *p = reporting_portfolio_build(arena, &c, 7, unit_day("2025-08-11"));
    assert_int_equal(p->n_classes, 4);
    assert_int_equal(p->classes[0]->allowance_sen, 3000001);     /* 30,000.005 -> .01 */
    assert_int_equal(p->classes[0]->risk_sen, 0);
    assert_int_equal(p->classes[1]->risk_sen, 600000000);
    assert_int_equal(p->classes[2]->risk_sen, 270000000);
    assert_int_equal(p->classes[3]->risk_sen, 240000000);
    assert_int_equal(p->rpm_sen, 1110000000);
    assert_int_equal(p->non_performing_sen, 1800000000);
    assert_int_equal(p->outstanding_principal_sen, 2400000100);
    assert_int_equal(p->allowance_sen, 543000001);
    assert_int_equal(p->loans, 4);
    assert_string_equal(p->npl_ratio, "75.00");
    reporting_doc_t d;
    reporting_render_portfolio(&d, arena, p);
    reporting_opts_t o;
    assert_null(reporting_opts_read(&o, true, LUMBUNG__REPORT_FORMAT__REPORT_FORMAT_CSV, NULL,
                                    "en", false, false));
    Lumbung__ReportFile *f = reporting_doc_file(&d, &o);
    assert_non_null(f);
    static const char row[] = "\r\ntotal,rpm,11100000,,,,\r\n";
    assert_non_null(memmem(f->body.data, f->body.len, row, sizeof row - 1));
    arena_destroy(&arena);
}

static void weights_and_rates_per_class(void **state) {
    (void) state;
    assert_int_equal(reporting_portfolio_risk_bp(CLASS(CURRENT)), 0);
    assert_int_equal(reporting_portfolio_risk_bp(CLASS(SUBSTANDARD)), 5000);
    assert_int_equal(reporting_portfolio_risk_bp(CLASS(DOUBTFUL)), 7500);
    assert_int_equal(reporting_portfolio_risk_bp(CLASS(LOSS)), 10000);
    assert_int_equal(reporting_portfolio_allowance_bp(CLASS(CURRENT)), 50);
    assert_int_equal(reporting_portfolio_allowance_bp(CLASS(SUBSTANDARD)), 1000);
    assert_int_equal(reporting_portfolio_allowance_bp(CLASS(DOUBTFUL)), 5000);
    assert_int_equal(reporting_portfolio_allowance_bp(CLASS(LOSS)), 10000);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(percent_has_two_decimals_rounded_half_away),
        cmocka_unit_test(rpm_npl_and_allowance),
        cmocka_unit_test(weights_and_rates_per_class),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
