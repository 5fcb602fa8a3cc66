/* See notify.h. A direct datagram send rather than libsystemd's sd_notify, so compiled programs
 * link no more than the runtime's own dependencies. The address rules are systemd's: a path, or
 * "@name" for the abstract namespace. */
#include "notify.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int hale_notify_send(const char *message) {
    const char *path = getenv("NOTIFY_SOCKET");
    if (!path || !*path) {
        return 0;
    }
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    size_t len = strlen(path);
    if ((path[0] != '/' && path[0] != '@') || len >= sizeof sa.sun_path) {
        errno = EINVAL;
        return -1;
    }
    memcpy(sa.sun_path, path, len);
    if (path[0] == '@') {
        sa.sun_path[0] = '\0';
    }
    socklen_t salen =
        (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + (path[0] == '/' ? 1 : 0));
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -1;
    }
    ssize_t n = sendto(fd, message, strlen(message), MSG_NOSIGNAL, (struct sockaddr *)&sa, salen);
    int saved = errno;
    close(fd);
    if (n < 0) {
        errno = saved;
        return -1;
    }
    return 1;
}

int hale_notify_ready(void) {
    return hale_notify_send("READY=1");
}

int hale_notify_stopping(void) {
    return hale_notify_send("STOPPING=1");
}

int hale_notify_watchdog(void) {
    return hale_notify_send("WATCHDOG=1");
}

int hale_notify_status(const char *text) {
    char msg[512];
    int n = snprintf(msg, sizeof msg, "STATUS=%s", text);
    for (int i = 7; n > 0 && i < n && i < (int)sizeof msg - 1; i++) {
        if (msg[i] == '\n' || msg[i] == '\r') {
            msg[i] = ' ';
        }
    }
    return hale_notify_send(msg);
}

/* A decimal that is all digits and fits; -1 otherwise. */
static long long parse_decimal(const char *s) {
    if (!s || !*s) {
        return -1;
    }
    long long v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (INT64_MAX / 1000 - 9) / 10) {
            return -1;
        }
        v = v * 10 + (*s - '0');
    }
    return v;
}

int64_t hale_notify_watchdog_interval_ns(void) {
    long long usec = parse_decimal(getenv("WATCHDOG_USEC"));
    if (usec <= 0) {
        return 0;
    }
    const char *pid = getenv("WATCHDOG_PID");
    if (pid && parse_decimal(pid) != (long long)getpid()) {
        return 0;
    }
    return (int64_t)usec * 1000 / 2;
}
