/* The link event queue (see link.h). */
#include "link.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "deadline.h"
#include "region.h"

int tp_links_init(tp_links *l) {
    memset(l, 0, sizeof *l);
    l->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (l->efd < 0) {
        return -1;
    }
    pthread_mutex_init(&l->mu, NULL);
    tp_cond_init(&l->changed);
    return 0;
}

void tp_links_fini(tp_links *l) {
    close(l->efd);
    pthread_mutex_destroy(&l->mu);
    pthread_cond_destroy(&l->changed);
    hale_sys_free(l->pipes);
    hale_sys_free(l->names);
}

/* Caller holds mu. */
static void push(tp_links *l, tp_link_kind kind, const char *peer) {
    if (l->len == TP_LINK_QUEUE) {
        l->head = (l->head + 1) % TP_LINK_QUEUE;
        l->len--;
        l->dropped++;
    }
    tp_link_event *ev = &l->ring[(l->head + l->len) % TP_LINK_QUEUE];
    ev->kind = kind;
    ev->peers = l->npipes;
    snprintf(ev->peer, sizeof ev->peer, "%s", peer);
    l->len++;
    uint64_t one = 1;
    if (write(l->efd, &one, sizeof one) < 0 && errno != EAGAIN) {
        /* The counter cannot overflow in practice; nothing else can fail. */
    }
    pthread_cond_broadcast(&l->changed);
}

static int grow(tp_links *l) {
    int cap = l->cap ? l->cap * 2 : 8;
    uint32_t *p = hale_sys_realloc(l->pipes, (size_t)cap * sizeof *p);
    if (!p) {
        return -1;
    }
    l->pipes = p;
    char(*n)[TP_PEER_MAX] = hale_sys_realloc(l->names, (size_t)cap * sizeof *n);
    if (!n) {
        return -1;
    }
    l->names = n;
    l->cap = cap;
    return 0;
}

int tp_links_up(tp_links *l, uint32_t pipe, const char *peer) {
    pthread_mutex_lock(&l->mu);
    if (l->npipes < l->cap || grow(l) == 0) {
        l->pipes[l->npipes] = pipe;
        snprintf(l->names[l->npipes], TP_PEER_MAX, "%s", peer);
        l->npipes++;
    }
    l->ups++;
    push(l, TP_LINK_UP, peer);
    int n = l->npipes;
    pthread_mutex_unlock(&l->mu);
    return n;
}

int tp_links_down(tp_links *l, uint32_t pipe, char peer[TP_PEER_MAX]) {
    pthread_mutex_lock(&l->mu);
    int found = 0;
    for (int i = 0; i < l->npipes; i++) {
        if (l->pipes[i] == pipe) {
            char name[TP_PEER_MAX];
            memcpy(name, l->names[i], TP_PEER_MAX);
            l->npipes--;
            l->pipes[i] = l->pipes[l->npipes];
            memcpy(l->names[i], l->names[l->npipes], TP_PEER_MAX);
            push(l, TP_LINK_DOWN, name);
            if (peer) {
                memcpy(peer, name, TP_PEER_MAX);
            }
            found = 1;
            break;
        }
    }
    pthread_mutex_unlock(&l->mu);
    return found;
}

int tp_links_pop(tp_links *l, tp_link_event *ev) {
    pthread_mutex_lock(&l->mu);
    int got = 0;
    if (l->len > 0) {
        *ev = l->ring[l->head];
        l->head = (l->head + 1) % TP_LINK_QUEUE;
        l->len--;
        got = 1;
    }
    if (l->len == 0) {
        uint64_t drain;
        if (read(l->efd, &drain, sizeof drain) < 0 && errno != EAGAIN) {
            /* nothing pending: fine */
        }
    }
    pthread_mutex_unlock(&l->mu);
    return got;
}

void tp_links_name(tp_links *l, uint32_t pipe, char peer[TP_PEER_MAX]) {
    pthread_mutex_lock(&l->mu);
    snprintf(peer, TP_PEER_MAX, "unknown peer");
    for (int i = 0; i < l->npipes; i++) {
        if (l->pipes[i] == pipe) {
            memcpy(peer, l->names[i], TP_PEER_MAX);
            break;
        }
    }
    pthread_mutex_unlock(&l->mu);
}

int tp_links_fd(const tp_links *l) {
    return l->efd;
}

int tp_links_peers(tp_links *l) {
    return atomic_load(&l->npipes);
}

uint64_t tp_links_dropped(tp_links *l) {
    pthread_mutex_lock(&l->mu);
    uint64_t n = l->dropped;
    pthread_mutex_unlock(&l->mu);
    return n;
}

int tp_links_wait_up(tp_links *l, int timeout_ms) {
    struct timespec until = tp_deadline(timeout_ms);
    pthread_mutex_lock(&l->mu);
    int rc = 0;
    while (l->npipes == 0 && !l->closed && timeout_ms != 0) {
        rc = timeout_ms < 0 ? pthread_cond_wait(&l->changed, &l->mu)
                            : pthread_cond_timedwait(&l->changed, &l->mu, &until);
        if (rc == ETIMEDOUT) {
            break;
        }
    }
    int up = l->npipes > 0 && !l->closed;
    pthread_mutex_unlock(&l->mu);
    return up;
}

void tp_links_close(tp_links *l) {
    pthread_mutex_lock(&l->mu);
    l->closed = true;
    pthread_cond_broadcast(&l->changed);
    pthread_mutex_unlock(&l->mu);
}
