/* See fault.h. */
#include "fault.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "io.h"

static void (*fault_hook)(const char *message);

void hale_fault_set_hook(void (*hook)(const char *message)) {
    fault_hook = hook;
}

void hale_fault(const char *where, const char *fmt, ...) {
    char msg[512];
    int n = snprintf(msg, sizeof msg, "%s: runtime error: ", where);
    va_list ap;
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < sizeof msg) {
        vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
    }
    va_end(ap);
    if (fault_hook) {
        fault_hook(msg); /* returns only when the fault is not inside a locus */
    }
    hale_out_flush();
    fprintf(stderr, "%s\n", msg);
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
