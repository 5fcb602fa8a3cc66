/* In-place sorting of an array of fixed-size elements under a comparator with a context.
 *
 * The forms' `sort`, `sort_by` and `sort_desc_by` need a sort that allocates nothing (a hot
 * handler may sort), takes any element size, and survives a comparator that is not a strict weak
 * order (a user `<=`, NaN floats): it then leaves some order, never faults or loops. This is an
 * introsort: quicksort with a median of three, insertion sort for short runs, heapsort once the
 * recursion gets too deep, so the worst case stays O(n log n). Not stable. */
#ifndef HALE_RUNTIME_SORT_H
#define HALE_RUNTIME_SORT_H

#include <stddef.h>

/* < 0, 0, > 0 as a goes before, with, after b. The sort only ever asks whether the result is
 * negative, so a comparator derived from a "less" predicate may answer 0 for "not before". */
typedef int (*hale_cmp_fn)(const void *a, const void *b, void *ctx);

void hale_sort(void *base, size_t n, size_t size, hale_cmp_fn cmp, void *ctx);

#endif
