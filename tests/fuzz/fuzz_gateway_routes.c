/* libFuzzer target: the gateway's request path as a client sends it, through route matching
   (services/gateway/routes.c) and the cross-cooperative check every request passes.

   Input: one byte picks the method, then PATH \0 QUERY-COOP (the `cooperative_id` of a query
   string). Properties, beyond never crashing: a match is a route of the tables whose method
   agrees (HEAD matches GET), whose parameters are the path's own segments (no '/', within
   GATEWAY_SEGMENT_MAX), and matching the same path twice gives the same route; a refusal is
   404 or 405, and a 405 names at least one method in Allow; the cooperative check is a pure
   function of its inputs.

   Run with `make fuzz` or, once built:
     build-fuzz/fuzz/fuzz_gateway_routes -max_total_time=60 tests/fuzz/corpus/fuzz_gateway_routes */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../services/gateway/gateway.h"

enum { PATH_MAX_FUZZ = 2048, ALLOW_MAX = 128 };

static const char *const METHODS[] = { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS" };

static void check_params(const gateway_route_match_t *m) {
    assert(m->count >= 0 && m->count <= ROUTE_PARAMS_MAX);
    for (int i = 0; i < m->count; i++) {
        size_t n = strlen(m->params[i].value);
        assert(n <= GATEWAY_SEGMENT_MAX && !memchr(m->params[i].value, '/', n));
        assert(m->params[i].name[0] != 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || size > PATH_MAX_FUZZ) return 0;
    char text[PATH_MAX_FUZZ + 2];
    memcpy(text, data + 1, size - 1);
    text[size - 1] = 0;
    text[size] = 0;
    const char *method = METHODS[data[0] % (sizeof METHODS / sizeof METHODS[0])];
    const char *path = text;
    const char *query_coop = text + strlen(text) + 1;    /* "" when the input has no NUL */
    if (query_coop > text + size - 1) query_coop = text + size;

    gateway_route_match_t m, again;
    char allow[ALLOW_MAX], allow2[ALLOW_MAX];
    memset(&m, 0, sizeof m);
    int rc = gateway_routes_match(method, path, &m, allow, sizeof allow);
    if (rc == 0) {
        assert(m.route && m.route->method && m.route->pattern);
        assert(!strcmp(m.route->method, method) ||
               (!strcmp(method, "HEAD") && !strcmp(m.route->method, "GET")));
        check_params(&m);
        assert(gateway_routes_match(method, path, &again, allow2, sizeof allow2) == 0);
        assert(again.route == m.route && again.count == m.count);
        bool other = gateway_routes_names_other_coop(&m, query_coop, NULL, 7);
        assert(other == gateway_routes_names_other_coop(&m, query_coop, NULL, 7));
    } else {
        assert(rc == ERR_NOT_FOUND || rc == ERR_METHOD_NOT_ALLOWED);
        if (rc == ERR_METHOD_NOT_ALLOWED) assert(allow[0] != 0);
    }
    return 0;
}
