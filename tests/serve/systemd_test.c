/* Serve under a fake systemd (the test owns the NOTIFY_SOCKET datagram socket), and serve
 * killed with SIGKILL: nothing it started may survive it. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

typedef struct {
    char dir[64];
    char path[128];
    int fd;
    char msgs[256][256];
    size_t n;
} fake_systemd;

static void fake_open(fake_systemd *s) {
    strcpy(s->dir, "/tmp/hale-fake-systemd-XXXXXX");
    assert_non_null(mkdtemp(s->dir));
    snprintf(s->path, sizeof s->path, "%s/notify", s->dir);
    s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    strcpy(sa.sun_path, s->path);
    assert_int_equal(bind(s->fd, (struct sockaddr *)&sa, sizeof sa), 0);
    s->n = 0;
}

static void fake_read(fake_systemd *s) {
    char buf[256];
    ssize_t n;
    while (s->n < 256 && (n = recv(s->fd, buf, sizeof buf - 1, 0)) > 0) {
        buf[n] = '\0';
        snprintf(s->msgs[s->n++], sizeof s->msgs[0], "%s", buf);
    }
}

/* Index of the first message at or after `from` containing `needle`, or -1. */
static int fake_find(const fake_systemd *s, size_t from, const char *needle) {
    for (size_t i = from; i < s->n; i++) {
        if (strstr(s->msgs[i], needle)) {
            return (int)i;
        }
    }
    return -1;
}

static int wait_message(sr *r, fake_systemd *s, size_t from, const char *needle) {
    for (int i = 0; i < SR_WAIT_MS / 20; i++) {
        fake_read(s);
        if (fake_find(s, from, needle) >= 0) {
            return 1;
        }
        sr_pump(r, 20);
    }
    return 0;
}

static void fake_dump(const fake_systemd *s) {
    for (size_t i = 0; i < s->n; i++) {
        fprintf(stderr, "systemd got: %s\n", s->msgs[i]);
    }
}

static void test_under_fake_systemd(void **state) {
    (void)state;
    fake_systemd sd;
    fake_open(&sd);
    char notify[200];
    snprintf(notify, sizeof notify, "NOTIFY_SOCKET=%s", sd.path);
    char *env[] = {notify, "WATCHDOG_USEC=200000", NULL};
    sr r;
    sr_start(&r, "systemd",
             "[serve]\nname = \"t\"\n"
             "[[serve.process]]\nname = \"app\"\nready = \"notify\"\n"
             "exec = [\"@CHILD@\", \"--ready-file\", \"@DIR@/go\", \"--status\", \"child-said\"]\n",
             env);
    /* The watchdog is fed from the start; READY=1 waits for the child's own READY=1. */
    SR_CHECK(&r, wait_message(&r, &sd, 0, "WATCHDOG=1"));
    SR_CHECK(&r, sr_wait_events(&r, "start", "app-0", 1));
    fake_read(&sd);
    SR_CHECK(&r, fake_find(&sd, 0, "READY=1") < 0);
    char go[700];
    snprintf(go, sizeof go, "%s/go", r.dir);
    fclose(fopen(go, "w"));
    SR_CHECK(&r, wait_message(&r, &sd, 0, "READY=1"));
    int ready = fake_find(&sd, 0, "READY=1");
    SR_CHECK(&r, wait_message(&r, &sd, (size_t)ready + 1, "WATCHDOG=1"));
    sr_signal(&r, SIGTERM);
    SR_CHECK(&r, sr_wait_exit(&r, SR_WAIT_MS));
    SR_CHECK(&r, WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    fake_read(&sd);
    int watchdog = fake_find(&sd, (size_t)ready + 1, "WATCHDOG=1");
    int stopping = fake_find(&sd, 0, "STOPPING=1");
    if (!(ready >= 0 && watchdog > ready && stopping > watchdog)) {
        fake_dump(&sd);
    }
    SR_CHECK(&r, ready >= 0 && watchdog > ready && stopping > watchdog);
    SR_CHECK(&r, fake_find(&sd, (size_t)stopping + 1, "READY=1") < 0);
    SR_CHECK(&r, fake_find(&sd, 0, "STATUS=") >= 0);
    /* The child spoke to serve on its own socket, never to systemd. */
    SR_CHECK(&r, fake_find(&sd, 0, "child-said") < 0);
    sr_finish(&r);
    close(sd.fd);
    unlink(sd.path);
    rmdir(sd.dir);
}

static int alive(int pid) {
    return kill(pid, 0) == 0 || errno != ESRCH;
}

static void test_kill9_leaves_no_survivors(void **state) {
    (void)state;
    /* Orphans come to us, so we can reap them and tell dead from zombie. */
    assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    sr r;
    sr_start(&r, "kill9",
             "[serve]\nname = \"t\"\n"
             "[[serve.process]]\nname = \"wrapper\"\nexec = [\"@CHILD@\", \"--grandchild\"]\n"
             "[[serve.process]]\nname = \"stubborn\"\nreplicas = 2\n"
             "exec = [\"@CHILD@\", \"--ignore-term\"]\n",
             NULL);
    SR_CHECK(&r, sr_wait_events(&r, "start", NULL, 3));
    SR_CHECK(&r, sr_wait_events(&r, "grandchild", NULL, 1));
    sr_event ev[16];
    size_t n = sr_events(&r, ev, 16);
    int pids[16], npids = 0;
    for (size_t i = 0; i < n; i++) {
        pids[npids++] = ev[i].pid;
        SR_CHECK(&r, alive(ev[i].pid));
    }
    SR_CHECK(&r, npids == 4);
    sr_signal(&r, SIGKILL);
    SR_CHECK(&r, sr_wait_exit(&r, SR_WAIT_MS));
    SR_CHECK(&r, WIFSIGNALED(r.status) && WTERMSIG(r.status) == SIGKILL);
    int left = npids;
    for (int tries = 0; tries < 500 && left > 0; tries++) {
        while (waitpid(-1, NULL, WNOHANG) > 0) {
        }
        left = 0;
        for (int i = 0; i < npids; i++) {
            left += alive(pids[i]);
        }
        struct timespec ts = {0, 20 * 1000000};
        nanosleep(&ts, NULL);
    }
    SR_CHECK(&r, left == 0);
    sr_finish(&r);
}

int main(int argc, char **argv) {
    sr_init(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_under_fake_systemd),
        cmocka_unit_test(test_kill9_leaves_no_survivors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
