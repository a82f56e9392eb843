/* handlers: what a user relies on in the gateway's own operations — each operation the gateway
   answers itself (health, readiness, metrics, login and logout, the user's own account, users,
   audit, members' access and the public pages) is found by its route name with the access class
   that decides who may call it (an anonymous caller only the public ones, an administrator the
   user list), each with a handler; a name it does not answer (a service's operation, a near
   miss, NULL) finds nothing, so such a route is refused at start-up instead of answered. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../services/gateway/handlers.h"
#include "unit.h"

typedef struct {
    const char *operation;
    access_t access;
} expected_t;

static const expected_t expected[] = {
    { "healthz", ACCESS_PUBLIC },
    { "readyz", ACCESS_PUBLIC },
    { "metrics", ACCESS_PUBLIC },
    { "login", ACCESS_PUBLIC },
    { "logout", ACCESS_AUTHENTICATED },
    { "me", ACCESS_AUTHENTICATED },
    { "change_password", ACCESS_AUTHENTICATED },
    { "list_users", ACCESS_ADMIN },
    { "create_user", ACCESS_ADMIN },
    { "get_user", ACCESS_ADMIN },
    { "update_user", ACCESS_ADMIN },
    { "audit", ACCESS_SUPERVISE },
    { "member_access", ACCESS_COOP_WRITE },
    { "member_activate", ACCESS_PUBLIC },
    { "member_login", ACCESS_PUBLIC },
    { "public_directory", ACCESS_PUBLIC },
    { "public_profile", ACCESS_PUBLIC },
};

static void each_own_operation_is_found_with_its_access_class(void **state) {
    (void) state;
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        const gateway_handler_t *h = gateway_handlers_find(expected[i].operation);
        assert_non_null(h);
        assert_string_equal(h->operation, expected[i].operation);
        assert_int_equal(h->access, expected[i].access);
        assert_non_null(h->fn);
    }
}

/* Each operation has a handler of its own: two rows sharing one would answer one of them
   wrongly. */
static void each_operation_has_its_own_handler(void **state) {
    (void) state;
    size_t n = sizeof expected / sizeof expected[0];
    for (size_t i = 0; i < n; i++)
        for (size_t k = i + 1; k < n; k++)
            assert_true(gateway_handlers_find(expected[i].operation)->fn !=
                        gateway_handlers_find(expected[k].operation)->fn);
}

/* Only the anonymous entry points are public: the account, users and audit need a session. */
static void sessions_guard_accounts_users_and_audit(void **state) {
    (void) state;
    assert_int_not_equal(gateway_handlers_find("me")->access, ACCESS_PUBLIC);
    assert_int_not_equal(gateway_handlers_find("create_user")->access, ACCESS_AUTHENTICATED);
    assert_int_not_equal(gateway_handlers_find("audit")->access, ACCESS_PUBLIC);
}

static void an_unknown_operation_finds_nothing(void **state) {
    (void) state;
    assert_null(gateway_handlers_find(NULL));
    assert_null(gateway_handlers_find(""));
    assert_null(gateway_handlers_find("get_member"));      /* a service's, not the gateway's */
    assert_null(gateway_handlers_find("healthz "));
    assert_null(gateway_handlers_find("Healthz"));
    assert_null(gateway_handlers_find("health"));
    assert_null(gateway_handlers_find("public_profiles"));
}

int main(void) {
    unit_quiet_logs("test_gateway_handlers");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_own_operation_is_found_with_its_access_class),
        cmocka_unit_test(each_operation_has_its_own_handler),
        cmocka_unit_test(sessions_guard_accounts_users_and_audit),
        cmocka_unit_test(an_unknown_operation_finds_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
