/*  curve — CURVE key files, the allow-list and the ZAP handler.

    Key directory layout (LUMBUNG_KEYS, default $LUMBUNG_DATA/keys):
      NAME.pub    the Z85 public key of NAME (40 characters and a newline)
      NAME.key    the Z85 secret key of NAME (mode 0600); only on NAME's own host
      allow.list  one admitted peer a line: `NAME ROLE Z85-PUBLIC-KEY`, ROLE one of
                  service | integrator; a line starting with `#` is a comment

    The ZAP handler answers libzmq's authentication requests on inproc://zeromq.zap.01 from the
    loop thread. It is bound before any CURVE server socket, admits only keys on the allow-list
    and returns the peer's NAME as User-Id, which every received message then carries (see
    bus_msg_t.peer). Refusals are logged with the peer address and counted.

    Not for: operator passwords (the gateway's auth module). */
#ifndef LUMBUNG_CURVE_H
#define LUMBUNG_CURVE_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

enum { CURVE_KEY_Z85 = 40, CURVE_NAME_MAX = 64, CURVE_ALLOW_MAX = 1024 };

typedef struct {
    char name[CURVE_NAME_MAX];
    char role[16];
    char public_z85[CURVE_KEY_Z85 + 1];
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

typedef struct zap zap_t;

/* Binds the ZAP handler in zmq context `zmq_ctx` and serves it from `loop`. The allow-list is
   copied and re-read from key_dir/allow.list (NULL: curve_key_dir()) when that file changes.
   Must be created before any CURVE server socket. */
zap_t *zap_new(void *zmq_ctx, uv_loop_t *loop, const char *key_dir,
               const curve_allowlist_t *allow, int *err);
/* Stops polling and closes the socket; call before the context terminates. */
void zap_destroy(zap_t **self_p);
uint64_t zap_refused(const zap_t *self);
/* The allow-list role of a peer name, NULL when unknown. */
const char *zap_peer_role(zap_t *self, const char *name);

#endif
