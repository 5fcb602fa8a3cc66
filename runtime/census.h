/* Loci alive by type, for the metrics endpoint (metrics.h): how many of each locus type are
 * instantiated and not yet freed, and how many were instantiated in all.
 *
 * Off unless metrics are on (hale_census_enable, before the first locus), so a program that is
 * not scraped pays one relaxed load per instantiation and per free. On, each costs a lookup in
 * a small open-addressing table keyed by the type descriptor's address and one relaxed atomic
 * add; a scrape reads the table without stopping anyone. Types past the table's 255 slots are
 * counted together under the name "(other)". */
#ifndef HALE_RUNTIME_CENSUS_H
#define HALE_RUNTIME_CENSUS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

extern atomic_bool hale_census_on;

static inline bool hale_census_enabled(void) {
    return atomic_load_explicit(&hale_census_on, memory_order_relaxed);
}

void hale_census_enable(void);

/* `type` identifies the type (its descriptor), `name` names it (lives as long as the program). */
void hale_census_born(const void *type, const char *name);
void hale_census_freed(const void *type, const char *name);

typedef void (*hale_census_fn)(const char *name, int64_t alive, int64_t created, void *arg);

/* Calls fn for every type seen so far, in the order they were first seen. */
void hale_census_foreach(hale_census_fn fn, void *arg);

#endif
