/* A compiled program's `/metrics` endpoint: its counters in the Prometheus text format, for the
 * scraper operators already run, instead of a dump on stderr at exit.
 *
 * On when `HALE_METRICS=ADDR` is set ("127.0.0.1:9465"; port 0 picks a free one), or else when
 * the bus configuration (`HALE_BUS_CONFIG`) has a `[metrics]` table with `listen = "ADDR"`.
 * The program prints `hale: metrics on http://ADDR/metrics` on stderr once it listens; an address
 * that is malformed or cannot be bound refuses the boot (exit 1, naming it), like a binding.
 *
 * The endpoint runs on a thread of its own with its own libev loop, so a scrape never takes a
 * turn from a handler on any pool. It reads counters that are already kept for the dump (relaxed
 * atomics, per-thread blocks summed on demand): nothing is stopped, and nothing on a hot path
 * takes a lock a scrape holds. What it serves:
 *
 *   hale_bus_*_total{topic}          published, delivered, dropped, unmatched, refused, waits,
 *                                    sent, received per topic (bus.h's counters)
 *   hale_region_live_bytes           bytes of chunks held by regions (scratch included)
 *   hale_chunk_pool_*                hits, misses, refills, returns, released, idle chunks
 *   hale_loci_alive{type}            loci instantiated and not yet freed, per locus type
 *   hale_loci_created_total{type}    ... and instantiated in all
 *   hale_pool_*{pool,kind}           run-queue depth (coroutines ready, not yet resumed), inbox
 *                                    depth (messages posted, not yet run), coroutines alive,
 *                                    messages and switches
 *   process_*                        resident memory, CPU seconds, start time, threads
 *
 * and whatever sections other modules add: the transport adds its bindings' counters
 * (transport/metrics.c). */
#ifndef HALE_RUNTIME_METRICS_H
#define HALE_RUNTIME_METRICS_H

#include <stdbool.h>
#include <stddef.h>

#include "metrics_text.h"

/* A part of the scrape written by another module; runs on the metrics thread. */
typedef void (*hale_metrics_section_fn)(hale_mtext *t, void *ctx);

/* Adds a section (at most 8; a second add of the same fn is ignored). Any thread, any time. */
void hale_metrics_add_section(hale_metrics_section_fn fn, void *ctx);

/* Reads the knobs; when metrics are asked for, listens and starts the thread. Returns 0 (also
 * when they are off), or -1 with the reason in err ("HALE_METRICS: metrics address ...").
 * hale_program_run calls it after the bus and the bindings are up. */
int hale_metrics_boot(char *err, size_t errlen);

/* Stops the thread and closes the listener (no-op when off). Before the bus and the scheduler
 * go away. */
void hale_metrics_stop(void);

/* The bound address ("127.0.0.1:40123"), or NULL when metrics are off. */
const char *hale_metrics_address(void);

/* Whether loci are being counted by type (on from hale_metrics_boot with metrics on). */
bool hale_metrics_counting_loci(void);

/* Writes the whole scrape: the runtime's families, then every section. */
void hale_metrics_render(hale_mtext *t);

#endif
