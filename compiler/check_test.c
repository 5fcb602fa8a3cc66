/* The front end end to end on small programs: what is accepted, how many errors a broken
 * program gets, and the facts the emitter relies on (allocation and per-iteration reset). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "check_impl.h"

typedef struct {
    hc_arena *a;
    hc_diags *d;
    hc_program *P;
} checked;

static checked check(const char *src) {
    checked c;
    c.a = hc_arena_new();
    c.d = hc_diags_new(c.a);
    c.P = hc_load_buffer(c.a, c.d, "t.hl", src, strlen(src));
    if (!c.P->parse_errors) {
        hc_check(c.P);
    }
    return c;
}

static void done(checked *c) {
    hc_arena_free(c->a);
}

static hc_decl *fn_named(checked *c, const char *name) {
    for (int i = 0; i < c->P->fns.n; i++) {
        if (strcmp(c->P->fns.v[i]->name.name, name) == 0) {
            return c->P->fns.v[i];
        }
    }
    return NULL;
}

static void test_accepts_core(void **state) {
    (void)state;
    checked c = check("type P { x: Int; }\n"
                      "enum E { A, B }\n"
                      "fn f(p: P, e: E) -> Int { match e { E::A -> p.x, E::B -> 0 } }\n"
                      "fn main() { println(f(P { x: 1 }, E::A)); }\n");
    assert_int_equal(hc_error_count(c.d), 0);
    assert_non_null(c.P->main_fn);
    done(&c);
}

static void test_counts_independent_errors(void **state) {
    (void)state;
    checked c = check("fn main() {\n"
                      "  let a: Int = \"x\";\n"
                      "  let b = nope;\n"
                      "  let c = 1;\n"
                      "  c = 2;\n"
                      "}\n");
    assert_int_equal(hc_error_count(c.d), 3);
    done(&c);
}

static void test_allocation_facts(void **state) {
    (void)state;
    checked c = check("fn add(a: Int, b: Int) -> Int { return a + b; }\n"
                      "fn name(i: Int) -> String { return \"n\" + to_string(i); }\n"
                      "fn main() {\n"
                      "  let mut keep = \"\";\n"
                      "  for i in 0..10 { let t = name(i); }\n"
                      "  for i in 0..10 { keep = name(i); }\n"
                      "  for i in 0..10 { let s = add(i, 1); }\n"
                      "}\n");
    assert_int_equal(hc_error_count(c.d), 0);
    assert_false(fn_named(&c, "add")->allocates);
    assert_true(fn_named(&c, "name")->allocates);
    hc_decl *m = fn_named(&c, "main");
    assert_true(m->allocates);
    hc_stmts *s = &m->body->stmts;
    assert_true(s->v[1]->reset_per_iter);  /* nothing made in it outlives an iteration */
    assert_false(s->v[2]->reset_per_iter); /* `keep` outlives the loop */
    assert_false(s->v[3]->reset_per_iter); /* allocates nothing */
    done(&c);
}

static void test_no_crash_on_garbage(void **state) {
    (void)state;
    const char *inputs[] = {"",
                            "}",
                            "fn",
                            "fn (",
                            "locus { params { x",
                            "type T = enum {",
                            "fn main() { let x = [[[[[[1",
                            "import",
                            "@@@",
                            "\"\\"};
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        checked c = check(inputs[i]);
        done(&c);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepts_core),
        cmocka_unit_test(test_counts_independent_errors),
        cmocka_unit_test(test_allocation_facts),
        cmocka_unit_test(test_no_crash_on_garbage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
