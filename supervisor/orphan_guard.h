/* The guard: a small process serve forks before anything else, which outlives a serve that is
 * killed outright (kill -9, a crash) just long enough to SIGKILL every process group serve had
 * running. PR_SET_PDEATHSIG already takes serve's direct children down with it; the guard also
 * catches what those children started (shell wrappers, workers), so nothing is orphaned.
 *
 * serve tells the guard about each group over a pipe (fixed-size records, atomic writes); the
 * guard learns of serve's death from the pipe's end of file. */
#ifndef HALE_SUPERVISOR_ORPHAN_GUARD_H
#define HALE_SUPERVISOR_ORPHAN_GUARD_H

#include <sys/types.h>

typedef struct {
    pid_t pid; /* the guard process, 0 when none */
    int fd;    /* write end of the pipe, -1 when none */
} sv_guard;

/* Forks the guard. If serve dies, the guard also removes `statedir` (serve's private
 * directory; may be NULL). Returns 0, or -1 (serve then runs without one). */
int sv_guard_start(sv_guard *g, const char *statedir);
/* A child's process group started / ended. */
void sv_guard_add(sv_guard *g, pid_t pgid);
void sv_guard_remove(sv_guard *g, pid_t pgid);
/* Normal exit: closes the pipe and waits for the guard to finish. */
void sv_guard_stop(sv_guard *g);
/* Removes the directory `dir` and everything in it (serve's state directory). */
void sv_remove_tree(const char *dir);

#endif
