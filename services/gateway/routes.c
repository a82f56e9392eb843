/* The router, the one authorisation decision and the generic bus-backed handler
   (see gateway.h for the rules). */
#include "gateway.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "access.h"
#include "call.h"
#include "log.h"
#include "operation.h"

#define NO_PARAMS { { NULL, NULL } }

/* The endpoints the gateway answers itself (handlers.c). */
static const route_t routes_gateway[] = {
    { "GET", "/healthz", "gateway", "healthz", NO_PARAMS, 0 },
    { "GET", "/readyz", "gateway", "readyz", NO_PARAMS, 0 },
    { "GET", "/metrics", "gateway", "metrics", NO_PARAMS, 0 },
    { "POST", "/api/v1/auth/login", "gateway", "login", NO_PARAMS, 0 },
    { "POST", "/api/v1/auth/logout", "gateway", "logout", NO_PARAMS, ROUTE_MEMBER },
    { "GET", "/api/v1/auth/me", "gateway", "me", NO_PARAMS, ROUTE_MEMBER },
    { "POST", "/api/v1/member/activate", "gateway", "member_activate", NO_PARAMS, 0 },
    { "POST", "/api/v1/member/login", "gateway", "member_login", NO_PARAMS, 0 },
    { "POST", "/api/v1/cooperatives/{coop}/members/{id}/access", "gateway",
      "member_access", { { "coop", "cooperative_id" }, { "id", "id" } }, ROUTE_CREATED },
    { "POST", "/api/v1/auth/password", "gateway", "change_password", NO_PARAMS, 0 },
    { "GET", "/api/v1/users", "gateway", "list_users", NO_PARAMS, ROUTE_QUERY_FIELDS },
    { "POST", "/api/v1/users", "gateway", "create_user", NO_PARAMS, ROUTE_CREATED },
    { "GET", "/api/v1/users/{id}", "gateway", "get_user", { { "id", "id" } }, 0 },
    { "PATCH", "/api/v1/users/{id}", "gateway", "update_user", { { "id", "id" } }, 0 },
    { "GET", "/api/v1/audit", "gateway", "audit", NO_PARAMS, ROUTE_QUERY_FIELDS },
    { "GET", "/publik/koperasi", "gateway", "public_directory", NO_PARAMS, ROUTE_QUERY_FIELDS },
    { "GET", "/publik/koperasi/{coop}", "gateway", "public_profile",
      { { "coop", "cooperative_id" } }, 0 },
    ROUTE_END
};

const route_t *const gateway_routes_tables[] = {
    routes_gateway, routes_members, routes_transactions, routes_reporting, NULL,
};

/* ---------------------------------------------------------------- matching */

typedef struct {
    const char *start;
    size_t len;
} segment_t;

/* Splits "/a/b/c" into segments; ERR_INVALID_PATH for an empty segment ("//", a trailing "/"), a path not
   starting with "/", or more than GATEWAY_SEGMENTS_MAX segments. "/" has none. */
static int split(const char *path, segment_t segs[GATEWAY_SEGMENTS_MAX]) {
    if (path[0] != '/') return ERR_INVALID_PATH;
    const char *p = path + 1;
    if (!*p) return 0;
    int n = 0;
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t) (slash - p) : strlen(p);
        if (len == 0 || n == GATEWAY_SEGMENTS_MAX) return ERR_INVALID_PATH;
        segs[n++] = (segment_t) { p, len };
        if (!slash) return n;
        p = slash + 1;
    }
}

static bool is_param(const segment_t *s) {
    return s->len > 2 && s->start[0] == '{' && s->start[s->len - 1] == '}';
}

/* Every route's pattern split once, with what its operation's row says (the first match
   builds it; the loop thread only), so a request splits its own path and nothing else. */
enum { ROUTES_MAX = 256 };

typedef struct {
    const route_t *route;
    int count;                               /* segments */
    segment_t segs[GATEWAY_SEGMENTS_MAX];
    access_t access;
    unsigned op_flags;
} split_route_t;

static split_route_t split_routes[ROUTES_MAX];
static int split_routes_count = -1;          /* -1: not built yet */

static void split_routes_build(void) {
    int n = 0;
    for (int t = 0; gateway_routes_tables[t]; t++) {
        for (const route_t *r = gateway_routes_tables[t]; r->method; r++) {
            assert(n < ROUTES_MAX);
            split_route_t *s = &split_routes[n++];
            s->route = r;
            s->count = split(r->pattern, s->segs);
            assert(s->count >= 0 && "route patterns are checked at start-up");
            if (gateway_route_operation(r, &s->access, &s->op_flags) != 0) s->count = -1;
        }
    }
    split_routes_count = n;
}

/* A score when the pattern matches (literal segments nearer the start weigh more), else
   ERR_NOT_FOUND. */
static int64_t pattern_score(const split_route_t *p, const segment_t *segs, int n) {
    if (p->count != n) return ERR_NOT_FOUND;
    int64_t score = 0;
    for (int i = 0; i < n; i++) {
        const segment_t *ps = &p->segs[i];
        if (is_param(ps)) {
            if (segs[i].len > GATEWAY_SEGMENT_MAX) return ERR_NOT_FOUND;
        } else {
            if (ps->len != segs[i].len || memcmp(ps->start, segs[i].start, segs[i].len))
                return ERR_NOT_FOUND;
            score |= (int64_t) 1 << (GATEWAY_SEGMENTS_MAX - i);
        }
    }
    return score;
}

/* The {params} of the route that matched. */
static void pattern_params(const split_route_t *p, const segment_t *segs,
                           gateway_route_match_t *m) {
    m->count = 0;
    for (int i = 0; i < p->count && m->count < ROUTE_PARAMS_MAX; i++) {
        const segment_t *ps = &p->segs[i];
        if (!is_param(ps)) continue;
        size_t nl = ps->len - 2 < sizeof m->params[0].name - 1 ? ps->len - 2
                                                               : sizeof m->params[0].name - 1;
        memcpy(m->params[m->count].name, ps->start + 1, nl);
        m->params[m->count].name[nl] = 0;
        memcpy(m->params[m->count].value, segs[i].start, segs[i].len);
        m->params[m->count].value[segs[i].len] = 0;
        m->count++;
    }
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
    if (split_routes_count < 0) split_routes_build();
    int64_t best = -1;
    const split_route_t *found = NULL;
    for (int k = 0; k < split_routes_count; k++) {
        const split_route_t *p = &split_routes[k];
        int64_t score = pattern_score(p, segs, n);
        if (score < 0) continue;
        allow_add(allow, allow_size, p->route->method);
        if (!method_matches(p->route->method, method) || score <= best) continue;
        best = score;
        found = p;
    }
    if (!found) return allow[0] ? ERR_METHOD_NOT_ALLOWED : ERR_NOT_FOUND;
    pattern_params(found, segs, m);
    m->route = found->route;
    m->access = found->access;
    m->op_flags = found->op_flags;
    return 0;
}

static bool route_names_coop(const route_t *route) {
    for (int i = 0; i < ROUTE_PARAMS_MAX && route->params[i].name; i++)
        if (!strcmp(route->params[i].name, "coop")) return true;
    return false;
}

int gateway_route_operation(const route_t *route, access_t *access, unsigned *op_flags) {
    *access = ACCESS_ADMIN;                  /* the narrowest, should a caller not check */
    *op_flags = 0;
    if (!route->service || !route->operation) return ERR_NOT_FOUND;
    if (!strcmp(route->service, "gateway")) {
        const gateway_handler_t *h = gateway_handlers_find(route->operation);
        if (!h) return ERR_NOT_FOUND;
        *access = h->access;
    } else {
        const operation_t *op = operation_find(route->service, route->operation);
        if (!op) return ERR_NOT_FOUND;
        *access = op->access;
        *op_flags = op->flags;
        /* An operation that authorises itself by a stored record's cooperative (a job's) has
           nothing to be decided by here when its route names no cooperative: the gateway
           lets every known caller through, which the matrix decides alike for the gateway's
           users (test_gateway_routes), and the service decides. */
        if ((op->flags & OP_AUTHORISES_ITSELF) && !route_names_coop(route))
            *access = ACCESS_AUTHENTICATED;
    }
    if (route->flags & ROUTE_SELF) *access = ACCESS_MEMBER_ONLY;
    return 0;
}

/* ---------------------------------------------------------------- authorisation */

static bool is_read(const char *method) { return !strcmp(method, "GET") || !strcmp(method, "HEAD"); }

bool gateway_routes_own_coop_only(Lumbung__Role role) {
    return role == LUMBUNG__ROLE__ROLE_OPERATOR || role == LUMBUNG__ROLE__ROLE_VIEWER ||
           role == LUMBUNG__ROLE__ROLE_MEMBER;
}

int gateway_routes_authorize(const gateway_route_match_t *m, const auth_user_t *user,
                             bool other_coop) {
    assert(m && m->route);
    if (m->access == ACCESS_PUBLIC) return 0;
    if (!user) return ERR_UNAUTHENTICATED;
    access_actor_t who = { .role = user->role, .cooperative_id = user->cooperative_id,
                           .member_id = user->member_id, .user = user->username };
    /* A request that names no cooperative is the caller's own (the service filters a
       district-wide list by the actor); one that names another is ACCESS_OTHER. A member
       naming another member was refused before (names_other_member). */
    access_ask_t ask = { .access = m->access,
                         .cooperative_id = other_coop ? ACCESS_OTHER : user->cooperative_id,
                         .member_too = (m->route->flags & ROUTE_MEMBER) != 0 };
    return access_decide(&who, &ask, NULL);
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

/* Each step returns 0 to go on, or ERR_ANSWERED when it has answered the request (with its
   error) and nothing more may be done with it. */

/* A state-changing call made with the session cookie must prove it comes from our own page:
   another site can make a browser send the cookie, but cannot read the CSRF token. */
static int check_csrf(gateway_exchange_t *ex) {
    if (!ex->caller.via_cookie || is_read(ex->method)) return 0;
    const char *sent = http_req_header(ex->req, COOKIE_CSRF_HEADER);
    if (cookie_csrf_ok(ex->caller.token, sent)) return 0;
    if (!sent)
        gateway_exchange_error(ex, 403, "csrf_token_required", COOKIE_CSRF_HEADER,
                               "a call made with the session cookie must send the "
                               COOKIE_CSRF_HEADER " header (the csrf_token of the login)");
    else
        gateway_exchange_error(ex, 403, "csrf_token_invalid", COOKIE_CSRF_HEADER,
                               COOKIE_CSRF_HEADER " is not the csrf_token of this session");
    return ERR_ANSWERED;
}

static int authenticate(gateway_exchange_t *ex) {
    if (ex->match.access == ACCESS_PUBLIC) return 0;
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
        ex->caller.via_cookie = true;
    }
    if (!token || !*token) {
        gateway_exchange_header(ex, "WWW-Authenticate", "Bearer");
        gateway_exchange_error(ex, 401, "unauthenticated", NULL,
                               "log in first (POST /api/v1/auth/login) and send "
                               "Authorization: Bearer <token>");
        return ERR_ANSWERED;
    }
    ex->caller.token = arena_strdup(ex->arena, token);
    if (auth_authenticate(ex->gw->auth, token, &ex->caller.user) < 0) {
        if (ex->caller.via_cookie) {
            char clear[COOKIE_HEADER_MAX];
            cookie_clear_value(ex->gw->cookie_secure, clear);
            gateway_exchange_header(ex, "Set-Cookie", clear);
        }
        gateway_exchange_header(ex, "WWW-Authenticate", "Bearer error=\"invalid_token\"");
        gateway_exchange_error(ex, 401, "invalid_token", NULL,
                               "the token is unknown, expired or revoked; log in again");
        return ERR_ANSWERED;
    }
    ex->caller.known = true;
    return check_csrf(ex);
}

/* A member naming a member id other than their own: the {id} of a member route, or a
   member_id query parameter. */
static bool names_other_member(gateway_exchange_t *ex) {
    if (!ex->caller.known || ex->caller.user.role != LUMBUNG__ROLE__ROLE_MEMBER) return false;
    const char *id = gateway_exchange_param(ex, "id");
    const char *query = gateway_exchange_query(ex, "member_id");
    return (id && text_is_other(id, ex->caller.user.member_id)) ||
           (query && text_is_other(query, ex->caller.user.member_id));
}

static void refuse_other_coop(gateway_exchange_t *ex) {
    gateway_exchange_error(ex, 403, "forbidden", "cooperative_id",
                           "you may only work with your own cooperative (%" PRIu64 ")",
                           ex->caller.user.cooperative_id);
}

/* The one authorisation decision of the request, from what its path and query name (the
   body is not read yet: a refusal comes before any complaint about the body). */
static int authorize(gateway_exchange_t *ex) {
    const char *query_coop = gateway_exchange_query(ex, "cooperative_id");
    bool other_member = names_other_member(ex);
    bool other = ex->caller.known &&
                 gateway_routes_names_other_coop(&ex->match, query_coop, NULL,
                                                 ex->caller.user.cooperative_id);
    if (other_member && !other) {
        gateway_exchange_error(ex, 403, "forbidden", "member_id",
                               "a member may only see their own records (%" PRIu64 ")",
                               ex->caller.user.member_id);
        return ERR_ANSWERED;
    }
    const auth_user_t *user = ex->caller.known ? &ex->caller.user : NULL;
    int rc = gateway_routes_authorize(&ex->match, user, other);
    if (rc == 0) return 0;
    if (other)
        refuse_other_coop(ex);
    else
        gateway_exchange_error(ex, 403, "forbidden", NULL, "a %s may not %s %s",
                               auth_role_name(ex->caller.user.role), ex->method, ex->route->pattern);
    return ERR_ANSWERED;
}

/* The body of an authorised request may still name another cooperative, which a caller
   bound to their own (gateway_routes_own_coop_only) may not; the decision itself stands. */
static int check_body_cooperatives(gateway_exchange_t *ex, const json_t *body) {
    if (!body || !ex->caller.known || !gateway_routes_own_coop_only(ex->caller.user.role))
        return 0;
    if (!gateway_routes_names_other_coop(NULL, NULL, body, ex->caller.user.cooperative_id))
        return 0;
    refuse_other_coop(ex);
    return ERR_ANSWERED;
}

static bool key_char_ok(char c) { return c > 0x20 && c < 0x7f; }

static int read_idempotency_key(gateway_exchange_t *ex) {
    const char *key = http_req_header(ex->req, "Idempotency-Key");
    if (!key) {
        if (!(ex->match.op_flags & OP_MOVES_MONEY)) return 0;
        gateway_exchange_error(ex, 400, "idempotency_key_required", "Idempotency-Key",
                               "this call moves money: send an Idempotency-Key header (e.g. a "
                               "UUID) so that a retry cannot book it twice");
        return ERR_ANSWERED;
    }
    size_t n = strlen(key);
    bool ok = n >= 1 && n <= GATEWAY_IDEMPOTENCY_KEY_MAX;
    for (size_t i = 0; ok && i < n; i++) ok = key_char_ok(key[i]);
    if (!ok) {
        gateway_exchange_error(ex, 400, "invalid_idempotency_key", "Idempotency-Key",
                               "Idempotency-Key: use 1 to %d visible ASCII characters",
                               GATEWAY_IDEMPOTENCY_KEY_MAX);
        return ERR_ANSWERED;
    }
    ex->noted.idempotency_key = arena_strdup(ex->arena, key);
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
        return ERR_ANSWERED;
    }
    json_error_t error;
    json_t *json = json_loadb((const char *) body, len, JSON_REJECT_DUPLICATES, &error);
    if (!json) {
        gateway_exchange_error(ex, 400, "invalid_json", NULL,
                               "the body is not valid JSON: %s (line %d, column %d)", error.text,
                               error.line, error.column);
        return ERR_ANSWERED;
    }
    if (!json_is_object(json)) {
        json_decref(json);
        gateway_exchange_error(ex, 400, "invalid_json", NULL, "the body must be a JSON object");
        return ERR_ANSWERED;
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
    if (text && gateway_parse_u64(text, &id) == 0) ex->noted.cooperative_id = id;
    else if (json_is_integer(member) && json_integer_value(member) > 0)
        ex->noted.cooperative_id = (uint64_t) json_integer_value(member);
}

static void dispatch(gateway_exchange_t *ex, json_t *body) {
    if (strcmp(ex->route->service, "gateway") != 0) {
        gateway_call(ex, body);
        return;
    }
    const gateway_handler_t *h = gateway_handlers_find(ex->route->operation);
    assert(h && "gateway_routes_check() found every handler at start-up");
    h->fn(ex, body);
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

/* What gateway_routes_body_limit learnt of a request, for gateway_routes_handle: the path is
   matched once, when the headers are in. */
typedef struct {
    int rc;                                  /* of gateway_routes_match */
    gateway_route_match_t match;
    char allow[GATEWAY_ALLOW_MAX];
} routed_t;

size_t gateway_routes_body_limit(void *arg, http_req_t *req) {
    (void) arg;
    routed_t *routed = malloc(sizeof *routed);
    if (!routed) abort();
    routed->rc = gateway_routes_match(http_req_method(req), http_req_path(req), &routed->match,
                                      routed->allow, sizeof routed->allow);
    http_req_set_context(req, routed);
    return gateway_route_body_limit(routed->rc == 0 ? &routed->match : NULL);
}

void gateway_routes_context_free(void *context) { free(context); }

size_t gateway_route_body_limit(const gateway_route_match_t *m) {
    return m && (m->op_flags & OP_LONG) ? HTTP_SERVER_BODY_MAX_LONG : HTTP_SERVER_BODY_MAX_DEFAULT;
}

/* Takes the route gateway_routes_body_limit matched; answers when there is none. */
static int take_route(gateway_exchange_t *ex, http_req_t *req) {
    routed_t *routed = http_req_take_context(req);
    assert(routed && "gateway_routes_body_limit() saw every request first");
    int rc = routed->rc;
    if (rc == 0) {
        ex->match = routed->match;
        ex->route = ex->match.route;
    } else {
        not_routed(ex, rc, routed->allow);
    }
    free(routed);
    return rc;
}

void gateway_routes_handle(void *arg, http_req_t *req) {
    gateway_t *gw = arg;
    gateway_exchange_t *ex = gateway_exchange_new(gw, req);
    if (take_route(ex, req) < 0) return;
    if (http_req_body_exceeded(req)) {
        gateway_exchange_error(ex, 413, "body_too_large", NULL,
                               "the body is larger than this endpoint accepts (%zu bytes)",
                               http_req_body_limit(req));
        return;
    }
    note_cooperative(ex, NULL);
    if (authenticate(ex) < 0 || authorize(ex) < 0 || read_idempotency_key(ex) < 0) return;
    json_t *body = NULL;
    if (!(ex->route->flags & ROUTE_RAW_BODY) && parse_body(ex, &body) < 0) return;
    note_cooperative(ex, body);
    if (check_body_cooperatives(ex, body) == 0) dispatch(ex, body);
    json_decref(body);
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

/* A member may read their own records only: a member row's operation writes nothing, and a
   member's own page (ROUTE_SELF) is a member row. */
static int check_member(const route_t *r) {
    bool bus = strcmp(r->service, "gateway") != 0;
    const operation_t *op = bus ? operation_find(r->service, r->operation) : NULL;
    if ((r->flags & ROUTE_MEMBER) && bus && (!is_read(r->method) || (op && (op->flags & OP_WRITE)))) {
        log_error(0, "route %s %s: a member route must be a read", r->method, r->pattern);
        return 1;
    }
    if ((r->flags & ROUTE_SELF) && !(r->flags & ROUTE_MEMBER)) {
        log_error(0, "route %s %s: a member's own page must be a member route", r->method,
                  r->pattern);
        return 1;
    }
    return 0;
}

/* The row names an operation that exists: a handler of the gateway's own, or a row of the
   service's operation list (for its access and flags) whose message the protos have. */
static int check_operation(const route_t *r) {
    if (!strcmp(r->service, "gateway")) {
        if (gateway_handlers_find(r->operation)) return 0;
        log_error(0, "route %s %s: no gateway handler %s", r->method, r->pattern, r->operation);
        return 1;
    }
    int problems = gateway_call_check_route(r);
    if (!operation_find(r->service, r->operation)) {
        log_error(0, "route %s %s: %s is not in the operation list of %s "
                  "(common/operations_%s.h)", r->method, r->pattern, r->operation, r->service,
                  r->service);
        problems++;
    }
    return problems;
}

int gateway_routes_check(void) {
    int problems = 0;
    for (int t = 0; gateway_routes_tables[t]; t++) {
        for (const route_t *r = gateway_routes_tables[t]; r->method; r++) {
            problems += check_pattern(r) + check_duplicate(r);
            if (!r->service || !r->operation) {
                log_error(0, "route %s %s: no service or operation", r->method, r->pattern);
                problems++;
                continue;
            }
            problems += check_member(r) + check_operation(r);
        }
    }
    return problems + gateway_call_check_follow_ups();
}
