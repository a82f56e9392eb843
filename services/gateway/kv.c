#include "kv.h"

#include <assert.h>
#include <string.h>

#include "bytes.h"

int gateway_kv_write(store_t *store, gateway_kv_write_fn fn, void *arg) {
    assert(store && fn);
    return store_write(store, GATEWAY_KV_WRITE_ATTEMPTS, fn, arg);
}

static void put_bytes(gateway_kv_writer_t *w, const void *p, size_t n) {
    if (w->overflow || n > sizeof w->data - w->len) { w->overflow = true; return; }
    memcpy(w->data + w->len, p, n);
    w->len += n;
}

void gateway_kv_put_u8(gateway_kv_writer_t *w, uint8_t v) { put_bytes(w, &v, 1); }

void gateway_kv_put_u32(gateway_kv_writer_t *w, uint32_t v) {
    uint8_t b[4];
    be32_write(b, v);
    put_bytes(w, b, sizeof b);
}

void gateway_kv_put_u64(gateway_kv_writer_t *w, uint64_t v) {
    uint8_t b[8];
    be64_write(b, v);
    put_bytes(w, b, sizeof b);
}

void gateway_kv_put_str(gateway_kv_writer_t *w, const char *s) {
    size_t n = s ? strlen(s) : 0;
    if (n > UINT16_MAX) { w->overflow = true; return; }
    uint8_t b[2] = { (uint8_t) (n >> 8), (uint8_t) n };
    put_bytes(w, b, sizeof b);
    put_bytes(w, s ? s : "", n);
}

void gateway_kv_reader_init(gateway_kv_reader_t *r, const void *data, size_t len) {
    r->data = data;
    r->len = len;
    r->pos = 0;
    r->bad = false;
}

static const uint8_t *take(gateway_kv_reader_t *r, size_t n) {
    if (r->bad || n > r->len - r->pos) { r->bad = true; return NULL; }
    const uint8_t *p = r->data + r->pos;
    r->pos += n;
    return p;
}

uint8_t gateway_kv_get_u8(gateway_kv_reader_t *r) {
    const uint8_t *p = take(r, 1);
    return p ? p[0] : 0;
}

uint32_t gateway_kv_get_u32(gateway_kv_reader_t *r) {
    const uint8_t *p = take(r, 4);
    return p ? be32_read(p) : 0;
}

uint64_t gateway_kv_get_u64(gateway_kv_reader_t *r) {
    const uint8_t *p = take(r, 8);
    return p ? be64_read(p) : 0;
}

void gateway_kv_get_str(gateway_kv_reader_t *r, char *buf, size_t size) {
    assert(buf && size > 0);
    buf[0] = 0;
    const uint8_t *lp = take(r, 2);
    if (!lp) return;
    size_t n = (size_t) lp[0] << 8 | lp[1];
    const uint8_t *p = take(r, n);
    if (!p) return;
    size_t copy = n < size - 1 ? n : size - 1;
    memcpy(buf, p, copy);
    buf[copy] = 0;
}
