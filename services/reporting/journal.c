#include "reporting.h"
#include "bytes.h"
#include "date.h"
#include "pb_date.h"
#include "pbwire.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

enum { JOURNAL_KEY = 8 + 4 + 8, ENTRY_MAX = 1024 * 1024 };

static void journal_key(uint8_t key[JOURNAL_KEY], uint64_t coop, int32_t day, uint64_t id) {
    be64_write(key, coop);
    be32_write(key + 8, date_key(day));
    be64_write(key + 12, id);
}

int reporting_journal_apply_entry(reporting_t *app, store_txn_t *txn, const Lumbung__JournalEntry *e,
                                  const reporting_span_t *wire) {
    assert(app && txn);
    int32_t day;
    if (!e || !e->has_id || !e->has_cooperative_id) return 0;
    if (!PB_DATE_GET(e, value_date, &day)) return -EPROTO;
    const uint8_t *buf = wire ? wire->data : NULL;
    size_t len = wire ? wire->len : protobuf_c_message_get_packed_size(&e->base);
    if (len > ENTRY_MAX) return -E2BIG;
    if (!buf) {
        uint8_t *packed = arena_alloc(app->apply.arena, len + 1);
        protobuf_c_message_pack(&e->base, packed);
        buf = packed;
    }
    uint8_t key[JOURNAL_KEY];
    journal_key(key, e->cooperative_id, day, e->id);
    return store_put(txn, app->tables.journal, key, sizeof key, buf, len, 0);
}

char *reporting_journal_memo(reporting_t *app, store_txn_t *txn, arena_t *arena, uint64_t coop,
                             int32_t day, uint64_t id, size_t max) {
    assert(app && txn && arena);
    uint8_t key[JOURNAL_KEY];
    journal_key(key, coop, day, id);
    const void *v;
    size_t vl;
    if (store_get(txn, app->tables.journal, key, sizeof key, &v, &vl) != 0) return NULL;
    const ProtobufCFieldDescriptor *memo =
        protobuf_c_message_descriptor_get_field_by_name(&lumbung__journal_entry__descriptor, "memo");
    const uint8_t *text;
    size_t len;
    if (pbwire_find_bytes(v, vl, memo->id, &text, &len) != 1 || len == 0) return NULL;
    return arena_strndup(arena, text, len > max ? max : len);
}

/* Appends one entry to the report, growing its array in the arena. */
static int add(arena_t *arena, Lumbung__JournalReport *r, size_t *cap, const void *v, size_t vl) {
    if (r->n_entries == REPORTING_JOURNAL_ENTRIES_MAX) return -E2BIG;
    if (r->n_entries == *cap) {
        size_t grown = *cap ? *cap * 2 : 64;
        Lumbung__JournalEntry **more = arena_alloc(arena, grown * sizeof *more);
        if (r->n_entries) memcpy(more, r->entries, r->n_entries * sizeof *more);
        r->entries = more;
        *cap = grown;
    }
    ProtobufCAllocator alloc = arena_allocator(arena);
    Lumbung__JournalEntry *e = (Lumbung__JournalEntry *) protobuf_c_message_unpack(
        &lumbung__journal_entry__descriptor, &alloc, vl, v);
    if (!e) return -EPROTO;
    for (size_t i = 0; i < e->n_lines; i++) {
        r->total_debit_sen += e->lines[i]->debit_sen;
        r->total_credit_sen += e->lines[i]->credit_sen;
    }
    r->entries[r->n_entries++] = e;
    return 0;
}

int reporting_journal_read(reporting_t *app, store_txn_t *txn, arena_t *arena, uint64_t coop,
                           int32_t from, int32_t to, Lumbung__JournalReport *out) {
    assert(app && txn && arena && out);
    store_cursor_t *c;
    int rc = store_cursor_open(txn, app->tables.journal, &c);
    if (rc != 0) return rc;
    uint8_t seek[JOURNAL_KEY];
    journal_key(seek, coop, from, 0);
    uint32_t last = date_key(to);
    const void *k, *v;
    size_t kl, vl, cap = 0;
    for (rc = store_cursor_seek(c, seek, sizeof seek, &k, &kl, &v, &vl);
         rc == 0 && kl == JOURNAL_KEY && memcmp(k, seek, 8) == 0 &&
         be32_read((const uint8_t *) k + 8) <= last;
         rc = store_cursor_next(c, &k, &kl, &v, &vl))
        if ((rc = add(arena, out, &cap, v, vl)) != 0) break;
    store_cursor_close(&c);
    return rc == ERR_NOT_FOUND || rc == 0 ? 0 : rc;
}
