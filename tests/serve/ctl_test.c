/* `hale ctl`, SIGHUP reloads, output forwarding and the environment serve gives its children. */
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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

/* The status line of `inst` in `out` (up to its newline), copied into line. */
static const char *status_of(const char *out, const char *inst, char *line, size_t n) {
    char key[80];
    snprintf(key, sizeof key, "%s ", inst);
    const char *at = strstr(out, key);
    if (!at) {
        return "";
    }
    size_t len = strcspn(at, "\n");
    snprintf(line, n, "%.*s", (int)len, at);
    return line;
}

static void test_status_restart_stop(void **state) {
    (void)state;
    sr r;
    sr_start(&r, "ctl",
             "[serve]\nname = \"t\"\n"
             "[[serve.process]]\nname = \"a\"\nreplicas = 2\nexec = [\"@CHILD@\"]\n"
             "[[serve.process]]\nname = \"b\"\nexec = [\"@CHILD@\"]\n",
             NULL);
    SR_CHECK(&r, sr_wait_events(&r, "start", NULL, 3));
    char out[4096], line[256], want[128];
    SR_CHECK(&r, sr_ctl(&r, out, sizeof out, "status", NULL) == 0);
    const char *names[] = {"a-0", "a-1", "b-0"};
    for (int i = 0; i < 3; i++) {
        snprintf(want, sizeof want, "pid=%d ", sr_last_pid(&r, names[i]));
        status_of(out, names[i], line, sizeof line);
        SR_CHECK(&r, strstr(line, want) && strstr(line, "state=ready") &&
                         strstr(line, "restarts=0") && strstr(line, "uptime="));
    }
    int a0 = sr_last_pid(&r, "a-0"), a1 = sr_last_pid(&r, "a-1");
    SR_CHECK(&r, sr_ctl(&r, out, sizeof out, "restart", "a-1", NULL) == 0);
    SR_CHECK(&r, strstr(out, "restarting 1 instance(s) of a-1"));
    SR_CHECK(&r, sr_wait_events(&r, "start", "a-1", 2));
    SR_CHECK(&r, sr_last_pid(&r, "a-1") != a1 && sr_last_pid(&r, "a-0") == a0);
    SR_CHECK(&r, sr_count_events(&r, "term", "a-1") == 1);
    SR_CHECK(&r, sr_ctl(&r, out, sizeof out, "restart", "a", NULL) == 0);
    SR_CHECK(&r, strstr(out, "restarting 2 instance(s) of a"));
    SR_CHECK(&r, sr_wait_events(&r, "start", "a-0", 2));
    SR_CHECK(&r, sr_wait_events(&r, "start", "a-1", 3));
    SR_CHECK(&r, sr_ctl(&r, out, sizeof out, "status", NULL) == 0);
    SR_CHECK(&r, strstr(status_of(out, "a-1", line, sizeof line), "restarts=2"));
    SR_CHECK(&r, strstr(status_of(out, "b-0", line, sizeof line), "restarts=0"));
    SR_CHECK(&r, sr_ctl(&r, out, sizeof out, "restart", "nope", NULL) == 1);
    SR_CHECK(&r, strstr(out, "error: no process or instance named 'nope'"));
    SR_CHECK(&r, sr_ctl(&r, out, sizeof out, "frobnicate", NULL) == 2);
    SR_CHECK(&r, sr_ctl(&r, out, sizeof out, "restart", NULL) == 2);
    SR_CHECK(&r, sr_ctl(&r, out, sizeof out, "stop", NULL) == 0);
    SR_CHECK(&r, strstr(out, "stopping t"));
    SR_CHECK(&r, sr_wait_exit(&r, SR_WAIT_MS));
    SR_CHECK(&r, WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    SR_CHECK(&r, sr_ctl(&r, out, sizeof out, "status", NULL) == 1);
    SR_CHECK(&r, strstr(out, "cannot reach hale serve"));
    sr_finish(&r);
}

static void test_control_socket_is_owner_only(void **state) {
    (void)state;
    sr r;
    sr_start(&r, "owner",
             "[serve]\nname = \"t\"\ncontrol = \"ctl.sock\"\n"
             "[[serve.process]]\nname = \"a\"\nexec = [\"@CHILD@\"]\n",
             NULL);
    SR_CHECK(&r, sr_wait_events(&r, "start", NULL, 1));
    char path[700];
    snprintf(path, sizeof path, "%s/ctl.sock", r.dir); /* relative to the file */
    SR_CHECK(&r, sr_wait_for(&r, path));
    struct stat st;
    SR_CHECK(&r, stat(path, &st) == 0 && S_ISSOCK(st.st_mode) && (st.st_mode & 0777) == 0600);
    if (geteuid() == 0) {
        /* Another user cannot connect at all. */
        pid_t pid = fork();
        if (pid == 0) {
            if (setgid(65534) != 0 || setuid(65534) != 0) {
                _exit(3);
            }
            int fd = socket(AF_UNIX, SOCK_STREAM, 0);
            struct sockaddr_un sa = {.sun_family = AF_UNIX};
            if (strlen(path) >= sizeof sa.sun_path) {
                _exit(4);
            }
            memcpy(sa.sun_path, path, strlen(path) + 1);
            _exit(connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0 ? 1
                  : errno == EACCES                                   ? 0
                                                                      : 2);
        }
        int status = 0;
        waitpid(pid, &status, 0);
        SR_CHECK(&r, WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    /* A second serve on the same control socket refuses to start and leaves the first alone. */
    char out[2048];
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open("/dev/null", 0);
        dup2(fd, 1);
        execl(sr_hale(), sr_hale(), "serve", r.file, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    SR_CHECK(&r, WIFEXITED(status) && WEXITSTATUS(status) == 1);
    SR_CHECK(&r, sr_ctl(&r, out, sizeof out, "status", NULL) == 0);
    SR_CHECK(&r, strstr(out, "a-0"));
    sr_finish(&r);
}

static void test_reload(void **state) {
    (void)state;
    sr r;
    sr_start(&r, "reload",
             "[serve]\nname = \"t\"\n"
             "[[serve.process]]\nname = \"keep\"\nexec = [\"@CHILD@\"]\n"
             "[[serve.process]]\nname = \"change\"\nexec = [\"@CHILD@\", \"--print\", \"v1\"]\n"
             "[[serve.process]]\nname = \"gone\"\nexec = [\"@CHILD@\"]\n",
             NULL);
    SR_CHECK(&r, sr_wait_events(&r, "start", NULL, 3));
    int keep = sr_last_pid(&r, "keep-0");
    sr_write_config(&r, "[serve]\nname = \"t\"\n"
                        "[[serve.process]]\nname = \"new\"\nexec = [\"@CHILD@\"]\n"
                        "[[serve.process]]\nname = \"keep\"\nexec = [\"@CHILD@\"]\n"
                        "[[serve.process]]\nname = \"change\"\n"
                        "exec = [\"@CHILD@\", \"--print\", \"v2\"]\n");
    sr_signal(&r, SIGHUP);
    SR_CHECK(&r, sr_wait_for(&r, "1 unchanged, 1 changed, 1 added, 1 removed process(es)"));
    SR_CHECK(&r, sr_wait_for(&r, "change-0 | v2"));
    SR_CHECK(&r, sr_wait_events(&r, "start", "change-0", 2));
    SR_CHECK(&r, sr_wait_events(&r, "start", "new-0", 1));
    SR_CHECK(&r, sr_wait_events(&r, "term", "gone-0", 1));
    SR_CHECK(&r, sr_count_events(&r, "term", "change-0") == 1);
    SR_CHECK(&r, sr_count_events(&r, "start", "change-0") == 2);
    SR_CHECK(&r, sr_last_pid(&r, "keep-0") == keep && sr_count_events(&r, "start", "keep-0") == 1);
    /* A broken file is reported and changes nothing. */
    sr_write_config(&r, "[serve]\nname = \"t\"\n[[serve.process]]\nnmae = \"x\"\n");
    sr_signal(&r, SIGHUP);
    SR_CHECK(&r, sr_wait_for(&r, "reload failed, keeping the running configuration: "));
    SR_CHECK(&r, sr_wait_for(&r, "hale.toml:4: unknown key 'nmae' in [[serve.process]]; did "
                                 "you mean 'name'?"));
    char out[2048];
    SR_CHECK(&r, sr_ctl(&r, out, sizeof out, "status", NULL) == 0);
    SR_CHECK(&r, strstr(out, "keep-0") && strstr(out, "new-0") && strstr(out, "change-0") &&
                     !strstr(out, "gone-0"));
    sr_finish(&r);
}

static void test_output_and_environment(void **state) {
    (void)state;
    char big[5001];
    memset(big, 'x', 5000);
    big[5000] = '\0';
    char toml[8192];
    snprintf(toml, sizeof toml,
             "[serve]\nname = \"t\"\n"
             "[[serve.process]]\nname = \"talk\"\nrestart = \"temporary\"\n"
             "exec = [\"@CHILD@\", \"--print\", \"hello out\", \"--stderr\", \"hello err\", "
             "\"--print\", \"%s\", \"--partial\", \"no newline\", \"--after\", \"50\"]\n"
             "[[serve.process]]\nname = \"w\"\nreplicas = 2\nenv = { GREETING = \"hello\" }\n"
             "exec = [\"@CHILD@\", \"--env\"]\n",
             big);
    sr r;
    sr_start(&r, "output", toml, NULL);
    SR_CHECK(&r, sr_wait_for(&r, "talk-0 exited with status 0; not restarted"));
    SR_CHECK(&r, sr_wait_for(&r, "w-1 | HALE_INSTANCE=w-1 HALE_REPLICA=1 GREETING=hello\n"));
    SR_CHECK(&r, sr_wait_for(&r, "w-0 | HALE_INSTANCE=w-0 HALE_REPLICA=0 GREETING=hello\n"));
    SR_CHECK(&r, r.out.p && strstr(r.out.p, "talk-0 | hello out\n"));
    SR_CHECK(&r, r.err.p && strstr(r.err.p, "talk-0 | hello err\n"));
    SR_CHECK(&r, !strstr(r.out.p, "hello err") && !strstr(r.err.p, "hello out"));
    /* Output that ends without a newline is still forwarded as a line of its own ... */
    SR_CHECK(&r, strstr(r.out.p, "talk-0 | no newline\n"));
    /* ... and a line longer than the forwarder's limit arrives in prefixed pieces. */
    SR_CHECK(&r, strstr(r.out.p, "talk-0 | xxxxxxxxxx"));
    size_t xs = 0;
    for (const char *p = r.out.p; *p; p++) {
        xs += *p == 'x';
    }
    SR_CHECK(&r, xs == 5000 && sr_count(&r, "talk-0 | xxx") == 2);
    sr_finish(&r);
}

static void test_program_entries_are_built(void **state) {
    (void)state;
    sr r;
    sr_prepare(&r, "program",
               "[serve]\nname = \"t\"\n[[serve.process]]\nname = \"app\"\nprogram = \"app.hl\"\n");
    char src[700], want[800];
    snprintf(src, sizeof src, "%s/app.hl", r.dir);
    FILE *f = fopen(src, "w");
    assert_non_null(f);
    fputs("this is not a Hale program\n", f);
    fclose(f);
    sr_launch(&r, NULL);
    SR_CHECK(&r, sr_wait_exit(&r, SR_WAIT_MS));
    SR_CHECK(&r, WIFEXITED(r.status) && WEXITSTATUS(r.status) == 1);
    snprintf(want, sizeof want, "building app from %s", src);
    SR_CHECK(&r, sr_count(&r, want) == 1);
    snprintf(want, sizeof want, "cannot build app from %s: hale build exited with status", src);
    SR_CHECK(&r, sr_count(&r, want) == 1);
    sr_finish(&r);
}

static void test_check_and_usage(void **state) {
    (void)state;
    sr r;
    sr_prepare(&r, "check", "[serve]\n[[serve.process]]\nname = \"a\"\nexec = [\"true\"]\n");
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "'%s' serve '%s' --check >/dev/null", sr_hale(), r.file);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "'%s' serve --bogus 2>/dev/null", sr_hale());
    assert_int_equal(WEXITSTATUS(system(cmd)), 2);
    snprintf(cmd, sizeof cmd, "'%s' serve --help | grep -q 'usage: hale serve'", sr_hale());
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "'%s' ctl --help | grep -q 'usage: hale ctl'", sr_hale());
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' serve 2>&1 | grep -q '^hale.toml: No such file'",
             "/", sr_hale());
    assert_int_equal(system(cmd), 0);
    sr_finish(&r);
}

int main(int argc, char **argv) {
    sr_init(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_restart_stop),
        cmocka_unit_test(test_control_socket_is_owner_only),
        cmocka_unit_test(test_reload),
        cmocka_unit_test(test_output_and_environment),
        cmocka_unit_test(test_program_entries_are_built),
        cmocka_unit_test(test_check_and_usage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
