/* tp_sub: a subscriber process built on the transport library the way the runtime drives it: a
 * libev loop watching the binding's receive fd and link-event fd, pumping frames into a region
 * that is reset after every batch, checking every field of every payload.
 *
 *   tp_sub --url URL [--role listen|dial] [--key FILE] [--expect N] [--strict]
 *          [--slow-us U [--slow-count K]] [--until-marker] [--senders K] [--max-frame B]
 *
 * Prints "ready url=..." once the binding is open, "sender S first n=N" for each new sender,
 * "link up|down ..." for link events, and at exit a summary line and the counters dump. Exits
 * when --expect messages arrived, a marker (Small n = -1) arrived with --until-marker, K senders
 * each delivered 10 messages with --senders, or on SIGTERM. Exit status 1 when any payload was
 * wrong, or (with --strict) any sender's numbers were not consecutive. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <ev.h>

#include "binding.h"
#include "shapes.h"

#define MAX_SENDERS 64

typedef struct {
    uint64_t id;
    int64_t last_n;
    uint64_t max_seq;
    int64_t count;
} sender_state;

static struct {
    long expect;
    bool strict, until_marker;
    long slow_us, slow_count;
    int senders_wanted;
    int64_t received, markers, order_errors, content_errors;
    sender_state senders[MAX_SENDERS];
    int nsenders;
    bool done;
    tp_binding *b;
    hale_region *region;
    struct ev_loop *loop;
} st = {.expect = -1, .slow_count = -1};

static sender_state *sender_of(uint64_t id, int64_t n) {
    for (int i = 0; i < st.nsenders; i++) {
        if (st.senders[i].id == id) {
            return &st.senders[i];
        }
    }
    if (st.nsenders == MAX_SENDERS) {
        return &st.senders[MAX_SENDERS - 1];
    }
    sender_state *s = &st.senders[st.nsenders++];
    *s = (sender_state){.id = id, .last_n = n - 1};
    printf("sender %016" PRIx64 " first n=%" PRId64 "\n", id, n);
    fflush(stdout);
    return s;
}

static bool enough_senders(void) {
    int full = 0;
    for (int i = 0; i < st.nsenders; i++) {
        full += st.senders[i].count >= 10;
    }
    return st.senders_wanted > 0 && full >= st.senders_wanted;
}

static void account(const tp_delivery *d, int64_t n, bool ok) {
    if (st.done) {
        return; /* the rest of a pumped batch after the goal: not part of the measurement */
    }
    sender_state *s = sender_of(d->sender, n);
    if (!ok) {
        st.content_errors++;
    }
    if (d->seq > s->max_seq) {
        s->max_seq = d->seq;
    }
    if (n < 0) {
        st.markers++;
        if (st.until_marker) {
            st.done = true;
        }
        return;
    }
    if (st.strict ? n != s->last_n + 1 : n <= s->last_n) {
        if (st.order_errors++ < 5) {
            printf("order: sender %016" PRIx64 " n=%" PRId64 " after %" PRId64 "\n", d->sender, n,
                   s->last_n);
        }
    }
    s->last_n = n;
    if (++s->count == 10) {
        printf("sender %016" PRIx64 " reached 10\n", d->sender);
        fflush(stdout);
    }
    st.received++;
    if (st.slow_us > 0 && (st.slow_count < 0 || st.received <= st.slow_count)) {
        struct timespec ts = {st.slow_us / 1000000, (st.slow_us % 1000000) * 1000};
        nanosleep(&ts, NULL);
    }
    if ((st.expect >= 0 && st.received >= st.expect) || enough_senders()) {
        st.done = true;
    }
}

static void on_shapes(void *ctx, const tp_delivery *d) {
    (void)ctx;
    const Shapes *v = d->value;
    account(d, v->n, sh_check_shapes(v));
}

static void on_small(void *ctx, const tp_delivery *d) {
    (void)ctx;
    const Small *v = d->value;
    account(d, v->n, sh_check_small(v));
}

static void on_readable(struct ev_loop *loop, ev_io *w, int revents) {
    (void)w;
    (void)revents;
    hale_mark m = hale_region_mark(st.region);
    tp_binding_pump(st.b, st.region, 256);
    hale_region_reset(st.region, m);
    if (st.done) {
        ev_break(loop, EVBREAK_ALL);
    }
}

static void on_link(struct ev_loop *loop, ev_io *w, int revents) {
    (void)loop;
    (void)w;
    (void)revents;
    tp_link_event ev;
    while (tp_binding_next_event(st.b, &ev)) {
        printf("link %s peer=%s peers=%d\n", ev.kind == TP_LINK_UP ? "up" : "down", ev.peer,
               ev.peers);
        fflush(stdout);
    }
}

static void on_signal(struct ev_loop *loop, ev_signal *w, int revents) {
    (void)w;
    (void)revents;
    ev_break(loop, EVBREAK_ALL);
}

static int load_key(const char *path, uint8_t key[TP_KEY_BYTES], tp_aead *aead) {
    char err[512];
    if (tp_key_load(path, key, aead, err, sizeof err) != 0) {
        fprintf(stderr, "tp_sub: %s\n", err);
        return -1;
    }
    return 0;
}

static void summary(void) {
    uint64_t max_seq = 0;
    for (int i = 0; i < st.nsenders; i++) {
        max_seq = st.senders[i].max_seq > max_seq ? st.senders[i].max_seq : max_seq;
    }
    tp_counter_snapshot c;
    tp_binding_snapshot(st.b, &c);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    int sanitized = 1;
#else
    int sanitized = 0;
#endif
    printf("summary received=%" PRId64 " markers=%" PRId64 " senders=%d order_errors=%" PRId64
           " content_errors=%" PRId64 " max_seq=%" PRIu64 " lost_gap=%" PRId64
           " maxrss_kb=%ld sanitized=%d\n",
           st.received, st.markers, st.nsenders, st.order_errors, st.content_errors, max_seq,
           c.v[TP_C_LOST_GAP], ru.ru_maxrss, sanitized);
    tp_binding_dump(st.b, stdout);
}

int main(int argc, char **argv) {
    static const struct option opts[] = {
        {"url", required_argument, 0, 'u'},
        {"role", required_argument, 0, 'r'},
        {"key", required_argument, 0, 'k'},
        {"expect", required_argument, 0, 'e'},
        {"strict", no_argument, 0, 's'},
        {"slow-us", required_argument, 0, 'w'},
        {"slow-count", required_argument, 0, 'c'},
        {"until-marker", no_argument, 0, 'm'},
        {"senders", required_argument, 0, 'n'},
        {"max-frame", required_argument, 0, 'f'},
        {0, 0, 0, 0},
    };
    tp_binding_opts o = {.role = TP_ROLE_LISTEN, .dir = TP_DIR_SUBSCRIBE, .label = "tp_sub"};
    uint8_t key[TP_KEY_BYTES];
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'u':
            o.url = optarg;
            break;
        case 'r':
            o.role = strcmp(optarg, "dial") == 0 ? TP_ROLE_DIAL : TP_ROLE_LISTEN;
            break;
        case 'k':
            if (load_key(optarg, key, &o.aead) != 0) {
                return 2;
            }
            o.key = key;
            break;
        case 'e':
            st.expect = atol(optarg);
            break;
        case 's':
            st.strict = true;
            break;
        case 'w':
            st.slow_us = atol(optarg);
            break;
        case 'c':
            st.slow_count = atol(optarg);
            break;
        case 'm':
            st.until_marker = true;
            break;
        case 'n':
            st.senders_wanted = atoi(optarg);
            break;
        case 'f':
            o.max_frame = (size_t)atol(optarg);
            break;
        default:
            return 2;
        }
    }
    if (!o.url) {
        fprintf(stderr, "tp_sub: --url is required\n");
        return 2;
    }
    char err[512];
    if (tp_binding_open(&st.b, &o, err, sizeof err) != 0) {
        fprintf(stderr, "tp_sub: %s\n", err);
        return 3;
    }
    tp_binding_add_topic(st.b, SH_SUBJECT_SHAPES, &sh_shapes_t, on_shapes, NULL);
    tp_binding_add_topic(st.b, SH_SUBJECT_SMALL, &sh_small_t, on_small, NULL);
    st.region = hale_region_new(NULL, "tp_sub inbox");
    st.loop = ev_default_loop(0);
    ev_io rio, lio;
    ev_io_init(&rio, on_readable, tp_binding_recv_fd(st.b), EV_READ);
    ev_io_init(&lio, on_link, tp_binding_event_fd(st.b), EV_READ);
    ev_signal sterm, sint;
    ev_signal_init(&sterm, on_signal, SIGTERM);
    ev_signal_init(&sint, on_signal, SIGINT);
    ev_io_start(st.loop, &rio);
    ev_io_start(st.loop, &lio);
    ev_signal_start(st.loop, &sterm);
    ev_signal_start(st.loop, &sint);
    printf("ready url=%s\n", tp_binding_bound_url(st.b));
    fflush(stdout);
    on_link(st.loop, &lio, 0);
    if (!st.done && st.expect != 0) {
        ev_run(st.loop, 0);
    }
    on_link(st.loop, &lio, 0);
    summary();
    tp_binding_close(st.b, 0);
    hale_region_free(st.region);
    return st.content_errors || (st.strict && st.order_errors) ? 1 : 0;
}
