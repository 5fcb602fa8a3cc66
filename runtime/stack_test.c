/* Guard-paged stacks and their cache: an overflow faults on the guard page, the cache reuses
 * instead of remapping, and a full cache unmaps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "stack.h"

static void test_usable_and_writable(void **state) {
    (void)state;
    hale_stack s;
    assert_int_equal(hale_stack_map(&s, 100 * 1024 + 1), 0);
    assert_true(s.size >= 100 * 1024 + 1);
    assert_int_equal(s.size % 4096, 0);
    memset(s.lo, 0x5a, s.size);
    hale_stack_unmap(&s);
    assert_null(s.mapping);
}

static void test_guard_page_faults(void **state) {
    (void)state;
    hale_stack s;
    assert_int_equal(hale_stack_map(&s, 64 * 1024), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        volatile char *below = (volatile char *)s.lo - 1;
        *below = 1; /* must fault */
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_false(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    hale_stack_unmap(&s);
}

static void test_cache_reuses_then_unmaps(void **state) {
    (void)state;
    hale_stack_cache c;
    hale_stack_cache_init(&c, 32 * 1024, 2);
    hale_stack *a = hale_stack_cache_get(&c), *b = hale_stack_cache_get(&c),
               *d = hale_stack_cache_get(&c);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(d);
    assert_int_equal(c.maps, 3);
    hale_stack_cache_put(&c, a);
    hale_stack_cache_put(&c, b);
    hale_stack_cache_put(&c, d); /* over max_idle: unmapped */
    assert_int_equal(c.unmaps, 1);
    assert_int_equal(c.idle, 2);
    for (int i = 0; i < 1000; i++) {
        hale_stack *x = hale_stack_cache_get(&c);
        memset(x->lo, 1, 4096);
        hale_stack_cache_put(&c, x);
    }
    assert_int_equal(c.maps, 3); /* churn reused, never remapped */
    assert_int_equal(c.reuses, 1000);
    hale_stack_cache_clear(&c);
    assert_int_equal(c.idle, 0);
    assert_int_equal(c.unmaps, 3);
}

/* After a burst the idle stacks beyond the reserve go back; the reserve is reused. */
static void test_trim_keeps_a_reserve(void **state) {
    (void)state;
    hale_stack_cache c;
    hale_stack_cache_init(&c, 32 * 1024, 100);
    hale_stack *burst[40];
    for (int i = 0; i < 40; i++) {
        burst[i] = hale_stack_cache_get(&c);
        assert_non_null(burst[i]);
    }
    for (int i = 0; i < 40; i++) {
        hale_stack_cache_put(&c, burst[i]);
    }
    assert_int_equal(c.idle, 40);
    assert_int_equal(hale_stack_cache_trim(&c, 8), 32);
    assert_int_equal(c.idle, 8);
    assert_int_equal(c.unmaps, 32);
    assert_int_equal(hale_stack_cache_trim(&c, 8), 0);
    hale_stack *x = hale_stack_cache_get(&c);
    assert_int_equal(c.reuses, 1);
    hale_stack_cache_put(&c, x);
    hale_stack_cache_clear(&c);
    assert_int_equal(c.maps, 40);
}

static void test_default_size_from_env(void **state) {
    (void)state;
    setenv("HALE_STACK_SIZE", "96K", 1);
    assert_int_equal(hale_stack_default_size(), 96 * 1024);
    setenv("HALE_STACK_SIZE", "1", 1);
    assert_int_equal(hale_stack_default_size(), 16 * 1024); /* floor */
    unsetenv("HALE_STACK_SIZE");
    assert_int_equal(hale_stack_default_size(), 256 * 1024);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_usable_and_writable),
        cmocka_unit_test(test_guard_page_faults),
        cmocka_unit_test(test_cache_reuses_then_unmaps),
        cmocka_unit_test(test_trim_keeps_a_reserve),
        cmocka_unit_test(test_default_size_from_env),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
