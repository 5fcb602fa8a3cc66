/* `hale serve` running a real compiled Hale program: a `program = "app.hl"` entry that serve
 * builds, with `ready = "notify"` and a watchdog. The program reports READY once its main
 * locus is born, feeds the watchdog from its main loop, is restarted after kill -9, and on
 * SIGTERM drains its locus tree (children first) and dissolves it before exiting 0. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

static const char app_hl[] = "// A long-running program for tests/serve/hale_program_test.c.\n"
                             "locus Store {\n"
                             "    drain() { println(\"store: drain\"); }\n"
                             "    dissolve() { println(\"store: dissolve\"); }\n"
                             "}\n"
                             "main locus App {\n"
                             "    params { store: Store = Store { }; }\n"
                             "    birth() { println(\"app: pid \", std::process::pid()); }\n"
                             "    run() {\n"
                             "        while true {\n"
                             "            std::time::sleep(20ms);\n"
                             "        }\n"
                             "    }\n"
                             "    drain() { println(\"app: drain\"); }\n"
                             "    dissolve() { println(\"app: dissolve\"); }\n"
                             "}\n"
                             "fn main() {\n"
                             "    App { };\n"
                             "}\n";

/* The pid the latest incarnation printed ("app: pid N"), or 0. */
static int last_pid(const sr *r) {
    const char *p = r->all.p, *found = NULL;
    const char *key = "app: pid ";
    while (p && (p = strstr(p, key))) {
        found = p;
        p += strlen(key);
    }
    return found ? atoi(found + strlen(key)) : 0;
}

static const char *find(const sr *r, const char *needle) {
    return r->all.p ? strstr(r->all.p, needle) : NULL;
}

static void test_hale_program_under_serve(void **state) {
    (void)state;
    sr r;
    sr_prepare(&r, "hale-program",
               "[serve]\nname = \"t\"\nbackoff = \"20ms\"\nmax_backoff = \"20ms\"\n"
               "max_restarts = 10\nwithin = \"60s\"\n"
               "[[serve.process]]\nname = \"app\"\nprogram = \"@DIR@/app.hl\"\n"
               "ready = \"notify\"\nready_timeout = \"120s\"\nwatchdog = \"2s\"\n");
    char path[700];
    snprintf(path, sizeof path, "%s/app.hl", r.dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(app_hl, f);
    fclose(f);
    sr_launch(&r, NULL);

    /* built, born, READY=1 */
    SR_CHECK(&r, sr_wait_for(&r, "app-0 ready"));
    SR_CHECK(&r, sr_wait_for(&r, "app: pid "));
    int pid = last_pid(&r);
    SR_CHECK(&r, pid > 0);

    /* the watchdog is fed from the program's loop: well past the deadline, nothing missed */
    sr_pump(&r, 3500);
    SR_CHECK(&r, sr_count(&r, "missed its watchdog") == 0);

    /* kill -9: restarted, and READY again from the new process */
    kill(pid, SIGKILL);
    SR_CHECK(&r, sr_wait_for(&r, "app-0 was killed by signal 9 (SIGKILL); restarting"));
    SR_CHECK(&r, sr_wait_count(&r, "app-0 ready", 2));
    SR_CHECK(&r, sr_wait_count(&r, "app: pid ", 2));
    SR_CHECK(&r, last_pid(&r) != pid && last_pid(&r) > 0);

    /* SIGTERM to serve: the program drains its tree, dissolves it and exits 0 */
    sr_signal(&r, SIGTERM);
    SR_CHECK(&r, sr_wait_exit(&r, SR_WAIT_MS));
    SR_CHECK(&r, WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    const char *sd = find(&r, "app-0 | store: drain"), *ad = find(&r, "app-0 | app: drain");
    const char *ss = find(&r, "app-0 | store: dissolve"), *as = find(&r, "app-0 | app: dissolve");
    SR_CHECK(&r, sd && ad && ss && as);
    SR_CHECK(&r, sd < ad && ad < ss && ss < as);
    SR_CHECK(&r, sr_count(&r, "app: drain") == 1 && sr_count(&r, "app: dissolve") == 1);
    SR_CHECK(&r, sr_wait_for(&r, "app-0 stopped (exited with status 0)"));
    sr_finish(&r);
}

int main(int argc, char **argv) {
    sr_init(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hale_program_under_serve),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
