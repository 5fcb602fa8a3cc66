/* See fault.h. */
#include "fault.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "io.h"

void hale_fault(const char *where, const char *fmt, ...) {
    hale_out_flush();
    fprintf(stderr, "%s: runtime error: ", where);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
    exit(1);
}

void hale_fault_index(const char *where, int64_t index, int64_t len) {
    hale_fault(where, "index %" PRId64 " is out of range for length %" PRId64, index, len);
}

void hale_fault_unhandled(const char *where, const char *type, struct hale_sbuf *payload) {
    hale_str s = hale_sbuf_view(payload);
    hale_fault(where, "unhandled %s raised: %.*s", type, (int)s.len, s.ptr);
}
