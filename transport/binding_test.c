/* Bindings with real nng sockets inside one process (ipc in a temp dir, TCP on loopback): the
 * protocol choices deliver, ipc sockets are owner-only, the security policy refuses what it
 * must, link events arrive, and mismatches are rejected and counted. Whole-process behaviour
 * (kill -9, restarts, hostile peers, a million frames) is in tests/transport/. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "binding.h"
#include "log.h"
#include "test_types.h"

#if defined(__SANITIZE_THREAD__)
/* nng is not built with ThreadSanitizer, so the atomics it counts message references with are
 * invisible to it: pub0 handing one message to several pipes then looks like a race inside nng.
 * Only reports with an nng frame on a stack are suppressed; our own code stays checked. */
const char *__tsan_default_suppressions(void);
const char *__tsan_default_suppressions(void) {
    return "race:libnng.so\n";
}
#endif

static char dir[] = "/tmp/hale-binding-XXXXXX";
static uint8_t key[TP_KEY_BYTES], other_key[TP_KEY_BYTES];
static hale_region *region;

/* Log lines are captured so tests can assert what was said. */
static char logbuf[8192];
static void capture(void *ctx, const char *line) {
    (void)ctx;
    size_t used = strlen(logbuf);
    snprintf(logbuf + used, sizeof logbuf - used, "%s\n", line);
}

static int setup(void **state) {
    (void)state;
    if (!mkdtemp(dir)) {
        return -1;
    }
    randombytes_buf(key, sizeof key);
    randombytes_buf(other_key, sizeof other_key);
    region = hale_region_new(NULL, "binding_test");
    tp_log_set(capture, NULL);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    hale_region_free(region);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

typedef struct {
    int count;
    int64_t last_n;
    uint64_t sender;
    char text[64];
} inbox;

static void on_msg(void *ctx, const tp_delivery *d) {
    inbox *in = ctx;
    const Note *m = d->value;
    in->count++;
    in->last_n = m->n;
    in->sender = d->sender;
    snprintf(in->text, sizeof in->text, "%.*s", (int)m->text.len, m->text.ptr);
}

static void ipc_url(char *buf, size_t len, const char *name) {
    snprintf(buf, len, "ipc://%s/%s", dir, name);
}

static tp_binding *open_ok(const tp_binding_opts *o) {
    tp_binding *b;
    char err[512];
    if (tp_binding_open(&b, o, err, sizeof err) != 0) {
        fail_msg("open %s: %s", o->url, err);
    }
    return b;
}

/* A binding at `url` with the one topic t.msg (delivered to `deliver` when receiving). */
static tp_binding *open_topic(const char *url, tp_role role, tp_dir dir, const uint8_t *k,
                              tp_deliver_fn deliver, void *ctx) {
    tp_binding *b = open_ok(&(tp_binding_opts){.url = url, .role = role, .dir = dir, .key = k});
    assert_int_equal(tp_binding_add_topic(b, "t.msg", &T_Note, deliver, ctx), 0);
    return b;
}

/* Waits (up to about a second) until a listener has its peer. */
static void wait_peer(tp_binding *b) {
    for (int i = 0; i < 200 && tp_binding_peers(b) < 1; i++) {
        struct timespec ts = {0, 5000000};
        nanosleep(&ts, NULL);
    }
}

/* Pumps until `want` deliveries arrived in `in` (or about 5 s passed). */
static void pump_until(tp_binding *b, inbox *in, int want) {
    for (int i = 0; i < 5000 && in->count < want; i++) {
        if (tp_binding_pump(b, region, 64) == 0) {
            struct timespec ts = {0, 1000000};
            nanosleep(&ts, NULL);
        }
    }
    assert_int_equal(in->count, want);
}

static int send_msg(tp_binding *b, int topic, int64_t n, const char *text) {
    Note m = {n, {text, (int64_t)strlen(text)}};
    return tp_send(b, topic, &m, TP_SEND_BLOCK);
}

static void test_fan_in_over_ipc_sealed(void **state) {
    (void)state;
    char url[256];
    ipc_url(url, sizeof url, "fanin.sock");
    inbox in = {0};
    tp_binding *sub = open_ok(&(tp_binding_opts){
        .url = url, .role = TP_ROLE_LISTEN, .dir = TP_DIR_SUBSCRIBE, .key = key, .label = "t.msg"});
    assert_int_equal(tp_binding_add_topic(sub, "t.msg", &T_Note, on_msg, &in), 0);
    struct stat st;
    assert_int_equal(stat(url + 6, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    tp_binding *pubs[2];
    for (int i = 0; i < 2; i++) {
        pubs[i] = open_ok(&(tp_binding_opts){
            .url = url, .role = TP_ROLE_DIAL, .dir = TP_DIR_PUBLISH, .key = key});
        assert_int_equal(tp_binding_add_topic(pubs[i], "t.msg", &T_Note, NULL, NULL), 0);
        assert_int_equal(tp_binding_peers(pubs[i]), 1);
    }
    assert_true(tp_binding_sender(pubs[0]) != tp_binding_sender(pubs[1]));
    for (int i = 0; i < 100; i++) {
        assert_int_equal(send_msg(pubs[i % 2], 0, i, "hello"), TP_OK);
    }
    pump_until(sub, &in, 100);
    assert_string_equal(in.text, "hello");
    tp_counter_snapshot c;
    tp_binding_snapshot(sub, &c);
    assert_int_equal(c.v[TP_C_RECEIVED], 100);
    assert_int_equal(c.v[TP_C_LOST_GAP], 0);
    assert_int_equal(c.v[TP_C_LINKS_UP], 2);
    tp_topic_snapshot(pubs[0], 0, &c);
    assert_int_equal(c.v[TP_C_SENT], 50);

    /* Dump lines carry every counter. */
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    tp_dump_all(mem);
    fclose(mem);
    assert_non_null(strstr(text, "hale-bus binding url=ipc://"));
    assert_non_null(strstr(text, "dir=subscribe proto=pull0 sealed=1 peers=2"));
    assert_non_null(strstr(text, "hale-bus topic subject=t.msg"));
    assert_non_null(strstr(text, " received=100 "));
    free(text);

    for (int i = 0; i < 2; i++) {
        tp_binding_close(pubs[i], 100);
    }
    tp_binding_close(sub, 0);
}

static void test_fan_out_over_tcp(void **state) {
    (void)state;
    tp_binding *pub = open_ok(&(tp_binding_opts){
        .url = "tcp://127.0.0.1:0", .role = TP_ROLE_LISTEN, .dir = TP_DIR_PUBLISH, .key = key});
    assert_int_equal(tp_binding_add_topic(pub, "t.msg", &T_Note, NULL, NULL), 0);
    const char *bound = tp_binding_bound_url(pub);
    assert_non_null(strstr(bound, "tcp://127.0.0.1:"));
    assert_string_not_equal(bound, "tcp://127.0.0.1:0");
    /* No subscriber yet: nothing to publish to, and that is counted. */
    Note m = {1, HALE_STR_LIT("x")};
    assert_int_equal(tp_send(pub, 0, &m, TP_SEND_DROP), TP_ENOPEER);
    assert_int_equal(tp_send(pub, 0, &m, TP_SEND_NONBLOCK), TP_ENOPEER);

    inbox in[2] = {{0}, {0}};
    tp_binding *subs[2];
    for (int i = 0; i < 2; i++) {
        subs[i] = open_ok(&(tp_binding_opts){
            .url = bound, .role = TP_ROLE_DIAL, .dir = TP_DIR_SUBSCRIBE, .key = key});
        assert_int_equal(tp_binding_add_topic(subs[i], "t.msg", &T_Note, on_msg, &in[i]), 0);
    }
    for (int i = 0; i < 200 && tp_binding_peers(pub) < 2; i++) {
        struct timespec ts = {0, 5000000};
        nanosleep(&ts, NULL);
    }
    assert_int_equal(tp_binding_peers(pub), 2);
    for (int i = 0; i < 50; i++) {
        assert_int_equal(send_msg(pub, 0, i, "fan"), TP_OK);
    }
    for (int i = 0; i < 2; i++) {
        pump_until(subs[i], &in[i], 50);
        assert_int_equal(in[i].last_n, 49);
        tp_binding_close(subs[i], 0);
    }
    tp_counter_snapshot c;
    tp_binding_snapshot(pub, &c);
    assert_int_equal(c.v[TP_C_SEND_DROPPED], 1);
    assert_int_equal(c.v[TP_C_SEND_WAITS], 1);
    assert_int_equal(c.v[TP_C_SENT], 50);
    tp_binding_close(pub, 0);
}

static void test_security_policy(void **state) {
    (void)state;
    tp_binding *b;
    char err[512];
    logbuf[0] = '\0';
    assert_int_equal(tp_binding_open(&b,
                                     &(tp_binding_opts){.url = "tcp://0.0.0.0:0",
                                                        .role = TP_ROLE_LISTEN,
                                                        .dir = TP_DIR_SUBSCRIBE,
                                                        .label = "chat.posted"},
                                     err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "chat.posted"));
    assert_non_null(strstr(err, "insecure = true"));
    b = open_ok(&(tp_binding_opts){.url = "tcp://0.0.0.0:0",
                                   .role = TP_ROLE_LISTEN,
                                   .dir = TP_DIR_SUBSCRIBE,
                                   .insecure = true});
    assert_non_null(strstr(logbuf, "warning"));
    assert_false(tp_binding_sealed(b));
    tp_binding_close(b, 0);
    /* Loopback and ipc may run unsealed without a word. */
    logbuf[0] = '\0';
    b = open_ok(&(tp_binding_opts){
        .url = "tcp://127.0.0.1:0", .role = TP_ROLE_LISTEN, .dir = TP_DIR_SUBSCRIBE});
    assert_string_equal(logbuf, "");
    tp_binding_close(b, 0);
    /* Bad URLs and unreachable peers are birth failures that name the binding. */
    assert_int_equal(
        tp_binding_open(
            &b, &(tp_binding_opts){.url = "udp://x:1", .role = TP_ROLE_DIAL, .dir = TP_DIR_PUBLISH},
            err, sizeof err),
        -1);
    assert_non_null(strstr(err, "unsupported scheme"));
    char url[256];
    ipc_url(url, sizeof url, "nobody.sock");
    assert_int_equal(tp_binding_open(&b,
                                     &(tp_binding_opts){.url = url,
                                                        .role = TP_ROLE_DIAL,
                                                        .dir = TP_DIR_PUBLISH,
                                                        .label = "t.nobody",
                                                        .connect_timeout_ms = 200},
                                     err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "t.nobody"));
    assert_non_null(strstr(err, "within 200 ms"));
    /* Two listeners on one address: the second cannot open. */
    ipc_url(url, sizeof url, "twice.sock");
    tp_binding *first =
        open_ok(&(tp_binding_opts){.url = url, .role = TP_ROLE_LISTEN, .dir = TP_DIR_SUBSCRIBE});
    assert_int_equal(
        tp_binding_open(
            &b, &(tp_binding_opts){.url = url, .role = TP_ROLE_LISTEN, .dir = TP_DIR_SUBSCRIBE},
            err, sizeof err),
        -1);
    assert_non_null(strstr(err, "cannot listen"));
    tp_binding_close(first, 0);
}

static void test_link_events_and_reconnect(void **state) {
    (void)state;
    char url[256];
    ipc_url(url, sizeof url, "links.sock");
    tp_binding_opts lo = {.url = url, .role = TP_ROLE_LISTEN, .dir = TP_DIR_SUBSCRIBE};
    tp_binding *sub = open_ok(&lo);
    tp_binding *pub =
        open_ok(&(tp_binding_opts){.url = url, .role = TP_ROLE_DIAL, .dir = TP_DIR_PUBLISH});
    tp_link_event ev;
    assert_int_equal(tp_binding_next_event(pub, &ev), 1);
    assert_int_equal(ev.kind, TP_LINK_UP);
    assert_int_equal(ev.peers, 1);
    assert_non_null(strstr(ev.peer, "ipc"));
    assert_int_equal(tp_binding_next_event(pub, &ev), 0);

    tp_binding_close(sub, 0);
    for (int i = 0; i < 500 && tp_binding_peers(pub) > 0; i++) {
        struct timespec ts = {0, 2000000};
        nanosleep(&ts, NULL);
    }
    assert_int_equal(tp_binding_next_event(pub, &ev), 1);
    assert_int_equal(ev.kind, TP_LINK_DOWN);
    assert_int_equal(ev.peers, 0);
    tp_binding_add_topic(pub, "t.msg", &T_Note, NULL, NULL);
    Note m = {1, HALE_STR_LIT("x")};
    assert_int_equal(tp_send(pub, 0, &m, TP_SEND_NONBLOCK), TP_ENOPEER);

    sub = open_ok(&lo);
    inbox in = {0};
    tp_binding_add_topic(sub, "t.msg", &T_Note, on_msg, &in);
    assert_int_equal(tp_binding_wait_peer(pub, 5000), 1);
    assert_int_equal(tp_binding_next_event(pub, &ev), 1);
    assert_int_equal(ev.kind, TP_LINK_UP);
    tp_counter_snapshot c;
    tp_binding_snapshot(pub, &c);
    assert_int_equal(c.v[TP_C_RECONNECTS], 1);
    assert_int_equal(c.v[TP_C_LINKS_DOWN], 1);
    /* The number given back after the failed send: the new subscriber sees no gap. */
    assert_int_equal(send_msg(pub, 0, 2, "back"), TP_OK);
    pump_until(sub, &in, 1);
    tp_binding_close(pub, 100);
    tp_binding_close(sub, 0);
}

/* Both ends of a binding sealing with AES-256-GCM (their key file's choice): every message
 * arrives; a publisher whose key file says XChaCha20 (the same key bytes) is refused by name,
 * frame by frame, and counted as a bad seal; a replayed sequence number is still refused. */
static void test_aead_choice_end_to_end(void **state) {
    (void)state;
    if (!tp_aead_available(TP_AEAD_AES256GCM)) {
        skip(); /* no AES instructions: key files refuse aes256gcm on this machine */
    }
    char url[256];
    ipc_url(url, sizeof url, "gcm.sock");
    inbox in = {0};
    tp_binding *sub = open_ok(&(tp_binding_opts){.url = url,
                                                 .role = TP_ROLE_LISTEN,
                                                 .dir = TP_DIR_SUBSCRIBE,
                                                 .key = key,
                                                 .aead = TP_AEAD_AES256GCM});
    tp_binding_add_topic(sub, "t.msg", &T_Note, on_msg, &in);
    tp_binding *pub = open_ok(&(tp_binding_opts){.url = url,
                                                 .role = TP_ROLE_DIAL,
                                                 .dir = TP_DIR_PUBLISH,
                                                 .key = key,
                                                 .aead = TP_AEAD_AES256GCM});
    tp_binding_add_topic(pub, "t.msg", &T_Note, NULL, NULL);
    tp_binding *chacha = open_ok(&(tp_binding_opts){.url = url,
                                                    .role = TP_ROLE_DIAL,
                                                    .dir = TP_DIR_PUBLISH,
                                                    .key = key,
                                                    .aead = TP_AEAD_XCHACHA20POLY1305});
    tp_binding_add_topic(chacha, "t.msg", &T_Note, NULL, NULL);
    logbuf[0] = '\0';
    for (int i = 0; i < 3; i++) {
        assert_int_equal(send_msg(chacha, 0, i, "other aead"), TP_OK);
    }
    for (int i = 0; i < 20; i++) {
        assert_int_equal(send_msg(pub, 0, i, "sealed with gcm"), TP_OK);
    }
    pump_until(sub, &in, 20);
    for (int i = 0; i < 50; i++) {
        tp_binding_pump(sub, region, 64);
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    assert_int_equal(in.count, 20);
    assert_string_equal(in.text, "sealed with gcm");
    tp_counter_snapshot c;
    tp_binding_snapshot(sub, &c);
    assert_int_equal(c.v[TP_C_REJECTED + TP_REJ_BAD_SEAL], 3);
    assert_non_null(strstr(
        logbuf, "frame sealed with xchacha20poly1305 but this end's key file says aes256gcm"));
    tp_binding_close(chacha, 100);
    tp_binding_close(pub, 100);
    tp_binding_close(sub, 0);
}

static void test_mismatches_rejected_and_logged_once(void **state) {
    (void)state;
    char url[256];
    ipc_url(url, sizeof url, "mismatch.sock");
    inbox in = {0};
    tp_binding *sub = open_ok(&(tp_binding_opts){.url = url,
                                                 .role = TP_ROLE_LISTEN,
                                                 .dir = TP_DIR_SUBSCRIBE,
                                                 .key = key,
                                                 .max_frame = 4096});
    tp_binding_add_topic(sub, "t.msg", &T_Note, on_msg, &in);
    tp_binding *wrong = open_ok(&(tp_binding_opts){.url = url,
                                                   .role = TP_ROLE_DIAL,
                                                   .dir = TP_DIR_PUBLISH,
                                                   .key = other_key,
                                                   .max_frame = 1 << 20});
    tp_binding_add_topic(wrong, "t.msg", &T_Note, NULL, NULL);
    tp_binding_add_topic(wrong, "t.other", &T_Note, NULL, NULL);
    tp_binding *honest = open_ok(&(tp_binding_opts){
        .url = url, .role = TP_ROLE_DIAL, .dir = TP_DIR_PUBLISH, .key = key, .max_frame = 1 << 20});
    tp_binding_add_topic(honest, "t.msg", &T_Note, NULL, NULL);
    tp_binding_add_topic(honest, "t.other", &T_Note, NULL, NULL);
    logbuf[0] = '\0';
    for (int i = 0; i < 10; i++) {
        assert_int_equal(send_msg(wrong, 0, i, "forged"), TP_OK);
    }
    assert_int_equal(send_msg(honest, 1, 0, "nobody here subscribes"), TP_OK);
    char big[6000];
    memset(big, 'b', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(send_msg(honest, 0, 0, big), TP_OK); /* past the receiver's 4096 */
    assert_int_equal(send_msg(honest, 0, 1, "fine"), TP_OK);
    pump_until(sub, &in, 1);
    for (int i = 0; i < 50; i++) {
        tp_binding_pump(sub, region, 64);
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    assert_string_equal(in.text, "fine");
    tp_counter_snapshot c;
    tp_binding_snapshot(sub, &c);
    assert_int_equal(c.v[TP_C_REJECTED + TP_REJ_BAD_SEAL], 10);
    assert_int_equal(c.v[TP_C_REJECTED + TP_REJ_UNKNOWN_TOPIC], 1);
    assert_int_equal(c.v[TP_C_REJECTED + TP_REJ_OVERSIZED], 1);
    /* One line per peer per reason, naming the peer and the reason. */
    int lines = 0;
    for (const char *p = logbuf; (p = strstr(p, "bad_seal: authentication failed")); p++) {
        lines++;
    }
    assert_int_equal(lines, 1);
    assert_non_null(strstr(logbuf, "from ipc pid"));
    assert_non_null(strstr(logbuf, "unknown_topic"));
    /* A sender's own limit: a frame past it is never sent. */
    tp_binding *small = open_ok(&(tp_binding_opts){
        .url = url, .role = TP_ROLE_DIAL, .dir = TP_DIR_PUBLISH, .key = key, .max_frame = 1024});
    tp_binding_add_topic(small, "t.msg", &T_Note, NULL, NULL);
    assert_int_equal(send_msg(small, 0, 0, big), TP_ETOOBIG);
    assert_int_equal(tp_send(small, 5, &in, 0), TP_EINVAL);
    tp_binding_close(small, 0);
    tp_binding_close(wrong, 0);
    tp_binding_close(honest, 0);
    tp_binding_close(sub, 0);
}

/* Receiving starts at the first pump or when the fd is asked for, whichever comes first, and
 * starting twice must not arm nng's receive twice (nng would abort). */
static void test_receive_start_order(void **state) {
    (void)state;
    char url[256];
    ipc_url(url, sizeof url, "order.sock");
    inbox in = {0};
    tp_binding *sub =
        open_ok(&(tp_binding_opts){.url = url, .role = TP_ROLE_LISTEN, .dir = TP_DIR_SUBSCRIBE});
    tp_binding_add_topic(sub, "t.msg", &T_Note, on_msg, &in);
    assert_int_equal(tp_binding_pump(sub, region, 8), 0);
    int fd = tp_binding_recv_fd(sub);
    assert_true(fd >= 0);
    assert_int_equal(tp_binding_recv_fd(sub), fd);
    /* Too late to add topics once receiving has started. */
    assert_int_equal(tp_binding_add_topic(sub, "t.late", &T_Note, on_msg, &in), -1);
    tp_binding *pub =
        open_ok(&(tp_binding_opts){.url = url, .role = TP_ROLE_DIAL, .dir = TP_DIR_PUBLISH});
    tp_binding_add_topic(pub, "t.msg", &T_Note, NULL, NULL);
    for (int i = 0; i < 20; i++) {
        assert_int_equal(send_msg(pub, 0, i, "order"), TP_OK);
    }
    /* The runtime's loop asks for the fd again between pumps. */
    for (int i = 0; i < 5000 && in.count < 20; i++) {
        assert_int_equal(tp_binding_recv_fd(sub), fd);
        if (tp_binding_pump(sub, region, 1) == 0) {
            struct timespec ts = {0, 1000000};
            nanosleep(&ts, NULL);
        }
    }
    assert_int_equal(in.count, 20);
    tp_binding_close(pub, 100);
    tp_binding_close(sub, 0);
}

static void test_bus_both_directions(void **state) {
    (void)state;
    char url[256];
    ipc_url(url, sizeof url, "bus.sock");
    inbox a_in = {0}, b_in = {0};
    tp_binding *a = open_ok(
        &(tp_binding_opts){.url = url, .role = TP_ROLE_LISTEN, .dir = TP_DIR_BOTH, .key = key});
    tp_binding_add_topic(a, "t.msg", &T_Note, on_msg, &a_in);
    tp_binding *b = open_ok(
        &(tp_binding_opts){.url = url, .role = TP_ROLE_DIAL, .dir = TP_DIR_BOTH, .key = key});
    tp_binding_add_topic(b, "t.msg", &T_Note, on_msg, &b_in);
    wait_peer(a);
    assert_int_equal(send_msg(a, 0, 1, "from a"), TP_OK);
    assert_int_equal(send_msg(b, 0, 2, "from b"), TP_OK);
    pump_until(a, &a_in, 1);
    pump_until(b, &b_in, 1);
    assert_string_equal(a_in.text, "from b");
    assert_string_equal(b_in.text, "from a");
    tp_binding_close(b, 0);
    tp_binding_close(a, 0);
}

/* Fan-in from two threads at once on one binding, through backpressure: every frame is sent
 * either straight from the sender's thread (nothing queued or in flight) or through the queue,
 * and frames must leave in the order they were numbered. A frame numbered before a wait for room
 * and sent after the other thread's next hundred and more arrived too late for the receiver's
 * replay window and was dropped as a replay. */
enum { ORDER_FRAMES = 3000 };

typedef struct {
    int64_t next[2]; /* the next n expected from each sender */
    int count, out_of_order;
} seq_inbox;

static void on_seq(void *ctx, const tp_delivery *d) {
    seq_inbox *in = ctx;
    const Note *m = d->value;
    int who = m->text.len == 1 && m->text.ptr[0] == 'b';
    in->out_of_order += m->n != in->next[who];
    in->next[who] = m->n + 1;
    in->count++;
}

typedef struct {
    tp_binding *b;
    const char *name;
    int failed;
} sender;

static void *send_seq(void *arg) {
    sender *s = arg;
    for (int64_t i = 0; i < ORDER_FRAMES; i++) {
        s->failed += send_msg(s->b, 0, i, s->name) != TP_OK;
        if (i % 97 == 0) { /* now and then let the link go idle */
            struct timespec ts = {0, 200000};
            nanosleep(&ts, NULL);
        }
    }
    return NULL;
}

static void test_two_senders_keep_order(void **state) {
    (void)state;
    char url[256];
    ipc_url(url, sizeof url, "twosenders.sock");
    seq_inbox in = {{0, 0}, 0, 0};
    tp_binding *sub = open_topic(url, TP_ROLE_LISTEN, TP_DIR_SUBSCRIBE, key, on_seq, &in);
    tp_binding *pub = open_topic(url, TP_ROLE_DIAL, TP_DIR_PUBLISH, key, NULL, NULL);
    sender a = {pub, "a", 0}, b = {pub, "b", 0};
    pthread_t ta, tb;
    assert_int_equal(pthread_create(&ta, NULL, send_seq, &a), 0);
    assert_int_equal(pthread_create(&tb, NULL, send_seq, &b), 0);
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (now = t0; in.count < 2 * ORDER_FRAMES && now.tv_sec - t0.tv_sec < 30;
         clock_gettime(CLOCK_MONOTONIC, &now)) {
        if (tp_binding_pump(sub, region, 64) == 0) {
            struct timespec ts = {0, 100000};
            nanosleep(&ts, NULL);
        }
    }
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    assert_int_equal(a.failed + b.failed, 0);
    assert_int_equal(in.count, 2 * ORDER_FRAMES);
    assert_int_equal(in.out_of_order, 0);
    assert_int_equal(in.next[0], ORDER_FRAMES);
    assert_int_equal(in.next[1], ORDER_FRAMES);
    assert_int_equal(tp_binding_flush(pub, 1000), 0);
    tp_counter_snapshot c;
    tp_topic_snapshot(pub, 0, &c);
    assert_int_equal(c.v[TP_C_SENT], 2 * ORDER_FRAMES);
    assert_int_equal(c.v[TP_C_SEND_DROPPED], 0);
    tp_binding_snapshot(sub, &c);
    assert_int_equal(c.v[TP_C_RECEIVED], 2 * ORDER_FRAMES);
    assert_int_equal(c.v[TP_C_LOST_GAP], 0);
    assert_int_equal(c.v[TP_C_REJECTED + TP_REJ_REPLAYED], 0);
    tp_binding_close(pub, 100);
    tp_binding_close(sub, 0);
}

/* A caller that gives up on a send counts the drop without sending: nothing reaches the
 * subscriber, send_dropped goes up by one, sent stays. */
static void test_count_send_dropped(void **state) {
    (void)state;
    char url[256];
    ipc_url(url, sizeof url, "countdrop.sock");
    inbox in = {0};
    tp_binding *sub = open_topic(url, TP_ROLE_LISTEN, TP_DIR_SUBSCRIBE, NULL, on_msg, &in);
    tp_binding *pub = open_topic(url, TP_ROLE_DIAL, TP_DIR_PUBLISH, NULL, NULL, NULL);
    tp_count_send_dropped(pub, 0);
    assert_int_equal(send_msg(pub, 0, 7, "after"), TP_OK);
    pump_until(sub, &in, 1);
    assert_int_equal(in.last_n, 7);
    tp_counter_snapshot c;
    tp_topic_snapshot(pub, 0, &c);
    assert_int_equal(c.v[TP_C_SEND_DROPPED], 1);
    assert_int_equal(c.v[TP_C_SENT], 1);
    tp_binding_snapshot(pub, &c);
    assert_int_equal(c.v[TP_C_SEND_DROPPED], 1);
    tp_binding_snapshot(sub, &c);
    assert_int_equal(c.v[TP_C_LOST_GAP], 0); /* no number was taken for the dropped one */
    tp_binding_close(pub, 100);
    tp_binding_close(sub, 0);
}

/* bus0 refuses a frame for a moment while its distributor is busy with the last one: a blocking
 * send waits for it rather than returning TP_EAGAIN, so back-to-back sends all go out. (bus0 may
 * still drop some for a receiver that falls behind, as fan-out does: those are counted as gaps
 * when a later frame arrives, so after a last frame sent once the burst has settled, received
 * plus lost covers every frame.) */
static void test_bus_blocking_sends_all_arrive(void **state) {
    (void)state;
    char url[256];
    ipc_url(url, sizeof url, "busblock.sock");
    inbox a_in = {0}, b_in = {0};
    tp_binding *a = open_topic(url, TP_ROLE_LISTEN, TP_DIR_BOTH, NULL, on_msg, &a_in);
    tp_binding *b = open_topic(url, TP_ROLE_DIAL, TP_DIR_BOTH, NULL, on_msg, &b_in);
    wait_peer(a);
    assert_int_equal(tp_binding_recv_fd(a) >= 0, 1); /* receiving starts before the burst */
    for (int i = 0; i < 500; i++) {
        assert_int_equal(send_msg(b, 0, i, "burst"), TP_OK);
    }
    struct timespec settle = {0, 100000000};
    nanosleep(&settle, NULL);
    assert_int_equal(send_msg(b, 0, 500, "last"), TP_OK);
    for (int i = 0; i < 10000 && a_in.last_n != 500; i++) {
        if (tp_binding_pump(a, region, 64) == 0) {
            struct timespec ts = {0, 1000000};
            nanosleep(&ts, NULL);
        }
    }
    assert_int_equal(a_in.last_n, 500);
    tp_counter_snapshot c;
    tp_topic_snapshot(b, 0, &c);
    assert_int_equal(c.v[TP_C_SENT], 501);
    assert_int_equal(c.v[TP_C_SEND_DROPPED], 0);
    tp_binding_snapshot(a, &c);
    assert_int_equal(c.v[TP_C_RECEIVED] + c.v[TP_C_LOST_GAP], 501);
    tp_binding_close(b, 0);
    tp_binding_close(a, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fan_in_over_ipc_sealed),
        cmocka_unit_test(test_fan_out_over_tcp),
        cmocka_unit_test(test_security_policy),
        cmocka_unit_test(test_link_events_and_reconnect),
        cmocka_unit_test(test_mismatches_rejected_and_logged_once),
        cmocka_unit_test(test_aead_choice_end_to_end),
        cmocka_unit_test(test_receive_start_order),
        cmocka_unit_test(test_bus_both_directions),
        cmocka_unit_test(test_two_senders_keep_order),
        cmocka_unit_test(test_count_send_dropped),
        cmocka_unit_test(test_bus_blocking_sends_all_arrive),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
