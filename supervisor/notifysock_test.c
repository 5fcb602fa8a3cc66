#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "notifysock.h"

static void parse(const char *text, sv_notify_msg *m) {
    sv_notify_parse(text, strlen(text), m);
}

static void test_parse(void **state) {
    (void)state;
    sv_notify_msg m;
    parse("READY=1\nSTATUS=serving 3 rooms\nWATCHDOG=1", &m);
    assert_true(m.ready && m.watchdog && m.has_status);
    assert_false(m.stopping || m.watchdog_trigger);
    assert_string_equal(m.status, "serving 3 rooms");
    assert_int_equal(m.watchdog_usec, -1);
    parse("STOPPING=1\n\nWATCHDOG=trigger\nWATCHDOG_USEC=250000\nFOO=bar\nREADY=0", &m);
    assert_true(m.stopping && m.watchdog_trigger);
    assert_false(m.ready || m.watchdog);
    assert_int_equal(m.watchdog_usec, 250000);
    parse("WATCHDOG_USEC=12x\nSTATUS=tab\there\x01", &m);
    assert_int_equal(m.watchdog_usec, -1);
    assert_string_equal(m.status, "tab here ");
    char big[600];
    memset(big, 'a', sizeof big);
    memcpy(big, "STATUS=", 7);
    sv_notify_parse(big, sizeof big, &m);
    assert_int_equal(strlen(m.status), sizeof m.status - 1);
    parse("", &m);
    assert_false(m.ready || m.has_status);
}

static int count_fds(void) {
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    while (d && readdir(d)) {
        n++;
    }
    closedir(d);
    return n;
}

static void test_socket_and_passed_fds(void **state) {
    (void)state;
    char dir[] = "/tmp/notifysock_test_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/n", dir);
    int fd = sv_notify_open(path);
    assert_true(fd >= 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    sv_notify_msg m;
    assert_int_equal(sv_notify_recv(fd, &m), 0); /* nothing yet, and no blocking */

    int tx = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    strcpy(sa.sun_path, path);
    int before = count_fds();
    /* A message carrying a file descriptor: the fd must not stay open in the receiver. */
    int passed = dup(1);
    char text[] = "READY=1";
    struct iovec iov = {text, strlen(text)};
    union {
        struct cmsghdr align;
        char space[CMSG_SPACE(sizeof(int))];
    } ctl;
    memset(&ctl, 0, sizeof ctl);
    struct msghdr mh = {.msg_name = &sa,
                        .msg_namelen = sizeof sa,
                        .msg_iov = &iov,
                        .msg_iovlen = 1,
                        .msg_control = &ctl,
                        .msg_controllen = sizeof ctl};
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &passed, sizeof passed);
    assert_true(sendmsg(tx, &mh, 0) > 0);
    close(passed);
    assert_int_equal(sv_notify_recv(fd, &m), 1);
    assert_true(m.ready);
    assert_int_equal(count_fds(), before); /* the fd that came with it was closed */
    /* Re-opening the same path replaces the stale socket. */
    int again = sv_notify_open(path);
    assert_true(again >= 0);
    assert_true(sendto(tx, "STOPPING=1", 10, 0, (struct sockaddr *)&sa, sizeof sa) == 10);
    assert_int_equal(sv_notify_recv(again, &m), 1);
    assert_true(m.stopping);
    close(again);
    close(fd);
    close(tx);
    unlink(path);
    rmdir(dir);
    char longpath[200];
    memset(longpath, 'x', sizeof longpath);
    longpath[0] = '/';
    longpath[sizeof longpath - 1] = '\0';
    assert_int_equal(sv_notify_open(longpath), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_socket_and_passed_fds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
