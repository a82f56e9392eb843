#include "shard.h"
#include "config.h"
#include "log.h"

#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct { uint64_t coop; int shard; } entry_t;

static struct {
    int loaded;                     /* 0 not yet, 1 ok, else what load() failed with */
    int count, rule;
    entry_t *entries;
    size_t n, cap;
} map = { .rule = SHARD_DEFAULT_MOD };

const char *shard_map_path(char *buf, size_t size) {
    const char *explicit = config_get("LUMBUNG_SHARD_MAP", NULL);
    if (explicit) snprintf(buf, size, "%s", explicit);
    else snprintf(buf, size, "%s/shard.map", config_data_dir());
    return buf;
}

static char *trim(char *s) {
    while (isspace((unsigned char) *s)) s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char) e[-1])) *--e = 0;
    return s;
}

static int parse_u64(const char *text, uint64_t *out) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || end == text || *end || text[0] == '-') return -EINVAL;
    *out = v;
    return 0;
}

static void entry_set(uint64_t coop, int shard) {
    for (size_t i = 0; i < map.n; i++)
        if (map.entries[i].coop == coop) { map.entries[i].shard = shard; return; }
    if (map.n == map.cap) {
        map.cap = map.cap ? 2 * map.cap : 64;
        map.entries = realloc(map.entries, map.cap * sizeof *map.entries);
        if (!map.entries) abort();
    }
    map.entries[map.n++] = (entry_t) { coop, shard };
}

static int compare_entries(const void *a, const void *b) {
    uint64_t x = ((const entry_t *) a)->coop, y = ((const entry_t *) b)->coop;
    return x < y ? -1 : x > y;
}

/* One `NAME = VALUE` line of the map; shard numbers are checked once the count is known. */
static int parse_line(const char *path, int lineno, char *s, int *file_count) {
    char *eq = strchr(s, '=');
    if (!eq) {
        log_error(0, "shard map %s line %d: expected 'shards = N', 'default = mod|K' or "
                  "'COOPERATIVE = SHARD'", path, lineno);
        return -EINVAL;
    }
    *eq = 0;
    char *name = trim(s), *value = trim(eq + 1);
    uint64_t v;
    if (!strcmp(name, "shards")) {
        if (parse_u64(value, &v) != 0 || v < 1 || v > SHARD_MAX) goto bad;
        *file_count = (int) v;
    } else if (!strcmp(name, "default")) {
        if (!strcmp(value, "mod")) map.rule = SHARD_DEFAULT_MOD;
        else if (parse_u64(value, &v) == 0 && v < SHARD_MAX) map.rule = (int) v;
        else goto bad;
    } else {
        uint64_t coop;
        if (parse_u64(name, &coop) != 0 || coop == 0 || parse_u64(value, &v) != 0 ||
            v >= SHARD_MAX || map.n >= SHARD_MAP_ENTRIES_MAX)
            goto bad;
        entry_set(coop, (int) v);
    }
    return 0;
bad:
    log_error(0, "shard map %s line %d: '%s = %s' is not valid (shards 1..%d, default mod or a "
              "shard number, a cooperative id = a shard number)", path, lineno, name, value,
              SHARD_MAX);
    return -EINVAL;
}

static int read_file(const char *path, int *file_count) {
    FILE *f = fopen(path, "r");
    if (!f) {
        int e = errno;
        if (e == ENOENT) return 0;
        log_error(0, "shard map %s: %s", path, strerror(e));
        return -e;
    }
    char line[256];
    int lineno = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash) *hash = 0;
        char *s = trim(line);
        if (*s) rc = parse_line(path, lineno, s, file_count);
    }
    fclose(f);
    return rc;
}

static int check_numbers(const char *path) {
    if (map.rule >= map.count) {
        log_error(0, "shard map %s: default = %d but there are %d shards", path, map.rule, map.count);
        return -EINVAL;
    }
    for (size_t i = 0; i < map.n; i++)
        if (map.entries[i].shard >= map.count) {
            log_error(0, "shard map %s: cooperative %" PRIu64 " is on shard %d but there are %d "
                      "shards", path, map.entries[i].coop, map.entries[i].shard, map.count);
            return -EINVAL;
        }
    return 0;
}

static int load(void) {
    char path[512];
    shard_map_path(path, sizeof path);
    int file_count = 0;
    int rc = read_file(path, &file_count);
    if (rc != 0) return rc;
    int env_count = (int) config_int("LUMBUNG_TRANSACTIONS_SHARDS", 0, 1, SHARD_MAX);
    if (env_count && file_count && env_count != file_count) {
        log_error(0, "LUMBUNG_TRANSACTIONS_SHARDS=%d but the shard map %s says shards = %d",
                  env_count, path, file_count);
        return -EINVAL;
    }
    map.count = env_count ? env_count : file_count ? file_count : 1;
    if (map.n) qsort(map.entries, map.n, sizeof *map.entries, compare_entries);
    return check_numbers(path);
}

int shard_load(void) {
    if (!map.loaded) {
        int rc = load();
        map.loaded = rc == 0 ? 1 : rc;
    }
    return map.loaded == 1 ? 0 : map.loaded;
}

int shard_reload(void) {
    free(map.entries);
    map.entries = NULL;
    map.n = map.cap = 0;
    map.rule = SHARD_DEFAULT_MOD;
    map.loaded = 0;
    return shard_load();
}

int shard_count(void) {
    return shard_load() == 0 ? map.count : 1;
}

int shard_default_rule(void) {
    shard_load();
    return map.rule;
}

int shard_of(uint64_t coop) {
    if (shard_load() != 0) return 0;
    entry_t key = { coop, 0 };
    const entry_t *e = map.n ? bsearch(&key, map.entries, map.n, sizeof *map.entries,
                                       compare_entries) : NULL;
    if (e) return e->shard;
    return map.rule == SHARD_DEFAULT_MOD ? (int) (coop % (uint64_t) map.count) : map.rule;
}

int shard_self(void) {
    int self = (int) config_int("LUMBUNG_TRANSACTIONS_SHARD", 0, 0, SHARD_MAX - 1);
    if (self >= shard_count()) {
        log_error(0, "LUMBUNG_TRANSACTIONS_SHARD=%d but there are %d shards "
                  "(LUMBUNG_TRANSACTIONS_SHARDS or the shard map's 'shards')", self, shard_count());
        exit(2);
    }
    return self;
}

const char *shard_name(int shard, char *buf, size_t size) {
    if (shard == 0) snprintf(buf, size, "transactions");
    else snprintf(buf, size, "transactions-%d", shard);
    return buf;
}

int shard_index(const char *name) {
    if (!strcmp(name, "transactions")) return 0;
    if (strncmp(name, "transactions-", 13) != 0) return -1;
    uint64_t v;
    return parse_u64(name + 13, &v) == 0 && v >= 1 && v < SHARD_MAX ? (int) v : -1;
}

/* ---- rewriting the file (lumbungctl, system stopped) ---- */

/* Whether `line` is the entry of `coop` ("7 = 1", comments and blanks around it allowed). */
static bool line_is_coop(const char *line, uint64_t coop) {
    char copy[256];
    snprintf(copy, sizeof copy, "%s", line);
    char *hash = strchr(copy, '#');
    if (hash) *hash = 0;
    char *eq = strchr(copy, '=');
    if (!eq) return false;
    *eq = 0;
    uint64_t v;
    return parse_u64(trim(copy), &v) == 0 && v == coop;
}

static int write_all(int fd, const char *text) {
    size_t len = strlen(text);
    return write(fd, text, len) == (ssize_t) len ? 0 : -EIO;
}

int shard_map_assign(uint64_t coop, int shard) {
    char path[512], tmp[600], line[256], mine[64];
    shard_map_path(path, sizeof path);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    snprintf(mine, sizeof mine, "%" PRIu64 " = %d\n", coop, shard);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return -errno;
    FILE *in = fopen(path, "r");
    int rc = 0;
    bool written = false;
    if (!in) rc = write_all(fd, "# the transactions shard map (docs/operations.md)\n");
    while (in && rc == 0 && fgets(line, sizeof line, in)) {
        if (line_is_coop(line, coop)) {
            if (!written) rc = write_all(fd, mine);
            written = true;
            continue;
        }
        rc = write_all(fd, line);
        if (rc == 0 && line[0] && line[strlen(line) - 1] != '\n') rc = write_all(fd, "\n");
    }
    if (in) fclose(in);
    if (rc == 0 && !written) rc = write_all(fd, mine);
    if (rc == 0 && fsync(fd) != 0) rc = -errno;
    close(fd);
    if (rc == 0 && rename(tmp, path) != 0) rc = -errno;
    if (rc != 0) unlink(tmp);
    else entry_set(coop, shard);
    if (rc == 0) qsort(map.entries, map.n, sizeof *map.entries, compare_entries);
    return rc;
}
