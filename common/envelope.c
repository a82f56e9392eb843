#include "envelope.h"
#include "pbwire.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

int envelope_fail(arena_t *arena, Lumbung__Reply *reply, Lumbung__ErrorKind kind,
                  const char *code, const char *field, const char *fmt, ...) {
    Lumbung__Error *e = arena_message(arena, &lumbung__error__descriptor);
    e->has_kind = 1;
    e->kind = kind;
    e->code = arena_strdup(arena, code);
    e->field = arena_strdup(arena, field);
    va_list ap;
    va_start(ap, fmt);
    e->message = arena_vprintf(arena, fmt, ap);
    va_end(ap);
    reply->error = e;
    reply->result_case = LUMBUNG__REPLY__RESULT__NOT_SET;
    return ERR_REJECTED;
}

int envelope_http_status(Lumbung__ErrorKind kind) {
    switch (kind) {
    case LUMBUNG__ERROR_KIND__ERROR_KIND_INVALID: return 400;
    case LUMBUNG__ERROR_KIND__ERROR_KIND_UNAUTHENTICATED: return 401;
    case LUMBUNG__ERROR_KIND__ERROR_KIND_FORBIDDEN: return 403;
    case LUMBUNG__ERROR_KIND__ERROR_KIND_NOT_FOUND: return 404;
    case LUMBUNG__ERROR_KIND__ERROR_KIND_CONFLICT: return 409;
    case LUMBUNG__ERROR_KIND__ERROR_KIND_RULE: return 422;
    case LUMBUNG__ERROR_KIND__ERROR_KIND_TOO_LARGE: return 413;
    case LUMBUNG__ERROR_KIND__ERROR_KIND_UNAVAILABLE: return 503;
    case LUMBUNG__ERROR_KIND__ERROR_KIND_TIMEOUT: return 504;
    default: return 500;
    }
}

static const char *const role_names[] = {
    [LUMBUNG__ROLE__ROLE_ADMIN] = "admin",           [LUMBUNG__ROLE__ROLE_SUPERVISOR] = "supervisor",
    [LUMBUNG__ROLE__ROLE_OPERATOR] = "operator",     [LUMBUNG__ROLE__ROLE_VIEWER] = "viewer",
    [LUMBUNG__ROLE__ROLE_SERVICE] = "service",       [LUMBUNG__ROLE__ROLE_INTEGRATOR] = "integrator",
    [LUMBUNG__ROLE__ROLE_MEMBER] = "member",
};
enum { ROLE_NAMES = sizeof role_names / sizeof role_names[0] };

const char *envelope_role_name(Lumbung__Role role) {
    if ((int) role <= 0 || (int) role >= ROLE_NAMES) return "unspecified";
    return role_names[role];
}

Lumbung__Role envelope_role_parse(const char *name) {
    if (!name) return LUMBUNG__ROLE__ROLE_UNSPECIFIED;
    for (int i = 1; i < ROLE_NAMES; i++)
        if (role_names[i] && !strcmp(role_names[i], name)) return (Lumbung__Role) i;
    return LUMBUNG__ROLE__ROLE_UNSPECIFIED;
}

Lumbung__Request *envelope_members_request(arena_t *arena, Lumbung__MembersRequest *members,
                                           Lumbung__Actor *actor) {
    assert(arena && members);
    Lumbung__Request *rq = arena_message(arena, &lumbung__request__descriptor);
    rq->body_case = LUMBUNG__REQUEST__BODY_MEMBERS;
    rq->members = members;
    rq->actor = actor;
    return rq;
}

uint8_t *envelope_pack(arena_t *arena, const ProtobufCMessage *message, size_t *len) {
    *len = protobuf_c_message_get_packed_size(message);
    uint8_t *buf = arena_alloc(arena, *len ? *len : 1);
    protobuf_c_message_pack(message, buf);
    return buf;
}

enum {
    EVENT_SEQ = 1, EVENT_ACTOR = 4, ACTOR_ROLE = 2,     /* field numbers of envelope.proto */
};

/* The role inside one occurrence of the Event's actor field. */
static int actor_role(const pbwire_field_t *actor, envelope_event_header_t *out) {
    uint64_t role;
    int rc = pbwire_find_varint(actor->data, actor->len, ACTOR_ROLE, &role);
    if (rc == 1) {
        out->has_role = true;
        out->role = (Lumbung__Role) (int32_t) (uint32_t) role;    /* as protobuf-c: an int32 */
    }
    return rc < 0 ? rc : 0;
}

int envelope_event_header(const void *wire, size_t len, envelope_event_header_t *out) {
    assert(out && (wire || len == 0));
    memset(out, 0, sizeof *out);
    pbwire_t r = pbwire_reader(wire, len);
    pbwire_field_t f;
    int rc;
    while ((rc = pbwire_next(&r, &f)) == 1) {
        if (f.number == EVENT_SEQ) {
            if (f.type != PBWIRE_VARINT) return -EPROTO;
            out->has_seq = true;
            out->seq = f.value;
        } else if (f.number == EVENT_ACTOR) {
            if (f.type != PBWIRE_BYTES || actor_role(&f, out) != 0) return -EPROTO;
        } else if (f.number == LUMBUNG__EVENT__BODY_MEMBERS ||
                   f.number == LUMBUNG__EVENT__BODY_TRANSACTIONS ||
                   f.number == LUMBUNG__EVENT__BODY_TESTING) {
            if (f.type != PBWIRE_BYTES) return -EPROTO;
            out->body = (Lumbung__Event__BodyCase) f.number;
        }
    }
    return rc;
}

int64_t envelope_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
