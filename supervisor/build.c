/* `program = "x.hl"` entries: serve runs the `hale build` of its own executable (so a deployment
 * always uses the compiler it was started with) into its private state directory. On SIGHUP a
 * rebuild that produces the same bytes keeps the old path, so an unchanged program counts as
 * unchanged and keeps running. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "server.h"

static int same_content(const char *a, const char *b) {
    int fa = open(a, O_RDONLY | O_CLOEXEC), fb = open(b, O_RDONLY | O_CLOEXEC);
    int same = fa >= 0 && fb >= 0;
    char ba[65536], bb[65536];
    while (same) {
        ssize_t na = read(fa, ba, sizeof ba), nb = read(fb, bb, sizeof bb);
        if (na < 0 || na != nb || memcmp(ba, bb, (size_t)na) != 0) {
            same = 0;
        } else if (na == 0) {
            break;
        }
    }
    if (fa >= 0) {
        close(fa);
    }
    if (fb >= 0) {
        close(fb);
    }
    return same;
}

/* Runs `hale build PROGRAM -o OUT`, its output on serve's stderr. Returns the wait status. */
static int run_build(sv_server *srv, const char *program, const char *out) {
    char *argv[] = {srv->self_exe, "build", (char *)program, "-o", (char *)out, NULL};
    pid_t pid = fork();
    if (pid < 0) {
        return 127 << 8;
    }
    if (pid == 0) {
        dup2(2, 1);
        execv(srv->self_exe, argv);
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

int sv_build_programs(sv_server *srv, sv_spec *spec, const sv_spec *previous) {
    for (size_t i = 0; i < spec->nprocs; i++) {
        sv_proc *p = &spec->procs[i];
        if (!p->program) {
            continue;
        }
        char out[PATH_MAX + 160];
        snprintf(out, sizeof out, "%s/bin", srv->statedir);
        mkdir(out, 0700);
        snprintf(out, sizeof out, "%s/bin/%s.%u", srv->statedir, p->name, srv->next_build++);
        sv_log("building %s from %s", p->name, p->program);
        int status = run_build(srv, p->program, out);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            char how[96];
            sv_describe_status(status, how, sizeof how);
            sv_log("cannot build %s from %s: hale build %s", p->name, p->program, how);
            return -1;
        }
        const sv_proc *prev = sv_spec_find(previous, p->name);
        const char *use = out;
        if (prev && prev->argv && prev->program && strcmp(prev->program, p->program) == 0 &&
            same_content(prev->argv[0], out)) {
            unlink(out);
            use = prev->argv[0];
        }
        p->argv = calloc(2, sizeof *p->argv);
        if (!p->argv || !(p->argv[0] = strdup(use))) {
            perror("hale serve");
            abort();
        }
    }
    return 0;
}
