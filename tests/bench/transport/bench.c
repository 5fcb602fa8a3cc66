/* tp_bench: the two processes of the cross-process transport benchmark (run.sh drives them).
 *
 *   tp_bench sink   --url U --mode raw|plain|sealed --size S --count N [--key F]
 *   tp_bench source --url U --mode ... --size S --count N [--key F]
 *   tp_bench echo   --in U1 --out U2 --mode ... --size S [--key F]
 *   tp_bench ping   --in U2 --out U1 --mode ... --size S --count N [--key F]
 *
 * raw is plain nng push0/pull0 with S-byte messages, the sender buffered as deep as our send
 * queue (NNG_OPT_SENDBUF 1024) and the receiver in a blocking nng_recvmsg loop: the baseline. plain
 * and sealed are our bindings carrying a Blob { n: Int, data: Bytes } whose data is S bytes,
 * unsealed and sealed; the receiving side decodes every payload into a region (the copy Hale's
 * semantics require) and is driven the way the runtime drives it: poll on the receive fd, then
 * pump. The sink prints "rate msgs_per_s=R" over the last N - N/10 messages (the first tenth warms
 * up); ping prints "rtt p50_us=A mean_us=B" over N round trips. */
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nng/nng.h>
#include <nng/protocol/pipeline0/pull.h>
#include <nng/protocol/pipeline0/push.h>

#include "binding.h"
#include "shapes.h"

#define TP_QUEUE_DEPTH 1024 /* TP_QUEUE_FRAMES */

typedef enum { RAW, PLAIN, SEALED } mode;

static struct {
    mode mode;
    size_t size;
    long count;
    const char *url, *in, *out;
    uint8_t key[TP_KEY_BYTES];
    tp_aead aead;
} cfg;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *what, const char *why) {
    fprintf(stderr, "tp_bench: %s: %s\n", what, why);
    exit(1);
}

/* ---- one endpoint, raw nng or ours ---- */

typedef struct {
    nng_socket raw;
    tp_binding *b;
    int topic;
    hale_region *region;
    long got;
    int64_t last_n;
} endpoint;

static void on_blob(void *ctx, const tp_delivery *d) {
    endpoint *e = ctx;
    e->got++;
    e->last_n = ((const Blob *)d->value)->n;
}

static void open_ep(endpoint *e, const char *url, bool listen, bool send) {
    memset(e, 0, sizeof *e);
    if (cfg.mode == RAW) {
        int rv = send ? nng_push0_open(&e->raw) : nng_pull0_open(&e->raw);
        if (rv == 0) {
            nng_socket_set_size(e->raw, NNG_OPT_RECVMAXSZ, 2 * TP_DEFAULT_MAX_FRAME);
            if (send) { /* the same queue depth our bindings keep in front of nng */
                nng_socket_set_int(e->raw, NNG_OPT_SENDBUF, TP_QUEUE_DEPTH);
            }
            rv = listen ? nng_listen(e->raw, url, NULL, 0)
                        : nng_dial(e->raw, url, NULL, NNG_FLAG_NONBLOCK);
        }
        if (rv != 0) {
            die(url, nng_strerror(rv));
        }
        return;
    }
    tp_binding_opts o = {.url = url,
                         .role = listen ? TP_ROLE_LISTEN : TP_ROLE_DIAL,
                         .dir = send ? TP_DIR_PUBLISH : TP_DIR_SUBSCRIBE,
                         .key = cfg.mode == SEALED ? cfg.key : NULL,
                         .aead = cfg.aead,
                         .connect_timeout_ms = 10000};
    char err[512];
    if (tp_binding_open(&e->b, &o, err, sizeof err) != 0) {
        die(url, err);
    }
    e->topic = tp_binding_add_topic(e->b, SH_SUBJECT_BLOB, &sh_blob_t, on_blob, e);
    e->region = hale_region_new(NULL, "bench");
}

static void close_ep(endpoint *e) {
    if (cfg.mode == RAW) {
        /* Nothing is left queued here: sources are stopped only after the sink has everything,
         * and ping/echo answer every message before sending the next. */
        nng_close(e->raw);
    } else {
        tp_binding_close(e->b, 2000);
        hale_region_free(e->region);
    }
}

static void send_one(endpoint *e, int64_t n, uint8_t *data) {
    if (cfg.mode == RAW) {
        nng_msg *m;
        nng_msg_alloc(&m, cfg.size);
        memcpy(nng_msg_body(m), data, cfg.size);
        memcpy(nng_msg_body(m), &n, sizeof n < cfg.size ? sizeof n : cfg.size);
        int rv = nng_sendmsg(e->raw, m, 0);
        if (rv != 0) {
            die("send", nng_strerror(rv));
        }
        return;
    }
    Blob b = {n, {data, (int64_t)cfg.size}};
    for (;;) {
        int rc = tp_send(e->b, e->topic, &b, TP_SEND_NONBLOCK);
        if (rc == TP_OK) {
            return;
        }
        if (rc != TP_EAGAIN && rc != TP_ENOPEER) {
            die("send", tp_strerror(rc));
        }
        struct pollfd p = {.fd = rc == TP_EAGAIN ? tp_binding_send_fd(e->b)
                                                 : tp_binding_event_fd(e->b),
                           .events = POLLIN};
        poll(&p, 1, 100);
        tp_link_event ev;
        while (tp_binding_next_event(e->b, &ev)) {
        }
    }
}

/* Receives (blocking) until `total` messages have arrived, pumping up to `budget` at a time. */
static void recv_until(endpoint *e, long total, int budget) {
    while (e->got < total) {
        if (cfg.mode == RAW) {
            nng_msg *m;
            int rv = nng_recvmsg(e->raw, &m, 0);
            if (rv != 0) {
                die("recv", nng_strerror(rv));
            }
            e->got++;
            nng_msg_free(m);
            continue;
        }
        hale_mark mk = hale_region_mark(e->region);
        int n = tp_binding_pump(e->b, e->region, budget);
        hale_region_reset(e->region, mk);
        if (n < 0) {
            die("recv", "binding closed");
        }
        if (n == 0) {
            struct pollfd p = {.fd = tp_binding_recv_fd(e->b), .events = POLLIN};
            poll(&p, 1, 100);
        }
    }
}

/* Receives one message. */
static void recv_one(endpoint *e) {
    recv_until(e, e->got + 1, 1);
}

/* ---- the four roles ---- */

static int run_sink(void) {
    endpoint e;
    open_ep(&e, cfg.url, true, false);
    printf("ready\n");
    fflush(stdout);
    long warm = cfg.count / 10;
    recv_until(&e, warm, 256);
    uint64_t t0 = now_ns();
    recv_until(&e, cfg.count, 256);
    double secs = (double)(now_ns() - t0) / 1e9;
    printf("rate msgs_per_s=%.0f\n", (double)(cfg.count - warm) / secs);
    fflush(stdout);
    close_ep(&e);
    return 0;
}

/* Sends `count` messages, then stays connected until SIGTERM (run.sh sends it once the sink
 * has reported), so neither side's queue is cut short by a close. */
static int run_source(void) {
    endpoint e;
    open_ep(&e, cfg.url, false, true);
    uint8_t *data = calloc(1, cfg.size + 8);
    for (long i = 0; i < cfg.count; i++) {
        send_one(&e, i, data);
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_BLOCK, &set, NULL);
    int sig;
    sigwait(&set, &sig);
    close_ep(&e);
    free(data);
    return 0;
}

static int run_echo(void) {
    endpoint in, out;
    open_ep(&in, cfg.in, true, false);
    printf("ready\n");
    fflush(stdout);
    open_ep(&out, cfg.out, false, true);
    uint8_t *data = calloc(1, cfg.size + 8);
    for (long i = 0; i < cfg.count; i++) {
        recv_one(&in);
        send_one(&out, i, data);
    }
    close_ep(&out);
    close_ep(&in);
    free(data);
    return 0;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int run_ping(void) {
    endpoint in, out;
    open_ep(&in, cfg.in, true, false);
    open_ep(&out, cfg.out, false, true);
    uint8_t *data = calloc(1, cfg.size + 8);
    uint64_t *rtt = calloc((size_t)cfg.count, sizeof *rtt);
    long warm = cfg.count / 10;
    for (long i = 0; i < warm; i++) {
        send_one(&out, i, data);
        recv_one(&in);
    }
    uint64_t sum = 0;
    long n = cfg.count - warm;
    for (long i = 0; i < n; i++) {
        uint64_t t0 = now_ns();
        send_one(&out, i, data);
        recv_one(&in);
        rtt[i] = now_ns() - t0;
        sum += rtt[i];
    }
    qsort(rtt, (size_t)n, sizeof *rtt, cmp_u64);
    printf("rtt p50_us=%.1f mean_us=%.1f\n", (double)rtt[n / 2] / 1e3, (double)sum / n / 1e3);
    fflush(stdout);
    close_ep(&out);
    close_ep(&in);
    free(data);
    free(rtt);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: tp_bench sink|source|echo|ping --mode raw|plain|sealed ...\n");
        return 2;
    }
    const char *role = argv[1];
    static const struct option opts[] = {
        {"url", required_argument, 0, 'u'},  {"in", required_argument, 0, 'i'},
        {"out", required_argument, 0, 'o'},  {"mode", required_argument, 0, 'm'},
        {"size", required_argument, 0, 's'}, {"count", required_argument, 0, 'c'},
        {"key", required_argument, 0, 'k'},  {0, 0, 0, 0},
    };
    cfg.size = 64;
    cfg.count = 10000;
    char err[512];
    int c;
    optind = 2;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'u':
            cfg.url = optarg;
            break;
        case 'i':
            cfg.in = optarg;
            break;
        case 'o':
            cfg.out = optarg;
            break;
        case 'm':
            cfg.mode = strcmp(optarg, "raw") == 0     ? RAW
                       : strcmp(optarg, "plain") == 0 ? PLAIN
                                                      : SEALED;
            break;
        case 's':
            cfg.size = (size_t)atol(optarg);
            break;
        case 'c':
            cfg.count = atol(optarg);
            break;
        case 'k':
            if (tp_key_load(optarg, cfg.key, &cfg.aead, err, sizeof err) != 0) {
                die("key", err);
            }
            break;
        default:
            return 2;
        }
    }
    if (strcmp(role, "sink") == 0) {
        return run_sink();
    }
    if (strcmp(role, "source") == 0) {
        return run_source();
    }
    if (strcmp(role, "echo") == 0) {
        return run_echo();
    }
    if (strcmp(role, "ping") == 0) {
        return run_ping();
    }
    die(role, "unknown role");
    return 2;
}
