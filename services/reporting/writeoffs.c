#include "reporting.h"
#include "bytes.h"
#include "date.h"
#include "pb_date.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

#define TX(x) LUMBUNG__TRANSACTIONS_EVENT__BODY_##x
#define ENTRY(x) LUMBUNG__ENTRY_KIND__ENTRY_KIND_##x

enum {
    ROW_VERSION = 1,
    ROW_WRITE_OFF = 1,
    ROW_RECOVERY = 2,
    ROW_KEY = 8 + 8 + 4 + 8,
    ROW_SIZE = 2 + 8 + 8 + 8,
};

typedef struct {
    uint64_t loan, member, entry;
    int32_t day;
    int type;
    int64_t amount, owed;
} row_t;

static int row_put(reporting_t *app, store_txn_t *txn, const Lumbung__LoanState *s,
                   bool has_day, int32_t day, uint64_t entry, int type, int64_t amount,
                   int64_t owed) {
    if (!s || !s->has_loan_id || !s->has_cooperative_id) return 0;
    if (!has_day) return -EPROTO;
    uint8_t key[ROW_KEY], val[ROW_SIZE];
    be64_write(key, s->cooperative_id);
    be64_write(key + 8, s->loan_id);
    be32_write(key + 16, date_key(day));
    be64_write(key + 20, entry);
    val[0] = ROW_VERSION;
    val[1] = (uint8_t) type;
    be64_write(val + 2, s->member_id);
    be64_write(val + 10, (uint64_t) amount);
    be64_write(val + 18, (uint64_t) owed);
    return store_put(txn, app->tables.write_offs, key, sizeof key, val, sizeof val, 0);
}

int reporting_writeoffs_apply(reporting_t *app, store_txn_t *txn,
                              const Lumbung__TransactionsEvent *ev) {
    assert(app && txn && ev);
    if (ev->body_case == TX(LOAN_WRITTEN_OFF) && ev->loan_written_off) {
        const Lumbung__LoanWrittenOff *w = ev->loan_written_off;
        return row_put(app, txn, w->state, w->has_value_date, w->value_date, w->entry_id,
                       ROW_WRITE_OFF,
                       w->principal_sen, w->owed_sen);
    }
    if (ev->body_case == TX(LOAN_RECOVERED) && ev->loan_recovered) {
        const Lumbung__LoanRecovered *r = ev->loan_recovered;
        return row_put(app, txn, r->state, r->has_value_date, r->value_date, r->entry_id,
                       ROW_RECOVERY,
                       r->amount_sen, r->still_owed_sen);
    }
    return 0;
}

/* ------------------------------------------------------------------ reading */

typedef int (*row_fn)(arena_t *arena, const row_t *row, void *arg);

/* Calls fn for each row of `coop` dated on or before `to`, in key order (loan, date). */
static int rows_visit(reporting_t *app, store_txn_t *txn, arena_t *arena, uint64_t coop,
                      int32_t to, row_fn fn, void *arg) {
    uint8_t seek[8];
    store_scan_t s;
    int rc = reporting_scan_coop(&s, txn, app->tables.write_offs, coop,
                                 seek, REPORTING_WRITE_OFF_ROWS_MAX);
    if (rc != 0) return rc;
    uint32_t last = date_key(to);
    while ((rc = store_scan_next(&s)) == 0 && s.key_len == ROW_KEY) {
        const uint8_t *key = s.key, *val = s.val;
        if (s.val_len != ROW_SIZE || val[0] != ROW_VERSION || be32_read(key + 16) > last) continue;
        row_t row = {
            .loan = be64_read(key + 8), .day = date_from_key(be32_read(key + 16)),
            .entry = be64_read(key + 20), .type = val[1], .member = be64_read(val + 2),
            .amount = (int64_t) be64_read(val + 10), .owed = (int64_t) be64_read(val + 18),
        };
        if ((rc = fn(arena, &row, arg)) != 0) break;
    }
    return store_scan_close(&s, rc);
}

/* Appends to a growing array of pointers (doubling in the arena). */
static void push(arena_t *arena, void ***items, size_t *n, size_t *cap, void *item) {
    if (*n == *cap) {
        size_t grown = *cap ? *cap * 2 : 8;
        void **more = arena_alloc(arena, grown * sizeof *more);
        if (*n) memcpy(more, *items, *n * sizeof *more);
        *items = more;
        *cap = grown;
    }
    (*items)[(*n)++] = item;
}

typedef struct {
    Lumbung__LoanPortfolio *p;
    size_t cap_loans, cap_recoveries;
} portfolio_t;

static int portfolio_row(arena_t *arena, const row_t *row, void *arg) {
    portfolio_t *x = arg;
    Lumbung__LoanPortfolio *p = x->p;
    if (row->type == ROW_WRITE_OFF) {
        Lumbung__WrittenOffLoan *w = arena_message(arena, &lumbung__written_off_loan__descriptor);
        w->has_loan_id = w->has_member_id = w->has_entry_id = 1;
        w->has_principal_sen = w->has_owed_sen = w->has_recovered_sen = w->has_still_owed_sen = 1;
        w->loan_id = row->loan;
        w->member_id = row->member;
        w->entry_id = row->entry;
        PB_DATE_SET(w, written_off_on, row->day);
        w->principal_sen = row->amount;
        w->owed_sen = w->still_owed_sen = row->owed;
        push(arena, (void ***) &p->write_offs, &p->n_write_offs, &x->cap_loans, w);
        p->written_off_loans++;
        p->written_off_sen += row->amount;
        p->written_off_still_owed_sen += row->owed;
        return 0;
    }
    if (row->type != ROW_RECOVERY) return 0;
    Lumbung__LoanRecoveryRow *r = arena_message(arena, &lumbung__loan_recovery_row__descriptor);
    r->has_loan_id = r->has_member_id = r->has_amount_sen = r->has_entry_id = 1;
    r->has_still_owed_sen = 1;
    r->loan_id = row->loan;
    r->member_id = row->member;
    PB_DATE_SET(r, value_date, row->day);
    r->amount_sen = row->amount;
    r->entry_id = row->entry;
    r->still_owed_sen = row->owed;
    push(arena, (void ***) &p->recoveries, &p->n_recoveries, &x->cap_recoveries, r);
    p->recovered_sen += row->amount;
    p->written_off_still_owed_sen -= row->amount;
    /* Rows come loan by loan, the write-off first (a recovery is never dated before it). */
    if (p->n_write_offs && p->write_offs[p->n_write_offs - 1]->loan_id == row->loan) {
        Lumbung__WrittenOffLoan *w = p->write_offs[p->n_write_offs - 1];
        w->recovered_sen += row->amount;
        w->still_owed_sen = row->owed;
    }
    return 0;
}

int reporting_writeoffs_portfolio(reporting_t *app, store_txn_t *txn, arena_t *arena,
                                  uint64_t coop, int32_t as_of, Lumbung__LoanPortfolio *p) {
    assert(app && txn && arena && p);
    p->has_written_off_loans = p->has_written_off_sen = p->has_recovered_sen = 1;
    p->has_written_off_still_owed_sen = 1;
    portfolio_t x = { .p = p };
    return rows_visit(app, txn, arena, coop, as_of, portfolio_row, &x);
}


