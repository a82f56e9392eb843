#include "config.h"
#include "log.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { char *name; char *value; } entry_t;

static entry_t entries[CONFIG_ENTRIES_MAX];
static int entry_count;

static char *trim(char *s) {
    while (isspace((unsigned char) *s)) s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char) e[-1])) *--e = 0;
    return s;
}

int config_load(void) {
    const char *path = getenv("LUMBUNG_CONFIG");
    if (!path || !*path) return 0;
    FILE *f = fopen(path, "r");
    if (!f) {
        log_error(0, "config: cannot open %s: %s", path, strerror(errno));
        return -errno;
    }
    char line[CONFIG_VALUE_MAX + 128];
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash) *hash = 0;
        char *s = trim(line);
        if (!*s) continue;
        char *eq = strchr(s, '=');
        if (!eq || entry_count == CONFIG_ENTRIES_MAX) {
            log_error(0, "config: %s line %d: expected NAME=value", path, lineno);
            rc = -EINVAL;
            break;
        }
        *eq = 0;
        entries[entry_count].name = strdup(trim(s));
        entries[entry_count].value = strdup(trim(eq + 1));
        entry_count++;
    }
    fclose(f);
    return rc;
}

const char *config_get(const char *name, const char *fallback) {
    const char *v = getenv(name);
    if (v && *v) return v;
    for (int i = 0; i < entry_count; i++)
        if (!strcmp(entries[i].name, name)) return entries[i].value;
    return fallback;
}

int64_t config_int(const char *name, int64_t fallback, int64_t min, int64_t max) {
    const char *v = config_get(name, NULL);
    if (!v) return fallback;
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno || *end || end == v || n < min || n > max) {
        log_error(0, "config: %s=%s is not a number in [%lld, %lld]", name, v,
                  (long long) min, (long long) max);
        exit(2);
    }
    return n;
}

const char *config_data_dir(void) { return config_get("LUMBUNG_DATA", "./var"); }
int config_port_base(void) { return (int) config_int("LUMBUNG_PORT_BASE", 7100, 1024, 65000); }
const char *config_host(void) { return config_get("LUMBUNG_HOST", "127.0.0.1"); }

static int service_offset(const char *service) {
    if (!strcmp(service, "members")) return 0;
    if (!strcmp(service, "transactions")) return 10;
    /* shards 1..4 between transactions and reporting, 5..7 past reporting (shard.h) */
    if (!strncmp(service, "transactions-", 13)) {
        int k = atoi(service + 13);
        if (k >= 1 && k <= 4) return 10 + 2 * k;
        if (k >= 5 && k <= 7) return 30 + 2 * (k - 5);
    }
    if (!strcmp(service, "reporting")) return 20;
    if (!strncmp(service, "testing", 7))
        return 90 + 2 * (int) config_int("LUMBUNG_TEST_INSTANCE", 0, 0, 4);
    return 80;
}

const char *config_endpoint(const char *service, const char *kind, char *buf, unsigned size) {
    char name[96];
    snprintf(name, sizeof name, "LUMBUNG_%s_%s", service, kind);
    for (char *p = name; *p; p++) *p = *p == '-' ? '_' : (char) toupper((unsigned char) *p);
    const char *explicit = config_get(name, NULL);
    if (explicit) {
        snprintf(buf, size, "%s", explicit);
        return buf;
    }
    int port = config_port_base() + service_offset(service) + (strcmp(kind, "pub") ? 0 : 1);
    snprintf(buf, size, "tcp://%s:%d", config_host(), port);
    return buf;
}

const char *config_bind_endpoint(const char *service, const char *kind, char *buf, unsigned size) {
    config_endpoint(service, kind, buf, size);
    const char *bind_host = config_get("LUMBUNG_BIND_HOST", NULL);
    const char *colon = strrchr(buf, ':');
    if (!bind_host || strncmp(buf, "tcp://", 6) != 0 || !colon) return buf;
    char port[16];
    snprintf(port, sizeof port, "%s", colon + 1);
    snprintf(buf, size, "tcp://%s:%s", bind_host, port);
    return buf;
}
