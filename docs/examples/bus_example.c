/*  bus_example.c — a Lumbung bus client in C: a batch of deposits with an idempotency key, and
    an event follower that continues from a cursor. The C twin of bus_example.py (docs/bus.md).

    Needs only libzmq (with CURVE) and protobuf-c, and the C code protoc-c generates from
    Lumbung's proto/ directory; nothing of Lumbung's own libraries:

        protoc-c --c_out=gen -Iproto proto/[a-z]*.proto
        cc -std=c11 -Igen -o bus_example bus_example.c gen/[a-z]*.pb-c.c -lzmq -lprotobuf-c

    (`make build` builds it as build/bin/bus_example.) Commands; each needs --keys, --me,
    --service and --router:

        ping                       the service's name and newest event sequence
        deposit-batch              voluntary-savings deposits read from stdin, one
                                   "MEMBER_ID AMOUNT_SEN" a line, posted as one PostBatch for
                                   --cooperative with --key as its idempotency key; prints
                                   each posting's result or the request's typed error
        follow                     prints every event after --cursor (or the number stored in
                                   --cursor-file), by replay; forever, or with --until-head
                                   until it reaches the head

    Key files are Lumbung's: DIR/ME.pub and DIR/ME.key (Z85, one line), DIR/SERVICE.pub.
    Exit codes: 0 done, 1 usage or key files, 2 no reply (address, firewall, keys, allow-list),
    3 the request was refused (typed error printed), 4 some postings of the batch failed.

    Ownership: every message and socket is made and freed in the function that uses it. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "envelope.pb-c.h"

enum {
    MESSAGE_MAX = 16 * 1024 * 1024,  /* the services refuse bigger messages; so do we */
    REPLAY_MAX = 4096,               /* a service returns at most this many events per replay */
    BATCH_MAX = 8190,                /* postings in one PostBatch */
    ATTEMPTS = 3,                    /* tries of each request, each waiting --timeout-ms */
};

typedef struct {
    const char *keys, *me, *service, *router, *command, *key, *cursor_file;
    int has_value_date;
    int32_t value_date;              /* --value-date as the bus carries a date: a day number */
    uint64_t cooperative, cursor, after_members_seq;
    int until_head, poll_ms, timeout_ms;
} args_t;

typedef struct {
    void *ctx, *sock;
    uint64_t next_id;
    int timeout_ms;
} client_t;

/* "YYYY-MM-DD" as the bus carries a date: days since 1970-01-01 (docs/bus.md, "Dates"),
   by the civil-from-days arithmetic of the proleptic Gregorian calendar. -1 if not a date. */
static int day_number(const char *text, int32_t *days) {
    static const int month_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, d, n = 0;
    if (strlen(text) != 10 || sscanf(text, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 ||
        m < 1 || m > 12 || d < 1 || d > month_days[m - 1])
        return -1;
    if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))) return -1;
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    *days = era * 146097 + doe - 719468;
    return 0;
}

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------------------------ keys */

static int read_key(const char *dir, const char *name, const char *ext, char out[41]) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.%s", dir, name, ext);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "bus_example: %s: %s\n", path, strerror(errno));
        return -1;
    }
    int n = fscanf(f, "%40s", out);
    fclose(f);
    if (n != 1 || strlen(out) != 40) {
        fprintf(stderr, "bus_example: %s: not a Z85 key of 40 characters\n", path);
        return -1;
    }
    return 0;
}

/* A DEALER to the service's ROUTER as a CURVE client: our keypair, the service's public key. */
static int client_open(client_t *c, const args_t *a) {
    char pub[41], sec[41], server[41];
    if (read_key(a->keys, a->me, "pub", pub) || read_key(a->keys, a->me, "key", sec) ||
        read_key(a->keys, a->service, "pub", server))
        return -1;
    int zero = 0, sndtimeo = a->timeout_ms;
    int64_t maxmsg = MESSAGE_MAX;
    c->ctx = zmq_ctx_new();
    c->sock = zmq_socket(c->ctx, ZMQ_DEALER);
    zmq_setsockopt(c->sock, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(c->sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
    /* A DEALER with no live connection (service down, key refused) blocks in send. */
    zmq_setsockopt(c->sock, ZMQ_SNDTIMEO, &sndtimeo, sizeof sndtimeo);
    zmq_setsockopt(c->sock, ZMQ_CURVE_PUBLICKEY, pub, 40);
    zmq_setsockopt(c->sock, ZMQ_CURVE_SECRETKEY, sec, 40);
    zmq_setsockopt(c->sock, ZMQ_CURVE_SERVERKEY, server, 40);
    if (zmq_connect(c->sock, a->router) != 0) {
        fprintf(stderr, "bus_example: connect %s: %s\n", a->router, zmq_strerror(errno));
        return -1;
    }
    c->next_id = (uint64_t)now_ms() << 8;
    c->timeout_ms = a->timeout_ms;
    return 0;
}

static void client_close(client_t *c) {
    if (c->sock) zmq_close(c->sock);
    if (c->ctx) zmq_ctx_term(c->ctx);
}

/* ------------------------------------------------------------------------- requests */

/* Waits for the reply whose request_id is `id`; drops late replies to earlier attempts. */
static Lumbung__Reply *wait_reply(client_t *c, uint64_t id, int64_t deadline) {
    for (;;) {
        long left = (long)(deadline - now_ms());
        zmq_pollitem_t item = {.socket = c->sock, .events = ZMQ_POLLIN};
        if (left <= 0 || zmq_poll(&item, 1, left) <= 0) return NULL;
        zmq_msg_t frame;
        zmq_msg_init(&frame);
        int more = 1;
        while (more) {     /* the last frame of the message is the Reply */
            zmq_msg_close(&frame);
            zmq_msg_init(&frame);
            if (zmq_msg_recv(&frame, c->sock, 0) < 0) {
                zmq_msg_close(&frame);
                return NULL;
            }
            more = zmq_msg_more(&frame);
        }
        Lumbung__Reply *r = lumbung__reply__unpack(NULL, zmq_msg_size(&frame), zmq_msg_data(&frame));
        zmq_msg_close(&frame);
        if (r && r->request_id == id) return r;
        if (r) lumbung__reply__free_unpacked(r, NULL);
    }
}

/* Sends `req` up to ATTEMPTS times, each with a new request_id and deadline; the body and the
   idempotency key stay the same, so a repeat of a command that did commit gets the stored
   reply. NULL when no attempt was answered. */
static Lumbung__Reply *call(client_t *c, Lumbung__Request *req) {
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
        req->has_request_id = req->has_deadline_ms = 1;
        req->request_id = ++c->next_id;
        req->deadline_ms = now_ms() + c->timeout_ms;
        size_t len = lumbung__request__get_packed_size(req);
        uint8_t *buf = malloc(len ? len : 1);
        if (!buf) abort();
        lumbung__request__pack(req, buf);
        int sent = zmq_send(c->sock, "", 0, ZMQ_SNDMORE) == 0 && zmq_send(c->sock, buf, len, 0) >= 0;
        free(buf);
        if (!sent) continue;            /* would block: no connection; like a timeout */
        Lumbung__Reply *r = wait_reply(c, req->request_id, req->deadline_ms);
        if (r) return r;
    }
    return NULL;
}

/* Prints a typed error: kind, code, field, message (docs/bus.md, Errors). */
static void print_error(const char *what, const Lumbung__Error *e) {
    const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(&lumbung__error_kind__descriptor, e->kind);
    printf("%s: error %s %s field %s: %s\n", what, v ? v->name : "ERROR_KIND_UNSPECIFIED",
           e->code ? e->code : "", e->field && *e->field ? e->field : "-",
           e->message ? e->message : "");
}

static int no_reply(const args_t *a) {
    fprintf(stderr, "bus_example: %s: no reply after %d attempts; check the address, the "
            "firewall, the service's public key and that '%s' is on its allow-list\n",
            a->router, ATTEMPTS, a->me);
    return 2;
}

/* ------------------------------------------------------------------------- commands */

static int cmd_ping(client_t *c, const args_t *a) {
    Lumbung__Request req = LUMBUNG__REQUEST__INIT;
    Lumbung__Ping ping = LUMBUNG__PING__INIT;
    req.body_case = LUMBUNG__REQUEST__BODY_PING;
    req.ping = &ping;
    Lumbung__Reply *r = call(c, &req);
    if (!r) return no_reply(a);
    int rc = 0;
    if (r->error) {
        print_error("ping", r->error);
        rc = 3;
    } else if (r->result_case == LUMBUNG__REPLY__RESULT_PONG) {
        printf("%s: head_seq %llu\n", r->pong->service, (unsigned long long)r->pong->head_seq);
    }
    lumbung__reply__free_unpacked(r, NULL);
    return rc;
}

typedef struct {
    Lumbung__Posting *postings;
    Lumbung__SavingsMovement *moves;
    Lumbung__Posting **list;
    size_t count;
} batch_t;

/* Reads "MEMBER_ID AMOUNT_SEN" lines; each becomes a voluntary-savings deposit. */
static int batch_read(batch_t *b, const args_t *a, FILE *in) {
    b->postings = calloc(BATCH_MAX, sizeof *b->postings);
    b->moves = calloc(BATCH_MAX, sizeof *b->moves);
    b->list = calloc(BATCH_MAX, sizeof *b->list);
    if (!b->postings || !b->moves || !b->list) abort();
    unsigned long long member;
    long long amount;
    int n;
    while ((n = fscanf(in, "%llu %lld", &member, &amount)) == 2) {
        if (b->count == BATCH_MAX) {
            fprintf(stderr, "bus_example: more than %d postings: split them\n", BATCH_MAX);
            return -1;
        }
        Lumbung__SavingsMovement *m = &b->moves[b->count];
        lumbung__savings_movement__init(m);
        m->has_cooperative_id = m->has_member_id = m->has_kind = m->has_amount_sen = 1;
        m->cooperative_id = a->cooperative;
        m->member_id = member;
        m->kind = LUMBUNG__SAVINGS_KIND__SAVINGS_KIND_VOLUNTARY;
        m->amount_sen = amount;
        m->has_value_date = a->has_value_date;
        m->value_date = a->value_date;
        Lumbung__Posting *p = &b->postings[b->count];
        lumbung__posting__init(p);
        p->op_case = LUMBUNG__POSTING__OP_DEPOSIT;
        p->deposit = m;
        b->list[b->count++] = p;
    }
    if (n != EOF) {
        fprintf(stderr, "bus_example: line %zu of stdin is not \"MEMBER_ID AMOUNT_SEN\"\n",
                b->count + 1);
        return -1;
    }
    return 0;
}

static void batch_free(batch_t *b) {
    free(b->postings);
    free(b->moves);
    free(b->list);
}

static int print_batch(const Lumbung__BatchResult *res) {
    for (size_t i = 0; i < res->n_results; i++) {
        const Lumbung__PostingResult *p = res->results[i];
        if (p->ok) {
            printf("posting %u: ok entry %llu balance %lld\n", p->index,
                   (unsigned long long)p->entry_id, (long long)p->balance_sen);
            continue;
        }
        Lumbung__Error e = LUMBUNG__ERROR__INIT;
        e.kind = (Lumbung__ErrorKind)p->error_kind;
        e.code = p->code;
        e.field = p->field;
        e.message = p->message;
        char what[32];
        snprintf(what, sizeof what, "posting %u", p->index);
        print_error(what, &e);
    }
    return res->failed ? 4 : 0;
}

static int cmd_deposit_batch(client_t *c, const args_t *a) {
    batch_t b = {0};
    if (!a->cooperative || !a->key || batch_read(&b, a, stdin) != 0) {
        if (!a->cooperative || !a->key)
            fprintf(stderr, "bus_example: deposit-batch needs --cooperative and --key\n");
        batch_free(&b);
        return 1;
    }
    Lumbung__PostBatch pb = LUMBUNG__POST_BATCH__INIT;
    pb.has_cooperative_id = 1;
    pb.cooperative_id = a->cooperative;
    pb.n_postings = b.count;
    pb.postings = b.list;
    Lumbung__TransactionsRequest tr = LUMBUNG__TRANSACTIONS_REQUEST__INIT;
    tr.op_case = LUMBUNG__TRANSACTIONS_REQUEST__OP_POST_BATCH;
    tr.post_batch = &pb;
    Lumbung__Request req = LUMBUNG__REQUEST__INIT;
    req.body_case = LUMBUNG__REQUEST__BODY_TRANSACTIONS;
    req.transactions = &tr;
    req.idempotency_key = (char *)a->key;      /* every command that moves money has one */
    req.has_after_members_seq = a->after_members_seq != 0;
    req.after_members_seq = a->after_members_seq;
    Lumbung__Reply *r = call(c, &req);
    batch_free(&b);
    if (!r) return no_reply(a);
    int rc;
    if (r->error) {
        print_error(a->key, r->error);
        rc = 3;
    } else if (r->result_case == LUMBUNG__REPLY__RESULT_TRANSACTIONS &&
               r->transactions->result_case == LUMBUNG__TRANSACTIONS_REPLY__RESULT_BATCH) {
        rc = print_batch(r->transactions->batch);
        printf("%s: %u posted, %u failed, event_seq %llu\n", a->key, r->transactions->batch->posted,
               r->transactions->batch->failed, (unsigned long long)r->event_seq);
    } else {
        fprintf(stderr, "bus_example: the reply holds no batch result\n");
        rc = 3;
    }
    lumbung__reply__free_unpacked(r, NULL);
    return rc;
}

/* -------------------------------------------------------------------------- follow */

/* The name of the field set in the message's oneof (e.g. "entries_posted"): a oneof field's
   quantifier_offset points at the case, which holds the number of the field set. */
static const char *oneof_name(const ProtobufCMessage *m) {
    const ProtobufCMessageDescriptor *d = m->descriptor;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (!(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)) continue;
        uint32_t set = *(const uint32_t *)((const char *)m + f->quantifier_offset);
        if (set == f->id) return f->name;
    }
    return NULL;
}

/* One line per event, and for posted entries one per entry: what a bank would apply. */
static void print_event(const Lumbung__Event *ev) {
    const char *body = oneof_name(&ev->base);
    const char *kind = NULL;
    if (ev->body_case == LUMBUNG__EVENT__BODY_TRANSACTIONS) kind = oneof_name(&ev->transactions->base);
    else if (ev->body_case == LUMBUNG__EVENT__BODY_MEMBERS) kind = oneof_name(&ev->members->base);
    printf("event %llu %s.%s by %s\n", (unsigned long long)ev->seq, body ? body : "unknown",
           kind ? kind : "unknown", ev->actor && ev->actor->user ? ev->actor->user : "-");
    if (ev->body_case != LUMBUNG__EVENT__BODY_TRANSACTIONS ||
        ev->transactions->body_case != LUMBUNG__TRANSACTIONS_EVENT__BODY_ENTRIES_POSTED)
        return;
    const Lumbung__EntriesPosted *ep = ev->transactions->entries_posted;
    for (size_t i = 0; i < ep->n_entries; i++) {
        const Lumbung__JournalEntry *e = ep->entries[i];
        printf("  entry %llu cooperative %llu member %llu savings %+lld sen\n",
               (unsigned long long)e->id, (unsigned long long)e->cooperative_id,
               (unsigned long long)e->member_id, (long long)e->savings_delta_sen);
    }
}

/* The cursor survives the process: written to a new file renamed into place, after the events
   it covers were printed (a real client stores it in the same transaction as their effects). */
static int cursor_store(const char *path, uint64_t cursor) {
    if (!path) return 0;
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) return -1;
    fprintf(f, "%llu\n", (unsigned long long)cursor);
    int ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok = fclose(f) == 0 && ok;
    return ok && rename(tmp, path) == 0 ? 0 : -1;
}

static uint64_t cursor_load(const char *path, uint64_t fallback) {
    FILE *f = path ? fopen(path, "r") : NULL;
    if (!f) return fallback;
    unsigned long long v = fallback;
    if (fscanf(f, "%llu", &v) != 1) v = fallback;
    fclose(f);
    return v;
}

/* One replay page from cursor + 1: prints its events and moves the cursor to the last sequence
   the page covers (for a scoped key past events of other cooperatives, which it leaves out).
   Returns 0 and the head, or the exit code of a failure. */
static int follow_page(client_t *c, const args_t *a, uint64_t *cursor, uint64_t *head) {
    Lumbung__Request req = LUMBUNG__REQUEST__INIT;
    Lumbung__ReplayRequest rr = LUMBUNG__REPLAY_REQUEST__INIT;
    rr.has_from_seq = rr.has_max = 1;
    rr.from_seq = *cursor + 1;
    rr.max = REPLAY_MAX;
    req.body_case = LUMBUNG__REQUEST__BODY_REPLAY;
    req.replay = &rr;
    Lumbung__Reply *r = call(c, &req);             /* a read: safe to retry */
    if (!r) return no_reply(a);
    if (r->error || r->result_case != LUMBUNG__REPLY__RESULT_REPLAY) {
        if (r->error) print_error("replay", r->error);
        lumbung__reply__free_unpacked(r, NULL);
        return 3;
    }
    uint64_t last = *cursor;
    for (size_t i = 0; i < r->replay->n_events; i++) {
        Lumbung__Event *ev = lumbung__event__unpack(NULL, r->replay->events[i].len,
                                                    r->replay->events[i].data);
        if (ev && ev->seq > last) {               /* never apply one twice */
            print_event(ev);
            last = ev->seq;
        }
        if (ev) lumbung__event__free_unpacked(ev, NULL);
    }
    if (r->replay->has_last_seq && r->replay->last_seq > last) last = r->replay->last_seq;
    *head = r->replay->head_seq;
    *cursor = last;
    lumbung__reply__free_unpacked(r, NULL);
    fflush(stdout);
    return cursor_store(a->cursor_file, *cursor) == 0 ? 0 : 1;
}

static int cmd_follow(client_t *c, const args_t *a) {
    uint64_t cursor = cursor_load(a->cursor_file, a->cursor), head = 0;
    for (;;) {
        uint64_t before = cursor;
        int rc = follow_page(c, a, &cursor, &head);
        if (rc) return rc;
        if (cursor >= head) {
            if (a->until_head) break;
            usleep((useconds_t)a->poll_ms * 1000);   /* at the head: ask again later */
        } else if (cursor == before) {
            fprintf(stderr, "bus_example: replay made no progress at %llu\n",
                    (unsigned long long)cursor);
            return 3;
        }
    }
    printf("cursor %llu head %llu\n", (unsigned long long)cursor, (unsigned long long)head);
    return 0;
}

/* ---------------------------------------------------------------------------- main */

static int usage(void) {
    fprintf(stderr,
            "usage: bus_example --keys DIR --me NAME --service NAME --router tcp://HOST:PORT\n"
            "         ping\n"
            "       | deposit-batch --cooperative ID --key IDEMPOTENCY-KEY [--value-date D]\n"
            "                       [--after-members-seq N]  < \"MEMBER_ID AMOUNT_SEN\" lines\n"
            "       | follow [--cursor N] [--cursor-file F] [--until-head] [--poll-ms MS]\n"
            "       [--timeout-ms MS]   how long each of the 3 attempts of a request waits\n");
    return 1;
}

static int parse_args(args_t *a, int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(o, "--until-head")) { a->until_head = 1; continue; }
        if (o[0] != '-') { a->command = o; continue; }
        if (!v) return -1;
        i++;
        if (!strcmp(o, "--keys")) a->keys = v;
        else if (!strcmp(o, "--me")) a->me = v;
        else if (!strcmp(o, "--service")) a->service = v;
        else if (!strcmp(o, "--router")) a->router = v;
        else if (!strcmp(o, "--key")) a->key = v;
        else if (!strcmp(o, "--value-date")) {
            if (day_number(v, &a->value_date) != 0) return -1;
            a->has_value_date = 1;
        }
        else if (!strcmp(o, "--cursor-file")) a->cursor_file = v;
        else if (!strcmp(o, "--cooperative")) a->cooperative = strtoull(v, NULL, 10);
        else if (!strcmp(o, "--cursor")) a->cursor = strtoull(v, NULL, 10);
        else if (!strcmp(o, "--after-members-seq")) a->after_members_seq = strtoull(v, NULL, 10);
        else if (!strcmp(o, "--poll-ms")) a->poll_ms = atoi(v);
        else if (!strcmp(o, "--timeout-ms")) a->timeout_ms = atoi(v);
        else return -1;
    }
    return a->keys && a->me && a->service && a->router && a->command && a->timeout_ms > 0 ? 0 : -1;
}

int main(int argc, char **argv) {
    args_t a = {.poll_ms = 1000, .timeout_ms = 10000};
    if (parse_args(&a, argc, argv) != 0) return usage();
    int (*run)(client_t *, const args_t *) =
        !strcmp(a.command, "ping") ? cmd_ping :
        !strcmp(a.command, "deposit-batch") ? cmd_deposit_batch :
        !strcmp(a.command, "follow") ? cmd_follow : NULL;
    if (!run) return usage();
    client_t c = {0};
    int rc = client_open(&c, &a) == 0 ? run(&c, &a) : 1;
    client_close(&c);
    return rc;
}
