#include "reporting.h"
#include "bytes.h"
#include "log.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MB(x) LUMBUNG__MEMBERS_EVENT__BODY_##x

enum { COUNTS_VERSION = 1, COUNTS_SIZE = 13, RECORD_MAX = 64 * 1024 };

/* Packs a message into the app's scratch arena and stores it under a u64 key. */
static int put_message(reporting_t *app, store_txn_t *txn, store_table_t table, uint64_t id,
                       const ProtobufCMessage *msg) {
    size_t len = protobuf_c_message_get_packed_size(msg);
    if (len > RECORD_MAX) return -E2BIG;
    uint8_t *buf = arena_alloc(app->apply.arena, len + 1);
    protobuf_c_message_pack(msg, buf);
    uint8_t key[8];
    be64_write(key, id);
    return store_put(txn, table, key, sizeof key, buf, len, 0);
}

static int get_message(store_txn_t *txn, store_table_t table, arena_t *arena, uint64_t id,
                       const ProtobufCMessageDescriptor *d, ProtobufCMessage **out) {
    uint8_t key[8];
    be64_write(key, id);
    return reporting_get_message(txn, table, key, sizeof key, arena, d, out);
}

int reporting_registry_coop(reporting_t *app, store_txn_t *txn, arena_t *arena, uint64_t coop,
                            Lumbung__Cooperative **out) {
    return get_message(txn, app->tables.coops, arena, coop, &lumbung__cooperative__descriptor,
                       (ProtobufCMessage **) out);
}

int reporting_registry_coop_of(reporting_t *app, service_call_t *call, store_txn_t *txn,
                               arena_t *arena, uint64_t coop, Lumbung__Cooperative **out) {
    int rc = coop ? reporting_registry_coop(app, txn, arena, coop, out) : ERR_NOT_FOUND;
    if (rc == ERR_NOT_FOUND)
        return service_call_fail(call, LUMBUNG__ERROR_KIND__ERROR_KIND_NOT_FOUND,
                                 "cooperative_not_found", "cooperative_id",
                                 "cooperative %" PRIu64 " does not exist", coop);
    return rc;
}

int reporting_registry_member(reporting_t *app, store_txn_t *txn, arena_t *arena,
                              uint64_t member, Lumbung__Member **out) {
    return get_message(txn, app->tables.members_table, arena, member, &lumbung__member__descriptor,
                       (ProtobufCMessage **) out);
}

int reporting_registry_counts(reporting_t *app, store_txn_t *txn, uint64_t coop,
                              reporting_counts_t *out) {
    memset(out, 0, sizeof *out);
    uint8_t key[8];
    be64_write(key, coop);
    const void *v;
    size_t vl;
    int rc = store_get(txn, app->tables.coop_counts, key, sizeof key, &v, &vl);
    if (rc == ERR_NOT_FOUND) return 0;
    if (rc != 0) return rc;
    const uint8_t *p = v;
    if (vl != COUNTS_SIZE || p[0] != COUNTS_VERSION) return ERR_RECORD_VERSION;
    out->active = be32_read(p + 1);
    out->female = be32_read(p + 5);
    out->male = be32_read(p + 9);
    return 0;
}

static int put_counts(reporting_t *app, store_txn_t *txn, uint64_t coop,
                      const reporting_counts_t *c) {
    uint8_t key[8], val[COUNTS_SIZE];
    be64_write(key, coop);
    val[0] = COUNTS_VERSION;
    be32_write(val + 1, c->active);
    be32_write(val + 5, c->female);
    be32_write(val + 9, c->male);
    return store_put(txn, app->tables.coop_counts, key, sizeof key, val, sizeof val, 0);
}

static bool is_active(const Lumbung__Member *m) {
    return m && m->has_status && m->status == LUMBUNG__MEMBER_STATUS__MEMBER_STATUS_ACTIVE;
}

/* Adds `sign` (+1 or -1) of one active member to its cooperative's counts. */
static int count_member(reporting_t *app, store_txn_t *txn, const Lumbung__Member *m, int sign) {
    if (!is_active(m)) return 0;
    reporting_counts_t c;
    int rc = reporting_registry_counts(app, txn, m->cooperative_id, &c);
    if (rc != 0) return rc;
    uint32_t *by_sex = m->sex == LUMBUNG__SEX__SEX_FEMALE ? &c.female
                     : m->sex == LUMBUNG__SEX__SEX_MALE ? &c.male : NULL;
    if (sign > 0) {
        c.active++;
        if (by_sex) (*by_sex)++;
    } else {
        assert(c.active > 0 && "an active member was counted when it became active");
        c.active--;
        if (by_sex && *by_sex > 0) (*by_sex)--;
    }
    return put_counts(app, txn, m->cooperative_id, &c);
}

static int apply_member(reporting_t *app, store_txn_t *txn, const Lumbung__Member *m) {
    if (!m || !m->has_id || m->id == 0 || !m->has_cooperative_id) return 0;
    Lumbung__Member *before = NULL;
    int rc = reporting_registry_member(app, txn, app->apply.arena, m->id, &before);
    if (rc != 0 && rc != ERR_NOT_FOUND) return rc;
    if ((rc = count_member(app, txn, before, -1)) != 0) return rc;
    if ((rc = count_member(app, txn, m, +1)) != 0) return rc;
    return put_message(app, txn, app->tables.members_table, m->id, &m->base);
}

static int apply_coop(reporting_t *app, store_txn_t *txn, const Lumbung__Cooperative *c) {
    if (!c || !c->has_id || c->id == 0) return 0;
    return put_message(app, txn, app->tables.coops, c->id, &c->base);
}

int reporting_registry_apply(reporting_t *app, store_txn_t *txn, const Lumbung__MembersEvent *ev) {
    assert(app && txn && ev);
    switch (ev->body_case) {
    case MB(COOPERATIVE_CREATED): return apply_coop(app, txn, ev->cooperative_created);
    case MB(COOPERATIVE_UPDATED): return apply_coop(app, txn, ev->cooperative_updated);
    case MB(BOARD_UPDATED): return apply_coop(app, txn, ev->board_updated);
    case MB(MEMBER_JOINED): return apply_member(app, txn, ev->member_joined);
    case MB(MEMBER_UPDATED): return apply_member(app, txn, ev->member_updated);
    case MB(MEMBER_EXITED): return apply_member(app, txn, ev->member_exited);
    default: return 0;
    }
}

static int by_member_number(const void *a, const void *b) {
    const Lumbung__Member *x = *(Lumbung__Member *const *) a, *y = *(Lumbung__Member *const *) b;
    return x->member_number < y->member_number ? -1 : x->member_number > y->member_number;
}

/* Every member of the cooperative: the table is keyed by member id alone, so this reads it
   all (a district's members: a few hundred thousand small records). */
int reporting_registry_members_of(reporting_t *app, store_txn_t *txn, arena_t *arena,
                                  uint64_t coop, Lumbung__MemberRegister *out) {
    store_cursor_t *c;
    int rc = store_cursor_open(txn, app->tables.members_table, &c);
    if (rc != 0) return rc;
    const void *k, *v;
    size_t kl, vl, cap = 0;
    ProtobufCAllocator alloc = arena_allocator(arena);
    for (rc = store_cursor_first(c, &k, &kl, &v, &vl); rc == 0;
         rc = store_cursor_next(c, &k, &kl, &v, &vl)) {
        Lumbung__Member *m = (Lumbung__Member *) protobuf_c_message_unpack(
            &lumbung__member__descriptor, &alloc, vl, v);
        if (!m) { rc = -EPROTO; break; }
        if (m->cooperative_id != coop) continue;
        if (out->n_items == REPORTING_SHU_MEMBERS_MAX) { rc = -E2BIG; break; }
        if (out->n_items == cap) {
            size_t grown = cap ? cap * 2 : 64;
            Lumbung__Member **more = arena_alloc(arena, grown * sizeof *more);
            if (out->n_items) memcpy(more, out->items, out->n_items * sizeof *more);
            out->items = more;
            cap = grown;
        }
        out->items[out->n_items++] = m;
    }
    store_cursor_close(&c);
    if (rc != 0 && rc != ERR_NOT_FOUND) return rc;
    if (out->n_items) qsort(out->items, out->n_items, sizeof *out->items, by_member_number);
    return 0;
}
