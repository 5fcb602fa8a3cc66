/* Bindings over nng (see binding.h): opening with the right protocol and security policy,
 * sending, pumping received frames through the receive pipeline, link events, counters. */
#include "binding_impl.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <malloc.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <nng/protocol/bus0/bus.h>
#include <nng/protocol/pipeline0/pull.h>
#include <nng/protocol/pipeline0/push.h>
#include <nng/protocol/pubsub0/pub.h>
#include <nng/protocol/pubsub0/sub.h>
#include <sodium.h>

#include "closer.h"
#include "log.h"

static const char *const proto_names[] = {"push0", "pull0", "pub0", "sub0", "bus0"};

static pthread_mutex_t registry_mu = PTHREAD_MUTEX_INITIALIZER;
static tp_binding *registry;

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- opening ---- */

static tp_proto choose_proto(tp_role role, tp_dir dir) {
    if (dir == TP_DIR_BOTH) {
        return PROTO_BUS;
    }
    if (dir == TP_DIR_PUBLISH) {
        return role == TP_ROLE_DIAL ? PROTO_PUSH : PROTO_PUB;
    }
    return role == TP_ROLE_LISTEN ? PROTO_PULL : PROTO_SUB;
}

static int open_socket(tp_binding *b) {
    switch (b->proto) {
    case PROTO_PUSH:
        return nng_push0_open(&b->sock);
    case PROTO_PULL:
        return nng_pull0_open(&b->sock);
    case PROTO_PUB:
        return nng_pub0_open(&b->sock);
    case PROTO_SUB:
        return nng_sub0_open(&b->sock);
    case PROTO_BUS:
        return nng_bus0_open(&b->sock);
    }
    return NNG_EINVAL;
}

static void peer_name(tp_binding *b, nng_pipe p, char out[TP_PEER_MAX]) {
    if (b->parsed.kind == TP_URL_IPC) {
        uint64_t pid = 0;
        if (nng_pipe_get_uint64(p, NNG_OPT_IPC_PEER_PID, &pid) == 0) {
            snprintf(out, TP_PEER_MAX, "ipc pid %" PRIu64, pid);
        } else {
            snprintf(out, TP_PEER_MAX, "ipc peer %" PRIu32, nng_pipe_id(p));
        }
        return;
    }
    nng_sockaddr sa;
    memset(&sa, 0, sizeof sa);
    char host[INET6_ADDRSTRLEN] = "?";
    if (nng_pipe_get_addr(p, NNG_OPT_REMADDR, &sa) == 0 && sa.s_family == NNG_AF_INET) {
        inet_ntop(AF_INET, &sa.s_in.sa_addr, host, sizeof host);
        snprintf(out, TP_PEER_MAX, "tcp %s:%u", host, (unsigned)ntohs(sa.s_in.sa_port));
    } else if (sa.s_family == NNG_AF_INET6) {
        inet_ntop(AF_INET6, sa.s_in6.sa_addr, host, sizeof host);
        snprintf(out, TP_PEER_MAX, "tcp [%s]:%u", host, (unsigned)ntohs(sa.s_in6.sa_port));
    } else {
        snprintf(out, TP_PEER_MAX, "tcp peer %" PRIu32, nng_pipe_id(p));
    }
}

/* Runs on nng's threads. A new link is counted before it is announced, so whoever sees it up
 * (a waiter in tp_binding_wait_peer, the event loop) also sees it counted. */
static void pipe_event(nng_pipe p, nng_pipe_ev ev, void *arg) {
    tp_binding *b = arg;
    if (ev == NNG_PIPE_EV_ADD_POST) {
        char peer[TP_PEER_MAX];
        peer_name(b, p, peer);
        tp_count(&b->counters, TP_C_LINKS_UP, 1);
        if (b->role == TP_ROLE_DIAL && atomic_exchange(&b->ever_up, true)) {
            tp_count(&b->counters, TP_C_RECONNECTS, 1);
        }
        tp_links_up(&b->links, nng_pipe_id(p), peer);
    } else if (ev == NNG_PIPE_EV_REM_POST) {
        if (tp_links_down(&b->links, nng_pipe_id(p), NULL)) {
            tp_count(&b->counters, TP_C_LINKS_DOWN, 1);
        }
    }
}

/* Refuses what the security policy forbids; warns about what it merely allows. */
static int check_security(tp_binding *b, const tp_binding_opts *o, char *err, size_t errlen) {
    if (o->key || b->parsed.loopback) {
        return 0;
    }
    if (!o->insecure) {
        return fail(err, errlen,
                    "binding %s (%s) would carry frames unsealed over the network: give the "
                    "deployment a key (HALE_KEY_FILE or hale.toml) or set insecure = true",
                    b->label, b->url);
    }
    tp_log("warning: binding %s (%s) carries frames unsealed and unauthenticated over the "
           "network (insecure = true)",
           b->label, b->url);
    return 0;
}

static void set_options(tp_binding *b, const tp_binding_opts *o) {
    /* Accept up to twice the limit so that near misses are counted as oversized; past that nng
     * closes the connection before buffering anything. */
    nng_socket_set_size(b->sock, NNG_OPT_RECVMAXSZ, b->max_frame * 2);
    nng_socket_set_ms(b->sock, NNG_OPT_RECONNMINT,
                      o->reconnect_min_ms > 0 ? o->reconnect_min_ms : 20);
    nng_socket_set_ms(b->sock, NNG_OPT_RECONNMAXT,
                      o->reconnect_max_ms > 0 ? o->reconnect_max_ms : 1000);
    nng_socket_set_ms(b->sock, NNG_OPT_SENDTIMEO,
                      o->send_timeout_ms > 0 ? o->send_timeout_ms : NNG_DURATION_INFINITE);
    if (b->proto == PROTO_SUB) {
        nng_socket_set(b->sock, NNG_OPT_SUB_SUBSCRIBE, "", 0);
        nng_socket_set_int(b->sock, NNG_OPT_RECVBUF, 8192);
    }
    if (b->proto == PROTO_PUB) {
        nng_socket_set_int(b->sock, NNG_OPT_SENDBUF, 8192);
    }
}

static int start_listener(tp_binding *b, char *err, size_t errlen) {
    int rv = nng_listener_create(&b->listener, b->sock, b->url);
    if (rv == 0 && b->parsed.kind == TP_URL_IPC) {
        rv = nng_listener_set_int(b->listener, NNG_OPT_IPC_PERMISSIONS, 0600);
    }
    if (rv == 0) {
        mode_t old = umask(077); /* no window in which the socket file is open to others */
        rv = nng_listener_start(b->listener, 0);
        umask(old);
    }
    if (rv != 0) {
        return fail(err, errlen, "binding %s: cannot listen on %s: %s", b->label, b->url,
                    nng_strerror(rv));
    }
    nng_sockaddr sa;
    if (b->parsed.kind == TP_URL_TCP &&
        nng_listener_get_addr(b->listener, NNG_OPT_LOCADDR, &sa) == 0 &&
        sa.s_family == NNG_AF_INET) {
        char host[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &sa.s_in.sa_addr, host, sizeof host);
        snprintf(b->bound, sizeof b->bound, "tcp://%s:%u", host, (unsigned)ntohs(sa.s_in.sa_port));
    }
    return 0;
}

static int start_dialer(tp_binding *b, const tp_binding_opts *o, char *err, size_t errlen) {
    int rv = nng_dialer_create(&b->dialer, b->sock, b->url);
    if (rv == 0) {
        rv = nng_dialer_start(b->dialer, NNG_FLAG_NONBLOCK); /* nng redials in the background */
    }
    if (rv != 0) {
        return fail(err, errlen, "binding %s: cannot dial %s: %s", b->label, b->url,
                    nng_strerror(rv));
    }
    int wait = o->connect_timeout_ms == 0 ? TP_DEFAULT_CONNECT_MS : o->connect_timeout_ms;
    if (wait > 0 && !tp_links_wait_up(&b->links, wait)) {
        return fail(err, errlen, "binding %s: no peer answered at %s within %d ms", b->label,
                    b->url, wait);
    }
    return 0;
}

static void registry_add(tp_binding *b) {
    pthread_mutex_lock(&registry_mu);
    tp_binding **p = &registry;
    while (*p) {
        p = &(*p)->next;
    }
    *p = b;
    pthread_mutex_unlock(&registry_mu);
}

static void registry_remove(tp_binding *b) {
    pthread_mutex_lock(&registry_mu);
    for (tp_binding **p = &registry; *p; p = &(*p)->next) {
        if (*p == b) {
            *p = b->next;
            break;
        }
    }
    pthread_mutex_unlock(&registry_mu);
}

static void init_fields(tp_binding *b, const tp_binding_opts *o) {
    b->role = o->role;
    b->dir = o->dir;
    b->proto = choose_proto(o->role, o->dir);
    b->can_send = o->dir != TP_DIR_SUBSCRIBE;
    b->can_recv = o->dir != TP_DIR_PUBLISH;
    snprintf(b->url, sizeof b->url, "%s", o->url);
    snprintf(b->bound, sizeof b->bound, "%s", o->url);
    snprintf(b->label, sizeof b->label, "%s", o->label ? o->label : o->url);
    b->max_frame = o->max_frame ? o->max_frame : TP_DEFAULT_MAX_FRAME;
    b->send_timeout_ms = o->send_timeout_ms;
    b->nng_send_fd = -1;
    if (o->key) {
        memcpy(b->key, o->key, TP_KEY_BYTES);
        b->aead = o->aead;
        b->sealed = true;
    }
    do {
        randombytes_buf(&b->sender, sizeof b->sender);
    } while (b->sender == 0);
    tp_limits lim = o->limits;
    if (lim.max_depth == 0 && lim.max_bytes == 0 && lim.max_elems == 0 && lim.max_decoded == 0) {
        lim = tp_limits_default();
    }
    b->rx = (tp_rx){.key = b->sealed ? b->key : NULL,
                    .aead = b->aead,
                    .max_frame = b->max_frame,
                    .limits = lim,
                    .topics = b->topics,
                    .counters = &b->counters};
}

static int open_nng(tp_binding *b, const tp_binding_opts *o, char *err, size_t errlen) {
    int rv = open_socket(b);
    if (rv != 0) {
        return fail(err, errlen, "binding %s: cannot open an nng %s socket: %s", b->label,
                    proto_names[b->proto], nng_strerror(rv));
    }
    set_options(b, o);
    nng_pipe_notify(b->sock, NNG_PIPE_EV_ADD_POST, pipe_event, b);
    nng_pipe_notify(b->sock, NNG_PIPE_EV_REM_POST, pipe_event, b);
    if (b->can_send) {
        nng_socket_get_int(b->sock, NNG_OPT_SENDFD, &b->nng_send_fd);
    }
    return o->role == TP_ROLE_LISTEN ? start_listener(b, err, errlen)
                                     : start_dialer(b, o, err, errlen);
}

/* Everything but the socket; after nng_close (or when it never opened). */
static void free_parts(tp_binding *b) {
    tp_txq_fini(b);
    tp_rxq_fini(b);
    tp_links_fini(&b->links);
    tp_replay_free(b->rx.replay);
    tp_seal_cache_free(b->seal);
    pthread_mutex_destroy(&b->rejlog_mu);
    for (size_t i = 0; i < TP_MAX_TOPICS; i++) {
        pthread_mutex_destroy(&b->send_mu[i]);
    }
    sodium_memzero(b->key, sizeof b->key);
    hale_sys_free(b);
}

/* Frames are nng messages: nng allocates each on its own threads (a receive) or we do on the
 * publisher's (a send), and another thread frees it once delivered or written, many KiB at a
 * time. glibc returns each to the arena it came from and, by default, gives the top of an arena
 * back to the system as soon as more than 128 KiB is free there, so a stream of large frames
 * has its pages unmapped and faulted back in (and zeroed by the kernel) frame after frame: that
 * was a fifth of a 64 KiB stream's cost. Keeping up to what the two queues may hold (and
 * serving frames up to twice the default max_frame, nng's limit, from the heap rather than a
 * mmap per frame) ends that; it bounds what stays mapped, not what may be used. Process-wide,
 * set once, when the first binding opens. */
static void keep_frame_memory(void) {
    mallopt(M_TRIM_THRESHOLD, (int)(2 * TP_QUEUE_BYTES));
    mallopt(M_MMAP_THRESHOLD, (int)(4 * TP_DEFAULT_MAX_FRAME));
}

int tp_binding_open(tp_binding **out, const tp_binding_opts *o, char *err, size_t errlen) {
    *out = NULL;
    static pthread_once_t malloc_once = PTHREAD_ONCE_INIT;
    pthread_once(&malloc_once, keep_frame_memory);
    if (tp_crypto_init() != 0) {
        return fail(err, errlen, "libsodium could not be initialised");
    }
    tp_binding *b = hale_sys_calloc(1, sizeof *b);
    if (!b) {
        return fail(err, errlen, "out of memory opening a binding");
    }
    init_fields(b, o);
    if (tp_url_parse(o->url, &b->parsed, err, errlen) != 0 ||
        check_security(b, o, err, errlen) != 0) {
        hale_sys_free(b);
        return -1;
    }
    b->rx.replay = tp_replay_new(o->max_senders ? o->max_senders : 4096);
    if (b->sealed) { /* one cache for both directions: a pair is ours or a peer's, never both */
        b->seal = b->rx.seal = tp_seal_cache_new(b->key, b->aead);
    }
    if (!b->rx.replay || (b->sealed && !b->seal) || tp_links_init(&b->links) != 0) {
        tp_replay_free(b->rx.replay);
        tp_seal_cache_free(b->seal);
        hale_sys_free(b);
        return fail(err, errlen, "out of memory opening a binding");
    }
    pthread_mutex_init(&b->rejlog_mu, NULL);
    for (size_t i = 0; i < TP_MAX_TOPICS; i++) {
        pthread_mutex_init(&b->send_mu[i], NULL);
    }
    b->sock = (nng_socket)NNG_SOCKET_INITIALIZER;
    int rc = tp_txq_init(b) != 0 || tp_rxq_init(b) != 0
                 ? fail(err, errlen, "binding %s: out of memory", b->label)
                 : open_nng(b, o, err, errlen);
    if (rc != 0) {
        tp_links_close(&b->links);
        if (nng_socket_id(b->sock) > 0) {
            nng_close(b->sock);
        }
        free_parts(b);
        return -1;
    }
    registry_add(b);
    *out = b;
    return 0;
}

static void free_after_close(void *b) {
    free_parts(b);
}

void tp_binding_close(tp_binding *b, int linger_ms) {
    if (!b) {
        return;
    }
    registry_remove(b);
    tp_txq_drain(b, linger_ms);
    tp_links_close(&b->links);
    char what[sizeof b->label + sizeof b->bound + 4];
    snprintf(what, sizeof what, "%s (%s)", b->label, b->bound);
    /* b is freed once nng_close has returned (nng's callbacks use it), which may be never. */
    if (tp_close_socket(b->sock, free_after_close, b, TP_CLOSE_WAIT_MS) != 0) {
        tp_log("warning: binding %s: nng did not finish closing the socket within %d ms (a link "
               "closed mid-transfer); the rest of the close is left to the background",
               what, TP_CLOSE_WAIT_MS);
    }
}

int tp_binding_add_topic(tp_binding *b, const char *subject, const hale_type *type,
                         tp_deliver_fn deliver, void *ctx) {
    size_t n = atomic_load(&b->ntopics);
    size_t len = strlen(subject);
    if (n == TP_MAX_TOPICS || len >= TP_SUBJECT_MAX || len == 0 ||
        (b->can_recv && b->rxq.started)) {
        return -1;
    }
    uint64_t id = tp_wire_id(subject, len);
    for (size_t i = 0; i < n; i++) {
        if (b->topics[i].wire_id == id) {
            return -1;
        }
    }
    tp_topic *t = &b->topics[n];
    memset(t, 0, sizeof *t);
    memcpy(t->subject, subject, len + 1);
    t->wire_id = id;
    t->type = type;
    t->deliver = deliver;
    t->ctx = ctx;
    t->next_seq = 1;
    atomic_store(&b->ntopics, n + 1);
    return (int)n;
}

/* ---- readiness, links, identity ---- */

int tp_binding_event_fd(tp_binding *b) {
    return tp_links_fd(&b->links);
}

int tp_binding_next_event(tp_binding *b, tp_link_event *ev) {
    return tp_links_pop(&b->links, ev);
}

int tp_binding_peers(tp_binding *b) {
    return tp_links_peers(&b->links);
}

int tp_binding_wait_peer(tp_binding *b, int timeout_ms) {
    return tp_links_wait_up(&b->links, timeout_ms);
}

const char *tp_binding_url(const tp_binding *b) {
    return b->url;
}

const char *tp_binding_bound_url(const tp_binding *b) {
    return b->bound;
}

uint64_t tp_binding_sender(const tp_binding *b) {
    return b->sender;
}

bool tp_binding_sealed(const tp_binding *b) {
    return b->sealed;
}

/* ---- counters ---- */

void tp_binding_snapshot(tp_binding *b, tp_counter_snapshot *out) {
    tp_counters_read(&b->counters, out);
}

void tp_topic_snapshot(tp_binding *b, int topic, tp_counter_snapshot *out) {
    if (topic < 0 || (size_t)topic >= atomic_load(&b->ntopics)) {
        memset(out, 0, sizeof *out);
        return;
    }
    tp_counters_read(&b->topics[topic].counters, out);
}

static const char *dir_name(tp_dir d) {
    return d == TP_DIR_PUBLISH ? "publish" : d == TP_DIR_SUBSCRIBE ? "subscribe" : "both";
}

void tp_binding_dump(tp_binding *b, FILE *out) {
    char line[1024];
    tp_counter_snapshot c;
    tp_counters_read(&b->counters, &c);
    snprintf(line, sizeof line,
             "hale-bus binding url=%s role=%s dir=%s proto=%s sealed=%d peers=%d "
             "sender=%016" PRIx64,
             b->bound, b->role == TP_ROLE_LISTEN ? "listen" : "dial", dir_name(b->dir),
             proto_names[b->proto], b->sealed, tp_links_peers(&b->links), b->sender);
    tp_counter_snapshot_format(&c, line, sizeof line);
    fprintf(out,
            "%s send_queue=%zu recv_queue=%zu replay_evictions=%" PRIu64
            " link_events_dropped=%" PRIu64 "\n",
            line, tp_txq_length(b), tp_rxq_length(b), tp_replay_evictions(b->rx.replay),
            tp_links_dropped(&b->links));
    size_t n = atomic_load(&b->ntopics);
    for (size_t i = 0; i < n; i++) {
        tp_counters_read(&b->topics[i].counters, &c);
        snprintf(line, sizeof line, "hale-bus topic subject=%s url=%s", b->topics[i].subject,
                 b->bound);
        tp_counter_snapshot_format(&c, line, sizeof line);
        fprintf(out, "%s\n", line);
    }
    fflush(out);
}

void tp_dump_all(FILE *out) {
    pthread_mutex_lock(&registry_mu);
    for (tp_binding *b = registry; b; b = b->next) {
        tp_binding_dump(b, out);
    }
    pthread_mutex_unlock(&registry_mu);
}

void tp_binding_foreach(void (*fn)(tp_binding *b, void *arg), void *arg) {
    pthread_mutex_lock(&registry_mu);
    for (tp_binding *b = registry; b; b = b->next) {
        fn(b, arg);
    }
    pthread_mutex_unlock(&registry_mu);
}

bool tp_counters_dump_requested(void) {
    const char *v = getenv("HALE_BUS_COUNTERS_DUMP");
    return v && v[0] && strcmp(v, "0") != 0;
}
