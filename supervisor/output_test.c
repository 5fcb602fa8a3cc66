#include <fcntl.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "output.h"

static char got[3 * SV_LINE_MAX];

static const char *collect(int fd) {
    ssize_t n = read(fd, got, sizeof got - 1);
    got[n > 0 ? n : 0] = '\0';
    return got;
}

static void test_lines(void **state) {
    (void)state;
    int p[2];
    assert_int_equal(pipe2(p, O_NONBLOCK), 0);
    sv_linebuf b = {.len = 0};
    sv_lines_feed(&b, "api-0", "one\ntw", 6, p[1]);
    assert_string_equal(collect(p[0]), "api-0 | one\n");
    sv_lines_feed(&b, "api-0", "o\r\nthree\n\n", 10, p[1]);
    assert_string_equal(collect(p[0]), "api-0 | two\napi-0 | three\napi-0 | \n");
    sv_lines_feed(&b, "api-0", "tail", 4, p[1]);
    sv_lines_flush(&b, "api-0", p[1]);
    assert_string_equal(collect(p[0]), "api-0 | tail\n");
    sv_lines_flush(&b, "api-0", p[1]); /* nothing pending: nothing written */
    assert_string_equal(collect(p[0]), "");
    close(p[0]);
    close(p[1]);
}

static void test_long_line_is_cut(void **state) {
    (void)state;
    int p[2];
    assert_int_equal(pipe2(p, O_NONBLOCK), 0);
    static char big[SV_LINE_MAX + 10];
    memset(big, 'x', sizeof big);
    big[sizeof big - 1] = '\n';
    sv_linebuf b = {.len = 0};
    sv_lines_feed(&b, "w-1", big, sizeof big, p[1]);
    const char *out = collect(p[0]);
    assert_int_equal(strlen(out), 2 * strlen("w-1 | \n") + sizeof big - 1);
    assert_int_equal(strncmp(out, "w-1 | xxx", 9), 0);
    const char *second = strstr(out + 1, "w-1 | ");
    assert_non_null(second);
    assert_int_equal(second - out, (long)(strlen("w-1 | \n") + SV_LINE_MAX));
    close(p[0]);
    close(p[1]);
    /* A closed destination drops lines instead of stalling. */
    assert_int_equal(pipe(p), 0);
    close(p[0]);
    signal(SIGPIPE, SIG_IGN);
    sv_lines_feed(&b, "w-1", "lost\n", 5, p[1]);
    close(p[1]);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_long_line_is_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
