/* Chunks: the unit of memory regions are built from.
 *
 * Standard chunks are HALE_CHUNK_SIZE bytes and recycled through a process-wide pool fronted by a
 * small per-thread cache, so a region that is created and freed per connection or per method call
 * costs no system allocation in steady state. Allocations too big for a standard chunk get a
 * dedicated chunk of their own, which goes straight back to the system when released. */
#ifndef HALE_RUNTIME_CHUNK_H
#define HALE_RUNTIME_CHUNK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct hale_chunk {
    struct hale_chunk *next;
    size_t cap;   /* usable bytes after the header */
    int standard; /* 1: pool-recycled HALE_CHUNK_SIZE chunk; 0: dedicated */
    /* payload follows, 16-byte aligned */
} hale_chunk;

#define HALE_CHUNK_HEADER ((sizeof(hale_chunk) + 15) & ~(size_t)15)

static inline char *hale_chunk_data(hale_chunk *c) {
    return (char *)c + HALE_CHUNK_HEADER;
}

/* A standard chunk, from this thread's cache, the global pool, or the system. */
hale_chunk *hale_chunk_get(void);

/* A dedicated chunk with at least `payload` usable bytes. */
hale_chunk *hale_chunk_get_large(size_t payload);

/* Returns a chunk (standard or dedicated) for reuse or release. */
void hale_chunk_put(hale_chunk *c);

/* Pool counters since start: standard chunks served from a thread cache (hits) or from the
 * system (misses), cache refills from the global pool, standard chunks given back (returns),
 * chunks freed to the system because the pool was full (released), dedicated chunks made (large),
 * and standard chunks currently idle in the global pool (thread caches not included). Standard
 * chunks held by regions are hits + misses - returns; large_live_bytes is the payload of the
 * dedicated chunks held by regions. */
typedef struct {
    int64_t hits;
    int64_t misses;
    int64_t refills;
    int64_t returns;
    int64_t released;
    int64_t large;
    int64_t idle;
    int64_t large_live_bytes;
} hale_chunk_stats;

hale_chunk_stats hale_chunk_pool_stats(void);

/* One line with the counters and the hit rate. */
void hale_chunk_pool_stats_print(FILE *f);

/* Arms the HALE_CHUNK_POOL_STATS=1 exit report (idempotent; also done on first chunk use). */
void hale_chunk_pool_stats_from_env(void);

#endif
