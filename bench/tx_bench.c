/*  tx_bench — the bus-level figures of `make bench` (bench/bench.py runs it and prints the table).

      tx_bench limits DIR SECONDS
          the machine's limits on the disk of DIR: raw LMDB at full durability (puts/s in
          commits of 1,000 puts of 128 bytes, and commits/s of single puts), a ZeroMQ round
          trip (DEALER to ROUTER over ipc:// with CURVE, one message at a time), and the same
          bus pipelined (64 calls in flight, each end in its own context): calls/s and the
          CPU of both ends per call.
      tx_bench drive
          drives a running transactions service (and the members service it follows) as a bus
          client: one cooperative with TX_BENCH_MEMBERS members, then for TX_BENCH_SECONDS each
            batch   PostBatch messages of TX_BENCH_BATCH deposits, a few messages in flight;
            single  one deposit per message, TX_BENCH_DEPTH messages in flight (pipelined);
          and checks afterwards that the books balance and that their debits are exactly the
          sen of every acknowledged posting. TX_BENCH_PHASES=batch (or single)
          runs one phase only. The cooperative is driven on the shard that owns it.
      tx_bench drive-shards
          drives transactions running as N >= 2 shards (LUMBUNG_TRANSACTIONS_SHARDS): one
          cooperative on each shard (created until the shard map puts one there), then for
          TX_BENCH_SECONDS each the batch phase above
            one     to shard 0's cooperative alone, the other shards idle;
            all     to every shard's cooperative at the same time, one thread (loop, bus,
                    client) per shard;
          and checks every cooperative's books afterwards.

    Endpoints and keys come from the environment as for any service (LUMBUNG_DATA,
    LUMBUNG_<NAME>_ROUTER, LUMBUNG_TRANSACTIONS_K_ROUTER for shard K, the shard map).

    All print one `name=value` a line. Not a test: it asserts nothing but that every posting
    it counts was acknowledged and the books hold exactly those. */
#include "arena.h"
#include "bus.h"
#include "client.h"
#include "config.h"
#include "date.h"
#include "envelope.h"
#include "log.h"
#include "shard.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <lmdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

enum {
    MEMBERS_MAX = 1000,
    BATCH_MAX = 8190,
    DEPTH_MAX = 4096,
    LATENCIES_MAX = 4 * 1024 * 1024,
    CALL_TIMEOUT_MS = 60000,
    READY_TIMEOUT_MS = 20000,
    RAW_BATCH_PUTS = 1000,
    RAW_VALUE_BYTES = 128,
    PIPELINE_DEPTH = 64,           /* as many as bench/http_load's connections */
    PIPELINE_REQUEST_BYTES = 160,
    PIPELINE_REPLY_BYTES = 400,
    BATCH_IN_FLIGHT = 4,
    SINGLE_SEN = 100,               /* the amount of a single deposit */
};

typedef struct {
    int seconds, members, batch, depth;
} setup_t;

/* Latency bookkeeping: the request id is not ours (client.c sets it), so each in-flight
   message gets a slot of our own carried in the callback argument. */
typedef struct {
    struct bench *b;
    uint64_t sent_ns;
} flight_t;

/* One driver of one cooperative on one shard: its own loop, bus and clients, so that several
   run at once in threads of their own (drive-shards). */
typedef struct bench {
    uv_loop_t loop;
    bus_t *bus;
    client_t *members, *tx;
    uint64_t coop, member_ids[MEMBERS_MAX], members_seq;
    /* the running phase */
    bool batch_mode;
    uint64_t end_ns, sent, acked, postings, failed;
    uint64_t acked_sen, batch_sen;  /* sen of every acknowledged posting; of one batch message */
    unsigned in_flight;
    uint64_t *latencies;
    size_t latency_count;
    Lumbung__Request *single, *batch;
    flight_t flights[DEPTH_MAX];
    unsigned flight_free[DEPTH_MAX], flight_free_count;
    int nik_base;                   /* NIKs are unique in the district: each driver its own */
} bench_t;

/* ------------------------------------------------------------------ helpers */

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

static int env_int(const char *name, int fallback, int min, int max) {
    return (int) config_int(name, fallback, min, max);
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
    return x < y ? -1 : x > y;
}

static double percentile_ms(uint64_t *v, size_t n, double p) {
    if (n == 0) return 0;
    size_t i = (size_t) (p * (double) (n - 1));
    return (double) v[i] / 1e6;
}

/* ------------------------------------------------------------------ raw LMDB */

static double raw_rate(MDB_env *env, MDB_dbi dbi, int puts_per_commit, double seconds,
                       uint64_t *key_seq) {
    uint8_t value[RAW_VALUE_BYTES];
    memset(value, 0x5a, sizeof value);
    uint64_t start = now_ns(), end = start + (uint64_t) (seconds * 1e9), puts = 0;
    while (now_ns() < end) {
        MDB_txn *txn;
        if (mdb_txn_begin(env, NULL, 0, &txn) != 0) return -1;
        for (int i = 0; i < puts_per_commit; i++) {
            uint8_t k[8];
            uint64_t s = ++*key_seq;
            for (int b = 7; b >= 0; b--, s >>= 8) k[b] = (uint8_t) s;
            MDB_val mk = { sizeof k, k }, mv = { sizeof value, value };
            if (mdb_put(txn, dbi, &mk, &mv, MDB_APPEND) != 0) {
                mdb_txn_abort(txn);
                return -1;
            }
        }
        if (mdb_txn_commit(txn) != 0) return -1;
        puts += (uint64_t) puts_per_commit;
    }
    return (double) puts / ((double) (now_ns() - start) / 1e9);
}

/* Durable (fully synced) LMDB on the same disk: puts/s in commits of 1,000, commits/s of 1. */
static int raw_lmdb(const char *dir, double seconds, double *batched, double *single) {
    char path[700];
    snprintf(path, sizeof path, "%s/raw-lmdb", dir);
    if (mkdir(path, 0700) != 0) return -errno;
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    uint64_t seq = 0;
    int rc = mdb_env_create(&env);
    if (rc == 0) rc = mdb_env_set_mapsize(env, (size_t) 4 << 30);
    if (rc == 0) rc = mdb_env_open(env, path, 0, 0600);
    if (rc == 0) rc = mdb_txn_begin(env, NULL, 0, &txn);
    if (rc == 0) rc = mdb_dbi_open(txn, NULL, 0, &dbi);
    if (rc == 0) rc = mdb_txn_commit(txn);
    if (rc == 0) {
        *batched = raw_rate(env, dbi, RAW_BATCH_PUTS, seconds, &seq);
        *single = raw_rate(env, dbi, 1, seconds, &seq);
    }
    mdb_env_close(env);
    return rc == 0 && *batched > 0 && *single > 0 ? 0 : -EIO;
}

/* ------------------------------------------------------------------ a ZeroMQ round trip */

/* The answering end of the bus figures: a ROUTER that answers every call until an empty one
   (answered empty, the last). reply_len 0 echoes the call's body; otherwise the answer is
   reply_len bytes (at most PIPELINE_REPLY_BYTES). */
static void serve_calls(void *router, size_t reply_len) {
    char reply[PIPELINE_REPLY_BYTES];
    memset(reply, 'r', sizeof reply);
    for (;;) {
        zmq_msg_t id, body;
        zmq_msg_init(&id);
        zmq_msg_init(&body);
        if (zmq_msg_recv(&id, router, 0) < 0 || zmq_msg_recv(&body, router, 0) < 0) break;
        bool stop = zmq_msg_size(&body) == 0;
        zmq_msg_send(&id, router, ZMQ_SNDMORE);
        if (stop || reply_len == 0) {
            zmq_msg_send(&body, router, 0);
        } else {
            zmq_msg_close(&body);
            zmq_send(router, reply, reply_len, 0);
        }
        if (stop) break;
    }
}

static void *echo_thread(void *router) {
    serve_calls(router, 0);
    return NULL;
}

/* Fresh CURVE keys: the router is the server, the dealer its client (no ZAP handler: the bench
   measures the cipher, not the allow-list). */
static void curve_pair(void *router, void *dealer) {
    char pub[41], sec[41], cpub[41], csec[41];
    zmq_curve_keypair(pub, sec);
    zmq_curve_keypair(cpub, csec);
    int one = 1;
    zmq_setsockopt(router, ZMQ_CURVE_SERVER, &one, sizeof one);
    zmq_setsockopt(router, ZMQ_CURVE_SECRETKEY, sec, 40);
    zmq_setsockopt(dealer, ZMQ_CURVE_SERVERKEY, pub, 40);
    zmq_setsockopt(dealer, ZMQ_CURVE_PUBLICKEY, cpub, 40);
    zmq_setsockopt(dealer, ZMQ_CURVE_SECRETKEY, csec, 40);
}

/* An empty message stops the thread that answers; its empty answer is the last one. */
static void stop_other_end(void *dealer, pthread_t thread) {
    char back[8];
    zmq_send(dealer, "", 0, 0);
    zmq_recv(dealer, back, sizeof back, 0);
    pthread_join(thread, NULL);
}

/* Round trips/s of a 100-byte message, one at a time, DEALER to ROUTER over ipc with CURVE. */
static double zmq_round_trips(const char *dir, double seconds) {
    char ep[700];
    snprintf(ep, sizeof ep, "ipc://%s/zmq-rt", dir);
    void *ctx = zmq_ctx_new(), *router = zmq_socket(ctx, ZMQ_ROUTER), *dealer = zmq_socket(ctx, ZMQ_DEALER);
    curve_pair(router, dealer);
    double rate = -1;
    pthread_t t;
    if (zmq_bind(router, ep) == 0 && zmq_connect(dealer, ep) == 0 &&
        pthread_create(&t, NULL, echo_thread, router) == 0) {
        char msg[100], back[128];
        memset(msg, 'x', sizeof msg);
        uint64_t trips = 0, start = now_ns(), end = start + (uint64_t) (seconds * 1e9);
        while (now_ns() < end && zmq_send(dealer, msg, sizeof msg, 0) >= 0 &&
               zmq_recv(dealer, back, sizeof back, 0) >= 0)
            trips++;
        rate = (double) trips / ((double) (now_ns() - start) / 1e9);
        stop_other_end(dealer, t);
    }
    zmq_close(dealer);
    zmq_close(router);
    zmq_ctx_term(ctx);
    return rate;
}

/* The other end of zmq_pipelined_calls, in its own context (its own I/O thread, as in
   another process): answers of PIPELINE_REPLY_BYTES. */
static void *answer_thread(void *router) {
    serve_calls(router, PIPELINE_REPLY_BYTES);
    return NULL;
}

static double process_cpu_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double) t.tv_sec + (double) t.tv_nsec / 1e9;
}

/* Calls/s of the bus with PIPELINE_DEPTH calls in flight (a request of PIPELINE_REQUEST_BYTES,
   a reply of PIPELINE_REPLY_BYTES, about a read of a member's accounts), DEALER to ROUTER
   over ipc with CURVE, each end in its own context, and the CPU of both ends per call. The
   ceiling of anything that adds one bus call to an HTTP request on this machine (bench.py);
   both ends are threads of one process, which spares them the switch of address space that
   two processes pay, so it is a floor of what a call costs, not a typical figure. */
static double zmq_pipelined_calls(const char *dir, double seconds, double *cpu_us_per_call) {
    char ep[700];
    snprintf(ep, sizeof ep, "ipc://%s/zmq-pipe", dir);
    void *sctx = zmq_ctx_new(), *cctx = zmq_ctx_new();
    void *router = zmq_socket(sctx, ZMQ_ROUTER), *dealer = zmq_socket(cctx, ZMQ_DEALER);
    curve_pair(router, dealer);
    double rate = -1;
    pthread_t t;
    if (zmq_bind(router, ep) == 0 && zmq_connect(dealer, ep) == 0 &&
        pthread_create(&t, NULL, answer_thread, router) == 0) {
        char msg[PIPELINE_REQUEST_BYTES], back[PIPELINE_REPLY_BYTES];
        memset(msg, 'q', sizeof msg);
        uint64_t sent = 0, answered = 0, start = now_ns(), end = start + (uint64_t) (seconds * 1e9);
        double cpu0 = process_cpu_s();
        while (sent < PIPELINE_DEPTH && zmq_send(dealer, msg, sizeof msg, 0) >= 0) sent++;
        while (answered < sent && zmq_recv(dealer, back, sizeof back, 0) >= 0) {
            answered++;
            if (now_ns() < end && zmq_send(dealer, msg, sizeof msg, 0) >= 0) sent++;
        }
        double elapsed = (double) (now_ns() - start) / 1e9;
        rate = (double) answered / elapsed;
        *cpu_us_per_call = answered ? (process_cpu_s() - cpu0) * 1e6 / (double) answered : 0;
        stop_other_end(dealer, t);
    }
    zmq_close(dealer);
    zmq_close(router);
    zmq_ctx_term(cctx);
    zmq_ctx_term(sctx);
    return rate;
}

static int limits_main(const char *dir, double seconds) {
    char sub[600];
    snprintf(sub, sizeof sub, "%s/limits-XXXXXX", dir);
    if (!mkdtemp(sub)) {
        perror("tx_bench: mkdtemp");
        return 1;
    }
    double batched = 0, single = 0;
    if (raw_lmdb(sub, seconds, &batched, &single) != 0)
        fprintf(stderr, "tx_bench: raw LMDB measurement failed\n");
    double rt = zmq_round_trips(sub, seconds / 2 < 1 ? 1 : seconds / 2);
    printf("lmdb_batched_puts_per_s=%.0f\nlmdb_single_commits_per_s=%.0f\n", batched, single);
    printf("zmq_round_trips_per_s=%.0f\nzmq_round_trip_us=%.1f\n", rt, rt > 0 ? 1e6 / rt : 0);
    double call_cpu = 0;
    double calls = zmq_pipelined_calls(sub, seconds / 2 < 1 ? 1 : seconds / 2, &call_cpu);
    printf("zmq_pipelined_calls_per_s=%.0f\nzmq_pipelined_call_cpu_us=%.2f\n", calls, call_cpu);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", sub);
    return system(cmd) == 0 ? 0 : 1;
}

/* ------------------------------------------------------------------ synchronous calls */

typedef struct {
    bool done;
    int status;
    uint8_t *bytes;
    size_t len;
} sync_t;

static void on_sync(void *arg, int status, const Lumbung__Reply *reply) {
    sync_t *s = arg;
    s->done = true;
    s->status = status;
    if (status != CLIENT_OK) return;
    s->len = lumbung__reply__get_packed_size(reply);
    s->bytes = malloc(s->len ? s->len : 1);
    lumbung__reply__pack(reply, s->bytes);
}

/* Returns the reply (the caller frees it with lumbung__reply__free_unpacked) or NULL. */
static Lumbung__Reply *call_sync(bench_t *b, client_t *c, Lumbung__Request *req) {
    sync_t s = { 0 };
    if (client_call(c, req, CALL_TIMEOUT_MS, on_sync, &s) != 0) return NULL;
    while (!s.done) uv_run(&b->loop, UV_RUN_ONCE);
    if (s.status != CLIENT_OK) return NULL;
    Lumbung__Reply *r = lumbung__reply__unpack(NULL, s.len, s.bytes);
    free(s.bytes);
    return r;
}

static Lumbung__Actor admin = LUMBUNG__ACTOR__INIT;

static bool wait_ready(bench_t *b, client_t *c) {
    uint64_t end = now_ns() + (uint64_t) READY_TIMEOUT_MS * 1000000u;
    while (now_ns() < end) {
        Lumbung__Request req = LUMBUNG__REQUEST__INIT;
        Lumbung__Ping ping = LUMBUNG__PING__INIT;
        req.body_case = LUMBUNG__REQUEST__BODY_PING;
        req.ping = &ping;
        sync_t s = { 0 };
        if (client_call(c, &req, 500, on_sync, &s) == 0) {
            while (!s.done) uv_run(&b->loop, UV_RUN_ONCE);
            free(s.bytes);
            if (s.status == CLIENT_OK) return true;
        }
        usleep(50000);
    }
    return false;
}

/* ------------------------------------------------------------------ set-up through members */

static Lumbung__Reply *members_call(bench_t *b, Lumbung__MembersRequest *m) {
    Lumbung__Request req = LUMBUNG__REQUEST__INIT;
    req.actor = &admin;
    req.body_case = LUMBUNG__REQUEST__BODY_MEMBERS;
    req.members = m;
    Lumbung__Reply *r = call_sync(b, b->members, &req);
    if (r && r->error) {
        fprintf(stderr, "tx_bench: members: %s\n", r->error->message);
        lumbung__reply__free_unpacked(r, NULL);
        return NULL;
    }
    if (r && r->event_seq > b->members_seq) b->members_seq = r->event_seq;
    return r;
}

static int create_coop(bench_t *b) {
    Lumbung__CooperativeSettings s = LUMBUNG__COOPERATIVE_SETTINGS__INIT;
    s.has_principal_amount_sen = s.has_mandatory_amount_sen = 1;
    s.principal_amount_sen = 10000000;
    s.mandatory_amount_sen = 2500000;
    Lumbung__CreateCooperative c = LUMBUNG__CREATE_COOPERATIVE__INIT;
    c.name = "KSP Bench";
    c.has_type = 1;
    c.type = LUMBUNG__COOPERATIVE_TYPE__COOPERATIVE_TYPE_SAVINGS_LOAN;
    c.settings = &s;
    Lumbung__MembersRequest m = LUMBUNG__MEMBERS_REQUEST__INIT;
    m.op_case = LUMBUNG__MEMBERS_REQUEST__OP_CREATE_COOPERATIVE;
    m.create_cooperative = &c;
    Lumbung__Reply *r = members_call(b, &m);
    if (!r || !r->members || !r->members->cooperative) return -1;
    b->coop = r->members->cooperative->id;
    lumbung__reply__free_unpacked(r, NULL);
    return 0;
}

static int create_member(bench_t *b, int i) {
    char nik[24], name[32];
    snprintf(nik, sizeof nik, "320410570785%04d", (b->nik_base + i + 1) % 10000);   /* female, 1985-07-17 */
    snprintf(name, sizeof name, "Anggota %d", i + 1);
    Lumbung__CreateMember c = LUMBUNG__CREATE_MEMBER__INIT;
    c.has_cooperative_id = c.has_sex = 1;
    c.cooperative_id = b->coop;
    c.nik = nik;
    c.name = name;
    c.sex = LUMBUNG__SEX__SEX_FEMALE;
    c.has_birth_date = c.has_joined_on = 1;     /* dates are day numbers on the bus */
    date_parse("1985-07-17", &c.birth_date);
    date_parse("2024-01-15", &c.joined_on);
    Lumbung__MembersRequest m = LUMBUNG__MEMBERS_REQUEST__INIT;
    m.op_case = LUMBUNG__MEMBERS_REQUEST__OP_CREATE_MEMBER;
    m.create_member = &c;
    Lumbung__Reply *r = members_call(b, &m);
    if (!r || !r->members || !r->members->member) return -1;
    b->member_ids[i] = r->members->member->id;
    lumbung__reply__free_unpacked(r, NULL);
    return 0;
}

/* ------------------------------------------------------------------ requests */

static void movement_init(Lumbung__SavingsMovement *mv, uint64_t coop, uint64_t member,
                          int64_t amount) {
    lumbung__savings_movement__init(mv);
    mv->has_cooperative_id = mv->has_member_id = mv->has_kind = mv->has_amount_sen = 1;
    mv->cooperative_id = coop;
    mv->member_id = member;
    mv->kind = LUMBUNG__SAVINGS_KIND__SAVINGS_KIND_VOLUNTARY;
    mv->amount_sen = amount;
    mv->has_value_date = 1;
    date_parse("2025-01-10", &mv->value_date);
}

static Lumbung__Request *request_new(bench_t *b, Lumbung__TransactionsRequest *t) {
    Lumbung__Request *req = calloc(1, sizeof *req);
    lumbung__request__init(req);
    req->actor = &admin;
    req->has_after_members_seq = 1;
    req->after_members_seq = b->members_seq;
    req->body_case = LUMBUNG__REQUEST__BODY_TRANSACTIONS;
    req->transactions = t;
    return req;
}

static Lumbung__Request *single_new(bench_t *b) {
    Lumbung__SavingsMovement *mv = calloc(1, sizeof *mv);
    movement_init(mv, b->coop, b->member_ids[0], SINGLE_SEN);
    Lumbung__TransactionsRequest *t = calloc(1, sizeof *t);
    lumbung__transactions_request__init(t);
    t->op_case = LUMBUNG__TRANSACTIONS_REQUEST__OP_DEPOSIT;
    t->deposit = mv;
    return request_new(b, t);
}

static Lumbung__Request *batch_new(bench_t *b, int size, int members) {
    Lumbung__Posting **pp = calloc((size_t) size, sizeof *pp);
    for (int i = 0; i < size; i++) {
        Lumbung__SavingsMovement *mv = calloc(1, sizeof *mv);
        movement_init(mv, 0, b->member_ids[i % members], 100 + i % 900);
        b->batch_sen += (uint64_t) mv->amount_sen;
        Lumbung__Posting *p = calloc(1, sizeof *p);
        lumbung__posting__init(p);
        p->op_case = LUMBUNG__POSTING__OP_DEPOSIT;
        p->deposit = mv;
        pp[i] = p;
    }
    Lumbung__PostBatch *pb = calloc(1, sizeof *pb);
    lumbung__post_batch__init(pb);
    pb->has_cooperative_id = 1;
    pb->cooperative_id = b->coop;
    pb->n_postings = (size_t) size;
    pb->postings = pp;
    Lumbung__TransactionsRequest *t = calloc(1, sizeof *t);
    lumbung__transactions_request__init(t);
    t->op_case = LUMBUNG__TRANSACTIONS_REQUEST__OP_POST_BATCH;
    t->post_batch = pb;
    return request_new(b, t);
}

/* ------------------------------------------------------------------ a phase */

static void send_one(bench_t *b);

static void on_reply(void *arg, int status, const Lumbung__Reply *reply) {
    bench_t *b = arg;
    b->in_flight--;
    b->acked++;
    if (status != CLIENT_OK || reply->error || !reply->transactions) {
        b->failed++;
        if (b->failed <= 3)
            fprintf(stderr, "tx_bench: request failed (%d) %s\n", status,
                    status == CLIENT_OK && reply->error ? reply->error->message : "");
    } else if (b->batch_mode) {
        b->postings += reply->transactions->batch->posted;
        b->acked_sen += b->batch_sen;
    } else {
        b->postings++;
        b->acked_sen += SINGLE_SEN;
    }
    if (now_ns() < b->end_ns) send_one(b);
}

static void on_flight_reply(void *arg, int status, const Lumbung__Reply *reply) {
    flight_t *f = arg;
    bench_t *b = f->b;
    if (b->latency_count < LATENCIES_MAX) b->latencies[b->latency_count++] = now_ns() - f->sent_ns;
    b->flight_free[b->flight_free_count++] = (unsigned) (f - b->flights);
    on_reply(b, status, reply);
}

static void send_one(bench_t *b) {
    if (b->flight_free_count == 0) return;
    flight_t *f = &b->flights[b->flight_free[--b->flight_free_count]];
    f->b = b;
    f->sent_ns = now_ns();
    Lumbung__Request *req = b->batch_mode ? b->batch : b->single;
    if (client_call(b->tx, req, CALL_TIMEOUT_MS, on_flight_reply, f) != 0) {
        b->flight_free[b->flight_free_count++] = (unsigned) (f - b->flights);
        b->failed++;
        return;
    }
    b->in_flight++;
    b->sent++;
}

typedef struct {
    double postings_per_s, p50_ms, p99_ms;
    uint64_t postings, messages, failed;
} phase_result_t;

static phase_result_t run_phase(bench_t *b, bool batch_mode, unsigned depth, int seconds) {
    b->batch_mode = batch_mode;
    b->sent = b->acked = b->postings = b->failed = 0;
    b->latency_count = 0;
    b->flight_free_count = 0;
    for (unsigned i = 0; i < DEPTH_MAX; i++) b->flight_free[b->flight_free_count++] = i;
    uint64_t start = now_ns();
    b->end_ns = start + (uint64_t) seconds * 1000000000u;
    for (unsigned i = 0; i < depth; i++) send_one(b);
    while (b->in_flight > 0) uv_run(&b->loop, UV_RUN_ONCE);
    double elapsed = (double) (now_ns() - start) / 1e9;
    qsort(b->latencies, b->latency_count, sizeof *b->latencies, cmp_u64);
    phase_result_t r = {
        .postings_per_s = (double) b->postings / elapsed,
        .p50_ms = percentile_ms(b->latencies, b->latency_count, 0.50),
        .p99_ms = percentile_ms(b->latencies, b->latency_count, 0.99),
        .postings = b->postings, .messages = b->acked, .failed = b->failed,
    };
    return r;
}

/* ------------------------------------------------------------------ checks and main */

static int check_books(bench_t *b, uint64_t *total_debit) {
    Lumbung__GetTrialBalance q = LUMBUNG__GET_TRIAL_BALANCE__INIT;
    q.has_cooperative_id = 1;
    q.cooperative_id = b->coop;
    Lumbung__TransactionsRequest t = LUMBUNG__TRANSACTIONS_REQUEST__INIT;
    t.op_case = LUMBUNG__TRANSACTIONS_REQUEST__OP_TRIAL_BALANCE;
    t.trial_balance = &q;
    Lumbung__Request req = LUMBUNG__REQUEST__INIT;
    req.actor = &admin;
    req.body_case = LUMBUNG__REQUEST__BODY_TRANSACTIONS;
    req.transactions = &t;
    Lumbung__Reply *r = call_sync(b, b->tx, &req);
    int ok = r && r->transactions && r->transactions->trial_balance &&
             r->transactions->trial_balance->balanced;
    if (ok) *total_debit = (uint64_t) r->transactions->trial_balance->total_debit_sen;
    if (r) lumbung__reply__free_unpacked(r, NULL);
    if (ok && *total_debit != b->acked_sen) {      /* nothing acknowledged lost, nothing extra */
        fprintf(stderr, "tx_bench: cooperative %" PRIu64 ": debits %" PRIu64 " sen, acknowledged "
                "%" PRIu64 " sen\n", b->coop, *total_debit, b->acked_sen);
        ok = 0;
    }
    return ok ? 0 : -1;
}

static int connect_members(bench_t *b) {
    int err = 0;
    uv_loop_init(&b->loop);
    bus_config_t bc = { .name = "bench", .curve = true };
    b->bus = bus_new(&b->loop, &bc, &err);
    if (!b->bus) return err ? err : -1;
    char ep[128];
    b->members = client_new(b->bus, "members", config_endpoint("members", "router", ep, sizeof ep), &err);
    if (!b->members) return err ? err : -1;
    return wait_ready(b, b->members) ? 0 : -ETIMEDOUT;
}

/* A cooperative on `shard` (-1: wherever the map puts it). Cooperatives are created until the
   map puts one there; a map whose rule sends every new one elsewhere fails after a few. */
static int create_coop_on(bench_t *b, int shard) {
    for (int tries = 0; tries < 2 * SHARD_MAX; tries++) {
        if (create_coop(b) != 0) return -1;
        if (shard < 0 || shard_of(b->coop) == shard) return 0;
    }
    fprintf(stderr, "tx_bench: the shard map puts no new cooperative on shard %d\n", shard);
    return -EINVAL;
}

/* The client of the shard that owns the bench's cooperative. */
static int connect_shard(bench_t *b) {
    char name[SHARD_NAME_MAX], ep[128];
    int err = 0;
    shard_name(shard_of(b->coop), name, sizeof name);
    b->tx = client_new(b->bus, name, config_endpoint(name, "router", ep, sizeof ep), &err);
    if (!b->tx) return err ? err : -1;
    return wait_ready(b, b->tx) ? 0 : -ETIMEDOUT;
}

static int prepare(bench_t *b, const setup_t *s, int shard) {
    int rc = connect_members(b);
    if (rc == 0) rc = create_coop_on(b, shard);
    if (rc == 0) rc = connect_shard(b);
    for (int i = 0; i < s->members && rc == 0; i++) rc = create_member(b, i);
    if (rc != 0) return rc;
    b->latencies = malloc(LATENCIES_MAX * sizeof *b->latencies);
    b->single = single_new(b);
    b->batch = batch_new(b, s->batch, s->members);
    /* One warm-up message waits for the replica to have every member. */
    phase_result_t warm = run_phase(b, false, 1, 0);
    return warm.failed ? -EIO : 0;
}

static void bench_close(bench_t *b) {
    client_destroy(&b->tx);
    client_destroy(&b->members);
    bus_destroy(&b->bus);
    free(b->latencies);
}

static void report(const char *name, phase_result_t r) {
    printf("%s_postings_per_s=%.0f\n%s_p50_ms=%.3f\n%s_p99_ms=%.3f\n%s_postings=%" PRIu64
           "\n%s_messages=%" PRIu64 "\n%s_failed=%" PRIu64 "\n", name, r.postings_per_s, name,
           r.p50_ms, name, r.p99_ms, name, r.postings, name, r.messages, name, r.failed);
}

/* Sizes from the environment, the admin actor, and the shard map: 0 or -1. */
static int drive_setup(setup_t *s) {
    s->seconds = env_int("TX_BENCH_SECONDS", 5, 1, 3600);
    s->members = env_int("TX_BENCH_MEMBERS", 100, 1, MEMBERS_MAX);
    s->batch = env_int("TX_BENCH_BATCH", 1000, 1, BATCH_MAX);
    s->depth = env_int("TX_BENCH_DEPTH", 1024, 1, DEPTH_MAX);
    admin.user = "bench";
    admin.has_role = 1;
    admin.role = LUMBUNG__ROLE__ROLE_ADMIN;
    return shard_load();
}

static int drive_main(void) {
    setup_t s = { 0 };
    static bench_t b;
    int rc = drive_setup(&s) == 0 ? prepare(&b, &s, -1) : -EINVAL;
    if (rc != 0) {
        fprintf(stderr, "tx_bench: set-up failed (%d); see LUMBUNG_LOG_LEVEL=info\n", rc);
        return 1;
    }
    const char *phases = getenv("TX_BENCH_PHASES") ? getenv("TX_BENCH_PHASES") : "batch,single";
    phase_result_t none = { 0 };
    phase_result_t batch = strstr(phases, "batch") ? run_phase(&b, true, BATCH_IN_FLIGHT, s.seconds) : none;
    phase_result_t single = strstr(phases, "single")
                                ? run_phase(&b, false, (unsigned) s.depth, s.seconds) : none;
    uint64_t debit = 0;
    int books = check_books(&b, &debit);
    report("batch", batch);
    report("single", single);
    printf("books_balanced=%d\ntotal_debit_sen=%" PRIu64 "\n", books == 0, debit);
    bench_close(&b);
    return books == 0 && batch.failed == 0 && single.failed == 0 ? 0 : 1;
}

/* ------------------------------------------------------------------ every shard at once */

typedef struct {
    bench_t *b;
    int seconds;
    phase_result_t result;
} thread_arg_t;

static void *batch_thread(void *arg) {
    thread_arg_t *t = arg;
    t->result = run_phase(t->b, true, BATCH_IN_FLIGHT, t->seconds);
    return NULL;
}

/* The batch phase on every driver at once, each in a thread of its own (its loop and bus are
   used by that thread only until it is joined). */
static void run_all(bench_t *b, int n, int seconds, phase_result_t *out) {
    thread_arg_t args[SHARD_MAX];
    pthread_t threads[SHARD_MAX];
    bool started[SHARD_MAX] = { false };
    for (int k = 0; k < n; k++) {
        args[k] = (thread_arg_t) { .b = &b[k], .seconds = seconds };
        started[k] = pthread_create(&threads[k], NULL, batch_thread, &args[k]) == 0;
        if (!started[k]) args[k].result.failed = 1;
    }
    for (int k = 0; k < n; k++) {
        if (started[k]) pthread_join(threads[k], NULL);
        out[k] = args[k].result;
    }
}

static int drive_shards_main(void) {
    setup_t s = { 0 };
    static bench_t b[SHARD_MAX];
    int rc = drive_setup(&s) == 0 ? 0 : -EINVAL, n = shard_count();
    if (rc == 0 && n < 2) {
        fprintf(stderr, "tx_bench: drive-shards needs LUMBUNG_TRANSACTIONS_SHARDS >= 2\n");
        rc = -EINVAL;
    }
    for (int k = 0; k < n && rc == 0; k++) {
        b[k].nik_base = k * MEMBERS_MAX;
        rc = prepare(&b[k], &s, k);
    }
    if (rc != 0) {
        fprintf(stderr, "tx_bench: set-up failed (%d); see LUMBUNG_LOG_LEVEL=info\n", rc);
        return 1;
    }
    phase_result_t one = run_phase(&b[0], true, BATCH_IN_FLIGHT, s.seconds), all[SHARD_MAX];
    run_all(b, n, s.seconds, all);
    report("one", one);
    double together = 0;
    uint64_t failed = one.failed, debit = 0;
    int books = 0;
    for (int k = 0; k < n; k++) {
        char name[16];
        snprintf(name, sizeof name, "shard%d", k);
        report(name, all[k]);
        together += all[k].postings_per_s;
        failed += all[k].failed;
        uint64_t d = 0;
        if (check_books(&b[k], &d) != 0) books = -1;
        debit += d;
        bench_close(&b[k]);
    }
    printf("shards=%d\nall_postings_per_s=%.0f\nbooks_balanced=%d\ntotal_debit_sen=%" PRIu64 "\n",
           n, together, books == 0, debit);
    return books == 0 && failed == 0 ? 0 : 1;
}

int main(int argc, char **argv) {
    log_init("bench");
    signal(SIGPIPE, SIG_IGN);
    if (argc == 4 && !strcmp(argv[1], "limits")) return limits_main(argv[2], atof(argv[3]));
    if (argc == 2 && !strcmp(argv[1], "drive")) return drive_main();
    if (argc == 2 && !strcmp(argv[1], "drive-shards")) return drive_shards_main();
    fprintf(stderr, "usage: tx_bench limits DIR SECONDS | tx_bench drive | tx_bench drive-shards\n");
    return 2;
}
