/* The supervisor's two entry points, which the `hale serve` and `hale ctl` commands
 * (cmd/hale/serve.c) call once their arguments are read. Each returns the process exit status:
 * 0 fine, 1 failed, 2 a config error. */
#ifndef HALE_SUPERVISOR_SERVE_H
#define HALE_SUPERVISOR_SERVE_H

/* Runs the [serve] deployment of `file` until it is stopped; with `check_only`, reads and
 * checks the file, prints "FILE: ok (N processes)" and returns. */
int sv_serve(const char *file, int check_only);

/* Sends one control command ("status", "restart NAME", "stop") to the serve running `file`, at
 * `socket_path` when given, else at the file's [serve] control socket; prints the reply. */
int sv_ctl(const char *file, const char *socket_path, const char *cmd);

#endif
