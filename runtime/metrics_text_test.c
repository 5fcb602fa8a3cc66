/* The exposition writer: exact lines for families and samples, escaping of label values and
 * help text, names and labels that break the grammar left out (and counted), float spellings,
 * and a text that grows past its first block. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "metrics_text.h"

static void test_family_and_samples(void **state) {
    (void)state;
    hale_mtext t = {0};
    hale_metric_family(&t, "hale_bus_published_total", "counter", "Publishes per topic.");
    hale_metric_int(&t, "hale_bus_published_total", 12, "topic", "chat.said", NULL);
    hale_metric_int(&t, "hale_bus_published_total", -3, "topic", "a", "pool", "io", NULL);
    hale_metric_family(&t, "hale_region_live_bytes", "gauge", NULL);
    hale_metric_int(&t, "hale_region_live_bytes", 65536, NULL);
    assert_string_equal(t.p, "# HELP hale_bus_published_total Publishes per topic.\n"
                             "# TYPE hale_bus_published_total counter\n"
                             "hale_bus_published_total{topic=\"chat.said\"} 12\n"
                             "hale_bus_published_total{topic=\"a\",pool=\"io\"} -3\n"
                             "# TYPE hale_region_live_bytes gauge\n"
                             "hale_region_live_bytes 65536\n");
    assert_int_equal(t.bad, 0);
    assert_int_equal(t.oom, 0);
    hale_mtext_free(&t);
    assert_null(t.p);
}

static void test_escaping(void **state) {
    (void)state;
    hale_mtext t = {0};
    hale_metric_family(&t, "x", "gauge", "a \"quoted\" back\\slash\nand a newline");
    hale_metric_int(&t, "x", 1, "path", "C:\\dir \"q\"\nnext", "empty", NULL, NULL);
    assert_string_equal(t.p, "# HELP x a \"quoted\" back\\\\slash\\nand a newline\n"
                             "# TYPE x gauge\n"
                             "x{path=\"C:\\\\dir \\\"q\\\"\\nnext\",empty=\"\"} 1\n");
    hale_mtext_free(&t);
}

static void test_bad_names_are_left_out(void **state) {
    (void)state;
    hale_mtext t = {0};
    hale_metric_family(&t, "9lives", "gauge", "starts with a digit");
    hale_metric_int(&t, "has-dash", 1, NULL);
    hale_metric_int(&t, "ok_name", 1, "0label", "v", NULL);
    hale_metric_int(&t, "ok_name", 1, "__reserved", "v", NULL);
    hale_metric_int(&t, "ok_name", 1, "a:b", "v", NULL); /* ':' only in metric names */
    hale_metric_int(&t, "", 1, NULL);
    assert_int_equal(t.bad, 6);
    assert_int_equal(t.len, 0);
    hale_metric_int(&t, "ns:sub_total", 2, "_under", "v", NULL);
    assert_string_equal(t.p, "ns:sub_total{_under=\"v\"} 2\n");
    assert_true(hale_metric_name_ok("a:b_c9"));
    assert_false(hale_metric_label_ok("a:b"));
    hale_mtext_free(&t);
}

static void test_floats(void **state) {
    (void)state;
    hale_mtext t = {0};
    hale_metric_float(&t, "f", 0.25, NULL);
    hale_metric_float(&t, "f", 1796551540.34, NULL);
    hale_metric_float(&t, "f", NAN, NULL);
    hale_metric_float(&t, "f", INFINITY, NULL);
    hale_metric_float(&t, "f", -INFINITY, NULL);
    hale_metric_float(&t, "f", 3.0, NULL);
    assert_string_equal(t.p, "f 0.25\nf 1796551540.34\nf NaN\nf +Inf\nf -Inf\nf 3\n");
    hale_mtext_free(&t);
}

static void test_grows(void **state) {
    (void)state;
    hale_mtext t = {0};
    char label[32];
    for (int i = 0; i < 2000; i++) {
        snprintf(label, sizeof label, "topic-%d", i);
        hale_metric_int(&t, "hale_bus_delivered_total", i, "topic", label, NULL);
    }
    assert_int_equal(t.oom, 0);
    assert_true(t.len > 4096 * 8);
    assert_int_equal(strlen(t.p), t.len);
    assert_non_null(strstr(t.p, "hale_bus_delivered_total{topic=\"topic-1999\"} 1999\n"));
    hale_mtext_printf(&t, "%0300d", 7); /* one append longer than printf's small buffer */
    assert_int_equal(t.p[t.len - 1], '7');
    hale_mtext_free(&t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_family_and_samples),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_bad_names_are_left_out),
        cmocka_unit_test(test_floats),
        cmocka_unit_test(test_grows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
