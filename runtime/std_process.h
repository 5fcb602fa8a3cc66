/* std::process: running other programs (run, and spawn for a Child kept alive).
 *
 * argv is one String with the arguments on separate lines (Hale's convention: "sh\n-c\necho
 * hi"), never split by a shell. Children start with posix_spawnp (safe in a threaded program,
 * no copy of the parent's address space), their standard streams on pipes whose parent ends
 * are non-blocking, and every wait parks on the pool's event loop: reading a child's output
 * waits on the pipe with hale_wait_fd, waiting for its exit waits on a pidfd (Linux 5.3+; a
 * short sleeping poll of waitpid where there is none), so a coroutine running a child never
 * holds its pool.
 *
 * run(argv) -> ProcessOutput: runs to completion with stdin from /dev/null, collecting stdout
 * and stderr (each capped at HALE_PROCESS_OUTPUT_MAX: past it the child is killed and the call
 * fails with EFBIG). `code` is the exit status, or -1 with `signal` set when a signal ended it.
 * A program that cannot be started is an IoError whose path is "std::process::run" (plus a hint
 * when argv[0] holds a space: argv is newline-separated, not split on spaces).
 *
 * spawn(argv) -> Child: a Child locus, held like a `let`, whose dissolve kills (TERM, then
 * KILL after HALE_PROCESS_KILL_GRACE) and reaps a child still running. A program that cannot be
 * started is still a Child, one that has already exited with status 127 (the shell's "command
 * not found"), so `spawn(...) or raise` then `wait(c)` reads 127 as a shell user expects.
 *   wait(c) -> Int        parks until it exits: its status, -1 when a signal ended it
 *   try_wait(c) -> Int    -2 while running, else as wait (non-blocking)
 *   kill(c)               TERM, KILL after the grace, reaped
 *   signal(c, sig)        any signal; ESRCH (already reaped) is "not_found"
 *   write_stdin(c, s) -> Int   all of s (parking while the pipe is full); bytes written
 *   close_stdin(c)        end of input for the child
 *   read_stdout(c) / read_stderr(c) -> String   what is there now ("" when nothing yet)
 */
#ifndef HALE_RUNTIME_STD_PROCESS_H
#define HALE_RUNTIME_STD_PROCESS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ioerror.h"
#include "region.h"
#include "value.h"

/* std::process::dump_arena_residency() -> Int: with HALE_ARENA_RESIDENCY=1, the live regions on
 * stderr now (the regions listed); otherwise nothing, 0. */
int64_t hale_process_dump_arena_residency(void);

#define HALE_PROCESS_OUTPUT_MAX ((int64_t)64 << 20)
#define HALE_PROCESS_KILL_GRACE ((int64_t)2000000000) /* ns */

/* Hale's `ProcessOutput { code: Int; signal: Int; stdout: String; stderr: String; }` */
typedef struct {
    int64_t code;
    int64_t signal;
    hale_str out;
    hale_str err;
} hale_process_output;

bool hale_process_run(hale_region *into, hale_str argv, hale_process_output *out, hale_io_error *e);

/* The state of a Child locus. */
typedef struct {
    pid_t pid; /* 0: none (never started, or reaped) */
    int pidfd; /* -1 when the kernel has none */
    int in, out, err;
    bool exited;
    int64_t code, signal; /* once exited */
} hale_child;

void hale_child_init(hale_child *c);
/* The Child's dissolve: closes its pipes, kills and reaps it if it still runs. */
void hale_child_dissolve(hale_child *c);
bool hale_child_spawn(hale_child *c, hale_str argv, hale_io_error *e);
bool hale_child_wait(hale_child *c, int64_t *out, hale_io_error *e);
bool hale_child_try_wait(hale_child *c, int64_t *out, hale_io_error *e);
bool hale_child_kill(hale_child *c, void *unused, hale_io_error *e);
bool hale_child_signal(hale_child *c, int64_t sig, void *unused, hale_io_error *e);
bool hale_child_write_stdin(hale_child *c, hale_str s, int64_t *out, hale_io_error *e);
bool hale_child_close_stdin(hale_child *c, void *unused, hale_io_error *e);
bool hale_child_read_stdout(hale_region *into, hale_child *c, hale_str *out, hale_io_error *e);
bool hale_child_read_stderr(hale_region *into, hale_child *c, hale_str *out, hale_io_error *e);

#endif
