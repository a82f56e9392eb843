/*  static — the web interface's files (services/gateway/web/, copied with gzip siblings to
    $(BUILD)/web by the Makefile), served by the gateway at "/".

    Every file is read into memory once, at start-up, and a request is answered by looking its
    path up in that table: no request ever reaches the filesystem, so "..", symlinks or a NUL
    cannot name anything outside the table. Such paths are still refused with 400 so that a
    probe gets a clear answer. A file "x.js" with a sibling "x.js.gz" is also served gzipped
    to clients that accept it. Answers carry a strong ETag (BLAKE2b of the bytes) and
    "Cache-Control: no-cache", so a browser revalidates cheaply (304) and never runs a stale
    script after an upgrade. A GET of a path whose last segment has no dot (a client-side
    route such as /koperasi/12) is answered with index.html; under /anggota (STATIC_MEMBER_APP,
    the members' own pages: docs/members-self-service.md) with /anggota/index.html.

    The security headers every gateway response carries (STATIC_CSP and the others) are named
    here because this module is why they exist; gateway.c adds them.

    Ownership: static_files_load() returns a table the caller frees with static_files_free();
    the pointers in a static_answer_t point into that table.

    Not for: the API (routes.c), anything generated per request. */
#ifndef LUMBUNG_GATEWAY_STATIC_H
#define LUMBUNG_GATEWAY_STATIC_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

enum {
    STATIC_FILES_MAX = 512,                  /* files in the web folder */
    STATIC_FILE_MAX = 4 * 1024 * 1024,       /* bytes of one file */
    STATIC_TOTAL_MAX = 32 * 1024 * 1024,     /* bytes of all files together */
    STATIC_DEPTH_MAX = 8,                    /* nested folders */
    STATIC_PATH_MAX = 256,                   /* bytes of a URL path of a file */
    STATIC_ETAG_MAX = 48,
};

#define STATIC_MEMBER_APP "/anggota"

#define STATIC_CSP                                                                              \
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "           \
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
#define STATIC_REFERRER_POLICY "same-origin"

typedef struct static_files static_files_t;

/* Reads every regular file under `dir` (dot-files and symlinks skipped) within the limits
   above. Returns 0 with *out set (an empty table when `dir` does not exist, so a gateway
   built without the web folder still serves the API), or a negative errno. */
int static_files_load(const char *dir, static_files_t **out);
void static_files_free(static_files_t **self_p);
/* Files loaded (gzip siblings not counted). */
unsigned static_files_count(const static_files_t *self);

typedef struct {
    int status;                              /* 200 or 304 */
    const char *content_type;
    const void *body;                        /* NULL with 304 */
    size_t len;
    const char *etag;                        /* with quotes */
    const char *content_encoding;            /* "gzip" or NULL */
} static_answer_t;

/* Answers GET or HEAD of `path` (decoded, without the query). `if_none_match` and
   `accept_encoding` are the request headers or NULL. Returns 0 with *out filled,
   ERR_INVALID_PATH (a segment starting with ".", "%", "\\", a control byte; HTTP 400) or
   ERR_NOT_FOUND. */
int static_files_answer(const static_files_t *self, const char *path, const char *if_none_match,
                        const char *accept_encoding, static_answer_t *out);

/* The Content-Type of a file name, by extension ("application/octet-stream" when unknown). */
const char *static_content_type(const char *name);
/* True when `path` is one static_files_answer() refuses as ERR_INVALID_PATH. */
bool static_path_invalid(const char *path);

#endif
