/*  lumbungctl — the district administrator's command line (docs/operations.md).

      keys init                            keypairs + allow-list lines of the four services and
                                           of lumbungctl itself (its key asks for `status`)
      keys add NAME integrator --cooperatives 3,7|all --operations deposit,repayment|all
      keys add NAME service                a keypair for a Lumbung service
      keys import NAME KEY [service|integrator|none] [--cooperatives .. --operations ..]
      keys scope NAME --cooperatives .. --operations ..   change an integrator's scope
      keys list | show NAME | revoke NAME | rotate NAME
      backup SERVICE DIR | backup all DIR  hot copies, consumers before producers, owner only
      restore DIR                          a backup into an empty data directory, then verify
      verify [DIR]                         offline: outboxes, books, cursors (default: the data)
      status                               each running service over the bus (every shard)
      move-cooperative COOP SHARD          with the system stopped: the cooperative's books to
                                           another transactions shard, and the shard map
      shard-of COOP                        the shard the map gives a cooperative

    Operation names are the fields of the services' request oneofs (scope.h), checked here so
    a typo is refused before it reaches allow.list. Keys live in LUMBUNG_KEYS (default
    $LUMBUNG_DATA/keys), stores under LUMBUNG_DATA.
    Not for: anything the HTTP API does (users, cooperatives, money). */
#include "../services/transactions/move.h"
#include "../services/transactions/verify.h"
#include "bytes.h"
#include "config.h"
#include "curve.h"
#include "envelope.h"
#include "files.h"
#include "log.h"
#include "scope.h"
#include "shard.h"
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sodium.h>
#include <stdlib.h>
#include <zmq.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* keys init: the four services and this tool's own key (for `status`). */
static const char *const services[] = { "members", "transactions", "reporting", "gateway", "lumbungctl" };

static int usage(void) {
    fprintf(stderr,
            "usage: lumbungctl keys init | keys show NAME | keys list\n"
            "       lumbungctl keys add NAME integrator --cooperatives ID,ID|all --operations OP,OP|all\n"
            "       lumbungctl keys add NAME service\n"
            "       lumbungctl keys import NAME PUBLIC-KEY [service|integrator|none] [--cooperatives .. --operations ..]\n"
            "       lumbungctl keys scope NAME --cooperatives ID,ID|all --operations OP,OP|all\n"
            "       lumbungctl keys revoke NAME | keys rotate NAME\n"
            "       lumbungctl backup SERVICE DIR | backup all DIR | restore DIR | verify [DIR] | status\n"
            "       lumbungctl move-cooperative COOPERATIVE SHARD   (system stopped)\n"
            "       lumbungctl shard-of COOPERATIVE\n");
    return 2;
}

/* Short names an administrator may use for the common money operations; stored as the
   oneof field names the services see (scope.h). */
static const struct { const char *alias, *operation; } op_aliases[] = {
    { "repayment", "post_repayment" },   { "disbursement", "post_disbursement" },
    { "recovery", "post_recovery" },     { "batch", "post_batch" },
    { "entry", "post_entry" },           { "opening", "post_opening" },
    { "write_off", "write_off_loan" },   { "withdrawal", "withdraw" },
    { "loan", "create_loan" },
};

/* "deposit,repayment" -> "deposit,post_repayment" in out; refuses an unknown name, saying which. */
static int operations_normalise(const char *text, char *out, size_t size) {
    if (!strcmp(text, "all")) {
        snprintf(out, size, "all");
        return 0;
    }
    size_t at = 0;
    out[0] = 0;
    for (const char *s = text; *s;) {
        size_t len = strcspn(s, ",");
        char name[64];
        if (len == 0 || len >= sizeof name) {
            fprintf(stderr, "lumbungctl: --operations: an empty or over-long name in '%s'\n", text);
            return -1;
        }
        memcpy(name, s, len);
        name[len] = 0;
        const char *op = name;
        for (unsigned i = 0; i < sizeof op_aliases / sizeof op_aliases[0]; i++)
            if (!strcmp(name, op_aliases[i].alias)) op = op_aliases[i].operation;
        if (!scope_operation_known(op)) {
            fprintf(stderr, "lumbungctl: --operations: '%s' is not an operation of members, "
                            "transactions or reporting (names as in their request oneofs, e.g. "
                            "deposit, withdraw, post_repayment, post_batch, get_member_accounts, "
                            "balance_sheet; see docs/operations.md)\n", name);
            return -1;
        }
        int n = snprintf(out + at, size - at, "%s%s", at ? "," : "", op);
        if (n < 0 || (size_t) n >= size - at) {
            fprintf(stderr, "lumbungctl: --operations: the list is too long\n");
            return -1;
        }
        at += (size_t) n;
        s += len + (s[len] == ',');
    }
    return 0;
}

typedef struct {
    const char *cooperatives, *operations;
} scope_args_t;

/* A Z85 public key, which may begin with "--" (both characters are in Z85's alphabet: about
   one key in 7,000), so that `keys import NAME KEY` never takes a key for an option. */
static bool is_z85_key(const char *word) {
    uint8_t raw[32];
    return strlen(word) == CURVE_KEY_Z85 && zmq_z85_decode(raw, word) != NULL;
}

/* Picks --cooperatives and --operations out of argv; the other words stay in `rest`. */
static int scope_args(int argc, char **argv, scope_args_t *a, char **rest, int *nrest) {
    *nrest = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--cooperatives") && i + 1 < argc) a->cooperatives = argv[++i];
        else if (!strcmp(argv[i], "--operations") && i + 1 < argc) a->operations = argv[++i];
        else if (!strncmp(argv[i], "--", 2) && !is_z85_key(argv[i])) {
            fprintf(stderr, "lumbungctl: unknown option %s\n", argv[i]);
            return -1;
        } else rest[(*nrest)++] = argv[i];
    }
    return 0;
}

static int apply_scope(const char *dir, const char *name, const scope_args_t *a) {
    if (!a->cooperatives || !a->operations) {
        fprintf(stderr, "lumbungctl: an integrator needs --cooperatives ID,ID (or all) and "
                        "--operations OP,OP (or all); without them its key may do nothing\n");
        return 1;
    }
    char ops[CURVE_SCOPE_OPS_MAX];
    if (operations_normalise(a->operations, ops, sizeof ops) != 0) return 1;
    curve_peer_t probe;
    if (curve_scope_parse(&probe, a->cooperatives, ops) != 0) {
        fprintf(stderr, "lumbungctl: --cooperatives: '%s' is not a list of cooperative ids "
                        "(1, 2, ...; at most %d) or all\n", a->cooperatives, CURVE_SCOPE_COOPS_MAX);
        return 1;
    }
    int rc = curve_keys_scope(dir, name, a->cooperatives, ops);
    if (rc != 0) {
        fprintf(stderr, "lumbungctl: cannot scope '%s': %s\n", name,
                rc == -ENOENT ? "no such name on the allow-list" : rc == -EINVAL ? "not an integrator" : strerror(-rc));
        return 1;
    }
    printf("%s may act for cooperatives %s, operations %s\n", name, a->cooperatives, ops);
    return 0;
}

static int keys_add(const char *dir, const char *name, const char *role, const scope_args_t *a) {
    if (strcmp(role, "integrator") && strcmp(role, "service")) return usage();
    if (!strcmp(role, "service") && (a->cooperatives || a->operations)) {
        fprintf(stderr, "lumbungctl: a service key has no scope; --cooperatives and "
                        "--operations are for integrators\n");
        return 1;
    }
    if (!strcmp(role, "integrator") && (!a->cooperatives || !a->operations)) return apply_scope(dir, name, a);
    char ops[CURVE_SCOPE_OPS_MAX];
    if (!strcmp(role, "integrator") && operations_normalise(a->operations, ops, sizeof ops) != 0) return 1;
    if (curve_keys_ensure(dir, name, role) != 0) {
        fprintf(stderr, "lumbungctl: cannot create keys for '%s' (names: a-z, 0-9, - and _)\n", name);
        return 1;
    }
    printf("%s/%s.key and %s.pub created, admitted as %s\n", dir, name, name, role);
    return !strcmp(role, "integrator") ? apply_scope(dir, name, a) : 0;
}

/* A short fingerprint of a public key, to compare with what the integrator installed. */
static void fingerprint(const char *z85, char out[20]) {
    uint8_t raw[32], hash[crypto_hash_sha256_BYTES];
    char text[CURVE_KEY_Z85 + 1];
    snprintf(text, sizeof text, "%s", z85);
    zmq_z85_decode(raw, text);
    crypto_hash_sha256(hash, raw, sizeof raw);
    for (int i = 0; i < 8; i++) snprintf(out + 2 * i, 3, "%02x", hash[i]);
}

static int keys_list(const char *dir) {
    curve_allowlist_t *list = calloc(1, sizeof *list);
    if (!list) return 1;
    int rc = curve_allowlist_load(dir, list);
    printf("%-24s %-10s %-16s %s\n", "NAME", "ROLE", "KEY", "SCOPE");
    for (int i = 0; i < list->count; i++) {
        const curve_peer_t *p = &list->peers[i];
        char fp[20], scope[CURVE_LINE_MAX];
        fingerprint(p->public_z85, fp);
        curve_scope_format(p, scope, sizeof scope);
        printf("%-24s %-10s %-16s %s\n", p->name, p->role, fp,
               !strcmp(p->role, "service") ? "-" : *scope ? scope : "none (may do nothing)");
    }
    free(list);
    return rc == 0 ? 0 : 1;
}

static int keys_rotate(const char *dir, const char *name) {
    int rc = curve_keys_rotate(dir, name);
    if (rc != 0) {
        fprintf(stderr, "lumbungctl: cannot rotate '%s': %s\n", name,
                rc == -ENOENT ? "no such name on the allow-list" : strerror(-rc));
        return 1;
    }
    char pub[CURVE_KEY_Z85 + 1];
    curve_keys_load(dir, name, pub, NULL);
    printf("%s has a new keypair; the old key is refused from now on (within a second).\n"
           "Install on the integrator's host, replacing the old ones:\n"
           "  %s/%s.key   (secret, mode 0600: copy it by a private channel, then delete it here)\n"
           "  %s/%s.pub   %s\n"
           "On every other host of the district: lumbungctl keys revoke %s; "
           "lumbungctl keys import %s %s integrator --cooperatives .. --operations ..\n",
           name, dir, name, dir, name, pub, name, name, pub);
    return 0;
}

static int keys(int argc, char **argv) {
    char dir[512];
    curve_key_dir(dir, sizeof dir);
    char *rest[16];
    int n = 0;
    scope_args_t a = { 0 };
    if (argc > 16 || scope_args(argc, argv, &a, rest, &n) != 0) return usage();
    if (n >= 1 && !strcmp(rest[0], "init")) {
        for (unsigned i = 0; i < sizeof services / sizeof services[0]; i++)
            if (curve_keys_ensure(dir, services[i], "service") != 0) return 1;
        for (int k = 1; k < shard_count(); k++) {     /* transactions-1, ... */
            char name[SHARD_NAME_MAX];
            if (curve_keys_ensure(dir, shard_name(k, name, sizeof name), "service") != 0) return 1;
        }
        printf("keys ready in %s\n", dir);
        return 0;
    }
    if (n >= 2 && !strcmp(rest[0], "add")) return keys_add(dir, rest[1], n >= 3 ? rest[2] : "integrator", &a);
    if (n == 2 && !strcmp(rest[0], "scope")) return apply_scope(dir, rest[1], &a);
    if (n == 1 && !strcmp(rest[0], "list")) return keys_list(dir);
    if (n == 2 && !strcmp(rest[0], "rotate")) return keys_rotate(dir, rest[1]);
    if (n == 2 && !strcmp(rest[0], "revoke")) {
        int rc = curve_keys_revoke(dir, rest[1]);
        if (rc != 0) {
            fprintf(stderr, "lumbungctl: cannot revoke '%s': %s\n", rest[1],
                    rc == -ENOENT ? "no such name on the allow-list" : strerror(-rc));
            return 1;
        }
        printf("%s revoked: removed from %s/allow.list; running services refuse it within a "
               "second\n", rest[1], dir);
        return 0;
    }
    if (n >= 3 && !strcmp(rest[0], "import")) {
        const char *role = n >= 4 ? rest[3] : "service";
        if (!strcmp(role, "none")) role = NULL;
        else if (strcmp(role, "integrator") && strcmp(role, "service")) return usage();
        if (curve_keys_import(dir, rest[1], rest[2], role) != 0) {
            fprintf(stderr, "lumbungctl: cannot import the key of '%s' (40 Z85 characters?)\n", rest[1]);
            return 1;
        }
        printf("%s/%s.pub installed%s%s\n", dir, rest[1], role ? ", admitted as " : "", role ? role : "");
        if (role && !strcmp(role, "integrator") && (a.cooperatives || a.operations))
            return apply_scope(dir, rest[1], &a);
        return 0;
    }
    if (n >= 2 && !strcmp(rest[0], "show")) {
        char pub[CURVE_KEY_Z85 + 1];
        if (curve_keys_load(dir, rest[1], pub, NULL) != 0) {
            fprintf(stderr, "lumbungctl: no key named '%s' in %s\n", rest[1], dir);
            return 1;
        }
        printf("%s\n", pub);
        return 0;
    }
    return usage();
}

/* ---- stores: backup, restore, verify (offline), status (over the bus) ---- */

/* Consumers before their producers: a copy of a follower taken before its producer's copy
   never holds a cursor past the producer's outbox, so the set restores consistently. Every
   possible transactions shard is listed; stores that are not there are passed over. */
enum { N_STORES = 3 + SHARD_MAX, CURSORS_MAX = 2 + SHARD_MAX, COPY_CHUNK = 1 << 20,
       STATUS_TIMEOUT_MS = 3000, RUNNING_TIMEOUT_MS = 500 };
static char backup_order[N_STORES][SHARD_NAME_MAX];

static void stores_init(void) {
    snprintf(backup_order[0], SHARD_NAME_MAX, "gateway");
    snprintf(backup_order[1], SHARD_NAME_MAX, "reporting");
    for (int k = 0; k < SHARD_MAX; k++) shard_name(k, backup_order[2 + k], SHARD_NAME_MAX);
    snprintf(backup_order[N_STORES - 1], SHARD_NAME_MAX, "members");
}

typedef struct {
    char stream[32];
    uint64_t seq;
} cursor_t;

typedef struct {
    bool present;
    uint64_t head, events, problems, first;   /* first: the oldest event kept */
    cursor_t cursors[CURSORS_MAX];
    int n_cursors;
} store_info_t;

static bool has_store(const char *base, const char *service) {
    char path[700];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s/data.mdb", base, service);
    return stat(path, &st) == 0;
}

static store_t *open_store(const char *base, const char *service) {
    char dir[700];
    snprintf(dir, sizeof dir, "%s/%s", base, service);
    int err = 0;
    store_t *store = store_new(dir, &err);
    if (!store) fprintf(stderr, "lumbungctl: cannot open the store in %s (%d)\n", dir, err);
    return store;
}

static void outbox_problem(store_info_t *info, const char *service, const char *fmt, uint64_t a,
                           uint64_t b) {
    if (info->problems++ < 20) {
        printf("%s: ", service);
        printf(fmt, (unsigned long long) a, (unsigned long long) b);
        printf("\n");
    }
}

/* A read transaction and a cursor on an existing table: 0 (close both with scan_close),
   ERR_NOT_FOUND when the store has no such table, or a store error. */
static int scan_open(store_t *store, const char *table, store_txn_t **txn, store_cursor_t **c) {
    store_table_t t;
    int rc = store_table_existing(store, table, &t);
    if (rc != 0 || (rc = store_begin(store, true, txn)) != 0) return rc;
    if ((rc = store_cursor_open(*txn, t, c)) != 0) store_abort(txn);
    return rc;
}

static void scan_close(store_txn_t **txn, store_cursor_t **c) {
    store_cursor_close(c);
    store_abort(txn);
}

/* The outbox: numbered without a gap from the oldest event kept (1, or past what retention
   pruned: common/retention.h), each event readable and carrying its own number. `check`
   false: only the head. */
static int read_outbox(store_t *store, const char *service, store_info_t *info, bool check) {
    store_txn_t *txn;
    store_cursor_t *c;
    int rc = scan_open(store, "outbox", &txn, &c);
    if (rc != 0) return rc == ERR_NOT_FOUND ? 0 : rc;
    const void *k, *v;
    size_t kl, vl;
    if (!check) {
        if (store_cursor_last(c, &k, &kl, &v, &vl) == 0 && kl == 8) info->head = be64_read(k);
    } else {
        uint64_t expect = 0;
        for (int r = store_cursor_first(c, &k, &kl, &v, &vl); r == 0;
             r = store_cursor_next(c, &k, &kl, &v, &vl)) {
            uint64_t seq = kl == 8 ? be64_read(k) : 0;
            if (expect == 0) expect = info->first = seq ? seq : 1;
            if (seq != expect)
                outbox_problem(info, service, "outbox: event %llu follows %llu (a gap or a bad key)",
                               seq, expect - 1);
            Lumbung__Event *e = lumbung__event__unpack(NULL, vl, v);
            if (!e || e->seq != seq)
                outbox_problem(info, service, "outbox: event %llu cannot be read or names "
                               "another sequence (%llu)", seq, e ? e->seq : 0);
            if (e) lumbung__event__free_unpacked(e, NULL);
            info->events++;
            info->head = seq;
            expect = seq + 1;
        }
    }
    scan_close(&txn, &c);
    return 0;
}

static int read_cursors(store_t *store, store_info_t *info) {
    store_txn_t *txn;
    store_cursor_t *c;
    int rc = scan_open(store, "cursors", &txn, &c);
    if (rc != 0) return rc == ERR_NOT_FOUND ? 0 : rc;
    const void *k, *v;
    size_t kl, vl;
    for (int r = store_cursor_first(c, &k, &kl, &v, &vl); r == 0 && info->n_cursors < CURSORS_MAX;
         r = store_cursor_next(c, &k, &kl, &v, &vl)) {
        cursor_t *cur = &info->cursors[info->n_cursors++];
        snprintf(cur->stream, sizeof cur->stream, "%.*s", (int) kl, (const char *) k);
        cur->seq = vl == 8 ? be64_read(v) : 0;
    }
    scan_close(&txn, &c);
    return 0;
}

/* Every cooperative a shard's store holds is one the shard map gives to that shard. */
static int check_owners(store_t *store, const char *service, store_info_t *info) {
    store_txn_t *txn;
    store_cursor_t *c;
    int rc = scan_open(store, "tx_coops", &txn, &c);
    if (rc != 0) return rc == ERR_NOT_FOUND ? 0 : rc;
    int shard = shard_index(service), n = 0, wrong = 0;
    if (shard >= shard_count() && info->problems++ < 20)
        printf("%s: a store of shard %d, but the configuration has %d shard%s "
               "(LUMBUNG_TRANSACTIONS_SHARDS, the shard map's 'shards')\n", service, shard,
               shard_count(), shard_count() == 1 ? "" : "s");
    const void *k;
    size_t kl;
    for (int r = store_cursor_first(c, &k, &kl, NULL, NULL); r == 0;
         r = store_cursor_next(c, &k, &kl, NULL, NULL), n++) {
        uint64_t coop = kl == 8 ? be64_read(k) : 0;
        if (shard_of(coop) == shard) continue;
        wrong++;
        if (info->problems++ < 20)
            printf("%s: holds cooperative %llu, which the shard map gives to shard %d\n",
                   service, (unsigned long long) coop, shard_of(coop));
    }
    scan_close(&txn, &c);
    if (!wrong) printf("%s: %d cooperatives, each on its shard by the map\n", service, n);
    return 0;
}

static int store_info(const char *base, const char *service, store_info_t *info, bool check) {
    memset(info, 0, sizeof *info);
    if (!has_store(base, service)) return 0;
    store_t *store = open_store(base, service);
    if (!store) return -1;
    info->present = true;
    int rc = read_outbox(store, service, info, check);
    if (rc == 0) rc = read_cursors(store, info);
    if (rc == 0 && check && shard_index(service) >= 0) {
        tx_verify_result_t r;
        rc = tx_verify(store, stdout, &r);
        info->problems += r.problems;
        if (rc == 0)
            printf("%s: %llu entries and %llu accounts checked\n", service,
                   (unsigned long long) r.entries, (unsigned long long) r.accounts);
        if (rc == 0) rc = check_owners(store, service, info);
    }
    store_destroy(&store);
    return rc;
}

static void describe(FILE *f, const char *service, const store_info_t *info) {
    fprintf(f, "%s outbox_head=%llu", service, (unsigned long long) info->head);
    for (int i = 0; i < info->n_cursors; i++)
        fprintf(f, " cursor.%s=%llu", info->cursors[i].stream, (unsigned long long) info->cursors[i].seq);
    fprintf(f, "\n");
}

/* Owner only: a backup holds every member's NIK and every balance. */
static int private_dir(const char *path) {
    int rc = files_mkdir_p(path);
    if (rc == 0 && chmod(path, 0700) != 0) rc = -errno;
    if (rc != 0) fprintf(stderr, "lumbungctl: cannot create %s: %s\n", path, strerror(-rc));
    return rc;
}

static int chmod_store_files(const char *dir) {
    const char *files[] = { "data.mdb", "lock.mdb" };
    for (unsigned i = 0; i < 2; i++) {
        char path[800];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        if (chmod(path, 0600) != 0 && errno != ENOENT) return -errno;
    }
    return 0;
}

static bool dir_empty(const char *path) {
    DIR *d = opendir(path);
    if (!d) return true;
    struct dirent *e;
    bool empty = true;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) empty = false;
    closedir(d);
    return empty;
}

static int backup_one(const char *service, const char *target, store_info_t *info) {
    if (!has_store(config_data_dir(), service)) {
        fprintf(stderr, "lumbungctl: no store at %s/%s\n", config_data_dir(), service);
        return 1;
    }
    if (private_dir(target) != 0) return 1;
    if (!dir_empty(target)) {
        fprintf(stderr, "lumbungctl: %s is not empty: a backup goes into a new directory\n", target);
        return 1;
    }
    store_t *store = open_store(config_data_dir(), service);
    if (!store) return 1;
    int rc = store_backup(store, target);
    store_destroy(&store);
    if (rc != 0 || chmod_store_files(target) != 0) {
        fprintf(stderr, "lumbungctl: backup of %s into %s failed\n", service, target);
        return 1;
    }
    /* What the copy holds, read from the copy itself. */
    memset(info, 0, sizeof *info);
    store_t *copy = store_new(target, &rc);
    if (copy) {
        info->present = true;
        read_outbox(copy, service, info, false);
        read_cursors(copy, info);
        store_destroy(&copy);
    }
    chmod_store_files(target);
    return 0;
}

static int backup(const char *service, const char *target) {
    store_info_t info;
    if (backup_one(service, target, &info) != 0) return 1;
    printf("backup of %s written to %s: ", service, target);
    describe(stdout, service, &info);
    return 0;
}

static int copy_file(const char *from, const char *to);

/* The shard map goes with the stores it describes: backup all copies it beside them. */
static int backup_map(const char *target) {
    char map[512], to[700];
    shard_map_path(map, sizeof map);
    if (access(map, F_OK) != 0) return 0;
    snprintf(to, sizeof to, "%s/shard.map", target);
    int rc = copy_file(map, to);
    if (rc != 0) {
        fprintf(stderr, "lumbungctl: cannot copy the shard map %s: %s\n", map, strerror(-rc));
        return 1;
    }
    printf("shard map %s copied to %s\n", map, to);
    return 0;
}

/* restore puts the backup's map in place when there is none (and reads it again for verify);
   an existing map is kept and named, for the administrator to compare. */
static int restore_map(const char *source) {
    char from[700], map[512];
    snprintf(from, sizeof from, "%s/shard.map", source);
    if (access(from, F_OK) != 0) return 0;
    shard_map_path(map, sizeof map);
    if (access(map, F_OK) == 0) {
        printf("kept the shard map %s (the backup's is %s: they must agree)\n", map, from);
        return 0;
    }
    int rc = copy_file(from, map);
    if (rc != 0) {
        fprintf(stderr, "lumbungctl: cannot restore the shard map into %s: %s\n", map, strerror(-rc));
        return 1;
    }
    printf("shard map restored into %s\n", map);
    return shard_reload() == 0 ? 0 : 1;
}

static int backup_all(const char *target) {
    if (private_dir(target) != 0) return 1;
    if (!dir_empty(target)) {
        fprintf(stderr, "lumbungctl: %s is not empty: a backup goes into a new directory\n", target);
        return 1;
    }
    char path[700];
    snprintf(path, sizeof path, "%s/MANIFEST", target);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    FILE *manifest = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!manifest) {
        fprintf(stderr, "lumbungctl: cannot write %s\n", path);
        return 1;
    }
    fprintf(manifest, "# lumbungctl backup all, consumers before producers; at_ms=%lld\n",
            (long long) envelope_now_ms());
    int copied = 0;
    for (int i = 0; i < N_STORES; i++) {
        if (!has_store(config_data_dir(), backup_order[i])) continue;
        char dir[800];
        snprintf(dir, sizeof dir, "%s/%s", target, backup_order[i]);
        store_info_t info;
        if (backup_one(backup_order[i], dir, &info) != 0) {
            fclose(manifest);
            return 1;
        }
        describe(manifest, backup_order[i], &info);
        describe(stdout, backup_order[i], &info);
        copied++;
    }
    int rc = fflush(manifest) == 0 && fsync(fileno(manifest)) == 0 ? 0 : 1;
    fclose(manifest);
    if (copied == 0) {
        fprintf(stderr, "lumbungctl: no store under %s\n", config_data_dir());
        return 1;
    }
    if (rc == 0) rc = backup_map(target);
    printf("backup of %d stores written to %s (owner only)\n", copied, target);
    return rc;
}

static int copy_file(const char *from, const char *to) {
    int in = open(from, O_RDONLY);
    if (in < 0) return -errno;
    char tmp[900];
    snprintf(tmp, sizeof tmp, "%s.tmp", to);
    int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (out < 0) {
        int e = errno;
        close(in);
        return -e;
    }
    char *buf = malloc(COPY_CHUNK);
    if (!buf) abort();
    int rc = 0;
    for (;;) {
        ssize_t n = read(in, buf, COPY_CHUNK);
        if (n == 0) break;
        if (n < 0 || write(out, buf, (size_t) n) != n) {
            rc = -EIO;
            break;
        }
    }
    free(buf);
    if (rc == 0 && fsync(out) != 0) rc = -errno;
    close(out);
    close(in);
    if (rc == 0 && rename(tmp, to) != 0) rc = -errno;
    return rc;
}

static int verify(const char *base);

static int restore(const char *source) {
    const char *data = config_data_dir();
    int found = 0;
    for (int i = 0; i < N_STORES; i++) {
        if (!has_store(source, backup_order[i])) continue;
        found++;
        char dir[700];
        snprintf(dir, sizeof dir, "%s/%s", data, backup_order[i]);
        if (!dir_empty(dir)) {
            fprintf(stderr, "lumbungctl: %s is not empty: restore only into an empty data "
                            "directory (stop the services and move the old stores away first)\n", dir);
            return 1;
        }
    }
    if (found == 0) {
        fprintf(stderr, "lumbungctl: no store in %s (expected SERVICE/data.mdb from backup all)\n", source);
        return 1;
    }
    if (private_dir(data) != 0) return 1;
    for (int i = 0; i < N_STORES; i++) {
        if (!has_store(source, backup_order[i])) continue;
        char from[800], dir[700], to[800];
        snprintf(from, sizeof from, "%s/%s/data.mdb", source, backup_order[i]);
        snprintf(dir, sizeof dir, "%s/%s", data, backup_order[i]);
        snprintf(to, sizeof to, "%s/data.mdb", dir);
        int rc = private_dir(dir);
        if (rc == 0) rc = copy_file(from, to);
        if (rc != 0) {
            fprintf(stderr, "lumbungctl: cannot restore %s into %s: %s\n", from, to, strerror(-rc));
            return 1;
        }
        printf("%s restored into %s\n", backup_order[i], dir);
    }
    if (restore_map(source) != 0) return 1;
    return verify(data);
}

/* Offline: each store's outbox, the transactions books, and every replica cursor against its
   producer's outbox when that store is here too. */
static int verify(const char *base) {
    store_info_t info[N_STORES];
    uint64_t problems = 0;
    int present = 0;
    for (int i = 0; i < N_STORES; i++) {
        if (store_info(base, backup_order[i], &info[i], true) != 0) {
            printf("%s: the store cannot be read\n", backup_order[i]);
            problems++;
        }
        if (!info[i].present) continue;
        present++;
        problems += info[i].problems;
        printf("%s: outbox of %llu events, contiguous from %llu%s\n", backup_order[i],
               (unsigned long long) info[i].events,
               (unsigned long long) (info[i].first ? info[i].first : 1),
               info[i].problems ? " (see above)" : "");
    }
    for (int i = 0; i < N_STORES; i++)
        for (int c = 0; info[i].present && c < info[i].n_cursors; c++)
            for (int p = 0; p < N_STORES; p++) {
                const cursor_t *cur = &info[i].cursors[c];
                if (!info[p].present || strcmp(backup_order[p], cur->stream) != 0) continue;
                if (cur->seq <= info[p].head) continue;
                problems++;
                printf("%s: its replica of %s is at event %llu but %s's outbox ends at %llu: the "
                       "follower is ahead of its producer (restore a set taken with backup all)\n",
                       backup_order[i], cur->stream, (unsigned long long) cur->seq,
                       cur->stream, (unsigned long long) info[p].head);
            }
    if (present == 0) {
        fprintf(stderr, "lumbungctl: no store under %s\n", base);
        return 1;
    }
    if (problems) {
        printf("verify: %llu problem%s found in %s\n", (unsigned long long) problems,
               problems == 1 ? "" : "s", base);
        return 1;
    }
    printf("verify: %d stores in %s are sound\n", present, base);
    return 0;
}

/* One Ping over CURVE, synchronously: the service answers it itself (service.c answer_ping). */
static Lumbung__Reply *ping_service(void *ctx, const char *dir, const char *key_name,
                                    const char *service, int timeout_ms) {
    char pub[CURVE_KEY_Z85 + 1], sec[CURVE_KEY_Z85 + 1], server[CURVE_KEY_Z85 + 1], ep[128];
    if (curve_keys_load(dir, key_name, pub, sec) != 0 || curve_keys_load(dir, service, server, NULL) != 0)
        return NULL;
    void *s = zmq_socket(ctx, ZMQ_DEALER);
    int linger = 0;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, server, CURVE_KEY_Z85);
    zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, pub, CURVE_KEY_Z85);
    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, sec, CURVE_KEY_Z85);
    zmq_connect(s, config_endpoint(service, "router", ep, sizeof ep));
    Lumbung__Request req = LUMBUNG__REQUEST__INIT;
    Lumbung__Ping ping = LUMBUNG__PING__INIT;
    req.has_request_id = 1;
    req.request_id = 1;
    req.body_case = LUMBUNG__REQUEST__BODY_PING;
    req.ping = &ping;
    uint8_t buf[64];
    size_t len = lumbung__request__pack(&req, buf);
    zmq_send(s, "", 0, ZMQ_SNDMORE);
    zmq_send(s, buf, len, 0);
    Lumbung__Reply *reply = NULL;
    zmq_pollitem_t item = { .socket = s, .events = ZMQ_POLLIN };
    while (!reply && zmq_poll(&item, 1, timeout_ms) == 1) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, s, 0) >= 0 && zmq_msg_size(&m) > 0)
            reply = lumbung__reply__unpack(NULL, zmq_msg_size(&m), zmq_msg_data(&m));
        zmq_msg_close(&m);
    }
    zmq_close(s);
    return reply;
}

static int status(void) {
    char dir[512];
    curve_key_dir(dir, sizeof dir);
    const char *key_name = config_get("LUMBUNG_CTL_KEY", "lumbungctl");
    char pub[CURVE_KEY_Z85 + 1], sec[CURVE_KEY_Z85 + 1];
    if (curve_keys_load(dir, key_name, pub, sec) != 0) {
        fprintf(stderr, "lumbungctl: no key '%s' in %s (lumbungctl keys init makes it; or set "
                        "LUMBUNG_CTL_KEY to an admitted service key of this host)\n", key_name, dir);
        return 1;
    }
    /* members, every transactions shard, reporting */
    char bus_services[2 + SHARD_MAX][SHARD_NAME_MAX];
    int n = 0;
    snprintf(bus_services[n++], SHARD_NAME_MAX, "members");
    for (int k = 0; k < shard_count(); k++) shard_name(k, bus_services[n++], SHARD_NAME_MAX);
    snprintf(bus_services[n++], SHARD_NAME_MAX, "reporting");
    void *ctx = zmq_ctx_new();
    int down = 0;
    for (int i = 0; i < n; i++) {
        Lumbung__Reply *r = ping_service(ctx, dir, key_name, bus_services[i], STATUS_TIMEOUT_MS);
        if (!r || r->result_case != LUMBUNG__REPLY__RESULT_PONG) {
            printf("%-15s DOWN: no answer within %d ms%s\n", bus_services[i], STATUS_TIMEOUT_MS,
                   r && r->error ? " (refused: is this key admitted there?)" : "");
            down++;
            if (r) lumbung__reply__free_unpacked(r, NULL);
            continue;
        }
        const Lumbung__Pong *p = r->pong;
        printf("%-15s up    head %llu  store %llu KiB of %llu MiB (%.1f %% of the map)\n", p->service,
               (unsigned long long) p->head_seq, (unsigned long long) (p->store_used_bytes >> 10),
               (unsigned long long) (p->store_map_bytes >> 20),
               p->store_map_bytes ? 100.0 * p->store_used_bytes / p->store_map_bytes : 0.0);
        for (size_t f = 0; f < p->n_followers; f++) {
            const Lumbung__FollowerStatus *fs = p->followers[f];
            printf("%-15s   follows %-15s cursor %llu of %llu  lag %llu\n", "", fs->stream,
                   (unsigned long long) fs->cursor, (unsigned long long) fs->known_head,
                   (unsigned long long) (fs->known_head > fs->cursor ? fs->known_head - fs->cursor : 0));
        }
        printf("%-15s   peers (last minute):", "");
        for (size_t k = 0; k < p->n_peers; k++) printf(" %s", p->peers[k]->name);
        printf("%s\n", p->n_peers ? "" : " none");
        lumbung__reply__free_unpacked(r, NULL);
    }
    zmq_ctx_term(ctx);
    return down ? 1 : 0;
}

/* ---- move-cooperative (system stopped) ---- */

static bool shard_running(void *ctx, const char *dir, const char *key_name, const char *name) {
    Lumbung__Reply *r = ping_service(ctx, dir, key_name, name, RUNNING_TIMEOUT_MS);
    if (r) lumbung__reply__free_unpacked(r, NULL);
    return r != NULL;
}

/* Refuses while either shard answers on the bus: a running shard would write the books
   being moved. */
static int require_stopped(const char *a, const char *b) {
    char dir[512];
    curve_key_dir(dir, sizeof dir);
    const char *key_name = config_get("LUMBUNG_CTL_KEY", "lumbungctl");
    void *ctx = zmq_ctx_new();
    int rc = 0;
    const char *names[2] = { a, b };
    for (int i = 0; i < 2 && rc == 0; i++)
        if (shard_running(ctx, dir, key_name, names[i])) {
            fprintf(stderr, "lumbungctl: %s is running: stop the system first (docs/operations.md)\n",
                    names[i]);
            rc = 1;
        }
    zmq_ctx_term(ctx);
    return rc;
}

static int parse_coop(const char *command, const char *text, uint64_t *coop) {
    char *end;
    errno = 0;
    unsigned long long c = strtoull(text, &end, 10);
    if (errno || *end || c == 0 || text[0] == '-') {
        fprintf(stderr, "lumbungctl: %s: '%s' is not a cooperative id\n", command, text);
        return -1;
    }
    *coop = c;
    return 0;
}

static int parse_shard_args(const char *coop_text, const char *shard_text, uint64_t *coop,
                            int *target) {
    char *end;
    uint64_t c;
    if (parse_coop("move-cooperative", coop_text, &c) != 0) return -1;
    long k = strtol(shard_text, &end, 10);
    if (*end || k < 0 || k >= shard_count()) {
        fprintf(stderr, "lumbungctl: move-cooperative: shard '%s' is not one of 0..%d\n",
                shard_text, shard_count() - 1);
        return -1;
    }
    *coop = c;
    *target = (int) k;
    return 0;
}

static int move_cooperative(const char *coop_text, const char *shard_text) {
    uint64_t coop;
    int target;
    if (parse_shard_args(coop_text, shard_text, &coop, &target) != 0) return 2;
    int source = shard_of(coop);
    char from_name[SHARD_NAME_MAX], to_name[SHARD_NAME_MAX], map[512];
    shard_name(source, from_name, sizeof from_name);
    shard_name(target, to_name, sizeof to_name);
    if (source == target) {
        fprintf(stderr, "lumbungctl: cooperative %llu is already on shard %d (%s)\n",
                (unsigned long long) coop, target, to_name);
        return 1;
    }
    if (require_stopped(from_name, to_name) != 0) return 1;
    store_t *from = open_store(config_data_dir(), from_name);
    store_t *to = from ? open_store(config_data_dir(), to_name) : NULL;
    tx_move_result_t r;
    int rc = to ? tx_move_cooperative(from, source, to, coop, stderr, &r) : ERR_REJECTED;
    store_destroy(&to);
    store_destroy(&from);
    if (rc != 0) {
        fprintf(stderr, "lumbungctl: cooperative %llu not moved%s\n", (unsigned long long) coop,
                rc == ERR_REJECTED ? "" : " (a store failed; nothing changed)");
        return 1;
    }
    if ((rc = shard_map_assign(coop, target)) != 0) {
        fprintf(stderr, "lumbungctl: the books moved but the shard map %s could not be written "
                "(%s): add the line '%llu = %d' by hand before starting\n",
                shard_map_path(map, sizeof map), strerror(-rc), (unsigned long long) coop, target);
        return 1;
    }
    printf("cooperative %llu moved from shard %d (%s) to shard %d (%s): %llu members, %llu "
           "entries, %llu loans, %llu time deposits, %llu records; shard map %s updated\n",
           (unsigned long long) coop, source, from_name, target, to_name,
           (unsigned long long) r.members, (unsigned long long) r.entries,
           (unsigned long long) r.loans, (unsigned long long) r.time_deposits,
           (unsigned long long) r.rows, shard_map_path(map, sizeof map));
    return 0;
}

/* shard-of COOP: the shard the map and settings give the cooperative, read as every service
   reads them (an operator's or an integrator's question; checks a map before deploying it). */
static int shard_of_cmd(const char *coop_text) {
    uint64_t coop;
    if (parse_coop("shard-of", coop_text, &coop) != 0) return 2;
    int k = shard_of(coop);
    char name[SHARD_NAME_MAX];
    printf("cooperative %llu lives on shard %d (%s) of %d\n", (unsigned long long) coop, k,
           shard_name(k, name, sizeof name), shard_count());
    return 0;
}

int main(int argc, char **argv) {
    log_init("lumbungctl");
    if (config_load() != 0 || shard_load() != 0) return 2;
    stores_init();
    if (argc >= 2 && !strcmp(argv[1], "keys")) return keys(argc - 2, argv + 2);
    if (argc == 4 && !strcmp(argv[1], "backup") && !strcmp(argv[2], "all")) return backup_all(argv[3]);
    if (argc == 4 && !strcmp(argv[1], "backup")) return backup(argv[2], argv[3]);
    if (argc == 3 && !strcmp(argv[1], "restore")) return restore(argv[2]);
    if ((argc == 2 || argc == 3) && !strcmp(argv[1], "verify"))
        return verify(argc == 3 ? argv[2] : config_data_dir());
    if (argc == 2 && !strcmp(argv[1], "status")) return status();
    if (argc == 4 && !strcmp(argv[1], "move-cooperative")) return move_cooperative(argv[2], argv[3]);
    if (argc == 3 && !strcmp(argv[1], "shard-of")) return shard_of_cmd(argv[2]);
    return usage();
}
