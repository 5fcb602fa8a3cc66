/* std::process against real children: run's capture and statuses, spawn's pipes, waits that
 * park on the pool's loop (a coroutine waiting for a child leaves its pool free), kill's
 * escalation past a child that ignores TERM, and the reaping dissolve. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "scheduler.h"
#include "std.h"
#include "std_process.h"
#include "str.h"

static hale_str S(const char *s) {
    return (hale_str){s, (int64_t)strlen(s)};
}

static void test_run(void **state) {
    (void)state;
    hale_region *r = hale_region_new(NULL, "p");
    hale_process_output o;
    hale_io_error e;
    assert_true(hale_process_run(r, S("printf\n%s-%s\na b\nc"), &o, &e));
    assert_true(hale_str_eq(o.out, S("a b-c")));
    assert_int_equal(o.code, 0);
    assert_true(hale_process_run(r, S("sh\n-c\necho oops >&2; exit 3\n"), &o, &e));
    assert_int_equal(o.code, 3);
    assert_true(hale_str_eq(o.err, S("oops\n")));
    assert_int_equal(o.out.len, 0);
    assert_true(hale_process_run(r, S("sh\n-c\nkill -9 $$"), &o, &e));
    assert_int_equal(o.code, -1);
    assert_int_equal(o.signal, 9);
    /* a big output through both pipes at once (no deadlock on a full pipe) */
    assert_true(hale_process_run(
        r, S("sh\n-c\nhead -c 300000 /dev/zero; head -c 200000 /dev/zero >&2"), &o, &e));
    assert_int_equal(o.out.len, 300000);
    assert_int_equal(o.err.len, 200000);
    /* failures */
    assert_false(hale_process_run(r, S("/no/such/hale-program"), &o, &e));
    assert_string_equal(e.kind, "not_found");
    assert_string_equal(e.path, "std::process::run");
    assert_false(hale_process_run(r, S("echo hi"), &o, &e));
    assert_non_null(strstr(e.path, "holds a space"));
    assert_false(hale_process_run(r, S(""), &o, &e));
    assert_string_equal(e.kind, "invalid");
    assert_false(hale_process_run(r, S("\n"), &o, &e));
    assert_false(hale_process_run(r, (hale_str){"ec\0ho", 5}, &o, &e));
    hale_region_free(r);
}

static void test_child(void **state) {
    (void)state;
    hale_region *r = hale_region_new(NULL, "p");
    hale_io_error e;
    hale_child c;
    hale_child_init(&c);
    assert_true(hale_child_spawn(&c, S("cat"), &e));
    int64_t n, code;
    assert_true(hale_child_write_stdin(&c, S("ping\n"), &n, &e));
    assert_int_equal(n, 5);
    assert_true(hale_child_try_wait(&c, &code, &e));
    assert_int_equal(code, -2); /* still running */
    hale_str got = S("");
    for (int i = 0; i < 2000 && got.len == 0; i++) {
        assert_true(hale_child_read_stdout(r, &c, &got, &e));
        if (!got.len) {
            hale_sleep(1000000);
        }
    }
    assert_true(hale_str_eq(got, S("ping\n")));
    assert_true(hale_child_close_stdin(&c, NULL, &e));
    assert_true(hale_child_wait(&c, &code, &e));
    assert_int_equal(code, 0);
    assert_false(hale_child_signal(&c, 15, NULL, &e)); /* reaped */
    assert_string_equal(e.kind, "not_found");
    assert_false(hale_child_write_stdin(&c, S("x"), &n, &e));
    hale_child_dissolve(&c);

    /* a program that cannot start: a child that exited 127 */
    assert_true(hale_child_spawn(&c, S("/no/such/hale-child"), &e));
    assert_true(hale_child_wait(&c, &code, &e));
    assert_int_equal(code, 127);
    hale_child_dissolve(&c);

    /* kill escalates past a child that ignores TERM, and reaps it */
    assert_true(hale_child_spawn(&c, S("sh\n-c\ntrap '' TERM; echo ready; sleep 30"), &e));
    got = S("");
    for (int i = 0; i < 5000 && got.len == 0; i++) {
        assert_true(hale_child_read_stdout(r, &c, &got, &e));
        if (!got.len) {
            hale_sleep(1000000);
        }
    }
    pid_t pid = c.pid;
    int64_t t0 = hale_time_monotonic();
    assert_true(hale_child_kill(&c, NULL, &e));
    assert_true(hale_time_monotonic() - t0 >= HALE_PROCESS_KILL_GRACE / 2);
    assert_true(c.exited);
    assert_int_equal(c.signal, 9);
    assert_int_equal(waitpid(pid, NULL, WNOHANG), -1); /* already reaped */
    hale_child_dissolve(&c);

    /* dissolve of a running child kills and reaps it */
    assert_true(hale_child_spawn(&c, S("sleep\n30"), &e));
    pid = c.pid;
    hale_child_dissolve(&c);
    assert_int_equal(waitpid(pid, NULL, WNOHANG), -1);
    /* a child writing into a closed stdout: signal to it, reading it after it exits */
    assert_true(hale_child_spawn(&c, S("sh\n-c\necho out; echo err >&2"), &e));
    assert_true(hale_child_wait(&c, &code, &e));
    assert_true(hale_child_read_stdout(r, &c, &got, &e));
    assert_true(hale_str_eq(got, S("out\n")));
    assert_true(hale_child_read_stderr(r, &c, &got, &e));
    assert_true(hale_str_eq(got, S("err\n")));
    assert_true(hale_child_read_stdout(r, &c, &got, &e)); /* at its end: "" */
    assert_int_equal(got.len, 0);
    hale_child_dissolve(&c);
    /* writing to a child that has gone is an error, not SIGPIPE */
    assert_true(hale_child_spawn(&c, S("true"), &e));
    assert_true(hale_child_wait(&c, &code, &e));
    char big[1 << 16];
    memset(big, 'x', sizeof big);
    assert_false(hale_child_write_stdin(&c, (hale_str){big, (int64_t)sizeof big}, &n, &e));
    assert_string_equal(e.kind, "broken_pipe");
    hale_child_dissolve(&c);
    hale_region_free(r);
}

/* A coroutine waiting for a child parks: another coroutine on the same pool keeps running. */
static int ticks;
static int64_t waited_code = -99;

static void ticker(void *arg) {
    (void)arg;
    for (int i = 0; i < 5; i++) {
        hale_sleep(20000000);
        ticks++;
    }
}

static void runner(void *arg) {
    (void)arg;
    hale_region *r = hale_region_new(NULL, "co");
    hale_process_output o;
    hale_io_error e;
    if (hale_process_run(r, S("sh\n-c\nsleep 0.3; exit 4"), &o, &e)) {
        waited_code = o.code;
    }
    hale_region_free(r);
}

static void test_waits_park(void **state) {
    (void)state;
    hale_sched_init(NULL);
    hale_spawn(hale_pool_main(), runner, NULL, NULL);
    hale_spawn(hale_pool_main(), ticker, NULL, NULL);
    hale_sched_run();
    hale_sched_shutdown();
    assert_int_equal(waited_code, 4);
    assert_int_equal(ticks, 5);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run),
        cmocka_unit_test(test_child),
        cmocka_unit_test(test_waits_park),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
