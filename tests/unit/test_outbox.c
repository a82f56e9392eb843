/* outbox: gapless sequences from 1, numbers given back by aborted transactions, bounded reads,
   and an event with a packed body stored as protobuf-c packs the whole event. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <errno.h>

#include "unit.h"
#include "envelope.h"
#include "outbox.h"

typedef struct {
    char dir[UNIT_PATH_MAX];
    store_t *store;
    outbox_t *outbox;
} fixture_t;

static int setup(void **state) {
    fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    unit_tempdir(f->dir, "outbox");
    int err = 0;
    f->store = store_new(f->dir, &err);
    assert_non_null(f->store);
    f->outbox = outbox_new(f->store, "members", &err);
    assert_non_null(f->outbox);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture_t *f = *state;
    outbox_destroy(&f->outbox);
    assert_null(f->outbox);
    store_destroy(&f->store);
    unit_rmtree(f->dir);
    free(f);
    return 0;
}

static store_txn_t *begin(fixture_t *f, bool read_only) {
    store_txn_t *txn;
    assert_int_equal(store_begin(f->store, read_only, &txn), 0);
    return txn;
}

static store_txn_t *child_of(store_txn_t *parent) {
    store_txn_t *child;
    assert_int_equal(store_begin_child(parent, &child), 0);
    return child;
}

/* Appends a testing event whose index names it, so a read can tell which append it was. */
static int64_t append(fixture_t *f, store_txn_t *txn, uint64_t index) {
    Lumbung__Event ev = LUMBUNG__EVENT__INIT;
    Lumbung__TestingEvent te = LUMBUNG__TESTING_EVENT__INIT;
    te.has_index = 1;
    te.index = index;
    ev.body_case = LUMBUNG__EVENT__BODY_TESTING;
    ev.testing = &te;
    return outbox_append(f->outbox, txn, &ev);
}

static uint64_t committed_head(fixture_t *f) {
    store_txn_t *r = begin(f, true);
    uint64_t head = outbox_head(f->outbox, r);
    store_abort(&r);
    return head;
}

/* What a read visited: sequences and the index each stored event carries. */
typedef struct {
    int count;
    int stop_after;          /* 0: never stop early */
    uint64_t seqs[OUTBOX_REPLAY_MAX + 8];
    uint64_t indices[OUTBOX_REPLAY_MAX + 8];
    char stream[32];
    int64_t at_ms;
} visits_t;

static int visit(void *arg, uint64_t seq, const uint8_t *bytes, size_t len) {
    visits_t *v = arg;
    Lumbung__Event *ev = lumbung__event__unpack(NULL, len, bytes);
    assert_non_null(ev);
    assert_int_equal(ev->seq, seq);
    v->seqs[v->count] = seq;
    v->indices[v->count] = ev->testing ? ev->testing->index : 0;
    snprintf(v->stream, sizeof v->stream, "%s", ev->stream ? ev->stream : "");
    v->at_ms = ev->at_ms;
    lumbung__event__free_unpacked(ev, NULL);
    v->count++;
    return v->stop_after && v->count == v->stop_after;
}

static int read_committed(fixture_t *f, uint64_t from, uint32_t max, visits_t *v) {
    store_txn_t *r = begin(f, true);
    int n = outbox_read(f->outbox, r, from, max, visit, v);
    store_abort(&r);
    return n;
}

static void head_is_zero_when_empty(void **state) {
    fixture_t *f = *state;
    assert_int_equal(committed_head(f), 0);
    assert_string_equal(outbox_stream(f->outbox), "members");
}

static void sequences_run_from_one_without_gaps(void **state) {
    fixture_t *f = *state;
    store_txn_t *txn = begin(f, false);
    for (uint64_t i = 1; i <= 5; i++) assert_int_equal(append(f, txn, i), (int64_t) i);
    assert_int_equal(outbox_head(f->outbox, txn), 5);   /* the txn sees its own appends */
    assert_int_equal(store_commit(&txn), 0);
    txn = begin(f, false);
    for (uint64_t i = 6; i <= 8; i++) assert_int_equal(append(f, txn, i), (int64_t) i);
    assert_int_equal(store_commit(&txn), 0);
    assert_int_equal(committed_head(f), 8);

    visits_t *v = calloc(1, sizeof *v);
    assert_int_equal(read_committed(f, 1, 100, v), 8);
    for (int i = 0; i < 8; i++) {
        assert_int_equal(v->seqs[i], (uint64_t) i + 1);
        assert_int_equal(v->indices[i], (uint64_t) i + 1);
    }
    free(v);
}

static void uncommitted_events_are_invisible_to_readers(void **state) {
    fixture_t *f = *state;
    store_txn_t *txn = begin(f, false);
    assert_int_equal(append(f, txn, 1), 1);
    assert_int_equal(committed_head(f), 0);
    store_abort(&txn);
    assert_int_equal(committed_head(f), 0);
}

static void append_after_abort_reuses_the_sequence(void **state) {
    fixture_t *f = *state;
    store_txn_t *txn = begin(f, false);
    assert_int_equal(append(f, txn, 1), 1);
    store_abort(&txn);
    txn = begin(f, false);
    assert_int_equal(append(f, txn, 100), 1);
    assert_int_equal(store_commit(&txn), 0);
    visits_t *v = calloc(1, sizeof *v);
    assert_int_equal(read_committed(f, 1, 10, v), 1);
    assert_int_equal(v->indices[0], 100);
    free(v);
}

/* The group commit: request A commits its child, B's child aborts, C follows A directly. */
static void an_aborted_child_gives_its_numbers_back(void **state) {
    fixture_t *f = *state;
    store_txn_t *batch = begin(f, false);

    store_txn_t *a = child_of(batch);
    assert_int_equal(append(f, a, 10), 1);
    assert_int_equal(store_commit(&a), 0);

    store_txn_t *b = child_of(batch);
    assert_int_equal(append(f, b, 20), 2);
    assert_int_equal(append(f, b, 21), 3);
    store_abort(&b);
    assert_int_equal(outbox_head(f->outbox, batch), 1);

    store_txn_t *c = child_of(batch);
    assert_int_equal(append(f, c, 30), 2);
    assert_int_equal(store_commit(&c), 0);
    assert_int_equal(store_commit(&batch), 0);

    visits_t *v = calloc(1, sizeof *v);
    assert_int_equal(read_committed(f, 1, 10, v), 2);
    assert_int_equal(v->seqs[0], 1);
    assert_int_equal(v->indices[0], 10);
    assert_int_equal(v->seqs[1], 2);
    assert_int_equal(v->indices[1], 30);
    free(v);
}

/* Stored bytes of event `seq`, copied out (malloc'd). */
static uint8_t *stored_bytes(fixture_t *f, uint64_t seq, size_t *len) {
    store_txn_t *r = begin(f, true);
    store_table_t t;
    assert_int_equal(store_table(f->store, "outbox", &t), 0);
    uint8_t key[8];
    for (int i = 0; i < 8; i++) key[i] = (uint8_t) (seq >> (56 - 8 * i));
    const void *v;
    assert_int_equal(store_get(r, t, key, sizeof key, &v, len), 0);
    uint8_t *copy = malloc(*len);
    memcpy(copy, v, *len);
    store_abort(&r);
    return copy;
}

/* An event appended with its body packed already is stored as the very bytes protobuf-c packs
   for the event with that body in it. */
static void a_packed_body_is_stored_as_the_whole_event_packs(void **state) {
    fixture_t *f = *state;
    Lumbung__TestingEvent te = LUMBUNG__TESTING_EVENT__INIT;
    te.has_index = 1;
    te.index = 4242;
    uint8_t body[16];
    size_t body_len = lumbung__testing_event__pack(&te, body);
    Lumbung__Actor actor = LUMBUNG__ACTOR__INIT;
    actor.user = "teller";
    Lumbung__Event ev = LUMBUNG__EVENT__INIT;
    ev.actor = &actor;
    ev.trace_id = "trace-9";
    store_txn_t *txn = begin(f, false);
    pb_splice_field_t field = { LUMBUNG__EVENT__BODY_TESTING, body, body_len };
    assert_int_equal(outbox_append_packed(f->outbox, txn, &ev, &field), 1);
    assert_int_equal(store_commit(&txn), 0);
    ev.body_case = LUMBUNG__EVENT__BODY_TESTING;
    ev.testing = &te;
    uint8_t expected[256];
    size_t expected_len = lumbung__event__pack(&ev, expected), len;
    uint8_t *stored = stored_bytes(f, 1, &len);
    assert_int_equal(len, expected_len);
    assert_memory_equal(stored, expected, len);
    free(stored);
}

static void append_fills_in_stream_and_time_but_keeps_what_is_set(void **state) {
    fixture_t *f = *state;
    store_txn_t *txn = begin(f, false);
    Lumbung__Event ev = LUMBUNG__EVENT__INIT;
    int64_t before = envelope_now_ms();
    assert_int_equal(outbox_append(f->outbox, txn, &ev), 1);
    assert_int_equal(ev.has_seq, 1);
    assert_int_equal(ev.seq, 1);
    assert_string_equal(ev.stream, "members");
    assert_int_equal(ev.has_at_ms, 1);
    assert_true(ev.at_ms >= before && ev.at_ms <= before + 60 * 1000);

    Lumbung__Event explicit_ev = LUMBUNG__EVENT__INIT;
    explicit_ev.stream = "imported";
    explicit_ev.has_at_ms = 1;
    explicit_ev.at_ms = 1700000000000;
    assert_int_equal(outbox_append(f->outbox, txn, &explicit_ev), 2);
    assert_int_equal(store_commit(&txn), 0);

    visits_t *v = calloc(1, sizeof *v);
    assert_int_equal(read_committed(f, 2, 1, v), 1);
    assert_string_equal(v->stream, "imported");
    assert_int_equal(v->at_ms, 1700000000000);
    free(v);
}

static void read_starts_at_from_and_stops_at_max(void **state) {
    fixture_t *f = *state;
    store_txn_t *txn = begin(f, false);
    for (uint64_t i = 1; i <= 10; i++) append(f, txn, i);
    assert_int_equal(store_commit(&txn), 0);

    visits_t *v = calloc(1, sizeof *v);
    assert_int_equal(read_committed(f, 4, 3, v), 3);
    assert_int_equal(v->seqs[0], 4);
    assert_int_equal(v->seqs[2], 6);

    memset(v, 0, sizeof *v);
    assert_int_equal(read_committed(f, 0, 2, v), 2);    /* from 0 means from the start */
    assert_int_equal(v->seqs[0], 1);

    memset(v, 0, sizeof *v);
    assert_int_equal(read_committed(f, 9, 100, v), 2);  /* up to the head */
    assert_int_equal(v->seqs[1], 10);

    memset(v, 0, sizeof *v);
    assert_int_equal(read_committed(f, 11, 100, v), 0); /* past the head: nothing */
    assert_int_equal(read_committed(f, 1, 0, v), 0);    /* max 0: nothing */
    assert_int_equal(v->count, 0);
    free(v);
}

static void read_stops_when_the_visitor_says_so(void **state) {
    fixture_t *f = *state;
    store_txn_t *txn = begin(f, false);
    for (uint64_t i = 1; i <= 10; i++) append(f, txn, i);
    assert_int_equal(store_commit(&txn), 0);
    visits_t *v = calloc(1, sizeof *v);
    v->stop_after = 3;
    assert_int_equal(read_committed(f, 2, 100, v), 3);
    assert_int_equal(v->seqs[2], 4);
    free(v);
}

static void read_is_capped_at_the_replay_limit(void **state) {
    fixture_t *f = *state;
    store_txn_t *txn = begin(f, false);
    for (uint64_t i = 1; i <= OUTBOX_REPLAY_MAX + 5; i++) append(f, txn, i);
    assert_int_equal(store_commit(&txn), 0);
    visits_t *v = calloc(1, sizeof *v);
    assert_int_equal(read_committed(f, 1, UINT32_MAX, v), OUTBOX_REPLAY_MAX);
    assert_int_equal(v->seqs[OUTBOX_REPLAY_MAX - 1], OUTBOX_REPLAY_MAX);
    free(v);
}

/* The bytes are valid only during the call: unpack them there (the copy outlives the txn). */
static int unpack_visit(void *arg, uint64_t seq, const uint8_t *bytes, size_t len) {
    (void) seq;
    *(Lumbung__Event **) arg = lumbung__event__unpack(NULL, len, bytes);
    return 0;
}

static void large_events_round_trip(void **state) {
    fixture_t *f = *state;
    enum { TAG = 200 * 1024 };
    char *tag = malloc(TAG + 1);
    assert_non_null(tag);
    for (int i = 0; i < TAG; i++) tag[i] = (char) ('a' + i % 26);
    tag[TAG] = 0;
    Lumbung__Event ev = LUMBUNG__EVENT__INIT;
    Lumbung__TestingEvent te = LUMBUNG__TESTING_EVENT__INIT;
    te.tag = tag;
    ev.body_case = LUMBUNG__EVENT__BODY_TESTING;
    ev.testing = &te;
    store_txn_t *txn = begin(f, false);
    assert_int_equal(outbox_append(f->outbox, txn, &ev), 1);
    assert_int_equal(store_commit(&txn), 0);

    store_txn_t *r = begin(f, true);
    Lumbung__Event *back = NULL;
    assert_int_equal(outbox_read(f->outbox, r, 1, 1, unpack_visit, &back), 1);
    store_abort(&r);
    assert_non_null(back);
    assert_int_equal(back->seq, 1);
    assert_string_equal(back->testing->tag, tag);
    lumbung__event__free_unpacked(back, NULL);
    free(tag);
}

static void an_oversize_event_is_refused_and_changes_nothing(void **state) {
    fixture_t *f = *state;
    char *tag = malloc(OUTBOX_EVENT_MAX + 1);
    assert_non_null(tag);
    memset(tag, 'x', OUTBOX_EVENT_MAX);
    tag[OUTBOX_EVENT_MAX] = 0;
    Lumbung__Event ev = LUMBUNG__EVENT__INIT;
    Lumbung__TestingEvent te = LUMBUNG__TESTING_EVENT__INIT;
    te.tag = tag;
    ev.body_case = LUMBUNG__EVENT__BODY_TESTING;
    ev.testing = &te;
    store_txn_t *txn = begin(f, false);
    assert_int_equal(outbox_append(f->outbox, txn, &ev), -EMSGSIZE);
    /* Nothing was written, so the txn is still good for the next event. */
    assert_int_equal(outbox_head(f->outbox, txn), 0);
    assert_int_equal(append(f, txn, 1), 1);
    assert_int_equal(store_commit(&txn), 0);
    assert_int_equal(committed_head(f), 1);
    free(tag);
}

static void reopening_continues_after_the_stored_head(void **state) {
    fixture_t *f = *state;
    store_txn_t *txn = begin(f, false);
    append(f, txn, 1);
    append(f, txn, 2);
    assert_int_equal(store_commit(&txn), 0);
    outbox_destroy(&f->outbox);
    store_destroy(&f->store);
    int err = 0;
    f->store = store_new(f->dir, &err);
    assert_non_null(f->store);
    f->outbox = outbox_new(f->store, "members", &err);
    assert_non_null(f->outbox);
    assert_int_equal(committed_head(f), 2);
    txn = begin(f, false);
    assert_int_equal(append(f, txn, 3), 3);
    assert_int_equal(store_commit(&txn), 0);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void) {
    unit_quiet_logs("test_outbox");
    const struct CMUnitTest tests[] = {
        T(head_is_zero_when_empty),
        T(sequences_run_from_one_without_gaps),
        T(uncommitted_events_are_invisible_to_readers),
        T(append_after_abort_reuses_the_sequence),
        T(an_aborted_child_gives_its_numbers_back),
        T(append_fills_in_stream_and_time_but_keeps_what_is_set),
        T(read_starts_at_from_and_stops_at_max),
        T(read_stops_when_the_visitor_says_so),
        T(read_is_capped_at_the_replay_limit),
        T(large_events_round_trip),
        T(an_oversize_event_is_refused_and_changes_nothing),
        T(reopening_continues_after_the_stored_head),
        T(a_packed_body_is_stored_as_the_whole_event_packs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
