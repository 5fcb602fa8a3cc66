#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "notify.h"

typedef struct {
    char dir[64];
    char path[128];
    int fd;
} listener;

/* A real datagram socket standing in for the supervisor. */
static void listen_at(listener *l) {
    strcpy(l->dir, "/tmp/notify_test_XXXXXX");
    assert_non_null(mkdtemp(l->dir));
    snprintf(l->path, sizeof l->path, "%s/notify", l->dir);
    l->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    assert_true(l->fd >= 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    strcpy(sa.sun_path, l->path);
    assert_int_equal(bind(l->fd, (struct sockaddr *)&sa, sizeof sa), 0);
    setenv("NOTIFY_SOCKET", l->path, 1);
}

static void listen_close(listener *l) {
    close(l->fd);
    unlink(l->path);
    rmdir(l->dir);
    unsetenv("NOTIFY_SOCKET");
}

static void expect(listener *l, const char *want) {
    char buf[1024];
    ssize_t n = recv(l->fd, buf, sizeof buf - 1, MSG_DONTWAIT);
    assert_true(n >= 0);
    buf[n] = '\0';
    assert_string_equal(buf, want);
}

static void test_unset_is_a_noop(void **state) {
    (void)state;
    unsetenv("NOTIFY_SOCKET");
    assert_int_equal(hale_notify_ready(), 0);
    assert_int_equal(hale_notify_stopping(), 0);
    assert_int_equal(hale_notify_watchdog(), 0);
    setenv("NOTIFY_SOCKET", "", 1);
    assert_int_equal(hale_notify_ready(), 0);
    unsetenv("NOTIFY_SOCKET");
}

static void test_messages_arrive(void **state) {
    (void)state;
    listener l;
    listen_at(&l);
    assert_int_equal(hale_notify_ready(), 1);
    assert_int_equal(hale_notify_watchdog(), 1);
    assert_int_equal(hale_notify_status("two\nlines"), 1);
    assert_int_equal(hale_notify_stopping(), 1);
    expect(&l, "READY=1");
    expect(&l, "WATCHDOG=1");
    expect(&l, "STATUS=two lines");
    expect(&l, "STOPPING=1");
    listen_close(&l);
}

static void test_abstract_and_bad_addresses(void **state) {
    (void)state;
    char name[64];
    snprintf(name, sizeof name, "@hale-notify-test-%d", (int)getpid());
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    size_t len = strlen(name);
    memcpy(sa.sun_path, name, len);
    sa.sun_path[0] = '\0';
    assert_int_equal(
        bind(fd, (struct sockaddr *)&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)),
        0);
    setenv("NOTIFY_SOCKET", name, 1);
    assert_int_equal(hale_notify_ready(), 1);
    char buf[64];
    ssize_t n = recv(fd, buf, sizeof buf - 1, MSG_DONTWAIT);
    assert_int_equal(n, 7);
    close(fd);
    /* Nobody listening, a relative path, an over-long path: -1, never a crash. */
    setenv("NOTIFY_SOCKET", "/nonexistent/notify", 1);
    assert_int_equal(hale_notify_ready(), -1);
    setenv("NOTIFY_SOCKET", "relative/notify", 1);
    assert_int_equal(hale_notify_ready(), -1);
    char longpath[300];
    memset(longpath, 'x', sizeof longpath);
    longpath[0] = '/';
    longpath[sizeof longpath - 1] = '\0';
    setenv("NOTIFY_SOCKET", longpath, 1);
    assert_int_equal(hale_notify_ready(), -1);
    unsetenv("NOTIFY_SOCKET");
}

static void test_watchdog_interval(void **state) {
    (void)state;
    char pid[32];
    snprintf(pid, sizeof pid, "%d", (int)getpid());
    unsetenv("WATCHDOG_PID");
    unsetenv("WATCHDOG_USEC");
    assert_int_equal(hale_notify_watchdog_interval_ns(), 0);
    setenv("WATCHDOG_USEC", "2000000", 1);
    assert_true(hale_notify_watchdog_interval_ns() == 1000000000LL);
    setenv("WATCHDOG_PID", pid, 1);
    assert_true(hale_notify_watchdog_interval_ns() == 1000000000LL);
    setenv("WATCHDOG_PID", "1", 1); /* someone else's watchdog */
    assert_int_equal(hale_notify_watchdog_interval_ns(), 0);
    unsetenv("WATCHDOG_PID");
    setenv("WATCHDOG_USEC", "12x", 1);
    assert_int_equal(hale_notify_watchdog_interval_ns(), 0);
    setenv("WATCHDOG_USEC", "99999999999999999999999", 1);
    assert_int_equal(hale_notify_watchdog_interval_ns(), 0);
    setenv("WATCHDOG_USEC", "0", 1);
    assert_int_equal(hale_notify_watchdog_interval_ns(), 0);
    unsetenv("WATCHDOG_USEC");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unset_is_a_noop),
        cmocka_unit_test(test_messages_arrive),
        cmocka_unit_test(test_abstract_and_bad_addresses),
        cmocka_unit_test(test_watchdog_interval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
