/* Arena residency: which regions are alive and how big they are, while the program runs.
 *
 * With HALE_ARENA_RESIDENCY=1 every region created by `hale_region_new` (locus regions, slot and
 * form regions; not scratch sides, which reset at every call) is entered in a registry at birth
 * and removed at free. A dump lists them largest first with name, used and reserved bytes and the
 * parent's name, so "which locus keeps growing" is answered by two dumps a minute apart. The
 * runtime starts the heartbeat (`hale_arena_residency_start`) at boot when the knob is set; a
 * program or test can dump at any moment. Off, the registry costs one flag test per region
 * creation and nothing per allocation. */
#ifndef HALE_RUNTIME_RESIDENCY_H
#define HALE_RUNTIME_RESIDENCY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "region.h"

typedef struct {
    const char *name;
    const char *parent; /* the parent region's name, NULL for a root */
    size_t used;
    size_t reserved;
    hale_gen generation;
} hale_region_info;

/* 1 when registration is on: HALE_ARENA_RESIDENCY set to anything but "" or "0", read once, or
 * forced with `hale_arena_residency_set_enabled`. Only regions created while it is on are listed.
 */
int hale_arena_residency_enabled(void);
void hale_arena_residency_set_enabled(int on);

/* Copies up to `max` live registered regions into `out`; returns how many are registered (which
 * may exceed `max`). */
size_t hale_arena_residency_snapshot(hale_region_info *out, size_t max);

/* Writes one line per live registered region, largest reservation first, headed by a summary
 * line. Returns the number of regions listed. */
size_t hale_arena_residency_dump(FILE *f);

/* Starts a background thread that dumps to `f` (stderr when NULL) every `interval_ms`
 * milliseconds (HALE_ARENA_RESIDENCY_INTERVAL_MS or 1000 when <= 0). Returns 0, or -1 when a
 * heartbeat already runs or the thread cannot start. */
int hale_arena_residency_start(int64_t interval_ms, FILE *f);

/* Stops the heartbeat and waits for its thread; harmless when none runs. */
void hale_arena_residency_stop(void);

#endif
