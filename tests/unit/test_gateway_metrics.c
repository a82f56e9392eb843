/* metrics: counting by method, route and status, the latency histogram, backend failures,
   set values, and the Prometheus text they render to. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../services/gateway/metrics.h"

static char *render(metrics_t *m) {
    size_t len;
    char *text = metrics_render(m, &len);
    assert_int_equal(strlen(text), len);
    return text;
}

static void assert_line(const char *text, const char *line) {
    char needle[512];
    snprintf(needle, sizeof needle, "\n%s\n", line);
    if (!strstr(text, needle)) fail_msg("missing line: %s\n--- in ---\n%s", line, text);
}

static void requests_are_counted_by_method_route_and_status(void **state) {
    (void) state;
    metrics_t *m = metrics_new();
    metrics_request(m, "GET", "/healthz", 200, 0.0001);
    metrics_request(m, "GET", "/healthz", 200, 0.0001);
    metrics_request(m, "GET", "/healthz", 503, 0.0001);
    metrics_request(m, "POST", "/api/v1/users", 201, 0.2);
    char *text = render(m);
    assert_line(text, "# TYPE lumbung_http_requests_total counter");
    assert_line(text, "lumbung_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 2");
    assert_line(text, "lumbung_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"503\"} 1");
    assert_line(text, "lumbung_http_requests_total{method=\"POST\",route=\"/api/v1/users\",status=\"201\"} 1");
    free(text);
    metrics_destroy(&m);
    assert_null(m);
}

static void the_histogram_is_cumulative_and_ends_in_inf(void **state) {
    (void) state;
    metrics_t *m = metrics_new();
    metrics_request(m, "GET", "/r", 200, 0.0005);   /* le 0.001 */
    metrics_request(m, "GET", "/r", 200, 0.3);      /* le 0.5 */
    metrics_request(m, "GET", "/r", 200, 99);       /* only +Inf */
    char *text = render(m);
    assert_line(text, "# TYPE lumbung_http_request_duration_seconds histogram");
    assert_line(text, "lumbung_http_request_duration_seconds_bucket{method=\"GET\",route=\"/r\",le=\"0.001\"} 1");
    assert_line(text, "lumbung_http_request_duration_seconds_bucket{method=\"GET\",route=\"/r\",le=\"0.25\"} 1");
    assert_line(text, "lumbung_http_request_duration_seconds_bucket{method=\"GET\",route=\"/r\",le=\"0.5\"} 2");
    assert_line(text, "lumbung_http_request_duration_seconds_bucket{method=\"GET\",route=\"/r\",le=\"10\"} 2");
    assert_line(text, "lumbung_http_request_duration_seconds_bucket{method=\"GET\",route=\"/r\",le=\"+Inf\"} 3");
    assert_line(text, "lumbung_http_request_duration_seconds_sum{method=\"GET\",route=\"/r\"} 99.300500");
    assert_line(text, "lumbung_http_request_duration_seconds_count{method=\"GET\",route=\"/r\"} 3");
    free(text);
    metrics_destroy(&m);
}

static void backend_failures_and_set_values_are_rendered(void **state) {
    (void) state;
    metrics_t *m = metrics_new();
    metrics_backend(m, "members", METRICS_BACKEND_UNAVAILABLE);
    metrics_backend(m, "members", METRICS_BACKEND_UNAVAILABLE);
    metrics_backend(m, "transactions", METRICS_BACKEND_TIMEOUT);
    metrics_set(m, "lumbung_http_open_connections", "gauge", "Open connections.", 3);
    metrics_set(m, "lumbung_http_open_connections", "gauge", "Open connections.", 4);
    char *text = render(m);
    assert_line(text, "lumbung_backend_failures_total{service=\"members\",kind=\"unavailable\"} 2");
    assert_line(text, "lumbung_backend_failures_total{service=\"members\",kind=\"timeout\"} 0");
    assert_line(text, "lumbung_backend_failures_total{service=\"transactions\",kind=\"timeout\"} 1");
    assert_line(text, "# TYPE lumbung_http_open_connections gauge");
    assert_line(text, "lumbung_http_open_connections 4");
    free(text);
    metrics_destroy(&m);
}

static void label_values_are_escaped(void **state) {
    (void) state;
    char buf[64];
    assert_string_equal(metrics_escape_label("a\"b\\c\nd", buf, sizeof buf), "a\\\"b\\\\c\\nd");
    char small[5];
    assert_string_equal(metrics_escape_label("abcdef", small, sizeof small), "ab");
}

/* A flood of distinct routes must not grow the series without bound. */
static void series_beyond_the_limit_fold_into_other(void **state) {
    (void) state;
    metrics_t *m = metrics_new();
    for (int i = 0; i < METRICS_SERIES_MAX + 50; i++) {
        char route[32];
        snprintf(route, sizeof route, "/r%d", i);
        metrics_request(m, "GET", route, 200, 0.01);
    }
    char *text = render(m);
    assert_line(text, "lumbung_http_requests_total{method=\"*\",route=\"other\",status=\"200\"} 51");
    assert_null(strstr(text, "route=\"/r300\""));
    free(text);
    metrics_destroy(&m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(requests_are_counted_by_method_route_and_status),
        cmocka_unit_test(the_histogram_is_cumulative_and_ends_in_inf),
        cmocka_unit_test(backend_failures_and_set_values_are_rendered),
        cmocka_unit_test(label_values_are_escaped),
        cmocka_unit_test(series_beyond_the_limit_fold_into_other),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
