/* Memory for deliveries: size-class blocks with per-thread caches.
 *
 * A delivery is allocated on the publisher's thread and freed on the subscriber's, once per
 * message, so the allocator must be cheap, thread-safe across that hand-off, and never a system
 * allocation in steady state (std::diag::heap_alloc_count must stay flat while a program just
 * passes messages). Blocks are carved from standard region chunks (chunk.h) into power-of-two
 * classes from 64 bytes to 32 KiB; each thread keeps a small stack per class and trades half of
 * it with a global stack (mutex, whole batches at once) when it runs dry or overflows, so the
 * producer-allocates / consumer-frees pattern costs one lock per batch. Larger deliveries get a
 * dedicated chunk of their own. Carved memory stays with the bus (bounded by the peak number of
 * deliveries in flight, which the mailbox caps bound). */
#include <pthread.h>

#include "bus_impl.h"
#include "chunk.h"
#include "fatal.h"

#define NCLASS 10 /* 64 << 0 .. 64 << 9 = 32 KiB */
#define MIN_SHIFT 6
#define HDR 16
#define LARGE_CLASS 0xffffu
#define MAGIC 0xb05b10c5u

typedef struct blk {
    uint32_t cls;
    uint32_t magic;
    union {
        struct blk *next;  /* in a free stack */
        hale_chunk *chunk; /* LARGE_CLASS: its dedicated chunk */
    } u;
} blk;

_Static_assert(sizeof(blk) == HDR, "block header is 16 bytes");

/* A batch on the global stack: a chain of `n` blocks; the link to the next batch lives in the
 * first block's payload. */
typedef struct {
    blk *next_batch;
    int n;
} batch_link;

static struct {
    pthread_mutex_t lock;
    blk *batches[NCLASS];
} global = {.lock = PTHREAD_MUTEX_INITIALIZER};

typedef struct {
    blk *head[NCLASS];
    int n[NCLASS];
    bool registered;
} cache_t;

static _Thread_local cache_t cache;
static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static size_t class_size(int c) {
    return (size_t)1 << (MIN_SHIFT + c);
}

/* Blocks a thread keeps per class before giving half back: about 256 KiB, 8..512 blocks. */
static int class_max(int c) {
    size_t n = ((size_t)256 * 1024) / class_size(c);
    return n < 8 ? 8 : n > 512 ? 512 : (int)n;
}

static int class_of(size_t total) {
    if (total <= 64) {
        return 0;
    }
    int bits = 64 - __builtin_clzll((unsigned long long)(total - 1));
    int c = bits - MIN_SHIFT;
    return c < NCLASS ? c : -1;
}

/* Gives `n` blocks from the head of the thread's stack to the global stack as one batch. */
static void give_batch(int c, int n) {
    blk *first = cache.head[c];
    blk *last = first;
    for (int i = 1; i < n; i++) {
        last = last->u.next;
    }
    cache.head[c] = last->u.next;
    cache.n[c] -= n;
    last->u.next = NULL;
    batch_link *bl = (batch_link *)((char *)first + HDR);
    bl->n = n;
    pthread_mutex_lock(&global.lock);
    bl->next_batch = global.batches[c];
    global.batches[c] = first;
    pthread_mutex_unlock(&global.lock);
}

static void cache_flush(void *unused) {
    (void)unused;
    for (int c = 0; c < NCLASS; c++) {
        if (cache.n[c] > 0) {
            give_batch(c, cache.n[c]);
        }
    }
    cache.registered = false;
}

static void make_key(void) {
    if (pthread_key_create(&cache_key, cache_flush) != 0) {
        hale_fatal("bus: cannot create the block cache key");
    }
}

static void cache_register(void) {
    if (!cache.registered) {
        pthread_once(&cache_once, make_key);
        pthread_setspecific(cache_key, &cache);
        cache.registered = true;
    }
}

/* The thread's stack for class c is empty: take a batch, or carve a chunk. */
static void refill(int c) {
    cache_register();
    pthread_mutex_lock(&global.lock);
    blk *b = global.batches[c];
    if (b) {
        batch_link *bl = (batch_link *)((char *)b + HDR);
        global.batches[c] = bl->next_batch;
        pthread_mutex_unlock(&global.lock);
        cache.head[c] = b;
        cache.n[c] = bl->n;
        return;
    }
    pthread_mutex_unlock(&global.lock);
    hale_chunk *ch = hale_chunk_get();
    size_t sz = class_size(c);
    char *data = hale_chunk_data(ch);
    /* blocks start on a cache line: a 64-byte delivery is one line, not two */
    char *base = (char *)(((uintptr_t)data + 63) & ~(uintptr_t)63);
    size_t n = (ch->cap - (size_t)(base - data)) / sz;
    if (n == 0) {
        hale_fatal("bus: block class %zu does not fit a chunk", sz);
    }
    for (size_t i = 0; i < n; i++) {
        blk *nb = (blk *)(base + i * sz);
        nb->cls = (uint32_t)c;
        nb->magic = MAGIC;
        nb->u.next = cache.head[c];
        cache.head[c] = nb;
    }
    cache.n[c] += (int)n;
}

void *hbus_mem_alloc(size_t size) {
    if (size > SIZE_MAX - HDR) {
        hale_oom(size, "a bus delivery");
    }
    size_t total = size + HDR;
    int c = class_of(total);
    if (c < 0) {
        hale_chunk *ch = hale_chunk_get_large(total);
        blk *b = (blk *)hale_chunk_data(ch);
        b->cls = LARGE_CLASS;
        b->magic = MAGIC;
        b->u.chunk = ch;
        return (char *)b + HDR;
    }
    if (!cache.head[c]) {
        refill(c);
    }
    blk *b = cache.head[c];
    cache.head[c] = b->u.next;
    cache.n[c]--;
    return (char *)b + HDR;
}

void hbus_mem_free(void *p) {
    if (!p) {
        return;
    }
    blk *b = (blk *)((char *)p - HDR);
    if (b->magic != MAGIC) {
        hale_fatal("bus: freeing a block the bus did not allocate");
    }
    if (b->cls == LARGE_CLASS) {
        hale_chunk_put(b->u.chunk);
        return;
    }
    int c = (int)b->cls;
    b->u.next = cache.head[c];
    cache.head[c] = b;
    if (++cache.n[c] > class_max(c)) {
        cache_register();
        give_batch(c, cache.n[c] / 2);
    }
}
