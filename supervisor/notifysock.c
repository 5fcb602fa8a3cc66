/* See notifysock.h. */
#include "notifysock.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int sv_notify_open(const char *path) {
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof sa.sun_path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -1;
    }
    unlink(path);
    mode_t old = umask(0177);
    int rc = bind(fd, (struct sockaddr *)&sa, sizeof sa);
    umask(old);
    if (rc != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

static void close_passed_fds(struct msghdr *mh) {
    for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            int *fds = (int *)CMSG_DATA(c);
            for (size_t i = 0; i < n; i++) {
                int fd;
                memcpy(&fd, fds + i, sizeof fd);
                close(fd);
            }
        }
    }
}

int sv_notify_recv(int fd, sv_notify_msg *m) {
    char buf[4096];
    union {
        struct cmsghdr align;
        char space[CMSG_SPACE(sizeof(int) * 16)];
    } ctl;
    struct iovec iov = {buf, sizeof buf};
    struct msghdr mh = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &ctl, .msg_controllen = sizeof ctl};
    ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    if (n < 0) {
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
    }
    close_passed_fds(&mh);
    sv_notify_parse(buf, (size_t)n, m);
    return 1;
}

static int is(const char *line, size_t n, const char *kv) {
    return strlen(kv) == n && memcmp(line, kv, n) == 0;
}

static void parse_line(const char *line, size_t n, sv_notify_msg *m) {
    if (is(line, n, "READY=1")) {
        m->ready = 1;
    } else if (is(line, n, "STOPPING=1")) {
        m->stopping = 1;
    } else if (is(line, n, "WATCHDOG=1")) {
        m->watchdog = 1;
    } else if (is(line, n, "WATCHDOG=trigger")) {
        m->watchdog_trigger = 1;
    } else if (n > 14 && memcmp(line, "WATCHDOG_USEC=", 14) == 0) {
        int64_t v = 0;
        for (size_t i = 14; i < n; i++) {
            if (line[i] < '0' || line[i] > '9' || v > (INT64_MAX / 1000 - 9) / 10) {
                return;
            }
            v = v * 10 + (line[i] - '0');
        }
        m->watchdog_usec = v;
    } else if (n >= 7 && memcmp(line, "STATUS=", 7) == 0) {
        size_t len = n - 7 < sizeof m->status - 1 ? n - 7 : sizeof m->status - 1;
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)line[7 + i];
            m->status[i] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
        }
        m->status[len] = '\0';
        m->has_status = 1;
    }
}

void sv_notify_parse(const char *buf, size_t n, sv_notify_msg *m) {
    memset(m, 0, sizeof *m);
    m->watchdog_usec = -1;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || buf[i] == '\n') {
            if (i > start) {
                parse_line(buf + start, i - start, m);
            }
            start = i + 1;
        }
    }
}
