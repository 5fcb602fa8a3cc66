/* CPU sets for placement: `pinned(core = N)`, `pinned(cores = a..b | a..=b | {a, b})`, and the
 * same forms on a cooperative pool.
 *
 * Affinity is best-effort, as Hale specifies: CPUs that do not exist or that the process may not
 * use are skipped, and when nothing is left the thread simply runs unpinned. A program behaves
 * the same either way; only where the OS may run the thread changes. */
#ifndef HALE_RUNTIME_AFFINITY_H
#define HALE_RUNTIME_AFFINITY_H

#include <stdbool.h>
#include <stdint.h>

#define HALE_CPUS_MAX 1024

typedef struct {
    uint64_t bits[HALE_CPUS_MAX / 64];
} hale_cpus;

void hale_cpus_clear(hale_cpus *s);

/* Adds one CPU; indices outside [0, HALE_CPUS_MAX) are ignored. */
void hale_cpus_add(hale_cpus *s, int cpu);

/* Adds lo..hi, including hi when `inclusive` (Hale's `..=`), excluding it otherwise (`..`). */
void hale_cpus_add_range(hale_cpus *s, int lo, int hi, bool inclusive);

bool hale_cpus_has(const hale_cpus *s, int cpu);
int hale_cpus_count(const hale_cpus *s);
bool hale_cpus_empty(const hale_cpus *s);

/* Restricts the calling thread to the CPUs of `want` that this process may use. Returns the
 * number of CPUs the thread is now bound to, 0 when none was usable (the thread is left as it
 * was), or 0 when `want` is empty. `applied`, when not NULL, receives the effective set. */
int hale_cpus_apply_self(const hale_cpus *want, hale_cpus *applied);

#endif
