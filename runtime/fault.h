/* Runtime faults of a Hale program: an index out of range, a division by zero, an error raised
 * past every fallible frame. The program's output so far is flushed, one line names the place
 * in the Hale source (file:line:col, compiled into the call) and what went wrong, and the
 * process exits with status 1. (Inside loci, the locus runtime turns faults into failures for
 * supervision; a sequential program has no supervisor, so the fault ends it.) */
#ifndef HALE_RUNTIME_FAULT_H
#define HALE_RUNTIME_FAULT_H

#include <stdint.h>

#include "fatal.h"

struct hale_sbuf;

HALE_NORETURN void hale_fault(const char *where, const char *fmt, ...) HALE_PRINTF(2, 3);
HALE_NORETURN void hale_fault_index(const char *where, int64_t index, int64_t len);
/* An error value raised with `or raise` where no fallible function can take it; `payload`
 * holds its formatted value. */
HALE_NORETURN void hale_fault_unhandled(const char *where, const char *type,
                                        struct hale_sbuf *payload);

/* The locus runtime turns a fault inside a locus into a failure for its supervisor: `hook` gets
 * the formatted message ("file:line:col: runtime error: ...") and does not return when it took
 * the fault over; when it returns, the fault ends the program as above. NULL removes it. */
void hale_fault_set_hook(void (*hook)(const char *message));

#endif
