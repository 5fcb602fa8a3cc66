/* The one way the runtime gives up: a message on stderr naming what failed, then abort().
 * Reserved for states the program cannot continue from (out of memory, a broken runtime
 * invariant); everything a user can cause is reported through supervision instead. */
#ifndef HALE_RUNTIME_FATAL_H
#define HALE_RUNTIME_FATAL_H

#include <stddef.h>

#if defined(__GNUC__)
#define HALE_NORETURN __attribute__((noreturn))
#define HALE_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define HALE_NORETURN
#define HALE_PRINTF(a, b)
#endif

HALE_NORETURN void hale_fatal(const char *fmt, ...) HALE_PRINTF(1, 2);

/* Out of memory while allocating `size` bytes for `what`. */
HALE_NORETURN void hale_oom(size_t size, const char *what);

#endif
