/* The router, the one authorisation decision and the generic bus-backed handler
   (see gateway.h for the rules). */
#include "gateway.h"
#include "scope.h"

#include <assert.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "envelope.h"
#include "json_pb.h"
#include "log.h"

const char *const gateway_service_names[GATEWAY_SERVICES] = {
    "members", "transactions", "reporting",
};

#define NO_PARAMS { { NULL, NULL } }

/* The endpoints the gateway answers itself (handlers.c). */
static const route_t routes_gateway[] = {
    { "GET", "/healthz", ROUTE_PUBLIC, "gateway", "healthz", NO_PARAMS, 0 },
    { "GET", "/readyz", ROUTE_PUBLIC, "gateway", "readyz", NO_PARAMS, 0 },
    { "GET", "/metrics", ROUTE_PUBLIC, "gateway", "metrics", NO_PARAMS, 0 },
    { "POST", "/api/v1/auth/login", ROUTE_PUBLIC, "gateway", "login", NO_PARAMS, 0 },
    { "POST", "/api/v1/auth/logout", ROUTE_AUTHENTICATED, "gateway", "logout", NO_PARAMS, ROUTE_MEMBER },
    { "GET", "/api/v1/auth/me", ROUTE_AUTHENTICATED, "gateway", "me", NO_PARAMS, ROUTE_MEMBER },
    { "POST", "/api/v1/member/activate", ROUTE_PUBLIC, "gateway", "member_activate", NO_PARAMS, 0 },
    { "POST", "/api/v1/member/login", ROUTE_PUBLIC, "gateway", "member_login", NO_PARAMS, 0 },
    { "POST", "/api/v1/cooperatives/{coop}/members/{id}/access", ROUTE_COOP_WRITE, "gateway",
      "member_access", { { "coop", "cooperative_id" }, { "id", "id" } }, ROUTE_CREATED },
    { "POST", "/api/v1/auth/password", ROUTE_AUTHENTICATED, "gateway", "change_password", NO_PARAMS, 0 },
    { "GET", "/api/v1/users", ROUTE_ADMIN, "gateway", "list_users", NO_PARAMS, ROUTE_QUERY_FIELDS },
    { "POST", "/api/v1/users", ROUTE_ADMIN, "gateway", "create_user", NO_PARAMS, ROUTE_CREATED },
    { "GET", "/api/v1/users/{id}", ROUTE_ADMIN, "gateway", "get_user", { { "id", "id" } }, 0 },
    { "PATCH", "/api/v1/users/{id}", ROUTE_ADMIN, "gateway", "update_user", { { "id", "id" } }, 0 },
    { "GET", "/api/v1/audit", ROUTE_SUPERVISE, "gateway", "audit", NO_PARAMS, ROUTE_QUERY_FIELDS },
    { "GET", "/publik/koperasi", ROUTE_PUBLIC, "gateway", "public_directory", NO_PARAMS, ROUTE_QUERY_FIELDS },
    { "GET", "/publik/koperasi/{coop}", ROUTE_PUBLIC, "gateway", "public_profile",
      { { "coop", "cooperative_id" } }, 0 },
    ROUTE_END
};

const route_t *const gateway_routes_tables[] = {
    routes_gateway, routes_members, routes_transactions, routes_reporting, NULL,
};

int gateway_service_index(const char *service) {
    for (int i = 0; service && i < GATEWAY_SERVICES; i++)
        if (!strcmp(service, gateway_service_names[i])) return i;
    return -1;
}

int gateway_shard_backend(int shard) {
    return shard == 0 ? GATEWAY_SERVICE_TRANSACTIONS : GATEWAY_SERVICES + shard - 1;
}

int gateway_backend(const gateway_t *gw, int service, uint64_t coop) {
    if (service != GATEWAY_SERVICE_TRANSACTIONS || gw->shards <= 1) return service;
    return gateway_shard_backend(shard_of(coop));
}

/* ---------------------------------------------------------------- matching */

typedef struct {
    const char *start;
    size_t len;
} segment_t;

/* Splits "/a/b/c" into segments; -1 for an empty segment ("//", a trailing "/"), a path not
   starting with "/", or more than GATEWAY_SEGMENTS_MAX segments. "/" has none. */
static int split(const char *path, segment_t segs[GATEWAY_SEGMENTS_MAX]) {
    if (path[0] != '/') return -1;
    const char *p = path + 1;
    if (!*p) return 0;
    int n = 0;
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t) (slash - p) : strlen(p);
        if (len == 0 || n == GATEWAY_SEGMENTS_MAX) return -1;
        segs[n++] = (segment_t) { p, len };
        if (!slash) return n;
        p = slash + 1;
    }
}

static bool is_param(const segment_t *s) {
    return s->len > 2 && s->start[0] == '{' && s->start[s->len - 1] == '}';
}

/* A score when the pattern matches (literal segments nearer the start weigh more), else -1. */
static int64_t pattern_match(const char *pattern, const segment_t *segs, int n,
                             gateway_route_match_t *m) {
    segment_t ps[GATEWAY_SEGMENTS_MAX];
    int pn = split(pattern, ps);
    assert(pn >= 0 && "route patterns are checked at start-up");
    if (pn != n) return -1;
    int64_t score = 0;
    m->count = 0;
    for (int i = 0; i < n; i++) {
        if (is_param(&ps[i])) {
            if (segs[i].len > GATEWAY_SEGMENT_MAX || m->count == ROUTE_PARAMS_MAX) return -1;
            size_t nl = ps[i].len - 2 < sizeof m->params[0].name - 1 ? ps[i].len - 2
                                                                     : sizeof m->params[0].name - 1;
            memcpy(m->params[m->count].name, ps[i].start + 1, nl);
            m->params[m->count].name[nl] = 0;
            memcpy(m->params[m->count].value, segs[i].start, segs[i].len);
            m->params[m->count].value[segs[i].len] = 0;
            m->count++;
        } else {
            if (ps[i].len != segs[i].len || memcmp(ps[i].start, segs[i].start, segs[i].len))
                return -1;
            score |= (int64_t) 1 << (GATEWAY_SEGMENTS_MAX - i);
        }
    }
    return score;
}

static bool method_matches(const char *route_method, const char *method) {
    return !strcmp(route_method, method) || (!strcmp(method, "HEAD") && !strcmp(route_method, "GET"));
}

static void allow_add(char *allow, size_t size, const char *method) {
    size_t n = strlen(method);
    for (const char *p = allow; (p = strstr(p, method)); p += n)
        if ((p == allow || p[-1] == ' ') && (p[n] == ',' || p[n] == 0)) return;
    size_t used = strlen(allow);
    snprintf(allow + used, size - used, "%s%s", used ? ", " : "", method);
}

int gateway_routes_match(const char *method, const char *path, gateway_route_match_t *m,
                         char *allow, size_t allow_size) {
    assert(method && path && m && allow && allow_size > 0);
    allow[0] = 0;
    segment_t segs[GATEWAY_SEGMENTS_MAX];
    int n = split(path, segs);
    if (n < 0) return ERR_NOT_FOUND;
    int64_t best = -1;
    gateway_route_match_t candidate;
    for (int t = 0; gateway_routes_tables[t]; t++) {
        for (const route_t *r = gateway_routes_tables[t]; r->method; r++) {
            int64_t score = pattern_match(r->pattern, segs, n, &candidate);
            if (score < 0) continue;
            allow_add(allow, allow_size, r->method);
            if (!method_matches(r->method, method) || score <= best) continue;
            best = score;
            *m = candidate;
            m->route = r;
        }
    }
    if (best >= 0) return 0;
    return allow[0] ? ERR_METHOD_NOT_ALLOWED : ERR_NOT_FOUND;
}

/* ---------------------------------------------------------------- authorisation */

static bool is_read(const char *method) { return !strcmp(method, "GET") || !strcmp(method, "HEAD"); }

int gateway_routes_authorize(const route_t *route, const char *method, const auth_user_t *user,
                             bool other_coop) {
    assert(route && method);
    if (route->access == ROUTE_PUBLIC) return 0;
    if (!user) return ERR_UNAUTHENTICATED;
    Lumbung__Role role = user->role;
    bool admin = role == LUMBUNG__ROLE__ROLE_ADMIN;
    bool supervisor = role == LUMBUNG__ROLE__ROLE_SUPERVISOR;
    bool operator = role == LUMBUNG__ROLE__ROLE_OPERATOR;
    bool viewer = role == LUMBUNG__ROLE__ROLE_VIEWER;
    /* A member: only the rows marked ROUTE_MEMBER (every bus-backed one a read, checked at
       start-up), their own cooperative; other_coop also says "another member" for them. */
    if (role == LUMBUNG__ROLE__ROLE_MEMBER)
        return (route->flags & ROUTE_MEMBER) && !other_coop && user->cooperative_id &&
                       user->member_id ? 0 : ERR_FORBIDDEN;
    bool scoped = operator || viewer;
    if (!admin && !supervisor && !scoped) return ERR_FORBIDDEN;
    if (scoped && (other_coop || user->cooperative_id == 0)) return ERR_FORBIDDEN;
    if (route->access == ROUTE_AUTHENTICATED) return 0;
    if (viewer && !is_read(method)) return ERR_FORBIDDEN;
    switch (route->access) {
    case ROUTE_COOP_READ: return 0;                     /* scope checked above */
    case ROUTE_COOP_WRITE: return admin || operator ? 0 : ERR_FORBIDDEN;
    case ROUTE_SUPERVISE: return admin || supervisor ? 0 : ERR_FORBIDDEN;
    case ROUTE_ADMIN: return admin ? 0 : ERR_FORBIDDEN;
    default: return ERR_FORBIDDEN;
    }
}

static bool text_is_other(const char *text, uint64_t own) {
    uint64_t v;
    return gateway_parse_u64(text, &v) < 0 || v != own;
}

static bool json_is_other(const json_t *value, uint64_t own) {
    if (json_is_null(value)) return false;                  /* null means absent */
    if (json_is_string(value)) return text_is_other(json_string_value(value), own);
    if (json_is_integer(value)) return json_integer_value(value) < 0 ||
                                       (uint64_t) json_integer_value(value) != own;
    return true;
}

static bool json_names_other(const json_t *j, uint64_t own, int depth) {
    if (depth > GATEWAY_JSON_DEPTH_MAX) return true;
    if (json_is_array(j)) {
        size_t i;
        const json_t *item;
        json_array_foreach(j, i, item)
            if (json_names_other(item, own, depth + 1)) return true;
        return false;
    }
    if (!json_is_object(j)) return false;
    const char *key;
    const json_t *value;
    json_object_foreach((json_t *) j, key, value) {
        if (!strcmp(key, "cooperative_id") && json_is_other(value, own)) return true;
        if (json_names_other(value, own, depth + 1)) return true;
    }
    return false;
}

bool gateway_routes_names_other_coop(const gateway_route_match_t *m, const char *query_coop,
                                     const json_t *body, uint64_t own) {
    for (int i = 0; m && i < m->count; i++)
        if (!strcmp(m->params[i].name, "coop") && text_is_other(m->params[i].value, own))
            return true;
    if (query_coop && text_is_other(query_coop, own)) return true;
    return body && json_names_other(body, own, 1);
}

/* ---------------------------------------------------------------- the request pipeline */

/* A state-changing call made with the session cookie must prove it comes from our own page:
   another site can make a browser send the cookie, but cannot read the CSRF token. */
static int check_csrf(gateway_exchange_t *ex) {
    if (!ex->via_cookie || is_read(ex->method)) return 0;
    const char *sent = http_req_header(ex->req, COOKIE_CSRF_HEADER);
    if (cookie_csrf_ok(ex->token, sent)) return 0;
    if (!sent)
        gateway_exchange_error(ex, 403, "csrf_token_required", COOKIE_CSRF_HEADER,
                               "a call made with the session cookie must send the "
                               COOKIE_CSRF_HEADER " header (the csrf_token of the login)");
    else
        gateway_exchange_error(ex, 403, "csrf_token_invalid", COOKIE_CSRF_HEADER,
                               COOKIE_CSRF_HEADER " is not the csrf_token of this session");
    return -1;
}

static int authenticate(gateway_exchange_t *ex) {
    if (ex->route->access == ROUTE_PUBLIC) return 0;
    const char *header = http_req_header(ex->req, "Authorization");
    const char *token = NULL;
    if (header && !strncasecmp(header, "Bearer ", 7)) {
        token = header + 7;
        while (*token == ' ') token++;
    }
    char cookie_token[COOKIE_TOKEN_MAX + 1];
    if ((!token || !*token) &&
        cookie_session_token(http_req_header(ex->req, "Cookie"), cookie_token,
                             sizeof cookie_token) == 0) {
        token = cookie_token;
        ex->via_cookie = true;
    }
    if (!token || !*token) {
        gateway_exchange_header(ex, "WWW-Authenticate", "Bearer");
        gateway_exchange_error(ex, 401, "unauthenticated", NULL,
                               "log in first (POST /api/v1/auth/login) and send "
                               "Authorization: Bearer <token>");
        return -1;
    }
    ex->token = arena_strdup(ex->arena, token);
    if (auth_authenticate(ex->gw->auth, token, &ex->user) < 0) {
        if (ex->via_cookie) {
            char clear[COOKIE_HEADER_MAX];
            cookie_clear_value(ex->gw->cookie_secure, clear);
            gateway_exchange_header(ex, "Set-Cookie", clear);
        }
        gateway_exchange_header(ex, "WWW-Authenticate", "Bearer error=\"invalid_token\"");
        gateway_exchange_error(ex, 401, "invalid_token", NULL,
                               "the token is unknown, expired or revoked; log in again");
        return -1;
    }
    ex->has_user = true;
    return check_csrf(ex);
}

/* A member naming a member id other than their own: the {id} of a member route, or a
   member_id query parameter. */
static bool names_other_member(gateway_exchange_t *ex) {
    if (!ex->has_user || ex->user.role != LUMBUNG__ROLE__ROLE_MEMBER) return false;
    const char *id = gateway_exchange_param(ex, "id");
    const char *query = gateway_exchange_query(ex, "member_id");
    return (id && text_is_other(id, ex->user.member_id)) ||
           (query && text_is_other(query, ex->user.member_id));
}

static int authorize(gateway_exchange_t *ex, const json_t *body) {
    const char *query_coop = gateway_exchange_query(ex, "cooperative_id");
    bool other_member = names_other_member(ex);
    bool other = ex->has_user &&
                 gateway_routes_names_other_coop(&ex->match, query_coop, body,
                                                 ex->user.cooperative_id);
    if (other_member && !other) {
        gateway_exchange_error(ex, 403, "forbidden", "member_id",
                               "a member may only see their own records (%" PRIu64 ")",
                               ex->user.member_id);
        return -1;
    }
    int rc = gateway_routes_authorize(ex->route, ex->method, ex->has_user ? &ex->user : NULL, other);
    if (rc == 0) return 0;
    if (other)
        gateway_exchange_error(ex, 403, "forbidden", "cooperative_id",
                               "you may only work with your own cooperative (%" PRIu64 ")",
                               ex->user.cooperative_id);
    else
        gateway_exchange_error(ex, 403, "forbidden", NULL, "a %s may not %s %s",
                               auth_role_name(ex->user.role), ex->method, ex->route->pattern);
    return -1;
}

static bool key_char_ok(char c) { return c > 0x20 && c < 0x7f; }

static int read_idempotency_key(gateway_exchange_t *ex) {
    const char *key = http_req_header(ex->req, "Idempotency-Key");
    if (!key) {
        if (!(ex->route->flags & ROUTE_IDEMPOTENCY_REQUIRED)) return 0;
        gateway_exchange_error(ex, 400, "idempotency_key_required", "Idempotency-Key",
                               "this call moves money: send an Idempotency-Key header (e.g. a "
                               "UUID) so that a retry cannot book it twice");
        return -1;
    }
    size_t n = strlen(key);
    bool ok = n >= 1 && n <= GATEWAY_IDEMPOTENCY_KEY_MAX;
    for (size_t i = 0; ok && i < n; i++) ok = key_char_ok(key[i]);
    if (!ok) {
        gateway_exchange_error(ex, 400, "invalid_idempotency_key", "Idempotency-Key",
                               "Idempotency-Key: use 1 to %d visible ASCII characters",
                               GATEWAY_IDEMPOTENCY_KEY_MAX);
        return -1;
    }
    ex->idempotency_key = arena_strdup(ex->arena, key);
    return 0;
}

/* Nesting depth of JSON text, counted before parsing so a hostile body costs no memory. */
static int json_depth(const uint8_t *p, size_t len) {
    int depth = 0, max = 0;
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = p[i];
        if (in_string) {
            if (c == '\\') i++;
            else if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            if (++depth > max) max = depth;
        } else if (c == '}' || c == ']') {
            depth--;
        }
    }
    return max;
}

static int parse_body(gateway_exchange_t *ex, json_t **out) {
    *out = NULL;
    if (is_read(ex->method)) return 0;
    size_t len;
    const uint8_t *body = http_req_body(ex->req, &len);
    if (len == 0) { *out = json_object(); return 0; }
    if (json_depth(body, len) > GATEWAY_JSON_DEPTH_MAX) {
        gateway_exchange_error(ex, 400, "too_deep", NULL,
                               "the body nests objects or arrays deeper than %d levels",
                               GATEWAY_JSON_DEPTH_MAX);
        return -1;
    }
    json_error_t error;
    json_t *json = json_loadb((const char *) body, len, JSON_REJECT_DUPLICATES, &error);
    if (!json) {
        gateway_exchange_error(ex, 400, "invalid_json", NULL,
                               "the body is not valid JSON: %s (line %d, column %d)", error.text,
                               error.line, error.column);
        return -1;
    }
    if (!json_is_object(json)) {
        json_decref(json);
        gateway_exchange_error(ex, 400, "invalid_json", NULL, "the body must be a JSON object");
        return -1;
    }
    *out = json;
    return 0;
}

/* The cooperative the audit names: the {coop} parameter, else the body's or query's. */
static void note_cooperative(gateway_exchange_t *ex, const json_t *body) {
    const char *text = gateway_exchange_param(ex, "coop");
    json_t *member = body ? json_object_get(body, "cooperative_id") : NULL;
    if (!text && json_is_string(member)) text = json_string_value(member);
    if (!text) text = gateway_exchange_query(ex, "cooperative_id");
    uint64_t id;
    if (text && gateway_parse_u64(text, &id) == 0) ex->cooperative_id = id;
    else if (json_is_integer(member) && json_integer_value(member) > 0)
        ex->cooperative_id = (uint64_t) json_integer_value(member);
}

static void gateway_routes_call(gateway_exchange_t *ex, json_t *body);

static void dispatch(gateway_exchange_t *ex, json_t *body) {
    if (strcmp(ex->route->service, "gateway") != 0) {
        gateway_routes_call(ex, body);
        return;
    }
    gateway_handler_fn fn = gateway_handlers_find(ex->route->operation);
    assert(fn && "gateway_routes_check() found every handler at start-up");
    fn(ex, body);
}

/* A GET or HEAD of no API route: the web interface's files (static.h). */
static void answer_static(gateway_exchange_t *ex) {
    static_answer_t a;
    int rc = static_files_answer(ex->gw->web, ex->path, http_req_header(ex->req, "If-None-Match"),
                                 http_req_header(ex->req, "Accept-Encoding"), &a);
    if (rc == ERR_INVALID_PATH) {
        gateway_exchange_error(ex, 400, "invalid_path", NULL,
                               "the path holds \".\" or \"..\" segments, a backslash, a \"%%\" "
                               "or a control character");
        return;
    }
    if (rc < 0) {
        gateway_exchange_error(ex, 404, "not_found", NULL, "there is no file at this path");
        return;
    }
    gateway_exchange_header(ex, "ETag", a.etag);
    gateway_exchange_header(ex, "Cache-Control", "no-cache");
    gateway_exchange_header(ex, "Vary", "Accept-Encoding");
    if (a.content_encoding) gateway_exchange_header(ex, "Content-Encoding", a.content_encoding);
    gateway_exchange_finish(ex, a.status, a.status == 304 ? NULL : a.content_type, a.body, a.len,
                            "ok");
}

static bool is_api_path(const char *path) {
    return !strncmp(path, "/api/", 5) || !strcmp(path, "/api");
}

static void not_routed(gateway_exchange_t *ex, int rc, const char *allow) {
    if (rc == ERR_NOT_FOUND && is_read(ex->method) && !is_api_path(ex->path) &&
        ex->gw->web) {
        answer_static(ex);
        return;
    }
    if (rc == ERR_METHOD_NOT_ALLOWED) {
        gateway_exchange_header(ex, "Allow", allow);
        gateway_exchange_error(ex, 405, "method_not_allowed", NULL,
                               "%s is not allowed on this path; use %s", ex->method, allow);
    } else {
        gateway_exchange_error(ex, 404, "not_found", NULL, "there is no endpoint at this path");
    }
}

void gateway_routes_handle(void *arg, http_req_t *req) {
    gateway_t *gw = arg;
    gateway_exchange_t *ex = gateway_exchange_new(gw, req);
    char allow[GATEWAY_ALLOW_MAX];
    int rc = gateway_routes_match(ex->method, ex->path, &ex->match, allow, sizeof allow);
    if (rc < 0) { not_routed(ex, rc, allow); return; }
    ex->route = ex->match.route;
    if (http_req_body_exceeded(req)) {
        gateway_exchange_error(ex, 413, "body_too_large", NULL,
                               "the body is larger than this endpoint accepts (%zu bytes)",
                               http_req_body_limit(req));
        return;
    }
    note_cooperative(ex, NULL);
    if (authenticate(ex) < 0 || authorize(ex, NULL) < 0 || read_idempotency_key(ex) < 0) return;
    json_t *body = NULL;
    if (!(ex->route->flags & ROUTE_RAW_BODY) && parse_body(ex, &body) < 0) return;
    note_cooperative(ex, body);
    if (body && ex->has_user && authorize(ex, body) < 0) { json_decref(body); return; }
    dispatch(ex, body);
    json_decref(body);
}

size_t gateway_routes_body_limit(void *arg, const char *method, const char *path) {
    (void) arg;
    gateway_route_match_t m;
    char allow[GATEWAY_ALLOW_MAX];
    if (gateway_routes_match(method, path, &m, allow, sizeof allow) == 0 &&
        (m.route->flags & ROUTE_LONG))
        return HTTP_SERVER_BODY_MAX_LONG;
    return HTTP_SERVER_BODY_MAX_DEFAULT;
}

/* ---------------------------------------------------------------- bus-backed routes */

typedef struct {
    const ProtobufCFieldDescriptor *service;    /* in lumbung.Request's body oneof */
    const ProtobufCFieldDescriptor *operation;  /* in the service's *Request oneof */
} operation_t;

static int operation_find(const route_t *r, operation_t *op) {
    op->service = protobuf_c_message_descriptor_get_field_by_name(&lumbung__request__descriptor,
                                                                  r->service);
    if (!op->service || op->service->type != PROTOBUF_C_TYPE_MESSAGE) return -1;
    op->operation = protobuf_c_message_descriptor_get_field_by_name(op->service->descriptor,
                                                                    r->operation);
    if (!op->operation || op->operation->type != PROTOBUF_C_TYPE_MESSAGE ||
        !(op->operation->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
        return -1;
    return 0;
}

/* Sets a message-typed member of a oneof: the case, then the pointer. */
static void oneof_set(ProtobufCMessage *parent, const ProtobufCFieldDescriptor *f,
                      ProtobufCMessage *child) {
    *(uint32_t *) ((char *) parent + f->quantifier_offset) = f->id;
    *(ProtobufCMessage **) ((char *) parent + f->offset) = child;
}

/* The set member of the first oneof of `msg`, or NULL. */
static const ProtobufCFieldDescriptor *oneof_get(const ProtobufCMessage *msg) {
    const ProtobufCMessageDescriptor *d = msg->descriptor;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (!(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)) continue;
        uint32_t which = *(const uint32_t *) ((const char *) msg + f->quantifier_offset);
        if (which == f->id) return f;
    }
    return NULL;
}

static void answer_json_pb_error(gateway_exchange_t *ex, const json_pb_error_t *e) {
    gateway_exchange_error(ex, 400, e->code[0] ? e->code : "invalid", e->field, "%s", e->message);
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

static int set_params(gateway_exchange_t *ex, ProtobufCMessage *msg) {
    for (int i = 0; i < ROUTE_PARAMS_MAX && ex->route->params[i].name; i++) {
        const char *value = gateway_exchange_param(ex, ex->route->params[i].name);
        if (!value) continue;
        char name[JSON_PB_FIELD_PATH_MAX];
        json_pb_error_t e;
        memset(&e, 0, sizeof e);
        if (json_pb_set_text(ex->arena, msg, param_json_name(msg, ex->route->params[i].field,
                                                             name, sizeof name), value, &e) < 0) {
            answer_json_pb_error(ex, &e);
            return -1;
        }
    }
    return 0;
}

typedef struct {
    gateway_exchange_t *ex;
    ProtobufCMessage *msg;
    json_pb_error_t error;
} query_fill_t;

static int set_query_one(void *arg, const char *name, const char *value) {
    query_fill_t *q = arg;
    if (!strcmp(name, "limit")) {
        uint64_t v;
        if (gateway_parse_u64(value, &v) < 0 || v < 1 || v > GATEWAY_PAGE_MAX) {
            snprintf(q->error.field, sizeof q->error.field, "limit");
            snprintf(q->error.code, sizeof q->error.code, "invalid_limit");
            snprintf(q->error.message, sizeof q->error.message,
                     "limit: give a whole number from 1 to %d", GATEWAY_PAGE_MAX);
            return -1;
        }
    }
    return json_pb_set_text(q->ex->arena, q->msg, name, value, &q->error) < 0 ? -1 : 0;
}

static int set_query(gateway_exchange_t *ex, ProtobufCMessage *msg) {
    if (!(ex->route->flags & ROUTE_QUERY_FIELDS)) return 0;
    query_fill_t q = { .ex = ex, .msg = msg };
    if (http_req_query_each(ex->req, set_query_one, &q) == 0) return 0;
    answer_json_pb_error(ex, &q.error);
    return -1;
}

/* A ROUTE_SELF operation's cooperative_id and member_id: the member's own, from the session
   (authorize() has refused a request naming another). */
static int set_self(gateway_exchange_t *ex, ProtobufCMessage *msg) {
    if (!(ex->route->flags & ROUTE_SELF)) return 0;
    if (!ex->has_user || !ex->user.member_id) {
        gateway_exchange_error(ex, 403, "forbidden", NULL, "only a member may call this");
        return -1;
    }
    const struct { const char *field; uint64_t value; } own[] = {
        { "cooperative_id", ex->user.cooperative_id }, { "member_id", ex->user.member_id },
    };
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++) {
        if (!protobuf_c_message_descriptor_get_field_by_name(msg->descriptor, own[i].field))
            continue;
        json_pb_error_t e;
        memset(&e, 0, sizeof e);
        if (json_pb_set_text(ex->arena, msg, own[i].field,
                             arena_printf(ex->arena, "%" PRIu64, own[i].value), &e) < 0) {
            answer_json_pb_error(ex, &e);
            return -1;
        }
    }
    return 0;
}

/* Builds the operation's message from body, path and query; NULL after answering 400. */
static ProtobufCMessage *operation_build(gateway_exchange_t *ex, const operation_t *op,
                                         json_t *body) {
    ProtobufCMessage *msg = arena_message(ex->arena, op->operation->descriptor);
    json_pb_error_t e;
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

static Lumbung__Request *envelope_build(gateway_exchange_t *ex, const operation_t *op,
                                        ProtobufCMessage *operation, int service) {
    arena_t *a = ex->arena;
    ProtobufCMessage *svc = arena_message(a, op->service->descriptor);
    oneof_set(svc, op->operation, operation);
    Lumbung__Request *rq = arena_message(a, &lumbung__request__descriptor);
    oneof_set(&rq->base, op->service, svc);
    if (ex->has_user) {
        Lumbung__Actor *actor = arena_message(a, &lumbung__actor__descriptor);
        actor->user = arena_strdup(a, ex->user.username);
        actor->has_role = 1;
        /* The services know no members' role: the gateway has scoped the member to their own
           id above, and the services check the cooperative of a viewer. */
        actor->role = ex->user.role == LUMBUNG__ROLE__ROLE_MEMBER ? LUMBUNG__ROLE__ROLE_VIEWER
                                                                 : ex->user.role;
        actor->has_cooperative_id = ex->user.cooperative_id != 0;
        actor->cooperative_id = ex->user.cooperative_id;
        rq->actor = actor;
    }
    rq->trace_id = (char *) ex->request_id;   /* every service logs it (log.h) */
    if (ex->idempotency_key)     /* scoped by user, so two users' keys never collide */
        rq->idempotency_key = arena_printf(a, "%s:%s", ex->has_user ? ex->user.username : "",
                                           ex->idempotency_key);
    const uint64_t *seen = ex->gw->seen_seq;
    if (service != GATEWAY_SERVICE_MEMBERS && seen[GATEWAY_SERVICE_MEMBERS]) {
        rq->has_after_members_seq = 1;
        rq->after_members_seq = seen[GATEWAY_SERVICE_MEMBERS];
    }
    if (service == GATEWAY_SERVICE_REPORTING) after_shards(ex->gw, a, rq);
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

/* Routes whose answer takes a second call. The member exit of the API (docs/openapi.yaml) returns the settlement,
   which the transactions service posts when it applies the exit event: the second call names
   the cooperative and member of the first and carries after_members_seq (read-your-writes,
   set by envelope_build from the exit's event), so it waits until the settlement exists. The
   first call's result is merged into the answer under the name of its result field. */
static const route_t follow_ups[] = {
    { "POST", "/api/v1/cooperatives/{coop}/members/{id}/exit", ROUTE_COOP_WRITE, "transactions",
      "get_settlement", { {"coop", "cooperative_id"}, {"id", "member_id"} }, 0 },
};

static const route_t *follow_up_of(const route_t *route) {
    for (size_t i = 0; i < sizeof follow_ups / sizeof follow_ups[0]; i++)
        if (!strcmp(follow_ups[i].pattern, route->pattern) &&
            !strcmp(follow_ups[i].method, route->method) && route != &follow_ups[i])
            return &follow_ups[i];
    return NULL;
}


static void answer_result(gateway_exchange_t *ex, int service, const Lumbung__Reply *reply) {
    int status = ex->route->flags & ROUTE_CREATED ? 201 : 200;
    const ProtobufCFieldDescriptor *svc_field =
        protobuf_c_message_descriptor_get_field_by_name(&lumbung__reply__descriptor,
                                                        ex->route->service);
    if (!svc_field || (uint32_t) reply->result_case != svc_field->id) {
        metrics_backend(ex->gw->metrics, ex->gw->backend_names[service], METRICS_BACKEND_BAD_REPLY);
        gateway_exchange_error(ex, 502, "bad_reply", NULL,
                               "the %s service answered with another kind of result",
                               ex->route->service);
        return;
    }
    const ProtobufCMessage *svc = *(ProtobufCMessage *const *) ((const char *) reply + svc_field->offset);
    const ProtobufCFieldDescriptor *which = svc ? oneof_get(svc) : NULL;
    if (!which || which->type != PROTOBUF_C_TYPE_MESSAGE) {
        gateway_exchange_json(ex, status, json_object());
        return;
    }
    const ProtobufCMessage *result = *(ProtobufCMessage *const *) ((const char *) svc + which->offset);
    if (!result) { gateway_exchange_json(ex, status, json_object()); return; }
    if (answer_file(ex, status, result)) return;
    const route_t *next = follow_up_of(ex->route);
    if (next) {
        ex->first_result = json_pb_to_json(result);
        ex->first_key = which->name;
        ex->route = next;
        gateway_routes_call(ex, NULL);
        return;
    }
    json_t *json = json_pb_to_json(result);
    if (ex->first_result && json_is_object(json)) {
        json_object_set_new(json, ex->first_key, ex->first_result);
        ex->first_result = NULL;
    }
    gateway_exchange_json(ex, status, json);
}

static void on_reply(void *arg, int status, const Lumbung__Reply *reply) {
    gateway_exchange_t *ex = arg;
    int service = ex->service;
    if (status != CLIENT_OK) { answer_client_status(ex, service, status); return; }
    /* Only a success proves its sequence committed: a failed batch's number is handed out
       again by the next commit, and waiting for it would stall every later call. */
    if (reply->error) { answer_reply_error(ex, service, reply->error); return; }
    uint64_t *seen = &ex->gw->seen_seq[service];
    if (reply->has_event_seq && reply->event_seq > *seen) *seen = reply->event_seq;
    answer_result(ex, service, reply);
}

static void retry_arm(gateway_t *gw);

/* Sends ex->request; a send refused for want of a connection is queued for another attempt
   while attempts and the deadline allow, since it delivered nothing. */
static void send_request(gateway_exchange_t *ex) {
    gateway_t *gw = ex->gw;
    uint32_t timeout = ex->route->flags & ROUTE_LONG ? gw->long_timeout_ms : gw->timeout_ms;
    client_t *client = gw->clients[ex->service];
    if (gw->on_send) gw->on_send(gw->on_send_arg, ex->request);
    int rc = client ? client_call(client, ex->request, timeout, on_reply, ex) : ERR_UNAVAILABLE;
    ex->bus_request_id = ex->request->request_id;
    if (rc == 0) return;
    uint64_t now = uv_now(gw->loop);
    if (!ex->give_up_at_ms) ex->give_up_at_ms = now + timeout;
    uint64_t wait = (uint64_t) GATEWAY_SEND_RETRY_MS << ex->attempts;
    if (rc == ERR_UNAVAILABLE && !gw->stopping && ex->attempts < GATEWAY_SEND_RETRIES &&
        now + wait < ex->give_up_at_ms) {
        ex->attempts++;
        ex->retry_at_ms = now + wait;
        ex->retry_next = gw->retry_head;
        gw->retry_head = ex;
        retry_arm(gw);
        return;
    }
    answer_client_status(ex, ex->service, rc == ERR_OVERLOADED ? ERR_UNAVAILABLE : rc);
}

static void on_retry(uv_timer_t *timer) {
    gateway_t *gw = timer->data;
    uint64_t now = uv_now(gw->loop);
    gateway_exchange_t *due = NULL, **p = &gw->retry_head;
    while (*p) {                          /* unlink the due ones first: sending may requeue */
        gateway_exchange_t *ex = *p;
        if (ex->retry_at_ms <= now) {
            *p = ex->retry_next;
            ex->retry_next = due;
            due = ex;
        } else {
            p = &ex->retry_next;
        }
    }
    while (due) {
        gateway_exchange_t *ex = due;
        due = ex->retry_next;
        ex->retry_next = NULL;
        send_request(ex);
    }
    retry_arm(gw);
}

static void retry_arm(gateway_t *gw) {
    if (!gw->retry_head) { uv_timer_stop(&gw->retry_timer); return; }
    uint64_t next = UINT64_MAX, now = uv_now(gw->loop);
    for (gateway_exchange_t *ex = gw->retry_head; ex; ex = ex->retry_next)
        if (ex->retry_at_ms < next) next = ex->retry_at_ms;
    uv_timer_start(&gw->retry_timer, on_retry, next > now ? next - now : 0, 0);
}

void gateway_routes_init(gateway_t *gw) {
    int rc = uv_timer_init(gw->loop, &gw->retry_timer);
    assert(rc == 0);
    (void) rc;
    gw->retry_timer.data = gw;
}

void gateway_routes_shutdown(gateway_t *gw) {
    while (gw->retry_head) {
        gateway_exchange_t *ex = gw->retry_head;
        gw->retry_head = ex->retry_next;
        answer_client_status(ex, ex->service, ERR_UNAVAILABLE);
    }
    if (!uv_is_closing((uv_handle_t *) &gw->retry_timer))
        uv_close((uv_handle_t *) &gw->retry_timer, NULL);
}

static void gateway_routes_call(gateway_exchange_t *ex, json_t *body) {
    int service = gateway_service_index(ex->route->service);
    operation_t op;
    int rc = operation_find(ex->route, &op);
    assert(service >= 0 && rc == 0 && "gateway_routes_check() validated the tables");
    (void) rc;
    ProtobufCMessage *operation = operation_build(ex, &op, body);
    if (!operation) return;
    /* Transactions calls go to the shard of the cooperative they name: the route's {coop},
       else the operation's own cooperative_id. */
    uint64_t coop = 0;
    const char *param = gateway_exchange_param(ex, "coop");
    if (!param || gateway_parse_u64(param, &coop) != 0) coop = scope_message_cooperative(operation);
    ex->service = gateway_backend(ex->gw, service, coop);
    ex->request = envelope_build(ex, &op, operation, service);
    send_request(ex);
}

/* ---------------------------------------------------------------- start-up check */

static int check_pattern(const route_t *r) {
    segment_t segs[GATEWAY_SEGMENTS_MAX];
    int n = split(r->pattern, segs), params = 0, problems = 0;
    if (n < 0) { log_error(0, "route %s %s: malformed pattern", r->method, r->pattern); return 1; }
    for (int i = 0; i < n; i++) params += is_param(&segs[i]);
    if (params > ROUTE_PARAMS_MAX) {
        log_error(0, "route %s %s: more than %d parameters", r->method, r->pattern, ROUTE_PARAMS_MAX);
        problems++;
    }
    for (int i = 0; i < ROUTE_PARAMS_MAX && r->params[i].name; i++) {
        char braced[64];
        snprintf(braced, sizeof braced, "{%s}", r->params[i].name);
        if (!strstr(r->pattern, braced)) {
            log_error(0, "route %s %s: parameter %s is not in the pattern", r->method, r->pattern,
                      r->params[i].name);
            problems++;
        }
    }
    return problems;
}

static int check_operation(const route_t *r) {
    operation_t op;
    if (gateway_service_index(r->service) < 0 || operation_find(r, &op) < 0) {
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

/* Two rows for one method and pattern would make the second unreachable. Tables are walked
   in order, so reaching `row` itself ends the search among the rows before it. */
static int check_duplicate(const route_t *row) {
    for (int t = 0; gateway_routes_tables[t]; t++) {
        for (const route_t *r = gateway_routes_tables[t]; r->method; r++) {
            if (r == row) return 0;
            if (strcmp(r->method, row->method) || strcmp(r->pattern, row->pattern)) continue;
            log_error(0, "route %s %s: declared twice", row->method, row->pattern);
            return 1;
        }
    }
    return 0;
}

int gateway_routes_check(void) {
    int problems = 0;
    for (int t = 0; gateway_routes_tables[t]; t++) {
        for (const route_t *r = gateway_routes_tables[t]; r->method; r++) {
            problems += check_pattern(r) + check_duplicate(r);
            if ((r->flags & ROUTE_MEMBER) && strcmp(r->service, "gateway") && !is_read(r->method)) {
                log_error(0, "route %s %s: a member route must be a read", r->method, r->pattern);
                problems++;
            }
            if (!r->service || !r->operation) {
                log_error(0, "route %s %s: no service or operation", r->method, r->pattern);
                problems++;
            } else if (!strcmp(r->service, "gateway")) {
                if (!gateway_handlers_find(r->operation)) {
                    log_error(0, "route %s %s: no gateway handler %s", r->method, r->pattern,
                              r->operation);
                    problems++;
                }
            } else {
                problems += check_operation(r);
            }
        }
    }
    return problems;
}
