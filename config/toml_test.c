#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "toml.h"

static cfg_doc *ok(const char *text) {
    char err[256] = "";
    cfg_doc *doc = cfg_parse("t.toml", text, strlen(text), err, sizeof err);
    if (!doc) {
        fail_msg("unexpected error: %s", err);
    }
    return doc;
}

/* Parsing must fail and the message must contain `needle` (which includes "t.toml:LINE:"). */
static void bad(const char *text, const char *needle) {
    char err[256] = "";
    cfg_doc *doc = cfg_parse("t.toml", text, strlen(text), err, sizeof err);
    if (doc) {
        cfg_free(doc);
        fail_msg("expected an error for <<%s>>", text);
    }
    if (!strstr(err, needle)) {
        fail_msg("for <<%s>>: error <<%s>> lacks <<%s>>", text, err, needle);
    }
    assert_non_null(strstr(err, "t.toml:"));
}

static const cfg_value *path(const cfg_doc *doc, const char *a, const char *b) {
    const cfg_value *v = cfg_get(cfg_root(doc), a);
    return b ? cfg_get(v, b) : v;
}

static void test_scalars(void **state) {
    (void)state;
    cfg_doc *d = ok("a = 1\nb = -42\nc = +7\nd = 1_000_000\n");
    const cfg_value *r = cfg_root(d);
    assert_int_equal(cfg_int(cfg_get(r, "a")), 1);
    assert_int_equal(cfg_int(cfg_get(r, "b")), -42);
    assert_int_equal(cfg_int(cfg_get(r, "c")), 7);
    assert_int_equal(cfg_int(cfg_get(r, "d")), 1000000);
    assert_int_equal(cfg_type_of(cfg_get(r, "d")), CFG_INT);
    assert_null(cfg_str(cfg_get(r, "d")));
    cfg_free(d);
    bad("e = 0x_ff\n", "t.toml:1: invalid integer '0x_ff'");
    d = ok("f = 0xDEAD_beef\ng = 0o755\nh = 0b1010\ni = true\nj = false\n"
           "k = 9223372036854775807\nl = -9223372036854775808\nm = 0\n");
    r = cfg_root(d);
    assert_int_equal(cfg_int(cfg_get(r, "f")), 0xdeadbeef);
    assert_int_equal(cfg_int(cfg_get(r, "g")), 0755);
    assert_int_equal(cfg_int(cfg_get(r, "h")), 10);
    assert_int_equal(cfg_type_of(cfg_get(r, "i")), CFG_BOOL);
    assert_true(cfg_bool(cfg_get(r, "i")));
    assert_false(cfg_bool(cfg_get(r, "j")));
    assert_true(cfg_int(cfg_get(r, "k")) == INT64_MAX);
    assert_true(cfg_int(cfg_get(r, "l")) == INT64_MIN);
    assert_int_equal(cfg_int(cfg_get(r, "m")), 0);
    assert_int_equal(cfg_line(cfg_get(r, "m")), 8);
    cfg_free(d);
}

static void test_strings(void **state) {
    (void)state;
    cfg_doc *d = ok("a = \"tab\\there \\\"q\\\" \\\\ \\u00e9 \\U0001F600\"\n"
                    "b = 'C:\\path\\no escapes'\n"
                    "c = \"\"\"\nline1\nline2\\\n     joined\"\"\"\n"
                    "d = '''\n raw \\n '' '''\n"
                    "e = \"\"\"two quotes at end\"\"\"\"\"\n"
                    "f = \"\"\n"
                    "g = \"caf\xc3\xa9\"\n");
    const cfg_value *r = cfg_root(d);
    assert_string_equal(cfg_str(cfg_get(r, "a")), "tab\there \"q\" \\ \xc3\xa9 \xf0\x9f\x98\x80");
    assert_string_equal(cfg_str(cfg_get(r, "b")), "C:\\path\\no escapes");
    assert_string_equal(cfg_str(cfg_get(r, "c")), "line1\nline2joined");
    assert_string_equal(cfg_str(cfg_get(r, "d")), " raw \\n '' ");
    assert_string_equal(cfg_str(cfg_get(r, "e")), "two quotes at end\"\"");
    assert_string_equal(cfg_str(cfg_get(r, "f")), "");
    assert_int_equal(cfg_str_len(cfg_get(r, "f")), 0);
    assert_string_equal(cfg_str(cfg_get(r, "g")), "caf\xc3\xa9");
    /* Lines: a multi-line string starts on its opening line; what follows counts on. */
    assert_int_equal(cfg_line(cfg_get(r, "c")), 3);
    assert_int_equal(cfg_line(cfg_get(r, "d")), 7);
    assert_int_equal(cfg_line(cfg_get(r, "e")), 9);
    assert_int_equal(cfg_line(cfg_get(r, "g")), 11);
    cfg_free(d);
}

static void test_tables(void **state) {
    (void)state;
    cfg_doc *d = ok("# a comment\n"
                    "name = \"x\" # trailing comment\n"
                    "[serve]\n"
                    "strategy = \"one_for_one\"\n"
                    "[[serve.process]]\n"
                    "name = \"a\"\n"
                    "exec = [\"/bin/true\", \"--flag\"]\n"
                    "env = { A = \"1\", B.C = \"2\" }\n"
                    "[[serve.process]]\n"
                    "name = \"b\"\n"
                    "after = [\n  \"a\", # first\n  \"c\",\n]\n"
                    "[x.y.z]\n"
                    "[x]\n"
                    "k.l.m = 1\n"
                    "\"quoted key\" = 2\n"
                    "'lit' = 3\n");
    const cfg_value *serve = path(d, "serve", NULL);
    assert_int_equal(cfg_type_of(serve), CFG_TABLE);
    assert_int_equal(cfg_line(serve), 3);
    const cfg_value *procs = cfg_get(serve, "process");
    assert_int_equal(cfg_type_of(procs), CFG_ARRAY);
    assert_int_equal(cfg_len(procs), 2);
    const cfg_value *p0 = cfg_at(procs, 0), *p1 = cfg_at(procs, 1);
    assert_string_equal(cfg_str(cfg_get(p0, "name")), "a");
    assert_int_equal(cfg_line(p0), 5);
    assert_int_equal(cfg_line(p1), 9);
    const cfg_value *exec = cfg_get(p0, "exec");
    assert_int_equal(cfg_len(exec), 2);
    assert_string_equal(cfg_str(cfg_at(exec, 1)), "--flag");
    const cfg_value *env = cfg_get(p0, "env");
    assert_string_equal(cfg_str(cfg_get(env, "A")), "1");
    assert_string_equal(cfg_str(cfg_get(cfg_get(env, "B"), "C")), "2");
    const cfg_value *after = cfg_get(p1, "after");
    assert_int_equal(cfg_len(after), 2);
    assert_int_equal(cfg_line(after), 11);
    assert_int_equal(cfg_line(cfg_at(after, 1)), 13);
    assert_int_equal(cfg_key_line(after), 11);
    const cfg_value *x = path(d, "x", NULL);
    assert_int_equal(cfg_line(x), 16); /* the [x] header, not the implicit creation */
    assert_int_equal(cfg_int(cfg_get(cfg_get(cfg_get(x, "k"), "l"), "m")), 1);
    assert_int_equal(cfg_int(cfg_get(x, "quoted key")), 2);
    assert_int_equal(cfg_int(cfg_get(x, "lit")), 3);
    assert_non_null(cfg_get(cfg_get(x, "y"), "z"));
    /* Members come back in document order with their keys. */
    assert_string_equal(cfg_key_at(cfg_root(d), 0), "name");
    assert_string_equal(cfg_key_at(cfg_root(d), 1), "serve");
    assert_null(cfg_key_at(after, 0));
    assert_null(cfg_at(after, 2));
    assert_null(cfg_get(after, "a"));
    assert_null(cfg_get(NULL, "a"));
    cfg_free(d);
}

static void test_dotted_subtables_allowed(void **state) {
    (void)state;
    /* TOML 1.0: a table made by dotted keys may get sub-tables through headers. */
    cfg_doc *d = ok("[fruit]\napple.color = \"red\"\n[fruit.apple.texture]\nsmooth = true\n");
    const cfg_value *apple = path(d, "fruit", "apple");
    assert_true(cfg_bool(cfg_get(cfg_get(apple, "texture"), "smooth")));
    cfg_free(d);
    d = ok("a = []\nb = [[1, 2], [\"x\"], [], [{}]]\nc = {}\n");
    assert_int_equal(cfg_len(path(d, "b", NULL)), 4);
    cfg_free(d);
    /* A byte-order mark at the start is skipped; CRLF line ends count as one line each. */
    d = ok("\xef\xbb\xbf"
           "a = 1\r\nb = 2\r\n");
    assert_int_equal(cfg_line(path(d, "b", NULL)), 2);
    cfg_free(d);
}

static void test_errors(void **state) {
    (void)state;
    bad("a = 1\na = 2\n", "t.toml:2: duplicate key 'a' (first set on line 1)");
    bad("[a]\n[a]\n", "t.toml:2: table [a] is defined twice (first on line 1)");
    bad("[a]\nb.c = 1\n[a.b]\n", "t.toml:3: table [a.b] was already defined by dotted keys");
    bad("a = 1\n[a]\n", "t.toml:2: cannot define table [a]: it is already an integer (line 1)");
    bad("a = [1]\n[[a]]\n", "t.toml:2: cannot define [[a]]: it is already an array (line 1)");
    bad("a = {b = 1}\n[a.c]\n", "t.toml:2: 'a' is already an inline table (line 1)");
    bad("a = {b = 1}\na.c = 2\n", "t.toml:2: cannot add to 'a': it is already an inline table");
    bad("[a.b]\n[a]\nb.c = 1\n", "t.toml:3: cannot add to 'b': it is already a table (line 1)");
    bad("a = \"x\nb = 1\n", "t.toml:1: unterminated string");
    bad("\n\na = \"\"\"x\n\n", "t.toml:3: unterminated string");
    bad("a = \"\\q\"\n", "t.toml:1: invalid escape '\\q'");
    bad("a = \"\\ud800\"\n", "not a Unicode scalar value");
    bad("a = \"\\u0000\"\n", "NUL characters");
    bad("a = \"\\u12\"\n", "\\u needs 4 hex digits");
    bad("a = 1.5\n", "t.toml:1: floating-point numbers are not supported ('1.5')");
    bad("a = inf\n", "floating-point");
    bad("a = 1e3\n", "floating-point");
    bad("a = 1979-05-27\n", "dates and times are not supported");
    bad("a = 07:32:00\n", "dates and times");
    bad("a = 9223372036854775808\n", "out of range");
    bad("a = 0x8000000000000000\n", "out of range");
    bad("a = 012\n", "invalid integer '012'");
    bad("a = 1__0\n", "invalid integer");
    bad("a = 1_\n", "invalid integer");
    bad("a = -0x1\n", "invalid integer");
    bad("a = hello\n", "t.toml:1: expected a value, found 'hello' (strings need quotes)");
    bad("a =\n", "t.toml:1: expected a value, found end of line");
    bad("a 1\n", "t.toml:1: expected '=' after key 'a', found '1'");
    /* a key's escapes are decoded, but the message stays one line */
    bad("\"x\\ny\\t\" ]\n", "t.toml:1: expected '=' after key '\"x\\ny\\t\"', found ']'");
    bad("= 1\n", "t.toml:1: expected a key, found '='");
    bad("a = 1 b = 2\n", "t.toml:1: expected the end of the line, found 'b'");
    bad("[a\n", "t.toml:1: expected ']' to close the table header, found end of line");
    bad("[[a]\n", "expected ']]'");
    bad("a = [1, 2\nb = 3\n", "t.toml:2: expected ',' or ']' in the array opened on line 1");
    bad("a = [1,,]\n", "expected a value, found ','");
    bad("a = {b = 1,}\n", "trailing comma in an inline table");
    bad("a = {b = 1\n}\n", "inline table opened on line 1 must close");
    bad("a = {\n}\n", "must close with '}' on the same line");
    bad("a = {b = 1, b = 2}\n", "duplicate key 'b'");
    bad("a = 1\r\rb = 2\n", "t.toml:1: carriage return without a line feed");
    bad("# bad \x01 comment\n", "control character 0x01 in a comment");
    bad("a = \"bell\x07\"\n", "control character 0x07 in a string");
    bad("a = 1\nb = \"\xff\"\n", "t.toml:2: invalid UTF-8");
    bad("a = \"\xed\xa0\x80\"\n", "invalid UTF-8"); /* an encoded surrogate */
    bad("a = \"\xc0\xaf\"\n", "invalid UTF-8");     /* overlong */
    bad("\"\"\"k\"\"\" = 1\n", "a key cannot be a multi-line string");
    bad("a = \"\"\"x\"\"\"\"\"\"\n", "too many quotes");
    bad("a = 1\n\xef\xbb\xbf", "t.toml:2: expected a key, found a non-ASCII character");
}

static void test_limits(void **state) {
    (void)state;
    /* Deep nesting is refused, not recursed into without bound. */
    char deep[400];
    memset(deep, 0, sizeof deep);
    strcpy(deep, "a = ");
    for (int i = 0; i < 100; i++) {
        strcat(deep, "[");
    }
    bad(deep, "nesting is deeper than 64 levels");
    /* A key path of 70 parts. */
    char longkey[400] = "";
    for (int i = 0; i < 70; i++) {
        strcat(longkey, i ? ".k" : "k");
    }
    strcat(longkey, " = 1\n");
    bad(longkey, "key has more than 64 parts");
    /* A wide table (hash-indexed): every key found, a late duplicate caught with its line. */
    size_t cap = 64 * 2000;
    char *wide = malloc(cap);
    assert_non_null(wide);
    size_t used = 0;
    for (int i = 0; i < 2000; i++) {
        used += (size_t)snprintf(wide + used, cap - used, "key%d = %d\n", i, i);
    }
    cfg_doc *d = ok(wide);
    const cfg_value *r = cfg_root(d);
    assert_int_equal(cfg_len(r), 2000);
    for (int i = 0; i < 2000; i += 37) {
        char k[32];
        snprintf(k, sizeof k, "key%d", i);
        assert_int_equal(cfg_int(cfg_get(r, k)), i);
        assert_int_equal(cfg_line(cfg_get(r, k)), i + 1);
    }
    assert_null(cfg_get(r, "key2000"));
    cfg_free(d);
    snprintf(wide + used, cap - used, "key1234 = 0\n");
    bad(wide, "t.toml:2001: duplicate key 'key1234' (first set on line 1235)");
    free(wide);
}

static void test_file(void **state) {
    (void)state;
    char err[256];
    assert_null(cfg_parse_file("/nonexistent/hale.toml", err, sizeof err));
    assert_non_null(strstr(err, "/nonexistent/hale.toml: No such file"));
    assert_null(cfg_parse_file("/", err, sizeof err));
    assert_non_null(strstr(err, "not a regular file"));
    char tmpl[] = "/tmp/toml_test_XXXXXX";
    int fd = mkstemp(tmpl);
    assert_true(fd >= 0);
    const char *text = "[serve]\nname = \"demo\"\noops\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    assert_null(cfg_parse_file(tmpl, err, sizeof err));
    char want[128];
    snprintf(want, sizeof want, "%s:3: expected '=' after key 'oops'", tmpl);
    assert_non_null(strstr(err, want));
    /* A truncating error buffer still yields a terminated prefix. */
    char tiny[8];
    assert_null(cfg_parse_file(tmpl, tiny, sizeof tiny));
    assert_int_equal(strlen(tiny), 7);
    unlink(tmpl);
    cfg_doc *d = ok("");
    assert_int_equal(cfg_len(cfg_root(d)), 0);
    assert_string_equal(cfg_name(d), "t.toml");
    cfg_free(d);
}

static void test_errorf(void **state) {
    (void)state;
    cfg_doc *d = ok("a = 1\n");
    char err[64];
    assert_int_equal(cfg_errorf(d, 7, err, sizeof err, "bad %s", "thing"), -1);
    assert_string_equal(err, "t.toml:7: bad thing");
    cfg_free(d);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalars), cmocka_unit_test(test_strings),
        cmocka_unit_test(test_tables),  cmocka_unit_test(test_dotted_subtables_allowed),
        cmocka_unit_test(test_errors),  cmocka_unit_test(test_limits),
        cmocka_unit_test(test_file),    cmocka_unit_test(test_errorf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
