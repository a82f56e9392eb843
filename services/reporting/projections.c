#include "reporting.h"
#include "bytes.h"
#include "log.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

#define TX(x) LUMBUNG__TRANSACTIONS_EVENT__BODY_##x

int reporting_open(reporting_t *app, service_t *service) {
    assert(app && service);
    app->service = service;
    return reporting_open_store(app, service_store(service));
}

int reporting_open_store(reporting_t *app, store_t *s) {
    assert(app && s);
    struct { const char *name; store_table_t *table; } tables[] = {
        { "stream_stats", &app->tables.stream_stats }, { "coops", &app->tables.coops },
        { "coop_counts", &app->tables.coop_counts }, { "members", &app->tables.members_table },
        { "accounts", &app->tables.accounts }, { "daily", &app->tables.daily },
        { "movement_memos", &app->tables.movement_memos },
        { "loan_states", &app->tables.loan_states },
        { "participation", &app->tables.participation }, { "management", &app->tables.management },
        { "rats", &app->tables.rats }, { "supervisions", &app->tables.supervisions },
        { "loan_lines", &app->tables.loan_lines }, { "loan_terms", &app->tables.loan_terms },
        { "journal", &app->tables.journal }, { "write_offs", &app->tables.write_offs },
    };
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        int rc = store_table(s, tables[i].name, tables[i].table);
        if (rc != 0) return rc;
    }
    int rc = store_table_dups(s, "savings_moves", &app->tables.moves);
    if (rc != 0) return rc;
    app->apply.arena = arena_new();
    app->apply.rows = rowcache_new();
    if (!app->apply.arena || !app->apply.rows) return -ENOMEM;
    return reporting_statement_upgrade(app, s);
}

void reporting_close(reporting_t *app) {
    arena_destroy(&app->apply.arena);
    rowcache_destroy(&app->apply.rows);
}

int reporting_batch(void *arg, store_txn_t *txn, bool end) {
    reporting_t *app = arg;
    if (end) return rowcache_flush(app->apply.rows, txn);
    rowcache_clear(app->apply.rows);
    return 0;
}

static int count_event(reporting_t *app, store_txn_t *txn, const char *stream) {
    const void *v;
    size_t vl;
    uint64_t n = 0;
    if (rowcache_get(app->apply.rows, txn, app->tables.stream_stats, stream, strlen(stream), &v, &vl) == 0 &&
        vl == 8)
        n = be64_read(v);
    uint8_t buf[8];
    be64_write(buf, n + 1);
    return rowcache_put(app->apply.rows, txn, app->tables.stream_stats, stream, strlen(stream), buf, 8);
}

static int apply_member_entry(reporting_t *app, store_txn_t *txn, const Lumbung__JournalEntry *e) {
    int rc = reporting_statement_apply_entry(app, txn, e);
    return rc == 0 ? reporting_loans_apply_entry(app, txn, e) : rc;
}

/* Opening balances are one entry for many members, each member's balance listed on it: the
   member projections see one savings entry per listed balance. */
static int apply_opening(reporting_t *app, store_txn_t *txn, const Lumbung__JournalEntry *e) {
    int rc = 0;
    for (size_t i = 0; i < e->n_opening_savings && rc == 0; i++) {
        const Lumbung__OpeningSavings *o = e->opening_savings[i];
        Lumbung__JournalEntry one = *e;           /* a shallow view, read only */
        one.n_opening_savings = 0;
        one.has_member_id = one.has_savings_kind = one.has_savings_delta_sen = 1;
        one.member_id = o->member_id;
        one.savings_kind = o->kind;
        one.savings_delta_sen = o->amount_sen;
        rc = apply_member_entry(app, txn, &one);
    }
    return rc;
}

static int apply_entries(reporting_t *app, store_txn_t *txn, const Lumbung__EntriesPosted *p) {
    const reporting_span_t *wire = p ? reporting_entry_spans(app->apply.arena, app->apply.wire,
                                                             app->apply.wire_len, p->n_entries)
                                     : NULL;
    for (size_t i = 0; p && i < p->n_entries; i++) {
        const Lumbung__JournalEntry *e = p->entries[i];
        int rc = reporting_chart_apply_entry(app, txn, e);
        if (rc == 0) rc = e->n_opening_savings ? apply_opening(app, txn, e)
                                               : apply_member_entry(app, txn, e);
        if (rc == 0) rc = reporting_journal_apply_entry(app, txn, e, wire ? &wire[i] : NULL);
        if (rc != 0) return rc;
    }
    return 0;
}

static int apply_transactions(reporting_t *app, store_txn_t *txn,
                              const Lumbung__TransactionsEvent *ev) {
    switch (ev->body_case) {
    case TX(ACCOUNT_OPENED):
        return ev->account_opened && ev->account_opened->account
                   ? reporting_chart_apply_account(app, txn, ev->account_opened->account) : 0;
    case TX(ENTRIES_POSTED):
        return apply_entries(app, txn, ev->entries_posted);
    case TX(LOAN_APPLIED):
    case TX(LOAN_DISBURSED):
    case TX(LOAN_REPAID):
    case TX(LOAN_CLASS_CHANGED):
        return reporting_loans_apply(app, txn, ev);
    case TX(LOAN_WRITTEN_OFF):
    case TX(LOAN_RECOVERED): {
        int rc = reporting_loans_apply(app, txn, ev);
        return rc == 0 ? reporting_writeoffs_apply(app, txn, ev) : rc;
    }
    default:
        return 0;      /* time deposits, settlements: the entries carry what we need */
    }
}

int reporting_apply(void *arg, store_txn_t *txn, const Lumbung__Event *event) {
    reporting_t *app = arg;
    arena_reset(app->apply.arena);
    app->apply.event_seq = event->seq;
    int rc = count_event(app, txn, event->stream && *event->stream ? event->stream : "unknown");
    if (rc != 0) return rc;
    if (event->body_case == LUMBUNG__EVENT__BODY_TRANSACTIONS && event->transactions)
        return apply_transactions(app, txn, event->transactions);
    if (event->body_case == LUMBUNG__EVENT__BODY_MEMBERS && event->members) {
        rc = reporting_registry_apply(app, txn, event->members);
        return rc == 0 ? reporting_oversight_apply(app, txn, event->members) : rc;
    }
    return 0;
}

int reporting_apply_wire(void *arg, store_txn_t *txn, const Lumbung__Event *event,
                         const uint8_t *wire, size_t len) {
    reporting_t *app = arg;
    app->apply.wire = wire;
    app->apply.wire_len = len;
    int rc = reporting_apply(app, txn, event);
    app->apply.wire = NULL;
    app->apply.wire_len = 0;
    return rc;
}

void reporting_advanced(void *arg, uint64_t cursor) {
    (void) cursor;
    reporting_t *app = arg;
    service_replica_advanced(app->service);
}

uint64_t reporting_tx_seq(const reporting_t *app, uint64_t coop) {
    const follower_t *f = app->transactions[coop ? shard_of(coop) : 0];
    return f ? follower_cursor(f) : 0;
}

uint64_t *reporting_shard_seqs(const reporting_t *app, arena_t *arena, size_t *n) {
    uint64_t *seqs = arena_alloc(arena, (size_t) app->shards * sizeof *seqs);
    for (int k = 0; k < app->shards; k++)
        seqs[k] = app->transactions[k] ? follower_cursor(app->transactions[k]) : 0;
    *n = (size_t) app->shards;
    return seqs;
}
