#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "spawn.h"

static char out[4096];

/* Runs argv with envp in /tmp, its stdout and stderr into `out`; returns the wait status. */
static int run(char *const *argv, char **envp, pid_t *pid_out) {
    int p[2];
    assert_int_equal(pipe2(p, O_CLOEXEC), 0);
    sv_spawn_req r = {argv, envp, "/tmp", p[1], p[1]};
    pid_t pid = sv_spawn(&r);
    assert_true(pid > 0);
    close(p[1]);
    size_t len = 0;
    ssize_t n;
    while ((n = read(p[0], out + len, sizeof out - 1 - len)) > 0) {
        len += (size_t)n;
    }
    out[len] = '\0';
    close(p[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (pid_out) {
        *pid_out = pid;
    }
    return status;
}

static void test_environment_group_and_dir(void **state) {
    (void)state;
    char slot[64];
    snprintf(slot, sizeof slot, "WATCHDOG_PID=%-23s", "");
    char *envp[] = {"GREETING=hi", slot, "PATH=/usr/bin:/bin", NULL};
    char *argv[] = {"sh", "-c",
                    "echo \"$GREETING $WATCHDOG_PID $$ $(ps -o pgid= -p $$ | tr -d ' ') $(pwd)\"; "
                    "read x; echo \"stdin:$x.\"; echo err >&2; exit 7",
                    NULL};
    pid_t pid;
    int status = run(argv, envp, &pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 7);
    char want[256];
    snprintf(want, sizeof want, "hi %d %d %d /tmp\nstdin:.\nerr\n", (int)pid, (int)pid, (int)pid);
    assert_string_equal(out, want);
    assert_int_equal(strncmp(slot, "WATCHDOG_PID=   ", 16), 0); /* the parent keeps its copy */
}

static void test_exec_failure(void **state) {
    (void)state;
    char *envp[] = {NULL};
    char *argv[] = {"/nonexistent/program", NULL};
    int status = run(argv, envp, NULL);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 127);
    assert_string_equal(out, "hale serve: cannot run /nonexistent/program: No such file or "
                             "directory\n");
}

/* The child of a process that dies is killed with it (PR_SET_PDEATHSIG). */
static void test_dies_with_parent(void **state) {
    (void)state;
    assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t middle = fork();
    if (middle == 0) {
        char *envp[] = {NULL};
        char *argv[] = {"/bin/sleep", "60", NULL};
        sv_spawn_req r = {argv, envp, "/", 1, 2};
        pid_t pid = sv_spawn(&r);
        ssize_t w = write(p[1], &pid, sizeof pid);
        (void)w;
        struct timespec ts = {0, 100 * 1000000};
        nanosleep(&ts, NULL); /* let it exec */
        _exit(0);
    }
    close(p[1]);
    pid_t child = 0;
    assert_int_equal(read(p[0], &child, sizeof child), (ssize_t)sizeof child);
    close(p[0]);
    assert_int_equal(waitpid(middle, NULL, 0), middle);
    int status = 0;
    /* Orphaned to us (the subreaper), already killed. */
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_environment_group_and_dir),
        cmocka_unit_test(test_exec_failure),
        cmocka_unit_test(test_dies_with_parent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
