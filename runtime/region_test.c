#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "chunk.h"
#include "region.h"

static void test_alignment_and_distinct(void **state) {
    (void)state;
    hale_region *r = hale_region_new(NULL, "t");
    char *prev = NULL;
    for (size_t align = 1; align <= 4096; align *= 2) {
        char *p = hale_region_alloc(r, 3, align);
        assert_int_equal((uintptr_t)p % align, 0);
        assert_ptr_not_equal(p, prev);
        memset(p, 0xab, 3);
        prev = p;
    }
    void *z1 = hale_region_alloc(r, 0, 8), *z2 = hale_region_alloc(r, 0, 8);
    assert_ptr_not_equal(z1, z2);
    hale_region_free(r);
}

static void test_spans_chunks_and_large(void **state) {
    (void)state;
    hale_region *r = hale_region_new(NULL, "t");
    for (int i = 0; i < 10000; i++) {
        char *p = hale_alloc(r, 100);
        memset(p, i & 0xff, 100);
    }
    assert_true(hale_region_reserved_bytes(r) >= 1000000);
    char *big = hale_alloc(r, 1 << 20);
    memset(big, 1, 1 << 20);
    assert_int_equal(hale_region_used_bytes(r), 10000 * 100 + (1 << 20));
    hale_region_free(r);
}

static void test_generation_bumps_on_free(void **state) {
    (void)state;
    hale_region *r = hale_region_new(NULL, "t");
    hale_gen g = hale_region_generation(r);
    assert_true(hale_region_alive(r, g));
    hale_region_free(r);
    assert_false(hale_region_alive(r, g)); /* header memory stays valid */
    hale_region *again = hale_region_new(NULL, "t2");
    if (again == r) {
        assert_false(hale_region_alive(r, g)); /* reused header: new incarnation */
        assert_true(hale_region_alive(again, hale_region_generation(again)));
    }
    hale_region_free(again);
}

static void test_nested_free_frees_subtree(void **state) {
    (void)state;
    hale_region *root = hale_region_new(NULL, "root");
    hale_region *a = hale_region_new(root, "a");
    hale_region *b = hale_region_new(a, "b");
    hale_region *c = hale_region_new(root, "c");
    hale_gen ga = hale_region_generation(a), gb = hale_region_generation(b),
             gc = hale_region_generation(c);
    hale_alloc(b, 1000);
    hale_region_free(a); /* frees a and b, leaves c */
    assert_false(hale_region_alive(a, ga));
    assert_false(hale_region_alive(b, gb));
    assert_true(hale_region_alive(c, gc));
    assert_ptr_equal(hale_region_parent(c), root);
    hale_region_free(root);
    assert_false(hale_region_alive(c, gc));
}

static void test_mark_reset(void **state) {
    (void)state;
    hale_region *r = hale_region_new(NULL, "t");
    char *keep = hale_alloc(r, 16);
    strcpy(keep, "kept");
    hale_mark m = hale_region_mark(r);
    for (int i = 0; i < 5000; i++) {
        hale_alloc(r, 200);
    }
    hale_alloc(r, 1 << 20);
    size_t reserved_grown = hale_region_reserved_bytes(r);
    hale_region_reset(r, m);
    assert_int_equal(hale_region_used_bytes(r), 16);
    assert_true(hale_region_reserved_bytes(r) < reserved_grown);
    assert_string_equal(keep, "kept");
    char *next = hale_alloc(r, 16);
    assert_ptr_equal(next, keep + 16); /* bump resumes at the mark */
    hale_region_free(r);
}

static void test_reset_steady_state_allocates_nothing(void **state) {
    (void)state;
    hale_region *r = hale_region_new(NULL, "t");
    hale_mark m = hale_region_mark(r);
    for (int i = 0; i < 3; i++) { /* warm up: the region keeps a spare */
        hale_alloc(r, 50000);
        hale_alloc(r, 50000);
        hale_region_reset(r, m);
    }
    int64_t before = hale_diag_heap_alloc_count();
    for (int i = 0; i < 100000; i++) {
        hale_alloc(r, 30000);
        hale_alloc(r, 30000);
        hale_region_reset(r, m);
    }
    assert_int_equal(hale_diag_heap_alloc_count() - before, 0);
    hale_region_free(r);
}

static void test_chunks_recycle_through_pool(void **state) {
    (void)state;
    for (int i = 0; i < 4; i++) { /* warm the pool */
        hale_region *r = hale_region_new(NULL, "t");
        hale_alloc(r, 1000);
        hale_region_free(r);
    }
    int64_t before = hale_diag_heap_alloc_count();
    for (int i = 0; i < 100000; i++) {
        hale_region *r = hale_region_new(NULL, "flow");
        hale_alloc(r, 1000);
        hale_region_free(r);
    }
    assert_int_equal(hale_diag_heap_alloc_count() - before, 0);
    hale_chunk_stats s = hale_chunk_pool_stats();
    assert_true(s.hits >= 100000);
}

static void test_scratch_sides(void **state) {
    (void)state;
    hale_scratch *s = hale_scratch_current();
    assert_non_null(s);
    assert_ptr_equal(hale_scratch_current(), s);
    assert_ptr_not_equal(hale_scratch_side(s, 0), hale_scratch_side(s, 1));
    hale_scratch *mine = hale_scratch_new("coroutine");
    assert_ptr_equal(hale_scratch_set_current(mine), s);
    assert_ptr_equal(hale_scratch_current(), mine);
    hale_scratch_set_current(s);
    hale_scratch_free(mine);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alignment_and_distinct),
        cmocka_unit_test(test_spans_chunks_and_large),
        cmocka_unit_test(test_generation_bumps_on_free),
        cmocka_unit_test(test_nested_free_frees_subtree),
        cmocka_unit_test(test_mark_reset),
        cmocka_unit_test(test_reset_steady_state_allocates_nothing),
        cmocka_unit_test(test_chunks_recycle_through_pool),
        cmocka_unit_test(test_scratch_sides),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
