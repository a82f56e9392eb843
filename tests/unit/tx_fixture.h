/* tx_fixture — the fixture of the transactions unit tests that run the real modules: a fresh
   store with the transactions tables, one write txn and a unit of work (tx_ctx_t) over it, and
   the members replica fed with two cooperatives (COOP, COOP2) and three active members (ALICE
   and BUDI of COOP, CITRA of COOP2). Header-only (static): each test file is one translation
   unit. Include after cmocka.h and the transactions headers. */
#ifndef LUMBUNG_TESTS_TX_FIXTURE_H
#define LUMBUNG_TESTS_TX_FIXTURE_H

enum { COOP = 1, COOP2 = 2, ALICE = 10, BUDI = 11, CITRA = 20 };
enum { PRINCIPAL_SEN = 10000000, MANDATORY_SEN = 5000000 };   /* Rp 100,000 and Rp 50,000 */

typedef struct {
    char dir[64];
    store_t *store;
    tx_store_t db;
    arena_t *arena;
    store_txn_t *txn;
    tx_ctx_t ctx;
    problem_t err;
} fx_t;

static int apply(fx_t *f, Lumbung__MembersEvent *ev, uint64_t seq) {
    return tx_replica_apply_event(&f->ctx, ev, seq, &f->err);
}

static void coop_created(fx_t *f, uint64_t id, uint64_t seq) {
    Lumbung__CooperativeSettings s = LUMBUNG__COOPERATIVE_SETTINGS__INIT;
    s.has_principal_amount_sen = s.has_mandatory_amount_sen = 1;
    s.principal_amount_sen = PRINCIPAL_SEN;
    s.mandatory_amount_sen = MANDATORY_SEN;
    Lumbung__Cooperative c = LUMBUNG__COOPERATIVE__INIT;
    c.has_id = 1;
    c.id = id;
    c.settings = &s;
    Lumbung__MembersEvent ev = LUMBUNG__MEMBERS_EVENT__INIT;
    ev.body_case = LUMBUNG__MEMBERS_EVENT__BODY_COOPERATIVE_CREATED;
    ev.cooperative_created = &c;
    assert_int_equal(apply(f, &ev, seq), 0);
}

static void member_event(fx_t *f, uint64_t id, uint64_t coop, bool exited, uint64_t seq) {
    Lumbung__Member m = LUMBUNG__MEMBER__INIT;
    m.has_id = m.has_cooperative_id = m.has_status = 1;
    m.id = id;
    m.cooperative_id = coop;
    m.has_joined_on = 1;
    m.joined_on = unit_day("2024-01-15");
    m.status = exited ? LUMBUNG__MEMBER_STATUS__MEMBER_STATUS_EXITED
                      : LUMBUNG__MEMBER_STATUS__MEMBER_STATUS_ACTIVE;
    m.has_exit_on = exited;
    if (exited) m.exit_on = unit_day("2025-06-30");
    Lumbung__MembersEvent ev = LUMBUNG__MEMBERS_EVENT__INIT;
    ev.body_case = exited ? LUMBUNG__MEMBERS_EVENT__BODY_MEMBER_EXITED
                          : LUMBUNG__MEMBERS_EVENT__BODY_MEMBER_JOINED;
    if (exited) ev.member_exited = &m;
    else ev.member_joined = &m;
    assert_int_equal(apply(f, &ev, seq), 0);
}

static int setup(void **state) {
    fx_t *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/tx-unit-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    int err = 0;
    f->store = store_new(f->dir, &err);
    assert_non_null(f->store);
    assert_int_equal(tx_store_open(&f->db, f->store), 0);
    f->arena = arena_new();
    assert_int_equal(store_begin(f->store, false, &f->txn), 0);
    tx_ctx_init(&f->ctx, &f->db, f->txn, f->arena, "tester");
    coop_created(f, COOP, 1);
    coop_created(f, COOP2, 2);
    member_event(f, ALICE, COOP, false, 3);
    member_event(f, BUDI, COOP, false, 4);
    member_event(f, CITRA, COOP2, false, 5);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fx_t *f = *state;
    store_abort(&f->txn);
    arena_destroy(&f->arena);
    store_destroy(&f->store);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

#endif
