/* /proc/PID/stat: a line whose command name holds spaces and parentheses, this process, and a
 * process that is gone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "procstat.h"

static void test_parse(void **state) {
    (void)state;
    /* fields after the name: state ppid pgrp session tty tpgid flags minflt cminflt majflt
     * cmajflt utime(14) stime(15) cutime cstime priority nice num_threads(20) itreal
     * starttime(22) vsize rss(24) ... */
    const char *line = "4242 (a (b) c) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 150 0 0 20 0 7 0 "
                       "1000 123456789 300 18446744073709551615 0 0\n";
    hale_procstat ps;
    assert_int_equal(hale_procstat_parse(line, &ps), 0);
    long tck = sysconf(_SC_CLK_TCK);
    assert_true(ps.cpu_seconds > 400.0 / (double)tck - 1e-9 &&
                ps.cpu_seconds < 400.0 / (double)tck + 1e-9);
    assert_int_equal(ps.threads, 7);
    assert_int_equal(ps.rss_bytes, 300 * sysconf(_SC_PAGESIZE));
    assert_int_equal(hale_procstat_parse("12 (x) S 1 2 3", &ps), -1); /* cut short */
    assert_int_equal(hale_procstat_parse("no parenthesis", &ps), -1);
    assert_int_equal(hale_procstat_parse("1 (x) S 1 a b c d e f g h i j k l m n o p q r s", &ps),
                     -1);
}

static void test_self_and_gone(void **state) {
    (void)state;
    hale_procstat ps;
    assert_int_equal(hale_procstat_read(0, &ps), 0);
    assert_true(ps.rss_bytes > 0);
    assert_true(ps.threads >= 1);
    double now = (double)time(NULL);
    assert_true(ps.start_time > now - 3600 && ps.start_time <= now + 1);
    hale_procstat byid;
    assert_int_equal(hale_procstat_read(getpid(), &byid), 0);
    assert_true(byid.start_time > ps.start_time - 0.5 && byid.start_time < ps.start_time + 0.5);
    pid_t child = fork();
    if (child == 0) {
        _exit(0);
    }
    waitpid(child, NULL, 0);
    assert_int_equal(hale_procstat_read(child, &ps), -1);
    assert_int_equal(ps.rss_bytes, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_self_and_gone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
