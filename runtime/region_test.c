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

static void test_alignment_across_chunks(void **state) {
    (void)state;
    hale_region *r = hale_region_new(NULL, "t");
    /* Odd sizes and every alignment, enough to cross many chunk boundaries. */
    for (int i = 0; i < 20000; i++) {
        size_t align = (size_t)1 << (i % 13); /* 1 .. 4096 */
        size_t size = (size_t)(i * 37 % 3000) + 1;
        unsigned char *p = hale_region_alloc(r, size, align);
        assert_int_equal((uintptr_t)p % align, 0);
        p[0] = 1;
        p[size - 1] = 2;
    }
    hale_region_free(r);
}

static void test_large_allocations(void **state) {
    (void)state;
    hale_region *r = hale_region_new(NULL, "t");
    size_t sizes[] = {HALE_CHUNK_SIZE / 4 + 1, HALE_CHUNK_SIZE - 64, HALE_CHUNK_SIZE,
                      3 * HALE_CHUNK_SIZE + 7, (size_t)8 << 20};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        unsigned char *p = hale_region_alloc(r, sizes[i], 4096);
        assert_int_equal((uintptr_t)p % 4096, 0);
        memset(p, 0x5a, sizes[i]);
        assert_true(hale_region_reserved_bytes(r) >= sizes[i]);
    }
    /* A large allocation that does not fit the current chunk's rest gets a chunk of its own and
     * does not waste that rest: the next small allocation continues where the chunk left off. */
    char *a = hale_alloc(r, 1); /* a fresh current chunk */
    char *filler = hale_alloc(r, 30000);
    assert_ptr_equal(filler, a + 16);
    char *big = hale_alloc(r, 40000);
    memset(big, 1, 40000);
    char *next = hale_alloc(r, 16);
    assert_ptr_equal(next, filler + 30000);
    hale_region_free(r);
}

static void test_nested_free_deep_and_wide(void **state) {
    (void)state;
    enum { DEPTH = 200, WIDE = 300 };
    static hale_region *chain[DEPTH];
    static hale_gen gens[DEPTH + WIDE];
    static hale_region *fan[WIDE];
    hale_region *root = hale_region_new(NULL, "root");
    hale_region *parent = root;
    for (int i = 0; i < DEPTH; i++) {
        chain[i] = hale_region_new(parent, "link");
        gens[i] = hale_region_generation(chain[i]);
        hale_alloc(chain[i], 100);
        parent = chain[i];
    }
    for (int i = 0; i < WIDE; i++) {
        fan[i] = hale_region_new(root, "leaf");
        gens[DEPTH + i] = hale_region_generation(fan[i]);
        hale_alloc(fan[i], 5000);
    }
    hale_chunk_stats before = hale_chunk_pool_stats();
    hale_region_free(root);
    hale_chunk_stats after = hale_chunk_pool_stats();
    for (int i = 0; i < DEPTH; i++) {
        assert_false(hale_region_alive(chain[i], gens[i]));
    }
    for (int i = 0; i < WIDE; i++) {
        assert_false(hale_region_alive(fan[i], gens[DEPTH + i]));
    }
    /* every standard chunk of the subtree went back to the pool */
    assert_true(after.returns - before.returns >= DEPTH + WIDE);
}

static void test_generation_header_reuse(void **state) {
    (void)state;
    enum { N = 1000 };
    static hale_region *seen[N];
    static hale_gen gens[N];
    for (int i = 0; i < N; i++) {
        seen[i] = hale_region_new(NULL, "cycle");
        gens[i] = hale_region_generation(seen[i]);
        hale_alloc(seen[i], 64);
        hale_region_free(seen[i]);
        /* the generation moves by exactly one at free, and the header stays readable */
        assert_int_equal(hale_region_generation(seen[i]), gens[i] + 1);
    }
    /* Headers are recycled, yet no earlier incarnation reads as alive. */
    hale_region *live = hale_region_new(NULL, "live");
    int reused = 0;
    for (int i = 0; i < N; i++) {
        assert_false(hale_region_alive(seen[i], gens[i]));
        reused += seen[i] == live;
    }
    assert_true(reused > 0);
    hale_region_free(live);
}

static void test_blocks(void **state) {
    (void)state;
    hale_region *r = hale_region_new(NULL, "t");
    size_t base_used = hale_region_used_bytes(r);
    unsigned char *b = hale_region_block_alloc(r, 100);
    assert_int_equal((uintptr_t)b % 16, 0);
    memset(b, 7, 100);
    unsigned char *c = hale_region_block_realloc(r, NULL, 1000);
    memset(c, 8, 1000);
    assert_int_equal(hale_region_used_bytes(r), base_used + 1100);
    b = hale_region_block_realloc(r, b, (size_t)4 << 20);
    assert_int_equal(b[99], 7); /* contents survive a move */
    memset(b, 9, (size_t)4 << 20);
    assert_int_equal(hale_region_used_bytes(r), base_used + 1000 + ((size_t)4 << 20));
    /* blocks survive a reset: they are managed explicitly */
    hale_mark m = hale_region_mark(r);
    hale_region_block_free(r, c);
    hale_region_reset(r, m);
    assert_int_equal(hale_region_used_bytes(r), base_used + ((size_t)4 << 20));
    assert_int_equal(b[12345], 9);
    hale_region_block_free(r, NULL);
    /* the remaining block is freed with the region (ASan's leak check sees it otherwise) */
    hale_region_free(r);
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
        cmocka_unit_test(test_alignment_across_chunks),
        cmocka_unit_test(test_large_allocations),
        cmocka_unit_test(test_nested_free_deep_and_wide),
        cmocka_unit_test(test_generation_header_reuse),
        cmocka_unit_test(test_blocks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
