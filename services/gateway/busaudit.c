#include "busaudit.h"
#include "config.h"
#include "follower.h"
#include "log.h"
#include "scope.h"
#include "shard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { BUSAUDIT_STREAMS = 1 + SHARD_MAX };    /* members and every transactions shard */

struct busaudit {
    audit_t *audit;
    follower_t *followers[BUSAUDIT_STREAMS];
};

/* The service's own event oneof and the name of its set member ("entries_posted"). */
static const ProtobufCMessage *event_body(const Lumbung__Event *e, const char **kind) {
    const ProtobufCMessage *body = NULL;
    unsigned which = 0;
    if (e->body_case == LUMBUNG__EVENT__BODY_MEMBERS && e->members) {
        body = &e->members->base;
        which = e->members->body_case;
    } else if (e->body_case == LUMBUNG__EVENT__BODY_TRANSACTIONS && e->transactions) {
        body = &e->transactions->base;
        which = e->transactions->body_case;
    }
    const ProtobufCFieldDescriptor *f =
        body ? protobuf_c_message_descriptor_get_field(body->descriptor, which) : NULL;
    *kind = f ? f->name : "unknown";
    return body;
}

static int apply(void *arg, store_txn_t *txn, const Lumbung__Event *e) {
    busaudit_t *self = arg;
    if (!e->actor || !e->actor->has_role || e->actor->role != LUMBUNG__ROLE__ROLE_INTEGRATOR)
        return 0;
    const char *kind;
    const ProtobufCMessage *body = event_body(e, &kind);
    audit_entry_t entry;
    memset(&entry, 0, sizeof entry);
    entry.at_ms = e->at_ms;
    snprintf(entry.user, sizeof entry.user, "%s", e->actor->user ? e->actor->user : "");
    snprintf(entry.role, sizeof entry.role, "integrator");
    snprintf(entry.method, sizeof entry.method, "BUS");
    snprintf(entry.route, sizeof entry.route, "%s.%s", e->stream ? e->stream : "", kind);
    entry.cooperative_id = body ? scope_message_cooperative(body) : 0;
    snprintf(entry.target, sizeof entry.target, "seq=%llu", (unsigned long long) e->seq);
    entry.status = 200;
    snprintf(entry.outcome, sizeof entry.outcome, "ok");
    return audit_put(self->audit, txn, &entry);
}

/* Only integrators' events are audited here: the others are skipped from their wire header,
   never unpacked. */
static bool integrator_only(void *arg, const envelope_event_header_t *h, const uint8_t *wire,
                            size_t len) {
    (void) arg, (void) wire, (void) len;
    return h->has_role && h->role == LUMBUNG__ROLE__ROLE_INTEGRATOR;
}

busaudit_t *busaudit_new(bus_t *bus, store_t *store, audit_t *audit, int *err) {
    busaudit_t *self = calloc(1, sizeof *self);
    if (!self) abort();
    self->audit = audit;
    int streams = shard_load() == 0 ? 1 + shard_count() : 0;
    for (int i = 0; i < streams; i++) {
        char router[128], pub[128], stream[SHARD_NAME_MAX];
        if (i == 0) snprintf(stream, sizeof stream, "members");
        else shard_name(i - 1, stream, sizeof stream);
        follower_config_t fc = {
            .stream = stream,
            .router_endpoint = config_endpoint(stream, "router", router, sizeof router),
            .pub_endpoint = config_endpoint(stream, "pub", pub, sizeof pub),
            /* Integrators' events only: the producer filters its replays and sends no other
               event to the gateway (a month-end batch stream is not the gateway's to read). */
            .actor_role = LUMBUNG__ROLE__ROLE_INTEGRATOR,
        };
        self->followers[i] = follower_new(bus, store, &fc, apply, NULL, self, err);
        if (!self->followers[i]) {
            log_error(0, "busaudit: cannot follow %s (%d)", stream, *err);
            busaudit_destroy(&self);
            return NULL;
        }
        /* The producer already leaves other roles out; a producer older than actor_role
           does not, and this keeps its events out of the audit. */
        follower_set_wire_filter(self->followers[i], integrator_only);
    }
    return self;
}

void busaudit_destroy(busaudit_t **self_p) {
    busaudit_t *self = *self_p;
    if (!self) return;
    for (int i = 0; i < BUSAUDIT_STREAMS; i++) follower_destroy(&self->followers[i]);
    free(self);
    *self_p = NULL;
}

void busaudit_status(const busaudit_t *self, arena_t *arena, Lumbung__Pong *pong) {
    pong->followers = arena_alloc(arena, BUSAUDIT_STREAMS * sizeof *pong->followers);
    pong->n_followers = 0;
    for (int i = 0; i < BUSAUDIT_STREAMS; i++)
        if (self->followers[i])
            pong->followers[pong->n_followers++] = follower_status(self->followers[i], arena);
}
