/* Binding URLs: accepted forms, loopback classification, and clear refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "url.h"

static tp_url ok(const char *s) {
    tp_url u;
    char err[256];
    if (tp_url_parse(s, &u, err, sizeof err) != 0) {
        fail_msg("%s refused: %s", s, err);
    }
    return u;
}

static void bad(const char *s, const char *needle) {
    tp_url u;
    char err[256];
    assert_int_equal(tp_url_parse(s, &u, err, sizeof err), -1);
    assert_non_null(strstr(err, s));
    assert_non_null(strstr(err, needle));
}

static void test_forms(void **state) {
    (void)state;
    tp_url u = ok("ipc:///run/chat/posted.sock");
    assert_int_equal(u.kind, TP_URL_IPC);
    assert_string_equal(u.path, "/run/chat/posted.sock");
    assert_true(u.loopback);
    u = ok("tcp://127.0.0.1:7100");
    assert_int_equal(u.kind, TP_URL_TCP);
    assert_string_equal(u.host, "127.0.0.1");
    assert_int_equal(u.port, 7100);
    assert_true(u.loopback);
    assert_true(ok("tcp://127.8.9.10:1").loopback);
    assert_true(ok("tcp://localhost:1").loopback);
    assert_true(ok("tcp6://[::1]:80").loopback);
    assert_string_equal(ok("tcp6://[::1]:80").host, "::1");
    assert_false(ok("tcp://0.0.0.0:7100").loopback);
    assert_false(ok("tcp://:7100").loopback);
    assert_false(ok("tcp://10.0.0.5:7100").loopback);
    assert_false(ok("tcp://example.org:7100").loopback);
    assert_false(ok("tcp://[::]:7100").loopback);
    assert_int_equal(ok("tcp://127.0.0.1:0").port, 0);
    char buf[64];
    assert_int_equal(tp_url_from_unix_path("/tmp/x.sock", buf, sizeof buf), 0);
    assert_string_equal(buf, "ipc:///tmp/x.sock");
}

static void test_refusals(void **state) {
    (void)state;
    bad("http://x:1", "unsupported scheme");
    bad("ipc://", "no socket path");
    bad("tcp://127.0.0.1", "port");
    bad("tcp://127.0.0.1:", "port");
    bad("tcp://127.0.0.1:99999", "port");
    bad("tcp://127.0.0.1:12ab", "port");
    bad("tcp://[::1:80", "ipv6");
    char longpath[200] = "ipc:///";
    memset(longpath + 7, 'a', 150);
    longpath[157] = '\0';
    bad(longpath, "107 bytes");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
