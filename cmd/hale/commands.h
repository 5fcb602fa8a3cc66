/* The `hale` command's subcommands as main.c's table reaches them: each reads its arguments,
 * prints its usage, and calls the library that does the work (the compiler's driver.h, the
 * supervisor's serve.h). Exit status: 0 success, 1 the program or deployment failed (or, for
 * run, the program's own status), 2 a usage or config error, 3 an internal error of hale. */
#ifndef HALE_CMD_COMMANDS_H
#define HALE_CMD_COMMANDS_H

/* compile.c */
int cmd_build(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);

/* serve.c */
int cmd_serve(int argc, char **argv);
int cmd_ctl(int argc, char **argv);

#endif
