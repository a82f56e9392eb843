/* audit: what a user of the trail relies on — every recorded entry gets the next sequence and
   calls back only once committed, the trail survives a reopen, queries go newest first with a
   cursor for the next page, filters by cooperative, user and time, and skip a corrupt entry
   instead of failing the query; a rewrite replaces an entry in place (a call's outcome) and
   leaves a pruned one pruned. Against a real store and loop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../services/gateway/audit.h"
#include "bytes.h"
#include "unit.h"

typedef struct {
    char dir[UNIT_PATH_MAX];
    uv_loop_t loop;
    store_t *store;
    audit_t *audit;
} fixture_t;

static void open_audit(fixture_t *f) {
    int err = 0;
    f->store = store_new(f->dir, &err);
    assert_non_null(f->store);
    f->audit = audit_new(&f->loop, f->store, &err);
    assert_non_null(f->audit);
    assert_int_equal(err, 0);
}

static void close_audit(fixture_t *f) {
    audit_destroy(&f->audit);
    unit_run_for(&f->loop, 5);              /* the idle handle's close callback frees it */
    store_destroy(&f->store);
}

static int setup(void **state) {
    fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    unit_tempdir(f->dir, "gwaudit");
    assert_int_equal(uv_loop_init(&f->loop), 0);
    open_audit(f);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture_t *f = *state;
    close_audit(f);
    unit_close_loop(&f->loop);
    unit_rmtree(f->dir);
    free(f);
    return 0;
}

static audit_entry_t entry(int64_t at_ms, const char *user, uint64_t coop, int status) {
    audit_entry_t e;
    memset(&e, 0, sizeof e);
    e.at_ms = at_ms;
    snprintf(e.user, sizeof e.user, "%s", user);
    snprintf(e.role, sizeof e.role, "operator");
    snprintf(e.method, sizeof e.method, "POST");
    snprintf(e.route, sizeof e.route, "/api/v1/cooperatives/{id}/deposits");
    snprintf(e.path, sizeof e.path, "/api/v1/cooperatives/%llu/deposits", (unsigned long long) coop);
    snprintf(e.outcome, sizeof e.outcome, "%s", status < 400 ? "ok" : "insufficient_funds");
    snprintf(e.idempotency_key, sizeof e.idempotency_key, "key-%lld", (long long) at_ms);
    e.cooperative_id = coop;
    e.status = status;
    e.request_id = (uint64_t) at_ms;
    return e;
}

typedef struct {
    int calls, status;
    uint64_t seq;
} done_t;

static void on_done(void *arg, int status, uint64_t seq) {
    done_t *d = arg;
    d->calls++;
    d->status = status;
    d->seq = seq;
}

static bool done_called(void *arg) { return ((done_t *) arg)->calls > 0; }

/* What a query visited: sequences in order, and the last entry whole. */
typedef struct {
    uint64_t seqs[16];
    int n;
    audit_entry_t last;
} seen_t;

static void visit(void *arg, const audit_entry_t *e) {
    seen_t *s = arg;
    if (s->n < 16) s->seqs[s->n] = e->seq;
    s->n++;
    s->last = *e;
}

static int query(fixture_t *f, audit_query_t q, seen_t *s, uint64_t *next) {
    memset(s, 0, sizeof *s);
    if (!q.limit) q.limit = AUDIT_PAGE_DEFAULT;
    return audit_query(f->audit, &q, visit, s, next);
}

static void record_all(fixture_t *f, const audit_entry_t *e, int n) {
    for (int i = 0; i < n; i++) audit_record(f->audit, &e[i], NULL, NULL);
    assert_int_equal(audit_flush(f->audit), 0);
}

static void an_entry_calls_back_once_committed_and_gets_the_next_sequence(void **state) {
    fixture_t *f = *state;
    assert_int_equal(audit_head(f->audit), 0);
    done_t d = { 0 };
    audit_entry_t e = entry(1000, "ani", 7, 201);
    audit_record(f->audit, &e, on_done, &d);
    assert_int_equal(d.calls, 0);                    /* not before the write */
    assert_true(unit_run_until(&f->loop, done_called, &d, UNIT_RUN_MS_DEFAULT));
    assert_int_equal(d.calls, 1);
    assert_int_equal(d.status, 0);
    assert_int_equal(d.seq, 1);
    assert_int_equal(audit_head(f->audit), 1);
    unit_run_for(&f->loop, 5);
    assert_int_equal(d.calls, 1);                    /* exactly once */

    seen_t s;
    uint64_t next = 99;
    assert_int_equal(query(f, (audit_query_t){ 0 }, &s, &next), 1);
    assert_int_equal(next, 0);
    assert_int_equal(s.last.seq, 1);
    assert_int_equal(s.last.at_ms, 1000);
    assert_string_equal(s.last.user, "ani");
    assert_string_equal(s.last.route, "/api/v1/cooperatives/{id}/deposits");
    assert_string_equal(s.last.path, "/api/v1/cooperatives/7/deposits");
    assert_string_equal(s.last.outcome, "ok");
    assert_string_equal(s.last.idempotency_key, "key-1000");
    assert_int_equal(s.last.cooperative_id, 7);
    assert_int_equal(s.last.status, 201);
}

static void the_trail_survives_a_reopen_and_continues_its_sequence(void **state) {
    fixture_t *f = *state;
    audit_entry_t e[2] = { entry(1, "ani", 7, 201), entry(2, "budi", 7, 201) };
    record_all(f, e, 2);
    close_audit(f);
    open_audit(f);
    assert_int_equal(audit_head(f->audit), 2);
    audit_entry_t more = entry(3, "citra", 8, 201);
    record_all(f, &more, 1);
    seen_t s;
    uint64_t next;
    assert_int_equal(query(f, (audit_query_t){ 0 }, &s, &next), 3);
    assert_int_equal(s.seqs[0], 3);
    assert_int_equal(s.seqs[2], 1);
}

static void a_query_pages_newest_first_with_a_cursor(void **state) {
    fixture_t *f = *state;
    audit_entry_t e[5];
    for (int i = 0; i < 5; i++) e[i] = entry(100 + i, "ani", 7, 201);
    record_all(f, e, 5);
    seen_t s;
    uint64_t next;
    assert_int_equal(query(f, (audit_query_t){ .limit = 2 }, &s, &next), 2);
    assert_int_equal(s.seqs[0], 5);
    assert_int_equal(s.seqs[1], 4);
    assert_int_equal(next, 4);
    assert_int_equal(query(f, (audit_query_t){ .limit = 2, .before_seq = next }, &s, &next), 2);
    assert_int_equal(s.seqs[0], 3);
    assert_int_equal(s.seqs[1], 2);
    assert_int_equal(next, 2);
    assert_int_equal(query(f, (audit_query_t){ .limit = 2, .before_seq = next }, &s, &next), 1);
    assert_int_equal(s.seqs[0], 1);
    assert_int_equal(next, 0);                       /* the end */
    /* A cursor past the newest entry starts at the newest. */
    assert_int_equal(query(f, (audit_query_t){ .limit = 1, .before_seq = 1000 }, &s, &next), 1);
    assert_int_equal(s.seqs[0], 5);
}

static void a_query_filters_by_cooperative_user_and_time(void **state) {
    fixture_t *f = *state;
    audit_entry_t e[4] = {
        entry(100, "ani", 7, 201), entry(200, "budi", 7, 422),
        entry(300, "ani", 8, 201), entry(400, "ani", 7, 201),
    };
    record_all(f, e, 4);
    seen_t s;
    uint64_t next;
    assert_int_equal(query(f, (audit_query_t){ .cooperative_id = 7 }, &s, &next), 3);
    assert_int_equal(query(f, (audit_query_t){ .user = "budi" }, &s, &next), 1);
    assert_int_equal(s.last.status, 422);
    assert_string_equal(s.last.outcome, "insufficient_funds");
    assert_int_equal(query(f, (audit_query_t){ .from_ms = 200, .to_ms = 300 }, &s, &next), 2);
    assert_int_equal(s.seqs[0], 3);
    assert_int_equal(s.seqs[1], 2);
    assert_int_equal(query(f, (audit_query_t){ .cooperative_id = 7, .user = "ani",
                                               .from_ms = 150 }, &s, &next), 1);
    assert_int_equal(s.last.seq, 4);
    assert_int_equal(query(f, (audit_query_t){ .cooperative_id = 99 }, &s, &next), 0);
}

static void a_corrupt_entry_is_skipped_not_fatal(void **state) {
    fixture_t *f = *state;
    audit_entry_t e[2] = { entry(1, "ani", 7, 201), entry(2, "budi", 7, 201) };
    record_all(f, e, 2);
    store_table_t table;
    assert_int_equal(store_table(f->store, "audit", &table), 0);
    store_txn_t *txn;
    assert_int_equal(store_begin(f->store, false, &txn), 0);
    uint8_t key[8], junk[3] = { 99, 1, 2 };          /* an unknown record version */
    be64_write(key, 1);
    assert_int_equal(store_put(txn, table, key, 8, junk, sizeof junk, 0), 0);
    assert_int_equal(store_commit(&txn), 0);
    seen_t s;
    uint64_t next;
    assert_int_equal(query(f, (audit_query_t){ 0 }, &s, &next), 1);
    assert_int_equal(s.last.seq, 2);
}

/* A call over the bus: recorded pending as it is sent, rewritten with its answer. */
static void a_rewrite_gives_the_entry_its_outcome_under_the_same_sequence(void **state) {
    fixture_t *f = *state;
    audit_entry_t sent = entry(1000, "ani", 7, 0);
    snprintf(sent.outcome, sizeof sent.outcome, "%s", AUDIT_OUTCOME_PENDING);
    done_t d = { 0 };
    audit_record(f->audit, &sent, on_done, &d);
    audit_entry_t other = entry(1001, "budi", 8, 201);    /* recorded meanwhile */
    audit_record(f->audit, &other, NULL, NULL);
    assert_true(unit_run_until(&f->loop, done_called, &d, UNIT_RUN_MS_DEFAULT));
    assert_int_equal(d.seq, 1);
    seen_t s;
    uint64_t next;
    assert_int_equal(query(f, (audit_query_t){ .user = "ani" }, &s, &next), 1);
    assert_int_equal(s.last.status, 0);
    assert_string_equal(s.last.outcome, "pending");

    audit_entry_t answered = entry(1000, "ani", 7, 422);
    audit_rewrite(f->audit, d.seq, &answered);
    assert_int_equal(audit_flush(f->audit), 0);
    assert_int_equal(audit_head(f->audit), 2);            /* no new entry */
    assert_int_equal(query(f, (audit_query_t){ 0 }, &s, &next), 2);
    assert_int_equal(s.seqs[0], 2);
    assert_int_equal(s.seqs[1], 1);
    assert_int_equal(s.last.status, 422);
    assert_string_equal(s.last.outcome, "insufficient_funds");
    assert_string_equal(s.last.user, "ani");
    audit_entry_t later = entry(1002, "citra", 7, 201);    /* the sequence goes on */
    record_all(f, &later, 1);
    assert_int_equal(audit_head(f->audit), 3);
}

static void a_rewrite_of_a_pruned_entry_does_not_bring_it_back(void **state) {
    fixture_t *f = *state;
    audit_entry_t e[3] = { entry(1, "ani", 7, 0), entry(2, "budi", 7, 201),
                           entry(3, "citra", 7, 201) };
    record_all(f, e, 3);
    uint64_t removed = 0;
    int64_t ten_years_ms = 10LL * 366 * 24 * 3600 * 1000;
    assert_int_equal(audit_prune(f->audit, ten_years_ms, &removed), 0);
    assert_int_equal(removed, 2);                          /* never the newest */
    audit_entry_t answered = entry(1, "ani", 7, 201);
    audit_rewrite(f->audit, 1, &answered);
    assert_int_equal(audit_flush(f->audit), 0);
    seen_t s;
    uint64_t next;
    assert_int_equal(query(f, (audit_query_t){ 0 }, &s, &next), 1);
    assert_int_equal(s.last.seq, 3);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void) {
    unit_quiet_logs("test_gateway_audit");
    const struct CMUnitTest tests[] = {
        T(an_entry_calls_back_once_committed_and_gets_the_next_sequence),
        T(the_trail_survives_a_reopen_and_continues_its_sequence),
        T(a_query_pages_newest_first_with_a_cursor),
        T(a_query_filters_by_cooperative_user_and_time),
        T(a_corrupt_entry_is_skipped_not_fatal),
        T(a_rewrite_gives_the_entry_its_outcome_under_the_same_sequence),
        T(a_rewrite_of_a_pruned_entry_does_not_bring_it_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
