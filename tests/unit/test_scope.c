/* scope: what an integrator's key lets it call, checked by reflection over any request. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"
#include "curve.h"
#include "scope.h"

typedef struct {
    Lumbung__Request req;
    Lumbung__TransactionsRequest tx;
    Lumbung__SavingsMovement dep;
    Lumbung__PostBatch batch;
    Lumbung__Posting postings[3], *posting_ptrs[3];
    Lumbung__SavingsMovement moves[3];
    Lumbung__PostEntry entry;
} fixture_t;

static curve_peer_t bank(const char *coops, const char *ops) {
    curve_peer_t p;
    memset(&p, 0, sizeof p);
    snprintf(p.name, sizeof p.name, "bank-bri");
    snprintf(p.role, sizeof p.role, "integrator");
    assert_int_equal(curve_scope_parse(&p, coops, ops), 0);
    return p;
}

static Lumbung__Request *deposit(fixture_t *f, uint64_t coop) {
    f->req = (Lumbung__Request) LUMBUNG__REQUEST__INIT;
    f->tx = (Lumbung__TransactionsRequest) LUMBUNG__TRANSACTIONS_REQUEST__INIT;
    f->dep = (Lumbung__SavingsMovement) LUMBUNG__SAVINGS_MOVEMENT__INIT;
    f->dep.has_cooperative_id = coop != 0;
    f->dep.cooperative_id = coop;
    f->tx.op_case = LUMBUNG__TRANSACTIONS_REQUEST__OP_DEPOSIT;
    f->tx.deposit = &f->dep;
    f->req.body_case = LUMBUNG__REQUEST__BODY_TRANSACTIONS;
    f->req.transactions = &f->tx;
    return &f->req;
}

/* A batch for cooperative 3 whose second posting names `second_coop`, its third an entry. */
static Lumbung__Request *batch(fixture_t *f, uint64_t second_coop, bool with_entry) {
    deposit(f, 3);
    f->batch = (Lumbung__PostBatch) LUMBUNG__POST_BATCH__INIT;
    f->batch.has_cooperative_id = 1;
    f->batch.cooperative_id = 3;
    for (int i = 0; i < 3; i++) {
        f->postings[i] = (Lumbung__Posting) LUMBUNG__POSTING__INIT;
        f->moves[i] = (Lumbung__SavingsMovement) LUMBUNG__SAVINGS_MOVEMENT__INIT;
        f->postings[i].op_case = LUMBUNG__POSTING__OP_DEPOSIT;
        f->postings[i].deposit = &f->moves[i];
        f->posting_ptrs[i] = &f->postings[i];
    }
    f->moves[1].has_cooperative_id = 1;
    f->moves[1].cooperative_id = second_coop;
    if (with_entry) {
        f->entry = (Lumbung__PostEntry) LUMBUNG__POST_ENTRY__INIT;
        f->postings[2].op_case = LUMBUNG__POSTING__OP_ENTRY;
        f->postings[2].entry = &f->entry;
    }
    f->batch.n_postings = 3;
    f->batch.postings = f->posting_ptrs;
    f->tx.op_case = LUMBUNG__TRANSACTIONS_REQUEST__OP_POST_BATCH;
    f->tx.post_batch = &f->batch;
    return &f->req;
}

static void an_operation_in_scope_for_a_cooperative_in_scope_passes(void **state) {
    fixture_t f;
    curve_peer_t p = bank("3,7", "deposit,post_repayment");
    problem_t err;
    assert_int_equal(scope_check(&p, deposit(&f, 7), &err), 0);
    assert_string_equal(scope_operation(&f.req), "deposit");
}

static void another_cooperative_is_refused_naming_cooperative_id(void **state) {
    fixture_t f;
    curve_peer_t p = bank("3,7", "deposit");
    problem_t err;
    assert_int_equal(scope_check(&p, deposit(&f, 4), &err), ERR_FORBIDDEN);
    assert_int_equal(err.kind, LUMBUNG__ERROR_KIND__ERROR_KIND_FORBIDDEN);
    assert_string_equal(err.code, "cooperative_not_allowed");
    assert_string_equal(err.field, "cooperative_id");
    assert_non_null(strstr(err.message, "cooperative 4"));
}

static void a_missing_cooperative_is_invalid(void **state) {
    fixture_t f;
    curve_peer_t p = bank("3", "deposit");
    problem_t err;
    assert_int_equal(scope_check(&p, deposit(&f, 0), &err), ERR_REJECTED);
    assert_int_equal(err.kind, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID);
    assert_string_equal(err.code, "cooperative_required");
    assert_string_equal(err.field, "cooperative_id");
}

static void another_operation_is_refused_naming_it(void **state) {
    fixture_t f;
    curve_peer_t p = bank("3", "post_repayment");
    problem_t err;
    assert_int_equal(scope_check(&p, deposit(&f, 3), &err), ERR_FORBIDDEN);
    assert_string_equal(err.code, "operation_not_allowed");
    assert_string_equal(err.field, "deposit");
}

static void each_batch_posting_is_checked(void **state) {
    fixture_t f;
    curve_peer_t p = bank("3", "post_batch,deposit");
    problem_t err;
    assert_int_equal(scope_check(&p, batch(&f, 3, false), &err), 0);
    assert_int_equal(scope_check(&p, batch(&f, 9, false), &err), ERR_FORBIDDEN);
    assert_string_equal(err.code, "cooperative_not_allowed");
    assert_string_equal(err.field, "postings[1].deposit.cooperative_id");
    /* a manual entry inside the batch needs post_entry */
    assert_int_equal(scope_check(&p, batch(&f, 3, true), &err), ERR_FORBIDDEN);
    assert_string_equal(err.code, "operation_not_allowed");
    assert_string_equal(err.field, "postings[2].entry");
    curve_peer_t wider = bank("3", "post_batch,deposit,post_entry");
    assert_int_equal(scope_check(&wider, batch(&f, 3, true), &err), 0);
}

static void an_unscoped_key_may_do_nothing(void **state) {
    fixture_t f;
    curve_peer_t p;
    memset(&p, 0, sizeof p);
    snprintf(p.role, sizeof p.role, "integrator");
    problem_t err;
    assert_int_equal(scope_check(&p, deposit(&f, 3), &err), ERR_FORBIDDEN);
    assert_string_equal(err.code, "operation_not_allowed");
}

static void events_are_visible_only_for_cooperatives_in_scope(void **state) {
    Lumbung__JournalEntry entry = LUMBUNG__JOURNAL_ENTRY__INIT, *entries[1] = { &entry };
    Lumbung__EntriesPosted posted = LUMBUNG__ENTRIES_POSTED__INIT;
    Lumbung__TransactionsEvent tev = LUMBUNG__TRANSACTIONS_EVENT__INIT;
    Lumbung__Event ev = LUMBUNG__EVENT__INIT;
    Lumbung__Actor actor = LUMBUNG__ACTOR__INIT;
    actor.has_cooperative_id = 1;
    actor.cooperative_id = 3;                  /* who acted does not make it visible */
    entry.has_cooperative_id = 1;
    entry.cooperative_id = 7;
    posted.n_entries = 1;
    posted.entries = entries;
    tev.body_case = LUMBUNG__TRANSACTIONS_EVENT__BODY_ENTRIES_POSTED;
    tev.entries_posted = &posted;
    ev.body_case = LUMBUNG__EVENT__BODY_TRANSACTIONS;
    ev.transactions = &tev;
    ev.actor = &actor;
    uint8_t buf[256];
    size_t len = lumbung__event__pack(&ev, buf);
    curve_peer_t three = bank("3", "deposit"), seven = bank("3,7", "deposit"), all = bank("all", "deposit");
    assert_false(scope_event_visible(&three, buf, len));
    assert_true(scope_event_visible(&seven, buf, len));
    assert_true(scope_event_visible(&all, buf, len));
}

static void operation_names_are_those_of_the_request_oneofs(void **state) {
    assert_true(scope_operation_known("deposit"));
    assert_true(scope_operation_known("post_repayment"));
    assert_true(scope_operation_known("create_member"));
    assert_true(scope_operation_known("balance_sheet"));
    assert_false(scope_operation_known("repayment"));
    assert_false(scope_operation_known("emit"));        /* testing is not a service */
}

int main(void) {
    unit_quiet_logs("test_scope");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_operation_in_scope_for_a_cooperative_in_scope_passes),
        cmocka_unit_test(another_cooperative_is_refused_naming_cooperative_id),
        cmocka_unit_test(a_missing_cooperative_is_invalid),
        cmocka_unit_test(another_operation_is_refused_naming_it),
        cmocka_unit_test(each_batch_posting_is_checked),
        cmocka_unit_test(an_unscoped_key_may_do_nothing),
        cmocka_unit_test(events_are_visible_only_for_cooperatives_in_scope),
        cmocka_unit_test(operation_names_are_those_of_the_request_oneofs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
