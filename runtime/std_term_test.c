/* std::io::stdin, std::io::stdout and std::term with pipes on fd 0 and fd 1: read_byte (a byte,
 * nothing yet when only looking, end of input), read_line (LF and CRLF endings, an empty line,
 * a last line without its newline, end of input with its status), a read_line on a pool that
 * parks while another coroutine of the pool runs and then writes the line, write_bytes (text
 * println buffered goes first; a frame with newlines in one piece; a closed reader is -1 without
 * SIGPIPE), is_tty, size and RawMode off a terminal. */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "io.h"
#include "scheduler.h"
#include "std_term.h"
#include "str.h"

static hale_str S(const char *s) {
    return (hale_str){s, (int64_t)strlen(s)};
}

static void assert_str(hale_str got, const char *want) {
    assert_int_equal(got.len, (int64_t)strlen(want));
    assert_memory_equal(got.ptr, want, (size_t)got.len);
}

static int in_w = -1; /* the writing end of the pipe on fd 0 */

static void put(const char *s) {
    assert_int_equal(write(in_w, s, strlen(s)), (ssize_t)strlen(s));
}

/* ---- stdin ---- */

static int64_t ticks;
static hale_str parked_line;
static hale_region *parked_region;

static void line_reader(void *arg) {
    (void)arg;
    parked_line = hale_stdin_read_line(parked_region);
}

static void line_writer(void *arg) {
    (void)arg;
    for (int i = 0; i < 3; i++) {
        hale_sleep(5000000);
        ticks++; /* runs while the reader is parked on fd 0 */
    }
    put("late line\n");
}

static void test_stdin(void **state) {
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    int saved = dup(0);
    assert_int_equal(dup2(p[0], 0), 0);
    close(p[0]);
    in_w = p[1];
    hale_region *r = hale_region_new(NULL, "stdin");

    assert_int_equal(hale_stdin_read_byte(0), -1); /* nothing there: just looked */
    put("ab\n");
    assert_int_equal(hale_stdin_read_byte(0), 'a');
    assert_int_equal(hale_stdin_read_byte(100), 'b');
    assert_str(hale_stdin_read_line(r), ""); /* the rest of that line: empty */
    assert_int_equal(hale_stdin_read_line_status(), 0);

    /* a read on a pool parks its coroutine; the pool runs the writer meanwhile */
    parked_region = r;
    hale_sched_init(NULL);
    hale_spawn(hale_pool_main(), line_reader, NULL, NULL);
    hale_spawn(hale_pool_main(), line_writer, NULL, NULL);
    hale_sched_run();
    hale_sched_shutdown();
    assert_int_equal(ticks, 3);
    assert_str(parked_line, "late line");

    put("one\r\ntwo\n\nthree");
    close(in_w);
    assert_str(hale_stdin_read_line(r), "one");
    assert_str(hale_stdin_read_line(r), "two");
    assert_str(hale_stdin_read_line(r), "");
    assert_int_equal(hale_stdin_read_line_status(), 0);
    assert_str(hale_stdin_read_line(r), "three"); /* no newline before the end */
    assert_int_equal(hale_stdin_read_line_status(), 0);
    assert_str(hale_stdin_read_line(r), "");
    assert_int_equal(hale_stdin_read_line_status(), -1); /* end of input */
    assert_int_equal(hale_stdin_read_byte(0), -2);
    assert_int_equal(hale_stdin_read_byte(50), -2);

    hale_region_free(r);
    assert_int_equal(dup2(saved, 0), 0);
    close(saved);
}

/* ---- stdout ---- */

static void test_stdout(void **state) {
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    hale_out_flush();
    int saved = dup(1);
    assert_int_equal(dup2(p[1], 1), 1);
    close(p[1]);
    hale_sbuf *o = hale_out(1);
    hale_sbuf_puts(o, "buffered");
    hale_out_done(o, 1);
    assert_int_equal(hale_stdout_write_bytes(S("frame\nwith\nnewlines")), 19);
    assert_int_equal(hale_stdout_write_bytes(S("")), 0);
    char got[64] = {0};
    ssize_t n = 0, k;
    while (n < 28 && (k = read(p[0], got + n, sizeof got - 1 - (size_t)n)) > 0) {
        n += k;
    }
    assert_string_equal(got, "buffered\nframe\nwith\nnewlines");
    /* nobody reading: -1, and the process is not killed by SIGPIPE */
    close(p[0]);
    void (*old)(int) = signal(SIGPIPE, SIG_IGN);
    assert_int_equal(hale_stdout_write_bytes(S("lost")), -1);
    signal(SIGPIPE, old);
    assert_int_equal(dup2(saved, 1), 1);
    close(saved);
}

/* ---- term ---- */

static void test_term(void **state) {
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    assert_false(hale_term_is_tty(p[0]));
    assert_false(hale_term_is_tty(-1));
    assert_false(hale_term_is_tty((int64_t)1 << 40));
    int null = open("/dev/null", O_RDONLY);
    assert_true(null >= 0);
    assert_false(hale_term_is_tty(null));
    /* stdout and stdin off a terminal: size {0, 0}, RawMode does nothing */
    int so = dup(1), si = dup(0);
    assert_int_equal(dup2(p[1], 1), 1);
    assert_int_equal(dup2(null, 0), 0);
    hale_term_size sz = {7, 7};
    hale_term_size_get(&sz);
    assert_int_equal(sz.cols, 0);
    assert_int_equal(sz.rows, 0);
    hale_raw_mode m;
    hale_raw_mode_init(&m);
    assert_false(m.active);
    hale_raw_mode_dissolve(&m);
    assert_int_equal(dup2(so, 1), 1);
    assert_int_equal(dup2(si, 0), 0);
    close(so);
    close(si);
    close(null);
    close(p[0]);
    close(p[1]);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stdin),
        cmocka_unit_test(test_stdout),
        cmocka_unit_test(test_term),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
