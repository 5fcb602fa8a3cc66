/* Bounded socket close (see closer.h). */
#include "closer.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "deadline.h"
#include "region.h"

typedef struct {
    nng_socket sock;
    void (*after)(void *);
    void *arg;
    pthread_mutex_t mu;
    pthread_cond_t done_cv;
    bool done;      /* nng_close and `after` returned */
    bool abandoned; /* the caller stopped waiting: the thread frees this */
} tp_closing;

static atomic_bool reaper_stuck;

static void closing_free(tp_closing *c) {
    pthread_cond_destroy(&c->done_cv);
    pthread_mutex_destroy(&c->mu);
    hale_sys_free(c);
}

static void *close_thread(void *arg) {
    tp_closing *c = arg;
    nng_close(c->sock);
    atomic_store(&reaper_stuck, false); /* nng finished a close: it is going (again) */
    if (c->after) {
        c->after(c->arg);
    }
    pthread_mutex_lock(&c->mu);
    c->done = true;
    bool abandoned = c->abandoned;
    pthread_cond_signal(&c->done_cv);
    pthread_mutex_unlock(&c->mu);
    if (abandoned) {
        closing_free(c);
    }
    return NULL;
}

/* Without a thread (or the memory for one) there is nothing to bound the wait with. */
static int close_inline(nng_socket sock, void (*after)(void *), void *arg) {
    nng_close(sock);
    if (after) {
        after(arg);
    }
    return 0;
}

int tp_close_socket(nng_socket sock, void (*after)(void *), void *arg, int wait_ms) {
    tp_closing *c = hale_sys_calloc(1, sizeof *c);
    if (!c) {
        return close_inline(sock, after, arg);
    }
    *c = (tp_closing){.sock = sock, .after = after, .arg = arg};
    pthread_mutex_init(&c->mu, NULL);
    tp_cond_init(&c->done_cv);
    pthread_t t;
    if (pthread_create(&t, NULL, close_thread, c) != 0) {
        closing_free(c);
        return close_inline(sock, after, arg);
    }
    struct timespec until = tp_deadline(atomic_load(&reaper_stuck) ? 0 : wait_ms);
    pthread_mutex_lock(&c->mu);
    while (!c->done && pthread_cond_timedwait(&c->done_cv, &c->mu, &until) == 0) {
    }
    bool done = c->done;
    c->abandoned = !done;
    pthread_mutex_unlock(&c->mu);
    if (!done) {
        atomic_store(&reaper_stuck, true);
        pthread_detach(t);
        return -1;
    }
    pthread_join(t, NULL);
    closing_free(c);
    return 0;
}
