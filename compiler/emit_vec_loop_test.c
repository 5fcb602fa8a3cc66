/* Which loops keep a vec in a cursor (emit_vec_loop.c), read off the C the emitter writes: a
 * loop that only computes and pushes does; one that calls anything, pops, makes a locus, pushes
 * a value with heap parts, or reaches the vec through a field or through two names does not; a
 * nested loop shares its enclosing loop's cursor. tests/golden/memory/vec_push_loop.hl runs the
 * same shapes and checks what they compute. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "check_impl.h"
#include "emit.h"

#define PRELUDE                                                                                    \
    "@form(vec)\nlocus Items { capacity { heap items of Int; } }\n"                                \
    "@form(vec)\nlocus Names { capacity { heap items of String; } }\n"                             \
    "fn twice(x: Int) -> Int { return x * 2; }\n"

typedef struct {
    int cursors; /* cursors declared */
    int fast;    /* pushes through a cursor */
    int plain;   /* flat pushes without one */
} counts;

static int occurrences(const char *s, const char *what) {
    int n = 0;
    for (const char *p = strstr(s, what); p; p = strstr(p + 1, what)) {
        n++;
    }
    return n;
}

static counts emitted(const char *body) {
    hc_arena *a = hc_arena_new();
    hc_diags *d = hc_diags_new(a);
    const char *src = hc_sprintf(a, "%s%s", PRELUDE, body);
    hc_program *P = hc_load_buffer(a, d, "t.hl", src, strlen(src));
    assert_int_equal(P->parse_errors, 0);
    hc_check(P);
    assert_int_equal(hc_error_count(d), 0);
    hc_buf out = {0};
    assert_int_equal(hc_emit_program(P, &out), 0);
    const char *c = hc_buf_cstr(&out);
    counts n = {occurrences(c, "= HALE_VEC_CURSOR_EMPTY"), occurrences(c, "hale_vec_cursor_push("),
                occurrences(c, "hale_vec_push_flat(")};
    hc_buf_free(&out);
    hc_arena_free(a);
    return n;
}

static void expect(counts got, int cursors, int fast, int plain) {
    assert_int_equal(got.cursors, cursors);
    assert_int_equal(got.fast, fast);
    assert_int_equal(got.plain, plain);
}

static void test_plain_loops_keep_a_cursor(void **state) {
    (void)state;
    /* while with arithmetic, if/else, min, a conversion, len() and break */
    expect(
        emitted(
            "fn main() { let v = Items { }; let mut i = 0;\n"
            "  while i < 100 { if i % 2 == 0 { v.push(min(i, 50)); } else { v.push(Int(2.5)); }\n"
            "    if v.len() > 90 { break; } i += 1; }\n"
            "  println(v.len()); }\n"),
        1, 2, 0);
    /* for over a range; a parameter as the receiver; return inside */
    expect(emitted("fn fill(v: Items, n: Int) -> Int { for i in 0..n { v.push(i); if i > 7 { "
                   "return i; } }\n"
                   "  return 0; }\n"
                   "fn main() { println(fill(Items { }, 10)); }\n"),
           1, 1, 0);
}

static void test_nested_loops_share_one(void **state) {
    (void)state;
    expect(emitted("fn main() { let v = Items { };\n"
                   "  for i in 0..10 { v.push(i); for j in 0..10 { v.push(j); } }\n"
                   "  println(v.len()); }\n"),
           1, 2, 0);
    /* an outer loop that prints keeps its push ordinary; the inner one gets its own cursor */
    expect(emitted("fn main() { let v = Items { };\n"
                   "  for i in 0..10 { v.push(i); println(i); for j in 0..10 { v.push(j); } }\n"
                   "  println(v.len()); }\n"),
           1, 1, 1);
}

static void test_what_keeps_ordinary_pushes(void **state) {
    (void)state;
    /* a call of a function */
    expect(emitted("fn main() { let v = Items { }; for i in 0..10 { v.push(twice(i)); }\n"
                   "  println(v.len()); }\n"),
           0, 0, 1);
    /* a pop */
    expect(emitted("fn main() { let v = Items { }; for i in 0..10 { v.push(i); v.pop() or 0; }\n"
                   "  println(v.len()); }\n"),
           0, 0, 1);
    /* a locus literal */
    expect(emitted("fn main() { let v = Items { }; for i in 0..10 { v.push(i); Items { }; }\n"
                   "  println(v.len()); }\n"),
           0, 0, 1);
    /* two names of one type: they may be one locus */
    expect(emitted("fn main() { let v = Items { }; let w = v;\n"
                   "  for i in 0..10 { v.push(i); w.push(i); }\n"
                   "  println(v.len()); }\n"),
           0, 0, 2);
    /* an element with heap parts */
    expect(emitted("fn main() { let v = Names { }; for i in 0..10 { v.push(\"x\"); }\n"
                   "  println(v.len()); }\n"),
           0, 0, 0);
    /* a vec reached through a field */
    expect(emitted("locus Holder { params { into: Items; }\n"
                   "  run() { for i in 0..10 { self.into.push(i); } } }\n"
                   "fn main() { Holder { into: Items { } }; }\n"),
           0, 0, 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_loops_keep_a_cursor),
        cmocka_unit_test(test_nested_loops_share_one),
        cmocka_unit_test(test_what_keeps_ordinary_pushes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
