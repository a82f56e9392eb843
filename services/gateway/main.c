/* lumbung-gateway: wiring only. Reads the settings, opens the store, connects to the services,
   serves HTTP until SIGINT/SIGTERM, then shuts down in order (see gateway.h for the modules).

   `lumbung-gateway --routes` prints every route as JSON and exits (tools/openapi.py).

   Settings (environment or LUMBUNG_CONFIG file):
     LUMBUNG_HTTP_HOST (127.0.0.1), LUMBUNG_HTTP_PORT (8080), LUMBUNG_HTTP_TIMEOUT_S (10, idle
     and header deadline), LUMBUNG_HTTP_HEADER_DEADLINE_S, LUMBUNG_HTTP_BODY_DEADLINE_S (60),
     LUMBUNG_HTTP_CONNECTIONS_MAX (1024), LUMBUNG_HTTP_CONNECTIONS_PER_ADDRESS (256),
     LUMBUNG_GATEWAY_TIMEOUT_MS (5000),
     LUMBUNG_GATEWAY_LONG_TIMEOUT_MS (30000), LUMBUNG_READY_TIMEOUT_MS (1000),
     LUMBUNG_TOKEN_TTL_S (43200), LUMBUNG_LOGIN_FAILURES_MAX (5),
     LUMBUNG_LOGIN_ADDRESS_FAILURES_MAX (30), LUMBUNG_LOGIN_LOCK_S (900),
     LUMBUNG_MEMBER_CODE_TTL_S (604800: a member's one-time code),
     LUMBUNG_LOGIN_DELAY_MS (250), LUMBUNG_LOGIN_DELAY_MAX_MS (4000), LUMBUNG_ADMIN_PASSWORD,
     LUMBUNG_PWHASH_FAST=1 (tests: the cheapest Argon2id parameters), LUMBUNG_PWHASH_OPSLIMIT,
     LUMBUNG_PWHASH_MEMLIMIT_KIB, LUMBUNG_WEB_DIR (the web interface's files; default: web/
     beside the bin/ folder of this binary, i.e. $(BUILD)/web), LUMBUNG_COOKIE_SECURE=1 (session
     cookies only over HTTPS: set it when a TLS proxy fronts the gateway); the bus settings of
     config.h. */
#include <errno.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <libgen.h>
#include <string.h>
#include <unistd.h>

#include "busaudit.h"
#include "config.h"
#include "gateway.h"
#include "log.h"

static void on_signal(uv_signal_t *h, int signum) {
    log_info(0, "received signal %d, stopping", signum);
    uv_stop(h->loop);
}

static void close_any(uv_handle_t *h, void *arg) {
    (void) arg;
    if (!uv_is_closing(h)) uv_close(h, NULL);
}

static void auth_settings(auth_config_t *c) {
    auth_config_default(c);
    if (config_int("LUMBUNG_PWHASH_FAST", 0, 0, 1)) {
        c->ops = crypto_pwhash_OPSLIMIT_MIN;
        c->mem = crypto_pwhash_MEMLIMIT_MIN;
    }
    c->ops = (uint64_t) config_int("LUMBUNG_PWHASH_OPSLIMIT", (int64_t) c->ops,
                                   crypto_pwhash_OPSLIMIT_MIN, 64);
    c->mem = (size_t) config_int("LUMBUNG_PWHASH_MEMLIMIT_KIB", (int64_t) (c->mem / 1024),
                                 crypto_pwhash_MEMLIMIT_MIN / 1024, 4 * 1024 * 1024) * 1024;
    c->token_ttl_s = (uint32_t) config_int("LUMBUNG_TOKEN_TTL_S", c->token_ttl_s, 1, 30 * 86400);
    c->failures_max = (uint32_t) config_int("LUMBUNG_LOGIN_FAILURES_MAX", c->failures_max, 1, 1000);
    c->address_failures_max = (uint32_t) config_int("LUMBUNG_LOGIN_ADDRESS_FAILURES_MAX",
                                                    c->address_failures_max, 1, 100000);
    c->lock_s = (uint32_t) config_int("LUMBUNG_LOGIN_LOCK_S", c->lock_s, 1, 7 * 86400);
    c->code_ttl_s = (uint32_t) config_int("LUMBUNG_MEMBER_CODE_TTL_S", c->code_ttl_s, 1, 90 * 86400);
    c->delay_base_ms = (uint32_t) config_int("LUMBUNG_LOGIN_DELAY_MS", c->delay_base_ms, 0, 60000);
    c->delay_max_ms = (uint32_t) config_int("LUMBUNG_LOGIN_DELAY_MAX_MS", c->delay_max_ms, 0, 600000);
}

static void http_settings(http_server_config_t *c) {
    memset(c, 0, sizeof *c);
    c->host = config_get("LUMBUNG_HTTP_HOST", "127.0.0.1");
    c->port = (int) config_int("LUMBUNG_HTTP_PORT", 8080, 0, 65535);
    c->timeout_s = (unsigned) config_int("LUMBUNG_HTTP_TIMEOUT_S", HTTP_SERVER_TIMEOUT_S_DEFAULT, 1, 3600);
    c->header_deadline_s = (unsigned) config_int("LUMBUNG_HTTP_HEADER_DEADLINE_S", c->timeout_s, 1, 3600);
    c->body_deadline_s = (unsigned) config_int("LUMBUNG_HTTP_BODY_DEADLINE_S",
                                               HTTP_SERVER_BODY_DEADLINE_S_DEFAULT, 1, 3600);
    c->connections_max = (unsigned) config_int("LUMBUNG_HTTP_CONNECTIONS_MAX",
                                               HTTP_SERVER_CONNECTIONS_MAX, 1, 100000);
    c->connections_per_address = (unsigned) config_int("LUMBUNG_HTTP_CONNECTIONS_PER_ADDRESS",
                                                       HTTP_SERVER_CONNECTIONS_PER_ADDRESS_MAX, 1, 100000);
}

/* One client per backend: members, transactions (shard 0), reporting, then shards 1.. */
static int open_clients(gateway_t *gw, bus_t *bus) {
    if (shard_load() != 0) return -EINVAL;
    gw->shards = shard_count();
    gw->backends = GATEWAY_SERVICES + gw->shards - 1;
    for (int i = 0; i < GATEWAY_SERVICES; i++)
        snprintf(gw->backend_names[i], SHARD_NAME_MAX, "%s", gateway_service_names[i]);
    for (int k = 1; k < gw->shards; k++)
        shard_name(k, gw->backend_names[gateway_shard_backend(k)], SHARD_NAME_MAX);
    for (int i = 0; i < gw->backends; i++) {
        char endpoint[128];
        int err = 0;
        const char *name = gw->backend_names[i];
        config_endpoint(name, "router", endpoint, sizeof endpoint);
        gw->clients[i] = client_new(bus, name, endpoint, &err);
        if (!gw->clients[i]) {
            log_error(0, "cannot connect to %s at %s (%s)", name, endpoint, error_name(err));
            return err ? err : -EINVAL;
        }
    }
    return 0;
}

static int open_store(gateway_t *gw) {
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/gateway", config_data_dir());
    auth_config_t ac;
    auth_settings(&ac);
    int err = 0;
    if (!(gw->store = store_new(dir, &err))) return err;
    if (!(gw->auth = auth_new(gw->loop, gw->store, &ac, &err))) return err;
    if (!(gw->audit = audit_new(gw->loop, gw->store, &err))) return err;
    return auth_bootstrap(gw->auth, config_get("LUMBUNG_ADMIN_PASSWORD", NULL));
}

static int open_http(gateway_t *gw) {
    http_server_config_t hc;
    http_settings(&hc);
    http_server_handlers_t handlers = {
        .handle = gateway_routes_handle, .body_limit = gateway_routes_body_limit,
        .context_free = gateway_routes_context_free, .arg = gw,
    };
    int err = 0;
    gw->http = http_server_new(gw->loop, &hc, &handlers, &err);
    return gw->http ? 0 : err;
}

/* The web folder: LUMBUNG_WEB_DIR, else ../web from the folder of this binary. A missing
   folder leaves the API working and "/" a 404. */
static int open_web(gateway_t *gw) {
    char exe[1024], dir[1100];
    const char *web = config_get("LUMBUNG_WEB_DIR", NULL);
    if (!web || !*web) {
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n <= 0) return 0;
        exe[n] = 0;
        char *build = dirname(dirname(exe));          /* .../build/bin/lumbung-gateway */
        snprintf(dir, sizeof dir, "%s/web", build);
        web = dir;
    }
    int rc = static_files_load(web, &gw->web);
    if (rc < 0) log_error(0, "cannot load the web interface from %s (%s)", web, error_name(rc));
    else log_info(0, "web interface: %u files from %s", static_files_count(gw->web), web);
    return rc;
}

/* Answers everything still waiting, then frees the modules in reverse order of need. */
static void shut_down(gateway_t *gw, bus_t **bus) {
    gw->stopping = true;
    http_server_destroy(&gw->http);
    gateway_call_shutdown(gw);
    if (gw->auth) auth_shutdown(gw->auth);
    for (int i = 0; i < GATEWAY_BACKENDS_MAX; i++) client_destroy(&gw->clients[i]);
    busaudit_destroy(&gw->busaudit);
    while (gw->auth && auth_pending(gw->auth) > 0) uv_run(gw->loop, UV_RUN_ONCE);
    audit_destroy(&gw->audit);
    bus_destroy(bus);
    uv_walk(gw->loop, close_any, NULL);
    uv_run(gw->loop, UV_RUN_DEFAULT);
    auth_destroy(&gw->auth);
    metrics_destroy(&gw->metrics);
    store_destroy(&gw->store);
    static_files_free(&gw->web);
    gateway_exchange_arenas_free(gw);
}

/* The access class as the API names it (docs/openapi.yaml's x-lumbung-access): for the
   gateway's users a report reads as a cooperative's records do and an assessment is
   supervision (test_gateway_routes checks that the matrix decides them alike). */
static const char *http_access_name(access_t access) {
    if (access == ACCESS_REPORT_READ) return access_name(ACCESS_COOP_READ);
    if (access == ACCESS_ASSESS) return access_name(ACCESS_SUPERVISE);
    return access_name(access);
}

static json_t *route_json(const route_t *r) {
    access_t access;
    unsigned op_flags;
    gateway_route_operation(r, &access, &op_flags);
    /* The route's own flags and its operation's, in the order the API tools know. */
    const struct { bool on; const char *name; } flags[] = {
        { r->flags & ROUTE_CREATED, "created" },
        { op_flags & OP_MOVES_MONEY, "idempotency_required" },
        { r->flags & ROUTE_QUERY_FIELDS, "query_fields" }, { r->flags & ROUTE_RAW_BODY, "raw_body" },
        { op_flags & OP_LONG, "long" }, { r->flags & ROUTE_MEMBER, "member" },
        { r->flags & ROUTE_SELF, "self" },
    };
    json_t *params = json_array(), *names = json_array();
    for (int i = 0; i < ROUTE_PARAMS_MAX && r->params[i].name; i++)
        json_array_append_new(params, json_pack("{s:s, s:s}", "name", r->params[i].name,
                                                "field", r->params[i].field));
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        if (flags[i].on) json_array_append_new(names, json_string(flags[i].name));
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "method", r->method, "pattern",
                     r->pattern, "access", http_access_name(access), "service", r->service,
                     "operation", r->operation, "params", params, "flags", names);
}

/* `lumbung-gateway --routes`: every route as JSON, for docs/openapi.yaml and its check. */
static int print_routes(void) {
    json_t *all = json_array();
    for (int t = 0; gateway_routes_tables[t]; t++)
        for (const route_t *r = gateway_routes_tables[t]; r->method; r++)
            json_array_append_new(all, route_json(r));
    int rc = json_dumpf(all, stdout, JSON_INDENT(1)) == 0 ? 0 : 1;
    json_decref(all);
    putchar('\n');
    return rc;
}

int main(int argc, char **argv) {
    if (argc == 2 && !strcmp(argv[1], "--routes")) return print_routes();
    log_init("gateway");
    if (config_load() != 0) return 2;
    signal(SIGPIPE, SIG_IGN);
    if (gateway_routes_check() != 0) {
        log_error(0, "the route tables are inconsistent with the protos; not starting");
        return 1;
    }
    uv_loop_t loop;
    uv_loop_init(&loop);
    gateway_t gw = {
        .loop = &loop, .metrics = metrics_new(),
        .timeout_ms = (uint32_t) config_int("LUMBUNG_GATEWAY_TIMEOUT_MS", GATEWAY_TIMEOUT_MS_DEFAULT, 1, 600000),
        .long_timeout_ms = (uint32_t) config_int("LUMBUNG_GATEWAY_LONG_TIMEOUT_MS",
                                                 GATEWAY_LONG_TIMEOUT_MS_DEFAULT, 1, 3600000),
        .ready_timeout_ms = (uint32_t) config_int("LUMBUNG_READY_TIMEOUT_MS",
                                                  GATEWAY_READY_TIMEOUT_MS_DEFAULT, 1, 60000),
    };
    gateway_call_init(&gw);
    int err = 0;
    bus_config_t bc = { .name = "gateway", .curve = true };
    bus_t *bus = bus_new(&loop, &bc, &err);
    int rc = bus ? 0 : (err ? err : -1);
    gw.cookie_secure = config_int("LUMBUNG_COOKIE_SECURE", 0, 0, 1);
    if (rc == 0) rc = open_web(&gw);
    if (rc == 0) rc = open_store(&gw);
    if (rc == 0) rc = open_clients(&gw, bus);
    if (rc == 0 && !(gw.busaudit = busaudit_new(bus, gw.store, gw.audit, &err))) rc = err ? err : -EINVAL;
    if (rc == 0) rc = open_http(&gw);
    if (rc == 0) {
        uv_signal_t sigint, sigterm;
        uv_signal_init(&loop, &sigint);
        uv_signal_init(&loop, &sigterm);
        uv_signal_start(&sigint, on_signal, SIGINT);
        uv_signal_start(&sigterm, on_signal, SIGTERM);
        uv_run(&loop, UV_RUN_DEFAULT);
    } else {
        log_error(0, "cannot start (%s)", error_name(rc));
    }
    shut_down(&gw, &bus);
    uv_loop_close(&loop);
    log_info(0, "stopped");
    return rc == 0 ? 0 : 1;
}
