#include "store.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "envelope.h"
#include "log.h"

static const char *const table_names[MEMBERS_TABLE_COUNT] = {
    [MEMBERS_TABLE_COOPS] = "coops",
    [MEMBERS_TABLE_MEMBERS] = "members",
    [MEMBERS_TABLE_MEMBER_NIK] = "member_nik",
    [MEMBERS_TABLE_MEMBER_NIK_ALL] = "member_nik_all",
    [MEMBERS_TABLE_MEMBER_NAME] = "member_name",
    [MEMBERS_TABLE_MEMBER_STATUS] = "member_status",
    [MEMBERS_TABLE_MEETINGS] = "meetings",
    [MEMBERS_TABLE_MEETING_YEAR] = "meeting_year",
    [MEMBERS_TABLE_SUPERVISIONS] = "supervisions",
    [MEMBERS_TABLE_TRAININGS] = "trainings",
    [MEMBERS_TABLE_JOBS] = "jobs",
    [MEMBERS_TABLE_SEQUENCES] = "sequences",
    [MEMBERS_TABLE_IMPORT_FILES] = "import_files",
    [MEMBERS_TABLE_IMPORT_RUNNING] = "import_running",
};

struct members_store {
    store_t *store;
    store_table_t tables[MEMBERS_TABLE_COUNT];
};

/* Index entries carry no value; LMDB stores zero bytes. */
static const uint8_t no_value[1] = { 0 };

members_store_t *members_store_new(store_t *store, int *err) {
    assert(store && err);
    members_store_t *self = calloc(1, sizeof *self);
    if (!self) abort();
    self->store = store;
    for (int t = 0; t < MEMBERS_TABLE_COUNT; t++) {
        int rc = store_table(store, table_names[t], &self->tables[t]);
        if (rc != 0) {
            log_error(0, "members store: cannot open table %s (%s)", table_names[t], error_name(rc));
            free(self);
            *err = rc;
            return NULL;
        }
    }
    *err = 0;
    return self;
}

void members_store_destroy(members_store_t **self_p) {
    assert(self_p);
    free(*self_p);
    *self_p = NULL;
}

static store_table_t table_of(const members_store_t *self, members_table_t t) {
    assert(t >= 0 && t < MEMBERS_TABLE_COUNT);
    return self->tables[t];
}

int members_store_next(members_store_t *self, store_txn_t *txn, const char *name, uint64_t scope,
                       uint64_t *out) {
    assert(self && txn && name && out);
    uint8_t key[MEMBERS_SEQ_NAME_MAX + 8];
    size_t n = strlen(name);
    assert(n > 0 && n <= MEMBERS_SEQ_NAME_MAX);
    memcpy(key, name, n);
    if (scope) {
        be64_write(key + n, scope);
        n += 8;
    }
    const void *val;
    size_t vlen;
    uint64_t last = 0;
    int rc = store_get(txn, table_of(self, MEMBERS_TABLE_SEQUENCES), key, n, &val, &vlen);
    if (rc == 0) {
        assert(vlen == 8);
        last = be64_read(val);
    } else if (rc != ERR_NOT_FOUND) {
        return rc;
    }
    uint8_t next[8];
    be64_write(next, last + 1);
    rc = store_put(txn, table_of(self, MEMBERS_TABLE_SEQUENCES), key, n, next, sizeof next, 0);
    if (rc != 0) return rc;
    *out = last + 1;
    return 0;
}

int members_store_get(members_store_t *self, store_txn_t *txn, members_table_t table,
                      const uint8_t *key, size_t klen, arena_t *arena,
                      const ProtobufCMessageDescriptor *descriptor, void **out) {
    assert(self && txn && key && arena && descriptor && out);
    const void *val;
    size_t vlen;
    int rc = store_get(txn, table_of(self, table), key, klen, &val, &vlen);
    if (rc != 0) return rc;
    ProtobufCAllocator allocator = arena_allocator(arena);
    ProtobufCMessage *m = protobuf_c_message_unpack(descriptor, &allocator, vlen, val);
    if (!m) {
        log_error(0, "members store: undecodable %s in table %s", descriptor->name,
                  table_names[table]);
        return ERR_STORE;
    }
    *out = m;
    return 0;
}

int members_store_put(members_store_t *self, store_txn_t *txn, members_table_t table,
                      const uint8_t *key, size_t klen, arena_t *arena,
                      const ProtobufCMessage *message) {
    assert(self && txn && key && arena && message);
    size_t len;
    uint8_t *bytes = envelope_pack(arena, message, &len);
    return store_put(txn, table_of(self, table), key, klen, len ? bytes : no_value, len, 0);
}

int members_store_bytes_get(members_store_t *self, store_txn_t *txn, members_table_t table,
                            const uint8_t *key, size_t klen, const void **val, size_t *vlen) {
    assert(self && txn && key && val && vlen);
    return store_get(txn, table_of(self, table), key, klen, val, vlen);
}

int members_store_bytes_put(members_store_t *self, store_txn_t *txn, members_table_t table,
                            const uint8_t *key, size_t klen, const void *val, size_t vlen) {
    assert(self && txn && key && (val || vlen == 0));
    return store_put(txn, table_of(self, table), key, klen, vlen ? val : no_value, vlen, 0);
}

int members_store_del(members_store_t *self, store_txn_t *txn, members_table_t table,
                      const uint8_t *key, size_t klen) {
    assert(self && txn && key);
    return store_del(txn, table_of(self, table), key, klen);
}

size_t members_key_id(uint8_t *buf, uint64_t id) {
    be64_write(buf, id);
    return 8;
}

size_t members_key_coop_id(uint8_t *buf, uint64_t coop, uint64_t id) {
    be64_write(buf, coop);
    be64_write(buf + 8, id);
    return 16;
}

size_t members_key_nik(uint8_t *buf, uint64_t coop, const char *nik) {
    assert(nik && strlen(nik) == MEMBERS_NIK_LEN);
    be64_write(buf, coop);
    memcpy(buf + 8, nik, MEMBERS_NIK_LEN);
    return 8 + MEMBERS_NIK_LEN;
}

size_t members_key_nik_all(uint8_t *buf, uint64_t coop, const char *nik, uint64_t id) {
    size_t n = members_key_nik(buf, coop, nik);
    be64_write(buf + n, id);
    return n + 8;
}

size_t members_key_name(uint8_t *buf, uint64_t coop, const char *name, bool terminate,
                        uint64_t id) {
    assert(name);
    be64_write(buf, coop);
    size_t n = 8;
    for (const char *s = name; *s && n < 8 + MEMBERS_KEY_NAME_MAX; s++) {
        char c = *s;
        buf[n++] = (uint8_t) (c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    if (!terminate) return n;
    buf[n++] = 0;
    be64_write(buf + n, id);
    return n + 8;
}

size_t members_key_status(uint8_t *buf, uint64_t coop, Lumbung__MemberStatus status, uint64_t id) {
    be64_write(buf, coop);
    buf[8] = (uint8_t) status;
    be64_write(buf + 9, id);
    return 17;
}

int members_store_member_get(members_store_t *self, store_txn_t *txn, arena_t *arena,
                             uint64_t coop, uint64_t id, Lumbung__Member **out) {
    uint8_t key[16];
    size_t klen = members_key_coop_id(key, coop, id);
    return members_store_get(self, txn, MEMBERS_TABLE_MEMBERS, key, klen, arena,
                             &lumbung__member__descriptor, (void **) out);
}

int members_store_member_by_nik(members_store_t *self, store_txn_t *txn, uint64_t coop,
                                const char *nik, uint64_t *id) {
    assert(self && txn && nik && id);
    uint8_t key[MEMBERS_KEY_MAX];
    size_t klen = members_key_nik(key, coop, nik);
    const void *val;
    size_t vlen;
    int rc = store_get(txn, table_of(self, MEMBERS_TABLE_MEMBER_NIK), key, klen, &val, &vlen);
    if (rc != 0) return rc;
    assert(vlen == 8);
    *id = be64_read(val);
    return 0;
}

static bool is_active(const Lumbung__Member *m) {
    return m->status == LUMBUNG__MEMBER_STATUS__MEMBER_STATUS_ACTIVE;
}

static int index_put(members_store_t *self, store_txn_t *txn, members_table_t t,
                     const uint8_t *key, size_t klen) {
    return store_put(txn, table_of(self, t), key, klen, no_value, 0, 0);
}

static int index_del(members_store_t *self, store_txn_t *txn, members_table_t t,
                     const uint8_t *key, size_t klen) {
    int rc = store_del(txn, table_of(self, t), key, klen);
    return rc == ERR_NOT_FOUND ? 0 : rc;
}

static int nik_active_put(members_store_t *self, store_txn_t *txn, const Lumbung__Member *m) {
    uint8_t key[MEMBERS_KEY_MAX], id[8];
    size_t klen = members_key_nik(key, m->cooperative_id, m->nik);
    be64_write(id, m->id);
    return store_put(txn, table_of(self, MEMBERS_TABLE_MEMBER_NIK), key, klen, id, sizeof id,
                     STORE_NOOVERWRITE);
}

/* The search indexes (all NIKs, name, status) of one member: put or delete. */
static int search_indexes(members_store_t *self, store_txn_t *txn, const Lumbung__Member *m,
                          bool put) {
    uint8_t key[MEMBERS_KEY_MAX];
    int (*op)(members_store_t *, store_txn_t *, members_table_t, const uint8_t *, size_t) =
        put ? index_put : index_del;
    size_t klen = members_key_nik_all(key, m->cooperative_id, m->nik, m->id);
    int rc = op(self, txn, MEMBERS_TABLE_MEMBER_NIK_ALL, key, klen);
    if (rc != 0) return rc;
    klen = members_key_name(key, m->cooperative_id, m->name, true, m->id);
    rc = op(self, txn, MEMBERS_TABLE_MEMBER_NAME, key, klen);
    if (rc != 0) return rc;
    klen = members_key_status(key, m->cooperative_id, m->status, m->id);
    return op(self, txn, MEMBERS_TABLE_MEMBER_STATUS, key, klen);
}

static int member_put(members_store_t *self, store_txn_t *txn, arena_t *arena,
                      const Lumbung__Member *m) {
    assert(m->n_warnings == 0);
    uint8_t key[16];
    size_t klen = members_key_coop_id(key, m->cooperative_id, m->id);
    return members_store_put(self, txn, MEMBERS_TABLE_MEMBERS, key, klen, arena,
                             &m->base);
}

int members_store_member_insert(members_store_t *self, store_txn_t *txn, arena_t *arena,
                                const Lumbung__Member *m) {
    assert(self && txn && arena && m && m->id && m->cooperative_id && m->nik && m->name);
    if (is_active(m)) {
        int rc = nik_active_put(self, txn, m);
        if (rc != 0) return rc;
    }
    int rc = member_put(self, txn, arena, m);
    if (rc != 0) return rc;
    return search_indexes(self, txn, m, true);
}

int members_store_member_replace(members_store_t *self, store_txn_t *txn, arena_t *arena,
                                 const Lumbung__Member *old, const Lumbung__Member *m) {
    assert(self && txn && arena && old && m);
    assert(old->id == m->id && old->cooperative_id == m->cooperative_id);
    bool nik_moves = strcmp(old->nik, m->nik) != 0 || is_active(old) != is_active(m);
    if (nik_moves && is_active(old)) {
        uint8_t key[MEMBERS_KEY_MAX];
        size_t klen = members_key_nik(key, old->cooperative_id, old->nik);
        int rc = index_del(self, txn, MEMBERS_TABLE_MEMBER_NIK, key, klen);
        if (rc != 0) return rc;
    }
    if (nik_moves && is_active(m)) {
        int rc = nik_active_put(self, txn, m);
        if (rc != 0) return rc;
    }
    /* Dropping and re-adding all three search entries is simpler than diffing them, and a
       member changes rarely. */
    int rc = search_indexes(self, txn, old, false);
    if (rc != 0) return rc;
    rc = member_put(self, txn, arena, m);
    if (rc != 0) return rc;
    return search_indexes(self, txn, m, true);
}

static size_t meeting_year_key(uint8_t *key, uint64_t coop, uint32_t year) {
    be64_write(key, coop);
    be32_write(key + 8, year);
    return 12;
}

int members_store_meeting_year(members_store_t *self, store_txn_t *txn, uint64_t coop,
                               uint32_t year, uint64_t *id) {
    uint8_t key[12];
    size_t klen = meeting_year_key(key, coop, year);
    const void *val;
    size_t vlen;
    int rc = store_get(txn, table_of(self, MEMBERS_TABLE_MEETING_YEAR), key, klen, &val, &vlen);
    if (rc != 0) return rc;
    assert(vlen == 8);
    *id = be64_read(val);
    return 0;
}

int members_store_meeting_insert(members_store_t *self, store_txn_t *txn, arena_t *arena,
                                 const Lumbung__AnnualMeeting *m) {
    assert(self && txn && arena && m && m->id && m->cooperative_id);
    uint8_t key[16], id[8];
    size_t klen = meeting_year_key(key, m->cooperative_id, m->fiscal_year);
    be64_write(id, m->id);
    int rc = store_put(txn, table_of(self, MEMBERS_TABLE_MEETING_YEAR), key, klen, id, sizeof id,
                       STORE_NOOVERWRITE);
    if (rc != 0) return rc;
    klen = members_key_coop_id(key, m->cooperative_id, m->id);
    return members_store_put(self, txn, MEMBERS_TABLE_MEETINGS, key, klen, arena, &m->base);
}

int members_store_scan(members_store_t *self, store_txn_t *txn, members_table_t table,
                       const uint8_t *prefix, size_t prefix_len, const uint8_t *after,
                       size_t after_len, uint32_t max_visits, members_store_visit_fn fn, void *arg) {
    assert(self && txn && fn && (prefix || prefix_len == 0) && (after || after_len == 0));
    store_scan_t s;
    int rc = store_scan_open(&s, txn, table_of(self, table),
                             &(store_range_t){ .prefix = prefix, .prefix_len = prefix_len,
                                               .from = after_len ? after : NULL,
                                               .from_len = after_len, .from_exclusive = true });
    if (rc != 0) return rc;
    int visited = 0;
    while ((uint32_t) visited < max_visits && (rc = store_scan_next(&s)) == 0) {
        visited++;
        int stop = fn(arg, s.key, s.key_len, s.val, s.val_len);
        if (stop < 0) {                   /* the visitor's own code, passed on as it is */
            store_scan_close(&s, 0);
            return stop;
        }
        if (stop > 0) break;
    }
    rc = store_scan_close(&s, rc);
    return rc < 0 ? rc : visited;
}
