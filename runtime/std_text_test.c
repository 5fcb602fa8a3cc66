#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "std_text.h"
#include "str.h"

static hale_str S(const char *s) {
    return (hale_str){s, (int64_t)strlen(s)};
}

static hale_str at(hale_vec *v, int64_t i) {
    return *(hale_str *)hale_vec_at(v, i);
}

static void test_split_and_join(void **state) {
    (void)state;
    hale_region *r = hale_region_new(NULL, "owner");
    hale_region *scratch = hale_region_new(NULL, "scratch");
    hale_vec v;
    hale_vec_init(&v, r, &hale_type_string);
    hale_str_split_into(S("a,,b,"), S(","), &v);
    assert_int_equal(v.len, 4);
    assert_true(hale_str_eq(at(&v, 0), S("a")));
    assert_int_equal(at(&v, 1).len, 0);
    assert_true(hale_str_eq(at(&v, 2), S("b")));
    assert_int_equal(at(&v, 3).len, 0);
    assert_true(hale_str_eq(hale_str_join(scratch, &v, S("|")), S("a||b|")));
    /* the vec is replaced, not appended to */
    hale_str_split_into(S("x::yy::"), S("::"), &v);
    assert_int_equal(v.len, 3);
    assert_true(hale_str_eq(hale_str_join(scratch, &v, S("")), S("xyy")));
    hale_str_split_into(S("whole"), S(""), &v);
    assert_int_equal(v.len, 1);
    hale_str_split_into(S(""), S(","), &v);
    assert_int_equal(v.len, 1);
    assert_int_equal(at(&v, 0).len, 0);
    /* a separator longer than the text: the text whole */
    hale_str_split_into(S("ab"), S("abc"), &v);
    assert_int_equal(v.len, 1);
    assert_true(hale_str_eq(at(&v, 0), S("ab")));
    hale_vec empty;
    hale_vec_init(&empty, r, &hale_type_string);
    assert_int_equal(hale_str_join(scratch, &empty, S(",")).len, 0);
    /* the split copies: the fields outlive the text they came from */
    char buf[] = "p,q";
    hale_str_split_into(S(buf), S(","), &v);
    buf[0] = 'Z';
    assert_true(hale_str_eq(at(&v, 0), S("p")));
    hale_region_free(scratch);
    hale_region_free(r);
}

static void test_ranges(void **state) {
    (void)state;
    hale_str s = S("[42][-7][bad]");
    int64_t v;
    assert_true(hale_str_range_parse_int(s, 1, 3, &v));
    assert_int_equal(v, 42);
    assert_true(hale_str_range_parse_int(s, 5, 7, &v));
    assert_int_equal(v, -7);
    assert_false(hale_str_range_parse_int(s, 9, 12, &v));
    assert_false(hale_str_range_parse_int(s, 3, 1, &v));   /* reversed */
    assert_false(hale_str_range_parse_int(s, 10, 99, &v)); /* past the end */
    assert_false(hale_str_range_parse_int(s, 2, 2, &v));   /* empty */
    assert_true(hale_str_range_eq(s, 9, 12, S("bad")));
    assert_false(hale_str_range_eq(s, 9, 11, S("bad")));
    assert_false(hale_str_range_eq(s, -1, 2, S("[4")));
    assert_true(hale_str_range_eq(s, 0, 0, S("")));
}

static void test_builders(void **state) {
    (void)state;
    hale_region *scratch = hale_region_new(NULL, "scratch");
    hale_str_builder_ref b, alias;
    hale_str_builder_new(&b);
    assert_true(b.handle > 0);
    hale_str_builder_append(&b, S("hello "), &alias);
    assert_int_equal(alias.handle, b.handle);
    hale_str_builder_append(&alias, S("world"), NULL);
    assert_int_equal(hale_str_builder_len(&b), 11);
    hale_str out = hale_str_builder_finish(scratch, &b);
    assert_true(hale_str_eq(out, S("hello world")));
    /* a finished handle is retired: no-ops, even after its slot is reused */
    assert_int_equal(hale_str_builder_len(&b), 0);
    hale_str_builder_ref c;
    hale_str_builder_new(&c);
    assert_int_not_equal(c.handle, b.handle);
    hale_str_builder_append(&b, S("stale"), NULL);
    assert_int_equal(hale_str_builder_len(&c), 0);
    assert_int_equal(hale_str_builder_finish(scratch, &b).len, 0);
    hale_str_builder_ref bogus = {-5};
    assert_int_equal(hale_str_builder_len(&bogus), 0);
    /* the table is bounded: past it, handles are not live and everything is a no-op */
    hale_str_builders_reset();
    hale_str_builder_ref all[HALE_STR_BUILDERS];
    for (int i = 0; i < HALE_STR_BUILDERS; i++) {
        hale_str_builder_new(&all[i]);
        assert_true(all[i].handle > 0);
    }
    hale_str_builder_ref over;
    hale_str_builder_new(&over);
    assert_int_equal(over.handle, 0);
    hale_str_builder_append(&over, S("x"), NULL);
    assert_int_equal(hale_str_builder_finish(scratch, &over).len, 0);
    hale_str_builders_reset();
    hale_region_free(scratch);
}

static void test_utf8(void **state) {
    (void)state;
    hale_str s = S("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
    assert_int_equal(hale_str_cp_count(s), 4);
    assert_int_equal(hale_str_cp_at(s, 1), 0xe9);
    assert_int_equal(hale_str_cp_size(s, 1), 2);
    assert_int_equal(hale_str_cp_at(s, 2), -1); /* mid-sequence */
    assert_int_equal(hale_str_cp_at(s, 3), 0x20ac);
    assert_int_equal(hale_str_cp_at(s, 6), 0x1f600);
    assert_int_equal(hale_str_cp_size(s, 6), 4);
    assert_int_equal(hale_str_cp_at(s, 10), -1);
    assert_int_equal(hale_str_cp_count(S("\xc0\x80")), -1);     /* overlong */
    assert_int_equal(hale_str_cp_count(S("\xed\xa0\x80")), -1); /* surrogate */
    assert_int_equal(hale_str_cp_count(S("\xe2\x82")), -1);     /* truncated */
    assert_int_equal(hale_str_cp_count(S("\xf4\x90\x80\x80")), -1);
    assert_int_equal(hale_str_cp_count(S("")), 0);
}

static void test_classes_and_tokens(void **state) {
    (void)state;
    assert_true(hale_text_is_alpha('q') && !hale_text_is_alpha('1') && !hale_text_is_alpha(300));
    assert_true(hale_text_is_digit('7') && !hale_text_is_digit('a'));
    assert_true(hale_text_is_alnum('Z') && !hale_text_is_alnum('_'));
    assert_true(hale_text_is_word_char('_') && !hale_text_is_word_char('-'));
    assert_true(hale_text_is_whitespace('\t') && !hale_text_is_whitespace('x'));
    hale_region *r = hale_region_new(NULL, "owner");
    hale_vec v;
    hale_vec_init(&v, r, &hale_type_string);
    hale_text_tokenize_words_into(S("  Hi, there_1 -- x It's 'q'"), &v);
    assert_int_equal(v.len, 5);
    assert_true(hale_str_eq(at(&v, 0), S("hi")));
    assert_true(hale_str_eq(at(&v, 1), S("there_1")));
    assert_true(hale_str_eq(at(&v, 3), S("it's")));
    assert_true(hale_str_eq(at(&v, 4), S("q"))); /* quotes around a word are not in it */
    hale_text_tokenize_words_into(S(" ,;"), &v);
    assert_int_equal(v.len, 0);
    hale_region_free(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_and_join),     cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_builders),           cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_classes_and_tokens),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
