/* peer_guard: each address's open connections counted by descriptor and cut above the limit,
   and lines about peers limited per window with one summary of what was left out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "peer_guard.h"

enum { CLIENTS = 6, LIMIT = 4 };

static int listener(uint16_t *port) {
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    assert_int_equal(bind(l, (struct sockaddr *) &a, sizeof a), 0);
    assert_int_equal(listen(l, 64), 0);
    socklen_t len = sizeof a;
    getsockname(l, (struct sockaddr *) &a, &len);
    *port = ntohs(a.sin_port);
    return l;
}

static int connect_from(const char *source, uint16_t port) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in src = { .sin_family = AF_INET };
    inet_pton(AF_INET, source, &src.sin_addr);
    assert_int_equal(bind(s, (struct sockaddr *) &src, sizeof src), 0);
    struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons(port),
                               .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    assert_int_equal(connect(s, (struct sockaddr *) &dst, sizeof dst), 0);
    return s;
}

static void connections_beyond_the_limit_of_one_address_are_cut(void **state) {
    (void) state;
    uv_loop_t loop;
    uv_loop_init(&loop);
    peer_guard_config_t c = { .connections_per_address = LIMIT, .lines_per_window = 100 };
    peer_guard_t *g = peer_guard_new(&loop, &c);
    uint16_t port;
    int l = listener(&port);
    int clients[CLIENTS + 1], accepted[CLIENTS + 1];
    for (int i = 0; i < CLIENTS; i++) {
        clients[i] = connect_from("127.0.0.3", port);
        accepted[i] = accept(l, NULL, NULL);
        assert_int_equal(peer_guard_accepted(g, accepted[i], "tcp://x"), i >= LIMIT);
    }
    assert_int_equal(peer_guard_open(g, "127.0.0.3"), CLIENTS);
    assert_int_equal(peer_guard_refused(g), CLIENTS - LIMIT);
    /* another address is not touched by the first one's count */
    clients[CLIENTS] = connect_from("127.0.0.4", port);
    accepted[CLIENTS] = accept(l, NULL, NULL);
    assert_false(peer_guard_accepted(g, accepted[CLIENTS], "tcp://x"));
    assert_int_equal(peer_guard_open(g, "127.0.0.4"), 1);
    char address[PEER_GUARD_ADDRESS_MAX];
    for (int i = 0; i < CLIENTS; i++) peer_guard_closed(g, accepted[i], address, sizeof address);
    assert_string_equal(address, "127.0.0.3");
    assert_int_equal(peer_guard_open(g, "127.0.0.3"), 0);
    /* a descriptor closed twice, or never counted, changes nothing */
    peer_guard_closed(g, accepted[0], address, sizeof address);
    assert_string_equal(address, "");
    assert_int_equal(peer_guard_open(g, "127.0.0.4"), 1);
    /* the address is served again once its connections are gone */
    int again = connect_from("127.0.0.3", port), fd = accept(l, NULL, NULL);
    assert_false(peer_guard_accepted(g, fd, "tcp://x"));
    for (int i = 0; i <= CLIENTS; i++) { close(clients[i]); close(accepted[i]); }
    close(again), close(fd), close(l);
    peer_guard_destroy(&g);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
}

static void nothing(uv_timer_t *t) { (void) t; }

static void lines_beyond_the_window_budget_are_summed_up_once(void **state) {
    (void) state;
    fflush(stderr);
    int saved = dup(2);
    FILE *out = tmpfile();
    dup2(fileno(out), 2);
    log_init("unit");
    uv_loop_t loop;
    uv_loop_init(&loop);
    peer_guard_config_t c = { .lines_per_window = 3, .window_ms = 100 };
    peer_guard_t *g = peer_guard_new(&loop, &c);
    for (int i = 0; i < 50; i++)
        peer_guard_line(g, LOG_WARN, i % 2 == 0, "127.0.0.9", "peer line %d", i);
    /* the summary comes when the window ends (its timer does not keep the loop alive) */
    uv_timer_t keep;
    uv_timer_init(&loop, &keep);
    uv_timer_start(&keep, nothing, 300, 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    peer_guard_line(g, LOG_WARN, true, "127.0.0.9", "peer line %d", 50);   /* a new window */
    peer_guard_destroy(&g);
    uv_close((uv_handle_t *) &keep, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    char text[8192] = "";
    rewind(out);
    size_t n = fread(text, 1, sizeof text - 1, out);
    text[n] = 0;
    fclose(out);
    assert_non_null(strstr(text, "peer line 0\n"));
    assert_non_null(strstr(text, "peer line 2\n"));
    assert_null(strstr(text, "peer line 3\n"));
    assert_null(strstr(text, "peer line 49\n"));
    assert_non_null(strstr(text, "bus: 47 more line(s) about peers left out in the last 100 ms "
                                 "(the last about 127.0.0.9); 25 peer(s) refused since start"));
    assert_non_null(strstr(text, "peer line 50\n"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(connections_beyond_the_limit_of_one_address_are_cut),
        cmocka_unit_test(lines_beyond_the_window_budget_are_summed_up_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
