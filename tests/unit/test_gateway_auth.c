/* auth: validation rules, the first admin, logins and their throttling, tokens (tampered,
   revoked, expired), and user changes that end sessions — against a real store and loop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sodium.h>
#include <cmocka.h>

#include "../../services/gateway/auth.h"
#include "unit.h"

typedef struct {
    char dir[UNIT_PATH_MAX];
    uv_loop_t loop;
    store_t *store;
    auth_t *auth;
} fixture_t;

typedef struct {
    bool done;
    int status;
    auth_login_result_t result;
    auth_user_t user;
    problem_t error;
} outcome_t;

static auth_config_t test_config(void) {
    auth_config_t c;
    auth_config_default(&c);
    c.ops = crypto_pwhash_OPSLIMIT_MIN;
    c.mem = crypto_pwhash_MEMLIMIT_MIN;
    c.delay_base_ms = 1;
    c.delay_max_ms = 4;
    c.failures_max = 3;
    c.lock_s = 1;
    return c;
}

static void open_auth(fixture_t *f, const auth_config_t *config) {
    int err = 0;
    f->auth = auth_new(&f->loop, f->store, config, &err);
    assert_non_null(f->auth);
}

static int setup(void **state) {
    fixture_t *f = calloc(1, sizeof *f);
    unit_tempdir(f->dir, "gwauth");
    assert_int_equal(uv_loop_init(&f->loop), 0);
    int err = 0;
    f->store = store_new(f->dir, &err);
    assert_non_null(f->store);
    auth_config_t c = test_config();
    open_auth(f, &c);
    assert_int_equal(auth_bootstrap(f->auth, "admin-password-1"), 0);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture_t *f = *state;
    auth_shutdown(f->auth);
    unit_close_loop(&f->loop);
    auth_destroy(&f->auth);
    store_destroy(&f->store);
    unit_rmtree(f->dir);
    free(f);
    return 0;
}

static bool is_done(void *arg) { return ((outcome_t *) arg)->done; }

static void on_login(void *arg, int status, const auth_login_result_t *result) {
    outcome_t *o = arg;
    o->done = true;
    o->status = status;
    if (result) o->result = *result;
}

static void on_user(void *arg, int status, const auth_user_t *user, const problem_t *error) {
    outcome_t *o = arg;
    o->done = true;
    o->status = status;
    if (user) o->user = *user;
    if (error) o->error = *error;
}

static outcome_t do_login(fixture_t *f, const char *username, const char *password) {
    outcome_t o = { 0 };
    auth_login(f->auth, username, password, "127.0.0.1", on_login, &o);
    assert_false(o.done);                  /* never answered from inside the call */
    assert_true(unit_run_until(&f->loop, is_done, &o, 5000));
    return o;
}

static auth_user_t do_create(fixture_t *f, const char *username, Lumbung__Role role, uint64_t coop) {
    auth_user_input_t in = { .username = username, .password = "a-good-password", .full_name = "Test",
                             .has_role = true, .role = role, .has_cooperative_id = coop != 0,
                             .cooperative_id = coop };
    outcome_t o = { 0 };
    problem_t e;
    assert_int_equal(auth_user_create(f->auth, &in, &e, on_user, &o), 0);
    assert_true(unit_run_until(&f->loop, is_done, &o, 5000));
    assert_int_equal(o.status, 0);
    return o.user;
}

static outcome_t do_update(fixture_t *f, uint64_t id, const auth_user_input_t *in) {
    outcome_t o = { 0 };
    problem_t e;
    int rc = auth_user_update(f->auth, id, in, &e, on_user, &o);
    if (rc < 0) { o.status = rc; o.error = e; return o; }
    assert_true(unit_run_until(&f->loop, is_done, &o, 5000));
    return o;
}

static void validation_names_the_field(void **state) {
    (void) state;
    problem_t e;
    assert_int_equal(auth_validate_username("siti.aminah_2", &e), 0);
    assert_int_equal(auth_validate_username("Siti", &e), ERR_REJECTED);
    assert_string_equal(e.field, "username");
    assert_int_equal(auth_validate_username("ab", &e), ERR_REJECTED);
    assert_int_equal(auth_validate_username("1abc", &e), ERR_REJECTED);
    assert_int_equal(auth_validate_username("abcdefghijabcdefghijabcdefghijabc", &e), ERR_REJECTED);
    assert_int_equal(auth_validate_password("123456789", &e), ERR_REJECTED);
    assert_string_equal(e.code, "password_too_short");
    assert_int_equal(auth_validate_password("kata sandi", &e), 0);
    /* ten characters, more bytes: counted as characters */
    assert_int_equal(auth_validate_password("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", &e), 0);
    assert_int_equal(auth_validate_scope(LUMBUNG__ROLE__ROLE_OPERATOR, 0, &e), ERR_REJECTED);
    assert_string_equal(e.code, "cooperative_required");
    assert_int_equal(auth_validate_scope(LUMBUNG__ROLE__ROLE_SUPERVISOR, 4, &e), ERR_REJECTED);
    assert_string_equal(e.field, "cooperative_id");
    assert_int_equal(auth_validate_scope(LUMBUNG__ROLE__ROLE_SERVICE, 0, &e), ERR_REJECTED);
    assert_string_equal(e.code, "invalid_role");
    assert_int_equal(auth_role_parse("viewer"), LUMBUNG__ROLE__ROLE_VIEWER);
    assert_int_equal(auth_role_parse("service"), LUMBUNG__ROLE__ROLE_UNSPECIFIED);
    assert_string_equal(auth_role_name(LUMBUNG__ROLE__ROLE_SUPERVISOR), "supervisor");
}

static void the_first_admin_logs_in_and_bootstrap_runs_once(void **state) {
    fixture_t *f = *state;
    assert_int_equal(auth_bootstrap(f->auth, "another-password"), 0);   /* store not empty */
    outcome_t o = do_login(f, "admin", "admin-password-1");
    assert_int_equal(o.status, 0);
    assert_string_equal(o.result.user.username, "admin");
    assert_int_equal(o.result.user.role, LUMBUNG__ROLE__ROLE_ADMIN);
    assert_int_equal(strlen(o.result.token), 43);
    auth_user_t u;
    assert_int_equal(auth_authenticate(f->auth, o.result.token, &u), 0);
    assert_int_equal(u.id, o.result.user.id);
    assert_int_equal(do_login(f, "admin", "another-password").status, ERR_INVALID_CREDENTIALS);
}

static void tampered_and_revoked_tokens_are_refused(void **state) {
    fixture_t *f = *state;
    outcome_t o = do_login(f, "admin", "admin-password-1");
    auth_user_t u;
    char bad[AUTH_TOKEN_TEXT_MAX];
    snprintf(bad, sizeof bad, "%s", o.result.token);
    bad[5] = bad[5] == 'a' ? 'b' : 'a';
    assert_int_equal(auth_authenticate(f->auth, bad, &u), ERR_UNAUTHENTICATED);
    assert_int_equal(auth_authenticate(f->auth, "", &u), ERR_UNAUTHENTICATED);
    assert_int_equal(auth_authenticate(f->auth, NULL, &u), ERR_UNAUTHENTICATED);
    assert_int_equal(auth_authenticate(f->auth, "short", &u), ERR_UNAUTHENTICATED);
    assert_int_equal(auth_logout(f->auth, o.result.token), 0);
    assert_int_equal(auth_authenticate(f->auth, o.result.token, &u), ERR_UNAUTHENTICATED);
    assert_int_equal(auth_logout(f->auth, o.result.token), ERR_UNAUTHENTICATED);
}

static outcome_t login_from(fixture_t *f, const char *username, const char *password,
                            const char *address) {
    outcome_t o = { 0 };
    auth_login(f->auth, username, password, address, on_login, &o);
    assert_false(o.done);
    assert_true(unit_run_until(&f->loop, is_done, &o, 5000));
    return o;
}

static void failures_lock_the_account_until_the_lock_expires(void **state) {
    fixture_t *f = *state;
    do_create(f, "budi", LUMBUNG__ROLE__ROLE_SUPERVISOR, 0);
    assert_int_equal(do_login(f, "budi", "wrong-1").status, ERR_INVALID_CREDENTIALS);
    assert_int_equal(do_login(f, "budi", "wrong-2").status, ERR_INVALID_CREDENTIALS);
    outcome_t o = do_login(f, "budi", "wrong-3");
    assert_int_equal(o.status, ERR_LOCKED);
    assert_int_equal(o.result.retry_after_s, 1);
    assert_int_equal(do_login(f, "budi", "a-good-password").status, ERR_LOCKED);
    unit_run_for(&f->loop, 1100);
    assert_int_equal(do_login(f, "budi", "a-good-password").status, 0);
}

/* An unknown name is counted, verified and locked exactly like a known one. */
static void unknown_names_are_treated_like_known_ones(void **state) {
    fixture_t *f = *state;
    do_create(f, "budi", LUMBUNG__ROLE__ROLE_SUPERVISOR, 0);
    uint64_t checks = auth_password_checks(f->auth);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(do_login(f, "budi", "wrong").status, ERR_INVALID_CREDENTIALS);
        assert_int_equal(do_login(f, "nobody", "wrong").status, ERR_INVALID_CREDENTIALS);
    }
    assert_int_equal(auth_password_checks(f->auth), checks + 4);     /* every one hashed */
    assert_int_equal(do_login(f, "budi", "wrong").status, ERR_LOCKED);
    assert_int_equal(do_login(f, "nobody", "wrong").status, ERR_LOCKED);
    checks = auth_password_checks(f->auth);
    assert_int_equal(do_login(f, "budi", "a-good-password").status, ERR_LOCKED);
    assert_int_equal(do_login(f, "nobody", "wrong").status, ERR_LOCKED);
    assert_int_equal(auth_password_checks(f->auth), checks);         /* a lock costs no hash */
}

/* A stranger locking a name from one address does not keep its user out from another. */
static void a_lock_holds_only_for_the_address_it_came_from(void **state) {
    fixture_t *f = *state;
    auth_user_t budi = do_create(f, "budi", LUMBUNG__ROLE__ROLE_SUPERVISOR, 0);
    for (int i = 0; i < 3; i++) login_from(f, "budi", "wrong", "10.0.0.2");
    assert_int_equal(login_from(f, "budi", "a-good-password", "10.0.0.2").status, ERR_LOCKED);
    assert_int_equal(login_from(f, "budi", "a-good-password", "10.0.0.1").status, 0);
    auth_user_t u;
    assert_int_equal(auth_user_get(f->auth, budi.id, &u), 0);
    assert_true(u.locked_until_ms > 0);                  /* the admin sees the lock */
    auth_user_input_t unlock = { .unlock = true, .has_role = true, .role = budi.role };
    assert_int_equal(do_update(f, budi.id, &unlock).status, 0);
    assert_int_equal(login_from(f, "budi", "a-good-password", "10.0.0.2").status, 0);
    assert_int_equal(auth_user_get(f->auth, budi.id, &u), 0);
    assert_int_equal(u.locked_until_ms, 0);
}

/* Many names from one address lock the address, for every name, and only it. */
static void an_address_spraying_names_is_locked(void **state) {
    fixture_t *f = *state;
    auth_shutdown(f->auth);
    unit_run_for(&f->loop, 10);
    auth_destroy(&f->auth);
    auth_config_t c = test_config();
    c.address_failures_max = 4;
    open_auth(f, &c);
    char name[16];
    for (int i = 0; i < 3; i++) {
        snprintf(name, sizeof name, "guess%d", i);
        assert_int_equal(login_from(f, name, "wrong", "10.0.0.9").status, ERR_INVALID_CREDENTIALS);
    }
    outcome_t o = login_from(f, "guess3", "wrong", "10.0.0.9");
    assert_int_equal(o.status, ERR_THROTTLED);
    assert_int_equal(o.result.retry_after_s, 1);
    assert_int_equal(login_from(f, "admin", "admin-password-1", "10.0.0.9").status, ERR_THROTTLED);
    assert_int_equal(login_from(f, "admin", "admin-password-1", "10.0.0.1").status, 0);
    unit_run_for(&f->loop, 1100);
    assert_int_equal(login_from(f, "admin", "admin-password-1", "10.0.0.9").status, 0);
}

static void tokens_expire(void **state) {
    fixture_t *f = *state;
    auth_shutdown(f->auth);
    unit_run_for(&f->loop, 10);
    auth_destroy(&f->auth);
    auth_config_t c = test_config();
    c.token_ttl_s = 1;
    open_auth(f, &c);
    outcome_t o = do_login(f, "admin", "admin-password-1");
    auth_user_t u;
    assert_int_equal(auth_authenticate(f->auth, o.result.token, &u), 0);
    unit_run_for(&f->loop, 1100);
    assert_int_equal(auth_authenticate(f->auth, o.result.token, &u), ERR_UNAUTHENTICATED);
}

static void password_changes_and_deactivation_end_sessions(void **state) {
    fixture_t *f = *state;
    auth_user_t op = do_create(f, "rina", LUMBUNG__ROLE__ROLE_OPERATOR, 9);
    assert_int_equal(op.cooperative_id, 9);
    outcome_t o = do_login(f, "rina", "a-good-password");
    auth_user_t u;
    auth_user_input_t rename = { .full_name = "Rina Wati" };
    assert_int_equal(do_update(f, op.id, &rename).status, 0);
    assert_int_equal(auth_authenticate(f->auth, o.result.token, &u), 0);   /* still valid */
    assert_string_equal(u.full_name, "Rina Wati");
    auth_user_input_t pw = { .password = "a-new-password" };
    assert_int_equal(do_update(f, op.id, &pw).status, 0);
    assert_int_equal(auth_authenticate(f->auth, o.result.token, &u), ERR_UNAUTHENTICATED);
    o = do_login(f, "rina", "a-new-password");
    assert_int_equal(o.status, 0);
    auth_user_input_t off = { .has_active = true, .active = false };
    assert_int_equal(do_update(f, op.id, &off).status, 0);
    assert_int_equal(auth_authenticate(f->auth, o.result.token, &u), ERR_UNAUTHENTICATED);
    assert_int_equal(do_login(f, "rina", "a-new-password").status, ERR_INVALID_CREDENTIALS);
}

static void usernames_are_unique_and_the_last_admin_stays(void **state) {
    fixture_t *f = *state;
    auth_user_t s = do_create(f, "sari", LUMBUNG__ROLE__ROLE_SUPERVISOR, 0);
    auth_user_input_t dup = { .username = "sari", .password = "a-good-password", .full_name = "X",
                              .has_role = true, .role = LUMBUNG__ROLE__ROLE_SUPERVISOR };
    problem_t e;
    outcome_t o = { 0 };
    assert_int_equal(auth_user_create(f->auth, &dup, &e, on_user, &o), ERR_EXISTS);
    assert_string_equal(e.code, "username_taken");
    auth_user_input_t rename = { .username = "admin" };
    assert_int_equal(do_update(f, s.id, &rename).status, ERR_EXISTS);
    auth_user_input_t demote = { .has_role = true, .role = LUMBUNG__ROLE__ROLE_SUPERVISOR };
    o = do_update(f, 1, &demote);
    assert_int_equal(o.status, ERR_RULE);
    assert_string_equal(o.error.code, "last_admin");
    auth_user_input_t promote = { .has_role = true, .role = LUMBUNG__ROLE__ROLE_ADMIN };
    assert_int_equal(do_update(f, s.id, &promote).status, 0);
    assert_int_equal(do_update(f, 1, &demote).status, 0);          /* now another admin exists */
    auth_user_t users[AUTH_USERS_PAGE_MAX];
    uint64_t next = 0;
    assert_int_equal(auth_user_list(f->auth, 0, 1, users, &next), 1);
    assert_int_equal(next, users[0].id);
    assert_int_equal(auth_user_list(f->auth, next, 10, users, &next), 1);
    assert_int_equal(next, 0);
    assert_string_equal(users[0].username, "sari");
}

int main(void) {
    unit_quiet_logs("test_gateway_auth");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(validation_names_the_field),
        cmocka_unit_test_setup_teardown(the_first_admin_logs_in_and_bootstrap_runs_once, setup, teardown),
        cmocka_unit_test_setup_teardown(tampered_and_revoked_tokens_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(failures_lock_the_account_until_the_lock_expires, setup, teardown),
        cmocka_unit_test_setup_teardown(unknown_names_are_treated_like_known_ones, setup, teardown),
        cmocka_unit_test_setup_teardown(a_lock_holds_only_for_the_address_it_came_from, setup, teardown),
        cmocka_unit_test_setup_teardown(an_address_spraying_names_is_locked, setup, teardown),
        cmocka_unit_test_setup_teardown(tokens_expire, setup, teardown),
        cmocka_unit_test_setup_teardown(password_changes_and_deactivation_end_sessions, setup, teardown),
        cmocka_unit_test_setup_teardown(usernames_are_unique_and_the_last_admin_stays, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
