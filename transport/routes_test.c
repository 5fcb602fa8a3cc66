/* Deploy-time route files: a valid file yields its routes, every mistake is refused with the
 * file and line, and the key comes from HALE_KEY_FILE before the file's key_file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "routes.h"

static char dir[] = "/tmp/hale-routes-XXXXXX";

static int setup(void **state) {
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *write_file(const char *name, const char *text) {
    static char path[300];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

static void test_valid_file(void **state) {
    (void)state;
    const char *path = write_file("ok.toml", "# routes for host b\n"
                                             "[bus]\n"
                                             "max_frame = 65536\n"
                                             "\n"
                                             "[bus.routes.\"chat.posted\"]\n"
                                             "url = \"tcp://10.0.0.5:7100\"\n"
                                             "role = \"listen\"\n"
                                             "insecure = true\n"
                                             "\n"
                                             "[bus.routes.\"chat.broadcast\"]\n"
                                             "url = \"ipc:///run/chat/b.sock\"\n"
                                             "\n"
                                             "[bus.routes.metrics]\n"
                                             "url = \"tcp://127.0.0.1:7200\"\n"
                                             "role = \"connect\"\n");
    tp_routes r;
    char err[512];
    assert_int_equal(tp_routes_load(path, &r, err, sizeof err), 0);
    assert_int_equal(r.n, 3);
    assert_int_equal(r.max_frame, 65536);
    assert_false(r.insecure);
    const tp_route *a = tp_routes_find(&r, "chat.posted");
    assert_non_null(a);
    assert_string_equal(a->url, "tcp://10.0.0.5:7100");
    assert_int_equal(a->role, TP_ROLE_LISTEN);
    assert_true(tp_route_insecure(&r, a));
    assert_int_equal(a->line, 5);
    const tp_route *b = tp_routes_find(&r, "chat.broadcast");
    assert_int_equal(b->role, TP_ROLE_INFER);
    assert_false(tp_route_insecure(&r, b));
    assert_int_equal(tp_routes_find(&r, "metrics")->role, TP_ROLE_DIAL);
    assert_null(tp_routes_find(&r, "nope"));

    /* Options for a binding: the role given wins; else publishers dial, subscribers listen. */
    tp_binding_opts o;
    assert_int_equal(tp_route_binding_opts(&r, b, TP_DIR_PUBLISH, NULL, &o, err, sizeof err), 0);
    assert_int_equal(o.role, TP_ROLE_DIAL);
    assert_string_equal(o.url, "ipc:///run/chat/b.sock");
    assert_string_equal(o.label, "chat.broadcast");
    assert_int_equal(o.max_frame, 65536);
    assert_int_equal(tp_route_binding_opts(&r, b, TP_DIR_SUBSCRIBE, NULL, &o, err, sizeof err), 0);
    assert_int_equal(o.role, TP_ROLE_LISTEN);
    assert_int_equal(tp_route_binding_opts(&r, b, TP_DIR_BOTH, NULL, &o, err, sizeof err), -1);
    assert_non_null(strstr(err, "ok.toml:10: route \"chat.broadcast\""));
    assert_int_equal(tp_route_binding_opts(&r, a, TP_DIR_BOTH, NULL, &o, err, sizeof err), 0);
    assert_int_equal(o.role, TP_ROLE_LISTEN);
    assert_true(o.insecure);
    tp_routes_free(&r);
}

static void expect_error(const char *name, const char *text, const char *needle) {
    const char *path = write_file(name, text);
    tp_routes r;
    char err[512];
    assert_int_equal(tp_routes_load(path, &r, err, sizeof err), -1);
    if (!strstr(err, needle)) {
        fail_msg("error \"%s\" does not mention \"%s\"", err, needle);
    }
    assert_non_null(strstr(err, name));
}

static void test_errors_name_file_and_line(void **state) {
    (void)state;
    expect_error("badurl.toml", "[bus.routes.x]\nurl = \"tcp://nohost\"\n", "badurl.toml:2:");
    expect_error("badrole.toml", "[bus.routes.x]\nurl = \"ipc:///x\"\nrole = \"lisen\"\n",
                 "badrole.toml:3:");
    expect_error("typo.toml", "[bus.routes.x]\nurl = \"ipc:///x\"\nrloe = \"listen\"\n", "role");
    expect_error("nourl.toml", "[bus.routes.x]\nrole = \"listen\"\n", "url");
    expect_error("notable.toml", "[bus.routes]\nx = \"ipc:///x\"\n", "notable.toml:2:");
    expect_error("nobus.toml", "[buss]\n", "bus");
    expect_error("syntax.toml", "[bus\n", "syntax.toml:1:");
    expect_error("frame.toml", "[bus]\nmax_frame = 10\n", "frame.toml:2:");
    tp_routes r;
    char err[512];
    assert_int_equal(tp_routes_load("/nonexistent/routes.toml", &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/routes.toml"));
}

static void test_env_and_key(void **state) {
    (void)state;
    char keypath[300], other[300];
    snprintf(keypath, sizeof keypath, "%s/deploy.key", dir);
    snprintf(other, sizeof other, "%s/env.key", dir);
    char err[512];
    assert_int_equal(tp_key_generate(keypath, 0, tp_aead_default(), err, sizeof err), 0);
    assert_int_equal(tp_key_generate(other, 0, tp_aead_default(), err, sizeof err), 0);
    char text[600];
    snprintf(text, sizeof text, "[bus]\nkey_file = \"%s\"\n[bus.routes.t]\nurl = \"ipc:///t\"\n",
             keypath);
    const char *path = write_file("env.toml", text);

    tp_routes r;
    unsetenv("HALE_BUS_CONFIG");
    assert_int_equal(tp_routes_from_env(&r, err, sizeof err), 0);
    assert_int_equal(r.n, 0);
    setenv("HALE_BUS_CONFIG", path, 1);
    assert_int_equal(tp_routes_from_env(&r, err, sizeof err), 0);
    assert_int_equal(r.n, 1);

    uint8_t from_file[TP_KEY_BYTES], from_env[TP_KEY_BYTES], k[TP_KEY_BYTES];
    tp_key_load(keypath, from_file, NULL, err, sizeof err);
    tp_key_load(other, from_env, NULL, err, sizeof err);
    unsetenv("HALE_KEY_FILE");
    assert_int_equal(tp_routes_key(&r, k, NULL, err, sizeof err), 1);
    assert_memory_equal(k, from_file, TP_KEY_BYTES);
    setenv("HALE_KEY_FILE", other, 1);
    assert_int_equal(tp_routes_key(&r, k, NULL, err, sizeof err), 1);
    assert_memory_equal(k, from_env, TP_KEY_BYTES);
    setenv("HALE_KEY_FILE", "/nonexistent.key", 1);
    assert_int_equal(tp_routes_key(&r, k, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent.key"));
    unsetenv("HALE_KEY_FILE");
    tp_routes_free(&r);

    tp_routes none = {0};
    assert_int_equal(tp_routes_key(&none, k, NULL, err, sizeof err), 0);

    setenv("HALE_BUS_CONFIG", "/nonexistent.toml", 1);
    assert_int_equal(tp_routes_from_env(&r, err, sizeof err), -1);
    assert_non_null(strstr(err, "HALE_BUS_CONFIG"));
    unsetenv("HALE_BUS_CONFIG");
}

/* Hale's LOTUS_BUS_CONFIG lines: routes with both roles, unix:// as ipc://, comments and blank
 * lines; malformed lines reported with file and line and skipped; a subject routed twice
 * refused; HALE_BUS_CONFIG preferred when both are set. */
static void test_hale_lines(void **state) {
    (void)state;
    const char *path = write_file("lotus.conf", "# Hale's format\n"
                                                "\n"
                                                "chat.posted = unix:///run/chat/p.sock : listen\n"
                                                "metrics=tcp://127.0.0.1:7100:connect # comment\n"
                                                "no equals sign here\n"
                                                "x = unix:///a.sock\n"
                                                "y = ipc:///b.sock : sideways\n"
                                                " = ipc:///c.sock : listen\n");
    FILE *warn = tmpfile();
    char text[1024];
    FILE *f = fopen(path, "r");
    size_t len = fread(text, 1, sizeof text, f);
    fclose(f);
    tp_routes r;
    char err[512];
    assert_int_equal(tp_routes_parse_lines(path, text, len, warn, &r, err, sizeof err), 0);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.routes[0].subject, "chat.posted");
    assert_string_equal(r.routes[0].url, "ipc:///run/chat/p.sock");
    assert_int_equal(r.routes[0].role, TP_ROLE_LISTEN);
    assert_int_equal(r.routes[0].line, 3);
    assert_string_equal(r.routes[1].subject, "metrics");
    assert_string_equal(r.routes[1].url, "tcp://127.0.0.1:7100");
    assert_int_equal(r.routes[1].role, TP_ROLE_DIAL);
    tp_routes_free(&r);
    rewind(warn);
    char all[2048];
    size_t wn = fread(all, 1, sizeof all - 1, warn);
    all[wn] = '\0';
    fclose(warn);
    for (int line = 5; line <= 8; line++) {
        char where[400];
        snprintf(where, sizeof where, "%s:%d: ", path, line);
        assert_non_null(strstr(all, where));
    }
    assert_non_null(strstr(all, "the line is skipped"));

    const char *twice = "a = ipc:///x : listen\na = ipc:///y : connect\n";
    assert_int_equal(
        tp_routes_parse_lines("twice", twice, strlen(twice), NULL, &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "twice:2: a second route for \"a\""));

    unsetenv("HALE_BUS_CONFIG");
    setenv("LOTUS_BUS_CONFIG", path, 1);
    assert_int_equal(tp_routes_from_env(&r, err, sizeof err), 0);
    assert_int_equal(r.n, 2);
    tp_routes_free(&r);
    const char *toml = write_file("pref.toml", "[bus.routes.t]\nurl = \"ipc:///t\"\n");
    setenv("HALE_BUS_CONFIG", toml, 1);
    assert_int_equal(tp_routes_from_env(&r, err, sizeof err), 0);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.routes[0].subject, "t");
    tp_routes_free(&r);
    unsetenv("HALE_BUS_CONFIG");
    setenv("LOTUS_BUS_CONFIG", "/nonexistent.conf", 1);
    assert_int_equal(tp_routes_from_env(&r, err, sizeof err), -1);
    assert_non_null(strstr(err, "LOTUS_BUS_CONFIG: /nonexistent.conf"));
    unsetenv("LOTUS_BUS_CONFIG");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_file),
        cmocka_unit_test(test_errors_name_file_and_line),
        cmocka_unit_test(test_env_and_key),
        cmocka_unit_test(test_hale_lines),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
