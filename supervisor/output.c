/* See output.h. */
#include "output.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void emit(const char *prefix, const char *line, size_t n, int out_fd) {
    char out[SV_LINE_MAX + 128];
    int p = snprintf(out, sizeof out, "%.100s | ", prefix);
    if (p < 0) {
        return;
    }
    memcpy(out + p, line, n);
    out[(size_t)p + n] = '\n';
    size_t total = (size_t)p + n + 1, done = 0;
    while (done < total) {
        ssize_t w = write(out_fd, out + done, total - done);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return; /* nowhere to write (closed stdout): drop, never stall the supervisor */
        }
        done += (size_t)w;
    }
}

void sv_lines_feed(sv_linebuf *b, const char *prefix, const char *data, size_t n, int out_fd) {
    for (size_t i = 0; i < n; i++) {
        char c = data[i];
        if (c == '\n') {
            size_t len = b->len;
            if (len > 0 && b->buf[len - 1] == '\r') {
                len--;
            }
            emit(prefix, b->buf, len, out_fd);
            b->len = 0;
            continue;
        }
        if (b->len == sizeof b->buf) {
            emit(prefix, b->buf, b->len, out_fd);
            b->len = 0;
        }
        b->buf[b->len++] = c;
    }
}

void sv_lines_flush(sv_linebuf *b, const char *prefix, int out_fd) {
    if (b->len > 0) {
        emit(prefix, b->buf, b->len, out_fd);
        b->len = 0;
    }
}
