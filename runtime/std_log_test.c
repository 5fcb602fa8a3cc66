/* std::log: a FileSink rotating past its size (keep_files honoured), an event after the sink
 * dissolved going nowhere, the lines a FileSink writes (time, level, path, message; levels in
 * order), a Logger's path with and without a parent, a FileSink that cannot write counting its
 * failures instead of failing the program, and a StdoutSink sending info to stdout and warn to
 * stderr (both pipes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "io.h"
#include "std_log.h"
#include "str.h"

static hale_str S(const char *s) {
    return (hale_str){s, (int64_t)strlen(s)};
}

/* A fresh directory under /tmp and the path of a log file in it. */
typedef struct {
    char dir[32];
    char path[64];
} log_dir;

static void log_dir_make(log_dir *d, const char *file) {
    snprintf(d->dir, sizeof d->dir, "/tmp/hale-log-test-XXXXXX");
    assert_non_null(mkdtemp(d->dir));
    snprintf(d->path, sizeof d->path, "%s/%s", d->dir, file);
}

static void log_dir_remove(log_dir *d) {
    char cmd[64];
    snprintf(cmd, sizeof cmd, "rm -rf %s", d->dir);
    assert_int_equal(system(cmd), 0);
}

static void test_log_sinks(void **state) {
    (void)state;
    log_dir d;
    log_dir_make(&d, "x.log");
    const char *path = d.path;
    hale_log_sink f;
    hale_log_file_init(&f, S(path), 60, 1);
    hale_region *r = hale_region_new(NULL, "l");
    hale_logger l;
    hale_logger_init(&l, r, S("db"), S("app"));
    assert_true(hale_str_eq(l.path, S("app.db")));
    for (int i = 0; i < 4; i++) {
        hale_logger_info(&l, S("a message of some length"));
    }
    hale_log_sink_dissolve(&f);
    hale_logger_info(&l, S("to nobody"));
    assert_int_equal(hale_log_sink_failures(&f), 0);
    char rotated[80];
    snprintf(rotated, sizeof rotated, "%s.1", path);
    assert_int_equal(access(rotated, F_OK), 0);
    snprintf(rotated, sizeof rotated, "%s.2", path); /* keep_files 1: no second */
    assert_int_equal(access(rotated, F_OK), -1);
    log_dir_remove(&d);
    hale_region_free(r);
}

static void test_file_lines(void **state) {
    (void)state;
    log_dir d;
    log_dir_make(&d, "y.log");
    const char *path = d.path;
    hale_log_sink f;
    hale_log_file_init(&f, S(path), 0, 3);
    hale_region *r = hale_region_new(NULL, "l");
    hale_logger l, top;
    hale_logger_init(&l, r, S("http"), S("svc"));
    hale_logger_init(&top, r, S("svc"), S(""));
    assert_true(hale_str_eq(top.path, S("svc")));
    hale_logger_trace(&l, S("t"));
    hale_logger_debug(&l, S("d"));
    hale_logger_info(&top, S("i"));
    hale_logger_warn(&l, S("w"));
    hale_logger_error(&l, S("e"));
    hale_log_sink_dissolve(&f);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    char line[256];
    const char *want[][2] = {{"TRACE svc.http", "t"},
                             {"DEBUG svc.http", "d"},
                             {"INFO  svc", "i"},
                             {"WARN  svc.http", "w"},
                             {"ERROR svc.http", "e"}};
    int n = 0;
    while (fgets(line, sizeof line, fp)) {
        assert_true(n < 5);
        assert_non_null(strstr(line, want[n][0]));
        size_t len = strlen(line);
        assert_true(len >= 2 && line[len - 1] == '\n' && line[len - 2] == want[n][1][0]);
        assert_true(line[0] >= '1' && line[0] <= '9'); /* an ISO time first */
        n++;
    }
    fclose(fp);
    assert_int_equal(n, 5);
    assert_int_equal(hale_log_sink_failures(&f), 0);
    /* a sink that cannot write counts, and the program goes on */
    hale_log_sink bad;
    hale_log_file_init(&bad, S("/no/such/hale/dir/x.log"), 0, 1);
    hale_logger_info(&l, S("lost"));
    hale_logger_info(&l, S("lost again"));
    assert_int_equal(hale_log_sink_failures(&bad), 2);
    hale_log_sink_dissolve(&bad);
    log_dir_remove(&d);
    hale_region_free(r);
}

/* Everything readable on fd now (the writer end already closed). */
static void drain(int fd, char *buf, size_t cap) {
    size_t n = 0;
    ssize_t k;
    while (n < cap - 1 && (k = read(fd, buf + n, cap - 1 - n)) > 0) {
        n += (size_t)k;
    }
    buf[n] = 0;
}

static void test_stdout_sink(void **state) {
    (void)state;
    int o[2], e[2];
    assert_int_equal(pipe(o), 0);
    assert_int_equal(pipe(e), 0);
    hale_out_flush();
    int so = dup(1), se = dup(2);
    dup2(o[1], 1);
    dup2(e[1], 2);
    close(o[1]);
    close(e[1]);
    hale_log_sink s;
    hale_log_stdout_init(&s);
    hale_region *r = hale_region_new(NULL, "l");
    hale_logger l;
    hale_logger_init(&l, r, S("db"), S("app"));
    hale_logger_info(&l, S("to stdout"));
    hale_logger_warn(&l, S("to stderr"));
    hale_log_sink_dissolve(&s);
    hale_out_flush();
    dup2(so, 1);
    dup2(se, 2);
    close(so);
    close(se);
    char out[256], err[256];
    drain(o[0], out, sizeof out);
    drain(e[0], err, sizeof err);
    close(o[0]);
    close(e[0]);
    assert_string_equal(out, "[INFO app.db] to stdout\n");
    assert_string_equal(err, "[WARN app.db] to stderr\n");
    hale_region_free(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log_sinks),
        cmocka_unit_test(test_file_lines),
        cmocka_unit_test(test_stdout_sink),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
