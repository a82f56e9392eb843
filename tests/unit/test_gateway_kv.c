/* kv: the record layout of the gateway's store survives a round trip, and a short or
   overlong record is reported instead of read past its end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../services/gateway/kv.h"

static void fields_round_trip(void **state) {
    (void) state;
    static gateway_kv_writer_t w;
    memset(&w, 0, sizeof w);
    gateway_kv_put_u8(&w, 1);
    gateway_kv_put_u32(&w, 0xDEADBEEF);
    gateway_kv_put_u64(&w, UINT64_MAX - 5);
    gateway_kv_put_str(&w, "koperasi");
    gateway_kv_put_str(&w, NULL);
    assert_false(w.overflow);
    assert_int_equal(w.len, 1 + 4 + 8 + 2 + 8 + 2);
    gateway_kv_reader_t r;
    gateway_kv_reader_init(&r, w.data, w.len);
    char s[16], empty[4];
    assert_int_equal(gateway_kv_get_u8(&r), 1);
    assert_int_equal(gateway_kv_get_u32(&r), 0xDEADBEEF);
    assert_true(gateway_kv_get_u64(&r) == UINT64_MAX - 5);
    gateway_kv_get_str(&r, s, sizeof s);
    gateway_kv_get_str(&r, empty, sizeof empty);
    assert_string_equal(s, "koperasi");
    assert_string_equal(empty, "");
    assert_false(r.bad);
}

static void a_short_record_marks_the_reader_bad(void **state) {
    (void) state;
    static gateway_kv_writer_t w;
    memset(&w, 0, sizeof w);
    gateway_kv_put_str(&w, "a longer string");
    gateway_kv_reader_t r;
    gateway_kv_reader_init(&r, w.data, w.len - 3);
    char s[32];
    gateway_kv_get_str(&r, s, sizeof s);
    assert_true(r.bad);
    assert_string_equal(s, "");
    assert_int_equal(gateway_kv_get_u64(&r), 0);
}

static void a_string_is_cut_to_the_buffer(void **state) {
    (void) state;
    static gateway_kv_writer_t w;
    memset(&w, 0, sizeof w);
    gateway_kv_put_str(&w, "abcdefgh");
    gateway_kv_reader_t r;
    gateway_kv_reader_init(&r, w.data, w.len);
    char s[4];
    gateway_kv_get_str(&r, s, sizeof s);
    assert_string_equal(s, "abc");
    assert_false(r.bad);
}

static void an_overlong_record_overflows(void **state) {
    (void) state;
    static gateway_kv_writer_t w;
    static char big[GATEWAY_KV_RECORD_MAX];
    memset(&w, 0, sizeof w);
    memset(big, 'x', sizeof big - 1);
    gateway_kv_put_str(&w, big);
    assert_true(w.overflow);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fields_round_trip),
        cmocka_unit_test(a_short_record_marks_the_reader_bad),
        cmocka_unit_test(a_string_is_cut_to_the_buffer),
        cmocka_unit_test(an_overlong_record_overflows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
