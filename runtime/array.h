/* Arrays of generated code (value.h's hale_array): element storage allocated in a region. */
#ifndef HALE_RUNTIME_ARRAY_H
#define HALE_RUNTIME_ARRAY_H

#include <stddef.h>
#include <stdint.h>

#include "region.h"
#include "value.h"

/* An array of `n` elements of `size` bytes aligned to `align`, in `r` (contents
 * unspecified). */
hale_array hale_array_new(hale_region *r, int64_t n, size_t size, size_t align);

#endif
