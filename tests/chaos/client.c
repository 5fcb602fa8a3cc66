/* The misbehaving clients of the chaos test (t_chat.sh), each a mode of one program:
 *
 *   chaos_client empty ipc:PATH|tcp:PORT COUNT
 *       COUNT peers that connect and go away at once (on tcp every other one with a reset):
 *       a port scan. Prints "empty N".
 *   chaos_client idle PORT COUNT GUARD_S
 *       COUNT connections that never say anything, held until the server closes each one.
 *       Prints "idle opened=N busy=B closed=C open=O" (busy: told `ERR server busy`; closed:
 *       closed by the server without a word; open: still open when GUARD_S ran out).
 *   chaos_client slow PORT ROOM LINES GUARD_S
 *       One client joins ROOM and never reads; another joins ROOM and says LINES lines of 1 KB,
 *       a line a millisecond, reading what comes back. Prints "slow dropped=0|1 flood_sent=N
 * flood_heard=M" (dropped: the server shut the reader that never read). chaos_client rooms PORT
 * COUNT COUNT connections, each in a room of its own, saying one line and waiting for it. Prints
 * "rooms made=N". chaos_client bad PORT A SAY that is not UTF-8 and a JOIN with a 65-byte name:
 * each must get an ERR line. Prints "bad ok" or says which did not.
 *
 * Every wait is bounded (a hang guard), and every count is printed for the script to check. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int tcp_connect(int port, int rcvbuf) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return -1;
    }
    if (rcvbuf > 0) {
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    }
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Reads one line (up to cap-1 bytes) within `guard_s`; returns its length or -1. */
static int read_line(int fd, char *buf, size_t cap, double guard_s) {
    size_t n = 0;
    double end = now_s() + guard_s;
    while (n + 1 < cap) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int ms = (int)((end - now_s()) * 1000);
        if (ms <= 0 || poll(&p, 1, ms) != 1) {
            return -1;
        }
        ssize_t r = read(fd, buf + n, 1);
        if (r <= 0) {
            return -1;
        }
        if (buf[n] == '\n') {
            buf[n] = 0;
            return (int)n;
        }
        n++;
    }
    buf[n] = 0;
    return (int)n;
}

static int say(int fd, const char *text) {
    size_t len = strlen(text);
    return write(fd, text, len) == (ssize_t)len ? 0 : -1;
}

static int mode_empty(const char *addr, int count) {
    int done = 0;
    for (int i = 0; i < count; i++) {
        int fd;
        if (strncmp(addr, "ipc:", 4) == 0) {
            struct sockaddr_un a = {.sun_family = AF_UNIX};
            snprintf(a.sun_path, sizeof a.sun_path, "%s", addr + 4);
            fd = socket(AF_UNIX, SOCK_STREAM, 0);
            if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
                close(fd);
                fd = -1;
            }
        } else {
            fd = tcp_connect(atoi(addr + 4), 0);
            if (fd >= 0 && i % 2) {
                struct linger l = {.l_onoff = 1, .l_linger = 0};
                setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
            }
        }
        if (fd >= 0) {
            close(fd);
            done++;
        }
    }
    printf("empty %d\n", done);
    return done == count ? 0 : 1;
}

static int mode_idle(int port, int count, double guard_s) {
    int *fds = calloc((size_t)count, sizeof *fds);
    int opened = 0, busy = 0, closed = 0;
    for (int i = 0; i < count; i++) {
        fds[i] = tcp_connect(port, 0);
        opened += fds[i] >= 0;
    }
    double end = now_s() + guard_s;
    int open = opened;
    while (open > 0 && now_s() < end) {
        for (int i = 0; i < count; i++) {
            if (fds[i] < 0) {
                continue;
            }
            struct pollfd p = {.fd = fds[i], .events = POLLIN};
            if (poll(&p, 1, 0) != 1) {
                continue;
            }
            char buf[64];
            ssize_t r = read(fds[i], buf, sizeof buf - 1);
            if (r > 0) {
                buf[r] = 0;
                if (strstr(buf, "ERR server busy")) {
                    busy++;
                    close(fds[i]);
                    fds[i] = -1;
                    open--;
                }
                continue;
            }
            closed++;
            close(fds[i]);
            fds[i] = -1;
            open--;
        }
        usleep(20000);
    }
    for (int i = 0; i < count; i++) {
        if (fds[i] >= 0) {
            close(fds[i]);
        }
    }
    free(fds);
    printf("idle opened=%d busy=%d closed=%d open=%d\n", opened, busy, closed, open);
    return 0;
}

static int join(int fd, const char *room, const char *user) {
    char line[256];
    snprintf(line, sizeof line, "JOIN %s %s\n", room, user);
    if (say(fd, line) != 0 || read_line(fd, line, sizeof line, 5) < 0 || strncmp(line, "OK ", 3)) {
        return -1;
    }
    return 0;
}

static int mode_slow(int port, const char *room, int lines, double guard_s) {
    int stuck = tcp_connect(port, 4096);
    int flood = tcp_connect(port, 0);
    if (stuck < 0 || flood < 0 || join(stuck, room, "never-reads") != 0 ||
        join(flood, room, "flooder") != 0) {
        printf("slow: could not join %s\n", room);
        return 1;
    }
    char text[1100];
    memset(text, 'x', sizeof text);
    memcpy(text, "SAY ", 4);
    text[1024] = '\n';
    text[1025] = 0;
    fcntl(flood, F_SETFL, O_NONBLOCK);
    int sent = 0;
    long heard_bytes = 0;
    int heard = 0;
    size_t off = 0;
    double start = now_s(), end = start + guard_s;
    while (now_s() < end && heard < lines) {
        /* a busy but honest talker: at most a line a millisecond */
        bool may_send = sent < lines && (off > 0 || sent < (int)((now_s() - start) * 1000));
        struct pollfd p = {.fd = flood, .events = POLLIN | (may_send ? POLLOUT : 0)};
        if (poll(&p, 1, may_send ? 100 : 1) <= 0) {
            continue;
        }
        if (p.revents & POLLIN) {
            char buf[65536];
            ssize_t r = read(flood, buf, sizeof buf);
            if (r <= 0) {
                printf("slow: the server closed the flooder after %ld bytes\n", heard_bytes);
                break;
            }
            char *err = memmem(buf, (size_t)r, "ERR ", 4);
            if (err) {
                printf("slow: the flooder got %.60s\n", err);
            }
            heard_bytes += r;
            for (ssize_t k = 0; k < r; k++) {
                heard += buf[k] == '\n';
            }
        }
        if ((p.revents & POLLOUT) && may_send) {
            ssize_t w = write(flood, text + off, 1025 - off);
            if (w > 0) {
                off += (size_t)w;
                if (off == 1025) {
                    off = 0;
                    sent++;
                }
            }
        }
    }
    /* the reader that never read: now read what it was sent, and look for the end of the
     * stream the server gives a dropped client */
    int dropped = 0;
    double end2 = now_s() + guard_s;
    while (now_s() < end2) {
        struct pollfd p = {.fd = stuck, .events = POLLIN};
        if (poll(&p, 1, 200) != 1) {
            continue;
        }
        char buf[65536];
        ssize_t r = read(stuck, buf, sizeof buf);
        if (r <= 0) {
            dropped = 1;
            break;
        }
    }
    printf("slow dropped=%d flood_sent=%d flood_heard=%d\n", dropped, sent, heard);
    close(stuck);
    close(flood);
    return 0;
}

static int mode_rooms(int port, int count) {
    int made = 0;
    for (int i = 0; i < count; i++) {
        int fd = tcp_connect(port, 0);
        char room[32], line[256];
        snprintf(room, sizeof room, "chaos-%d-%d", (int)getpid(), i);
        if (fd >= 0 && join(fd, room, "u") == 0 && say(fd, "SAY hello\n") == 0 &&
            read_line(fd, line, sizeof line, 5) > 0 && strncmp(line, "MSG ", 4) == 0) {
            made++;
        }
        if (fd >= 0) {
            say(fd, "QUIT\n");
            close(fd);
        }
    }
    printf("rooms made=%d\n", made);
    return 0;
}

static int mode_bad(int port) {
    char line[256];
    int ok = 1;
    int fd = tcp_connect(port, 0);
    if (fd < 0 || join(fd, "bad-input", "u") != 0 || say(fd, "SAY caf\xc3\n") != 0 ||
        read_line(fd, line, sizeof line, 5) < 0 || strncmp(line, "ERR ", 4) != 0) {
        printf("bad: a SAY that is not UTF-8 got no ERR\n");
        ok = 0;
    }
    if (fd >= 0) {
        close(fd);
    }
    fd = tcp_connect(port, 0);
    char join_line[128];
    snprintf(join_line, sizeof join_line, "JOIN %065d u\n", 0);
    if (fd < 0 || say(fd, join_line) != 0 || read_line(fd, line, sizeof line, 5) < 0 ||
        strncmp(line, "ERR ", 4) != 0) {
        printf("bad: a 65-byte room name got no ERR\n");
        ok = 0;
    }
    if (fd >= 0) {
        close(fd);
    }
    if (ok) {
        printf("bad ok\n");
    }
    return ok ? 0 : 1;
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "empty") == 0 && argc == 4) {
        return mode_empty(argv[2], atoi(argv[3]));
    }
    if (strcmp(mode, "idle") == 0 && argc == 5) {
        return mode_idle(atoi(argv[2]), atoi(argv[3]), atof(argv[4]));
    }
    if (strcmp(mode, "slow") == 0 && argc == 6) {
        return mode_slow(atoi(argv[2]), argv[3], atoi(argv[4]), atof(argv[5]));
    }
    if (strcmp(mode, "rooms") == 0 && argc == 4) {
        return mode_rooms(atoi(argv[2]), atoi(argv[3]));
    }
    if (strcmp(mode, "bad") == 0 && argc == 3) {
        return mode_bad(atoi(argv[2]));
    }
    fprintf(stderr, "usage: chaos_client empty|idle|slow|rooms|bad ... (see client.c)\n");
    return 2;
}
