/*  lumbungctl — the district administrator's command line.

      lumbungctl keys init                 keypairs + allow-list entries for the four services
      lumbungctl keys add NAME [ROLE]      a keypair for an integrator (ROLE integrator|service)
      lumbungctl keys show NAME            print NAME's public key
      lumbungctl keys import NAME KEY [ROLE]  install a peer's public key (from `keys show` on
                                           its host) and admit it (ROLE service|integrator|none)
      lumbungctl backup SERVICE DIR        compacting hot copy of SERVICE's store into DIR

    Keys live in LUMBUNG_KEYS (default $LUMBUNG_DATA/keys), stores under LUMBUNG_DATA.
    Not for: anything the HTTP API does (users, cooperatives, money). */
#include "config.h"
#include "curve.h"
#include "files.h"
#include "log.h"
#include "scope.h"
#include "store.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <zmq.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const char *const services[] = { "members", "transactions", "reporting", "gateway" };

static int usage(void) {
    fprintf(stderr,
            "usage: lumbungctl keys init | keys show NAME | keys list\n"
            "       lumbungctl keys add NAME integrator --cooperatives ID,ID|all --operations OP,OP|all\n"
            "       lumbungctl keys add NAME service\n"
            "       lumbungctl keys import NAME PUBLIC-KEY [service|integrator|none] [--cooperatives .. --operations ..]\n"
            "       lumbungctl keys scope NAME --cooperatives ID,ID|all --operations OP,OP|all\n"
            "       lumbungctl keys revoke NAME | keys rotate NAME\n"
            "       lumbungctl backup SERVICE DIR | backup all DIR | restore DIR | verify [DIR] | status\n");
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

/* Picks --cooperatives and --operations out of argv; the other words stay in `rest`. */
static int scope_args(int argc, char **argv, scope_args_t *a, char **rest, int *nrest) {
    *nrest = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--cooperatives") && i + 1 < argc) a->cooperatives = argv[++i];
        else if (!strcmp(argv[i], "--operations") && i + 1 < argc) a->operations = argv[++i];
        else if (!strncmp(argv[i], "--", 2)) {
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

static int backup(const char *service, const char *target) {
    char dir[600];
    snprintf(dir, sizeof dir, "%s/%s", config_data_dir(), service);
    struct stat st;
    if (stat(dir, &st) != 0) {
        fprintf(stderr, "lumbungctl: no store at %s\n", dir);
        return 1;
    }
    int made = files_mkdir_p(target);
    if (made != 0) {
        fprintf(stderr, "lumbungctl: cannot create %s: %s\n", target, strerror(-made));
        return 1;
    }
    int err = 0;
    store_t *store = store_new(dir, &err);
    if (!store) return 1;
    int rc = store_backup(store, target);
    store_destroy(&store);
    if (rc != 0) {
        fprintf(stderr, "lumbungctl: backup failed (is %s empty?)\n", target);
        return 1;
    }
    printf("backup of %s written to %s\n", service, target);
    return 0;
}

int main(int argc, char **argv) {
    log_init("lumbungctl");
    if (config_load() != 0) return 2;
    if (argc >= 2 && !strcmp(argv[1], "keys")) return keys(argc - 2, argv + 2);
    if (argc == 4 && !strcmp(argv[1], "backup")) return backup(argv[2], argv[3]);
    return usage();
}
