/* The payload codec: every shape round-trips, encodings are valid msgpack (checked with
 * msgpack-c's own unpacker), sizes are exact, and every kind of bad input is refused with the
 * right status and place, leaving the region as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <msgpack.h>

#include "codec.h"
#include "decimal.h"
#include "fuzz_types.h"

/* ---- helpers ---- */

static hale_region *region;

static int setup(void **state) {
    (void)state;
    region = hale_region_new(NULL, "codec_test");
    return 0;
}

static int teardown(void **state) {
    (void)state;
    hale_region_free(region);
    return 0;
}

static FzInner inner_vals[3];
static int64_t int_vals[5] = {0, -1, 127, -33, INT64_MIN};

static FzShapes sample(void) {
    for (int i = 0; i < 3; i++) {
        inner_vals[i] = (FzInner){i * 1000, HALE_STR_LIT("inner \xc3\xa9t\xc3\xa9")};
    }
    static const uint8_t raw[] = {0, 1, 2, 0xff, 0xc1};
    FzShapes o = {
        .n = INT64_MAX,
        .f = -2.5e300,
        .b = true,
        .d = 1500000000,
        .s = HALE_STR_LIT("hello, world"),
        .raw = {raw, sizeof raw},
        .level = 2,
        .inner = {-7, HALE_STR_LIT("")},
        .inners = {inner_vals, 3, 3},
        .ints = {int_vals, 5, 5},
        .small = {2, {9, -9, 0, 0}},
    };
    return o;
}

static size_t encode(const hale_type *t, const void *v, uint8_t *buf, size_t cap) {
    tp_codec_err err;
    size_t size = 0;
    assert_int_equal(tp_encoded_size(t, v, &size, &err), 0);
    long n = tp_encode(t, v, buf, cap, &err);
    assert_int_equal(n, (long)size);
    return size;
}

static void assert_str(hale_str a, hale_str b) {
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.ptr, b.ptr, (size_t)a.len);
}

/* Decoding must fail with `status`; the region is left exactly as it was. */
static void expect_fail(const hale_type *t, const uint8_t *buf, size_t len, const tp_limits *lim,
                        tp_codec_status status, const char *path) {
    size_t before = hale_region_used_bytes(region);
    char out[sizeof(FzWide) + 64];
    tp_codec_err err;
    assert_int_equal(tp_decode(t, buf, len, region, out, lim, &err), -1);
    if (err.status != status) {
        fail_msg("expected status %s, got %s (%s: %s)", tp_codec_status_name(status),
                 tp_codec_status_name(err.status), err.path, err.msg);
    }
    if (path) {
        assert_string_equal(err.path, path);
    }
    assert_int_equal(hale_region_used_bytes(region), before);
}

/* ---- tests ---- */

static void test_roundtrip_every_shape(void **state) {
    (void)state;
    FzShapes in = sample();
    uint8_t buf[1024];
    size_t n = encode(&fz_shapes_t, &in, buf, sizeof buf);

    FzShapes out;
    tp_codec_err err;
    assert_int_equal(tp_decode(&fz_shapes_t, buf, n, region, &out, NULL, &err), 0);
    assert_int_equal(out.n, in.n);
    assert_true(out.f == in.f);
    assert_true(out.b);
    assert_int_equal(out.d, in.d);
    assert_str(out.s, in.s);
    assert_int_equal(out.raw.len, in.raw.len);
    assert_memory_equal(out.raw.ptr, in.raw.ptr, (size_t)in.raw.len);
    assert_int_equal(out.level, 2);
    assert_int_equal(out.inner.id, -7);
    assert_int_equal(out.inner.name.len, 0);
    assert_non_null(out.inner.name.ptr);
    assert_int_equal(out.inners.len, 3);
    for (int i = 0; i < 3; i++) {
        const FzInner *x = (const FzInner *)out.inners.data + i;
        assert_int_equal(x->id, i * 1000);
        assert_str(x->name, inner_vals[i].name);
    }
    assert_int_equal(out.ints.len, 5);
    assert_memory_equal(out.ints.data, int_vals, sizeof int_vals);
    assert_int_equal(out.small.len, 2);
    assert_int_equal(out.small.items[0], 9);
    assert_int_equal(out.small.items[1], -9);
    /* The copy lives in the region, not in the input or the sender's value. */
    assert_ptr_not_equal(out.s.ptr, in.s.ptr);
    assert_true((const uint8_t *)out.s.ptr < buf || (const uint8_t *)out.s.ptr >= buf + n);
}

static void test_encoding_is_msgpack(void **state) {
    (void)state;
    FzShapes in = sample();
    uint8_t buf[1024];
    size_t n = encode(&fz_shapes_t, &in, buf, sizeof buf);
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    size_t off = 0;
    assert_int_equal(msgpack_unpack_next(&u, (const char *)buf, n, &off), MSGPACK_UNPACK_SUCCESS);
    assert_int_equal(off, n);
    msgpack_object o = u.data;
    assert_int_equal(o.type, MSGPACK_OBJECT_ARRAY);
    assert_int_equal(o.via.array.size, 11);
    assert_int_equal(o.via.array.ptr[0].type, MSGPACK_OBJECT_POSITIVE_INTEGER);
    assert_int_equal(o.via.array.ptr[0].via.u64, INT64_MAX);
    assert_int_equal(o.via.array.ptr[1].type, MSGPACK_OBJECT_FLOAT64);
    assert_int_equal(o.via.array.ptr[4].type, MSGPACK_OBJECT_STR);
    assert_int_equal(o.via.array.ptr[5].type, MSGPACK_OBJECT_BIN);
    assert_int_equal(o.via.array.ptr[8].via.array.size, 3);
    assert_int_equal(o.via.array.ptr[10].via.array.size, 2);
    msgpack_unpacked_destroy(&u);
}

static void test_int_boundaries(void **state) {
    (void)state;
    const int64_t vals[] = {0,
                            1,
                            31,
                            32,
                            127,
                            128,
                            255,
                            256,
                            65535,
                            65536,
                            4294967295,
                            4294967296,
                            INT64_MAX,
                            -1,
                            -32,
                            -33,
                            -128,
                            -129,
                            -32768,
                            -32769,
                            -2147483648LL,
                            -2147483649LL,
                            INT64_MIN};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        uint8_t buf[16];
        size_t n = encode(&hale_type_int, &vals[i], buf, sizeof buf);
        int64_t back = 0;
        tp_codec_err err;
        assert_int_equal(tp_decode(&hale_type_int, buf, n, region, &back, NULL, &err), 0);
        assert_int_equal(back, vals[i]);
    }
}

static void test_accepts_other_encoders_forms(void **state) {
    (void)state;
    tp_codec_err err;
    int64_t v;
    /* int64 holding 5, uint16 holding 300, int8 holding -2 */
    const uint8_t wide[] = {0xd3, 0, 0, 0, 0, 0, 0, 0, 5};
    assert_int_equal(tp_decode(&hale_type_int, wide, sizeof wide, region, &v, NULL, &err), 0);
    assert_int_equal(v, 5);
    const uint8_t u16[] = {0xcd, 0x01, 0x2c};
    assert_int_equal(tp_decode(&hale_type_int, u16, sizeof u16, region, &v, NULL, &err), 0);
    assert_int_equal(v, 300);
    const uint8_t i8[] = {0xd0, 0xfe};
    assert_int_equal(tp_decode(&hale_type_int, i8, sizeof i8, region, &v, NULL, &err), 0);
    assert_int_equal(v, -2);
    /* float32 1.5 widens to Float */
    const uint8_t f32[] = {0xca, 0x3f, 0xc0, 0, 0};
    double d;
    assert_int_equal(tp_decode(&hale_type_float, f32, sizeof f32, region, &d, NULL, &err), 0);
    assert_true(d == 1.5);
    /* str16 "ab" */
    const uint8_t s16[] = {0xda, 0, 2, 'a', 'b'};
    hale_str s;
    assert_int_equal(tp_decode(&hale_type_string, s16, sizeof s16, region, &s, NULL, &err), 0);
    assert_int_equal(s.len, 2);
}

static void test_wrong_type_names_the_place(void **state) {
    (void)state;
    FzShapes in = sample();
    uint8_t buf[1024];
    size_t n = encode(&fz_shapes_t, &in, buf, sizeof buf);
    /* Decoding Outer's bytes as an Inner: arity. */
    expect_fail(&fz_inner_t, buf, n, NULL, TP_CODEC_ARITY, "Inner");
    /* An Inner whose id is a string. */
    const uint8_t bad[] = {0x92, 0xa1, 'x', 0xa1, 'y'};
    expect_fail(&fz_inner_t, bad, sizeof bad, NULL, TP_CODEC_TYPE, "Inner.id");
    tp_codec_err err;
    FzInner out;
    tp_decode(&fz_inner_t, bad, sizeof bad, region, &out, NULL, &err);
    char line[300];
    tp_codec_err_format(&err, line, sizeof line);
    assert_string_equal(line, "Inner.id: expected Int, got str");
    /* An element deep inside: [Inner] whose second element's name is an int. */
    const uint8_t arr[] = {0x92, 0x92, 0x01, 0xa0, 0x92, 0x02, 0x05};
    expect_fail(&fz_inners_t, arr, sizeof arr, NULL, TP_CODEC_TYPE, "[Inner][1].name");
    /* nil, map, ext are never values */
    const uint8_t nil[] = {0xc0}, map[] = {0x80}, ext[] = {0xd4, 0, 0}, res[] = {0xc1};
    expect_fail(&hale_type_int, nil, 1, NULL, TP_CODEC_TYPE, "Int");
    expect_fail(&fz_inner_t, map, 1, NULL, TP_CODEC_TYPE, NULL);
    expect_fail(&hale_type_bytes, ext, 3, NULL, TP_CODEC_TYPE, NULL);
    expect_fail(&hale_type_bool, res, 1, NULL, TP_CODEC_TYPE, NULL);
    /* Bytes are not a String, and the reverse */
    const uint8_t bin[] = {0xc4, 1, 'a'}, str[] = {0xa1, 'a'};
    expect_fail(&hale_type_string, bin, sizeof bin, NULL, TP_CODEC_TYPE, NULL);
    expect_fail(&hale_type_bytes, str, sizeof str, NULL, TP_CODEC_TYPE, NULL);
}

static void test_every_truncation_is_refused(void **state) {
    (void)state;
    FzShapes in = sample();
    uint8_t buf[1024];
    size_t n = encode(&fz_shapes_t, &in, buf, sizeof buf);
    for (size_t cut = 0; cut < n; cut++) {
        uint8_t *exact = malloc(cut ? cut : 1); /* exact size so ASan sees overreads */
        memcpy(exact, buf, cut);
        expect_fail(&fz_shapes_t, exact, cut, NULL, TP_CODEC_TRUNCATED, NULL);
        free(exact);
    }
    uint8_t longer[1025];
    memcpy(longer, buf, n);
    longer[n] = 0x00;
    expect_fail(&fz_shapes_t, longer, n + 1, NULL, TP_CODEC_TRAILING, "Outer");
}

static void test_lengths_are_never_trusted(void **state) {
    (void)state;
    /* array32 claiming 4 billion Ints, then nothing */
    const uint8_t huge_arr[] = {0xdd, 0xff, 0xff, 0xff, 0xff, 0x01};
    expect_fail(&fz_ints_t, huge_arr, sizeof huge_arr, NULL, TP_CODEC_TRUNCATED, "[Int]");
    /* str32 claiming 4 GiB */
    const uint8_t huge_str[] = {0xdb, 0xff, 0xff, 0xff, 0xff, 'a'};
    expect_fail(&hale_type_string, huge_str, sizeof huge_str, NULL, TP_CODEC_LIMIT, "String");
    tp_limits lim = tp_limits_default();
    lim.max_bytes = SIZE_MAX;
    expect_fail(&hale_type_string, huge_str, sizeof huge_str, &lim, TP_CODEC_TRUNCATED, NULL);
    /* limits on elements and bytes */
    lim = tp_limits_default();
    lim.max_elems = 3;
    lim.max_bytes = 4;
    const uint8_t four[] = {0x94, 1, 2, 3, 4};
    expect_fail(&fz_ints_t, four, sizeof four, &lim, TP_CODEC_LIMIT, NULL);
    const uint8_t five[] = {0xa5, 'a', 'b', 'c', 'd', 'e'};
    expect_fail(&hale_type_string, five, sizeof five, &lim, TP_CODEC_LIMIT, NULL);
    /* bounded capacity */
    const uint8_t five_ints[] = {0x95, 1, 2, 3, 4, 5};
    expect_fail(&fz_small_t, five_ints, sizeof five_ints, NULL, TP_CODEC_LIMIT, NULL);
}

static void test_decoded_size_is_bounded(void **state) {
    (void)state;
    /* 60000 one-byte elements would each become an 8 KB bounded list: 480 MB from 60 KB. */
    size_t count = 60000;
    uint8_t *buf = malloc(3 + count);
    buf[0] = 0xdc;
    buf[1] = (uint8_t)(count >> 8);
    buf[2] = (uint8_t)count;
    memset(buf + 3, 0x90, count);
    expect_fail(&fz_wides_t, buf, 3 + count, NULL, TP_CODEC_LIMIT, "[bounded[Int; 1000]]");
    tp_limits lim = tp_limits_default();
    lim.max_decoded = (size_t)1 << 30;
    hale_array out;
    tp_codec_err err;
    /* With a big enough budget the same input is fine (and all elements are empty). */
    buf[1] = 0;
    buf[2] = 100;
    assert_int_equal(tp_decode(&fz_wides_t, buf, 3 + 100, region, &out, &lim, &err), 0);
    assert_int_equal(out.len, 100);
    free(buf);
}

static void test_depth_is_bounded(void **state) {
    (void)state;
    /* Node{kids:[Node{kids:[...]}]}: each level is 0x91 (record of 1 field) 0x91 (array of 1). */
    int levels = 40;
    uint8_t buf[200];
    size_t n = 0;
    for (int i = 0; i < levels; i++) {
        buf[n++] = 0x91;
        buf[n++] = 0x91;
    }
    buf[n++] = 0x91;
    buf[n++] = 0x90;
    expect_fail(&fz_node_t, buf, n, NULL, TP_CODEC_DEPTH, NULL);
    tp_limits lim = tp_limits_default();
    lim.max_depth = 200;
    FzNode out;
    tp_codec_err err;
    assert_int_equal(tp_decode(&fz_node_t, buf, n, region, &out, &lim, &err), 0);
    /* And the encoder refuses to build what a default decoder would refuse. */
    size_t size;
    assert_int_equal(tp_encoded_size(&fz_node_t, &out, &size, &err), -1);
    assert_int_equal(err.status, TP_CODEC_DEPTH);
}

static void test_ranges_and_utf8(void **state) {
    (void)state;
    const uint8_t big_u64[] = {0xcf, 0x80, 0, 0, 0, 0, 0, 0, 0};
    expect_fail(&hale_type_int, big_u64, sizeof big_u64, NULL, TP_CODEC_RANGE, "Int");
    const uint8_t variant3[] = {0x03}, variant_neg[] = {0xff};
    expect_fail(&fz_level_t, variant3, 1, NULL, TP_CODEC_RANGE, "Level");
    expect_fail(&fz_level_t, variant_neg, 1, NULL, TP_CODEC_RANGE, "Level");
    const uint8_t overlong[] = {0xa2, 0xc0, 0xaf}, surrogate[] = {0xa3, 0xed, 0xa0, 0x80},
                  cut[] = {0xa2, 0xe2, 0x82}, high[] = {0xa4, 0xf4, 0x90, 0x80, 0x80};
    expect_fail(&hale_type_string, overlong, sizeof overlong, NULL, TP_CODEC_UTF8, NULL);
    expect_fail(&hale_type_string, surrogate, sizeof surrogate, NULL, TP_CODEC_UTF8, NULL);
    expect_fail(&hale_type_string, cut, sizeof cut, NULL, TP_CODEC_UTF8, NULL);
    expect_fail(&hale_type_string, high, sizeof high, NULL, TP_CODEC_UTF8, NULL);
    const uint8_t euro[] = {0xa3, 0xe2, 0x82, 0xac};
    hale_str s;
    tp_codec_err err;
    assert_int_equal(tp_decode(&hale_type_string, euro, sizeof euro, region, &s, NULL, &err), 0);
}

static void test_encode_refuses_corrupt_values(void **state) {
    (void)state;
    tp_codec_err err;
    size_t size;
    uint8_t buf[256];
    FzSmall b = {5, {0}};
    assert_int_equal(tp_encoded_size(&fz_small_t, &b, &size, &err), -1);
    assert_int_equal(err.status, TP_CODEC_VALUE);
    assert_int_equal(tp_encode(&fz_small_t, &b, buf, sizeof buf, &err), -1);
    hale_str s = {NULL, 3};
    assert_int_equal(tp_encoded_size(&hale_type_string, &s, &size, &err), -1);
    assert_int_equal(err.status, TP_CODEC_VALUE);
    int64_t level = 7;
    assert_int_equal(tp_encode(&fz_level_t, &level, buf, sizeof buf, &err), -1);
    assert_int_equal(err.status, TP_CODEC_VALUE);
    FzShapes in = sample();
    in.inners.len = -1;
    assert_int_equal(tp_encoded_size(&fz_shapes_t, &in, &size, &err), -1);
    assert_string_equal(err.path, "Outer.inners");
    in = sample();
    assert_int_equal(tp_encoded_size(&fz_shapes_t, &in, &size, &err), 0);
    for (size_t cap = 0; cap < size; cap++) {
        assert_int_equal(tp_encode(&fz_shapes_t, &in, buf, cap, &err), -1);
        assert_int_equal(err.status, TP_CODEC_SPACE);
    }
}

/* A Decimal travels as [high, low] 64-bit halves of its mantissa: extremes round-trip, and a
 * value that is not a two-element array of Ints is refused at its place. */
static void test_decimal(void **state) {
    (void)state;
    hale_dec vals[] = {0,
                       hale_dec_from_int(-3),
                       (hale_dec)1,
                       hale_dec_make(INT64_MAX, UINT64_MAX),
                       hale_dec_make(INT64_MIN, 0),
                       hale_dec_make(-1, 12345)};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        uint8_t buf[64];
        size_t n = encode(&hale_type_decimal, &vals[i], buf, sizeof buf);
        hale_dec back = 1;
        tp_codec_err err;
        assert_int_equal(tp_decode(&hale_type_decimal, buf, n, region, &back, NULL, &err), 0);
        assert_true(back == vals[i]);
    }
    const uint8_t one_half[] = {0x91, 0x01};
    expect_fail(&hale_type_decimal, one_half, sizeof one_half, NULL, TP_CODEC_TYPE, "Decimal");
    const uint8_t not_array[] = {0x05};
    expect_fail(&hale_type_decimal, not_array, sizeof not_array, NULL, TP_CODEC_TYPE, "Decimal");
    const uint8_t str_half[] = {0x92, 0x00, 0xa1, 'x'};
    expect_fail(&hale_type_decimal, str_half, sizeof str_half, NULL, TP_CODEC_TYPE, "Decimal");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decimal),
        cmocka_unit_test(test_roundtrip_every_shape),
        cmocka_unit_test(test_encoding_is_msgpack),
        cmocka_unit_test(test_int_boundaries),
        cmocka_unit_test(test_accepts_other_encoders_forms),
        cmocka_unit_test(test_wrong_type_names_the_place),
        cmocka_unit_test(test_every_truncation_is_refused),
        cmocka_unit_test(test_lengths_are_never_trusted),
        cmocka_unit_test(test_decoded_size_is_bounded),
        cmocka_unit_test(test_depth_is_bounded),
        cmocka_unit_test(test_ranges_and_utf8),
        cmocka_unit_test(test_encode_refuses_corrupt_values),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
