/* The bus-backed routes (see call.h). */
#include "call.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "envelope.h"
#include "gateway.h"
#include "json_pb.h"
#include "log.h"
#include "operation.h"
#include "scope.h"

/* The bus call of an exchange (one per exchange, made again by a follow-up row). */
struct gateway_call {
    gateway_exchange_t *ex;
    const route_t *op;                       /* the call being made: ex->route, or a follow-up's */
    ProtobufCMessage *operation;             /* its message (in the exchange's arena) */
    unsigned op_flags;                       /* its row's OP_* (operation.h) */
    const char *idempotency_key;             /* scoped by user, once; NULL when none was sent */
    /* a send refused for want of a connection waits in the gateway's retry queue */
    Lumbung__Request *request;
    int backend, attempts;
    uint64_t retry_at_ms, give_up_at_ms;
    struct gateway_call *retry_next;
    const char *first_key;                   /* a follow-up: the key of ex->first_result */
};

/* The backends: one per service, transactions one per shard (gw->clients, gateway.h). */
const char *const gateway_service_names[GATEWAY_SERVICES] = {
    "members", "transactions", "reporting",
};

int gateway_service_index(const char *service) {
    for (int i = 0; service && i < GATEWAY_SERVICES; i++)
        if (!strcmp(service, gateway_service_names[i])) return i;
    return ERR_NOT_FOUND;
}

int gateway_shard_backend(int shard) {
    return shard == 0 ? GATEWAY_SERVICE_TRANSACTIONS : GATEWAY_SERVICES + shard - 1;
}

int gateway_backend(const gateway_t *gw, int service, uint64_t coop) {
    if (service != GATEWAY_SERVICE_TRANSACTIONS || gw->shards <= 1) return service;
    return gateway_shard_backend(shard_of(coop));
}

/* Read-your-writes: the services whose events each service applies (its followers, follower.h).
   A call waits until the service called has applied what this gateway has seen of those. */
static const unsigned service_follows[GATEWAY_SERVICES] = {
    [GATEWAY_SERVICE_MEMBERS] = 0,
    [GATEWAY_SERVICE_TRANSACTIONS] = 1u << GATEWAY_SERVICE_MEMBERS,
    [GATEWAY_SERVICE_REPORTING] = 1u << GATEWAY_SERVICE_MEMBERS | 1u << GATEWAY_SERVICE_TRANSACTIONS,
};

/* Operations whose answer takes a second call. A row: when `operation` of `service` succeeds,
   `then` is called (its params map fields of the first operation's message to fields of the
   second's) and the first result goes into the second's answer under the name of its result
   field. The member exit of the API (docs/openapi.yaml) returns the settlement, which the
   transactions service posts when it applies the exit event; the second call carries
   after_members_seq (read-your-writes, from the exit's event_seq), so it waits until the
   settlement exists. */
typedef struct {
    const char *service, *operation;
    route_t then;                            /* service, operation, params: { from, to } */
} follow_up_t;

static const follow_up_t follow_ups[] = {
    { "members", "exit_member",
      { NULL, NULL, "transactions", "get_settlement",
        { { "cooperative_id", "cooperative_id" }, { "id", "member_id" } }, 0 } },
};

static const follow_up_t *follow_up_of(const route_t *op) {
    for (size_t i = 0; i < sizeof follow_ups / sizeof follow_ups[0]; i++)
        if (!strcmp(follow_ups[i].service, op->service) &&
            !strcmp(follow_ups[i].operation, op->operation))
            return &follow_ups[i];
    return NULL;
}

typedef struct {
    const ProtobufCFieldDescriptor *service;    /* in lumbung.Request's body oneof */
    const ProtobufCFieldDescriptor *operation;  /* in the service's *Request oneof */
} op_fields_t;

/* The row's service and operation fields; ERR_NOT_FOUND when the protos have no such. */
static int op_fields_find(const route_t *r, op_fields_t *op) {
    op->service = protobuf_c_message_descriptor_get_field_by_name(&lumbung__request__descriptor,
                                                                  r->service);
    if (!op->service || op->service->type != PROTOBUF_C_TYPE_MESSAGE) return ERR_NOT_FOUND;
    op->operation = protobuf_c_message_descriptor_get_field_by_name(op->service->descriptor,
                                                                    r->operation);
    if (!op->operation || op->operation->type != PROTOBUF_C_TYPE_MESSAGE ||
        !(op->operation->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
        return ERR_NOT_FOUND;
    return 0;
}

/* Sets a message-typed member of a oneof: the case, then the pointer. */
static void oneof_set(ProtobufCMessage *parent, const ProtobufCFieldDescriptor *f,
                      ProtobufCMessage *child) {
    *(uint32_t *) ((char *) parent + f->quantifier_offset) = f->id;
    *(ProtobufCMessage **) ((char *) parent + f->offset) = child;
}

static void answer_json_pb_error(gateway_exchange_t *ex, const problem_t *e) {
    gateway_exchange_error(ex, 400, e->code ? e->code : "invalid", e->field, "%s", e->message);
}

static int set_raw_body(gateway_exchange_t *ex, ProtobufCMessage *msg) {
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field_by_name(msg->descriptor, "body");
    assert(f && f->type == PROTOBUF_C_TYPE_BYTES && "checked at start-up");
    size_t len;
    const uint8_t *body = http_req_body(ex->req, &len);
    ProtobufCBinaryData *data = (ProtobufCBinaryData *) ((char *) msg + f->offset);
    data->data = (uint8_t *) body;           /* packed before the request is answered */
    data->len = len;
    if (f->label == PROTOBUF_C_LABEL_OPTIONAL)
        *(protobuf_c_boolean *) ((char *) msg + f->quantifier_offset) = 1;
    return 0;
}

/* The JSON name of the operation field a path parameter fills. */
static const char *param_json_name(const ProtobufCMessage *msg, const char *field, char *buf,
                                   size_t size) {
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field_by_name(msg->descriptor, field);
    return f ? json_pb_json_name(f, buf, size) : field;
}

/* set_params, set_query, set_self: 0, or ERR_ANSWERED after answering 400 or 403. */
static int set_params(gateway_exchange_t *ex, ProtobufCMessage *msg) {
    for (int i = 0; i < ROUTE_PARAMS_MAX && ex->route->params[i].name; i++) {
        const char *value = gateway_exchange_param(ex, ex->route->params[i].name);
        if (!value) continue;
        char name[JSON_PB_FIELD_PATH_MAX];
        problem_t e;
        memset(&e, 0, sizeof e);
        if (json_pb_set_text(ex->arena, msg, param_json_name(msg, ex->route->params[i].field,
                                                             name, sizeof name), value, &e) < 0) {
            answer_json_pb_error(ex, &e);
            return ERR_ANSWERED;
        }
    }
    return 0;
}

typedef struct {
    gateway_exchange_t *ex;
    ProtobufCMessage *msg;
    problem_t error;
} query_fill_t;

/* One query argument into q->msg; ERR_REJECTED, with q->error filled, stops the walk. */
static int set_query_one(void *arg, const char *name, const char *value) {
    query_fill_t *q = arg;
    if (!strcmp(name, "limit")) {
        uint64_t v;
        if (gateway_parse_u64(value, &v) < 0 || v < 1 || v > GATEWAY_PAGE_MAX) {
            problem_set(&q->error, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "invalid_limit",
                        "limit", "limit: give a whole number from 1 to %d", GATEWAY_PAGE_MAX);
            return ERR_REJECTED;
        }
    }
    return json_pb_set_text(q->ex->arena, q->msg, name, value, &q->error) < 0 ? ERR_REJECTED : 0;
}

static int set_query(gateway_exchange_t *ex, ProtobufCMessage *msg) {
    if (!(ex->route->flags & ROUTE_QUERY_FIELDS)) return 0;
    query_fill_t q = { .ex = ex, .msg = msg };
    if (http_req_query_each(ex->req, set_query_one, &q) == 0) return 0;
    answer_json_pb_error(ex, &q.error);
    return ERR_ANSWERED;
}

/* A ROUTE_SELF operation's cooperative_id and member_id: the member's own, from the session
   (authorize() has refused a request naming another). */
static int set_self(gateway_exchange_t *ex, ProtobufCMessage *msg) {
    if (!(ex->route->flags & ROUTE_SELF)) return 0;
    if (!ex->caller.known || !ex->caller.user.member_id) {
        gateway_exchange_error(ex, 403, "forbidden", NULL, "only a member may call this");
        return ERR_ANSWERED;
    }
    const struct { const char *field; uint64_t value; } own[] = {
        { "cooperative_id", ex->caller.user.cooperative_id }, { "member_id", ex->caller.user.member_id },
    };
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++) {
        if (!protobuf_c_message_descriptor_get_field_by_name(msg->descriptor, own[i].field))
            continue;
        problem_t e;
        memset(&e, 0, sizeof e);
        if (json_pb_set_text(ex->arena, msg, own[i].field,
                             arena_printf(ex->arena, "%" PRIu64, own[i].value), &e) < 0) {
            answer_json_pb_error(ex, &e);
            return ERR_ANSWERED;
        }
    }
    return 0;
}

/* Builds the operation's message from body, path and query; NULL after answering 400. */
static ProtobufCMessage *operation_build(gateway_exchange_t *ex, const op_fields_t *op,
                                         json_t *body) {
    ProtobufCMessage *msg = arena_message(ex->arena, op->operation->descriptor);
    problem_t e;
    memset(&e, 0, sizeof e);
    if (ex->route->flags & ROUTE_RAW_BODY) set_raw_body(ex, msg);
    else if (body && json_pb_from_json(ex->arena, body, msg, &e) < 0) {
        answer_json_pb_error(ex, &e);
        return NULL;
    }
    if (set_params(ex, msg) < 0 || set_query(ex, msg) < 0 || set_self(ex, msg) < 0) return NULL;
    return msg;
}

/* Reporting follows every shard: it waits for what this gateway has seen of each (one shard:
   after_transactions_seq, as before sharding). */
static void after_shards(const gateway_t *gw, arena_t *a, Lumbung__Request *rq) {
    const uint64_t *seen = gw->seen_seq;
    if (gw->shards <= 1) {
        rq->has_after_transactions_seq = seen[GATEWAY_SERVICE_TRANSACTIONS] != 0;
        rq->after_transactions_seq = seen[GATEWAY_SERVICE_TRANSACTIONS];
        return;
    }
    rq->after_shard_seqs = arena_alloc(a, (size_t) gw->shards * sizeof *rq->after_shard_seqs);
    rq->n_after_shard_seqs = (size_t) gw->shards;
    for (int k = 0; k < gw->shards; k++) rq->after_shard_seqs[k] = seen[gateway_shard_backend(k)];
}

/* The read-your-writes sequences of a call to `service`: what this gateway has seen of the
   services it follows. */
static void envelope_after(const gateway_t *gw, arena_t *a, int service, Lumbung__Request *rq) {
    unsigned follows = service_follows[service];
    const uint64_t *seen = gw->seen_seq;
    if ((follows & 1u << GATEWAY_SERVICE_MEMBERS) && seen[GATEWAY_SERVICE_MEMBERS]) {
        rq->has_after_members_seq = 1;
        rq->after_members_seq = seen[GATEWAY_SERVICE_MEMBERS];
    }
    if (follows & 1u << GATEWAY_SERVICE_TRANSACTIONS) after_shards(gw, a, rq);
}

static Lumbung__Actor *envelope_actor(arena_t *a, const auth_user_t *user) {
    Lumbung__Actor *actor = arena_message(a, &lumbung__actor__descriptor);
    actor->user = arena_strdup(a, user->username);
    actor->has_role = 1;
    /* The services know no members' role: the gateway has scoped the member to their own
       id, and the services check the cooperative of a viewer. */
    actor->role = user->role == LUMBUNG__ROLE__ROLE_MEMBER ? LUMBUNG__ROLE__ROLE_VIEWER : user->role;
    actor->has_cooperative_id = user->cooperative_id != 0;
    actor->cooperative_id = user->cooperative_id;
    return actor;
}

static Lumbung__Request *envelope_build(const struct gateway_call *call, const op_fields_t *op,
                                        int service) {
    gateway_exchange_t *ex = call->ex;
    arena_t *a = ex->arena;
    ProtobufCMessage *svc = arena_message(a, op->service->descriptor);
    oneof_set(svc, op->operation, call->operation);
    Lumbung__Request *rq = arena_message(a, &lumbung__request__descriptor);
    oneof_set(&rq->base, op->service, svc);
    if (ex->caller.known) rq->actor = envelope_actor(a, &ex->caller.user);
    rq->trace_id = (char *) ex->request_id;   /* every service logs it (log.h) */
    rq->idempotency_key = (char *) call->idempotency_key;
    envelope_after(ex->gw, a, service, rq);
    return rq;
}

static void answer_client_status(gateway_exchange_t *ex, int service, int status) {
    const char *name = ex->gw->backend_names[service];
    metrics_t *m = ex->gw->metrics;
    switch (status) {
    case ERR_TIMEOUT:
        metrics_backend(m, name, METRICS_BACKEND_TIMEOUT);
        gateway_exchange_error(ex, 504, "service_timeout", NULL,
                               "the %s service did not answer in time; the call may still take "
                               "effect, so retry with the same Idempotency-Key", name);
        return;
    case ERR_BAD_REPLY:
        metrics_backend(m, name, METRICS_BACKEND_BAD_REPLY);
        gateway_exchange_error(ex, 502, "bad_reply", NULL, "the %s service answered with a "
                               "message the gateway could not read", name);
        return;
    default:
        metrics_backend(m, name, METRICS_BACKEND_UNAVAILABLE);
        gateway_exchange_header(ex, "Retry-After", "5");
        gateway_exchange_error(ex, 503, "service_unavailable", NULL,
                               "the %s service is not reachable; retry shortly", name);
        return;
    }
}

static void answer_reply_error(gateway_exchange_t *ex, int service, const Lumbung__Error *e) {
    int status = envelope_http_status(e->has_kind ? e->kind : LUMBUNG__ERROR_KIND__ERROR_KIND_INTERNAL);
    if (status >= 500)
        metrics_backend(ex->gw->metrics, ex->gw->backend_names[service], METRICS_BACKEND_ERROR);
    gateway_exchange_error(ex, status, e->code && *e->code ? e->code : "error", e->field, "%s",
                           e->message && *e->message ? e->message : "the service refused the call");
}

/* A field of `msg` by name and type, or NULL. */
static const void *field_of(const ProtobufCMessage *msg, const char *name, ProtobufCType type) {
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field_by_name(msg->descriptor, name);
    return f && f->type == type && f->label != PROTOBUF_C_LABEL_REPEATED
               ? (const char *) msg + f->offset : NULL;
}

/* A ReportFile's headers (what the file reflects); only X-Lumbung-* names, and no value that
   could end the header. */
static void file_headers(gateway_exchange_t *ex, const ProtobufCMessage *msg) {
    if (msg->descriptor != &lumbung__report_file__descriptor) return;
    const Lumbung__ReportFile *f = (const Lumbung__ReportFile *) msg;
    for (size_t i = 0; i < f->n_headers; i++) {
        const Lumbung__ReportHeader *h = f->headers[i];
        if (!h->name || strncmp(h->name, "X-Lumbung-", 10) || strpbrk(h->name, ": \r\n") ||
            !h->value || strpbrk(h->value, "\r\n"))
            continue;
        gateway_exchange_header(ex, h->name, h->value);
    }
}

/* A result message with a string `content_type` and bytes `body` is a file (CSV, XLSX, PDF),
   sent as is; a string `filename` becomes Content-Disposition. */
static bool answer_file(gateway_exchange_t *ex, int status, const ProtobufCMessage *msg) {
    const char *const *type = field_of(msg, "content_type", PROTOBUF_C_TYPE_STRING);
    const ProtobufCBinaryData *data = field_of(msg, "body", PROTOBUF_C_TYPE_BYTES);
    if (!type || !data) return false;
    const char *const *filename = field_of(msg, "filename", PROTOBUF_C_TYPE_STRING);
    if (filename && *filename && **filename && !strpbrk(*filename, "\"\\\r\n")) {
        char disposition[HTTP_SERVER_HEADER_VALUE_MAX];
        snprintf(disposition, sizeof disposition, "attachment; filename=\"%s\"", *filename);
        gateway_exchange_header(ex, "Content-Disposition", disposition);
    }
    file_headers(ex, msg);
    const char *content_type = *type && **type ? *type : "application/octet-stream";
    gateway_exchange_finish(ex, status, arena_strdup(ex->arena, content_type), data->data,
                            data->len, "ok");
    return true;
}

/* The second call of a follow-up row: its message takes the row's fields of the first. */
static ProtobufCMessage *follow_up_build(arena_t *a, const route_t *then, const op_fields_t *op,
                                         const ProtobufCMessage *first) {
    ProtobufCMessage *msg = arena_message(a, op->operation->descriptor);
    for (int i = 0; i < ROUTE_PARAMS_MAX && then->params[i].name; i++) {
        const ProtobufCFieldDescriptor *from =
            protobuf_c_message_descriptor_get_field_by_name(first->descriptor, then->params[i].name);
        const ProtobufCFieldDescriptor *to =
            protobuf_c_message_descriptor_get_field_by_name(msg->descriptor, then->params[i].field);
        assert(from && to && from->type == PROTOBUF_C_TYPE_UINT64 && to->type == from->type &&
               "gateway_call_check_follow_ups() checked the rows");
        memcpy((char *) msg + to->offset, (const char *) first + from->offset, sizeof(uint64_t));
        memcpy((char *) msg + to->quantifier_offset, (const char *) first + from->quantifier_offset,
               sizeof(protobuf_c_boolean));
    }
    return msg;
}

static void call_send(struct gateway_call *call, const op_fields_t *op);

/* Makes the follow-up's second call, keeping the first result for the answer. */
static void follow_up(struct gateway_call *call, const follow_up_t *row, const char *key,
                      const ProtobufCMessage *result) {
    gateway_exchange_t *ex = call->ex;
    op_fields_t op;
    int rc = op_fields_find(&row->then, &op);
    assert(rc == 0 && "gateway_call_check_follow_ups() checked the rows");
    (void) rc;
    ex->first_result = json_pb_to_json(result);
    call->first_key = key;
    call->op = &row->then;
    call->op_flags = operation_find(row->then.service, row->then.operation)->flags;
    call->operation = follow_up_build(ex->arena, &row->then, &op, call->operation);
    call_send(call, &op);
}

/* The result of the call: a file, a follow-up's second call, or the JSON answer (with the
   first result of a follow-up merged in). */
static void answer_message(struct gateway_call *call, int status,
                           const ProtobufCFieldDescriptor *which, const ProtobufCMessage *result) {
    gateway_exchange_t *ex = call->ex;
    if (answer_file(ex, status, result)) return;
    const follow_up_t *row = follow_up_of(call->op);
    if (row) { follow_up(call, row, which->name, result); return; }
    if (!ex->first_result) {                 /* the common answer: text straight from the reply */
        json_pb_out_t out = { 0 };
        json_pb_write(&out, result);
        gateway_exchange_json_out(ex, status, &out);
        return;
    }
    json_t *json = json_pb_to_json(result);
    if (ex->first_result && json_is_object(json)) {
        json_object_set_new(json, call->first_key, ex->first_result);
        ex->first_result = NULL;
    }
    gateway_exchange_json(ex, status, json);
}

static void answer_result(struct gateway_call *call, const Lumbung__Reply *reply) {
    gateway_exchange_t *ex = call->ex;
    int status = ex->route->flags & ROUTE_CREATED ? 201 : 200;
    const char *service = call->op->service;
    const ProtobufCFieldDescriptor *svc_field =
        protobuf_c_message_descriptor_get_field_by_name(&lumbung__reply__descriptor, service);
    if (!svc_field || (uint32_t) reply->result_case != svc_field->id) {
        metrics_backend(ex->gw->metrics, ex->gw->backend_names[call->backend],
                        METRICS_BACKEND_BAD_REPLY);
        gateway_exchange_error(ex, 502, "bad_reply", NULL,
                               "the %s service answered with another kind of result", service);
        return;
    }
    const ProtobufCMessage *svc = *(ProtobufCMessage *const *) ((const char *) reply + svc_field->offset);
    const ProtobufCFieldDescriptor *which = svc ? scope_oneof_member(svc) : NULL;
    if (!which || which->type != PROTOBUF_C_TYPE_MESSAGE) {
        gateway_exchange_json(ex, status, json_object());
        return;
    }
    const ProtobufCMessage *result = *(ProtobufCMessage *const *) ((const char *) svc + which->offset);
    if (!result) { gateway_exchange_json(ex, status, json_object()); return; }
    answer_message(call, status, which, result);
}

static void send_failed(struct gateway_call *call, int rc);

static void on_reply(void *arg, int status, const Lumbung__Reply *reply) {
    struct gateway_call *call = arg;
    gateway_exchange_t *ex = call->ex;
    int backend = call->backend;
    if (status == ERR_UNAVAILABLE) { send_failed(call, status); return; }   /* not delivered */
    if (status != CLIENT_OK) { answer_client_status(ex, backend, status); return; }
    /* Only a success proves its sequence committed: a failed batch's number is handed out
       again by the next commit, and waiting for it would stall every later call. */
    if (reply->error) { answer_reply_error(ex, backend, reply->error); return; }
    uint64_t *seen = &ex->gw->seen_seq[backend];
    if (reply->has_event_seq && reply->event_seq > *seen) *seen = reply->event_seq;
    answer_result(call, reply);
}

static void retry_arm(gateway_t *gw);

/* Sends call->request (send_failed() when the bus refuses it). */
static void send_request(struct gateway_call *call) {
    gateway_exchange_t *ex = call->ex;
    gateway_t *gw = ex->gw;
    uint32_t timeout = call->op_flags & OP_LONG ? gw->long_timeout_ms : gw->timeout_ms;
    client_t *client = gw->clients[call->backend];
    if (gw->on_send) gw->on_send(gw->on_send_arg, call->request);
    int rc = client ? client_call(client, call->request, timeout, on_reply, call) : ERR_UNAVAILABLE;
    ex->noted.bus_request_id = call->request->request_id;
    if (rc == 0) {
        gateway_exchange_call_sent(ex);
        return;
    }
    send_failed(call, rc);
}

/* A send the bus refused, at once or when the client's batch went out (client.h), delivered
   nothing: it is queued for another attempt while attempts and the deadline allow. */
static void send_failed(struct gateway_call *call, int rc) {
    gateway_exchange_t *ex = call->ex;
    gateway_t *gw = ex->gw;
    uint32_t timeout = call->op_flags & OP_LONG ? gw->long_timeout_ms : gw->timeout_ms;
    uint64_t now = uv_now(gw->loop);
    if (!call->give_up_at_ms) call->give_up_at_ms = now + timeout;
    uint64_t wait = (uint64_t) GATEWAY_SEND_RETRY_MS << call->attempts;
    if (rc == ERR_UNAVAILABLE && !gw->stopping && call->attempts < GATEWAY_SEND_RETRIES &&
        now + wait < call->give_up_at_ms) {
        call->attempts++;
        call->retry_at_ms = now + wait;
        call->retry_next = gw->retry_head;
        gw->retry_head = call;
        retry_arm(gw);
        return;
    }
    answer_client_status(ex, call->backend, rc == ERR_OVERLOADED ? ERR_UNAVAILABLE : rc);
}

static void on_retry(uv_timer_t *timer) {
    gateway_t *gw = timer->data;
    uint64_t now = uv_now(gw->loop);
    struct gateway_call *due = NULL, **p = &gw->retry_head;
    while (*p) {                          /* unlink the due ones first: sending may requeue */
        struct gateway_call *call = *p;
        if (call->retry_at_ms <= now) {
            *p = call->retry_next;
            call->retry_next = due;
            due = call;
        } else {
            p = &call->retry_next;
        }
    }
    while (due) {
        struct gateway_call *call = due;
        due = call->retry_next;
        call->retry_next = NULL;
        send_request(call);
    }
    retry_arm(gw);
}

static void retry_arm(gateway_t *gw) {
    if (!gw->retry_head) { uv_timer_stop(&gw->retry_timer); return; }
    uint64_t next = UINT64_MAX, now = uv_now(gw->loop);
    for (struct gateway_call *call = gw->retry_head; call; call = call->retry_next)
        if (call->retry_at_ms < next) next = call->retry_at_ms;
    uv_timer_start(&gw->retry_timer, on_retry, next > now ? next - now : 0, 0);
}

void gateway_call_init(gateway_t *gw) {
    int rc = uv_timer_init(gw->loop, &gw->retry_timer);
    assert(rc == 0);
    (void) rc;
    gw->retry_timer.data = gw;
}

void gateway_call_shutdown(gateway_t *gw) {
    while (gw->retry_head) {
        struct gateway_call *call = gw->retry_head;
        gw->retry_head = call->retry_next;
        answer_client_status(call->ex, call->backend, ERR_UNAVAILABLE);
    }
    if (!uv_is_closing((uv_handle_t *) &gw->retry_timer))
        uv_close((uv_handle_t *) &gw->retry_timer, NULL);
}

/* Wraps call->operation for the backend of the cooperative it names and sends it.
   Transactions calls go to the shard of that cooperative: the route's {coop}, else the
   operation's own cooperative_id. */
static void call_send(struct gateway_call *call, const op_fields_t *op) {
    gateway_exchange_t *ex = call->ex;
    int service = gateway_service_index(call->op->service);
    assert(service >= 0 && "gateway_routes_check() validated the tables");
    uint64_t coop = 0;
    const char *param = gateway_exchange_param(ex, "coop");
    if (!param || gateway_parse_u64(param, &coop) != 0) coop = scope_message_cooperative(call->operation);
    call->backend = gateway_backend(ex->gw, service, coop);
    call->request = envelope_build(call, op, service);
    send_request(call);
}

/* The exchange's call, made once: the idempotency key is scoped by user here, so that two
   users' keys never collide, whichever calls the exchange makes. */
static struct gateway_call *call_new(gateway_exchange_t *ex) {
    struct gateway_call *call = arena_alloc(ex->arena, sizeof *call);
    call->ex = ex;
    call->op = ex->route;
    call->op_flags = ex->match.op_flags;
    if (ex->noted.idempotency_key)
        call->idempotency_key = arena_printf(ex->arena, "%s:%s",
                                             ex->caller.known ? ex->caller.user.username : "",
                                             ex->noted.idempotency_key);
    ex->call = call;
    return call;
}

void gateway_call(gateway_exchange_t *ex, json_t *body) {
    assert(!ex->call && "one call per exchange; a follow-up reuses it");
    op_fields_t op;
    int rc = op_fields_find(ex->route, &op);
    assert(rc == 0 && "gateway_routes_check() validated the tables");
    (void) rc;
    ProtobufCMessage *operation = operation_build(ex, &op, body);
    if (!operation) return;
    struct gateway_call *call = call_new(ex);
    call->operation = operation;
    call_send(call, &op);
}

/* ---------------------------------------------------------------- start-up check */

int gateway_call_check_route(const route_t *r) {
    op_fields_t op;
    if (gateway_service_index(r->service) < 0 || op_fields_find(r, &op) < 0) {
        log_error(0, "route %s %s: %s has no operation %s", r->method, r->pattern, r->service,
                  r->operation);
        return 1;
    }
    const ProtobufCMessageDescriptor *d = op.operation->descriptor;
    int problems = 0;
    for (int i = 0; i < ROUTE_PARAMS_MAX && r->params[i].name; i++) {
        if (!protobuf_c_message_descriptor_get_field_by_name(d, r->params[i].field)) {
            log_error(0, "route %s %s: %s has no field %s", r->method, r->pattern, d->name,
                      r->params[i].field);
            problems++;
        }
    }
    const ProtobufCFieldDescriptor *body = protobuf_c_message_descriptor_get_field_by_name(d, "body");
    if ((r->flags & ROUTE_RAW_BODY) && (!body || body->type != PROTOBUF_C_TYPE_BYTES)) {
        log_error(0, "route %s %s: a raw-body route needs a bytes field `body` in %s", r->method,
                  r->pattern, d->name);
        problems++;
    }
    return problems;
}

/* One field mapping of a follow-up row: both uint64 (ids), the only kind the rows copy. */
static int check_follow_up_field(const follow_up_t *row, const op_fields_t *first,
                                 const op_fields_t *then, const route_param_t *p) {
    const ProtobufCFieldDescriptor *from =
        protobuf_c_message_descriptor_get_field_by_name(first->operation->descriptor, p->name);
    const ProtobufCFieldDescriptor *to =
        protobuf_c_message_descriptor_get_field_by_name(then->operation->descriptor, p->field);
    if (from && to && from->type == PROTOBUF_C_TYPE_UINT64 && to->type == from->type &&
        from->label == PROTOBUF_C_LABEL_OPTIONAL && to->label == from->label)
        return 0;
    log_error(0, "follow-up of %s %s: %s -> %s is not an optional uint64 in both", row->service,
              row->operation, p->name, p->field);
    return 1;
}

int gateway_call_check_follow_ups(void) {
    int problems = 0;
    for (size_t i = 0; i < sizeof follow_ups / sizeof follow_ups[0]; i++) {
        const follow_up_t *row = &follow_ups[i];
        route_t first = { .service = row->service, .operation = row->operation };
        op_fields_t a, b;
        if (op_fields_find(&first, &a) < 0 || op_fields_find(&row->then, &b) < 0 ||
            gateway_service_index(row->then.service) < 0 ||
            !operation_find(row->then.service, row->then.operation)) {
            log_error(0, "follow-up of %s %s: no such operation", row->service, row->operation);
            problems++;
            continue;
        }
        for (int k = 0; k < ROUTE_PARAMS_MAX && row->then.params[k].name; k++)
            problems += check_follow_up_field(row, &a, &b, &row->then.params[k]);
    }
    return problems;
}
