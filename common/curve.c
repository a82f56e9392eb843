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

int curve_allowlist_load(const char *dir, curve_allowlist_t *list) {
    char path[512];
    snprintf(path, sizeof path, "%s/allow.list", dir);
    list->count = 0;
    FILE *f = fopen(path, "r");
    if (!f) return errno == ENOENT ? 0 : -errno;
    char line[256];
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        /* Only a leading '#' starts a comment: Z85 keys may contain '#'. */
        char *first = line + strspn(line, " \t");
        if (*first == '#') continue;
        curve_peer_t p;
        char key[64];
        int n = sscanf(line, "%63s %15s %63s", p.name, p.role, key);
        if (n <= 0) continue;
        if (n != 3 || !z85_key_valid(key, strlen(key)) || !role_known(p.role) ||
            list->count == CURVE_ALLOW_MAX) {
            log_error(0, "curve: %s line %d: expected NAME ROLE PUBLIC-KEY with ROLE service or "
                         "integrator and a 40-character Z85 key", path, lineno);
            rc = -EINVAL;
            continue;
        }
        memcpy(p.public_z85, key, CURVE_KEY_Z85 + 1);
        list->peers[list->count++] = p;
    }
    fclose(f);
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
    uint64_t refused;
    uint64_t role_checked_ms;
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
    if (st.st_mtim.tv_sec == self->allow_mtime.tv_sec &&
        st.st_mtim.tv_nsec == self->allow_mtime.tv_nsec)
        return;
    curve_allowlist_t *fresh = calloc(1, sizeof *fresh);
    if (!fresh) abort();
    if (curve_allowlist_load(self->dir, fresh) == 0) {
        self->allow = *fresh;
        self->allow_mtime = st.st_mtim;
    }
    free(fresh);
}

static void zap_answer(zap_t *self, zmq_msg_t *frames, int count) {
    /* Request: version, request id, domain, address, identity, mechanism, credentials... */
    const char *status = "400", *text = "refused", *user = "";
    char address[64] = "";
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
        if (peer) {
            status = "200";
            text = "OK";
            user = peer->name;
        }
    }
    if (strcmp(status, "200") != 0) {
        self->refused++;
        log_warn(0, "zap: refused a peer from %s: key not on the allow-list", address);
    }
    const void *parts[6] = { "1.0", count >= 2 ? zmq_msg_data(&frames[1]) : "", status, text, user, "" };
    size_t sizes[6] = { 3, count >= 2 ? zmq_msg_size(&frames[1]) : 0, 3, strlen(text), strlen(user), 0 };
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
            zmq_msg_close(m);
            for (int i = 0; i < count; i++) zmq_msg_close(&frames[i]);
            return -1;
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
               const curve_allowlist_t *allow, int *err) {
    zap_t *self = calloc(1, sizeof *self);
    if (!self) abort();
    self->allow = *allow;
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

const char *zap_peer_role(zap_t *self, const char *name) {
    /* Asked on every request: look at the file at most once a second. */
    uint64_t now = uv_now(self->poll.loop);
    if (now - self->role_checked_ms >= 1000) {
        self->role_checked_ms = now;
        zap_refresh(self);
    }
    for (int i = 0; i < self->allow.count; i++)
        if (!strcmp(self->allow.peers[i].name, name)) return self->allow.peers[i].role;
    return NULL;
}
