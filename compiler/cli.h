/* The compiler's subcommands as main.c's command table reaches them: argument parsing and
 * usage text for `hale build`, `hale run` and `hale check`. Exit status: 0 success, 1 the
 * program has errors (or, for run, the program's own status), 2 a usage error, 3 an internal
 * error of hale. */
#ifndef HALE_COMPILER_CLI_H
#define HALE_COMPILER_CLI_H

int hc_cmd_build(int argc, char **argv);
int hc_cmd_run(int argc, char **argv);
int hc_cmd_check(int argc, char **argv);

#endif
