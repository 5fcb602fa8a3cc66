#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "backoff.h"

#define MS 1000000LL
#define S (1000 * MS)

static void test_backoff_doubles_then_caps(void **state) {
    (void)state;
    assert_int_equal(sv_backoff_delay(100 * MS, 5 * S, 0), 100 * MS);
    assert_int_equal(sv_backoff_delay(100 * MS, 5 * S, 1), 200 * MS);
    assert_int_equal(sv_backoff_delay(100 * MS, 5 * S, 3), 800 * MS);
    assert_int_equal(sv_backoff_delay(100 * MS, 5 * S, 6), 5 * S);
    assert_int_equal(sv_backoff_delay(100 * MS, 5 * S, 4000), 5 * S);
}

static void test_intensity_allows_up_to_max(void **state) {
    (void)state;
    sv_intensity in;
    sv_intensity_init(&in, 3, 10 * S);
    assert_true(sv_intensity_record(&in, 1 * S));
    assert_true(sv_intensity_record(&in, 2 * S));
    assert_true(sv_intensity_record(&in, 3 * S));
    assert_false(sv_intensity_record(&in, 4 * S));
}

static void test_intensity_window_slides(void **state) {
    (void)state;
    sv_intensity in;
    sv_intensity_init(&in, 2, 10 * S);
    assert_true(sv_intensity_record(&in, 0));
    assert_true(sv_intensity_record(&in, 5 * S));
    /* The restart at 0 has left the window by 11s: only 2 in window. */
    assert_true(sv_intensity_record(&in, 11 * S));
    assert_false(sv_intensity_record(&in, 12 * S));
}

static void test_intensity_zero_means_never(void **state) {
    (void)state;
    sv_intensity in;
    sv_intensity_init(&in, 0, 10 * S);
    assert_false(sv_intensity_record(&in, 0));
}

static void test_intensity_count_reads_the_window(void **state) {
    (void)state;
    sv_intensity in;
    sv_intensity_init(&in, 5, 10 * S);
    assert_int_equal(sv_intensity_count(&in, 0), 0);
    sv_intensity_record(&in, 1 * S);
    sv_intensity_record(&in, 4 * S);
    sv_intensity_record(&in, 9 * S);
    assert_int_equal(sv_intensity_count(&in, 9 * S), 3);
    assert_int_equal(sv_intensity_count(&in, 11 * S), 2); /* 1s has left the window */
    assert_int_equal(sv_intensity_count(&in, 14 * S), 1);
    assert_int_equal(sv_intensity_count(&in, 30 * S), 0);
    /* counting changes nothing: the next record still sees the restarts in its window */
    assert_true(sv_intensity_record(&in, 12 * S));
    assert_int_equal(sv_intensity_count(&in, 12 * S), 3); /* 4s, 9s, 12s */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backoff_doubles_then_caps),
        cmocka_unit_test(test_intensity_allows_up_to_max),
        cmocka_unit_test(test_intensity_window_slides),
        cmocka_unit_test(test_intensity_zero_means_never),
        cmocka_unit_test(test_intensity_count_reads_the_window),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
