/* See std_fs.h. Reads go through a growing region block so /proc's zero-sized files work; the
 * final string is copied once into the caller's region. */
#include "std_fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "scheduler.h"
#include "std.h"
#include "str.h"

static bool bad_path(hale_str p, const char *op, hale_io_error *e) {
    char where[64];
    int n = p.len < 0 ? 0 : (p.len > 48 ? 48 : (int)p.len);
    snprintf(where, sizeof where, "%.*s", n, p.ptr ? p.ptr : "");
    hale_io_error_set(e, EINVAL, op, where);
    return false;
}

/* Reads fd to its end into a malloc'd buffer; -1 with errno set on failure. fd is non-blocking:
 * a FIFO or device with nothing yet parks the caller, and a FIFO no writer has opened yet (an
 * immediate end of file) is waited on once for its first writer. */
static int64_t slurp(int fd, char **out) {
    size_t cap = 4096, len = 0;
    struct stat st;
    bool fifo_unopened = fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
    char *buf = hale_sys_malloc(cap);
    if (!buf) {
        return -1;
    }
    for (;;) {
        if (len == cap) {
            if ((int64_t)cap >= HALE_FS_READ_MAX) {
                hale_sys_free(buf);
                errno = EFBIG;
                return -1;
            }
            char *nb = hale_sys_realloc(buf, cap * 2);
            if (!nb) {
                hale_sys_free(buf);
                return -1;
            }
            buf = nb;
            cap *= 2;
        }
        hale_diag_count_syscall(HALE_SYSCALL_READ);
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno == EAGAIN) { /* a FIFO or a device: park until it has data */
            if (hale_wait_fd(fd, HALE_READABLE, -1) < 0) {
                hale_sys_free(buf);
                errno = ECANCELED;
                return -1;
            }
            continue;
        }
        if (n < 0) {
            int keep = errno;
            hale_sys_free(buf);
            errno = keep;
            return -1;
        }
        if (n == 0 && fifo_unopened && len == 0) {
            fifo_unopened = false;
            if (hale_wait_fd(fd, HALE_READABLE, -1) < 0) {
                hale_sys_free(buf);
                errno = ECANCELED;
                return -1;
            }
            continue;
        }
        if (n == 0) {
            break;
        }
        fifo_unopened = false;
        len += (size_t)n;
    }
    *out = buf;
    return (int64_t)len;
}

bool hale_fs_read_file(hale_region *into, hale_str path, hale_str *out, hale_io_error *e) {
    char p[PATH_MAX];
    if (out) {
        *out = (hale_str){"", 0};
    }
    if (!hale_std_cstr(path, p, sizeof p)) {
        return bad_path(path, "read_file", e);
    }
    hale_diag_count_syscall(HALE_SYSCALL_OPEN);
    int fd = open(p, O_RDONLY | O_CLOEXEC | O_NONBLOCK); /* no effect on a regular file */
    if (fd < 0) {
        hale_io_error_set(e, errno, "read_file", p);
        return false;
    }
    char *buf = NULL;
    int64_t n = slurp(fd, &buf);
    int keep = errno;
    hale_diag_count_syscall(HALE_SYSCALL_CLOSE);
    close(fd);
    if (n < 0) {
        hale_io_error_set(e, keep == EFBIG ? EINVAL : keep, "read_file", p);
        return false;
    }
    char *s = n ? hale_region_alloc(into, (size_t)n, 1) : NULL;
    if (n) {
        memcpy(s, buf, (size_t)n);
    }
    hale_sys_free(buf);
    if (out) {
        *out = (hale_str){.ptr = s ? s : "", .len = n};
    }
    return true;
}

bool hale_fs_read_bytes(hale_region *into, hale_str path, hale_bytes *out, hale_io_error *e) {
    hale_str s;
    bool ok = hale_fs_read_file(into, path, &s, e);
    if (out) {
        *out = (hale_bytes){(const uint8_t *)s.ptr, s.len};
    }
    return ok;
}

/* Writes all of [p, p + n) to a file opened with `flags`; the bytes written, or -1. */
static int64_t write_all(const char *op, const char *p, int flags, const void *data, int64_t n,
                         hale_io_error *e) {
    hale_diag_count_syscall(HALE_SYSCALL_OPEN);
    int fd = open(p, flags | O_CLOEXEC, 0644);
    if (fd < 0) {
        hale_io_error_set(e, errno, op, p);
        return -1;
    }
    const char *q = data;
    int64_t left = n;
    while (left > 0) {
        hale_diag_count_syscall(HALE_SYSCALL_WRITE);
        ssize_t k = write(fd, q, (size_t)left);
        if (k < 0 && errno == EINTR) {
            continue;
        }
        if (k < 0) {
            hale_io_error_set(e, errno, op, p);
            hale_diag_count_syscall(HALE_SYSCALL_CLOSE);
            close(fd);
            return -1;
        }
        q += k;
        left -= k;
    }
    hale_diag_count_syscall(HALE_SYSCALL_CLOSE);
    if (close(fd) != 0) {
        hale_io_error_set(e, errno, op, p);
        return -1;
    }
    return n;
}

bool hale_fs_write_file(hale_str path, hale_str text, void *unused, hale_io_error *e) {
    (void)unused;
    char p[PATH_MAX];
    if (!hale_std_cstr(path, p, sizeof p)) {
        return bad_path(path, "write_file", e);
    }
    return write_all("write_file", p, O_WRONLY | O_CREAT | O_TRUNC, text.ptr, text.len, e) >= 0;
}

bool hale_fs_write_bytes(hale_str path, hale_bytes data, void *unused, hale_io_error *e) {
    (void)unused;
    char p[PATH_MAX];
    if (!hale_std_cstr(path, p, sizeof p)) {
        return bad_path(path, "write_bytes", e);
    }
    return write_all("write_bytes", p, O_WRONLY | O_CREAT | O_TRUNC, data.ptr, data.len, e) >= 0;
}

bool hale_fs_write_file_append(hale_str path, hale_str text, int64_t *out, hale_io_error *e) {
    char p[PATH_MAX];
    if (out) {
        *out = -1;
    }
    if (!hale_std_cstr(path, p, sizeof p)) {
        return bad_path(path, "write_file_append", e);
    }
    int64_t n =
        write_all("write_file_append", p, O_WRONLY | O_CREAT | O_APPEND, text.ptr, text.len, e);
    if (out) {
        *out = n;
    }
    return n >= 0;
}

bool hale_fs_file_size(hale_str path, int64_t *out, hale_io_error *e) {
    char p[PATH_MAX];
    struct stat st;
    if (out) {
        *out = -1;
    }
    if (!hale_std_cstr(path, p, sizeof p)) {
        return bad_path(path, "file_size", e);
    }
    if (stat(p, &st) != 0) {
        hale_io_error_set(e, errno, "file_size", p);
        return false;
    }
    if (out) {
        *out = (int64_t)st.st_size;
    }
    return true;
}

bool hale_fs_file_exists(hale_str path) {
    char p[PATH_MAX];
    struct stat st;
    return hale_std_cstr(path, p, sizeof p) && stat(p, &st) == 0;
}

/* A call on one path (mkdir, unlink, rmdir): the IoError names the path. */
static bool path_op(hale_str path, const char *op, int (*fn)(const char *), hale_io_error *e) {
    char p[PATH_MAX];
    if (!hale_std_cstr(path, p, sizeof p)) {
        return bad_path(path, op, e);
    }
    if (fn(p) != 0) {
        hale_io_error_set(e, errno, op, p);
        return false;
    }
    return true;
}

static int make_dir(const char *p) {
    return mkdir(p, 0755);
}

bool hale_fs_mkdir(hale_str path, void *unused, hale_io_error *e) {
    (void)unused;
    return path_op(path, "mkdir", make_dir, e);
}

bool hale_fs_rename(hale_str from, hale_str to, void *unused, hale_io_error *e) {
    (void)unused;
    char a[PATH_MAX], b[PATH_MAX];
    if (!hale_std_cstr(from, a, sizeof a)) {
        return bad_path(from, "rename", e);
    }
    if (!hale_std_cstr(to, b, sizeof b)) {
        return bad_path(to, "rename", e);
    }
    if (rename(a, b) != 0) {
        hale_io_error_set(e, errno, "rename", b);
        return false;
    }
    return true;
}

bool hale_fs_unlink(hale_str path, void *unused, hale_io_error *e) {
    (void)unused;
    return path_op(path, "unlink", unlink, e);
}

bool hale_fs_rmdir(hale_str path, void *unused, hale_io_error *e) {
    (void)unused;
    return path_op(path, "rmdir", rmdir, e);
}

bool hale_fs_mktemp(hale_region *into, hale_str prefix, hale_str suffix, hale_str *out,
                    hale_io_error *e) {
    char t[PATH_MAX];
    if (out) {
        *out = (hale_str){"", 0};
    }
    if (prefix.len < 0 || suffix.len < 0 || prefix.len + 6 + suffix.len >= (int64_t)sizeof t ||
        (prefix.len && memchr(prefix.ptr, 0, (size_t)prefix.len)) ||
        (suffix.len && memchr(suffix.ptr, 0, (size_t)suffix.len))) {
        return bad_path(prefix, "mktemp", e);
    }
    int n = snprintf(t, sizeof t, "%.*sXXXXXX%.*s", (int)prefix.len, prefix.ptr, (int)suffix.len,
                     suffix.ptr);
    char templ[PATH_MAX];
    memcpy(templ, t, (size_t)n + 1);
    hale_diag_count_syscall(HALE_SYSCALL_OPEN);
    int fd = mkstemps(t, (int)suffix.len);
    if (fd < 0) {
        hale_io_error_set(e, errno, "mktemp", templ);
        return false;
    }
    hale_diag_count_syscall(HALE_SYSCALL_CLOSE);
    close(fd);
    if (out) {
        *out = hale_str_copy(into, (hale_str){t, n});
    }
    return true;
}

/* The directory's entry names (without . and ..), sorted; -1 with errno on failure. */
static int list_dir(const char *p, struct dirent ***names) {
    return scandir(p, names, NULL, alphasort);
}

static int real_entry(const struct dirent *d) {
    return strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0;
}

static void free_list(struct dirent **names, int n) {
    for (int i = 0; i < n; i++) {
        free(names[i]);
    }
    free(names);
}

/* The entries of `path` (see list_dir); -1 with the IoError filled when it cannot be read. */
static int read_listing(hale_str path, struct dirent ***names, hale_io_error *e) {
    char p[PATH_MAX];
    if (!hale_std_cstr(path, p, sizeof p)) {
        bad_path(path, "list_dir", e);
        return -1;
    }
    int n = list_dir(p, names);
    if (n < 0) {
        hale_io_error_set(e, errno, "list_dir", p);
    }
    return n;
}

bool hale_fs_list_dir_count(hale_str path, int64_t *out, hale_io_error *e) {
    if (out) {
        *out = 0;
    }
    struct dirent **names;
    int n = read_listing(path, &names, e);
    if (n < 0) {
        return false;
    }
    int64_t count = 0;
    for (int i = 0; i < n; i++) {
        count += real_entry(names[i]);
    }
    free_list(names, n);
    if (out) {
        *out = count;
    }
    return true;
}

bool hale_fs_list_dir_at(hale_region *into, hale_str path, int64_t i, hale_str *out,
                         hale_io_error *e) {
    if (out) {
        *out = (hale_str){"", 0};
    }
    struct dirent **names;
    int n = read_listing(path, &names, e);
    if (n < 0) {
        return false;
    }
    int64_t k = 0;
    bool found = false;
    for (int j = 0; j < n && !found; j++) {
        if (real_entry(names[j]) && k++ == i) {
            if (out) {
                const char *nm = names[j]->d_name;
                *out = hale_str_copy(into, (hale_str){nm, (int64_t)strlen(nm)});
            }
            found = true;
        }
    }
    free_list(names, n);
    if (!found) {
        hale_io_error_set(e, EINVAL, "list_dir_at", "");
    }
    return found;
}

hale_str hale_fs_extension(hale_str path) {
    int64_t base = 0;
    for (int64_t i = 0; i < path.len; i++) {
        if (path.ptr[i] == '/') {
            base = i + 1;
        }
    }
    for (int64_t i = path.len - 1; i > base; i--) {
        if (path.ptr[i] == '.') {
            return (hale_str){path.ptr + i, path.len - i};
        }
    }
    return (hale_str){"", 0};
}
