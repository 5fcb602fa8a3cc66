#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "heap.h"

static void test_class_sizes(void **state) {
    (void)state;
    size_t prev = 0;
    for (size_t n = 1; n <= HALE_HEAP_SMALL_MAX; n++) {
        size_t c = hale_heap_class_size(n);
        assert_true(c >= n);
        assert_int_equal(c % 16, 0);
        assert_true(c >= prev); /* monotonic */
        if (n > 128) {
            assert_true(c - n < n / 4 + 1); /* at most a quarter wasted */
        }
        prev = c;
    }
    assert_int_equal(hale_heap_class_size(HALE_HEAP_SMALL_MAX + 1), HALE_HEAP_SMALL_MAX + 1);
}

static void test_free_then_reuse(void **state) {
    (void)state;
    hale_region *r = hale_region_new(NULL, "heap");
    hale_heap h;
    hale_heap_init(&h, r);
    char *a = hale_heap_alloc(&h, 100);
    assert_int_equal((uintptr_t)a % 16, 0);
    assert_int_equal(h.live_bytes, 112);
    hale_heap_free(&h, a, 100);
    assert_int_equal(h.live_bytes, 0);
    assert_int_equal(h.idle_bytes, 112);
    char *b = hale_heap_alloc(&h, 97); /* same class */
    assert_ptr_equal(a, b);
    assert_int_equal(h.idle_bytes, 0);
    char *c = hale_heap_alloc(&h, 1000); /* other class: fresh memory */
    assert_ptr_not_equal(c, a);
    hale_heap_free(&h, NULL, 10); /* ignored */
    hale_region_free(r);
}

static void test_churn_is_bounded(void **state) {
    (void)state;
    enum { LIVE = 256 };
    hale_region *r = hale_region_new(NULL, "heap");
    hale_heap h;
    hale_heap_init(&h, r);
    void *ptrs[LIVE] = {0};
    size_t sizes[LIVE] = {0};
    uint64_t x = 88172645463325252ULL;
    size_t reserved_after_warmup = 0;
    for (int i = 0; i < 400000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int slot = (int)(x % LIVE);
        hale_heap_free(&h, ptrs[slot], sizes[slot]);
        sizes[slot] = (size_t)(x >> 20) % 3000 + 1;
        ptrs[slot] = hale_heap_alloc(&h, sizes[slot]);
        memset(ptrs[slot], slot, sizes[slot]);
        if (i == 100000) {
            reserved_after_warmup = hale_region_reserved_bytes(r);
        }
    }
    /* A bounded live population keeps the region bounded: 300k more churn steps grow it by less
     * than a tenth (each class's list holds at most the live population's worth of blocks). */
    assert_true(hale_region_reserved_bytes(r) <=
                reserved_after_warmup + reserved_after_warmup / 10);
    assert_true(reserved_after_warmup < (size_t)4 << 20);
    for (int i = 0; i < LIVE; i++) {
        hale_heap_free(&h, ptrs[i], sizes[i]);
    }
    assert_int_equal(h.live_bytes, 0);
    hale_region_free(r);
}

static void test_large_blocks_and_realloc(void **state) {
    (void)state;
    hale_region *r = hale_region_new(NULL, "heap");
    hale_heap h;
    hale_heap_init(&h, r);
    size_t n = 10;
    unsigned char *p = hale_heap_alloc(&h, n);
    for (size_t i = 0; i < n; i++) {
        p[i] = (unsigned char)i;
    }
    /* grow geometrically across the small/large boundary; contents follow */
    while (n < ((size_t)4 << 20)) {
        size_t m = n * 2;
        p = hale_heap_realloc(&h, p, n, m);
        for (size_t i = n; i < m; i++) {
            p[i] = (unsigned char)i;
        }
        n = m;
    }
    for (size_t i = 0; i < n; i += 4093) {
        assert_int_equal(p[i], (unsigned char)i);
    }
    assert_int_equal(h.live_bytes, n);
    size_t used = hale_region_used_bytes(r);
    assert_true(used >= n);
    /* shrink back below the boundary */
    p = hale_heap_realloc(&h, p, n, 100);
    assert_int_equal(p[99], 99);
    assert_true(hale_region_used_bytes(r) < used - n / 2);
    hale_heap_free(&h, p, 100);
    assert_int_equal(h.live_bytes, 0);
    /* a large block left allocated is freed with the region (ASan checks) */
    hale_heap_alloc(&h, 100000);
    hale_region_free(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_class_sizes),
        cmocka_unit_test(test_free_then_reuse),
        cmocka_unit_test(test_churn_is_bounded),
        cmocka_unit_test(test_large_blocks_and_realloc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
