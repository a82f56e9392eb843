#include "gateway.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sodium.h>
#include <string.h>
#include <time.h>

#include "busaudit.h"
#include "envelope.h"
#include "log.h"
#include "service.h"
#include "public.h"

static int64_t wall_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static json_t *json_id(uint64_t id) {
    char buf[24];
    snprintf(buf, sizeof buf, "%" PRIu64, id);
    return json_string(buf);
}

static json_t *json_time(int64_t ms) {
    char buf[40];
    return json_string(gateway_format_time(ms, buf, sizeof buf));
}

/* Answers 400 unknown_field unless every query argument is one of `allowed` (NULL-ended). */
typedef struct {
    const char *const *allowed;
    const char *bad;
} query_check_t;

static int query_check_one(void *arg, const char *name, const char *value) {
    (void) value;
    query_check_t *q = arg;
    for (int i = 0; q->allowed[i]; i++)
        if (!strcmp(name, q->allowed[i])) return 0;
    q->bad = name;
    return 1;
}

static int query_check(gateway_exchange_t *ex, const char *const *allowed) {
    query_check_t q = { allowed, NULL };
    if (!ex->req || http_req_query_each(ex->req, query_check_one, &q) == 0) return 0;
    gateway_exchange_error(ex, 400, "unknown_field", q.bad, "%s: not a query parameter here",
                           q.bad);
    return ERR_REJECTED;
}

static int query_cursor(gateway_exchange_t *ex, uint64_t *cursor) {
    const char *text = gateway_exchange_query(ex, "cursor");
    *cursor = 0;
    if (!text) return 0;
    if (gateway_parse_u64(text, cursor) == 0) return 0;
    gateway_exchange_error(ex, 400, "invalid_cursor", "cursor",
                           "cursor: pass the next_cursor of the previous page unchanged");
    return ERR_REJECTED;
}

/* ---------------------------------------------------------------- health and metrics */

static void handle_healthz(gateway_exchange_t *ex, json_t *body) {
    (void) body;
    gateway_exchange_json(ex, 200, json_pack("{s:s}", "status", "ok"));
}

typedef struct {
    gateway_exchange_t *ex;
    int waiting;
    bool up[GATEWAY_BACKENDS_MAX];
} ready_t;

static void ready_answer(ready_t *r) {
    json_t *services = json_object(), *down = json_array();
    gateway_exchange_t *ex = r->ex;
    const gateway_t *gw = ex->gw;
    for (int i = 0; i < gw->backends; i++) {
        json_object_set_new(services, gw->backend_names[i], json_string(r->up[i] ? "up" : "down"));
        if (!r->up[i]) json_array_append_new(down, json_string(gw->backend_names[i]));
    }
    if (json_array_size(down) == 0) {
        json_decref(down);
        gateway_exchange_json(ex, 200, json_pack("{s:s, s:o}", "status", "ready", "services", services));
        return;
    }
    char names[GATEWAY_BACKENDS_MAX * (SHARD_NAME_MAX + 2)] = "";
    for (size_t i = 0; i < json_array_size(down); i++)
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "",
                 json_string_value(json_array_get(down, i)));
    json_t *error = json_pack("{s:s, s:s}", "code", "not_ready", "message",
                              arena_printf(ex->arena, "not reachable: %s", names));
    gateway_exchange_json(ex, 503, json_pack("{s:s, s:o, s:o, s:o}", "status", "not_ready",
                                             "services", services, "down", down, "error", error));
}

typedef struct {
    ready_t *ready;
    int service;
} ping_t;

static void on_pong(void *arg, int status, const Lumbung__Reply *reply) {
    ping_t *p = arg;
    ready_t *r = p->ready;
    r->up[p->service] = status == CLIENT_OK && !reply->error &&
                        reply->result_case == LUMBUNG__REPLY__RESULT_PONG;
    if (--r->waiting == 0) ready_answer(r);
}

static void handle_readyz(gateway_exchange_t *ex, json_t *body) {
    (void) body;
    gateway_t *gw = ex->gw;
    ready_t *r = arena_alloc(ex->arena, sizeof *r);
    r->ex = ex;
    r->waiting = 1;                          /* held until every ping is sent */
    for (int i = 0; i < gw->backends; i++) {
        Lumbung__Request *rq = arena_message(ex->arena, &lumbung__request__descriptor);
        Lumbung__Ping *ping = arena_message(ex->arena, &lumbung__ping__descriptor);
        rq->body_case = LUMBUNG__REQUEST__BODY_PING;
        rq->ping = ping;
        ping_t *p = arena_alloc(ex->arena, sizeof *p);
        *p = (ping_t) { r, i };
        if (gw->clients[i] && client_call(gw->clients[i], rq, gw->ready_timeout_ms, on_pong, p) == 0)
            r->waiting++;
    }
    if (--r->waiting == 0) ready_answer(r);
}

/* /metrics asks every backend for its status (the Ping that lumbungctl status sends, answered
   by service.c) and renders its figures next to the gateway's own; a backend that does not
   answer within the readiness timeout shows as lumbung_service_up 0. */
typedef struct {
    gateway_exchange_t *ex;
    int waiting;
    metrics_service_t services[GATEWAY_BACKENDS_MAX + 1];
} scrape_t;

typedef struct {
    scrape_t *scrape;
    int service;
} scrape_ping_t;

static void metrics_answer(scrape_t *s);

static void on_metrics_pong(void *arg, int status, const Lumbung__Reply *reply) {
    scrape_ping_t *p = arg;
    scrape_t *s = p->scrape;
    if (status == CLIENT_OK && !reply->error && reply->result_case == LUMBUNG__REPLY__RESULT_PONG) {
        /* The reply is the client's; keep a copy in the exchange until the answer is rendered. */
        arena_t *a = s->ex->arena;
        size_t len;
        uint8_t *bytes = envelope_pack(a, &reply->pong->base, &len);
        ProtobufCAllocator alloc = arena_allocator(a);
        s->services[p->service].pong = lumbung__pong__unpack(&alloc, len, bytes);
    }
    if (--s->waiting == 0) metrics_answer(s);
}

static void handle_metrics(gateway_exchange_t *ex, json_t *body) {
    (void) body;
    gateway_t *gw = ex->gw;
    scrape_t *s = arena_alloc(ex->arena, sizeof *s);
    memset(s, 0, sizeof *s);
    s->ex = ex;
    s->waiting = 1;                          /* held until every ping is sent */
    for (int i = 0; i < gw->backends; i++) {
        s->services[i].name = gw->backend_names[i];
        Lumbung__Request *rq = arena_message(ex->arena, &lumbung__request__descriptor);
        rq->body_case = LUMBUNG__REQUEST__BODY_PING;
        rq->ping = arena_message(ex->arena, &lumbung__ping__descriptor);
        rq->trace_id = (char *) ex->request_id;
        scrape_ping_t *p = arena_alloc(ex->arena, sizeof *p);
        *p = (scrape_ping_t) { s, i };
        if (gw->clients[i] && client_call(gw->clients[i], rq, gw->ready_timeout_ms, on_metrics_pong, p) == 0)
            s->waiting++;
    }
    if (--s->waiting == 0) metrics_answer(s);
}

static void metrics_answer(scrape_t *s) {
    gateway_exchange_t *ex = s->ex;
    gateway_t *gw = ex->gw;
    metrics_t *m = gw->metrics;
    Lumbung__Pong *own = arena_message(ex->arena, &lumbung__pong__descriptor);
    own->metrics = arena_message(ex->arena, &lumbung__service_metrics__descriptor);
    service_process_figures(own->metrics);
    if (gw->busaudit) busaudit_status(gw->busaudit, ex->arena, own);
    s->services[gw->backends] = (metrics_service_t) { "gateway", own };
    metrics_set(m, "lumbung_http_open_connections", "gauge", "HTTP connections open now.",
                gw->http ? http_server_connections(gw->http) : 0);
    metrics_set(m, "lumbung_http_cut_off_total", "counter",
                "Connections closed because their request did not arrive in time.",
                gw->http ? (double) http_server_cut_off(gw->http) : 0);
    metrics_set(m, "lumbung_http_requests_in_flight", "gauge",
                "Requests received and not yet answered.", (double) gw->exchanges - 1);
    unsigned pending = 0;
    for (int i = 0; i < gw->backends; i++)
        pending += gw->clients[i] ? client_pending(gw->clients[i]) : 0;
    metrics_set(m, "lumbung_bus_requests_pending", "gauge",
                "Bus requests from the gateway waiting for a reply.", pending);
    metrics_set(m, "lumbung_auth_jobs_pending", "gauge",
                "Password hashes queued or running, and delayed login answers.",
                auth_pending(gw->auth));
    metrics_set(m, "lumbung_auth_password_checks_total", "counter",
                "Argon2id verifies run for logins, unknown names included.",
                (double) auth_password_checks(gw->auth));
    metrics_set(m, "lumbung_auth_throttle_rows", "gauge",
                "Rows of the login throttle (per name and address, per address).",
                auth_throttle_rows(gw->auth));
    metrics_set(m, "lumbung_audit_entries_total", "counter", "Audit entries stored.",
                (double) audit_head(gw->audit));
    size_t len;
    char *text = metrics_render_services(m, s->services, gw->backends + 1, &len);
    gateway_exchange_finish(ex, 200, "text/plain; version=0.0.4; charset=utf-8", text, len, "ok");
    free(text);
}

/* ---------------------------------------------------------------- users as JSON */

static json_t *user_json(const auth_user_t *u) {
    json_t *j = json_pack("{s:o, s:s, s:s, s:s, s:b, s:o, s:o}", "id", json_id(u->id),
                          "username", u->username, "full_name", u->full_name, "role",
                          auth_role_name(u->role), "active", u->active, "created_at",
                          json_time(u->created_ms), "updated_at", json_time(u->updated_ms));
    if (u->cooperative_id) json_object_set_new(j, "cooperative_id", json_id(u->cooperative_id));
    if (u->role == LUMBUNG__ROLE__ROLE_MEMBER) {
        json_object_set_new(j, "member_id", json_id(u->member_id));
        json_object_set_new(j, "member_number", json_id(u->member_number));
        json_object_set_new(j, "pin_set", json_boolean(u->pin_set));
    }
    if (u->locked_until_ms > wall_ms())
        json_object_set_new(j, "locked_until", json_time(u->locked_until_ms));
    return j;
}

/* Answers an error of auth's user management with its HTTP status. */
static void answer_auth_error(gateway_exchange_t *ex, int rc, const problem_t *e) {
    int status = http_status_of_error(rc);
    if (status == 503) gateway_exchange_header(ex, "Retry-After", "1");
    const char *code = e && e->code ? e->code : status == 500 ? "internal" : "error";
    const char *message = e && e->message[0] ? e->message : "the user store failed";
    gateway_exchange_error(ex, status, code, e ? e->field : NULL, "%s", message);
}

/* ---------------------------------------------------------------- login and logout */

static int required_string(gateway_exchange_t *ex, json_t *body, const char *name,
                           const char **out) {
    json_t *v = json_object_get(body, name);
    if (json_is_string(v) && json_string_length(v) > 0) {
        *out = json_string_value(v);
        return 0;
    }
    gateway_exchange_error(ex, 400, v ? "invalid_type" : "required", name,
                           "%s: required, as a non-empty string", name);
    return ERR_REJECTED;
}

static int only_fields(gateway_exchange_t *ex, json_t *body, const char *const *allowed) {
    const char *key;
    json_t *value;
    json_object_foreach(body, key, value) {
        bool ok = false;
        for (int i = 0; allowed[i] && !ok; i++) ok = !strcmp(key, allowed[i]);
        if (!ok) {
            gateway_exchange_error(ex, 400, "unknown_field", key, "%s: not a field here", key);
            return ERR_REJECTED;
        }
    }
    return 0;
}

/* A browser login: the token goes into the HttpOnly cookie only, never into script's reach;
   the body carries the CSRF token the page must send back (cookie.h). */
static void answer_session(gateway_exchange_t *ex, const auth_login_result_t *result) {
    char cookie[COOKIE_HEADER_MAX], csrf[COOKIE_CSRF_TEXT_MAX];
    cookie_set_value(result->token, ex->gw->cookie_secure, cookie);
    cookie_csrf_token(result->token, csrf);
    gateway_exchange_header(ex, "Set-Cookie", cookie);
    gateway_exchange_json(ex, 200, json_pack("{s:s, s:o, s:o}", "csrf_token", csrf, "expires_at",
                                             json_time(result->expires_ms), "user",
                                             user_json(&result->user)));
}

static void clear_session_cookie(gateway_exchange_t *ex) {
    char cookie[COOKIE_HEADER_MAX];
    cookie_clear_value(ex->gw->cookie_secure, cookie);
    gateway_exchange_header(ex, "Set-Cookie", cookie);
}

static void on_login(void *arg, int status, const auth_login_result_t *result) {
    gateway_exchange_t *ex = arg;
    if (status == 0) {
        ex->caller.known = true;
        ex->caller.user = result->user;
        if (ex->caller.session_cookie) { answer_session(ex, result); return; }
        gateway_exchange_json(ex, 200, json_pack("{s:s, s:o, s:o}", "token", result->token,
                                                 "expires_at", json_time(result->expires_ms),
                                                 "user", user_json(&result->user)));
    } else if (status == ERR_LOCKED) {
        char retry[16];
        snprintf(retry, sizeof retry, "%u", result->retry_after_s);
        gateway_exchange_header(ex, "Retry-After", retry);
        gateway_exchange_error(ex, 429, "account_locked", NULL,
                               "too many failed logins: the account is locked for %u more "
                               "seconds, or until an administrator unlocks it",
                               result->retry_after_s);
    } else if (status == ERR_THROTTLED) {
        char retry[16];
        snprintf(retry, sizeof retry, "%u", result->retry_after_s);
        gateway_exchange_header(ex, "Retry-After", retry);
        gateway_exchange_error(ex, 429, "too_many_logins", NULL,
                               "too many failed logins from this address: logins from it are "
                               "refused for %u more seconds", result->retry_after_s);
    } else if (status == ERR_INVALID_CREDENTIALS) {
        gateway_exchange_error(ex, 401, "invalid_credentials", NULL,
                               "the username or password is wrong");
    } else {
        answer_auth_error(ex, status, NULL);
    }
}

static void handle_login(gateway_exchange_t *ex, json_t *body) {
    static const char *const fields[] = { "username", "password", "session", NULL };
    const char *username, *password;
    if (only_fields(ex, body, fields) < 0 || required_string(ex, body, "username", &username) < 0 ||
        required_string(ex, body, "password", &password) < 0)
        return;
    json_t *session = json_object_get(body, "session");
    if (session && !json_is_boolean(session)) {
        gateway_exchange_error(ex, 400, "invalid_type", "session",
                               "session: true for a browser session cookie, false (or absent) "
                               "for a bearer token");
        return;
    }
    ex->caller.session_cookie = json_is_true(session);
    ex->caller.audit_name = arena_printf(ex->arena, "%.*s", AUDIT_USER_MAX, username);
    char address[64] = "";
    if (ex->req) http_req_peer_address(ex->req, address, sizeof address);
    auth_login(ex->gw->auth, username, password, address, on_login, ex);
}

static void handle_logout(gateway_exchange_t *ex, json_t *body) {
    (void) body;
    int rc = auth_logout(ex->gw->auth, ex->caller.token);
    if (rc == ERR_UNAUTHENTICATED) {
        gateway_exchange_error(ex, 401, "invalid_token", NULL, "the token is already revoked");
        return;
    }
    if (rc < 0) { answer_auth_error(ex, rc, NULL); return; }
    if (ex->caller.via_cookie) clear_session_cookie(ex);
    gateway_exchange_json(ex, 200, json_pack("{s:s}", "status", "logged_out"));
}

/* With the session cookie, also the CSRF token, so a reloaded page can carry on. */
static void handle_me(gateway_exchange_t *ex, json_t *body) {
    (void) body;
    json_t *me = user_json(&ex->caller.user);
    if (ex->caller.via_cookie) {
        char csrf[COOKIE_CSRF_TEXT_MAX];
        cookie_csrf_token(ex->caller.token, csrf);
        json_object_set_new(me, "csrf_token", json_string(csrf));
    }
    gateway_exchange_json(ex, 200, me);
}

/* ---------------------------------------------------------------- members' access

   An operator grants a member access by member id; the gateway asks the members service for
   the member (as the operator, so the service checks the cooperative again) to learn the member
   number the member will type, then issues the one-time code (auth.h), answered once. */

static void on_access_member(void *arg, int status, const Lumbung__Reply *reply) {
    gateway_exchange_t *ex = arg;
    if (status != CLIENT_OK) {
        gateway_exchange_error(ex, 503, "service_unavailable", NULL,
                               "the members service is not reachable; retry shortly");
        return;
    }
    if (reply->error) {
        const Lumbung__Error *e = reply->error;
        gateway_exchange_error(ex, envelope_http_status(e->has_kind ? e->kind
                                                                    : LUMBUNG__ERROR_KIND__ERROR_KIND_INTERNAL),
                               e->code ? e->code : "error", e->field, "%s",
                               e->message ? e->message : "the members service refused");
        return;
    }
    const Lumbung__Member *m = reply->result_case == LUMBUNG__REPLY__RESULT_MEMBERS &&
                               reply->members &&
                               reply->members->result_case == LUMBUNG__MEMBERS_REPLY__RESULT_MEMBER
                                   ? reply->members->member : NULL;
    if (!m || !m->has_member_number || !m->has_id) {
        gateway_exchange_error(ex, 502, "bad_reply", NULL, "the members service sent no member");
        return;
    }
    char code[AUTH_CODE_TEXT_MAX];
    int64_t expires;
    auth_user_t user;
    int rc = auth_member_grant(ex->gw->auth, m->cooperative_id, m->member_number, m->id, code,
                               &expires, &user);
    if (rc < 0) { answer_auth_error(ex, rc, NULL); return; }
    json_t *j = json_pack("{s:s, s:o, s:o}", "code", code, "code_expires_at", json_time(expires),
                          "user", user_json(&user));
    sodium_memzero(code, sizeof code);
    gateway_exchange_header(ex, "Cache-Control", "no-store");
    gateway_exchange_json(ex, 201, j);
}

static void handle_member_access(gateway_exchange_t *ex, json_t *body) {
    static const char *const fields[] = { NULL };
    if (only_fields(ex, body, fields) < 0) return;
    uint64_t coop, id;
    if (gateway_parse_u64(gateway_exchange_param(ex, "coop"), &coop) < 0 ||
        gateway_parse_u64(gateway_exchange_param(ex, "id"), &id) < 0) {
        gateway_exchange_error(ex, 400, "invalid_id", "id", "id: a member id");
        return;
    }
    arena_t *a = ex->arena;
    Lumbung__GetMember *get = arena_message(a, &lumbung__get_member__descriptor);
    get->has_cooperative_id = get->has_id = 1;
    get->cooperative_id = coop;
    get->id = id;
    Lumbung__MembersRequest *mr = arena_message(a, &lumbung__members_request__descriptor);
    mr->op_case = LUMBUNG__MEMBERS_REQUEST__OP_GET_MEMBER;
    mr->get_member = get;
    Lumbung__Actor *actor = arena_message(a, &lumbung__actor__descriptor);
    actor->user = arena_strdup(a, ex->caller.user.username);
    actor->has_role = 1;
    actor->role = ex->caller.user.role;
    actor->has_cooperative_id = ex->caller.user.cooperative_id != 0;
    actor->cooperative_id = ex->caller.user.cooperative_id;
    Lumbung__Request *rq = envelope_members_request(a, mr, actor);
    client_t *c = ex->gw->clients[GATEWAY_SERVICE_MEMBERS];
    if (!c || client_call(c, rq, ex->gw->timeout_ms, on_access_member, ex) != 0)
        gateway_exchange_error(ex, 503, "service_unavailable", NULL,
                               "the members service is not reachable; retry shortly");
}

/* cooperative_id and member_number of a member's body, both whole numbers. */
static int member_ids(gateway_exchange_t *ex, json_t *body, uint64_t *coop, uint64_t *number) {
    static const char *const names[] = { "cooperative_id", "member_number" };
    uint64_t *out[] = { coop, number };
    for (int i = 0; i < 2; i++) {
        json_t *v = json_object_get(body, names[i]);
        bool ok = (json_is_integer(v) && json_integer_value(v) > 0) ||
                  (json_is_string(v) && gateway_parse_u64(json_string_value(v), out[i]) == 0);
        if (ok && json_is_integer(v)) *out[i] = (uint64_t) json_integer_value(v);
        if (!ok || *out[i] == 0) {
            gateway_exchange_error(ex, 400, v ? "invalid_type" : "required", names[i],
                                   "%s: required, a whole number above 0", names[i]);
            return ERR_REJECTED;
        }
    }
    return 0;
}

static int session_flag(gateway_exchange_t *ex, json_t *body) {
    json_t *session = json_object_get(body, "session");
    if (session && !json_is_boolean(session)) {
        gateway_exchange_error(ex, 400, "invalid_type", "session",
                               "session: true for a browser session cookie");
        return ERR_REJECTED;
    }
    ex->caller.session_cookie = json_is_true(session);
    return 0;
}

static void handle_member_activate(gateway_exchange_t *ex, json_t *body) {
    static const char *const fields[] = { "cooperative_id", "member_number", "code", "pin",
                                          "session", NULL };
    const char *code, *pin;
    uint64_t coop, number;
    if (only_fields(ex, body, fields) < 0 || member_ids(ex, body, &coop, &number) < 0 ||
        required_string(ex, body, "code", &code) < 0 || required_string(ex, body, "pin", &pin) < 0 ||
        session_flag(ex, body) < 0)
        return;
    problem_t e;
    memset(&e, 0, sizeof e);
    if (auth_validate_pin(pin, &e) < 0) { answer_auth_error(ex, ERR_REJECTED, &e); return; }
    char name[AUTH_USERNAME_MAX + 1] = "";
    auth_member_username(coop, number, name);
    ex->caller.audit_name = arena_strdup(ex->arena, name);
    char address[64] = "";
    if (ex->req) http_req_peer_address(ex->req, address, sizeof address);
    auth_member_activate(ex->gw->auth, coop, number, code, pin, address, on_login, ex);
}

/* A member's login: cooperative + member number + PIN, throttled like any login (the name
   counted is the member's account name). */
static void handle_member_login(gateway_exchange_t *ex, json_t *body) {
    static const char *const fields[] = { "cooperative_id", "member_number", "pin", "session", NULL };
    const char *pin;
    uint64_t coop, number;
    if (only_fields(ex, body, fields) < 0 || member_ids(ex, body, &coop, &number) < 0 ||
        required_string(ex, body, "pin", &pin) < 0 || session_flag(ex, body) < 0)
        return;
    char name[AUTH_USERNAME_MAX + 1] = "";
    if (auth_member_username(coop, number, name) < 0) {
        gateway_exchange_error(ex, 400, "invalid_member_number", "member_number",
                               "member_number: too large");
        return;
    }
    ex->caller.audit_name = arena_strdup(ex->arena, name);
    char address[64] = "";
    if (ex->req) http_req_peer_address(ex->req, address, sizeof address);
    auth_login(ex->gw->auth, name, pin, address, on_login, ex);
}

/* ---------------------------------------------------------------- one's own password

   The current password is checked by a login (so a wrong one counts as a failed login, with
   its delay and lock), whose token is revoked at once; then the password is set, which ends
   every session of the user, this one included: the caller logs in again. */

typedef struct {
    gateway_exchange_t *ex;
    char *new_password;                      /* in the arena; wiped once used */
} password_change_t;

static void on_password_set(void *arg, int status, const auth_user_t *user, const problem_t *e) {
    (void) user;
    password_change_t *pc = arg;
    gateway_exchange_t *ex = pc->ex;
    if (status < 0) {
        problem_t renamed = *e;
        if (!strcmp(renamed.field, "password"))
            snprintf(renamed.field, sizeof renamed.field, "new_password");
        answer_auth_error(ex, status, &renamed);
        return;
    }
    if (ex->caller.via_cookie) clear_session_cookie(ex);
    gateway_exchange_json(ex, 200, json_pack("{s:s}", "status", "password_changed"));
}

static void on_current_checked(void *arg, int status, const auth_login_result_t *result) {
    password_change_t *pc = arg;
    gateway_exchange_t *ex = pc->ex;
    if (status == ERR_INVALID_CREDENTIALS) {
        gateway_exchange_error(ex, 422, "wrong_password", "current_password",
                               "current_password: this is not your current password");
    } else if (status == ERR_LOCKED || status < 0) {
        on_login(ex, status, result);
    } else {
        auth_logout(ex->gw->auth, result->token);
        auth_user_input_t in = { .password = pc->new_password };
        problem_t e;
        memset(&e, 0, sizeof e);
        int rc = auth_user_update(ex->gw->auth, ex->caller.user.id, &in, &e, on_password_set, pc);
        if (rc < 0) on_password_set(pc, rc, NULL, &e);
    }
    sodium_memzero(pc->new_password, strlen(pc->new_password));
}

static void handle_change_password(gateway_exchange_t *ex, json_t *body) {
    static const char *const fields[] = { "current_password", "new_password", NULL };
    const char *current, *fresh;
    if (only_fields(ex, body, fields) < 0 ||
        required_string(ex, body, "current_password", &current) < 0 ||
        required_string(ex, body, "new_password", &fresh) < 0)
        return;
    problem_t e;
    memset(&e, 0, sizeof e);
    if (auth_validate_password(fresh, &e) < 0) {
        snprintf(e.field, sizeof e.field, "new_password");
        answer_auth_error(ex, ERR_REJECTED, &e);
        return;
    }
    password_change_t *pc = arena_alloc(ex->arena, sizeof *pc);
    pc->ex = ex;
    pc->new_password = arena_strdup(ex->arena, fresh);
    /* A wrong current password is a failed login, counted by the same throttle (name and
       source address), so this endpoint is no way around the lockout. */
    char address[64] = "";
    if (ex->req) http_req_peer_address(ex->req, address, sizeof address);
    auth_login(ex->gw->auth, ex->caller.user.username, current, address, on_current_checked, pc);
}

/* ---------------------------------------------------------------- users */

static int input_string(gateway_exchange_t *ex, const char *key, json_t *v, const char **out) {
    if (json_is_string(v)) { *out = json_string_value(v); return 0; }
    gateway_exchange_error(ex, 400, "invalid_type", key, "%s: use a string", key);
    return ERR_REJECTED;
}

static int input_bool(gateway_exchange_t *ex, const char *key, json_t *v, bool *out) {
    if (json_is_boolean(v)) { *out = json_is_true(v); return 0; }
    gateway_exchange_error(ex, 400, "invalid_type", key, "%s: use true or false", key);
    return ERR_REJECTED;
}

static int input_cooperative(gateway_exchange_t *ex, json_t *v, auth_user_input_t *in) {
    in->has_cooperative_id = true;
    in->cooperative_id = 0;
    if (json_is_null(v)) return 0;
    if (json_is_string(v) && gateway_parse_u64(json_string_value(v), &in->cooperative_id) == 0)
        return 0;
    if (json_is_integer(v) && json_integer_value(v) > 0) {
        in->cooperative_id = (uint64_t) json_integer_value(v);
        return 0;
    }
    gateway_exchange_error(ex, 400, "invalid_type", "cooperative_id",
                           "cooperative_id: use the cooperative's id as a string, e.g. \"12\"");
    return ERR_REJECTED;
}

static int input_role(gateway_exchange_t *ex, json_t *v, auth_user_input_t *in) {
    const char *name;
    if (input_string(ex, "role", v, &name) < 0) return ERR_REJECTED;
    in->role = auth_role_parse(name);
    in->has_role = true;
    if (in->role != LUMBUNG__ROLE__ROLE_UNSPECIFIED) return 0;
    gateway_exchange_error(ex, 400, "invalid_role", "role",
                           "role: must be one of admin, supervisor, operator, viewer");
    return ERR_REJECTED;
}

static int input_field(gateway_exchange_t *ex, const char *key, json_t *v, bool patch,
                       auth_user_input_t *in) {
    if (!strcmp(key, "username")) return input_string(ex, key, v, &in->username);
    if (!strcmp(key, "password")) return input_string(ex, key, v, &in->password);
    if (!strcmp(key, "full_name")) return input_string(ex, key, v, &in->full_name);
    if (!strcmp(key, "role")) return input_role(ex, v, in);
    if (!strcmp(key, "cooperative_id")) return input_cooperative(ex, v, in);
    if (!strcmp(key, "active")) { in->has_active = true; return input_bool(ex, key, v, &in->active); }
    if (patch && !strcmp(key, "unlock")) return input_bool(ex, key, v, &in->unlock);
    gateway_exchange_error(ex, 400, "unknown_field", key, "%s: not a field a user can be given",
                           key);
    return ERR_REJECTED;
}

static int user_input(gateway_exchange_t *ex, json_t *body, bool patch, auth_user_input_t *in) {
    memset(in, 0, sizeof *in);
    const char *key;
    json_t *value;
    json_object_foreach(body, key, value)
        if (input_field(ex, key, value, patch, in) < 0) return ERR_REJECTED;
    return 0;
}

static void on_user_done(void *arg, int status, const auth_user_t *user, const problem_t *e) {
    gateway_exchange_t *ex = arg;
    if (status < 0) { answer_auth_error(ex, status, e); return; }
    gateway_exchange_json(ex, ex->route->flags & ROUTE_CREATED ? 201 : 200, user_json(user));
}

static void handle_create_user(gateway_exchange_t *ex, json_t *body) {
    auth_user_input_t in;
    if (user_input(ex, body, false, &in) < 0) return;
    problem_t e;
    memset(&e, 0, sizeof e);
    int rc = auth_user_create(ex->gw->auth, &in, &e, on_user_done, ex);
    if (rc < 0) answer_auth_error(ex, rc, &e);
}

static int path_user_id(gateway_exchange_t *ex, uint64_t *id) {
    if (gateway_parse_u64(gateway_exchange_param(ex, "id"), id) == 0 && *id > 0) return 0;
    gateway_exchange_error(ex, 404, "user_not_found", "id", "no user has this id");
    return ERR_REJECTED;
}

static void handle_update_user(gateway_exchange_t *ex, json_t *body) {
    uint64_t id;
    auth_user_input_t in;
    if (path_user_id(ex, &id) < 0 || user_input(ex, body, true, &in) < 0) return;
    problem_t e;
    memset(&e, 0, sizeof e);
    int rc = auth_user_update(ex->gw->auth, id, &in, &e, on_user_done, ex);
    if (rc < 0) answer_auth_error(ex, rc, &e);
}

static void handle_get_user(gateway_exchange_t *ex, json_t *body) {
    (void) body;
    uint64_t id;
    auth_user_t user;
    if (path_user_id(ex, &id) < 0) return;
    int rc = auth_user_get(ex->gw->auth, id, &user);
    if (rc == ERR_NOT_FOUND) {
        gateway_exchange_error(ex, 404, "user_not_found", "id", "no user has this id");
        return;
    }
    if (rc < 0) { answer_auth_error(ex, rc, NULL); return; }
    gateway_exchange_json(ex, 200, user_json(&user));
}

static void handle_list_users(gateway_exchange_t *ex, json_t *body) {
    (void) body;
    static const char *const allowed[] = { "limit", "cursor", NULL };
    unsigned limit;
    uint64_t cursor, next = 0;
    if (query_check(ex, allowed) < 0 || gateway_exchange_limit(ex, AUTH_USERS_PAGE_MAX, &limit) < 0 ||
        query_cursor(ex, &cursor) < 0)
        return;
    auth_user_t *users = arena_alloc(ex->arena, limit * sizeof *users);
    int n = auth_user_list(ex->gw->auth, cursor, limit, users, &next);
    if (n < 0) { answer_auth_error(ex, n, NULL); return; }
    json_t *items = json_array();
    for (int i = 0; i < n; i++) json_array_append_new(items, user_json(&users[i]));
    json_t *reply = json_pack("{s:o}", "items", items);
    if (next) json_object_set_new(reply, "next_cursor", json_id(next));
    gateway_exchange_json(ex, 200, reply);
}

/* ---------------------------------------------------------------- audit */

static void audit_item(void *arg, const audit_entry_t *e) {
    json_t *items = arg;
    json_t *j = json_pack("{s:o, s:o, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:o}", "id",
                          json_id(e->seq), "at", json_time(e->at_ms), "user", e->user, "role",
                          e->role, "method", e->method, "route", e->route, "path", e->path,
                          "status", e->status, "outcome", e->outcome, "request_id",
                          e->trace_id[0] ? json_string(e->trace_id) : json_id(e->request_id));
    if (e->cooperative_id) json_object_set_new(j, "cooperative_id", json_id(e->cooperative_id));
    if (e->target[0]) json_object_set_new(j, "target", json_string(e->target));
    if (e->idempotency_key[0])
        json_object_set_new(j, "idempotency_key", json_string(e->idempotency_key));
    if (e->bus_request_id) json_object_set_new(j, "bus_request_id", json_id(e->bus_request_id));
    json_array_append_new(items, j);
}

static int audit_time(gateway_exchange_t *ex, const char *name, bool end, int64_t *ms) {
    const char *text = gateway_exchange_query(ex, name);
    *ms = 0;
    if (!text || gateway_parse_time(text, end, ms) == 0) return 0;
    gateway_exchange_error(ex, 400, "invalid_date", name,
                           "%s: use a date YYYY-MM-DD or a UTC time like 2026-11-29T09:10:00Z",
                           name);
    return ERR_REJECTED;
}

static int audit_query_parse(gateway_exchange_t *ex, audit_query_t *q) {
    static const char *const allowed[] = { "cooperative_id", "user", "from", "to", "limit",
                                           "cursor", NULL };
    memset(q, 0, sizeof *q);
    if (query_check(ex, allowed) < 0 || gateway_exchange_limit(ex, AUDIT_PAGE_MAX, &q->limit) < 0 ||
        query_cursor(ex, &q->before_seq) < 0 || audit_time(ex, "from", false, &q->from_ms) < 0 ||
        audit_time(ex, "to", true, &q->to_ms) < 0)
        return ERR_REJECTED;
    const char *coop = gateway_exchange_query(ex, "cooperative_id");
    if (coop && gateway_parse_u64(coop, &q->cooperative_id) < 0) {
        gateway_exchange_error(ex, 400, "invalid_type", "cooperative_id",
                               "cooperative_id: use the cooperative's id, e.g. 12");
        return ERR_REJECTED;
    }
    q->user = gateway_exchange_query(ex, "user");
    return 0;
}

static void handle_audit(gateway_exchange_t *ex, json_t *body) {
    (void) body;
    audit_query_t q;
    if (audit_query_parse(ex, &q) < 0) return;
    json_t *items = json_array();
    uint64_t next = 0;
    int n = audit_query(ex->gw->audit, &q, audit_item, items, &next);
    if (n < 0) {
        json_decref(items);
        gateway_exchange_error(ex, 500, "internal", NULL, "the audit store failed");
        return;
    }
    json_t *reply = json_pack("{s:o}", "items", items);
    if (next) json_object_set_new(reply, "next_cursor", json_id(next));
    gateway_exchange_json(ex, 200, reply);
}

/* ---------------------------------------------------------------- lookup */

/* The gateway's own operations, with their access classes (common/access.h), as the
   services' operation lists have theirs. */
static const gateway_handler_t handlers[] = {
    { "healthz", ACCESS_PUBLIC, handle_healthz },
    { "readyz", ACCESS_PUBLIC, handle_readyz },
    { "metrics", ACCESS_PUBLIC, handle_metrics },
    { "login", ACCESS_PUBLIC, handle_login },
    { "logout", ACCESS_AUTHENTICATED, handle_logout },
    { "me", ACCESS_AUTHENTICATED, handle_me },
    { "change_password", ACCESS_AUTHENTICATED, handle_change_password },
    { "list_users", ACCESS_ADMIN, handle_list_users },
    { "create_user", ACCESS_ADMIN, handle_create_user },
    { "get_user", ACCESS_ADMIN, handle_get_user },
    { "update_user", ACCESS_ADMIN, handle_update_user },
    { "audit", ACCESS_SUPERVISE, handle_audit },
    { "member_access", ACCESS_COOP_WRITE, handle_member_access },
    { "member_activate", ACCESS_PUBLIC, handle_member_activate },
    { "member_login", ACCESS_PUBLIC, handle_member_login },
    { "public_directory", ACCESS_PUBLIC, public_directory },
    { "public_profile", ACCESS_PUBLIC, public_profile },
};

const gateway_handler_t *gateway_handlers_find(const char *operation) {
    for (size_t i = 0; operation && i < sizeof handlers / sizeof handlers[0]; i++)
        if (!strcmp(handlers[i].operation, operation)) return &handlers[i];
    return NULL;
}
