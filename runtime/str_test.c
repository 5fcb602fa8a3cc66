/* String operations of the runtime: clamped slices, concatenation into a region, formatting,
 * parsing edge cases, and the stdout writer's buffering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "io.h"
#include "str.h"

#define S(lit) HALE_STR_LIT(lit)

static int eq(hale_str s, const char *want) {
    return s.len == (int64_t)strlen(want) && memcmp(s.ptr, want, (size_t)s.len) == 0;
}

static void test_slices_clamp(void **state) {
    (void)state;
    hale_str s = S("hale");
    assert_true(eq(hale_str_slice(s, 0, 4, 0), "hale"));
    assert_true(eq(hale_str_slice(s, 1, 2, 1), "al"));
    assert_true(eq(hale_str_slice(s, -5, 2, 0), "ha"));
    assert_true(eq(hale_str_slice(s, 3, 100, 0), "e"));
    assert_true(eq(hale_str_slice(s, 6, 9, 1), ""));
    assert_true(eq(hale_str_slice(s, 3, 1, 0), ""));
    assert_true(eq(hale_str_slice(s, 0, INT64_MAX, 1), "hale"));
}

static void test_concat_and_reset(void **state) {
    (void)state;
    hale_region *r = hale_region_new(NULL, "t");
    hale_mark m = hale_region_mark(r);
    hale_str parts[] = {S("a"), S(""), S("bc"), S("d")};
    assert_true(eq(hale_str_concat_n(r, parts, 4), "abcd"));
    assert_true(eq(hale_str_concat(r, S("x"), S("yz")), "xyz"));
    assert_true(hale_region_used_bytes(r) > 0);
    hale_region_reset(r, m);
    assert_int_equal(hale_region_used_bytes(r), 0);
    assert_true(eq(hale_str_from_int(r, INT64_MIN), "-9223372036854775808"));
    assert_true(eq(hale_str_from_float(r, 0.1 + 0.2), "0.3"));
    assert_true(eq(hale_str_from_duration(r, 1500), "1500ns"));
    hale_region_free(r);
}

static void test_parse_int(void **state) {
    (void)state;
    int64_t v = 0;
    assert_true(hale_str_parse_int(S(" -42 "), &v));
    assert_int_equal(v, -42);
    assert_true(hale_str_parse_int(S("-9223372036854775808"), &v));
    assert_int_equal(v, INT64_MIN);
    assert_false(hale_str_parse_int(S("9223372036854775808"), &v));
    assert_false(hale_str_parse_int(S(""), &v));
    assert_false(hale_str_parse_int(S("-"), &v));
    assert_false(hale_str_parse_int(S("1_000"), &v));
    double f = 0;
    assert_true(hale_str_parse_float(S("2.5e3"), &f));
    assert_true(f == 2500.0);
    assert_false(hale_str_parse_float(S("nan"), &f));
    assert_false(hale_str_parse_float(S("1e999"), &f));
}

static void test_search_and_replace(void **state) {
    (void)state;
    hale_region *r = hale_region_new(NULL, "t");
    assert_int_equal(hale_str_index_of(S("hello world"), S("world")), 6);
    assert_int_equal(hale_str_index_of(S("abc"), S("abcd")), -1);
    assert_true(eq(hale_str_replace(r, S("a-b-c"), S("-"), S("+")), "a+b+c"));
    assert_true(eq(hale_str_replace(r, S("aaa"), S("aa"), S("")), "a"));
    assert_true(eq(hale_str_trim(S(" \t x \n")), "x"));
    assert_true(eq(hale_str_pad_left(r, S("7"), 3, S("0")), "007"));
    assert_true(eq(hale_str_repeat(r, S("ab"), 3), "ababab"));
    hale_region_free(r);
}

static void test_format_nested_strings(void **state) {
    (void)state;
    hale_sbuf b = {0};
    hale_fmt_str(&b, S("a\"b\n"), 1);
    hale_fmt_str(&b, S(" raw"), 0);
    for (int i = 0; i < 100; i++) { /* beyond the inline buffer */
        hale_fmt_int(&b, i, 0);
    }
    hale_str s = hale_sbuf_view(&b);
    assert_memory_equal(s.ptr, "\"a\\\"b\\n\" raw0123", 16);
    assert_true(s.len > 200);
    hale_sbuf_release(&b);
}

/* The one UTF-8 validator: ASCII, each sequence length, and what is not UTF-8 (a lone
 * continuation byte, a truncated sequence, an overlong form, a surrogate, past U+10FFFF). */
static void test_is_utf8(void **state) {
    (void)state;
    static const struct {
        const char *s;
        bool ok;
    } cases[] = {
        {"", true},
        {"plain ascii", true},
        {"caf\xc3\xa9", true},
        {"\xe2\x82\xac", true},
        {"\xf0\x9f\x98\x80", true},
        {"\x80", false},
        {"\xc3", false},
        {"ab\xe2\x82", false},
        {"\xc0\xaf", false},
        {"\xed\xa0\x80", false},
        {"\xf4\x90\x80\x80", false},
        {"\xff", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hale_str s = {cases[i].s, (int64_t)strlen(cases[i].s)};
        assert_int_equal(hale_str_is_utf8(s), cases[i].ok);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_is_utf8),
        cmocka_unit_test(test_slices_clamp),
        cmocka_unit_test(test_concat_and_reset),
        cmocka_unit_test(test_parse_int),
        cmocka_unit_test(test_search_and_replace),
        cmocka_unit_test(test_format_nested_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
