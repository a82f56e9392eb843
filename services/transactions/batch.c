#include "batch.h"
#include "ledger.h"
#include "savings.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define INVALID LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID
#define RULE LUMBUNG__ERROR_KIND__ERROR_KIND_RULE
#define TOO_LARGE LUMBUNG__ERROR_KIND__ERROR_KIND_TOO_LARGE
#define P(x) LUMBUNG__POSTING__OP_##x

/* Link ids whose chain has ended: open addressing over a power-of-two table in the arena. */
typedef struct {
    uint64_t *slots;
    size_t mask;
} link_set_t;

static void link_set_init(tx_ctx_t *ctx, link_set_t *s, size_t n) {
    size_t size = 16;
    while (size < 2 * n) size *= 2;
    s->slots = arena_alloc(ctx->arena, size * sizeof *s->slots);
    s->mask = size - 1;
}

/* Returns true when `id` was already present. */
static bool link_set_add(link_set_t *s, uint64_t id) {
    assert(id != 0);
    size_t i = (size_t) (id * 0x9E3779B97F4A7C15ull) & s->mask;
    while (s->slots[i] != 0) {
        if (s->slots[i] == id) return true;
        i = (i + 1) & s->mask;
    }
    s->slots[i] = id;
    return false;
}

uint64_t *tx_batch_posting_coop(Lumbung__Posting *p) {
    switch (p->op_case) {
    case P(DEPOSIT): return &p->deposit->cooperative_id;
    case P(WITHDRAW): return &p->withdraw->cooperative_id;
    case P(ENTRY): return &p->entry->cooperative_id;
    default: return NULL;
    }
}

static void result_error(tx_ctx_t *ctx, Lumbung__PostingResult *r, size_t index,
                         const problem_t *err) {
    r->has_ok = r->has_error_kind = 1;
    r->ok = 0;
    r->error_kind = (int32_t) err->kind;
    r->code = (char *) err->code;
    r->message = arena_strdup(ctx->arena, err->message);
    r->field = err->field[0] ? arena_printf(ctx->arena, "postings[%zu].%s", index, err->field)
                             : arena_printf(ctx->arena, "postings[%zu]", index);
}

/* Runs one posting in ctx->txn. 0 (result filled, ok or not) or a store error. A rejection is
   reported through *rejected so a chain can stop. */
static int run_posting(tx_ctx_t *ctx, const access_actor_t *who, Lumbung__Posting *p,
                       size_t index, Lumbung__PostingResult *r, bool *rejected) {
    problem_t err = { 0 };
    uint64_t *coop = tx_batch_posting_coop(p);
    int rc;
    if (!coop) {
        rc = problem_set(&err, INVALID, "missing_field", NULL,
                       "a posting needs one of deposit, withdraw or entry");
    } else if (access_decide(who, &(access_ask_t) { .access = ACCESS_COOP_WRITE,
                                                   .cooperative_id = *coop }, &err) != 0) {
        rc = ERR_REJECTED;           /* this posting's result, not the batch's */
    } else {
        Lumbung__SavingsPosted *sp = NULL;
        Lumbung__JournalEntry *e = NULL;
        if (p->op_case == P(ENTRY)) rc = tx_ledger_post_manual(ctx, p->entry, &e, &err);
        else rc = tx_savings_move(ctx, p->op_case == P(DEPOSIT) ? p->deposit : p->withdraw,
                                  p->op_case == P(DEPOSIT), &sp, &err);
        if (rc == 0) {
            r->has_ok = r->has_entry_id = 1;
            r->ok = 1;
            r->entry_id = sp ? sp->entry_id : e->id;
            if (sp) {
                r->has_balance_sen = 1;
                r->balance_sen = sp->balance_sen;
            }
        }
    }
    *rejected = rc == ERR_REJECTED;
    if (rc == ERR_REJECTED) {
        result_error(ctx, r, index, &err);
        return 0;
    }
    return rc;
}

static void mark_linked_failed(tx_ctx_t *ctx, Lumbung__PostingResult **results, size_t from,
                               size_t to, size_t failed) {
    for (size_t i = from; i < to; i++) {
        if (i == failed) continue;
        Lumbung__PostingResult *r = results[i];
        r->has_ok = r->has_error_kind = 1;
        r->ok = 0;
        r->has_entry_id = r->has_balance_sen = 0;
        r->error_kind = (int32_t) RULE;
        r->code = "linked_posting_failed";
        r->message = arena_printf(ctx->arena,
                                  "nothing of this linked chain was posted because posting %zu "
                                  "failed", failed);
        r->field = NULL;
    }
}

/* Runs postings [from, to) sharing one link_id in a child txn: all or nothing. */
static int run_chain(tx_ctx_t *ctx, const access_actor_t *who, Lumbung__PostBatch *req,
                     size_t from, size_t to, Lumbung__PostingResult **results) {
    store_txn_t *parent = ctx->txn, *child;
    int rc = store_begin_child(parent, &child);
    if (rc != 0) return rc;
    ctx->txn = child;
    tx_mark_t mark = tx_ctx_mark(ctx);
    size_t failed = to;
    for (size_t i = from; i < to && rc == 0 && failed == to; i++) {
        bool rejected;
        rc = run_posting(ctx, who, req->postings[i], i, results[i], &rejected);
        if (rejected) failed = i;
    }
    ctx->txn = parent;
    if (rc != 0 || failed != to) {
        store_abort(&child);
        tx_ctx_rollback(ctx, mark);
        if (rc == 0) mark_linked_failed(ctx, results, from, to, failed);
        return rc;
    }
    return store_commit(&child);
}

static int check_batch(const Lumbung__PostBatch *req, problem_t *err) {
    if (req->n_postings == 0)
        return problem_set(err, INVALID, "missing_field", "postings",
                         "postings is empty; send 1 to %d postings", TX_BATCH_MAX);
    if (req->n_postings > TX_BATCH_MAX)
        return problem_set(err, TOO_LARGE, "too_many_postings", "postings",
                         "a batch holds at most %d postings, this one has %zu; split it",
                         TX_BATCH_MAX, req->n_postings);
    return 0;
}

static Lumbung__BatchResult *results_new(tx_ctx_t *ctx, size_t n) {
    Lumbung__BatchResult *out = arena_message(ctx->arena, &lumbung__batch_result__descriptor);
    out->results = arena_alloc(ctx->arena, n * sizeof *out->results);
    out->n_results = n;
    for (size_t i = 0; i < n; i++) {
        Lumbung__PostingResult *r = arena_message(ctx->arena,
                                                  &lumbung__posting_result__descriptor);
        r->has_index = 1;
        r->index = (uint32_t) i;
        out->results[i] = r;
    }
    return out;
}

static uint64_t link_of(const Lumbung__PostBatch *req, size_t i) {
    return req->postings[i]->has_link_id ? req->postings[i]->link_id : 0;
}

/* The end of the chain that starts at i: the postings after it with its link_id (i + 1 for a
   posting without one). */
static size_t chain_end(const Lumbung__PostBatch *req, size_t i) {
    uint64_t link = link_of(req, i);
    size_t end = i + 1;
    while (link && end < req->n_postings && link_of(req, end) == link) end++;
    return end;
}

/* A link_id whose chain ended earlier in the batch refuses the whole batch, before any
   posting runs. */
static int check_links(tx_ctx_t *ctx, const Lumbung__PostBatch *req, problem_t *err) {
    link_set_t ended;
    link_set_init(ctx, &ended, req->n_postings);
    for (size_t i = 0; i < req->n_postings; i = chain_end(req, i)) {
        uint64_t link = link_of(req, i);
        if (link && link_set_add(&ended, link))
            return problem_set(err, INVALID, "link_id_reused",
                               arena_printf(ctx->arena, "postings[%zu].link_id", i),
                               "link_id %" PRIu64 " was used by an earlier chain; the postings "
                               "of a chain must be consecutive", link);
    }
    return 0;
}

int tx_batch_post(tx_ctx_t *ctx, const access_actor_t *who, Lumbung__PostBatch *req,
                  Lumbung__BatchResult **out, problem_t *err) {
    int rc = check_batch(req, err);
    if (rc == 0) rc = check_links(ctx, req, err);
    if (rc != 0) return rc;
    size_t n = req->n_postings;
    for (size_t i = 0; i < n; i++) {
        uint64_t *coop = tx_batch_posting_coop(req->postings[i]);
        if (coop && *coop == 0) *coop = req->cooperative_id;
    }
    Lumbung__BatchResult *res = results_new(ctx, n);
    for (size_t i = 0; i < n && rc == 0;) {
        size_t end = chain_end(req, i);
        bool rejected;
        rc = link_of(req, i) ? run_chain(ctx, who, req, i, end, res->results)
                             : run_posting(ctx, who, req->postings[i], i, res->results[i], &rejected);
        i = end;
    }
    if (rc != 0) return rc;
    for (size_t i = 0; i < n; i++) {
        if (res->results[i]->ok) res->posted++;
        else res->failed++;
    }
    res->has_posted = res->has_failed = 1;
    *out = res;
    return 0;
}
