/* members csv: the strict RFC 4180 reader behind member imports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../services/members/csv_reader.h"

typedef struct {
    arena_t *arena;
    members_csv_t csv;
    char *f[MEMBERS_CSV_FIELDS_MAX];
} reader_t;

static int setup(void **state) {
    reader_t *r = calloc(1, sizeof *r);
    r->arena = arena_new();
    *state = r;
    return 0;
}

static int teardown(void **state) {
    reader_t *r = *state;
    arena_destroy(&r->arena);
    free(r);
    return 0;
}

static void open_text(reader_t *r, const char *text) {
    members_csv_init(&r->csv, (const uint8_t *) text, strlen(text));
}

static int next(reader_t *r) {
    return members_csv_next(&r->csv, r->arena, r->f, MEMBERS_CSV_FIELDS_MAX);
}

static void plain_fields_and_every_line_end(void **state) {
    reader_t *r = *state;
    open_text(r, "a,b,c\r\nd,,f\ng,h\ri,j");
    assert_int_equal(next(r), 3);
    assert_string_equal(r->f[0], "a");
    assert_string_equal(r->f[2], "c");
    assert_int_equal(r->csv.record_line, 1);
    assert_int_equal(next(r), 3);
    assert_string_equal(r->f[1], "");
    assert_int_equal(r->csv.record_line, 2);
    assert_int_equal(next(r), 2);
    assert_int_equal(r->csv.record_line, 3);
    assert_int_equal(next(r), 2);            /* the last record ends at the end of the data */
    assert_string_equal(r->f[1], "j");
    assert_int_equal(r->csv.record_line, 4);
    assert_int_equal(next(r), MEMBERS_CSV_END);
}

static void quoted_fields_hold_commas_quotes_and_line_breaks(void **state) {
    reader_t *r = *state;
    open_text(r, "\"Sari, S.Pd\",\"O\"\"Neil\",\"two\r\nlines\",\"\"\r\nnext,row\r\n");
    assert_int_equal(next(r), 4);
    assert_string_equal(r->f[0], "Sari, S.Pd");
    assert_string_equal(r->f[1], "O\"Neil");
    assert_string_equal(r->f[2], "two\r\nlines");
    assert_string_equal(r->f[3], "");
    assert_int_equal(next(r), 2);
    assert_int_equal(r->csv.record_line, 3);   /* the quoted line break counts */
}

static void empty_lines_are_skipped_and_a_trailing_comma_is_a_field(void **state) {
    reader_t *r = *state;
    open_text(r, "\r\n\na,\r\n\r\n");
    assert_int_equal(next(r), 2);
    assert_int_equal(r->csv.record_line, 3);
    assert_string_equal(r->f[1], "");
    assert_int_equal(next(r), MEMBERS_CSV_END);
}

static void a_byte_order_mark_is_skipped(void **state) {
    reader_t *r = *state;
    open_text(r, "\xEF\xBB\xBFnik,name");
    assert_int_equal(next(r), 2);
    assert_string_equal(r->f[0], "nik");
}

static void unterminated_quote_is_broken_with_its_line(void **state) {
    reader_t *r = *state;
    open_text(r, "a,b\r\nc,\"never\r\nends");
    assert_int_equal(next(r), 2);
    assert_int_equal(next(r), ERR_BROKEN_INPUT);
    assert_int_equal(r->csv.error_line, 2);
    assert_int_equal(r->csv.error_column, 3);
    assert_non_null(strstr(r->csv.error, "never ends"));
}

static void text_after_a_closing_quote_is_broken(void **state) {
    reader_t *r = *state;
    open_text(r, "\"Siti\"x,b");
    assert_int_equal(next(r), ERR_BROKEN_INPUT);
    assert_int_equal(r->csv.error_column, 7);
    assert_non_null(strstr(r->csv.error, "after the closing quote"));
}

static void a_quote_inside_a_plain_field_is_broken(void **state) {
    reader_t *r = *state;
    open_text(r, "ok\nSi\"ti,b");
    assert_int_equal(next(r), 1);
    assert_int_equal(next(r), ERR_BROKEN_INPUT);
    assert_int_equal(r->csv.error_line, 2);
    assert_int_equal(r->csv.error_column, 3);
}

static void checking_without_an_arena_counts_the_same(void **state) {
    reader_t *r = *state;
    const char *text = "h1,h2\r\n\"a,b\",c\r\n\r\nd,e\r\n";
    open_text(r, text);
    int records = 0;
    while (members_csv_next(&r->csv, NULL, NULL, 0) > 0) records++;
    assert_int_equal(records, 3);
}

static void more_fields_than_kept_are_counted(void **state) {
    reader_t *r = *state;
    open_text(r, "1,2,3,4");
    assert_int_equal(members_csv_next(&r->csv, r->arena, r->f, 2), 4);
    assert_string_equal(r->f[1], "2");
}

static void semicolons_are_sniffed_from_the_header(void **state) {
    reader_t *r = *state;
    const char *text = "\xEF\xBB\xBFnik;name;\"a;b\"\r\n1;\"Siti, S.Pd\";x\r\n";
    assert_int_equal(members_csv_sniff((const uint8_t *) text, strlen(text)), ';');
    assert_int_equal(members_csv_sniff((const uint8_t *) "a,b;c,d\n1;2", 12), ',');
    assert_int_equal(members_csv_sniff((const uint8_t *) "\"x;y;z\",b\n", 10), ',');
    open_text(r, text);
    members_csv_separator(&r->csv, ';');
    assert_int_equal(members_csv_next(&r->csv, r->arena, r->f, MEMBERS_CSV_FIELDS_MAX), 3);
    assert_string_equal(r->f[0], "nik");
    assert_string_equal(r->f[2], "a;b");
    assert_int_equal(members_csv_next(&r->csv, r->arena, r->f, MEMBERS_CSV_FIELDS_MAX), 3);
    assert_string_equal(r->f[1], "Siti, S.Pd");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(plain_fields_and_every_line_end, setup, teardown),
        cmocka_unit_test_setup_teardown(quoted_fields_hold_commas_quotes_and_line_breaks, setup, teardown),
        cmocka_unit_test_setup_teardown(empty_lines_are_skipped_and_a_trailing_comma_is_a_field, setup, teardown),
        cmocka_unit_test_setup_teardown(a_byte_order_mark_is_skipped, setup, teardown),
        cmocka_unit_test_setup_teardown(unterminated_quote_is_broken_with_its_line, setup, teardown),
        cmocka_unit_test_setup_teardown(text_after_a_closing_quote_is_broken, setup, teardown),
        cmocka_unit_test_setup_teardown(a_quote_inside_a_plain_field_is_broken, setup, teardown),
        cmocka_unit_test_setup_teardown(checking_without_an_arena_counts_the_same, setup, teardown),
        cmocka_unit_test_setup_teardown(more_fields_than_kept_are_counted, setup, teardown),
        cmocka_unit_test_setup_teardown(semicolons_are_sniffed_from_the_header, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
