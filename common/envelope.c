#include "envelope.h"

#include <assert.h>
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

int64_t envelope_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
