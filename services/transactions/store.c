#include "store.h"
#include "bytes.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int tx_store_open(tx_store_t *self, store_t *store) {
    assert(self && store);
    memset(self, 0, sizeof *self);
    self->store = store;
    store_table_t id_floors;
    struct { const char *name; store_table_t *table; } tables[] = {
        { "tx_coops", &self->coops },               { "tx_members", &self->members },
        { "tx_accounts", &self->accounts },         { "tx_roles", &self->roles },
        { "tx_entries", &self->entries },           { "tx_coop_entries", &self->coop_entries },
        { "tx_account_lines", &self->account_lines }, { "tx_reversals", &self->reversals },
        { "tx_savings", &self->savings },           { "tx_time_deposits", &self->time_deposits },
        { "tx_member_tds", &self->member_tds },     { "tx_settlements", &self->settlements },
        { "tx_loans", &self->loans },               { "tx_coop_loans", &self->coop_loans },
        { "tx_member_loans", &self->member_loans }, { "tx_close_days", &self->close_days },
        { "tx_id_floors", &id_floors },
        { "tx_close_steps", &self->close_steps },
    };
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        int rc = store_table(store, tables[i].name, tables[i].table);
        if (rc != 0) return rc;
    }
    tx_id_range_init(&self->ids, self->entries, self->loans, self->time_deposits, id_floors);
    return 0;
}

int tx_store_shard(tx_store_t *self, int shard) {
    return tx_id_range_shard(&self->ids, self->store, shard);
}

unsigned tx_store_append(const tx_store_t *self, store_table_t table) {
    return tx_id_range_append(&self->ids, table);
}

/* ------------------------------------------------------------------ packed records */

static void put_i64(uint8_t *p, int64_t v) { be64_write(p, (uint64_t) v); }
static int64_t get_i64(const uint8_t *p) { return (int64_t) be64_read(p); }
static void put_i32(uint8_t *p, int32_t v) { be32_write(p, (uint32_t) v); }
static int32_t get_i32(const uint8_t *p) { return (int32_t) be32_read(p); }

void tx_coop_encode(const tx_coop_t *c, uint8_t out[TX_COOP_RECORD_SIZE]) {
    memset(out, 0, TX_COOP_RECORD_SIZE);
    out[0] = TX_RECORD_VERSION;
    out[1] = c->period_months;
    out[2] = c->zone_hours;
    put_i64(out + 8, c->principal_sen);
    put_i64(out + 16, c->mandatory_sen);
    put_i64(out + 24, c->voluntary_min_sen);
    be64_write(out + 32, c->members_seq);
}

int tx_coop_decode(const void *buf, size_t len, tx_coop_t *c) {
    const uint8_t *p = buf;
    if (len != TX_COOP_RECORD_SIZE || p[0] != TX_RECORD_VERSION) return ERR_RECORD_VERSION;
    c->period_months = p[1];
    c->zone_hours = p[2];
    c->principal_sen = get_i64(p + 8);
    c->mandatory_sen = get_i64(p + 16);
    c->voluntary_min_sen = get_i64(p + 24);
    c->members_seq = be64_read(p + 32);
    return 0;
}

void tx_member_encode(const tx_member_t *m, uint8_t out[TX_MEMBER_RECORD_SIZE]) {
    memset(out, 0, TX_MEMBER_RECORD_SIZE);
    out[0] = TX_RECORD_VERSION;
    out[1] = m->status;
    put_i32(out + 4, m->joined_on);
    be64_write(out + 8, m->coop);
    put_i32(out + 16, m->exited_on);
}

int tx_member_decode(const void *buf, size_t len, tx_member_t *m) {
    const uint8_t *p = buf;
    if (len != TX_MEMBER_RECORD_SIZE || p[0] != TX_RECORD_VERSION) return ERR_RECORD_VERSION;
    m->status = p[1];
    m->joined_on = get_i32(p + 4);
    m->coop = be64_read(p + 8);
    m->exited_on = get_i32(p + 16);
    return 0;
}

size_t tx_account_encode(const tx_account_t *a, uint8_t out[TX_ACCOUNT_RECORD_MAX]) {
    assert(a->name_len <= TX_ACCOUNT_NAME_MAX);
    memset(out, 0, TX_ACCOUNT_RECORD_HEADER);
    out[0] = TX_RECORD_VERSION;
    out[1] = a->class_;
    out[2] = a->role;
    out[3] = a->flags;
    put_i64(out + 8, a->debit_total_sen);
    put_i64(out + 16, a->credit_total_sen);
    out[24] = (uint8_t) (a->name_len >> 8);
    out[25] = (uint8_t) a->name_len;
    memcpy(out + TX_ACCOUNT_RECORD_HEADER, a->name, a->name_len);
    return TX_ACCOUNT_RECORD_HEADER + a->name_len;
}

int tx_account_decode(const void *buf, size_t len, tx_account_t *a) {
    const uint8_t *p = buf;
    if (len < TX_ACCOUNT_RECORD_HEADER || p[0] != TX_RECORD_VERSION) return ERR_RECORD_VERSION;
    size_t name_len = ((size_t) p[24] << 8) | p[25];
    if (name_len > TX_ACCOUNT_NAME_MAX || len != TX_ACCOUNT_RECORD_HEADER + name_len)
        return ERR_RECORD_VERSION;
    a->class_ = p[1];
    a->role = p[2];
    a->flags = p[3];
    a->debit_total_sen = get_i64(p + 8);
    a->credit_total_sen = get_i64(p + 16);
    a->name_len = name_len;
    memcpy(a->name, p + TX_ACCOUNT_RECORD_HEADER, name_len);
    a->name[name_len] = 0;
    return 0;
}

void tx_savings_encode(const tx_savings_t *s, uint8_t out[TX_SAVINGS_RECORD_SIZE]) {
    memset(out, 0, TX_SAVINGS_RECORD_SIZE);
    out[0] = TX_RECORD_VERSION;
    put_i64(out + 8, s->balance_sen);
    put_i64(out + 16, s->paid_sen);
    put_i64(out + 24, s->withdrawn_sen);
}

int tx_savings_decode(const void *buf, size_t len, tx_savings_t *s) {
    const uint8_t *p = buf;
    if (len != TX_SAVINGS_RECORD_SIZE || p[0] != TX_RECORD_VERSION) return ERR_RECORD_VERSION;
    s->balance_sen = get_i64(p + 8);
    s->paid_sen = get_i64(p + 16);
    s->withdrawn_sen = get_i64(p + 24);
    return 0;
}

void tx_close_encode(const tx_close_t *c, uint8_t out[TX_CLOSE_RECORD_SIZE]) {
    memset(out, 0, TX_CLOSE_RECORD_SIZE);
    out[0] = TX_RECORD_VERSION;
    put_i32(out + 4, c->date);
    be64_write(out + 8, c->next_loan);
    be32_write(out + 16, c->loans);
    be32_write(out + 20, c->reclassified);
    put_i64(out + 24, c->late_fees_sen);
    put_i64(out + 32, c->outstanding_principal_sen);
    for (int k = 0; k < TX_CLOSE_CLASSES; k++) put_i64(out + 40 + 8 * k, c->by_class[k]);
}

int tx_close_decode(const void *buf, size_t len, tx_close_t *c) {
    const uint8_t *p = buf;
    if (len != TX_CLOSE_RECORD_SIZE || p[0] != TX_RECORD_VERSION) return ERR_RECORD_VERSION;
    c->date = get_i32(p + 4);
    c->next_loan = be64_read(p + 8);
    c->loans = be32_read(p + 16);
    c->reclassified = be32_read(p + 20);
    c->late_fees_sen = get_i64(p + 24);
    c->outstanding_principal_sen = get_i64(p + 32);
    for (int k = 0; k < TX_CLOSE_CLASSES; k++) c->by_class[k] = get_i64(p + 40 + 8 * k);
    return 0;
}

/* A lone entry keeps the empty value every row had before runs. */
size_t tx_index_run_encode(uint64_t first, uint64_t last, uint8_t out[TX_INDEX_RUN_VALUE_MAX]) {
    assert(last >= first);
    if (last == first) return 0;
    be64_write(out, last);
    return 8;
}

int tx_index_run_decode(const void *val, size_t len, uint64_t first, uint64_t *last) {
    if (len == 0) {
        *last = first;
        return 0;
    }
    if (len != 8) return ERR_RECORD_VERSION;
    *last = be64_read(val);
    return *last > first ? 0 : ERR_RECORD_VERSION;
}

/* ------------------------------------------------------------------ keys */


size_t tx_key_account(uint64_t coop, const char *code, uint8_t out[TX_ACCOUNT_KEY_MAX]) {
    size_t n = strlen(code);
    assert(n > 0 && n <= TX_CODE_MAX);
    be64_write(out, coop);
    memcpy(out + 8, code, n);
    return 8 + n;
}

size_t tx_key_coop_entry(uint64_t coop, int32_t date, uint64_t id,
                         uint8_t out[TX_COOP_ENTRY_KEY_SIZE]) {
    be64_write(out, coop);
    be32_write(out + 8, date_key(date));
    be64_write(out + 12, id);
    return TX_COOP_ENTRY_KEY_SIZE;
}

/* The code is zero-padded to a fixed width so that the date that follows sorts correctly. */
size_t tx_key_account_line(uint64_t coop, const char *code, int32_t date, uint64_t id,
                           uint8_t out[TX_ACCOUNT_LINE_KEY_SIZE]) {
    size_t n = strlen(code);
    assert(n > 0 && n <= TX_CODE_MAX);
    be64_write(out, coop);
    memset(out + 8, 0, TX_CODE_MAX);
    memcpy(out + 8, code, n);
    be32_write(out + 8 + TX_CODE_MAX, date_key(date));
    be64_write(out + 12 + TX_CODE_MAX, id);
    return TX_ACCOUNT_LINE_KEY_SIZE;
}

/* ------------------------------------------------------------------ typed access */

static int get_u64_key(store_txn_t *txn, store_table_t t, uint64_t id, const void **v,
                       size_t *vl) {
    uint8_t key[8];
    be64_write(key, id);
    return store_get(txn, t, key, sizeof key, v, vl);
}

int tx_store_get_coop(tx_store_t *self, store_txn_t *txn, uint64_t coop, tx_coop_t *out) {
    const void *v;
    size_t vl;
    int rc = get_u64_key(txn, self->coops, coop, &v, &vl);
    return rc != 0 ? rc : tx_coop_decode(v, vl, out);
}

int tx_store_get_member(tx_store_t *self, store_txn_t *txn, uint64_t member, tx_member_t *out) {
    const void *v;
    size_t vl;
    int rc = get_u64_key(txn, self->members, member, &v, &vl);
    return rc != 0 ? rc : tx_member_decode(v, vl, out);
}

int tx_store_get_account(tx_store_t *self, store_txn_t *txn, uint64_t coop, const char *code,
                         tx_account_t *out) {
    size_t n = strlen(code);
    if (n == 0 || n > TX_CODE_MAX) return ERR_NOT_FOUND;
    uint8_t key[TX_ACCOUNT_KEY_MAX];
    size_t kl = tx_key_account(coop, code, key);
    const void *v;
    size_t vl;
    int rc = store_get(txn, self->accounts, key, kl, &v, &vl);
    return rc != 0 ? rc : tx_account_decode(v, vl, out);
}

static size_t savings_key(uint64_t member, int kind, uint8_t key[9]) {
    assert(kind > 0 && kind < 256);
    be64_write(key, member);
    key[8] = (uint8_t) kind;
    return 9;
}

int tx_store_get_savings(tx_store_t *self, store_txn_t *txn, uint64_t member, int kind,
                         tx_savings_t *out) {
    uint8_t key[9];
    const void *v;
    size_t vl;
    int rc = store_get(txn, self->savings, key, savings_key(member, kind, key), &v, &vl);
    if (rc == ERR_NOT_FOUND) {
        memset(out, 0, sizeof *out);
        return 0;
    }
    return rc != 0 ? rc : tx_savings_decode(v, vl, out);
}

static size_t role_key(uint64_t coop, int role, uint8_t key[12]) {
    be64_write(key, coop);
    be32_write(key + 8, (uint32_t) role);
    return 12;
}

int tx_store_get_role(tx_store_t *self, store_txn_t *txn, uint64_t coop, int role,
                      char code[TX_CODE_MAX + 1]) {
    uint8_t key[12];
    const void *v;
    size_t vl;
    int rc = store_get(txn, self->roles, key, role_key(coop, role, key), &v, &vl);
    if (rc != 0) return rc;
    if (vl == 0 || vl > TX_CODE_MAX) return -EINVAL;
    memcpy(code, v, vl);
    code[vl] = 0;
    return 0;
}

int tx_store_put_coop(tx_store_t *self, store_txn_t *txn, uint64_t coop, const tx_coop_t *c) {
    uint8_t key[8], val[TX_COOP_RECORD_SIZE];
    be64_write(key, coop);
    tx_coop_encode(c, val);
    return store_put(txn, self->coops, key, sizeof key, val, sizeof val, 0);
}

int tx_store_put_member(tx_store_t *self, store_txn_t *txn, uint64_t member,
                        const tx_member_t *m) {
    uint8_t key[8], val[TX_MEMBER_RECORD_SIZE];
    be64_write(key, member);
    tx_member_encode(m, val);
    return store_put(txn, self->members, key, sizeof key, val, sizeof val, 0);
}

int tx_store_put_account(tx_store_t *self, store_txn_t *txn, uint64_t coop, const char *code,
                         const tx_account_t *a) {
    uint8_t key[TX_ACCOUNT_KEY_MAX], val[TX_ACCOUNT_RECORD_MAX];
    size_t kl = tx_key_account(coop, code, key);
    size_t vl = tx_account_encode(a, val);
    return store_put(txn, self->accounts, key, kl, val, vl, 0);
}

int tx_store_put_savings(tx_store_t *self, store_txn_t *txn, uint64_t member, int kind,
                         const tx_savings_t *s) {
    uint8_t key[9], val[TX_SAVINGS_RECORD_SIZE];
    size_t kl = savings_key(member, kind, key);
    tx_savings_encode(s, val);
    return store_put(txn, self->savings, key, kl, val, sizeof val, 0);
}

int tx_store_put_role(tx_store_t *self, store_txn_t *txn, uint64_t coop, int role,
                      const char *code) {
    uint8_t key[12];
    size_t n = strlen(code);
    assert(n > 0 && n <= TX_CODE_MAX);
    return store_put(txn, self->roles, key, role_key(coop, role, key), code, n, 0);
}

uint64_t tx_store_next_id(tx_store_t *self, store_txn_t *txn, store_table_t table) {
    return tx_id_range_next(&self->ids, txn, table);
}

int tx_store_get_pb(store_txn_t *txn, store_table_t table, uint64_t id, arena_t *arena,
                    const ProtobufCMessageDescriptor *desc, ProtobufCMessage **out) {
    const void *v;
    size_t vl;
    int rc = get_u64_key(txn, table, id, &v, &vl);
    if (rc != 0) return rc;
    ProtobufCAllocator alloc = arena_allocator(arena);
    *out = protobuf_c_message_unpack(desc, &alloc, vl, v);
    return *out ? 0 : -EINVAL;
}

enum { TX_PB_STACK = 2048 };

int tx_store_put_pb(store_txn_t *txn, store_table_t table, uint64_t id,
                    const ProtobufCMessage *msg, unsigned flags) {
    uint8_t key[8], stackbuf[TX_PB_STACK];
    be64_write(key, id);
    size_t len = protobuf_c_message_get_packed_size(msg);
    uint8_t *buf = len <= sizeof stackbuf ? stackbuf : malloc(len);
    if (!buf) abort();
    protobuf_c_message_pack(msg, buf);
    int rc = store_put(txn, table, key, sizeof key, buf, len, flags);
    if (buf != stackbuf) free(buf);
    return rc;
}

int tx_store_put_packed(store_txn_t *txn, store_table_t table, uint64_t id,
                        const uint8_t *bytes, size_t len, unsigned flags) {
    uint8_t key[8];
    be64_write(key, id);
    return store_put(txn, table, key, sizeof key, bytes, len, flags);
}
