/* Bounded waits on condition variables: every one the transport waits on runs on the monotonic
 * clock (a wall-clock step neither cuts a wait short nor stretches it), and its deadline is taken
 * on that clock. Internal to the transport, not installed. */
#ifndef HALE_TRANSPORT_DEADLINE_H
#define HALE_TRANSPORT_DEADLINE_H

#include <pthread.h>
#include <time.h>

/* Initialises `cv` to time its waits on CLOCK_MONOTONIC. */
static inline void tp_cond_init(pthread_cond_t *cv) {
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(cv, &ca);
    pthread_condattr_destroy(&ca);
}

/* The monotonic time `ms` from now (now when ms <= 0), for pthread_cond_timedwait. */
static inline struct timespec tp_deadline(int ms) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    if (ms > 0) {
        t.tv_sec += ms / 1000;
        t.tv_nsec += (long)(ms % 1000) * 1000000L;
        if (t.tv_nsec >= 1000000000L) {
            t.tv_sec++;
            t.tv_nsec -= 1000000000L;
        }
    }
    return t;
}

#endif
