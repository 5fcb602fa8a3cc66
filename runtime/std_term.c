/* See std_term.h. */
#include "std_term.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "diag.h"
#include "io.h"
#include "scheduler.h"
#include "str.h"

/* ---- stdin ---- */

static pthread_mutex_t in_lock = PTHREAD_MUTEX_INITIALIZER;
static char *in_buf;
static int64_t in_pos, in_len, in_cap;
static bool in_eof;
static _Thread_local int64_t last_status;

/* Whether a read of fd 0 may have to wait (a pipe, terminal or socket, not a file). */
static bool may_wait(void) {
    struct stat st;
    return fstat(0, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode) &&
           !(S_ISCHR(st.st_mode) && !isatty(0));
}

/* Waits (parking) until fd 0 is readable or timeout_ns passed (< 0: no limit): 1, 0 on timeout,
 * -1 when the wait was cancelled. The lock is not held while parked. */
static int wait_readable(int64_t timeout_ns) {
    if (!may_wait()) {
        return 1;
    }
    int w = hale_wait_fd(0, HALE_READABLE, timeout_ns);
    return w > 0 ? 1 : w == 0 ? 0 : -1;
}

/* One read(2) appended to the buffer (under the lock): >0 bytes, 0 end of input, -1 error. */
static int64_t fill_locked(void) {
    if (in_pos > 0) {
        memmove(in_buf, in_buf + in_pos, (size_t)(in_len - in_pos));
        in_len -= in_pos;
        in_pos = 0;
    }
    if (in_len == in_cap) {
        int64_t cap = in_cap ? in_cap * 2 : 4096;
        char *nb = hale_sys_realloc(in_buf, (size_t)cap);
        if (!nb) {
            return -1;
        }
        in_buf = nb;
        in_cap = cap;
    }
    for (;;) {
        hale_diag_count_syscall(HALE_SYSCALL_READ);
        ssize_t n = read(0, in_buf + in_len, (size_t)(in_cap - in_len));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            in_eof = true;
            return n < 0 ? -1 : 0;
        }
        in_len += n;
        return n;
    }
}

hale_str hale_stdin_read_line(hale_region *into) {
    int64_t scanned = 0;
    pthread_mutex_lock(&in_lock);
    for (;;) {
        int64_t avail = in_len - in_pos;
        char *nl = avail > scanned
                       ? memchr(in_buf + in_pos + scanned, '\n', (size_t)(avail - scanned))
                       : NULL;
        if (nl || (in_eof && avail > 0)) {
            int64_t n = nl ? (int64_t)(nl - (in_buf + in_pos)) : avail;
            int64_t keep = n;
            if (keep > 0 && in_buf[in_pos + keep - 1] == '\r') {
                keep--;
            }
            hale_str line = hale_str_copy(into, (hale_str){in_buf + in_pos, keep});
            in_pos += nl ? n + 1 : n;
            pthread_mutex_unlock(&in_lock);
            last_status = 0;
            return line;
        }
        if (in_eof) {
            pthread_mutex_unlock(&in_lock);
            last_status = -1;
            return (hale_str){"", 0};
        }
        scanned = avail;
        pthread_mutex_unlock(&in_lock);
        int w = wait_readable(-1);
        pthread_mutex_lock(&in_lock);
        if (w < 0) {
            pthread_mutex_unlock(&in_lock);
            last_status = -1;
            return (hale_str){"", 0};
        }
        if (!in_eof) {
            fill_locked();
        }
    }
}

int64_t hale_stdin_read_line_status(void) {
    return last_status;
}

int64_t hale_stdin_read_byte(int64_t timeout_ms) {
    pthread_mutex_lock(&in_lock);
    if (in_pos == in_len && !in_eof) {
        pthread_mutex_unlock(&in_lock);
        int w = wait_readable(timeout_ms <= 0 ? 0 : timeout_ms * 1000000);
        if (w < 0) {
            return -2;
        }
        if (w == 0) {
            return -1;
        }
        pthread_mutex_lock(&in_lock);
        if (in_pos == in_len && !in_eof) {
            fill_locked();
        }
    }
    int64_t r = in_pos < in_len ? (unsigned char)in_buf[in_pos++] : -2;
    pthread_mutex_unlock(&in_lock);
    return r;
}

/* ---- stdout ---- */

int64_t hale_stdout_write_bytes(hale_str s) {
    hale_out_flush();
    int64_t done = 0;
    while (done < s.len) {
        hale_diag_count_syscall(HALE_SYSCALL_WRITE);
        ssize_t n = write(1, s.ptr + done, (size_t)(s.len - done));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno == EAGAIN) {
            if (hale_wait_fd(1, HALE_WRITABLE, -1) < 0) {
                return -1;
            }
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        done += n;
    }
    return done;
}

/* ---- term ---- */

bool hale_term_is_tty(int64_t fd) {
    return fd >= 0 && fd <= 0x7fffffff && isatty((int)fd);
}

void hale_term_size_get(hale_term_size *out) {
    struct winsize ws;
    out->cols = out->rows = 0;
    if (isatty(1) && ioctl(1, TIOCGWINSZ, &ws) == 0) {
        out->cols = ws.ws_col;
        out->rows = ws.ws_row;
    }
}

static pthread_mutex_t raw_lock = PTHREAD_MUTEX_INITIALIZER;
static struct termios raw_saved;
static int raw_depth; /* RawMode loci alive; the terminal is restored when it drops to 0 */
static bool raw_atexit;

static void raw_restore(void) {
    tcsetattr(0, TCSAFLUSH, &raw_saved);
}

void hale_raw_mode_init(hale_raw_mode *m) {
    m->active = false;
    if (!isatty(0)) {
        return;
    }
    pthread_mutex_lock(&raw_lock);
    if (raw_depth == 0) {
        struct termios t;
        if (tcgetattr(0, &raw_saved) != 0) {
            pthread_mutex_unlock(&raw_lock);
            return;
        }
        t = raw_saved;
        t.c_lflag &= ~(tcflag_t)(ECHO | ICANON | ISIG | IEXTEN);
        t.c_iflag &= ~(tcflag_t)(IXON | ICRNL | BRKINT | INPCK | ISTRIP);
        t.c_cc[VMIN] = 1;
        t.c_cc[VTIME] = 0;
        if (tcsetattr(0, TCSAFLUSH, &t) != 0) {
            pthread_mutex_unlock(&raw_lock);
            return;
        }
        if (!raw_atexit) {
            atexit(raw_restore);
            raw_atexit = true;
        }
    }
    raw_depth++;
    m->active = true;
    pthread_mutex_unlock(&raw_lock);
}

void hale_raw_mode_dissolve(hale_raw_mode *m) {
    if (!m->active) {
        return;
    }
    pthread_mutex_lock(&raw_lock);
    if (--raw_depth == 0) {
        raw_restore();
    }
    m->active = false;
    pthread_mutex_unlock(&raw_lock);
}
