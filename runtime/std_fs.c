/* See std_fs.h. Reads go through a growing region block so /proc's zero-sized files work; the
 * final string is copied once into the caller's region. */
#include "std_fs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "std.h"

static bool bad_path(hale_str p, const char *op, hale_io_error *e) {
    char where[64];
    int n = p.len < 0 ? 0 : (p.len > 48 ? 48 : (int)p.len);
    snprintf(where, sizeof where, "%.*s", n, p.ptr ? p.ptr : "");
    hale_io_error_set(e, EINVAL, op, where);
    return false;
}

/* Reads fd to its end into a malloc'd buffer; -1 with errno set on failure. */
static int64_t slurp(int fd, char **out) {
    size_t cap = 4096, len = 0;
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
        if (n < 0) {
            int keep = errno;
            hale_sys_free(buf);
            errno = keep;
            return -1;
        }
        if (n == 0) {
            break;
        }
        len += (size_t)n;
    }
    *out = buf;
    return (int64_t)len;
}

bool hale_fs_read_file(hale_region *into, hale_str path, hale_str *out, hale_io_error *e) {
    char p[PATH_MAX];
    if (!hale_std_cstr(path, p, sizeof p)) {
        return bad_path(path, "read_file", e);
    }
    hale_diag_count_syscall(HALE_SYSCALL_OPEN);
    int fd = open(p, O_RDONLY | O_CLOEXEC);
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

bool hale_fs_write_file(hale_str path, hale_str text, void *unused, hale_io_error *e) {
    (void)unused;
    char p[PATH_MAX];
    if (!hale_std_cstr(path, p, sizeof p)) {
        return bad_path(path, "write_file", e);
    }
    hale_diag_count_syscall(HALE_SYSCALL_OPEN);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        hale_io_error_set(e, errno, "write_file", p);
        return false;
    }
    const char *q = text.ptr;
    int64_t left = text.len;
    while (left > 0) {
        hale_diag_count_syscall(HALE_SYSCALL_WRITE);
        ssize_t n = write(fd, q, (size_t)left);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            hale_io_error_set(e, errno, "write_file", p);
            hale_diag_count_syscall(HALE_SYSCALL_CLOSE);
            close(fd);
            return false;
        }
        q += n;
        left -= n;
    }
    hale_diag_count_syscall(HALE_SYSCALL_CLOSE);
    if (close(fd) != 0) {
        hale_io_error_set(e, errno, "write_file", p);
        return false;
    }
    return true;
}
