#include "reporting.h"
#include "journal.h"
#include "bytes.h"
#include "date.h"
#include "pb_date.h"
#include "log.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#define KIND(x) LUMBUNG__SAVINGS_KIND__SAVINGS_KIND_##x
#define ROLE(x) LUMBUNG__ACCOUNT_ROLE__ACCOUNT_ROLE_##x

/* A movement is one value of "savings_moves" under its member (reporting.h), fixed in size so
   that LMDB packs a member's movements in whole pages: almost every movement is appended
   after the member's last one. Its first bytes (value date, entry id, kind) place it. */
enum {
    MOVE_SIZE = 23,
    MOVE_DATE = 0, MOVE_ENTRY = 4, MOVE_KIND = 12, MOVE_ENTRY_KIND = 13, MOVE_FLAGS = 14,
    MOVE_CHANGE = 15,
    MOVE_MEMO_KEPT = 1,              /* MOVE_FLAGS: the memo is in movement_memos (moved over) */
    MOVE_MEMO_POSTED = 2,            /* MOVE_FLAGS: the entry has a memo, the journal holds it */
    MEMO_KEY = 8 + 4 + 8,            /* member id, value date, entry id */
    KINDS = 4,                       /* principal, mandatory, voluntary, time deposit */
};

static void move_encode(uint8_t v[MOVE_SIZE], uint32_t date, uint64_t entry, int kind,
                        int entry_kind, uint8_t flags, int64_t change) {
    be32_write(v + MOVE_DATE, date);
    be64_write(v + MOVE_ENTRY, entry);
    v[MOVE_KIND] = (uint8_t) kind;
    v[MOVE_ENTRY_KIND] = (uint8_t) entry_kind;
    v[MOVE_FLAGS] = flags;
    be64_write(v + MOVE_CHANGE, (uint64_t) change);
}

static void memo_key(uint8_t key[MEMO_KEY], uint64_t member, uint32_t date, uint64_t entry) {
    be64_write(key, member);
    be32_write(key + 8, date);
    be64_write(key + 12, entry);
}

/* Adds movement v of `member`: appended after the member's last movement (the usual case,
   one descent of the tree, since entries come in id order), or else put in its place (a
   back-dated entry). An entry's movement given again is kept once. */
static int put_move(reporting_t *app, store_txn_t *txn, uint64_t member, const uint8_t *v) {
    uint8_t key[8];
    be64_write(key, member);
    int rc = store_put(txn, app->tables.moves, key, sizeof key, v, MOVE_SIZE, STORE_APPEND_DUP);
    if (rc == ERR_EXISTS)
        rc = store_put(txn, app->tables.moves, key, sizeof key, v, MOVE_SIZE, STORE_NO_DUP);
    return rc == ERR_EXISTS ? 0 : rc;
}

/* The memo is not copied: the journal holds the entry as posted (journal.h). */
static int put_movement(reporting_t *app, store_txn_t *txn, const Lumbung__JournalEntry *e,
                        int32_t day, int kind, int64_t delta) {
    uint8_t v[MOVE_SIZE];
    move_encode(v, date_key(day), e->id, kind, e->has_kind ? (int) e->kind : 0,
                e->memo && *e->memo ? MOVE_MEMO_POSTED : 0, delta);
    return put_move(app, txn, e->member_id, v);
}

static int kind_of_role(int role) {
    switch (role) {
    case ROLE(PRINCIPAL_SAVINGS): return KIND(PRINCIPAL);
    case ROLE(MANDATORY_SAVINGS): return KIND(MANDATORY);
    case ROLE(VOLUNTARY_SAVINGS): return KIND(VOLUNTARY);
    case ROLE(TIME_DEPOSITS): return KIND(TIME_DEPOSIT);
    default: return 0;
    }
}

/* One movement per kind: an entry may have several lines on accounts of one kind. */
static int apply_by_lines(reporting_t *app, store_txn_t *txn, const Lumbung__JournalEntry *e,
                          int32_t day) {
    int64_t change[KINDS + 1] = { 0 };
    bool moved[KINDS + 1] = { false };
    for (size_t i = 0; i < e->n_lines; i++) {
        const Lumbung__JournalLine *l = e->lines[i];
        int kind = kind_of_role(reporting_chart_role(app, txn, e->cooperative_id, l->account));
        if (!kind) continue;
        change[kind] += reporting_line_credit_change(l);
        moved[kind] = true;
    }
    for (int kind = 1; kind <= KINDS; kind++) {
        if (!moved[kind]) continue;
        int rc = put_movement(app, txn, e, day, kind, change[kind]);
        if (rc != 0) return rc;
    }
    return 0;
}

int reporting_statement_apply_entry(reporting_t *app, store_txn_t *txn,
                                    const Lumbung__JournalEntry *e) {
    assert(app && txn && e);
    int32_t day;
    int concerns = reporting_member_entry_day(e, &day);
    if (concerns <= 0) return concerns;
    if (e->has_savings_kind && e->has_savings_delta_sen) {
        if ((int) e->savings_kind >= 1 && (int) e->savings_kind <= KINDS)
            return put_movement(app, txn, e, day, e->savings_kind, e->savings_delta_sen);
        /* A kind this build does not know (a newer producer, or none): stored as it is, the
           member's statement would no longer read. Its lines on savings accounts still say
           what moved. */
        log_warn(0, "reporting: entry %" PRIu64 " names savings kind %d, which is not known; "
                    "its statement lines are taken from its lines", e->id, (int) e->savings_kind);
    }
    return apply_by_lines(app, txn, e, day);
}

/* ------------------------------------------------------------------ reading */

typedef struct {
    int64_t balance[KINDS + 1];           /* by SavingsKind */
    int64_t total;
} running_t;

static Lumbung__KindBalance **kind_balances(arena_t *arena, const running_t *r) {
    Lumbung__KindBalance **out = arena_alloc(arena, KINDS * sizeof *out);
    for (int k = 1; k <= KINDS; k++) {
        Lumbung__KindBalance *b = arena_message(arena, &lumbung__kind_balance__descriptor);
        b->has_kind = b->has_balance_sen = 1;
        b->kind = (Lumbung__SavingsKind) k;
        b->balance_sen = r->balance[k];
        out[k - 1] = b;
    }
    return out;
}

/* The memo of a movement: kept beside it when it was moved over from an earlier store, else
   the journal's, read only for a statement that names its cooperative (the journal's key).
   NULL when it has none or it is missing (a store cut short). */
static char *memo_of(reporting_t *app, store_txn_t *txn, arena_t *arena,
                     const Lumbung__MemberStatement *st, const uint8_t *v) {
    uint32_t date = be32_read(v + MOVE_DATE);
    uint64_t entry = be64_read(v + MOVE_ENTRY);
    if (v[MOVE_FLAGS] & MOVE_MEMO_POSTED && st->has_cooperative_id)
        return reporting_journal_memo(app, txn, arena, st->cooperative_id, date_from_key(date),
                                      entry, REPORTING_MEMO_MAX);
    if (!(v[MOVE_FLAGS] & MOVE_MEMO_KEPT)) return NULL;
    uint8_t key[MEMO_KEY];
    memo_key(key, st->member_id, date, entry);
    const void *m;
    size_t len;
    if (store_get(txn, app->tables.movement_memos, key, sizeof key, &m, &len) != 0) return NULL;
    return arena_strndup(arena, m, len);
}

static Lumbung__StatementLine *line_of(arena_t *arena, const uint8_t *v, const running_t *r) {
    Lumbung__StatementLine *l = arena_message(arena, &lumbung__statement_line__descriptor);
    PB_DATE_SET(l, value_date, date_from_key(be32_read(v + MOVE_DATE)));
    l->has_entry_id = l->has_entry_kind = l->has_kind = l->has_amount_sen = 1;
    l->has_balance_sen = l->has_total_balance_sen = 1;
    l->entry_id = be64_read(v + MOVE_ENTRY);
    l->entry_kind = (Lumbung__EntryKind) v[MOVE_ENTRY_KIND];
    l->kind = (Lumbung__SavingsKind) v[MOVE_KIND];
    l->amount_sen = (int64_t) be64_read(v + MOVE_CHANGE);
    l->balance_sen = r->balance[v[MOVE_KIND]];
    l->total_balance_sen = r->total;
    return l;
}

int reporting_statement_read(reporting_t *app, store_txn_t *txn, arena_t *arena, int32_t from,
                             int32_t to, Lumbung__MemberStatement *st) {
    assert(app && txn && arena && st);
    uint8_t member[8];
    be64_write(member, st->member_id);
    store_scan_t s;
    int rc = store_scan_open(&s, txn, app->tables.moves,
                             &(store_range_t){ .prefix = member, .prefix_len = 8 });
    if (rc != 0) return rc;
    running_t r;
    memset(&r, 0, sizeof r);
    size_t cap = 16;
    st->lines = arena_alloc(arena, cap * sizeof *st->lines);
    st->n_lines = 0;
    uint32_t first = date_key(from), last = date_key(to);
    while ((rc = store_scan_next(&s)) == 0) {
        const uint8_t *v = s.val;
        if (s.key_len != 8 || s.val_len != MOVE_SIZE || v[MOVE_KIND] < 1 || v[MOVE_KIND] > KINDS) {
            rc = ERR_RECORD_VERSION;
            break;
        }
        uint32_t date = be32_read(v + MOVE_DATE);
        if (date > last) break;                   /* in value-date order: the rest is later */
        int kind = v[MOVE_KIND];
        int64_t delta = (int64_t) be64_read(v + MOVE_CHANGE);
        r.balance[kind] += delta;
        r.total += delta;
        if (date < first) continue;
        if (st->n_lines == 0) {          /* the opening is what came before the first line */
            running_t open = r;
            open.balance[kind] -= delta;
            open.total -= delta;
            st->opening = kind_balances(arena, &open);
            st->n_opening = KINDS;
            st->has_opening_total_sen = 1;
            st->opening_total_sen = open.total;
        }
        if (st->n_lines == REPORTING_STATEMENT_LINES_MAX) { rc = -E2BIG; break; }
        if (st->n_lines == cap) {
            Lumbung__StatementLine **more = arena_alloc(arena, 2 * cap * sizeof *more);
            memcpy(more, st->lines, cap * sizeof *more);
            st->lines = more;
            cap *= 2;
        }
        Lumbung__StatementLine *l = line_of(arena, v, &r);
        l->memo = memo_of(app, txn, arena, st, v);
        st->lines[st->n_lines++] = l;
    }
    if ((rc = store_scan_close(&s, rc)) != 0) return rc;
    if (st->n_lines == 0) {              /* nothing in the period: opening = closing */
        st->opening = kind_balances(arena, &r);
        st->n_opening = KINDS;
        st->has_opening_total_sen = 1;
        st->opening_total_sen = r.total;
    }
    st->closing = kind_balances(arena, &r);
    st->n_closing = KINDS;
    st->has_closing_total_sen = 1;
    st->closing_total_sen = r.total;
    return 0;
}

/* ------------------------------------------------------------------ upgrade */

/* Stores written before savings_moves kept each movement as a row of its own ("movements":
   key u64 member + u32 value date + u64 entry + u8 SavingsKind; value [0] version 1,
   [1] EntryKind, [2..9] i64 change, [10..11] u16 memo length, [12..] memo). */
enum { OLD_KEY = 8 + 4 + 8 + 1, OLD_HEADER = 12, OLD_VERSION = 1, UPGRADE_CHUNK = 10000 };

typedef struct {
    reporting_t *app;
    store_table_t old;
    size_t rows, moved;       /* rows: of the last chunk; moved: of every committed one */
    bool done;
} upgrade_t;

static int upgrade_row(reporting_t *app, store_txn_t *txn, const uint8_t *k, size_t kl,
                       const uint8_t *v, size_t vl) {
    size_t memo = vl >= OLD_HEADER ? (size_t) v[10] << 8 | v[11] : 0;
    if (kl != OLD_KEY || vl < OLD_HEADER || v[0] != OLD_VERSION || k[20] < 1 || k[20] > KINDS ||
        OLD_HEADER + memo > vl || memo > REPORTING_MEMO_MAX)
        return ERR_RECORD_VERSION;
    uint64_t member = be64_read(k), entry = be64_read(k + 12);
    uint32_t date = be32_read(k + 8);
    if (memo) {
        uint8_t key[MEMO_KEY];
        memo_key(key, member, date, entry);
        int rc = store_put(txn, app->tables.movement_memos, key, sizeof key, v + OLD_HEADER, memo, 0);
        if (rc != 0) return rc;
    }
    uint8_t mv[MOVE_SIZE];
    move_encode(mv, date, entry, k[20], v[1], memo ? MOVE_MEMO_KEPT : 0, (int64_t) be64_read(v + 2));
    return put_move(app, txn, member, mv);
}

/* One chunk in one transaction: its rows put in the new tables and deleted from the old, so
   that a restart in the middle goes on from where the last commit left. */
static int upgrade_chunk(void *arg, store_txn_t *txn) {
    upgrade_t *u = arg;
    arena_t *arena = u->app->apply.arena;
    arena_reset(arena);
    typedef struct { uint8_t *k, *v; size_t kl, vl; } row_t;
    row_t *rows = arena_alloc(arena, UPGRADE_CHUNK * sizeof *rows);
    size_t n = 0;
    store_cursor_t *c;
    int rc = store_cursor_open(txn, u->old, &c);
    if (rc != 0) return rc;
    const void *k, *v;
    size_t kl, vl;
    for (rc = store_cursor_first(c, &k, &kl, &v, &vl); rc == 0 && n < UPGRADE_CHUNK;
         rc = store_cursor_next(c, &k, &kl, &v, &vl)) {
        rows[n] = (row_t){ arena_alloc(arena, kl), arena_alloc(arena, vl ? vl : 1), kl, vl };
        memcpy(rows[n].k, k, kl);
        memcpy(rows[n].v, v, vl);
        n++;
    }
    store_cursor_close(&c);
    if (rc != 0 && rc != ERR_NOT_FOUND) return rc;
    for (size_t i = 0; i < n; i++) {
        if ((rc = upgrade_row(u->app, txn, rows[i].k, rows[i].kl, rows[i].v, rows[i].vl)) != 0 ||
            (rc = store_del(txn, u->old, rows[i].k, rows[i].kl)) != 0)
            return rc;
    }
    u->rows = n;
    u->done = n == 0;
    return u->done ? store_drop(txn, u->old) : 0;
}

int reporting_statement_upgrade(reporting_t *app, store_t *s) {
    assert(app && s);
    upgrade_t u = { .app = app };
    int rc = store_table_existing(s, "movements", &u.old);
    if (rc == ERR_NOT_FOUND) return 0;
    if (rc != 0) return rc;
    log_info(0, "reporting: moving the statement's movements to savings_moves");
    while (rc == 0 && !u.done) {
        rc = store_write(s, 8, upgrade_chunk, &u);
        if (rc == 0) u.moved += u.rows;
    }
    if (rc != 0) {
        log_error(0, "reporting: the statement's movements could not be moved: %s",
                  error_name(rc));
        return rc;
    }
    log_info(0, "reporting: %zu movements moved to savings_moves", u.moved);
    return 0;
}
