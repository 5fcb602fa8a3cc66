#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#include <cmocka.h>

#include "copy.h"
#include "form_vec.h"
#include "test_types.h"

static void test_int_surface(void **state) {
    (void)state;
    hale_region *locus = hale_region_new(NULL, "ItemList");
    hale_vec v;
    hale_vec_init(&v, locus, &hale_type_int);
    assert_true(hale_vec_is_empty(&v));
    int64_t out = -1;
    assert_false(hale_vec_get(&v, 0, &out, NULL));
    assert_false(hale_vec_pop(&v, &out, NULL)); /* IndexError "empty" */
    int64_t caps[] = {4, 4, 4, 4, 8, 8, 8, 8, 16};
    for (int64_t i = 0; i < 9; i++) {
        int64_t x = i * 10;
        hale_vec_push(&v, &x);
        assert_int_equal(v.cap, caps[i]); /* 4, then doubling */
    }
    assert_int_equal(hale_vec_len(&v), 9);
    assert_false(hale_vec_is_empty(&v));
    assert_true(hale_vec_get(&v, 8, &out, NULL));
    assert_int_equal(out, 80);
    assert_false(hale_vec_get(&v, 9, &out, NULL));
    assert_false(hale_vec_get(&v, -1, &out, NULL));
    int64_t y = 42;
    assert_true(hale_vec_set(&v, 0, &y));
    assert_false(hale_vec_set(&v, 9, &y)); /* set does not extend */
    assert_int_equal(*(int64_t *)hale_vec_at(&v, 0), 42);
    assert_true(hale_vec_pop(&v, &out, NULL));
    assert_int_equal(out, 80);
    assert_int_equal(hale_vec_len(&v), 8);
    assert_int_equal(v.cap, 16); /* capacity does not shrink */
    hale_vec_sort(&v);
    int64_t expect[] = {10, 20, 30, 40, 42, 50, 60, 70};
    for (int i = 0; i < 8; i++) {
        assert_int_equal(*(int64_t *)hale_vec_at(&v, i), expect[i]);
    }
    hale_vec_destroy(&v);
    hale_region_free(locus);
}

static void test_strings_are_copied_in_and_out(void **state) {
    (void)state;
    hale_region *locus = hale_region_new(NULL, "Names");
    hale_region *scratch = hale_region_new(NULL, "scratch");
    hale_vec v;
    hale_vec_init(&v, locus, &hale_type_string);
    char buf[32];
    for (int i = 0; i < 100; i++) {
        int n = snprintf(buf, sizeof buf, "name-%03d", i);
        hale_str s = {buf, n};
        hale_vec_push(&v, &s);
    }
    memset(buf, 'X', sizeof buf); /* the vec holds copies */
    hale_str got;
    assert_true(hale_vec_get(&v, 7, &got, scratch));
    assert_int_equal(got.len, 8);
    assert_memory_equal(got.ptr, "name-007", 8);
    hale_str borrowed;
    assert_true(hale_vec_get(&v, 7, &borrowed, NULL));
    assert_ptr_equal(borrowed.ptr, ((hale_str *)hale_vec_at(&v, 7))->ptr);
    assert_ptr_not_equal(got.ptr, borrowed.ptr);
    /* a deep-copied get survives a later set of the same element */
    hale_str other = HALE_STR_LIT("replaced-value");
    assert_true(hale_vec_set(&v, 7, &other));
    assert_memory_equal(got.ptr, "name-007", 8);
    assert_true(hale_vec_get(&v, 7, &got, scratch));
    assert_memory_equal(got.ptr, "replaced-value", 14);
    /* pop into scratch releases the element's bytes back to the vec's heap */
    size_t live = v.heap.live_bytes;
    assert_true(hale_vec_pop(&v, &got, scratch));
    assert_memory_equal(got.ptr, "name-099", 8);
    assert_true(v.heap.live_bytes < live);
    /* sort() on strings is bytewise */
    hale_vec_sort(&v);
    hale_str *first = hale_vec_at(&v, 0), *last = hale_vec_at(&v, hale_vec_len(&v) - 1);
    assert_memory_equal(first->ptr, "name-000", 8);
    assert_memory_equal(last->ptr, "replaced-value", 14);
    hale_region_free(scratch);
    hale_region_free(locus); /* without destroy: the region takes everything */
}

static bool entry_by_id(const void *a, const void *b, void *ctx) {
    int *calls = ctx;
    (*calls)++;
    return ((const Entry *)a)->id < ((const Entry *)b)->id;
}

static void test_sort_by_and_desc(void **state) {
    (void)state;
    hale_region *locus = hale_region_new(NULL, "L");
    hale_vec v;
    hale_vec_init(&v, locus, &T_Entry);
    int64_t ids[] = {5, 3, 9, 1, 7};
    for (int i = 0; i < 5; i++) {
        Entry e = {ids[i], HALE_STR_LIT("x")};
        hale_vec_push(&v, &e);
    }
    int calls = 0;
    hale_vec_sort_by(&v, entry_by_id, &calls);
    assert_true(calls > 0);
    int64_t asc[] = {1, 3, 5, 7, 9};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(((Entry *)hale_vec_at(&v, i))->id, asc[i]);
    }
    hale_vec_sort_desc_by(&v, entry_by_id, &calls); /* same predicate, reversed */
    for (int i = 0; i < 5; i++) {
        assert_int_equal(((Entry *)hale_vec_at(&v, i))->id, asc[4 - i]);
    }
    hale_region_free(locus);
}

static void test_float_sort_with_nan(void **state) {
    (void)state;
    hale_region *locus = hale_region_new(NULL, "L");
    hale_vec v;
    hale_vec_init(&v, locus, &hale_type_float);
    double xs[] = {3, NAN, 1, 2, NAN, -1};
    for (int i = 0; i < 6; i++) {
        hale_vec_push(&v, &xs[i]);
    }
    hale_vec_sort(&v); /* never faults; every element still present */
    int nans = 0;
    for (int i = 0; i < 6; i++) {
        nans += isnan(*(double *)hale_vec_at(&v, i));
    }
    assert_int_equal(nans, 2);
    hale_region_free(locus);
}

static void test_set_churn_is_flat(void **state) {
    (void)state;
    hale_region *locus = hale_region_new(NULL, "L");
    hale_vec v;
    hale_vec_init(&v, locus, &T_Msg);
    Msg m;
    memset(&m, 0, sizeof m);
    for (int i = 0; i < 32; i++) {
        hale_vec_push(&v, &m);
    }
    char room[32];
    hale_str tags[3] = {HALE_STR_LIT("a"), HALE_STR_LIT("bb"), HALE_STR_LIT("ccc")};
    int64_t sys = 0;
    size_t reserved = 0;
    for (int i = 0; i < 200000; i++) {
        int n = snprintf(room, sizeof room, "room-%d", i % 977);
        m.room = (hale_str){room, n};
        m.tags = (hale_array){tags, 1 + i % 3, 3};
        m.recent.len = i % 4;
        for (int k = 0; k < 3; k++) {
            m.recent.items[k] = tags[k];
        }
        assert_true(hale_vec_set(&v, i % 32, &m));
        if (i == 1000) {
            sys = hale_diag_heap_alloc_count();
            reserved = hale_region_reserved_bytes(locus);
        }
    }
    assert_int_equal(hale_diag_heap_alloc_count(), sys);
    assert_int_equal(hale_region_reserved_bytes(locus), reserved);
    hale_region_free(locus);
}

static void test_large_growth_uses_blocks(void **state) {
    (void)state;
    hale_region *locus = hale_region_new(NULL, "L");
    hale_vec v;
    hale_vec_init(&v, locus, &hale_type_int);
    int64_t sys = hale_diag_heap_alloc_count();
    for (int64_t i = 0; i < 500000; i++) {
        hale_vec_push(&v, &i);
    }
    /* geometric growth: a logarithmic number of system allocations */
    assert_true(hale_diag_heap_alloc_count() - sys < 40);
    for (int64_t i = 0; i < 500000; i += 997) {
        assert_int_equal(*(int64_t *)hale_vec_at(&v, i), i);
    }
    size_t used = hale_region_used_bytes(locus);
    assert_true(used >= 500000 * 8);
    hale_vec_destroy(&v);
    assert_true(hale_region_used_bytes(locus) < used - 500000 * 8 + 1);
    hale_region_free(locus);
}

/* A loop's cursor: empty at the loop's start (the first push loads it, also when the vec already
 * has room), the length in the vec after every push, growth across the first buffer, the size
 * classes and region blocks, and a second loop's cursor after pops. */
static void test_cursor_pushes(void **state) {
    (void)state;
    hale_region *locus = hale_region_new(NULL, "L");
    hale_vec v;
    hale_vec_init(&v, locus, &hale_type_int);
    int64_t sys = hale_diag_heap_alloc_count();
    hale_vec_cursor c = HALE_VEC_CURSOR_EMPTY;
    for (int64_t i = 0; i < 10000; i++) {
        hale_vec_cursor_push(&v, &c, &i, sizeof i);
        assert_int_equal(v.len, i + 1); /* whole at every point the loop could be left */
        assert_ptr_equal(c.data, v.data);
        assert_int_equal(c.ready, v.ready);
        assert_true(v.len <= v.ready && v.ready <= v.cap);
    }
    assert_true(hale_diag_heap_alloc_count() - sys < 20);
    for (int64_t i = 0; i < 10000; i++) {
        assert_int_equal(*(int64_t *)hale_vec_at(&v, i), i);
    }
    int64_t out;
    for (int i = 0; i < 5; i++) {
        assert_true(hale_vec_pop(&v, &out, NULL));
    }
    /* the next loop: a fresh cursor on a vec with room; no system allocation within capacity */
    sys = hale_diag_heap_alloc_count();
    hale_vec_cursor d = HALE_VEC_CURSOR_EMPTY;
    for (int64_t i = 0; i < 5; i++) {
        int64_t x = -i;
        hale_vec_cursor_push(&v, &d, &x, sizeof x);
    }
    assert_int_equal(hale_diag_heap_alloc_count(), sys);
    assert_int_equal(v.len, 10000);
    assert_int_equal(*(int64_t *)hale_vec_at(&v, 9994), 9994);
    assert_int_equal(*(int64_t *)hale_vec_at(&v, 9995), 0);
    assert_int_equal(*(int64_t *)hale_vec_at(&v, 9999), -4);
    hale_vec_destroy(&v);
    hale_region_free(locus);
}

/* Resident pages of [lo, hi) (page-aligned lo), by mincore. */
static size_t resident(const char *lo, const char *hi) {
    size_t n = (size_t)(hi - lo + 4095) / 4096, in = 0;
    unsigned char *vec = malloc(n);
    assert_non_null(vec);
    assert_int_equal(mincore((void *)lo, (size_t)(hi - lo), vec), 0);
    for (size_t i = 0; i < n; i++) {
        in += vec[i] & 1;
    }
    free(vec);
    return in;
}

/* A block buffer is populated a window ahead of the length, not to its capacity: just past a
 * doubling to 16 MiB, the window's pages are in and the rest of the new half is not. */
static void test_block_buffer_ready_by_window(void **state) {
    (void)state;
    /* Residency is only what the vec touched when the kernel backs pages one by one: a machine
     * with transparent huge pages on `always` would fault in 2 MiB around the window. */
    prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
    void *probe = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(probe != MAP_FAILED);
    bool can_populate = madvise(probe, 4096, 23 /* MADV_POPULATE_WRITE */) == 0;
    munmap(probe, 4096);
    if (!can_populate) {
        skip(); /* before Linux 5.14: pages fault in as they are written, nothing to check */
    }
    hale_region *locus = hale_region_new(NULL, "L");
    hale_vec v;
    hale_vec_init(&v, locus, &hale_type_int);
    int64_t n = ((int64_t)1 << 20) + 1;
    for (int64_t i = 0; i < n; i++) {
        hale_vec_push_flat(&v, &i, sizeof i);
        assert_true(v.len <= v.ready && v.ready <= v.cap);
    }
    assert_int_equal(v.cap, (int64_t)1 << 21);
    assert_true(v.ready > v.len && v.ready < v.cap);
    assert_true((v.ready - v.len) * 8 <= 256 * 1024 + 4096);
    const char *win_lo =
        (const char *)(((uintptr_t)(v.data + v.len * 8) + 4095) & ~(uintptr_t)4095);
    const char *win_hi = (const char *)(((uintptr_t)(v.data + v.ready * 8)) & ~(uintptr_t)4095);
    const char *end = (const char *)(((uintptr_t)(v.data + v.cap * 8)) & ~(uintptr_t)4095);
    assert_int_equal(resident(win_lo, win_hi), (size_t)(win_hi - win_lo) / 4096);
    assert_int_equal(resident(win_hi + 4096, end), 0);
    for (int64_t i = 0; i < n; i += 4099) {
        assert_int_equal(*(int64_t *)hale_vec_at(&v, i), i);
    }
    hale_vec_destroy(&v);
    hale_region_free(locus);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_int_surface),
        cmocka_unit_test(test_strings_are_copied_in_and_out),
        cmocka_unit_test(test_sort_by_and_desc),
        cmocka_unit_test(test_float_sort_with_nan),
        cmocka_unit_test(test_set_churn_is_flat),
        cmocka_unit_test(test_large_growth_uses_blocks),
        cmocka_unit_test(test_cursor_pushes),
        cmocka_unit_test(test_block_buffer_ready_by_window),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
