/* Building frames (see tx.h). */
#include "tx.h"

#include <stdio.h>

int tp_tx_size(const hale_type *t, const void *value, bool sealed, size_t *payload_len,
               size_t *frame_len, tp_codec_err *err) {
    if (tp_encoded_size(t, value, payload_len, err) != 0) {
        return -1;
    }
    *frame_len = tp_frame_size(*payload_len, sealed);
    return 0;
}

int tp_tx_write(uint8_t *buf, const tp_header *h, const hale_type *t, const void *value,
                size_t payload_len, const uint8_t *key, tp_aead aead, tp_seal_cache *cache,
                tp_codec_err *err) {
    tp_header hh = *h;
    hh.flags = (uint8_t)((hh.flags & ~TP_FLAG_SEALED) | (key ? TP_FLAG_SEALED : 0));
    tp_header_put(buf, &hh);
    long n = tp_encode(t, value, buf + TP_HEADER_SIZE, payload_len, err);
    if (n < 0) {
        return -1;
    }
    if ((size_t)n != payload_len) {
        err->status = TP_CODEC_VALUE;
        err->path[0] = '\0';
        snprintf(err->msg, sizeof err->msg, "value changed while it was being sent");
        return -1;
    }
    if (key && cache) {
        tp_frame_seal_cached(cache, buf, payload_len);
    } else if (key) {
        tp_frame_seal(buf, payload_len, key, aead);
    }
    return 0;
}
