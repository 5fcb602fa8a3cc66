#include "fatal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void hale_fatal(const char *fmt, ...) {
    va_list ap;
    fflush(stdout);
    fputs("hale: fatal: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

void hale_oom(size_t size, const char *what) {
    hale_fatal("out of memory allocating %zu bytes for %s", size, what);
}
