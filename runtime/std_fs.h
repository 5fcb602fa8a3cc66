/* std::io::fs for Hale programs: whole-file reads and writes.
 *
 * Programs read small files whole: a config, a pid file, /proc/PID/status for a process's
 * memory (the load generator's RSS column). /proc files report a size of 0, so a read grows its
 * buffer until end of file instead of trusting fstat. Every call returns true on success and
 * false with a hale_io_error naming the path, for the `or` at the call site. */
#ifndef HALE_RUNTIME_STD_FS_H
#define HALE_RUNTIME_STD_FS_H

#include <stdbool.h>

#include "ioerror.h"
#include "region.h"
#include "value.h"

/* Files larger than this are refused ("invalid") rather than read into a region. */
#define HALE_FS_READ_MAX ((int64_t)64 << 20)

/* read_file(path) -> String: the file's bytes, allocated in `into`. */
bool hale_fs_read_file(hale_region *into, hale_str path, hale_str *out, hale_io_error *e);
/* write_file(path, text): creates or truncates the file (mode 0644 before umask). */
bool hale_fs_write_file(hale_str path, hale_str text, void *unused, hale_io_error *e);

#endif
