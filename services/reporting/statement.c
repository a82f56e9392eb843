#include "reporting.h"
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

enum {
    MOVEMENT_VERSION = 1,
    MOVEMENT_KEY = 8 + 4 + 8 + 1,
    KINDS = 4,                       /* principal, mandatory, voluntary, time deposit */
};

static size_t movement_value(uint8_t *val, const Lumbung__JournalEntry *e, int64_t delta) {
    size_t memo = e->memo ? strlen(e->memo) : 0;
    if (memo > REPORTING_MEMO_MAX) memo = REPORTING_MEMO_MAX;
    val[0] = MOVEMENT_VERSION;
    val[1] = e->has_kind ? (uint8_t) e->kind : 0;
    be64_write(val + 2, (uint64_t) delta);
    val[10] = (uint8_t) (memo >> 8);
    val[11] = (uint8_t) memo;
    if (memo) memcpy(val + REPORTING_MOVEMENT_HEADER, e->memo, memo);
    return REPORTING_MOVEMENT_HEADER + memo;
}

/* A movement is new but for two lines of one kind in one entry, which add up: it is put if
   absent (one B-tree search), and only when present read and put again. */
static int put_movement(reporting_t *app, store_txn_t *txn, const Lumbung__JournalEntry *e,
                        int32_t day, int kind, int64_t delta) {
    uint8_t key[MOVEMENT_KEY], val[REPORTING_MOVEMENT_HEADER + REPORTING_MEMO_MAX];
    be64_write(key, e->member_id);
    be32_write(key + 8, date_key(day));
    be64_write(key + 12, e->id);
    key[20] = (uint8_t) kind;
    size_t vlen = movement_value(val, e, delta);
    int rc = store_put(txn, app->tables.movements, key, sizeof key, val, vlen, STORE_NOOVERWRITE);
    if (rc != ERR_EXISTS) return rc;
    const void *v;
    size_t vl;
    rc = store_get(txn, app->tables.movements, key, sizeof key, &v, &vl);
    if (rc == 0 && vl >= REPORTING_MOVEMENT_HEADER)
        movement_value(val, e, delta + (int64_t) be64_read((const uint8_t *) v + 2));
    else if (rc != 0)
        return rc;
    return store_put(txn, app->tables.movements, key, sizeof key, val, vlen, 0);
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

static int apply_by_lines(reporting_t *app, store_txn_t *txn, const Lumbung__JournalEntry *e,
                          int32_t day) {
    for (size_t i = 0; i < e->n_lines; i++) {
        const Lumbung__JournalLine *l = e->lines[i];
        int kind = kind_of_role(reporting_chart_role(app, txn, e->cooperative_id, l->account));
        if (!kind) continue;
        int64_t delta = reporting_line_credit_change(l);
        int rc = put_movement(app, txn, e, day, kind, delta);
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

static Lumbung__StatementLine *line_of(arena_t *arena, const uint8_t *k, const uint8_t *v,
                                       size_t vl, const running_t *r) {
    Lumbung__StatementLine *l = arena_message(arena, &lumbung__statement_line__descriptor);
    PB_DATE_SET(l, value_date, date_from_key(be32_read(k + 8)));
    l->has_entry_id = l->has_entry_kind = l->has_kind = l->has_amount_sen = 1;
    l->has_balance_sen = l->has_total_balance_sen = 1;
    l->entry_id = be64_read(k + 12);
    l->entry_kind = (Lumbung__EntryKind) v[1];
    l->kind = (Lumbung__SavingsKind) k[20];
    l->amount_sen = (int64_t) be64_read(v + 2);
    l->balance_sen = r->balance[k[20]];
    l->total_balance_sen = r->total;
    size_t memo = (size_t) v[10] << 8 | v[11];
    if (memo && REPORTING_MOVEMENT_HEADER + memo <= vl) {
        char *m = arena_alloc(arena, memo + 1);
        memcpy(m, v + REPORTING_MOVEMENT_HEADER, memo);
        l->memo = m;
    }
    return l;
}

int reporting_statement_read(reporting_t *app, store_txn_t *txn, arena_t *arena, int32_t from,
                             int32_t to, Lumbung__MemberStatement *st) {
    assert(app && txn && arena && st);
    uint8_t prefix[8], until[12];
    be64_write(prefix, st->member_id);
    be64_write(until, st->member_id);
    be32_write(until + 8, date_key(to));
    store_scan_t s;
    int rc = store_scan_open(&s, txn, app->tables.movements,
                             &(store_range_t){ .prefix = prefix, .prefix_len = 8,
                                               .until = until, .until_len = sizeof until });
    if (rc != 0) return rc;
    running_t r;
    memset(&r, 0, sizeof r);
    size_t cap = 16;
    st->lines = arena_alloc(arena, cap * sizeof *st->lines);
    st->n_lines = 0;
    uint32_t first = date_key(from);
    while ((rc = store_scan_next(&s)) == 0 && s.key_len == MOVEMENT_KEY) {
        const uint8_t *key = s.key, *val = s.val;
        size_t vl = s.val_len;
        if (vl < REPORTING_MOVEMENT_HEADER || val[0] != MOVEMENT_VERSION || key[20] < 1 ||
            key[20] > KINDS) { rc = ERR_RECORD_VERSION; break; }
        int64_t delta = (int64_t) be64_read(val + 2);
        r.balance[key[20]] += delta;
        r.total += delta;
        if (be32_read(key + 8) < first) continue;
        if (st->n_lines == 0) {          /* the opening is what came before the first line */
            running_t open = r;
            open.balance[key[20]] -= delta;
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
        st->lines[st->n_lines++] = line_of(arena, key, val, vl, &r);
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
