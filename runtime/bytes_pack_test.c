#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "bytes.h"

static hale_bytes B(const char *p, int64_t n) {
    return (hale_bytes){(const uint8_t *)p, n};
}

static void test_readers(void **state) {
    (void)state;
    const char raw[] = "\x01\xff\x7f\x80\x00\x00\x00\x80\xfe";
    hale_bytes b = B(raw, 9);
    int64_t v;
    assert_true(hale_bytes_read_u8(b, 1, &v));
    assert_int_equal(v, 255);
    assert_true(hale_bytes_read_i8(b, 1, &v));
    assert_int_equal(v, -1);
    assert_true(hale_bytes_read_u16_le(b, 0, &v));
    assert_int_equal(v, 0xff01);
    assert_true(hale_bytes_read_u16_be(b, 0, &v));
    assert_int_equal(v, 0x01ff);
    assert_true(hale_bytes_read_i16_be(b, 3, &v));
    assert_int_equal(v, (int16_t)0x8000);
    assert_true(hale_bytes_read_u32_le(b, 4, &v));
    assert_int_equal(v, 0x80000000);
    assert_true(hale_bytes_read_i32_le(b, 4, &v));
    assert_int_equal(v, INT32_MIN);
    assert_true(hale_bytes_read_u64_le(b, 1, &v)); /* top bit set: wraps negative */
    assert_int_equal((uint64_t)v, 0xfe80000000807fffULL);
    /* every width refuses a span past the end, a negative offset and an empty buffer */
    assert_false(hale_bytes_read_u8(b, 9, &v));
    assert_false(hale_bytes_read_u16_le(b, 8, &v));
    assert_false(hale_bytes_read_u32_be(b, 6, &v));
    assert_false(hale_bytes_read_u64_be(b, 2, &v));
    assert_false(hale_bytes_read_u8(b, -1, &v));
    assert_false(hale_bytes_read_u8(B("", 0), 0, NULL));
    assert_false(hale_bytes_read_u64_le(b, INT64_MAX, &v));
    double d;
    assert_false(hale_bytes_read_f64_le(b, 2, &d));
}

static void test_writers_round_trip(void **state) {
    (void)state;
    hale_region *r = hale_region_new(NULL, "pack");
    hale_bytes_builder w;
    hale_bytes_builder_init(&w, r, 0);
    hale_bytes_builder_append_u8(&w, 0x1ff); /* low byte only */
    hale_bytes_builder_append_u16_be(&w, 0x1234);
    hale_bytes_builder_append_pad(&w, 4);
    assert_int_equal(w.len, 4);
    hale_bytes_builder_append_u32_le(&w, -2);
    hale_bytes_builder_append_u64_be(&w, INT64_MIN);
    hale_bytes_builder_append_f64_le(&w, 2.5);
    hale_bytes_builder_append_f64_be(&w, -0.125);
    hale_bytes_builder_append_f32_le(&w, 1.5);
    hale_bytes_builder_append_pad(&w, 1); /* no-op */
    hale_bytes b = hale_bytes_builder_view(&w);
    assert_int_equal(b.len, 4 + 4 + 8 + 8 + 8 + 4);
    int64_t v;
    double d;
    assert_true(hale_bytes_read_u8(b, 0, &v));
    assert_int_equal(v, 0xff);
    assert_true(hale_bytes_read_u16_be(b, 1, &v));
    assert_int_equal(v, 0x1234);
    assert_true(hale_bytes_read_u8(b, 3, &v));
    assert_int_equal(v, 0); /* padding */
    assert_true(hale_bytes_read_i32_le(b, 4, &v));
    assert_int_equal(v, -2);
    assert_true(hale_bytes_read_u64_be(b, 8, &v));
    assert_int_equal(v, INT64_MIN);
    assert_true(hale_bytes_read_f64_le(b, 16, &d));
    assert_true(d == 2.5);
    assert_true(hale_bytes_read_f64_be(b, 24, &d));
    assert_true(d == -0.125);
    assert_true(hale_bytes_read_f32_le(b, 32, &d));
    assert_true(d == 1.5);
    hale_region_free(r);
}

static void test_xor_mask_and_shift(void **state) {
    (void)state;
    hale_region *r = hale_region_new(NULL, "pack");
    hale_bytes_builder w;
    hale_bytes_builder_init(&w, r, 0);
    /* RFC 6455's example: "Hello" masked with 37 fa 21 3d */
    hale_bytes_builder_xor_mask(&w, B("Hello", 5), 0x3d21fa37);
    assert_memory_equal(w.buf, "\x7f\x9f\x4d\x51\x58", 5);
    hale_bytes_builder_xor_mask(&w, B("", 0), 7); /* empty source: nothing */
    assert_int_equal(w.len, 5);
    hale_bytes_builder_shift_front(&w, 2);
    assert_int_equal(w.len, 3);
    assert_memory_equal(w.buf, "\x4d\x51\x58", 3);
    hale_bytes_builder_shift_front(&w, -4); /* negative: nothing */
    assert_int_equal(w.len, 3);
    hale_bytes_builder_shift_front(&w, 100);
    assert_int_equal(w.len, 0);
    hale_region_free(r);
}

static void test_construction(void **state) {
    (void)state;
    hale_region *r = hale_region_new(NULL, "pack");
    hale_bytes one = hale_bytes_from_int(r, 0x181);
    assert_int_equal(one.len, 1);
    assert_int_equal(one.ptr[0], 0x81);
    hale_bytes ab = hale_bytes_concat(r, B("a\0", 2), B("b", 1));
    assert_int_equal(ab.len, 3);
    assert_memory_equal(ab.ptr, "a\0b", 3);
    assert_int_equal(hale_bytes_concat(r, B("", 0), one).len, 1);
    assert_int_equal(hale_bytes_concat(r, one, B("", 0)).len, 1);
    assert_int_equal(hale_bytes_concat(r, B("", 0), B("", 0)).len, 0);
    assert_int_equal(hale_bytes_find_byte(ab, 0, 'b'), 2);
    assert_int_equal(hale_bytes_find_byte(ab, 0, 0x100), 1); /* low 8 bits: NUL */
    assert_int_equal(hale_bytes_find_byte(ab, 3, 'b'), -1);
    assert_int_equal(hale_bytes_find_byte(ab, -5, 'a'), 0);
    int64_t v = 7;
    assert_false(hale_bytes_at(ab, 3, &v));
    assert_int_equal(v, -1); /* the bare call's sentinel */
    assert_true(hale_bytes_at(ab, 2, &v));
    assert_int_equal(v, 'b');
    hale_region_free(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_readers),
        cmocka_unit_test(test_writers_round_trip),
        cmocka_unit_test(test_xor_mask_and_shift),
        cmocka_unit_test(test_construction),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
