/* std::bytes::BytesBuilder as a locus: what its methods do that needs the locus as well as the
 * buffer (bytes.h is the buffer alone).
 *
 * finish() hands the contents out and consumes the builder, as Hale's does: a second finish()
 * without a clear() between is a program error Hale routes through `violate alloc_failed` to
 * the builder's supervisor (its accepting parent's on_failure(b: BytesBuilder, err)), which may
 * absorb it; the call then answers an empty Bytes. clear() makes the builder usable again. */
#ifndef HALE_RUNTIME_STD_BYTES_H
#define HALE_RUNTIME_STD_BYTES_H

#include "bytes.h"
#include "locus.h"

/* `b.finish()` on the builder locus `self` whose state is `b`. */
hale_bytes hale_bytes_builder_finish_once(hale_locus *self, hale_bytes_builder *b,
                                          hale_region *into);

#endif
