#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "std.h"
#include "std_misc.h"
#include "std_yaml.h"
#include "str.h"

static hale_str S(const char *s) {
    return (hale_str){s, (int64_t)strlen(s)};
}

#define EQ(a, b) assert_true(hale_str_eq((a), S(b)))

static void test_lines(void **state) {
    (void)state;
    hale_lines l;
    hale_str s = S("a\r\n\n # c\nlast");
    EQ(hale_lines_line_at(&l, s, 0, NULL), "a");
    assert_int_equal(hale_lines_next_idx(&l, s, 0), 3);
    assert_true(hale_lines_is_skippable(&l, hale_lines_line_at(&l, s, 3, NULL)));
    assert_true(hale_lines_is_skippable(&l, hale_lines_line_at(&l, s, 4, NULL)));
    EQ(hale_lines_line_at(&l, s, 9, NULL), "last");
    assert_int_equal(hale_lines_next_idx(&l, s, 9), -1);
    assert_int_equal(hale_lines_next_idx(&l, s, -4), -1);
    EQ(hale_lines_line_at(&l, s, 400, NULL), "");
}

static void test_names_and_tags(void **state) {
    (void)state;
    hale_region *r = hale_region_new(NULL, "t");
    hale_name_convention n;
    hale_name_convention_init(&n, S(".go"));
    EQ(hale_name_convention_camel_to_snake(&n, S("RequestCache"), r), "request_cache");
    EQ(hale_name_convention_snake_to_camel(&n, S("__a__b_"), r), "AB");
    EQ(hale_name_convention_strip_extension(&n, S("x.go"), r), "x");
    EQ(hale_name_convention_propose_locus_name(&n, S("http_v2.go"), r), "HttpV2L");
    EQ(hale_name_convention_propose_locus_name(&n, S(".go"), r), "?L");
    hale_tagged t;
    hale_str acc = S("A:1\nB:2\nA:x\"y\nAB:no\nA:");
    EQ(hale_tagged_first_body(&t, acc, S("B"), r), "2");
    assert_int_equal(hale_tagged_count(&t, acc, S("A")), 3); /* "A:" is a line with an empty body */
    EQ(hale_tagged_collect_csv(&t, acc, S("A"), r), "1, x\"y, ");
    EQ(hale_tagged_collect_array(&t, acc, S("A"), r), "[\"1\", \"x\\\"y\", \"\"]");
    EQ(hale_tagged_each_body(&t, acc, S("A"), r), "1\nx\"y\n\n");
    EQ(hale_tagged_collect_array(&t, acc, S("Z"), r), "[]");
    hale_region_free(r);
}

static void test_resolver(void **state) {
    (void)state;
    char *argv[] = {"prog", "from-cli", "", "7", NULL};
    hale_start(4, argv);
    setenv("HALE_UT_FLAVOR", "env-flavor", 1);
    setenv("HALE_UT_DIR", "env-dir", 1);
    setenv("HALE_UT_BROKEN", "x", 1);
    hale_cli_resolver c;
    hale_cli_resolver_init(&c, S("HALE_UT_"), S("dir\n\nflavor\ndepth\n"));
    EQ(hale_cli_resolver_get(&c, S("dir"), S("fb"), NULL), "from-cli");      /* cli wins */
    EQ(hale_cli_resolver_get(&c, S("flavor"), S("fb"), NULL), "env-flavor"); /* empty arg */
    EQ(hale_cli_resolver_get(&c, S("other"), S("fb"), NULL), "fb");
    assert_int_equal(hale_cli_resolver_get_int(&c, S("depth"), 4), 7);
    assert_int_equal(hale_cli_resolver_get_int(&c, S("broken"), 99), 99);
}

static void test_yaml(void **state) {
    (void)state;
    hale_region *r = hale_region_new(NULL, "y");
    hale_yaml_reader y;
    hale_yaml_reader_init(&y, S("a: 'q'\nl:\n  - {k: 1}\n  - k: 2\nm:\n  x: y\n"));
    EQ(hale_yaml_reader_scalar(&y, S("a"), r), "q");
    assert_int_equal(hale_yaml_reader_list_count(&y, S("l")), 2);
    hale_yaml_reader item;
    hale_yaml_reader_init(&item, hale_yaml_reader_list_item(&y, S("l"), 1, r));
    EQ(hale_yaml_reader_scalar(&item, S("k"), r), "2");
    hale_yaml_reader_dissolve(&item);
    EQ(hale_yaml_reader_list_item(&y, S("l"), 2, r), "");
    EQ(hale_yaml_reader_list_item(&y, S("l"), -1, r), "");
    hale_yaml_reader m;
    hale_yaml_reader_init(&m, hale_yaml_reader_nested(&y, S("m"), r));
    EQ(hale_yaml_reader_scalar(&m, S("x"), r), "y");
    hale_yaml_reader_dissolve(&m);
    EQ(hale_yaml_reader_nested(&y, S("a"), r), ""); /* a scalar */
    EQ(hale_yaml_reader_error(&y, r), "");
    hale_yaml_reader_dissolve(&y);
    hale_yaml_reader bad;
    hale_yaml_reader_init(&bad, S("a: [1, 2\nb: c"));
    assert_true(hale_yaml_reader_error(&bad, r).len > 0);
    assert_false(hale_yaml_reader_has(&bad, S("b")));
    hale_yaml_reader_dissolve(&bad);
    hale_yaml_builder b;
    EQ(hale_yaml_builder_field_q(&b, 1, S("k"), S("a\"b\n"), r), "  k: \"a\\\"b\\n\"\n");
    EQ(hale_yaml_builder_list_item_first(&b, 2, S("k"), S("v"), r), "  - k: v\n");
    EQ(hale_yaml_builder_field_i(&b, 0, S("n"), -3, r), "n: -3\n");
    hale_region_free(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_names_and_tags),
        cmocka_unit_test(test_resolver),
        cmocka_unit_test(test_yaml),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
