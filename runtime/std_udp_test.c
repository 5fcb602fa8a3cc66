/* std::io::udp over loopback: sources, truncation, receive timeouts (the -2 sentinel and the
 * "timeout" error), a receive that parks while another coroutine on the same pool runs, and
 * option round trips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include "scheduler.h"
#include "std_udp.h"
#include "str.h"

static hale_str S(const char *s) {
    return (hale_str){s, (int64_t)strlen(s)};
}

static void test_datagrams(void **state) {
    (void)state;
    hale_region *r = hale_region_new(NULL, "u");
    hale_io_error e;
    int64_t rx, tx;
    assert_true(hale_udp_bind(S("127.0.0.1"), 0, &rx, &e));
    assert_true(hale_udp_bind(S(""), 0, &tx, &e));
    int64_t port = hale_udp_local_port(rx);
    assert_true(hale_udp_send(tx, S("127.0.0.1"), port, S("hello"), NULL, &e));
    hale_bytes b;
    assert_true(hale_udp_recv_with_source(r, rx, 64, &b, &e));
    assert_int_equal(b.len, 5);
    assert_true(hale_str_eq(hale_udp_last_source_host(), S("127.0.0.1")));
    assert_int_equal(hale_udp_last_source_port(), hale_udp_local_port(tx));
    assert_true(hale_udp_send(tx, S("localhost"), port, S("0123456789"), NULL, &e));
    hale_bytes_builder bb;
    hale_bytes_builder_init(&bb, r, 0);
    assert_int_equal(hale_udp_recv_into(rx, &bb, 4), 4); /* cut at max */
    assert_true(hale_udp_set_recv_timeout(rx, 20000000, NULL, &e));
    assert_int_equal(hale_udp_recv_into(rx, &bb, 64), -2);
    assert_false(hale_udp_recv_with_source(r, rx, 64, &b, &e));
    assert_string_equal(e.kind, "timeout");
    assert_true(hale_str_eq(hale_udp_last_source_host(), S("0.0.0.0")));
    int64_t v;
    assert_true(hale_udp_set_multicast_ttl(tx, 9, NULL, &e));
    assert_true(hale_udp_get_option_int(tx, IPPROTO_IP, hale_sockopt_IP_MULTICAST_TTL(), &v, &e));
    assert_int_equal(v, 9);
    assert_false(hale_udp_set_multicast_ttl(tx, 256, NULL, &e));
    assert_false(hale_udp_join_group(rx, S("10.1.2.3"), S(""), NULL, &e));
    assert_true(hale_udp_join_group(rx, S("239.1.2.3"), S(""), NULL, &e));
    assert_true(hale_udp_leave_group(rx, S("239.1.2.3"), S(""), NULL, &e));
    assert_false(hale_udp_bind(S("no.such.host.invalid"), 0, &v, &e));
    assert_string_equal(e.kind, "invalid");
    assert_int_equal(hale_sockopt("NOT_AN_OPTION"), -1);
    assert_int_equal(hale_udp_close(rx), 0);
    assert_int_equal(hale_udp_close(rx), -1);
    assert_false(hale_udp_send(rx, S("127.0.0.1"), port, S("x"), NULL, &e));
    hale_udp_close(tx);
    hale_region_free(r);
}

static int64_t ufd, ticks, got_len = -1;

static void receiver(void *arg) {
    (void)arg;
    hale_region *r = hale_region_new(NULL, "co");
    hale_bytes b;
    hale_io_error e;
    if (hale_udp_recv(r, ufd, 64, &b, &e)) {
        got_len = b.len;
    }
    hale_region_free(r);
}

static void sender(void *arg) {
    (void)arg;
    for (int i = 0; i < 3; i++) {
        hale_sleep(10000000);
        ticks++; /* runs while the receiver is parked */
    }
    int64_t tx;
    hale_io_error e;
    hale_udp_bind(S("127.0.0.1"), 0, &tx, &e);
    hale_udp_send(tx, S("127.0.0.1"), hale_udp_local_port(ufd), S("late"), NULL, &e);
    hale_udp_close(tx);
}

static void test_receive_parks(void **state) {
    (void)state;
    hale_io_error e;
    assert_true(hale_udp_bind(S("127.0.0.1"), 0, &ufd, &e));
    hale_sched_init(NULL);
    hale_spawn(hale_pool_main(), receiver, NULL, NULL);
    hale_spawn(hale_pool_main(), sender, NULL, NULL);
    hale_sched_run();
    hale_sched_shutdown();
    assert_int_equal(ticks, 3);
    assert_int_equal(got_len, 4);
    hale_udp_close(ufd);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_datagrams),
        cmocka_unit_test(test_receive_parks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
