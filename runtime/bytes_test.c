#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "bytes.h"

static void test_builder_surface(void **state) {
    (void)state;
    hale_region *r = hale_region_new(NULL, "b");
    hale_region *scratch = hale_region_new(NULL, "scratch");
    hale_bytes_builder b;
    hale_bytes_builder_init(&b, r, 0);
    assert_int_equal(hale_bytes_builder_len(&b), 0);
    assert_int_equal(hale_bytes_builder_view(&b).len, 0);
    hale_bytes_builder_append_str(&b, HALE_STR_LIT("hello"));
    hale_bytes_builder_append(&b, hale_bytes_from_string(HALE_STR_LIT(", ")));
    hale_bytes_builder_append_byte(&b, 'w');
    hale_bytes_builder_append_raw(&b, "orld", 4);
    assert_int_equal(hale_bytes_builder_len(&b), 12);
    hale_bytes done = hale_bytes_builder_finish(&b, scratch);
    hale_bytes view = hale_bytes_builder_view(&b);
    assert_memory_equal(done.ptr, "hello, world", 12);
    assert_ptr_equal(view.ptr, b.buf); /* a view aliases */
    assert_ptr_not_equal(done.ptr, view.ptr);
    hale_bytes_builder_clear(&b);
    hale_bytes_builder_append_str(&b, HALE_STR_LIT("XXXX"));
    assert_memory_equal(done.ptr, "hello, world", 12); /* finish copied */
    hale_str text = hale_bytes_builder_text_view(&b);
    assert_int_equal(text.len, 4);
    uint8_t *tail = hale_bytes_builder_reserve(&b, 100);
    memcpy(tail, "abc", 3);
    hale_bytes_builder_commit(&b, 3);
    hale_bytes_builder_commit(&b, 1 << 30); /* more than reserved: ignored */
    assert_int_equal(hale_bytes_builder_len(&b), 7);
    assert_memory_equal(b.buf, "XXXXabc", 7);
    hale_bytes_builder_destroy(&b);
    hale_region_free(scratch);
    hale_region_free(r);
}

static int64_t allocs_for(int n) {
    hale_region *r = hale_region_new(NULL, "b");
    int64_t before = hale_diag_heap_alloc_count();
    hale_bytes_builder b;
    hale_bytes_builder_init(&b, r, 0);
    for (int i = 0; i < n; i++) {
        hale_bytes_builder_append_str(&b, HALE_STR_LIT("row-0123456789\n"));
    }
    assert_int_equal(hale_bytes_builder_len(&b), (int64_t)n * 15);
    assert_memory_equal(b.buf + (size_t)(n - 1) * 15, "row-0123456789\n", 15);
    int64_t used = hale_diag_heap_alloc_count() - before;
    hale_region_free(r);
    return used;
}

static void test_geometric_growth(void **state) {
    (void)state;
    allocs_for(10); /* warm the chunk pool */
    int64_t a1 = allocs_for(1000), a2 = allocs_for(100000), a3 = allocs_for(1000000);
    /* 1000x more appends cost about log2(1000) ~ 10 more system allocations, not 1000x. */
    assert_true(a2 - a1 <= 12);
    assert_true(a3 - a2 <= 6);
    assert_true(a3 <= 20);
}

static void test_reuse_is_allocation_free(void **state) {
    (void)state;
    hale_region *r = hale_region_new(NULL, "b");
    hale_bytes_builder b;
    hale_bytes_builder_init(&b, r, 4096);
    char line[64];
    for (int round = 0; round < 3; round++) { /* warm to the steady-state capacity */
        hale_bytes_builder_clear(&b);
        for (int i = 0; i < 2000; i++) {
            hale_bytes_builder_append_raw(&b, line, snprintf(line, sizeof line, "%d,", i));
        }
    }
    int64_t before = hale_diag_heap_alloc_count();
    size_t reserved = hale_region_reserved_bytes(r);
    for (int round = 0; round < 1000; round++) {
        hale_bytes_builder_clear(&b);
        for (int i = 0; i < 2000; i++) {
            hale_bytes_builder_append_raw(&b, line, snprintf(line, sizeof line, "%d,", i));
        }
    }
    assert_int_equal(hale_diag_heap_alloc_count() - before, 0);
    assert_int_equal(hale_region_reserved_bytes(r), reserved);
    hale_region_free(r); /* the block goes with the region */
}

static void test_bytes_functions(void **state) {
    (void)state;
    hale_bytes b = hale_bytes_from_string(HALE_STR_LIT("abcdef"));
    assert_int_equal(b.len, 6);
    int64_t v = -1;
    assert_true(hale_bytes_at(b, 0, &v));
    assert_int_equal(v, 'a');
    assert_false(hale_bytes_at(b, 6, &v));
    assert_false(hale_bytes_at(b, -1, &v));
    hale_bytes s = hale_bytes_slice(b, 2, 4);
    assert_int_equal(s.len, 2);
    assert_memory_equal(s.ptr, "cd", 2);
    assert_int_equal(hale_bytes_slice(b, -5, 100).len, 6); /* clamped */
    assert_int_equal(hale_bytes_slice(b, 4, 2).len, 0);
    assert_int_equal(hale_bytes_slice(b, 10, 20).len, 0);
    uint8_t high[] = {0xff, 0x00, 0x80};
    hale_bytes h = {high, 3};
    assert_true(hale_bytes_at(h, 0, &v));
    assert_int_equal(v, 255); /* bytes are unsigned */
    hale_str str = hale_str_from_bytes(s);
    assert_int_equal(str.len, 2);
    assert_memory_equal(str.ptr, "cd", 2);
    assert_int_equal(hale_str_from_bytes((hale_bytes){NULL, 0}).len, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builder_surface),
        cmocka_unit_test(test_geometric_growth),
        cmocka_unit_test(test_reuse_is_allocation_free),
        cmocka_unit_test(test_bytes_functions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
