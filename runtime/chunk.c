/* See chunk.h. The global pool is a mutex-protected stack; each thread keeps up to
 * CACHE_MAX chunks of its own and trades them with the pool in batches, so the mutex is taken
 * once per CACHE_BATCH chunks at most. A thread's cache returns to the pool when it exits. The
 * pool keeps at most POOL_MAX idle chunks; beyond that, chunks go back to the system so a burst
 * does not pin memory forever.
 *
 * Large chunks (one allocation bigger than a standard chunk) go to the system, except that each
 * thread keeps up to LARGE_KEEP of them (each at most LARGE_KEEP_MAX) as spares: a receiver that
 * decodes one 64 KiB message per region otherwise frees and re-faults the same block on every
 * message, because the allocator trims the top of the heap each time.
 *
 * HALE_CHUNK_POOL_STATS=1 prints the counters at exit. They are process-wide relaxed atomics,
 * bumped only on region slow paths (a new chunk or a freed one), never per allocation. */
#include "chunk.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fatal.h"
#include "region.h"
#include "sanitize.h"

/* Under AddressSanitizer an idle chunk's payload is poisoned: a read of memory a region has
 * given back (a reference that outlived its region) is reported where it happens instead of
 * reading whatever the next owner of the chunk wrote. */
#ifdef HALE_ASAN
#define IDLE(c) ASAN_POISON_MEMORY_REGION(hale_chunk_data(c), (c)->cap)
#define BUSY(c) ASAN_UNPOISON_MEMORY_REGION(hale_chunk_data(c), (c)->cap)
#else
#define IDLE(c) ((void)(c))
#define BUSY(c) ((void)(c))
#endif

#define CACHE_MAX 32
#define CACHE_BATCH 16
#define POOL_MAX 4096 /* 256 MiB of idle standard chunks */
#define LARGE_KEEP 2
#define LARGE_KEEP_MAX ((size_t)1 << 20)

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static hale_chunk *pool_head;
static int64_t pool_count;

static _Atomic int64_t stat_hits;
static _Atomic int64_t stat_misses;
static _Atomic int64_t stat_refills;
static _Atomic int64_t stat_returns;
static _Atomic int64_t stat_released;
static _Atomic int64_t stat_large;
static _Atomic int64_t stat_large_live; /* bytes of dedicated chunks handed out, not yet put */

static inline void bump_stat(_Atomic int64_t *c) {
    atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

typedef struct {
    hale_chunk *items[CACHE_MAX];
    int count;
    int registered;
    hale_chunk *spare[LARGE_KEEP]; /* large chunks kept for reuse, NULL when empty */
} chunk_cache;

static _Thread_local chunk_cache cache;
static pthread_key_t cache_key;
static pthread_once_t cache_key_once = PTHREAD_ONCE_INIT;

static void pool_push_locked(hale_chunk *c) {
    c->dirty = 1;
    c->next = pool_head;
    pool_head = c;
    pool_count++;
}

/* Gives one chunk back to the pool, or to the system when the pool is full. */
static void pool_give_locked(hale_chunk *c) {
    if (pool_count < POOL_MAX) {
        pool_push_locked(c);
    } else {
        hale_sys_free(c);
        bump_stat(&stat_released);
    }
}

/* Thread exit. Other thread-exit destructors (a thread's own scratch) may still free regions
 * after this ran: clearing `registered` makes the next put re-arm the key, and the threads
 * library runs destructors again for keys set during destruction. */
static void cache_flush(void *unused) {
    (void)unused;
    pthread_mutex_lock(&pool_lock);
    while (cache.count > 0) {
        pool_give_locked(cache.items[--cache.count]);
    }
    pthread_mutex_unlock(&pool_lock);
    for (int i = 0; i < LARGE_KEEP; i++) {
        hale_sys_free(cache.spare[i]);
        cache.spare[i] = NULL;
    }
    cache.registered = 0;
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
        hale_chunk_pool_stats_from_env();
        cache_register();
        pthread_mutex_lock(&pool_lock);
        while (cache.count < CACHE_BATCH && pool_head) {
            hale_chunk *c = pool_head;
            pool_head = c->next;
            pool_count--;
            cache.items[cache.count++] = c;
        }
        pthread_mutex_unlock(&pool_lock);
        if (cache.count > 0) {
            bump_stat(&stat_refills);
        }
    }
    hale_chunk *c;
    if (cache.count > 0) {
        c = cache.items[--cache.count];
        bump_stat(&stat_hits);
    } else {
        c = new_system_chunk();
        bump_stat(&stat_misses);
    }
    c->next = NULL;
    BUSY(c);
    return c;
}

/* A kept spare that fits `payload` without wasting more than half of itself, or NULL. */
static hale_chunk *take_spare(size_t payload) {
    for (int i = 0; i < LARGE_KEEP; i++) {
        hale_chunk *c = cache.spare[i];
        if (c && c->cap >= payload && c->cap / 2 <= payload) {
            cache.spare[i] = NULL;
            return c;
        }
    }
    return NULL;
}

/* Keeps a freed large chunk as a spare (replacing the smaller one when full). Returns 0 when
 * it is not kept. */
static int keep_spare(hale_chunk *c) {
    if (c->cap > LARGE_KEEP_MAX) {
        return 0;
    }
    cache_register();
    int slot = 0;
    for (int i = 0; i < LARGE_KEEP; i++) {
        if (!cache.spare[i]) {
            slot = i;
            break;
        }
        if (cache.spare[i]->cap < cache.spare[slot]->cap) {
            slot = i;
        }
    }
    hale_sys_free(cache.spare[slot]);
    cache.spare[slot] = c;
    return 1;
}

hale_chunk *hale_chunk_get_large(size_t payload) {
    if (payload > SIZE_MAX - HALE_CHUNK_HEADER) {
        hale_oom(payload, "a large region allocation");
    }
    hale_chunk *c = take_spare(payload);
    if (c) {
        BUSY(c);
    } else {
        c = hale_sys_malloc(HALE_CHUNK_HEADER + payload);
        if (!c) {
            hale_oom(payload, "a large region allocation");
        }
        c->cap = payload;
    }
    c->standard = 0;
    c->next = NULL;
    bump_stat(&stat_large);
    atomic_fetch_add_explicit(&stat_large_live, (int64_t)c->cap, memory_order_relaxed);
    return c;
}

void hale_chunk_put(hale_chunk *c) {
    IDLE(c);
    if (!c->standard) {
        atomic_fetch_sub_explicit(&stat_large_live, (int64_t)c->cap, memory_order_relaxed);
        if (!keep_spare(c)) {
            hale_sys_free(c);
        }
        return;
    }
    bump_stat(&stat_returns);
    if (cache.count == CACHE_MAX) {
        pthread_mutex_lock(&pool_lock);
        while (cache.count > CACHE_MAX - CACHE_BATCH) {
            pool_give_locked(cache.items[--cache.count]);
        }
        pthread_mutex_unlock(&pool_lock);
    }
    cache_register();
    cache.items[cache.count++] = c;
}

/* The whole pages of a chunk's payload go back to the system; the chunk stays allocated (its
 * header page is kept) and faults in zero pages when it is used again. */
static void release_pages(hale_chunk *c) {
    uintptr_t ps = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t lo = ((uintptr_t)c + HALE_CHUNK_HEADER + ps - 1) & ~(ps - 1);
    uintptr_t hi = ((uintptr_t)c + HALE_CHUNK_HEADER + c->cap) & ~(ps - 1);
    if (hi > lo) {
        madvise((void *)lo, hi - lo, MADV_DONTNEED);
    }
}

void hale_chunk_cache_trim(int keep) {
    if (cache.count > keep) {
        pthread_mutex_lock(&pool_lock);
        while (cache.count > keep) {
            pool_give_locked(cache.items[--cache.count]);
        }
        pthread_mutex_unlock(&pool_lock);
    }
    for (int i = 0; i < LARGE_KEEP; i++) {
        hale_sys_free(cache.spare[i]);
        cache.spare[i] = NULL;
    }
}

int64_t hale_chunk_pool_trim(int64_t keep) {
    hale_chunk *drop = NULL;
    int64_t n = 0;
    pthread_mutex_lock(&pool_lock);
    while (pool_count > keep) {
        hale_chunk *c = pool_head;
        pool_head = c->next;
        pool_count--;
        c->next = drop;
        drop = c;
        n++;
    }
    for (hale_chunk *c = pool_head; c; c = c->next) {
        if (c->dirty) {
            release_pages(c); /* the reserve keeps its address space, not its pages */
            c->dirty = 0;
        }
    }
    pthread_mutex_unlock(&pool_lock);
    while (drop) { /* outside the lock: free can take a while */
        hale_chunk *next = drop->next;
        hale_sys_free(drop);
        bump_stat(&stat_released);
        drop = next;
    }
    return n;
}

hale_chunk_stats hale_chunk_pool_stats(void) {
    hale_chunk_stats s;
    s.hits = atomic_load_explicit(&stat_hits, memory_order_relaxed);
    s.misses = atomic_load_explicit(&stat_misses, memory_order_relaxed);
    s.refills = atomic_load_explicit(&stat_refills, memory_order_relaxed);
    s.returns = atomic_load_explicit(&stat_returns, memory_order_relaxed);
    s.released = atomic_load_explicit(&stat_released, memory_order_relaxed);
    s.large = atomic_load_explicit(&stat_large, memory_order_relaxed);
    s.large_live_bytes = atomic_load_explicit(&stat_large_live, memory_order_relaxed);
    pthread_mutex_lock(&pool_lock);
    s.idle = pool_count;
    pthread_mutex_unlock(&pool_lock);
    return s;
}

void hale_chunk_pool_stats_print(FILE *f) {
    hale_chunk_stats s = hale_chunk_pool_stats();
    int64_t served = s.hits + s.misses;
    double rate = served ? 100.0 * (double)s.hits / (double)served : 0.0;
    fprintf(f,
            "hale: chunk pool: served=%lld hits=%lld misses=%lld hit_rate=%.1f%% refills=%lld "
            "returns=%lld released_to_system=%lld idle=%lld (%lld KiB) large=%lld\n",
            (long long)served, (long long)s.hits, (long long)s.misses, rate, (long long)s.refills,
            (long long)s.returns, (long long)s.released, (long long)s.idle,
            (long long)(s.idle * (int64_t)(HALE_CHUNK_SIZE / 1024)), (long long)s.large);
    fflush(f);
}

static void print_at_exit(void) {
    hale_chunk_pool_stats_print(stderr);
}

static void stats_knob(void) {
    const char *v = getenv("HALE_CHUNK_POOL_STATS");
    if (v && v[0] && strcmp(v, "0") != 0) {
        atexit(print_at_exit);
    }
}

void hale_chunk_pool_stats_from_env(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, stats_knob);
}
