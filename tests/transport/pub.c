/* tp_pub: a publisher process built on the transport library, sending generated payloads the way
 * the runtime does: nonblocking sends, and on backpressure or a lost link either parking until
 * the socket or the link is ready again (`or wait`, the default here) or dropping (--drop).
 *
 *   tp_pub --url URL [--role dial|listen] [--key FILE] [--topic shapes|small] [--count N]
 *          [--interval-us U] [--wait-peers K] [--drop] [--markers] [--max-frame B]
 *
 * --count 0 sends until SIGTERM. --markers, after the count, sends end markers (Small n = -1)
 * every 20 ms until every peer has gone or SIGTERM. Prints "ready sender=S url=U", link events,
 * "parked"/"resumed" when it waits for a link, and at exit "done sent=... eagain=... waits=...
 * dropped=..." and the counters dump. */
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "binding.h"
#include "shapes.h"

static volatile sig_atomic_t stop;

static void on_term(int sig) {
    (void)sig;
    stop = 1;
}

static struct {
    tp_binding *b;
    int topic_shapes, topic_small;
    long eagain, waits, dropped;
    bool drop;
} st;

static void drain_events(void) {
    tp_link_event ev;
    while (tp_binding_next_event(st.b, &ev)) {
        printf("link %s peer=%s peers=%d\n", ev.kind == TP_LINK_UP ? "up" : "down", ev.peer,
               ev.peers);
        fflush(stdout);
    }
}

static void sleep_us(long us) {
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

/* One send with the runtime's `or wait` behaviour: park on the send fd (backpressure) or on the
 * link (no peer) and try again; or, with --drop, count the loss and move on. */
static int send_one(int topic, const void *value) {
    bool parked = false;
    for (;;) {
        int rc = tp_send(st.b, topic, value, st.drop ? TP_SEND_DROP : TP_SEND_NONBLOCK);
        if (rc == TP_OK) {
            if (parked) {
                printf("resumed\n");
                fflush(stdout);
            }
            return 0;
        }
        if (st.drop || (rc != TP_EAGAIN && rc != TP_ENOPEER) || stop) {
            st.dropped++;
            return rc == TP_EAGAIN || rc == TP_ENOPEER ? 0 : -1;
        }
        if (rc == TP_EAGAIN) {
            st.eagain++;
            struct pollfd p = {.fd = tp_binding_send_fd(st.b), .events = POLLIN};
            poll(&p, 1, 100);
            continue;
        }
        if (!parked) {
            st.waits++;
            parked = true;
            drain_events();
            printf("parked: no link\n");
            fflush(stdout);
        }
        struct pollfd p = {.fd = tp_binding_event_fd(st.b), .events = POLLIN};
        poll(&p, 1, 100);
        drain_events();
    }
}

static int send_n(int64_t n, bool shapes) {
    if (shapes) {
        Shapes v;
        sh_make_shapes(n, &v);
        return send_one(st.topic_shapes, &v);
    }
    Small v;
    sh_make_small(n, &v);
    return send_one(st.topic_small, &v);
}

static void send_markers(void) {
    Small marker;
    sh_make_small(-1, &marker);
    while (!stop) {
        drain_events();
        if (tp_binding_peers(st.b) == 0) {
            break;
        }
        tp_send(st.b, st.topic_small, &marker, TP_SEND_NONBLOCK);
        sleep_us(20000);
    }
}

int main(int argc, char **argv) {
    static const struct option opts[] = {
        {"url", required_argument, 0, 'u'},
        {"role", required_argument, 0, 'r'},
        {"key", required_argument, 0, 'k'},
        {"topic", required_argument, 0, 't'},
        {"count", required_argument, 0, 'c'},
        {"interval-us", required_argument, 0, 'i'},
        {"wait-peers", required_argument, 0, 'p'},
        {"drop", no_argument, 0, 'd'},
        {"markers", no_argument, 0, 'm'},
        {"max-frame", required_argument, 0, 'f'},
        {0, 0, 0, 0},
    };
    tp_binding_opts o = {.role = TP_ROLE_DIAL, .dir = TP_DIR_PUBLISH, .label = "tp_pub"};
    uint8_t key[TP_KEY_BYTES];
    bool shapes = true, markers = false;
    long count = 1000, interval = 0, wait_peers = 0;
    char err[512];
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'u':
            o.url = optarg;
            break;
        case 'r':
            o.role = strcmp(optarg, "listen") == 0 ? TP_ROLE_LISTEN : TP_ROLE_DIAL;
            break;
        case 'k':
            if (tp_key_load(optarg, key, &o.aead, err, sizeof err) != 0) {
                fprintf(stderr, "tp_pub: %s\n", err);
                return 2;
            }
            o.key = key;
            break;
        case 't':
            shapes = strcmp(optarg, "small") != 0;
            break;
        case 'c':
            count = atol(optarg);
            break;
        case 'i':
            interval = atol(optarg);
            break;
        case 'p':
            wait_peers = atol(optarg);
            break;
        case 'd':
            st.drop = true;
            break;
        case 'm':
            markers = true;
            break;
        case 'f':
            o.max_frame = (size_t)atol(optarg);
            break;
        default:
            return 2;
        }
    }
    if (!o.url) {
        fprintf(stderr, "tp_pub: --url is required\n");
        return 2;
    }
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    if (tp_binding_open(&st.b, &o, err, sizeof err) != 0) {
        fprintf(stderr, "tp_pub: %s\n", err);
        return 3;
    }
    st.topic_shapes = tp_binding_add_topic(st.b, SH_SUBJECT_SHAPES, &sh_shapes_t, NULL, NULL);
    st.topic_small = tp_binding_add_topic(st.b, SH_SUBJECT_SMALL, &sh_small_t, NULL, NULL);
    printf("ready sender=%016" PRIx64 " url=%s\n", tp_binding_sender(st.b),
           tp_binding_bound_url(st.b));
    fflush(stdout);
    while (!stop && tp_binding_peers(st.b) < wait_peers) {
        tp_binding_wait_peer(st.b, 100);
        drain_events();
        sleep_us(5000);
    }
    drain_events();
    int status = 0;
    for (int64_t n = 0; !stop && (count == 0 || n < count); n++) {
        if (send_n(n, shapes) != 0) {
            status = 1;
            break;
        }
        if (interval > 0) {
            sleep_us(interval);
        }
        if ((n & 255) == 0) {
            drain_events();
        }
    }
    if (markers) {
        send_markers();
    }
    if (tp_binding_flush(st.b, 10000) != 0) {
        printf("flush: frames still queued after 10 s\n");
    }
    drain_events();
    tp_counter_snapshot k;
    tp_binding_snapshot(st.b, &k);
    printf("done sent=%" PRId64 " eagain=%ld waits=%ld dropped=%ld\n", k.v[TP_C_SENT], st.eagain,
           st.waits, st.dropped);
    tp_binding_dump(st.b, stdout);
    tp_binding_close(st.b, 5000);
    return status;
}
