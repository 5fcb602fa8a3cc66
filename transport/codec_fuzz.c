/* libFuzzer entry point: decode arbitrary bytes as one of a few representative payload types.
 * The first byte picks the type; the rest is the payload. Decoding must never crash, read out of
 * bounds, or allocate past the limits; whatever decodes must re-encode, and the re-encoding must
 * decode again to the same bytes (the codec is canonical after one round). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "fuzz_types.h"

static hale_region *region;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) {
        return 0;
    }
    if (!region) {
        region = hale_region_new(NULL, "codec_fuzz");
    }
    const hale_type *t = fz_types[data[0] % FZ_NTYPES];
    tp_limits lim = tp_limits_default();
    lim.max_decoded = (size_t)4 << 20;
    hale_mark mark = hale_region_mark(region);
    void *out = hale_region_alloc(region, t->size, t->align);
    tp_codec_err err;
    if (tp_decode(t, data + 1, size - 1, region, out, &lim, &err) == 0) {
        size_t n;
        if (tp_encoded_size(t, out, &n, &err) == 0) {
            uint8_t *buf = malloc(n ? n : 1);
            long w = tp_encode(t, out, buf, n, &err);
            if (w != (long)n) {
                abort();
            }
            void *again = hale_region_alloc(region, t->size, t->align);
            if (tp_decode(t, buf, n, region, again, &lim, &err) != 0) {
                abort();
            }
            uint8_t *buf2 = malloc(n ? n : 1);
            if (tp_encode(t, again, buf2, n, &err) != (long)n || memcmp(buf, buf2, n) != 0) {
                abort();
            }
            free(buf);
            free(buf2);
        } else if (err.status != TP_CODEC_DEPTH) {
            abort(); /* only depth may differ: the encoder's limit is the default's */
        }
    }
    hale_region_reset(region, mark);
    return 0;
}
