/* See chunk.h. The global pool is a mutex-protected stack; each thread keeps up to
 * CACHE_MAX chunks of its own and trades them with the pool in batches, so the mutex is taken
 * once per CACHE_BATCH chunks at most. A thread's cache returns to the pool when it exits. The
 * pool keeps at most POOL_MAX idle chunks; beyond that, chunks go back to the system so a burst
 * does not pin memory forever. */
#include "chunk.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "fatal.h"
#include "region.h"

#define CACHE_MAX 32
#define CACHE_BATCH 16
#define POOL_MAX 4096 /* 256 MiB of idle standard chunks */

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static hale_chunk *pool_head;
static int64_t pool_count;

static _Atomic int64_t stat_hits;
static _Atomic int64_t stat_misses;

typedef struct {
    hale_chunk *items[CACHE_MAX];
    int count;
    int registered;
} chunk_cache;

static _Thread_local chunk_cache cache;
static pthread_key_t cache_key;
static pthread_once_t cache_key_once = PTHREAD_ONCE_INIT;

static void pool_push_locked(hale_chunk *c) {
    c->next = pool_head;
    pool_head = c;
    pool_count++;
}

static void cache_flush(void *unused) {
    (void)unused;
    pthread_mutex_lock(&pool_lock);
    while (cache.count > 0) {
        hale_chunk *c = cache.items[--cache.count];
        if (pool_count < POOL_MAX) {
            pool_push_locked(c);
        } else {
            hale_sys_free(c);
        }
    }
    pthread_mutex_unlock(&pool_lock);
}

static void make_key(void) {
    if (pthread_key_create(&cache_key, cache_flush) != 0) {
        hale_fatal("cannot create the chunk cache key");
    }
}

/* Registers the thread-exit flush the first time a thread touches its cache. The key's value
 * only needs to be non-NULL for the destructor to run. */
static void cache_register(void) {
    if (!cache.registered) {
        pthread_once(&cache_key_once, make_key);
        pthread_setspecific(cache_key, &cache);
        cache.registered = 1;
    }
}

static hale_chunk *new_system_chunk(void) {
    hale_chunk *c = hale_sys_malloc(HALE_CHUNK_SIZE);
    if (!c) {
        hale_oom(HALE_CHUNK_SIZE, "a region chunk");
    }
    c->cap = HALE_CHUNK_SIZE - HALE_CHUNK_HEADER;
    c->standard = 1;
    c->next = NULL;
    return c;
}

hale_chunk *hale_chunk_get(void) {
    if (cache.count == 0) {
        cache_register();
        pthread_mutex_lock(&pool_lock);
        while (cache.count < CACHE_BATCH && pool_head) {
            hale_chunk *c = pool_head;
            pool_head = c->next;
            pool_count--;
            cache.items[cache.count++] = c;
        }
        pthread_mutex_unlock(&pool_lock);
    }
    hale_chunk *c;
    if (cache.count > 0) {
        c = cache.items[--cache.count];
        atomic_fetch_add_explicit(&stat_hits, 1, memory_order_relaxed);
    } else {
        c = new_system_chunk();
        atomic_fetch_add_explicit(&stat_misses, 1, memory_order_relaxed);
    }
    c->next = NULL;
    return c;
}

hale_chunk *hale_chunk_get_large(size_t payload) {
    if (payload > SIZE_MAX - HALE_CHUNK_HEADER) {
        hale_oom(payload, "a large region allocation");
    }
    hale_chunk *c = hale_sys_malloc(HALE_CHUNK_HEADER + payload);
    if (!c) {
        hale_oom(payload, "a large region allocation");
    }
    c->cap = payload;
    c->standard = 0;
    c->next = NULL;
    return c;
}

void hale_chunk_put(hale_chunk *c) {
    if (!c->standard) {
        hale_sys_free(c);
        return;
    }
    if (cache.count == CACHE_MAX) {
        cache_register();
        pthread_mutex_lock(&pool_lock);
        while (cache.count > CACHE_MAX - CACHE_BATCH) {
            hale_chunk *old = cache.items[--cache.count];
            if (pool_count < POOL_MAX) {
                pool_push_locked(old);
            } else {
                hale_sys_free(old);
            }
        }
        pthread_mutex_unlock(&pool_lock);
    }
    cache_register();
    cache.items[cache.count++] = c;
}

hale_chunk_stats hale_chunk_pool_stats(void) {
    hale_chunk_stats s;
    s.hits = atomic_load_explicit(&stat_hits, memory_order_relaxed);
    s.misses = atomic_load_explicit(&stat_misses, memory_order_relaxed);
    pthread_mutex_lock(&pool_lock);
    s.idle = pool_count;
    pthread_mutex_unlock(&pool_lock);
    return s;
}
