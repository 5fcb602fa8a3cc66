/* serve's /metrics against what its children did: restarts counted by every reason (exit,
 * signal, watchdog, ready_timeout, strategy, manual), the last exit as a shell shows it, the
 * intensity window, readiness and pids, scraped over loopback while serve runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "harness.h"
#include "test_http.h"

#define FAST "backoff = \"20ms\"\nmax_backoff = \"20ms\"\nmax_restarts = 50\nwithin = \"60s\"\n"

static char page[1 << 17];

/* GET /metrics from the address serve announced. */
static const char *scrape(sr *r) {
    const char *at = strstr(r->err.p, "hale serve: metrics on http://");
    SR_CHECK(r, at != NULL);
    char addr[64];
    SR_CHECK(r, sscanf(at + 30, "%63[^/]", addr) == 1);
    SR_CHECK(
        r, test_http(test_http_port(addr), "GET /metrics HTTP/1.1\r\n\r\n", page, sizeof page) > 0);
    SR_CHECK(r, strncmp(page, "HTTP/1.1 200 OK\r\n", 17) == 0);
    return test_http_body(page);
}

/* The value of the series (exactly as written, labels in serve's order), or -999. */
static long long value(const char *text, const char *series) {
    size_t n = strlen(series);
    for (const char *p = text; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (strncmp(p, series, n) == 0 && p[n] == ' ') {
            return atoll(p + n + 1);
        }
    }
    return -999;
}

static long long inst(const char *text, const char *family, const char *name, const char *proc,
                      const char *reason) {
    char series[256];
    if (reason) {
        snprintf(series, sizeof series, "%s{name=\"%s\",process=\"%s\",reason=\"%s\"}", family,
                 name, proc, reason);
    } else {
        snprintf(series, sizeof series, "%s{name=\"%s\",process=\"%s\"}", family, name, proc);
    }
    return value(text, series);
}

static const char *const reasons[] = {"exit",          "signal",   "watchdog",
                                      "ready_timeout", "strategy", "manual"};

/* restarts_total and each reason's count; they must add up. */
static long long restarts(sr *r, const char *text, const char *name, const char *proc,
                          long long by[6]) {
    long long total = inst(text, "hale_serve_instance_restarts_total", name, proc, NULL);
    long long sum = 0;
    for (int i = 0; i < 6; i++) {
        by[i] = inst(text, "hale_serve_instance_restarts_by_reason_total", name, proc, reasons[i]);
        SR_CHECK(r, by[i] >= 0);
        sum += by[i];
    }
    SR_CHECK(r, sum == total);
    return total;
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void test_reasons(void **state) {
    (void)state;
    sr r;
    sr_start(&r, "metrics_reasons",
             "[serve]\nname = \"m\"\nmetrics = \"127.0.0.1:0\"\nbackoff = \"200ms\"\n"
             "max_backoff = \"200ms\"\nmax_restarts = 63\nwithin = \"60s\"\n"
             "[[serve.process]]\nname = \"quits\"\n"
             "exec = [\"@CHILD@\", \"--after\", \"30\", \"--fail-once\", "
             "\"@DIR@/q\"]\n"
             "[[serve.process]]\nname = \"killed\"\n"
             "exec = [\"@CHILD@\", \"--after\", \"30\", \"--signal\", \"9\", \"--fail-once\", "
             "\"@DIR@/k\"]\n"
             "[[serve.process]]\nname = \"dog\"\nwatchdog = \"500ms\"\n"
             "exec = [\"@CHILD@\", \"--watchdog\", \"--watchdog-for\", \"100\"]\n"
             "[[serve.process]]\nname = \"slow\"\nready = \"notify\"\nready_timeout = \"400ms\"\n"
             "exec = [\"@CHILD@\"]\n"
             "[[serve.process]]\nname = \"steady\"\nready = \"notify\"\n"
             "exec = [\"@CHILD@\", \"--ready\"]\n",
             NULL);
    SR_CHECK(&r, sr_wait_events(&r, "start", "quits-0", 2));
    SR_CHECK(&r, sr_wait_events(&r, "start", "killed-0", 2));
    SR_CHECK(&r, sr_wait_events(&r, "start", "dog-0", 2));
    SR_CHECK(&r, sr_wait_events(&r, "start", "slow-0", 2));
    SR_CHECK(&r, sr_wait_for(&r, "steady-0 ready"));
    char out[4096];
    SR_CHECK(&r, sr_ctl(&r, out, sizeof out, "restart", "steady", NULL) == 0);
    SR_CHECK(&r, sr_wait_events(&r, "start", "steady-0", 2));
    SR_CHECK(&r, sr_wait_count(&r, "steady-0 ready", 2));
    sr_pump(&r, 50);

    const char *m = scrape(&r);
    long long by[6];
    /* exited 1 once (--fail-once), then runs on */
    SR_CHECK(&r, restarts(&r, m, "quits-0", "quits", by) == 1 && by[0] == 1);
    SR_CHECK(&r, inst(m, "hale_serve_instance_last_exit_status", "quits-0", "quits", NULL) == 1);
    SR_CHECK(&r, inst(m, "hale_serve_instance_last_exit_signal", "quits-0", "quits", NULL) == 0);
    /* killed itself with SIGKILL once: a signal serve did not send */
    SR_CHECK(&r, restarts(&r, m, "killed-0", "killed", by) == 1 && by[1] == 1);
    SR_CHECK(&r,
             inst(m, "hale_serve_instance_last_exit_status", "killed-0", "killed", NULL) == 137);
    SR_CHECK(&r, inst(m, "hale_serve_instance_last_exit_signal", "killed-0", "killed", NULL) == 9);
    /* stops pinging after 100 ms each time: serve kills it with SIGKILL, but the reason is the
     * watchdog, not the signal */
    long long dog = restarts(&r, m, "dog-0", "dog", by);
    SR_CHECK(&r, dog >= 1 && by[2] == dog);
    /* never says READY=1: stopped (SIGTERM, it exits 0) after 400 ms each time */
    long long slow = restarts(&r, m, "slow-0", "slow", by);
    SR_CHECK(&r, slow >= 1 && by[3] == slow);
    SR_CHECK(&r, inst(m, "hale_serve_instance_ready", "slow-0", "slow", NULL) == 0);
    /* hale ctl restart */
    SR_CHECK(&r, restarts(&r, m, "steady-0", "steady", by) == 1 && by[5] == 1);
    SR_CHECK(&r, inst(m, "hale_serve_instance_last_exit_status", "steady-0", "steady", NULL) == 0);
    SR_CHECK(&r, inst(m, "hale_serve_instance_ready", "steady-0", "steady", NULL) == 1);
    SR_CHECK(&r, inst(m, "hale_serve_instance_up", "steady-0", "steady", NULL) == 1);
    SR_CHECK(&r, inst(m, "hale_serve_instance_pid", "steady-0", "steady", NULL) ==
                     sr_last_pid(&r, "steady-0"));
    SR_CHECK(&r, inst(m, "hale_serve_instance_pid", "quits-0", "quits", NULL) ==
                     sr_last_pid(&r, "quits-0"));
    /* the intensity window holds the failures (not the manual restart) */
    SR_CHECK(&r, value(m, "hale_serve_restarts_in_window{deployment=\"m\"}") == 2 + dog + slow);
    SR_CHECK(&r, value(m, "hale_serve_max_restarts{deployment=\"m\"}") == 63);
    SR_CHECK(&r, value(m, "hale_serve_instances{deployment=\"m\"}") == 5);
    sr_finish(&r);
}

static void test_strategy(void **state) {
    (void)state;
    sr r;
    sr_start(&r, "metrics_strategy",
             "[serve]\nname = \"s\"\nstrategy = \"one_for_all\"\nmetrics = \"127.0.0.1:0\"\n" FAST
             "[[serve.process]]\nname = \"a\"\nexec = [\"@CHILD@\"]\n"
             "[[serve.process]]\nname = \"b\"\n"
             "exec = [\"@CHILD@\", \"--after\", \"100\", \"--fail-once\", \"@DIR@/b-failed\"]\n",
             NULL);
    SR_CHECK(&r, sr_wait_events(&r, "start", "a-0", 2));
    SR_CHECK(&r, sr_wait_events(&r, "start", "b-0", 2));
    sr_pump(&r, 200);
    long long by[6];
    const char *m = scrape(&r);
    SR_CHECK(&r, restarts(&r, m, "b-0", "b", by) == 1 && by[0] == 1);
    SR_CHECK(&r, restarts(&r, m, "a-0", "a", by) == 1 && by[4] == 1);
    SR_CHECK(&r, inst(m, "hale_serve_instance_last_exit_status", "a-0", "a", NULL) == 0);
    SR_CHECK(&r, value(m, "hale_serve_restarts_in_window{deployment=\"s\"}") == 1);
    /* uptime is since the process started: it grows between two scrapes */
    char series[] = "hale_serve_instance_uptime_seconds{name=\"a-0\",process=\"a\"}";
    const char *line = strstr(m, series);
    SR_CHECK(&r, line != NULL);
    double up1 = atof(line + sizeof series);
    sleep_ms(300);
    m = scrape(&r);
    line = strstr(m, series);
    SR_CHECK(&r, line != NULL && atof(line + sizeof series) >= up1 + 0.25);
    sr_finish(&r);
}

int main(int argc, char **argv) {
    sr_init(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reasons),
        cmocka_unit_test(test_strategy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
