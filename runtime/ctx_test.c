/* The machine switch alone: values survive round trips, callee-saved state (including floating
 * point) is preserved across switches, and a context's stack is the one it was given. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ctx.h"
#include "stack.h"

static hale_exec_ctx main_ctx, co_ctx;
static volatile int64_t shared;
static uintptr_t co_sp_seen;
static hale_stack stk;

static void entry(void *arg) {
    int64_t step = *(int64_t *)arg;
    volatile double acc = 1.5;
    char local;
    co_sp_seen = (uintptr_t)&local;
    for (;;) {
        shared += step;
        acc *= 2.0;
        hale_exec_ctx_switch(&co_ctx, &main_ctx);
        assert_true(acc > 1.0); /* our own FP value survived the other side's work */
    }
}

static void test_ping_pong(void **state) {
    (void)state;
    assert_int_equal(hale_stack_map(&stk, 64 * 1024), 0);
    int64_t step = 3;
    hale_exec_ctx_make(&co_ctx, stk.lo, stk.size, entry, &step);
    volatile double mine = 0.25;
    volatile int64_t keep = 77;
    for (int i = 1; i <= 100000; i++) {
        hale_exec_ctx_switch(&main_ctx, &co_ctx);
        assert_int_equal(shared, 3 * (int64_t)i);
        mine += 1.0;
    }
    assert_true(mine == 100000.25);
    assert_int_equal(keep, 77);
    assert_true(co_sp_seen >= (uintptr_t)stk.lo && co_sp_seen < (uintptr_t)stk.lo + stk.size);
    hale_stack_unmap(&stk);
}

static void test_impl_named(void **state) {
    (void)state;
    const char *impl = hale_ctx_impl();
    assert_true(impl[0] == 'a' || impl[0] == 'u');
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ping_pong),
        cmocka_unit_test(test_impl_named),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
