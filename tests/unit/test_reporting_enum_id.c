/* enum_id — every value of every translated enum has its Bahasa Indonesia, and an enum cell is
   that text in a lang=id file and the JSON name in a lang=en file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../services/reporting/docfile.h"
#include "../../services/reporting/enum_id.h"

#define ENUM(x) &lumbung__##x##__descriptor
#define FORMAT(x) LUMBUNG__REPORT_FORMAT__REPORT_FORMAT_##x

static const ProtobufCEnumDescriptor *const TRANSLATED[] = {
    ENUM(account_class), ENUM(account_role), ENUM(savings_kind), ENUM(loan_movement_kind),
    ENUM(entry_kind), ENUM(loan_class), ENUM(health_rating), ENUM(health_reason),
    ENUM(cooperative_type), ENUM(sex), ENUM(member_status), ENUM(loan_status),
    ENUM(loan_method), ENUM(loan_frequency),
};

static void every_value_has_its_indonesian(void **state) {
    (void) state;
    for (size_t i = 0; i < sizeof TRANSLATED / sizeof TRANSLATED[0]; i++) {
        const ProtobufCEnumDescriptor *e = TRANSLATED[i];
        assert_null(reporting_enum_id(e, 0));                  /* UNSPECIFIED */
        for (unsigned v = 0; v < e->n_values; v++) {
            if (e->values[v].value == 0) continue;
            const char *id = reporting_enum_id(e, e->values[v].value);
            if (!id) fail_msg("%s has no Indonesian", e->values[v].name);
            assert_true(strlen(id) > 0);
        }
        assert_null(reporting_enum_id(e, (int) e->n_values + 7));
    }
}

static void exact_texts(void **state) {
    (void) state;
    assert_string_equal(
        reporting_enum_id(ENUM(loan_class), LUMBUNG__LOAN_CLASS__LOAN_CLASS_SUBSTANDARD),
        "Kurang lancar");
    assert_string_equal(reporting_enum_id(ENUM(sex), LUMBUNG__SEX__SEX_FEMALE), "Perempuan");
    assert_string_equal(
        reporting_enum_id(ENUM(health_rating),
                          LUMBUNG__HEALTH_RATING__HEALTH_RATING_UNDER_SPECIAL_SUPERVISION),
        "Dalam pengawasan khusus");
    assert_string_equal(reporting_enum_id(ENUM(account_role),
                                          LUMBUNG__ACCOUNT_ROLE__ACCOUNT_ROLE_NON_MEMBER_INCOME),
                        "Pendapatan dari non-anggota");
    assert_null(reporting_enum_id(ENUM(report_format), 1));    /* no table: stays the JSON name */
    assert_string_equal(reporting_health_component_id("2b"),
                        "Risiko pinjaman bermasalah terhadap seluruh pinjaman");
    assert_string_equal(reporting_health_component_id("3"), "Manajemen");
    assert_null(reporting_health_component_id("9z"));
    assert_null(reporting_health_component_id(NULL));
}

static const reporting_column_t COLUMNS[] = { { "class", "Kolektibilitas", 0 },
                                              { "sex", "Jenis kelamin", 0 }, { NULL, NULL, 0 } };

static char *csv_of(arena_t *a, const char *lang) {
    reporting_doc_t d;
    reporting_doc_init(&d, a, "test", "Test", "Uji");
    d.file_en = d.file_id = "t";
    reporting_table_t *t = reporting_doc_table(&d, "Loans", "Pinjaman", COLUMNS);
    reporting_row(t);
    reporting_cell_enum(t, ENUM(loan_class), LUMBUNG__LOAN_CLASS__LOAN_CLASS_DOUBTFUL);
    reporting_cell_enum(t, ENUM(sex), LUMBUNG__SEX__SEX_MALE);
    reporting_row(t);
    reporting_cell_enum(t, ENUM(loan_class), 0);
    reporting_cell_enum(t, ENUM(sex), 99);
    reporting_opts_t o;
    assert_null(reporting_opts_read(&o, true, FORMAT(CSV), NULL, lang, false, false));
    Lumbung__ReportFile *f = reporting_doc_file(&d, &o);
    assert_non_null(f);
    char *s = arena_alloc(a, f->body.len + 1);
    memcpy(s, f->body.data, f->body.len);
    return s;
}

static void json_names_drop_the_prefix_in_lower_case(void **state) {
    (void) state;
    char buf[REPORTING_ENUM_NAME_MAX];
    assert_true(reporting_enum_json_name(&lumbung__loan_class__descriptor,
                                         LUMBUNG__LOAN_CLASS__LOAN_CLASS_SUBSTANDARD, buf,
                                         sizeof buf));
    assert_string_equal(buf, "substandard");
    assert_false(reporting_enum_json_name(&lumbung__loan_class__descriptor, 0, buf, sizeof buf));
    assert_string_equal(buf, "");
    assert_false(reporting_enum_json_name(&lumbung__loan_class__descriptor, 999, buf, sizeof buf));
    assert_string_equal(buf, "");
}

static void enum_cells_follow_the_language(void **state) {
    (void) state;
    arena_t *a = arena_new();
    static const char id[] = "Kolektibilitas,Jenis kelamin\r\nDiragukan,Laki-laki\r\n,\r\n";
    assert_string_equal(csv_of(a, "id"), id);
    assert_string_equal(csv_of(a, NULL), id);              /* Bahasa Indonesia by default */
    assert_string_equal(csv_of(a, "en"), "class,sex\r\ndoubtful,male\r\n,\r\n");
    arena_destroy(&a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_value_has_its_indonesian),
        cmocka_unit_test(exact_texts),
        cmocka_unit_test(json_names_drop_the_prefix_in_lower_case),
        cmocka_unit_test(enum_cells_follow_the_language),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
