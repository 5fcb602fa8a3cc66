/* std::io::stdin, std::io::stdout and std::term: the program's own terminal and standard
 * streams.
 *
 * stdin is read through one buffer for the process (guarded by a mutex: any thread may read a
 * line). Before a read that could wait, the call parks on the pool's loop until fd 0 is
 * readable (hale_wait_fd); a regular file or /dev/null never waits and is read directly, so a
 * program run with `< file` needs no event loop support for files. fd 0 is never switched to
 * non-blocking mode (that flag is shared with every process holding the same terminal or pipe).
 *   read_line() -> String      one line without its "\n" (or "\r\n"); "" at end of input
 *   read_line_status() -> Int  of the thread's last read_line: 0 a line (maybe empty), -1 end
 *                              of input or an error
 *   read_byte(timeout_ms) -> Int   0..255, -1 when nothing came within the timeout (<= 0: just
 *                              look), -2 at end of input or on an error
 * stdout::write_bytes(s) -> Int flushes what println buffered, then writes s with one write(2)
 * loop (a frame is not split at its newlines); the bytes written or -1.
 * term: is_tty(fd); size() -> TermSize { cols, rows } of stdout ({0, 0} when it is not a
 * terminal); RawMode, a locus that puts a terminal stdin in raw mode (no echo, no line
 * editing, no signals from keys) for its lifetime and restores it when it dissolves, at exit,
 * and on a fatal signal's way out; on a stdin that is not a terminal it does nothing. */
#ifndef HALE_RUNTIME_STD_TERM_H
#define HALE_RUNTIME_STD_TERM_H

#include <stdbool.h>
#include <stdint.h>

#include "region.h"
#include "value.h"

hale_str hale_stdin_read_line(hale_region *into);
int64_t hale_stdin_read_line_status(void);
int64_t hale_stdin_read_byte(int64_t timeout_ms);
int64_t hale_stdout_write_bytes(hale_str s);

/* Hale's `TermSize { cols: Int; rows: Int; }` */
typedef struct {
    int64_t cols;
    int64_t rows;
} hale_term_size;

bool hale_term_is_tty(int64_t fd);
void hale_term_size_get(hale_term_size *out);

/* RawMode's state. */
typedef struct {
    bool active; /* this RawMode changed the terminal */
} hale_raw_mode;
void hale_raw_mode_init(hale_raw_mode *m);
void hale_raw_mode_dissolve(hale_raw_mode *m);

#endif
