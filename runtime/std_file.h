/* std::io::file: a file held open by a `File` locus (Hale's held-open counterpart of the
 * one-shot std::io::fs calls).
 *
 * `std::io::file::open(path, mode)` instantiates a File held like a `let` (it dissolves when
 * the function that opened it returns, which closes the descriptor) and opens it; modes are
 * "r", "w" (create, truncate), "a" (create, append), "r+" and "w+", anything else is an
 * IoError of kind "invalid". Reads go through a buffer of the File's own, so `read_line` costs
 * a read(2) per buffer, not per byte; `at_eof` looks ahead (a file whose last line was read is
 * at its end at once). Writes go straight to the descriptor. The descriptor is non-blocking:
 * a FIFO or a device that has nothing to give (or no room) parks the coroutine on the pool's
 * loop instead of holding the thread. A File that failed to open, or was
 * closed, reads as empty and refuses writes with EBADF ("io").
 *
 * Generated code (File's state is `hale_file`):
 *   open(path, mode)   hale_file_open(&f->hn, path, mode, &err)     (f: a new File locus)
 *   read_line(f)       hale_file_read_line(scratch, &f->hn)          ("" at EOF or error)
 *   at_eof(f)          hale_file_at_eof(&f->hn)
 *   write_line(f, s)   hale_file_write_line(&f->hn, s, NULL, &err)   (s then "\n")
 *   write_bytes(f, b)  hale_file_write_bytes(&f->hn, b, NULL, &err)
 *   seek(f, off)       hale_file_seek(&f->hn, off, NULL, &err)       (from the start)
 *   dissolve           hale_file_close(&f->hn) */
#ifndef HALE_RUNTIME_STD_FILE_H
#define HALE_RUNTIME_STD_FILE_H

#include <stdbool.h>
#include <stdint.h>

#include "ioerror.h"
#include "region.h"
#include "value.h"

typedef struct {
    int fd;
    bool eof;           /* a read answered 0 with the buffer drained */
    bool fifo_unopened; /* a FIFO read before its first writer: an end of file means "wait" */
    char *buf;          /* read-ahead (malloc'd on first read) */
    int64_t pos, len, cap;
} hale_file;

void hale_file_init(hale_file *f);
void hale_file_close(hale_file *f);
bool hale_file_open(hale_file *f, hale_str path, hale_str mode, hale_io_error *e);
hale_str hale_file_read_line(hale_region *into, hale_file *f);
bool hale_file_at_eof(hale_file *f);
bool hale_file_write_line(hale_file *f, hale_str s, void *unused, hale_io_error *e);
bool hale_file_write_bytes(hale_file *f, hale_bytes b, void *unused, hale_io_error *e);
bool hale_file_seek(hale_file *f, int64_t off, void *unused, hale_io_error *e);

#endif
