/* Receiving: one nng receive aio runs the first stage of the receive pipeline (size, header,
 * seal, topic, replay window, fingerprint) on nng's thread as each frame arrives, and queues the
 * frames that pass; the receiver's loop pumps the queue, decoding payloads into its own region
 * and delivering them (the second stage). Decryption thus overlaps with decoding and delivery,
 * and nng keeps reading while the loop works (pull0 alone holds one frame per peer until the
 * application takes it).
 *
 * The queue is bounded (TP_QUEUE_FRAMES, TP_QUEUE_BYTES). When it is full the aio is not re-armed
 * until the pump has drained it to half, so a slow receiver pushes back on nng, the kernel
 * socket buffers and finally the publisher (fan-in), or makes its pub/sub queue overflow into
 * counted gaps (fan-out). The pump side's fd is an eventfd, readable while frames are queued.
 *
 * Receiving starts when the receive fd is first asked for (or at the first pump), which the
 * runtime does after adding its topics, so no frame that arrives during boot is judged against a
 * half-registered topic table: it waits in nng and the kernel until then. */
#include "binding_impl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "log.h"

static bool full(const tp_rxq *q) {
    return q->len == q->cap || q->bytes >= TP_QUEUE_BYTES;
}

static bool low(const tp_rxq *q) {
    return q->len <= q->cap / 2 && q->bytes <= TP_QUEUE_BYTES / 2;
}

/* Caller holds mu. */
static void set_ready(tp_rxq *q, bool ready) {
    uint64_t v = 1;
    if (ready) {
        if (write(q->ready_fd, &v, sizeof v) < 0) {
            /* cannot overflow: reset whenever the queue empties */
        }
    } else if (read(q->ready_fd, &v, sizeof v) < 0 && errno != EAGAIN) {
        /* was not set */
    }
}

void tp_log_reject(tp_binding *b, uint32_t pipe, const tp_rx_reject *rej) {
    char peer[TP_PEER_MAX];
    tp_links_name(&b->links, pipe, peer);
    const char *what = rej->topic >= 0 ? b->topics[rej->topic].subject : b->label;
    const char *reason = tp_reject_name(rej->why);
    bool note_full;
    pthread_mutex_lock(&b->rejlog_mu);
    bool first = tp_rejlog_first(&b->rejlog, peer, rej->why, &note_full);
    pthread_mutex_unlock(&b->rejlog_mu);
    if (first) {
        tp_log("%s: dropped a frame from %s on %s: %s: %s (further %s frames from this peer are "
               "counted, not logged)",
               what, peer, b->bound, reason, rej->detail, reason);
    } else if (note_full) {
        tp_log("%s: too many rejecting peers on %s; further ones are counted, not logged", b->label,
               b->bound);
    }
}

/* Runs on nng's thread for every frame nng hands over. */
static void rx_done(void *arg) {
    tp_binding *b = arg;
    tp_rxq *q = &b->rxq;
    int rv = nng_aio_result(q->aio);
    if (rv == NNG_ECLOSED || rv == NNG_ECANCELED) {
        pthread_mutex_lock(&q->mu);
        q->closed = true;
        q->armed = false;
        set_ready(q, true);
        pthread_mutex_unlock(&q->mu);
        return;
    }
    tp_ready e = {.msg = NULL};
    if (rv == 0) {
        e.msg = nng_aio_get_msg(q->aio);
        nng_aio_set_msg(q->aio, NULL);
        tp_rx_reject rej;
        if (tp_rx_check(&b->rx, nng_msg_body(e.msg), nng_msg_len(e.msg), &e.c, &rej) != 0) {
            tp_log_reject(b, nng_pipe_id(nng_msg_get_pipe(e.msg)), &rej);
            nng_msg_free(e.msg);
            e.msg = NULL;
        }
    }
    pthread_mutex_lock(&q->mu);
    if (e.msg) {
        q->ring[(q->head + q->len) % q->cap] = e;
        q->len++;
        q->bytes += nng_msg_len(e.msg);
        if (q->len == 1) {
            set_ready(q, true);
        }
    }
    bool again = !full(q) && !q->closed;
    q->armed = again;
    pthread_mutex_unlock(&q->mu);
    if (again) {
        nng_recv_aio(b->sock, q->aio);
    }
}

int tp_rxq_init(tp_binding *b) {
    tp_rxq *q = &b->rxq;
    q->ready_fd = -1;
    if (!b->can_recv) {
        return 0;
    }
    q->cap = TP_QUEUE_FRAMES;
    q->ring = hale_sys_calloc(q->cap, sizeof *q->ring);
    q->ready_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (!q->ring || q->ready_fd < 0 || nng_aio_alloc(&q->aio, rx_done, b) != 0) {
        hale_sys_free(q->ring);
        if (q->ready_fd >= 0) {
            close(q->ready_fd);
        }
        return -1;
    }
    pthread_mutex_init(&q->mu, NULL);
    q->ready = true;
    return 0;
}

void tp_rxq_start(tp_binding *b) {
    tp_rxq *q = &b->rxq;
    pthread_mutex_lock(&q->mu);
    bool start = !q->started && !q->closed;
    q->started = true;
    if (start) {
        q->armed = true;
    }
    pthread_mutex_unlock(&q->mu);
    if (start) {
        b->rx.ntopics = atomic_load(&b->ntopics);
        nng_recv_aio(b->sock, q->aio);
    }
}

size_t tp_rxq_length(tp_binding *b) {
    if (!b->can_recv) {
        return 0;
    }
    pthread_mutex_lock(&b->rxq.mu);
    size_t n = b->rxq.len;
    pthread_mutex_unlock(&b->rxq.mu);
    return n;
}

void tp_rxq_fini(tp_binding *b) {
    tp_rxq *q = &b->rxq;
    if (!q->ready) {
        return;
    }
    nng_aio_free(q->aio); /* waits for rx_done */
    if (q->len > 0) {     /* counted too, but the binding's counters go with it */
        tp_log("%s: %zu frames received on %s and not yet delivered when the binding closed were "
               "discarded",
               b->label, q->len, b->url);
    }
    while (q->len > 0) {
        tp_ready e = q->ring[q->head];
        q->head = (q->head + 1) % q->cap;
        q->len--;
        tp_count(&b->counters, TP_C_DISCARDED, 1);
        tp_count(&b->topics[e.c.topic].counters, TP_C_DISCARDED, 1);
        nng_msg_free(e.msg);
    }
    hale_sys_free(q->ring);
    close(q->ready_fd);
    pthread_mutex_destroy(&q->mu);
}

/* Takes the oldest queued frame. Returns 1, 0 when the queue is empty, -1 when closed. */
static int take(tp_binding *b, tp_ready *e) {
    tp_rxq *q = &b->rxq;
    pthread_mutex_lock(&q->mu);
    if (q->len == 0) {
        int rc = q->closed ? -1 : 0;
        if (!q->closed) {
            set_ready(q, false);
        }
        pthread_mutex_unlock(&q->mu);
        return rc;
    }
    *e = q->ring[q->head];
    q->head = (q->head + 1) % q->cap;
    q->len--;
    q->bytes -= nng_msg_len(e->msg);
    bool rearm = !q->armed && !q->closed && low(q);
    if (rearm) {
        q->armed = true;
    }
    pthread_mutex_unlock(&q->mu);
    if (rearm) {
        nng_recv_aio(b->sock, q->aio);
    }
    return 1;
}

int tp_binding_pump(tp_binding *b, hale_region *r, int budget) {
    if (!b->can_recv) {
        return 0;
    }
    if (!b->rxq.started) {
        tp_rxq_start(b);
    }
    int delivered = 0;
    for (int i = 0; i < budget; i++) {
        tp_ready e;
        int rc = take(b, &e);
        if (rc <= 0) {
            return rc < 0 && delivered == 0 ? -1 : delivered;
        }
        tp_delivery d;
        tp_rx_reject rej;
        if (tp_rx_decode(&b->rx, &e.c, r, &d, &rej) != 0) {
            tp_log_reject(b, nng_pipe_id(nng_msg_get_pipe(e.msg)), &rej);
        } else {
            tp_topic *t = &b->topics[d.topic];
            if (t->deliver) {
                t->deliver(t->ctx, &d);
            }
            delivered++;
        }
        nng_msg_free(e.msg);
    }
    return delivered;
}

int tp_binding_recv_fd(tp_binding *b) {
    if (!b->can_recv) {
        return -1;
    }
    tp_rxq_start(b);
    return b->rxq.ready_fd;
}
