/* The two commands of the supervisor, reached from the `hale` command table:
 *   hale serve [FILE]                       run the [serve] deployment of FILE (./hale.toml)
 *   hale ctl [FILE] status|restart NAME|stop talk to the serve running FILE
 * Each returns the process exit status: 0 fine, 1 failed, 2 usage or config error. */
#ifndef HALE_SUPERVISOR_SERVE_H
#define HALE_SUPERVISOR_SERVE_H

int sv_serve_main(int argc, char **argv);
int sv_ctl_main(int argc, char **argv);

#endif
