/* See std_file.h. */
#include "std_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "scheduler.h"
#include "std.h"
#include "str.h"

#define FILE_BUF 4096

void hale_file_init(hale_file *f) {
    memset(f, 0, sizeof *f);
    f->fd = -1;
}

void hale_file_close(hale_file *f) {
    if (f->fd >= 0) {
        hale_diag_count_syscall(HALE_SYSCALL_CLOSE);
        close(f->fd);
    }
    hale_sys_free(f->buf);
    hale_file_init(f);
}

static int mode_flags(hale_str m) {
    static const struct {
        const char *mode;
        int flags;
    } modes[] = {{"r", O_RDONLY},
                 {"w", O_WRONLY | O_CREAT | O_TRUNC},
                 {"a", O_WRONLY | O_CREAT | O_APPEND},
                 {"r+", O_RDWR},
                 {"w+", O_RDWR | O_CREAT | O_TRUNC}};
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        if (hale_str_eq(m, (hale_str){modes[i].mode, (int64_t)strlen(modes[i].mode)})) {
            return modes[i].flags;
        }
    }
    return -1;
}

bool hale_file_open(hale_file *f, hale_str path, hale_str mode, hale_io_error *e) {
    char p[PATH_MAX];
    hale_file_close(f);
    if (!hale_std_cstr(path, p, sizeof p)) {
        hale_io_error_set(e, EINVAL, "open", "");
        return false;
    }
    int flags = mode_flags(mode);
    if (flags < 0) {
        hale_io_error_set(e, EINVAL, "open", p);
        return false;
    }
    hale_diag_count_syscall(HALE_SYSCALL_OPEN);
    int fd = open(p, flags | O_CLOEXEC | O_NONBLOCK, 0644); /* a FIFO's waits park (below) */
    if (fd < 0) {
        hale_io_error_set(e, errno, "open", p);
        return false;
    }
    f->fd = fd;
    struct stat st;
    f->fifo_unopened =
        fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode) && (flags & O_ACCMODE) != O_WRONLY;
    return true;
}

/* Reads more into the buffer (compacting it first); false at end of file or on an error. */
static bool fill(hale_file *f) {
    if (f->fd < 0 || f->eof) {
        return false;
    }
    if (f->pos > 0) {
        memmove(f->buf, f->buf + f->pos, (size_t)(f->len - f->pos));
        f->len -= f->pos;
        f->pos = 0;
    }
    if (f->len == f->cap) {
        int64_t cap = f->cap ? f->cap * 2 : FILE_BUF;
        char *nb = hale_sys_realloc(f->buf, (size_t)cap);
        if (!nb) {
            return false;
        }
        f->buf = nb;
        f->cap = cap;
    }
    for (;;) {
        hale_diag_count_syscall(HALE_SYSCALL_READ);
        ssize_t n = read(f->fd, f->buf + f->len, (size_t)(f->cap - f->len));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if ((n < 0 && errno == EAGAIN) || (n == 0 && f->fifo_unopened)) {
            f->fifo_unopened = false; /* the first writer of a FIFO, or more data */
            if (hale_wait_fd(f->fd, HALE_READABLE, -1) > 0) {
                continue;
            }
        }
        f->fifo_unopened = false;
        if (n <= 0) {
            f->eof = true; /* an error ends reading as end of file does */
            return false;
        }
        f->len += n;
        return true;
    }
}

static hale_str take(hale_region *into, hale_file *f, int64_t n) {
    hale_str line = hale_str_copy(into, (hale_str){f->buf + f->pos, n});
    f->pos += n;
    return line;
}

hale_str hale_file_read_line(hale_region *into, hale_file *f) {
    int64_t scanned = 0; /* bytes after pos already known to hold no newline */
    for (;;) {
        int64_t avail = f->len - f->pos;
        if (avail > scanned) {
            const char *start = f->buf + f->pos;
            const char *nl = memchr(start + scanned, '\n', (size_t)(avail - scanned));
            if (nl) {
                return take(into, f, (int64_t)(nl - start) + 1);
            }
            scanned = avail;
        }
        if (!fill(f)) {
            return avail ? take(into, f, avail) : (hale_str){"", 0}; /* a last unended line */
        }
    }
}

bool hale_file_at_eof(hale_file *f) {
    return f->pos == f->len && !fill(f);
}

static bool write_all(hale_file *f, const void *p, int64_t n, hale_io_error *e) {
    if (f->fd < 0) {
        hale_io_error_set(e, EBADF, "write", "");
        return false;
    }
    const char *q = p;
    while (n > 0) {
        hale_diag_count_syscall(HALE_SYSCALL_WRITE);
        ssize_t k = write(f->fd, q, (size_t)n);
        if (k < 0 && errno == EINTR) {
            continue;
        }
        if (k < 0 && errno == EAGAIN) {
            if (hale_wait_fd(f->fd, HALE_WRITABLE, -1) > 0) {
                continue;
            }
            errno = ECANCELED;
        }
        if (k < 0) {
            hale_io_error_set(e, errno, "write", "");
            return false;
        }
        q += k;
        n -= k;
    }
    return true;
}

bool hale_file_write_line(hale_file *f, hale_str s, void *unused, hale_io_error *e) {
    (void)unused;
    return write_all(f, s.ptr, s.len, e) && write_all(f, "\n", 1, e);
}

bool hale_file_write_bytes(hale_file *f, hale_bytes b, void *unused, hale_io_error *e) {
    (void)unused;
    return write_all(f, b.ptr, b.len, e);
}

bool hale_file_seek(hale_file *f, int64_t off, void *unused, hale_io_error *e) {
    (void)unused;
    if (f->fd < 0 || off < 0) {
        hale_io_error_set(e, f->fd < 0 ? EBADF : EINVAL, "seek", "");
        return false;
    }
    if (lseek(f->fd, (off_t)off, SEEK_SET) < 0) {
        hale_io_error_set(e, errno, "seek", "");
        return false;
    }
    f->pos = f->len = 0;
    f->eof = false;
    return true;
}
