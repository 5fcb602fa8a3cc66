/* std::diag and std::process::rss_bytes: the counters a program or test reads to assert that a
 * steady-state loop did what it should ("allocated nothing", "one read per poll").
 *
 * heap_alloc_count is `hale_diag_heap_alloc_count` (region.h): every system allocation the
 * runtime makes goes through hale_sys_*. syscall_count counts the I/O system calls the runtime's
 * own wrappers make: each wrapper calls `hale_diag_count_syscall(HALE_SYSCALL_X)` next to the
 * call itself (tcp.c: accept, connect, send, recv, close; std_fs.c: open, read, write, close;
 * io.c: the writes that flush printed output). Counters are process-wide, monotonic, one cache line
 * each (threads bumping different counters do not contend), relaxed atomics. Unlike Hale's
 * link-time shim they work in sanitizer builds too, so they never answer -1 except for an unknown
 * name.
 *
 * Generated code:
 *   std::diag::heap_alloc_count()    hale_diag_heap_alloc_count()
 *   std::diag::syscall_count(name)   hale_diag_syscall_count(name)     (-1: unknown name)
 *   std::process::rss_bytes()        hale_process_rss_bytes()
 *   std::process::peak_rss_bytes()   hale_process_peak_rss_bytes() */
#ifndef HALE_RUNTIME_DIAG_H
#define HALE_RUNTIME_DIAG_H

#include <stdint.h>

#include "value.h"

typedef enum {
    HALE_SYSCALL_READ,
    HALE_SYSCALL_WRITE,
    HALE_SYSCALL_RECV,
    HALE_SYSCALL_RECVMSG,
    HALE_SYSCALL_RECVFROM,
    HALE_SYSCALL_SEND,
    HALE_SYSCALL_SENDMSG,
    HALE_SYSCALL_SENDTO,
    HALE_SYSCALL_ACCEPT,
    HALE_SYSCALL_CONNECT,
    HALE_SYSCALL_OPEN,
    HALE_SYSCALL_CLOSE,
    HALE_SYSCALL_COUNT_
} hale_syscall;

/* Called by the runtime's I/O wrappers, once per system call made. */
void hale_diag_count_syscall(hale_syscall s);

/* The count for a name ("read", "write", "recv", "recvmsg", "recvfrom", "send", "sendmsg",
 * "sendto", "accept", "connect", "open", "close"), or -1 for any other name. */
int64_t hale_diag_syscall_count(hale_str name);

/* The count by id, and the name of an id (NULL when out of range). */
int64_t hale_diag_syscall_count_id(hale_syscall s);
const char *hale_diag_syscall_name(hale_syscall s);

/* Current resident set size in bytes, from /proc/self/statm; the peak (getrusage) where statm
 * cannot be read; 0 if neither works. Allocates nothing. */
int64_t hale_process_rss_bytes(void);

/* The peak resident set size of the process so far, in bytes (getrusage); 0 if unknown. */
int64_t hale_process_peak_rss_bytes(void);

/* Arms the memory diagnostics knobs at program start: with HALE_ARENA_RESIDENCY=1 a heartbeat
 * dumping live regions to stderr (HALE_ARENA_RESIDENCY_INTERVAL_MS, default 1000), with
 * HALE_CHUNK_POOL_STATS=1 the chunk pool report at exit. `hale_diag_shutdown` stops the heartbeat
 * and, with residency on, writes one last dump. */
void hale_diag_boot(void);
void hale_diag_shutdown(void);

#endif
