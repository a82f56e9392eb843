#include "client.h"
#include "arena.h"
#include "call_batch.h"
#include "envelope.h"
#include "log.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A request id is (generation << 16) | slot, so a reply finds its pending entry in O(1) and a
   late reply for a recycled slot is recognised by its generation and dropped. */
enum { SLOT_BITS = 16, SLOT_MASK = (1 << SLOT_BITS) - 1, TIMER_MIN_MS = 5 };
_Static_assert(CLIENT_PENDING_MAX == 1 << SLOT_BITS, "slots must match the pending limit");

typedef struct {
    uint64_t request_id;           /* 0 when free */
    int64_t deadline_ms;
    client_reply_fn fn;
    void *arg;
    int heap_index;
} pending_t;

struct client {
    bus_socket_t *socket;
    char service[64];
    uv_timer_t timer;
    pending_t *slots;              /* CLIENT_PENDING_MAX */
    int *free_slots;               /* stack of free slot numbers */
    int free_count;
    int *heap;                     /* slot numbers ordered by deadline (min-heap) */
    int heap_count;
    uint64_t generation;
    arena_t *arena;                /* for unpacking replies */
    /* The requests made during this turn of the loop, sent as one message before the loop
       next waits (on_flush): a batch of one goes as the request alone (call_batch.h). */
    call_batch_t out;
    uint64_t out_ids[CALL_BATCH_CALLS];
    uv_prepare_t flush;
    int out_failed;                /* 0, or the status of a send of `out` refused this turn:
                                      `out` then waits for on_flush to call its callers back,
                                      and new calls fail at once, as they did unbatched */
    int handles_open;
};

/* ---- deadline heap ---- */

static int64_t heap_key(client_t *c, int i) { return c->slots[c->heap[i]].deadline_ms; }

static void heap_swap(client_t *c, int a, int b) {
    int t = c->heap[a];
    c->heap[a] = c->heap[b];
    c->heap[b] = t;
    c->slots[c->heap[a]].heap_index = a;
    c->slots[c->heap[b]].heap_index = b;
}

static void heap_up(client_t *c, int i) {
    while (i > 0 && heap_key(c, (i - 1) / 2) > heap_key(c, i)) {
        heap_swap(c, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

static void heap_down(client_t *c, int i) {
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < c->heap_count && heap_key(c, l) < heap_key(c, m)) m = l;
        if (r < c->heap_count && heap_key(c, r) < heap_key(c, m)) m = r;
        if (m == i) return;
        heap_swap(c, i, m);
        i = m;
    }
}

static void heap_remove(client_t *c, int i) {
    c->heap_count--;
    if (i == c->heap_count) return;
    heap_swap(c, i, c->heap_count);
    heap_up(c, i);
    heap_down(c, i);
}

/* ---- pending entries ---- */

static void pending_release(client_t *c, int slot) {
    pending_t *p = &c->slots[slot];
    heap_remove(c, p->heap_index);
    p->request_id = 0;
    p->fn = NULL;
    c->free_slots[c->free_count++] = slot;
}

static void finish(client_t *c, int slot, int status, const Lumbung__Reply *reply) {
    pending_t p = c->slots[slot];
    pending_release(c, slot);
    p.fn(p.arg, status, reply);
}

static void arm_timer(client_t *c);

static void on_timer(uv_timer_t *t) {
    client_t *c = t->data;
    int64_t now = envelope_now_ms();
    while (c->heap_count > 0 && heap_key(c, 0) <= now)
        finish(c, c->heap[0], ERR_TIMEOUT, NULL);
    arm_timer(c);
}

static void arm_timer(client_t *c) {
    if (c->heap_count == 0) {
        uv_timer_stop(&c->timer);
        return;
    }
    int64_t wait = heap_key(c, 0) - envelope_now_ms();
    if (wait < TIMER_MIN_MS) wait = TIMER_MIN_MS;
    uv_timer_start(&c->timer, on_timer, (uint64_t) wait, 0);
}

static void take_reply(client_t *c, const uint8_t *bytes, size_t len) {
    arena_reset(c->arena);
    ProtobufCAllocator alloc = arena_allocator(c->arena);
    Lumbung__Reply *reply = lumbung__reply__unpack(&alloc, len, bytes);
    if (!reply || !reply->has_request_id) {
        log_warn(0, "client: undecodable reply from %s (%zu bytes) dropped", c->service, len);
        return;
    }
    int slot = (int) (reply->request_id & SLOT_MASK);
    if (c->slots[slot].request_id != reply->request_id) return;   /* late: already timed out */
    finish(c, slot, CLIENT_OK, reply);
}

static void on_reply(bus_socket_t *socket, bus_msg_t *msg, void *arg) {
    (void) socket;
    client_t *c = arg;
    /* DEALER strips the routing frame; one frame = one Reply, or several (call_batch.h). */
    zmq_msg_t *frame = &msg->frames[msg->count - 1];
    const uint8_t *bytes = zmq_msg_data(frame);
    size_t len = zmq_msg_size(frame);
    call_batch_part_t parts[CALL_BATCH_ACCEPT_MAX];
    int n = call_batch_split(bytes, len, parts, CALL_BATCH_ACCEPT_MAX);
    if (n < 0)
        log_warn(0, "client: malformed batch of replies from %s (%zu bytes) dropped", c->service, len);
    else if (n == 0)
        take_reply(c, bytes, len);
    for (int i = 0; i < n; i++) take_reply(c, parts[i].data, parts[i].len);
    arm_timer(c);
}

/* Sends one frame, without the empty delimiter a REQ socket would add, since CURVE boxes
   every frame on its own, and the service answers in the shape it was asked (docs/bus.md).
   0, or the status the frame's calls get: a send refused (no connection; the DEALER is
   immediate) delivered none of them. */
static int send_frame(client_t *c, const uint8_t *bytes, size_t len) {
    const void *parts[1] = { bytes };
    size_t sizes[1] = { len };
    int rc = bus_send(c->socket, parts, sizes, 1);
    return rc == -EAGAIN ? ERR_UNAVAILABLE : rc;
}

/* Sends what this turn's calls packed as one message; the batch is then empty. */
static int send_out(client_t *c) {
    size_t len;
    const uint8_t *bytes = call_batch_message(&c->out, &len);
    if (!bytes) return 0;
    int rc = send_frame(c, bytes, len);
    if (rc == 0) call_batch_clear(&c->out);
    return rc;
}

/* Calls back each call of a batch that could not be sent with its status, which a caller may
   treat as not sent (services/gateway/call.c retries ERR_UNAVAILABLE). */
static void fail_out(client_t *c) {
    int count = c->out.count, status = c->out_failed;
    uint64_t ids[CALL_BATCH_CALLS];
    memcpy(ids, c->out_ids, (size_t) count * sizeof ids[0]);
    call_batch_clear(&c->out);
    c->out_failed = 0;             /* the callbacks may call again */
    for (int i = 0; i < count; i++) {
        int slot = (int) (ids[i] & SLOT_MASK);
        if (c->slots[slot].request_id == ids[i]) finish(c, slot, status, NULL);
    }
    arm_timer(c);
}

static void on_flush(uv_prepare_t *h);

/* The first call of a turn goes out at once, alone, so a call with no connection to send on
   fails at once as it always did; it opens the turn (the prepare handle). */
static int send_now(client_t *c, const Lumbung__Request *request, size_t len) {
    uint8_t stackbuf[8192];
    uint8_t *buf = len <= sizeof stackbuf ? stackbuf : malloc(len);
    if (!buf) abort();
    lumbung__request__pack(request, buf);
    int rc = send_frame(c, buf, len);
    if (buf != stackbuf) free(buf);
    if (rc != 0) return rc;
    uv_prepare_start(&c->flush, on_flush);
    return 0;
}

/* The calls after it in the same turn wait in `out` for the turn's end. */
static int pack_later(client_t *c, const Lumbung__Request *request, uint64_t id, size_t len) {
    if (c->out_failed) return c->out_failed;
    if (c->out.count > 0 && (call_batch_full(&c->out) || c->out.len + len > CALL_BATCH_BYTES)) {
        c->out_failed = send_out(c);
        if (c->out_failed) return c->out_failed;
    }
    lumbung__request__pack(request, call_batch_reserve(&c->out, len));
    c->out_ids[c->out.count - 1] = id;
    return 0;
}

/* Before the loop waits: what this turn's calls packed goes out as one message. */
static void on_flush(uv_prepare_t *h) {
    client_t *c = h->data;
    uv_prepare_stop(h);
    if (!c->out_failed) c->out_failed = send_out(c);
    if (c->out_failed) fail_out(c);
}

client_t *client_new(bus_t *bus, const char *service, const char *endpoint, int *err) {
    client_t *c = calloc(1, sizeof *c);
    if (!c) abort();
    snprintf(c->service, sizeof c->service, "%s", service);
    c->slots = calloc(CLIENT_PENDING_MAX, sizeof *c->slots);
    c->free_slots = malloc(CLIENT_PENDING_MAX * sizeof *c->free_slots);
    c->heap = malloc(CLIENT_PENDING_MAX * sizeof *c->heap);
    if (!c->slots || !c->free_slots || !c->heap) abort();
    for (int i = 0; i < CLIENT_PENDING_MAX; i++) c->free_slots[i] = CLIENT_PENDING_MAX - 1 - i;
    c->free_count = CLIENT_PENDING_MAX;
    c->arena = arena_new();
    bus_socket_opts_t opts = { .immediate = true };
    c->socket = bus_connect(bus, ZMQ_DEALER, endpoint, service, &opts, on_reply, c, err);
    if (!c->socket) {
        arena_destroy(&c->arena);
        free(c->slots);
        free(c->free_slots);
        free(c->heap);
        free(c);
        return NULL;
    }
    uv_timer_init(bus_loop(bus), &c->timer);
    c->timer.data = c;
    uv_prepare_init(bus_loop(bus), &c->flush);
    c->flush.data = c;
    c->handles_open = 2;
    call_batch_init(&c->out);
    return c;
}

static void free_client(uv_handle_t *h) {
    client_t *c = h->data;
    if (--c->handles_open > 0) return;
    free(c->slots);
    free(c->free_slots);
    free(c->heap);
    free(c);
}

void client_destroy(client_t **self_p) {
    client_t *c = *self_p;
    if (!c) return;
    *self_p = NULL;
    call_batch_free(&c->out);      /* not sent: their callers hear ERR_UNAVAILABLE below */
    while (c->heap_count > 0) finish(c, c->heap[0], ERR_UNAVAILABLE, NULL);
    bus_socket_destroy(&c->socket);
    arena_destroy(&c->arena);
    uv_timer_stop(&c->timer);
    uv_close((uv_handle_t *) &c->timer, free_client);
    uv_close((uv_handle_t *) &c->flush, free_client);
}

int client_call(client_t *c, Lumbung__Request *request, uint32_t timeout_ms,
                client_reply_fn fn, void *arg) {
    assert(c && request && fn);
    if (c->out_failed) return c->out_failed;
    if (c->free_count == 0) return ERR_OVERLOADED;
    if (timeout_ms == 0) timeout_ms = CLIENT_TIMEOUT_DEFAULT_MS;
    int slot = c->free_slots[c->free_count - 1];
    uint64_t id = (++c->generation << SLOT_BITS) | (uint64_t) slot;
    int64_t deadline = envelope_now_ms() + timeout_ms;
    request->has_request_id = 1;
    request->request_id = id;
    request->has_deadline_ms = 1;
    request->deadline_ms = deadline;

    size_t len = lumbung__request__get_packed_size(request);
    if (len > BUS_MESSAGE_MAX) return -EMSGSIZE;
    int rc = uv_is_active((uv_handle_t *) &c->flush) ? pack_later(c, request, id, len)
                                                     : send_now(c, request, len);
    if (rc != 0) return rc;

    c->free_count--;
    pending_t *p = &c->slots[slot];
    p->request_id = id;
    p->deadline_ms = deadline;
    p->fn = fn;
    p->arg = arg;
    p->heap_index = c->heap_count;
    c->heap[c->heap_count++] = slot;
    heap_up(c, p->heap_index);
    if (p->heap_index == 0) arm_timer(c);
    return 0;
}

unsigned client_pending(const client_t *c) { return (unsigned) c->heap_count; }
