#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "form_lru.h"
#include "test_types.h"

static hale_lru cache;
static hale_region *locus;

static int setup(void **state) {
    (void)state;
    locus = hale_region_new(NULL, "SessionCache");
    hale_lru_init(&cache, locus, &T_Entry, &hale_type_int, offsetof(Entry, id), 3);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    hale_region_free(locus);
    return 0;
}

static void put(int64_t id, const char *name) {
    Entry e = {id, {name, (int64_t)strlen(name)}};
    hale_lru_put(&cache, &e);
}

static void test_evicts_least_recently_used(void **state) {
    (void)state;
    put(1, "a");
    put(2, "b");
    put(3, "c");
    assert_int_equal(hale_lru_len(&cache), 3);
    put(4, "d"); /* evicts 1, the oldest */
    int64_t k = 1;
    assert_false(hale_lru_contains(&cache, &k));
    assert_int_equal(hale_lru_len(&cache), 3);
    assert_int_equal(hale_lru_evictions(&cache), 1);
    Entry out;
    assert_false(hale_lru_get(&cache, &k, &out, NULL)); /* KeyError */
}

static void test_get_touches_contains_does_not(void **state) {
    (void)state;
    put(1, "a");
    put(2, "b");
    put(3, "c");
    Entry out;
    int64_t one = 1, two = 2, three = 3, four = 4;
    assert_true(hale_lru_get(&cache, &one, &out, NULL)); /* 1 is now most recent */
    assert_memory_equal(out.name.ptr, "a", 1);
    assert_true(hale_lru_contains(&cache, &two)); /* no touch: 2 stays least recent */
    put(4, "d");
    assert_false(hale_lru_contains(&cache, &two));
    assert_true(hale_lru_contains(&cache, &one));
    assert_true(hale_lru_contains(&cache, &three));
    assert_true(hale_lru_contains(&cache, &four));
}

static void test_update_refreshes_and_replaces(void **state) {
    (void)state;
    put(1, "a");
    put(2, "b");
    put(3, "c");
    put(1, "a2"); /* update: no eviction, 1 becomes most recent */
    assert_int_equal(hale_lru_len(&cache), 3);
    assert_int_equal(hale_lru_evictions(&cache), 0);
    put(4, "d"); /* evicts 2 */
    int64_t one = 1, two = 2;
    assert_false(hale_lru_contains(&cache, &two));
    Entry out;
    assert_true(hale_lru_get(&cache, &one, &out, NULL));
    assert_int_equal(out.name.len, 2);
    assert_memory_equal(out.name.ptr, "a2", 2);
}

static void test_churn_against_model(void **state) {
    (void)state;
    hale_region *big = hale_region_new(NULL, "Big");
    hale_region *scratch = hale_region_new(NULL, "scratch");
    hale_lru c;
    enum { CAP = 64, KEYS = 200 };
    hale_lru_init(&c, big, &T_Entry, &hale_type_string, offsetof(Entry, name), CAP);
    /* model: last-use stamp per key, 0 = absent */
    static int64_t stamp[KEYS];
    memset(stamp, 0, sizeof stamp);
    uint64_t x = 99;
    char key[16];
    int64_t sys = 0;
    size_t reserved = 0;
    for (int64_t t = 1; t <= 300000; t++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int k = (int)(x % KEYS);
        int n = snprintf(key, sizeof key, "key-%d", k);
        hale_str ks = {key, n};
        if (x & 0x100) {
            Entry e = {t, ks};
            hale_lru_put(&c, &e);
            if (!stamp[k]) {
                int live = 0, oldest = -1;
                for (int i = 0; i < KEYS; i++) {
                    if (stamp[i]) {
                        live++;
                        if (oldest < 0 || stamp[i] < stamp[oldest]) {
                            oldest = i;
                        }
                    }
                }
                if (live == CAP) {
                    stamp[oldest] = 0;
                }
            }
            stamp[k] = t;
        } else {
            hale_mark m = hale_region_mark(scratch);
            Entry out;
            bool hit = hale_lru_get(&c, &ks, &out, scratch);
            assert_int_equal(hit, stamp[k] != 0);
            if (hit) {
                assert_int_equal(out.name.len, n);
                stamp[k] = t;
            }
            hale_region_reset(scratch, m);
        }
        assert_true(hale_lru_len(&c) <= CAP);
        if (t == 10000) {
            sys = hale_diag_heap_alloc_count();
            reserved = hale_region_reserved_bytes(big);
        }
    }
    for (int i = 0; i < KEYS; i++) {
        int n = snprintf(key, sizeof key, "key-%d", i);
        hale_str ks = {key, n};
        assert_int_equal(hale_lru_contains(&c, &ks), stamp[i] != 0);
    }
    assert_int_equal(hale_diag_heap_alloc_count(), sys); /* eviction churn allocates nothing */
    assert_int_equal(hale_region_reserved_bytes(big), reserved);
    hale_lru_destroy(&c);
    assert_int_equal(c.heap.live_bytes, 0);
    hale_region_free(scratch);
    hale_region_free(big);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_evicts_least_recently_used, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_touches_contains_does_not, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_refreshes_and_replaces, setup, teardown),
        cmocka_unit_test(test_churn_against_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
