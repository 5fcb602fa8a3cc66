/* The transport's log sink (see log.h). */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>

static tp_log_fn sink;
static void *sink_ctx;

void tp_log_set(tp_log_fn fn, void *ctx) {
    sink = fn;
    sink_ctx = ctx;
}

void tp_log(const char *fmt, ...) {
    char line[512];
    int n = snprintf(line, sizeof line, "hale: bus: ");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    if (sink) {
        sink(sink_ctx, line);
    } else {
        fprintf(stderr, "%s\n", line);
    }
}
