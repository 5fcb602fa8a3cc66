/* The lexer: token kinds, decoded literal values, positions, and errors that name the place. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lex.h"

typedef struct {
    hc_arena *a;
    hc_diags *d;
    hc_tokens t;
} lexed;

static lexed lex(const char *src) {
    lexed l;
    l.a = hc_arena_new();
    l.d = hc_diags_new(l.a);
    int file = hc_diag_add_source(l.d, "t.hl", src, strlen(src));
    l.t = hc_lex(l.a, l.d, file, src, strlen(src));
    return l;
}

static void done(lexed *l) {
    hc_arena_free(l->a);
}

static void test_kinds_and_positions(void **state) {
    (void)state;
    lexed l = lex("fn main() {\n  let x = a::b <- c ..= d;\n}");
    hc_tok_kind want[] = {K_FN,    T_IDENT,    P_LPAREN, P_RPAREN,     P_LBRACE, K_LET,
                          T_IDENT, P_ASSIGN,   T_IDENT,  P_COLONCOLON, T_IDENT,  P_SEND,
                          T_IDENT, P_DOTDOTEQ, T_IDENT,  P_SEMI,       P_RBRACE, T_EOF};
    assert_int_equal(l.t.n, (int)(sizeof want / sizeof want[0]));
    for (int i = 0; i < l.t.n; i++) {
        assert_int_equal(l.t.v[i].kind, want[i]);
    }
    assert_int_equal(l.t.v[5].pos.line, 2); /* let */
    assert_int_equal(l.t.v[5].pos.col, 3);
    assert_int_equal(l.t.v[5].pos.len, 3);
    assert_int_equal(hc_error_count(l.d), 0);
    done(&l);
}

static void test_numbers(void **state) {
    (void)state;
    lexed l = lex("1_000 0xff 0o17 0b101 2.5 1e3 9223372036854775807 1..5");
    assert_int_equal(l.t.v[0].i, 1000);
    assert_int_equal(l.t.v[1].i, 255);
    assert_int_equal(l.t.v[2].i, 15);
    assert_int_equal(l.t.v[3].i, 5);
    assert_int_equal(l.t.v[4].kind, T_FLOAT);
    assert_true(l.t.v[4].f == 2.5);
    assert_int_equal(l.t.v[5].kind, T_FLOAT);
    assert_true(l.t.v[5].f == 1000.0);
    assert_int_equal(l.t.v[6].i, INT64_MAX);
    assert_int_equal(l.t.v[7].kind, T_INT); /* 1..5 is a range, not a float */
    assert_int_equal(l.t.v[8].kind, P_DOTDOT);
    assert_int_equal(hc_error_count(l.d), 0);
    done(&l);
}

static void test_durations(void **state) {
    (void)state;
    lexed l = lex("250ns 10us 500ms 1s 5m 2h 1d2h 1h30m 1d 2.5d");
    int64_t want[] = {250,
                      10000,
                      500000000,
                      1000000000,
                      300000000000LL,
                      7200000000000LL,
                      93600000000000LL,
                      5400000000000LL};
    for (int i = 0; i < 8; i++) {
        assert_int_equal(l.t.v[i].kind, T_DURATION);
        assert_int_equal(l.t.v[i].i, want[i]);
    }
    /* a lone `d` suffix is a Decimal, as in Hale (`1d / 3d`); days only within a compound */
    assert_int_equal(l.t.v[8].kind, T_DECIMAL);
    assert_int_equal(l.t.v[9].kind, T_DECIMAL);
    done(&l);
}

static void test_strings(void **state) {
    (void)state;
    lexed l = lex("\"a\\n\\t\\\"\\\\\\x41\\0z\" f\"x{y}\"");
    assert_int_equal(l.t.v[0].kind, T_STRING);
    assert_int_equal(l.t.v[0].slen, 8);
    assert_memory_equal(l.t.v[0].str, "a\n\t\"\\A\0z", 8);
    assert_int_equal(l.t.v[1].kind, T_FSTRING);
    assert_string_equal(l.t.v[1].str, "x{y}");
    done(&l);
}

static void test_errors_keep_going(void **state) {
    (void)state;
    lexed l = lex("let a = \"open\nlet b = 5parsecs;\nlet c = $;\n/* never closed");
    assert_int_equal(hc_error_count(l.d), 4);
    assert_int_equal(l.t.v[l.t.n - 1].kind, T_EOF);
    done(&l);
}

static void test_too_big(void **state) {
    (void)state;
    lexed l = lex("99999999999999999999 9223372036854775808");
    assert_int_equal(hc_error_count(l.d), 1); /* the second is valid under unary minus */
    assert_int_equal(l.t.v[1].slen, 1);
    done(&l);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kinds_and_positions), cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_durations),           cmocka_unit_test(test_strings),
        cmocka_unit_test(test_errors_keep_going),   cmocka_unit_test(test_too_big),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
