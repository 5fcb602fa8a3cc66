/* Memory back after a burst.
 *
 * A burst of connections leaves the process holding what it needed at the peak: each pool's
 * cache of coroutine stacks (a stack's touched pages stay resident), each thread's cache of
 * region chunks, the shared chunk pool, and the C heap's free space. Every pool runs this every
 * TRIM_INTERVAL on its own thread, which owns its caches: finished coroutines (each with its
 * scratch region) and idle stacks beyond STACK_KEEP are freed and unmapped, the kept stacks'
 * pages given back, and the chunk cache keeps CHUNK_CACHE_KEEP. The main pool also
 * frees the shared pool's idle chunks beyond CHUNK_POOL_KEEP and asks the allocator to give
 * its free pages back (malloc_trim, which madvises free space inside the heap too). What is kept
 * is a reserve for the next burst; a steady load reuses it and never reaches the system. */
#include <malloc.h>

#include "chunk.h"
#include "sched_impl.h"
#include "stack.h"

#define TRIM_INTERVAL 2.0
#define STACK_KEEP 16
#define CHUNK_CACHE_KEEP 4
#define CHUNK_POOL_KEEP 8
#define HEAP_SLACK ((size_t)128 << 10) /* free heap space worth a malloc_trim */

static void trim_cb(struct ev_loop *loop, ev_timer *w, int revents) {
    (void)loop;
    (void)revents;
    hale_pool *p = w->data;
    hale_co_cache_trim(p, STACK_KEEP);
    hale_stack_cache_trim(&p->stacks, STACK_KEEP);
    hale_chunk_cache_trim(CHUNK_CACHE_KEEP);
    if (p->kind == HALE_POOL_MAIN) {
        int64_t freed = hale_chunk_pool_trim(CHUNK_POOL_KEEP);
        struct mallinfo2 mi = mallinfo2();
        if (freed > 0 || mi.fordblks > HEAP_SLACK) {
            malloc_trim(0);
        }
    }
}

void hale_trim_start(hale_pool *p) {
    ev_timer_init(&p->trim_timer, trim_cb, TRIM_INTERVAL, TRIM_INTERVAL);
    p->trim_timer.data = p;
    ev_timer_start(p->loop, &p->trim_timer);
    ev_unref(p->loop); /* the trim alone never keeps a loop running */
}

void hale_trim_stop(hale_pool *p) {
    ev_ref(p->loop);
    ev_timer_stop(p->loop, &p->trim_timer);
}
