/*  bytes — fixed-width big-endian integers for LMDB keys and packed values.

    Keys are big-endian so that LMDB's byte order is numeric order on every platform.
    Not for: variable-length encodings (use protobuf for values that grow). */
#ifndef LUMBUNG_BYTES_H
#define LUMBUNG_BYTES_H

#include <stdint.h>

static inline void be64_write(uint8_t *p, uint64_t v) {
    for (int i = 7; i >= 0; i--) { p[i] = (uint8_t) v; v >>= 8; }
}
static inline uint64_t be64_read(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = (v << 8) | p[i];
    return v;
}
static inline void be32_write(uint8_t *p, uint32_t v) {
    for (int i = 3; i >= 0; i--) { p[i] = (uint8_t) v; v >>= 8; }
}
static inline uint32_t be32_read(const uint8_t *p) {
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v = (v << 8) | p[i];
    return v;
}

#endif
