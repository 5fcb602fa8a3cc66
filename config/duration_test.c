#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "duration.h"

static int64_t parse_ok(const char *s) {
    int64_t ns = -1;
    char err[128];
    assert_int_equal(cfg_duration_parse(s, strlen(s), &ns, err, sizeof err), 0);
    return ns;
}

static void parse_bad(const char *s, const char *needle) {
    int64_t ns = 42;
    char err[128] = "";
    assert_int_equal(cfg_duration_parse(s, strlen(s), &ns, err, sizeof err), -1);
    assert_non_null(strstr(err, needle));
    assert_int_equal(ns, 42); /* output untouched on error */
}

static void test_units(void **state) {
    (void)state;
    assert_int_equal(parse_ok("250ns"), 250);
    assert_int_equal(parse_ok("10us"), 10000);
    assert_int_equal(parse_ok("500ms"), 500000000);
    assert_int_equal(parse_ok("1s"), 1000000000);
    assert_int_equal(parse_ok("5m"), 300LL * 1000000000);
    assert_int_equal(parse_ok("2h"), 7200LL * 1000000000);
    assert_int_equal(parse_ok("2d"), 2 * 86400LL * 1000000000);
}

/* The one unit table, as the lexer and the runtime read it: longest match, length given back. */
static void test_unit_lookup(void **state) {
    (void)state;
    size_t n = 9;
    assert_int_equal(cfg_duration_unit("ms", 2, &n), 1000000);
    assert_int_equal(n, 2);
    assert_int_equal(cfg_duration_unit("m30s", 4, &n), 60LL * 1000000000);
    assert_int_equal(n, 1);
    assert_int_equal(cfg_duration_unit("ms", 1, &n), 60LL * 1000000000); /* only "m" is there */
    assert_int_equal(n, 1);
    assert_int_equal(cfg_duration_unit("d", 1, &n), 86400LL * 1000000000);
    assert_int_equal(cfg_duration_unit("x", 1, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(cfg_duration_unit("", 0, &n), 0);
}

static void test_compound_and_separators(void **state) {
    (void)state;
    assert_int_equal(parse_ok("1h30m"), 5400LL * 1000000000);
    assert_int_equal(parse_ok("1_000ms"), 1000000000);
    assert_int_equal(parse_ok("0s"), 0);
}

static void test_errors(void **state) {
    (void)state;
    parse_bad("", "empty");
    parse_bad("10", "unit");
    parse_bad("10parsecs", "unit");
    parse_bad("s", "number");
    parse_bad("-5s", "number");
    parse_bad("99999999999999999999s", "too large");
    parse_bad("9999999999h", "too large");
    parse_bad("1w", "unit");
}

static void test_format_roundtrip(void **state) {
    (void)state;
    const char *cases[] = {"1500ms", "2m", "0s", "7ns", "3h", "45s", "48h"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[32];
        cfg_duration_format(parse_ok(cases[i]), buf, sizeof buf);
        assert_string_equal(buf, cases[i]);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_units),
        cmocka_unit_test(test_unit_lookup),
        cmocka_unit_test(test_compound_and_separators),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_format_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
