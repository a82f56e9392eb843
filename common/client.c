#include "client.h"
#include "arena.h"
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

static void on_reply(bus_socket_t *socket, bus_msg_t *msg, void *arg) {
    client_t *c = arg;
    /* DEALER strips the routing frame; one frame = one Reply. */
    zmq_msg_t *frame = &msg->frames[msg->count - 1];
    arena_reset(c->arena);
    ProtobufCAllocator alloc = arena_allocator(c->arena);
    Lumbung__Reply *reply = lumbung__reply__unpack(&alloc, zmq_msg_size(frame), zmq_msg_data(frame));
    if (!reply || !reply->has_request_id) {
        log_warn(0, "client: undecodable reply from %s (%zu bytes) dropped", c->service, zmq_msg_size(frame));
        return;
    }
    int slot = (int) (reply->request_id & SLOT_MASK);
    if (c->slots[slot].request_id != reply->request_id) return;   /* late: already timed out */
    finish(c, slot, CLIENT_OK, reply);
    arm_timer(c);
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
    return c;
}

static void free_client(uv_handle_t *h) {
    client_t *c = h->data;
    free(c->slots);
    free(c->free_slots);
    free(c->heap);
    free(c);
}

void client_destroy(client_t **self_p) {
    client_t *c = *self_p;
    if (!c) return;
    *self_p = NULL;
    while (c->heap_count > 0) finish(c, c->heap[0], ERR_UNAVAILABLE, NULL);
    bus_socket_destroy(&c->socket);
    arena_destroy(&c->arena);
    uv_timer_stop(&c->timer);
    uv_close((uv_handle_t *) &c->timer, free_client);
}

int client_call(client_t *c, Lumbung__Request *request, uint32_t timeout_ms,
                client_reply_fn fn, void *arg) {
    assert(c && request && fn);
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
    uint8_t stackbuf[8192];
    uint8_t *buf = len <= sizeof stackbuf ? stackbuf : malloc(len);
    if (!buf) abort();
    lumbung__request__pack(request, buf);
    /* One frame, without the empty delimiter a REQ socket would add: CURVE boxes every frame
       on its own, and the service answers a request in the shape it came (docs/bus.md). */
    const void *parts[1] = { buf };
    size_t sizes[1] = { len };
    int rc = bus_send(c->socket, parts, sizes, 1);
    if (buf != stackbuf) free(buf);
    if (rc != 0) return rc == -EAGAIN ? ERR_UNAVAILABLE : rc;

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
