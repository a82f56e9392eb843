/*  kv — small helpers for the gateway's own LMDB store: write transactions that survive map
    growth, and the byte layout of the gateway's records.

    Records are a version byte followed by fields in a fixed order: unsigned integers as 8-byte
    big-endian (u8/u32 where stated), strings as a 2-byte big-endian length and the bytes.
    A reader that meets a short or unknown record marks itself bad instead of reading past the
    end, so a corrupt value is reported, never trusted.

    Not for: the services' stores (each has its own) or anything that crosses the bus. */
#ifndef LUMBUNG_GATEWAY_KV_H
#define LUMBUNG_GATEWAY_KV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "store.h"

enum {
    GATEWAY_KV_RECORD_MAX = 8192,     /* bytes in one record */
    GATEWAY_KV_WRITE_ATTEMPTS = 4,    /* map growths tried by one write */
};

/* Runs fn in a write transaction and commits. On ERR_MAP_FULL the transaction is aborted,
   the map grown and fn run again from scratch, so fn must change nothing outside the txn.
   Returns fn's negative result (after aborting), a store error, or 0. */
typedef int (*gateway_kv_write_fn)(void *arg, store_txn_t *txn);
int gateway_kv_write(store_t *store, gateway_kv_write_fn fn, void *arg);

typedef struct {
    uint8_t data[GATEWAY_KV_RECORD_MAX];
    size_t len;
    bool overflow;                    /* a field did not fit; the record must not be stored */
} gateway_kv_writer_t;

void gateway_kv_put_u8(gateway_kv_writer_t *w, uint8_t v);
void gateway_kv_put_u32(gateway_kv_writer_t *w, uint32_t v);
void gateway_kv_put_u64(gateway_kv_writer_t *w, uint64_t v);
void gateway_kv_put_str(gateway_kv_writer_t *w, const char *s);   /* NULL is stored as "" */

typedef struct {
    const uint8_t *data;
    size_t len, pos;
    bool bad;
} gateway_kv_reader_t;

void gateway_kv_reader_init(gateway_kv_reader_t *r, const void *data, size_t len);
uint8_t gateway_kv_get_u8(gateway_kv_reader_t *r);
uint32_t gateway_kv_get_u32(gateway_kv_reader_t *r);
uint64_t gateway_kv_get_u64(gateway_kv_reader_t *r);
/* Copies the string into buf (NUL-terminated, cut to size - 1). */
void gateway_kv_get_str(gateway_kv_reader_t *r, char *buf, size_t size);

#endif
