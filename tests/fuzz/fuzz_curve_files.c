/* libFuzzer target: the files an administrator edits or copies between hosts (common/curve.c):
   allow.list and NAME.pub / NAME.key.

   The input is written as allow.list (and, split at the first NUL, as a key file) in a private
   directory, then loaded as a service does at start. Properties: loading never crashes or
   overruns; every admitted peer has a name, a known role (service or integrator) and a
   40-character Z85 key that decodes to 32 bytes, so no malformed line is half admitted; a
   key file loads only as exactly one 40-character Z85 key.

   Run with `make fuzz` or, once built:
     build-fuzz/fuzz/fuzz_curve_files -max_total_time=60 tests/fuzz/corpus/fuzz_curve_files */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "curve.h"

enum { FILE_MAX = 64 * 1024 };

static char dir[64];

static void write_file(const char *name, const uint8_t *data, size_t size) {
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert(f);
    assert(fwrite(data, 1, size, f) == size || size == 0);
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > FILE_MAX) return 0;
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/lumbung-fuzz-curve-XXXXXX");
        assert(mkdtemp(dir));
    }
    write_file("allow.list", data, size);
    static curve_allowlist_t list;
    if (curve_allowlist_load(dir, &list) == 0 || list.count >= 0) {
        assert(list.count >= 0 && list.count <= CURVE_ALLOW_MAX);
        for (int i = 0; i < list.count; i++) {
            const curve_peer_t *p = &list.peers[i];
            uint8_t raw[32];
            assert(p->name[0] != 0);
            assert(!strcmp(p->role, "service") || !strcmp(p->role, "integrator"));
            assert(strlen(p->public_z85) == CURVE_KEY_Z85);
            assert(zmq_z85_decode(raw, p->public_z85) != NULL);
        }
    }
    const uint8_t *nul = memchr(data, 0, size);
    size_t pub_len = nul ? (size_t) (nul - data) : size;
    write_file("peer.pub", data, pub_len);
    char pub[CURVE_KEY_Z85 + 1];
    if (curve_keys_load(dir, "peer", pub, NULL) == 0) {
        uint8_t raw[32];
        assert(strlen(pub) == CURVE_KEY_Z85 && zmq_z85_decode(raw, pub) != NULL);
    }
    return 0;
}
