/* batch (transactions): what an integrator moving thousands of postings relies on — each
   posting gets its own result (ok with its entry id and, for savings, the balance after; or the
   error's kind, code and field "postings[i].<field>"); a refused posting leaves no trace and
   the next one goes on; postings sharing a link_id are all or nothing (the failing one reports
   its error, the others "linked_posting_failed", and the chain's balances, accounts and entry
   ids are as if it never ran); a posting is authorised by its own cooperative; an empty batch,
   one too large, or a link_id reused after its chain ended refuse the whole batch. Against a
   real store, the ledger, savings and the members replica. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "unit.h"

#include "date.h"
#include "../../services/transactions/batch.h"
#include "../../services/transactions/ledger.h"
#include "../../services/transactions/replica.h"
#include "../../services/transactions/savings.h"
#include "../../services/transactions/store.h"

#define K(x) LUMBUNG__SAVINGS_KIND__SAVINGS_KIND_##x
#define EK(x) LUMBUNG__ERROR_KIND__ERROR_KIND_##x

#include "tx_fixture.h"
#include "tx_helpers.h"

enum { POSTINGS_MAX = 16 };

/* A batch being built: its postings and their movements live here. */
typedef struct {
    Lumbung__PostBatch req;
    Lumbung__Posting postings[POSTINGS_MAX];
    Lumbung__Posting *ptrs[POSTINGS_MAX];
    Lumbung__SavingsMovement moves[POSTINGS_MAX];
} batch_t;

static const access_actor_t operator_of_coop = {
    .role = LUMBUNG__ROLE__ROLE_OPERATOR, .cooperative_id = COOP, .user = "op" };

static void batch_init(batch_t *b) {
    memset(b, 0, sizeof *b);
    b->req = (Lumbung__PostBatch) LUMBUNG__POST_BATCH__INIT;
    b->req.has_cooperative_id = 1;
    b->req.cooperative_id = COOP;
    b->req.postings = b->ptrs;
}

/* Adds a voluntary deposit or withdrawal for `member` (cooperative: the batch's). */
static void add(batch_t *b, bool deposit, uint64_t member, int64_t sen, uint64_t link) {
    size_t i = b->req.n_postings++;
    assert_true(i < POSTINGS_MAX);
    Lumbung__SavingsMovement *mv = &b->moves[i];
    *mv = tx_movement(0, member, K(VOLUNTARY), sen);
    Lumbung__Posting *p = &b->postings[i];
    *p = (Lumbung__Posting) LUMBUNG__POSTING__INIT;
    if (link) {
        p->has_link_id = 1;
        p->link_id = link;
    }
    p->op_case = deposit ? LUMBUNG__POSTING__OP_DEPOSIT : LUMBUNG__POSTING__OP_WITHDRAW;
    if (deposit) p->deposit = mv;
    else p->withdraw = mv;
    b->ptrs[i] = p;
}

static Lumbung__BatchResult *post(fx_t *f, batch_t *b) {
    Lumbung__BatchResult *out = NULL;
    memset(&f->err, 0, sizeof f->err);
    assert_int_equal(tx_batch_post(&f->ctx, &operator_of_coop, &b->req, &out, &f->err), 0);
    assert_non_null(out);
    assert_int_equal(out->n_results, b->req.n_postings);
    return out;
}

static void expect_ok(const Lumbung__PostingResult *r, uint32_t index, uint64_t entry,
                      int64_t balance) {
    assert_int_equal(r->index, index);
    assert_true(r->ok);
    assert_int_equal(r->entry_id, entry);
    assert_true(r->has_balance_sen);
    assert_true(r->balance_sen == balance);
}

static void expect_failed(const Lumbung__PostingResult *r, uint32_t index,
                          Lumbung__ErrorKind kind, const char *code, const char *field) {
    assert_int_equal(r->index, index);
    assert_true(r->has_ok);
    assert_false(r->ok);
    assert_false(r->has_entry_id);
    assert_int_equal(r->error_kind, kind);
    assert_string_equal(r->code, code);
    if (field) assert_string_equal(r->field, field);
    else assert_null(r->field);
}

static int64_t voluntary(fx_t *f, uint64_t member) {
    tx_savings_t s;
    assert_int_equal(tx_ctx_get_savings(&f->ctx, member, K(VOLUNTARY), &s), 0);
    return s.balance_sen;
}

/* The batch as a whole is refused: no results, the error names the batch's field. */
static void expect_batch_refused(fx_t *f, batch_t *b, Lumbung__ErrorKind kind,
                                 const char *code, const char *field) {
    Lumbung__BatchResult *out = NULL;
    memset(&f->err, 0, sizeof f->err);
    tx_expect_rejected(&f->err, tx_batch_post(&f->ctx, &operator_of_coop, &b->req, &out,
                                              &f->err), kind, code, field);
    assert_null(out);
}

static uint64_t first_entry_id(fx_t *f) {
    batch_t b;
    batch_init(&b);
    add(&b, true, BUDI, 100, 0);
    Lumbung__BatchResult *r = post(f, &b);
    assert_true(r->results[0]->ok);
    return r->results[0]->entry_id;
}

/* ------------------------------------------------------------------ tests */

static void each_posting_has_its_own_result(void **state) {
    fx_t *f = *state;
    uint64_t e0 = first_entry_id(f);
    batch_t b;
    batch_init(&b);
    add(&b, true, ALICE, 1000000, 0);
    add(&b, false, ALICE, 2000000, 0);      /* more than she has */
    add(&b, false, ALICE, 400000, 0);
    add(&b, true, BUDI, 250000, 0);
    Lumbung__BatchResult *r = post(f, &b);
    expect_ok(r->results[0], 0, e0 + 1, 1000000);
    expect_failed(r->results[1], 1, EK(RULE), "insufficient_funds", "postings[1].amount");
    /* the refused posting took no entry id */
    expect_ok(r->results[2], 2, e0 + 2, 600000);
    expect_ok(r->results[3], 3, e0 + 3, 250100);
    assert_int_equal(r->posted, 3);
    assert_int_equal(r->failed, 1);
    assert_true(voluntary(f, ALICE) == 600000);
    assert_true(voluntary(f, BUDI) == 250100);
    assert_int_equal(tx_account_balance(f, COOP, "1-101"), 850100);
    assert_int_equal(tx_account_balance(f, COOP, "2-101"), 850100);
}

static void a_failed_chain_leaves_no_trace(void **state) {
    fx_t *f = *state;
    uint64_t e0 = first_entry_id(f);
    batch_t b;
    batch_init(&b);
    add(&b, true, ALICE, 500000, 0);
    add(&b, true, ALICE, 300000, 7);        /* chain 7: deposit, then a withdrawal too large */
    add(&b, true, BUDI, 200000, 7);
    add(&b, false, ALICE, 900000, 7);
    add(&b, true, BUDI, 50000, 7);          /* never runs */
    add(&b, true, BUDI, 1000, 0);
    Lumbung__BatchResult *r = post(f, &b);
    expect_ok(r->results[0], 0, e0 + 1, 500000);
    expect_failed(r->results[1], 1, EK(RULE), "linked_posting_failed", NULL);
    expect_failed(r->results[2], 2, EK(RULE), "linked_posting_failed", NULL);
    assert_false(r->results[2]->has_balance_sen);
    expect_failed(r->results[3], 3, EK(RULE), "insufficient_funds", "postings[3].amount");
    expect_failed(r->results[4], 4, EK(RULE), "linked_posting_failed", NULL);
    /* the chain's entry ids are handed out again */
    expect_ok(r->results[5], 5, e0 + 2, 1100);
    assert_int_equal(r->posted, 2);
    assert_int_equal(r->failed, 4);
    assert_true(voluntary(f, ALICE) == 500000);
    assert_true(voluntary(f, BUDI) == 1100);
    assert_int_equal(tx_account_balance(f, COOP, "1-101"), 501100);
    Lumbung__JournalEntry *e;
    assert_int_equal(tx_ledger_get_entry(&f->ctx, COOP, e0 + 3, &e, &f->err), ERR_REJECTED);
    assert_string_equal(f->err.code, "entry_not_found");
}

static void a_chain_that_holds_is_posted_whole(void **state) {
    fx_t *f = *state;
    uint64_t e0 = first_entry_id(f);
    batch_t b;
    batch_init(&b);
    add(&b, true, ALICE, 300000, 9);
    add(&b, false, ALICE, 300000, 9);       /* needs the deposit just before it */
    add(&b, true, BUDI, 70000, 9);
    Lumbung__BatchResult *r = post(f, &b);
    expect_ok(r->results[0], 0, e0 + 1, 300000);
    expect_ok(r->results[1], 1, e0 + 2, 0);
    expect_ok(r->results[2], 2, e0 + 3, 70100);
    assert_int_equal(r->posted, 3);
    assert_int_equal(r->failed, 0);
    assert_true(voluntary(f, ALICE) == 0);
    assert_int_equal(tx_account_balance(f, COOP, "1-101"), 70100);
    /* and the unit of work ends with them */
    tx_next_unit_of_work(f);
    assert_true(voluntary(f, ALICE) == 0);
    assert_true(voluntary(f, BUDI) == 70100);
    tx_savings_t s;
    assert_int_equal(tx_ctx_get_savings(&f->ctx, ALICE, K(VOLUNTARY), &s), 0);
    assert_true(s.paid_sen == 300000 && s.withdrawn_sen == 300000);
}

static void a_posting_is_authorised_by_its_own_cooperative(void **state) {
    fx_t *f = *state;
    batch_t b;
    batch_init(&b);
    add(&b, true, ALICE, 1000, 0);
    add(&b, true, CITRA, 1000, 0);
    b.moves[1].has_cooperative_id = 1;
    b.moves[1].cooperative_id = COOP2;      /* not the operator's */
    Lumbung__BatchResult *r = post(f, &b);
    assert_true(r->results[0]->ok);
    expect_failed(r->results[1], 1, EK(FORBIDDEN), "forbidden", "postings[1].cooperative_id");
    assert_int_equal(r->posted, 1);
    assert_int_equal(r->failed, 1);
    tx_savings_t s;
    assert_int_equal(tx_ctx_get_savings(&f->ctx, CITRA, K(VOLUNTARY), &s), 0);
    assert_true(s.balance_sen == 0);
    /* the batch's cooperative was given to the posting that named none */
    assert_int_equal(b.moves[0].cooperative_id, COOP);
}

static void a_posting_without_an_operation_is_refused_alone(void **state) {
    fx_t *f = *state;
    batch_t b;
    batch_init(&b);
    add(&b, true, ALICE, 1000, 0);
    b.postings[0].op_case = LUMBUNG__POSTING__OP__NOT_SET;
    add(&b, true, ALICE, 2000, 0);
    Lumbung__BatchResult *r = post(f, &b);
    expect_failed(r->results[0], 0, EK(INVALID), "missing_field", "postings[0]");
    assert_true(r->results[1]->ok);
    assert_true(r->results[1]->balance_sen == 2000);
}

static void the_batch_as_a_whole_can_be_refused(void **state) {
    fx_t *f = *state;
    batch_t b;
    batch_init(&b);
    expect_batch_refused(f, &b, EK(INVALID), "missing_field", "postings");
    b.req.n_postings = TX_BATCH_MAX + 1;    /* refused before any posting is read */
    expect_batch_refused(f, &b, EK(TOO_LARGE), "too_many_postings", "postings");
}

static void a_link_id_reused_after_its_chain_refuses_the_batch(void **state) {
    fx_t *f = *state;
    uint64_t before = first_entry_id(f);
    batch_t b;
    batch_init(&b);
    add(&b, true, ALICE, 1000, 3);
    add(&b, true, ALICE, 1000, 0);
    add(&b, true, ALICE, 1000, 3);
    expect_batch_refused(f, &b, EK(INVALID), "link_id_reused", "postings[2].link_id");
    /* Refused before any posting ran: the two postings ahead of the reused link took no entry
       ids (the request's txn is aborted on a refusal as well, handlers.c ->
       service_call_reject, so nothing of a refused batch ever commits). */
    assert_int_equal(first_entry_id(f), before + 1);
}

int main(void) {
    unit_quiet_logs("test_transactions_batch");
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(each_posting_has_its_own_result),
        T(a_failed_chain_leaves_no_trace),
        T(a_chain_that_holds_is_posted_whole),
        T(a_posting_is_authorised_by_its_own_cooperative),
        T(a_posting_without_an_operation_is_refused_alone),
        T(the_batch_as_a_whole_can_be_refused),
        T(a_link_id_reused_after_its_chain_refuses_the_batch),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
