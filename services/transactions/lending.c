#include "lending.h"
#include "allowance.h"
#include "bytes.h"
#include "date.h"
#include "ledger.h"
#include "collectibility.h"
#include "member.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INVALID LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID
#define NOT_FOUND LUMBUNG__ERROR_KIND__ERROR_KIND_NOT_FOUND
#define RULE LUMBUNG__ERROR_KIND__ERROR_KIND_RULE
#define ROLE(x) LUMBUNG__ACCOUNT_ROLE__ACCOUNT_ROLE_##x
#define STATUS(x) LUMBUNG__LOAN_STATUS__LOAN_STATUS_##x
#define EV(x) LUMBUNG__TRANSACTIONS_EVENT__BODY_##x

static const uint8_t empty_value[1];

/* ------------------------------------------------------------------ records */

/* A date field of a stored loan, TX_LOAN_NO_DATE when absent. */
#define DATE_OF(m, f) PB_DATE_OR(m, f, TX_LOAN_NO_DATE)

static void loan_terms(const Lumbung__Loan *l, tx_loan_terms_t *t) {
    memset(t, 0, sizeof *t);
    t->principal_sen = l->principal_sen;
    t->annual_rate_bp = l->annual_rate_bp;
    t->n = l->instalments;
    t->method = (int) l->method;
    t->frequency = (int) l->frequency;
    t->first_due_on = DATE_OF(l, first_due_on);
    if (l->late_fee) {
        t->fee_rate_bp = l->late_fee->rate_bp;
        t->fee_basis = l->late_fee->has_basis ? (int) l->late_fee->basis : TX_FEE_PER_DAY;
        t->grace_days = l->late_fee->grace_days;
        t->fee_cap_bp = l->late_fee->cap_bp;
    }
}

/* The loan's instalments as schedule.c sees them, in the arena. */
static tx_instalment_t *loan_instalments(tx_ctx_t *ctx, const Lumbung__Loan *l) {
    tx_instalment_t *s = arena_alloc(ctx->arena, (l->n_schedule ? l->n_schedule : 1) * sizeof *s);
    for (size_t k = 0; k < l->n_schedule; k++) {
        const Lumbung__Instalment *i = l->schedule[k];
        s[k] = (tx_instalment_t) {
            .due_on = DATE_OF(i, due_on), .principal_sen = i->principal_sen,
            .interest_sen = i->interest_sen, .balance_after_sen = i->balance_after_sen,
            .principal_paid_sen = i->principal_paid_sen, .interest_paid_sen = i->interest_paid_sen,
            .fee_sen = i->late_fee_sen, .fee_paid_sen = i->late_fee_paid_sen,
            .fee_units = i->late_fee_units, .interest_waived_sen = i->interest_waived_sen,
        };
    }
    return s;
}

static void set64(protobuf_c_boolean *has, int64_t *field, int64_t v) {
    *has = 1;
    *field = v;
}

/* Writes the state of `s` back into the loan and its totals. */
static void loan_update(Lumbung__Loan *l, const tx_instalment_t *s) {
    int64_t pp = 0, ip = 0, fp = 0, waived = 0;
    for (size_t k = 0; k < l->n_schedule; k++) {
        Lumbung__Instalment *i = l->schedule[k];
        set64(&i->has_principal_paid_sen, &i->principal_paid_sen, s[k].principal_paid_sen);
        set64(&i->has_interest_paid_sen, &i->interest_paid_sen, s[k].interest_paid_sen);
        set64(&i->has_late_fee_sen, &i->late_fee_sen, s[k].fee_sen);
        set64(&i->has_late_fee_paid_sen, &i->late_fee_paid_sen, s[k].fee_paid_sen);
        set64(&i->has_interest_waived_sen, &i->interest_waived_sen, s[k].interest_waived_sen);
        i->has_late_fee_units = 1;
        i->late_fee_units = s[k].fee_units;
        pp += s[k].principal_paid_sen;
        ip += s[k].interest_paid_sen;
        fp += s[k].fee_paid_sen;
        waived += s[k].interest_waived_sen;
    }
    set64(&l->has_principal_paid_sen, &l->principal_paid_sen, pp);
    set64(&l->has_interest_paid_sen, &l->interest_paid_sen, ip);
    set64(&l->has_late_fee_paid_sen, &l->late_fee_paid_sen, fp);
    set64(&l->has_interest_waived_sen, &l->interest_waived_sen, waived);
    set64(&l->has_outstanding_principal_sen, &l->outstanding_principal_sen, l->principal_sen - pp);
}

/* Fills the as_of view: arrears, outstanding, paid and overdue per instalment. */
static void loan_view(tx_ctx_t *ctx, Lumbung__Loan *l, const tx_instalment_t *s, int32_t as_of) {
    tx_arrears_t a;
    tx_schedule_arrears(s, l->n_schedule, as_of, &a);
    if (l->status != STATUS(ACTIVE)) {
        /* An application owes nothing yet; a paid, cancelled or written-off loan has no
           arrears on the books (a written-off one states still_owed instead). */
        memset(&a, 0, sizeof a);
        a.oldest_due = TX_LOAN_NO_DATE;
    }
    PB_DATE_SET(l, as_of, as_of);
    set64(&l->has_arrears_principal_sen, &l->arrears_principal_sen, a.principal_sen);
    set64(&l->has_arrears_interest_sen, &l->arrears_interest_sen, a.interest_sen);
    set64(&l->has_arrears_late_fee_sen, &l->arrears_late_fee_sen, a.fee_sen);
    set64(&l->has_arrears_sen, &l->arrears_sen, a.principal_sen + a.interest_sen + a.fee_sen);
    bool live = l->status == STATUS(ACTIVE);
    set64(&l->has_outstanding_sen, &l->outstanding_sen,
          live ? a.outstanding_principal_sen + a.interest_due_sen + a.fee_sen : 0);
    l->has_instalments_overdue = l->has_arrears_days = 1;
    l->instalments_overdue = live ? a.instalments : 0;
    l->arrears_days = live && a.oldest_due != TX_LOAN_NO_DATE ? (uint32_t) (as_of - a.oldest_due) : 0;
    for (size_t k = 0; k < l->n_schedule; k++) {
        Lumbung__Instalment *i = l->schedule[k];
        const tx_instalment_t *x = &s[k];
        set64(&i->has_paid_sen, &i->paid_sen,
              x->principal_paid_sen + x->interest_paid_sen + x->fee_paid_sen);
        bool unpaid = x->principal_paid_sen < x->principal_sen ||
                      x->interest_paid_sen + x->interest_waived_sen < x->interest_sen;
        i->has_overdue = 1;
        i->overdue = live && unpaid && x->due_on < as_of;
    }
}

/* The stored form carries no view. */
static void loan_strip_view(Lumbung__Loan *l) {
    l->has_as_of = 0;
    l->has_as_of_basis = 0;
    l->has_arrears_principal_sen = l->has_arrears_interest_sen = l->has_arrears_late_fee_sen = 0;
    l->has_arrears_sen = l->has_outstanding_sen = 0;
    l->has_instalments_overdue = l->has_arrears_days = 0;
    for (size_t k = 0; k < l->n_schedule; k++)
        l->schedule[k]->has_paid_sen = l->schedule[k]->has_overdue = 0;
}

static int loan_put(tx_ctx_t *ctx, Lumbung__Loan *l, unsigned flags) {
    loan_strip_view(l);
    return tx_store_put_pb(ctx->txn, ctx->db->loans, l->id, &l->base, flags);
}

static int loan_read(tx_ctx_t *ctx, uint64_t id, Lumbung__Loan **out) {
    ProtobufCMessage *m;
    int rc = tx_store_get_pb(ctx->txn, ctx->db->loans, id, ctx->arena,
                             &lumbung__loan__descriptor, &m);
    if (rc == 0) *out = (Lumbung__Loan *) m;
    return rc;
}

/* The loan `id` of cooperative `coop`, or NOT_FOUND naming loan_id. */
static int loan_get(tx_ctx_t *ctx, uint64_t coop, uint64_t id, Lumbung__Loan **out,
                    problem_t *err) {
    int rc = tx_ledger_require_coop(ctx, coop, err);
    if (rc != 0) return rc;
    rc = id ? loan_read(ctx, id, out) : ERR_NOT_FOUND;
    if (rc == 0 && (*out)->cooperative_id != coop) rc = ERR_NOT_FOUND;
    if (rc == ERR_NOT_FOUND)
        return problem_set(err, NOT_FOUND, "loan_not_found", "loan_id",
                         "loan %" PRIu64 " does not exist in cooperative %" PRIu64, id, coop);
    return rc;
}

static int put_index(tx_ctx_t *ctx, store_table_t table, uint64_t owner, uint64_t id) {
    uint8_t key[16];
    be64_write(key, owner);
    be64_write(key + 8, id);
    return store_put(ctx->txn, table, key, sizeof key, empty_value, 0, 0);
}

/* Calls fn for each loan id under `owner` in `table` from loan `start`, at most `max`. */
typedef int (*loan_visit_fn)(tx_ctx_t *ctx, uint64_t id, void *arg);

static int loans_visit(tx_ctx_t *ctx, store_table_t table, uint64_t owner, uint64_t start,
                       size_t max, loan_visit_fn fn, void *arg) {
    uint8_t key[16];
    be64_write(key, owner);
    be64_write(key + 8, start);
    store_scan_t s;
    int rc = store_scan_open(&s, ctx->txn, table,
                             &(store_range_t){ .prefix = key, .prefix_len = 8, .from = key,
                                               .from_len = sizeof key });
    if (rc != 0) return rc;
    for (size_t seen = 0; seen < max && (rc = store_scan_next(&s)) == 0; seen++) {
        if (s.key_len != 16) break;
        rc = fn(ctx, be64_read((const uint8_t *) s.key + 8), arg);
        if (rc != 0) break;                       /* 1: the visitor has enough */
    }
    rc = store_scan_close(&s, rc);
    return rc == 1 ? 0 : rc;
}

/* ------------------------------------------------------------------ events */

static Lumbung__LoanState *loan_state(tx_ctx_t *ctx, const Lumbung__Loan *l, int32_t as_of,
                                      const tx_instalment_t *s) {
    Lumbung__LoanState *st = arena_message(ctx->arena, &lumbung__loan_state__descriptor);
    st->has_loan_id = st->has_cooperative_id = st->has_member_id = 1;
    st->loan_id = l->id;
    st->cooperative_id = l->cooperative_id;
    st->member_id = l->member_id;
    set64(&st->has_principal_sen, &st->principal_sen, l->principal_sen);
    set64(&st->has_outstanding_principal_sen, &st->outstanding_principal_sen,
          l->outstanding_principal_sen);
    set64(&st->has_collateral_value_sen, &st->collateral_value_sen, l->collateral_value_sen);
    st->has_status = l->has_status;
    st->status = l->status;
    st->has_class_ = l->has_class_;
    st->class_ = l->class_;
    PB_DATE_SET(st, as_of, as_of);
    tx_arrears_t a;
    tx_schedule_arrears(s, l->n_schedule, as_of, &a);
    set64(&st->has_arrears_sen, &st->arrears_sen, a.principal_sen + a.interest_sen + a.fee_sen);
    return st;
}

static int queue(tx_ctx_t *ctx, Lumbung__TransactionsEvent__BodyCase which, void *body) {
    Lumbung__TransactionsEvent *ev = tx_ctx_event(ctx);
    ev->body_case = which;
    switch (which) {
    case EV(LOAN_APPLIED): ev->loan_applied = body; break;
    case EV(LOAN_DISBURSED): ev->loan_disbursed = body; break;
    case EV(LOAN_REPAID): ev->loan_repaid = body; break;
    case EV(LOAN_CLASS_CHANGED): ev->loan_class_changed = body; break;
    case EV(LOAN_CANCELLED): ev->loan_cancelled = body; break;
    case EV(LOAN_WRITTEN_OFF): ev->loan_written_off = body; break;
    case EV(LOAN_RECOVERED): ev->loan_recovered = body; break;
    default: assert(0 && "not a loan event");
    }
    return tx_ctx_queue_event(ctx, ev);
}

/* The class of an active loan as of as_of by the rule of docs/domain.md; a paid loan is current.
   Becoming doubtful is remembered (doubtful_on) only from dates before as_of. */
static int class_as_of(const Lumbung__Loan *l, const tx_instalment_t *s, int32_t as_of) {
    if (l->status == STATUS(PAID)) return TX_CLASS_CURRENT;
    tx_arrears_t a;
    tx_schedule_arrears(s, l->n_schedule, as_of, &a);
    int32_t doubtful_on = DATE_OF(l, doubtful_on);
    if (doubtful_on != TX_LOAN_NO_DATE && doubtful_on > as_of) doubtful_on = TX_LOAN_NO_DATE;
    return tx_collectibility_class((int) l->frequency, &a, as_of, l->collateral_value_sen,
                             doubtful_on);
}

/* Sets the class as of as_of; queues LoanClassChanged when it changed. */
static int loan_classify(tx_ctx_t *ctx, Lumbung__Loan *l, const tx_instalment_t *s,
                         int32_t as_of, bool *changed) {
    int32_t doubtful_on = DATE_OF(l, doubtful_on);
    int cls = class_as_of(l, s, as_of);
    Lumbung__LoanClass previous = l->has_class_ ? l->class_ : LUMBUNG__LOAN_CLASS__LOAN_CLASS_CURRENT;
    l->has_class_ = 1;
    l->class_ = (Lumbung__LoanClass) cls;
    PB_DATE_SET(l, classified_on, as_of);
    if (cls == TX_CLASS_DOUBTFUL && doubtful_on == TX_LOAN_NO_DATE)
        PB_DATE_SET(l, doubtful_on, l->classified_on);
    else if (cls < TX_CLASS_DOUBTFUL)
        l->has_doubtful_on = 0;
    *changed = previous != l->class_;
    if (!*changed) return 0;
    Lumbung__LoanClassChanged *c = arena_message(ctx->arena,
                                                 &lumbung__loan_class_changed__descriptor);
    c->state = loan_state(ctx, l, as_of, s);
    c->has_previous = 1;
    c->previous = previous;
    return queue(ctx, EV(LOAN_CLASS_CHANGED), c);
}

/* ------------------------------------------------------------------ apply */

static int check_amount(tx_ctx_t *ctx, bool has, int64_t v, bool required, const char *field,
                        problem_t *err) {
    if (required && (!has || v <= 0))
        return problem_set(err, INVALID, "missing_field", field,
                         "%s is required and must be greater than zero", field);
    if (has && v < 0)
        return problem_set(err, INVALID, "negative_amount", field, "%s must not be negative", field);
    if (has && v > TX_AMOUNT_MAX_SEN)
        return problem_set(err, INVALID, "amount_too_large", field, "%s is at most %s", field,
                         tx_money_text(ctx, TX_AMOUNT_MAX_SEN));
    return 0;
}

static int check_late_fee(const Lumbung__LateFee *f, problem_t *err) {
    if (!f) return 0;
    if (f->rate_bp < 0 || f->rate_bp > TX_LOAN_FEE_RATE_MAX_BP)
        return problem_set(err, INVALID, "invalid_rate", "late_fee.rate",
                         "late_fee.rate is 0 to %d percent", TX_LOAN_FEE_RATE_MAX_BP / 100);
    if (f->grace_days > TX_LOAN_GRACE_MAX_DAYS)
        return problem_set(err, INVALID, "out_of_range", "late_fee.grace_days",
                         "late_fee.grace_days is at most %d", TX_LOAN_GRACE_MAX_DAYS);
    if (f->cap_bp < 0 || f->cap_bp > TX_LOAN_FEE_RATE_MAX_BP)
        return problem_set(err, INVALID, "invalid_rate", "late_fee.cap",
                         "late_fee.cap is 0 to %d percent of the instalment",
                         TX_LOAN_FEE_RATE_MAX_BP / 100);
    return 0;
}

static int check_application(tx_ctx_t *ctx, const Lumbung__ApplyLoan *r, problem_t *err) {
    int rc = check_amount(ctx, r->has_principal_sen, r->principal_sen, true, "principal", err);
    if (rc == 0)
        rc = check_amount(ctx, r->has_collateral_value_sen, r->collateral_value_sen, false,
                          "collateral_value", err);
    if (rc != 0) return rc;
    if (!r->has_annual_rate_bp || r->annual_rate_bp < 0 || r->annual_rate_bp > TX_LOAN_RATE_MAX_BP)
        return problem_set(err, INVALID, "invalid_rate", "annual_rate",
                         "annual_rate is required, 0 to %d percent a year",
                         TX_LOAN_RATE_MAX_BP / 100);
    if (!r->has_instalments || r->instalments < 1 || r->instalments > TX_LOAN_INSTALMENTS_MAX)
        return problem_set(err, INVALID, "out_of_range", "instalments",
                         "instalments is required, 1 to %d", TX_LOAN_INSTALMENTS_MAX);
    if (!r->has_frequency || tx_schedule_periods_per_year((int) r->frequency) == 0)
        return problem_set(err, INVALID, "missing_field", "frequency",
                         "frequency is required: daily, weekly, monthly, bimonthly, quarterly "
                         "or semiannual");
    if (!r->has_method || (int) r->method < TX_METHOD_FLAT || (int) r->method > TX_METHOD_ANNUITY)
        return problem_set(err, INVALID, "missing_field", "method",
                         "method is required: flat, declining or annuity");
    if (!r->has_first_due_on)
        return problem_set(err, INVALID, "missing_field", "first_due_on",
                         "first_due_on is required");
    if (r->note && strlen(r->note) > TX_MEMO_MAX)
        return problem_set(err, INVALID, "too_long", "note", "note has at most %d bytes",
                         TX_MEMO_MAX);
    return check_late_fee(r->late_fee, err);
}

static Lumbung__Loan *loan_new(tx_ctx_t *ctx, const Lumbung__ApplyLoan *r, int32_t applied_on) {
    Lumbung__Loan *l = arena_message(ctx->arena, &lumbung__loan__descriptor);
    l->has_id = l->has_cooperative_id = l->has_member_id = 1;
    l->id = tx_store_next_id(ctx->db, ctx->txn, ctx->db->loans);
    l->cooperative_id = r->cooperative_id;
    l->member_id = r->member_id;
    set64(&l->has_principal_sen, &l->principal_sen, r->principal_sen);
    set64(&l->has_annual_rate_bp, &l->annual_rate_bp, r->annual_rate_bp);
    l->has_instalments = l->has_frequency = l->has_method = l->has_status = 1;
    l->instalments = r->instalments;
    l->frequency = r->frequency;
    l->method = r->method;
    PB_DATE_SET(l, first_due_on, r->first_due_on);
    if (r->late_fee && r->late_fee->rate_bp > 0) {
        l->late_fee = r->late_fee;
        l->late_fee->has_basis = 1;
        if (l->late_fee->basis == 0) l->late_fee->basis = LUMBUNG__LATE_FEE_BASIS__LATE_FEE_BASIS_PER_DAY;
        l->late_fee->has_rate_bp = l->late_fee->has_grace_days = l->late_fee->has_cap_bp = 1;
    }
    set64(&l->has_collateral_value_sen, &l->collateral_value_sen,
          r->has_collateral_value_sen ? r->collateral_value_sen : 0);
    l->status = STATUS(APPLIED);
    PB_DATE_SET(l, applied_on, applied_on);
    l->note = r->note && *r->note ? r->note : NULL;
    return l;
}

static void loan_set_schedule(tx_ctx_t *ctx, Lumbung__Loan *l, const tx_instalment_t *s,
                              int64_t interest) {
    l->n_schedule = l->instalments;
    l->schedule = arena_alloc(ctx->arena, l->n_schedule * sizeof *l->schedule);
    for (size_t k = 0; k < l->n_schedule; k++) {
        Lumbung__Instalment *i = arena_message(ctx->arena, &lumbung__instalment__descriptor);
        i->has_number = 1;
        i->number = (uint32_t) k + 1;
        PB_DATE_SET(i, due_on, s[k].due_on);
        set64(&i->has_principal_sen, &i->principal_sen, s[k].principal_sen);
        set64(&i->has_interest_sen, &i->interest_sen, s[k].interest_sen);
        set64(&i->has_total_sen, &i->total_sen, s[k].principal_sen + s[k].interest_sen);
        set64(&i->has_balance_after_sen, &i->balance_after_sen, s[k].balance_after_sen);
        l->schedule[k] = i;
    }
    set64(&l->has_total_interest_sen, &l->total_interest_sen, interest);
    set64(&l->has_total_sen, &l->total_sen, l->principal_sen + interest);
    loan_update(l, s);
}

int tx_loans_apply(tx_ctx_t *ctx, const Lumbung__ApplyLoan *r, Lumbung__Loan **out,
                   problem_t *err) {
    tx_member_t member;
    int rc = tx_member_check(ctx, r->cooperative_id, r->member_id, true, RULE, &member, err);
    int32_t applied_on, first_due;
    if (rc == 0) rc = check_application(ctx, r, err);
    if (rc == 0) rc = TX_DATE_FIELD(ctx, r, applied_on, &applied_on, err);
    if (rc == 0) rc = TX_DATE_FIELD(ctx, r, first_due_on, &first_due, err);
    if (rc != 0) return rc;
    if (first_due <= applied_on)
        return problem_set(err, INVALID, "invalid_date", "first_due_on",
                         "first_due_on must be after the application date %s",
                         tx_date_text(ctx, applied_on));
    Lumbung__Loan *l = loan_new(ctx, r, applied_on);
    tx_loan_terms_t t;
    loan_terms(l, &t);
    tx_instalment_t *s = arena_alloc(ctx->arena, t.n * sizeof *s);
    int64_t interest;
    if (tx_schedule_build(&t, s, &interest) != 0)
        return problem_set(err, INVALID, "invalid_terms", "principal",
                         "these terms give no valid schedule: the principal is too small for "
                         "%u instalments, or the dates or amounts are out of range", t.n);
    loan_set_schedule(ctx, l, s, interest);
    /* Writes from here on. */
    if ((rc = loan_put(ctx, l, tx_store_append(ctx->db, ctx->db->loans))) != 0 ||
        (rc = put_index(ctx, ctx->db->coop_loans, l->cooperative_id, l->id)) != 0 ||
        (rc = put_index(ctx, ctx->db->member_loans, l->member_id, l->id)) != 0)
        return rc;
    Lumbung__LoanApplied *ev = arena_message(ctx->arena, &lumbung__loan_applied__descriptor);
    ev->loan = l;
    if ((rc = queue(ctx, EV(LOAN_APPLIED), ev)) != 0) return rc;
    loan_view(ctx, l, s, applied_on);
    *out = l;
    return 0;
}

/* ------------------------------------------------------------------ disburse */

static Lumbung__LoanPosted *posted(tx_ctx_t *ctx, Lumbung__Loan *l, Lumbung__JournalEntry *e) {
    Lumbung__LoanPosted *p = arena_message(ctx->arena, &lumbung__loan_posted__descriptor);
    p->loan = l;
    p->entry = e;
    return p;
}

static Lumbung__JournalEntry *loan_entry(tx_ctx_t *ctx, const Lumbung__Loan *l, int32_t date,
                                         const char *memo, Lumbung__EntryKind kind) {
    Lumbung__JournalEntry *e = tx_ledger_entry_new(ctx, l->cooperative_id, date, memo, kind, 4);
    e->has_member_id = e->has_loan_id = 1;
    e->member_id = l->member_id;
    e->loan_id = l->id;
    return e;
}

int tx_loans_disburse(tx_ctx_t *ctx, const Lumbung__DisburseLoan *r, Lumbung__LoanPosted **out,
                      problem_t *err) {
    Lumbung__Loan *l;
    int rc = loan_get(ctx, r->cooperative_id, r->loan_id, &l, err);
    if (rc != 0) return rc;
    if (l->status == STATUS(CANCELLED))
        return problem_set(err, RULE, "loan_cancelled", "loan_id",
                         "loan %" PRIu64 " was cancelled on %s and cannot be disbursed", l->id,
                         TX_DATE_TEXT_OR(ctx, l, cancelled_on, "an earlier date"));
    if (l->status != STATUS(APPLIED))
        return problem_set(err, RULE, "already_disbursed", "loan_id",
                         "loan %" PRIu64 " was already disbursed on %s", l->id,
                         TX_DATE_TEXT_OR(ctx, l, disbursed_on, "an earlier date"));
    tx_member_t member;
    int32_t date;
    if ((rc = tx_member_check(ctx, l->cooperative_id, l->member_id, true, RULE, &member,
                              err)) != 0 ||
        (rc = TX_DATE_FIELD(ctx, r, value_date, &date, err)) != 0)
        return rc;
    if (date >= DATE_OF(l, first_due_on) || date < DATE_OF(l, applied_on))
        return problem_set(err, RULE, "invalid_value_date", "value_date",
                         "a loan is disbursed on or after its application (%s) and before its "
                         "first due date (%s)", tx_date_text(ctx, l->applied_on),
                         tx_date_text(ctx, l->first_due_on));
    const char *loans, *cash;
    if ((rc = tx_ledger_role_code(ctx, l->cooperative_id, ROLE(MEMBER_LOANS), &loans, err)) != 0 ||
        (rc = tx_ledger_role_code(ctx, l->cooperative_id, ROLE(CASH), &cash, err)) != 0)
        return rc;
    char memo[TX_MEMO_MAX + 1];
    snprintf(memo, sizeof memo, "Pencairan pinjaman %" PRIu64, l->id);
    Lumbung__JournalEntry *e = loan_entry(ctx, l, date, memo,
                                          LUMBUNG__ENTRY_KIND__ENTRY_KIND_LOAN_DISBURSEMENT);
    tx_ledger_add(ctx, e, loans, l->principal_sen, 0);
    tx_ledger_add(ctx, e, cash, 0, l->principal_sen);
    if ((rc = tx_ledger_check(ctx, e, false, err)) != 0) return rc;
    /* Writes from here on. */
    if ((rc = tx_ledger_apply(ctx, e, date)) != 0) return rc;
    l->status = STATUS(ACTIVE);
    PB_DATE_SET(l, disbursed_on, date);
    l->has_disburse_entry_id = 1;
    l->disburse_entry_id = e->id;
    l->has_class_ = 1;
    l->class_ = LUMBUNG__LOAN_CLASS__LOAN_CLASS_CURRENT;
    PB_DATE_SET(l, classified_on, l->disbursed_on);
    tx_instalment_t *s = loan_instalments(ctx, l);
    Lumbung__LoanDisbursed *ev = arena_message(ctx->arena, &lumbung__loan_disbursed__descriptor);
    ev->state = loan_state(ctx, l, date, s);
    ev->has_entry_id = 1;
    ev->entry_id = e->id;
    if ((rc = loan_put(ctx, l, 0)) != 0 || (rc = queue(ctx, EV(LOAN_DISBURSED), ev)) != 0)
        return rc;
    loan_view(ctx, l, s, date);
    *out = posted(ctx, l, e);
    return 0;
}

/* ------------------------------------------------------------------ repay */

Lumbung__LoanAllocation *tx_loans_allocation_pb(tx_ctx_t *ctx, const tx_allocation_t *a) {
    Lumbung__LoanAllocation *m = arena_message(ctx->arena, &lumbung__loan_allocation__descriptor);
    set64(&m->has_amount_sen, &m->amount_sen, a->fee_sen + a->interest_sen + a->principal_sen);
    set64(&m->has_late_fee_sen, &m->late_fee_sen, a->fee_sen);
    set64(&m->has_interest_sen, &m->interest_sen, a->interest_sen);
    set64(&m->has_principal_sen, &m->principal_sen, a->principal_sen);
    return m;
}

static int repayment_entry(tx_ctx_t *ctx, const Lumbung__Loan *l, int32_t date,
                           const char *note, const tx_allocation_t *a,
                           Lumbung__JournalEntry **out, problem_t *err) {
    const char *cash, *fees = NULL, *interest = NULL, *loans = NULL;
    uint64_t coop = l->cooperative_id;
    int rc = tx_ledger_role_code(ctx, coop, ROLE(CASH), &cash, err);
    if (rc == 0 && a->fee_sen > 0)
        rc = tx_ledger_role_code(ctx, coop, ROLE(LATE_FEE_INCOME), &fees, err);
    if (rc == 0 && a->interest_sen > 0)
        rc = tx_ledger_role_code(ctx, coop, ROLE(LOAN_INTEREST_INCOME), &interest, err);
    if (rc == 0 && a->principal_sen > 0)
        rc = tx_ledger_role_code(ctx, coop, ROLE(MEMBER_LOANS), &loans, err);
    if (rc != 0) return rc;
    char memo[TX_MEMO_MAX + 1];
    snprintf(memo, sizeof memo, "Angsuran pinjaman %" PRIu64, l->id);
    Lumbung__JournalEntry *e = loan_entry(ctx, l, date, note && *note ? note : memo,
                                          LUMBUNG__ENTRY_KIND__ENTRY_KIND_LOAN_REPAYMENT);
    tx_ledger_add(ctx, e, cash, a->fee_sen + a->interest_sen + a->principal_sen, 0);
    if (fees) tx_ledger_add(ctx, e, fees, 0, a->fee_sen);
    if (interest) tx_ledger_add(ctx, e, interest, 0, a->interest_sen);
    if (loans) tx_ledger_add(ctx, e, loans, 0, a->principal_sen);
    *out = e;
    return tx_ledger_check(ctx, e, false, err);
}

static int check_repayable(tx_ctx_t *ctx, const Lumbung__Loan *l, const Lumbung__RepayLoan *r,
                           int32_t *date, problem_t *err) {
    if (l->status == STATUS(APPLIED) || l->status == STATUS(CANCELLED))
        return problem_set(err, RULE, "loan_not_disbursed", "loan_id",
                         "loan %" PRIu64 " has not been disbursed", l->id);
    if (l->status == STATUS(WRITTEN_OFF))
        return problem_set(err, RULE, "loan_written_off", "loan_id",
                         "loan %" PRIu64 " was written off on %s; money received on it is a "
                         "recovery", l->id, tx_date_text(ctx, l->written_off_on));
    if (l->status == STATUS(PAID))
        return problem_set(err, RULE, "loan_paid", "loan_id",
                         "loan %" PRIu64 " was paid in full on %s", l->id,
                         TX_DATE_TEXT_OR(ctx, l, paid_on, "an earlier date"));
    int rc = check_amount(ctx, r->has_amount_sen, r->amount_sen, true, "amount", err);
    if (rc == 0 && r->note && strlen(r->note) > TX_MEMO_MAX)
        rc = problem_set(err, INVALID, "too_long", "note", "note has at most %d bytes", TX_MEMO_MAX);
    if (rc == 0) rc = TX_DATE_FIELD(ctx, r, value_date, date, err);
    if (rc == 0 && *date < DATE_OF(l, disbursed_on))
        rc = problem_set(err, RULE, "invalid_value_date", "value_date",
                       "the loan was disbursed on %s; a repayment cannot be dated before",
                       tx_date_text(ctx, l->disbursed_on));
    return rc;
}

/* After a payment: totals, paid in full, class as of `date`, and the LoanRepaid event. */
static int after_payment(tx_ctx_t *ctx, Lumbung__Loan *l, tx_instalment_t *s, int32_t date,
                         const tx_allocation_t *a, uint64_t entry_id) {
    loan_update(l, s);
    PB_DATE_SET(l, fees_accrued_on, date);
    if (tx_schedule_unpaid(s, l->n_schedule) == 0) {
        l->status = STATUS(PAID);
        PB_DATE_SET(l, paid_on, l->fees_accrued_on);
    }
    bool changed;
    int rc = loan_classify(ctx, l, s, date, &changed);
    if (rc != 0) return rc;
    Lumbung__LoanRepaid *ev = arena_message(ctx->arena, &lumbung__loan_repaid__descriptor);
    ev->state = loan_state(ctx, l, date, s);
    ev->allocation = tx_loans_allocation_pb(ctx, a);
    ev->has_entry_id = 1;
    ev->entry_id = entry_id;
    PB_DATE_SET(ev, value_date, l->fees_accrued_on);
    if ((rc = loan_put(ctx, l, 0)) != 0) return rc;
    return queue(ctx, EV(LOAN_REPAID), ev);
}

int tx_loans_repay(tx_ctx_t *ctx, const Lumbung__RepayLoan *r, Lumbung__LoanPosted **out,
                   problem_t *err) {
    Lumbung__Loan *l;
    int32_t date;
    int rc = loan_get(ctx, r->cooperative_id, r->loan_id, &l, err);
    if (rc == 0) rc = check_repayable(ctx, l, r, &date, err);
    if (rc != 0) return rc;
    tx_loan_terms_t t;
    loan_terms(l, &t);
    tx_instalment_t *s = loan_instalments(ctx, l);
    tx_schedule_charge_fees(&t, s, l->n_schedule, date);
    int64_t owed = tx_schedule_unpaid(s, l->n_schedule);
    if (r->amount_sen > owed)
        return problem_set(err, RULE, "overpayment", "amount",
                         "loan %" PRIu64 " needs at most %s to be paid in full on %s; %s is too "
                         "much", l->id, tx_money_text(ctx, owed), tx_date_text(ctx, date),
                         tx_money_text(ctx, r->amount_sen));
    tx_allocation_t a = { 0 };
    int64_t left = tx_schedule_allocate(s, l->n_schedule, r->amount_sen, &a);
    assert(left == 0);
    Lumbung__JournalEntry *e;
    if ((rc = repayment_entry(ctx, l, date, r->note, &a, &e, err)) != 0) return rc;
    /* Writes from here on. */
    if ((rc = tx_ledger_apply(ctx, e, date)) != 0 ||
        (rc = after_payment(ctx, l, s, date, &a, e->id)) != 0)
        return rc;
    loan_view(ctx, l, s, date);
    Lumbung__LoanPosted *p = posted(ctx, l, e);
    p->allocation = tx_loans_allocation_pb(ctx, &a);
    *out = p;
    return 0;
}

/* The loan-loss allowance: the balance of the role's posting account as a positive amount
   (credit - debit of the contra asset), and its code. */
static int allowance_balance(tx_ctx_t *ctx, uint64_t coop, const char **code, int64_t *out,
                             problem_t *err) {
    int rc = tx_ledger_role_code(ctx, coop, ROLE(LOAN_LOSS_ALLOWANCE), code, err);
    tx_account_t a;
    if (rc == 0) rc = tx_ctx_get_account(ctx, coop, *code, &a);
    if (rc == 0) *out = a.credit_total_sen - a.debit_total_sen;
    return rc;
}

/* ------------------------------------------------------------------ cancel */

static int cancel(tx_ctx_t *ctx, Lumbung__Loan *l, int32_t date, const char *reason,
                  const char *note) {
    l->status = STATUS(CANCELLED);
    PB_DATE_SET(l, cancelled_on, date);
    if (note && *note) l->cancel_note = (char *) note;
    Lumbung__LoanCancelled *ev = arena_message(ctx->arena, &lumbung__loan_cancelled__descriptor);
    tx_instalment_t *s = loan_instalments(ctx, l);
    ev->state = loan_state(ctx, l, date, s);
    PB_DATE_SET(ev, cancelled_on, l->cancelled_on);
    ev->reason = (char *) reason;
    int rc = loan_put(ctx, l, 0);
    return rc == 0 ? queue(ctx, EV(LOAN_CANCELLED), ev) : rc;
}

int tx_loans_cancel(tx_ctx_t *ctx, const Lumbung__CancelLoan *r, Lumbung__Loan **out,
                    problem_t *err) {
    Lumbung__Loan *l;
    int rc = loan_get(ctx, r->cooperative_id, r->loan_id, &l, err);
    if (rc != 0) return rc;
    if (r->note && strlen(r->note) > TX_MEMO_MAX)
        return problem_set(err, INVALID, "too_long", "note", "note has at most %d bytes",
                         TX_MEMO_MAX);
    if (l->status != STATUS(APPLIED) && l->status != STATUS(CANCELLED))
        return problem_set(err, RULE, "already_disbursed", "loan_id",
                         "loan %" PRIu64 " was disbursed on %s; only an application not yet "
                         "disbursed can be cancelled", l->id,
                         TX_DATE_TEXT_OR(ctx, l, disbursed_on, "an earlier date"));
    /* Cancelling a cancelled application again changes nothing (a retry). */
    if (l->status == STATUS(APPLIED) && (rc = cancel(ctx, l, ctx->today, "operator", r->note)) != 0)
        return rc;
    loan_view(ctx, l, loan_instalments(ctx, l), DATE_OF(l, cancelled_on));
    *out = l;
    return 0;
}

static int cancel_visit(tx_ctx_t *ctx, uint64_t id, void *arg) {
    const int32_t *date = arg;
    Lumbung__Loan *l;
    int rc = loan_read(ctx, id, &l);
    if (rc != 0 || l->status != STATUS(APPLIED)) return rc;
    return cancel(ctx, l, *date, "member_exit", NULL);
}

int tx_loans_cancel_member(tx_ctx_t *ctx, uint64_t member, int32_t exit_on) {
    return loans_visit(ctx, ctx->db->member_loans, member, 0, TX_LOANS_PER_MEMBER_MAX,
                       cancel_visit, &exit_on);
}

/* ------------------------------------------------------------------ write-off, recovery */

static int check_write_off(tx_ctx_t *ctx, const Lumbung__Loan *l, const Lumbung__WriteOffLoan *r,
                           int32_t *date, problem_t *err) {
    switch (l->status) {
    case STATUS(ACTIVE): break;
    case STATUS(WRITTEN_OFF):
        return problem_set(err, RULE, "already_written_off", "loan_id",
                         "loan %" PRIu64 " was written off on %s", l->id,
                         tx_date_text(ctx, l->written_off_on));
    case STATUS(PAID):
        return problem_set(err, RULE, "loan_paid", "loan_id",
                         "loan %" PRIu64 " was paid in full; nothing is left to write off",
                         l->id);
    default:
        return problem_set(err, RULE, "loan_not_disbursed", "loan_id",
                         "loan %" PRIu64 " was never disbursed; cancel the application instead",
                         l->id);
    }
    if (l->class_ != LUMBUNG__LOAN_CLASS__LOAN_CLASS_LOSS) {
        static const char *const names[] = { "unclassified", "current", "substandard",
                                             "doubtful" };
        int k = (int) l->class_ >= 0 && (int) l->class_ < TX_CLASS_LOSS ? (int) l->class_ : 0;
        return problem_set(err, RULE, "not_loss", "loan_id",
                         "loan %" PRIu64 " is %s as of %s; only a loss (macet) loan may be "
                         "written off", l->id, names[k],
                         TX_DATE_TEXT_OR(ctx, l, classified_on, "its disbursement"));
    }
    if (r->note && strlen(r->note) > TX_MEMO_MAX)
        return problem_set(err, INVALID, "too_long", "note", "note has at most %d bytes",
                         TX_MEMO_MAX);
    int rc = TX_DATE_FIELD(ctx, r, value_date, date, err);
    if (rc == 0 && *date < DATE_OF(l, classified_on))
        rc = problem_set(err, RULE, "invalid_value_date", "value_date",
                       "loan %" PRIu64 " was classified loss as of %s; a write-off cannot be "
                       "dated before", l->id, tx_date_text(ctx, l->classified_on));
    return rc;
}

/* Dr allowance for the principal as far as the allowance goes, Dr provision expense for what
   it lacks (a loss not yet provided for is an expense now), Cr member loans. */
static int write_off_entry(tx_ctx_t *ctx, const Lumbung__Loan *l, int32_t date,
                           const char *note, int64_t principal, Lumbung__JournalEntry **out,
                           problem_t *err) {
    const char *allowance, *expense, *loans;
    int64_t balance;
    uint64_t coop = l->cooperative_id;
    int rc = allowance_balance(ctx, coop, &allowance, &balance, err);
    if (rc == 0) rc = tx_ledger_role_code(ctx, coop, ROLE(PROVISION_EXPENSE), &expense, err);
    if (rc == 0) rc = tx_ledger_role_code(ctx, coop, ROLE(MEMBER_LOANS), &loans, err);
    if (rc != 0) return rc;
    int64_t covered = balance <= 0 ? 0 : balance < principal ? balance : principal;
    char memo[TX_MEMO_MAX + 1];
    snprintf(memo, sizeof memo, "Penghapusan pinjaman %" PRIu64, l->id);
    Lumbung__JournalEntry *e = loan_entry(ctx, l, date, note && *note ? note : memo,
                                          LUMBUNG__ENTRY_KIND__ENTRY_KIND_LOAN_WRITE_OFF);
    if (covered > 0) tx_ledger_add(ctx, e, allowance, covered, 0);
    if (principal > covered) tx_ledger_add(ctx, e, expense, principal - covered, 0);
    tx_ledger_add(ctx, e, loans, 0, principal);
    *out = e;
    return tx_ledger_check(ctx, e, false, err);
}

int tx_loans_write_off(tx_ctx_t *ctx, const Lumbung__WriteOffLoan *r, Lumbung__LoanPosted **out,
                       problem_t *err) {
    Lumbung__Loan *l;
    int32_t date;
    int rc = loan_get(ctx, r->cooperative_id, r->loan_id, &l, err);
    if (rc == 0) rc = check_write_off(ctx, l, r, &date, err);
    if (rc != 0) return rc;
    tx_loan_terms_t t;
    loan_terms(l, &t);
    tx_instalment_t *s = loan_instalments(ctx, l);
    tx_schedule_charge_fees(&t, s, l->n_schedule, date);
    loan_update(l, s);
    tx_arrears_t a;
    tx_schedule_arrears(s, l->n_schedule, date, &a);
    int64_t principal = l->outstanding_principal_sen;
    int64_t owed = a.outstanding_principal_sen + a.interest_due_sen + a.fee_sen;
    Lumbung__JournalEntry *e;
    if ((rc = write_off_entry(ctx, l, date, r->note, principal, &e, err)) != 0) return rc;
    /* Writes from here on. */
    if ((rc = tx_ledger_apply(ctx, e, date)) != 0) return rc;
    l->status = STATUS(WRITTEN_OFF);
    PB_DATE_SET(l, fees_accrued_on, date);
    PB_DATE_SET(l, written_off_on, date);
    set64(&l->has_written_off_principal_sen, &l->written_off_principal_sen, principal);
    set64(&l->has_written_off_owed_sen, &l->written_off_owed_sen, owed);
    set64(&l->has_recovered_sen, &l->recovered_sen, 0);
    set64(&l->has_still_owed_sen, &l->still_owed_sen, owed);
    l->has_write_off_entry_id = 1;
    l->write_off_entry_id = e->id;
    Lumbung__LoanWrittenOff *ev = arena_message(ctx->arena, &lumbung__loan_written_off__descriptor);
    ev->state = loan_state(ctx, l, date, s);
    ev->state->outstanding_principal_sen = 0;             /* off the books */
    ev->has_entry_id = 1;
    ev->entry_id = e->id;
    PB_DATE_SET(ev, value_date, l->written_off_on);
    set64(&ev->has_principal_sen, &ev->principal_sen, principal);
    set64(&ev->has_owed_sen, &ev->owed_sen, owed);
    ev->note = r->note && *r->note ? r->note : NULL;
    if ((rc = loan_put(ctx, l, 0)) != 0 || (rc = queue(ctx, EV(LOAN_WRITTEN_OFF), ev)) != 0)
        return rc;
    loan_view(ctx, l, s, date);
    *out = posted(ctx, l, e);
    return 0;
}

static int check_recovery(tx_ctx_t *ctx, const Lumbung__Loan *l, const Lumbung__PostRecovery *r,
                          int32_t *date, problem_t *err) {
    if (l->status != STATUS(WRITTEN_OFF))
        return problem_set(err, RULE, "loan_not_written_off", "loan_id",
                         "loan %" PRIu64 " has not been written off; money received on it is a "
                         "repayment", l->id);
    int rc = check_amount(ctx, r->has_amount_sen, r->amount_sen, true, "amount", err);
    if (rc == 0 && r->note && strlen(r->note) > TX_MEMO_MAX)
        rc = problem_set(err, INVALID, "too_long", "note", "note has at most %d bytes", TX_MEMO_MAX);
    if (rc == 0) rc = TX_DATE_FIELD(ctx, r, value_date, date, err);
    if (rc == 0 && *date < DATE_OF(l, written_off_on))
        rc = problem_set(err, RULE, "invalid_value_date", "value_date",
                       "loan %" PRIu64 " was written off on %s; a recovery cannot be dated "
                       "before", l->id, tx_date_text(ctx, l->written_off_on));
    if (rc == 0 && r->amount_sen > l->still_owed_sen)
        rc = problem_set(err, RULE, "recovery_exceeds_owed", "amount",
                       "the member still owes %s on loan %" PRIu64 "; %s is more",
                       tx_money_text(ctx, l->still_owed_sen), l->id,
                       tx_money_text(ctx, r->amount_sen));
    return rc;
}

int tx_loans_recover(tx_ctx_t *ctx, const Lumbung__PostRecovery *r, Lumbung__LoanPosted **out,
                     problem_t *err) {
    Lumbung__Loan *l;
    int32_t date;
    int rc = loan_get(ctx, r->cooperative_id, r->loan_id, &l, err);
    if (rc == 0) rc = check_recovery(ctx, l, r, &date, err);
    const char *cash, *income;
    if (rc == 0) rc = tx_ledger_role_code(ctx, l->cooperative_id, ROLE(CASH), &cash, err);
    if (rc == 0) rc = tx_ledger_role_code(ctx, l->cooperative_id, ROLE(OTHER_INCOME), &income, err);
    if (rc != 0) return rc;
    char memo[TX_MEMO_MAX + 1];
    snprintf(memo, sizeof memo, "Pemulihan pinjaman dihapus %" PRIu64, l->id);
    Lumbung__JournalEntry *e = loan_entry(ctx, l, date, r->note && *r->note ? r->note : memo,
                                          LUMBUNG__ENTRY_KIND__ENTRY_KIND_LOAN_RECOVERY);
    tx_ledger_add(ctx, e, cash, r->amount_sen, 0);
    tx_ledger_add(ctx, e, income, 0, r->amount_sen);
    if ((rc = tx_ledger_check(ctx, e, false, err)) != 0) return rc;
    /* Writes from here on. */
    if ((rc = tx_ledger_apply(ctx, e, date)) != 0) return rc;
    Lumbung__LoanRecovery *rec = arena_message(ctx->arena, &lumbung__loan_recovery__descriptor);
    set64(&rec->has_amount_sen, &rec->amount_sen, r->amount_sen);
    PB_DATE_SET(rec, value_date, date);
    rec->has_entry_id = 1;
    rec->entry_id = e->id;
    rec->note = r->note && *r->note ? r->note : NULL;
    Lumbung__LoanRecovery **all = arena_alloc(ctx->arena, (l->n_recoveries + 1) * sizeof *all);
    if (l->n_recoveries) memcpy(all, l->recoveries, l->n_recoveries * sizeof *all);
    all[l->n_recoveries++] = rec;
    l->recoveries = all;
    l->recovered_sen += r->amount_sen;
    l->still_owed_sen -= r->amount_sen;
    tx_instalment_t *s = loan_instalments(ctx, l);
    Lumbung__LoanRecovered *ev = arena_message(ctx->arena, &lumbung__loan_recovered__descriptor);
    ev->state = loan_state(ctx, l, date, s);
    ev->state->outstanding_principal_sen = 0;
    ev->has_entry_id = 1;
    ev->entry_id = e->id;
    PB_DATE_SET(ev, value_date, rec->value_date);
    set64(&ev->has_amount_sen, &ev->amount_sen, r->amount_sen);
    set64(&ev->has_still_owed_sen, &ev->still_owed_sen, l->still_owed_sen);
    if ((rc = loan_put(ctx, l, 0)) != 0 || (rc = queue(ctx, EV(LOAN_RECOVERED), ev)) != 0)
        return rc;
    loan_view(ctx, l, s, date);
    *out = posted(ctx, l, e);
    return 0;
}

/* ------------------------------------------------------------------ reads */

/* The cooperative's last closed business day, or TX_LOAN_NO_DATE before its first close. */
static int last_closed(tx_ctx_t *ctx, uint64_t coop, int32_t *out) {
    ProtobufCMessage *m;
    int rc = tx_store_get_pb(ctx->txn, ctx->db->close_days, coop, ctx->arena,
                             &lumbung__day_closed__descriptor, &m);
    *out = rc == 0 ? DATE_OF((Lumbung__DayClosed *) m, business_date) : TX_LOAN_NO_DATE;
    return rc == ERR_NOT_FOUND ? 0 : rc;
}

/* The view date: as_of when asked, else the last closed day, else today; and why. */
static int view_date(tx_ctx_t *ctx, const Lumbung__GetLoan *r, int32_t *as_of,
                     Lumbung__AsOfBasis *basis, problem_t *err) {
    if (r->has_as_of) {
        *basis = LUMBUNG__AS_OF_BASIS__AS_OF_BASIS_REQUESTED;
        return TX_DATE_FIELD(ctx, r, as_of, as_of, err);
    }
    int rc = last_closed(ctx, r->cooperative_id, as_of);
    if (rc != 0) return rc;
    *basis = LUMBUNG__AS_OF_BASIS__AS_OF_BASIS_LAST_CLOSE;
    if (*as_of == TX_LOAN_NO_DATE) {
        *as_of = ctx->today;
        *basis = LUMBUNG__AS_OF_BASIS__AS_OF_BASIS_TODAY;
    }
    return 0;
}

int tx_loans_get(tx_ctx_t *ctx, const Lumbung__GetLoan *r, Lumbung__Loan **out,
                 problem_t *err) {
    Lumbung__Loan *l;
    int32_t as_of;
    Lumbung__AsOfBasis basis;
    int rc = loan_get(ctx, r->cooperative_id, r->loan_id, &l, err);
    if (rc == 0) rc = view_date(ctx, r, &as_of, &basis, err);
    if (rc != 0) return rc;
    tx_loan_terms_t t;
    loan_terms(l, &t);
    tx_instalment_t *s = loan_instalments(ctx, l);
    if (l->status == STATUS(ACTIVE)) {
        /* A view, not stored: fees, class, days past due and arrears all of as_of. */
        tx_schedule_charge_fees(&t, s, l->n_schedule, as_of);
        loan_update(l, s);
        l->class_ = (Lumbung__LoanClass) class_as_of(l, s, as_of);
        PB_DATE_SET(l, classified_on, as_of);
    }
    loan_view(ctx, l, s, as_of);
    l->has_as_of_basis = 1;
    l->as_of_basis = basis;
    *out = l;
    return 0;
}

typedef struct {
    const Lumbung__ListLoans *req;
    Lumbung__LoanPage *page;
    uint32_t limit;
} list_t;

static int list_visit(tx_ctx_t *ctx, uint64_t id, void *arg) {
    list_t *list = arg;
    Lumbung__Loan *l;
    int rc = loan_read(ctx, id, &l);
    if (rc != 0) return rc;
    const Lumbung__ListLoans *r = list->req;
    if ((r->has_status && r->status && l->status != r->status) ||
        (r->has_class_ && r->class_ && (l->status != STATUS(ACTIVE) || l->class_ != r->class_)) ||
        (r->has_member_id && r->member_id && l->member_id != r->member_id))
        return 0;
    if (list->page->n_items == list->limit) {
        list->page->next_cursor = arena_printf(ctx->arena, "%" PRIu64, id);
        return 1;
    }
    l->n_schedule = 0;
    list->page->items[list->page->n_items++] = l;
    return 0;
}

int tx_loans_list(tx_ctx_t *ctx, const Lumbung__ListLoans *r, Lumbung__LoanPage **out,
                  problem_t *err) {
    int rc = tx_ledger_require_coop(ctx, r->cooperative_id, err);
    if (rc != 0) return rc;
    list_t list = { .req = r, .limit = r->has_limit && r->limit ? r->limit : TX_PAGE_DEFAULT };
    if (list.limit > TX_PAGE_MAX)
        return problem_set(err, INVALID, "invalid_limit", "limit", "limit is at most %d",
                         TX_PAGE_MAX);
    uint64_t start = 0;
    if (r->cursor && *r->cursor) {
        char *end;
        unsigned long long v = strtoull(r->cursor, &end, 10);
        if (*end || r->cursor[0] < '0' || r->cursor[0] > '9')
            return problem_set(err, INVALID, "invalid_cursor", "cursor",
                             "cursor is not one this service returned; start without it");
        start = v;
    }
    list.page = arena_message(ctx->arena, &lumbung__loan_page__descriptor);
    list.page->items = arena_alloc(ctx->arena, list.limit * sizeof *list.page->items);
    rc = loans_visit(ctx, ctx->db->coop_loans, r->cooperative_id, start, TX_LOANS_PER_CLOSE_MAX,
                     list_visit, &list);
    if (rc != 0) return rc;
    *out = list.page;
    return 0;
}

/* ------------------------------------------------------------------ member's loans */

typedef struct {
    int32_t as_of;
    int64_t total;
    Lumbung__MemberAccounts *accounts;      /* NULL: only the total */
} owed_t;

static int owed_visit(tx_ctx_t *ctx, uint64_t id, void *arg) {
    owed_t *o = arg;
    Lumbung__Loan *l;
    int rc = loan_read(ctx, id, &l);
    if (rc != 0) return rc;
    tx_loan_terms_t t;
    loan_terms(l, &t);
    tx_instalment_t *s = loan_instalments(ctx, l);
    if (l->status == STATUS(ACTIVE)) tx_schedule_charge_fees(&t, s, l->n_schedule, o->as_of);
    loan_update(l, s);
    loan_view(ctx, l, s, o->as_of);
    o->total += l->outstanding_sen;
    if (!o->accounts) return 0;
    Lumbung__LoanSummary *m = arena_message(ctx->arena, &lumbung__loan_summary__descriptor);
    m->has_id = m->has_status = m->has_class_ = 1;
    m->id = l->id;
    m->status = l->status;
    m->class_ = l->has_class_ ? l->class_ : LUMBUNG__LOAN_CLASS__LOAN_CLASS_CURRENT;
    set64(&m->has_principal_sen, &m->principal_sen, l->principal_sen);
    set64(&m->has_outstanding_sen, &m->outstanding_sen, l->outstanding_sen);
    set64(&m->has_outstanding_principal_sen, &m->outstanding_principal_sen,
          l->status == STATUS(ACTIVE) ? l->outstanding_principal_sen : 0);   /* on the books */
    set64(&m->has_arrears_sen, &m->arrears_sen, l->arrears_sen);
    for (size_t k = 0; k < l->n_schedule && l->status == STATUS(ACTIVE); k++)
        if (DATE_OF(l->schedule[k], due_on) >= o->as_of &&
            l->schedule[k]->paid_sen < l->schedule[k]->total_sen) {
            PB_DATE_SET(m, next_due_on, l->schedule[k]->due_on);
            break;
        }
    o->accounts->loans[o->accounts->n_loans++] = m;
    return 0;
}

int tx_loans_member_summaries(tx_ctx_t *ctx, uint64_t member, int32_t as_of,
                              Lumbung__MemberAccounts *accounts) {
    owed_t o = { .as_of = as_of, .accounts = accounts };
    accounts->loans = arena_alloc(ctx->arena, TX_LOANS_PER_MEMBER_MAX * sizeof *accounts->loans);
    return loans_visit(ctx, ctx->db->member_loans, member, 0, TX_LOANS_PER_MEMBER_MAX,
                       owed_visit, &o);
}

int tx_loans_outstanding(tx_ctx_t *ctx, uint64_t member, int32_t as_of, int64_t *out) {
    owed_t o = { .as_of = as_of };
    int rc = loans_visit(ctx, ctx->db->member_loans, member, 0, TX_LOANS_PER_MEMBER_MAX,
                         owed_visit, &o);
    *out = o.total;
    return rc;
}

typedef struct {
    int32_t as_of;
    int64_t amount;
    bool write;
    uint64_t entry_id;
    tx_allocation_t *alloc;
} settle_t;

static int settle_visit(tx_ctx_t *ctx, uint64_t id, void *arg) {
    settle_t *st = arg;
    Lumbung__Loan *l;
    int rc = loan_read(ctx, id, &l);
    if (rc != 0 || l->status != STATUS(ACTIVE) || st->amount == 0) return rc;
    tx_loan_terms_t t;
    loan_terms(l, &t);
    tx_instalment_t *s = loan_instalments(ctx, l);
    tx_schedule_charge_fees(&t, s, l->n_schedule, st->as_of);
    tx_arrears_t owed;
    tx_schedule_arrears(s, l->n_schedule, st->as_of, &owed);
    tx_allocation_t a = { 0 };
    /* Enough for the whole debt: an early payoff that closes the loan (interest not yet due
       waived). Less: a repayment like any other, in its order (late fees, interest, principal,
       oldest instalment first), and the rest stays on the loan to be collected. */
    if (st->amount >= owed.outstanding_principal_sen + owed.interest_due_sen + owed.fee_sen)
        st->amount = tx_schedule_payoff(s, l->n_schedule, st->as_of, st->amount, &a);
    else
        st->amount = tx_schedule_allocate(s, l->n_schedule, st->amount, &a);
    st->alloc->fee_sen += a.fee_sen;
    st->alloc->interest_sen += a.interest_sen;
    st->alloc->principal_sen += a.principal_sen;
    return st->write ? after_payment(ctx, l, s, st->as_of, &a, st->entry_id) : 0;
}

int tx_loans_settle(tx_ctx_t *ctx, uint64_t member, int32_t as_of, int64_t amount, bool write,
                    uint64_t entry_id, tx_allocation_t *alloc) {
    settle_t st = { as_of, amount, write, entry_id, alloc };
    return loans_visit(ctx, ctx->db->member_loans, member, 0, TX_LOANS_PER_MEMBER_MAX,
                       settle_visit, &st);
}

/* ------------------------------------------------------------------ close of day */

_Static_assert(TX_CLOSE_CLASSES == ALLOWANCE_CLASSES + 1, "a close counts every LoanClass");

/* One step of a close: the totals so far (tx_close_t, stored between steps) and the loans
   this step looked at. */
typedef struct {
    tx_close_t *p;
    uint32_t seen, limit;
    uint64_t last;
    bool more;                      /* a loan past the limit exists: another step follows */
} close_step_t;

static int close_visit(tx_ctx_t *ctx, uint64_t id, void *arg) {
    close_step_t *c = arg;
    if (c->seen == c->limit) {                      /* the next step starts here */
        c->more = true;
        return 1;
    }
    c->seen++;
    c->last = id;
    Lumbung__Loan *l;
    int rc = loan_read(ctx, id, &l);
    if (rc != 0 || l->status != STATUS(ACTIVE)) return rc;
    tx_close_t *p = c->p;
    tx_loan_terms_t t;
    loan_terms(l, &t);
    tx_instalment_t *s = loan_instalments(ctx, l);
    int64_t fees = tx_schedule_charge_fees(&t, s, l->n_schedule, p->date);
    loan_update(l, s);
    if (fees > 0) PB_DATE_SET(l, fees_accrued_on, p->date);
    bool changed;
    if ((rc = loan_classify(ctx, l, s, p->date, &changed)) != 0) return rc;
    p->loans++;
    p->late_fees_sen += fees;
    p->reclassified += changed;
    p->outstanding_principal_sen += l->outstanding_principal_sen;
    if ((int) l->class_ >= TX_CLASS_CURRENT && (int) l->class_ <= TX_CLASS_LOSS)
        p->by_class[l->class_] += l->outstanding_principal_sen;
    return loan_put(ctx, l, 0);
}

/* Brings the allowance account to the required allowance of the loans as this close classified
   them (docs/domain.md): Dr provision expense / Cr allowance for an increase, the reverse for a
   decrease, one entry dated the business day. Runs once, in the last step, on the totals. */
static int post_allowance(tx_ctx_t *ctx, const tx_close_t *p, Lumbung__DayClosed *d,
                          const char *allowance, const char *expense, problem_t *err) {
    int64_t before;
    int rc = allowance_balance(ctx, d->cooperative_id, &allowance, &before, err);
    if (rc != 0) return rc;
    int64_t after = allowance_required(p->by_class), diff = after - before;
    d->has_allowance_before_sen = d->has_allowance_after_sen = 1;
    d->has_allowance_posted_sen = d->has_allowance_entry_id = 1;
    d->allowance_before_sen = before;
    d->allowance_after_sen = after;
    d->allowance_posted_sen = diff;
    if (diff == 0) return 0;
    char memo[TX_MEMO_MAX + 1];
    snprintf(memo, sizeof memo, "Penyisihan penghapusan pinjaman per %s",
             tx_date_text(ctx, d->business_date));
    Lumbung__JournalEntry *e = tx_ledger_entry_new(
        ctx, d->cooperative_id, p->date, memo, LUMBUNG__ENTRY_KIND__ENTRY_KIND_LOAN_ALLOWANCE, 2);
    int64_t amount = diff > 0 ? diff : -diff;
    tx_ledger_add(ctx, e, diff > 0 ? expense : allowance, amount, 0);
    tx_ledger_add(ctx, e, diff > 0 ? allowance : expense, 0, amount);
    if ((rc = tx_ledger_check(ctx, e, false, err)) != 0 ||
        (rc = tx_ledger_apply(ctx, e, p->date)) != 0)
        return rc;
    d->allowance_entry_id = e->id;
    return 0;
}

/* The close under way in `coop`: 0 with *found, 0 without, or a store error. */
static int close_progress(tx_ctx_t *ctx, uint64_t coop, tx_close_t *out, bool *found) {
    uint8_t key[8];
    be64_write(key, coop);
    const void *v;
    size_t vl;
    int rc = store_get(ctx->txn, ctx->db->close_steps, key, sizeof key, &v, &vl);
    *found = rc == 0;
    if (rc == ERR_NOT_FOUND) return 0;
    return rc != 0 ? rc : tx_close_decode(v, vl, out);
}

int tx_loans_check_not_closing(tx_ctx_t *ctx, uint64_t coop, problem_t *err) {
    tx_close_t p;
    bool found;
    int rc = close_progress(ctx, coop, &p, &found);
    if (rc != 0 || !found) return rc;
    return problem_set(err, LUMBUNG__ERROR_KIND__ERROR_KIND_UNAVAILABLE, "day_closing", NULL,
                     "cooperative %" PRIu64 " is closing %s; its loans change again once the "
                     "close-day is done (retry in a few seconds)", coop,
                     tx_date_text(ctx, p.date));
}

/* The answer of a finished close, from its totals; the allowance is posted here. */
static int close_finish(tx_ctx_t *ctx, uint64_t coop, const tx_close_t *p, const char *allowance,
                        const char *expense, Lumbung__DayClosed **out, problem_t *err) {
    Lumbung__DayClosed *day = arena_message(ctx->arena, &lumbung__day_closed__descriptor);
    day->has_cooperative_id = day->has_loans = day->has_late_fees_sen = 1;
    day->has_reclassified = day->has_outstanding_principal_sen = 1;
    day->cooperative_id = coop;
    PB_DATE_SET(day, business_date, p->date);
    day->loans = p->loans;
    day->late_fees_sen = p->late_fees_sen;
    day->reclassified = p->reclassified;
    day->outstanding_principal_sen = p->outstanding_principal_sen;
    uint8_t key[8];
    be64_write(key, coop);
    int rc = post_allowance(ctx, p, day, allowance, expense, err);
    if (rc == 0) rc = tx_store_put_pb(ctx->txn, ctx->db->close_days, coop, &day->base, 0);
    if (rc == 0) rc = store_del(ctx->txn, ctx->db->close_steps, key, sizeof key);
    if (rc == ERR_NOT_FOUND) rc = 0;                /* a close done in one step */
    if (rc == 0) *out = day;
    return rc;
}

/* Validates the request; 1 when the date is closed already (*out is its stored answer). */
static int close_check(tx_ctx_t *ctx, const Lumbung__CloseDay *r, int32_t *date,
                       Lumbung__DayClosed **out, problem_t *err) {
    int rc = tx_ledger_require_coop(ctx, r->cooperative_id, err);
    if (rc != 0) return rc;
    if (!r->has_business_date)
        return problem_set(err, INVALID, "missing_field", "business_date",
                         "business_date is required");
    if ((rc = TX_DATE_FIELD(ctx, r, business_date, date, err)) != 0) return rc;
    if (*date > ctx->today)      /* a typo a year ahead would block every earlier close */
        return problem_set(err, RULE, "future_date", "business_date",
                         "business_date %s is after today (%s) in the cooperative's time zone; "
                         "a day is closed once it has ended or is ending", tx_date_text(ctx, *date),
                         tx_date_text(ctx, ctx->today));
    ProtobufCMessage *m;
    rc = tx_store_get_pb(ctx->txn, ctx->db->close_days, r->cooperative_id, ctx->arena,
                         &lumbung__day_closed__descriptor, &m);
    if (rc == ERR_NOT_FOUND) return 0;
    if (rc != 0) return rc;
    Lumbung__DayClosed *last = (Lumbung__DayClosed *) m;
    int32_t last_date = DATE_OF(last, business_date);
    if (last_date == *date) {
        *out = last;                                /* idempotent per date */
        return 1;
    }
    if (*date < last_date)
        return problem_set(err, RULE, "day_already_closed", "business_date",
                         "cooperative %" PRIu64 " has closed the days up to %s; %s cannot be "
                         "closed again", r->cooperative_id, tx_date_text(ctx, last_date),
                         tx_date_text(ctx, *date));
    return 0;
}

/* Where this close starts: the stored progress of the same date, or the first loan. */
static int close_resume(tx_ctx_t *ctx, const Lumbung__CloseDay *r, int32_t date, tx_close_t *p,
                        problem_t *err) {
    bool found;
    int rc = close_progress(ctx, r->cooperative_id, p, &found);
    if (rc != 0) return rc;
    if (!found) {
        memset(p, 0, sizeof *p);
        p->date = date;
        return 0;
    }
    if (p->date != date)
        return problem_set(err, RULE, "close_in_progress", "business_date",
                         "cooperative %" PRIu64 " is closing %s; finish that close (send it "
                         "again) before closing %s", r->cooperative_id,
                         tx_date_text(ctx, p->date), tx_date_text(ctx, date));
    return 0;
}

int tx_loans_close_day(tx_ctx_t *ctx, const Lumbung__CloseDay *r, uint32_t step_loans,
                       Lumbung__DayClosed **out, problem_t *err) {
    assert(step_loans > 0);
    *out = NULL;
    int32_t date;
    int rc = close_check(ctx, r, &date, out, err);
    if (rc != 0) return rc == 1 ? 0 : rc;
    tx_close_t p;
    const char *allowance, *expense;
    int64_t unused;
    if ((rc = close_resume(ctx, r, date, &p, err)) != 0 ||
        (rc = allowance_balance(ctx, r->cooperative_id, &allowance, &unused, err)) != 0 ||
        (rc = tx_ledger_role_code(ctx, r->cooperative_id, ROLE(PROVISION_EXPENSE), &expense,
                                  err)) != 0)
        return rc;
    close_step_t c = { .p = &p, .limit = step_loans };
    rc = loans_visit(ctx, ctx->db->coop_loans, r->cooperative_id, p.next_loan, SIZE_MAX,
                     close_visit, &c);
    if (rc != 0) return rc;
    if (!c.more)
        return close_finish(ctx, r->cooperative_id, &p, allowance, expense, out, err);
    p.next_loan = c.last + 1;                     /* more loans: the next step starts there */
    uint8_t key[8], val[TX_CLOSE_RECORD_SIZE];
    be64_write(key, r->cooperative_id);
    tx_close_encode(&p, val);
    return store_put(ctx->txn, ctx->db->close_steps, key, sizeof key, val, sizeof val, 0);
}
