/* config: environment first, then the LUMBUNG_CONFIG file; integers in range; endpoints.

   The module keeps what it loaded for the life of the process (the first value of a name
   wins), so each test uses names of its own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <errno.h>
#include <sys/wait.h>

#include "unit.h"
#include "config.h"

static char dir[UNIT_PATH_MAX];

/* Every variable a test may set, cleared around each test. */
static const char *const touched[] = {
    "LUMBUNG_CONFIG", "LUMBUNG_PORT_BASE", "LUMBUNG_HOST", "LUMBUNG_DATA", "LUMBUNG_TEST_INSTANCE",
    "LUMBUNG_MEMBERS_ROUTER", "LUMBUNG_MEMBERS_PUB", "LUMBUNG_UT_ENV_A", "LUMBUNG_UT_EMPTY",
    "LUMBUNG_UT_NUM", "LUMBUNG_UT_BAD",
};

static int setup(void **state) {
    (void) state;
    for (size_t i = 0; i < sizeof touched / sizeof touched[0]; i++) unsetenv(touched[i]);
    unit_tempdir(dir, "config");
    return 0;
}

static int teardown(void **state) {
    (void) state;
    for (size_t i = 0; i < sizeof touched / sizeof touched[0]; i++) unsetenv(touched[i]);
    unit_rmtree(dir);
    return 0;
}

/* Writes `text` as the config file and points LUMBUNG_CONFIG at it. */
static void config_file(const char *text) {
    char path[UNIT_PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/lumbung.conf", dir);
    unit_write_file(path, text);
    setenv("LUMBUNG_CONFIG", path, 1);
}

static void load_without_a_config_file_succeeds(void **state) {
    (void) state;
    assert_int_equal(config_load(), 0);
    assert_null(config_get("LUMBUNG_UT_NOWHERE", NULL));
    assert_string_equal(config_get("LUMBUNG_UT_NOWHERE", "fallback"), "fallback");
}

static void environment_beats_the_file(void **state) {
    (void) state;
    config_file("LUMBUNG_UT_ENV_A=from-file\nLUMBUNG_UT_FILE_B=file-only\n");
    setenv("LUMBUNG_UT_ENV_A", "from-env", 1);
    assert_int_equal(config_load(), 0);
    assert_string_equal(config_get("LUMBUNG_UT_ENV_A", "x"), "from-env");
    assert_string_equal(config_get("LUMBUNG_UT_FILE_B", "x"), "file-only");
    /* Once the environment no longer has it, the file's value shows. */
    unsetenv("LUMBUNG_UT_ENV_A");
    assert_string_equal(config_get("LUMBUNG_UT_ENV_A", "x"), "from-file");
}

static void an_empty_environment_value_counts_as_unset(void **state) {
    (void) state;
    config_file("LUMBUNG_UT_EMPTY=file-value\n");
    setenv("LUMBUNG_UT_EMPTY", "", 1);
    assert_int_equal(config_load(), 0);
    assert_string_equal(config_get("LUMBUNG_UT_EMPTY", "x"), "file-value");
}

static void comments_blank_lines_and_spaces_are_ignored(void **state) {
    (void) state;
    config_file("# a comment line\n"
                "\n"
                "   \t\n"
                "  LUMBUNG_UT_SPACED  =  spaced value   # trailing comment\n"
                "LUMBUNG_UT_EMPTY_VALUE=\n"
                "LUMBUNG_UT_URL=tcp://10.0.0.5:7100\n"
                "LUMBUNG_UT_EQ=a=b\n");
    assert_int_equal(config_load(), 0);
    assert_string_equal(config_get("LUMBUNG_UT_SPACED", "x"), "spaced value");
    assert_string_equal(config_get("LUMBUNG_UT_EMPTY_VALUE", "x"), "");
    assert_string_equal(config_get("LUMBUNG_UT_URL", "x"), "tcp://10.0.0.5:7100");
    assert_string_equal(config_get("LUMBUNG_UT_EQ", "x"), "a=b");
}

static void a_line_without_equals_is_an_error(void **state) {
    (void) state;
    config_file("LUMBUNG_UT_GOOD=1\nTHIS LINE IS WRONG\nLUMBUNG_UT_AFTER=2\n");
    assert_int_equal(config_load(), -EINVAL);
}

static void an_unreadable_file_is_an_error(void **state) {
    (void) state;
    setenv("LUMBUNG_CONFIG", "/nonexistent/lumbung.conf", 1);
    assert_int_equal(config_load(), -ENOENT);
}

static void int_reads_values_and_falls_back_when_unset(void **state) {
    (void) state;
    assert_int_equal(config_int("LUMBUNG_UT_NUM", 17, 0, 100), 17);
    setenv("LUMBUNG_UT_NUM", "42", 1);
    assert_int_equal(config_int("LUMBUNG_UT_NUM", 17, 0, 100), 42);
    setenv("LUMBUNG_UT_NUM", "-5", 1);
    assert_int_equal(config_int("LUMBUNG_UT_NUM", 17, -10, 100), -5);
    setenv("LUMBUNG_UT_NUM", "100", 1);
    assert_int_equal(config_int("LUMBUNG_UT_NUM", 17, 0, 100), 100);   /* bounds inclusive */
}

/* Runs config_int in a child and returns its exit status (or -1 if it returned normally). */
static int int_exit_status(const char *value, int64_t min, int64_t max) {
    setenv("LUMBUNG_UT_BAD", value, 1);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        config_int("LUMBUNG_UT_BAD", 0, min, max);
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static void int_exits_on_a_misread_setting(void **state) {
    (void) state;
    assert_int_equal(int_exit_status("12", 0, 100), 0);     /* the child's own check */
    assert_int_equal(int_exit_status("101", 0, 100), 2);
    assert_int_equal(int_exit_status("-1", 0, 100), 2);
    assert_int_equal(int_exit_status("12abc", 0, 100), 2);
    assert_int_equal(int_exit_status("abc", 0, 100), 2);
    assert_int_equal(int_exit_status("99999999999999999999", 0, INT64_MAX), 2);
}

static void derived_settings_have_their_defaults(void **state) {
    (void) state;
    assert_string_equal(config_data_dir(), "./var");
    assert_int_equal(config_port_base(), 7100);
    assert_string_equal(config_host(), "127.0.0.1");
    setenv("LUMBUNG_DATA", "/srv/lumbung", 1);
    setenv("LUMBUNG_PORT_BASE", "8000", 1);
    setenv("LUMBUNG_HOST", "10.1.2.3", 1);
    assert_string_equal(config_data_dir(), "/srv/lumbung");
    assert_int_equal(config_port_base(), 8000);
    assert_string_equal(config_host(), "10.1.2.3");
}

static void endpoints_follow_the_port_plan(void **state) {
    (void) state;
    char buf[128];
    assert_string_equal(config_endpoint("members", "router", buf, sizeof buf), "tcp://127.0.0.1:7100");
    assert_string_equal(config_endpoint("members", "pub", buf, sizeof buf), "tcp://127.0.0.1:7101");
    assert_string_equal(config_endpoint("transactions", "router", buf, sizeof buf), "tcp://127.0.0.1:7110");
    assert_string_equal(config_endpoint("transactions", "pub", buf, sizeof buf), "tcp://127.0.0.1:7111");
    assert_string_equal(config_endpoint("reporting", "router", buf, sizeof buf), "tcp://127.0.0.1:7120");
    assert_string_equal(config_endpoint("reporting", "pub", buf, sizeof buf), "tcp://127.0.0.1:7121");
    assert_string_equal(config_endpoint("testing", "router", buf, sizeof buf), "tcp://127.0.0.1:7190");
    setenv("LUMBUNG_TEST_INSTANCE", "2", 1);
    assert_string_equal(config_endpoint("testing-b", "pub", buf, sizeof buf), "tcp://127.0.0.1:7195");
    setenv("LUMBUNG_PORT_BASE", "9000", 1);
    setenv("LUMBUNG_HOST", "192.168.1.10", 1);
    assert_string_equal(config_endpoint("members", "pub", buf, sizeof buf), "tcp://192.168.1.10:9001");
}

static void an_explicit_endpoint_overrides_the_plan(void **state) {
    (void) state;
    char buf[128];
    setenv("LUMBUNG_MEMBERS_ROUTER", "tcp://members.koperasi.lan:7200", 1);
    assert_string_equal(config_endpoint("members", "router", buf, sizeof buf),
                        "tcp://members.koperasi.lan:7200");
    /* Only the named socket is overridden. */
    assert_string_equal(config_endpoint("members", "pub", buf, sizeof buf), "tcp://127.0.0.1:7101");
    /* The file may override too. */
    config_file("LUMBUNG_GATEWAY_PUB=ipc:///run/lumbung/gw-pub\n");
    assert_int_equal(config_load(), 0);
    assert_string_equal(config_endpoint("gateway", "pub", buf, sizeof buf), "ipc:///run/lumbung/gw-pub");
}

static void endpoint_never_writes_past_the_buffer(void **state) {
    (void) state;
    char buf[16];
    memset(buf, 'Z', sizeof buf);
    config_endpoint("members", "router", buf, 12);
    assert_int_equal(strlen(buf), 11);
    assert_int_equal(buf[12], 'Z');
}

int main(void) {
    unit_quiet_logs("test_config");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(load_without_a_config_file_succeeds, setup, teardown),
        cmocka_unit_test_setup_teardown(environment_beats_the_file, setup, teardown),
        cmocka_unit_test_setup_teardown(an_empty_environment_value_counts_as_unset, setup, teardown),
        cmocka_unit_test_setup_teardown(comments_blank_lines_and_spaces_are_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(a_line_without_equals_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(an_unreadable_file_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(int_reads_values_and_falls_back_when_unset, setup, teardown),
        cmocka_unit_test_setup_teardown(int_exits_on_a_misread_setting, setup, teardown),
        cmocka_unit_test_setup_teardown(derived_settings_have_their_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(endpoints_follow_the_port_plan, setup, teardown),
        cmocka_unit_test_setup_teardown(an_explicit_endpoint_overrides_the_plan, setup, teardown),
        cmocka_unit_test_setup_teardown(endpoint_never_writes_past_the_buffer, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
