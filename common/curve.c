#include "curve.h"
#include "config.h"
#include "files.h"
#include "log.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

enum { ZAP_FRAMES_MAX = 8, ZAP_DRAIN_MAX = 256 };

const char *curve_key_dir(char *buf, unsigned size) {
    const char *explicit = config_get("LUMBUNG_KEYS", NULL);
    if (explicit) snprintf(buf, size, "%s", explicit);
    else snprintf(buf, size, "%s/keys", config_data_dir());
    return buf;
}

static int name_ok(const char *name) {
    size_t n = strlen(name);
    if (n == 0 || n >= CURVE_NAME_MAX) return 0;
    for (size_t i = 0; i < n; i++)
        if (!(name[i] == '-' || name[i] == '_' || (name[i] >= 'a' && name[i] <= 'z') ||
              (name[i] >= '0' && name[i] <= '9')))
            return 0;
    return 1;
}


static int write_file(const char *path, const char *text, mode_t mode) {
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd < 0) return -errno;
    size_t len = strlen(text);
    int rc = write(fd, text, len) == (ssize_t) len && fsync(fd) == 0 ? 0 : -EIO;
    close(fd);
    if (rc == 0 && rename(tmp, path) != 0) rc = -errno;
    return rc;
}

/* A key is exactly 40 Z85 characters that decode to 32 bytes: a truncated, padded or
   mistyped key copied between hosts must be refused where it is read, not at handshake. */
static bool z85_key_valid(const char *z85, size_t len) {
    if (len != CURVE_KEY_Z85) return false;
    char text[CURVE_KEY_Z85 + 1];
    uint8_t raw[32];
    memcpy(text, z85, CURVE_KEY_Z85);
    text[CURVE_KEY_Z85] = 0;
    return zmq_z85_decode(raw, text) != NULL;
}

static bool role_known(const char *role) {
    return !strcmp(role, "service") || !strcmp(role, "integrator");
}

/* A key file holds the key and at most a line end ("\n" or "\r\n"). */
static int read_key(const char *path, char out[CURVE_KEY_Z85 + 1]) {
    FILE *f = fopen(path, "r");
    if (!f) return -errno;
    char line[128];
    int rc = -EINVAL;
    if (fgets(line, sizeof line, f)) {
        size_t n = strcspn(line, "\r\n");
        if (z85_key_valid(line, n) && line[n + strspn(line + n, "\r\n")] == 0) {
            memcpy(out, line, CURVE_KEY_Z85);
            out[CURVE_KEY_Z85] = 0;
            rc = 0;
        }
    }
    fclose(f);
    return rc;
}

int curve_keys_load(const char *dir, const char *name, char public_z85[CURVE_KEY_Z85 + 1],
                    char secret_z85[CURVE_KEY_Z85 + 1]) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s.pub", dir, name);
    int rc = read_key(path, public_z85);
    if (rc != 0 || !secret_z85) return rc;
    snprintf(path, sizeof path, "%s/%s.key", dir, name);
    return read_key(path, secret_z85);
}

static int allow_has(const char *dir, const char *name) {
    curve_allowlist_t *list = calloc(1, sizeof *list);
    if (!list) abort();
    int found = 0;
    if (curve_allowlist_load(dir, list) == 0)
        for (int i = 0; i < list->count; i++)
            if (!strcmp(list->peers[i].name, name)) found = 1;
    free(list);
    return found;
}

static int keys_create(const char *dir, const char *name) {
    char pub[CURVE_KEY_Z85 + 1], sec[CURVE_KEY_Z85 + 1], path[512], text[64];
    if (curve_keys_load(dir, name, pub, sec) == 0) return 0;
    /* A public key without its secret was copied here from the peer's own host: replacing it
       would silently lock that peer out, so refuse. */
    if (curve_keys_load(dir, name, pub, NULL) == 0) {
        log_error(0, "curve: %s/%s.pub exists without %s.key: it belongs to another host; "
                     "not replacing it", dir, name, name);
        return -EEXIST;
    }
    if (zmq_curve_keypair(pub, sec) != 0) return -errno;
    snprintf(path, sizeof path, "%s/%s.key", dir, name);
    snprintf(text, sizeof text, "%s\n", sec);
    int rc = write_file(path, text, 0600);
    if (rc != 0) return rc;
    snprintf(path, sizeof path, "%s/%s.pub", dir, name);
    snprintf(text, sizeof text, "%s\n", pub);
    return write_file(path, text, 0644);
}

static int allow_add(const char *dir, const char *name, const char *role) {
    if (allow_has(dir, name)) return 0;
    char pub[CURVE_KEY_Z85 + 1], path[512];
    int rc = curve_keys_load(dir, name, pub, NULL);
    if (rc != 0) return rc;
    snprintf(path, sizeof path, "%s/allow.list", dir);
    FILE *f = fopen(path, "a+");
    if (!f) return -errno;
    /* A hand-edited allow.list may lack its final newline: the entry must start a line of its
       own, or it spoils the last one and the whole list stops loading. */
    int last = fseek(f, -1, SEEK_END) == 0 ? fgetc(f) : '\n';
    fseek(f, 0, SEEK_END);   /* C wants a seek between reading and writing a stream */
    if (last != '\n') fputc('\n', f);
    fprintf(f, "%s %s %s\n", name, role, pub);
    rc = fflush(f) == 0 && fsync(fileno(f)) == 0 ? 0 : -EIO;
    fclose(f);
    return rc;
}

/* Several processes may start at once on a fresh directory; an flock on dir/.lock makes the
   check-then-create of keys and allow-list entries atomic between them. */

/* True when nothing needs writing, so a service can start with a read-only key directory. */
static bool keys_complete(const char *dir, const char *name, const char *allow_role) {
    char pub[CURVE_KEY_Z85 + 1], sec[CURVE_KEY_Z85 + 1];
    if (curve_keys_load(dir, name, pub, sec) != 0) return false;
    return !allow_role || allow_has(dir, name);
}

int curve_keys_ensure(const char *dir, const char *name, const char *allow_role) {
    if (!name_ok(name)) return -EINVAL;
    if (keys_complete(dir, name, allow_role)) return 0;
    int made = files_mkdir_p(dir);
    if (made != 0) return made;
    char path[512];
    snprintf(path, sizeof path, "%s/.lock", dir);
    int lock = open(path, O_RDWR | O_CREAT, 0600);
    if (lock < 0) {
        int e = errno;
        log_error(0, "curve: cannot write in key directory %s: %s", dir, strerror(e));
        return -e;
    }
    if (flock(lock, LOCK_EX) != 0) {
        close(lock);
        return -errno;
    }
    int rc = keys_create(dir, name);
    if (rc == 0 && allow_role) rc = allow_add(dir, name, allow_role);
    flock(lock, LOCK_UN);
    close(lock);
    if (rc != 0) log_error(0, "curve: keys for %s in %s: %s", name, dir, strerror(-rc));
    return rc;
}

int curve_keys_import(const char *dir, const char *name, const char *public_z85, const char *role) {
    if (!name_ok(name) || strlen(public_z85) != CURVE_KEY_Z85) return -EINVAL;
    uint8_t raw[32];
    if (!zmq_z85_decode(raw, public_z85)) return -EINVAL;
    int rc = files_mkdir_p(dir);
    if (rc != 0) return rc;
    char pub[CURVE_KEY_Z85 + 1], path[512], text[64];
    if (curve_keys_load(dir, name, pub, NULL) == 0) {
        if (strcmp(pub, public_z85) != 0) {
            log_error(0, "curve: %s/%s.pub holds another key; remove it first to replace it", dir, name);
            return -EEXIST;
        }
    } else {
        snprintf(path, sizeof path, "%s/%s.pub", dir, name);
        snprintf(text, sizeof text, "%s\n", public_z85);
        if ((rc = write_file(path, text, 0644)) != 0) return rc;
    }
    return role ? allow_add(dir, name, role) : 0;
}

/* ---- scope ---- */

static int parse_cooperatives(curve_peer_t *p, const char *text) {
    p->cooperative_count = 0;
    p->all_cooperatives = !strcmp(text, "all");
    if (p->all_cooperatives) return 0;
    const char *s = text;
    while (*s) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (end == s || errno || v == 0 || (*end && *end != ',') || *s == '-' ||
            p->cooperative_count == CURVE_SCOPE_COOPS_MAX)
            return -EINVAL;
        p->cooperatives[p->cooperative_count++] = v;
        s = *end ? end + 1 : end;
    }
    return p->cooperative_count > 0 ? 0 : -EINVAL;
}

static int parse_operations(curve_peer_t *p, const char *text) {
    size_t n = strlen(text);
    if (n == 0 || n >= sizeof p->operations) return -EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!((text[i] >= 'a' && text[i] <= 'z') || text[i] == '_' || text[i] == ',' ||
              (text[i] >= '0' && text[i] <= '9')))
            return -EINVAL;
    memcpy(p->operations, text, n + 1);
    return 0;
}

int curve_scope_parse(curve_peer_t *p, const char *cooperatives, const char *operations) {
    int rc = parse_cooperatives(p, cooperatives);
    if (rc == 0) rc = parse_operations(p, operations);
    p->scoped = rc == 0;
    return rc;
}

void curve_scope_format(const curve_peer_t *p, char *out, size_t size) {
    if (!p->scoped) {
        snprintf(out, size, "%s", "");
        return;
    }
    size_t at = (size_t) snprintf(out, size, "cooperatives=");
    if (p->all_cooperatives) at += (size_t) snprintf(out + at, at < size ? size - at : 0, "all");
    for (int i = 0; i < p->cooperative_count && at < size; i++)
        at += (size_t) snprintf(out + at, size - at, "%s%llu", i ? "," : "",
                                (unsigned long long) p->cooperatives[i]);
    if (at < size) snprintf(out + at, size - at, " operations=%s", p->operations);
}

bool curve_peer_may_cooperative(const curve_peer_t *p, uint64_t cooperative_id) {
    if (!p->scoped) return false;
    if (p->all_cooperatives) return true;
    for (int i = 0; i < p->cooperative_count; i++)
        if (p->cooperatives[i] == cooperative_id) return true;
    return false;
}

bool curve_peer_may_operation(const curve_peer_t *p, const char *operation) {
    if (!p->scoped) return false;
    if (!strcmp(p->operations, "all")) return true;
    size_t n = strlen(operation);
    for (const char *s = p->operations; *s;) {
        size_t len = strcspn(s, ",");
        if (len == n && !strncmp(s, operation, n)) return true;
        s += len + (s[len] == ',');
    }
    return false;
}

/* The words after the key: `cooperatives=...` and `operations=...`, integrators only. */
static int parse_scope_words(curve_peer_t *p, char *rest) {
    char *coops = NULL, *ops = NULL, *save = NULL;
    for (char *w = strtok_r(rest, " \t\r\n", &save); w; w = strtok_r(NULL, " \t\r\n", &save)) {
        if (!strncmp(w, "cooperatives=", 13)) coops = w + 13;
        else if (!strncmp(w, "operations=", 11)) ops = w + 11;
        else return -EINVAL;
    }
    if (!coops && !ops) return 0;
    if (!coops || !ops || strcmp(p->role, "integrator") != 0) return -EINVAL;
    return curve_scope_parse(p, coops, ops);
}

int curve_allowlist_load(const char *dir, curve_allowlist_t *list) {
    char path[512];
    snprintf(path, sizeof path, "%s/allow.list", dir);
    list->count = 0;
    FILE *f = fopen(path, "r");
    if (!f) return errno == ENOENT ? 0 : -errno;
    char line[CURVE_LINE_MAX];
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        /* Only a leading '#' starts a comment: Z85 keys may contain '#'. */
        char *first = line + strspn(line, " \t");
        if (*first == '#') continue;
        curve_peer_t p;
        memset(&p, 0, sizeof p);
        char key[64];
        int used = 0;
        int n = sscanf(line, "%63s %15s %63s%n", p.name, p.role, key, &used);
        if (n <= 0) continue;
        if (n != 3 || !z85_key_valid(key, strlen(key)) || !role_known(p.role) ||
            list->count == CURVE_ALLOW_MAX || parse_scope_words(&p, line + used) != 0) {
            log_error(0, "curve: %s line %d: expected NAME ROLE PUBLIC-KEY with ROLE service or "
                         "integrator and a 40-character Z85 key, then for an integrator "
                         "cooperatives=ID,ID|all operations=NAME,NAME|all", path, lineno);
            rc = -EINVAL;
            continue;
        }
        memcpy(p.public_z85, key, CURVE_KEY_Z85 + 1);
        list->peers[list->count++] = p;
    }
    fclose(f);
    return rc;
}

/* ---- editing allow.list: rewritten whole (tmp + rename), under dir/.lock ---- */

typedef int (*line_edit_fn)(curve_peer_t *p, void *arg);   /* 1 keep (maybe changed), 0 drop */

static int lock_dir(const char *dir) {
    char path[600];
    snprintf(path, sizeof path, "%s/.lock", dir);
    int lock = open(path, O_RDWR | O_CREAT, 0600);
    if (lock < 0) return -errno;
    if (flock(lock, LOCK_EX) != 0) {
        int e = errno;
        close(lock);
        return -e;
    }
    return lock;
}

static void unlock_dir(int lock) {
    flock(lock, LOCK_UN);
    close(lock);
}

/* Applies `edit` to NAME's line; comments and other lines stay as they were. */
static int allow_edit(const char *dir, const char *name, line_edit_fn edit, void *arg) {
    char path[512];
    snprintf(path, sizeof path, "%s/allow.list", dir);
    FILE *f = fopen(path, "r");
    if (!f) return -errno;
    size_t cap = 4096, len = 0;
    char *out = malloc(cap), line[CURVE_LINE_MAX];
    if (!out) abort();
    out[0] = 0;
    int found = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        curve_peer_t p;
        memset(&p, 0, sizeof p);
        char key[64], copy[CURVE_LINE_MAX], text[2 * CURVE_LINE_MAX + 128];
        int used = 0;
        memcpy(copy, line, sizeof line);
        const char *keep = line;
        char *first = line + strspn(line, " \t");
        if (*first != '#' && sscanf(line, "%63s %15s %63s%n", p.name, p.role, key, &used) == 3 &&
            !strcmp(p.name, name)) {
            found = 1;
            memcpy(p.public_z85, key, CURVE_KEY_Z85);
            p.public_z85[CURVE_KEY_Z85] = 0;
            if (parse_scope_words(&p, copy + used) != 0) p.scoped = false;
            int kept = edit(&p, arg);
            if (kept < 0) rc = kept;
            if (kept <= 0) continue;
            char scope[CURVE_LINE_MAX];
            curve_scope_format(&p, scope, sizeof scope);
            snprintf(text, sizeof text, "%s %s %s%s%s\n", p.name, p.role, p.public_z85,
                     *scope ? " " : "", scope);
            keep = text;
        }
        size_t n = strlen(keep);
        bool newline = n > 0 && keep[n - 1] != '\n';
        while (len + n + 2 > cap) {
            cap *= 2;
            if (!(out = realloc(out, cap))) abort();
        }
        memcpy(out + len, keep, n);
        len += n;
        if (newline) out[len++] = '\n';
        out[len] = 0;
    }
    fclose(f);
    if (rc == 0 && !found) rc = -ENOENT;
    if (rc == 0) rc = write_file(path, out, 0644);
    free(out);
    return rc;
}

typedef struct {
    const char *cooperatives, *operations;
    const char *public_z85;
} edit_arg_t;

static int edit_scope(curve_peer_t *p, void *arg) {
    const edit_arg_t *a = arg;
    if (strcmp(p->role, "integrator") != 0) return -EINVAL;
    return curve_scope_parse(p, a->cooperatives, a->operations) == 0 ? 1 : -EINVAL;
}

static int edit_drop(curve_peer_t *p, void *arg) { return 0; }

static int edit_key(curve_peer_t *p, void *arg) {
    const edit_arg_t *a = arg;
    memcpy(p->public_z85, a->public_z85, CURVE_KEY_Z85 + 1);
    return 1;
}

int curve_keys_scope(const char *dir, const char *name, const char *cooperatives,
                     const char *operations) {
    curve_peer_t probe;
    if (curve_scope_parse(&probe, cooperatives, operations) != 0) return -EINVAL;
    int lock = lock_dir(dir);
    if (lock < 0) return lock;
    edit_arg_t a = { cooperatives, operations, NULL };
    int rc = allow_edit(dir, name, edit_scope, &a);
    unlock_dir(lock);
    return rc;
}

static void set_aside(const char *dir, const char *name, const char *ext, const char *suffix) {
    char from[600], to[640];
    snprintf(from, sizeof from, "%s/%s.%s", dir, name, ext);
    snprintf(to, sizeof to, "%s.%s", from, suffix);
    rename(from, to);      /* a missing file (a peer's .key lives on its host) is fine */
}

int curve_keys_revoke(const char *dir, const char *name) {
    if (!name_ok(name)) return -EINVAL;
    int lock = lock_dir(dir);
    if (lock < 0) return lock;
    int rc = allow_edit(dir, name, edit_drop, NULL);
    if (rc == 0) {
        set_aside(dir, name, "pub", "revoked");
        set_aside(dir, name, "key", "revoked");
    }
    unlock_dir(lock);
    return rc;
}

int curve_keys_rotate(const char *dir, const char *name) {
    if (!name_ok(name) || !allow_has(dir, name)) return -ENOENT;
    int lock = lock_dir(dir);
    if (lock < 0) return lock;
    set_aside(dir, name, "pub", "old");
    set_aside(dir, name, "key", "old");
    int rc = keys_create(dir, name);
    char pub[CURVE_KEY_Z85 + 1];
    if (rc == 0) rc = curve_keys_load(dir, name, pub, NULL);
    edit_arg_t a = { NULL, NULL, pub };
    if (rc == 0) rc = allow_edit(dir, name, edit_key, &a);
    unlock_dir(lock);
    return rc;
}

const curve_peer_t *curve_allowlist_find(const curve_allowlist_t *list, const uint8_t public_key[32]) {
    char z85[CURVE_KEY_Z85 + 1];
    if (!zmq_z85_encode(z85, public_key, 32)) return NULL;
    for (int i = 0; i < list->count; i++)
        if (!memcmp(list->peers[i].public_z85, z85, CURVE_KEY_Z85)) return &list->peers[i];
    return NULL;
}

/* ---- ZAP handler ---- */

struct zap {
    void *socket;
    uv_poll_t poll;
    curve_allowlist_t allow;
    char dir[512];
    struct timespec allow_mtime;
    ino_t allow_ino;
    uint64_t refused;
    uint64_t role_checked_ms;
    peer_guard_t *guard;            /* rate-limits the lines about refused peers; may be NULL */
    uv_idle_t idle;
    int handles_open;
};

/* The allow-list is re-read when the file changes, so an integrator added with
   `lumbungctl keys add` is admitted without restarting the services. */
static void zap_refresh(zap_t *self) {
    if (!self->dir[0]) return;
    char path[600];
    snprintf(path, sizeof path, "%s/allow.list", self->dir);
    struct stat st;
    if (stat(path, &st) != 0) return;
    /* allow.list is replaced by rename when edited: a new inode is a change too. */
    if (st.st_mtim.tv_sec == self->allow_mtime.tv_sec &&
        st.st_mtim.tv_nsec == self->allow_mtime.tv_nsec && st.st_ino == self->allow_ino)
        return;
    curve_allowlist_t *fresh = calloc(1, sizeof *fresh);
    if (!fresh) abort();
    if (curve_allowlist_load(self->dir, fresh) == 0) {
        self->allow = *fresh;
        self->allow_mtime = st.st_mtim;
        self->allow_ino = st.st_ino;
    }
    free(fresh);
}

/* A PUB cannot filter per subscriber: an integrator that may see only some cooperatives is
   kept off the event streams and follows by replay, which the service filters. */
static bool zap_domain_refuses(const zmq_msg_t *domain, const curve_peer_t *peer) {
    size_t n = strlen(CURVE_DOMAIN_PUB);
    if (zmq_msg_size((zmq_msg_t *) domain) != n ||
        memcmp(zmq_msg_data((zmq_msg_t *) domain), CURVE_DOMAIN_PUB, n) != 0)
        return false;
    return !strcmp(peer->role, "integrator") && !(peer->scoped && peer->all_cooperatives);
}

static void zap_answer(zap_t *self, zmq_msg_t *frames, int count) {
    /* Request: version, request id, domain, address, identity, mechanism, credentials... */
    const char *status = "400", *text = "refused", *user = "", *why = "key not on the allow-list";
    char address[64] = "";
    /* Metadata (ZMTP property list): the key the peer authenticated with, so a service can
       tell a connection made before a rotation from one made after it. */
    uint8_t meta[1 + 3 + 4 + CURVE_KEY_Z85];
    size_t meta_len = 0;
    if (count >= 6) {
        size_t al = zmq_msg_size(&frames[3]);
        if (al >= sizeof address) al = sizeof address - 1;
        memcpy(address, zmq_msg_data(&frames[3]), al);
        address[al] = 0;
    }
    if (count >= 7 && zmq_msg_size(&frames[5]) == 5 &&
        !memcmp(zmq_msg_data(&frames[5]), "CURVE", 5) && zmq_msg_size(&frames[6]) == 32) {
        zap_refresh(self);
        const curve_peer_t *peer = curve_allowlist_find(&self->allow, zmq_msg_data(&frames[6]));
        if (peer && zap_domain_refuses(&frames[2], peer)) {
            why = "an integrator scoped to some cooperatives follows by replay, not the event stream";
        } else if (peer) {
            status = "200";
            text = "OK";
            user = peer->name;
            meta[0] = 3;
            memcpy(meta + 1, "Key", 3);
            meta[4] = meta[5] = meta[6] = 0;
            meta[7] = CURVE_KEY_Z85;
            memcpy(meta + 8, peer->public_z85, CURVE_KEY_Z85);
            meta_len = sizeof meta;
        }
    }
    if (strcmp(status, "200") != 0) {
        self->refused++;
        if (self->guard)
            peer_guard_line(self->guard, LOG_WARN, true, address, "zap: refused a peer from %s: %s",
                            address, why);
        else
            log_warn(0, "zap: refused a peer from %s: %s", address, why);
    }
    const void *parts[6] = { "1.0", count >= 2 ? zmq_msg_data(&frames[1]) : "", status, text, user, meta };
    size_t sizes[6] = { 3, count >= 2 ? zmq_msg_size(&frames[1]) : 0, 3, strlen(text), strlen(user), meta_len };
    for (int i = 0; i < 6; i++)
        zmq_send(self->socket, parts[i], sizes[i], (i < 5 ? ZMQ_SNDMORE : 0) | ZMQ_DONTWAIT);
}

static int zap_read_one(zap_t *self) {
    zmq_msg_t frames[ZAP_FRAMES_MAX];
    int count = 0, more = 1;
    while (more) {
        zmq_msg_t scratch;
        zmq_msg_t *m = count < ZAP_FRAMES_MAX ? &frames[count] : &scratch;
        zmq_msg_init(m);
        if (zmq_msg_recv(m, self->socket, ZMQ_DONTWAIT) < 0) {
            int e = zmq_errno();
            zmq_msg_close(m);
            for (int i = 0; i < count; i++) zmq_msg_close(&frames[i]);
            return -e;
        }
        more = zmq_msg_more(m);
        if (m == &scratch) zmq_msg_close(m);
        else count++;
    }
    zap_answer(self, frames, count);
    for (int i = 0; i < count; i++) zmq_msg_close(&frames[i]);
    return 0;
}

static void zap_on_idle(uv_idle_t *handle);

/* The fd is edge-triggered: drain, and when the bound stops us with input left, look again
   on the next loop turn instead of waiting for an edge that will not come. */
static void zap_drain(zap_t *self) {
    for (int i = 0; i < ZAP_DRAIN_MAX; i++) {
        int ev = 0;
        size_t sz = sizeof ev;
        if (zmq_getsockopt(self->socket, ZMQ_EVENTS, &ev, &sz) != 0 || !(ev & ZMQ_POLLIN)) return;
        if (zap_read_one(self) != 0) return;
    }
    uv_idle_start(&self->idle, zap_on_idle);
}

static void zap_on_idle(uv_idle_t *handle) {
    uv_idle_stop(handle);
    zap_drain(handle->data);
}

static void zap_on_poll(uv_poll_t *handle, int status, int events) { zap_drain(handle->data); }

zap_t *zap_new(void *zmq_ctx, uv_loop_t *loop, const char *key_dir,
               const curve_allowlist_t *allow, peer_guard_t *guard, int *err) {
    zap_t *self = calloc(1, sizeof *self);
    if (!self) abort();
    self->allow = *allow;
    self->guard = guard;
    if (key_dir) snprintf(self->dir, sizeof self->dir, "%s", key_dir);
    else curve_key_dir(self->dir, sizeof self->dir);
    self->socket = zmq_socket(zmq_ctx, ZMQ_REP);
    int linger = 0, fd;
    size_t fdsz = sizeof fd;
    if (!self->socket || zmq_setsockopt(self->socket, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
        zmq_bind(self->socket, "inproc://zeromq.zap.01") != 0 ||
        zmq_getsockopt(self->socket, ZMQ_FD, &fd, &fdsz) != 0) {
        *err = -errno;
        log_error(0, "zap: cannot bind the handler: %s", zmq_strerror(errno));
        if (self->socket) zmq_close(self->socket);
        free(self);
        return NULL;
    }
    uv_poll_init(loop, &self->poll, fd);
    uv_idle_init(loop, &self->idle);
    self->poll.data = self->idle.data = self;
    self->handles_open = 2;
    uv_poll_start(&self->poll, UV_READABLE, zap_on_poll);
    return self;
}

static void zap_free(uv_handle_t *h) {
    zap_t *self = h->data;
    if (--self->handles_open == 0) free(self);
}

void zap_destroy(zap_t **self_p) {
    zap_t *self = *self_p;
    if (!self) return;
    uv_poll_stop(&self->poll);
    uv_idle_stop(&self->idle);
    zmq_close(self->socket);
    uv_close((uv_handle_t *) &self->poll, zap_free);
    uv_close((uv_handle_t *) &self->idle, zap_free);
    *self_p = NULL;
}

uint64_t zap_refused(const zap_t *self) { return self->refused; }

const curve_peer_t *zap_peer(zap_t *self, const char *name) {
    /* Asked on every request: look at the file at most once a second. */
    uint64_t now = uv_now(self->poll.loop);
    if (now - self->role_checked_ms >= 1000) {
        self->role_checked_ms = now;
        zap_refresh(self);
    }
    for (int i = 0; i < self->allow.count; i++)
        if (!strcmp(self->allow.peers[i].name, name)) return &self->allow.peers[i];
    return NULL;
}

const char *zap_peer_role(zap_t *self, const char *name) {
    const curve_peer_t *p = zap_peer(self, name);
    return p ? p->role : NULL;
}
