/* Where the program meets the cross-process bus: the bindings table generated code hands over,
 * and the hooks a transport library installs to open, drive and close them.
 *
 * Why a hook. libhale must not depend on nng, libsodium or msgpack: a program that binds nothing
 * links none of it. So the runtime only keeps the table and calls a transport's functions at
 * the program's fixed points; the transport (transport/bus_bind.c, in libhale_transport)
 * registers them when generated code calls it. Every program that binds a topic calls
 * `tp_bind_program(table, n)` in its C `main`, before hale_program_run.
 *
 * The table has one row per topic of the program (bus.h's ids), bound in the source or not: a
 * deploy-time route (HALE_BUS_CONFIG) may bind any topic, and the transport needs to know
 * whether this program publishes or subscribes it to infer the role.
 *
 * Fixed points, all on the main thread:
 *   open     after the bus booted, before `fn main` starts: open every binding; a failure is a
 *            birth failure (the program prints the message and exits 1 before any locus runs)
 *   start    right after: start the receiving and link-watching coroutines on the main pool
 *   stop     `fn main` has returned and the tree is gone: stop those coroutines (the scheduler
 *            returns once no coroutine is alive)
 *   close    after the scheduler stopped, before the bus shuts down: flush, dump counters when
 *            HALE_BUS_COUNTERS_DUMP=1, close */
#ifndef HALE_RUNTIME_LOCUS_BIND_H
#define HALE_RUNTIME_LOCUS_BIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "locus.h"

enum { HALE_BIND_INFER = -1, HALE_BIND_LISTEN = 0, HALE_BIND_DIAL = 1 };

typedef struct {
    int topic;         /* bus topic id */
    const char *url;   /* "ipc:///p" (unix("/p")), "tcp://h:p"; NULL: not bound in the source */
    int role;          /* HALE_BIND_* (`role:` in the source) */
    bool publishes;    /* some locus type of the program declares `publish` for it */
    bool subscribes;   /* ... `subscribe` */
    const char *where; /* "file:line:col" of the `bindings` entry, or NULL */
} hale_bind_desc;

/* `on_failure(t: std::bus::UnixTransport, err: ClosureViolation)` on the main locus: the hook
 * that runs its body, called by the transport when a dial-side link is lost. `link` is the
 * transport's handle (what `restart(t)` gets); NULL when main declares none. */
typedef void (*hale_bind_failure_fn)(hale_region *ho, hale_region *hm, void *main_state, void *link,
                                     const hale_violation *err);

typedef struct {
    int (*open)(const hale_bind_desc *d, size_t n, char *err, size_t errlen);
    void (*start)(void);
    void (*stop)(void);
    void (*close)(void);
} hale_bind_ops;

/* Generated code (through the transport): the table and the transport's hooks. */
void hale_program_bind(const hale_bind_desc *d, size_t n, const hale_bind_ops *ops);

/* Generated code: main's transport supervision (its type and the on_failure body). */
void hale_program_bind_failure(const hale_locus_type *main_type, hale_bind_failure_fn fn);

/* For the transport: runs main's on_failure for a lost link. Returns 1 when it ran (the main
 * locus is alive and declares one), 0 when there is none (the loss is then fatal). On the main
 * pool, from a coroutine. */
int hale_bind_run_failure(void *link, const hale_violation *err);

/* Waits for `fd` (HALE_READABLE/HALE_WRITABLE) up to timeout_ns (< 0: no limit) from locus
 * code: a parked `or wait` send. Returns as hale_wait_fd. */
int hale_bind_wait_fd(int fd, int events, int64_t timeout_ns);

/* Sleeps ns from locus code. Returns as hale_sleep. */
int hale_bind_sleep(int64_t ns);

/* True once the program is stopping (a signal): waits give up. Any thread. */
bool hale_program_shutting_down(void);

/* Called by the program at its fixed points (program.c). */
void hale_locus_bind_open(void);
void hale_locus_bind_start(void);
void hale_locus_bind_stop(void);
void hale_locus_bind_close(void);

#endif
