/* text: text_copy gives snprintf("%s")'s result — cut to the buffer, always terminated, NULL
   read as "" — and says how much it copied. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "text.h"

static void a_short_text_is_copied_whole(void **state) {
    (void) state;
    char buf[16];
    memset(buf, 'x', sizeof buf);
    assert_int_equal(text_copy(buf, sizeof buf, "siti"), 4);
    assert_string_equal(buf, "siti");
}

static void a_long_text_is_cut_as_snprintf_cuts_it(void **state) {
    (void) state;
    const char *texts[] = { "", "a", "abcdefg", "abcdefgh", "abcdefghi", "koperasi wanita" };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        char got[8], want[8];
        memset(got, 'x', sizeof got);
        snprintf(want, sizeof want, "%s", texts[i]);
        assert_int_equal(text_copy(got, sizeof got, texts[i]), strlen(want));
        assert_string_equal(got, want);
    }
}

static void null_is_the_empty_text_and_a_one_byte_buffer_holds_only_the_end(void **state) {
    (void) state;
    char buf[4] = "abc";
    assert_int_equal(text_copy(buf, sizeof buf, NULL), 0);
    assert_string_equal(buf, "");
    char one[1] = { 'x' };
    assert_int_equal(text_copy(one, sizeof one, "anything"), 0);
    assert_int_equal(one[0], '\0');
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_short_text_is_copied_whole),
        cmocka_unit_test(a_long_text_is_cut_as_snprintf_cuts_it),
        cmocka_unit_test(null_is_the_empty_text_and_a_one_byte_buffer_holds_only_the_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
