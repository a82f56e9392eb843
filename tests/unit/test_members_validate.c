/* members validate: the input rules with the code and field each one reports, and the
   key layouts of members store that order and search depend on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "date.h"
#include "nik.h"
#include "../../services/members/store.h"
#include "../../services/members/validate.h"

static int32_t day(const char *text) {
    int32_t d = 0;
    assert_int_equal(date_parse(text, &d), 0);
    return d;
}

static Lumbung__Member valid_member(void) {
    Lumbung__Member m = LUMBUNG__MEMBER__INIT;
    m.nik = "3204105707850001";          /* a woman born 17-07-85 */
    m.name = "Siti Aminah";
    m.has_sex = 1;
    m.sex = LUMBUNG__SEX__SEX_FEMALE;
    m.birth_date = "1985-07-17";
    m.phone = "+62 812-3456-7890";
    m.joined_on = "2020-01-15";
    return m;
}

/* Validates m and expects the problem `code` on `field`. */
static void expect_problem(const Lumbung__Member *m, const char *code, const char *field) {
    unsigned warnings;
    problem_t p;
    assert_int_equal(members_validate_member(m, day("2026-01-01"), &warnings, &p), ERR_REJECTED);
    assert_int_equal(p.kind, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID);
    assert_string_equal(p.code, code);
    assert_string_equal(p.field, field);
    assert_true(strlen(p.message) > 0);
}

static void a_valid_member_passes_without_warnings(void **state) {
    (void) state;
    Lumbung__Member m = valid_member();
    unsigned warnings = 99;
    problem_t p;
    assert_int_equal(members_validate_member(&m, day("2026-01-01"), &warnings, &p), 0);
    assert_int_equal(warnings, 0);
}

static void each_member_rule_names_its_field(void **state) {
    (void) state;
    Lumbung__Member m = valid_member();
    m.nik = NULL;                         expect_problem(&m, "required", "nik");
    m.nik = "320410570785000";            expect_problem(&m, "invalid_nik", "nik");
    m.nik = "3.20410570785E+15";          expect_problem(&m, "invalid_nik", "nik");
    m = valid_member(); m.name = NULL;    expect_problem(&m, "required", "name");
    m.name = "Siti\x01";                  expect_problem(&m, "invalid_text", "name");
    m.name = "Sit\xC3";                   expect_problem(&m, "invalid_utf8", "name");
    m = valid_member(); m.has_sex = 0;    expect_problem(&m, "required", "sex");
    m.has_sex = 1; m.sex = 7;             expect_problem(&m, "invalid_sex", "sex");
    m = valid_member(); m.birth_date = "17-07-1985"; expect_problem(&m, "invalid_date", "birth_date");
    m.birth_date = "2027-01-01";          expect_problem(&m, "in_future", "birth_date");
    m = valid_member(); m.phone = "0812"; expect_problem(&m, "invalid_phone", "phone");
    m.phone = "08-";                      expect_problem(&m, "invalid_phone", "phone");
    m = valid_member(); m.joined_on = NULL; expect_problem(&m, "required", "joined_on");
    m.joined_on = "1984-12-31";           expect_problem(&m, "before_birth", "joined_on");
}

static void nik_mismatches_are_warnings(void **state) {
    (void) state;
    Lumbung__Member m = valid_member();
    m.sex = LUMBUNG__SEX__SEX_MALE;
    m.birth_date = "1985-07-18";
    unsigned warnings = 0;
    problem_t p;
    assert_int_equal(members_validate_member(&m, day("2026-01-01"), &warnings, &p), 0);
    assert_int_equal(warnings, NIK_WARN_SEX | NIK_WARN_BIRTH_DATE);
}

static void settings_default_to_the_domain_rules(void **state) {
    (void) state;
    arena_t *arena = arena_new();
    Lumbung__CooperativeSettings s = LUMBUNG__COOPERATIVE_SETTINGS__INIT;
    members_settings_defaults(arena, &s);
    assert_int_equal(s.mandatory_period, LUMBUNG__MANDATORY_PERIOD__MANDATORY_PERIOD_MONTHLY);
    assert_int_equal(s.fiscal_year_start, 1);
    const Lumbung__ShuAllocation *a = s.shu_allocation;
    assert_int_equal(a->reserves_bp + a->capital_share_bp + a->usage_share_bp + a->board_bp +
                     a->staff_bp + a->education_bp + a->social_bp, 10000);
    assert_int_equal(a->reserves_bp, 4000);
    problem_t p;
    assert_int_equal(members_validate_settings(&s, "settings", &p), 0);
    arena_destroy(&arena);
}

static void shu_must_sum_to_exactly_one_hundred_percent(void **state) {
    (void) state;
    arena_t *arena = arena_new();
    Lumbung__CooperativeSettings s = LUMBUNG__COOPERATIVE_SETTINGS__INIT;
    members_settings_defaults(arena, &s);
    Lumbung__CooperativeSettings patch = LUMBUNG__COOPERATIVE_SETTINGS__INIT;
    Lumbung__ShuAllocation part = LUMBUNG__SHU_ALLOCATION__INIT;
    part.has_reserves_bp = 1;
    part.reserves_bp = 3999;
    patch.shu_allocation = &part;
    members_settings_merge(arena, &s, &patch);
    problem_t p;
    assert_int_equal(members_validate_settings(&s, "settings", &p), ERR_REJECTED);
    assert_string_equal(p.code, "invalid_shu_allocation");
    assert_string_equal(p.field, "settings.shu_allocation");
    assert_non_null(strstr(p.message, "99.99 %"));
    part.reserves_bp = 10001;
    members_settings_merge(arena, &s, &patch);
    assert_int_equal(members_validate_settings(&s, "settings", &p), ERR_REJECTED);
    assert_string_equal(p.code, "invalid_percentage");
    assert_string_equal(p.field, "settings.shu_allocation.reserves");
    arena_destroy(&arena);
}

/* Who may change what: registry data an admin only, meeting decisions nobody by PATCH, the
   rest anyone who may write; an unchanged value is no change. */
static void cooperative_fields_are_split_by_who_decides_them(void **state) {
    (void) state;
    arena_t *arena = arena_new();
    Lumbung__CooperativeSettings s1 = LUMBUNG__COOPERATIVE_SETTINGS__INIT, s2;
    members_settings_defaults(arena, &s1);
    Lumbung__ShuAllocation shu2 = *s1.shu_allocation;
    Lumbung__Cooperative before = LUMBUNG__COOPERATIVE__INIT, after;
    before.name = "Koperasi A";
    before.legal_number = "1/BH";
    before.has_active = before.active = true;
    before.settings = &s1;
    problem_t p;
#define RESET() do { after = before; s2 = s1; shu2 = *s1.shu_allocation; \
                     after.settings = &s2; s2.shu_allocation = &shu2; } while (0)
    RESET();
    assert_int_equal(members_check_cooperative_change(&before, &after, false, &p), 0);
    after.phone = "022-123456";                                  /* day to day */
    s2.has_loan_max_sen = true;
    s2.loan_max_sen = 500000000;
    assert_int_equal(members_check_cooperative_change(&before, &after, false, &p), 0);
    RESET();
    after.legal_number = "2/BH";
    assert_int_equal(members_check_cooperative_change(&before, &after, false, &p), ERR_REJECTED);
    assert_int_equal(p.kind, LUMBUNG__ERROR_KIND__ERROR_KIND_FORBIDDEN);
    assert_string_equal(p.code, "registry_field");
    assert_string_equal(p.field, "legal_number");
    assert_int_equal(members_check_cooperative_change(&before, &after, true, &p), 0);
    RESET();
    after.active = false;
    assert_int_equal(members_check_cooperative_change(&before, &after, false, &p), ERR_REJECTED);
    assert_string_equal(p.field, "active");
    RESET();
    s2.fiscal_year_start = 7;
    assert_int_equal(members_check_cooperative_change(&before, &after, false, &p), ERR_REJECTED);
    assert_string_equal(p.field, "settings.fiscal_year_start");
    RESET();
    shu2.social_bp += 100;
    shu2.reserves_bp -= 100;
    assert_int_equal(members_check_cooperative_change(&before, &after, true, &p), ERR_REJECTED);
    assert_int_equal(p.kind, LUMBUNG__ERROR_KIND__ERROR_KIND_RULE);
    assert_string_equal(p.code, "decided_by_annual_meeting");
    assert_string_equal(p.field, "settings.shu_allocation");
    RESET();
    s2.mandatory_amount_sen = 1;
    assert_int_equal(members_check_cooperative_change(&before, &after, true, &p), ERR_REJECTED);
    assert_string_equal(p.field, "settings.mandatory_amount");
    RESET();
    s2.usage_share_basis = LUMBUNG__USAGE_SHARE_BASIS__USAGE_SHARE_BASIS_LOANS_TAKEN;
    assert_int_equal(members_check_cooperative_change(&before, &after, true, &p), ERR_REJECTED);
    assert_string_equal(p.field, "settings.usage_share_basis");
#undef RESET
    arena_destroy(&arena);
}

static void text_is_trimmed_and_blank_is_absent(void **state) {
    (void) state;
    arena_t *arena = arena_new();
    assert_string_equal(members_text_trim(arena, "  Siti \t"), "Siti");
    assert_null(members_text_trim(arena, " \r\n "));
    assert_null(members_text_trim(arena, NULL));
    arena_destroy(&arena);
}

static void utf8_check_finds_the_first_bad_byte(void **state) {
    (void) state;
    const uint8_t ok[] = "Sri Rah\xC3\xA9yu \xE2\x82\xAC \xF0\x9F\x98\x80";
    assert_true(members_utf8_valid(ok, sizeof ok - 1));
    const uint8_t overlong[] = "ab\xC0\xAF";
    assert_int_equal(members_utf8_check(overlong, 4), 2);
    const uint8_t surrogate[] = "\xED\xA0\x80";
    assert_false(members_utf8_valid(surrogate, 3));
    const uint8_t cut[] = "x\xE2\x82";
    assert_int_equal(members_utf8_check(cut, 3), 1);
}

static void csv_sex_words(void **state) {
    (void) state;
    assert_int_equal(members_sex_parse("Female"), LUMBUNG__SEX__SEX_FEMALE);
    assert_int_equal(members_sex_parse("P"), LUMBUNG__SEX__SEX_FEMALE);
    assert_int_equal(members_sex_parse("laki-laki"), LUMBUNG__SEX__SEX_MALE);
    assert_int_equal(members_sex_parse("L"), LUMBUNG__SEX__SEX_MALE);
    assert_int_equal(members_sex_parse("x"), LUMBUNG__SEX__SEX_UNSPECIFIED);
}

static void name_keys_fold_case_and_sort_by_name_then_id(void **state) {
    (void) state;
    uint8_t a[MEMBERS_KEY_MAX], b[MEMBERS_KEY_MAX], prefix[MEMBERS_KEY_MAX];
    size_t la = members_key_name(a, 7, "Ani", true, 2);
    size_t lb = members_key_name(b, 7, "ani b", true, 1);
    size_t lp = members_key_name(prefix, 7, "AN", false, 0);
    assert_int_equal(la, 8 + 3 + 1 + 8);
    assert_memory_equal(a + 8, "ani", 3);
    assert_true(memcmp(a, b, la < lb ? la : lb) < 0);   /* "ani" sorts before "ani b" */
    assert_memory_equal(a, prefix, lp);                  /* both match the prefix "an" */
    assert_memory_equal(b, prefix, lp);
    uint8_t s1[32], s2[32];
    members_key_status(s1, 7, LUMBUNG__MEMBER_STATUS__MEMBER_STATUS_ACTIVE, 300);
    members_key_status(s2, 7, LUMBUNG__MEMBER_STATUS__MEMBER_STATUS_ACTIVE, 4);
    assert_true(memcmp(s2, s1, 17) < 0);                 /* big-endian ids sort numerically */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_valid_member_passes_without_warnings),
        cmocka_unit_test(each_member_rule_names_its_field),
        cmocka_unit_test(nik_mismatches_are_warnings),
        cmocka_unit_test(settings_default_to_the_domain_rules),
        cmocka_unit_test(shu_must_sum_to_exactly_one_hundred_percent),
        cmocka_unit_test(cooperative_fields_are_split_by_who_decides_them),
        cmocka_unit_test(text_is_trimmed_and_blank_is_absent),
        cmocka_unit_test(utf8_check_finds_the_first_bad_byte),
        cmocka_unit_test(csv_sex_words),
        cmocka_unit_test(name_keys_fold_case_and_sort_by_name_then_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
