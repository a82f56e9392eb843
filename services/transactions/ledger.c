#include "ledger.h"
#include "bytes.h"
#include "standard_chart.h"
#include "date.h"
#include "money.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INVALID LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID
#define NOT_FOUND LUMBUNG__ERROR_KIND__ERROR_KIND_NOT_FOUND
#define CONFLICT LUMBUNG__ERROR_KIND__ERROR_KIND_CONFLICT
#define RULE LUMBUNG__ERROR_KIND__ERROR_KIND_RULE
#define ROLE_CASH LUMBUNG__ACCOUNT_ROLE__ACCOUNT_ROLE_CASH
#define ROLE_BANK LUMBUNG__ACCOUNT_ROLE__ACCOUNT_ROLE_BANK

/* Account totals stay this far below INT64_MAX, so that one more entry of the largest size
   can never overflow them between check and apply. */
#define TOTAL_HEADROOM ((int64_t) TX_LINES_MAX * TX_AMOUNT_MAX_SEN)

int32_t tx_ledger_local_today(const tx_ctx_t *ctx, const tx_coop_t *c) {
    int hours = c->zone_hours ? c->zone_hours : TX_ZONE_HOURS_DEFAULT;
    return date_local_today(ctx->now_ms, hours * 60);
}

int tx_ledger_coop(tx_ctx_t *ctx, uint64_t coop, const tx_coop_t **out, problem_t *err) {
    if (coop == 0)
        return problem_set(err, INVALID, "missing_field", "cooperative_id",
                         "cooperative_id is required");
    if (ctx->coop.id != coop) {
        tx_coop_cache_forget(&ctx->coop);
        int rc = tx_store_get_coop(ctx->db, ctx->txn, coop, &ctx->coop.record);
        if (rc == ERR_NOT_FOUND)
            return problem_set(err, NOT_FOUND, "cooperative_not_found", "cooperative_id",
                             "cooperative %" PRIu64 " is not known to the transactions service",
                             coop);
        if (rc != 0) return rc;
        ctx->coop.id = coop;
    }
    /* Every operation looks its cooperative up first: from here on a date left out means
       that cooperative's today, not the UTC one (Jakarta is a day ahead from 17:00 UTC). */
    ctx->today = tx_ledger_local_today(ctx, &ctx->coop.record);
    *out = &ctx->coop.record;
    return 0;
}

int tx_ledger_last_closed(tx_ctx_t *ctx, uint64_t coop, int32_t *out) {
    ProtobufCMessage *m;
    int rc = tx_store_get_pb(ctx->txn, ctx->db->close_days, coop, ctx->arena,
                             &lumbung__day_closed__descriptor, &m);
    *out = TX_NO_CLOSED_DAY;
    if (rc == ERR_NOT_FOUND) return 0;
    if (rc != 0) return rc;
    const Lumbung__DayClosed *d = (const Lumbung__DayClosed *) m;
    if (!d->has_business_date) return -EINVAL;
    *out = d->business_date;
    return 0;
}

/* ------------------------------------------------------------------ building entries */

Lumbung__JournalEntry *tx_ledger_entry_new(tx_ctx_t *ctx, uint64_t coop, int32_t value_date,
                                           const char *memo, Lumbung__EntryKind kind,
                                           size_t lines) {
    assert(lines <= TX_LINES_MAX);
    Lumbung__JournalEntry *e = arena_message(ctx->arena, &lumbung__journal_entry__descriptor);
    e->has_cooperative_id = 1;
    e->cooperative_id = coop;
    PB_DATE_SET(e, value_date, value_date);
    e->memo = arena_strdup(ctx->arena, memo && *memo ? memo : NULL);
    e->has_kind = 1;
    e->kind = kind;
    e->lines = arena_alloc(ctx->arena, (lines ? lines : 1) * sizeof *e->lines);
    return e;
}

void tx_ledger_add(tx_ctx_t *ctx, Lumbung__JournalEntry *e, const char *code,
                   int64_t debit_sen, int64_t credit_sen) {
    assert((debit_sen > 0) != (credit_sen > 0) && debit_sen >= 0 && credit_sen >= 0);
    Lumbung__JournalLine *l = arena_message(ctx->arena, &lumbung__journal_line__descriptor);
    l->account = (char *) code;
    if (debit_sen > 0) {
        l->has_debit_sen = 1;
        l->debit_sen = debit_sen;
    } else {
        l->has_credit_sen = 1;
        l->credit_sen = credit_sen;
    }
    e->lines[e->n_lines++] = l;
}

/* ------------------------------------------------------------------ check and apply */

/* The accounts a checked entry touches, each once, as tx_ledger_check() read them: the apply
   that follows writes them back with the entry's amounts added, without reading them again. */
struct tx_ledger_plan {
    const Lumbung__JournalEntry *entry;
    size_t count, capacity;         /* capacity >= lines of the entry */
    const char **codes;
    tx_account_t *accounts;
    size_t *slot_of_line;
};

enum { PLAN_CAPACITY_MIN = 4 };

/* Sized for the entry at hand and reused while big enough: most entries have 2 or 3 lines. */
static tx_ledger_plan_t *plan_of(tx_ctx_t *ctx, size_t lines) {
    tx_ledger_plan_t *p = ctx->plan;
    if (p && p->capacity >= lines) return p;
    size_t cap = lines > PLAN_CAPACITY_MIN ? lines : PLAN_CAPACITY_MIN;
    p = arena_alloc(ctx->arena, sizeof *p);
    p->capacity = cap;
    p->codes = arena_alloc(ctx->arena, cap * sizeof *p->codes);
    p->accounts = arena_alloc(ctx->arena, cap * sizeof *p->accounts);
    p->slot_of_line = arena_alloc(ctx->arena, cap * sizeof *p->slot_of_line);
    ctx->plan = p;
    return p;
}

/* Field names are only formatted on the error path: a batch checks thousands of lines. */
static const char *line_field(char buf[PROBLEM_FIELD_MAX], size_t i, const char *suffix) {
    snprintf(buf, PROBLEM_FIELD_MAX, "lines[%zu]%s", i, suffix);
    return buf;
}

static int check_amounts(tx_ctx_t *ctx, const Lumbung__JournalLine *l, size_t i,
                         problem_t *err) {
    char f[PROBLEM_FIELD_MAX];
    int64_t d = l->has_debit_sen ? l->debit_sen : 0, c = l->has_credit_sen ? l->credit_sen : 0;
    if (d < 0 || c < 0)
        return problem_set(err, INVALID, "negative_amount", line_field(f, i, d < 0 ? ".debit" : ".credit"),
                         "%s must not be negative", f);
    if ((d > 0) == (c > 0))
        return problem_set(err, INVALID, "invalid_line", line_field(f, i, ""),
                         "%s needs exactly one of debit or credit, greater than zero", f);
    if (d > TX_AMOUNT_MAX_SEN || c > TX_AMOUNT_MAX_SEN)
        return problem_set(err, INVALID, "amount_too_large", line_field(f, i, ""),
                         "%s: one line may move at most %s", f,
                         tx_money_text(ctx, TX_AMOUNT_MAX_SEN));
    if (!l->account || !*l->account)
        return problem_set(err, INVALID, "missing_field", line_field(f, i, ".account"),
                         "%s is required", f);
    if (l->memo && strlen(l->memo) > TX_MEMO_MAX)
        return problem_set(err, INVALID, "too_long", line_field(f, i, ".memo"),
                         "%s has at most %d bytes", f, TX_MEMO_MAX);
    return 0;
}

/* Finds line i's account in the plan or reads it into a new slot. */
static int plan_account(tx_ctx_t *ctx, tx_ledger_plan_t *plan, const Lumbung__JournalEntry *e,
                        size_t i, tx_account_t **a, problem_t *err) {
    const char *code = e->lines[i]->account;
    for (size_t s = 0; s < plan->count; s++)
        if (!strcmp(plan->codes[s], code)) {
            plan->slot_of_line[i] = s;
            *a = &plan->accounts[s];
            return 0;
        }
    size_t s = plan->count;
    int rc = tx_ctx_get_account(ctx, e->cooperative_id, code, &plan->accounts[s]);
    char f[PROBLEM_FIELD_MAX];
    if (rc == ERR_NOT_FOUND)
        return problem_set(err, INVALID, "unknown_account", line_field(f, i, ".account"),
                         "%s: account %.32s is not in the chart of cooperative %" PRIu64, f,
                         code, e->cooperative_id);
    if (rc != 0) return rc;
    plan->codes[s] = code;
    plan->slot_of_line[i] = s;
    plan->count++;
    *a = &plan->accounts[s];
    return 0;
}

static int check_line(tx_ctx_t *ctx, tx_ledger_plan_t *plan, const Lumbung__JournalEntry *e,
                      size_t i, bool manual, int64_t *debit, int64_t *credit, problem_t *err) {
    const Lumbung__JournalLine *l = e->lines[i];
    tx_account_t *a = NULL;
    int rc = check_amounts(ctx, l, i, err);
    if (rc == 0) rc = plan_account(ctx, plan, e, i, &a, err);
    if (rc != 0) return rc;
    char f[PROBLEM_FIELD_MAX];
    if (manual && tx_chart_role_is_savings((Lumbung__AccountRole) a->role))
        return problem_set(err, RULE, "savings_account", line_field(f, i, ".account"),
                         "%s: account %s (%s) holds members' savings; use a deposit or a "
                         "withdrawal for it", f, l->account, a->name);
    if (a->debit_total_sen > INT64_MAX - TOTAL_HEADROOM ||
        a->credit_total_sen > INT64_MAX - TOTAL_HEADROOM)
        return problem_set(err, RULE, "account_totals_full", line_field(f, i, ".account"),
                         "%s: account %s has reached the largest total this ledger holds", f,
                         l->account);
    *debit += l->has_debit_sen ? l->debit_sen : 0;
    *credit += l->has_credit_sen ? l->credit_sen : 0;
    return 0;
}

/* ------------------------------------------------------------------ posting guards */

/* The value date of every posting: not after the cooperative's today, and after the last
   closed business day, so a closed day's books never change (corrections are reversals in an
   open day). Here, on the one path every entry takes, so no operation can forget it. */
static int check_value_date(tx_ctx_t *ctx, const Lumbung__JournalEntry *e, problem_t *err) {
    const tx_coop_t *coop;
    int32_t date, closed;
    int rc = tx_ledger_coop(ctx, e->cooperative_id, &coop, err);
    if (rc != 0) return rc;
    if (!e->has_value_date || !pb_date_valid(e->value_date))
        return problem_set(err, INVALID, "invalid_date", "value_date",
                         "value_date must be a date as YYYY-MM-DD");
    date = e->value_date;
    /* An exit settlement's date is the service's, never typed: the exit date, or the day
       after a close that already covered today (savings.c). */
    bool typed = e->kind != LUMBUNG__ENTRY_KIND__ENTRY_KIND_EXIT_SETTLEMENT;
    if (date > ctx->today && typed)
        return problem_set(err, RULE, "future_date", "value_date",
                         "value_date %s is after today (%s) in the cooperative's time zone; "
                         "money is booked on the day it moves", tx_date_text(ctx, date),
                         tx_date_text(ctx, ctx->today));
    if ((rc = tx_ledger_last_closed(ctx, e->cooperative_id, &closed)) != 0) return rc;
    if (date <= closed)
        return problem_set(err, RULE, "day_closed", "value_date",
                         "the books are closed up to %s; value_date %s is in a closed day, so "
                         "post it (or a reversal of what was wrong) on a later date",
                         tx_date_text(ctx, closed), tx_date_text(ctx, date));
    return 0;
}

static bool is_cash_role(int role) {
    return role == ROLE_CASH || role == ROLE_BANK;
}

/* A payout may not take cash or a bank account below zero: money the cooperative does not
   hold cannot be paid out. The accounts' totals are those the plan read, before the entry. */
static int check_cash(tx_ctx_t *ctx, const tx_ledger_plan_t *plan,
                      const Lumbung__JournalEntry *e, bool manual, problem_t *err) {
    for (size_t s = 0; s < plan->count; s++) {
        const tx_account_t *a = &plan->accounts[s];
        if (!is_cash_role(a->role)) continue;
        int64_t net = 0;                        /* at most 64 lines of 10^15: no overflow */
        size_t last = 0;
        for (size_t i = 0; i < e->n_lines; i++) {
            if (plan->slot_of_line[i] != s) continue;
            net += (e->lines[i]->has_debit_sen ? e->lines[i]->debit_sen : 0) -
                   (e->lines[i]->has_credit_sen ? e->lines[i]->credit_sen : 0);
            last = i;
        }
        int64_t held = a->debit_total_sen - a->credit_total_sen;
        if (net >= 0 || held + net >= 0) continue;
        char have[MONEY_IDR_MAX], need[MONEY_IDR_MAX], f[PROBLEM_FIELD_MAX];
        money_format_idr(held, have, sizeof have);
        money_format_idr(-net, need, sizeof need);
        return problem_set(err, RULE, "insufficient_cash",
                         manual ? line_field(f, last, ".account") : "amount",
                         "%s (%s) holds %s; this payout needs %s", a->name, plan->codes[s],
                         have, need);
    }
    return 0;
}

int tx_ledger_require_coop(tx_ctx_t *ctx, uint64_t coop, problem_t *err) {
    const tx_coop_t *c;
    return tx_ledger_coop(ctx, coop, &c, err);
}

int tx_ledger_check(tx_ctx_t *ctx, Lumbung__JournalEntry *e, bool manual, problem_t *err) {
    assert(ctx && e && err);
    if (e->n_lines < 2)
        return problem_set(err, INVALID, "too_few_lines", "lines",
                         "an entry needs at least 2 lines, it has %zu", e->n_lines);
    if (e->n_lines > TX_LINES_MAX)
        return problem_set(err, INVALID, "too_many_lines", "lines",
                         "an entry has at most %d lines, it has %zu", TX_LINES_MAX, e->n_lines);
    if (e->memo && strlen(e->memo) > TX_MEMO_MAX)
        return problem_set(err, INVALID, "too_long", "memo", "memo has at most %d bytes",
                         TX_MEMO_MAX);
    int rc = check_value_date(ctx, e, err);
    if (rc != 0) return rc;
    tx_ledger_plan_t *plan = plan_of(ctx, e->n_lines);
    plan->entry = NULL;
    plan->count = 0;
    int64_t debit = 0, credit = 0;   /* at most 64 lines of at most 10^15: no overflow */
    for (size_t i = 0; i < e->n_lines; i++) {
        rc = check_line(ctx, plan, e, i, manual, &debit, &credit, err);
        if (rc != 0) return rc;
    }
    if (debit != credit)
        return problem_set(err, INVALID, "unbalanced", "lines",
                         "debits total %s but credits total %s; an entry must balance",
                         tx_money_text(ctx, debit), tx_money_text(ctx, credit));
    if ((rc = check_cash(ctx, plan, e, manual, err)) != 0) return rc;
    e->has_total_sen = 1;
    e->total_sen = debit;
    plan->entry = e;
    return 0;
}

int tx_ledger_apply(tx_ctx_t *ctx, Lumbung__JournalEntry *e, int32_t value_date) {
    tx_ledger_plan_t *plan = ctx->plan;
    assert(plan && plan->entry == e && e->has_total_sen);   /* checked just before */
    plan->entry = NULL;
    if (ctx->next_entry_id == 0)
        ctx->next_entry_id = tx_store_next_id(ctx->db, ctx->txn, ctx->db->entries);
    e->has_id = 1;
    e->id = ctx->next_entry_id++;
    e->has_posted_at_ms = 1;
    e->posted_at_ms = ctx->now_ms;
    e->posted_by = (char *) ctx->actor;
    for (size_t i = 0; i < e->n_lines; i++) {
        const Lumbung__JournalLine *l = e->lines[i];
        tx_account_t *a = &plan->accounts[plan->slot_of_line[i]];
        a->debit_total_sen += l->has_debit_sen ? l->debit_sen : 0;
        a->credit_total_sen += l->has_credit_sen ? l->credit_sen : 0;
    }
    int rc = 0;
    for (size_t s = 0; s < plan->count && rc == 0; s++)
        rc = tx_ctx_put_account(ctx, e->cooperative_id, plan->codes[s], &plan->accounts[s]);
    /* Packed once: the same bytes are the store row and, at flush, the event's entry. */
    size_t len = protobuf_c_message_get_packed_size(&e->base);
    uint8_t *packed = arena_alloc(ctx->arena, len);
    protobuf_c_message_pack(&e->base, packed);
    if (rc == 0) rc = tx_store_put_packed(ctx->txn, ctx->db->entries, e->id, packed, len,
                                          tx_store_append(ctx->db, ctx->db->entries));
    if (rc != 0) return rc;
    tx_ctx_index_entry(ctx, e, value_date);        /* written as runs at the end (index_runs.h) */
    return tx_ctx_queue_entry(ctx, packed, len);
}

int tx_ledger_role_code(tx_ctx_t *ctx, uint64_t coop, Lumbung__AccountRole role,
                        const char **code, problem_t *err) {
    if ((*code = tx_role_cache_find(&ctx->roles, coop, (int) role)) != NULL) return 0;
    char buf[TX_CODE_MAX + 1];
    int rc = tx_store_get_role(ctx->db, ctx->txn, coop, (int) role, buf);
    if (rc == ERR_NOT_FOUND)
        return problem_set(err, RULE, "no_account_for_role", NULL,
                         "cooperative %" PRIu64 " has no account with role %s; add one first",
                         coop, tx_chart_role_name(role));
    if (rc != 0) return rc;
    *code = arena_strdup(ctx->arena, buf);
    tx_role_cache_remember(&ctx->roles, coop, (int) role, *code);
    return 0;
}

/* ------------------------------------------------------------------ accounts */

static Lumbung__Account *account_pb(tx_ctx_t *ctx, uint64_t coop, const char *code,
                                    const tx_account_t *a) {
    Lumbung__Account *m = arena_message(ctx->arena, &lumbung__account__descriptor);
    m->has_cooperative_id = 1;
    m->cooperative_id = coop;
    m->code = arena_strdup(ctx->arena, code);
    m->name = arena_strdup(ctx->arena, a->name);
    m->has_class_ = 1;
    m->class_ = (Lumbung__AccountClass) a->class_;
    if (a->role) {
        m->has_role = 1;
        m->role = (Lumbung__AccountRole) a->role;
    }
    m->has_debit_total_sen = m->has_credit_total_sen = m->has_balance_sen = 1;
    m->debit_total_sen = a->debit_total_sen;
    m->credit_total_sen = a->credit_total_sen;
    m->balance_sen = tx_chart_balance(m->class_, a->debit_total_sen, a->credit_total_sen);
    m->has_standard = 1;
    m->standard = (a->flags & TX_ACCOUNT_STANDARD) != 0;
    return m;
}

static int queue_account_opened(tx_ctx_t *ctx, Lumbung__Account *account) {
    Lumbung__AccountOpened *o = arena_message(ctx->arena, &lumbung__account_opened__descriptor);
    o->account = account;
    Lumbung__TransactionsEvent *ev = tx_ctx_event(ctx);
    ev->body_case = LUMBUNG__TRANSACTIONS_EVENT__BODY_ACCOUNT_OPENED;
    ev->account_opened = o;
    return tx_ctx_queue_event(ctx, ev);
}

/* Writes a new account, makes it the role's posting account when the role has none yet, and
   queues its event. The caller checked that the code is free. */
static int open_account(tx_ctx_t *ctx, uint64_t coop, const char *code, const tx_account_t *a,
                        Lumbung__Account **out) {
    int rc = tx_store_put_account(ctx->db, ctx->txn, coop, code, a);
    if (rc != 0) return rc;
    if (a->role) {
        char existing[TX_CODE_MAX + 1];
        rc = tx_store_get_role(ctx->db, ctx->txn, coop, a->role, existing);
        if (rc == ERR_NOT_FOUND) rc = tx_store_put_role(ctx->db, ctx->txn, coop, a->role, code);
        if (rc != 0) return rc;
    }
    Lumbung__Account *m = account_pb(ctx, coop, code, a);
    if (out) *out = m;
    return queue_account_opened(ctx, m);
}

int tx_ledger_create_chart(tx_ctx_t *ctx, uint64_t coop) {
    size_t count;
    const tx_chart_row_t *rows = tx_chart_standard(&count);
    for (size_t i = 0; i < count; i++) {
        tx_account_t a;
        int rc = tx_ctx_get_account(ctx, coop, rows[i].code, &a);
        if (rc == 0) continue;
        if (rc != ERR_NOT_FOUND) return rc;
        memset(&a, 0, sizeof a);
        a.class_ = (uint8_t) rows[i].class_;
        a.role = (uint8_t) rows[i].role;
        a.flags = TX_ACCOUNT_STANDARD;
        a.name_len = strlen(rows[i].name);
        assert(a.name_len <= TX_ACCOUNT_NAME_MAX);
        memcpy(a.name, rows[i].name, a.name_len + 1);
        rc = open_account(ctx, coop, rows[i].code, &a, NULL);
        if (rc != 0) return rc;
    }
    return 0;
}

/* Calls fn for each account of coop in code order, at most TX_ACCOUNTS_MAX. */
typedef int (*account_visit_fn)(tx_ctx_t *ctx, const char *code, const tx_account_t *a,
                                void *arg);

static int accounts_visit(tx_ctx_t *ctx, uint64_t coop, account_visit_fn fn, void *arg) {
    uint8_t prefix[8];
    be64_write(prefix, coop);
    store_scan_t s;
    int rc = tx_ctx_write_accounts(ctx);           /* the scan reads the store */
    if (rc == 0) rc = store_scan_open(&s, ctx->txn, ctx->db->accounts,
                             &(store_range_t){ .prefix = prefix, .prefix_len = sizeof prefix });
    if (rc != 0) return rc;
    for (int n = 0; n < TX_ACCOUNTS_MAX && (rc = store_scan_next(&s)) == 0; n++) {
        size_t kl = s.key_len;
        if (kl <= 8 || kl > TX_ACCOUNT_KEY_MAX) break;
        char code[TX_CODE_MAX + 1];
        memcpy(code, (const uint8_t *) s.key + 8, kl - 8);
        code[kl - 8] = 0;
        tx_account_t a;
        if ((rc = tx_account_decode(s.val, s.val_len, &a)) != 0) break;
        if ((rc = fn(ctx, code, &a, arg)) != 0) break;
    }
    return store_scan_close(&s, rc);
}

static int count_account(tx_ctx_t *ctx, const char *code, const tx_account_t *a, void *arg) {
    (void) ctx, (void) code, (void) a;
    (*(size_t *) arg)++;
    return 0;
}

static int check_new_account(tx_ctx_t *ctx, const Lumbung__AddAccount *req, problem_t *err) {
    if (!tx_chart_code_valid(req->code))
        return problem_set(err, INVALID, "invalid_code", "code",
                         "code must be 1 to %d characters of digits, letters, '-' or '.', "
                         "starting with a digit, e.g. \"1-105\"", TX_CODE_MAX);
    size_t name_len = req->name ? strlen(req->name) : 0;
    if (name_len == 0 || name_len > TX_ACCOUNT_NAME_MAX)
        return problem_set(err, INVALID, "invalid_name", "name",
                         "name is required, at most %d bytes", TX_ACCOUNT_NAME_MAX);
    if (!req->has_class_ || req->class_ < LUMBUNG__ACCOUNT_CLASS__ACCOUNT_CLASS_ASSET ||
        req->class_ > LUMBUNG__ACCOUNT_CLASS__ACCOUNT_CLASS_EXPENSE)
        return problem_set(err, INVALID, "missing_field", "class",
                         "class is required: asset, liability, equity, income or expense");
    if (req->has_role && req->role != 0 && tx_chart_role_class(req->role) != req->class_)
        return problem_set(err, INVALID, "role_class_mismatch", "role",
                         "role %s belongs to class %s, not %s", tx_chart_role_name(req->role),
                         tx_chart_class_name(tx_chart_role_class(req->role)),
                         tx_chart_class_name(req->class_));
    return 0;
}

int tx_ledger_add_account(tx_ctx_t *ctx, const Lumbung__AddAccount *req,
                          Lumbung__Account **out, problem_t *err) {
    int rc = tx_ledger_require_coop(ctx, req->cooperative_id, err);
    if (rc == 0) rc = check_new_account(ctx, req, err);
    if (rc != 0) return rc;
    tx_account_t a;
    rc = tx_ctx_get_account(ctx, req->cooperative_id, req->code, &a);
    if (rc == 0)
        return problem_set(err, CONFLICT, "account_exists", "code",
                         "account %s already exists (%s)", req->code, a.name);
    if (rc != ERR_NOT_FOUND) return rc;
    size_t count = 0;
    if ((rc = accounts_visit(ctx, req->cooperative_id, count_account, &count)) != 0) return rc;
    if (count >= TX_ACCOUNTS_MAX)
        return problem_set(err, RULE, "chart_full", NULL, "a chart holds at most %d accounts",
                         TX_ACCOUNTS_MAX);
    memset(&a, 0, sizeof a);
    a.class_ = (uint8_t) req->class_;
    a.role = req->has_role ? (uint8_t) req->role : 0;
    a.name_len = strlen(req->name);
    memcpy(a.name, req->name, a.name_len + 1);
    return open_account(ctx, req->cooperative_id, req->code, &a, out);
}

typedef struct {
    uint64_t coop;
    Lumbung__Account **items;
    size_t count;
    int64_t debit, credit;
    bool overflow;
} account_list_t;

static int collect_account(tx_ctx_t *ctx, const char *code, const tx_account_t *a, void *arg) {
    account_list_t *list = arg;
    list->items[list->count] = account_pb(ctx, list->coop, code, a);
    list->count++;
    if (__builtin_add_overflow(list->debit, a->debit_total_sen, &list->debit) ||
        __builtin_add_overflow(list->credit, a->credit_total_sen, &list->credit))
        list->overflow = true;
    return 0;
}

static int list_accounts(tx_ctx_t *ctx, uint64_t coop, account_list_t *list, problem_t *err) {
    int rc = tx_ledger_require_coop(ctx, coop, err);
    if (rc != 0) return rc;
    memset(list, 0, sizeof *list);
    list->coop = coop;
    list->items = arena_alloc(ctx->arena, TX_ACCOUNTS_MAX * sizeof *list->items);
    return accounts_visit(ctx, coop, collect_account, list);
}

int tx_ledger_list_accounts(tx_ctx_t *ctx, uint64_t coop, Lumbung__AccountList **out,
                            problem_t *err) {
    account_list_t list;
    int rc = list_accounts(ctx, coop, &list, err);
    if (rc != 0) return rc;
    Lumbung__AccountList *m = arena_message(ctx->arena, &lumbung__account_list__descriptor);
    m->items = list.items;
    m->n_items = list.count;
    *out = m;
    return 0;
}

int tx_ledger_trial_balance(tx_ctx_t *ctx, uint64_t coop, Lumbung__TrialBalance **out,
                            problem_t *err) {
    account_list_t list;
    int rc = list_accounts(ctx, coop, &list, err);
    if (rc != 0) return rc;
    Lumbung__TrialBalance *m = arena_message(ctx->arena, &lumbung__trial_balance__descriptor);
    m->has_cooperative_id = 1;
    m->cooperative_id = coop;
    m->items = list.items;
    m->n_items = list.count;
    m->has_total_debit_sen = m->has_total_credit_sen = m->has_balanced = 1;
    m->total_debit_sen = list.debit;
    m->total_credit_sen = list.credit;
    m->balanced = !list.overflow && list.debit == list.credit;
    *out = m;
    return 0;
}

/* ------------------------------------------------------------------ manual entries */

int tx_ledger_post_manual(tx_ctx_t *ctx, const Lumbung__PostEntry *req,
                          Lumbung__JournalEntry **out, problem_t *err) {
    int rc = tx_ledger_require_coop(ctx, req->cooperative_id, err);
    if (rc != 0) return rc;
    int32_t date;
    if ((rc = TX_DATE_FIELD(ctx, req, value_date, &date, err)) != 0) return rc;
    if (req->n_lines > TX_LINES_MAX)
        return problem_set(err, INVALID, "too_many_lines", "lines",
                         "an entry has at most %d lines, it has %zu", TX_LINES_MAX,
                         req->n_lines);
    Lumbung__JournalEntry *e = tx_ledger_entry_new(ctx, req->cooperative_id, date, req->memo,
                                                   LUMBUNG__ENTRY_KIND__ENTRY_KIND_MANUAL,
                                                   req->n_lines);
    /* The request's lines are used as they are: the entry owns nothing it must free. */
    for (size_t i = 0; i < req->n_lines; i++) e->lines[i] = req->lines[i];
    e->n_lines = req->n_lines;
    if ((rc = tx_ledger_check(ctx, e, true, err)) != 0) return rc;
    if ((rc = tx_ledger_apply(ctx, e, date)) != 0) return rc;
    *out = e;
    return 0;
}

/* ------------------------------------------------------------------ reading the journal */

int tx_ledger_cursor_parse(const char *text, int32_t *date, uint64_t *id) {
    if (!text || strlen(text) < DATE_TEXT_LEN + 2 || text[DATE_TEXT_LEN] != '.') return -EINVAL;
    char day[DATE_TEXT_LEN + 1];
    memcpy(day, text, DATE_TEXT_LEN);
    day[DATE_TEXT_LEN] = 0;
    if (date_parse(day, date) != 0) return -EINVAL;
    const char *p = text + DATE_TEXT_LEN + 1;
    if (*p < '0' || *p > '9') return -EINVAL;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(p, &end, 10);
    if (errno || *end) return -EINVAL;
    *id = n;
    return 0;
}

void tx_ledger_cursor_format(int32_t date, uint64_t id, char *buf, size_t size) {
    char day[DATE_FORMAT_MAX];
    date_format(date, day, sizeof day);
    snprintf(buf, size, "%s.%" PRIu64, day, id);
}

typedef struct {
    uint64_t coop;
    const char *account;     /* NULL: every entry of the cooperative */
    int32_t from, to, start_date;
    uint64_t start_id;
    uint32_t limit;
} journal_query_t;

static int parse_journal_query(tx_ctx_t *ctx, const Lumbung__ListJournal *req,
                               journal_query_t *q, problem_t *err) {
    memset(q, 0, sizeof *q);
    q->coop = req->cooperative_id;
    q->from = DATE_MIN;
    q->to = DATE_MAX;
    int rc = 0;
    if (req->has_from) rc = TX_DATE_FIELD(ctx, req, from, &q->from, err);
    if (rc == 0 && req->has_to) rc = TX_DATE_FIELD(ctx, req, to, &q->to, err);
    if (rc != 0) return rc;
    if (q->from > q->to)
        return problem_set(err, INVALID, "invalid_range", "from", "from must not be after to");
    q->limit = req->has_limit && req->limit ? req->limit : TX_PAGE_DEFAULT;
    if (q->limit > TX_PAGE_MAX)
        return problem_set(err, INVALID, "invalid_limit", "limit", "limit is at most %d",
                         TX_PAGE_MAX);
    q->start_date = q->from;
    if (req->cursor && *req->cursor) {
        if (tx_ledger_cursor_parse(req->cursor, &q->start_date, &q->start_id) != 0)
            return problem_set(err, INVALID, "invalid_cursor", "cursor",
                             "cursor is not one this service returned; start without it");
        if (q->start_date < q->from) q->start_date = q->from;
    }
    if (req->account && *req->account) {
        tx_account_t a;
        rc = tx_ctx_get_account(ctx, q->coop, req->account, &a);
        if (rc == ERR_NOT_FOUND)
            return problem_set(err, NOT_FOUND, "unknown_account", "account",
                             "account %.32s is not in the chart of cooperative %" PRIu64,
                             req->account, q->coop);
        if (rc != 0) return rc;
        q->account = req->account;
    }
    return 0;
}

/* A page of the journal: entries read by id until the limit, then the cursor of the next. */
typedef struct {
    tx_ctx_t *ctx;
    const journal_query_t *q;
    Lumbung__JournalPage *page;
} journal_page_t;

/* Adds the entries [first, last] of `date` from `from` on; 1 when the page is full (its cursor
   set), 0 to go on, or a store error. */
static int page_add_run(journal_page_t *p, int32_t date, uint64_t first, uint64_t last,
                        uint64_t from) {
    for (uint64_t id = first > from ? first : from; id <= last; id++) {
        if (p->page->n_items == p->q->limit) {
            char cursor[64];
            tx_ledger_cursor_format(date, id, cursor, sizeof cursor);
            p->page->next_cursor = arena_strdup(p->ctx->arena, cursor);
            return 1;
        }
        ProtobufCMessage *m;
        int rc = tx_store_get_pb(p->ctx->txn, p->ctx->db->entries, id, p->ctx->arena,
                                 &lumbung__journal_entry__descriptor, &m);
        if (rc != 0) return rc;
        p->page->items[p->page->n_items++] = (Lumbung__JournalEntry *) m;
    }
    return 0;
}

/* The run that holds the start of the scan when it begins before it (a cursor into the middle
   of a run): the row just before `key`, when it has the same prefix and date. *last = 0 when
   there is none. */
static int run_before(tx_ctx_t *ctx, store_table_t table, const uint8_t *key, size_t kl,
                      size_t prefix_len, uint64_t *first, uint64_t *last) {
    store_cursor_t *c;
    *last = 0;
    int rc = store_cursor_open(ctx->txn, table, &c);
    if (rc != 0) return rc;
    const void *k, *v;
    size_t kf, vl;
    rc = store_cursor_seek(c, key, kl, &k, &kf, &v, &vl);
    rc = rc == 0 ? store_cursor_prev(c, &k, &kf, &v, &vl)
                 : store_cursor_last(c, &k, &kf, &v, &vl);
    if (rc == 0 && kf == kl && memcmp(k, key, prefix_len + 4) == 0) {
        *first = be64_read((const uint8_t *) k + prefix_len + 4);
        rc = tx_index_run_decode(v, vl, *first, last);
    }
    store_cursor_close(&c);
    return rc == ERR_NOT_FOUND ? 0 : rc;
}

/* Both indexes end in date | id; `prefix_len` bytes before them identify the scan. A row is a
   run of entries (store.h), expanded here. */
static int journal_scan(tx_ctx_t *ctx, const journal_query_t *q, Lumbung__JournalPage *page) {
    uint8_t key[TX_ACCOUNT_LINE_KEY_SIZE];
    size_t kl = q->account
        ? tx_key_account_line(q->coop, q->account, q->start_date, q->start_id, key)
        : tx_key_coop_entry(q->coop, q->start_date, q->start_id, key);
    size_t prefix_len = kl - 12;
    store_table_t table = q->account ? ctx->db->account_lines : ctx->db->coop_entries;
    page->items = arena_alloc(ctx->arena, q->limit * sizeof *page->items);
    journal_page_t p = { ctx, q, page };
    uint64_t first = 0, last = 0;
    int rc = tx_ctx_write_index(ctx);              /* the scan reads the store */
    if (rc == 0) rc = run_before(ctx, table, key, kl, prefix_len, &first, &last);
    if (rc == 0 && last != 0 && last >= q->start_id && q->start_date <= q->to)
        rc = page_add_run(&p, q->start_date, first, last, q->start_id);
    if (rc != 0) return rc < 0 ? rc : 0;
    store_scan_t s;
    rc = store_scan_open(&s, ctx->txn, table,
                         &(store_range_t){ .prefix = key, .prefix_len = prefix_len,
                                           .from = key, .from_len = kl });
    if (rc != 0) return rc;
    while (rc == 0 && (rc = store_scan_next(&s)) == 0 && s.key_len == kl) {
        const uint8_t *kb = s.key;
        int32_t date = date_from_key(be32_read(kb + prefix_len));
        first = be64_read(kb + prefix_len + 4);
        if (date > q->to) break;
        if ((rc = tx_index_run_decode(s.val, s.val_len, first, &last)) == 0)
            rc = page_add_run(&p, date, first, last, 0);
    }
    return store_scan_close(&s, rc > 0 ? 0 : rc);
}

int tx_ledger_list_journal(tx_ctx_t *ctx, const Lumbung__ListJournal *req,
                           Lumbung__JournalPage **out, problem_t *err) {
    int rc = tx_ledger_require_coop(ctx, req->cooperative_id, err);
    journal_query_t q;
    if (rc == 0) rc = parse_journal_query(ctx, req, &q, err);
    if (rc != 0) return rc;
    Lumbung__JournalPage *page = arena_message(ctx->arena, &lumbung__journal_page__descriptor);
    if ((rc = journal_scan(ctx, &q, page)) != 0) return rc;
    *out = page;
    return 0;
}

int tx_ledger_get_entry(tx_ctx_t *ctx, uint64_t coop, uint64_t id, Lumbung__JournalEntry **out,
                        problem_t *err) {
    int rc = tx_ledger_require_coop(ctx, coop, err);
    if (rc != 0) return rc;
    ProtobufCMessage *m = NULL;
    rc = id ? tx_store_get_pb(ctx->txn, ctx->db->entries, id, ctx->arena,
                              &lumbung__journal_entry__descriptor, &m)
            : ERR_NOT_FOUND;
    if (rc == 0 && ((Lumbung__JournalEntry *) m)->cooperative_id != coop) rc = ERR_NOT_FOUND;
    if (rc == ERR_NOT_FOUND)
        return problem_set(err, NOT_FOUND, "entry_not_found", "entry_id",
                         "entry %" PRIu64 " does not exist in cooperative %" PRIu64, id, coop);
    if (rc != 0) return rc;
    *out = (Lumbung__JournalEntry *) m;
    return 0;
}
