/*  tables — how the projections read their tables (reporting.h lists them): one stored
    protobuf message by its key, and the rows of one cooperative in key order.

    Shared by every projection and by the handlers, so that projections.c, which routes events
    to the projections, is not also the module they read through. Reads only; nothing here
    owns memory beyond what the caller's arena and scan hold.

    Not for: what a table's rows mean (each projection's own header) or opening the tables
    (projections.h). */
#ifndef LUMBUNG_REPORTING_TABLES_H
#define LUMBUNG_REPORTING_TABLES_H

#include <stddef.h>
#include <stdint.h>
#include <protobuf-c/protobuf-c.h>
#include "arena.h"
#include "store.h"

/* Reads the protobuf message of descriptor d stored under key in table, unpacked into arena.
   0, ERR_NOT_FOUND, a store error, or -EPROTO when it does not unpack. */
int reporting_get_message(store_txn_t *txn, store_table_t table, const void *key,
                          size_t key_len, arena_t *arena, const ProtobufCMessageDescriptor *d,
                          ProtobufCMessage **out);

/* Opens a scan of the rows of cooperative `coop` in `table` (keys that begin with its u64 id),
   -E2BIG past rows_max rows (0: no limit). `prefix` is the caller's 8 bytes, written here,
   and must live as long as the scan. 0 or ERR_STORE (store_scan_open). */
int reporting_scan_coop(store_scan_t *s, store_txn_t *txn, store_table_t table, uint64_t coop,
                        uint8_t prefix[8], size_t rows_max);

#endif
