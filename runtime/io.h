/* Text output of Hale programs: print/println/eprint/eprintln and the formatting behind
 * to_string.
 *
 * hale_sbuf is one growable text buffer used two ways: in memory (to_string, f-strings,
 * formatting composite values), where it starts in a small inline array and only allocates for
 * long text, and as the stdout/stderr writers (hale_out), which flush to the file descriptor.
 * Stdout is line-buffered on a terminal and block-buffered otherwise (flushed at exit, before a
 * fault and before std::process::exit); stderr is written at the end of every print call.
 * Formatting is the same everywhere: Int in decimal, Float like C's %g, Bool as true/false,
 * Duration as <n>ns, a String as its text (quoted when inside a record, array or tuple). */
#ifndef HALE_RUNTIME_IO_H
#define HALE_RUNTIME_IO_H

#include <stddef.h>
#include <stdint.h>

#include "region.h"
#include "value.h"

typedef struct hale_sbuf {
    char *p;
    size_t len, cap;
    int fd; /* 0: memory; 1 or 2: a stream */
    char small[240];
} hale_sbuf;

void hale_sbuf_put(hale_sbuf *b, const char *s, size_t n);
void hale_sbuf_puts(hale_sbuf *b, const char *s);
/* The text so far (valid until the next write). */
hale_str hale_sbuf_view(hale_sbuf *b);
/* Copies the text into `r` and releases the buffer. */
hale_str hale_sbuf_take(hale_region *r, hale_sbuf *b);
void hale_sbuf_release(hale_sbuf *b);

void hale_fmt_int(hale_sbuf *b, int64_t v, int nested);
void hale_fmt_float(hale_sbuf *b, double v, int nested);
void hale_fmt_bool(hale_sbuf *b, bool v, int nested);
void hale_fmt_duration(hale_sbuf *b, int64_t ns, int nested);
void hale_fmt_str(hale_sbuf *b, hale_str s, int nested);
/* A Time (Hale's v0: its literal's spelling) prints as written, never quoted. */
static inline void hale_fmt_time(hale_sbuf *b, hale_str s, int nested) {
    (void)nested;
    hale_sbuf_put(b, s.ptr, (size_t)s.len);
}
/* Bytes print as a summary, never their body: `<bytes len=N>`. */
void hale_fmt_bytes(hale_sbuf *b, hale_bytes v, int nested);

/* The writer for fd 1 (stdout) or 2 (stderr). */
hale_sbuf *hale_out(int fd);
/* Ends one print call: adds a newline when asked and flushes as the stream's policy says. */
void hale_out_done(hale_sbuf *b, int newline);
/* Flushes stdout and stderr. */
void hale_out_flush(void);
/* Chooses stdout's buffering (line-buffered on a terminal). Called by hale_start. */
void hale_out_init(void);

#endif
