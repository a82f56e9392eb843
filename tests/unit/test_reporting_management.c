/* management (reporting): the management questionnaire of health rating aspect 3 as a rating
   reads it. A supervisor relies on it for this: the answers put for one cooperative and
   fiscal year come back as they were put, for that cooperative and that year only, with
   their points of 15 in hundredths (each yes worth its group's weight: general 0.25,
   institution 0.5, capital 0.6, assets 0.3, liquidity 0.6) as the text "6.15" and the count
   of yes answers; a year with no answers put is not found; and a stored questionnaire whose
   group has the wrong number of answers is not scored as if it were whole. The request that
   puts answers (reporting_management_put) needs a real service call and is covered by the
   system tests. */
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

enum { COOP = 7, YEAR = 2025 };

/* The questionnaire's answers: the first yes[g] of each group are yes, the rest no. */
typedef struct {
    protobuf_c_boolean general[12], institution[6], capital[5], assets[10], liquidity[5];
} answers_t;

static Lumbung__ManagementQuestionnaire questionnaire(answers_t *a, uint64_t coop, uint32_t year,
                                                      const int yes[5]) {
    memset(a, 0, sizeof *a);
    protobuf_c_boolean *groups[5] = { a->general, a->institution, a->capital, a->assets,
                                      a->liquidity };
    for (int g = 0; g < 5; g++)
        for (int i = 0; i < yes[g]; i++) groups[g][i] = 1;
    Lumbung__ManagementQuestionnaire q = LUMBUNG__MANAGEMENT_QUESTIONNAIRE__INIT;
    q.has_cooperative_id = q.has_year = 1;
    q.cooperative_id = coop;
    q.year = year;
    q.n_general = 12, q.general = a->general;
    q.n_institution = 6, q.institution = a->institution;
    q.n_capital = 5, q.capital = a->capital;
    q.n_assets = 10, q.assets = a->assets;
    q.n_liquidity = 5, q.liquidity = a->liquidity;
    q.recorded_by = "pengawas";
    q.has_recorded_at_ms = 1;
    q.recorded_at_ms = 1767225600000;
    return q;
}

/* Stored as reporting_management_put stores it: key u64 coop + u32 year, big-endian. */
static void store_answers(reporting_fixture_t *f, const Lumbung__ManagementQuestionnaire *q) {
    uint8_t key[12];
    for (int i = 0; i < 8; i++) key[i] = (uint8_t) (q->cooperative_id >> (56 - 8 * i));
    for (int i = 0; i < 4; i++) key[8 + i] = (uint8_t) (q->year >> (24 - 8 * i));
    size_t len = protobuf_c_message_get_packed_size(&q->base);
    uint8_t *buf = arena_alloc(f->arena, len + 1);
    protobuf_c_message_pack(&q->base, buf);
    assert_int_equal(store_put(f->txn, f->app.tables.management, key, sizeof key, buf, len, 0),
                     0);
}

static void answers_come_back_with_their_points(void **state) {
    reporting_fixture_t *f = *state;
    answers_t a;
    /* 5 x 0.25 + 2 x 0.5 + 0 x 0.6 + 3 x 0.3 + 5 x 0.6 = 1.25 + 1 + 0 + 0.9 + 3 = 6.15 */
    Lumbung__ManagementQuestionnaire q = questionnaire(&a, COOP, YEAR, (int[5]) { 5, 2, 0, 3, 5 });
    store_answers(f, &q);
    Lumbung__ManagementQuestionnaire *got = NULL;
    int centi = -1;
    assert_int_equal(reporting_management_read(&f->app, f->txn, f->arena, COOP, YEAR, &got,
                                               &centi), 0);
    assert_int_equal(centi, 615);
    assert_string_equal(got->points, "6.15");
    assert_true(got->has_yes_answers);
    assert_int_equal(got->yes_answers, 15);
    assert_int_equal(got->cooperative_id, COOP);
    assert_int_equal(got->year, YEAR);
    assert_int_equal(got->n_general, 12);
    assert_true(got->general[4]);
    assert_false(got->general[5]);
    assert_int_equal(got->n_liquidity, 5);
    assert_true(got->liquidity[4]);
    assert_int_equal(got->n_capital, 5);
    assert_false(got->capital[0]);
    assert_string_equal(got->recorded_by, "pengawas");
    assert_int_equal(got->recorded_at_ms, 1767225600000);
}

static void all_yes_is_fifteen_points_and_none_is_zero(void **state) {
    reporting_fixture_t *f = *state;
    answers_t a, b;
    Lumbung__ManagementQuestionnaire all = questionnaire(&a, COOP, YEAR,
                                                         (int[5]) { 12, 6, 5, 10, 5 });
    Lumbung__ManagementQuestionnaire none = questionnaire(&b, COOP, YEAR + 1,
                                                          (int[5]) { 0, 0, 0, 0, 0 });
    store_answers(f, &all);
    store_answers(f, &none);
    Lumbung__ManagementQuestionnaire *got;
    int centi;
    assert_int_equal(reporting_management_read(&f->app, f->txn, f->arena, COOP, YEAR, &got,
                                               &centi), 0);
    assert_int_equal(centi, 1500);
    assert_string_equal(got->points, "15.00");
    assert_int_equal(got->yes_answers, 38);
    assert_int_equal(reporting_management_read(&f->app, f->txn, f->arena, COOP, YEAR + 1, &got,
                                               &centi), 0);
    assert_int_equal(centi, 0);
    assert_string_equal(got->points, "0.00");
    assert_int_equal(got->yes_answers, 0);
}

static void answers_belong_to_one_cooperative_and_year(void **state) {
    reporting_fixture_t *f = *state;
    answers_t a, b;
    Lumbung__ManagementQuestionnaire mine = questionnaire(&a, COOP, YEAR,
                                                          (int[5]) { 1, 0, 0, 0, 0 });
    Lumbung__ManagementQuestionnaire other = questionnaire(&b, COOP + 1, YEAR,
                                                           (int[5]) { 0, 1, 0, 0, 0 });
    store_answers(f, &mine);
    store_answers(f, &other);
    Lumbung__ManagementQuestionnaire *got;
    int centi;
    assert_int_equal(reporting_management_read(&f->app, f->txn, f->arena, COOP, YEAR, &got,
                                               &centi), 0);
    assert_int_equal(centi, 25);
    assert_int_equal(reporting_management_read(&f->app, f->txn, f->arena, COOP + 1, YEAR, &got,
                                               &centi), 0);
    assert_int_equal(centi, 50);
    assert_string_equal(got->points, "0.50");
    assert_int_equal(reporting_management_read(&f->app, f->txn, f->arena, COOP, YEAR - 1, &got,
                                               &centi), ERR_NOT_FOUND);
    assert_int_equal(reporting_management_read(&f->app, f->txn, f->arena, COOP + 2, YEAR, &got,
                                               &centi), ERR_NOT_FOUND);
}

static void a_stored_group_of_the_wrong_size_is_not_scored(void **state) {
    reporting_fixture_t *f = *state;
    answers_t a;
    Lumbung__ManagementQuestionnaire q = questionnaire(&a, COOP, YEAR, (int[5]) { 12, 6, 5, 10, 5 });
    q.n_assets = 9;                                /* one answer short */
    store_answers(f, &q);
    Lumbung__ManagementQuestionnaire *got;
    int centi = 0;
    assert_int_equal(reporting_management_read(&f->app, f->txn, f->arena, COOP, YEAR, &got,
                                               &centi), -EPROTO);
    assert_true(centi < 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(answers_come_back_with_their_points,
                                        reporting_fixture_setup, reporting_fixture_teardown),
        cmocka_unit_test_setup_teardown(all_yes_is_fifteen_points_and_none_is_zero,
                                        reporting_fixture_setup, reporting_fixture_teardown),
        cmocka_unit_test_setup_teardown(answers_belong_to_one_cooperative_and_year,
                                        reporting_fixture_setup, reporting_fixture_teardown),
        cmocka_unit_test_setup_teardown(a_stored_group_of_the_wrong_size_is_not_scored,
                                        reporting_fixture_setup, reporting_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
