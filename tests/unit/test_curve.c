/* curve: key files, the allow-list and the ZAP handler that admits only listed keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <errno.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <zmq.h>

#include "unit.h"
#include "curve.h"

static char dir[UNIT_PATH_MAX];

static int setup(void **state) {
    (void) state;
    unit_tempdir(dir, "curve");
    setenv("LUMBUNG_KEYS", dir, 1);
    return 0;
}

static int teardown(void **state) {
    (void) state;
    unsetenv("LUMBUNG_KEYS");
    unsetenv("LUMBUNG_DATA");
    unit_rmtree(dir);
    return 0;
}

static void path_in(char *out, size_t size, const char *name) {
    snprintf(out, size, "%s/%s", dir, name);
}

static int count_lines_starting(const char *file, const char *prefix) {
    char path[UNIT_PATH_MAX + 64], line[256];
    path_in(path, sizeof path, file);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    int n = 0;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, prefix, strlen(prefix))) n++;
    fclose(f);
    return n;
}

static void write_allow_list(const char *text) {
    char path[UNIT_PATH_MAX + 64];
    path_in(path, sizeof path, "allow.list");
    unit_write_file(path, text);
}

/* ---- key files ---- */

static void key_dir_is_lumbung_keys_or_under_the_data_dir(void **state) {
    (void) state;
    char buf[UNIT_PATH_MAX];
    assert_string_equal(curve_key_dir(buf, sizeof buf), dir);
    unsetenv("LUMBUNG_KEYS");
    setenv("LUMBUNG_DATA", "/srv/lumbung", 1);
    assert_string_equal(curve_key_dir(buf, sizeof buf), "/srv/lumbung/keys");
}

static void ensure_creates_a_matching_keypair(void **state) {
    (void) state;
    assert_int_equal(curve_keys_ensure(dir, "members", NULL), 0);
    char pub[CURVE_KEY_Z85 + 1], sec[CURVE_KEY_Z85 + 1], derived[CURVE_KEY_Z85 + 1];
    assert_int_equal(curve_keys_load(dir, "members", pub, sec), 0);
    assert_int_equal(strlen(pub), CURVE_KEY_Z85);
    assert_int_equal(zmq_curve_public(derived, sec), 0);
    assert_string_equal(derived, pub);

    char path[UNIT_PATH_MAX + 64];
    struct stat st;
    path_in(path, sizeof path, "members.key");
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 077, 0);   /* the secret is readable by its owner only */
    assert_int_equal(st.st_size, CURVE_KEY_Z85 + 1);
    /* Without allow_role nothing is admitted. */
    assert_int_equal(count_lines_starting("allow.list", "members "), 0);
}

static void ensure_is_idempotent(void **state) {
    (void) state;
    char pub1[CURVE_KEY_Z85 + 1], sec1[CURVE_KEY_Z85 + 1];
    char pub2[CURVE_KEY_Z85 + 1], sec2[CURVE_KEY_Z85 + 1];
    assert_int_equal(curve_keys_ensure(dir, "gateway", "service"), 0);
    assert_int_equal(curve_keys_load(dir, "gateway", pub1, sec1), 0);
    assert_int_equal(curve_keys_ensure(dir, "gateway", "service"), 0);
    assert_int_equal(curve_keys_ensure(dir, "gateway", NULL), 0);
    assert_int_equal(curve_keys_load(dir, "gateway", pub2, sec2), 0);
    assert_string_equal(pub1, pub2);
    assert_string_equal(sec1, sec2);
    assert_int_equal(count_lines_starting("allow.list", "gateway service "), 1);
}

static void ensure_creates_missing_directories(void **state) {
    (void) state;
    char nested[UNIT_PATH_MAX + 64];
    path_in(nested, sizeof nested, "var/keys");
    assert_int_equal(curve_keys_ensure(nested, "reporting", "service"), 0);
    char pub[CURVE_KEY_Z85 + 1];
    assert_int_equal(curve_keys_load(nested, "reporting", pub, NULL), 0);
}

static void ensure_rejects_names_that_are_not_plain(void **state) {
    (void) state;
    char long_name[CURVE_NAME_MAX + 1];
    memset(long_name, 'a', CURVE_NAME_MAX);
    long_name[CURVE_NAME_MAX] = 0;
    const char *bad[] = { "", "Members", "a/b", "../etc", "bank one", "x.y", long_name };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(curve_keys_ensure(dir, bad[i], "integrator"), -EINVAL);
    assert_int_equal(curve_keys_ensure(dir, "bank-bri_2", "integrator"), 0);
}

/* Services started together on a fresh directory must agree on one key per name. */
static void concurrent_ensures_agree_on_one_key(void **state) {
    (void) state;
    enum { RACERS = 4 };
    pid_t pids[RACERS];
    for (int i = 0; i < RACERS; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) _exit(curve_keys_ensure(dir, "racer", "service") == 0 ? 0 : 1);
    }
    for (int i = 0; i < RACERS; i++) {
        int status;
        assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    assert_int_equal(count_lines_starting("allow.list", "racer "), 1);
    char pub[CURVE_KEY_Z85 + 1], sec[CURVE_KEY_Z85 + 1], derived[CURVE_KEY_Z85 + 1];
    assert_int_equal(curve_keys_load(dir, "racer", pub, sec), 0);
    assert_int_equal(zmq_curve_public(derived, sec), 0);
    assert_string_equal(derived, pub);
    curve_allowlist_t *list = calloc(1, sizeof *list);
    assert_int_equal(curve_allowlist_load(dir, list), 0);
    assert_int_equal(list->count, 1);
    assert_string_equal(list->peers[0].public_z85, pub);
    free(list);
}

static void load_of_a_missing_or_short_key_fails(void **state) {
    (void) state;
    char pub[CURVE_KEY_Z85 + 1], sec[CURVE_KEY_Z85 + 1];
    assert_int_equal(curve_keys_load(dir, "nobody", pub, NULL), -ENOENT);
    char path[UNIT_PATH_MAX + 64];
    path_in(path, sizeof path, "short.pub");
    unit_write_file(path, "tooShort\n");
    assert_int_equal(curve_keys_load(dir, "short", pub, NULL), -EINVAL);
    /* Public key present, secret missing (another host's key): no secret to load. */
    assert_int_equal(curve_keys_ensure(dir, "elsewhere", NULL), 0);
    path_in(path, sizeof path, "elsewhere.key");
    assert_int_equal(unlink(path), 0);
    assert_int_equal(curve_keys_load(dir, "elsewhere", pub, NULL), 0);
    assert_int_equal(curve_keys_load(dir, "elsewhere", pub, sec), -ENOENT);
}

/* ---- the allow-list ---- */

/* 32 bytes whose Z85 form starts with "0000#": 84 is the index of '#' in the Z85 alphabet. */
static void key_with_a_hash(uint8_t key[32], char z85[CURVE_KEY_Z85 + 1]) {
    for (int i = 0; i < 32; i++) key[i] = (uint8_t) (i * 37 + 11);
    key[0] = key[1] = key[2] = 0;
    key[3] = 84;
    assert_non_null(zmq_z85_encode(z85, key, 32));
    assert_non_null(strchr(z85, '#'));
}

static void a_missing_allow_list_is_empty(void **state) {
    (void) state;
    curve_allowlist_t *list = calloc(1, sizeof *list);
    list->count = 5;
    assert_int_equal(curve_allowlist_load(dir, list), 0);
    assert_int_equal(list->count, 0);
    free(list);
}

static void allow_list_parses_comments_blanks_and_keys_with_a_hash(void **state) {
    (void) state;
    uint8_t hash_key[32];
    char hash_z85[CURVE_KEY_Z85 + 1], pub[CURVE_KEY_Z85 + 1], text[1024];
    key_with_a_hash(hash_key, hash_z85);
    assert_int_equal(curve_keys_ensure(dir, "members", NULL), 0);
    assert_int_equal(curve_keys_load(dir, "members", pub, NULL), 0);
    snprintf(text, sizeof text,
             "# peers admitted to the Lumbung bus\n"
             "\n"
             "   # an indented comment\n"
             "members service %s\n"
             "bank-bri integrator %s\n"
             "  \t\n",
             pub, hash_z85);
    write_allow_list(text);
    curve_allowlist_t *list = calloc(1, sizeof *list);
    assert_int_equal(curve_allowlist_load(dir, list), 0);
    assert_int_equal(list->count, 2);
    assert_string_equal(list->peers[1].name, "bank-bri");
    assert_string_equal(list->peers[1].role, "integrator");
    assert_string_equal(list->peers[1].public_z85, hash_z85);

    const curve_peer_t *found = curve_allowlist_find(list, hash_key);
    assert_non_null(found);
    assert_string_equal(found->name, "bank-bri");
    uint8_t members_key[32];
    assert_non_null(zmq_z85_decode(members_key, pub));
    found = curve_allowlist_find(list, members_key);
    assert_non_null(found);
    assert_string_equal(found->role, "service");

    uint8_t stranger[32];
    memset(stranger, 0x42, sizeof stranger);
    assert_null(curve_allowlist_find(list, stranger));
    free(list);
}

/* Operators edit allow.list by hand; an editor may leave out the final newline. */
static void an_added_peer_starts_its_own_line_after_a_hand_edit(void **state) {
    (void) state;
    char pub[CURVE_KEY_Z85 + 1], text[128];
    assert_int_equal(curve_keys_ensure(dir, "members", NULL), 0);
    assert_int_equal(curve_keys_load(dir, "members", pub, NULL), 0);
    snprintf(text, sizeof text, "members service %s", pub);   /* no newline at the end */
    write_allow_list(text);
    assert_int_equal(curve_keys_ensure(dir, "bank-bri", "integrator"), 0);
    curve_allowlist_t *list = calloc(1, sizeof *list);
    assert_int_equal(curve_allowlist_load(dir, list), 0);
    assert_int_equal(list->count, 2);
    assert_string_equal(list->peers[0].name, "members");
    assert_string_equal(list->peers[1].name, "bank-bri");
    free(list);
}

static void malformed_allow_list_lines_are_errors(void **state) {
    (void) state;
    char pub[CURVE_KEY_Z85 + 1], text[512];
    assert_int_equal(curve_keys_ensure(dir, "members", NULL), 0);
    assert_int_equal(curve_keys_load(dir, "members", pub, NULL), 0);
    const char *bad[] = {
        "members service\n",                           /* no key */
        "members\n",                                   /* no role, no key */
        "members service tooShortToBeAKey\n",          /* wrong key length */
        "members servise KEY\n",                       /* a role that does not exist */
        "members service \"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\n", /* 40, not Z85 */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char line[128];
        snprintf(line, sizeof line, "%s", bad[i]);
        char *k = strstr(line, "KEY");
        if (k) snprintf(k, sizeof line - (size_t) (k - line), "%s\n", pub);
        snprintf(text, sizeof text, "gateway service %s\n%s", pub, line);
        write_allow_list(text);
        curve_allowlist_t *list = calloc(1, sizeof *list);
        assert_int_equal(curve_allowlist_load(dir, list), -EINVAL);
        assert_int_equal(list->count, 1);                /* only the good line is admitted */
        assert_string_equal(list->peers[0].name, "gateway");
        free(list);
    }
}

static void a_key_file_holds_one_key_and_a_line_end(void **state) {
    (void) state;
    char pub[CURVE_KEY_Z85 + 1], path[UNIT_PATH_MAX + 64], text[128];
    assert_int_equal(curve_keys_ensure(dir, "members", NULL), 0);
    assert_int_equal(curve_keys_load(dir, "members", pub, NULL), 0);
    path_in(path, sizeof path, "crlf.pub");
    snprintf(text, sizeof text, "%s\r\n", pub);                /* edited on Windows */
    unit_write_file(path, text);
    char got[CURVE_KEY_Z85 + 1];
    assert_int_equal(curve_keys_load(dir, "crlf", got, NULL), 0);
    assert_string_equal(got, pub);
    path_in(path, sizeof path, "long.pub");
    snprintf(text, sizeof text, "%sXY\n", pub);                 /* pasted with extra text */
    unit_write_file(path, text);
    assert_int_equal(curve_keys_load(dir, "long", got, NULL), -EINVAL);
}

/* ---- the ZAP handler, asked directly over inproc as libzmq would ask it ---- */

typedef struct {
    void *ctx;
    uv_loop_t loop;
    zap_t *zap;
    void *req;
} zap_fixture_t;

static void zap_start(zap_fixture_t *z) {
    assert_int_equal(uv_loop_init(&z->loop), 0);
    z->ctx = zmq_ctx_new();
    assert_non_null(z->ctx);
    curve_allowlist_t *list = calloc(1, sizeof *list);
    assert_int_equal(curve_allowlist_load(dir, list), 0);
    int err = 0;
    z->zap = zap_new(z->ctx, &z->loop, NULL, list, NULL, &err);
    free(list);
    assert_non_null(z->zap);
    z->req = zmq_socket(z->ctx, ZMQ_REQ);
    int linger = 0;
    zmq_setsockopt(z->req, ZMQ_LINGER, &linger, sizeof linger);
    assert_int_equal(zmq_connect(z->req, "inproc://zeromq.zap.01"), 0);
}

static void zap_stop(zap_fixture_t *z) {
    zmq_close(z->req);
    zap_destroy(&z->zap);
    assert_null(z->zap);
    unit_close_loop(&z->loop);
    zmq_ctx_term(z->ctx);
}

static bool req_readable(void *arg) {
    zmq_pollitem_t item = { .socket = arg, .events = ZMQ_POLLIN };
    return zmq_poll(&item, 1, 0) == 1;
}

typedef struct {
    char status[8];
    char user[CURVE_NAME_MAX];
} zap_answer_t;

/* Sends one ZAP request and returns the handler's answer. */
static zap_answer_t zap_ask_in(zap_fixture_t *z, const char *domain, const char *mechanism,
                               const void *cred, size_t cred_len) {
    const void *parts[] = { "1.0", "7", domain, "127.0.0.1", "", mechanism, cred };
    size_t sizes[] = { 3, 1, strlen(domain), 9, 0, strlen(mechanism), cred_len };
    int count = cred ? 7 : 6;
    for (int i = 0; i < count; i++)
        assert_true(zmq_send(z->req, parts[i], sizes[i], i + 1 < count ? ZMQ_SNDMORE : 0) >= 0);
    assert_true(unit_run_until(&z->loop, req_readable, z->req, UNIT_RUN_MS_DEFAULT));
    zap_answer_t a = { "", "" };
    char frame[256];
    for (int i = 0; i < 6; i++) {
        int n = zmq_recv(z->req, frame, sizeof frame - 1, 0);
        assert_true(n >= 0);
        frame[n] = 0;
        if (i == 1) assert_string_equal(frame, "7");   /* the request id is echoed */
        if (i == 2) snprintf(a.status, sizeof a.status, "%.7s", frame);
        if (i == 4) snprintf(a.user, sizeof a.user, "%.63s", frame);
        int more;
        size_t ms = sizeof more;
        zmq_getsockopt(z->req, ZMQ_RCVMORE, &more, &ms);
        assert_int_equal(more, i < 5);
    }
    return a;
}

static zap_answer_t zap_ask(zap_fixture_t *z, const char *mechanism, const void *cred, size_t cred_len) {
    return zap_ask_in(z, "lumbung", mechanism, cred, cred_len);
}

static void listed_key(const char *name, const char *role, uint8_t key[32]) {
    char pub[CURVE_KEY_Z85 + 1];
    assert_int_equal(curve_keys_ensure(dir, name, role), 0);
    assert_int_equal(curve_keys_load(dir, name, pub, NULL), 0);
    assert_non_null(zmq_z85_decode(key, pub));
}

static void zap_admits_a_listed_key_and_names_the_peer(void **state) {
    (void) state;
    uint8_t key[32];
    listed_key("bank-bri", "integrator", key);
    zap_fixture_t z;
    zap_start(&z);
    zap_answer_t a = zap_ask(&z, "CURVE", key, 32);
    assert_string_equal(a.status, "200");
    assert_string_equal(a.user, "bank-bri");
    assert_int_equal(zap_refused(z.zap), 0);
    assert_string_equal(zap_peer_role(z.zap, "bank-bri"), "integrator");
    assert_null(zap_peer_role(z.zap, "nobody"));
    zap_stop(&z);
}

static void zap_refuses_unlisted_keys_and_other_mechanisms(void **state) {
    (void) state;
    uint8_t key[32], stranger[32];
    listed_key("members", "service", key);
    assert_int_equal(curve_keys_ensure(dir, "stranger", NULL), 0);
    char pub[CURVE_KEY_Z85 + 1];
    assert_int_equal(curve_keys_load(dir, "stranger", pub, NULL), 0);
    assert_non_null(zmq_z85_decode(stranger, pub));
    zap_fixture_t z;
    zap_start(&z);
    zap_answer_t a = zap_ask(&z, "CURVE", stranger, 32);
    assert_string_equal(a.status, "400");
    assert_string_equal(a.user, "");
    assert_int_equal(zap_refused(z.zap), 1);
    a = zap_ask(&z, "NULL", NULL, 0);
    assert_string_equal(a.status, "400");
    a = zap_ask(&z, "PLAIN", "members", 7);
    assert_string_equal(a.status, "400");
    a = zap_ask(&z, "CURVE", key, 31);   /* a truncated key is no key */
    assert_string_equal(a.status, "400");
    assert_int_equal(zap_refused(z.zap), 4);
    a = zap_ask(&z, "CURVE", key, 32);   /* and it keeps serving */
    assert_string_equal(a.status, "200");
    assert_int_equal(zap_refused(z.zap), 4);
    zap_stop(&z);
}

/* `lumbungctl keys add` changes allow.list on disk; running services admit the new peer. */
static void zap_admits_a_peer_added_while_running(void **state) {
    (void) state;
    uint8_t key[32];
    zap_fixture_t z;
    zap_start(&z);   /* no allow.list yet */
    listed_key("latecomer", "integrator", key);
    zap_answer_t a = zap_ask(&z, "CURVE", key, 32);
    assert_string_equal(a.status, "200");
    assert_string_equal(a.user, "latecomer");
    assert_string_equal(zap_peer_role(z.zap, "latecomer"), "integrator");
    zap_stop(&z);
}

/* ---- integrator scopes ---- */

static const char *const K1 = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";

static void scoped_lines_parse_and_old_lines_stay_unscoped(void **state) {
    (void) state;
    char text[1024];
    snprintf(text, sizeof text,
             "members service %s\n"
             "old-bank integrator %s\n"
             "bank-bri integrator %s cooperatives=3,7 operations=deposit,post_repayment\n"
             "province integrator %s cooperatives=all operations=all\n", K1, K1, K1, K1);
    write_allow_list(text);
    curve_allowlist_t *list = calloc(1, sizeof *list);
    assert_int_equal(curve_allowlist_load(dir, list), 0);
    assert_int_equal(list->count, 4);
    assert_false(list->peers[0].scoped);
    assert_false(list->peers[1].scoped);                 /* may act for no cooperative */
    assert_false(curve_peer_may_cooperative(&list->peers[1], 3));
    assert_false(curve_peer_may_operation(&list->peers[1], "deposit"));
    const curve_peer_t *bri = &list->peers[2];
    assert_true(curve_peer_may_cooperative(bri, 3) && curve_peer_may_cooperative(bri, 7));
    assert_false(curve_peer_may_cooperative(bri, 4));
    assert_true(curve_peer_may_operation(bri, "post_repayment"));
    assert_false(curve_peer_may_operation(bri, "post"));
    assert_false(curve_peer_may_operation(bri, "withdraw"));
    assert_true(curve_peer_may_cooperative(&list->peers[3], 99));
    assert_true(curve_peer_may_operation(&list->peers[3], "withdraw"));
    char words[256];
    curve_scope_format(bri, words, sizeof words);
    assert_string_equal(words, "cooperatives=3,7 operations=deposit,post_repayment");
    free(list);
}

static void bad_scopes_are_errors(void **state) {
    (void) state;
    const char *bad[] = { "cooperatives=3", "operations=deposit", "cooperatives=0 operations=x",
                          "cooperatives=3,,7 operations=x", "cooperatives=-3 operations=x",
                          "cooperatives=3 operations=Deposit", "colour=blue" };
    curve_allowlist_t *list = calloc(1, sizeof *list);
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[256];
        snprintf(text, sizeof text, "bank integrator %s %s\n", K1, bad[i]);
        write_allow_list(text);
        assert_int_equal(curve_allowlist_load(dir, list), -EINVAL);
        assert_int_equal(list->count, 0);
    }
    char text[256];
    snprintf(text, sizeof text, "members service %s cooperatives=3 operations=deposit\n", K1);
    write_allow_list(text);                               /* a service has no scope */
    assert_int_equal(curve_allowlist_load(dir, list), -EINVAL);
    free(list);
}

static void scope_revoke_and_rotate_edit_only_their_line(void **state) {
    (void) state;
    assert_int_equal(curve_keys_ensure(dir, "members", "service"), 0);
    assert_int_equal(curve_keys_ensure(dir, "bank-bri", "integrator"), 0);
    assert_int_equal(curve_keys_ensure(dir, "bank-bni", "integrator"), 0);
    char path[UNIT_PATH_MAX + 64];
    path_in(path, sizeof path, "allow.list");
    FILE *f = fopen(path, "a");
    fputs("# a comment the administrator wrote\n", f);
    fclose(f);
    assert_int_equal(curve_keys_scope(dir, "bank-bri", "3,7", "deposit"), 0);
    assert_int_equal(curve_keys_scope(dir, "members", "3", "deposit"), -EINVAL);
    assert_int_equal(curve_keys_scope(dir, "nobody", "3", "deposit"), -ENOENT);
    char before[CURVE_KEY_Z85 + 1], after[CURVE_KEY_Z85 + 1];
    assert_int_equal(curve_keys_load(dir, "bank-bri", before, NULL), 0);
    assert_int_equal(curve_keys_rotate(dir, "bank-bri"), 0);
    assert_int_equal(curve_keys_load(dir, "bank-bri", after, NULL), 0);
    assert_string_not_equal(before, after);
    assert_int_equal(curve_keys_revoke(dir, "bank-bni"), 0);
    assert_int_equal(curve_keys_revoke(dir, "bank-bni"), -ENOENT);
    curve_allowlist_t *list = calloc(1, sizeof *list);
    assert_int_equal(curve_allowlist_load(dir, list), 0);
    assert_int_equal(list->count, 2);
    assert_string_equal(list->peers[1].name, "bank-bri");
    assert_string_equal(list->peers[1].public_z85, after);          /* new key, scope kept */
    assert_true(list->peers[1].scoped && curve_peer_may_cooperative(&list->peers[1], 7));
    assert_int_equal(count_lines_starting("allow.list", "# a comment"), 1);
    assert_int_equal(count_lines_starting("allow.list", "bank-bni"), 0);
    free(list);
}

/* The event streams: a PUB cannot filter per subscriber, so only integrators that may see
   every cooperative subscribe; the others follow by (filtered) replay. */
static void zap_keeps_scoped_integrators_off_the_event_streams(void **state) {
    (void) state;
    uint8_t bri[32], province[32], members[32];
    listed_key("bank-bri", "integrator", bri);
    listed_key("province", "integrator", province);
    listed_key("members", "service", members);
    assert_int_equal(curve_keys_scope(dir, "bank-bri", "3", "deposit"), 0);
    assert_int_equal(curve_keys_scope(dir, "province", "all", "balance_sheet"), 0);
    zap_fixture_t z;
    zap_start(&z);
    assert_string_equal(zap_ask_in(&z, CURVE_DOMAIN_PUB, "CURVE", bri, 32).status, "400");
    assert_string_equal(zap_ask_in(&z, CURVE_DOMAIN_PUB, "CURVE", province, 32).status, "200");
    assert_string_equal(zap_ask_in(&z, CURVE_DOMAIN_PUB, "CURVE", members, 32).status, "200");
    assert_string_equal(zap_ask(&z, "CURVE", bri, 32).status, "200");     /* its requests: yes */
    const curve_peer_t *p = zap_peer(z.zap, "bank-bri");
    assert_non_null(p);
    assert_true(curve_peer_may_cooperative(p, 3));
    zap_stop(&z);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void) {
    unit_quiet_logs("test_curve");
    const struct CMUnitTest tests[] = {
        T(key_dir_is_lumbung_keys_or_under_the_data_dir),
        T(ensure_creates_a_matching_keypair),
        T(ensure_is_idempotent),
        T(ensure_creates_missing_directories),
        T(ensure_rejects_names_that_are_not_plain),
        T(concurrent_ensures_agree_on_one_key),
        T(load_of_a_missing_or_short_key_fails),
        T(a_missing_allow_list_is_empty),
        T(allow_list_parses_comments_blanks_and_keys_with_a_hash),
        T(an_added_peer_starts_its_own_line_after_a_hand_edit),
        T(malformed_allow_list_lines_are_errors),
        T(a_key_file_holds_one_key_and_a_line_end),
        T(zap_admits_a_listed_key_and_names_the_peer),
        T(zap_refuses_unlisted_keys_and_other_mechanisms),
        T(zap_admits_a_peer_added_while_running),
        T(scoped_lines_parse_and_old_lines_stay_unscoped),
        T(bad_scopes_are_errors),
        T(scope_revoke_and_rotate_edit_only_their_line),
        T(zap_keeps_scoped_integrators_off_the_event_streams),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
