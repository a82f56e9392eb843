#include "savings.h"
#include "bytes.h"
#include "standard_chart.h"
#include "date.h"
#include "ledger.h"
#include "lending.h"
#include "mandatory.h"
#include "member.h"
#include "money.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define INVALID LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID
#define NOT_FOUND LUMBUNG__ERROR_KIND__ERROR_KIND_NOT_FOUND
#define RULE LUMBUNG__ERROR_KIND__ERROR_KIND_RULE
#define K(x) LUMBUNG__SAVINGS_KIND__SAVINGS_KIND_##x
#define ROLE(x) LUMBUNG__ACCOUNT_ROLE__ACCOUNT_ROLE_##x

static const uint8_t empty_value[1];

/* ------------------------------------------------------------------ pure rules */

/* The rule lives in common/mandatory.c, which reporting shares. */
uint32_t tx_savings_periods_due(int32_t joined_on, int32_t as_of, int period_months) {
    return mandatory_periods_due(joined_on, as_of, period_months);
}

int64_t tx_savings_arrears(uint32_t periods, int64_t amount_sen, int64_t paid_sen,
                           int64_t *due_sen) {
    return mandatory_arrears(periods, amount_sen, paid_sen, due_sen);
}

int tx_savings_td_interest(int64_t amount_sen, int64_t rate_bp, uint32_t term_months,
                           int64_t *out) {
    assert(amount_sen >= 0 && rate_bp >= 0);
    int64_t rate_months;
    if (__builtin_mul_overflow(rate_bp, (int64_t) term_months, &rate_months)) return -ERANGE;
    return money_mul_div_round(amount_sen, rate_months, 12 * 10000, out) == 0 ? 0
                                                                                   : -ERANGE;
}

/* ------------------------------------------------------------------ lookups */

static const char *status_text(uint8_t status) {
    return status == TX_MEMBER_EXITED ? "exited" : "active";
}

int tx_savings_loans_outstanding(tx_ctx_t *ctx, uint64_t member, int32_t as_of, int64_t *out) {
    return tx_loans_outstanding(ctx, member, as_of, out);
}

/* ------------------------------------------------------------------ movements */

/* Everything a movement decided before writing. */
typedef struct {
    const Lumbung__SavingsMovement *mv;
    bool deposit;
    uint64_t coop, member;
    Lumbung__SavingsKind kind;
    int32_t date;
    int64_t amount;
    tx_coop_t coop_rec;
    tx_member_t member_rec;
    tx_savings_effect_t effect;
    Lumbung__JournalEntry *entry;
    Lumbung__TimeDeposit *td;       /* opened or closed by this movement */
    bool td_new;
} move_t;

static int move_validate(tx_ctx_t *ctx, move_t *m, problem_t *err) {
    const Lumbung__SavingsMovement *mv = m->mv;
    if (!mv->has_kind || mv->kind < K(PRINCIPAL) || mv->kind > K(TIME_DEPOSIT))
        return problem_set(err, INVALID, "missing_field", "kind",
                         "kind is required: principal, mandatory, voluntary or time_deposit");
    m->kind = mv->kind;
    bool td_withdrawal = !m->deposit && m->kind == K(TIME_DEPOSIT);
    int rc = tx_member_check(ctx, mv->cooperative_id, mv->member_id, !td_withdrawal, RULE,
                             &m->member_rec, err);
    if (rc != 0) return rc;
    m->coop = mv->cooperative_id;
    m->member = mv->member_id;
    const tx_coop_t *coop;
    if ((rc = tx_ledger_coop(ctx, m->coop, &coop, err)) != 0) return rc;
    m->coop_rec = *coop;
    if ((rc = TX_DATE_FIELD(ctx, mv, value_date, &m->date, err)) != 0) return rc;
    if (mv->note && strlen(mv->note) > TX_MEMO_MAX)
        return problem_set(err, INVALID, "too_long", "note", "note has at most %d bytes",
                         TX_MEMO_MAX);
    m->amount = mv->has_amount_sen ? mv->amount_sen : 0;
    if (m->amount < 0)
        return problem_set(err, INVALID, "negative_amount", "amount", "amount must be positive");
    if (m->amount > TX_AMOUNT_MAX_SEN)
        return problem_set(err, INVALID, "amount_too_large", "amount",
                         "amount is at most %s", tx_money_text(ctx, TX_AMOUNT_MAX_SEN));
    /* Principal defaults to the configured amount; a time deposit withdrawal to the deposit. */
    bool amount_optional = (m->deposit && m->kind == K(PRINCIPAL)) || td_withdrawal;
    if (m->amount == 0 && !amount_optional)
        return problem_set(err, INVALID, "missing_field", "amount",
                         "amount is required and must be greater than zero");
    rc = tx_ctx_get_savings(ctx, m->member, m->kind, &m->effect.after);
    m->effect.set = true;
    m->effect.member = m->member;
    m->effect.kind = m->kind;
    return rc;
}

static int plan_principal(tx_ctx_t *ctx, move_t *m, problem_t *err) {
    tx_savings_t *s = &m->effect.after;
    int64_t configured = m->coop_rec.principal_sen;
    if (configured <= 0)
        return problem_set(err, RULE, "no_principal_configured", "kind",
                         "cooperative %" PRIu64 " has no principal savings amount configured",
                         m->coop);
    if (s->paid_sen > 0)
        return problem_set(err, RULE, "principal_already_paid", "kind",
                         "member %" PRIu64 " has already paid principal savings of %s; it is "
                         "paid exactly once", m->member, tx_money_text(ctx, s->paid_sen));
    if (m->amount == 0) m->amount = configured;
    if (m->amount != configured)
        return problem_set(err, RULE, "wrong_principal_amount", "amount",
                         "principal savings are exactly %s in this cooperative, not %s",
                         tx_money_text(ctx, configured), tx_money_text(ctx, m->amount));
    return 0;
}

static int plan_voluntary_withdrawal(tx_ctx_t *ctx, move_t *m, problem_t *err) {
    const tx_savings_t *s = &m->effect.after;
    int64_t minimum = m->coop_rec.voluntary_min_sen, left = s->balance_sen - m->amount;
    if (left < minimum)
        return problem_set(err, RULE, "insufficient_funds", "amount",
                         "voluntary savings balance is %s; withdrawing %s would leave %s, "
                         "below the minimum of %s", tx_money_text(ctx, s->balance_sen),
                         tx_money_text(ctx, m->amount), tx_money_text(ctx, left),
                         tx_money_text(ctx, minimum));
    return 0;
}

static int plan_td_open(tx_ctx_t *ctx, move_t *m, problem_t *err) {
    const Lumbung__SavingsMovement *mv = m->mv;
    if (!mv->has_term_months || mv->term_months == 0 || mv->term_months > TX_TD_TERM_MAX_MONTHS)
        return problem_set(err, INVALID, "invalid_term", "term_months",
                         "term_months is required, 1 to %d", TX_TD_TERM_MAX_MONTHS);
    if (!mv->has_annual_rate_bp || mv->annual_rate_bp < 0 ||
        mv->annual_rate_bp > TX_TD_RATE_MAX_BP)
        return problem_set(err, INVALID, "invalid_rate", "annual_rate",
                         "annual_rate is required, 0 to %d percent a year",
                         TX_TD_RATE_MAX_BP / 100);
    int32_t maturity;
    int64_t interest;
    if (date_add_months(m->date, (int32_t) mv->term_months, &maturity) != 0 ||
        tx_savings_td_interest(m->amount, mv->annual_rate_bp, mv->term_months, &interest) != 0)
        return problem_set(err, INVALID, "invalid_term", "term_months",
                         "the term or amount is out of range");
    Lumbung__TimeDeposit *td = arena_message(ctx->arena, &lumbung__time_deposit__descriptor);
    td->has_id = td->has_cooperative_id = td->has_member_id = td->has_amount_sen = 1;
    td->id = tx_store_next_id(ctx->db, ctx->txn, ctx->db->time_deposits);
    td->cooperative_id = m->coop;
    td->member_id = m->member;
    td->amount_sen = m->amount;
    td->has_term_months = td->has_annual_rate_bp = td->has_interest_sen = td->has_status = 1;
    td->term_months = mv->term_months;
    td->annual_rate_bp = mv->annual_rate_bp;
    td->interest_sen = interest;
    td->status = LUMBUNG__TIME_DEPOSIT_STATUS__TIME_DEPOSIT_STATUS_OPEN;
    PB_DATE_SET(td, opened_on, m->date);
    PB_DATE_SET(td, maturity_on, maturity);
    m->td = td;
    m->td_new = true;
    return 0;
}

static int plan_td_close(tx_ctx_t *ctx, move_t *m, problem_t *err) {
    uint64_t id = m->mv->has_time_deposit_id ? m->mv->time_deposit_id : 0;
    if (id == 0)
        return problem_set(err, INVALID, "missing_field", "time_deposit_id",
                         "time_deposit_id is required to withdraw a time deposit");
    ProtobufCMessage *pm;
    int rc = tx_store_get_pb(ctx->txn, ctx->db->time_deposits, id, ctx->arena,
                             &lumbung__time_deposit__descriptor, &pm);
    Lumbung__TimeDeposit *td = (Lumbung__TimeDeposit *) pm;
    if (rc == 0 && td->member_id != m->member) rc = ERR_NOT_FOUND;
    if (rc == ERR_NOT_FOUND)
        return problem_set(err, NOT_FOUND, "time_deposit_not_found", "time_deposit_id",
                         "member %" PRIu64 " has no time deposit %" PRIu64, m->member, id);
    if (rc != 0) return rc;
    if (td->status != LUMBUNG__TIME_DEPOSIT_STATUS__TIME_DEPOSIT_STATUS_OPEN)
        return problem_set(err, RULE, "time_deposit_closed", "time_deposit_id",
                         "time deposit %" PRIu64 " was already paid out on %s", id,
                         td->has_closed_on ? tx_date_text(ctx, td->closed_on)
                                           : "an earlier date");
    if (!td->has_maturity_on) return -EINVAL;
    if (m->date < td->maturity_on)
        return problem_set(err, RULE, "not_matured", "value_date",
                         "time deposit %" PRIu64 " matures on %s; it cannot be withdrawn "
                         "before", id, tx_date_text(ctx, td->maturity_on));
    if (m->amount != 0 && m->amount != td->amount_sen)
        return problem_set(err, RULE, "partial_time_deposit", "amount",
                         "a time deposit is withdrawn whole: %s (plus interest %s)",
                         tx_money_text(ctx, td->amount_sen),
                         tx_money_text(ctx, td->interest_sen));
    m->amount = td->amount_sen;
    td->status = LUMBUNG__TIME_DEPOSIT_STATUS__TIME_DEPOSIT_STATUS_CLOSED;
    PB_DATE_SET(td, closed_on, m->date);
    m->td = td;
    return 0;
}

static int plan_rules(tx_ctx_t *ctx, move_t *m, problem_t *err) {
    if (m->deposit) {
        if (m->kind == K(PRINCIPAL)) return plan_principal(ctx, m, err);
        if (m->kind == K(TIME_DEPOSIT)) return plan_td_open(ctx, m, err);
        return 0;
    }
    if (m->kind == K(VOLUNTARY)) return plan_voluntary_withdrawal(ctx, m, err);
    if (m->kind == K(TIME_DEPOSIT)) return plan_td_close(ctx, m, err);
    return problem_set(err, RULE, "savings_locked", "kind",
                     "%s savings stay with the cooperative while the member is active; they "
                     "are refunded when the member exits", tx_chart_kind_name(m->kind));
}

static void plan_effect(move_t *m) {
    tx_savings_t *s = &m->effect.after;
    if (m->deposit) {
        s->balance_sen += m->amount;
        s->paid_sen += m->amount;
    } else {
        s->balance_sen -= m->amount;
        s->withdrawn_sen += m->amount;
    }
}

/* The entry carries member_id and savings_kind, so the default memo need not repeat them. */
static const char *default_memo(const move_t *m) {
    static const char *const deposits[] = { "", "Setoran simpanan pokok", "Setoran simpanan wajib",
                                            "Setoran simpanan sukarela",
                                            "Setoran simpanan berjangka" };
    static const char *const withdrawals[] = { "", "Penarikan simpanan pokok",
                                               "Penarikan simpanan wajib",
                                               "Penarikan simpanan sukarela",
                                               "Pencairan simpanan berjangka" };
    return m->deposit ? deposits[m->kind] : withdrawals[m->kind];
}

/* Dr cash / Cr the kind's account for a deposit; the reverse for a withdrawal, with the
   interest of a matured time deposit as cost of funds. */
static int plan_entry(tx_ctx_t *ctx, move_t *m, problem_t *err) {
    const char *cash, *savings, *cost = NULL;
    int rc = tx_ledger_role_code(ctx, m->coop, ROLE(CASH), &cash, err);
    if (rc == 0) rc = tx_ledger_role_code(ctx, m->coop, tx_chart_kind_role(m->kind), &savings,
                                          err);
    int64_t interest = !m->deposit && m->td ? m->td->interest_sen : 0;
    if (rc == 0 && interest > 0)
        rc = tx_ledger_role_code(ctx, m->coop, ROLE(COST_OF_FUNDS), &cost, err);
    if (rc != 0) return rc;
    const char *text = m->mv->note && *m->mv->note ? m->mv->note : default_memo(m);
    Lumbung__JournalEntry *e = tx_ledger_entry_new(
        ctx, m->coop, m->date, text,
        m->deposit ? LUMBUNG__ENTRY_KIND__ENTRY_KIND_DEPOSIT
                   : LUMBUNG__ENTRY_KIND__ENTRY_KIND_WITHDRAWAL, 3);
    if (m->deposit) {
        tx_ledger_add(ctx, e, cash, m->amount, 0);
        tx_ledger_add(ctx, e, savings, 0, m->amount);
    } else {
        tx_ledger_add(ctx, e, savings, m->amount, 0);
        if (interest > 0) tx_ledger_add(ctx, e, cost, interest, 0);
        tx_ledger_add(ctx, e, cash, 0, m->amount + interest);
    }
    e->has_member_id = e->has_savings_kind = e->has_savings_delta_sen = 1;
    e->member_id = m->member;
    e->savings_kind = m->kind;
    e->savings_delta_sen = m->deposit ? m->amount : -m->amount;
    if (m->td) {
        e->has_time_deposit_id = 1;
        e->time_deposit_id = m->td->id;
    }
    m->entry = e;
    return tx_ledger_check(ctx, e, false, err);
}

static int queue_td_changed(tx_ctx_t *ctx, Lumbung__TimeDeposit *td) {
    Lumbung__TimeDepositChanged *c =
        arena_message(ctx->arena, &lumbung__time_deposit_changed__descriptor);
    c->time_deposit = td;
    Lumbung__TransactionsEvent *ev = tx_ctx_event(ctx);
    ev->body_case = LUMBUNG__TRANSACTIONS_EVENT__BODY_TIME_DEPOSIT_CHANGED;
    ev->time_deposit_changed = c;
    return tx_ctx_queue_event(ctx, ev);
}

static int write_td(tx_ctx_t *ctx, move_t *m) {
    Lumbung__TimeDeposit *td = m->td;
    if (m->td_new) {
        td->has_open_entry_id = 1;
        td->open_entry_id = m->entry->id;
    } else {
        td->has_close_entry_id = 1;
        td->close_entry_id = m->entry->id;
    }
    int rc = tx_store_put_pb(ctx->txn, ctx->db->time_deposits, td->id, &td->base,
                             m->td_new ? tx_store_append(ctx->db, ctx->db->time_deposits) : 0);
    if (rc == 0 && m->td_new) {
        uint8_t key[16];
        be64_write(key, m->member);
        be64_write(key + 8, td->id);
        rc = store_put(ctx->txn, ctx->db->member_tds, key, sizeof key, empty_value, 0, 0);
    }
    return rc == 0 ? queue_td_changed(ctx, td) : rc;
}

static Lumbung__SavingsPosted *posted_pb(tx_ctx_t *ctx, const move_t *m) {
    Lumbung__SavingsPosted *p = arena_message(ctx->arena, &lumbung__savings_posted__descriptor);
    p->has_entry_id = p->has_member_id = p->has_kind = p->has_amount_sen = 1;
    p->has_balance_sen = 1;
    p->entry_id = m->entry->id;
    p->member_id = m->member;
    p->kind = m->kind;
    p->amount_sen = m->amount;
    p->balance_sen = m->effect.after.balance_sen;
    p->entry = m->entry;
    p->time_deposit = m->td;
    return p;
}

int tx_savings_move(tx_ctx_t *ctx, const Lumbung__SavingsMovement *mv, bool deposit,
                    Lumbung__SavingsPosted **out, problem_t *err) {
    assert(ctx && mv && out && err);
    move_t m = { .mv = mv, .deposit = deposit };
    /* Reads and checks only. */
    int rc = move_validate(ctx, &m, err);
    if (rc == 0) rc = plan_rules(ctx, &m, err);
    if (rc != 0) return rc;
    plan_effect(&m);
    if ((rc = plan_entry(ctx, &m, err)) != 0) return rc;
    /* Writes only; a failure here is a store error that aborts the request. */
    if ((rc = tx_ledger_apply(ctx, m.entry, m.date)) != 0) return rc;
    if ((rc = tx_savings_effect_apply(ctx, &m.effect)) != 0) return rc;
    if (m.td && (rc = write_td(ctx, &m)) != 0) return rc;
    *out = posted_pb(ctx, &m);
    return 0;
}

int tx_savings_effect_apply(tx_ctx_t *ctx, const tx_savings_effect_t *effect) {
    if (!effect->set) return 0;
    return tx_ctx_put_savings(ctx, effect->member, effect->kind, &effect->after);
}

int tx_savings_reversal_check(tx_ctx_t *ctx, const Lumbung__JournalEntry *rev,
                              tx_savings_effect_t *effect, problem_t *err) {
    memset(effect, 0, sizeof *effect);
    if (!rev->has_member_id || !rev->has_savings_kind || !rev->has_savings_delta_sen) return 0;
    tx_member_t member;
    int rc = tx_member_check(ctx, rev->cooperative_id, rev->member_id, true, RULE, &member,
                             err);
    if (rc != 0) return rc;
    effect->set = true;
    effect->member = rev->member_id;
    effect->kind = rev->savings_kind;
    tx_savings_t *s = &effect->after;
    if ((rc = tx_ctx_get_savings(ctx, rev->member_id, effect->kind, s)) != 0)
        return rc;
    int64_t delta = rev->savings_delta_sen;
    if (s->balance_sen + delta < 0)
        return problem_set(err, RULE, "insufficient_funds", "entry_id",
                         "reversing entry %" PRIu64 " would take the member's %s savings from "
                         "%s below zero", rev->reverses_id,
                         tx_chart_kind_name(rev->savings_kind),
                         tx_money_text(ctx, s->balance_sen));
    s->balance_sen += delta;
    if (delta < 0) s->paid_sen += delta;        /* a deposit that did not happen */
    else s->withdrawn_sen -= delta;             /* a withdrawal that did not happen */
    return 0;
}

/* ------------------------------------------------------------------ member accounts */

static Lumbung__SavingsAccount *account_item(tx_ctx_t *ctx, Lumbung__SavingsKind kind,
                                             const tx_savings_t *s) {
    Lumbung__SavingsAccount *a = arena_message(ctx->arena,
                                               &lumbung__savings_account__descriptor);
    a->has_kind = a->has_balance_sen = a->has_paid_sen = a->has_withdrawn_sen = 1;
    a->kind = kind;
    a->balance_sen = s->balance_sen;
    a->paid_sen = s->paid_sen;
    a->withdrawn_sen = s->withdrawn_sen;
    return a;
}

static int list_time_deposits(tx_ctx_t *ctx, uint64_t member, Lumbung__MemberAccounts *out) {
    uint8_t prefix[8];
    be64_write(prefix, member);
    store_scan_t s;
    int rc = store_scan_open(&s, ctx->txn, ctx->db->member_tds,
                             &(store_range_t){ .prefix = prefix, .prefix_len = sizeof prefix });
    if (rc != 0) return rc;
    out->time_deposits = arena_alloc(ctx->arena, TX_TD_LIST_MAX * sizeof *out->time_deposits);
    while (out->n_time_deposits < TX_TD_LIST_MAX && (rc = store_scan_next(&s)) == 0 &&
           s.key_len == 16) {
        ProtobufCMessage *m;
        rc = tx_store_get_pb(ctx->txn, ctx->db->time_deposits,
                             be64_read((const uint8_t *) s.key + 8), ctx->arena,
                             &lumbung__time_deposit__descriptor, &m);
        if (rc != 0) break;
        out->time_deposits[out->n_time_deposits++] = (Lumbung__TimeDeposit *) m;
    }
    return store_scan_close(&s, rc);
}

static void fill_mandatory(const tx_coop_t *coop, const tx_member_t *member, int32_t as_of,
                           Lumbung__SavingsAccount *a) {
    if (member->status == TX_MEMBER_EXITED && member->exited_on < as_of)
        as_of = member->exited_on;
    uint32_t periods = tx_savings_periods_due(member->joined_on, as_of, coop->period_months);
    a->has_periods_due = a->has_due_sen = a->has_arrears_sen = 1;
    a->periods_due = periods;
    a->arrears_sen = tx_savings_arrears(periods, coop->mandatory_sen, a->paid_sen, &a->due_sen);
}

int tx_savings_member_accounts(tx_ctx_t *ctx, const Lumbung__GetMemberAccounts *req,
                               Lumbung__MemberAccounts **out, problem_t *err) {
    tx_member_t member;
    int rc = tx_member_check(ctx, req->cooperative_id, req->member_id, false, NOT_FOUND,
                             &member, err);
    int32_t as_of;
    if (rc == 0) rc = TX_DATE_FIELD(ctx, req, as_of, &as_of, err);
    tx_coop_t coop;
    if (rc == 0) rc = tx_store_get_coop(ctx->db, ctx->txn, req->cooperative_id, &coop);
    if (rc != 0) return rc;
    Lumbung__MemberAccounts *m = arena_message(ctx->arena, &lumbung__member_accounts__descriptor);
    m->has_cooperative_id = m->has_member_id = 1;
    m->cooperative_id = req->cooperative_id;
    m->member_id = req->member_id;
    PB_DATE_SET(m, as_of, as_of);
    m->status = (char *) status_text(member.status);
    m->items = arena_alloc(ctx->arena, 4 * sizeof *m->items);
    for (int kind = K(PRINCIPAL); kind <= K(TIME_DEPOSIT); kind++) {
        tx_savings_t s;
        if ((rc = tx_ctx_get_savings(ctx, req->member_id, kind, &s)) != 0)
            return rc;
        Lumbung__SavingsAccount *a = account_item(ctx, (Lumbung__SavingsKind) kind, &s);
        if (kind == K(PRINCIPAL)) {
            a->has_due_sen = 1;
            a->due_sen = coop.principal_sen;
        } else if (kind == K(MANDATORY)) {
            fill_mandatory(&coop, &member, as_of, a);
        } else if (kind == K(VOLUNTARY)) {
            a->has_minimum_balance_sen = 1;
            a->minimum_balance_sen = coop.voluntary_min_sen;
        }
        m->items[m->n_items++] = a;
    }
    if ((rc = list_time_deposits(ctx, req->member_id, m)) != 0) return rc;
    if ((rc = tx_loans_member_summaries(ctx, req->member_id, as_of, m)) != 0) return rc;
    *out = m;
    return 0;
}

/* ------------------------------------------------------------------ exit settlement */

/* Dr the savings refunded; Cr what the refund pays on loans (late fees, interest, principal,
   as tx_loans_settle() splits it) and the rest in cash, or to Utang lain-lain when the cash
   does not cover it (st->payable_sen). */
static int settlement_entry(tx_ctx_t *ctx, Lumbung__Settlement *st, int32_t date,
                            const tx_allocation_t *a, Lumbung__JournalEntry **out,
                            problem_t *err) {
    const char *principal, *mandatory, *voluntary, *loans, *rest, *interest, *fees;
    uint64_t coop = st->cooperative_id;
    int rc = tx_ledger_role_code(ctx, coop, ROLE(PRINCIPAL_SAVINGS), &principal, err);
    if (rc == 0) rc = tx_ledger_role_code(ctx, coop, ROLE(MANDATORY_SAVINGS), &mandatory, err);
    if (rc == 0) rc = tx_ledger_role_code(ctx, coop, ROLE(VOLUNTARY_SAVINGS), &voluntary, err);
    if (rc == 0) rc = tx_ledger_role_code(ctx, coop, ROLE(MEMBER_LOANS), &loans, err);
    if (rc == 0) rc = tx_ledger_role_code(ctx, coop, ROLE(LOAN_INTEREST_INCOME), &interest, err);
    if (rc == 0) rc = tx_ledger_role_code(ctx, coop, ROLE(LATE_FEE_INCOME), &fees, err);
    if (rc == 0)
        rc = tx_ledger_role_code(ctx, coop, st->payable_sen > 0 ? ROLE(OTHER_LIABILITIES)
                                                                : ROLE(CASH), &rest, err);
    if (rc != 0) return rc;
    char memo[TX_MEMO_MAX + 1];
    snprintf(memo, sizeof memo, "Penyelesaian keluar anggota %" PRIu64, st->member_id);
    Lumbung__JournalEntry *e = tx_ledger_entry_new(
        ctx, coop, date, memo, LUMBUNG__ENTRY_KIND__ENTRY_KIND_EXIT_SETTLEMENT, 7);
    if (st->principal_sen > 0) tx_ledger_add(ctx, e, principal, st->principal_sen, 0);
    if (st->mandatory_sen > 0) tx_ledger_add(ctx, e, mandatory, st->mandatory_sen, 0);
    if (st->voluntary_sen > 0) tx_ledger_add(ctx, e, voluntary, st->voluntary_sen, 0);
    if (a->fee_sen > 0) tx_ledger_add(ctx, e, fees, 0, a->fee_sen);
    if (a->interest_sen > 0) tx_ledger_add(ctx, e, interest, 0, a->interest_sen);
    if (a->principal_sen > 0) tx_ledger_add(ctx, e, loans, 0, a->principal_sen);
    int64_t left = st->cash_paid_sen + st->payable_sen;
    if (left > 0) tx_ledger_add(ctx, e, rest, 0, left);
    e->has_member_id = 1;
    e->member_id = st->member_id;
    *out = e;
    return tx_ledger_check(ctx, e, false, err);
}

/* What the cooperative's cash account holds now. */
static int cash_held(tx_ctx_t *ctx, uint64_t coop, int64_t *out, problem_t *err) {
    const char *code;
    tx_account_t a;
    int rc = tx_ledger_role_code(ctx, coop, ROLE(CASH), &code, err);
    if (rc == 0) rc = tx_ctx_get_account(ctx, coop, code, &a);
    if (rc == 0) *out = a.debit_total_sen - a.credit_total_sen;
    return rc;
}

/* The day the settlement is booked: the exit date, unless that day is already closed; then
   the first open day (a closed day's books never change). An exit date is never after today
   (the members service refuses it), and the settlement is not refused: the member has left. */
static int settlement_date(tx_ctx_t *ctx, uint64_t coop, int32_t exit_on, int32_t *out) {
    int32_t closed;
    int rc = tx_ledger_last_closed(ctx, coop, &closed);
    *out = closed != TX_NO_CLOSED_DAY && exit_on <= closed ? closed + 1 : exit_on;
    return rc;
}

static int zero_savings(tx_ctx_t *ctx, uint64_t member, int kind) {
    tx_savings_t s;
    int rc = tx_ctx_get_savings(ctx, member, kind, &s);
    if (rc != 0 || s.balance_sen == 0) return rc;
    s.withdrawn_sen += s.balance_sen;
    s.balance_sen = 0;
    return tx_ctx_put_savings(ctx, member, kind, &s);
}

static int queue_settled(tx_ctx_t *ctx, Lumbung__Settlement *st) {
    Lumbung__MemberSettled *s = arena_message(ctx->arena, &lumbung__member_settled__descriptor);
    s->settlement = st;
    Lumbung__TransactionsEvent *ev = tx_ctx_event(ctx);
    ev->body_case = LUMBUNG__TRANSACTIONS_EVENT__BODY_MEMBER_SETTLED;
    ev->member_settled = s;
    return tx_ctx_queue_event(ctx, ev);
}

static int settlement_amounts(tx_ctx_t *ctx, uint64_t member, int32_t exit_on,
                              Lumbung__Settlement *st) {
    tx_savings_t p, m, v;
    int rc = tx_ctx_get_savings(ctx, member, K(PRINCIPAL), &p);
    if (rc == 0) rc = tx_ctx_get_savings(ctx, member, K(MANDATORY), &m);
    if (rc == 0) rc = tx_ctx_get_savings(ctx, member, K(VOLUNTARY), &v);
    if (rc == 0) rc = tx_savings_loans_outstanding(ctx, member, exit_on, &st->debts_sen);
    if (rc != 0) return rc;
    st->has_principal_sen = st->has_mandatory_sen = st->has_voluntary_sen = 1;
    st->has_refund_sen = st->has_debts_sen = st->has_net_sen = 1;
    st->principal_sen = p.balance_sen;
    st->mandatory_sen = m.balance_sen;
    st->voluntary_sen = v.balance_sen;
    st->refund_sen = p.balance_sen + m.balance_sen + v.balance_sen;
    st->net_sen = st->refund_sen - st->debts_sen;
    return 0;
}

/* How the refund is used: loans first, then cash, or a payable when cash does not cover it. */
static int settlement_plan(tx_ctx_t *ctx, Lumbung__Settlement *st, int32_t date,
                           tx_allocation_t *alloc, problem_t *err) {
    int64_t to_loans = st->debts_sen < st->refund_sen ? st->debts_sen : st->refund_sen;
    int rc = 0;
    if (to_loans > 0)
        rc = tx_loans_settle(ctx, st->member_id, date, to_loans, false, 0, alloc);
    if (rc != 0) return rc;
    assert(alloc->fee_sen + alloc->interest_sen + alloc->principal_sen == to_loans);
    int64_t rest = st->refund_sen - to_loans, held = 0;
    if (rest > 0 && (rc = cash_held(ctx, st->cooperative_id, &held, err)) != 0) return rc;
    st->has_cash_paid_sen = st->has_payable_sen = 1;
    st->cash_paid_sen = rest > 0 && held >= rest ? rest : 0;
    st->payable_sen = rest - st->cash_paid_sen;
    st->loans_paid = tx_loans_allocation_pb(ctx, alloc);
    return 0;
}

int tx_savings_settle(tx_ctx_t *ctx, uint64_t member, int32_t exit_on, uint64_t members_seq,
                      Lumbung__Settlement **out, problem_t *err) {
    ProtobufCMessage *existing;
    int rc = tx_store_get_pb(ctx->txn, ctx->db->settlements, member, ctx->arena,
                             &lumbung__settlement__descriptor, &existing);
    if (rc == 0) {
        *out = (Lumbung__Settlement *) existing;
        return 0;
    }
    tx_member_t rec;
    int32_t date;
    if (rc != ERR_NOT_FOUND ||
        (rc = tx_store_get_member(ctx->db, ctx->txn, member, &rec)) != 0 ||
        (rc = settlement_date(ctx, rec.coop, exit_on, &date)) != 0)
        return rc;
    Lumbung__Settlement *st = arena_message(ctx->arena, &lumbung__settlement__descriptor);
    st->has_cooperative_id = st->has_member_id = st->has_members_seq = 1;
    st->cooperative_id = rec.coop;
    st->member_id = member;
    st->members_seq = members_seq;
    PB_DATE_SET(st, exit_on, exit_on);
    PB_DATE_SET(st, value_date, date);
    tx_allocation_t alloc = { 0 };
    Lumbung__JournalEntry *e = NULL;
    if ((rc = settlement_amounts(ctx, member, date, st)) != 0 ||
        (rc = settlement_plan(ctx, st, date, &alloc, err)) != 0)
        return rc;
    if (st->refund_sen > 0 && (rc = settlement_entry(ctx, st, date, &alloc, &e, err)) != 0)
        return rc;
    /* Writes from here on. */
    if (e && (rc = tx_ledger_apply(ctx, e, date)) != 0) return rc;
    tx_allocation_t again = { 0 };
    if (st->loans_paid->amount_sen > 0 &&
        (rc = tx_loans_settle(ctx, member, date, st->loans_paid->amount_sen, true, e->id,
                              &again)) != 0)
        return rc;
    st->has_entry_id = st->has_debts_left_sen = 1;
    st->entry_id = e ? e->id : 0;
    if ((rc = tx_loans_outstanding(ctx, member, date, &st->debts_left_sen)) != 0) return rc;
    for (int kind = K(PRINCIPAL); kind <= K(VOLUNTARY) && rc == 0; kind++)
        rc = zero_savings(ctx, member, kind);
    if (rc == 0) rc = tx_store_put_pb(ctx->txn, ctx->db->settlements, member, &st->base, 0);
    if (rc == 0) rc = queue_settled(ctx, st);
    if (rc == 0) *out = st;
    return rc;
}

int tx_savings_get_settlement(tx_ctx_t *ctx, uint64_t coop, uint64_t member,
                              Lumbung__Settlement **out, problem_t *err) {
    tx_member_t rec;
    int rc = tx_member_check(ctx, coop, member, false, NOT_FOUND, &rec, err);
    if (rc != 0) return rc;
    ProtobufCMessage *m;
    rc = tx_store_get_pb(ctx->txn, ctx->db->settlements, member, ctx->arena,
                         &lumbung__settlement__descriptor, &m);
    if (rc == ERR_NOT_FOUND)
        return problem_set(err, NOT_FOUND, "no_settlement", "member_id",
                         "member %" PRIu64 " is %s and has no exit settlement", member,
                         status_text(rec.status));
    if (rc != 0) return rc;
    *out = (Lumbung__Settlement *) m;
    return 0;
}

/* ------------------------------------------------------------------ opening balances */

static int books_empty(tx_ctx_t *ctx, uint64_t coop, problem_t *err) {
    uint8_t key[TX_COOP_ENTRY_KEY_SIZE];
    size_t kl = tx_key_coop_entry(coop, DATE_MIN, 0, key);
    store_cursor_t *c;
    int rc = tx_ctx_write_index(ctx);              /* the seek reads the store */
    if (rc == 0) rc = store_cursor_open(ctx->txn, ctx->db->coop_entries, &c);
    if (rc != 0) return rc;
    const void *k;
    size_t kf;
    rc = store_cursor_seek(c, key, kl, &k, &kf, NULL, NULL);
    bool found = rc == 0 && kf == kl && memcmp(k, key, 8) == 0;
    store_cursor_close(&c);
    if (rc != 0 && rc != ERR_NOT_FOUND) return rc;
    if (found)
        return problem_set(err, LUMBUNG__ERROR_KIND__ERROR_KIND_CONFLICT, "books_not_empty", NULL,
                         "cooperative %" PRIu64 " already has entries; opening balances are the "
                         "first entry of a cooperative's books", coop);
    return 0;
}

/* The request's own lines: never a savings account (those come per member). */
static int opening_lines(tx_ctx_t *ctx, const Lumbung__PostOpening *req, problem_t *err) {
    for (size_t i = 0; i < req->n_lines; i++) {
        const char *code = req->lines[i]->account;
        tx_account_t a;
        int rc = code ? tx_ctx_get_account(ctx, req->cooperative_id, code, &a)
                      : ERR_NOT_FOUND;
        if (rc == ERR_NOT_FOUND) continue;        /* tx_ledger_check() names it */
        if (rc != 0) return rc;
        if (tx_chart_role_is_savings((Lumbung__AccountRole) a.role))
            return problem_set(err, RULE, "savings_account",
                             arena_printf(ctx->arena, "lines[%zu].account", i),
                             "lines[%zu].account: %s (%s) holds members' savings; give each "
                             "member's balance under savings instead", i, code, a.name);
    }
    return 0;
}

/* Checks item i and adds it to the per-kind totals and the members' records in `effects`. */
static int opening_item(tx_ctx_t *ctx, const Lumbung__PostOpening *req, size_t i,
                        tx_savings_effect_t *effects, int64_t totals[4], problem_t *err) {
    const Lumbung__OpeningSavings *o = req->savings[i];
    char field[PROBLEM_FIELD_MAX];
    snprintf(field, sizeof field, "savings[%zu].member_id", i);
    tx_member_t member;
    int rc = tx_member_check(ctx, req->cooperative_id, o->member_id, true, RULE, &member,
                             err);
    if (rc == ERR_REJECTED) snprintf(err->field, sizeof err->field, "%s", field);
    if (rc != 0) return rc;
    if (!o->has_kind || o->kind < K(PRINCIPAL) || o->kind > K(VOLUNTARY))
        return problem_set(err, INVALID, "invalid_kind",
                         arena_printf(ctx->arena, "savings[%zu].kind", i),
                         "savings[%zu].kind must be principal, mandatory or voluntary (a time "
                         "deposit is opened as a deposit)", i);
    if (!o->has_amount_sen || o->amount_sen <= 0 || o->amount_sen > TX_AMOUNT_MAX_SEN)
        return problem_set(err, INVALID, "invalid_amount",
                         arena_printf(ctx->arena, "savings[%zu].amount", i),
                         "savings[%zu].amount must be greater than zero and at most %s", i,
                         tx_money_text(ctx, TX_AMOUNT_MAX_SEN));
    for (size_t j = 0; j < i; j++)
        if (effects[j].member == o->member_id && effects[j].kind == (int) o->kind)
            return problem_set(err, INVALID, "duplicate", field,
                             "savings[%zu] repeats member %" PRIu64 "'s %s savings of "
                             "savings[%zu]", i, o->member_id, tx_chart_kind_name(o->kind), j);
    tx_savings_effect_t *e = &effects[i];
    *e = (tx_savings_effect_t) { .set = true, .member = o->member_id, .kind = (int) o->kind };
    if ((rc = tx_ctx_get_savings(ctx, o->member_id, o->kind, &e->after)) != 0)
        return rc;
    e->after.balance_sen += o->amount_sen;
    e->after.paid_sen += o->amount_sen;
    totals[o->kind] += o->amount_sen;     /* at most 5,000 x 10^15: no overflow */
    return 0;
}

static Lumbung__JournalEntry *opening_entry(tx_ctx_t *ctx, const Lumbung__PostOpening *req,
                                            int32_t date, size_t savings_lines) {
    Lumbung__JournalEntry *e = tx_ledger_entry_new(
        ctx, req->cooperative_id, date, req->memo && *req->memo ? req->memo : "Saldo awal",
        LUMBUNG__ENTRY_KIND__ENTRY_KIND_OPENING, req->n_lines + savings_lines);
    for (size_t i = 0; i < req->n_lines; i++) e->lines[i] = req->lines[i];
    e->n_lines = req->n_lines;
    e->opening_savings = req->savings;
    e->n_opening_savings = req->n_savings;
    return e;
}

int tx_savings_post_opening(tx_ctx_t *ctx, const Lumbung__PostOpening *req,
                            Lumbung__JournalEntry **out, problem_t *err) {
    int32_t date;
    int rc = tx_ledger_require_coop(ctx, req->cooperative_id, err);
    if (rc == 0) rc = TX_DATE_FIELD(ctx, req, value_date, &date, err);
    if (rc == 0) rc = books_empty(ctx, req->cooperative_id, err);
    if (rc != 0) return rc;
    if (req->n_savings > TX_OPENING_SAVINGS_MAX || req->n_lines > TX_LINES_MAX - 3)
        return problem_set(err, INVALID, "too_many_lines",
                         req->n_lines > TX_LINES_MAX - 3 ? "lines" : "savings",
                         "an opening has at most %d lines and %d member balances",
                         TX_LINES_MAX - 3, TX_OPENING_SAVINGS_MAX);
    if ((rc = opening_lines(ctx, req, err)) != 0) return rc;
    tx_savings_effect_t *effects = arena_alloc(ctx->arena, (req->n_savings + 1) * sizeof *effects);
    int64_t totals[4] = { 0 };
    for (size_t i = 0; i < req->n_savings; i++)
        if ((rc = opening_item(ctx, req, i, effects, totals, err)) != 0) return rc;
    Lumbung__JournalEntry *e = opening_entry(ctx, req, date, 3);
    for (int kind = K(PRINCIPAL); kind <= K(VOLUNTARY); kind++) {
        const char *code;
        if (totals[kind] == 0) continue;
        if ((rc = tx_ledger_role_code(ctx, req->cooperative_id, tx_chart_kind_role(kind), &code,
                                      err)) != 0)
            return rc;
        tx_ledger_add(ctx, e, code, 0, totals[kind]);
    }
    if ((rc = tx_ledger_check(ctx, e, false, err)) != 0) return rc;
    /* Writes from here on. */
    if ((rc = tx_ledger_apply(ctx, e, date)) != 0) return rc;
    for (size_t i = 0; i < req->n_savings && rc == 0; i++)
        rc = tx_savings_effect_apply(ctx, &effects[i]);
    if (rc == 0) *out = e;
    return rc;
}
