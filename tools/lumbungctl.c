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
#include "store.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const char *const services[] = { "members", "transactions", "reporting", "gateway" };

static int usage(void) {
    fprintf(stderr,
            "usage: lumbungctl keys init | keys add NAME [integrator|service] | keys show NAME\n"
            "       lumbungctl keys import NAME PUBLIC-KEY [service|integrator|none]\n"
            "       lumbungctl backup SERVICE DIR\n");
    return 2;
}

static int keys(int argc, char **argv) {
    char dir[512];
    curve_key_dir(dir, sizeof dir);
    if (argc >= 1 && !strcmp(argv[0], "init")) {
        for (unsigned i = 0; i < sizeof services / sizeof services[0]; i++)
            if (curve_keys_ensure(dir, services[i], "service") != 0) return 1;
        printf("keys ready in %s\n", dir);
        return 0;
    }
    if (argc >= 2 && !strcmp(argv[0], "add")) {
        const char *role = argc >= 3 ? argv[2] : "integrator";
        if (strcmp(role, "integrator") && strcmp(role, "service")) return usage();
        if (curve_keys_ensure(dir, argv[1], role) != 0) {
            fprintf(stderr, "lumbungctl: cannot create keys for '%s' (names: a-z, 0-9, - and _)\n", argv[1]);
            return 1;
        }
        printf("%s/%s.key and %s.pub created, admitted as %s\n", dir, argv[1], argv[1], role);
        return 0;
    }
    if (argc >= 3 && !strcmp(argv[0], "import")) {
        const char *role = argc >= 4 ? argv[3] : "service";
        if (!strcmp(role, "none")) role = NULL;
        else if (strcmp(role, "integrator") && strcmp(role, "service")) return usage();
        if (curve_keys_import(dir, argv[1], argv[2], role) != 0) {
            fprintf(stderr, "lumbungctl: cannot import the key of '%s' (40 Z85 characters?)\n", argv[1]);
            return 1;
        }
        printf("%s/%s.pub installed%s%s\n", dir, argv[1], role ? ", admitted as " : "", role ? role : "");
        return 0;
    }
    if (argc >= 2 && !strcmp(argv[0], "show")) {
        char pub[CURVE_KEY_Z85 + 1];
        if (curve_keys_load(dir, argv[1], pub, NULL) != 0) {
            fprintf(stderr, "lumbungctl: no key named '%s' in %s\n", argv[1], dir);
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
