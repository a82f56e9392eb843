/*  curve — CURVE key files, the allow-list and the ZAP handler.

    Key directory layout (LUMBUNG_KEYS, default $LUMBUNG_DATA/keys):
      NAME.pub    the Z85 public key of NAME (40 characters and a newline)
      NAME.key    the Z85 secret key of NAME (mode 0600); only on NAME's own host
      allow.list  one admitted peer a line: `NAME ROLE Z85-PUBLIC-KEY [SCOPE...]`, ROLE one of
                  service | integrator; a line starting with `#` is a comment. An integrator's
                  scope follows the key as `cooperatives=3,7 operations=deposit,post_repayment`
                  (either may be `all`). An integrator line without a scope is admitted by ZAP
                  but may act for no cooperative (every command refused) until it is scoped;
                  a service line never has one. Older readers ignore the extra words.

    The ZAP handler answers libzmq's authentication requests on inproc://zeromq.zap.01 from the
    loop thread. It is bound before any CURVE server socket, admits only keys on the allow-list
    and returns the peer's NAME as User-Id, which every received message then carries (see
    bus_msg_t.peer) and the peer's key as metadata property "Key" (bus_msg_t.peer_key), so a
    service can refuse, on the next request and without a restart, a connection whose key was
    revoked or rotated since its handshake. On a socket bound with the ZAP domain
    CURVE_DOMAIN_PUB (the event streams) an integrator scoped to some cooperatives only is
    refused: a PUB cannot filter per peer, so such an integrator follows by replay, which is
    filtered. Refusals are logged with the peer address and counted.

    Not for: operator passwords (the gateway's auth module). */
#ifndef LUMBUNG_CURVE_H
#define LUMBUNG_CURVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>
#include "peer_guard.h"

enum {
    CURVE_KEY_Z85 = 40, CURVE_NAME_MAX = 64, CURVE_ALLOW_MAX = 1024,
    CURVE_SCOPE_COOPS_MAX = 64,        /* cooperatives one integrator key may act for */
    CURVE_SCOPE_OPS_MAX = 512,         /* characters of its comma-separated operation list */
    CURVE_LINE_MAX = 2048,             /* one allow.list line */
};

#define CURVE_DOMAIN_PUB "lumbung-pub"

typedef struct {
    char name[CURVE_NAME_MAX];
    char role[16];
    char public_z85[CURVE_KEY_Z85 + 1];
    /* Integrators only. `scoped` is false for a line without cooperatives=: such a key may act
       for no cooperative. */
    bool scoped, all_cooperatives;
    int cooperative_count;
    uint64_t cooperatives[CURVE_SCOPE_COOPS_MAX];
    char operations[CURVE_SCOPE_OPS_MAX];    /* "deposit,post_repayment", "all" or "" */
} curve_peer_t;

typedef struct {
    curve_peer_t peers[CURVE_ALLOW_MAX];
    int count;
} curve_allowlist_t;

/* The key directory in use (LUMBUNG_KEYS or $LUMBUNG_DATA/keys). */
const char *curve_key_dir(char *buf, unsigned size);

/* Creates NAME.pub/NAME.key in dir if missing and, when `allow_role` is not NULL, adds NAME to
   allow.list if absent. Idempotent. Returns 0 or a negative errno. */
int curve_keys_ensure(const char *dir, const char *name, const char *allow_role);

/* Installs a peer's public key copied from its own host as NAME.pub (refusing to replace a
   different one) and, when `role` is not NULL, admits it on the allow-list. 0 or negative errno. */
int curve_keys_import(const char *dir, const char *name, const char *public_z85, const char *role);

/* Reads NAME's public (and, when secret_z85 is not NULL, secret) key. 0 or negative errno. */
int curve_keys_load(const char *dir, const char *name, char public_z85[CURVE_KEY_Z85 + 1],
                    char secret_z85[CURVE_KEY_Z85 + 1]);

/* Parses dir/allow.list. 0, or a negative errno (the bad line is logged). */
int curve_allowlist_load(const char *dir, curve_allowlist_t *list);
const curve_peer_t *curve_allowlist_find(const curve_allowlist_t *list, const uint8_t public_key[32]);

/* Parses "3,7" or "all" and "deposit,post_repayment" or "all" into p's scope. The operation
   names are not checked here (lumbungctl checks them against the request oneofs). 0 or -EINVAL. */
int curve_scope_parse(curve_peer_t *p, const char *cooperatives, const char *operations);
/* Writes p's scope as the allow.list words ("cooperatives=3,7 operations=deposit"), "" when
   unscoped. */
void curve_scope_format(const curve_peer_t *p, char *out, size_t size);
bool curve_peer_may_cooperative(const curve_peer_t *p, uint64_t cooperative_id);
bool curve_peer_may_operation(const curve_peer_t *p, const char *operation);

/* Sets NAME's scope on its allow.list line (it must be an integrator). 0 or negative errno
   (-ENOENT: no such line). */
int curve_keys_scope(const char *dir, const char *name, const char *cooperatives,
                     const char *operations);
/* Removes NAME's allow.list line and moves its key files aside (NAME.pub.revoked). Running
   services refuse its next request within a second. 0 or negative errno. */
int curve_keys_revoke(const char *dir, const char *name);
/* Makes NAME a new keypair and puts the new public key on its allow.list line, scope kept;
   the old key is refused from then on. 0 or negative errno. */
int curve_keys_rotate(const char *dir, const char *name);

typedef struct zap zap_t;

/* Binds the ZAP handler in zmq context `zmq_ctx` and serves it from `loop`. The allow-list is
   copied and re-read from key_dir/allow.list (NULL: curve_key_dir()) when that file changes.
   Must be created before any CURVE server socket. Its lines about refused peers go through
   `guard` (NULL: each is logged), which must outlive it. */
zap_t *zap_new(void *zmq_ctx, uv_loop_t *loop, const char *key_dir,
               const curve_allowlist_t *allow, peer_guard_t *guard, int *err);
/* Stops polling and closes the socket; call before the context terminates. */
void zap_destroy(zap_t **self_p);
uint64_t zap_refused(const zap_t *self);
/* The allow-list role of a peer name, NULL when unknown. */
const char *zap_peer_role(zap_t *self, const char *name);
/* The allow-list entry of a peer name (re-read at most once a second), NULL when unknown.
   Valid until the next zap_* call. */
const curve_peer_t *zap_peer(zap_t *self, const char *name);

#endif
