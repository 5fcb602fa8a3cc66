#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "copy.h"
#include "form_hashmap.h"
#include "test_types.h"

/* type WordCount { word: String; count: Int; } */
typedef struct {
    hale_str word;
    int64_t count;
} WordCount;
static const hale_field wc_fields[] = {
    {"word", offsetof(WordCount, word), &hale_type_string},
    {"count", offsetof(WordCount, count), &hale_type_int},
};
static const hale_type T_WordCount = {.kind = HALE_T_RECORD,
                                      .name = "WordCount",
                                      .size = sizeof(WordCount),
                                      .align = _Alignof(WordCount),
                                      .fields = wc_fields,
                                      .nfields = 2};

static void test_string_keyed_surface(void **state) {
    (void)state;
    hale_region *locus = hale_region_new(NULL, "CmdRegistry");
    hale_region *scratch = hale_region_new(NULL, "scratch");
    hale_hashmap m;
    hale_hashmap_init(&m, locus, &T_Entry, &hale_type_string, offsetof(Entry, name));
    assert_true(hale_hashmap_is_empty(&m));
    hale_str k = HALE_STR_LIT("foo");
    Entry out;
    assert_false(hale_hashmap_get(&m, &k, &out, scratch)); /* KeyError */
    assert_false(hale_hashmap_remove(&m, &k));
    char name[8] = "foo";
    Entry e = {1, {name, 3}};
    hale_hashmap_set(&m, &e);
    name[0] = 'X'; /* stored by copy */
    assert_true(hale_hashmap_has(&m, &k));
    assert_true(hale_hashmap_get(&m, &k, &out, scratch));
    assert_int_equal(out.id, 1);
    assert_memory_equal(out.name.ptr, "foo", 3);
    Entry e2 = {2, HALE_STR_LIT("foo")}; /* same key: replaces */
    hale_hashmap_set(&m, &e2);
    assert_int_equal(hale_hashmap_len(&m), 1);
    assert_true(hale_hashmap_get(&m, &k, &out, NULL));
    assert_int_equal(out.id, 2);
    Entry e3 = {3, HALE_STR_LIT("bar")};
    hale_hashmap_set(&m, &e3);
    assert_int_equal(hale_hashmap_len(&m), 2);
    assert_true(hale_hashmap_remove(&m, &k));
    assert_false(hale_hashmap_has(&m, &k));
    assert_int_equal(hale_hashmap_len(&m), 1);
    assert_false(hale_hashmap_is_empty(&m));
    hale_region_free(scratch);
    hale_region_free(locus);
}

static uint64_t rng = 12345;
static uint64_t next(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Random insert/remove/lookup over a small key space (long clusters, many shifts), checked
 * against a plain array model. */
static void test_against_model(void **state) {
    (void)state;
    enum { KEYS = 300 };
    hale_region *locus = hale_region_new(NULL, "L");
    hale_hashmap m;
    hale_hashmap_init(&m, locus, &T_Entry, &hale_type_int, offsetof(Entry, id));
    int64_t model[KEYS]; /* value stored for key k, or -1 */
    for (int i = 0; i < KEYS; i++) {
        model[i] = -1;
    }
    char text[32];
    for (int step = 0; step < 200000; step++) {
        int64_t k = (int64_t)(next() % KEYS) * 1024; /* multiples: stress the hash */
        int op = (int)(next() % 3);
        if (op == 0) {
            int n = snprintf(text, sizeof text, "v%d", step);
            Entry e = {k, {text, n}};
            hale_hashmap_set(&m, &e);
            model[k / 1024] = step;
        } else if (op == 1) {
            bool had = model[k / 1024] >= 0;
            assert_int_equal(hale_hashmap_remove(&m, &k), had);
            model[k / 1024] = -1;
        } else {
            Entry out;
            bool had = model[k / 1024] >= 0;
            assert_int_equal(hale_hashmap_get(&m, &k, &out, NULL), had);
            if (had) {
                int n = snprintf(text, sizeof text, "v%lld", (long long)model[k / 1024]);
                assert_int_equal(out.name.len, n);
                assert_memory_equal(out.name.ptr, text, (size_t)n);
            }
        }
    }
    int64_t live = 0;
    for (int i = 0; i < KEYS; i++) {
        live += model[i] >= 0;
        int64_t k = (int64_t)i * 1024;
        assert_int_equal(hale_hashmap_has(&m, &k), model[i] >= 0);
    }
    assert_int_equal(hale_hashmap_len(&m), live);
    assert_true(m.cap * 7 >= hale_hashmap_len(&m) * 10); /* load factor <= 0.7 */
    hale_hashmap_destroy(&m);
    assert_int_equal(m.heap.live_bytes, 0); /* every entry's parts given back */
    hale_region_free(locus);
}

static void test_dense_int_keys(void **state) {
    (void)state;
    hale_region *locus = hale_region_new(NULL, "L");
    hale_hashmap m;
    hale_hashmap_init(&m, locus, &T_Entry, &hale_type_int, offsetof(Entry, id));
    for (int64_t i = 0; i < 100000; i++) {
        Entry e = {i, HALE_STR_LIT("")};
        hale_hashmap_set(&m, &e);
    }
    for (int64_t i = 1; i < 100000; i += 2) {
        assert_true(hale_hashmap_remove(&m, &i));
    }
    assert_int_equal(hale_hashmap_len(&m), 50000);
    for (int64_t i = 0; i < 100000; i++) {
        assert_int_equal(hale_hashmap_has(&m, &i), i % 2 == 0);
    }
    hale_region_free(locus);
}

/* The longest distance any entry sits past its home slot (the slot its stored hash names). */
static uint64_t longest_run(const hale_hashmap *m) {
    uint64_t mask = (uint64_t)m->cap - 1, longest = 0;
    for (int64_t i = 0; i < m->cap; i++) {
        uint64_t h;
        memcpy(&h, m->slots + (size_t)i * m->stride, sizeof h);
        if (h) {
            uint64_t run = ((uint64_t)i - (h & mask)) & mask;
            longest = run > longest ? run : longest;
        }
    }
    return longest;
}

/* Dense Int keys are placed by value: no entry leaves its home slot, and table order is key
 * order, negative keys (high slots) after the others. */
static void test_dense_keys_placed_by_value(void **state) {
    (void)state;
    hale_region *locus = hale_region_new(NULL, "L");
    hale_hashmap m;
    hale_hashmap_init(&m, locus, &T_Entry, &hale_type_int, offsetof(Entry, id));
    for (int64_t i = -50; i < 5000; i++) {
        Entry e = {i, HALE_STR_LIT("")};
        hale_hashmap_set(&m, &e);
    }
    assert_false(m.mixed);
    assert_int_equal(longest_run(&m), 0);
    int64_t cursor = 0, want = 0;
    Entry *e;
    while ((e = hale_hashmap_next(&m, &cursor)) != NULL) {
        assert_int_equal(e->id, want);
        want = want == 4999 ? -50 : want + 1;
    }
    assert_int_equal(want, 0); /* every key seen, in order, the negatives last */
    hale_region_free(locus);
}

/* Keys that share their low bits (a stride of 2^20) would pile up on a few home slots: the
 * first entry placed past the run bound moves the map to the mixing hash, after which every
 * key is still found, removed and counted. */
static void test_clustered_keys_switch_to_mixing(void **state) {
    (void)state;
    hale_region *locus = hale_region_new(NULL, "L");
    hale_hashmap m;
    hale_hashmap_init(&m, locus, &T_Entry, &hale_type_int, offsetof(Entry, id));
    int64_t i = 0;
    for (; i < 20000 && !m.mixed; i++) {
        Entry e = {i << 20, HALE_STR_LIT("x")};
        hale_hashmap_set(&m, &e);
        assert_true(longest_run(&m) <= HALE_HASHMAP_MAX_RUN); /* the bound holds throughout */
    }
    assert_true(m.mixed);
    assert_true(i <= HALE_HASHMAP_MAX_RUN + 2); /* it mixed as soon as a run got too long */
    for (; i < 20000; i++) {
        Entry e = {i << 20, HALE_STR_LIT("x")};
        hale_hashmap_set(&m, &e);
    }
    assert_int_equal(hale_hashmap_len(&m), 20000);
    assert_true(longest_run(&m) < 200); /* mixed: no pile-up */
    for (int64_t k = 0; k < 20000; k++) {
        int64_t key = k << 20;
        assert_true(hale_hashmap_has(&m, &key));
        if (k % 2) {
            assert_true(hale_hashmap_remove(&m, &key));
        }
    }
    assert_int_equal(hale_hashmap_len(&m), 10000);
    int64_t cursor = 0, count = 0;
    Entry *e;
    while ((e = hale_hashmap_next(&m, &cursor)) != NULL) {
        assert_int_equal((e->id >> 20) % 2, 0);
        count++;
    }
    assert_int_equal(count, 10000);
    hale_hashmap_destroy(&m);
    assert_int_equal(m.heap.live_bytes, 0);
    hale_region_free(locus);
}

/* bump inserts too: a clustering key it adds moves the map to mixing, and the counts survive. */
static void test_bump_switches_to_mixing(void **state) {
    (void)state;
    hale_region *locus = hale_region_new(NULL, "L");
    hale_region *scratch = hale_region_new(NULL, "scratch");
    /* type Hits { id: Int; count: Int; } */
    static const hale_field pair_fields[] = {
        {"id", 0, &hale_type_int},
        {"count", sizeof(int64_t), &hale_type_int},
    };
    static const hale_type T_Pair = {.kind = HALE_T_RECORD,
                                     .name = "Pair",
                                     .size = 2 * sizeof(int64_t),
                                     .align = _Alignof(int64_t),
                                     .flat = true,
                                     .fields = pair_fields,
                                     .nfields = 2};
    hale_hashmap m;
    hale_hashmap_init(&m, locus, &T_Pair, &hale_type_int, 0);
    for (int round = 0; round < 3; round++) {
        for (int64_t k = 0; k < 100; k++) {
            int64_t key = k << 24;
            hale_hashmap_bump(&m, &key, sizeof(int64_t));
        }
    }
    assert_true(m.mixed);
    assert_int_equal(hale_hashmap_len(&m), 100);
    for (int64_t k = 0; k < 100; k++) {
        int64_t key = k << 24, out[2];
        assert_true(hale_hashmap_get(&m, &key, out, scratch));
        assert_int_equal(out[0], key);
        assert_int_equal(out[1], 3);
    }
    hale_region_free(scratch);
    hale_region_free(locus);
}

static void test_key_at_entry_at_and_iteration(void **state) {
    (void)state;
    hale_region *locus = hale_region_new(NULL, "L");
    hale_region *scratch = hale_region_new(NULL, "scratch");
    hale_hashmap m;
    hale_hashmap_init(&m, locus, &T_Entry, &hale_type_int, offsetof(Entry, id));
    enum { N = 1000 };
    for (int64_t i = 0; i < N; i++) {
        Entry e = {i * 3, HALE_STR_LIT("x")};
        hale_hashmap_set(&m, &e);
    }
    static char seen[3 * N];
    memset(seen, 0, sizeof seen);
    for (int64_t i = 0; i < N; i++) {
        int64_t k;
        assert_true(hale_hashmap_key_at(&m, i, &k, NULL));
        Entry e;
        assert_true(hale_hashmap_entry_at(&m, i, &e, scratch));
        assert_int_equal(e.id, k);
        assert_int_equal(seen[k], 0);
        seen[k] = 1;
    }
    int64_t k;
    assert_false(hale_hashmap_key_at(&m, N, &k, NULL));
    assert_false(hale_hashmap_key_at(&m, -1, &k, NULL));
    /* walking backwards also works (restarts from the front) */
    assert_true(hale_hashmap_key_at(&m, 5, &k, NULL));
    int64_t k2;
    assert_true(hale_hashmap_key_at(&m, 2, &k2, NULL));
    assert_true(hale_hashmap_key_at(&m, 5, &k, NULL) && k != k2);
    int64_t cursor = 0, count = 0;
    Entry *e;
    while ((e = hale_hashmap_next(&m, &cursor)) != NULL) {
        assert_int_equal(e->id % 3, 0);
        count++;
    }
    assert_int_equal(count, N);
    hale_region_free(scratch);
    hale_region_free(locus);
}

static void test_bump(void **state) {
    (void)state;
    hale_region *locus = hale_region_new(NULL, "WordFreq");
    hale_region *scratch = hale_region_new(NULL, "scratch");
    hale_hashmap m;
    hale_hashmap_init(&m, locus, &T_WordCount, &hale_type_string, offsetof(WordCount, word));
    const char *words[] = {"the", "cat", "the", "hat", "the", "cat"};
    for (int i = 0; i < 6; i++) {
        char buf[8];
        strcpy(buf, words[i]);
        hale_str w = {buf, (int64_t)strlen(buf)};
        hale_hashmap_bump(&m, &w, offsetof(WordCount, count));
        memset(buf, 'X', sizeof buf); /* the key was copied */
    }
    assert_int_equal(hale_hashmap_len(&m), 3);
    hale_str the = HALE_STR_LIT("the"), cat = HALE_STR_LIT("cat"), hat = HALE_STR_LIT("hat");
    WordCount out;
    assert_true(hale_hashmap_get(&m, &the, &out, scratch));
    assert_int_equal(out.count, 3);
    assert_true(hale_hashmap_get(&m, &cat, &out, scratch));
    assert_int_equal(out.count, 2);
    assert_true(hale_hashmap_get(&m, &hat, &out, scratch));
    assert_int_equal(out.count, 1);
    hale_region_free(scratch);
    hale_region_free(locus);
}

static void test_churn_is_flat(void **state) {
    (void)state;
    hale_region *locus = hale_region_new(NULL, "Sessions");
    hale_hashmap m;
    hale_hashmap_init(&m, locus, &T_Entry, &hale_type_string, offsetof(Entry, name));
    char key[32];
    int64_t sys = 0;
    size_t reserved = 0;
    for (int i = 0; i < 300000; i++) {
        int n = snprintf(key, sizeof key, "session-%d", i % 500);
        Entry e = {i, {key, n}};
        hale_hashmap_set(&m, &e);
        if (i % 3 == 0) {
            hale_str k = {key, n};
            assert_true(hale_hashmap_remove(&m, &k));
        }
        if (i == 5000) {
            sys = hale_diag_heap_alloc_count();
            reserved = hale_region_reserved_bytes(locus);
        }
    }
    assert_int_equal(hale_diag_heap_alloc_count(), sys);
    assert_int_equal(hale_region_reserved_bytes(locus), reserved);
    hale_region_free(locus);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_string_keyed_surface),
        cmocka_unit_test(test_against_model),
        cmocka_unit_test(test_dense_int_keys),
        cmocka_unit_test(test_dense_keys_placed_by_value),
        cmocka_unit_test(test_clustered_keys_switch_to_mixing),
        cmocka_unit_test(test_bump_switches_to_mixing),
        cmocka_unit_test(test_key_at_entry_at_and_iteration),
        cmocka_unit_test(test_bump),
        cmocka_unit_test(test_churn_is_flat),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
