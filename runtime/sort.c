/* See sort.h. Elements move with a byte-wise swap through a small stack buffer (word-sized
 * elements, the common case, take a fast path). Partitioning is Hoare's with bounds checks on
 * both scans, so a comparator that lies cannot walk off the array. */
#include "sort.h"

#include <stdint.h>
#include <string.h>

typedef struct {
    size_t size;
    hale_cmp_fn cmp;
    void *ctx;
} sorter;

static inline char *elt(char *base, size_t i, size_t size) {
    return base + i * size;
}

static inline void swap(char *a, char *b, size_t size) {
    if (a == b) {
        return;
    }
    if (size == 8) {
        uint64_t t;
        memcpy(&t, a, 8);
        memcpy(a, b, 8);
        memcpy(b, &t, 8);
        return;
    }
    char tmp[64];
    while (size > 0) {
        size_t n = size < sizeof tmp ? size : sizeof tmp;
        memcpy(tmp, a, n);
        memcpy(a, b, n);
        memcpy(b, tmp, n);
        a += n;
        b += n;
        size -= n;
    }
}

static inline int less(const sorter *s, const char *a, const char *b) {
    return s->cmp(a, b, s->ctx) < 0;
}

static void insertion(const sorter *s, char *base, size_t n) {
    for (size_t i = 1; i < n; i++) {
        for (size_t j = i; j > 0 && less(s, elt(base, j, s->size), elt(base, j - 1, s->size));
             j--) {
            swap(elt(base, j, s->size), elt(base, j - 1, s->size), s->size);
        }
    }
}

static void sift_down(const sorter *s, char *base, size_t root, size_t n) {
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= n) {
            return;
        }
        if (child + 1 < n && less(s, elt(base, child, s->size), elt(base, child + 1, s->size))) {
            child++;
        }
        if (!less(s, elt(base, root, s->size), elt(base, child, s->size))) {
            return;
        }
        swap(elt(base, root, s->size), elt(base, child, s->size), s->size);
        root = child;
    }
}

static void heapsort(const sorter *s, char *base, size_t n) {
    for (size_t i = n / 2; i-- > 0;) {
        sift_down(s, base, i, n);
    }
    for (size_t end = n; end-- > 1;) {
        swap(base, elt(base, end, s->size), s->size);
        sift_down(s, base, 0, end);
    }
}

/* Moves the median of first, middle and last to the front as the pivot. */
static void median_to_front(const sorter *s, char *base, size_t n) {
    char *a = base, *b = elt(base, n / 2, s->size), *c = elt(base, n - 1, s->size);
    if (less(s, b, a)) {
        swap(a, b, s->size);
    }
    if (less(s, c, b)) {
        swap(b, c, s->size);
        if (less(s, b, a)) {
            swap(a, b, s->size);
        }
    }
    swap(base, b, s->size); /* pivot (the median) at index 0 */
}

static void introsort(const sorter *s, char *base, size_t n, int depth) {
    while (n > 16) {
        if (depth-- == 0) {
            heapsort(s, base, n);
            return;
        }
        median_to_front(s, base, n);
        char *pivot = base;
        size_t i = 0, j = n;
        for (;;) {
            do {
                i++;
            } while (i < n && less(s, elt(base, i, s->size), pivot));
            do {
                j--;
            } while (j > 0 && less(s, pivot, elt(base, j, s->size)));
            if (i >= j) {
                break;
            }
            swap(elt(base, i, s->size), elt(base, j, s->size), s->size);
        }
        swap(base, elt(base, j, s->size), s->size); /* pivot to its place */
        /* recurse into the smaller side, loop on the larger */
        size_t left = j, right = n - j - 1;
        if (left < right) {
            introsort(s, base, left, depth);
            base = elt(base, j + 1, s->size);
            n = right;
        } else {
            introsort(s, elt(base, j + 1, s->size), right, depth);
            n = left;
        }
    }
    insertion(s, base, n);
}

void hale_sort(void *base, size_t n, size_t size, hale_cmp_fn cmp, void *ctx) {
    if (n < 2 || size == 0) {
        return;
    }
    sorter s = {size, cmp, ctx};
    int depth = 0;
    for (size_t m = n; m > 1; m >>= 1) {
        depth += 2;
    }
    introsort(&s, base, n, depth);
}
