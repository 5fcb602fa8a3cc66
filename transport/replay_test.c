/* The replay window: duplicates and too-old numbers are refused, gaps are counted and taken back
 * when late frames fill them, a new sender is never a replay, and memory stays bounded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "replay.h"

static int check(tp_replay *t, uint64_t sender, uint64_t seq, int64_t *lost) {
    return tp_replay_check(t, sender, 7, seq, lost);
}

static void test_in_order_and_duplicates(void **state) {
    (void)state;
    tp_replay *t = tp_replay_new(8);
    int64_t lost;
    for (uint64_t s = 1; s <= 1000; s++) {
        assert_int_equal(check(t, 1, s, &lost), 0);
        assert_int_equal(lost, 0);
    }
    assert_int_equal(check(t, 1, 1000, &lost), 1);
    assert_int_equal(check(t, 1, 999, &lost), 1);
    assert_int_equal(check(t, 1, 1000 - 127, &lost), 1);
    assert_int_equal(check(t, 1, 1, &lost), 1); /* far older than the window */
    tp_replay_free(t);
}

static void test_gaps_counted_and_filled(void **state) {
    (void)state;
    tp_replay *t = tp_replay_new(8);
    int64_t lost, total = 0;
    assert_int_equal(check(t, 1, 10, &lost), 0); /* first sight: joining is not a loss */
    assert_int_equal(lost, 0);
    assert_int_equal(check(t, 1, 15, &lost), 0);
    assert_int_equal(lost, 4);
    total += lost;
    assert_int_equal(check(t, 1, 12, &lost), 0); /* late, within the window */
    assert_int_equal(lost, -1);
    total += lost;
    assert_int_equal(check(t, 1, 12, &lost), 1);
    assert_int_equal(total, 3);
    /* A jump past the whole window, then a late frame from before it: too old. */
    assert_int_equal(check(t, 1, 15 + 200, &lost), 0);
    assert_int_equal(lost, 199);
    assert_int_equal(check(t, 1, 16, &lost), 1);
    /* Windows crossing the 64-bit word boundary. */
    assert_int_equal(check(t, 1, 215 + 70, &lost), 0);
    assert_int_equal(check(t, 1, 215 + 1, &lost), 0);
    assert_int_equal(lost, -1);
    assert_int_equal(check(t, 1, 215, &lost), 1);
    assert_int_equal(check(t, 1, 215 + 1, &lost), 1);
    tp_replay_free(t);
}

static void test_new_sender_is_not_a_replay(void **state) {
    (void)state;
    tp_replay *t = tp_replay_new(8);
    int64_t lost;
    for (uint64_t s = 1; s <= 50; s++) {
        assert_int_equal(check(t, 0xaaaa, s, &lost), 0);
    }
    /* The publisher restarts: a new sender id starting from 1 again. */
    assert_int_equal(check(t, 0xbbbb, 1, &lost), 0);
    assert_int_equal(check(t, 0xbbbb, 2, &lost), 0);
    /* The same numbers on another topic are independent. */
    assert_int_equal(tp_replay_check(t, 0xbbbb, 8, 1, &lost), 0);
    assert_int_equal(tp_replay_size(t), 3);
    tp_replay_free(t);
}

static void test_bounded_with_eviction(void **state) {
    (void)state;
    tp_replay *t = tp_replay_new(16);
    int64_t lost;
    for (uint64_t sender = 1; sender <= 1000; sender++) {
        assert_int_equal(check(t, sender, 1, &lost), 0);
        assert_int_equal(check(t, sender, 2, &lost), 0);
        /* Keep sender 1 busy so it is never the idlest. */
        assert_int_equal(check(t, 1, 2 + sender, &lost), 0);
        assert_true(tp_replay_size(t) <= 16);
    }
    assert_int_equal(tp_replay_evictions(t), 1000 - 16);
    /* The busy sender's window survived: its numbers are still replays. */
    assert_int_equal(check(t, 1, 1002, &lost), 1);
    /* Recent senders are all still found. */
    for (uint64_t sender = 1000 - 14; sender <= 1000; sender++) {
        assert_int_equal(check(t, sender, 2, &lost), 1);
    }
    tp_replay_free(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_order_and_duplicates),
        cmocka_unit_test(test_gaps_counted_and_filled),
        cmocka_unit_test(test_new_sender_is_not_a_replay),
        cmocka_unit_test(test_bounded_with_eviction),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
