/* Readiness, watchdog and stopping: a child that never sends READY=1, one that waits for a
 * signal from the test before it does, one that stops its watchdog pings, one that ignores
 * SIGTERM, and the reverse order of a drain. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "harness.h"

#define FAST "backoff = \"20ms\"\nmax_backoff = \"20ms\"\nmax_restarts = 50\nwithin = \"60s\"\n"

static void test_ready_timeout(void **state) {
    (void)state;
    sr r;
    sr_start(&r, "ready-timeout",
             "[serve]\nname = \"t\"\n" FAST
             "[[serve.process]]\nname = \"mute\"\nready = \"notify\"\nready_timeout = \"300ms\"\n"
             "exec = [\"@CHILD@\"]\n"
             "[[serve.process]]\nname = \"dep\"\nafter = [\"mute\"]\nexec = [\"@CHILD@\"]\n",
             NULL);
    SR_CHECK(&r, sr_wait_for(&r, "mute-0 did not report READY=1 within 300ms; stopping it"));
    SR_CHECK(&r, sr_wait_for(&r, "mute-0 exited with status 0 after it did not report READY=1 "
                                 "within 300ms; restarting in 20ms"));
    SR_CHECK(&r, sr_wait_events(&r, "start", "mute-0", 2));
    SR_CHECK(&r, sr_count_events(&r, "term", "mute-0") >= 1);
    SR_CHECK(&r, sr_count_events(&r, "start", "dep-0") == 0); /* never ready: dep waits */
    char out[2048];
    SR_CHECK(&r, sr_ctl(&r, out, sizeof out, "status", NULL) == 0);
    SR_CHECK(&r, strstr(out, "dep-0") && strstr(strstr(out, "dep-0"), "state=waiting"));
    sr_finish(&r);
}

static void test_ready_orders_dependents(void **state) {
    (void)state;
    sr r;
    sr_start(&r, "ready-order",
             "[serve]\nname = \"t\"\n"
             "[[serve.process]]\nname = \"api\"\nafter = [\"db\"]\nexec = [\"@CHILD@\"]\n"
             "[[serve.process]]\nname = \"db\"\nready = \"notify\"\n"
             "exec = [\"@CHILD@\", \"--ready-file\", \"@DIR@/go\", \"--status\", \"warming\"]\n",
             NULL);
    SR_CHECK(&r, sr_wait_events(&r, "start", "db-0", 1));
    char out[2048], go[700];
    SR_CHECK(&r, sr_ctl(&r, out, sizeof out, "status", NULL) == 0);
    SR_CHECK(&r, strstr(out, "db-0") && strstr(strstr(out, "db-0"), "state=starting"));
    SR_CHECK(&r, strstr(out, "api-0") && strstr(strstr(out, "api-0"), "state=waiting"));
    /* db is listed first: start order follows `after`, not the file. */
    SR_CHECK(&r, strstr(out, "db-0") < strstr(out, "api-0"));
    SR_CHECK(&r, sr_count_events(&r, "start", "api-0") == 0);
    snprintf(go, sizeof go, "%s/go", r.dir);
    FILE *f = fopen(go, "w");
    assert_non_null(f);
    fclose(f);
    SR_CHECK(&r, sr_wait_events(&r, "start", "api-0", 1));
    SR_CHECK(&r, sr_wait_for(&r, "db-0 ready"));
    sr_event ev[32];
    size_t n = sr_events(&r, ev, 32);
    long long ready_ns = 0, api_ns = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(ev[i].event, "ready") == 0) {
            ready_ns = ev[i].ns;
        }
        if (strcmp(ev[i].event, "start") == 0 && strcmp(ev[i].inst, "api-0") == 0) {
            api_ns = ev[i].ns;
        }
    }
    SR_CHECK(&r, ready_ns > 0 && api_ns > ready_ns);
    SR_CHECK(&r, sr_ctl(&r, out, sizeof out, "status", NULL) == 0);
    SR_CHECK(&r, strstr(out, "state=ready") && strstr(out, "\"warming\""));
    sr_finish(&r);
}

static void test_watchdog(void **state) {
    (void)state;
    sr r;
    sr_start(&r, "watchdog",
             "[serve]\nname = \"t\"\n" FAST
             "[[serve.process]]\nname = \"good\"\nwatchdog = \"300ms\"\n"
             "exec = [\"@CHILD@\", \"--watchdog\"]\n"
             "[[serve.process]]\nname = \"wedged\"\nready = \"notify\"\nwatchdog = \"300ms\"\n"
             "exec = [\"@CHILD@\", \"--ready\", \"--watchdog\", \"--watchdog-for\", \"500\"]\n",
             NULL);
    SR_CHECK(&r, sr_wait_for(&r, "wedged-0 missed its watchdog (no WATCHDOG=1 within 300ms); "
                                 "killing it"));
    SR_CHECK(&r, sr_wait_for(&r, "wedged-0 was killed by signal 9 (SIGKILL) after it missed its "
                                 "watchdog"));
    SR_CHECK(&r, sr_wait_events(&r, "start", "wedged-0", 2));
    SR_CHECK(&r, sr_wait_events(&r, "ready", "wedged-0", 2));
    SR_CHECK(&r, sr_count(&r, "good-0 missed") == 0);
    SR_CHECK(&r, sr_count_events(&r, "start", "good-0") == 1);
    sr_finish(&r);
}

static void test_stubborn_child_is_killed(void **state) {
    (void)state;
    sr r;
    sr_start(&r, "stubborn",
             "[serve]\nname = \"t\"\n"
             "[[serve.process]]\nname = \"plain\"\nexec = [\"@CHILD@\"]\n"
             "[[serve.process]]\nname = \"stubborn\"\nstop_timeout = \"300ms\"\n"
             "exec = [\"@CHILD@\", \"--ignore-term\"]\n",
             NULL);
    /* Recorded once its signal disposition is set (ready = "started" cannot know that). */
    SR_CHECK(&r, sr_wait_events(&r, "start", "stubborn-0", 1));
    SR_CHECK(&r, sr_wait_events(&r, "start", "plain-0", 1));
    sr_signal(&r, SIGTERM);
    SR_CHECK(&r, sr_wait_exit(&r, SR_WAIT_MS));
    SR_CHECK(&r, WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    SR_CHECK(&r, sr_count(&r, "stubborn-0 did not stop within 300ms; killing it") == 1);
    SR_CHECK(&r, sr_count(&r, "stubborn-0 stopped (was killed by signal 9 (SIGKILL))") == 1);
    SR_CHECK(&r, sr_count_events(&r, "term", "stubborn-0") == 0);
    SR_CHECK(&r, sr_count_events(&r, "term", "plain-0") == 1);
    sr_finish(&r);
}

static void test_drain_in_reverse_order(void **state) {
    (void)state;
    sr r;
    sr_start(&r, "drain",
             "[serve]\nname = \"t\"\n"
             "[[serve.process]]\nname = \"c\"\nafter = [\"b\"]\nexec = [\"@CHILD@\"]\n"
             "[[serve.process]]\nname = \"a\"\nexec = [\"@CHILD@\"]\n"
             "[[serve.process]]\nname = \"b\"\nafter = [\"a\"]\nreplicas = 2\n"
             "exec = [\"@CHILD@\"]\n",
             NULL);
    SR_CHECK(&r, sr_wait_events(&r, "start", NULL, 4));
    sr_signal(&r, SIGINT);
    SR_CHECK(&r, sr_wait_exit(&r, SR_WAIT_MS));
    SR_CHECK(&r, WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    sr_event ev[32];
    size_t n = sr_events(&r, ev, 32);
    const char *want[] = {"c-0", "b-1", "b-0", "a-0"};
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(ev[i].event, "term") == 0) {
            SR_CHECK(&r, k < 4 && strcmp(ev[i].inst, want[k]) == 0);
            k++;
        }
    }
    SR_CHECK(&r, k == 4);
    sr_finish(&r);
}

int main(int argc, char **argv) {
    sr_init(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ready_timeout),
        cmocka_unit_test(test_ready_orders_dependents),
        cmocka_unit_test(test_watchdog),
        cmocka_unit_test(test_stubborn_child_is_killed),
        cmocka_unit_test(test_drain_in_reverse_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
