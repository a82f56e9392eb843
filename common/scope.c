#include "scope.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

const ProtobufCFieldDescriptor *scope_oneof_member(const ProtobufCMessage *msg) {
    const ProtobufCMessageDescriptor *d = msg->descriptor;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (!(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)) continue;
        uint32_t which = *(const uint32_t *) ((const char *) msg + f->quantifier_offset);
        if (which == f->id) return f;
    }
    return NULL;
}

/* The submessage a set oneof member (or an optional message field) points to, or NULL. */
static const ProtobufCMessage *field_message(const ProtobufCMessage *msg,
                                             const ProtobufCFieldDescriptor *f) {
    if (f->type != PROTOBUF_C_TYPE_MESSAGE) return NULL;
    return *(const ProtobufCMessage *const *) ((const char *) msg + f->offset);
}

/* The message's own cooperative_id (not its submessages'), 0 when it has none. */
static uint64_t own_cooperative(const ProtobufCMessage *msg) {
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field_by_name(msg->descriptor, "cooperative_id");
    if (!f || f->type != PROTOBUF_C_TYPE_UINT64 || f->label == PROTOBUF_C_LABEL_REPEATED) return 0;
    return *(const uint64_t *) ((const char *) msg + f->offset);
}

void scope_request_read(const Lumbung__Request *request, scope_request_t *out) {
    memset(out, 0, sizeof *out);
    const ProtobufCFieldDescriptor *body = scope_oneof_member(&request->base);
    const ProtobufCMessage *service = body ? field_message(&request->base, body) : NULL;
    out->service = body ? body->name : NULL;
    const ProtobufCFieldDescriptor *op = service ? scope_oneof_member(service) : NULL;
    const ProtobufCMessage *msg = op ? field_message(service, op) : NULL;
    if (!msg) return;
    out->name = op->name;
    out->number = op->id;
    out->message = msg;
    out->cooperative_id = own_cooperative(msg);
}

/* The service request (MembersRequest, ...) inside a Request, and its op, or NULL. */
static const ProtobufCMessage *operation_message(const Lumbung__Request *request,
                                                 const char **name) {
    scope_request_t r;
    scope_request_read(request, &r);
    *name = r.name;
    return r.message;
}

const char *scope_operation(const Lumbung__Request *request) {
    const char *name;
    operation_message(request, &name);
    return name;
}

typedef struct {
    const curve_peer_t *peer;
    problem_t *err;              /* NULL: only look */
    bool top_found;              /* the operation's own cooperative_id is set */
    int found;                   /* cooperative_ids seen */
    bool refused;
    uint64_t first;              /* the first cooperative_id seen */
} walk_t;

static bool is_cooperative_id(const ProtobufCFieldDescriptor *f) {
    return f->type == PROTOBUF_C_TYPE_UINT64 && f->label != PROTOBUF_C_LABEL_REPEATED &&
           !(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) && !strcmp(f->name, "cooperative_id");
}

static void walk(walk_t *w, const ProtobufCMessage *msg, const char *path, int depth);

static void visit_cooperative(walk_t *w, const ProtobufCMessage *msg,
                              const ProtobufCFieldDescriptor *f, const char *path, int depth) {
    if (f->label == PROTOBUF_C_LABEL_OPTIONAL &&
        !*(const protobuf_c_boolean *) ((const char *) msg + f->quantifier_offset))
        return;
    uint64_t coop = *(const uint64_t *) ((const char *) msg + f->offset);
    if (coop == 0) return;
    if (w->found++ == 0) w->first = coop;
    if (depth == 0) w->top_found = true;
    if (curve_peer_may_cooperative(w->peer, coop) || w->refused) return;
    w->refused = true;
    if (!w->err) return;
    char field[PROBLEM_FIELD_MAX];
    snprintf(field, sizeof field, "%s%scooperative_id", path, *path ? "." : "");
    problem_set(w->err, LUMBUNG__ERROR_KIND__ERROR_KIND_FORBIDDEN, "cooperative_not_allowed", field,
                "the key of integrator %s may not act for cooperative %" PRIu64
                " (ask the district administrator to widen its scope)", w->peer->name, coop);
}

static void visit_messages(walk_t *w, const ProtobufCMessage *msg,
                           const ProtobufCFieldDescriptor *f, const char *path, int depth) {
    char sub[SCOPE_FIELD_MAX];
    if (f->label == PROTOBUF_C_LABEL_REPEATED) {
        size_t n = *(const size_t *) ((const char *) msg + f->quantifier_offset);
        ProtobufCMessage *const *items = *(ProtobufCMessage *const *const *) ((const char *) msg + f->offset);
        for (size_t i = 0; i < n && !w->refused; i++) {
            snprintf(sub, sizeof sub, "%s%s%s[%zu]", path, *path ? "." : "", f->name, i);
            walk(w, items[i], sub, depth + 1);
        }
        return;
    }
    /* A oneof's members share their storage: only the set one may be read. */
    if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
        *(const uint32_t *) ((const char *) msg + f->quantifier_offset) != f->id)
        return;
    const ProtobufCMessage *child = field_message(msg, f);
    if (!child) return;
    snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", f->name);
    walk(w, child, sub, depth + 1);
}

/* A nested operation (a batch posting's deposit, withdraw or entry) must be allowed too: under
   its own name or with "post_" before it (entry -> post_entry). */
static void visit_nested_op(walk_t *w, const ProtobufCMessage *msg, const char *path) {
    const ProtobufCFieldDescriptor *f = scope_oneof_member(msg);
    if (!f || !w->err || w->refused) return;
    char post[SCOPE_FIELD_MAX];
    snprintf(post, sizeof post, "post_%s", f->name);
    if (curve_peer_may_operation(w->peer, f->name) || curve_peer_may_operation(w->peer, post)) return;
    w->refused = true;
    char field[PROBLEM_FIELD_MAX];
    snprintf(field, sizeof field, "%s.%s", path, f->name);
    problem_set(w->err, LUMBUNG__ERROR_KIND__ERROR_KIND_FORBIDDEN, "operation_not_allowed", field,
                "the key of integrator %s may not call %s (%s)", w->peer->name, f->name, field);
}

static void walk(walk_t *w, const ProtobufCMessage *msg, const char *path, int depth) {
    if (!msg || depth > SCOPE_DEPTH_MAX) return;
    if (depth > 0) visit_nested_op(w, msg, path);
    const ProtobufCMessageDescriptor *d = msg->descriptor;
    for (unsigned i = 0; i < d->n_fields && !w->refused; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (is_cooperative_id(f)) visit_cooperative(w, msg, f, path, depth);
        else if (f->type == PROTOBUF_C_TYPE_MESSAGE) visit_messages(w, msg, f, path, depth);
    }
}

/* The refusal of an operation the key may not call: FORBIDDEN, ERR_FORBIDDEN. */
static int forbid_operation(problem_t *err, const char *op, const char *message) {
    problem_set(err, LUMBUNG__ERROR_KIND__ERROR_KIND_FORBIDDEN, "operation_not_allowed", op, "%s",
                message);
    return ERR_FORBIDDEN;
}

int scope_check(const curve_peer_t *peer, const Lumbung__Request *request, problem_t *err) {
    const char *op;
    const ProtobufCMessage *body = operation_message(request, &op);
    char text[SCOPE_MESSAGE_MAX];
    if (!op || !body)
        return forbid_operation(err, "", "this request is not for integrators");
    if (!curve_peer_may_operation(peer, op)) {
        snprintf(text, sizeof text, "the key of integrator %s may not call %s%s", peer->name, op,
                 peer->scoped ? "" : " (the key has no scope yet: lumbungctl keys add ... "
                                     "--cooperatives ... --operations ...)");
        return forbid_operation(err, op, text);
    }
    walk_t w = { .peer = peer, .err = err };
    walk(&w, body, "", 0);
    if (w.refused) return ERR_FORBIDDEN;
    if (!w.top_found && !protobuf_c_message_descriptor_get_field_by_name(body->descriptor,
                                                                         "cooperative_id")) {
        snprintf(text, sizeof text, "%s names no cooperative (district-wide, or by id alone): "
                 "it is not for integrators", op);
        return forbid_operation(err, op, text);
    }
    if (!w.top_found) {
        snprintf(text, sizeof text, "an integrator names the cooperative it acts for: %s needs "
                 "cooperative_id", op);
        return problem_set(err, LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID, "cooperative_required",
                           "cooperative_id", "%s", text);
    }
    return 0;
}

bool scope_event_visible(const curve_peer_t *peer, const uint8_t *event, size_t len) {
    if (peer->scoped && peer->all_cooperatives) return true;
    Lumbung__Event *e = lumbung__event__unpack(NULL, len, event);
    if (!e) return false;
    /* Only the body: the actor's cooperative_id is who acted, not what the event is about. */
    const ProtobufCFieldDescriptor *f = scope_oneof_member(&e->base);
    walk_t w = { .peer = peer };
    if (f) walk(&w, field_message(&e->base, f), "", 1);
    bool visible = f && w.found > 0 && !w.refused;
    lumbung__event__free_unpacked(e, NULL);
    return visible;
}

uint64_t scope_message_cooperative(const ProtobufCMessage *msg) {
    static const curve_peer_t everyone = { .scoped = true, .all_cooperatives = true };
    walk_t w = { .peer = &everyone };
    walk(&w, msg, "", 1);
    return w.first;
}

bool scope_operation_known(const char *name) {
    const ProtobufCMessageDescriptor *services[] = {
        &lumbung__members_request__descriptor,
        &lumbung__transactions_request__descriptor,
        &lumbung__reporting_request__descriptor,
    };
    for (unsigned s = 0; s < sizeof services / sizeof services[0]; s++)
        for (unsigned i = 0; i < services[s]->n_fields; i++)
            if ((services[s]->fields[i].flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
                !strcmp(services[s]->fields[i].name, name))
                return true;
    return false;
}
