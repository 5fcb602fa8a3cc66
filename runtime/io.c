/* See io.h. */
#include "io.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "fatal.h"

#define OUT_CAP ((size_t)64 * 1024)

static char out_storage[2][OUT_CAP];
static hale_sbuf out_bufs[2] = {
    {.p = out_storage[0], .cap = OUT_CAP, .fd = 1},
    {.p = out_storage[1], .cap = OUT_CAP, .fd = 2},
};
static int stdout_line_buffered;
/* Loci on several pools print at once: one print call holds the writers from hale_out to
 * hale_out_done. Recursive, because a fault while formatting flushes from the same thread. */
static pthread_mutex_t out_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

static void write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        hale_diag_count_syscall(HALE_SYSCALL_WRITE);
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            return; /* a closed or failing stream drops output, as stdio does */
        }
        p += w;
        n -= (size_t)w;
    }
}

static void flush_stream(hale_sbuf *b) {
    if (b->len) {
        write_all(b->fd, b->p, b->len);
        b->len = 0;
    }
}

void hale_sbuf_put(hale_sbuf *b, const char *s, size_t n) {
    if (n == 0) {
        return; /* an empty String may be (NULL, 0): a zero value */
    }
    if (b->fd) {
        if (b->len + n > b->cap) {
            flush_stream(b);
            if (n > b->cap) {
                write_all(b->fd, s, n);
                return;
            }
        }
        memcpy(b->p + b->len, s, n);
        b->len += n;
        return;
    }
    if (!b->p) {
        b->p = b->small;
        b->cap = sizeof b->small;
    }
    if (b->len + n > b->cap) {
        size_t cap = b->cap * 2;
        while (cap < b->len + n) {
            cap *= 2;
        }
        char *np;
        if (b->p == b->small) {
            np = hale_sys_malloc(cap);
            if (np) {
                memcpy(np, b->small, b->len);
            }
        } else {
            np = hale_sys_realloc(b->p, cap);
        }
        if (!np) {
            hale_oom(cap, "formatted text");
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

void hale_sbuf_puts(hale_sbuf *b, const char *s) {
    hale_sbuf_put(b, s, strlen(s));
}

hale_str hale_sbuf_view(hale_sbuf *b) {
    hale_str s = {b->p ? b->p : "", (int64_t)b->len};
    return s;
}

void hale_sbuf_release(hale_sbuf *b) {
    if (!b->fd && b->p && b->p != b->small) {
        hale_sys_free(b->p);
    }
    b->p = NULL;
    b->len = b->cap = 0;
}

hale_str hale_sbuf_take(hale_region *r, hale_sbuf *b) {
    hale_str s = {"", (int64_t)b->len};
    if (b->len) {
        char *p = hale_region_alloc(r, b->len, 1);
        memcpy(p, b->p, b->len);
        s.ptr = p;
    }
    hale_sbuf_release(b);
    return s;
}

void hale_fmt_int(hale_sbuf *b, int64_t v, int nested) {
    (void)nested;
    char tmp[32];
    int n = snprintf(tmp, sizeof tmp, "%" PRId64, v);
    hale_sbuf_put(b, tmp, (size_t)n);
}

void hale_fmt_float(hale_sbuf *b, double v, int nested) {
    (void)nested;
    char tmp[64];
    int n = snprintf(tmp, sizeof tmp, "%g", v);
    hale_sbuf_put(b, tmp, (size_t)n);
}

void hale_fmt_bool(hale_sbuf *b, bool v, int nested) {
    (void)nested;
    hale_sbuf_puts(b, v ? "true" : "false");
}

void hale_fmt_duration(hale_sbuf *b, int64_t ns, int nested) {
    hale_fmt_int(b, ns, nested);
    hale_sbuf_put(b, "ns", 2);
}

void hale_fmt_bytes(hale_sbuf *b, hale_bytes v, int nested) {
    (void)nested;
    char tmp[48];
    int n = snprintf(tmp, sizeof tmp, "<bytes len=%lld>", (long long)v.len);
    hale_sbuf_put(b, tmp, (size_t)n);
}

void hale_fmt_str(hale_sbuf *b, hale_str s, int nested) {
    if (!nested) {
        hale_sbuf_put(b, s.ptr, (size_t)s.len);
        return;
    }
    hale_sbuf_put(b, "\"", 1);
    for (int64_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        char esc[8];
        switch (c) {
        case '"':
            hale_sbuf_put(b, "\\\"", 2);
            break;
        case '\\':
            hale_sbuf_put(b, "\\\\", 2);
            break;
        case '\n':
            hale_sbuf_put(b, "\\n", 2);
            break;
        case '\t':
            hale_sbuf_put(b, "\\t", 2);
            break;
        case '\r':
            hale_sbuf_put(b, "\\r", 2);
            break;
        default:
            if (c < 0x20 || c == 0x7f) {
                snprintf(esc, sizeof esc, "\\x%02x", c);
                hale_sbuf_put(b, esc, 4);
            } else {
                hale_sbuf_put(b, (const char *)&s.ptr[i], 1);
            }
        }
    }
    hale_sbuf_put(b, "\"", 1);
}

hale_sbuf *hale_out(int fd) {
    pthread_mutex_lock(&out_lock);
    return &out_bufs[fd == 2 ? 1 : 0];
}

void hale_out_done(hale_sbuf *b, int newline) {
    if (newline) {
        hale_sbuf_put(b, "\n", 1);
    }
    if (b->fd == 2) {
        flush_stream(&out_bufs[0]); /* keep stdout and stderr in order on a terminal */
        flush_stream(b);
    } else if (stdout_line_buffered && newline) {
        flush_stream(b);
    }
    pthread_mutex_unlock(&out_lock);
}

void hale_out_flush(void) {
    pthread_mutex_lock(&out_lock);
    flush_stream(&out_bufs[0]);
    flush_stream(&out_bufs[1]);
    pthread_mutex_unlock(&out_lock);
}

void hale_out_init(void) {
    stdout_line_buffered = isatty(1);
}
