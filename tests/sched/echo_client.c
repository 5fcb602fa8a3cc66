/* The echo test client. It starts the server command given after `--`, reads "port N" from
 * its stdout, and drives it with plain blocking sockets (it is deliberately not built on the
 * scheduler it tests):
 *
 *   1. --concurrent N (1000): N connections open at once, each echoes its own message; the
 *      server's RSS is read (/proc/PID/status VmRSS) with all of them open, then they close.
 *   2. --churn N (100000): N sequential connect-send-receive-close cycles, every byte checked.
 *      Afterwards the server's RSS must be within --rss-slack-kib (4096) of step 1's and its
 *      open fd count back where it started.
 *   3. --bad: clients that connect and send nothing, reset mid-message (SO_LINGER 0) and send
 *      10 MiB without reading, while ordinary cycles keep succeeding; afterwards the same RSS
 *      and fd checks.
 * Finally SIGTERM: the server must exit 0 (every connection closed and its region freed).
 *
 * --report prints one line "churn_cps=... rss_first_kib=... rss_after_kib=..." for the
 * benchmark; --no-term leaves the exit status of the server unchecked (for servers with no clean
 * shutdown). Exit status 0 = every check passed. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

static pid_t server;
static int port;

static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "echo_client: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    if (server > 0) {
        kill(server, SIGKILL);
    }
    exit(1);
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long server_rss_kib(void) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)server);
    FILE *f = fopen(path, "r");
    if (!f) {
        die("cannot read %s", path);
    }
    long kib = -1;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "VmRSS: %ld", &kib) == 1) {
            break;
        }
    }
    fclose(f);
    return kib;
}

static int server_fds(void) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/fd", (int)server);
    DIR *d = opendir(path);
    if (!d) {
        die("cannot list %s", path);
    }
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        n += e->d_name[0] != '.';
    }
    closedir(d);
    return n;
}

/* The server closes asynchronously: wait (bounded) for its fd count to come back. */
static void expect_fds(int want, const char *when) {
    int n = 0;
    for (int i = 0; i < 500; i++) {
        n = server_fds();
        if (n <= want) {
            return;
        }
        usleep(10000);
    }
    die("%s: server holds %d fds, expected %d (a connection leaked)", when, n, want);
}

static void start_server(char **argv) {
    int out[2];
    if (pipe(out) != 0) {
        die("pipe: %s", strerror(errno));
    }
    server = fork();
    if (server < 0) {
        die("fork: %s", strerror(errno));
    }
    if (server == 0) {
        /* RSS is this test's measure of the memory the server keeps. Transparent huge pages make
         * it a measure of how sparsely the server's address space is touched instead: with
         * `enabled=always` the kernel backs (or khugepaged later collapses) any 2 MiB range
         * holding one touched page with a whole huge page, which a sanitizer's allocator, that
         * spreads allocations over large reserved regions, turns into megabytes that say nothing
         * about what the server retains. Off for the server (inherited across exec). */
        prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
        dup2(out[1], 1);
        close(out[0]);
        close(out[1]);
        execvp(argv[0], argv);
        fprintf(stderr, "echo_client: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(out[1]);
    FILE *f = fdopen(out[0], "r");
    if (!f || fscanf(f, "port %d", &port) != 1) {
        die("the server did not print its port");
    }
    fclose(f);
}

static int connect_server(void) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        die("socket: %s", strerror(errno));
    }
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int tries = 0; connect(fd, (struct sockaddr *)&a, sizeof a) != 0; tries++) {
        if (errno == EINTR || (errno == EADDRNOTAVAIL && tries < 100)) {
            usleep(1000); /* ephemeral ports still in TIME_WAIT */
            continue;
        }
        die("connect: %s", strerror(errno));
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static void send_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            die("send: %s", strerror(errno));
        }
        p += w;
        n -= (size_t)w;
    }
}

static void recv_exact(int fd, char *p, size_t n) {
    while (n > 0) {
        ssize_t r = recv(fd, p, n, 0);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            die("recv: %s", r == 0 ? "unexpected end of stream" : strerror(errno));
        }
        p += r;
        n -= (size_t)r;
    }
}

static size_t fill(char *buf, unsigned long i) {
    size_t n = 1 + (i * 37) % 512;
    for (size_t k = 0; k < n; k++) {
        buf[k] = (char)('a' + (i + k) % 26);
    }
    return n;
}

/* One full cycle: connect, send, receive the echo, half-close, see the server close, close. */
static void cycle(unsigned long i) {
    char out[512], in[512];
    size_t n = fill(out, i);
    int fd = connect_server();
    send_all(fd, out, n);
    recv_exact(fd, in, n);
    if (memcmp(in, out, n) != 0) {
        die("cycle %lu: echo differs", i);
    }
    shutdown(fd, SHUT_WR);
    char c;
    ssize_t r;
    while ((r = recv(fd, &c, 1, 0)) < 0 && errno == EINTR) {
    }
    if (r != 0) {
        die("cycle %lu: expected the server to close", i);
    }
    close(fd);
}

static long phase_concurrent(int n) {
    int *fds = malloc(sizeof(int) * (size_t)n);
    char out[512], in[512];
    for (int i = 0; i < n; i++) {
        fds[i] = connect_server();
        send_all(fds[i], out, fill(out, (unsigned long)i));
    }
    for (int i = 0; i < n; i++) {
        size_t len = fill(out, (unsigned long)i);
        recv_exact(fds[i], in, len);
        if (memcmp(in, out, len) != 0) {
            die("concurrent connection %d: echo differs", i);
        }
    }
    long rss = server_rss_kib();
    for (int i = 0; i < n; i++) {
        close(fds[i]);
    }
    free(fds);
    return rss;
}

static double phase_churn(long n) {
    double t0 = now_s();
    for (long i = 0; i < n; i++) {
        cycle((unsigned long)i);
    }
    return (double)n / (now_s() - t0);
}

/* Sends up to `total` bytes without ever reading; stops when the server stops taking them. */
static size_t flood(int fd, size_t total) {
    static char junk[65536];
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    size_t sent = 0;
    while (sent < total) {
        size_t n = total - sent < sizeof junk ? total - sent : sizeof junk;
        ssize_t w = send(fd, junk, n, MSG_NOSIGNAL);
        if (w > 0) {
            sent += (size_t)w;
            continue;
        }
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd p = {.fd = fd, .events = POLLOUT};
            if (poll(&p, 1, 200) == 0) {
                break; /* the server is parked on its own full send: as expected */
            }
            continue;
        }
        die("flood: %s", strerror(errno));
    }
    return sent;
}

static void phase_bad(void) {
    enum { IDLE = 100, RESETS = 500, FLOODS = 4 };
    int idle[IDLE], fl[FLOODS];
    for (int i = 0; i < IDLE; i++) {
        idle[i] = connect_server(); /* connect and send nothing */
    }
    char half[8192];
    memset(half, 'r', sizeof half);
    for (int i = 0; i < RESETS; i++) {
        int fd = connect_server();
        send_all(fd, half, sizeof half); /* part of a message, then a reset */
        struct linger lg = {1, 0};
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        close(fd);
        if (i % 50 == 0) {
            cycle((unsigned long)i); /* others unaffected */
        }
    }
    size_t flooded = 0;
    for (int i = 0; i < FLOODS; i++) {
        fl[i] = connect_server();
        flooded += flood(fl[i], (size_t)10 << 20);
        for (int k = 0; k < 100; k++) {
            cycle((unsigned long)k); /* others unaffected while the floods are parked */
        }
    }
    fprintf(stderr, "echo_client: bad clients: %d idle, %d resets, %d floods (%zu KiB taken)\n",
            IDLE, RESETS, FLOODS, flooded >> 10);
    for (int i = 0; i < FLOODS; i++) {
        close(fl[i]); /* unread data: the kernel resets the connection */
    }
    for (int i = 0; i < IDLE; i++) {
        close(idle[i]);
    }
}

static void raise_fd_limit(void) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

int main(int argc, char **argv) {
    int concurrent = 1000;
    long churn = 100000, slack = 4096;
    bool bad = false, report = false, term = true;
    int i = 1;
    for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (!strcmp(argv[i], "--concurrent") && i + 1 < argc) {
            concurrent = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--churn") && i + 1 < argc) {
            churn = atol(argv[++i]);
        } else if (!strcmp(argv[i], "--rss-slack-kib") && i + 1 < argc) {
            slack = atol(argv[++i]);
        } else if (!strcmp(argv[i], "--bad")) {
            bad = true;
        } else if (!strcmp(argv[i], "--report")) {
            report = true;
        } else if (!strcmp(argv[i], "--no-term")) {
            term = false;
        } else {
            die("unknown option %s", argv[i]);
        }
    }
    if (i + 1 >= argc) {
        die("usage: echo_client [options] -- SERVER [ARGS...]");
    }
    raise_fd_limit(); /* the server inherits it */
    signal(SIGPIPE, SIG_IGN);
    start_server(argv + i + 1);
    int fds0 = server_fds();
    long rss_first = phase_concurrent(concurrent);
    expect_fds(fds0, "after the concurrent connections closed");
    double cps = phase_churn(churn);
    expect_fds(fds0, "after churn");
    long rss_churn = server_rss_kib();
    fprintf(stderr,
            "echo_client: %d concurrent, %ld churn cycles at %.0f/s; server RSS %ld KiB after "
            "the first %d, %ld KiB after churn\n",
            concurrent, churn, cps, rss_first, concurrent, rss_churn);
    if (rss_churn > rss_first + slack) {
        die("server RSS grew by %ld KiB over churn (allowed %ld)", rss_churn - rss_first, slack);
    }
    if (bad) {
        phase_bad();
        expect_fds(fds0, "after the bad clients");
        for (int k = 0; k < 1000; k++) {
            cycle((unsigned long)k);
        }
        long rss_bad = server_rss_kib();
        fprintf(stderr, "echo_client: server RSS %ld KiB after the bad clients\n", rss_bad);
        if (rss_bad > rss_first + slack) {
            die("server RSS grew by %ld KiB with bad clients (allowed %ld)", rss_bad - rss_first,
                slack);
        }
    }
    if (report) {
        printf("churn_cps=%.0f rss_first_kib=%ld rss_after_kib=%ld\n", cps, rss_first, rss_churn);
    }
    kill(server, SIGTERM);
    int status;
    waitpid(server, &status, 0);
    server = 0;
    if (term && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
        die("the server did not exit cleanly (status 0x%x)", status);
    }
    return 0;
}
