/* CPU sets: Hale's range forms, and best-effort application on this machine. */
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "affinity.h"

static void test_ranges(void **state) {
    (void)state;
    hale_cpus s;
    hale_cpus_clear(&s);
    hale_cpus_add_range(&s, 4, 8, false); /* 4..8 */
    assert_int_equal(hale_cpus_count(&s), 4);
    assert_true(hale_cpus_has(&s, 4) && hale_cpus_has(&s, 7) && !hale_cpus_has(&s, 8));
    hale_cpus_clear(&s);
    hale_cpus_add_range(&s, 4, 7, true); /* 4..=7 */
    assert_int_equal(hale_cpus_count(&s), 4);
    hale_cpus_add(&s, 100);
    hale_cpus_add(&s, -1);
    hale_cpus_add(&s, HALE_CPUS_MAX);
    assert_int_equal(hale_cpus_count(&s), 5);
    assert_false(hale_cpus_empty(&s));
}

static void test_apply_best_effort(void **state) {
    (void)state;
    cpu_set_t before;
    sched_getaffinity(0, sizeof before, &before);
    int first = -1;
    for (int c = 0; c < CPU_SETSIZE; c++) {
        if (CPU_ISSET(c, &before)) {
            first = c;
            break;
        }
    }
    assert_true(first >= 0);
    hale_cpus want, got;
    hale_cpus_clear(&want);
    hale_cpus_add(&want, first);
    hale_cpus_add(&want, HALE_CPUS_MAX - 1); /* does not exist here: skipped */
    assert_int_equal(hale_cpus_apply_self(&want, &got), 1);
    assert_true(hale_cpus_has(&got, first));
    assert_int_equal(hale_cpus_count(&got), 1);
    /* nothing usable: left unpinned, no failure */
    hale_cpus_clear(&want);
    hale_cpus_add(&want, HALE_CPUS_MAX - 1);
    assert_int_equal(hale_cpus_apply_self(&want, &got), 0);
    assert_true(hale_cpus_empty(&got));
    sched_setaffinity(0, sizeof before, &before);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_apply_best_effort),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
