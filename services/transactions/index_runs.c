#include "index_runs.h"
#include "arena_grow.h"

#include <assert.h>
#include <stdbool.h>
#include <string.h>

enum {
    ITEMS_INITIAL = 64,
    RUNS_OPEN_MAX = 32,     /* runs being extended at once; past it the open ones are written */
};

typedef struct {
    tx_index_item_t head;   /* the first item of the run */
    uint64_t last;
} run_t;

void tx_index_runs_push(tx_index_runs_t *r, arena_t *arena, uint64_t coop, const char *code,
                        int32_t date, uint64_t id) {
    assert(id > 0 && (r->count == 0 || r->items[r->count - 1].id <= id));
    r->items = tx_arena_grow(arena, r->items, r->count, &r->cap, sizeof *r->items,
                             ITEMS_INITIAL);
    r->items[r->count++] = (tx_index_item_t) { coop, code, date, id };
}

size_t tx_index_runs_count(const tx_index_runs_t *r) {
    return r->count;
}

void tx_index_runs_truncate(tx_index_runs_t *r, size_t count) {
    assert(count <= r->count);
    r->count = count;
}

static bool same_row_family(const tx_index_item_t *a, const tx_index_item_t *b) {
    if (a->coop != b->coop || a->date != b->date || !a->code != !b->code) return false;
    return !a->code || !strcmp(a->code, b->code);
}

static int write_run(tx_store_t *db, store_txn_t *txn, const run_t *run) {
    const tx_index_item_t *h = &run->head;
    uint8_t key[TX_ACCOUNT_LINE_KEY_SIZE], val[TX_INDEX_RUN_VALUE_MAX];
    size_t kl = h->code ? tx_key_account_line(h->coop, h->code, h->date, h->id, key)
                        : tx_key_coop_entry(h->coop, h->date, h->id, key);
    size_t vl = tx_index_run_encode(h->id, run->last, val);
    return store_put(txn, h->code ? db->account_lines : db->coop_entries, key, kl, val, vl, 0);
}

static int write_runs(tx_store_t *db, store_txn_t *txn, const run_t *runs, size_t n) {
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) rc = write_run(db, txn, &runs[i]);
    return rc;
}

/* Extends the open run of the item's row family when its id follows, else writes that run
   and starts another; a family without an open run opens one. */
static int add_item(tx_store_t *db, store_txn_t *txn, run_t *runs, size_t *open,
                    const tx_index_item_t *it) {
    for (size_t i = 0; i < *open; i++) {
        if (!same_row_family(&runs[i].head, it)) continue;
        if (runs[i].last + 1 == it->id || runs[i].last == it->id) {
            runs[i].last = it->id;          /* the same id twice: two lines, one account */
            return 0;
        }
        int rc = write_run(db, txn, &runs[i]);
        runs[i] = (run_t) { *it, it->id };
        return rc;
    }
    if (*open == RUNS_OPEN_MAX) {
        int rc = write_runs(db, txn, runs, *open);
        *open = 0;
        if (rc != 0) return rc;
    }
    runs[(*open)++] = (run_t) { *it, it->id };
    return 0;
}

int tx_index_runs_write(tx_index_runs_t *r, tx_store_t *db, store_txn_t *txn) {
    run_t runs[RUNS_OPEN_MAX];
    size_t open = 0;
    int rc = 0;
    for (size_t i = 0; i < r->count && rc == 0; i++) rc = add_item(db, txn, runs, &open, &r->items[i]);
    if (rc == 0) rc = write_runs(db, txn, runs, open);
    if (rc == 0) r->count = 0;
    return rc;
}
