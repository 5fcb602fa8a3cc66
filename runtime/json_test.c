#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"

static hale_region *r;

static int setup(void **state) {
    (void)state;
    r = hale_region_new(NULL, "json");
    return 0;
}

static int teardown(void **state) {
    (void)state;
    hale_region_free(r);
    return 0;
}

#define S(lit) HALE_STR_LIT(lit)

static void assert_text(hale_str got, const char *want) {
    size_t n = strlen(want);
    if ((size_t)got.len != n || memcmp(got.ptr, want, n) != 0) {
        fail_msg("got %.*s\nwant %s", (int)got.len, got.ptr, want);
    }
}

static void test_builder_documented_example(void **state) {
    (void)state;
    hale_json_builder b;
    hale_json_builder_init(&b, r);
    hale_json_builder_begin_object(&b);
    hale_json_builder_field(&b, S("name"), S("alice"));
    hale_json_builder_int_field(&b, S("age"), 30);
    hale_json_builder_begin_array_field(&b, S("tags"));
    hale_json_builder_value(&b, S("admin"));
    hale_json_builder_value(&b, S("ops"));
    hale_json_builder_end_array(&b);
    hale_json_builder_end_object(&b);
    assert_null(hale_json_builder_error(&b));
    assert_text(hale_json_builder_result(&b, r),
                "{\"name\":\"alice\",\"age\":30,\"tags\":[\"admin\",\"ops\"]}");
}

static void test_builder_all_kinds_and_escaping(void **state) {
    (void)state;
    hale_json_builder b;
    hale_json_builder_init(&b, r);
    hale_json_builder_begin_array(&b);
    hale_json_builder_int_value(&b, INT64_MIN);
    hale_json_builder_int_value(&b, 0);
    hale_json_builder_float_value(&b, 0.1);
    hale_json_builder_float_value(&b, NAN);
    hale_json_builder_bool_value(&b, true);
    hale_json_builder_null_value(&b);
    hale_json_builder_string_value(&b, S("q\"b\\n\n\t\x01\x1f/\xc3\xa9"));
    hale_json_builder_begin_object(&b);
    hale_json_builder_bool_field(&b, S("k\""), false);
    hale_json_builder_null_field(&b, S(""));
    hale_json_builder_float_field(&b, S("f"), -2.5e-300);
    hale_json_builder_begin_object_field(&b, S("o"));
    hale_json_builder_end_object(&b);
    hale_json_builder_end_object(&b);
    hale_json_builder_begin_array(&b);
    hale_json_builder_end_array(&b);
    hale_json_builder_end_array(&b);
    assert_null(hale_json_builder_error(&b));
    assert_text(hale_json_builder_view(&b),
                "[-9223372036854775808,0,0.1,null,true,null,\"q\\\"b\\\\n\\n\\t\\u0001\\u001f/"
                "\xc3\xa9\",{\"k\\\"\":false,\"\":null,\"f\":-2.5e-300,\"o\":{}},[]]");
}

static void test_builder_refuses_misuse(void **state) {
    (void)state;
    hale_json_builder b;
    hale_json_builder_init(&b, r);
    hale_json_builder_int_field(&b, S("x"), 1); /* no object open */
    assert_string_equal(hale_json_builder_error(&b), "a field outside an object");
    assert_int_equal(hale_json_builder_view(&b).len, 0); /* nothing written */
    hale_json_builder_reset(&b);
    hale_json_builder_begin_object(&b);
    hale_json_builder_int_value(&b, 1);
    assert_string_equal(hale_json_builder_error(&b), "a value inside an object needs a field name");
    hale_json_builder_end_array(&b);
    hale_json_builder_end_object(&b);
    assert_text(hale_json_builder_view(&b), "{}");
    hale_json_builder_reset(&b);
    hale_json_builder_int_value(&b, 1);
    hale_json_builder_int_value(&b, 2);
    assert_string_equal(hale_json_builder_error(&b), "a second top-level value");
    assert_text(hale_json_builder_view(&b), "1");
    hale_json_builder_reset(&b);
    hale_json_builder_begin_array(&b);
    assert_string_equal(hale_json_builder_error(&b), "unclosed scope");
    hale_json_builder_reset(&b);
    hale_json_builder_end_object(&b);
    assert_string_equal(hale_json_builder_error(&b), "end_object without a matching begin_object");
    hale_json_builder_destroy(&b);
}

static hale_json *parse(const char *text, hale_json_error *err) {
    return hale_json_parse(text, strlen(text), r, err);
}

static void test_parse_document(void **state) {
    (void)state;
    hale_json_error err;
    hale_json *v = parse(" {\"id\": 42, \"name\": \"caf\\u00e9 \\ud83d\\ude00\", \"ok\": true,\n"
                         "  \"none\": null, \"f\": -1.5e3, \"big\": 18446744073709551616,\n"
                         "  \"min\": -9223372036854775808, \"list\": [1, [], {}, \"x\"],\n"
                         "  \"id\": 43 } ",
                         &err);
    assert_non_null(v);
    assert_int_equal(v->kind, HALE_JSON_OBJECT);
    assert_int_equal(v->u.obj.len, 9);
    const hale_json *id = hale_json_get(v, S("id"));
    assert_int_equal(id->kind, HALE_JSON_INT);
    assert_int_equal(id->u.i, 43); /* a repeated key: the last wins */
    const hale_json *name = hale_json_get(v, S("name"));
    assert_text(name->u.s, "caf\xc3\xa9 \xf0\x9f\x98\x80");
    assert_true(hale_json_get(v, S("ok"))->u.b);
    assert_int_equal(hale_json_get(v, S("none"))->kind, HALE_JSON_NULL);
    assert_true(hale_json_get(v, S("f"))->u.f == -1500.0);
    assert_int_equal(hale_json_get(v, S("big"))->kind, HALE_JSON_FLOAT);
    assert_int_equal(hale_json_get(v, S("min"))->u.i, INT64_MIN);
    const hale_json *list = hale_json_get(v, S("list"));
    assert_int_equal(list->u.arr.len, 4);
    assert_int_equal(hale_json_at(list, 1)->kind, HALE_JSON_ARRAY);
    assert_int_equal(hale_json_at(list, 2)->kind, HALE_JSON_OBJECT);
    assert_null(hale_json_at(list, 4));
    assert_null(hale_json_get(list, S("x")));
    assert_null(hale_json_get(v, S("missing")));
}

static void expect_error(const char *text, int line, int col, const char *msg) {
    hale_json_error err;
    memset(&err, 0, sizeof err);
    assert_null(parse(text, &err));
    if (err.line != line || err.col != col || strcmp(err.message, msg) != 0) {
        fail_msg("%s: got %d:%d %s, want %d:%d %s", text, err.line, err.col, err.message, line, col,
                 msg);
    }
}

static void test_parse_errors_name_the_place(void **state) {
    (void)state;
    expect_error("", 1, 1, "unexpected end of input");
    expect_error("{\"a\":1,}", 1, 8, "expected a string key in object");
    expect_error("[1 2]", 1, 4, "expected ',' or ']' in array");
    expect_error("{\n  \"a\" 1}", 2, 7, "expected ':' after object key");
    expect_error("01", 1, 2, "unexpected content after the document");
    expect_error("-", 1, 1, "invalid number");
    expect_error("1.", 1, 3, "digits expected after the decimal point");
    expect_error("1e+", 1, 4, "digits expected in the exponent");
    expect_error("1e999", 1, 1, "number out of range");
    expect_error("tru", 1, 1, "invalid literal");
    expect_error("\"abc", 1, 1, "unterminated string");
    expect_error("\"a\\x\"", 1, 3, "invalid escape");
    expect_error("\"\\u12g4\"", 1, 2, "invalid \\u escape");
    expect_error("\"\\ud800\"", 1, 2, "lone high surrogate in \\u escape");
    expect_error("\"\\udc00\"", 1, 2, "lone low surrogate in \\u escape");
    expect_error("\"a\tb\\n\"", 1, 3, "control character in string");
    expect_error("\"\xc3\x28\\n\"", 1, 2, "invalid UTF-8 in string");
    expect_error("\"\xed\xa0\x80\\n\"", 1, 2, "invalid UTF-8 in string"); /* encoded surrogate */
    expect_error("[1] x", 1, 5, "unexpected content after the document");
    char deep[2 * HALE_JSON_MAX_DEPTH + 10];
    memset(deep, '[', HALE_JSON_MAX_DEPTH + 1);
    deep[HALE_JSON_MAX_DEPTH + 1] = 0;
    expect_error(deep, 1, HALE_JSON_MAX_DEPTH + 1, "nesting too deep");
    assert_null(hale_json_parse(NULL, 0, r, NULL)); /* no error sink needed */
}

static void test_roundtrip_through_builder(void **state) {
    (void)state;
    const char *text = "{\"a\":[1,2.5,\"x\\u0000y\",{\"b\":null}],\"c\":false,\"d\":\"\\\"\"}";
    hale_json *v = parse(text, NULL);
    assert_non_null(v);
    hale_json_builder b;
    hale_json_builder_init(&b, r);
    hale_json_builder_write(&b, v);
    assert_null(hale_json_builder_error(&b));
    hale_str out = hale_json_builder_view(&b);
    assert_text(out, text);
    hale_json *again = hale_json_parse(out.ptr, (size_t)out.len, r, NULL);
    assert_true(hale_json_equal(v, again));
    assert_int_equal(hale_json_at(hale_json_get(again, S("a")), 2)->u.s.len, 3);
}

static void test_large_array_grows_the_stack(void **state) {
    (void)state;
    hale_json_builder b;
    hale_json_builder_init(&b, r);
    hale_json_builder_begin_array(&b);
    for (int i = 0; i < 50000; i++) {
        hale_json_builder_begin_object(&b);
        hale_json_builder_int_field(&b, S("id"), i);
        hale_json_builder_end_object(&b);
    }
    hale_json_builder_end_array(&b);
    hale_str t = hale_json_builder_view(&b);
    hale_json *v = hale_json_parse(t.ptr, (size_t)t.len, r, NULL);
    assert_non_null(v);
    assert_int_equal(v->u.arr.len, 50000);
    assert_int_equal(hale_json_get(hale_json_at(v, 49999), S("id"))->u.i, 49999);
}

static void test_float_spelling_reads_back(void **state) {
    (void)state;
    double vs[] = {0.25,      -1.5,     3.0,          0.1,         123456.789,
                   1e-7,      1e300,    -0.0,         999999999.5, 1e9,
                   0.1 + 0.2, 2.5e-300, 12345.678901, -0.000001,   4503599627370497.0};
    const char *want[] = {"0.25",
                          "-1.5",
                          "3.0",
                          "0.1",
                          "123456.789",
                          "1e-07",
                          "1e+300",
                          "-0.0",
                          "999999999.5",
                          "1000000000.0",
                          "0.30000000000000004",
                          "2.5e-300",
                          "12345.678901",
                          "-0.000001",
                          "4503599627370497.0"};
    for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++) {
        hale_json_builder b;
        hale_json_builder_init(&b, r);
        hale_json_builder_float_value(&b, vs[i]);
        hale_str t = hale_json_builder_view(&b);
        assert_text(t, want[i]);
        hale_json *v = hale_json_parse(t.ptr, (size_t)t.len, r, NULL);
        assert_non_null(v);
        assert_int_equal(v->kind, HALE_JSON_FLOAT);
        assert_true(v->u.f == vs[i] && signbit(v->u.f) == signbit(vs[i]));
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_builder_documented_example, setup, teardown),
        cmocka_unit_test_setup_teardown(test_builder_all_kinds_and_escaping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_builder_refuses_misuse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_document, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_errors_name_the_place, setup, teardown),
        cmocka_unit_test_setup_teardown(test_roundtrip_through_builder, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_array_grows_the_stack, setup, teardown),
        cmocka_unit_test_setup_teardown(test_float_spelling_reads_back, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
