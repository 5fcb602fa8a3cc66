/* A lock for a container that loci on several pools call directly (a shared `@form`). It lives
 * in the owning locus's region, so it goes away with the locus: a mutex that nobody holds needs
 * no destruction on Linux, and nothing else is attached to it. */
#ifndef HALE_RUNTIME_SHARED_LOCK_H
#define HALE_RUNTIME_SHARED_LOCK_H

#include <pthread.h>

#include "region.h"

typedef struct hale_shared_lock {
    pthread_mutex_t mu;
} hale_shared_lock;

static inline hale_shared_lock *hale_shared_lock_new(hale_region *owner) {
    hale_shared_lock *l = hale_region_alloc(owner, sizeof *l, _Alignof(hale_shared_lock));
    pthread_mutex_init(&l->mu, NULL);
    return l;
}

static inline void hale_shared_lock_take(hale_shared_lock *l) {
    pthread_mutex_lock(&l->mu);
}

static inline void hale_shared_lock_give(hale_shared_lock *l) {
    pthread_mutex_unlock(&l->mu);
}

#endif
