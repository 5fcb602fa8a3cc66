#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"
#include "json_scan.h"
#include "str.h"

static hale_str S(const char *s) {
    return (hale_str){s, (int64_t)strlen(s)};
}

#define EQ(a, b) assert_true(hale_str_eq((a), S(b)))

static void test_flat_fields(void **state) {
    (void)state;
    hale_region *r = hale_region_new(NULL, "j");
    hale_str s = S("{\"name\":\"al\\\"ice\", \"age\" : 30,\"on\":true,\"off\":false,"
                   "\"n\":null,\"q\":\"17\",\"nest\":{\"x\":[1,{\"y\":\"}\"}]}}");
    EQ(hale_json_find_field_raw(s, S("name")), "\"al\\\"ice\"");
    EQ(hale_json_find_string_field(r, s, S("name")), "al\"ice");
    assert_int_equal(hale_json_find_int_field(s, S("age")), 30);
    assert_int_equal(hale_json_find_int_field(s, S("q")), 17); /* a quoted integer */
    assert_int_equal(hale_json_find_int_field(s, S("name")), 0);
    assert_true(hale_json_find_bool_field(s, S("on")));
    assert_false(hale_json_find_bool_field(s, S("off")));
    assert_false(hale_json_find_bool_field(s, S("n")));
    EQ(hale_json_find_field_raw(s, S("n")), "null");
    EQ(hale_json_find_field_raw(s, S("nest")), "{\"x\":[1,{\"y\":\"}\"}]}");
    EQ(hale_json_find_field_raw(s, S("missing")), "");
    EQ(hale_json_find_field_raw(s, S("x")), "");         /* nested keys are not top level */
    EQ(hale_json_find_string_field(r, s, S("age")), ""); /* not a string */
    /* a key name inside an earlier value does not shadow the key */
    hale_str sh = S("{\"a\":{\"who\":\"bob\"},\"bob\":{\"ok\":true}}");
    EQ(hale_json_find_field_raw(sh, S("bob")), "{\"ok\":true}");
    /* escaped keys match their decoded name */
    hale_str ek = S("{\"x\\\"y\": 1, \"caf\\u00e9\": 2}");
    assert_int_equal(hale_json_find_int_field(ek, S("x\"y")), 1);
    assert_int_equal(hale_json_find_int_field(ek, S("caf\xc3\xa9")), 2);
    /* windows */
    hale_str w = S("{\"a\":1,\"b\":2,\"c\":3}");
    EQ(hale_json_find_field_raw_in(w, S("a"), 0, 7), "1");
    EQ(hale_json_find_field_raw_in(w, S("c"), 0, 7), "");
    EQ(hale_json_find_field_raw_in(w, S("b"), 7, 99), "2");
    EQ(hale_json_find_field_raw_in(w, S("b"), -5, 3), "");
    /* malformed and truncated documents read as not found, never past their end */
    const char *bad[] = {"",
                         "{",
                         "{\"k\"",
                         "{\"k\":",
                         "{\"k\":\"open",
                         "[1,2]",
                         "{\"k\" 1}",
                         "{\"k\":1 \"j\":2}",
                         "{\"k\":[1,2}",
                         "{\"k\":}",
                         "{,\"k\":1}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(hale_json_find_field_raw(S(bad[i]), S("j")).len, 0);
    }
    EQ(hale_json_find_field_raw(S("{\"k\":1 \"j\":2}"), S("k")), "1");
    hale_region_free(r);
}

static void test_array_cursors(void **state) {
    (void)state;
    hale_region *r = hale_region_new(NULL, "j");
    hale_str body = S("[{\"side\":\"bid\",\"price\":\"100.5\",\"n\":1}, {\"side\":\"offer\","
                      "\"price\":\"200\",\"n\":-3} ,\"x\"]");
    hale_json_array_span it;
    hale_json_array_first_span(body, &it);
    assert_false(it.done);
    EQ(hale_json_iter_find_string_field(r, &it, body, S("side")), "bid");
    EQ(hale_json_iter_find_field_raw(&it, body, S("price")), "\"100.5\"");
    assert_int_equal(hale_json_iter_find_int_field(&it, body, S("n")), 1);
    hale_json_field_range fr;
    hale_json_iter_find_string_field_range(&it, body, S("side"), &fr);
    assert_true(fr.ok);
    assert_true(hale_str_eq((hale_str){body.ptr + fr.start, fr.end_pos - fr.start}, S("bid")));
    hale_json_iter_find_field_range(&it, body, S("missing"), &fr);
    assert_false(fr.ok);
    hale_json_iter_find_string_field_range(&it, body, S("n"), &fr); /* not a string */
    assert_false(fr.ok);
    hale_json_array_next_span(&it, body, &it);
    assert_int_equal(hale_json_iter_find_int_field(&it, body, S("n")), -3);
    /* the second element does not see the first's fields */
    EQ(hale_json_iter_find_field_raw(&it, body, S("missing")), "");
    hale_json_array_next_span(&it, body, &it);
    EQ(hale_json_iter_substring(&it, body), "\"x\"");
    hale_json_array_next_span(&it, body, &it);
    assert_true(it.done);
    hale_json_array_next_span(&it, body, &it); /* past the end stays done */
    assert_true(it.done);
    hale_json_array_first_span(S("[]"), &it);
    assert_true(it.done);
    hale_json_array_first_span(S("{}"), &it);
    assert_true(it.done);
    hale_json_array_first_span(S("[1,"), &it);
    assert_false(it.done);
    hale_json_array_next_span(&it, S("[1,"), &it);
    assert_true(it.done);
    /* a forged cursor cannot read outside the text */
    hale_json_array_span forged = {false, -10, 1000, 5000};
    EQ(hale_json_iter_substring(&forged, body), "");
    EQ(hale_json_iter_find_field_raw(&forged, body, S("side")), "");
    hale_json_array_next_span(&forged, body, &it);
    assert_true(it.done);
    /* the iterator that carries its text */
    hale_json_array_iter ai;
    int n = 0;
    for (hale_json_array_first(S("[\"a\", \"b\", {\"c\":[]}]"), &ai); !ai.done;
         hale_json_array_next(&ai, &ai)) {
        n++;
    }
    assert_int_equal(n, 3);
    hale_region_free(r);
}

static void test_object_cursor(void **state) {
    (void)state;
    hale_region *r = hale_region_new(NULL, "j");
    hale_str doc = S("{ \"side\":\"sell\" , \"meta\": {\"a\": [1,2]}, \"x\\\"y\" : -3 }");
    hale_json_object_span it;
    hale_json_object_first(doc, &it);
    assert_true(hale_json_obj_key_eq(&it, doc, S("side")));
    assert_int_equal(hale_json_obj_key_len(&it), 4);
    EQ(hale_json_obj_value_string(r, &it, doc), "sell");
    hale_json_object_next(&it, doc, &it);
    EQ(hale_json_obj_value_raw(&it, doc), "{\"a\": [1,2]}");
    hale_json_object_next(&it, doc, &it);
    EQ(hale_json_obj_key_string(r, &it, doc), "x\"y");
    assert_true(hale_json_obj_key_eq(&it, doc, S("x\"y")));
    assert_int_equal(hale_json_obj_value_int(&it, doc), -3);
    hale_json_object_next(&it, doc, &it);
    assert_true(it.done);
    assert_int_equal(hale_json_obj_key_len(&it), 0);
    hale_json_object_first(S("[1]"), &it);
    assert_true(it.done);
    hale_region_free(r);
}

/* A key compared with a name: as long as the name (plain bytes; or an escape, which decodes
 * shorter, so never equal), longer (equal only through escapes), shorter (never). */
static void test_key_comparison(void **state) {
    (void)state;
    hale_str doc = S("{\"bid\": 1, \"b\\u0069d\": 2, \"a\\\\b\": 3, \"bidx\": 4}");
    hale_json_object_span it;
    hale_json_object_first(doc, &it);
    assert_true(hale_json_obj_key_eq(&it, doc, S("bid")));
    assert_false(hale_json_obj_key_eq(&it, doc, S("bix")));
    assert_false(hale_json_obj_key_eq(&it, doc, S("bi")));
    assert_false(hale_json_obj_key_eq(&it, doc, S("bidd")));
    hale_json_object_next(&it, doc, &it); /* "b\u0069d" */
    assert_true(hale_json_obj_key_eq(&it, doc, S("bid")));
    assert_false(hale_json_obj_key_eq(&it, doc, S("b\\u0069d"))); /* its raw bytes */
    assert_false(hale_json_obj_key_eq(&it, doc, S("bix")));
    hale_json_object_next(&it, doc, &it); /* "a\\b", four raw bytes */
    assert_true(hale_json_obj_key_eq(&it, doc, S("a\\b")));
    assert_false(hale_json_obj_key_eq(&it, doc, S("a\\\\b")));
    hale_json_object_next(&it, doc, &it); /* "bidx": longer than "bid", nothing to decode */
    assert_false(hale_json_obj_key_eq(&it, doc, S("bid")));
    assert_true(hale_json_obj_key_eq(&it, doc, S("bidx")));
}

static void test_escaping(void **state) {
    (void)state;
    hale_region *r = hale_region_new(NULL, "j");
    EQ(hale_json_escape(r, S("a\"b\\c\nd\te\x01")), "a\\\"b\\\\c\\nd\\te\\u0001");
    hale_str back;
    assert_true(hale_json_unescape(r, S("say \\\"hi\\\"\\n\\u00e9\\ud83d\\ude00"), &back));
    EQ(back, "say \"hi\"\n\xc3\xa9\xf0\x9f\x98\x80");
    assert_false(hale_json_unescape(r, S("bad \\q"), &back));
    assert_false(hale_json_unescape(r, S("lone \\ud800"), &back));
    assert_false(hale_json_unescape(r, S("cut \\u12"), &back));
    assert_false(hale_json_unescape(r, S("end \\"), &back));
    EQ(hale_json_unescape_or_self(r, S("bad \\q")), "bad \\q");
    EQ(hale_json_escape(r, S("")), "");
    hale_region_free(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flat_fields),   cmocka_unit_test(test_array_cursors),
        cmocka_unit_test(test_object_cursor), cmocka_unit_test(test_key_comparison),
        cmocka_unit_test(test_escaping),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
