/* Sending: build the frame in an nng message (encoded and sealed in place), then hand it over.
 *
 * pub0 and bus0 never wait for a slow peer (they drop for it, and the receiver counts the gap),
 * so their frames go straight to nng_sendmsg; bus0 may still refuse one for a moment, until its
 * distributor is ready for the next, and a blocking send then waits on nng's send fd. push0
 * (fan-in) carries backpressure, and there a queue of our own sits in front of nng: a bounded ring
 * of frames (TP_QUEUE_FRAMES, TP_QUEUE_BYTES) fed by tp_send and drained by one nng send aio whose
 * completion, on nng's thread, submits the next frame. That keeps the link busy without the
 * sender's thread waking per frame (nng's own SENDBUF would too). A frame sent while nothing is
 * queued or in flight is first offered to nng without blocking, from the sender's thread: an idle
 * link has a pipe waiting for it, and the hand-off then costs no wake of nng's callback thread (a
 * request/response round trip pays two such wakes otherwise). Unlike nng's buffer, the queue says
 * exactly what is still queued: closing can wait until everything has left, and what cannot leave
 * is counted as dropped and logged rather than vanishing with the socket. A full queue is
 * backpressure: TP_EAGAIN, and the send fd (an eventfd, readable while there is room) tells `or
 * wait` publishers when to try again.
 */
#include "binding_impl.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "deadline.h"
#include "log.h"
#include "tx.h"

/* ---- the push queue ---- */

static bool full(const tp_txq *q) {
    return q->len == q->cap || q->bytes >= TP_QUEUE_BYTES;
}

/* Keeps room_fd readable exactly while the queue has room. Caller holds mu. */
static void update_room(tp_txq *q) {
    uint64_t v = 1;
    if (full(q) && q->room_set) {
        q->room_set = read(q->room_fd, &v, sizeof v) < 0 && errno != EAGAIN;
    } else if (!full(q) && !q->room_set) {
        q->room_set = write(q->room_fd, &v, sizeof v) == (ssize_t)sizeof v;
    }
}

static void count_out(tp_binding *b, int topic, tp_counter_id which, size_t len) {
    tp_count(&b->counters, which, 1);
    tp_count(&b->topics[topic].counters, which, 1);
    if (which == TP_C_SENT) {
        tp_count(&b->counters, TP_C_SENT_BYTES, (int64_t)len);
        tp_count(&b->topics[topic].counters, TP_C_SENT_BYTES, (int64_t)len);
    }
}

/* The frame in flight was handed to a pipe (rv 0) or failed: counts it and starts the next one
 * queued, if any. */
static void in_flight_done(tp_binding *b, int rv) {
    tp_txq *q = &b->tx;
    pthread_mutex_lock(&q->mu);
    count_out(b, q->in_flight, rv != 0 ? TP_C_SEND_DROPPED : TP_C_SENT, q->in_flight_len);
    if (q->len == 0 || q->closing) {
        q->busy = false;
        pthread_cond_broadcast(&q->idle);
        pthread_mutex_unlock(&q->mu);
        return;
    }
    tp_queued next = q->ring[q->head];
    q->head = (q->head + 1) % q->cap;
    q->len--;
    q->bytes -= nng_msg_len(next.msg);
    q->in_flight = next.topic;
    q->in_flight_len = nng_msg_len(next.msg);
    update_room(q);
    pthread_cond_broadcast(&q->idle);
    pthread_mutex_unlock(&q->mu);
    nng_aio_set_msg(q->aio, next.msg);
    nng_send_aio(b->sock, q->aio);
}

/* Runs on nng's thread when the frame sent through the aio was handed to a pipe (or failed). */
static void tx_done(void *arg) {
    tp_binding *b = arg;
    tp_txq *q = &b->tx;
    int rv = nng_aio_result(q->aio);
    if (rv != 0) {
        nng_msg_free(nng_aio_get_msg(q->aio));
        nng_aio_set_msg(q->aio, NULL);
    }
    in_flight_done(b, rv);
}

int tp_txq_init(tp_binding *b) {
    tp_txq *q = &b->tx;
    q->room_fd = -1;
    if (b->proto != PROTO_PUSH) {
        return 0;
    }
    q->cap = TP_QUEUE_FRAMES;
    q->ring = hale_sys_calloc(q->cap, sizeof *q->ring);
    q->room_fd = eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC);
    q->room_set = true;
    if (!q->ring || q->room_fd < 0 || nng_aio_alloc(&q->aio, tx_done, b) != 0) {
        hale_sys_free(q->ring);
        if (q->room_fd >= 0) {
            close(q->room_fd);
        }
        return -1;
    }
    pthread_mutex_init(&q->mu, NULL);
    tp_cond_init(&q->idle);
    q->ready = true;
    return 0;
}

static int enqueue(tp_binding *b, nng_msg *m, int topic) {
    tp_txq *q = &b->tx;
    pthread_mutex_lock(&q->mu);
    if (q->closing) {
        pthread_mutex_unlock(&q->mu);
        return TP_ECLOSED;
    }
    if (!q->busy) {
        q->busy = true;
        q->in_flight = topic;
        q->in_flight_len = nng_msg_len(m);
        pthread_mutex_unlock(&q->mu);
        /* An idle link usually has a pipe waiting for a frame: hand it over from this thread.
         * Only when none is ready does the aio wait for one (its completion runs on nng's
         * thread, one more thread to wake per frame). */
        if (nng_sendmsg(b->sock, m, NNG_FLAG_NONBLOCK) == 0) {
            in_flight_done(b, 0);
            return TP_OK;
        }
        nng_aio_set_msg(q->aio, m);
        nng_send_aio(b->sock, q->aio);
        return TP_OK;
    }
    if (full(q)) {
        pthread_mutex_unlock(&q->mu);
        return TP_EAGAIN;
    }
    q->ring[(q->head + q->len) % q->cap] = (tp_queued){m, topic};
    q->len++;
    q->bytes += nng_msg_len(m);
    update_room(q);
    pthread_mutex_unlock(&q->mu);
    return TP_OK;
}

/* Blocks until the queue has room, up to the send timeout. Returns 0 or TP_ETIMEDOUT. */
static int wait_room(tp_binding *b) {
    tp_txq *q = &b->tx;
    struct timespec until = tp_deadline(b->send_timeout_ms);
    int rc = 0;
    pthread_mutex_lock(&q->mu);
    while (full(q) && !q->closing && rc == 0) {
        rc = b->send_timeout_ms > 0 ? pthread_cond_timedwait(&q->idle, &q->mu, &until)
                                    : pthread_cond_wait(&q->idle, &q->mu);
    }
    pthread_mutex_unlock(&q->mu);
    return rc == 0 ? 0 : TP_ETIMEDOUT;
}

/* bus0 takes a frame only while its distributor is ready for one (nng's send fd readable), so a
 * blocking send waits for that, up to the send timeout. Returns 0 or TP_ETIMEDOUT. */
static int wait_sendable(tp_binding *b) {
    if (b->nng_send_fd < 0) {
        return TP_ETIMEDOUT;
    }
    struct pollfd p = {.fd = b->nng_send_fd, .events = POLLIN};
    int rc;
    do {
        rc = poll(&p, 1, b->send_timeout_ms > 0 ? b->send_timeout_ms : -1);
    } while (rc < 0 && errno == EINTR);
    return rc > 0 ? 0 : TP_ETIMEDOUT;
}

size_t tp_txq_length(tp_binding *b) {
    if (!b->tx.ready) {
        return 0;
    }
    pthread_mutex_lock(&b->tx.mu);
    size_t n = b->tx.len + (b->tx.busy ? 1 : 0);
    pthread_mutex_unlock(&b->tx.mu);
    return n;
}

/* Waits (mu held) until nothing is queued or in flight, or `until`. Returns true when drained. */
static bool wait_drained(tp_txq *q, const struct timespec *until) {
    int rc = 0;
    while ((q->len > 0 || q->busy) && rc == 0) {
        rc = pthread_cond_timedwait(&q->idle, &q->mu, until);
    }
    return q->len == 0 && !q->busy;
}

int tp_binding_flush(tp_binding *b, int timeout_ms) {
    tp_txq *q = &b->tx;
    if (!q->ready) {
        return 0;
    }
    struct timespec until = tp_deadline(timeout_ms);
    pthread_mutex_lock(&q->mu);
    bool drained = wait_drained(q, &until);
    pthread_mutex_unlock(&q->mu);
    return drained ? 0 : -1;
}

void tp_txq_drain(tp_binding *b, int linger_ms) {
    tp_txq *q = &b->tx;
    if (!q->ready) {
        if (linger_ms > 0 && b->can_send) { /* pub0/bus0 give no signal: a short grace */
            int ms = linger_ms < 100 ? linger_ms : 100;
            struct timespec ts = {0, (long)ms * 1000000L};
            nanosleep(&ts, NULL);
        }
        return;
    }
    struct timespec until = tp_deadline(linger_ms);
    pthread_mutex_lock(&q->mu);
    bool drained = wait_drained(q, &until);
    q->closing = true;
    pthread_mutex_unlock(&q->mu);
    /* Handed to the pipe is not yet written: push0 raises its send fd once the pipe is ready for
     * more, i.e. the last frame has gone to the kernel. */
    if (drained && linger_ms > 0 && b->nng_send_fd >= 0 && tp_links_peers(&b->links) > 0) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long left = (until.tv_sec - now.tv_sec) * 1000 + (until.tv_nsec - now.tv_nsec) / 1000000;
        struct pollfd p = {.fd = b->nng_send_fd, .events = POLLIN};
        poll(&p, 1, left > 0 ? (int)left : 0);
    }
}

void tp_txq_fini(tp_binding *b) {
    tp_txq *q = &b->tx;
    if (!q->ready) {
        return;
    }
    /* A frame still in flight when the link went away: stopping the aio cancels it, and when
     * tx_done is not run for the cancelled send the message is still ours to free. */
    nng_aio_stop(q->aio);
    if (nng_aio_result(q->aio) != 0 && nng_aio_get_msg(q->aio)) {
        nng_msg_free(nng_aio_get_msg(q->aio));
        nng_aio_set_msg(q->aio, NULL);
    }
    nng_aio_free(q->aio);
    size_t dropped = q->len;
    while (q->len > 0) {
        tp_queued e = q->ring[q->head];
        q->head = (q->head + 1) % q->cap;
        q->len--;
        count_out(b, e.topic, TP_C_SEND_DROPPED, 0);
        nng_msg_free(e.msg);
    }
    if (dropped) {
        tp_log("%s: %zu frames still queued for %s when the binding closed were dropped", b->label,
               dropped, b->url);
    }
    hale_sys_free(q->ring);
    close(q->room_fd);
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->idle);
}

/* ---- tp_send ---- */

const char *tp_strerror(int code) {
    switch (code) {
    case TP_OK:
        return "ok";
    case TP_EAGAIN:
        return "backpressure (send queue full)";
    case TP_ENOPEER:
        return "no live link";
    case TP_ETIMEDOUT:
        return "send timed out";
    case TP_ECLOSED:
        return "binding closed";
    case TP_EENCODE:
        return "value cannot be encoded";
    case TP_ETOOBIG:
        return "frame larger than max_frame";
    case TP_EINVAL:
        return "no such topic, or binding does not publish";
    default:
        return "transport error";
    }
}

/* Counts a send that did not happen: a wait when the caller will retry, else a drop. */
/* Counts one on the binding and, when known, the topic. */
static void count_send(tp_binding *b, tp_topic *t, tp_counter_id which) {
    tp_count(&b->counters, which, 1);
    if (t) {
        tp_count(&t->counters, which, 1);
    }
}

static int refused(tp_binding *b, tp_topic *t, int code, int flags) {
    bool retry = (code == TP_EAGAIN || code == TP_ENOPEER) && !(flags & TP_SEND_DROP);
    count_send(b, t, retry ? TP_C_SEND_WAITS : TP_C_SEND_DROPPED);
    return code;
}

/* A link must exist for a send to mean anything; a blocking send waits for one. */
static int need_peer(tp_binding *b, tp_topic *t, int flags) {
    if (tp_links_peers(&b->links) > 0) {
        return 0;
    }
    if (!(flags & TP_SEND_BLOCK)) {
        return TP_ENOPEER;
    }
    count_send(b, t, TP_C_SEND_WAITS);
    int wait = b->send_timeout_ms > 0 ? b->send_timeout_ms : -1;
    return tp_links_wait_up(&b->links, wait) ? 0 : TP_ETIMEDOUT;
}

static void log_once(tp_binding *b, int ti, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void log_once(tp_binding *b, int ti, const char *fmt, ...) {
    if (atomic_exchange(&b->encode_logged[ti], true)) {
        return;
    }
    char line[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    tp_log("%s", line);
}

static int build(tp_binding *b, int ti, const void *value, uint8_t flags, uint64_t key_hash,
                 uint64_t seq, nng_msg **out) {
    tp_topic *t = &b->topics[ti];
    size_t plen, flen;
    tp_codec_err err;
    if (tp_tx_size(t->type, value, b->sealed, &plen, &flen, &err) != 0) {
        char line[300];
        tp_codec_err_format(&err, line, sizeof line);
        log_once(b, ti, "%s: cannot send a value: %s", t->subject, line);
        return TP_EENCODE;
    }
    if (flen > b->max_frame) {
        log_once(b, ti, "%s: a %zu-byte frame is larger than max_frame (%zu) on %s", t->subject,
                 flen, b->max_frame, b->url);
        return TP_ETOOBIG;
    }
    if (nng_msg_alloc(out, flen) != 0) {
        return TP_EIO;
    }
    tp_header h = {.flags = flags,
                   .topic = t->wire_id,
                   .fingerprint = t->type->fingerprint,
                   .key = key_hash,
                   .sender = b->sender,
                   .seq = seq};
    if (tp_tx_write(nng_msg_body(*out), &h, t->type, value, plen, b->sealed ? b->key : NULL,
                    b->aead, b->seal, &err) != 0) {
        nng_msg_free(*out);
        return TP_EENCODE;
    }
    return 0;
}

/* Hands a built frame to nng without waiting. Returns TP_OK (the message consumed) or an
 * error. */
static int hand_over(tp_binding *b, nng_msg *m, int ti) {
    if (b->proto == PROTO_PUSH) {
        return enqueue(b, m, ti);
    }
    size_t len = nng_msg_len(m);
    int rv = nng_sendmsg(b->sock, m, NNG_FLAG_NONBLOCK);
    if (rv == 0) {
        count_out(b, ti, TP_C_SENT, len);
        return TP_OK;
    }
    return rv == NNG_ECLOSED ? TP_ECLOSED : rv == NNG_EAGAIN ? TP_EAGAIN : TP_EIO;
}

/* Numbers, builds and hands over one frame, under the topic's send lock: the receiver's replay
 * window takes a frame that arrives more than TP_REPLAY_WINDOW numbers late for a replay, so
 * frames must leave in the order they were numbered, whichever threads send them. The number is
 * used up only by a frame that was handed over, so one that fails leaves no gap. */
static int send_once(tp_binding *b, int ti, const void *value, uint8_t hflags, uint64_t key_hash) {
    tp_topic *t = &b->topics[ti];
    pthread_mutex_lock(&b->send_mu[ti]);
    uint64_t seq = t->next_seq;
    nng_msg *m;
    int rc = build(b, ti, value, hflags, key_hash, seq, &m);
    if (rc == 0 && (rc = hand_over(b, m, ti)) != TP_OK) {
        nng_msg_free(m);
    }
    if (rc == TP_OK) {
        t->next_seq = seq + 1;
    }
    pthread_mutex_unlock(&b->send_mu[ti]);
    return rc;
}

static int send_frame(tp_binding *b, int ti, const void *value, uint8_t hflags, uint64_t key_hash,
                      int flags) {
    if (!b->can_send || ti < 0 || (size_t)ti >= atomic_load(&b->ntopics)) {
        return refused(b, NULL, TP_EINVAL, flags);
    }
    tp_topic *t = &b->topics[ti];
    int rc = need_peer(b, t, flags);
    if (rc != 0) {
        return refused(b, t, rc, flags);
    }
    /* A full queue makes a blocking send wait for room outside the lock, then build again: the
     * frame's number is only taken when it can leave. */
    bool waited = false;
    while ((rc = send_once(b, ti, value, hflags, key_hash)) == TP_EAGAIN &&
           (flags & TP_SEND_BLOCK)) {
        if (!waited) {
            count_send(b, t, TP_C_SEND_WAITS);
            waited = true;
        }
        if ((b->proto == PROTO_PUSH ? wait_room(b) : wait_sendable(b)) != 0) {
            rc = TP_ETIMEDOUT;
            break;
        }
    }
    return rc == TP_OK ? TP_OK : refused(b, t, rc, flags);
}

void tp_count_send_dropped(tp_binding *b, int topic) {
    bool known = topic >= 0 && (size_t)topic < atomic_load(&b->ntopics);
    count_send(b, known ? &b->topics[topic] : NULL, TP_C_SEND_DROPPED);
}

int tp_send(tp_binding *b, int topic, const void *value, int flags) {
    return send_frame(b, topic, value, 0, 0, flags);
}

int tp_send_keyed(tp_binding *b, int topic, const void *value, uint64_t key_hash, int flags) {
    return send_frame(b, topic, value, TP_FLAG_KEYED, key_hash, flags);
}

int tp_binding_send_fd(tp_binding *b) {
    return b->proto == PROTO_PUSH ? b->tx.room_fd : b->nng_send_fd;
}
