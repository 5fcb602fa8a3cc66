/* The program's bindings on the transport: what generated code calls to carry bound topics
 * across processes (runtime/locus_bind.h describes the table and the fixed points).
 *
 * At boot every topic with a URL (from `bindings { }`, or a HALE_BUS_CONFIG route, which wins)
 * gets a binding; topics on one URL share it. The role is the route's, else the source's
 * `role:`, else inferred (a publisher dials, a subscriber listens: fan-in). A binding that
 * cannot open refuses the boot with "binding `SUBJECT` (URL) could not be realized: why".
 *
 * Publishing: the bus hands every local publish of a bound topic to the binding (after local
 * delivery). Backpressure from a live link makes the publisher wait (a coroutine parks, as a full
 * in-process mailbox does); with no link a plain send is a counted drop (`send_dropped`, and
 * `refused` on the bus topic) and `T <- v or wait;` parks until the link is back (raising
 * BusFull if it never comes back or the program is stopping).
 *
 * Receiving: one coroutine per receiving binding on the main pool decodes frames into a region
 * of its own and hands each value to the bus (hale_bus_inbound), which copies it for every
 * subscriber and delivers on the subscriber's pool like a local publish.
 *
 * Links: a dial-side binding that loses its last peer is a structural failure on `main`. When
 * main declares `on_failure(t: std::bus::UnixTransport, err: ClosureViolation)` that runs (with
 * `err.message` naming the subject and URL) and `restart(t)` waits for the redial, up to the
 * connect window; without one, or when the redial fails, the program exits 70 naming the
 * subject. */
#ifndef HALE_TRANSPORT_BUS_BIND_H
#define HALE_TRANSPORT_BUS_BIND_H

#include <stddef.h>

#include "locus_bind.h"

/* Generated `main`: registers the table (one row per topic) with the runtime. */
void tp_bind_program(const hale_bind_desc *d, size_t n);

/* `restart(t)` on a transport in main's on_failure: waits until the link is back, up to the
 * connect window (HALE_BUS_CONNECT_MS, default 5000); exits 70 naming the subject if it is not. */
void tp_bind_restart(void *link);

#endif
