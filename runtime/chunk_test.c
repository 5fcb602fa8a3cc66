/* The chunk pool across threads: chunks a thread frees are reused by others, a thread's cache
 * goes back to the pool when the thread exits (together with its own scratch), and regions are
 * born, nested and freed from several threads at once (run under TSan: label `thread`). */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "chunk.h"
#include "region.h"

enum { REGIONS = 20 };

static void *churn_then_exit(void *arg) {
    (void)arg;
    hale_region *rs[REGIONS];
    for (int i = 0; i < REGIONS; i++) {
        rs[i] = hale_region_new(NULL, "worker");
        memset(hale_alloc(rs[i], 1000), 1, 1000);
    }
    for (int i = 0; i < REGIONS; i++) {
        hale_region_free(rs[i]);
    }
    /* the thread's own scratch is freed by a thread-exit destructor too */
    hale_scratch *s = hale_scratch_current();
    for (int i = 0; i < 3; i++) {
        memset(hale_alloc(hale_scratch_side(s, 0), 40000), 2, 40000);
    }
    return NULL;
}

static void test_thread_exit_flushes_cache(void **state) {
    (void)state;
    hale_chunk_stats before = hale_chunk_pool_stats();
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, churn_then_exit, NULL), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    hale_chunk_stats after = hale_chunk_pool_stats();
    /* Every chunk the thread took (from the pool or the system) is back in the pool. */
    assert_int_equal(after.idle - before.idle, after.misses - before.misses);
    assert_true(after.idle >= REGIONS);

    /* ... and this thread now builds the same regions without one system allocation. */
    int64_t allocs = hale_diag_heap_alloc_count();
    hale_region *rs[REGIONS];
    for (int i = 0; i < REGIONS; i++) {
        rs[i] = hale_region_new(NULL, "main");
        memset(hale_alloc(rs[i], 1000), 3, 1000);
    }
    assert_int_equal(hale_diag_heap_alloc_count() - allocs, 0);
    for (int i = 0; i < REGIONS; i++) {
        hale_region_free(rs[i]);
    }
}

/* Regions made on one thread and freed on another: the chunks land in the freeing thread's
 * cache and are reused from there. */
static hale_region *handoff[64];

static void *free_handoff(void *arg) {
    (void)arg;
    for (int i = 0; i < 64; i++) {
        hale_region_free(handoff[i]);
    }
    return NULL;
}

static void test_free_on_another_thread(void **state) {
    (void)state;
    for (int i = 0; i < 64; i++) {
        handoff[i] = hale_region_new(NULL, "handoff");
        memset(hale_alloc(handoff[i], 30000), 4, 30000);
    }
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, free_handoff, NULL), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    hale_chunk_stats s = hale_chunk_pool_stats();
    assert_true(s.idle >= 64);
}

/* Several threads add and remove children of one shared parent while the parent lives. */
static hale_region *shared_root;

static void *children_churn(void *arg) {
    uintptr_t id = (uintptr_t)arg;
    for (int round = 0; round < 200; round++) {
        hale_region *mine[8];
        for (int i = 0; i < 8; i++) {
            mine[i] = hale_region_new(shared_root, "child");
            hale_region *grand = hale_region_new(mine[i], "grandchild");
            memset(hale_alloc(grand, 256), (int)id, 256);
        }
        for (int i = 0; i < 8; i++) {
            hale_region_free(mine[i]); /* frees the grandchild first */
        }
    }
    return NULL;
}

static void test_concurrent_children(void **state) {
    (void)state;
    shared_root = hale_region_new(NULL, "shared");
    pthread_t t[4];
    for (uintptr_t i = 0; i < 4; i++) {
        assert_int_equal(pthread_create(&t[i], NULL, children_churn, (void *)i), 0);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
    }
    hale_gen g = hale_region_generation(shared_root);
    hale_region_free(shared_root);
    assert_false(hale_region_alive(shared_root, g));
}

/* A freed large chunk is kept per thread and handed back for a payload it fits well; one far
 * too big for the payload, or past the keep limit, is not. */
static void test_large_spares(void **state) {
    (void)state;
    hale_chunk *a = hale_chunk_get_large(100000);
    assert_true(a->cap >= 100000);
    hale_chunk_put(a);
    hale_chunk *b = hale_chunk_get_large(90000);
    assert_ptr_equal(a, b); /* reused */
    hale_chunk *c = hale_chunk_get_large(10000);
    assert_ptr_not_equal(c, b);
    hale_chunk_put(b);
    hale_chunk *d = hale_chunk_get_large(20000); /* b would waste more than half */
    assert_ptr_not_equal(d, b);
    hale_chunk_put(c);
    hale_chunk_put(d);
    hale_chunk *huge = hale_chunk_get_large((size_t)4 << 20);
    hale_chunk_put(huge); /* past the keep limit: back to the system (ASan sees a leak if not) */
    hale_chunk *e = hale_chunk_get_large(95000);
    assert_ptr_equal(e, b);
    hale_chunk_put(e);
}

/* After a burst: the thread's cache keeps its reserve, the pool frees beyond its own, and the
 * chunks freed are counted as released to the system. */
static void test_trim_after_burst(void **state) {
    (void)state;
    enum { BURST = 200 };
    hale_chunk *held[BURST];
    for (int i = 0; i < BURST; i++) {
        held[i] = hale_chunk_get();
    }
    for (int i = 0; i < BURST; i++) {
        hale_chunk_put(held[i]);
    }
    hale_chunk_cache_trim(2);
    hale_chunk_stats before = hale_chunk_pool_stats();
    assert_true(before.idle >= BURST - 32 - 2);
    int64_t freed = hale_chunk_pool_trim(10);
    hale_chunk_stats after = hale_chunk_pool_stats();
    assert_int_equal(after.idle, 10);
    assert_int_equal(freed, before.idle - 10);
    assert_int_equal(after.released - before.released, freed);
    assert_int_equal(hale_chunk_pool_trim(10), 0);
    hale_chunk *c = hale_chunk_get(); /* the reserve still serves */
    hale_chunk_put(c);
}

static void test_stats_line(void **state) {
    (void)state;
    char buf[512] = {0};
    FILE *f = fmemopen(buf, sizeof buf - 1, "w");
    assert_non_null(f);
    hale_chunk_pool_stats_print(f);
    fclose(f);
    assert_non_null(strstr(buf, "hale: chunk pool: "));
    assert_non_null(strstr(buf, "hit_rate="));
    assert_non_null(strstr(buf, "misses="));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_thread_exit_flushes_cache),
        cmocka_unit_test(test_free_on_another_thread),
        cmocka_unit_test(test_concurrent_children),
        cmocka_unit_test(test_large_spares),
        cmocka_unit_test(test_trim_after_burst),
        cmocka_unit_test(test_stats_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
