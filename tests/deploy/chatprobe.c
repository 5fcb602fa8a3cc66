/* A chat client for the deploy tests: speaks examples/chat's line protocol to gateways over TCP
 * and checks what comes back, with timeouts short enough to measure how fast a deployment
 * recovers.
 *
 *   chatprobe relay PORT_A PORT_B COUNT ROOM TIMEOUT_MS
 *       alice on 127.0.0.1:PORT_A and bob on PORT_B join ROOM; each says COUNT numbered lines
 *       and must hear every line of the other, in order (no line waited for longer than
 *       TIMEOUT_MS). Exit 0 when both heard everything, 1 otherwise.
 *
 *   Both modes first make sure the room carries lines between the clients at all (sync_room)
 *   and count only what is said after that.
 *
 *   chatprobe stream PUB_PORT SUB_PORT ROOM RATE
 *       "pub" says a numbered line on PUB_PORT RATE times a second, "sub" on SUB_PORT hears
 *       them (and so does pub, a second listener). SIGUSR1 marks a cut of the network, SIGUSR2
 *       its heal. After the heal it goes on until the first line said after the heal has arrived
 *       at sub and one more second (at most 60 s), or until SIGTERM when there was no cut; then
 *       it stops saying, waits for stragglers (1 s without a line), prints a report and a
 *       `result key=value ...` line, and exits 0 unless a line arrived twice, out of order or
 *       malformed, or the stream never recovered.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MS 1000000LL
#define MAX_LINES (1 << 20)

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

typedef struct {
    int fd;
    char in[1 << 16];
    size_t len;
    char out[1 << 16]; /* what is said but not yet written */
    size_t outlen;
} conn;

static void die(const char *what) {
    fprintf(stderr, "chatprobe: %s: %s\n", what, strerror(errno));
    exit(1);
}

/* The next complete line from c->in into line (without "\n"), or 0 when there is none yet. */
static int take_line(conn *c, char *line, size_t n) {
    char *nl = memchr(c->in, '\n', c->len);
    if (!nl) {
        return 0;
    }
    size_t k = (size_t)(nl - c->in);
    snprintf(line, n, "%.*s", (int)(k < n ? k : n - 1), c->in);
    memmove(c->in, nl + 1, c->len - k - 1);
    c->len -= k + 1;
    return 1;
}

/* Reads what is there. Returns -1 when the peer closed or failed. */
static int fill(conn *c) {
    if (c->len == sizeof c->in) {
        c->len = 0; /* a line longer than the buffer: drop it, the checks will see garbage */
    }
    ssize_t r = recv(c->fd, c->in + c->len, sizeof c->in - c->len, MSG_DONTWAIT);
    if (r > 0) {
        c->len += (size_t)r;
        return 0;
    }
    return r < 0 && (errno == EAGAIN || errno == EINTR) ? 0 : -1;
}

/* One line within timeout_ms: 1, or 0 on timeout or a closed connection. */
static int read_line(conn *c, char *line, size_t n, int timeout_ms) {
    int64_t deadline = now_ns() + timeout_ms * MS;
    while (!take_line(c, line, n)) {
        int64_t left = (deadline - now_ns()) / MS;
        struct pollfd p = {c->fd, POLLIN, 0};
        if (left <= 0 || (poll(&p, 1, (int)left) < 0 && errno != EINTR)) {
            return 0;
        }
        if ((p.revents & (POLLIN | POLLHUP | POLLERR)) && fill(c) < 0) {
            return take_line(c, line, n);
        }
    }
    return 1;
}

static int flush_out(conn *c) {
    while (c->outlen > 0) {
        ssize_t w = send(c->fd, c->out, c->outlen, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (w < 0) {
            return errno == EAGAIN || errno == EINTR ? 0 : -1;
        }
        memmove(c->out, c->out + w, c->outlen - (size_t)w);
        c->outlen -= (size_t)w;
    }
    return 0;
}

static int say_text(conn *c, const char *text) {
    size_t n = strlen(text);
    if (n > sizeof c->out - c->outlen) {
        return -1; /* the gateway stopped reading for longer than the buffer lasts */
    }
    memcpy(c->out + c->outlen, text, n);
    c->outlen += n;
    return flush_out(c);
}

static int say(conn *c, const char *fmt, long long v) {
    char buf[128];
    snprintf(buf, sizeof buf, fmt, v);
    return say_text(c, buf);
}

static conn *join(int port, const char *room, const char *user, int timeout_ms) {
    conn *c = calloc(1, sizeof *c);
    if (!c) {
        die("calloc");
    }
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    char line[256], want[256];
    snprintf(want, sizeof want, "OK %s", room);
    if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        fprintf(stderr, "chatprobe: %s cannot connect to port %d: %s\n", user, port,
                strerror(errno));
        return NULL;
    }
    c->outlen = (size_t)snprintf(c->out, sizeof c->out, "JOIN %s %s\n", room, user);
    if (flush_out(c) != 0 || !read_line(c, line, sizeof line, timeout_ms) ||
        strcmp(line, want) != 0) {
        fprintf(stderr, "chatprobe: %s could not join %s on port %d\n", user, room, port);
        return NULL;
    }
    return c;
}

/* A gateway answers JOIN before its member has subscribed to the room, so lines said at once
 * may reach the room before a listener that just joined can hear them. Before counting
 * anything, `from` says "sync" lines until every listener has heard one (what the listeners
 * read meanwhile is dropped). Returns 0, or -1 if that did not happen within timeout_ms. */
static int sync_room(conn *from, const char *user, conn **listeners, int n, const char *room,
                     int timeout_ms) {
    char want[256], line[512];
    snprintf(want, sizeof want, "MSG %s %s sync", room, user);
    int64_t deadline = now_ns() + timeout_ms * MS;
    for (int i = 0; i < n; i++) {
        int heard = 0;
        while (!heard) {
            if (now_ns() > deadline || say_text(from, "SAY sync\n") != 0) {
                return -1;
            }
            while (!heard && read_line(listeners[i], line, sizeof line, 100)) {
                heard = strcmp(line, want) == 0;
            }
        }
    }
    return 0;
}

/* Reads and drops what `c` has queued until it has been quiet for quiet_ms. */
static void drain(conn *c, int quiet_ms) {
    char line[512];
    while (read_line(c, line, sizeof line, quiet_ms)) {
    }
}

/* ---- relay ----------------------------------------------------------------------------- */

/* Reads until `count` lines of `from` arrived in order; returns how many did. */
static int hear(conn *c, const char *room, const char *from, int count, int timeout_ms) {
    char line[512], want[512];
    int next = 0;
    while (next < count) {
        snprintf(want, sizeof want, "MSG %s %s %d", room, from, next);
        if (!read_line(c, line, sizeof line, timeout_ms)) {
            break;
        }
        next += strcmp(line, want) == 0;
    }
    return next;
}

static int relay(int pa, int pb, int count, const char *room, int timeout_ms) {
    conn *a = join(pa, room, "alice", timeout_ms),
         *b = a ? join(pb, room, "bob", timeout_ms) : NULL;
    if (!a || !b) {
        printf("relay: could not join %s on ports %d and %d\n", room, pa, pb);
        return 1;
    }
    if (sync_room(a, "alice", &b, 1, room, timeout_ms) != 0 ||
        sync_room(b, "bob", &a, 1, room, timeout_ms) != 0) {
        printf("relay: port %d -> %d: 0 of %d; nothing said in %s came through within %dms\n", pa,
               pb, count, room, timeout_ms);
        return 1;
    }
    drain(a, 50);
    drain(b, 50);
    for (int i = 0; i < count; i++) {
        if (say(a, "SAY %lld\n", i) != 0 || say(b, "SAY %lld\n", i) != 0) {
            printf("relay: a gateway stopped taking lines\n");
            return 1;
        }
    }
    int b_heard = hear(b, room, "alice", count, timeout_ms);
    int a_heard = hear(a, room, "bob", count, timeout_ms);
    printf("relay: port %d -> %d: %d of %d; port %d -> %d: %d of %d\n", pa, pb, b_heard, count, pb,
           pa, a_heard, count);
    return a_heard == count && b_heard == count ? 0 : 1;
}

/* ---- stream ---------------------------------------------------------------------------- */

static volatile sig_atomic_t got_cut, got_heal, got_term;

static void on_signal(int sig) {
    if (sig == SIGUSR1) {
        got_cut = 1;
    } else if (sig == SIGUSR2) {
        got_heal = 1;
    } else {
        got_term = 1;
    }
}

typedef struct {
    const char *name;
    conn *c;
    uint8_t *seen;
    long long heard, dups, out_of_order, malformed;
    long long last; /* highest sequence number heard, -1 before any */
    int64_t first_after_heal, caught_up;
    int64_t last_line;
} listener;

typedef struct {
    const char *room;
    long long said;
    int64_t *said_at; /* when each line was said */
    int64_t cut, heal;
} stream;

static void heard_line(stream *s, listener *l, const char *line, int64_t now) {
    char prefix[160];
    int n = snprintf(prefix, sizeof prefix, "MSG %s pub ", s->room);
    char *end = (char *)line;
    if (strncmp(line, prefix, (size_t)n) == 0 && strcmp(line + n, "sync") == 0) {
        return; /* a late echo of sync_room's */
    }
    long long v = strncmp(line, prefix, (size_t)n) == 0 ? strtoll(line + n, &end, 10) : -1;
    l->last_line = now;
    if (v < 0 || v >= s->said || *end != '\0' || end == line + n) {
        l->malformed++;
        fprintf(stderr, "chatprobe: %s heard a malformed line: '%.100s'\n", l->name, line);
        return;
    }
    if (l->seen[v]) {
        l->dups++;
        fprintf(stderr, "chatprobe: %s heard line %lld twice\n", l->name, v);
        return;
    }
    l->seen[v] = 1;
    l->heard++;
    if (v < l->last) {
        l->out_of_order++;
        fprintf(stderr, "chatprobe: %s heard line %lld after %lld\n", l->name, v, l->last);
    } else {
        l->last = v;
    }
    if (s->heal && !l->first_after_heal) {
        l->first_after_heal = now;
    }
    if (s->heal && !l->caught_up && s->said_at[v] >= s->heal) {
        l->caught_up = now;
    }
}

static void pump(stream *s, listener *l, int64_t now) {
    if (fill(l->c) < 0) {
        fprintf(stderr, "chatprobe: %s lost its connection to the gateway\n", l->name);
        exit(1);
    }
    char line[512];
    while (take_line(l->c, line, sizeof line)) {
        heard_line(s, l, line, now);
    }
}

static void missing_ranges(const listener *l, long long said) {
    int shown = 0;
    for (long long i = 0; i < said && shown < 8; i++) {
        if (!l->seen[i]) {
            long long j = i;
            while (j + 1 < said && !l->seen[j + 1]) {
                j++;
            }
            printf("%s%lld-%lld", shown ? ", " : " (", i, j);
            shown++;
            i = j;
        }
    }
    printf("%s", shown ? ")" : "");
}

static double secs(int64_t ns) {
    return (double)ns / 1e9;
}

static int run_stream(int pport, int sport, const char *room, int rate) {
    stream s = {room, 0, calloc(MAX_LINES, sizeof(int64_t)), 0, 0};
    listener sub = {
        "sub", join(sport, room, "sub", 5000), calloc(MAX_LINES, 1), 0, 0, 0, 0, -1, 0, 0, 0};
    listener pub = {
        "pub", join(pport, room, "pub", 5000), calloc(MAX_LINES, 1), 0, 0, 0, 0, -1, 0, 0, 0};
    if (!sub.c || !pub.c || !s.said_at || !sub.seen || !pub.seen) {
        return 1;
    }
    conn *listeners[2] = {sub.c, pub.c};
    if (sync_room(pub.c, "pub", listeners, 2, room, 10000) != 0) {
        fprintf(stderr, "chatprobe: nothing pub said came through within 10s\n");
        return 1;
    }
    drain(sub.c, 100);
    drain(pub.c, 100);
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR2, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    int64_t start = now_ns(), next = start, period = 1000000000LL / rate, stop_saying = 0;
    for (;;) {
        int64_t now = now_ns();
        if (got_cut && !s.cut) {
            s.cut = now;
        }
        if (got_heal && !s.heal) {
            s.heal = now;
        }
        if (!stop_saying && ((s.heal && sub.caught_up && now - sub.caught_up >= 1000 * MS) ||
                             (s.heal && now - s.heal > 60000 * MS) || (got_term && !s.cut) ||
                             s.said == MAX_LINES)) {
            stop_saying = now;
        }
        if (stop_saying) {
            int64_t quiet = now - (sub.last_line > pub.last_line ? sub.last_line : pub.last_line);
            if ((quiet >= 1000 * MS && now - stop_saying >= 1000 * MS) ||
                now - stop_saying > 10000 * MS) {
                break;
            }
        } else {
            while (next <= now && s.said < MAX_LINES) {
                s.said_at[s.said] = now;
                if (say(pub.c, "SAY %lld\n", s.said) != 0) {
                    fprintf(stderr, "chatprobe: pub could not say line %lld\n", s.said);
                    return 1;
                }
                s.said++;
                next += period;
            }
        }
        struct pollfd p[2] = {{sub.c->fd, POLLIN, 0},
                              {pub.c->fd, POLLIN | (pub.c->outlen ? POLLOUT : 0), 0}};
        int wait = stop_saying ? 50 : (int)((next - now) / MS) + 1;
        if (poll(p, 2, wait < 50 ? wait : 50) < 0 && errno != EINTR) {
            die("poll");
        }
        now = now_ns();
        if (p[0].revents) {
            pump(&s, &sub, now);
        }
        if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
            pump(&s, &pub, now);
        }
        if (flush_out(pub.c) != 0) {
            fprintf(stderr, "chatprobe: pub lost its connection to the gateway\n");
            return 1;
        }
    }
    long long during = 0;
    for (long long i = 0; i < s.said && s.cut; i++) {
        during += s.said_at[i] >= s.cut && (!s.heal || s.said_at[i] < s.heal);
    }
    printf("stream: pub said %lld lines at %d/s on port %d\n", s.said, rate, pport);
    listener *ls[2] = {&sub, &pub};
    for (int i = 0; i < 2; i++) {
        listener *l = ls[i];
        printf("stream: %s heard %lld (missing %lld", l->name, l->heard, s.said - l->heard);
        missing_ranges(l, s.said);
        printf(", twice %lld, out of order %lld, malformed %lld)\n", l->dups, l->out_of_order,
               l->malformed);
    }
    int64_t first = sub.first_after_heal ? sub.first_after_heal - s.heal : -1;
    int64_t caught = sub.caught_up ? sub.caught_up - s.heal : -1;
    if (s.cut) {
        printf("stream: cut at %.3fs for %.3fs, %lld lines said meanwhile; after the heal the "
               "first line reached sub in %.3fs, the first line said after it in %.3fs\n",
               secs(s.cut - start), secs(s.heal ? s.heal - s.cut : 0), during, secs(first),
               secs(caught));
    }
    printf("result said=%lld during_cut=%lld sub_heard=%lld sub_missing=%lld pub_heard=%lld "
           "pub_missing=%lld twice=%lld out_of_order=%lld malformed=%lld first_ms=%lld "
           "caught_up_ms=%lld\n",
           s.said, during, sub.heard, s.said - sub.heard, pub.heard, s.said - pub.heard,
           sub.dups + pub.dups, sub.out_of_order + pub.out_of_order, sub.malformed + pub.malformed,
           (long long)(first / MS), (long long)(caught / MS));
    int bad =
        sub.dups + pub.dups + sub.out_of_order + pub.out_of_order + sub.malformed + pub.malformed >
        0;
    return bad || (s.cut && !sub.caught_up) ? 1 : 0;
}

int main(int argc, char **argv) {
    signal(SIGPIPE, SIG_IGN);
    if (argc == 7 && strcmp(argv[1], "relay") == 0) {
        return relay(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]), argv[5], atoi(argv[6]));
    }
    if (argc == 6 && strcmp(argv[1], "stream") == 0 && atoi(argv[5]) > 0) {
        return run_stream(atoi(argv[2]), atoi(argv[3]), argv[4], atoi(argv[5]));
    }
    fprintf(stderr, "usage: chatprobe relay PORT_A PORT_B COUNT ROOM TIMEOUT_MS\n"
                    "       chatprobe stream PUB_PORT SUB_PORT ROOM RATE\n");
    return 2;
}
