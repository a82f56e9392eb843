/* owner (transactions): what a client relies on when transactions runs as shards — a request
   for a cooperative this shard owns passes; one for another shard's cooperative is refused
   before anything runs, INVALID `wrong_shard` naming the field, the owning shard and its
   endpoint; a batch with one posting for another shard is refused as a whole, naming that
   posting; and each shard follows the members events of its own cooperatives only. Against
   a real shard map (3 shards, cooperative 7 moved to shard 0). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"
#include "shard.h"
#include "../../services/transactions/owner.h"

#define EK(x) LUMBUNG__ERROR_KIND__ERROR_KIND_##x
#define OP(x) LUMBUNG__TRANSACTIONS_REQUEST__OP_##x
#define MB(x) LUMBUNG__MEMBERS_EVENT__BODY_##x

static char dir[UNIT_PATH_MAX];

static int setup_map(void **state) {
    unit_tempdir(dir, "owner");
    char path[UNIT_PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/shard.map", dir);
    unit_write_file(path, "shards = 3\n7 = 0\n");
    setenv("LUMBUNG_SHARD_MAP", path, 1);
    static const char *const clear[] = { "LUMBUNG_TRANSACTIONS_SHARDS", "LUMBUNG_PORT_BASE",
                                         "LUMBUNG_HOST", "LUMBUNG_TRANSACTIONS_1_ROUTER",
                                         "LUMBUNG_TRANSACTIONS_2_ROUTER" };
    for (size_t i = 0; i < sizeof clear / sizeof clear[0]; i++) unsetenv(clear[i]);
    assert_int_equal(shard_reload(), 0);
    return 0;
}

static int teardown_map(void **state) {
    unsetenv("LUMBUNG_SHARD_MAP");
    unit_rmtree(dir);
    return 0;
}

typedef struct {
    Lumbung__TransactionsRequest req;
    Lumbung__SavingsMovement dep;
    Lumbung__PostBatch batch;
    Lumbung__Posting postings[3], *ptrs[3];
    Lumbung__SavingsMovement moves[2];
    Lumbung__PostEntry entry;
} req_t;

static Lumbung__TransactionsRequest *deposit(req_t *r, uint64_t coop) {
    r->req = (Lumbung__TransactionsRequest) LUMBUNG__TRANSACTIONS_REQUEST__INIT;
    r->dep = (Lumbung__SavingsMovement) LUMBUNG__SAVINGS_MOVEMENT__INIT;
    r->dep.has_cooperative_id = 1;
    r->dep.cooperative_id = coop;
    r->req.op_case = OP(DEPOSIT);
    r->req.deposit = &r->dep;
    return &r->req;
}

/* A batch of cooperative `coop`: an entry, a deposit and a withdrawal naming `entry_coop`,
   `deposit_coop` and `withdraw_coop` (0: unset, the batch's). */
static Lumbung__TransactionsRequest *batch(req_t *r, uint64_t coop, uint64_t entry_coop,
                                           uint64_t deposit_coop, uint64_t withdraw_coop) {
    r->req = (Lumbung__TransactionsRequest) LUMBUNG__TRANSACTIONS_REQUEST__INIT;
    r->batch = (Lumbung__PostBatch) LUMBUNG__POST_BATCH__INIT;
    r->batch.has_cooperative_id = 1;
    r->batch.cooperative_id = coop;
    r->entry = (Lumbung__PostEntry) LUMBUNG__POST_ENTRY__INIT;
    r->entry.has_cooperative_id = entry_coop != 0;
    r->entry.cooperative_id = entry_coop;
    for (int i = 0; i < 3; i++) {
        r->postings[i] = (Lumbung__Posting) LUMBUNG__POSTING__INIT;
        r->ptrs[i] = &r->postings[i];
    }
    r->postings[0].op_case = LUMBUNG__POSTING__OP_ENTRY;
    r->postings[0].entry = &r->entry;
    uint64_t coops[2] = { deposit_coop, withdraw_coop };
    for (int i = 0; i < 2; i++) {
        r->moves[i] = (Lumbung__SavingsMovement) LUMBUNG__SAVINGS_MOVEMENT__INIT;
        r->moves[i].has_cooperative_id = coops[i] != 0;
        r->moves[i].cooperative_id = coops[i];
    }
    r->postings[1].op_case = LUMBUNG__POSTING__OP_DEPOSIT;
    r->postings[1].deposit = &r->moves[0];
    r->postings[2].op_case = LUMBUNG__POSTING__OP_WITHDRAW;
    r->postings[2].withdraw = &r->moves[1];
    r->batch.n_postings = 3;
    r->batch.postings = r->ptrs;
    r->req.op_case = OP(POST_BATCH);
    r->req.post_batch = &r->batch;
    return &r->req;
}

static void expect_wrong_shard(const problem_t *err, const char *field) {
    assert_int_equal(err->kind, EK(INVALID));
    assert_string_equal(err->code, "wrong_shard");
    assert_string_equal(err->field, field);
}

static void a_cooperative_of_this_shard_passes(void **state) {
    req_t r;
    problem_t err = { 0 };
    assert_int_equal(tx_owner_check(0, deposit(&r, 3), 3, &err), 0);   /* 3 mod 3 */
    assert_int_equal(tx_owner_check(1, deposit(&r, 4), 4, &err), 0);   /* 4 mod 3 */
    assert_int_equal(tx_owner_check(2, deposit(&r, 5), 5, &err), 0);
    assert_int_equal(tx_owner_check(0, deposit(&r, 7), 7, &err), 0);   /* listed: shard 0 */
    assert_null(err.code);
}

static void a_request_naming_no_cooperative_passes_everywhere(void **state) {
    req_t r;
    problem_t err = { 0 };
    for (int self = 0; self < 3; self++)
        assert_int_equal(tx_owner_check(self, deposit(&r, 0), 0, &err), 0);
}

static void another_shards_cooperative_is_refused_with_where_to_go(void **state) {
    req_t r;
    problem_t err = { 0 };
    assert_int_equal(tx_owner_check(0, deposit(&r, 4), 4, &err), ERR_REJECTED);
    expect_wrong_shard(&err, "cooperative_id");
    assert_string_equal(err.message,
                        "cooperative 4 lives on transactions shard 1 (transactions-1, "
                        "tcp://127.0.0.1:7112), not on this one: send its requests there");
    assert_int_equal(tx_owner_check(1, deposit(&r, 7), 7, &err), ERR_REJECTED);
    assert_string_equal(err.message,
                        "cooperative 7 lives on transactions shard 0 (transactions, "
                        "tcp://127.0.0.1:7110), not on this one: send its requests there");
    setenv("LUMBUNG_TRANSACTIONS_2_ROUTER", "tcp://10.0.0.2:9000", 1);
    assert_int_equal(tx_owner_check(0, deposit(&r, 5), 5, &err), ERR_REJECTED);
    assert_string_equal(err.message,
                        "cooperative 5 lives on transactions shard 2 (transactions-2, "
                        "tcp://10.0.0.2:9000), not on this one: send its requests there");
    unsetenv("LUMBUNG_TRANSACTIONS_2_ROUTER");
}

static void a_batch_of_own_postings_passes(void **state) {
    req_t r;
    problem_t err = { 0 };
    assert_int_equal(tx_owner_check(0, batch(&r, 3, 0, 0, 0), 3, &err), 0);
    assert_int_equal(tx_owner_check(0, batch(&r, 3, 6, 7, 9), 3, &err), 0);   /* all shard 0 */
}

static void a_batch_with_one_foreign_posting_is_refused_naming_it(void **state) {
    req_t r;
    problem_t err = { 0 };
    assert_int_equal(tx_owner_check(0, batch(&r, 3, 0, 4, 0), 3, &err), ERR_REJECTED);
    expect_wrong_shard(&err, "postings[1].deposit.cooperative_id");
    assert_int_equal(tx_owner_check(0, batch(&r, 3, 0, 0, 5), 3, &err), ERR_REJECTED);
    expect_wrong_shard(&err, "postings[2].withdraw.cooperative_id");
    assert_non_null(strstr(err.message, "cooperative 5 lives on transactions shard 2"));
    assert_int_equal(tx_owner_check(0, batch(&r, 3, 8, 4, 5), 3, &err), ERR_REJECTED);
    expect_wrong_shard(&err, "postings[0].entry.cooperative_id");   /* the first one */
}

/* Postings without a cooperative take the batch's: a batch for another shard names the
   batch's own field first. */
static void unset_postings_take_the_batchs_cooperative(void **state) {
    req_t r;
    problem_t err = { 0 };
    assert_int_equal(tx_owner_check(0, batch(&r, 4, 0, 0, 0), 4, &err), ERR_REJECTED);
    expect_wrong_shard(&err, "cooperative_id");
    assert_int_equal(tx_owner_check(1, batch(&r, 4, 0, 0, 0), 4, &err), 0);
    assert_int_equal(tx_owner_check(1, batch(&r, 4, 0, 3, 0), 4, &err), ERR_REJECTED);
    expect_wrong_shard(&err, "postings[1].deposit.cooperative_id");
}

static Lumbung__MembersEvent coop_event(Lumbung__Cooperative *c, int body, uint64_t id) {
    *c = (Lumbung__Cooperative) LUMBUNG__COOPERATIVE__INIT;
    c->has_id = id != 0;
    c->id = id;
    Lumbung__MembersEvent ev = LUMBUNG__MEMBERS_EVENT__INIT;
    ev.body_case = body;
    if (body == MB(COOPERATIVE_CREATED)) ev.cooperative_created = c;
    else if (body == MB(COOPERATIVE_UPDATED)) ev.cooperative_updated = c;
    else ev.board_updated = c;
    return ev;
}

static Lumbung__MembersEvent member_event(Lumbung__Member *m, int body, uint64_t coop) {
    *m = (Lumbung__Member) LUMBUNG__MEMBER__INIT;
    m->has_id = 1;
    m->id = 100;
    m->has_cooperative_id = coop != 0;
    m->cooperative_id = coop;
    Lumbung__MembersEvent ev = LUMBUNG__MEMBERS_EVENT__INIT;
    ev.body_case = body;
    if (body == MB(MEMBER_JOINED)) ev.member_joined = m;
    else if (body == MB(MEMBER_UPDATED)) ev.member_updated = m;
    else ev.member_exited = m;
    return ev;
}

static void each_shard_follows_its_own_cooperatives_events(void **state) {
    Lumbung__Cooperative c;
    static const int coop_bodies[] = { MB(COOPERATIVE_CREATED), MB(COOPERATIVE_UPDATED),
                                       MB(BOARD_UPDATED) };
    for (size_t i = 0; i < 3; i++) {
        Lumbung__MembersEvent ev = coop_event(&c, coop_bodies[i], 4);
        assert_false(tx_owner_follows(0, &ev));
        assert_true(tx_owner_follows(1, &ev));
        assert_false(tx_owner_follows(2, &ev));
    }
    Lumbung__Member m;
    static const int member_bodies[] = { MB(MEMBER_JOINED), MB(MEMBER_UPDATED),
                                         MB(MEMBER_EXITED) };
    for (size_t i = 0; i < 3; i++) {
        Lumbung__MembersEvent ev = member_event(&m, member_bodies[i], 7);
        assert_true(tx_owner_follows(0, &ev));
        assert_false(tx_owner_follows(1, &ev));
        assert_false(tx_owner_follows(2, &ev));
    }
}

static void events_about_no_cooperative_are_followed_by_every_shard(void **state) {
    Lumbung__Training t = LUMBUNG__TRAINING__INIT;
    Lumbung__MembersEvent ev = LUMBUNG__MEMBERS_EVENT__INIT;
    ev.body_case = MB(TRAINING_RECORDED);
    ev.training_recorded = &t;
    Lumbung__Cooperative c;
    Lumbung__MembersEvent no_id = coop_event(&c, MB(COOPERATIVE_CREATED), 0);
    Lumbung__Member m;
    Lumbung__MembersEvent no_coop = member_event(&m, MB(MEMBER_JOINED), 0);
    for (int self = 0; self < 3; self++) {
        assert_true(tx_owner_follows(self, &ev));
        assert_true(tx_owner_follows(self, &no_id));
        assert_true(tx_owner_follows(self, &no_coop));
    }
}

int main(void) {
    unit_quiet_logs("test_transactions_owner");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_cooperative_of_this_shard_passes),
        cmocka_unit_test(a_request_naming_no_cooperative_passes_everywhere),
        cmocka_unit_test(another_shards_cooperative_is_refused_with_where_to_go),
        cmocka_unit_test(a_batch_of_own_postings_passes),
        cmocka_unit_test(a_batch_with_one_foreign_posting_is_refused_naming_it),
        cmocka_unit_test(unset_postings_take_the_batchs_cooperative),
        cmocka_unit_test(each_shard_follows_its_own_cooperatives_events),
        cmocka_unit_test(events_about_no_cooperative_are_followed_by_every_shard),
    };
    return cmocka_run_group_tests(tests, setup_map, teardown_map);
}
