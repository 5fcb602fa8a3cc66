/* Forwarding a child's stdout and stderr line by line, each line prefixed with the instance
 * name ("api-0 | listening on :8080"), so the output of many processes stays readable when it
 * lands in one journal. A line is written with a single write(2), so lines from different
 * children never interleave mid-line; an over-long line is cut into pieces of SV_LINE_MAX. */
#ifndef HALE_SUPERVISOR_OUTPUT_H
#define HALE_SUPERVISOR_OUTPUT_H

#include <stddef.h>

#define SV_LINE_MAX 4000

typedef struct {
    char buf[SV_LINE_MAX];
    size_t len;
} sv_linebuf;

/* Appends n bytes of output; writes every completed line to out_fd as "prefix | line\n". */
void sv_lines_feed(sv_linebuf *b, const char *prefix, const char *data, size_t n, int out_fd);

/* Writes a pending partial line (output that ended without a newline) and empties the buffer. */
void sv_lines_flush(sv_linebuf *b, const char *prefix, int out_fd);

#endif
