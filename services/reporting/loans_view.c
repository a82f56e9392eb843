#include "reporting.h"
#include "bytes.h"
#include "date.h"
#include "pb_date.h"
#include "log.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

#define TX(x) LUMBUNG__TRANSACTIONS_EVENT__BODY_##x
#define ROLE(x) LUMBUNG__ACCOUNT_ROLE__ACCOUNT_ROLE_##x
#define KIND(x) LUMBUNG__SAVINGS_KIND__SAVINGS_KIND_##x
#define STATUS(x) LUMBUNG__LOAN_STATUS__LOAN_STATUS_##x

enum {
    STATE_VERSION = 1,
    STATE_KEY = 8 + 8 + 4,
    STATE_SIZE = 1 + 1 + 1 + 8 + 8,
    USE_KEY = 8 + 8 + 4,
    USE_SIZE = 3 * 8,
};

typedef enum { USE_CAPITAL = 0, USE_INTEREST = 1, USE_DISBURSED = 2 } use_field_t;

/* An event is applied only when its state names the loan and its cooperative: one without
   them (never sent by transactions) is ignored whole, not put on a card of loan 0. */
static bool state_names_loan(const Lumbung__LoanState *s) {
    return s && s->has_loan_id && s->loan_id != 0 && s->has_cooperative_id;
}

static int state_put(reporting_t *app, store_txn_t *txn, const Lumbung__LoanState *s) {
    int32_t day;
    if (!state_names_loan(s)) return 0;
    if (!PB_DATE_GET(s, as_of, &day)) return -EPROTO;
    uint8_t key[STATE_KEY], val[STATE_SIZE];
    be64_write(key, s->cooperative_id);
    be64_write(key + 8, s->loan_id);
    be32_write(key + 16, date_key(day));
    val[0] = STATE_VERSION;
    val[1] = s->has_status ? (uint8_t) s->status : 0;
    val[2] = s->has_class_ ? (uint8_t) s->class_ : 0;
    be64_write(val + 3, (uint64_t) (s->has_outstanding_principal_sen ? s->outstanding_principal_sen : 0));
    be64_write(val + 11, s->member_id);
    return store_put(txn, app->tables.loan_states, key, sizeof key, val, sizeof val, 0);
}

/* Adds `delta` to one field of a member's participation on `day`. */
static int use_add(reporting_t *app, store_txn_t *txn, uint64_t coop, uint64_t member,
                   int32_t day, use_field_t field, int64_t delta) {
    if (delta == 0 || member == 0) return 0;
    uint8_t key[USE_KEY], val[USE_SIZE];
    be64_write(key, coop);
    be64_write(key + 8, member);
    be32_write(key + 16, date_key(day));
    const void *v;
    size_t vl;
    int rc = store_get(txn, app->tables.participation, key, sizeof key, &v, &vl);
    if (rc == 0 && vl == USE_SIZE) memcpy(val, v, USE_SIZE);
    else if (rc == 0 || rc == ERR_NOT_FOUND) memset(val, 0, sizeof val);
    else return rc;
    int64_t now = (int64_t) be64_read(val + 8 * field);
    be64_write(val + 8 * field, (uint64_t) (now + delta));
    return store_put(txn, app->tables.participation, key, sizeof key, val, sizeof val, 0);
}

static int apply_disbursed(reporting_t *app, store_txn_t *txn, const Lumbung__LoanDisbursed *d) {
    if (!d || !state_names_loan(d->state)) return 0;
    const Lumbung__LoanState *s = d->state;
    int rc = state_put(app, txn, s);
    int32_t day;
    if (rc != 0 || !PB_DATE_GET(s, as_of, &day)) return rc;
    reporting_loan_line_t line = {
        .member_id = s->member_id, .loan_id = s->loan_id, .entry_id = d->entry_id, .day = day,
        .kind = LUMBUNG__LOAN_MOVEMENT_KIND__LOAN_MOVEMENT_KIND_DISBURSEMENT,
        .amount_sen = s->principal_sen, .principal_sen = s->principal_sen,
        .outstanding_change_sen = s->principal_sen,
    };
    if ((rc = reporting_loancard_put(app, txn, &line)) != 0) return rc;
    return use_add(app, txn, s->cooperative_id, s->member_id, day, USE_DISBURSED,
                   s->principal_sen);
}

/* A payment: its allocation on the loan card (an exit settlement's payment has no entry of
   its own) and the interest as the member's participation. */
static int apply_repaid(reporting_t *app, store_txn_t *txn, const Lumbung__LoanRepaid *r) {
    if (!r || !state_names_loan(r->state)) return 0;
    int rc = state_put(app, txn, r->state);
    if (rc != 0 || !r->allocation) return rc;
    int32_t day;
    if (!PB_DATE_GET(r, value_date, &day) && !PB_DATE_GET(r->state, as_of, &day)) return -EPROTO;
    const Lumbung__LoanAllocation *a = r->allocation;
    reporting_loan_line_t line = {
        .member_id = r->state->member_id, .loan_id = r->state->loan_id, .entry_id = r->entry_id,
        .day = day,
        .kind = r->entry_id ? LUMBUNG__LOAN_MOVEMENT_KIND__LOAN_MOVEMENT_KIND_REPAYMENT
                            : LUMBUNG__LOAN_MOVEMENT_KIND__LOAN_MOVEMENT_KIND_EXIT_SETTLEMENT,
        .amount_sen = a->late_fee_sen + a->interest_sen + a->principal_sen,
        .late_fee_sen = a->late_fee_sen, .interest_sen = a->interest_sen,
        .principal_sen = a->principal_sen, .outstanding_change_sen = -a->principal_sen,
    };
    if ((rc = reporting_loancard_put(app, txn, &line)) != 0) return rc;
    return use_add(app, txn, r->state->cooperative_id, r->state->member_id, day, USE_INTEREST,
                   a->interest_sen);
}

/* A write-off takes the loan out of every class from its date (its state) and its principal
   off the card; what the member still owes stays on the card's line. */
static int apply_written_off(reporting_t *app, store_txn_t *txn, const Lumbung__LoanWrittenOff *w) {
    if (!w || !state_names_loan(w->state)) return 0;
    int rc = state_put(app, txn, w->state);
    int32_t day;
    if (rc != 0) return rc;
    if (!PB_DATE_GET(w, value_date, &day)) return -EPROTO;
    reporting_loan_line_t line = {
        .member_id = w->state->member_id, .loan_id = w->state->loan_id, .entry_id = w->entry_id,
        .day = day, .kind = LUMBUNG__LOAN_MOVEMENT_KIND__LOAN_MOVEMENT_KIND_WRITE_OFF,
        .amount_sen = w->principal_sen, .principal_sen = w->principal_sen,
        .outstanding_change_sen = -w->principal_sen, .still_owed_sen = w->owed_sen,
    };
    return reporting_loancard_put(app, txn, &line);
}

/* Money recovered after a write-off: on the card, no change of the principal on the books. */
static int apply_recovered(reporting_t *app, store_txn_t *txn, const Lumbung__LoanRecovered *r) {
    if (!r || !state_names_loan(r->state)) return 0;
    int rc = state_put(app, txn, r->state);
    int32_t day;
    if (rc != 0) return rc;
    if (!PB_DATE_GET(r, value_date, &day)) return -EPROTO;
    reporting_loan_line_t line = {
        .member_id = r->state->member_id, .loan_id = r->state->loan_id, .entry_id = r->entry_id,
        .day = day, .kind = LUMBUNG__LOAN_MOVEMENT_KIND__LOAN_MOVEMENT_KIND_RECOVERY,
        .amount_sen = r->amount_sen, .still_owed_sen = r->still_owed_sen,
    };
    return reporting_loancard_put(app, txn, &line);
}

enum { TERMS_KEY = 16, TERMS_MAX = 1024 * 1024 };

static void terms_key(uint8_t key[TERMS_KEY], uint64_t coop, uint64_t loan) {
    be64_write(key, coop);
    be64_write(key + 8, loan);
}

/* The loan as applied, with its schedule, for its repayment card. */
static int apply_applied(reporting_t *app, store_txn_t *txn, const Lumbung__LoanApplied *a) {
    if (!a || !a->loan || !a->loan->has_id || !a->loan->has_cooperative_id) return 0;
    size_t len = protobuf_c_message_get_packed_size(&a->loan->base);
    if (len > TERMS_MAX) return -E2BIG;
    uint8_t *buf = arena_alloc(app->apply.arena, len + 1), key[TERMS_KEY];
    protobuf_c_message_pack(&a->loan->base, buf);
    terms_key(key, a->loan->cooperative_id, a->loan->id);
    return store_put(txn, app->tables.loan_terms, key, sizeof key, buf, len, 0);
}

int reporting_loans_terms(reporting_t *app, store_txn_t *txn, arena_t *arena, uint64_t coop,
                          uint64_t loan, Lumbung__Loan **out) {
    uint8_t key[TERMS_KEY];
    terms_key(key, coop, loan);
    return reporting_get_message(txn, app->tables.loan_terms, key, sizeof key, arena,
                                 &lumbung__loan__descriptor, (ProtobufCMessage **) out);
}

int reporting_loans_apply(reporting_t *app, store_txn_t *txn,
                          const Lumbung__TransactionsEvent *ev) {
    assert(app && txn && ev);
    switch (ev->body_case) {
    case TX(LOAN_APPLIED): return apply_applied(app, txn, ev->loan_applied);
    case TX(LOAN_DISBURSED): return apply_disbursed(app, txn, ev->loan_disbursed);
    case TX(LOAN_REPAID): return apply_repaid(app, txn, ev->loan_repaid);
    case TX(LOAN_CLASS_CHANGED):
        return ev->loan_class_changed ? state_put(app, txn, ev->loan_class_changed->state) : 0;
    case TX(LOAN_WRITTEN_OFF): return apply_written_off(app, txn, ev->loan_written_off);
    case TX(LOAN_RECOVERED): return apply_recovered(app, txn, ev->loan_recovered);
    default: return 0;              /* an applied loan owes nothing yet */
    }
}

static bool is_capital_role(int role) {
    return role == ROLE(PRINCIPAL_SAVINGS) || role == ROLE(MANDATORY_SAVINGS);
}

int reporting_loans_apply_entry(reporting_t *app, store_txn_t *txn,
                                const Lumbung__JournalEntry *e) {
    assert(app && txn && e);
    bool by_kind = e->has_savings_kind && e->has_savings_delta_sen;
    if (by_kind && e->savings_kind != KIND(PRINCIPAL) && e->savings_kind != KIND(MANDATORY))
        return 0;                                 /* not capital: nothing to count */
    int32_t day;
    int concerns = reporting_member_entry_day(e, &day);
    if (concerns <= 0) return concerns;
    if (by_kind) {
        return use_add(app, txn, e->cooperative_id, e->member_id, day, USE_CAPITAL,
                       e->savings_delta_sen);
    }
    for (size_t i = 0; i < e->n_lines; i++) {     /* exit settlements: read the lines */
        const Lumbung__JournalLine *l = e->lines[i];
        if (!is_capital_role(reporting_chart_role(app, txn, e->cooperative_id, l->account)))
            continue;
        int64_t delta = reporting_line_credit_change(l);
        int rc = use_add(app, txn, e->cooperative_id, e->member_id, day, USE_CAPITAL, delta);
        if (rc != 0) return rc;
    }
    return 0;
}

/* ------------------------------------------------------------------ reading */

/* Adds one loan's state (as of the date asked) to the classes. */
static void count_loan(const uint8_t *val, reporting_portfolio_counts_t *out) {
    if (!val || val[1] != STATUS(ACTIVE)) return;
    int cls = val[2] >= 1 && val[2] <= REPORTING_LOAN_CLASSES ? val[2] : 1;
    int64_t outstanding = (int64_t) be64_read(val + 3);
    if (outstanding <= 0) return;
    out->loans[cls]++;
    out->outstanding_sen[cls] += outstanding;
}

int reporting_loans_portfolio(reporting_t *app, store_txn_t *txn, uint64_t coop, int32_t as_of,
                              reporting_portfolio_counts_t *out) {
    memset(out, 0, sizeof *out);
    uint8_t seek[8], last[STATE_SIZE];
    store_scan_t s;
    int rc = reporting_scan_coop(&s, txn, app->tables.loan_states, coop,
                                 seek, REPORTING_LOAN_STATES_MAX);
    if (rc != 0) return rc;
    uint64_t loan = 0;
    bool have = false;
    uint32_t limit_key = date_key(as_of);
    while ((rc = store_scan_next(&s)) == 0 && s.key_len == STATE_KEY) {
        const void *k = s.key, *v = s.val;
        size_t vl = s.val_len;
        uint64_t id = be64_read((const uint8_t *) k + 8);
        if (id != loan) {
            if (have) count_loan(last, out);
            loan = id;
            have = false;
        }
        if (be32_read((const uint8_t *) k + 16) <= limit_key && vl == STATE_SIZE &&
            ((const uint8_t *) v)[0] == STATE_VERSION) {
            memcpy(last, v, STATE_SIZE);
            have = true;
        }
    }
    if (have) count_loan(last, out);
    return store_scan_close(&s, rc);
}

/* Adds one row of participation to the member's sums. */
static void add_use(const uint8_t *k, const uint8_t *v, uint32_t from_key, uint32_t to_key,
                    reporting_participation_t *p) {
    uint32_t day = be32_read(k + 16);
    if (day > to_key) return;
    p->capital_sen += (int64_t) be64_read(v);
    if (day < from_key) return;
    p->interest_paid_sen += (int64_t) be64_read(v + 8);
    p->disbursed_sen += (int64_t) be64_read(v + 16);
}

int reporting_loans_participation(reporting_t *app, store_txn_t *txn, arena_t *arena,
                                  uint64_t coop, int32_t from, int32_t to,
                                  reporting_participation_t **items, size_t *count) {
    *items = NULL;
    *count = 0;
    uint8_t seek[8];
    store_scan_t s;
    int rc = reporting_scan_coop(&s, txn, app->tables.participation, coop, seek, 0);
    if (rc != 0) return rc;
    size_t cap = 0;
    while ((rc = store_scan_next(&s)) == 0 && s.key_len == USE_KEY) {
        const void *k = s.key, *v = s.val;
        if (s.val_len != USE_SIZE) continue;
        uint64_t member = be64_read((const uint8_t *) k + 8);
        if (*count == 0 || (*items)[*count - 1].member_id != member) {
            if (*count == REPORTING_SHU_MEMBERS_MAX) { rc = -E2BIG; break; }
            if (*count == cap) {
                size_t grown = cap ? cap * 2 : 64;
                reporting_participation_t *more = arena_alloc(arena, grown * sizeof *more);
                if (*count) memcpy(more, *items, *count * sizeof *more);
                *items = more;
                cap = grown;
            }
            memset(&(*items)[*count], 0, sizeof **items);
            (*items)[(*count)++].member_id = member;
        }
        add_use(k, v, date_key(from), date_key(to), &(*items)[*count - 1]);
    }
    return store_scan_close(&s, rc);
}

/* Appends one loan's last state to the register (in the arena). */
static void register_add(arena_t *arena, Lumbung__LoanRegister *r, size_t *cap, uint64_t loan,
                         const uint8_t *val, uint32_t day_key) {
    if (r->n_items == *cap) {
        size_t grown = *cap ? *cap * 2 : 64;
        Lumbung__LoanRegisterRow **more = arena_alloc(arena, grown * sizeof *more);
        if (r->n_items) memcpy(more, r->items, r->n_items * sizeof *more);
        r->items = more;
        *cap = grown;
    }
    Lumbung__LoanRegisterRow *row = arena_message(arena, &lumbung__loan_register_row__descriptor);
    row->has_loan_id = row->has_member_id = row->has_status = row->has_class_ = 1;
    row->has_outstanding_principal_sen = 1;
    row->loan_id = loan;
    row->status = val[1];
    row->class_ = val[2];
    row->outstanding_principal_sen = (int64_t) be64_read(val + 3);
    row->member_id = be64_read(val + 11);
    PB_DATE_SET(row, state_date, date_from_key(day_key));
    r->items[r->n_items++] = row;
    r->outstanding_principal_sen += row->status == STATUS(ACTIVE) ? row->outstanding_principal_sen : 0;
}

int reporting_loans_register(reporting_t *app, store_txn_t *txn, arena_t *arena, uint64_t coop,
                             int32_t as_of, Lumbung__LoanRegister *out) {
    store_cursor_t *c;
    int rc = store_cursor_open(txn, app->tables.loan_states, &c);
    if (rc != 0) return rc;
    uint8_t seek[8], last[STATE_SIZE];
    be64_write(seek, coop);
    const void *k, *v;
    size_t kl, vl, cap = 0, rows = 0;
    uint64_t loan = 0;
    uint32_t limit_key = date_key(as_of), last_key = 0;
    bool have = false;
    for (rc = store_cursor_seek(c, seek, sizeof seek, &k, &kl, &v, &vl); rc == 0;
         rc = store_cursor_next(c, &k, &kl, &v, &vl)) {
        if (kl != STATE_KEY || memcmp(k, seek, 8) != 0) break;
        if (++rows > REPORTING_LOAN_STATES_MAX) { rc = -E2BIG; break; }
        uint64_t id = be64_read((const uint8_t *) k + 8);
        if (id != loan) {
            if (have) register_add(arena, out, &cap, loan, last, last_key);
            loan = id;
            have = false;
        }
        uint32_t key_day = be32_read((const uint8_t *) k + 16);
        if (key_day <= limit_key && vl == STATE_SIZE && ((const uint8_t *) v)[0] == STATE_VERSION) {
            memcpy(last, v, STATE_SIZE);
            last_key = key_day;
            have = true;
        }
    }
    if (have && rc != -E2BIG) register_add(arena, out, &cap, loan, last, last_key);
    store_cursor_close(&c);
    return rc == ERR_NOT_FOUND || rc == 0 ? 0 : rc;
}
