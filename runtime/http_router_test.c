/* http_router.h: pattern checks (captures counted, each refusal with its reason), matching
 * (literal segments, captures, trailing slashes on either side, empty segments, length
 * mismatches, the root), the target split, path_param / query_param (missing names, keys
 * without '=', the first occurrence), build_context and is_route (methods case-insensitive,
 * the query ignored), and a Router with no routes answering 404. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "http_router.h"
#include "str.h"

static hale_str S(const char *s) {
    return (hale_str){s, (int64_t)strlen(s)};
}

static void assert_str(hale_str got, const char *want) {
    assert_int_equal(got.len, (int64_t)strlen(want));
    assert_memory_equal(got.ptr, want, (size_t)got.len);
}

static void test_pattern_check(void **state) {
    (void)state;
    const char *why = NULL;
    assert_int_equal(hale_route_pattern_check(S("/"), &why), 0);
    assert_int_equal(hale_route_pattern_check(S("/users/:id"), &why), 1);
    assert_int_equal(hale_route_pattern_check(S("/a/:x/b/:y_2/"), &why), 2);
    assert_int_equal(hale_route_pattern_check(S("/:a/:b/:c/:d/:e/:f/:g/:h"), &why), 8);
    assert_null(why);
    struct {
        const char *pattern, *why;
    } bad[] = {
        {"", "a pattern starts with '/'"},
        {"users", "a pattern starts with '/'"},
        {"/x/:", "a capture needs a name after ':'"},
        {"/x/:a-b", "a capture name is letters, digits and '_'"},
        {"/:id/:id", "a capture name is used twice"},
        {"/:a/:b/:c/:d/:e/:f/:g/:h/:i", "a pattern has at most 8 captures"},
        {"/a b", "a pattern segment holds a blank, a control byte or '?'"},
        {"/a?b", "a pattern segment holds a blank, a control byte or '?'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        why = NULL;
        assert_int_equal(hale_route_pattern_check(S(bad[i].pattern), &why), -1);
        assert_string_equal(why, bad[i].why);
    }
}

static void test_match(void **state) {
    (void)state;
    hale_route_captures c;
    assert_true(hale_route_match(S("/users/:id"), S("/users/42"), &c));
    assert_int_equal(c.n, 1);
    assert_str(c.name[0], "id");
    assert_str(c.value[0], "42");
    assert_true(hale_route_match(S("/users/:id/posts/:p"), S("/users/7/posts/x9"), &c));
    assert_int_equal(c.n, 2);
    assert_str(c.name[1], "p");
    assert_str(c.value[1], "x9");
    /* trailing slashes are tolerated on both sides */
    assert_true(hale_route_match(S("/a/b/"), S("/a/b"), &c));
    assert_true(hale_route_match(S("/a/b"), S("/a/b/"), &c));
    assert_true(hale_route_match(S("/"), S("/"), &c));
    assert_int_equal(c.n, 0);
    /* misses leave no captures behind */
    assert_false(hale_route_match(S("/users/:id"), S("/users"), &c));
    assert_int_equal(c.n, 0);
    assert_false(hale_route_match(S("/users/:id"), S("/users/1/more"), &c));
    assert_int_equal(c.n, 0);
    assert_false(hale_route_match(S("/users/:id/x"), S("/users/1/y"), &c));
    assert_int_equal(c.n, 0);
    assert_false(hale_route_match(S("/users/:id"), S("/users//"), &c)); /* empty capture */
    assert_false(hale_route_match(S("/a/b"), S("/a//b"), &c));          /* no folding */
    assert_false(hale_route_match(S("/a"), S("/A"), &c));               /* case matters */
    assert_false(hale_route_match(S("/"), S("/a"), &c));
    assert_false(hale_route_match(S("/a"), S(""), &c));
    assert_false(hale_route_match(S(""), S("/"), NULL));
    assert_true(hale_route_match(S("/a"), S("/a"), NULL));
}

static void test_params(void **state) {
    (void)state;
    hale_str path, query;
    hale_route_split_target(S("/p/q?a=1&b=&c&a=2"), &path, &query);
    assert_str(path, "/p/q");
    assert_str(query, "a=1&b=&c&a=2");
    hale_route_split_target(S("/p"), &path, &query);
    assert_str(path, "/p");
    assert_str(query, "");
    hale_http_route_params p = {S("id\x1f"
                                  "42\x1e"
                                  "name\x1f"
                                  "ada"),
                                S("a=1&b=&c&a=2&d=x=y")};
    assert_str(hale_http_path_param(&p, S("id")), "42");
    assert_str(hale_http_path_param(&p, S("name")), "ada");
    assert_str(hale_http_path_param(&p, S("nam")), "");
    assert_str(hale_http_path_param(&p, S("missing")), "");
    assert_str(hale_http_query_param(&p, S("a")), "1"); /* the first wins */
    assert_str(hale_http_query_param(&p, S("b")), "");
    assert_str(hale_http_query_param(&p, S("c")), "");
    assert_str(hale_http_query_param(&p, S("d")), "x=y");
    assert_str(hale_http_query_param(&p, S("z")), "");
    hale_http_route_params none = {S(""), S("")};
    assert_str(hale_http_path_param(&none, S("id")), "");
    assert_str(hale_http_query_param(&none, S("")), "");
}

static void test_context_and_is_route(void **state) {
    (void)state;
    hale_http_request req = {.method = S("get"),
                             .path = S("/hello/world?greet=yo"),
                             .version = S("HTTP/1.1"),
                             .headers = S(""),
                             .body = S(""),
                             .conn_fd = -1};
    hale_http_context ctx;
    hale_http_build_context(&req, &ctx);
    assert_str(ctx.req.path, "/hello/world?greet=yo");
    assert_str(ctx.params.qs, "greet=yo");
    assert_str(ctx.params.captures, "");
    assert_str(hale_http_query_param(&ctx.params, S("greet")), "yo");
    assert_true(hale_http_is_route(&ctx, S("GET"), S("/hello/:name")));
    assert_true(hale_http_is_route(&ctx, S("Get"), S("/hello/world/")));
    assert_false(hale_http_is_route(&ctx, S("POST"), S("/hello/:name")));
    assert_false(hale_http_is_route(&ctx, S("GET"), S("/hello")));
    assert_false(hale_http_is_route(&ctx, S("GETX"), S("/hello/:name")));
}

static void test_empty_router(void **state) {
    (void)state;
    hale_region *r = hale_region_new(NULL, "router");
    hale_http_router rt;
    hale_http_router_init(&rt, r);
    hale_http_router_birth(&rt, NULL);
    assert_int_equal(hale_http_router_len(&rt), 0);
    hale_http_request req = {.method = S("GET"),
                             .path = S("/"),
                             .version = S("HTTP/1.1"),
                             .headers = S(""),
                             .body = S(""),
                             .conn_fd = -1};
    hale_http_response resp = hale_http_router_dispatch(&rt, req, r);
    assert_int_equal(resp.status, 404);
    assert_str(resp.body, "not found");
    hale_http_router_dissolve(&rt);
    hale_region_free(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pattern_check), cmocka_unit_test(test_match),
        cmocka_unit_test(test_params),        cmocka_unit_test(test_context_and_is_route),
        cmocka_unit_test(test_empty_router),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
