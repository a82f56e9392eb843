/* event_decode (reporting): the transactions service's EntriesPosted events decoded by hand
   give exactly what protobuf-c's unpack gives — every field a report reads (ids, a value date
   before 1970, amounts, a negative savings delta, strings empty or absent, the lines in
   order) — and every other byte string decodes, or fails, as protobuf-c has it: an opening
   entry, an unknown field, another body, a body or an actor given twice (which protobuf
   merges), an over-long tag, a ten-byte enum, more lines than the hand decoder keeps,
   truncated bytes, and 20,000 seeded mutations of a real event. "As protobuf-c has it" is
   checked by packing both results and comparing the bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"
#include "../../services/reporting/event_decode.h"

enum { ENTRIES = 3, LINES = 2, MANY_LINES = 40 };

typedef struct {
    arena_t *arena;
    Lumbung__JournalLine lines[ENTRIES][MANY_LINES];
    Lumbung__JournalLine *line_list[ENTRIES][MANY_LINES];
    Lumbung__JournalEntry entries[ENTRIES];
    Lumbung__JournalEntry *list[ENTRIES];
    Lumbung__EntriesPosted posted;
    Lumbung__TransactionsEvent tx;
    Lumbung__Actor actor;
    Lumbung__Event event;
} fixture_t;

static void fill_entry(fixture_t *w, int i) {
    Lumbung__JournalEntry e = LUMBUNG__JOURNAL_ENTRY__INIT;
    e.has_id = e.has_cooperative_id = e.has_value_date = e.has_kind = 1;
    e.id = 9000000000ull + (uint64_t) i;
    e.cooperative_id = 17;
    e.value_date = i == 1 ? unit_day("1969-12-31") : unit_day("2026-03-01");
    e.kind = LUMBUNG__ENTRY_KIND__ENTRY_KIND_DEPOSIT;
    e.memo = i == 2 ? (char *) "" : (char *) "setoran sukarela";
    e.has_member_id = e.has_savings_kind = e.has_savings_delta_sen = 1;
    e.member_id = 1000 + (uint64_t) i;
    e.savings_kind = LUMBUNG__SAVINGS_KIND__SAVINGS_KIND_VOLUNTARY;
    e.savings_delta_sen = i == 1 ? -106618546 : 106618546;
    e.has_posted_at_ms = e.has_total_sen = 1;
    e.posted_at_ms = 1796083200123;
    e.total_sen = 106618546;
    e.posted_by = i == 0 ? (char *) "operator-17" : NULL;
    if (i == 0) {                                   /* every other field, on one entry */
        e.has_reverses_id = e.has_time_deposit_id = e.has_loan_id = 1;
        e.reverses_id = 8999999999ull;
        e.time_deposit_id = 31;
        e.loan_id = 77;
    }
    for (int j = 0; j < LINES; j++) {
        Lumbung__JournalLine l = LUMBUNG__JOURNAL_LINE__INIT;
        l.account = j ? (char *) "2101" : (char *) "1101";
        if (j) l.has_credit_sen = 1, l.credit_sen = 106618546;
        else l.has_debit_sen = 1, l.debit_sen = 106618546;
        l.memo = j ? (char *) "simpanan sukarela" : NULL;
        w->lines[i][j] = l;
        w->line_list[i][j] = &w->lines[i][j];
    }
    e.n_lines = LINES;
    e.lines = w->line_list[i];
    w->entries[i] = e;
    w->list[i] = &w->entries[i];
}

static int setup(void **state) {
    fixture_t *w = calloc(1, sizeof *w);
    assert_non_null(w);
    w->arena = arena_new();
    for (int i = 0; i < ENTRIES; i++) fill_entry(w, i);
    w->posted = (Lumbung__EntriesPosted) LUMBUNG__ENTRIES_POSTED__INIT;
    w->posted.n_entries = ENTRIES;
    w->posted.entries = w->list;
    w->tx = (Lumbung__TransactionsEvent) LUMBUNG__TRANSACTIONS_EVENT__INIT;
    w->tx.body_case = LUMBUNG__TRANSACTIONS_EVENT__BODY_ENTRIES_POSTED;
    w->tx.entries_posted = &w->posted;
    w->actor = (Lumbung__Actor) LUMBUNG__ACTOR__INIT;
    w->actor.user = (char *) "operator-17";
    w->actor.has_role = 1;
    w->actor.role = LUMBUNG__ROLE__ROLE_OPERATOR;
    w->event = (Lumbung__Event) LUMBUNG__EVENT__INIT;
    w->event.has_seq = w->event.has_at_ms = 1;
    w->event.seq = 42;
    w->event.at_ms = 1796083200456;
    w->event.stream = (char *) "transactions.0";
    w->event.trace_id = (char *) "req-5f1c";
    w->event.actor = &w->actor;
    w->event.body_case = LUMBUNG__EVENT__BODY_TRANSACTIONS;
    w->event.transactions = &w->tx;
    *state = w;
    return 0;
}

static int teardown(void **state) {
    fixture_t *w = *state;
    arena_destroy(&w->arena);
    free(w);
    return 0;
}

static uint8_t *pack(arena_t *arena, const ProtobufCMessage *m, size_t *len) {
    *len = protobuf_c_message_get_packed_size(m);
    uint8_t *buf = arena_alloc(arena, *len + 1);
    assert_int_equal(protobuf_c_message_pack(m, buf), *len);
    return buf;
}

/* Decodes wire both ways: both fail, or both give an event that packs to the same bytes.
   Returns the hand decoder's event (NULL when both failed). */
static Lumbung__Event *decodes_as_protobuf_c(arena_t *arena, const uint8_t *wire, size_t len) {
    Lumbung__Event *mine = reporting_event_decode(arena, wire, len);
    Lumbung__Event *theirs = lumbung__event__unpack(NULL, len, wire);
    assert_int_equal(mine == NULL, theirs == NULL);
    if (!theirs) return NULL;
    size_t a, b;
    const uint8_t *mine_bytes = pack(arena, &mine->base, &a);
    const uint8_t *their_bytes = pack(arena, &theirs->base, &b);
    assert_int_equal(a, b);
    assert_memory_equal(mine_bytes, their_bytes, a);
    lumbung__event__free_unpacked(theirs, NULL);
    return mine;
}

/* The fixture's event packed, then decoded both ways. */
static Lumbung__Event *decode_event(fixture_t *w) {
    size_t len;
    const uint8_t *wire = pack(w->arena, &w->event.base, &len);
    return decodes_as_protobuf_c(w->arena, wire, len);
}

/* Appends a varint to out at *n. */
static void put_varint(uint8_t *out, size_t *n, uint64_t v) {
    for (;; v >>= 7) {
        out[(*n)++] = (uint8_t) (v & 0x7f) | (v >= 0x80 ? 0x80 : 0);
        if (v < 0x80) break;
    }
}

/* Appends a length-delimited field. */
static void put_bytes(uint8_t *out, size_t *n, uint32_t number, const uint8_t *body, size_t len) {
    put_varint(out, n, (uint64_t) number << 3 | 2);
    put_varint(out, n, len);
    memcpy(out + *n, body, len);
    *n += len;
}

/* The event's bytes with `extra` (a field's bytes) appended to its first entry, wrapped
   again as entry, EntriesPosted, TransactionsEvent and Event (whose other fields follow). */
static uint8_t *with_entry_field(fixture_t *w, const uint8_t *extra, size_t extra_len,
                                 size_t *len) {
    size_t elen, rest_len;
    w->posted.n_entries = 1;
    const uint8_t *entry = pack(w->arena, &w->entries[0].base, &elen);
    size_t cap = elen + extra_len + 256;
    uint8_t *e2 = arena_alloc(w->arena, cap), *p = arena_alloc(w->arena, cap),
            *t = arena_alloc(w->arena, cap), *ev = arena_alloc(w->arena, 2 * cap);
    memcpy(e2, entry, elen);
    memcpy(e2 + elen, extra, extra_len);
    size_t pn = 0, tn = 0, n = 0;
    put_bytes(p, &pn, 1, e2, elen + extra_len);
    put_bytes(t, &tn, LUMBUNG__TRANSACTIONS_EVENT__BODY_ENTRIES_POSTED, p, pn);
    put_bytes(ev, &n, LUMBUNG__EVENT__BODY_TRANSACTIONS, t, tn);
    w->event.body_case = LUMBUNG__EVENT__BODY__NOT_SET;      /* the rest of the event */
    const uint8_t *rest = pack(w->arena, &w->event.base, &rest_len);
    memcpy(ev + n, rest, rest_len);
    *len = n + rest_len;
    return ev;
}

/* The fixture's event with `extra` at the end of its first entry, decoded both ways. */
static Lumbung__Event *decode_with(fixture_t *w, const uint8_t *extra, size_t extra_len) {
    size_t len;
    const uint8_t *wire = with_entry_field(w, extra, extra_len, &len);
    return decodes_as_protobuf_c(w->arena, wire, len);
}

static void an_entries_posted_event_gives_every_field(void **state) {
    fixture_t *w = *state;
    size_t len, unpacked;
    const uint8_t *wire = pack(w->arena, &w->event.base, &len);
    Lumbung__Event *ev = decodes_as_protobuf_c(w->arena, wire, len);
    assert_non_null(ev);
    assert_non_null(reporting_event_decode_by_hand(w->arena, wire, len, &unpacked));
    assert_int_equal(unpacked, 0);                      /* every entry read by hand */
    assert_int_equal(ev->seq, 42);
    assert_int_equal(ev->at_ms, 1796083200456);
    assert_string_equal(ev->stream, "transactions.0");
    assert_string_equal(ev->trace_id, "req-5f1c");
    assert_string_equal(ev->actor->user, "operator-17");
    assert_int_equal(ev->actor->role, LUMBUNG__ROLE__ROLE_OPERATOR);
    assert_int_equal(ev->body_case, LUMBUNG__EVENT__BODY_TRANSACTIONS);
    assert_int_equal(ev->transactions->body_case, LUMBUNG__TRANSACTIONS_EVENT__BODY_ENTRIES_POSTED);
    const Lumbung__EntriesPosted *p = ev->transactions->entries_posted;
    assert_int_equal(p->n_entries, ENTRIES);
    const Lumbung__JournalEntry *e = p->entries[1];
    assert_int_equal(e->id, 9000000001ull);
    assert_int_equal(e->cooperative_id, 17);
    assert_true(e->has_value_date);
    assert_int_equal(e->value_date, -1);                  /* 31/12/1969 */
    assert_int_equal(e->savings_delta_sen, -106618546);   /* Rp -1.066.185,46 */
    assert_int_equal(e->kind, LUMBUNG__ENTRY_KIND__ENTRY_KIND_DEPOSIT);
    assert_int_equal(e->savings_kind, LUMBUNG__SAVINGS_KIND__SAVINGS_KIND_VOLUNTARY);
    assert_false(e->has_loan_id);
    assert_int_equal(p->entries[0]->reverses_id, 8999999999ull);
    assert_int_equal(p->entries[0]->time_deposit_id, 31);
    assert_int_equal(p->entries[0]->loan_id, 77);
    assert_null(e->posted_by);
    assert_string_equal(p->entries[0]->posted_by, "operator-17");
    assert_string_equal(p->entries[2]->memo, "");          /* empty, not absent */
    assert_int_equal(e->n_lines, LINES);
    assert_string_equal(e->lines[0]->account, "1101");
    assert_int_equal(e->lines[0]->debit_sen, 106618546);
    assert_false(e->lines[0]->has_credit_sen);
    assert_null(e->lines[0]->memo);
    assert_string_equal(e->lines[1]->account, "2101");
    assert_int_equal(e->lines[1]->credit_sen, 106618546);
    assert_string_equal(e->lines[1]->memo, "simpanan sukarela");
}

static void an_event_without_entries_or_lines_decodes_alike(void **state) {
    fixture_t *w = *state;
    w->entries[0].n_lines = 0;
    w->posted.n_entries = 1;
    Lumbung__Event *ev = decode_event(w);
    assert_int_equal(ev->transactions->entries_posted->entries[0]->n_lines, 0);
    assert_null(ev->transactions->entries_posted->entries[0]->lines);
    w->posted.n_entries = 0;
    ev = decode_event(w);
    assert_int_equal(ev->transactions->entries_posted->n_entries, 0);
    w->event.actor = NULL;
    w->event.stream = w->event.trace_id = NULL;
    ev = decode_event(w);
    assert_null(ev->actor);
    assert_null(ev->stream);
}

static void an_opening_entry_and_many_lines_decode_alike(void **state) {
    fixture_t *w = *state;
    Lumbung__OpeningSavings open = LUMBUNG__OPENING_SAVINGS__INIT;
    open.has_member_id = 1;
    open.member_id = 1000;
    Lumbung__OpeningSavings *opens[] = { &open };
    w->entries[0].n_opening_savings = 1;
    w->entries[0].opening_savings = opens;
    for (int j = LINES; j < MANY_LINES; j++) {
        w->lines[1][j] = w->lines[1][j % LINES];
        w->line_list[1][j] = &w->lines[1][j];
    }
    w->entries[1].n_lines = MANY_LINES;
    Lumbung__Event *ev = decode_event(w);
    const Lumbung__EntriesPosted *p = ev->transactions->entries_posted;
    size_t len, unpacked;
    const uint8_t *wire = pack(w->arena, &w->event.base, &len);
    assert_non_null(reporting_event_decode_by_hand(w->arena, wire, len, &unpacked));
    assert_int_equal(unpacked, 2);      /* the opening entry, and the one of 40 lines */
    assert_int_equal(p->entries[0]->n_opening_savings, 1);
    assert_int_equal(p->entries[0]->opening_savings[0]->member_id, 1000);
    assert_int_equal(p->entries[1]->n_lines, MANY_LINES);
    assert_string_equal(p->entries[2]->lines[1]->account, "2101");
}

static void other_bodies_decode_alike(void **state) {
    fixture_t *w = *state;
    Lumbung__MembersEvent members = LUMBUNG__MEMBERS_EVENT__INIT;
    w->event.body_case = LUMBUNG__EVENT__BODY_MEMBERS;
    w->event.members = &members;
    Lumbung__Event *ev = decode_event(w);
    assert_int_equal(ev->body_case, LUMBUNG__EVENT__BODY_MEMBERS);
    Lumbung__LoanApplied applied = LUMBUNG__LOAN_APPLIED__INIT;
    w->tx.body_case = LUMBUNG__TRANSACTIONS_EVENT__BODY_LOAN_APPLIED;
    w->tx.loan_applied = &applied;
    w->event.body_case = LUMBUNG__EVENT__BODY_TRANSACTIONS;
    w->event.transactions = &w->tx;
    ev = decode_event(w);
    assert_int_equal(ev->transactions->body_case, LUMBUNG__TRANSACTIONS_EVENT__BODY_LOAN_APPLIED);
    w->event.body_case = LUMBUNG__EVENT__BODY__NOT_SET;
    ev = decode_event(w);
    assert_int_equal(ev->body_case, LUMBUNG__EVENT__BODY__NOT_SET);
    assert_null(decodes_as_protobuf_c(w->arena, (const uint8_t *) "\x0a", 1));
}

static void fields_given_twice_merge_as_protobuf_c_merges(void **state) {
    fixture_t *w = *state;
    size_t len, alen, tlen;
    const uint8_t *wire = pack(w->arena, &w->event.base, &len);
    Lumbung__Actor other = LUMBUNG__ACTOR__INIT;
    other.has_cooperative_id = 1;
    other.cooperative_id = 17;
    const uint8_t *actor = pack(w->arena, &other.base, &alen);
    const uint8_t *tx = pack(w->arena, &w->tx.base, &tlen);
    uint8_t *twice = arena_alloc(w->arena, len + alen + tlen + 64);
    size_t n = len;
    memcpy(twice, wire, len);
    put_bytes(twice, &n, 4, actor, alen);                  /* a second actor: merged */
    Lumbung__Event *ev = decodes_as_protobuf_c(w->arena, twice, n);
    assert_string_equal(ev->actor->user, "operator-17");
    assert_int_equal(ev->actor->cooperative_id, 17);
    put_bytes(twice, &n, LUMBUNG__EVENT__BODY_TRANSACTIONS, tx, tlen);   /* the body again: */
    ev = decodes_as_protobuf_c(w->arena, twice, n);            /* protobuf-c keeps the last */
    assert_int_equal(ev->transactions->entries_posted->n_entries, ENTRIES);
    n = len;
    put_varint(twice, &n, 1 << 3);                          /* seq again: the last wins */
    put_varint(twice, &n, 43);
    ev = decodes_as_protobuf_c(w->arena, twice, n);
    assert_int_equal(ev->seq, 43);
}

static void unusual_encodings_of_an_entry_decode_alike(void **state) {
    fixture_t *w = *state;
    Lumbung__Event *ev;
    /* An unknown field (number 99, a varint): protobuf-c keeps it, and packs it again. */
    const uint8_t unknown[] = { 0x98, 0x06, 0x07 };
    ev = decode_with(w, unknown, sizeof unknown);
    assert_int_equal(ev->transactions->entries_posted->entries[0]->base.n_unknown_fields, 1);
    /* loan_id (15) with a five-byte tag: still field 15. */
    const uint8_t long_tag[] = { 0xf8, 0x80, 0x80, 0x80, 0x00, 0x05 };
    ev = decode_with(w, long_tag, sizeof long_tag);
    assert_int_equal(ev->transactions->entries_posted->entries[0]->loan_id, 5);
    /* A six-byte tag, which protobuf-c refuses. */
    const uint8_t longer_tag[] = { 0xf8, 0x80, 0x80, 0x80, 0x80, 0x00, 0x05 };
    assert_null(decode_with(w, longer_tag, sizeof longer_tag));
    /* kind (6) as a ten-byte varint of -1: the low 32 bits. */
    const uint8_t ten[] = { 0x30, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 };
    ev = decode_with(w, ten, sizeof ten);
    assert_int_equal((int) ev->transactions->entries_posted->entries[0]->kind, -1);
    /* member_id (7) with the wrong wire type (fixed64): protobuf-c refuses the event. */
    const uint8_t fixed[] = { 0x39, 1, 2, 3, 4, 5, 6, 7, 8 };
    assert_null(decode_with(w, fixed, sizeof fixed));
    /* A string (memo, 4) whose length runs past the entry. */
    const uint8_t cut[] = { 0x22, 0x7f, 'a' };
    assert_null(decode_with(w, cut, sizeof cut));
}

static void truncated_bytes_fail_alike(void **state) {
    fixture_t *w = *state;
    size_t len;
    const uint8_t *wire = pack(w->arena, &w->event.base, &len);
    for (size_t n = 0; n < len; n++) {
        uint8_t *copy = arena_alloc(w->arena, n + 1);
        memcpy(copy, wire, n);
        decodes_as_protobuf_c(w->arena, copy, n);
    }
}

static uint64_t next_random(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void seeded_mutations_decode_alike(void **state) {
    fixture_t *w = *state;
    size_t len;
    const uint8_t *packed = pack(w->arena, &w->event.base, &len);
    uint8_t *wire = malloc(len), *copy = malloc(len);     /* outside the arena reset below */
    assert_non_null(wire);
    assert_non_null(copy);
    memcpy(wire, packed, len);
    uint64_t seed = 0x5eed2026;
    int decoded = 0;
    for (int round = 0; round < 20000; round++) {
        arena_reset(w->arena);
        memcpy(copy, wire, len);
        size_t n = len;
        int changes = 1 + (int) (next_random(&seed) % 3);
        for (int c = 0; c < changes; c++) {
            uint64_t r = next_random(&seed);
            size_t at = (size_t) (r >> 8) % n;
            if ((r & 3) == 0) copy[at] ^= (uint8_t) (1u << ((r >> 4) & 7));
            else if ((r & 3) == 1) copy[at] = (uint8_t) (r >> 32);
            else if ((r & 3) == 2) copy[at] = 0x80 | copy[at];
            else n = at + 1;                                  /* cut after at */
        }
        decoded += decodes_as_protobuf_c(w->arena, copy, n) != NULL;
    }
    assert_in_range(decoded, 2000, 18000);     /* both outcomes well covered */
    free(copy);
    free(wire);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        T(an_entries_posted_event_gives_every_field),
        T(an_event_without_entries_or_lines_decodes_alike),
        T(an_opening_entry_and_many_lines_decode_alike),
        T(other_bodies_decode_alike),
        T(fields_given_twice_merge_as_protobuf_c_merges),
        T(unusual_encodings_of_an_entry_decode_alike),
        T(truncated_bytes_fail_alike),
        T(seeded_mutations_decode_alike),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
