/* Small-object allocation: a region (bump, then one reset per batch) against malloc/free of
 * every object, same sizes, same batch shape: BATCH objects of 16..64 bytes are allocated and
 * written, then all of them are released. */
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"
#include "region.h"

enum { BATCH = 1000, ROUNDS = 5000 };

static size_t size_of(int i) {
    return 16 + (size_t)(i * 7 % 49);
}

static void with_region(void *arg) {
    hale_region *r = arg;
    hale_mark m = hale_region_mark(r);
    int64_t acc = 0;
    for (int round = 0; round < ROUNDS; round++) {
        for (int i = 0; i < BATCH; i++) {
            char *p = hale_region_alloc(r, size_of(i), 8);
            p[0] = (char)i;
            acc += p[0];
        }
        hale_region_reset(r, m);
    }
    bench_sink = acc;
}

static void with_malloc(void *arg) {
    (void)arg;
    static char *ptrs[BATCH];
    int64_t acc = 0;
    for (int round = 0; round < ROUNDS; round++) {
        for (int i = 0; i < BATCH; i++) {
            ptrs[i] = malloc(size_of(i));
            ptrs[i][0] = (char)i;
            acc += ptrs[i][0];
        }
        for (int i = 0; i < BATCH; i++) {
            free(ptrs[i]);
        }
    }
    bench_sink = acc;
}

/* A region per batch (a flow child's lifetime): create, allocate, free. */
static void region_per_batch(void *arg) {
    (void)arg;
    int64_t acc = 0;
    for (int round = 0; round < ROUNDS; round++) {
        hale_region *r = hale_region_new(NULL, "flow");
        for (int i = 0; i < BATCH; i++) {
            char *p = hale_region_alloc(r, size_of(i), 8);
            p[0] = (char)i;
            acc += p[0];
        }
        hale_region_free(r);
    }
    bench_sink = acc;
}

int main(void) {
    hale_region *r = hale_region_new(NULL, "bench");
    with_region(r); /* warm */
    bench_report("region_alloc_reset", bench_best(7, with_region, r));
    bench_report("region_alloc_new_free", bench_best(7, region_per_batch, NULL));
    bench_report("malloc_free", bench_best(7, with_malloc, NULL));
    hale_region_free(r);
    return 0;
}
