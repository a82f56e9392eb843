#include "move.h"
#include "bytes.h"
#include "scope.h"
#include "service.h"
#include "store.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum { MOVE_GROW_MAX = 12 };

/* A sorted set of ids (members, entries, loans, time deposits of the cooperative). */
typedef struct {
    uint64_t *ids;
    size_t n, cap;
} idset_t;

static void idset_add(idset_t *s, uint64_t id) {
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 256;
        s->ids = realloc(s->ids, s->cap * sizeof *s->ids);
        if (!s->ids) abort();
    }
    s->ids[s->n++] = id;
}

static int compare_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
    return x < y ? -1 : x > y;
}

static void idset_sort(idset_t *s) {
    if (s->n) qsort(s->ids, s->n, sizeof *s->ids, compare_u64);
}

static bool idset_has(const idset_t *s, uint64_t id) {
    return s->n && bsearch(&id, s->ids, s->n, sizeof *s->ids, compare_u64) != NULL;
}

/* Which rows of a table belong to the cooperative: by the u64 at the start of the key (the
   cooperative, a member or an id of a set), by the u64 at the end of the key, or, for the
   idempotency table, by the cooperative the stored reply names. */
typedef enum { BY_COOP, BY_MEMBER, BY_ENTRY, BY_LOAN, BY_TD, BY_REPLY } rule_t;

typedef struct {
    uint64_t coop;
    idset_t members, entries, loans, tds;
} owned_t;


static const struct { const char *table; rule_t rule; } tables[] = {
    { "tx_coops", BY_COOP },          { "tx_accounts", BY_COOP },
    { "tx_roles", BY_COOP },          { "tx_coop_entries", BY_COOP },
    { "tx_account_lines", BY_COOP },  { "tx_coop_loans", BY_COOP },
    { "tx_close_days", BY_COOP },     { "tx_close_steps", BY_COOP },
    { "tx_members", BY_MEMBER },
    { "tx_savings", BY_MEMBER },      { "tx_member_tds", BY_MEMBER },
    { "tx_settlements", BY_MEMBER },  { "tx_member_loans", BY_MEMBER },
    { "tx_entries", BY_ENTRY },       { "tx_reversals", BY_ENTRY },
    { "tx_loans", BY_LOAN },          { "tx_time_deposits", BY_TD },
    { "idempotency", BY_REPLY },
};
enum { MOVE_TABLES = sizeof tables / sizeof tables[0] };

/* Both stores' tables, opened before any transaction (store.h). */
typedef struct {
    store_table_t src[MOVE_TABLES], dst[MOVE_TABLES];
    store_table_t src_cursors, dst_cursors, src_coops, dst_coops;
} move_tables_t;

/* An idempotency record names the cooperative in its stored reply. The copy for the target
   leaves out the reply's event_seq: that number is of the source's stream, and a client that
   waited for it on the target's (read-your-writes) would wait forever. Its event is in the
   source's outbox, applied by the followers before the system stopped. Returns the new value
   (malloc'd, *len set) or NULL when the record is not the cooperative's. */
static uint8_t *moved_reply(const void *v, size_t vl, uint64_t coop, size_t *len) {
    size_t header = service_idempotency_reply_offset(v, vl);
    if (header == 0 || vl <= header) return NULL;
    Lumbung__Reply *r = lumbung__reply__unpack(NULL, vl - header, (const uint8_t *) v + header);
    if (!r) return NULL;
    uint8_t *out = NULL;
    if (scope_message_cooperative(&r->base) == coop) {
        r->has_event_seq = 0;
        *len = header + lumbung__reply__get_packed_size(r);
        if (!(out = malloc(*len))) abort();
        memcpy(out, v, header);
        lumbung__reply__pack(r, out + header);
    }
    lumbung__reply__free_unpacked(r, NULL);
    return out;
}

static bool row_owned(const owned_t *o, rule_t rule, const void *k, size_t kl) {
    if (kl < 8) return false;
    uint64_t head = be64_read(k);
    switch (rule) {
    case BY_COOP: return head == o->coop;
    case BY_MEMBER: return idset_has(&o->members, head);
    case BY_ENTRY: return idset_has(&o->entries, head);
    case BY_LOAN: return idset_has(&o->loans, head);
    case BY_TD: return idset_has(&o->tds, head);
    default: return false;
    }
}

/* ---- what the cooperative owns ---- */

static int table_index(const char *name) {
    for (int i = 0; i < MOVE_TABLES; i++)
        if (!strcmp(tables[i].table, name)) return i;
    abort();
}

/* Adds the u64 at the end of each key of `table` that starts with one of `heads` (or with the
   cooperative, when heads is NULL) to `out`; a row of tx_coop_entries is a run of entries
   (store.h) and adds each of them. */
static int collect_tails(const move_tables_t *mt, store_txn_t *txn, const char *table,
                         const idset_t *heads, uint64_t coop, idset_t *out) {
    store_cursor_t *c;
    int rc = store_cursor_open(txn, mt->src[table_index(table)], &c);
    if (rc != 0) return rc;
    bool runs = !strcmp(table, "tx_coop_entries");
    const void *k, *v;
    size_t kl, vl;
    for (int r = store_cursor_first(c, &k, &kl, &v, &vl); r == 0 && rc == 0;
         r = store_cursor_next(c, &k, &kl, &v, &vl)) {
        if (kl < 16) continue;
        uint64_t head = be64_read(k), first = be64_read((const uint8_t *) k + kl - 8), last = first;
        if (!(heads ? idset_has(heads, head) : head == coop)) continue;
        if (runs) rc = tx_index_run_decode(v, vl, first, &last);
        for (uint64_t id = first; rc == 0 && id <= last; id++) idset_add(out, id);
    }
    store_cursor_close(&c);
    idset_sort(out);
    return rc;
}

/* Members of the replica whose record names the cooperative (record layout: store.h). */
static int collect_members(const move_tables_t *mt, store_txn_t *txn, owned_t *o) {
    store_cursor_t *c;
    int rc = store_cursor_open(txn, mt->src[table_index("tx_members")], &c);
    if (rc != 0) return rc;
    const void *k, *v;
    size_t kl, vl;
    for (int r = store_cursor_first(c, &k, &kl, &v, &vl); r == 0;
         r = store_cursor_next(c, &k, &kl, &v, &vl)) {
        tx_member_t m;
        if (kl == 8 && tx_member_decode(v, vl, &m) == 0 && m.coop == o->coop)
            idset_add(&o->members, be64_read(k));
    }
    store_cursor_close(&c);
    idset_sort(&o->members);
    return 0;
}

static int collect(const move_tables_t *mt, store_txn_t *txn, owned_t *o) {
    int rc = collect_members(mt, txn, o);
    if (rc == 0) rc = collect_tails(mt, txn, "tx_coop_entries", NULL, o->coop, &o->entries);
    if (rc == 0) rc = collect_tails(mt, txn, "tx_coop_loans", NULL, o->coop, &o->loans);
    if (rc == 0) rc = collect_tails(mt, txn, "tx_member_tds", &o->members, 0, &o->tds);
    return rc;
}

static void owned_free(owned_t *o) {
    free(o->members.ids);
    free(o->entries.ids);
    free(o->loans.ids);
    free(o->tds.ids);
}

/* ---- copying ---- */

typedef struct {
    uint8_t *bytes;                 /* keys to delete from the source: u32 length + key */
    size_t len, cap;
} keylist_t;

static void keylist_add(keylist_t *l, const void *k, size_t kl) {
    if (l->len + 4 + kl > l->cap) {
        l->cap = l->cap ? 2 * l->cap + kl : 4096 + kl;
        l->bytes = realloc(l->bytes, l->cap);
        if (!l->bytes) abort();
    }
    be32_write(l->bytes + l->len, (uint32_t) kl);
    memcpy(l->bytes + l->len + 4, k, kl);
    l->len += 4 + kl;
}

/* Copies the cooperative's rows of one table into the target and deletes them from the
   source. Returns 0 or a store code (ERR_MAP_FULL: the target's map must grow). */
static int move_table(const move_tables_t *mt, store_txn_t *ft, store_txn_t *tt,
                      const owned_t *o, int i, tx_move_result_t *res) {
    store_table_t src = mt->src[i], dst = mt->dst[i];
    store_cursor_t *c;
    int rc = store_cursor_open(ft, src, &c);
    if (rc != 0) return rc;
    keylist_t dead = { 0 };
    const void *k, *v;
    size_t kl, vl;
    for (int r = store_cursor_first(c, &k, &kl, &v, &vl); r == 0 && rc == 0;
         r = store_cursor_next(c, &k, &kl, &v, &vl)) {
        size_t len = 0;
        uint8_t *reply = tables[i].rule == BY_REPLY ? moved_reply(v, vl, o->coop, &len) : NULL;
        if (reply) rc = store_put(tt, dst, k, kl, reply, len, 0);
        else if (tables[i].rule != BY_REPLY && row_owned(o, tables[i].rule, k, kl))
            rc = store_put(tt, dst, k, kl, v, vl, 0);
        else continue;
        free(reply);
        keylist_add(&dead, k, kl);
        res->rows++;
    }
    store_cursor_close(&c);
    for (size_t at = 0; rc == 0 && at < dead.len;) {
        size_t n = be32_read(dead.bytes + at);
        rc = store_del(ft, src, dead.bytes + at + 4, n);
        at += 4 + n;
    }
    free(dead.bytes);
    return rc == ERR_NOT_FOUND ? 0 : rc;
}

static uint64_t members_cursor(store_txn_t *txn, store_table_t cursors) {
    const void *v;
    size_t vl;
    return store_get(txn, cursors, "members", 7, &v, &vl) == 0 && vl == 8 ? be64_read(v) : 0;
}

static bool has_coop(store_txn_t *txn, store_table_t coops, uint64_t coop) {
    uint8_t key[8];
    be64_write(key, coop);
    const void *v;
    size_t vl;
    return store_get(txn, coops, key, 8, &v, &vl) == 0;
}

/* Why the move may not run, printed, and ERR_REJECTED; 0 when it may. */
static int refuse(const move_tables_t *mt, store_txn_t *ft, store_txn_t *tt, uint64_t coop,
                  FILE *out) {
    uint64_t a = members_cursor(ft, mt->src_cursors), b = members_cursor(tt, mt->dst_cursors);
    if (!has_coop(ft, mt->src_coops, coop)) {
        fprintf(out, "move: the source shard has no cooperative %" PRIu64 "\n", coop);
        return ERR_REJECTED;
    }
    if (has_coop(tt, mt->dst_coops, coop)) {
        fprintf(out, "move: the target shard already has cooperative %" PRIu64 "\n", coop);
        return ERR_REJECTED;
    }
    if (a != b) {
        fprintf(out, "move: the shards have applied the members stream up to %" PRIu64 " and %"
                PRIu64 ": start the system until both have caught up (lumbungctl status shows "
                "lag 0), stop it, and move again\n", a, b);
        return ERR_REJECTED;
    }
    return 0;
}

static int move_once(store_t *from, tx_store_t *db, store_t *to, const move_tables_t *mt,
                     uint64_t coop, FILE *out, tx_move_result_t *res) {
    store_txn_t *ft, *tt;
    int rc = store_begin(from, false, &ft);
    if (rc != 0) return rc;
    if ((rc = store_begin(to, false, &tt)) != 0) {
        store_abort(&ft);
        return rc;
    }
    owned_t o = { .coop = coop };
    memset(res, 0, sizeof *res);
    rc = refuse(mt, ft, tt, coop, out);
    if (rc == 0) rc = collect(mt, ft, &o);
    if (rc == 0) rc = tx_id_range_keep_floors(&db->ids, ft);   /* the source's own ids stay taken */
    for (int i = 0; rc == 0 && i < MOVE_TABLES; i++) rc = move_table(mt, ft, tt, &o, i, res);
    if (rc == 0) {
        res->members = o.members.n;
        res->entries = o.entries.n;
        res->loans = o.loans.n;
        res->time_deposits = o.tds.n;
    }
    owned_free(&o);
    if (rc == 0) rc = store_commit(&tt);      /* the target holds it before the source lets go */
    else store_abort(&tt);
    if (rc == 0) rc = store_commit(&ft);
    else store_abort(&ft);
    return rc;
}

int tx_move_cooperative(store_t *from, int from_shard, store_t *to, uint64_t coop, FILE *out,
                        tx_move_result_t *result) {
    tx_store_t db;
    move_tables_t mt;
    int rc = tx_store_open(&db, from);
    if (rc == 0) rc = tx_store_shard(&db, from_shard);
    for (int i = 0; rc == 0 && i < MOVE_TABLES; i++) {
        rc = store_table(from, tables[i].table, &mt.src[i]);
        if (rc == 0) rc = store_table(to, tables[i].table, &mt.dst[i]);
    }
    if (rc == 0) rc = store_table(from, "cursors", &mt.src_cursors);
    if (rc == 0) rc = store_table(to, "cursors", &mt.dst_cursors);
    if (rc == 0) rc = store_table(from, "tx_coops", &mt.src_coops);
    if (rc == 0) rc = store_table(to, "tx_coops", &mt.dst_coops);
    for (int grown = 0; rc == 0; grown++) {
        rc = move_once(from, &db, to, &mt, coop, out, result);
        if (rc != ERR_MAP_FULL || grown == MOVE_GROW_MAX) break;
        if ((rc = store_grow(to)) == 0) rc = store_grow(from);
    }
    return rc;
}
