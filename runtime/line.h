/* A counter on a cache line of its own.
 *
 * Why: a value that every message reads (the bus's count of routed topics) or that many threads
 * write (system-call counts, busy mailboxes) must not share its 64-byte line with anything
 * another thread writes, or each of those accesses misses. alignas on the first member aligns
 * the struct and rounds its size up to the whole line, so nothing the linker places next to it
 * can sit on that line. */
#ifndef HALE_RUNTIME_LINE_H
#define HALE_RUNTIME_LINE_H

#include <stdatomic.h>
#include <stdint.h>

typedef struct {
    _Alignas(64) _Atomic int64_t n;
} hale_line_counter;

#endif
