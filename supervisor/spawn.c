/* See spawn.h. Between fork and exec the child only makes system calls and formats numbers by
 * hand: the parent's signal mask is all-blocked across the fork so no handler of serve's can
 * run in the child, and the child resets every disposition before unblocking. */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static void put_str(int fd, const char *s) {
    ssize_t rc = write(fd, s, strlen(s));
    (void)rc;
}

static void write_pid(char *slot, pid_t pid) {
    char digits[24];
    int n = 0;
    unsigned long v = (unsigned long)pid;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v && n < (int)sizeof digits);
    for (int i = 0; i < n; i++) {
        slot[i] = digits[n - 1 - i];
    }
    slot[n] = '\0';
}

static _Noreturn void child(const sv_spawn_req *r, pid_t parent) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) {
        _exit(127); /* serve died before we got here */
    }
    setpgid(0, 0);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++) {
        sigaction(sig, &dfl, NULL); /* fails harmlessly for SIGKILL, SIGSTOP, reserved ones */
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null < 0 || dup2(null, 0) < 0 || dup2(r->out_fd, 1) < 0 || dup2(r->err_fd, 2) < 0) {
        _exit(127);
    }
    close_range(3, ~0u, 0);
    for (char **e = r->envp; *e; e++) {
        if (strncmp(*e, "WATCHDOG_PID=", 13) == 0) {
            write_pid(*e + 13, getpid());
        }
    }
    if (chdir(r->dir) != 0) {
        put_str(2, "hale serve: cannot enter ");
        put_str(2, r->dir);
        put_str(2, ": ");
        put_str(2, strerror(errno));
        put_str(2, "\n");
        _exit(127);
    }
    execvpe(r->argv[0], r->argv, r->envp);
    int e = errno;
    put_str(2, "hale serve: cannot run ");
    put_str(2, r->argv[0]);
    put_str(2, ": ");
    put_str(2, strerror(e));
    put_str(2, "\n");
    _exit(127);
}

pid_t sv_spawn(const sv_spawn_req *r) {
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, &old);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        child(r, parent);
    }
    int saved = errno;
    if (pid > 0) {
        setpgid(pid, pid); /* also here, so the group exists before we might signal it */
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    errno = saved;
    return pid;
}
