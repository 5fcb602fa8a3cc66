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
#include <string.h>

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

void *bus_mem_alloc(size_t size) {
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

void bus_mem_free(void *p) {
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

/* ---- deep copy into one block ---- */

static size_t align_up(size_t n, size_t a) {
    return (n + a - 1) & ~(a - 1);
}

static int64_t bounded_len(const hale_type *t, const void *v) {
    int64_t n;
    memcpy(&n, v, sizeof n);
    if (n < 0) {
        return 0;
    }
    return (uint64_t)n > t->capacity ? (int64_t)t->capacity : n;
}

size_t bus_copy_extra(const hale_type *t, const void *v) {
    if (t->flat) {
        return 0;
    }
    switch (t->kind) {
    case HALE_T_STRING:
    case HALE_T_BYTES: {
        hale_str s;
        memcpy(&s, v, sizeof s);
        return s.len > 0 ? (size_t)s.len : 0;
    }
    case HALE_T_RECORD: {
        size_t n = 0;
        for (size_t i = 0; i < t->nfields; i++) {
            n += bus_copy_extra(t->fields[i].type, (const char *)v + t->fields[i].offset);
        }
        return n;
    }
    case HALE_T_ARRAY: {
        hale_array a;
        memcpy(&a, v, sizeof a);
        if (a.len <= 0) {
            return 0;
        }
        const hale_type *e = t->elem;
        if ((uint64_t)a.len > SIZE_MAX / (e->size ? e->size : 1) / 2) {
            hale_oom(SIZE_MAX, "a bus delivery");
        }
        size_t n = (size_t)a.len * e->size + e->align;
        if (!e->flat) {
            for (int64_t i = 0; i < a.len; i++) {
                n += bus_copy_extra(e, (const char *)a.data + (size_t)i * e->size);
            }
        }
        return n;
    }
    case HALE_T_BOUNDED: {
        size_t n = 0;
        int64_t len = bounded_len(t, v);
        for (int64_t i = 0; i < len; i++) {
            n += bus_copy_extra(t->elem,
                                (const char *)v + t->items_offset + (size_t)i * t->elem->size);
        }
        return n;
    }
    default:
        return 0;
    }
}

static void *take(char **bump, size_t size, size_t align) {
    char *p = (char *)align_up((size_t)(uintptr_t)*bump, align);
    *bump = p + size;
    return p;
}

static void copy_inner(const hale_type *t, void *dst, char **bump);

/* `dst` already holds a shallow copy of the value: re-point its heap parts into `*bump`. */
static void copy_inner(const hale_type *t, void *dst, char **bump) {
    if (t->flat) {
        return;
    }
    switch (t->kind) {
    case HALE_T_STRING:
    case HALE_T_BYTES: {
        hale_str s;
        memcpy(&s, dst, sizeof s);
        if (s.len <= 0) {
            s.ptr = "";
            s.len = 0;
        } else {
            char *p = take(bump, (size_t)s.len, 1);
            memcpy(p, s.ptr, (size_t)s.len);
            s.ptr = p;
        }
        memcpy(dst, &s, sizeof s);
        return;
    }
    case HALE_T_RECORD:
        for (size_t i = 0; i < t->nfields; i++) {
            copy_inner(t->fields[i].type, (char *)dst + t->fields[i].offset, bump);
        }
        return;
    case HALE_T_ARRAY: {
        hale_array a;
        memcpy(&a, dst, sizeof a);
        const hale_type *e = t->elem;
        if (a.len <= 0) {
            a.data = NULL;
            a.len = a.cap = 0;
        } else {
            char *buf = take(bump, (size_t)a.len * e->size, e->align ? e->align : 1);
            memcpy(buf, a.data, (size_t)a.len * e->size);
            for (int64_t i = 0; i < a.len && !e->flat; i++) {
                copy_inner(e, buf + (size_t)i * e->size, bump);
            }
            a.data = buf;
            a.cap = a.len;
        }
        memcpy(dst, &a, sizeof a);
        return;
    }
    case HALE_T_BOUNDED: {
        int64_t len = bounded_len(t, dst);
        for (int64_t i = 0; i < len; i++) {
            copy_inner(t->elem, (char *)dst + t->items_offset + (size_t)i * t->elem->size, bump);
        }
        return;
    }
    default:
        return;
    }
}

void bus_copy(const hale_type *t, void *dst, const void *src, char **bump) {
    memcpy(dst, src, t->size);
    copy_inner(t, dst, bump);
}
