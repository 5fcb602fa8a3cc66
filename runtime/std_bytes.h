/* std::bytes::BytesBuilder as a locus: what its methods do that needs the locus as well as the
 * buffer (bytes.h is the buffer alone).
 *
 * finish() hands the contents out and consumes the builder, as Hale's does: a second finish()
 * without a clear() between is a program error Hale routes through `violate alloc_failed` to
 * the builder's supervisor (its accepting parent's on_failure(b: BytesBuilder, err)), which may
 * absorb it; the call then answers an empty Bytes. clear() makes the builder usable again.
 * snapshot() after finish() is the same violation; append_slice() outside its source is
 * `index_oob`. */
#ifndef HALE_RUNTIME_STD_BYTES_H
#define HALE_RUNTIME_STD_BYTES_H

#include "bytes.h"
#include "locus.h"

/* `b.finish()` on the builder locus `self` whose state is `b`. */
hale_bytes hale_bytes_builder_finish_once(hale_locus *self, hale_bytes_builder *b,
                                          hale_region *into);

/* `b.snapshot()`: a copy of the contents in `into`, the builder unchanged. After finish() it is
 * the same violation as a second finish (alloc_failed) and answers an empty Bytes. */
hale_bytes hale_bytes_builder_snapshot(hale_locus *self, hale_bytes_builder *b, hale_region *into);

/* `b.append_slice(src, lo, hi)`: appends src[lo, hi) without an intermediate Bytes. A range
 * outside src (lo < 0, hi > len or lo > hi) appends nothing and is the builder's `index_oob`
 * violation, which its supervisor sees apart from alloc_failed; an empty range is a no-op. */
void hale_bytes_builder_append_slice(hale_locus *self, hale_bytes_builder *b, hale_bytes src,
                                     int64_t lo, int64_t hi);

#endif
