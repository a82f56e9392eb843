#include "static.h"

#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "log.h"

typedef struct {
    char *data;
    size_t len;
    char etag[STATIC_ETAG_MAX];
} blob_t;

typedef struct {
    char path[STATIC_PATH_MAX];              /* URL path, "/app/main.js" */
    const char *content_type;
    blob_t plain, gzip;                      /* gzip.data NULL: no gzip sibling */
} file_t;

struct static_files {
    file_t *files;
    unsigned count;
    size_t total;
};

static const char GZ_SUFFIX[] = ".gz";

/* ---------------------------------------------------------------- content types */

const char *static_content_type(const char *name) {
    static const struct { const char *ext, *type; } types[] = {
        { ".html", "text/html; charset=utf-8" },
        { ".js", "text/javascript; charset=utf-8" },
        { ".mjs", "text/javascript; charset=utf-8" },
        { ".css", "text/css; charset=utf-8" },
        { ".json", "application/json" },
        { ".svg", "image/svg+xml" },
        { ".png", "image/png" },
        { ".ico", "image/x-icon" },
        { ".txt", "text/plain; charset=utf-8" },
        { ".csv", "text/csv; charset=utf-8" },
        { ".woff2", "font/woff2" },
        { ".webmanifest", "application/manifest+json" },
    };
    const char *dot = strrchr(name, '.');
    const char *slash = strrchr(name, '/');
    if (dot && (!slash || dot > slash))
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
            if (!strcasecmp(dot, types[i].ext)) return types[i].type;
    return "application/octet-stream";
}

/* ---------------------------------------------------------------- loading */

static void etag_of(blob_t *b, const char *suffix) {
    unsigned char hash[16];
    crypto_generichash(hash, sizeof hash, (const unsigned char *) b->data, b->len, NULL, 0);
    char hex[sizeof hash * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
    snprintf(b->etag, sizeof b->etag, "\"%s%s\"", hex, suffix);
}

static int read_whole(const char *fs_path, size_t size, blob_t *b) {
    FILE *f = fopen(fs_path, "rb");
    if (!f) return -errno;
    b->data = malloc(size + 1);
    if (!b->data) { fclose(f); return -ENOMEM; }
    size_t got = fread(b->data, 1, size, f);
    fclose(f);
    if (got != size) { free(b->data); b->data = NULL; return -EIO; }
    b->len = size;
    return 0;
}

static bool ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

typedef struct {
    static_files_t *t;
} walk_t;

static int add_file(walk_t *w, const char *fs_path, const char *url_path, size_t size) {
    static_files_t *t = w->t;
    if (t->count == STATIC_FILES_MAX || size > STATIC_FILE_MAX ||
        t->total + size > STATIC_TOTAL_MAX || strlen(url_path) >= STATIC_PATH_MAX) {
        log_error(0, "web: %s is beyond the limits (%d files, %d bytes each, %d in all)", fs_path,
                  STATIC_FILES_MAX, STATIC_FILE_MAX, STATIC_TOTAL_MAX);
        return -EFBIG;
    }
    file_t *f = &t->files[t->count];
    memset(f, 0, sizeof *f);
    snprintf(f->path, sizeof f->path, "%s", url_path);
    f->content_type = static_content_type(url_path);
    int rc = read_whole(fs_path, size, &f->plain);
    if (rc < 0) return rc;
    etag_of(&f->plain, "");
    t->total += size;
    t->count++;
    /* The gzip sibling, when there is one, as a second representation of the same file. */
    char gz[FILENAME_MAX];
    struct stat st;
    if ((size_t) snprintf(gz, sizeof gz, "%s%s", fs_path, GZ_SUFFIX) < sizeof gz &&
        lstat(gz, &st) == 0 && S_ISREG(st.st_mode) && (size_t) st.st_size <= STATIC_FILE_MAX &&
        read_whole(gz, (size_t) st.st_size, &f->gzip) == 0) {
        snprintf(f->gzip.etag, sizeof f->gzip.etag, "%.*s-gz\"", (int) strlen(f->plain.etag) - 1,
                 f->plain.etag);
        t->total += (size_t) st.st_size;
    }
    return 0;
}

static int walk(walk_t *w, const char *fs_dir, const char *url_dir, int depth) {
    if (depth > STATIC_DEPTH_MAX) return -ELOOP;
    DIR *d = opendir(fs_dir);
    if (!d) return -errno;
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d))) {
        if (e->d_name[0] == '.' || ends_with(e->d_name, GZ_SUFFIX)) continue;
        char fs_path[FILENAME_MAX], url_path[FILENAME_MAX];
        if ((size_t) snprintf(fs_path, sizeof fs_path, "%s/%s", fs_dir, e->d_name) >= sizeof fs_path ||
            (size_t) snprintf(url_path, sizeof url_path, "%s/%s", url_dir, e->d_name) >=
                sizeof url_path)
            continue;
        struct stat st;
        if (lstat(fs_path, &st) < 0) continue;                 /* symlinks are not followed */
        if (S_ISDIR(st.st_mode)) rc = walk(w, fs_path, url_path, depth + 1);
        else if (S_ISREG(st.st_mode) && !static_path_invalid(url_path))
            rc = add_file(w, fs_path, url_path, (size_t) st.st_size);
    }
    closedir(d);
    return rc;
}

int static_files_load(const char *dir, static_files_t **out) {
    static_files_t *t = calloc(1, sizeof *t);
    if (!t || !(t->files = calloc(STATIC_FILES_MAX, sizeof *t->files))) {
        free(t);
        return -ENOMEM;
    }
    *out = t;
    struct stat st;
    if (!dir || stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) return 0;
    walk_t w = { t };
    int rc = walk(&w, dir, "", 0);
    if (rc < 0) static_files_free(out);
    return rc;
}

void static_files_free(static_files_t **self_p) {
    static_files_t *t = *self_p;
    if (!t) return;
    for (unsigned i = 0; i < t->count; i++) {
        free(t->files[i].plain.data);
        free(t->files[i].gzip.data);
    }
    free(t->files);
    free(t);
    *self_p = NULL;
}

unsigned static_files_count(const static_files_t *self) { return self ? self->count : 0; }

/* ---------------------------------------------------------------- answering */

bool static_path_invalid(const char *path) {
    if (!path || path[0] != '/') return true;
    for (const char *p = path; *p; p++) {
        unsigned char c = (unsigned char) *p;
        if (c < 0x20 || c == 0x7f || c == '\\' || c == '%') return true;
        /* a segment starting with a dot: ".", "..", and the dot-files that are never loaded */
        if (c == '/' && p[1] == '.') return true;
    }
    return false;
}

static const file_t *find(const static_files_t *t, const char *path) {
    for (unsigned i = 0; i < t->count; i++)
        if (!strcmp(t->files[i].path, path)) return &t->files[i];
    return NULL;
}

/* A client-side route: its last segment has no dot (so /app/x.js stays a 404 when missing). */
static bool is_app_route(const char *path) {
    const char *last = strrchr(path, '/');
    return !strchr(last ? last : path, '.');
}

/* True when `accept` lists gzip with a weight above zero. */
static bool accepts_gzip(const char *accept) {
    if (!accept) return false;
    for (const char *p = accept; (p = strcasestr(p, "gzip")); p += 4) {
        if (p != accept && p[-1] != ' ' && p[-1] != ',') continue;
        const char *q = p + 4;
        while (*q == ' ') q++;
        if (*q == ',' || !*q) return true;
        if (*q != ';') continue;
        q++;
        while (*q == ' ') q++;
        if (strncasecmp(q, "q=", 2)) return true;
        return strtod(q + 2, NULL) > 0;
    }
    return false;
}

/* True when the If-None-Match list holds `etag` (or "*"); weak tags compare by their value. */
static bool etag_listed(const char *list, const char *etag) {
    if (!list) return false;
    size_t n = strlen(etag);
    for (const char *p = list; *p;) {
        while (*p == ' ' || *p == ',') p++;
        if (*p == '*') return true;
        if (!strncmp(p, "W/", 2)) p += 2;
        if (!strncmp(p, etag, n) && (p[n] == 0 || p[n] == ',' || p[n] == ' ')) return true;
        while (*p && *p != ',') p++;
    }
    return false;
}

/* The page of a client-side route: the members' own app under /anggota (web/anggota/), the
   operators' interface everywhere else. */
static const char *app_index(const char *path) {
    static const char prefix[] = STATIC_MEMBER_APP;
    size_t n = sizeof prefix - 1;
    if (!strncmp(path, prefix, n) && (path[n] == 0 || path[n] == '/')) return STATIC_MEMBER_APP "/index.html";
    return "/index.html";
}

int static_files_answer(const static_files_t *self, const char *path, const char *if_none_match,
                        const char *accept_encoding, static_answer_t *out) {
    memset(out, 0, sizeof *out);
    if (static_path_invalid(path)) return ERR_INVALID_PATH;
    const file_t *f = !strcmp(path, "/") ? find(self, "/index.html") : find(self, path);
    if (!f && is_app_route(path)) f = find(self, app_index(path));
    if (!f) return ERR_NOT_FOUND;
    const blob_t *b = f->gzip.data && accepts_gzip(accept_encoding) ? &f->gzip : &f->plain;
    out->content_type = f->content_type;
    out->etag = b->etag;
    out->content_encoding = b == &f->gzip ? "gzip" : NULL;
    if (etag_listed(if_none_match, b->etag)) {
        out->status = 304;
        return 0;
    }
    out->status = 200;
    out->body = b->data;
    out->len = b->len;
    return 0;
}
