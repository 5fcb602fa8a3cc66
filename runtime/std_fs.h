/* std::io::fs for Hale programs: whole files, directories and names.
 *
 * Programs read small files whole: a config, a pid file, /proc/PID/status for a process's
 * memory (the load generator's RSS column). /proc files report a size of 0, so a read grows its
 * buffer until end of file instead of trusting fstat. Every call returns true on success and
 * false with a hale_io_error naming the path, for the `or` at the call site; a call used bare
 * (Hale allows it for these) answers the sentinel its comment names.
 *
 * These are one-shot calls, mostly on regular files and directories, which the kernel never
 * makes wait on readiness; a read of a FIFO or a device parks until it has data. Held-open
 * files are std_file.h. */
#ifndef HALE_RUNTIME_STD_FS_H
#define HALE_RUNTIME_STD_FS_H

#include <stdbool.h>

#include "ioerror.h"
#include "region.h"
#include "value.h"

/* Files larger than this are refused ("invalid") rather than read into a region. */
#define HALE_FS_READ_MAX ((int64_t)64 << 20)

/* read_file(path) -> String: the file's bytes, allocated in `into` ("" on failure: Hale's bare
 * call). read_bytes is the same as Bytes. */
bool hale_fs_read_file(hale_region *into, hale_str path, hale_str *out, hale_io_error *e);
bool hale_fs_read_bytes(hale_region *into, hale_str path, hale_bytes *out, hale_io_error *e);
/* write_file(path, text): creates or truncates the file (mode 0644 before umask); write_bytes
 * the same for Bytes (binary-safe). */
bool hale_fs_write_file(hale_str path, hale_str text, void *unused, hale_io_error *e);
bool hale_fs_write_bytes(hale_str path, hale_bytes data, void *unused, hale_io_error *e);
/* write_file_append(path, text) -> Int: appends (creating the file), answers the bytes written. */
bool hale_fs_write_file_append(hale_str path, hale_str text, int64_t *out, hale_io_error *e);

/* file_size(path) -> Int (-1 on failure); file_exists(path) -> Bool (anything stat can see). */
bool hale_fs_file_size(hale_str path, int64_t *out, hale_io_error *e);
bool hale_fs_file_exists(hale_str path);
/* mkdir(path) (mode 0755), rename(from, to) (an error names `to`, even when `from` is what is
 * missing: Hale anchors a rename's IoError on the destination, and its tests assert it),
 * unlink(path). */
bool hale_fs_mkdir(hale_str path, void *unused, hale_io_error *e);
bool hale_fs_rename(hale_str from, hale_str to, void *unused, hale_io_error *e);
bool hale_fs_unlink(hale_str path, void *unused, hale_io_error *e);
/* rmdir(path): removes an empty directory (ours; Hale has mkdir without its inverse). */
bool hale_fs_rmdir(hale_str path, void *unused, hale_io_error *e);
/* mktemp(prefix, suffix) -> String: creates an empty file `<prefix>XXXXXX<suffix>` with a
 * unique name (mode 0600) and answers its path; an error names the template. */
bool hale_fs_mktemp(hale_region *into, hale_str prefix, hale_str suffix, hale_str *out,
                    hale_io_error *e);
/* list_dir_count(path) -> Int (0 on failure) and list_dir_at(path, i) -> String ("" outside
 * [0, count)): a directory's entries without `.` and `..`, sorted by name (bytewise), so the
 * index walk is the same on every machine. Each call reads the directory afresh. */
bool hale_fs_list_dir_count(hale_str path, int64_t *out, hale_io_error *e);
bool hale_fs_list_dir_at(hale_region *into, hale_str path, int64_t i, hale_str *out,
                         hale_io_error *e);
/* extension(path) -> String: the last `.xyz` of the base name, dot included; "" when there is
 * none or the only dot starts the name (".config"). */
hale_str hale_fs_extension(hale_str path);

#endif
