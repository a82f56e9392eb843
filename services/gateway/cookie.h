/*  cookie — the browser's session: the login token carried in an HttpOnly cookie instead of an
    Authorization header, and the CSRF token that must come with every state-changing call
    made with that cookie.

    The cookie holds the same token POST /api/v1/auth/login returns (auth.h owns its life), so
    logout, expiry, a password change and deactivation end a browser session exactly like a
    bearer one. The CSRF token is derived from the session token (BLAKE2b keyed with a fixed
    domain label), so it needs no storage, is unknown to a page that cannot read the cookie,
    and reveals nothing of the session token to script that can read it. A bearer call never
    needs it: another site cannot make a browser add an Authorization header.

    Cookie: COOKIE_SESSION_NAME=<token>; Path=/; HttpOnly; SameSite=Strict (and Secure when the
    gateway is configured for TLS, LUMBUNG_COOKIE_SECURE=1). No Max-Age: the browser forgets it
    when it closes, and the server's token lifetime still applies.

    Not for: tokens, passwords or users (auth.h), routing (routes.c). */
#ifndef LUMBUNG_GATEWAY_COOKIE_H
#define LUMBUNG_GATEWAY_COOKIE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define COOKIE_SESSION_NAME "lumbung_session"
#define COOKIE_CSRF_HEADER "X-CSRF-Token"

enum {
    COOKIE_TOKEN_MAX = 64,                   /* bytes of a session token in a cookie */
    COOKIE_CSRF_TEXT_MAX = 48,               /* base64url of 32 bytes is 43, plus NUL */
    COOKIE_HEADER_MAX = 160,                 /* a Set-Cookie value */
};

/* Finds the session cookie in a Cookie request header. Returns 0 with the token copied into
   `token` (size bytes), or ERR_NOT_FOUND when absent, empty or too long. */
int cookie_session_token(const char *cookie_header, char *token, size_t size);

/* The CSRF token of a session token, as base64url text. */
void cookie_csrf_token(const char *token, char out[COOKIE_CSRF_TEXT_MAX]);
/* True when `sent` (the X-CSRF-Token header, may be NULL) is the CSRF token of `token`;
   compared in constant time. */
bool cookie_csrf_ok(const char *token, const char *sent);

/* The Set-Cookie value that starts a session, and the one that ends it. */
void cookie_set_value(const char *token, bool secure, char out[COOKIE_HEADER_MAX]);
void cookie_clear_value(bool secure, char out[COOKIE_HEADER_MAX]);

#endif
