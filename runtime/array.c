/* See array.h. */
#include "array.h"

#include "fatal.h"

hale_array hale_array_new(hale_region *r, int64_t n, size_t size, size_t align) {
    if (n < 0 || (size && (uint64_t)n > ((uint64_t)1 << 48) / size)) {
        hale_fatal("an array of %lld elements of %zu bytes is too large", (long long)n, size);
    }
    hale_array a;
    a.data = hale_region_alloc(r, (size_t)n * size, align ? align : 1);
    a.len = n;
    a.cap = n;
    return a;
}
