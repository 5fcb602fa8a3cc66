#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "copy.h"
#include "slot_heap.h"
#include "test_types.h"

static void test_alloc_free_and_contents(void **state) {
    (void)state;
    hale_region *locus = hale_region_new(NULL, "Router");
    hale_heap_slot *routes = hale_heap_slot_new(locus, "Router.routes", &T_Entry);
    Entry *a = hale_heap_slot_alloc(routes);
    Entry *b = hale_heap_slot_alloc(routes);
    assert_int_equal(a->id, 0); /* zeroed */
    assert_int_equal(a->name.len, 0);
    assert_int_equal((uintptr_t)a % 16, 0);
    a->id = 1;
    char name[] = "/users";
    hale_str v = {name, 6};
    hale_heap_slot_assign(routes, &a->name, &hale_type_string, &v);
    name[0] = 'X'; /* the slot holds its own copy */
    assert_int_equal(a->name.len, 6);
    assert_memory_equal(a->name.ptr, "/users", 6);
    Entry whole = {2, HALE_STR_LIT("/orders")};
    hale_heap_slot_assign(routes, b, &T_Entry, &whole);
    assert_true(hale_value_equal(&T_Entry, b, &whole));
    assert_int_equal(hale_heap_slot_live(routes), 2);

    /* self-assignment keeps the value */
    hale_heap_slot_assign(routes, &b->name, &hale_type_string, &b->name);
    assert_memory_equal(b->name.ptr, "/orders", 7);

    assert_int_equal(hale_heap_slot_free(routes, a), 0);
    assert_int_equal(hale_heap_slot_free(routes, a), -1); /* double free refused */
    assert_int_equal(hale_heap_slot_live(routes), 1);
    assert_int_equal(hale_heap_slot_free(routes, b), 0);
    assert_int_equal(hale_heap_slot_live(routes), 0);
    assert_int_equal(hale_heap_slot_live_bytes(routes), 0);
    hale_region_free(locus); /* reclaims the slot with the locus */
}

static void test_foreign_cell_refused(void **state) {
    (void)state;
    hale_region *locus = hale_region_new(NULL, "L");
    hale_heap_slot *s1 = hale_heap_slot_new(locus, "L.a", &T_Entry);
    hale_heap_slot *s2 = hale_heap_slot_new(locus, "L.b", &T_Entry);
    Entry *c = hale_heap_slot_alloc(s1);
    assert_int_equal(hale_heap_slot_free(s2, c), -1);
    assert_int_equal(hale_heap_slot_free(s2, NULL), -1);
    assert_int_equal(hale_heap_slot_live(s1), 1);
    hale_heap_slot_destroy(s2);
    hale_heap_slot_destroy(s1);
    hale_region_free(locus);
}

static void test_churn_stays_flat(void **state) {
    (void)state;
    hale_region *locus = hale_region_new(NULL, "L");
    hale_heap_slot *s = hale_heap_slot_new(locus, "L.msgs", &T_Msg);
    Msg *cells[64] = {0};
    char text[64];
    size_t reserved = 0;
    int64_t sys_before = 0;
    for (int i = 0; i < 200000; i++) {
        int k = i % 64;
        if (cells[k]) {
            assert_int_equal(hale_heap_slot_free(s, cells[k]), 0);
        }
        cells[k] = hale_heap_slot_alloc(s);
        int n = snprintf(text, sizeof text, "room-%d", i % 1000);
        hale_str room = {text, n};
        hale_heap_slot_assign(s, &cells[k]->room, &hale_type_string, &room);
        hale_str tags[2] = {room, HALE_STR_LIT("t")};
        hale_array arr = {tags, 2, 2};
        hale_heap_slot_assign(s, &cells[k]->tags, &T_Strings, &arr);
        if (i == 1000) {
            reserved = hale_region_reserved_bytes(locus) + hale_heap_slot_live_bytes(s);
            sys_before = hale_diag_heap_alloc_count();
        }
    }
    assert_int_equal(hale_heap_slot_live(s), 64);
    /* Freed cells and their strings are reused: no growth, no system allocation. */
    assert_int_equal(hale_diag_heap_alloc_count(), sys_before);
    assert_true(hale_region_reserved_bytes(locus) + hale_heap_slot_live_bytes(s) <= reserved);
    hale_gen g = hale_region_generation(locus);
    hale_region_free(locus); /* wholesale, with 64 live cells */
    assert_false(hale_region_alive(locus, g));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc_free_and_contents),
        cmocka_unit_test(test_foreign_cell_refused),
        cmocka_unit_test(test_churn_stays_flat),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
