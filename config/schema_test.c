#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "schema.h"

static cfg_doc *doc_of(const char *text) {
    char err[256] = "";
    cfg_doc *d = cfg_parse("s.toml", text, strlen(text), err, sizeof err);
    if (!d) {
        fail_msg("parse: %s", err);
    }
    return d;
}

static const cfg_field serve_fields[] = {
    {"name", CFG_T(CFG_STRING), 1},
    {"strategy", CFG_T(CFG_STRING), 0},
    {"max_restarts", CFG_T(CFG_INT), 0},
    {"within", CFG_T(CFG_STRING), 0},
    {"exec", CFG_T(CFG_STRING) | CFG_T(CFG_ARRAY), 0},
    {"anything", 0, 0},
    {NULL, 0, 0},
};

static void check_bad(const char *text, const char *needle) {
    cfg_doc *d = doc_of(text);
    char err[512] = "";
    const cfg_value *serve = cfg_get(cfg_root(d), "serve");
    assert_int_equal(cfg_check(d, serve, "[serve]", serve_fields, err, sizeof err), -1);
    if (!strstr(err, needle)) {
        fail_msg("error <<%s>> lacks <<%s>>", err, needle);
    }
    cfg_free(d);
}

static void test_check(void **state) {
    (void)state;
    cfg_doc *d = doc_of("[serve]\nname = \"x\"\nexec = [\"a\"]\nanything = {}\n");
    char err[512];
    assert_int_equal(
        cfg_check(d, cfg_get(cfg_root(d), "serve"), "[serve]", serve_fields, err, sizeof err), 0);
    cfg_free(d);
    check_bad("[serve]\nname = \"x\"\n\nstrategyy = \"a\"\n",
              "s.toml:4: unknown key 'strategyy' in [serve]; did you mean 'strategy'?");
    check_bad("[serve]\nname = \"x\"\nMax_Restart = 1\n", "did you mean 'max_restarts'?");
    check_bad("[serve]\nname = \"x\"\nzzz = 1\n",
              "s.toml:3: unknown key 'zzz' in [serve] (allowed: name, strategy, max_restarts, "
              "within, exec, anything)");
    check_bad("[serve]\nname = 5\n",
              "s.toml:2: 'name' in [serve] must be a string, not an integer");
    check_bad("[serve]\nname = \"x\"\nexec = true\n",
              "s.toml:3: 'exec' in [serve] must be a string or an array, not a boolean");
    check_bad("\n[serve]\nstrategy = \"a\"\n", "s.toml:2: [serve] is missing 'name'");
    check_bad("serve = 3\n", "s.toml:1: [serve] must be a table, not an integer");
}

static void test_getters(void **state) {
    (void)state;
    cfg_doc *d = doc_of("s = \"text\"\nb = true\ni = 5\nbig = 5000\nd = \"1m30s\"\n"
                        "bad_d = \"10 s\"\nnum_d = 10\ne = \"one_for_al\"\nf = \"zzz\"\n"
                        "g = \"rest_for_one\"\nargs = [\"a\", \"b\"]\nempty = []\n"
                        "mixed = [\"a\", 1]\nblank = [\"a\", \"\"]\n");
    const cfg_value *r = cfg_root(d);
    char err[512];
    const char *s = NULL;
    int b = 0, e = -1;
    int64_t i = -1, ns = -1;
    const cfg_value *arr = NULL;

    assert_int_equal(cfg_get_str(d, r, "s", &s, err, sizeof err), 1);
    assert_string_equal(s, "text");
    assert_int_equal(cfg_get_str(d, r, "missing", &s, err, sizeof err), 0);
    assert_string_equal(s, "text"); /* untouched when absent */
    assert_int_equal(cfg_get_str(d, r, "i", &s, err, sizeof err), -1);
    assert_string_equal(err, "s.toml:3: 'i' must be a string, not an integer");

    assert_int_equal(cfg_get_bool(d, r, "b", &b, err, sizeof err), 1);
    assert_true(b);
    assert_int_equal(cfg_get_int(d, r, "i", 1, 10, &i, err, sizeof err), 1);
    assert_int_equal(i, 5);
    assert_int_equal(cfg_get_int(d, r, "big", 1, 1000, &i, err, sizeof err), -1);
    assert_string_equal(err, "s.toml:4: 'big' must be between 1 and 1000, not 5000");
    assert_int_equal(i, 5);

    assert_int_equal(cfg_get_duration(d, r, "d", &ns, err, sizeof err), 1);
    assert_true(ns == 90LL * 1000000000);
    assert_int_equal(cfg_get_duration(d, r, "bad_d", &ns, err, sizeof err), -1);
    assert_non_null(strstr(err, "s.toml:6: 'bad_d' = \"10 s\": "));
    assert_int_equal(cfg_get_duration(d, r, "num_d", &ns, err, sizeof err), -1);
    assert_string_equal(err, "s.toml:7: 'num_d' must be a duration string such as \"30s\", not "
                             "an integer");

    const char *strategies[] = {"one_for_one", "one_for_all", "rest_for_one", NULL};
    assert_int_equal(cfg_get_enum(d, r, "g", strategies, &e, err, sizeof err), 1);
    assert_int_equal(e, 2);
    assert_int_equal(cfg_get_enum(d, r, "e", strategies, &e, err, sizeof err), -1);
    assert_string_equal(err, "s.toml:8: 'e' = \"one_for_al\" is not one of \"one_for_one\", "
                             "\"one_for_all\", \"rest_for_one\"; did you mean \"one_for_all\"?");
    assert_int_equal(cfg_get_enum(d, r, "f", strategies, &e, err, sizeof err), -1);
    assert_null(strstr(err, "did you mean"));

    assert_int_equal(cfg_get_str_array(d, r, "args", 1, &arr, err, sizeof err), 1);
    assert_int_equal(cfg_len(arr), 2);
    assert_int_equal(cfg_get_str_array(d, r, "empty", 0, &arr, err, sizeof err), 1);
    assert_int_equal(cfg_get_str_array(d, r, "empty", 1, &arr, err, sizeof err), -1);
    assert_string_equal(err, "s.toml:12: 'empty' must not be empty");
    assert_int_equal(cfg_get_str_array(d, r, "mixed", 0, &arr, err, sizeof err), -1);
    assert_string_equal(err,
                        "s.toml:13: 'mixed' must be an array of strings; element 2 is an integer");
    assert_int_equal(cfg_get_str_array(d, r, "blank", 1, &arr, err, sizeof err), -1);
    assert_string_equal(err, "s.toml:14: 'blank': element 2 is empty");
    assert_int_equal(cfg_get_str_array(d, r, "s", 0, &arr, err, sizeof err), -1);
    assert_string_equal(err, "s.toml:1: 's' must be an array of strings");
    cfg_free(d);
}

static void test_did_you_mean(void **state) {
    (void)state;
    const char *words[] = {"permanent", "transient", "temporary", NULL};
    assert_string_equal(cfg_did_you_mean("permanant", words), "permanent");
    assert_string_equal(cfg_did_you_mean("tempoary", words), "temporary");
    assert_string_equal(cfg_did_you_mean("trasnient", words), "transient"); /* a swap */
    assert_null(cfg_did_you_mean("forever", words));
    assert_null(cfg_did_you_mean("", words));
    const char *short_words[] = {"ab", "cd", NULL};
    assert_string_equal(cfg_did_you_mean("ac", short_words), "ab");
    assert_null(cfg_did_you_mean("xy", short_words));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_getters),
        cmocka_unit_test(test_did_you_mean),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
