/* Restart strategies, restart types, intensity and backoff of `hale serve`, with real children
 * that exit 0, exit 1 and die by a signal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "harness.h"

#define FAST "backoff = \"20ms\"\nmax_backoff = \"20ms\"\nmax_restarts = 50\nwithin = \"60s\"\n"

static void test_one_for_one(void **state) {
    (void)state;
    sr r;
    sr_start(&r, "one_for_one",
             "[serve]\nname = \"t\"\nstrategy = \"one_for_one\"\n" FAST
             "[[serve.process]]\nname = \"crash\"\nexec = [\"@CHILD@\", \"--after\", \"30\", "
             "\"--exit\", \"1\"]\n"
             "[[serve.process]]\nname = \"steady\"\nexec = [\"@CHILD@\"]\n",
             NULL);
    SR_CHECK(&r, sr_wait_events(&r, "start", "crash-0", 4));
    SR_CHECK(&r, sr_wait_for(&r, "crash-0 exited with status 1; restarting in 20ms (one_for_one)"));
    SR_CHECK(&r, sr_count_events(&r, "start", "steady-0") == 1);
    SR_CHECK(&r, sr_count_events(&r, "term", "steady-0") == 0);
    sr_finish(&r);
    SR_CHECK(&r, WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
}

static void test_restart_types(void **state) {
    (void)state;
    sr r;
    sr_start(&r, "types",
             "[serve]\nname = \"t\"\n" FAST
             "[[serve.process]]\nname = \"perm0\"\nrestart = \"permanent\"\n"
             "exec = [\"@CHILD@\", \"--after\", \"30\", \"--exit\", \"0\"]\n"
             "[[serve.process]]\nname = \"trans0\"\nrestart = \"transient\"\n"
             "exec = [\"@CHILD@\", \"--after\", \"30\", \"--exit\", \"0\"]\n"
             "[[serve.process]]\nname = \"trans1\"\nrestart = \"transient\"\n"
             "exec = [\"@CHILD@\", \"--after\", \"30\", \"--exit\", \"1\"]\n"
             "[[serve.process]]\nname = \"transsig\"\nrestart = \"transient\"\n"
             "exec = [\"@CHILD@\", \"--after\", \"30\", \"--signal\", \"9\"]\n"
             "[[serve.process]]\nname = \"temp1\"\nrestart = \"temporary\"\n"
             "exec = [\"@CHILD@\", \"--after\", \"30\", \"--exit\", \"1\"]\n"
             "[[serve.process]]\nname = \"tempsig\"\nrestart = \"temporary\"\n"
             "exec = [\"@CHILD@\", \"--after\", \"30\", \"--signal\", \"9\"]\n",
             NULL);
    SR_CHECK(&r, sr_wait_events(&r, "start", "perm0-0", 3));
    SR_CHECK(&r, sr_wait_events(&r, "start", "trans1-0", 3));
    SR_CHECK(&r, sr_wait_events(&r, "start", "transsig-0", 3));
    SR_CHECK(&r, sr_wait_for(&r, "transsig-0 was killed by signal 9 (SIGKILL); restarting"));
    SR_CHECK(&r, sr_wait_for(&r, "trans0-0 exited with status 0; not restarted (restart = "
                                 "\"transient\")"));
    SR_CHECK(&r, sr_wait_for(&r, "temp1-0 exited with status 1; not restarted (restart = "
                                 "\"temporary\")"));
    SR_CHECK(&r, sr_wait_for(&r, "tempsig-0 was killed by signal 9 (SIGKILL); not restarted"));
    SR_CHECK(&r, sr_count_events(&r, "start", "trans0-0") == 1);
    SR_CHECK(&r, sr_count_events(&r, "start", "temp1-0") == 1);
    SR_CHECK(&r, sr_count_events(&r, "start", "tempsig-0") == 1);
    char out[4096];
    SR_CHECK(&r, sr_ctl(&r, out, sizeof out, "status", NULL) == 0);
    SR_CHECK(&r, strstr(out, "trans0-0") && strstr(strstr(out, "trans0-0"), "state=exited"));
    SR_CHECK(&r, strstr(out, "temp1-0") && strstr(strstr(out, "temp1-0"), "state=failed"));
    sr_finish(&r);
}

/* b fails once; which of a, b, c start again depends on the strategy. */
static void run_strategy(const char *strategy, int a_starts, int c_starts) {
    char toml[2048];
    snprintf(toml, sizeof toml,
             "[serve]\nname = \"t\"\nstrategy = \"%s\"\n" FAST
             "[[serve.process]]\nname = \"a\"\nexec = [\"@CHILD@\"]\n"
             "[[serve.process]]\nname = \"b\"\n"
             "exec = [\"@CHILD@\", \"--after\", \"100\", \"--fail-once\", \"@DIR@/b-failed\"]\n"
             "[[serve.process]]\nname = \"c\"\nexec = [\"@CHILD@\"]\n",
             strategy);
    sr r;
    sr_start(&r, strategy, toml, NULL);
    SR_CHECK(&r, sr_wait_events(&r, "start", "b-0", 2));
    SR_CHECK(&r, sr_wait_events(&r, "start", "c-0", c_starts));
    SR_CHECK(&r, sr_wait_events(&r, "start", "a-0", a_starts));
    /* Let anything that should not happen have its chance: b is up again, all is quiet. */
    SR_CHECK(&r, sr_wait_for(&r, "all 3 instances of t are up"));
    sr_pump(&r, 200);
    SR_CHECK(&r, sr_count_events(&r, "start", "a-0") == a_starts);
    SR_CHECK(&r, sr_count_events(&r, "start", "c-0") == c_starts);
    SR_CHECK(&r, sr_count_events(&r, "start", "b-0") == 2);
    if (a_starts == 2) {
        /* Taken down last-started first: c before a. */
        sr_event ev[64];
        size_t n = sr_events(&r, ev, 64);
        int c_term = -1, a_term = -1;
        for (size_t i = 0; i < n; i++) {
            if (strcmp(ev[i].event, "term") == 0) {
                if (strcmp(ev[i].inst, "c-0") == 0 && c_term < 0) {
                    c_term = (int)i;
                }
                if (strcmp(ev[i].inst, "a-0") == 0 && a_term < 0) {
                    a_term = (int)i;
                }
            }
        }
        SR_CHECK(&r, c_term >= 0 && a_term > c_term);
    }
    sr_finish(&r);
}

static void test_one_for_all(void **state) {
    (void)state;
    run_strategy("one_for_all", 2, 2);
}

static void test_rest_for_one(void **state) {
    (void)state;
    run_strategy("rest_for_one", 1, 2);
}

static void test_one_for_all_spares_temporary(void **state) {
    (void)state;
    sr r;
    sr_start(&r, "one_for_all_temporary",
             "[serve]\nname = \"t\"\nstrategy = \"one_for_all\"\n" FAST
             "[[serve.process]]\nname = \"job\"\nrestart = \"temporary\"\nexec = [\"@CHILD@\"]\n"
             "[[serve.process]]\nname = \"b\"\n"
             "exec = [\"@CHILD@\", \"--after\", \"100\", \"--fail-once\", \"@DIR@/b-failed\"]\n",
             NULL);
    SR_CHECK(&r, sr_wait_events(&r, "start", "b-0", 2));
    SR_CHECK(&r, sr_wait_for(&r, "job-0 stopped by a one_for_all restart (exited with status 0); "
                                 "not restarted (restart = \"temporary\")"));
    SR_CHECK(&r, sr_count_events(&r, "term", "job-0") == 1);
    SR_CHECK(&r, sr_count_events(&r, "start", "job-0") == 1);
    char out[2048];
    SR_CHECK(&r, sr_ctl(&r, out, sizeof out, "status", NULL) == 0);
    SR_CHECK(&r, strstr(out, "job-0") && strstr(strstr(out, "job-0"), "state=exited"));
    sr_finish(&r);
}

static void test_intensity_exceeded(void **state) {
    (void)state;
    sr r;
    sr_start(&r, "intensity",
             "[serve]\nname = \"t\"\nmax_restarts = 2\nwithin = \"10s\"\nbackoff = \"10ms\"\n"
             "[[serve.process]]\nname = \"steady\"\nexec = [\"@CHILD@\"]\n"
             "[[serve.process]]\nname = \"crash\"\nafter = [\"steady\"]\n"
             "exec = [\"@CHILD@\", \"--after\", \"20\", \"--exit\", \"3\"]\n",
             NULL);
    SR_CHECK(&r, sr_wait_exit(&r, SR_WAIT_MS));
    SR_CHECK(&r, WIFEXITED(r.status) && WEXITSTATUS(r.status) == 1);
    SR_CHECK(&r, sr_count(&r, "giving up: crash-0 exited with status 3; that is more than "
                              "max_restarts = 2 restarts within 10s") == 1);
    SR_CHECK(&r, sr_count(&r, "exiting with status 1: crash-0 exited with status 3") == 1);
    SR_CHECK(&r, sr_count_events(&r, "start", "crash-0") == 3);
    SR_CHECK(&r, sr_count_events(&r, "term", "steady-0") == 1);
    sr_finish(&r);

    sr_start(&r, "intensity-signal",
             "[serve]\nname = \"t\"\nmax_restarts = 1\nbackoff = \"10ms\"\n"
             "[[serve.process]]\nname = \"crash\"\n"
             "exec = [\"@CHILD@\", \"--after\", \"20\", \"--signal\", \"9\"]\n",
             NULL);
    SR_CHECK(&r, sr_wait_exit(&r, SR_WAIT_MS));
    SR_CHECK(&r, WIFEXITED(r.status) && WEXITSTATUS(r.status) == 1);
    SR_CHECK(&r, sr_count(&r, "exiting with status 1: crash-0 was killed by signal 9 (SIGKILL)"));
    sr_finish(&r);
}

static void test_backoff_grows(void **state) {
    (void)state;
    sr r;
    sr_start(&r, "backoff",
             "[serve]\nname = \"t\"\nbackoff = \"40ms\"\nmax_backoff = \"10s\"\n"
             "max_restarts = 20\nwithin = \"60s\"\n"
             "[[serve.process]]\nname = \"crash\"\n"
             "exec = [\"@CHILD@\", \"--after\", \"0\", \"--exit\", \"1\"]\n",
             NULL);
    SR_CHECK(&r, sr_wait_events(&r, "start", "crash-0", 5));
    const char *delays[] = {"restarting in 40ms", "restarting in 80ms", "restarting in 160ms",
                            "restarting in 320ms"};
    const char *at = r.all.p;
    for (int i = 0; i < 4; i++) {
        at = at ? strstr(at, delays[i]) : NULL;
        SR_CHECK(&r, at != NULL); /* in this order */
    }
    sr_event ev[64];
    size_t n = sr_events(&r, ev, 64);
    long long prev_start = -1, min_gap_ms = 40;
    int starts = 0;
    for (size_t i = 0; i < n && starts < 5; i++) {
        if (strcmp(ev[i].event, "start") != 0) {
            continue;
        }
        if (prev_start >= 0) {
            long long gap = ev[i].ns - prev_start;
            /* Never sooner than the backoff. (That the backoff grows is checked on the announced
             * delays above; observed gaps also carry scheduling noise, so they are not compared
             * with each other.) */
            SR_CHECK(&r, gap >= min_gap_ms * 1000000LL);
            min_gap_ms *= 2;
        }
        prev_start = ev[i].ns;
        starts++;
    }
    sr_finish(&r);
}

int main(int argc, char **argv) {
    sr_init(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_for_one),
        cmocka_unit_test(test_restart_types),
        cmocka_unit_test(test_one_for_all),
        cmocka_unit_test(test_rest_for_one),
        cmocka_unit_test(test_one_for_all_spares_temporary),
        cmocka_unit_test(test_intensity_exceeded),
        cmocka_unit_test(test_backoff_grows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
