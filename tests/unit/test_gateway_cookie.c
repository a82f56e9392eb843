/* cookie (gateway): the browser's session — the session token is found in a Cookie header
   among other cookies and only under its exact name (not inside another cookie's name or
   value, not past its size, not empty), the CSRF token is a fixed keyed hash of the session
   token (known answers, 43 characters of base64url, never the token itself) that only an exact
   copy passes, and the Set-Cookie values that start and end a session carry HttpOnly,
   SameSite=Strict, Path=/ and Secure when asked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "../../services/gateway/cookie.h"

static int token_of(const char *header, char *out, size_t size) {
    memset(out, 'x', size);
    return cookie_session_token(header, out, size);
}

static void the_session_is_found_among_other_cookies(void **state) {
    (void) state;
    char t[COOKIE_TOKEN_MAX + 1];
    assert_int_equal(token_of("theme=dark; lumbung_session=abc123; lang=id", t, sizeof t), 0);
    assert_string_equal(t, "abc123");
    assert_int_equal(token_of("lumbung_session=abc123", t, sizeof t), 0);
    assert_string_equal(t, "abc123");
    assert_int_equal(token_of("a=1;lumbung_session=abc123  ;b=2", t, sizeof t), 0);
    assert_string_equal(t, "abc123");
    assert_int_equal(token_of("  ;; lumbung_session=abc123", t, sizeof t), 0);
    assert_string_equal(t, "abc123");
    /* Two of them (a stale one on another path): the first, as the browser lists it. */
    assert_int_equal(token_of("lumbung_session=first; lumbung_session=second", t, sizeof t), 0);
    assert_string_equal(t, "first");
}

static void absent_or_empty_is_not_found(void **state) {
    (void) state;
    char t[COOKIE_TOKEN_MAX + 1];
    assert_int_equal(token_of(NULL, t, sizeof t), ERR_NOT_FOUND);
    assert_int_equal(token_of("", t, sizeof t), ERR_NOT_FOUND);
    assert_int_equal(token_of("theme=dark; lang=id", t, sizeof t), ERR_NOT_FOUND);
    assert_int_equal(token_of("lumbung_session=", t, sizeof t), ERR_NOT_FOUND);
    assert_int_equal(token_of("lumbung_session=; other=1", t, sizeof t), ERR_NOT_FOUND);
    assert_int_equal(token_of("lumbung_session=   ", t, sizeof t), ERR_NOT_FOUND);
    assert_int_equal(token_of("lumbung_session", t, sizeof t), ERR_NOT_FOUND);
}

/* A page on another sub-domain can set cookies with look-alike names or values. */
static void only_the_exact_name_counts(void **state) {
    (void) state;
    char t[COOKIE_TOKEN_MAX + 1];
    assert_int_equal(token_of("xlumbung_session=evil", t, sizeof t), ERR_NOT_FOUND);
    assert_int_equal(token_of("lumbung_sessionx=evil", t, sizeof t), ERR_NOT_FOUND);
    assert_int_equal(token_of("LUMBUNG_SESSION=evil", t, sizeof t), ERR_NOT_FOUND);
    assert_int_equal(token_of("other=lumbung_session=evil", t, sizeof t), ERR_NOT_FOUND);
    assert_int_equal(token_of("a=x lumbung_session=evil", t, sizeof t), ERR_NOT_FOUND);
    assert_int_equal(token_of("evil_lumbung_session=1; lumbung_session=good", t, sizeof t), 0);
    assert_string_equal(t, "good");
}

static void a_token_past_its_size_is_refused_whole(void **state) {
    (void) state;
    char header[200], t[COOKIE_TOKEN_MAX + 1];
    char longest[COOKIE_TOKEN_MAX + 2];
    memset(longest, 'A', COOKIE_TOKEN_MAX);
    longest[COOKIE_TOKEN_MAX] = '\0';
    snprintf(header, sizeof header, "lumbung_session=%s; x=1", longest);
    assert_int_equal(token_of(header, t, sizeof t), 0);
    assert_int_equal(strlen(t), COOKIE_TOKEN_MAX);
    strcat(longest, "A");                            /* one byte more: never cut to fit */
    snprintf(header, sizeof header, "lumbung_session=%s", longest);
    assert_int_equal(token_of(header, t, sizeof t), ERR_NOT_FOUND);
    char small[4];                                   /* the caller's buffer bounds it too */
    assert_int_equal(token_of("lumbung_session=abcd", small, sizeof small), ERR_NOT_FOUND);
    assert_int_equal(token_of("lumbung_session=abc", small, sizeof small), 0);
    assert_string_equal(small, "abc");
}

static void csrf_token_is_a_fixed_keyed_hash_of_the_session(void **state) {
    (void) state;
    char c[COOKIE_CSRF_TEXT_MAX];
    /* BLAKE2b-256 keyed with "lumbung csrf token v1" (zero-padded), base64url unpadded. */
    cookie_csrf_token("abc123", c);
    assert_string_equal(c, "2x1hVDqcE2JKv6p7TqyqEzlPQqpukTZDmHjFHrUR8nw");
    cookie_csrf_token("Zm9vYmFy-session-token", c);
    assert_string_equal(c, "bG0Vcdaeki1coAM4DeJ1KWOAYfyzm3uYSP2ISkKs2HE");
    assert_int_equal(strlen(c), 43);
    assert_null(strstr(c, "Zm9vYmFy"));
}

static void only_an_exact_csrf_token_passes(void **state) {
    (void) state;
    const char *good = "2x1hVDqcE2JKv6p7TqyqEzlPQqpukTZDmHjFHrUR8nw";
    assert_true(cookie_csrf_ok("abc123", good));
    assert_false(cookie_csrf_ok("abc123", NULL));
    assert_false(cookie_csrf_ok("abc123", ""));
    assert_false(cookie_csrf_ok("abc123", "2x1hVDqcE2JKv6p7TqyqEzlPQqpukTZDmHjFHrUR8n"));
    assert_false(cookie_csrf_ok("abc123", "2x1hVDqcE2JKv6p7TqyqEzlPQqpukTZDmHjFHrUR8nww"));
    assert_false(cookie_csrf_ok("abc123", "2x1hVDqcE2JKv6p7TqyqEzlPQqpukTZDmHjFHrUR8nW"));
    assert_false(cookie_csrf_ok("abc124", good));           /* another session's */
    assert_false(cookie_csrf_ok("abc123", "abc123"));       /* the session token itself */
}

static void set_cookie_values_start_and_end_a_session(void **state) {
    (void) state;
    char v[COOKIE_HEADER_MAX];
    cookie_set_value("abc123", false, v);
    assert_string_equal(v, "lumbung_session=abc123; Path=/; HttpOnly; SameSite=Strict");
    cookie_set_value("abc123", true, v);
    assert_string_equal(v, "lumbung_session=abc123; Path=/; HttpOnly; SameSite=Strict; Secure");
    cookie_clear_value(false, v);
    assert_string_equal(v, "lumbung_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
    cookie_clear_value(true, v);
    assert_string_equal(v,
                        "lumbung_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict; Secure");
    /* The longest token still fits whole, Secure included, and reads back. */
    char longest[COOKIE_TOKEN_MAX + 1], t[COOKIE_TOKEN_MAX + 1];
    memset(longest, 'z', COOKIE_TOKEN_MAX);
    longest[COOKIE_TOKEN_MAX] = '\0';
    cookie_set_value(longest, true, v);
    assert_non_null(strstr(v, "; SameSite=Strict; Secure"));
    assert_int_equal(cookie_session_token(v, t, sizeof t), 0);
    assert_string_equal(t, longest);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_session_is_found_among_other_cookies),
        cmocka_unit_test(absent_or_empty_is_not_found),
        cmocka_unit_test(only_the_exact_name_counts),
        cmocka_unit_test(a_token_past_its_size_is_refused_whole),
        cmocka_unit_test(csrf_token_is_a_fixed_keyed_hash_of_the_session),
        cmocka_unit_test(only_an_exact_csrf_token_passes),
        cmocka_unit_test(set_cookie_values_start_and_end_a_session),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
