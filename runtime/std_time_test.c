/* std::time: the clocks (monotonic never goes back; now is Unix seconds), sleep (returns at once
 * for a non-positive duration, otherwise never early), time_from_unix and parse_iso8601 (round
 * trips, fractions, dates before 1970, every refusal: an offset, a day the month lacks, a month
 * out of range, a blank for 'T', a short field, trailing bytes, empty). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "std.h"
#include "str.h"

static hale_str S(const char *s) {
    return (hale_str){s, (int64_t)strlen(s)};
}

static void test_clocks(void **state) {
    (void)state;
    int64_t a = hale_time_monotonic();
    int64_t b = hale_time_monotonic();
    assert_true(a > 0);
    assert_true(b >= a);
    /* Unix seconds: after this code was written, and not milliseconds */
    int64_t now = hale_time_now();
    assert_true(now > 1700000000);
    assert_true(now < (int64_t)1 << 40);
    hale_time_sleep(0);
    hale_time_sleep(-5);
    int64_t before = hale_time_monotonic();
    hale_time_sleep(2000000);
    assert_true(hale_time_monotonic() - before >= 2000000); /* never returns early */
}

static void test_text_forms(void **state) {
    (void)state;
    hale_region *r = hale_region_new(NULL, "c");
    assert_true(hale_str_eq(hale_time_from_unix(r, 1700000000), S("2023-11-14T22:13:20Z")));
    assert_true(hale_str_eq(hale_time_from_unix(r, 0), S("1970-01-01T00:00:00Z")));
    int64_t t;
    assert_true(hale_time_parse_iso8601(S("2023-11-14T22:13:20Z"), &t));
    assert_int_equal(t, 1700000000);
    assert_true(hale_time_parse_iso8601(S("2000-02-29T00:00:00.125Z"), &t));
    assert_int_equal(t, 951782400);
    assert_true(hale_time_parse_iso8601(S("1969-12-31T23:59:59"), &t));
    assert_int_equal(t, -1);
    assert_false(hale_time_parse_iso8601(S("2023-11-14T22:13:20+01:00"), &t)); /* an offset */
    assert_false(hale_time_parse_iso8601(S("2023-02-29T00:00:00Z"), &t));      /* not leap */
    assert_false(hale_time_parse_iso8601(S("2023-13-01T00:00:00Z"), &t));
    assert_false(hale_time_parse_iso8601(S("2023-11-14 22:13:20Z"), &t));
    assert_false(hale_time_parse_iso8601(S("2023-11-14T22:13:2"), &t));
    assert_false(hale_time_parse_iso8601(S(""), &t));
    assert_true(hale_time_can_parse_iso8601(S("2024-02-29T12:00:00Z")));
    hale_region_free(r);
}

static void test_more_refusals(void **state) {
    (void)state;
    int64_t t = 5;
    assert_false(hale_time_parse_iso8601(S("2023-11-14T22:13:20Zjunk"), &t));
    assert_int_equal(t, 0); /* a refusal leaves 0 */
    assert_false(hale_time_parse_iso8601(S("2023-04-31T00:00:00Z"), &t));
    assert_false(hale_time_parse_iso8601(S("2023-11-14T24:00:00Z"), &t));
    assert_false(hale_time_parse_iso8601(S("2023-11-14T22:13:20.Z"), &t));
    assert_true(hale_time_parse_iso8601(S("2023-11-14t22:13:20z"), &t));
    assert_int_equal(t, 1700000000);
    assert_true(hale_time_parse_iso8601(S("1900-02-28T00:00:00Z"), &t));
    assert_false(hale_time_parse_iso8601(S("1900-02-29T00:00:00Z"), &t)); /* not leap */
    assert_true(hale_time_parse_iso8601(S("2000-02-29T00:00:00Z"), &t));  /* leap */
    assert_false(hale_time_can_parse_iso8601(S("not a time")));
    hale_region *r = hale_region_new(NULL, "t");
    int64_t back;
    for (int64_t secs = INT64_C(-86400) * 400; secs < INT64_C(86400) * 40000;
         secs += INT64_C(86400) * 37 + 3671) {
        assert_true(hale_time_parse_iso8601(hale_time_from_unix(r, secs), &back));
        assert_int_equal(back, secs);
    }
    hale_region_free(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clocks),
        cmocka_unit_test(test_text_forms),
        cmocka_unit_test(test_more_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
