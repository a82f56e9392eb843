#include "auth.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bytes.h"
#include "kv.h"
#include "log.h"
#include "throttle.h"

enum {
    USER_RECORD_VERSION = 1,
    SESSION_RECORD_VERSION = 1,
    GENERATED_PASSWORD_BYTES = 15,    /* 20 base64url characters */
};

/* A user as stored: the public part plus what never leaves this file. */
typedef struct {
    auth_user_t pub;
    uint32_t failures;                /* unused since throttle.h; kept for the record layout */
    uint32_t token_generation;
    char hash[AUTH_HASH_MAX + 1];
    char code_hash[AUTH_CODE_HASH_HEX + 1];   /* role member: "" once spent */
    int64_t code_expires_ms;
} user_record_t;

typedef struct {
    uint64_t user_id;
    int64_t created_ms, expires_ms;
    uint32_t token_generation;
} session_record_t;

typedef enum { JOB_LOGIN, JOB_CREATE, JOB_UPDATE, JOB_ACTIVATE } job_kind_t;

/* One login or user change waiting for the thread pool or for its answer delay. */
typedef struct job {
    struct job *next, *prev;
    auth_t *auth;
    job_kind_t kind;
    uv_work_t work;
    uv_timer_t timer;
    bool timer_open, in_pool, answered;
    int status;
    /* inputs */
    char username[AUTH_USERNAME_MAX + 1];
    bool username_valid;
    char address[THROTTLE_ADDRESS_MAX + 1];   /* logins: where the attempt came from */
    char password[AUTH_PASSWORD_MAX + 1];
    bool has_password;
    char full_name[AUTH_FULL_NAME_MAX + 1];
    auth_user_input_t input;          /* string pointers aim at the buffers above */
    uint64_t id;
    /* work */
    char hash[AUTH_HASH_MAX + 1];
    bool verified;
    char code_hash[AUTH_CODE_HASH_HEX + 1];   /* activation: the hash of the code given */
    /* answers */
    auth_login_result_t login;
    auth_user_t user;
    problem_t error;
    auth_login_fn login_fn;
    auth_user_fn user_fn;
    void *arg;
} job_t;

struct auth {
    uv_loop_t *loop;
    store_t *store;
    auth_config_t config;
    store_table_t users, usernames, sessions;
    char dummy_hash[AUTH_HASH_MAX + 1];
    throttle_t *throttle;
    uint64_t password_checks;         /* Argon2id verifies run for logins */
    job_t *jobs;
    unsigned job_count;
    bool shutting_down;
};

static int64_t wall_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#define KIND(k) LUMBUNG__ERROR_KIND__ERROR_KIND_##k

/* Fills *e (problem.h) when the caller asked for it. */
static void error_set(problem_t *e, Lumbung__ErrorKind kind, const char *code, const char *field,
                      const char *message) {
    if (e) problem_set(e, kind, code, field, "%s", message);
}

/* Fills *e and returns rc, so a check reads `return fail(e, ERR_REJECTED, ...)`. */
static int fail(problem_t *e, int rc, const char *code, const char *field, const char *message) {
    error_set(e, rc == ERR_REJECTED ? KIND(INVALID) : KIND(INTERNAL), code, field, message);
    return rc;
}

void auth_config_default(auth_config_t *c) {
    c->ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
    c->mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
    c->token_ttl_s = 12 * 3600;
    c->failures_max = 5;
    c->address_failures_max = 30;
    c->lock_s = 15 * 60;
    c->delay_base_ms = 250;
    c->delay_max_ms = 4000;
    c->code_ttl_s = AUTH_CODE_TTL_S_DEFAULT;
}

/* ---------------------------------------------------------------- records */

static void user_encode(const user_record_t *u, gateway_kv_writer_t *w) {
    w->len = 0;
    w->overflow = false;
    gateway_kv_put_u8(w, USER_RECORD_VERSION);
    gateway_kv_put_u64(w, u->pub.id);
    gateway_kv_put_u8(w, (uint8_t) u->pub.role);
    gateway_kv_put_u8(w, u->pub.active ? 1 : 0);
    gateway_kv_put_u64(w, u->pub.cooperative_id);
    gateway_kv_put_u32(w, u->failures);
    gateway_kv_put_u64(w, (uint64_t) u->pub.locked_until_ms);
    gateway_kv_put_u64(w, (uint64_t) u->pub.created_ms);
    gateway_kv_put_u64(w, (uint64_t) u->pub.updated_ms);
    gateway_kv_put_u32(w, u->token_generation);
    gateway_kv_put_str(w, u->pub.username);
    gateway_kv_put_str(w, u->pub.full_name);
    gateway_kv_put_str(w, u->hash);
    if (u->pub.role == LUMBUNG__ROLE__ROLE_MEMBER) {
        gateway_kv_put_u64(w, u->pub.member_id);
        gateway_kv_put_u64(w, u->pub.member_number);
        gateway_kv_put_str(w, u->code_hash);
        gateway_kv_put_u64(w, (uint64_t) u->code_expires_ms);
    }
    assert(!w->overflow);
}

static int user_decode(const void *data, size_t len, user_record_t *u) {
    gateway_kv_reader_t r;
    gateway_kv_reader_init(&r, data, len);
    memset(u, 0, sizeof *u);
    if (gateway_kv_get_u8(&r) != USER_RECORD_VERSION) return ERR_STORE;
    u->pub.id = gateway_kv_get_u64(&r);
    u->pub.role = (Lumbung__Role) gateway_kv_get_u8(&r);
    u->pub.active = gateway_kv_get_u8(&r) != 0;
    u->pub.cooperative_id = gateway_kv_get_u64(&r);
    u->failures = gateway_kv_get_u32(&r);
    u->pub.locked_until_ms = (int64_t) gateway_kv_get_u64(&r);
    u->pub.created_ms = (int64_t) gateway_kv_get_u64(&r);
    u->pub.updated_ms = (int64_t) gateway_kv_get_u64(&r);
    u->token_generation = gateway_kv_get_u32(&r);
    gateway_kv_get_str(&r, u->pub.username, sizeof u->pub.username);
    gateway_kv_get_str(&r, u->pub.full_name, sizeof u->pub.full_name);
    gateway_kv_get_str(&r, u->hash, sizeof u->hash);
    if (u->pub.role == LUMBUNG__ROLE__ROLE_MEMBER) {
        u->pub.member_id = gateway_kv_get_u64(&r);
        u->pub.member_number = gateway_kv_get_u64(&r);
        gateway_kv_get_str(&r, u->code_hash, sizeof u->code_hash);
        u->code_expires_ms = (int64_t) gateway_kv_get_u64(&r);
        u->pub.pin_set = u->hash[0] != 0;
    }
    if (r.bad) {
        log_error(0, "auth: a user record is corrupt");
        return ERR_STORE;
    }
    return 0;
}

static int user_load(auth_t *a, store_txn_t *txn, uint64_t id, user_record_t *u) {
    uint8_t key[8];
    be64_write(key, id);
    const void *val;
    size_t len;
    int rc = store_get(txn, a->users, key, sizeof key, &val, &len);
    return rc < 0 ? rc : user_decode(val, len, u);
}

static int user_store(auth_t *a, store_txn_t *txn, const user_record_t *u) {
    static gateway_kv_writer_t w;     /* loop thread only; too big for the stack comfortably */
    user_encode(u, &w);
    uint8_t key[8];
    be64_write(key, u->pub.id);
    return store_put(txn, a->users, key, sizeof key, w.data, w.len, 0);
}

static int user_id_by_name(auth_t *a, store_txn_t *txn, const char *username, uint64_t *id) {
    const void *val;
    size_t len;
    int rc = store_get(txn, a->usernames, username, strlen(username), &val, &len);
    if (rc < 0) return rc;              /* ERR_NOT_FOUND: no such user */
    if (len != 8) return ERR_STORE;
    *id = be64_read(val);
    return 0;
}

static int user_load_by_name(auth_t *a, store_txn_t *txn, const char *username,
                             user_record_t *u) {
    uint64_t id;
    int rc = user_id_by_name(a, txn, username, &id);
    return rc < 0 ? rc : user_load(a, txn, id, u);
}

/* Runs a read-only lookup; `fn` must not keep pointers into the map. */
typedef int (*read_fn)(auth_t *a, store_txn_t *txn, void *arg);
static int auth_read(auth_t *a, read_fn fn, void *arg) {
    store_txn_t *txn = NULL;
    int rc = store_begin(a->store, true, &txn);
    if (rc < 0) return rc;
    rc = fn(a, txn, arg);
    store_abort(&txn);
    return rc;
}

/* ---------------------------------------------------------------- validation */

static bool username_char_ok(char c, bool first) {
    if (c >= 'a' && c <= 'z') return true;
    if (first) return false;
    return (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

int auth_validate_username(const char *username, problem_t *error) {
    size_t n = username ? strlen(username) : 0;
    bool ok = n >= AUTH_USERNAME_MIN && n <= AUTH_USERNAME_MAX;
    for (size_t i = 0; ok && i < n; i++) ok = username_char_ok(username[i], i == 0);
    if (ok) return 0;
    error_set(error, KIND(INVALID), "invalid_username", "username",
              "username: use 3 to 32 characters (lower-case letters, digits, '.', '_', '-'), "
              "starting with a letter");
    return ERR_REJECTED;
}

int auth_validate_password(const char *password, problem_t *error) {
    size_t bytes = password ? strlen(password) : 0, chars = 0;
    for (size_t i = 0; i < bytes; i++)
        if (((unsigned char) password[i] & 0xC0) != 0x80) chars++;
    if (bytes > AUTH_PASSWORD_MAX) {
        error_set(error, KIND(INVALID), "password_too_long", "password",
                  "password: use at most 256 bytes");
        return ERR_REJECTED;
    }
    if (chars < AUTH_PASSWORD_MIN) {
        error_set(error, KIND(INVALID), "password_too_short", "password",
                  "password: use at least 10 characters");
        return ERR_REJECTED;
    }
    return 0;
}

static bool role_is_human(Lumbung__Role role) {
    return role == LUMBUNG__ROLE__ROLE_ADMIN || role == LUMBUNG__ROLE__ROLE_SUPERVISOR ||
           role == LUMBUNG__ROLE__ROLE_OPERATOR || role == LUMBUNG__ROLE__ROLE_VIEWER;
}

static bool role_is_scoped(Lumbung__Role role) {
    return role == LUMBUNG__ROLE__ROLE_OPERATOR || role == LUMBUNG__ROLE__ROLE_VIEWER;
}

const char *auth_role_name(Lumbung__Role role) {
    switch (role) {
    case LUMBUNG__ROLE__ROLE_ADMIN: return "admin";
    case LUMBUNG__ROLE__ROLE_SUPERVISOR: return "supervisor";
    case LUMBUNG__ROLE__ROLE_OPERATOR: return "operator";
    case LUMBUNG__ROLE__ROLE_VIEWER: return "viewer";
    case LUMBUNG__ROLE__ROLE_MEMBER: return "member";
    default: return "";
    }
}

Lumbung__Role auth_role_parse(const char *name) {
    static const Lumbung__Role roles[] = {
        LUMBUNG__ROLE__ROLE_ADMIN, LUMBUNG__ROLE__ROLE_SUPERVISOR,
        LUMBUNG__ROLE__ROLE_OPERATOR, LUMBUNG__ROLE__ROLE_VIEWER,
    };
    for (size_t i = 0; name && i < sizeof roles / sizeof roles[0]; i++)
        if (!strcmp(name, auth_role_name(roles[i]))) return roles[i];
    return LUMBUNG__ROLE__ROLE_UNSPECIFIED;
}

int auth_validate_scope(Lumbung__Role role, uint64_t cooperative_id, problem_t *error) {
    if (!role_is_human(role)) {
        error_set(error, KIND(INVALID), "invalid_role", "role",
                  "role: must be one of admin, supervisor, operator, viewer");
        return ERR_REJECTED;
    }
    if (role_is_scoped(role) && cooperative_id == 0) {
        error_set(error, KIND(INVALID), "cooperative_required", "cooperative_id",
                  "cooperative_id: an operator or viewer needs the id of the cooperative they "
                  "work for");
        return ERR_REJECTED;
    }
    if (!role_is_scoped(role) && cooperative_id != 0) {
        error_set(error, KIND(INVALID), "cooperative_not_allowed", "cooperative_id",
                  "cooperative_id: only operators and viewers belong to one cooperative; leave "
                  "it out for admin and supervisor");
        return ERR_REJECTED;
    }
    return 0;
}

static int validate_full_name(const char *name, problem_t *error) {
    size_t n = strlen(name);
    bool ok = n > 0 && n <= AUTH_FULL_NAME_MAX;
    for (size_t i = 0; ok && i < n; i++) ok = (unsigned char) name[i] >= 0x20;
    if (ok) return 0;
    error_set(error, KIND(INVALID), "invalid_full_name", "full_name",
              "full_name: give the person's name, 1 to 128 bytes without control characters");
    return ERR_REJECTED;
}

/* ---------------------------------------------------------------- lifecycle */

auth_t *auth_new(uv_loop_t *loop, store_t *store, const auth_config_t *config, int *err) {
    assert(loop && store && config && err);
    if (sodium_init() < 0) { *err = -ENOSYS; return NULL; }
    auth_t *a = calloc(1, sizeof *a);
    if (!a) abort();
    a->loop = loop;
    a->store = store;
    a->config = *config;
    int rc = store_table(store, "users", &a->users);
    if (rc == 0) rc = store_table(store, "usernames", &a->usernames);
    if (rc == 0) rc = store_table(store, "sessions", &a->sessions);
    char random_password[33];
    randombytes_buf(random_password, sizeof random_password - 1);
    for (size_t i = 0; i < sizeof random_password - 1; i++)
        random_password[i] = (char) ('a' + (unsigned char) random_password[i] % 26);
    random_password[32] = 0;
    if (rc == 0 && crypto_pwhash_str(a->dummy_hash, random_password, 32, a->config.ops,
                                     a->config.mem) != 0)
        rc = -ENOMEM;
    if (rc < 0) {
        log_error(0, "auth: cannot open the user tables: %s", error_name(rc));
        free(a);
        *err = rc;
        return NULL;
    }
    throttle_config_t tc = { a->config.failures_max, a->config.address_failures_max,
                             a->config.lock_s, a->config.delay_base_ms, a->config.delay_max_ms };
    a->throttle = throttle_new(&tc);
    return a;
}

void auth_destroy(auth_t **self_p) {
    assert(self_p);
    auth_t *a = *self_p;
    if (!a) return;
    assert(!a->jobs && "run the loop until auth_pending() is 0 first");
    throttle_destroy(&a->throttle);
    free(a);
    *self_p = NULL;
}

unsigned auth_pending(const auth_t *self) { return self->job_count; }
uint64_t auth_password_checks(const auth_t *self) { return self->password_checks; }
unsigned auth_throttle_rows(const auth_t *self) { return throttle_rows(self->throttle); }

static void generate_password(char *out, size_t size) {
    unsigned char raw[GENERATED_PASSWORD_BYTES];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, size, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

typedef struct {
    auth_t *auth;
    user_record_t user;
} bootstrap_t;

static int bootstrap_write(void *arg, store_txn_t *txn) {
    bootstrap_t *b = arg;
    if (store_count(txn, b->auth->users) > 0) return 1;
    int rc = user_store(b->auth, txn, &b->user);
    uint8_t id[8];
    be64_write(id, b->user.pub.id);
    if (rc == 0) rc = store_put(txn, b->auth->usernames, "admin", 5, id, sizeof id, 0);
    return rc;
}

int auth_bootstrap(auth_t *self, const char *admin_password) {
    assert(self);
    char generated[64];
    bool generate = !admin_password || !*admin_password;
    if (generate) generate_password(generated, sizeof generated);
    const char *password = generate ? generated : admin_password;
    if (!generate && auth_validate_password(password, NULL) < 0)
        log_warn(0, "auth: LUMBUNG_ADMIN_PASSWORD is shorter than the 10 characters required "
                    "of other users");
    bootstrap_t b = { .auth = self };
    int64_t now = wall_ms();
    b.user.pub = (auth_user_t) { .id = 1, .role = LUMBUNG__ROLE__ROLE_ADMIN, .active = true,
                                 .created_ms = now, .updated_ms = now };
    snprintf(b.user.pub.username, sizeof b.user.pub.username, "admin");
    snprintf(b.user.pub.full_name, sizeof b.user.pub.full_name, "Administrator");
    if (crypto_pwhash_str(b.user.hash, password, strlen(password), self->config.ops,
                          self->config.mem) != 0)
        return -ENOMEM;
    int rc = gateway_kv_write(self->store, bootstrap_write, &b);
    if (rc < 0) return rc;
    if (rc == 1) return 0;            /* users exist already */
    if (generate) {
        char line[160];
        int n = snprintf(line, sizeof line, "gateway: created user admin with password %s "
                                            "(shown only now; change it)\n", generated);
        ssize_t w = write(2, line, (size_t) n);
        (void) w;
    } else {
        log_info(0, "auth: created user admin with the password from LUMBUNG_ADMIN_PASSWORD");
    }
    return 0;
}

/* ---------------------------------------------------------------- tokens and sessions */

static int token_key(const char *token, uint8_t key[crypto_generichash_BYTES]) {
    size_t n = token ? strlen(token) : 0;
    if (n == 0 || n >= AUTH_TOKEN_TEXT_MAX) return ERR_UNAUTHENTICATED;
    unsigned char raw[AUTH_TOKEN_BYTES];
    size_t raw_len = 0;
    const char *end = NULL;
    if (sodium_base642bin(raw, sizeof raw, token, n, NULL, &raw_len, &end,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        raw_len != sizeof raw || end != token + n)
        return ERR_UNAUTHENTICATED;
    crypto_generichash(key, crypto_generichash_BYTES, raw, sizeof raw, NULL, 0);
    return 0;
}

static int session_decode(const void *data, size_t len, session_record_t *s) {
    gateway_kv_reader_t r;
    gateway_kv_reader_init(&r, data, len);
    if (gateway_kv_get_u8(&r) != SESSION_RECORD_VERSION) return ERR_STORE;
    s->user_id = gateway_kv_get_u64(&r);
    s->created_ms = (int64_t) gateway_kv_get_u64(&r);
    s->expires_ms = (int64_t) gateway_kv_get_u64(&r);
    s->token_generation = gateway_kv_get_u32(&r);
    return r.bad ? ERR_STORE : 0;
}

typedef struct {
    uint8_t key[crypto_generichash_BYTES];
    auth_user_t *user;
} authenticate_t;

static int authenticate_read(auth_t *a, store_txn_t *txn, void *arg) {
    authenticate_t *q = arg;
    const void *val;
    size_t len;
    if (store_get(txn, a->sessions, q->key, sizeof q->key, &val, &len) < 0)
        return ERR_UNAUTHENTICATED;
    session_record_t s;
    if (session_decode(val, len, &s) < 0 || s.expires_ms <= wall_ms())
        return ERR_UNAUTHENTICATED;
    user_record_t u;
    if (user_load(a, txn, s.user_id, &u) < 0 || !u.pub.active ||
        u.token_generation != s.token_generation)
        return ERR_UNAUTHENTICATED;
    *q->user = u.pub;
    return 0;
}

int auth_authenticate(auth_t *self, const char *token, auth_user_t *user) {
    assert(self && user);
    authenticate_t q = { .user = user };
    if (token_key(token, q.key) < 0) return ERR_UNAUTHENTICATED;
    int rc = auth_read(self, authenticate_read, &q);
    return rc < 0 ? ERR_UNAUTHENTICATED : 0;
}

typedef struct {
    auth_t *auth;
    uint8_t key[crypto_generichash_BYTES];
} logout_t;

static int logout_write(void *arg, store_txn_t *txn) {
    logout_t *l = arg;
    int rc = store_del(txn, l->auth->sessions, l->key, sizeof l->key);
    return rc == ERR_NOT_FOUND ? ERR_UNAUTHENTICATED : rc;
}

int auth_logout(auth_t *self, const char *token) {
    logout_t l = { .auth = self };
    if (token_key(token, l.key) < 0) return ERR_UNAUTHENTICATED;
    return gateway_kv_write(self->store, logout_write, &l);
}

/* Removes up to AUTH_SESSIONS_PURGE_MAX expired sessions, starting at a random key so that
   repeated purges cover the whole table. Keys are copied first: deleting under an open cursor
   would move it. */
static int sessions_purge(auth_t *a, store_txn_t *txn, int64_t now) {
    static uint8_t expired[AUTH_SESSIONS_PURGE_MAX][crypto_generichash_BYTES];
    uint8_t start[crypto_generichash_BYTES];
    randombytes_buf(start, sizeof start);
    store_cursor_t *c = NULL;
    int rc = store_cursor_open(txn, a->sessions, &c);
    if (rc < 0) return rc;
    int found = 0;
    const void *k, *v;
    size_t kl, vl;
    rc = store_cursor_seek(c, start, sizeof start, &k, &kl, &v, &vl);
    for (int seen = 0; rc == 0 && seen < AUTH_SESSIONS_PURGE_MAX; seen++) {
        session_record_t s;
        bool bad = session_decode(v, vl, &s) < 0;
        if ((bad || s.expires_ms <= now) && kl == sizeof expired[0])
            memcpy(expired[found++], k, kl);
        rc = store_cursor_next(c, &k, &kl, &v, &vl);
    }
    store_cursor_close(&c);
    for (int i = 0; i < found; i++) {
        rc = store_del(txn, a->sessions, expired[i], sizeof expired[i]);
        if (rc < 0 && rc != ERR_NOT_FOUND) return rc;
    }
    return 0;
}

static int session_create(auth_t *a, store_txn_t *txn, const user_record_t *u, int64_t now,
                          auth_login_result_t *out) {
    unsigned char raw[AUTH_TOKEN_BYTES];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out->token, sizeof out->token, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    uint8_t key[crypto_generichash_BYTES];
    crypto_generichash(key, sizeof key, raw, sizeof raw, NULL, 0);
    sodium_memzero(raw, sizeof raw);
    out->expires_ms = now + (int64_t) a->config.token_ttl_s * 1000;
    gateway_kv_writer_t w = { .len = 0 };
    gateway_kv_put_u8(&w, SESSION_RECORD_VERSION);
    gateway_kv_put_u64(&w, u->pub.id);
    gateway_kv_put_u64(&w, (uint64_t) now);
    gateway_kv_put_u64(&w, (uint64_t) out->expires_ms);
    gateway_kv_put_u32(&w, u->token_generation);
    return store_put(txn, a->sessions, key, sizeof key, w.data, w.len, STORE_NOOVERWRITE);
}

/* ---------------------------------------------------------------- jobs */

static job_t *job_new(auth_t *a, job_kind_t kind, void *arg) {
    job_t *j = calloc(1, sizeof *j);
    if (!j) abort();
    j->auth = a;
    j->kind = kind;
    j->arg = arg;
    j->work.data = j;
    j->timer.data = j;
    j->next = a->jobs;
    if (a->jobs) a->jobs->prev = j;
    a->jobs = j;
    a->job_count++;
    return j;
}

static void job_free_now(job_t *j) {
    sodium_memzero(j->password, sizeof j->password);
    free(j);
}

static void on_job_timer_closed(uv_handle_t *h) { job_free_now(h->data); }

static void job_release(job_t *j) {
    auth_t *a = j->auth;
    if (j->prev) j->prev->next = j->next;
    else a->jobs = j->next;
    if (j->next) j->next->prev = j->prev;
    a->job_count--;
    if (j->timer_open) uv_close((uv_handle_t *) &j->timer, on_job_timer_closed);
    else job_free_now(j);
}

/* Delivers the job's answer to its caller and frees it. */
static void job_answer(job_t *j) {
    assert(!j->answered);
    j->answered = true;
    if (j->kind == JOB_LOGIN || j->kind == JOB_ACTIVATE) {
        bool filled = j->status == 0 || j->status == ERR_LOCKED || j->status == ERR_THROTTLED;
        j->login_fn(j->arg, j->status, filled ? &j->login : NULL);
    } else {
        j->user_fn(j->arg, j->status, j->status == 0 ? &j->user : NULL,
                   j->status == 0 ? NULL : &j->error);
    }
    job_release(j);
}

static void on_job_timer(uv_timer_t *t) { job_answer(t->data); }

/* Answers after `delay_ms` (0: on the next loop iteration), never from inside the caller. */
static void job_answer_later(job_t *j, uint64_t delay_ms) {
    if (!j->timer_open) {
        int rc = uv_timer_init(j->auth->loop, &j->timer);
        assert(rc == 0);
        (void) rc;
        j->timer_open = true;
    }
    uv_timer_start(&j->timer, on_job_timer, delay_ms, 0);
}

void auth_shutdown(auth_t *self) {
    assert(self);
    self->shutting_down = true;
    /* Jobs in the pool answer from their after-work callback; delayed ones answer now. */
    job_t *j = self->jobs;
    while (j) {
        job_t *next = j->next;
        if (!j->in_pool && !j->answered) {
            if (j->timer_open) uv_timer_stop(&j->timer);
            if ((j->kind == JOB_LOGIN || j->kind == JOB_ACTIVATE) && j->status == 0)
                j->status = ERR_SHUTTING_DOWN;
            job_answer(j);
        }
        j = next;
    }
}

static void work_hash(uv_work_t *w) {
    job_t *j = w->data;
    const auth_config_t *c = &j->auth->config;   /* read-only while jobs run */
    if (j->kind == JOB_LOGIN) {
        j->verified = crypto_pwhash_str_verify(j->hash, j->password, strlen(j->password)) == 0;
    } else if (j->has_password) {
        if (crypto_pwhash_str(j->hash, j->password, strlen(j->password), c->ops, c->mem) != 0)
            j->hash[0] = 0;
    }
    sodium_memzero(j->password, sizeof j->password);
}

static void after_login(job_t *j);
static void after_user_change(job_t *j);
static void after_activate(job_t *j);

static void after_work(uv_work_t *w, int status) {
    job_t *j = w->data;
    j->in_pool = false;
    if (status < 0 || j->auth->shutting_down) {
        j->status = ERR_SHUTTING_DOWN;
        error_set(&j->error, KIND(UNAVAILABLE), "shutting_down", NULL,
                  "the gateway is stopping; retry shortly");
        job_answer(j);
        return;
    }
    if (j->kind == JOB_LOGIN) {
        j->auth->password_checks++;
        after_login(j);
    } else if (j->kind == JOB_ACTIVATE) {
        after_activate(j);
    } else {
        after_user_change(j);
    }
}

static int job_queue(job_t *j) {
    j->in_pool = true;
    int rc = uv_queue_work(j->auth->loop, &j->work, work_hash, after_work);
    if (rc < 0) j->in_pool = false;
    return rc;
}

/* ---------------------------------------------------------------- login */

typedef struct {
    job_t *job;
    bool found;
} login_lookup_t;

static int login_lookup(auth_t *a, store_txn_t *txn, void *arg) {
    login_lookup_t *q = arg;
    job_t *j = q->job;
    user_record_t u;
    int rc = j->username_valid ? user_load_by_name(a, txn, j->username, &u) : ERR_NOT_FOUND;
    if (rc == ERR_NOT_FOUND) return 0;
    if (rc < 0) return rc;
    q->found = true;
    snprintf(j->hash, sizeof j->hash, "%s", u.hash);
    return 0;
}

/* A lock answers 429: ERR_LOCKED for the name from this address, ERR_THROTTLED for the
   address; both depend only on what was tried from there, never on whether the name exists. */
static void set_locked(job_t *j, throttle_state_t state, int64_t locked_until_ms, int64_t now) {
    j->status = state == THROTTLE_NAME_LOCKED ? ERR_LOCKED : ERR_THROTTLED;
    int64_t left = locked_until_ms - now;
    j->login.retry_after_s = (uint32_t) (left > 0 ? (left + 999) / 1000 : 1);
}

/* Answers j at once, without hashing, when the service is shutting down, too busy, or the name
   or address is locked (a lock costs the attacker, not us). Returns whether it answered; sets
   *now to the time the throttle was asked. */
static bool answered_before_hashing(auth_t *self, job_t *j, int64_t *now) {
    *now = 0;
    if (self->shutting_down || self->job_count > AUTH_JOBS_MAX) {
        j->status = self->shutting_down ? ERR_SHUTTING_DOWN : ERR_BUSY;
        job_answer_later(j, 0);
        return true;
    }
    int64_t locked_until;
    *now = wall_ms();
    throttle_state_t state = throttle_begin(self->throttle, j->username, j->address, *now,
                                            &locked_until);
    if (state == THROTTLE_OPEN) return false;
    set_locked(j, state, locked_until, *now);
    job_answer_later(j, 0);
    return true;
}

void auth_login(auth_t *self, const char *username, const char *password, const char *address,
                auth_login_fn fn, void *arg) {
    assert(self && fn);
    job_t *j = job_new(self, JOB_LOGIN, arg);
    j->login_fn = fn;
    size_t ul = username ? strlen(username) : 0, pl = password ? strlen(password) : 0;
    j->username_valid = ul > 0 && ul <= AUTH_USERNAME_MAX;
    if (j->username_valid) memcpy(j->username, username, ul + 1);
    else if (username) snprintf(j->username, sizeof j->username, "%s", username);
    snprintf(j->address, sizeof j->address, "%s", address ? address : "");
    if (pl <= AUTH_PASSWORD_MAX && pl > 0) memcpy(j->password, password, pl + 1);
    int64_t now;
    if (answered_before_hashing(self, j, &now)) return;
    login_lookup_t q = { .job = j };
    int rc = auth_read(self, login_lookup, &q);
    if (rc < 0) {
        j->status = rc;
        job_answer_later(j, 0);
        return;
    }
    /* An unknown name is checked against a dummy hash so it costs the same time. */
    if (!q.found) snprintf(j->hash, sizeof j->hash, "%s", self->dummy_hash);
    if (pl == 0 || pl > AUTH_PASSWORD_MAX) j->password[0] = 0;
    if (job_queue(j) < 0) {
        j->status = ERR_BUSY;
        job_answer_later(j, 0);
    }
}

/* Records a successful login. Every other outcome — unknown name, wrong password, an inactive
   account, a password changed while we hashed — is the same ERR_INVALID_CREDENTIALS. */
static int login_write(void *arg, store_txn_t *txn) {
    job_t *j = arg;
    auth_t *a = j->auth;
    int64_t now = wall_ms();
    user_record_t u;
    int rc = j->username_valid ? user_load_by_name(a, txn, j->username, &u) : ERR_NOT_FOUND;
    j->status = ERR_INVALID_CREDENTIALS;
    if (rc == ERR_NOT_FOUND) return 0;
    if (rc < 0) return rc;
    if (!j->verified || strcmp(u.hash, j->hash) != 0 || !u.pub.active) return 0;
    if ((rc = session_create(a, txn, &u, now, &j->login)) < 0) return rc;
    if ((rc = sessions_purge(a, txn, now)) < 0) return rc;
    j->login.user = u.pub;
    j->login.user.locked_until_ms = 0;
    j->status = 0;
    return 0;
}

/* The name tried, fit for a log line (it may be anything a client sent). */
static void printable(const char *in, char *out, size_t size) {
    size_t i = 0;
    for (; in[i] && i + 1 < size; i++) out[i] = in[i] >= 0x21 && in[i] < 0x7f ? in[i] : '?';
    out[i] = 0;
}

static void after_login(job_t *j) {
    auth_t *a = j->auth;
    int rc = gateway_kv_write(a->store, login_write, j);
    int64_t now = wall_ms();
    uint64_t delay_ms = 0;
    if (rc < 0) {
        log_error(0, "auth: login of %s could not be recorded: %s", j->username, error_name(rc));
        j->status = rc;
    } else if (j->status == 0) {
        throttle_succeeded(a->throttle, j->username, j->address, now);
    } else {
        throttle_state_t state;
        int64_t locked_until;
        delay_ms = throttle_failed(a->throttle, j->username, j->address, now, &state, &locked_until);
        if (state != THROTTLE_OPEN) {
            set_locked(j, state, locked_until, now);
            char name[AUTH_USERNAME_MAX + 1];
            printable(j->username, name, sizeof name);
            log_warn(0, "auth: logins of %s from %s locked for %u s after repeated failures",
                     state == THROTTLE_ADDRESS_LOCKED ? "any name" : name, j->address,
                     a->config.lock_s);
        }
    }
    if (delay_ms == 0) job_answer(j);
    else job_answer_later(j, delay_ms);
}

/* ---------------------------------------------------------------- users */

static void job_copy_input(job_t *j, const auth_user_input_t *in) {
    j->input = *in;
    if (in->username) {
        snprintf(j->username, sizeof j->username, "%s", in->username);
        j->input.username = j->username;
    }
    if (in->full_name) {
        snprintf(j->full_name, sizeof j->full_name, "%s", in->full_name);
        j->input.full_name = j->full_name;
    }
    j->has_password = in->password != NULL;
    if (in->password) snprintf(j->password, sizeof j->password, "%s", in->password);
    j->input.password = NULL;         /* only the hash goes on */
}

static int validate_fields(const auth_user_input_t *in, problem_t *error) {
    int rc = 0;
    if (in->username) rc = auth_validate_username(in->username, error);
    if (rc == 0 && in->password) rc = auth_validate_password(in->password, error);
    if (rc == 0 && in->full_name) rc = validate_full_name(in->full_name, error);
    return rc;
}

typedef struct {
    const char *username;
    uint64_t except_id;
} name_check_t;

static int name_taken_read(auth_t *a, store_txn_t *txn, void *arg) {
    name_check_t *q = arg;
    uint64_t id;
    int rc = user_id_by_name(a, txn, q->username, &id);
    if (rc == ERR_NOT_FOUND) return 0;
    if (rc < 0) return rc;
    return id == q->except_id ? 0 : ERR_EXISTS;
}

static int conflict(problem_t *error, const char *username) {
    char message[160];
    snprintf(message, sizeof message, "username: %s is taken; choose another", username);
    error_set(error, KIND(CONFLICT), "username_taken", "username", message);
    return ERR_EXISTS;
}

static int start_change(auth_t *a, job_t *j, problem_t *error) {
    if (a->shutting_down || a->job_count > AUTH_JOBS_MAX || job_queue(j) < 0) {
        bool stopping = a->shutting_down;
        job_release(j);
        error_set(error, KIND(UNAVAILABLE), stopping ? "shutting_down" : "busy", NULL,
                  "the gateway is busy; retry shortly");
        return stopping ? ERR_SHUTTING_DOWN : ERR_BUSY;
    }
    return 0;
}

int auth_user_create(auth_t *self, const auth_user_input_t *in, problem_t *error,
                     auth_user_fn fn, void *arg) {
    assert(self && in && error && fn);
    if (!in->username) return fail(error, ERR_REJECTED, "required", "username", "username: required");
    if (!in->password) return fail(error, ERR_REJECTED, "required", "password", "password: required");
    if (!in->full_name)
        return fail(error, ERR_REJECTED, "required", "full_name", "full_name: required");
    if (!in->has_role)
        return fail(error, ERR_REJECTED, "required", "role",
                    "role: required (admin, supervisor, operator or viewer)");
    int rc = validate_fields(in, error);
    uint64_t coop = in->has_cooperative_id ? in->cooperative_id : 0;
    if (rc == 0) rc = auth_validate_scope(in->role, coop, error);
    if (rc < 0) return rc;
    name_check_t q = { in->username, 0 };
    rc = auth_read(self, name_taken_read, &q);
    if (rc == ERR_EXISTS) return conflict(error, in->username);
    if (rc < 0) return fail(error, rc, "internal", NULL, "the user store failed");
    job_t *j = job_new(self, JOB_CREATE, arg);
    j->user_fn = fn;
    job_copy_input(j, in);
    return start_change(self, j, error);
}

int auth_user_update(auth_t *self, uint64_t id, const auth_user_input_t *in,
                     problem_t *error, auth_user_fn fn, void *arg) {
    assert(self && in && error && fn);
    int rc = validate_fields(in, error);
    if (rc < 0) return rc;
    auth_user_t current = { 0 };
    if (auth_user_get(self, id, &current) < 0) {
        error_set(error, KIND(NOT_FOUND), "user_not_found", "id", "no user has this id");
        return ERR_NOT_FOUND;
    }
    Lumbung__Role role = in->has_role ? in->role : current.role;
    uint64_t coop = in->has_cooperative_id ? in->cooperative_id
                    : role_is_scoped(role) ? current.cooperative_id : 0;
    if ((rc = auth_validate_scope(role, coop, error)) < 0) return rc;
    if (in->username) {
        name_check_t q = { in->username, id };
        rc = auth_read(self, name_taken_read, &q);
        if (rc == ERR_EXISTS) return conflict(error, in->username);
        if (rc < 0) return fail(error, rc, "internal", NULL, "the user store failed");
    }
    job_t *j = job_new(self, JOB_UPDATE, arg);
    j->user_fn = fn;
    j->id = id;
    job_copy_input(j, in);
    j->input.role = role;
    j->input.has_role = true;
    j->input.cooperative_id = coop;
    j->input.has_cooperative_id = true;
    return start_change(self, j, error);
}

static int next_user_id(auth_t *a, store_txn_t *txn, uint64_t *id) {
    store_cursor_t *c = NULL;
    int rc = store_cursor_open(txn, a->users, &c);
    if (rc < 0) return rc;
    const void *k, *v;
    size_t kl, vl;
    rc = store_cursor_last(c, &k, &kl, &v, &vl);
    *id = (rc == 0 && kl == 8) ? be64_read(k) + 1 : 1;
    store_cursor_close(&c);
    return rc == ERR_NOT_FOUND ? 0 : rc;
}

static int count_active_admins(auth_t *a, store_txn_t *txn, unsigned *count) {
    store_cursor_t *c = NULL;
    int rc = store_cursor_open(txn, a->users, &c);
    if (rc < 0) return rc;
    const void *k, *v;
    size_t kl, vl;
    *count = 0;
    for (rc = store_cursor_first(c, &k, &kl, &v, &vl); rc == 0;
         rc = store_cursor_next(c, &k, &kl, &v, &vl)) {
        user_record_t u;
        bool admin = user_decode(v, vl, &u) == 0 && u.pub.role == LUMBUNG__ROLE__ROLE_ADMIN;
        if (admin && u.pub.active) (*count)++;
    }
    store_cursor_close(&c);
    return rc == ERR_NOT_FOUND ? 0 : rc;
}

static int put_name(auth_t *a, store_txn_t *txn, const char *username, uint64_t id) {
    uint8_t v[8];
    be64_write(v, id);
    return store_put(txn, a->usernames, username, strlen(username), v, sizeof v,
                     STORE_NOOVERWRITE);   /* ERR_EXISTS: the username is taken */
}

static int create_write(void *arg, store_txn_t *txn) {
    job_t *j = arg;
    auth_t *a = j->auth;
    user_record_t u = { .pub = { .role = j->input.role, .active = true } };
    int rc = next_user_id(a, txn, &u.pub.id);
    if (rc < 0) return rc;
    if ((rc = put_name(a, txn, j->input.username, u.pub.id)) < 0) return rc;
    u.pub.cooperative_id = j->input.has_cooperative_id ? j->input.cooperative_id : 0;
    if (j->input.has_active) u.pub.active = j->input.active;
    u.pub.created_ms = u.pub.updated_ms = wall_ms();
    snprintf(u.pub.username, sizeof u.pub.username, "%s", j->input.username);
    snprintf(u.pub.full_name, sizeof u.pub.full_name, "%s", j->input.full_name);
    snprintf(u.hash, sizeof u.hash, "%s", j->hash);
    if ((rc = user_store(a, txn, &u)) < 0) return rc;
    j->user = u.pub;
    return 0;
}

static int update_rename(auth_t *a, store_txn_t *txn, user_record_t *u, const char *username) {
    if (!username || !strcmp(username, u->pub.username)) return 0;
    int rc = store_del(txn, a->usernames, u->pub.username, strlen(u->pub.username));
    if (rc < 0 && rc != ERR_NOT_FOUND) return rc;
    if ((rc = put_name(a, txn, username, u->pub.id)) < 0) return rc;
    snprintf(u->pub.username, sizeof u->pub.username, "%s", username);
    return 0;
}

/* Refuses a change that would leave no active administrator. */
static int update_keeps_an_admin(auth_t *a, store_txn_t *txn, const user_record_t *before,
                                 const user_record_t *after) {
    bool was = before->pub.active && before->pub.role == LUMBUNG__ROLE__ROLE_ADMIN;
    bool is = after->pub.active && after->pub.role == LUMBUNG__ROLE__ROLE_ADMIN;
    if (!was || is) return 0;
    unsigned admins = 0;
    int rc = count_active_admins(a, txn, &admins);
    if (rc < 0) return rc;
    return admins <= 1 ? ERR_RULE : 0;
}

static int update_write(void *arg, store_txn_t *txn) {
    job_t *j = arg;
    auth_t *a = j->auth;
    const auth_user_input_t *in = &j->input;
    user_record_t before, u;
    int rc = user_load(a, txn, j->id, &before);
    if (rc < 0) return rc;
    u = before;
    if ((rc = update_rename(a, txn, &u, in->username)) < 0) return rc;
    if (in->full_name) snprintf(u.pub.full_name, sizeof u.pub.full_name, "%s", in->full_name);
    u.pub.role = in->role;
    u.pub.cooperative_id = in->cooperative_id;
    if (in->has_active) u.pub.active = in->active;
    if (j->has_password) snprintf(u.hash, sizeof u.hash, "%s", j->hash);
    if (j->has_password || in->unlock) { u.failures = 0; u.pub.locked_until_ms = 0; }
    /* A new password or a deactivation ends every session of the account. */
    if (j->has_password || (before.pub.active && !u.pub.active)) u.token_generation++;
    u.pub.updated_ms = wall_ms();
    if ((rc = update_keeps_an_admin(a, txn, &before, &u)) < 0) return rc;
    if ((rc = user_store(a, txn, &u)) < 0) return rc;
    j->user = u.pub;
    return 0;
}

static void after_user_change(job_t *j) {
    if (j->has_password && !j->hash[0]) {
        j->status = -ENOMEM;
        error_set(&j->error, KIND(INTERNAL), "internal", NULL, "the password could not be hashed");
        job_answer(j);
        return;
    }
    gateway_kv_write_fn write = j->kind == JOB_CREATE ? create_write : update_write;
    int rc = gateway_kv_write(j->auth->store, write, j);
    j->status = rc;
    if (rc == ERR_EXISTS) conflict(&j->error, j->input.username);
    else if (rc == ERR_NOT_FOUND)
        error_set(&j->error, KIND(NOT_FOUND), "user_not_found", "id", "no user has this id");
    else if (rc == ERR_RULE)
        error_set(&j->error, KIND(RULE), "last_admin", "role",
                  "this is the last active admin; make another user admin first");
    else if (rc < 0)
        error_set(&j->error, KIND(INTERNAL), "internal", NULL, "the user store failed");
    if (rc == 0 && (j->has_password || j->input.unlock))
        throttle_clear_name(j->auth->throttle, j->user.username);
    if (rc == 0)
        j->user.locked_until_ms = throttle_name_locked_until(j->auth->throttle, j->user.username, wall_ms());
    job_answer(j);
}

typedef struct {
    uint64_t id;
    auth_user_t *user;
} get_t;

static int get_read(auth_t *a, store_txn_t *txn, void *arg) {
    get_t *q = arg;
    user_record_t u;
    int rc = user_load(a, txn, q->id, &u);
    if (rc == 0) *q->user = u.pub;
    return rc;
}

int auth_user_get(auth_t *self, uint64_t id, auth_user_t *user) {
    assert(self && user);
    get_t q = { id, user };
    int rc = auth_read(self, get_read, &q);
    if (rc == 0) user->locked_until_ms = throttle_name_locked_until(self->throttle, user->username, wall_ms());
    return rc;
}

typedef struct {
    uint64_t after_id;
    unsigned limit;
    auth_user_t *users;
    uint64_t *next;
} list_t;

static int list_read(auth_t *a, store_txn_t *txn, void *arg) {
    list_t *q = arg;
    store_cursor_t *c = NULL;
    int rc = store_cursor_open(txn, a->users, &c);
    if (rc < 0) return rc;
    uint8_t key[8];
    be64_write(key, q->after_id + 1);
    const void *k, *v;
    size_t kl, vl;
    int n = 0;
    *q->next = 0;
    for (rc = store_cursor_seek(c, key, sizeof key, &k, &kl, &v, &vl); rc == 0;
         rc = store_cursor_next(c, &k, &kl, &v, &vl)) {
        if ((unsigned) n == q->limit) { *q->next = q->users[n - 1].id; break; }
        user_record_t u;
        if ((rc = user_decode(v, vl, &u)) < 0) break;
        q->users[n++] = u.pub;
    }
    store_cursor_close(&c);
    return rc == 0 || rc == ERR_NOT_FOUND ? n : rc;
}

int auth_user_list(auth_t *self, uint64_t after_id, unsigned limit, auth_user_t *users,
                   uint64_t *next) {
    assert(self && users && next && limit > 0 && limit <= AUTH_USERS_PAGE_MAX);
    if (after_id == UINT64_MAX) { *next = 0; return 0; }
    list_t q = { after_id, limit, users, next };
    int n = auth_read(self, list_read, &q);
    int64_t now = wall_ms();
    for (int i = 0; i < n; i++)
        users[i].locked_until_ms = throttle_name_locked_until(self->throttle, users[i].username, now);
    return n;
}

/* ---------------------------------------------------------------- members' access */

/* No 0/O, 1/I/L: a code is read off paper and typed on a phone. 32 symbols, 5 bits each. */
static const char code_alphabet[] = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

int auth_member_username(uint64_t cooperative_id, uint64_t member_number,
                         char out[AUTH_USERNAME_MAX + 1]) {
    int n = snprintf(out, AUTH_USERNAME_MAX + 1, "m:%" PRIu64 ":%" PRIu64, cooperative_id,
                     member_number);
    return n > 0 && n <= AUTH_USERNAME_MAX && cooperative_id && member_number ? 0 : ERR_REJECTED;
}

int auth_validate_pin(const char *pin, problem_t *error) {
    size_t n = pin ? strlen(pin) : 0;
    bool ok = n == AUTH_PIN_LEN;
    for (size_t i = 0; ok && i < n; i++) ok = pin[i] >= '0' && pin[i] <= '9';
    if (ok) return 0;
    error_set(error, KIND(INVALID), "invalid_pin", "pin", "pin: exactly 6 digits");
    return ERR_REJECTED;
}

/* The hex BLAKE2b-256 of a code as typed, upper-cased (codes are case-blind on a phone). */
static void code_hash_hex(const char *code, char out[AUTH_CODE_HASH_HEX + 1]) {
    char upper[AUTH_CODE_TEXT_MAX] = "";
    size_t n = 0;
    for (; code && code[n] && n + 1 < sizeof upper; n++)
        upper[n] = code[n] >= 'a' && code[n] <= 'z' ? (char) (code[n] - 32) : code[n];
    unsigned char digest[crypto_generichash_BYTES];
    crypto_generichash(digest, sizeof digest, (const unsigned char *) upper, n, NULL, 0);
    sodium_bin2hex(out, AUTH_CODE_HASH_HEX + 1, digest, sizeof digest);
    sodium_memzero(upper, sizeof upper);
}

typedef struct {
    auth_t *auth;
    uint64_t coop, number, member_id;
    char username[AUTH_USERNAME_MAX + 1];
    char code_hash[AUTH_CODE_HASH_HEX + 1];
    int64_t expires_ms;
    auth_user_t user;
} grant_t;

/* Creates the account or resets it: a new code, no PIN, every session ended. An operator's or
   admin's account of the same name cannot exist (their names hold no ':'). */
static int grant_write(void *arg, store_txn_t *txn) {
    grant_t *g = arg;
    auth_t *a = g->auth;
    user_record_t u;
    int64_t now = wall_ms();
    int rc = user_load_by_name(a, txn, g->username, &u);
    if (rc == ERR_NOT_FOUND) {
        memset(&u, 0, sizeof u);
        if ((rc = next_user_id(a, txn, &u.pub.id)) < 0) return rc;
        if ((rc = put_name(a, txn, g->username, u.pub.id)) < 0) return rc;
        u.pub.created_ms = now;
        snprintf(u.pub.username, sizeof u.pub.username, "%s", g->username);
    } else if (rc < 0) {
        return rc;
    } else if (u.pub.role != LUMBUNG__ROLE__ROLE_MEMBER) {
        return ERR_EXISTS;
    } else {
        u.token_generation++;
    }
    u.pub.role = LUMBUNG__ROLE__ROLE_MEMBER;
    u.pub.active = true;
    u.pub.cooperative_id = g->coop;
    u.pub.member_id = g->member_id;
    u.pub.member_number = g->number;
    u.pub.pin_set = false;
    u.pub.updated_ms = now;
    u.hash[0] = 0;
    snprintf(u.code_hash, sizeof u.code_hash, "%s", g->code_hash);
    u.code_expires_ms = g->expires_ms;
    if ((rc = user_store(a, txn, &u)) < 0) return rc;
    g->user = u.pub;
    return 0;
}

int auth_member_grant(auth_t *self, uint64_t cooperative_id, uint64_t member_number,
                      uint64_t member_id, char code[AUTH_CODE_TEXT_MAX], int64_t *code_expires_ms,
                      auth_user_t *user) {
    assert(self && code && code_expires_ms && user);
    grant_t g = { .auth = self, .coop = cooperative_id, .number = member_number,
                  .member_id = member_id };
    if (auth_member_username(cooperative_id, member_number, g.username) < 0 || !member_id)
        return ERR_REJECTED;
    for (int i = 0; i < AUTH_CODE_LEN; i++)
        code[i] = code_alphabet[randombytes_uniform(sizeof code_alphabet - 1)];
    code[AUTH_CODE_LEN] = 0;
    code_hash_hex(code, g.code_hash);
    g.expires_ms = wall_ms() + (int64_t) self->config.code_ttl_s * 1000;
    int rc = gateway_kv_write(self->store, grant_write, &g);
    if (rc < 0) { sodium_memzero(code, AUTH_CODE_TEXT_MAX); return rc; }
    throttle_clear_name(self->throttle, g.username);
    *code_expires_ms = g.expires_ms;
    *user = g.user;
    return 0;
}

/* The code still unspent and unexpired, compared in constant time. */
static bool code_matches(const user_record_t *u, const char *code_hash, int64_t now) {
    return u->pub.role == LUMBUNG__ROLE__ROLE_MEMBER && u->pub.active &&
           strlen(u->code_hash) == AUTH_CODE_HASH_HEX && u->code_expires_ms > now &&
           sodium_memcmp(u->code_hash, code_hash, AUTH_CODE_HASH_HEX) == 0;
}

static int activate_lookup(auth_t *a, store_txn_t *txn, void *arg) {
    job_t *j = arg;
    user_record_t u;
    int rc = user_load_by_name(a, txn, j->username, &u);
    if (rc == ERR_NOT_FOUND) return 0;
    if (rc < 0) return rc;
    j->verified = code_matches(&u, j->code_hash, wall_ms());
    return 0;
}

void auth_member_activate(auth_t *self, uint64_t cooperative_id, uint64_t member_number,
                          const char *code, const char *pin, const char *address,
                          auth_login_fn fn, void *arg) {
    assert(self && fn);
    job_t *j = job_new(self, JOB_ACTIVATE, arg);
    j->login_fn = fn;
    j->status = ERR_INVALID_CREDENTIALS;
    j->username_valid = auth_member_username(cooperative_id, member_number, j->username) == 0;
    snprintf(j->address, sizeof j->address, "%s", address ? address : "");
    code_hash_hex(code, j->code_hash);
    int64_t now, locked_until;
    if (answered_before_hashing(self, j, &now)) return;
    int rc = j->username_valid ? auth_read(self, activate_lookup, j) : 0;
    if (rc < 0 || !j->verified) {      /* a wrong code is a failed login: counted and delayed */
        if (rc < 0) j->status = rc;
        throttle_state_t after;
        uint64_t delay = throttle_failed(self->throttle, j->username, j->address, now, &after,
                                         &locked_until);
        if (after != THROTTLE_OPEN) set_locked(j, after, locked_until, now);
        job_answer_later(j, delay);
        return;
    }
    j->has_password = true;            /* the PIN is hashed like a password */
    snprintf(j->password, sizeof j->password, "%s", pin ? pin : "");
    if (job_queue(j) < 0) { j->status = ERR_BUSY; job_answer_later(j, 0); }
}

/* Spends the code, sets the PIN and opens a session, in one transaction: of two activations
   racing with the same code only the first finds it unspent. */
static int activate_write(void *arg, store_txn_t *txn) {
    job_t *j = arg;
    auth_t *a = j->auth;
    int64_t now = wall_ms();
    user_record_t u;
    int rc = user_load_by_name(a, txn, j->username, &u);
    j->status = ERR_INVALID_CREDENTIALS;
    if (rc == ERR_NOT_FOUND) return 0;
    if (rc < 0) return rc;
    if (!code_matches(&u, j->code_hash, now)) return 0;
    snprintf(u.hash, sizeof u.hash, "%s", j->hash);
    u.code_hash[0] = 0;
    u.code_expires_ms = 0;
    u.pub.pin_set = true;
    u.token_generation++;
    u.pub.updated_ms = now;
    if ((rc = user_store(a, txn, &u)) < 0) return rc;
    if ((rc = session_create(a, txn, &u, now, &j->login)) < 0) return rc;
    j->login.user = u.pub;
    j->status = 0;
    return 0;
}

static void after_activate(job_t *j) {
    auth_t *a = j->auth;
    int64_t now = wall_ms();
    int rc = j->hash[0] ? gateway_kv_write(a->store, activate_write, j) : -ENOMEM;
    if (rc < 0) j->status = rc;
    if (j->status == 0) {
        throttle_succeeded(a->throttle, j->username, j->address, now);
        job_answer(j);
        return;
    }
    throttle_state_t state;
    int64_t locked_until;
    uint64_t delay = throttle_failed(a->throttle, j->username, j->address, now, &state, &locked_until);
    if (state != THROTTLE_OPEN) set_locked(j, state, locked_until, now);
    job_answer_later(j, delay);
}
