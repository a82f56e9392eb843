#include "tables.h"
#include "bytes.h"

#include <assert.h>
#include <errno.h>

int reporting_get_message(store_txn_t *txn, store_table_t table, const void *key,
                          size_t key_len, arena_t *arena, const ProtobufCMessageDescriptor *d,
                          ProtobufCMessage **out) {
    assert(txn && key && arena && d && out);
    const void *v;
    size_t vl;
    int rc = store_get(txn, table, key, key_len, &v, &vl);
    if (rc != 0) return rc;
    ProtobufCAllocator alloc = arena_allocator(arena);
    *out = protobuf_c_message_unpack(d, &alloc, vl, v);
    return *out ? 0 : -EPROTO;
}

int reporting_scan_coop(store_scan_t *s, store_txn_t *txn, store_table_t table, uint64_t coop,
                        uint8_t prefix[8], size_t rows_max) {
    be64_write(prefix, coop);
    store_range_t range = { .prefix = prefix, .prefix_len = 8, .rows_max = rows_max };
    return store_scan_open(s, txn, table, &range);
}
