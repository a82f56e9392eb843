#include "id_range.h"
#include "bytes.h"

#include <assert.h>
#include <string.h>

/* The keys of tx_id_floors: the name of each table the range covers. */
static const char *const table_names[TX_ID_TABLES] = { "tx_entries", "tx_loans",
                                                       "tx_time_deposits" };

void tx_id_range_init(tx_id_range_t *self, store_table_t entries, store_table_t loans,
                      store_table_t time_deposits, store_table_t floors) {
    assert(self);
    memset(self, 0, sizeof *self);
    self->tables[0] = entries;
    self->tables[1] = loans;
    self->tables[2] = time_deposits;
    self->floors = floors;
}

static int table_index(const tx_id_range_t *self, store_table_t table) {
    for (int i = 0; i < TX_ID_TABLES; i++)
        if (self->tables[i] == table) return i;
    return -1;
}

/* The last key of `table` below `end`, or 0 when none. */
static uint64_t last_below(store_txn_t *txn, store_table_t table, uint64_t end, bool *above) {
    store_cursor_t *c;
    if (store_cursor_open(txn, table, &c) != 0) return 0;
    uint8_t key[8];
    be64_write(key, end);
    const void *k;
    size_t kl;
    int rc = store_cursor_seek(c, key, 8, &k, &kl, NULL, NULL);
    if (above) *above = rc == 0;
    rc = rc == 0 ? store_cursor_prev(c, &k, &kl, NULL, NULL)
                 : store_cursor_last(c, &k, &kl, NULL, NULL);
    uint64_t last = rc == 0 && kl == 8 ? be64_read(k) : 0;
    store_cursor_close(&c);
    return last;
}

int tx_id_range_shard(tx_id_range_t *self, store_t *store, int shard) {
    assert(self && store);
    self->base = (uint64_t) shard * TX_SHARD_ID_SPAN;
    store_txn_t *txn;
    int rc = store_begin(store, true, &txn);
    if (rc != 0) return rc;
    for (int i = 0; i < TX_ID_TABLES; i++) {
        const void *v;
        size_t vl;
        const char *name = table_names[i];
        self->floor[i] = store_get(txn, self->floors, name, strlen(name), &v, &vl) == 0 &&
                         vl == 8 ? be64_read(v) : 0;
        last_below(txn, self->tables[i], self->base + TX_SHARD_ID_SPAN, &self->above[i]);
    }
    store_abort(&txn);
    return 0;
}

uint64_t tx_id_range_next(const tx_id_range_t *self, store_txn_t *txn, store_table_t table) {
    uint64_t last = last_below(txn, table, self->base + TX_SHARD_ID_SPAN, NULL);
    int i = table_index(self, table);
    if (i >= 0 && self->floor[i] > last) last = self->floor[i];
    return last >= self->base ? last + 1 : self->base + 1;
}

unsigned tx_id_range_append(const tx_id_range_t *self, store_table_t table) {
    int i = table_index(self, table);
    return i >= 0 && self->above[i] ? 0 : STORE_APPEND;
}

int tx_id_range_keep_floors(const tx_id_range_t *self, store_txn_t *txn) {
    for (int i = 0; i < TX_ID_TABLES; i++) {
        uint64_t last = tx_id_range_next(self, txn, self->tables[i]) - 1;
        if (last <= self->base) continue;
        uint8_t val[8];
        be64_write(val, last);
        const char *name = table_names[i];
        int rc = store_put(txn, self->floors, name, strlen(name), val, 8, 0);
        if (rc != 0) return rc;
    }
    return 0;
}
