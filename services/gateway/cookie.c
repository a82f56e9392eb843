#include "cookie.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* Domain separation: the CSRF token is no other hash of the session token. */
static const unsigned char CSRF_KEY[crypto_generichash_KEYBYTES] = "lumbung csrf token v1";

int cookie_session_token(const char *header, char *token, size_t size) {
    static const char name[] = COOKIE_SESSION_NAME "=";
    const size_t n = sizeof name - 1;
    for (const char *p = header; p && *p;) {
        while (*p == ' ' || *p == ';') p++;
        if (!strncmp(p, name, n)) {
            const char *v = p + n, *end = strchr(v, ';');
            size_t len = end ? (size_t) (end - v) : strlen(v);
            while (len > 0 && v[len - 1] == ' ') len--;
            if (len == 0 || len >= size || len > COOKIE_TOKEN_MAX) return ERR_NOT_FOUND;
            memcpy(token, v, len);
            token[len] = 0;
            return 0;
        }
        p = strchr(p, ';');
    }
    return ERR_NOT_FOUND;
}

void cookie_csrf_token(const char *token, char out[COOKIE_CSRF_TEXT_MAX]) {
    unsigned char hash[32];
    crypto_generichash(hash, sizeof hash, (const unsigned char *) token, strlen(token), CSRF_KEY,
                       sizeof CSRF_KEY);
    sodium_bin2base64(out, COOKIE_CSRF_TEXT_MAX, hash, sizeof hash,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

bool cookie_csrf_ok(const char *token, const char *sent) {
    char want[COOKIE_CSRF_TEXT_MAX];
    cookie_csrf_token(token, want);
    size_t n = strlen(want);
    return sent && strlen(sent) == n && sodium_memcmp(want, sent, n) == 0;
}

void cookie_set_value(const char *token, bool secure, char out[COOKIE_HEADER_MAX]) {
    snprintf(out, COOKIE_HEADER_MAX, COOKIE_SESSION_NAME "=%s; Path=/; HttpOnly; SameSite=Strict%s",
             token, secure ? "; Secure" : "");
}

void cookie_clear_value(bool secure, char out[COOKIE_HEADER_MAX]) {
    snprintf(out, COOKIE_HEADER_MAX,
             COOKIE_SESSION_NAME "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict%s",
             secure ? "; Secure" : "");
}
