#include "outbox.h"
#include "bytes.h"
#include "envelope.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct outbox {
    store_t *store;
    store_table_t table;
    char stream[32];
};

outbox_t *outbox_new(store_t *store, const char *stream, int *err) {
    assert(store && stream && err);
    outbox_t *self = calloc(1, sizeof *self);
    if (!self) abort();
    self->store = store;
    snprintf(self->stream, sizeof self->stream, "%s", stream);
    int rc = store_table(store, "outbox", &self->table);
    if (rc != 0) {
        free(self);
        *err = rc;
        return NULL;
    }
    return self;
}

void outbox_destroy(outbox_t **self_p) {
    assert(self_p);
    free(*self_p);
    *self_p = NULL;
}

const char *outbox_stream(const outbox_t *self) { return self->stream; }

uint64_t outbox_head(outbox_t *self, store_txn_t *txn) {
    store_cursor_t *c;
    if (store_cursor_open(txn, self->table, &c) != 0) return 0;
    const void *k;
    size_t kl;
    uint64_t head = 0;
    if (store_cursor_last(c, &k, &kl, NULL, NULL) == 0 && kl == 8) head = be64_read(k);
    store_cursor_close(&c);
    return head;
}

/* The next number comes from the txn itself, so a child txn that aborts takes its numbers
   with it and the log stays gapless without any in-memory counter to roll back. */
static uint64_t stamp(outbox_t *self, store_txn_t *txn, Lumbung__Event *ev) {
    uint64_t seq = outbox_head(self, txn) + 1;
    ev->has_seq = 1;
    ev->seq = seq;
    if (!ev->stream) ev->stream = self->stream;
    if (!ev->has_at_ms) {
        ev->has_at_ms = 1;
        ev->at_ms = envelope_now_ms();
    }
    return seq;
}

/* Packs ev, then the packed body after it when there is one: Event's body fields have the
   highest numbers, so protobuf-c would have put it last as well. */
static int64_t append(outbox_t *self, store_txn_t *txn, Lumbung__Event *ev,
                      const pb_splice_field_t *body) {
    uint64_t seq = stamp(self, txn, ev);
    size_t head = protobuf_c_message_get_packed_size(&ev->base);
    size_t len = head + (body ? pb_splice_field_size(body) : 0);
    if (len > OUTBOX_EVENT_MAX) return -EMSGSIZE;
    uint8_t stackbuf[4096];
    uint8_t *buf = len <= sizeof stackbuf ? stackbuf : malloc(len);
    if (!buf) abort();
    protobuf_c_message_pack(&ev->base, buf);
    if (body) pb_splice_field(buf + head, body);
    uint8_t key[8];
    be64_write(key, seq);
    int rc = store_put(txn, self->table, key, sizeof key, buf, len, STORE_APPEND);
    if (buf != stackbuf) free(buf);
    if (rc != 0) return rc;
    return (int64_t) seq;
}

int64_t outbox_append(outbox_t *self, store_txn_t *txn, Lumbung__Event *ev) {
    assert(self && txn && ev);
    return append(self, txn, ev, NULL);
}

int64_t outbox_append_packed(outbox_t *self, store_txn_t *txn, Lumbung__Event *ev,
                             const pb_splice_field_t *body) {
    assert(self && txn && ev);
    if (!body) return append(self, txn, ev, NULL);
    assert(ev->body_case == LUMBUNG__EVENT__BODY__NOT_SET && !ev->base.n_unknown_fields);
    assert(body->field == LUMBUNG__EVENT__BODY_MEMBERS ||
           body->field == LUMBUNG__EVENT__BODY_TRANSACTIONS ||
           body->field == LUMBUNG__EVENT__BODY_TESTING);
    return append(self, txn, ev, body);
}

int outbox_read(outbox_t *self, store_txn_t *txn, uint64_t from, uint32_t max,
                outbox_visit_fn fn, void *arg) {
    assert(self && txn && fn);
    if (max > OUTBOX_REPLAY_MAX) max = OUTBOX_REPLAY_MAX;
    if (from == 0) from = 1;
    store_cursor_t *c;
    if (store_cursor_open(txn, self->table, &c) != 0) return 0;
    uint8_t key[8];
    be64_write(key, from);
    const void *k, *v;
    size_t kl, vl;
    int visited = 0;
    int rc = store_cursor_seek(c, key, sizeof key, &k, &kl, &v, &vl);
    while (rc == 0 && (uint32_t) visited < max) {
        uint64_t seq = be64_read(k);
        visited++;
        if (fn(arg, seq, v, vl) != 0) break;
        rc = store_cursor_next(c, &k, &kl, &v, &vl);
    }
    store_cursor_close(&c);
    return visited;
}
