/* Frame header coding, wire ids and routing-key hashes (see frame.h). */
#include "frame.h"

#include <string.h>

#include <sodium.h>

int tp_crypto_init(void) {
    return sodium_init() < 0 ? -1 : 0;
}

uint64_t tp_wire_id(const char *subject, size_t len) {
    uint8_t out[crypto_generichash_BYTES_MIN];
    crypto_generichash(out, sizeof out, (const uint8_t *)subject, len, NULL, 0);
    return tp_get64(out);
}

uint64_t tp_routing_hash(const void *bytes, size_t len) {
    static const uint8_t public_key[crypto_shorthash_KEYBYTES] = "hale routing key";
    uint8_t out[crypto_shorthash_BYTES];
    crypto_shorthash(out, bytes, len, public_key);
    return tp_get64(out);
}

void tp_header_put(uint8_t *out, const tp_header *h) {
    out[0] = 'H';
    out[1] = 'B';
    out[2] = TP_FRAME_VERSION;
    out[3] = h->flags;
    tp_put64(out + 4, h->topic);
    tp_put64(out + 12, h->fingerprint);
    tp_put64(out + 20, h->key);
    tp_put64(out + 28, h->sender);
    tp_put64(out + 36, h->seq);
}

int tp_header_get(const uint8_t *frame, size_t len, tp_header *h, const char **why) {
    if (len < TP_HEADER_SIZE) {
        *why = "shorter than a frame header";
        return -1;
    }
    if (frame[0] != 'H' || frame[1] != 'B') {
        *why = "bad magic";
        return -1;
    }
    if (frame[2] != TP_FRAME_VERSION) {
        *why = "unsupported frame version";
        return -1;
    }
    h->flags = frame[3];
    if (h->flags & ~(TP_FLAG_SEALED | TP_FLAG_KEYED | TP_FLAG_GCM)) {
        *why = "unknown flag bits";
        return -1;
    }
    if ((h->flags & TP_FLAG_GCM) && !(h->flags & TP_FLAG_SEALED)) {
        *why = "GCM flag on an unsealed frame";
        return -1;
    }
    h->topic = tp_get64(frame + 4);
    h->fingerprint = tp_get64(frame + 12);
    h->key = tp_get64(frame + 20);
    h->sender = tp_get64(frame + 28);
    h->seq = tp_get64(frame + 36);
    if (h->seq == 0) {
        *why = "sequence number 0";
        return -1;
    }
    if (!(h->flags & TP_FLAG_KEYED) && h->key != 0) {
        *why = "routing key set without the KEYED flag";
        return -1;
    }
    if ((h->flags & TP_FLAG_SEALED) && len < TP_HEADER_SIZE + TP_TAG_SIZE) {
        *why = "sealed frame shorter than header and tag";
        return -1;
    }
    return 0;
}
