/*  auth — operator accounts, passwords, sessions and login throttling, kept in the gateway's
    own store.

    Passwords are hashed with libsodium's crypto_pwhash_str (Argon2id) on libuv's thread pool,
    so a login never stalls the loop. A login returns a random 32-byte token (base64url, 43
    characters); only its BLAKE2b-256 hash is stored, with the user id and an expiry, so a
    stolen store yields no usable token. Every authenticated request re-reads the user, so
    deactivating an account, changing its role or its password takes effect at once (a
    password change or deactivation also invalidates the account's existing tokens).

    Throttling (throttle.h) keys on the name tried *and the source address*: failure n of a
    name from one address is answered only after delay_base_ms * 2^(n-1) (at most
    delay_max_ms); failure number failures_max locks that name from that address for lock_s
    (ERR_LOCKED: HTTP 429 "account_locked", Retry-After), even with the right password, while
    the same user still logs in from any other address; address_failures_max failures from one
    address, over any names, within lock_s lock the address (ERR_THROTTLED: 429
    "too_many_logins"). A success resets its name's row from that address; an administrator
    clears every lock of a name with PATCH {"unlock": true} or by setting a password. Unknown
    names are counted and locked exactly like known ones and cost the same Argon2id verify
    (against a dummy hash) and delay, so neither status, body nor time tells them apart; the
    lock of a user is shown as locked_until (the latest of its addresses).

    Tables (big-endian keys; records laid out as in kv.h, version 1):
      users      key u64 id          -> u8 version, u64 id, u8 role, u8 active, u64 cooperative_id,
                                        u32 failures, u64 locked_until_ms, u64 created_ms,
                                        u64 updated_ms, u32 token_generation,
                                        str username, str full_name, str password_hash
      usernames  key username bytes  -> u64 id
      sessions   key BLAKE2b-256(token) (32 bytes) -> u8 version, u64 user_id, u64 created_ms,
                                        u64 expires_ms, u32 token_generation

    Not for: authorising routes (routes.c decides from the user's role and cooperative) or the
    services' CURVE peers (curve.h). */
#ifndef LUMBUNG_GATEWAY_AUTH_H
#define LUMBUNG_GATEWAY_AUTH_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>
#include "store.h"
#include "envelope.pb-c.h"
#include "problem.h"

enum {
    AUTH_USERNAME_MIN = 3,
    AUTH_USERNAME_MAX = 32,
    AUTH_FULL_NAME_MAX = 128,
    AUTH_PASSWORD_MIN = 10,           /* characters */
    AUTH_PASSWORD_MAX = 256,          /* bytes */
    AUTH_TOKEN_BYTES = 32,
    AUTH_TOKEN_TEXT_MAX = 64,         /* base64url of 32 bytes is 43 characters */
    AUTH_HASH_MAX = 128,              /* crypto_pwhash_STRBYTES */
    AUTH_USERS_PAGE_MAX = 500,
    AUTH_SESSIONS_PURGE_MAX = 256,    /* expired sessions removed per login */
    AUTH_JOBS_MAX = 256,              /* password hashes queued or running at once */
    AUTH_PIN_LEN = 6,                 /* a member's PIN: exactly six digits */
    AUTH_CODE_LEN = 10,               /* a member's one-time code (about 50 random bits) */
    AUTH_CODE_TEXT_MAX = 16,
    AUTH_CODE_HASH_HEX = 64,          /* BLAKE2b-256 of the code, hex */
    AUTH_CODE_TTL_S_DEFAULT = 7 * 24 * 3600,
};

/* Operating errors are codes of error.h (store errors pass through as they are):
   ERR_UNAUTHENTICATED      no, unknown, expired or tampered token
   ERR_INVALID_CREDENTIALS  wrong username, password or code
   ERR_LOCKED               the account is locked (retry_after_s)
   ERR_THROTTLED            too many failures from this source address (retry_after_s)
   ERR_REJECTED             input rejected; the problem_t (problem.h) says why
   ERR_NOT_FOUND            no such user
   ERR_EXISTS               username taken
   ERR_RULE                 e.g. the last active admin cannot be removed
   ERR_BUSY                 AUTH_JOBS_MAX reached
   ERR_SHUTTING_DOWN        auth_shutdown() was called */

typedef struct {
    uint64_t ops;                     /* crypto_pwhash opslimit */
    size_t mem;                       /* crypto_pwhash memlimit, bytes */
    uint32_t token_ttl_s;
    uint32_t failures_max;            /* per (name, source address) */
    uint32_t address_failures_max;    /* per source address, over all names */
    uint32_t lock_s;
    uint32_t delay_base_ms, delay_max_ms;
    uint32_t code_ttl_s;              /* a member's one-time code expires after this */
} auth_config_t;

typedef struct {
    uint64_t id;
    char username[AUTH_USERNAME_MAX + 1];
    char full_name[AUTH_FULL_NAME_MAX + 1];
    Lumbung__Role role;
    uint64_t cooperative_id;          /* scope of operator and viewer; 0 otherwise */
    bool active;
    int64_t created_ms, updated_ms;
    int64_t locked_until_ms;          /* 0 when not locked */
    uint64_t member_id, member_number; /* role member: whose records these are; 0 otherwise */
    bool pin_set;                     /* role member: activated (a PIN is set) */
} auth_user_t;

typedef struct auth auth_t;

/* The defaults: Argon2id "interactive" cost, 12 h tokens, 5 failures of a name from one
   address or 30 from one address lock for 15 min, delays from 250 ms up to 4 s. */
void auth_config_default(auth_config_t *config);

/* Opens the tables (call before the loop runs, with no transaction open). `store` and `loop`
   must outlive the auth object. NULL with *err on failure. */
auth_t *auth_new(uv_loop_t *loop, store_t *store, const auth_config_t *config, int *err);

/* On an empty store, creates user "admin" with `admin_password`, or with a generated password
   that is printed once to stderr when `admin_password` is NULL or empty. Returns 0 or < 0. */
int auth_bootstrap(auth_t *self, const char *admin_password);

/* Answers delayed logins at once with ERR_SHUTTING_DOWN and refuses new work. Hashes still
   running on the thread pool finish; run the loop until auth_pending() is 0, then destroy. */
void auth_shutdown(auth_t *self);
unsigned auth_pending(const auth_t *self);
/* Argon2id verifies run for logins so far (known and unknown names alike). */
uint64_t auth_password_checks(const auth_t *self);
/* Rows in the login throttle's table. */
unsigned auth_throttle_rows(const auth_t *self);
void auth_destroy(auth_t **self_p);

/* --- sessions --- */

/* Fills *user for a valid token of an active account. Returns 0 or ERR_UNAUTHENTICATED. */
int auth_authenticate(auth_t *self, const char *token, auth_user_t *user);
/* Revokes the token. Returns 0 or ERR_UNAUTHENTICATED. */
int auth_logout(auth_t *self, const char *token);

typedef struct {
    char token[AUTH_TOKEN_TEXT_MAX];
    int64_t expires_ms;
    auth_user_t user;
    uint32_t retry_after_s;           /* with ERR_LOCKED */
} auth_login_result_t;

/* Always calls back later on the loop thread, exactly once, with 0 (result filled),
   ERR_INVALID_CREDENTIALS, ERR_LOCKED or ERR_THROTTLED (retry_after_s filled), ERR_BUSY,
   ERR_SHUTTING_DOWN or a store error. `address` is the client's source address (the
   throttle's key with the name). The strings are copied (the password is wiped). */
typedef void (*auth_login_fn)(void *arg, int status, const auth_login_result_t *result);
void auth_login(auth_t *self, const char *username, const char *password, const char *address,
                auth_login_fn fn, void *arg);

/* --- users (administration) --- */

typedef struct {
    const char *username, *password, *full_name;     /* NULL: not given */
    bool has_role, has_cooperative_id, has_active;
    Lumbung__Role role;
    uint64_t cooperative_id;
    bool active;
    bool unlock;
} auth_user_input_t;

/* Calls back with 0 and the user, ERR_EXISTS (username taken), ERR_NOT_FOUND, ERR_RULE,
   ERR_SHUTTING_DOWN or a store error; *error is filled for every failure. */
typedef void (*auth_user_fn)(void *arg, int status, const auth_user_t *user,
                             const problem_t *error);

/* Validates `input` and returns ERR_REJECTED (or ERR_NOT_FOUND, ERR_EXISTS, ERR_BUSY) with
   *error filled without calling back; otherwise returns 0 and calls back later. */
int auth_user_create(auth_t *self, const auth_user_input_t *input, problem_t *error,
                     auth_user_fn fn, void *arg);
int auth_user_update(auth_t *self, uint64_t id, const auth_user_input_t *input,
                     problem_t *error, auth_user_fn fn, void *arg);

/* 0 or ERR_NOT_FOUND. */
int auth_user_get(auth_t *self, uint64_t id, auth_user_t *user);
/* Up to `limit` users with id > after_id, in id order; *next is the id to continue after, or
   0 at the end. Returns the number filled or a negative error. */
int auth_user_list(auth_t *self, uint64_t after_id, unsigned limit, auth_user_t *users,
                   uint64_t *next);

/* --- members' access (role member) ---

   A member account is named "m:<cooperative>:<member number>" (a ':' no operator name may
   hold, so the two kinds never collide) and lives in the users table with three more fields
   after the password hash: u64 member_id, u64 member_number, str code_hash, u64
   code_expires_ms. An operator grants access: a new one-time code (AUTH_CODE_LEN characters
   of an alphabet without look-alikes), of which only the BLAKE2b hash is kept, expiring after
   code_ttl_s; granting again replaces the code, clears the PIN and ends the member's sessions.
   The member activates with the code and sets a PIN (hashed with Argon2id like a password);
   the code is then spent. Activation attempts and logins are counted by the throttle under the
   account's name, so guessing a code or a PIN locks exactly like a password. */

/* The account name of a member; < 0 when it would not fit. */
int auth_member_username(uint64_t cooperative_id, uint64_t member_number,
                         char out[AUTH_USERNAME_MAX + 1]);
/* Six digits, else ERR_REJECTED with *error (field "pin"). */
int auth_validate_pin(const char *pin, problem_t *error);
/* Creates or resets the member's account and issues a code (copied to `code`, shown once).
   Returns 0 with *user and *code_expires_ms, or a store error. */
int auth_member_grant(auth_t *self, uint64_t cooperative_id, uint64_t member_number,
                      uint64_t member_id, char code[AUTH_CODE_TEXT_MAX], int64_t *code_expires_ms,
                      auth_user_t *user);
/* Spends the code and sets the PIN (validate it first), then logs the member in: calls back
   like auth_login (0 with a session, ERR_INVALID_CREDENTIALS for an unknown account, a wrong,
   spent or expired code, ERR_LOCKED / ERR_THROTTLED, ...). */
void auth_member_activate(auth_t *self, uint64_t cooperative_id, uint64_t member_number,
                          const char *code, const char *pin, const char *address,
                          auth_login_fn fn, void *arg);

/* --- roles and validation (pure) --- */

/* "admin", "supervisor", "operator", "viewer", "member"; "" for any other role. */
const char *auth_role_name(Lumbung__Role role);
/* The role named, or LUMBUNG__ROLE__ROLE_UNSPECIFIED for anything but the four names above. */
Lumbung__Role auth_role_parse(const char *name);

int auth_validate_username(const char *username, problem_t *error);
int auth_validate_password(const char *password, problem_t *error);
/* Checks role and cooperative scope together: operator and viewer need a cooperative, admin
   and supervisor must not have one. */
int auth_validate_scope(Lumbung__Role role, uint64_t cooperative_id, problem_t *error);

#endif
