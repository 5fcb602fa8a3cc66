/* Deep copy, release, equality, hashing, ordering and debug printing of Hale values, by walking
 * their type descriptors (value.h).
 *
 * These are the algorithms generated code needs for every type, written once: a value persisted
 * into `self` is deep-copied into the locus region, a value stored in a form container is copied
 * into the container's heap and released from it when replaced or removed, a hashmap hashes and
 * compares its keys, and `sort` orders elements. Flat types take the memcpy/memcmp path at the
 * top, so the walk costs nothing for the common scalar and flat-record cases.
 *
 * A copy owns all of its heap parts (string bytes, array storage), so a copy made into a heap can
 * be released part by part without touching any other value. Empty strings and arrays own nothing
 * (their pointer may be a shared empty literal or NULL). */
#ifndef HALE_RUNTIME_COPY_H
#define HALE_RUNTIME_COPY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "heap.h"
#include "region.h"
#include "value.h"

/* Copies the value at `src` into `dst` (both t->size bytes), allocating every heap part of the
 * copy in `into`. `dst == src` re-homes a value in place; other overlaps are not allowed. */
void hale_value_copy(const hale_type *t, void *dst, const void *src, hale_region *into);

/* The same, allocating from a heap, so the copy can later be given back with
 * `hale_value_release`. */
void hale_value_copy_heap(const hale_type *t, void *dst, const void *src, hale_heap *into);

/* Reads a value out of a container: a deep copy into `into`, or (no region, or a flat type) its
 * bytes as they are, borrowing the container's heap parts. */
static inline void hale_value_read(const hale_type *t, void *out, const void *v,
                                   hale_region *into) {
    if (into && !t->flat) {
        hale_value_copy(t, out, v, into);
    } else {
        memcpy(out, v, t->size);
    }
}

/* Bytes the heap parts of a copy of the value at `v` take, alignment padding included, so one
 * block of t->size plus this many bytes holds a whole copy (the bus's deliveries). */
size_t hale_value_copy_extra(const hale_type *t, const void *v);

/* The same copy, taking the heap parts from `*bump` (advanced past them), which has room for
 * hale_value_copy_extra(t, src) bytes. */
void hale_value_copy_bump(const hale_type *t, void *dst, const void *src, char **bump);

/* Gives the heap parts of a value made by `hale_value_copy_heap(t, v, _, from)` back to `from`
 * and leaves `v` an empty value of its type (the value's own t->size bytes are the caller's). */
void hale_value_release(const hale_type *t, void *v, hale_heap *from);

/* Replaces the heap-made value at `dst` with a heap copy of `src`, then releases the old one.
 * `src` may be `dst` itself or live inside the old value (`c.tags = c.tags[0..]`). */
void hale_value_replace_heap(const hale_type *t, void *dst, const void *src, hale_heap *h);

/* Structural equality: Float by `==` (NaN is unequal to itself), records field by field, arrays
 * and bounded lists by length and elements, strings and bytes by content. */
bool hale_value_equal(const hale_type *t, const void *a, const void *b);

/* A hash consistent with hale_value_equal (0.0 and -0.0 hash alike). */
uint64_t hale_value_hash(const hale_type *t, const void *v);

/* A total order for sorting: numbers by value (a NaN compares equal to anything, so sorting never
 * faults), Bool false < true, enums by variant index, strings and bytes bytewise (a prefix first),
 * records field by field, arrays and bounded lists element by element then by length. */
int hale_value_compare(const hale_type *t, const void *a, const void *b);

/* Writes a readable rendering for diagnostics and tests: `Msg { room: "a", n: 1 }`, `[1, 2]`,
 * strings quoted with escapes, enums by variant name, Duration in nanoseconds ("1500ns"). */
void hale_value_debug(const hale_type *t, const void *v, FILE *f);

#endif
