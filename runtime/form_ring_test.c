#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "form_ring.h"
#include "test_types.h"

static void test_fifo_full_and_empty(void **state) {
    (void)state;
    hale_region *locus = hale_region_new(NULL, "RecentCmds");
    hale_ring r;
    hale_ring_init(&r, locus, &hale_type_int, 4);
    int64_t out;
    assert_false(hale_ring_pop(&r, &out, NULL)); /* EmptyError */
    for (int64_t i = 1; i <= 4; i++) {
        assert_true(hale_ring_push(&r, &i));
    }
    assert_true(hale_ring_is_full(&r));
    int64_t five = 5;
    assert_false(hale_ring_push(&r, &five)); /* refused at capacity, nothing changes */
    assert_int_equal(hale_ring_len(&r), 4);
    assert_true(hale_ring_pop(&r, &out, NULL));
    assert_int_equal(out, 1); /* oldest first */
    assert_false(hale_ring_is_full(&r));
    hale_region_free(locus);
}

static void test_wrap_around(void **state) {
    (void)state;
    hale_region *locus = hale_region_new(NULL, "L");
    hale_ring r;
    hale_ring_init(&r, locus, &hale_type_int, 3);
    int64_t next_in = 0, next_out = 0, out;
    /* Many laps around a 3-slot buffer with varying fill levels. */
    for (int round = 0; round < 1000; round++) {
        int pushes = round % 4, pops = (round + 1) % 4;
        for (int i = 0; i < pushes; i++) {
            if (hale_ring_push(&r, &next_in)) {
                next_in++;
            }
        }
        for (int i = 0; i < pops; i++) {
            if (hale_ring_pop(&r, &out, NULL)) {
                assert_int_equal(out, next_out);
                next_out++;
            }
        }
        assert_int_equal(hale_ring_len(&r), next_in - next_out);
        assert_true(hale_ring_len(&r) <= 3);
    }
    assert_true(next_out > 500); /* went round many times */
    hale_region_free(locus);
}

static void test_strings_cycle_in_bounded_memory(void **state) {
    (void)state;
    hale_region *locus = hale_region_new(NULL, "History");
    hale_region *scratch = hale_region_new(NULL, "scratch");
    hale_ring r;
    hale_ring_init(&r, locus, &T_Entry, 16);
    char text[40];
    int64_t sys = 0;
    size_t reserved = 0;
    int64_t popped = 0;
    for (int i = 0; i < 200000; i++) {
        int n = snprintf(text, sizeof text, "command number %d", i);
        Entry e = {i, {text, n}};
        if (!hale_ring_push(&r, &e)) {
            hale_mark m = hale_region_mark(scratch);
            Entry out;
            assert_true(hale_ring_pop(&r, &out, scratch));
            assert_int_equal(out.id, popped);
            int k = snprintf(text, sizeof text, "command number %lld", (long long)popped);
            assert_memory_equal(out.name.ptr, text, (size_t)k);
            popped++;
            hale_region_reset(scratch, m);
            n = snprintf(text, sizeof text, "command number %d", i);
            e.name = (hale_str){text, n};
            assert_true(hale_ring_push(&r, &e));
        }
        if (i == 1000) {
            sys = hale_diag_heap_alloc_count();
            reserved = hale_region_reserved_bytes(locus);
        }
    }
    assert_int_equal(hale_diag_heap_alloc_count(), sys);
    assert_int_equal(hale_region_reserved_bytes(locus), reserved);
    hale_ring_destroy(&r);
    assert_int_equal(r.heap.live_bytes, 0);
    hale_region_free(scratch);
    hale_region_free(locus);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fifo_full_and_empty),
        cmocka_unit_test(test_wrap_around),
        cmocka_unit_test(test_strings_cycle_in_bounded_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
