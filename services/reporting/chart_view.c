#include "reporting.h"
#include "bytes.h"
#include "date.h"
#include "pb_date.h"
#include "log.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    ACCOUNT_VERSION = 1,
    ACCOUNT_KEY_MAX = 8 + REPORTING_CODE_MAX,
    DAILY_KEY_MAX = 8 + 4 + REPORTING_CODE_MAX,
    DAILY_VALUE = 16,
};

typedef struct {
    uint8_t class_, role;
    int64_t debit_sen, credit_sen;
    char name[REPORTING_NAME_MAX + 1];
} account_rec_t;

static size_t code_len(const char *code) {
    size_t n = code ? strlen(code) : 0;
    return n >= 1 && n <= REPORTING_CODE_MAX ? n : 0;
}

static size_t account_key(uint8_t *key, uint64_t coop, const char *code, size_t n) {
    be64_write(key, coop);
    memcpy(key + 8, code, n);
    return 8 + n;
}

static bool account_row_ok(const uint8_t *v, size_t vl) {
    return vl >= REPORTING_ACCOUNT_HEADER && v[0] == ACCOUNT_VERSION &&
           vl == (size_t) REPORTING_ACCOUNT_HEADER + v[3] && v[3] <= REPORTING_NAME_MAX;
}

static int decode_account(const uint8_t *v, size_t vl, account_rec_t *a) {
    if (!account_row_ok(v, vl)) return ERR_RECORD_VERSION;
    a->class_ = v[1];
    a->role = v[2];
    a->debit_sen = (int64_t) be64_read(v + 4);
    a->credit_sen = (int64_t) be64_read(v + 12);
    memcpy(a->name, v + REPORTING_ACCOUNT_HEADER, v[3]);
    a->name[v[3]] = '\0';
    return 0;
}

static int get_account(reporting_t *app, store_txn_t *txn, uint64_t coop, const char *code,
                       account_rec_t *a) {
    size_t n = code_len(code);
    if (n == 0) return ERR_NOT_FOUND;
    uint8_t key[ACCOUNT_KEY_MAX];
    const void *v;
    size_t vl;
    int rc = rowcache_get(app->apply.rows, txn, app->tables.accounts, key, account_key(key, coop, code, n), &v,
                          &vl);
    return rc != 0 ? rc : decode_account(v, vl, a);
}

static int put_account(reporting_t *app, store_txn_t *txn, uint64_t coop, const char *code,
                       const account_rec_t *a) {
    size_t n = code_len(code), name = strlen(a->name);
    assert(n > 0 && name <= REPORTING_NAME_MAX);
    uint8_t key[ACCOUNT_KEY_MAX], val[REPORTING_ACCOUNT_HEADER + REPORTING_NAME_MAX];
    val[0] = ACCOUNT_VERSION;
    val[1] = a->class_;
    val[2] = a->role;
    val[3] = (uint8_t) name;
    be64_write(val + 4, (uint64_t) a->debit_sen);
    be64_write(val + 12, (uint64_t) a->credit_sen);
    memcpy(val + REPORTING_ACCOUNT_HEADER, a->name, name);
    return rowcache_put(app->apply.rows, txn, app->tables.accounts, key, account_key(key, coop, code, n), val,
                        REPORTING_ACCOUNT_HEADER + name);
}

/* Keeps the totals already applied: an account event repeats what we know, never resets it. */
int reporting_chart_apply_account(reporting_t *app, store_txn_t *txn, const Lumbung__Account *m) {
    assert(app && txn && m);
    if (!m->has_cooperative_id || code_len(m->code) == 0) {
        log_warn(0, "reporting: an account event without cooperative or valid code; ignored");
        return 0;
    }
    account_rec_t a;
    int rc = get_account(app, txn, m->cooperative_id, m->code, &a);
    if (rc == ERR_NOT_FOUND) memset(&a, 0, sizeof a);
    else if (rc != 0) return rc;
    a.class_ = m->has_class_ ? (uint8_t) m->class_ : a.class_;
    a.role = m->has_role ? (uint8_t) m->role : a.role;
    const char *name = m->name ? m->name : "";
    size_t len = strlen(name) > REPORTING_NAME_MAX ? REPORTING_NAME_MAX : strlen(name);
    memcpy(a.name, name, len);
    a.name[len] = '\0';
    return put_account(app, txn, m->cooperative_id, m->code, &a);
}

int reporting_chart_role(reporting_t *app, store_txn_t *txn, uint64_t coop, const char *code) {
    account_rec_t a;
    return get_account(app, txn, coop, code, &a) == 0 ? a.role : 0;
}

/* Adds to an i64 kept big-endian at p. */
static void add_be64(uint8_t *p, int64_t delta) {
    be64_write(p, (uint64_t) ((int64_t) be64_read(p) + delta));
}

static int add_daily(reporting_t *app, store_txn_t *txn, uint64_t coop, int32_t day,
                     const char *code, int64_t debit, int64_t credit) {
    size_t n = code_len(code);
    uint8_t key[DAILY_KEY_MAX], val[DAILY_VALUE], *row;
    be64_write(key, coop);
    be32_write(key + 8, date_key(day));
    memcpy(key + 12, code, n);
    size_t vl;
    int rc = rowcache_edit(app->apply.rows, txn, app->tables.daily, key, 12 + n, &row, &vl);
    if (rc == 0 && vl == DAILY_VALUE) {          /* the day's row, changed in the cache */
        add_be64(row, debit);
        add_be64(row + 8, credit);
        return 0;
    }
    if (rc != ERR_NOT_FOUND && rc != 0 && rc != -E2BIG) return rc;   /* else: not a day's row */
    be64_write(val, (uint64_t) debit);
    be64_write(val + 8, (uint64_t) credit);
    return rowcache_put(app->apply.rows, txn, app->tables.daily, key, 12 + n, val, sizeof val);
}

/* Adds a line to its account's totals in the cached row, in place: 0, ERR_NOT_FOUND for an
   account never opened, ERR_RECORD_VERSION or a store error. */
static int add_to_account(reporting_t *app, store_txn_t *txn, uint64_t coop, const char *code,
                          int64_t debit, int64_t credit) {
    uint8_t key[ACCOUNT_KEY_MAX], *row;
    size_t vl;
    int rc = rowcache_edit(app->apply.rows, txn, app->tables.accounts, key,
                           account_key(key, coop, code, code_len(code)), &row, &vl);
    if (rc == -E2BIG) return ERR_RECORD_VERSION;     /* longer than any account row */
    if (rc != 0) return rc;
    if (!account_row_ok(row, vl)) return ERR_RECORD_VERSION;
    add_be64(row + 4, debit);
    add_be64(row + 12, credit);
    return 0;
}

/* An entry's line on an account we never saw opened would be a producer bug; the line still
   counts (as an account of no class, named by its code) so the books stay balanced. */
static int apply_line(reporting_t *app, store_txn_t *txn, uint64_t coop, int32_t day,
                      const Lumbung__JournalLine *l) {
    if (code_len(l->account) == 0) return -EPROTO;
    int64_t debit = l->has_debit_sen ? l->debit_sen : 0;
    int64_t credit = l->has_credit_sen ? l->credit_sen : 0;
    int rc = add_to_account(app, txn, coop, l->account, debit, credit);
    if (rc == ERR_NOT_FOUND) {
        log_warn(0, "reporting: cooperative %" PRIu64 " posts to unknown account %s", coop,
                 l->account);
        account_rec_t a;
        memset(&a, 0, sizeof a);
        snprintf(a.name, sizeof a.name, "%s", l->account);
        a.debit_sen = debit;
        a.credit_sen = credit;
        rc = put_account(app, txn, coop, l->account, &a);
    }
    return rc != 0 ? rc : add_daily(app, txn, coop, day, l->account, debit, credit);
}

int reporting_chart_apply_entry(reporting_t *app, store_txn_t *txn,
                                const Lumbung__JournalEntry *e) {
    assert(app && txn && e);
    int32_t day;
    if (!e->has_cooperative_id || !PB_DATE_GET(e, value_date, &day)) {
        log_error(0, "reporting: entry %" PRIu64 " without cooperative or value date", e->id);
        return -EPROTO;
    }
    for (size_t i = 0; i < e->n_lines; i++) {
        int rc = apply_line(app, txn, e->cooperative_id, day, e->lines[i]);
        if (rc != 0) return rc;
    }
    return 0;
}

/* ------------------------------------------------------------------ reading */

static int load_accounts(reporting_t *app, store_txn_t *txn, arena_t *arena, uint64_t coop,
                         reporting_chart_t *out) {
    uint8_t prefix[8];
    store_scan_t s;
    int rc = reporting_scan_coop(&s, txn, app->tables.accounts, coop,
                                 prefix, REPORTING_ACCOUNTS_MAX);
    if (rc != 0) return rc;
    size_t cap = 64;
    out->items = arena_alloc(arena, cap * sizeof *out->items);
    out->count = 0;
    while ((rc = store_scan_next(&s)) == 0 && s.key_len > 8) {
        const void *k = s.key;
        size_t kl = s.key_len;
        if (out->count == cap) {
            reporting_account_t *more = arena_alloc(arena, 2 * cap * sizeof *more);
            memcpy(more, out->items, cap * sizeof *more);
            out->items = more;
            cap *= 2;
        }
        account_rec_t a;
        if ((rc = decode_account(s.val, s.val_len, &a)) != 0) break;
        if (kl - 8 > REPORTING_CODE_MAX) { rc = -EPROTO; break; }
        reporting_account_t *r = &out->items[out->count++];
        memcpy(r->code, (const uint8_t *) k + 8, kl - 8);
        r->code[kl - 8] = '\0';
        memcpy(r->name, a.name, sizeof r->name);
        r->class_ = (Lumbung__AccountClass) a.class_;
        r->role = (Lumbung__AccountRole) a.role;
    }
    if ((rc = store_scan_close(&s, rc)) != 0) return rc;
    return out->count ? 0 : ERR_NOT_FOUND;
}

static int by_code(const void *key, const void *item) {
    return strcmp(key, ((const reporting_account_t *) item)->code);
}

/* The loaded accounts are in key order, which for codes of one cooperative is byte order of
   the code: strcmp order, so bsearch finds them. */
static reporting_account_t *find(reporting_chart_t *chart, const char *code) {
    return bsearch(code, chart->items, chart->count, sizeof *chart->items, by_code);
}

int reporting_chart_read(reporting_t *app, store_txn_t *txn, arena_t *arena, uint64_t coop,
                         int32_t from, int32_t to, reporting_chart_t *out) {
    assert(app && txn && arena && out);
    int rc = rowcache_flush(app->apply.rows, txn);       /* empty but inside an apply txn */
    if (rc == 0) rc = load_accounts(app, txn, arena, coop, out);
    if (rc != 0 || from > to) return rc;
    uint8_t start[12], until[12];
    be64_write(start, coop);
    be32_write(start + 8, date_key(from));
    be64_write(until, coop);
    be32_write(until + 8, date_key(to));
    store_scan_t s;
    rc = store_scan_open(&s, txn, app->tables.daily,
                         &(store_range_t){ .prefix = start, .prefix_len = 8, .from = start,
                                           .from_len = sizeof start, .until = until,
                                           .until_len = sizeof until });
    if (rc != 0) return rc;
    while ((rc = store_scan_next(&s)) == 0 && s.key_len > 12) {
        const void *k = s.key, *v = s.val;
        size_t kl = s.key_len, vl = s.val_len;
        char code[REPORTING_CODE_MAX + 1];
        if (kl - 12 > REPORTING_CODE_MAX || vl != DAILY_VALUE) { rc = -EPROTO; break; }
        memcpy(code, (const uint8_t *) k + 12, kl - 12);
        code[kl - 12] = '\0';
        reporting_account_t *a = find(out, code);
        if (!a) continue;         /* cannot happen: every line wrote its account first */
        a->debit_sen += (int64_t) be64_read(v);
        a->credit_sen += (int64_t) be64_read((const uint8_t *) v + 8);
    }
    return store_scan_close(&s, rc);
}
