/* Starting one supervised child. Every child gets its own process group (so a stop or a kill
 * reaches whatever it started too) and PR_SET_PDEATHSIG = SIGKILL (so `kill -9` of serve leaves
 * no orphan behind); stdin is /dev/null and stdout/stderr are the pipes serve forwards. */
#ifndef HALE_SUPERVISOR_SPAWN_H
#define HALE_SUPERVISOR_SPAWN_H

#include <sys/types.h>

typedef struct {
    char *const *argv; /* argv[0] without a '/' is searched in $PATH */
    char **envp;       /* the whole environment; an entry "WATCHDOG_PID=" followed by at
                          least 20 spare bytes gets the child's pid written into it */
    const char *dir;   /* working directory */
    int out_fd;        /* becomes the child's stdout */
    int err_fd;        /* becomes the child's stderr */
} sv_spawn_req;

/* Forks and execs. Returns the child's pid (also its process group id), or -1 with errno set
 * when it could not fork. A failing exec shows up as exit status 127 with the reason written
 * to the child's stderr. Call with no other threads running (serve has none). */
pid_t sv_spawn(const sv_spawn_req *r);

#endif
