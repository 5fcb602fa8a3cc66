#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "copy.h"
#include "test_types.h"

/* Builds a Msg whose heap parts all live in `r`. */
static Msg make_msg(hale_region *r, const char *room) {
    Msg m;
    memset(&m, 0, sizeof m);
    size_t n = strlen(room);
    char *p = hale_region_alloc(r, n, 1);
    memcpy(p, room, n);
    m.room = (hale_str){p, (int64_t)n};
    hale_str *tags = hale_alloc(r, 2 * sizeof(hale_str));
    char *t0 = hale_region_alloc(r, 3, 1), *t1 = hale_region_alloc(r, 5, 1);
    memcpy(t0, "ops", 3);
    memcpy(t1, "admin", 5);
    tags[0] = (hale_str){t0, 3};
    tags[1] = (hale_str){t1, 5};
    m.tags = (hale_array){tags, 2, 2};
    m.at = (Point){1.5, -2};
    char *q = hale_region_alloc(r, 2, 1);
    memcpy(q, "hi", 2);
    m.recent.len = 1;
    m.recent.items[0] = (hale_str){q, 2};
    m.level = 2;
    m.urgent = true;
    return m;
}

static void scribble(Msg *m) {
    memset((char *)m->room.ptr, 'X', (size_t)m->room.len);
    hale_str *tags = m->tags.data;
    memset((char *)tags[0].ptr, 'X', (size_t)tags[0].len);
    tags[1].len = 0;
    memset((char *)m->recent.items[0].ptr, 'X', 2);
}

static void test_flat_copy(void **state) {
    (void)state;
    Point a = {3, 4}, b;
    hale_value_copy(&T_Point, &b, &a, NULL); /* flat: no region needed */
    assert_true(hale_value_equal(&T_Point, &a, &b));
}

static void test_deep_copy_is_independent(void **state) {
    (void)state;
    hale_region *src_r = hale_region_new(NULL, "src");
    hale_region *dst_r = hale_region_new(NULL, "dst");
    Msg src = make_msg(src_r, "lobby");
    Msg dst;
    hale_value_copy(&T_Msg, &dst, &src, dst_r);
    assert_true(hale_value_equal(&T_Msg, &src, &dst));
    assert_ptr_not_equal(dst.room.ptr, src.room.ptr);
    assert_ptr_not_equal(dst.tags.data, src.tags.data);
    assert_int_equal(dst.tags.cap, 2);
    scribble(&src);
    hale_region_free(src_r);
    char buf[256] = {0};
    FILE *f = fmemopen(buf, sizeof buf - 1, "w");
    hale_value_debug(&T_Msg, &dst, f);
    fclose(f);
    assert_string_equal(buf,
                        "Msg { room: \"lobby\", tags: [\"ops\", \"admin\"], at: Point { x: 1.5, "
                        "y: -2 }, recent: [\"hi\"], level: Warn, urgent: true }");
    hale_region_free(dst_r);
}

static void test_rehome_in_place(void **state) {
    (void)state;
    hale_region *scratch = hale_region_new(NULL, "scratch");
    hale_region *locus = hale_region_new(NULL, "locus");
    Msg field = make_msg(scratch, "kitchen"); /* built in scratch, then `self.f = v` */
    Msg orig = field;
    hale_value_copy(&T_Msg, &field, &field, locus);
    scribble(&orig);           /* the scratch's bytes change; the re-homed value must not */
    hale_region_free(scratch); /* the scratch reset */
    Msg expect = make_msg(locus, "kitchen");
    assert_true(hale_value_equal(&T_Msg, &field, &expect));
    hale_region_free(locus);
}

static void test_heap_copy_and_release_is_flat(void **state) {
    (void)state;
    hale_region *src_r = hale_region_new(NULL, "src");
    hale_region *form = hale_region_new(NULL, "form");
    hale_heap h;
    hale_heap_init(&h, form);
    Msg src = make_msg(src_r, "a-room-name-long-enough-to-matter");
    Msg held;
    size_t reserved = 0;
    for (int i = 0; i < 100000; i++) {
        hale_value_copy_heap(&T_Msg, &held, &src, &h);
        assert_true(h.live_bytes > 0);
        hale_value_release(&T_Msg, &held, &h);
        assert_int_equal(h.live_bytes, 0);
        if (i == 10) {
            reserved = hale_region_reserved_bytes(form);
        }
    }
    assert_int_equal(hale_region_reserved_bytes(form), reserved);
    assert_int_equal(held.room.len, 0); /* release leaves an empty value */
    assert_int_equal(held.tags.len, 0);
    hale_region_free(src_r);
    hale_region_free(form);
}

static void test_empty_parts_own_nothing(void **state) {
    (void)state;
    hale_region *form = hale_region_new(NULL, "form");
    hale_heap h;
    hale_heap_init(&h, form);
    Msg empty;
    memset(&empty, 0, sizeof empty);
    Msg c;
    hale_value_copy_heap(&T_Msg, &c, &empty, &h);
    assert_int_equal(h.live_bytes, 0);
    assert_true(hale_value_equal(&T_Msg, &c, &empty));
    hale_value_release(&T_Msg, &c, &h);
    hale_region_free(form);
}

static void test_array_of_records(void **state) {
    (void)state;
    hale_region *r = hale_region_new(NULL, "r");
    Msg items[3];
    for (int i = 0; i < 3; i++) {
        items[i] = make_msg(r, i == 1 ? "one" : "other");
    }
    hale_array arr = {items, 3, 3}, copy;
    hale_value_copy(&T_Msgs, &copy, &arr, r);
    assert_true(hale_value_equal(&T_Msgs, &arr, &copy));
    assert_int_equal(hale_value_hash(&T_Msgs, &arr), hale_value_hash(&T_Msgs, &copy));
    ((Msg *)copy.data)[2].urgent = false;
    assert_false(hale_value_equal(&T_Msgs, &arr, &copy));
    assert_true(hale_value_compare(&T_Msgs, &copy, &arr) < 0); /* false < true */
    hale_region_free(r);
}

static void test_bounded_len_is_clamped(void **state) {
    (void)state;
    hale_region *r = hale_region_new(NULL, "r");
    Recent bad = {.len = 99, .items = {{"a", 1}, {"b", 1}, {"c", 1}}};
    Recent c;
    hale_value_copy(&T_Recent, &c, &bad, r); /* never walks past the capacity */
    assert_true(hale_value_equal(&T_Recent, &c, &bad));
    hale_region_free(r);
}

static void test_equal_hash_compare_scalars(void **state) {
    (void)state;
    double pz = 0.0, nz = -0.0, nan = NAN, one = 1;
    assert_true(hale_value_equal(&hale_type_float, &pz, &nz));
    assert_int_equal(hale_value_hash(&hale_type_float, &pz),
                     hale_value_hash(&hale_type_float, &nz));
    assert_false(hale_value_equal(&hale_type_float, &nan, &nan));
    assert_int_equal(hale_value_compare(&hale_type_float, &nan, &one), 0);
    hale_str ab = HALE_STR_LIT("ab"), abc = HALE_STR_LIT("abc"), b = HALE_STR_LIT("b");
    assert_true(hale_value_compare(&hale_type_string, &ab, &abc) < 0);
    assert_true(hale_value_compare(&hale_type_string, &abc, &b) < 0);
    assert_int_equal(hale_value_compare(&hale_type_string, &b, &b), 0);
    hale_str ab2 = {&"xab"[1], 2};
    assert_int_equal(hale_value_hash(&hale_type_string, &ab),
                     hale_value_hash(&hale_type_string, &ab2));
    assert_int_not_equal(hale_value_hash(&hale_type_string, &ab),
                         hale_value_hash(&hale_type_string, &abc));
    int64_t x = 7, y = 8;
    assert_int_not_equal(hale_value_hash(&hale_type_int, &x), hale_value_hash(&hale_type_int, &y));
    assert_true(hale_value_compare(&hale_type_int, &x, &y) < 0);
    int64_t bad_level = 9;
    char buf[64] = {0};
    FILE *f = fmemopen(buf, sizeof buf - 1, "w");
    hale_value_debug(&T_Level, &bad_level, f);
    fclose(f);
    assert_string_equal(buf, "Level(9)");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flat_copy),
        cmocka_unit_test(test_deep_copy_is_independent),
        cmocka_unit_test(test_rehome_in_place),
        cmocka_unit_test(test_heap_copy_and_release_is_flat),
        cmocka_unit_test(test_empty_parts_own_nothing),
        cmocka_unit_test(test_array_of_records),
        cmocka_unit_test(test_bounded_len_is_clamped),
        cmocka_unit_test(test_equal_hash_compare_scalars),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
