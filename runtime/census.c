/* See census.h. A slot is claimed once (compare-and-swap on its key) and never given back, so a
 * reader can walk the table at any moment: a key it sees non-NULL has its name published with
 * it (release/acquire), and the counts are relaxed atomics. First-seen order is kept in `order`
 * for stable output. */
#include "census.h"

#include <stddef.h>

#define SLOTS 256 /* power of two; the last one is "(other)" */

typedef struct {
    _Atomic(const void *) key;
    const char *name;
    _Atomic int64_t alive;
    _Atomic int64_t created;
} slot;

atomic_bool hale_census_on;
static slot table[SLOTS];
static _Atomic int order[SLOTS];
static _Atomic int nseen;

void hale_census_enable(void) {
    atomic_store_explicit(&hale_census_on, true, memory_order_relaxed);
}

/* The claimer of a slot names it, then makes it visible to readers (which only go through
 * `order`, so they never see a slot before its name). */
static void publish(slot *s, const char *name, int index1) {
    s->name = name;
    int at = atomic_fetch_add_explicit(&nseen, 1, memory_order_relaxed);
    atomic_store_explicit(&order[at], index1, memory_order_release);
}

static slot *find(const void *type, const char *name) {
    uintptr_t h = (uintptr_t)type;
    h ^= h >> 17;
    h *= 0x9E3779B97F4A7C15u;
    size_t i = (size_t)(h >> 40) % (SLOTS - 1);
    for (size_t probe = 0; probe < SLOTS - 1; probe++, i = (i + 1) % (SLOTS - 1)) {
        const void *k = atomic_load_explicit(&table[i].key, memory_order_acquire);
        if (k == type) {
            return &table[i];
        }
        if (k == NULL) {
            /* claim it; the winner names it before publishing it in `order` */
            slot *s = &table[i];
            const void *expected = NULL;
            if (atomic_compare_exchange_strong_explicit(
                    &s->key, &expected, type, memory_order_acq_rel, memory_order_acquire)) {
                publish(s, name, (int)i + 1);
                return s;
            }
            if (expected == type) {
                return s;
            }
        }
    }
    slot *other = &table[SLOTS - 1];
    const void *expected = NULL;
    if (atomic_compare_exchange_strong(&other->key, &expected, (const void *)other)) {
        publish(other, "(other)", SLOTS);
    }
    return other;
}

void hale_census_born(const void *type, const char *name) {
    slot *s = find(type, name);
    atomic_fetch_add_explicit(&s->alive, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->created, 1, memory_order_relaxed);
}

void hale_census_freed(const void *type, const char *name) {
    atomic_fetch_sub_explicit(&find(type, name)->alive, 1, memory_order_relaxed);
}

void hale_census_foreach(hale_census_fn fn, void *arg) {
    int n = atomic_load_explicit(&nseen, memory_order_relaxed);
    for (int k = 0; k < n && k < SLOTS; k++) {
        int i = atomic_load_explicit(&order[k], memory_order_acquire);
        if (i == 0) {
            continue; /* claimed, not yet recorded: next scrape */
        }
        slot *s = &table[i - 1];
        fn(s->name, atomic_load_explicit(&s->alive, memory_order_relaxed),
           atomic_load_explicit(&s->created, memory_order_relaxed), arg);
    }
}
