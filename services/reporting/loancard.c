#include "reporting.h"
#include "bytes.h"
#include "date.h"
#include "pb_date.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

enum {
    LINE_VERSION = 1,
    LINE_KEY = 8 + 8 + 4 + 8,
    LINE_SIZE = 2 + 7 * 8,
};

int reporting_loancard_put(reporting_t *app, store_txn_t *txn, const reporting_loan_line_t *l) {
    assert(app && txn && l);
    if (l->member_id == 0 || l->loan_id == 0) return 0;
    uint8_t key[LINE_KEY], val[LINE_SIZE];
    be64_write(key, l->member_id);
    be64_write(key + 8, l->loan_id);
    be32_write(key + 16, date_key(l->day));
    be64_write(key + 20, app->apply.event_seq);
    val[0] = LINE_VERSION;
    val[1] = (uint8_t) l->kind;
    const int64_t fields[] = { l->amount_sen, l->late_fee_sen, l->interest_sen, l->principal_sen,
                               l->outstanding_change_sen, (int64_t) l->entry_id,
                               l->still_owed_sen };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        be64_write(val + 2 + 8 * i, (uint64_t) fields[i]);
    return store_put(txn, app->tables.loan_lines, key, sizeof key, val, sizeof val, 0);
}

/* ------------------------------------------------------------------ reading */

typedef struct {
    arena_t *arena;
    Lumbung__MemberStatement *st;
    Lumbung__LoanStatement *loan;   /* the loan being read */
    size_t cap, total_lines;        /* room in loan->lines; lines of every loan so far */
    int64_t outstanding;
    bool any;                       /* a line of the loan on or before `to` */
} reader_t;

static int64_t field(const uint8_t *v, int i) {
    return (int64_t) be64_read(v + 2 + 8 * i);
}

static void loan_begin(reader_t *r, uint64_t loan) {
    Lumbung__LoanStatement *s = arena_message(r->arena, &lumbung__loan_statement__descriptor);
    s->has_loan_id = s->has_opening_principal_sen = s->has_closing_principal_sen = 1;
    s->has_late_fee_paid_sen = s->has_interest_paid_sen = s->has_principal_paid_sen = 1;
    s->loan_id = loan;
    r->loan = s;
    r->cap = 0;
    r->outstanding = 0;
    r->any = false;
}

/* Keeps the loan when it moved in the period or owed principal at its start. */
static void loan_end(reader_t *r, size_t *cap_loans) {
    Lumbung__LoanStatement *s = r->loan;
    if (!s) return;
    r->loan = NULL;
    s->closing_principal_sen = r->outstanding;
    if (!r->any || (s->n_lines == 0 && s->opening_principal_sen == 0)) return;
    Lumbung__MemberStatement *st = r->st;
    if (st->n_loans == *cap_loans) {
        size_t grown = *cap_loans ? 2 * *cap_loans : 4;
        Lumbung__LoanStatement **more = arena_alloc(r->arena, grown * sizeof *more);
        if (st->n_loans) memcpy(more, st->loans, st->n_loans * sizeof *more);
        st->loans = more;
        *cap_loans = grown;
    }
    st->loans[st->n_loans++] = s;
}

static int add_line(reader_t *r, const uint8_t *k, const uint8_t *v) {
    Lumbung__LoanStatement *s = r->loan;
    if (r->total_lines == REPORTING_STATEMENT_LINES_MAX) return -E2BIG;
    if (s->n_lines == r->cap) {
        size_t grown = r->cap ? 2 * r->cap : 8;
        Lumbung__LoanStatementLine **more = arena_alloc(r->arena, grown * sizeof *more);
        if (s->n_lines) memcpy(more, s->lines, s->n_lines * sizeof *more);
        s->lines = more;
        r->cap = grown;
    }
    Lumbung__LoanStatementLine *l = arena_message(r->arena, &lumbung__loan_statement_line__descriptor);
    PB_DATE_SET(l, value_date, date_from_key(be32_read(k + 16)));
    l->has_kind = l->has_amount_sen = l->has_late_fee_sen = l->has_interest_sen = 1;
    l->has_principal_sen = l->has_outstanding_principal_sen = 1;
    l->kind = (Lumbung__LoanMovementKind) v[1];
    l->amount_sen = field(v, 0);
    l->late_fee_sen = field(v, 1);
    l->interest_sen = field(v, 2);
    l->principal_sen = field(v, 3);
    l->outstanding_principal_sen = r->outstanding;
    l->has_entry_id = field(v, 5) != 0;
    l->entry_id = (uint64_t) field(v, 5);
    if (l->kind == LUMBUNG__LOAN_MOVEMENT_KIND__LOAN_MOVEMENT_KIND_WRITE_OFF ||
        l->kind == LUMBUNG__LOAN_MOVEMENT_KIND__LOAN_MOVEMENT_KIND_RECOVERY) {
        l->has_still_owed_sen = 1;
        l->still_owed_sen = field(v, 6);
    }
    s->lines[s->n_lines++] = l;
    r->total_lines++;
    if (l->kind == LUMBUNG__LOAN_MOVEMENT_KIND__LOAN_MOVEMENT_KIND_REPAYMENT ||
        l->kind == LUMBUNG__LOAN_MOVEMENT_KIND__LOAN_MOVEMENT_KIND_EXIT_SETTLEMENT) {
        s->late_fee_paid_sen += l->late_fee_sen;
        s->interest_paid_sen += l->interest_sen;
        s->principal_paid_sen += l->principal_sen;
    }
    return 0;
}

/* A payment out of an exit settlement carries the settlement's entry (or none), and the
   savings lines of the same statement name that entry's kind: relabel those payments, so the
   card says where the money came from whatever order the events arrived in. */
static void label_settlements(Lumbung__MemberStatement *st) {
    for (size_t i = 0; i < st->n_lines; i++) {
        const Lumbung__StatementLine *s = st->lines[i];
        if (s->entry_kind != LUMBUNG__ENTRY_KIND__ENTRY_KIND_EXIT_SETTLEMENT) continue;
        for (size_t j = 0; j < st->n_loans; j++)
            for (size_t k = 0; k < st->loans[j]->n_lines; k++) {
                Lumbung__LoanStatementLine *l = st->loans[j]->lines[k];
                if (l->has_entry_id && l->entry_id == s->entry_id)
                    l->kind = LUMBUNG__LOAN_MOVEMENT_KIND__LOAN_MOVEMENT_KIND_EXIT_SETTLEMENT;
            }
    }
}

int reporting_loancard_read(reporting_t *app, store_txn_t *txn, arena_t *arena, int32_t from,
                            int32_t to, Lumbung__MemberStatement *st) {
    assert(app && txn && arena && st);
    uint8_t prefix[8];
    be64_write(prefix, st->member_id);
    store_scan_t s;
    int rc = store_scan_open(&s, txn, app->tables.loan_lines,
                             &(store_range_t){ .prefix = prefix, .prefix_len = 8 });
    if (rc != 0) return rc;
    reader_t r = { .arena = arena, .st = st };
    size_t cap_loans = 0;
    uint32_t first = date_key(from), last = date_key(to);
    uint64_t loan = 0;
    while ((rc = store_scan_next(&s)) == 0 && s.key_len == LINE_KEY) {
        const uint8_t *key = s.key, *val = s.val;
        if (s.val_len != LINE_SIZE || val[0] != LINE_VERSION) { rc = ERR_RECORD_VERSION; break; }
        if (be64_read(key + 8) != loan || !r.loan) {
            loan_end(&r, &cap_loans);
            loan = be64_read(key + 8);
            loan_begin(&r, loan);
        }
        uint32_t day = be32_read(key + 16);
        if (day > last) continue;                 /* after the period: the next loan follows */
        r.any = true;
        r.outstanding += field(val, 4);
        if (day < first) { r.loan->opening_principal_sen = r.outstanding; continue; }
        if ((rc = add_line(&r, key, val)) != 0) break;
    }
    if ((rc = store_scan_close(&s, rc)) != 0) return rc;
    loan_end(&r, &cap_loans);
    label_settlements(st);
    return 0;
}
