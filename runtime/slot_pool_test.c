#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "slot_pool.h"
#include "test_types.h"

static void test_acquire_release_reuses_cells(void **state) {
    (void)state;
    hale_region *locus = hale_region_new(NULL, "Server");
    hale_pool_slot *p = hale_pool_slot_new(locus, "Server.sessions", &T_Entry, 0);
    Entry *a = hale_pool_slot_acquire(p);
    assert_non_null(a);
    assert_int_equal((uintptr_t)a % 16, 0);
    assert_int_equal(hale_pool_slot_made(p), HALE_POOL_FIRST_BATCH);
    Entry v = {7, HALE_STR_LIT("alice")};
    hale_pool_slot_assign(p, a, &T_Entry, &v);
    assert_int_equal(a->id, 7);
    assert_ptr_not_equal(a->name.ptr, v.name.ptr);
    assert_int_equal(hale_pool_slot_release(p, a), 0);
    assert_int_equal(hale_pool_slot_release(p, a), -1); /* double release refused */
    Entry *b = hale_pool_slot_acquire(p);
    assert_ptr_equal(a, b);     /* most recently released first */
    assert_int_equal(b->id, 0); /* and zeroed */
    assert_int_equal(b->name.len, 0);
    assert_int_equal(hale_pool_slot_live(p), 1);
    hale_pool_slot_destroy(p);
    hale_region_free(locus);
}

static void test_geometric_batches(void **state) {
    (void)state;
    hale_region *locus = hale_region_new(NULL, "L");
    hale_pool_slot *p = hale_pool_slot_new(locus, "L.points", &T_Point, 0);
    int64_t expect_made[] = {16, 48, 112, 240, 496};
    int64_t got = 0;
    for (int step = 0; step < 5; step++) {
        while (got < expect_made[step]) {
            Point *c = hale_pool_slot_acquire(p);
            c->x = (double)got;
            got++;
        }
        assert_int_equal(hale_pool_slot_made(p), expect_made[step]);
    }
    /* batches never exceed HALE_POOL_MAX_BATCH cells */
    while (got < 20000) {
        hale_pool_slot_acquire(p);
        got++;
    }
    assert_true(hale_pool_slot_made(p) - 20000 < HALE_POOL_MAX_BATCH);
    hale_region_free(locus);
}

static void test_limit_bounds_population(void **state) {
    (void)state;
    hale_region *locus = hale_region_new(NULL, "L");
    hale_pool_slot *p = hale_pool_slot_new(locus, "L.conns", &T_Entry, 20);
    Entry *cells[20];
    for (int i = 0; i < 20; i++) {
        cells[i] = hale_pool_slot_acquire(p);
        assert_non_null(cells[i]);
    }
    assert_null(hale_pool_slot_acquire(p)); /* at the limit: refused */
    assert_int_equal(hale_pool_slot_made(p), 20);
    assert_int_equal(hale_pool_slot_release(p, cells[5]), 0);
    assert_ptr_equal(hale_pool_slot_acquire(p), cells[5]);
    assert_int_equal(hale_pool_slot_limit(p), 20);
    hale_region_free(locus);
}

static void test_cross_pool_release_refused(void **state) {
    (void)state;
    hale_region *locus = hale_region_new(NULL, "L");
    hale_pool_slot *p1 = hale_pool_slot_new(locus, "L.a", &T_Entry, 0);
    hale_pool_slot *p2 = hale_pool_slot_new(locus, "L.b", &T_Entry, 0);
    Entry *c = hale_pool_slot_acquire(p1);
    assert_int_equal(hale_pool_slot_release(p2, c), -1);
    assert_int_equal(hale_pool_slot_live(p1), 1);
    assert_int_equal(hale_pool_slot_release(p1, c), 0);
    hale_region_free(locus);
}

static void test_recycling_contents_is_flat(void **state) {
    (void)state;
    hale_region *locus = hale_region_new(NULL, "L");
    hale_pool_slot *p = hale_pool_slot_new(locus, "L.s", &T_Entry, 0);
    char name[40];
    int64_t sys = 0;
    size_t reserved = 0;
    for (int i = 0; i < 300000; i++) {
        Entry *c = hale_pool_slot_acquire(p);
        int n = snprintf(name, sizeof name, "session-%d", i);
        hale_str s = {name, n};
        hale_pool_slot_assign(p, &c->name, &hale_type_string, &s);
        assert_int_equal(hale_pool_slot_release(p, c), 0);
        if (i == 100) {
            sys = hale_diag_heap_alloc_count();
            reserved = hale_region_reserved_bytes(locus);
        }
    }
    assert_int_equal(hale_diag_heap_alloc_count(), sys);
    assert_int_equal(hale_region_reserved_bytes(locus), reserved);
    assert_int_equal(hale_pool_slot_made(p), HALE_POOL_FIRST_BATCH);
    hale_region_free(locus);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_acquire_release_reuses_cells),
        cmocka_unit_test(test_geometric_batches),
        cmocka_unit_test(test_limit_bounds_population),
        cmocka_unit_test(test_cross_pool_release_refused),
        cmocka_unit_test(test_recycling_contents_is_flat),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
