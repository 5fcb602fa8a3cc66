/* See std_bytes.h. */
#include "std_bytes.h"

#include <string.h>

hale_bytes hale_bytes_builder_finish_once(hale_locus *self, hale_bytes_builder *b,
                                          hale_region *into) {
    if (b->finished) {
        hale_closure_report r;
        memset(&r, 0, sizeof r);
        r.closure = "alloc_failed";
        hale_locus_violate(self, &r);
        return (hale_bytes){(const uint8_t *)"", 0};
    }
    b->finished = true;
    return hale_bytes_builder_finish(b, into);
}
