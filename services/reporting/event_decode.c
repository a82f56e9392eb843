#include "event_decode.h"
#include "pbwire.h"

#include <assert.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>

/* Field numbers of proto/envelope.proto and proto/transactions.proto (protobuf-c exports
   none; a wrong one here makes the decoders' packed bytes differ, which the tests compare). */
enum {
    EVENT_SEQ = 1, EVENT_AT_MS = 2, EVENT_STREAM = 3, EVENT_ACTOR = 4, EVENT_TRACE_ID = 5,
    EVENT_TRANSACTIONS = LUMBUNG__EVENT__BODY_TRANSACTIONS,
    TX_ENTRIES_POSTED = LUMBUNG__TRANSACTIONS_EVENT__BODY_ENTRIES_POSTED,
    POSTED_ENTRIES = 1,
    ENTRY_ID = 1, ENTRY_COOPERATIVE_ID = 2, ENTRY_MEMO = 4, ENTRY_LINES = 5, ENTRY_KIND = 6,
    ENTRY_MEMBER_ID = 7, ENTRY_SAVINGS_KIND = 8, ENTRY_SAVINGS_DELTA = 9,
    ENTRY_REVERSES_ID = 10, ENTRY_POSTED_AT_MS = 11, ENTRY_POSTED_BY = 12,
    ENTRY_TIME_DEPOSIT_ID = 13, ENTRY_TOTAL = 14, ENTRY_LOAN_ID = 15, ENTRY_VALUE_DATE = 31,
    LINE_ACCOUNT = 1, LINE_DEBIT = 2, LINE_CREDIT = 3, LINE_MEMO = 4,
};

enum {
    ENTRY_LINES_MAX = 32,      /* lines read by hand; an entry with more goes to protobuf-c */
    TAG_BYTES_MAX = 5,         /* protobuf-c reads a tag of at most 5 bytes, */
    PREFIX_BYTES_MAX = 5,      /* a length prefix of at most 5 bytes and INT_MAX */
};

/* The next field, read as protobuf-c reads it: 1 read, 0 at the end, -1 anything the hand
   decoder leaves to protobuf-c (malformed, a fixed-width field: none of ours is one, or a
   tag or length protobuf-c would read otherwise). */
static inline int next_field(pbwire_t *r, pbwire_field_t *f) {
    if (r->at == r->end) return 0;
    uint64_t tag, n;
    size_t bytes;
    if (pbwire_varint_len(r, &tag, &bytes) != 0 || bytes > TAG_BYTES_MAX || tag > UINT32_MAX)
        return -1;
    f->number = (uint32_t) (tag >> 3);
    f->type = (int) (tag & 7);
    if (f->type == PBWIRE_VARINT) return pbwire_varint_len(r, &f->value, &bytes) == 0 ? 1 : -1;
    if (f->type != PBWIRE_BYTES) return -1;
    if (pbwire_varint_len(r, &n, &bytes) != 0 || bytes > PREFIX_BYTES_MAX || n > INT_MAX ||
        n > (uint64_t) (r->end - r->at))
        return -1;
    f->data = r->at;
    f->len = (size_t) n;
    r->at += n;
    return 1;
}

/* protobuf-c keeps the low 32 bits of a varint for an int32 or an enum, and unzigzags them
   for a sint32. */
static int32_t as_int32(uint64_t v) {
    return (int32_t) (uint32_t) v;
}

static int32_t as_sint32(uint64_t v) {
    uint32_t u = (uint32_t) v;
    return (int32_t) ((u >> 1) ^ (0u - (u & 1)));
}

/* A string field's copy, NUL-terminated as protobuf-c makes it, taken from the entry's text
   block: each copy (len + 1) is shorter than the field's own bytes (tag, prefix, len), so a
   block of the entry's size holds every string in it. */
static char *copy_text(char **block, const pbwire_field_t *f) {
    char *s = *block;
    memcpy(s, f->data, f->len);
    s[f->len] = '\0';
    *block += f->len + 1;
    return s;
}

/* One field of a JournalLine: false when it is not a known field of its wire type. */
static bool line_field(Lumbung__JournalLine *l, const pbwire_field_t *f, char **text) {
    if (f->type == PBWIRE_BYTES) {
        if (f->number == LINE_ACCOUNT) l->account = copy_text(text, f);
        else if (f->number == LINE_MEMO) l->memo = copy_text(text, f);
        else return false;
        return true;
    }
    if (f->number == LINE_DEBIT) l->has_debit_sen = 1, l->debit_sen = (int64_t) f->value;
    else if (f->number == LINE_CREDIT) l->has_credit_sen = 1, l->credit_sen = (int64_t) f->value;
    else return false;
    return true;
}

static bool line_by_hand(Lumbung__JournalLine *l, const pbwire_field_t *bytes, char **text) {
    lumbung__journal_line__init(l);
    pbwire_t r = pbwire_reader(bytes->data, bytes->len);
    pbwire_field_t f;
    int rc;
    while ((rc = next_field(&r, &f)) == 1)
        if (!line_field(l, &f, text)) return false;
    return rc == 0;
}

/* An entry as read in one pass: its scalars set, its strings and lines still wire bytes. */
typedef struct {
    Lumbung__JournalEntry e;
    pbwire_field_t memo, posted_by, lines[ENTRY_LINES_MAX];
    bool has_memo, has_posted_by;
    size_t n_lines;
} entry_read_t;

/* One field of a JournalEntry: false when it is not a known field of its wire type
   (opening_savings included). A string given twice: the last wins, as in protobuf-c. */
static bool entry_field(entry_read_t *in, const pbwire_field_t *f) {
    Lumbung__JournalEntry *e = &in->e;
    uint64_t v = f->value;
    if (f->type == PBWIRE_BYTES) {
        if (f->number == ENTRY_MEMO) in->memo = *f, in->has_memo = true;
        else if (f->number == ENTRY_POSTED_BY) in->posted_by = *f, in->has_posted_by = true;
        else if (f->number == ENTRY_LINES && in->n_lines < ENTRY_LINES_MAX)
            in->lines[in->n_lines++] = *f;
        else return false;
        return true;
    }
    switch (f->number) {
    case ENTRY_ID: e->has_id = 1, e->id = v; return true;
    case ENTRY_COOPERATIVE_ID: e->has_cooperative_id = 1, e->cooperative_id = v; return true;
    case ENTRY_VALUE_DATE: e->has_value_date = 1, e->value_date = as_sint32(v); return true;
    case ENTRY_KIND: e->has_kind = 1, e->kind = (Lumbung__EntryKind) as_int32(v); return true;
    case ENTRY_MEMBER_ID: e->has_member_id = 1, e->member_id = v; return true;
    case ENTRY_SAVINGS_KIND:
        e->has_savings_kind = 1, e->savings_kind = (Lumbung__SavingsKind) as_int32(v);
        return true;
    case ENTRY_SAVINGS_DELTA:
        e->has_savings_delta_sen = 1, e->savings_delta_sen = (int64_t) v;
        return true;
    case ENTRY_REVERSES_ID: e->has_reverses_id = 1, e->reverses_id = v; return true;
    case ENTRY_POSTED_AT_MS: e->has_posted_at_ms = 1, e->posted_at_ms = (int64_t) v; return true;
    case ENTRY_TIME_DEPOSIT_ID: e->has_time_deposit_id = 1, e->time_deposit_id = v; return true;
    case ENTRY_TOTAL: e->has_total_sen = 1, e->total_sen = (int64_t) v; return true;
    case ENTRY_LOAN_ID: e->has_loan_id = 1, e->loan_id = v; return true;
    default: return false;
    }
}

/* The entry by hand in one allocation (the entry, its array of line pointers as protobuf-c
   keeps it, NULL when there are none, the lines, their strings), or NULL when it is not of
   the known shape. */
static Lumbung__JournalEntry *entry_by_hand(arena_t *arena, const pbwire_field_t *bytes) {
    entry_read_t in;
    lumbung__journal_entry__init(&in.e);
    in.has_memo = in.has_posted_by = false;
    in.n_lines = 0;
    pbwire_t r = pbwire_reader(bytes->data, bytes->len);
    pbwire_field_t f;
    int rc;
    while ((rc = next_field(&r, &f)) == 1)
        if (!entry_field(&in, &f)) return NULL;
    if (rc != 0) return NULL;
    size_t n = in.n_lines;
    size_t size = sizeof(Lumbung__JournalEntry) + n * sizeof(Lumbung__JournalLine *) +
                  n * sizeof(Lumbung__JournalLine) + bytes->len;
    Lumbung__JournalEntry *e = arena_alloc(arena, size);
    *e = in.e;
    Lumbung__JournalLine **list = (Lumbung__JournalLine **) (e + 1);
    Lumbung__JournalLine *each = (Lumbung__JournalLine *) (list + n);
    char *text = (char *) (each + n);
    if (in.has_memo) e->memo = copy_text(&text, &in.memo);
    if (in.has_posted_by) e->posted_by = copy_text(&text, &in.posted_by);
    for (size_t i = 0; i < n; i++) {
        if (!line_by_hand(&each[i], &in.lines[i], &text)) return NULL;
        list[i] = &each[i];
    }
    e->n_lines = n;
    e->lines = n ? list : NULL;
    return e;
}

/* An entry by hand, or by protobuf-c when it is not of the known shape: NULL when protobuf-c
   cannot unpack it either. */
static Lumbung__JournalEntry *entry_decode(arena_t *arena, const pbwire_field_t *bytes,
                                           size_t *unpacked) {
    Lumbung__JournalEntry *e = entry_by_hand(arena, bytes);
    if (e) return e;
    (*unpacked)++;
    ProtobufCAllocator alloc = arena_allocator(arena);
    return lumbung__journal_entry__unpack(&alloc, bytes->len, bytes->data);
}

/* EntriesPosted: field 1 only, each occurrence an entry. */
static Lumbung__EntriesPosted *posted_decode(arena_t *arena, const pbwire_field_t *bytes,
                                             size_t *unpacked) {
    pbwire_t r = pbwire_reader(bytes->data, bytes->len);
    pbwire_field_t f;
    size_t n = 0;
    int rc;
    while ((rc = next_field(&r, &f)) == 1)
        if (f.number != POSTED_ENTRIES || f.type != PBWIRE_BYTES) return NULL;
        else n++;
    if (rc != 0) return NULL;
    Lumbung__EntriesPosted *p = arena_message(arena, &lumbung__entries_posted__descriptor);
    if (n == 0) return p;
    p->entries = arena_alloc(arena, n * sizeof *p->entries);
    r = pbwire_reader(bytes->data, bytes->len);
    while (next_field(&r, &f) == 1) {
        if (!(p->entries[p->n_entries] = entry_decode(arena, &f, unpacked))) return NULL;
        p->n_entries++;
    }
    return p;
}

/* The transactions body: its entries_posted given once, nothing else. */
static Lumbung__TransactionsEvent *transactions_decode(arena_t *arena, const pbwire_field_t *bytes,
                                                       size_t *unpacked) {
    pbwire_t r = pbwire_reader(bytes->data, bytes->len);
    pbwire_field_t f, posted = { .number = 0 };
    int rc, found = 0;
    while ((rc = next_field(&r, &f)) == 1) {
        if (f.number != TX_ENTRIES_POSTED || f.type != PBWIRE_BYTES || found++) return NULL;
        posted = f;
    }
    if (rc != 0 || !found) return NULL;
    Lumbung__TransactionsEvent *tx = arena_message(arena, &lumbung__transactions_event__descriptor);
    tx->body_case = LUMBUNG__TRANSACTIONS_EVENT__BODY_ENTRIES_POSTED;
    tx->entries_posted = posted_decode(arena, &posted, unpacked);
    return tx->entries_posted ? tx : NULL;
}

/* The fields of an Event outside its body; the actor and the body are kept for the caller
   (each may be given once: protobuf-c merges a repeated message). */
typedef struct {
    pbwire_field_t actor, body;
    int actors, bodies;
} event_parts_t;

static bool event_field(arena_t *arena, Lumbung__Event *ev, const pbwire_field_t *f,
                        event_parts_t *parts) {
    bool bytes = f->type == PBWIRE_BYTES;
    switch (f->number) {
    case EVENT_SEQ: if (bytes) return false; ev->has_seq = 1, ev->seq = f->value; return true;
    case EVENT_AT_MS:
        if (bytes) return false;
        ev->has_at_ms = 1, ev->at_ms = (int64_t) f->value;
        return true;
    case EVENT_STREAM:
        if (!bytes) return false;
        ev->stream = arena_strndup(arena, f->data, f->len);
        return true;
    case EVENT_TRACE_ID:
        if (!bytes) return false;
        ev->trace_id = arena_strndup(arena, f->data, f->len);
        return true;
    case EVENT_ACTOR: parts->actor = *f; return bytes && parts->actors++ == 0;
    case EVENT_TRANSACTIONS: parts->body = *f; return bytes && parts->bodies++ == 0;
    default: return false;
    }
}

Lumbung__Event *reporting_event_decode_by_hand(arena_t *arena, const uint8_t *wire, size_t len,
                                              size_t *unpacked) {
    assert(arena && unpacked);
    *unpacked = 0;
    if (!wire) return NULL;
    Lumbung__Event *ev = arena_message(arena, &lumbung__event__descriptor);
    event_parts_t parts = { .actors = 0 };
    pbwire_t r = pbwire_reader(wire, len);
    pbwire_field_t f;
    int rc;
    while ((rc = next_field(&r, &f)) == 1)
        if (!event_field(arena, ev, &f, &parts)) return NULL;
    if (rc != 0 || parts.bodies != 1) return NULL;
    if (parts.actors) {
        ProtobufCAllocator alloc = arena_allocator(arena);
        ev->actor = lumbung__actor__unpack(&alloc, parts.actor.len, parts.actor.data);
        if (!ev->actor) return NULL;
    }
    ev->body_case = LUMBUNG__EVENT__BODY_TRANSACTIONS;
    ev->transactions = transactions_decode(arena, &parts.body, unpacked);
    return ev->transactions ? ev : NULL;
}

Lumbung__Event *reporting_event_decode(arena_t *arena, const uint8_t *wire, size_t len) {
    size_t unpacked;
    Lumbung__Event *ev = reporting_event_decode_by_hand(arena, wire, len, &unpacked);
    if (ev) return ev;
    ProtobufCAllocator alloc = arena_allocator(arena);
    return lumbung__event__unpack(&alloc, len, wire);
}
