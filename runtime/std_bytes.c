/* See std_bytes.h. */
#include "std_bytes.h"

#include <string.h>

static void violate(hale_locus *self, const char *closure) {
    hale_closure_report r;
    memset(&r, 0, sizeof r);
    r.closure = closure;
    hale_locus_violate(self, &r);
}

hale_bytes hale_bytes_builder_finish_once(hale_locus *self, hale_bytes_builder *b,
                                          hale_region *into) {
    if (b->finished) {
        violate(self, "alloc_failed");
        return (hale_bytes){(const uint8_t *)"", 0};
    }
    b->finished = true;
    return hale_bytes_builder_finish(b, into);
}

hale_bytes hale_bytes_builder_snapshot(hale_locus *self, hale_bytes_builder *b, hale_region *into) {
    if (b->finished) {
        violate(self, "alloc_failed");
        return (hale_bytes){(const uint8_t *)"", 0};
    }
    return hale_bytes_builder_finish(b, into);
}

void hale_bytes_builder_append_slice(hale_locus *self, hale_bytes_builder *b, hale_bytes src,
                                     int64_t lo, int64_t hi) {
    int64_t n = src.len > 0 ? src.len : 0;
    if (lo < 0 || hi > n || lo > hi) {
        violate(self, "index_oob");
        return;
    }
    hale_bytes_builder_append_raw(b, src.ptr + lo, hi - lo);
}
