/* The receive pipeline (see rx.h). */
#include "rx.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

static int reject(tp_rx *rx, tp_rx_reject *rej, tp_reject why, int topic, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int reject(tp_rx *rx, tp_rx_reject *rej, tp_reject why, int topic, const char *fmt, ...) {
    rej->why = why;
    rej->topic = topic;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rej->detail, sizeof rej->detail, fmt, ap);
    va_end(ap);
    tp_count(rx->counters, TP_C_REJECTED + why, 1);
    if (topic >= 0) {
        tp_count(&rx->topics[topic].counters, TP_C_REJECTED + why, 1);
    }
    return -1;
}

int tp_rx_find_topic(const tp_rx *rx, uint64_t wire_id) {
    for (size_t i = 0; i < rx->ntopics; i++) {
        if (rx->topics[i].wire_id == wire_id) {
            return (int)i;
        }
    }
    return -1;
}

/* Size, header and seal: everything decided before any byte of the frame is trusted. */
static int authenticate(tp_rx *rx, uint8_t *frame, size_t len, tp_header *h, size_t *plen,
                        tp_rx_reject *rej) {
    if (len > rx->max_frame) {
        return reject(rx, rej, TP_REJ_OVERSIZED, -1, "frame of %zu bytes is past the limit of %zu",
                      len, rx->max_frame);
    }
    const char *why;
    if (tp_header_get(frame, len, h, &why) != 0) {
        return reject(rx, rej, TP_REJ_MALFORMED_HEADER, -1, "%s (%zu bytes)", why, len);
    }
    bool sealed = h->flags & TP_FLAG_SEALED;
    if (rx->key && !sealed) {
        return reject(rx, rej, TP_REJ_BAD_SEAL, -1, "unsealed frame on a sealed binding");
    }
    if (!rx->key && sealed) {
        return reject(rx, rej, TP_REJ_BAD_SEAL, -1, "sealed frame but this binding has no key");
    }
    bool gcm = (h->flags & TP_FLAG_GCM) != 0;
    if (sealed && gcm != (rx->aead == TP_AEAD_AES256GCM)) {
        return reject(rx, rej, TP_REJ_BAD_SEAL, -1,
                      "frame sealed with %s but this end's key file says %s",
                      tp_aead_name(gcm ? TP_AEAD_AES256GCM : TP_AEAD_XCHACHA20POLY1305),
                      tp_aead_name(rx->aead));
    }
    if (sealed && (rx->seal ? tp_frame_open_cached(rx->seal, frame, len, h)
                            : tp_frame_open(frame, len, h, rx->key, rx->aead)) != 0) {
        return reject(rx, rej, TP_REJ_BAD_SEAL, -1,
                      "authentication failed (wrong key or altered frame)");
    }
    *plen = len - TP_HEADER_SIZE - (sealed ? TP_TAG_SIZE : 0);
    return 0;
}

int tp_rx_check(tp_rx *rx, uint8_t *frame, size_t len, tp_rx_checked *out, tp_rx_reject *rej) {
    tp_header h;
    size_t plen = 0;
    if (authenticate(rx, frame, len, &h, &plen, rej) != 0) {
        return -1;
    }
    int ti = tp_rx_find_topic(rx, h.topic);
    if (ti < 0) {
        return reject(rx, rej, TP_REJ_UNKNOWN_TOPIC, -1, "no topic with wire id %016" PRIx64,
                      h.topic);
    }
    tp_topic *t = &rx->topics[ti];
    int64_t lost = 0;
    if (tp_replay_check(rx->replay, h.sender, h.topic, h.seq, &lost) != 0) {
        return reject(rx, rej, TP_REJ_REPLAYED, ti, "sender %016" PRIx64 " sequence %" PRIu64,
                      h.sender, h.seq);
    }
    if (lost != 0) {
        tp_count(rx->counters, TP_C_LOST_GAP, lost);
        tp_count(&t->counters, TP_C_LOST_GAP, lost);
    }
    if (h.fingerprint != t->type->fingerprint) {
        return reject(rx, rej, TP_REJ_MALFORMED_PAYLOAD, ti,
                      "payload type fingerprint %016" PRIx64 ", but %s here is %016" PRIx64,
                      h.fingerprint, t->type->name, t->type->fingerprint);
    }
    *out = (tp_rx_checked){
        .topic = ti, .h = h, .payload = frame + TP_HEADER_SIZE, .len = plen, .frame_len = len};
    return 0;
}

int tp_rx_decode(tp_rx *rx, const tp_rx_checked *c, hale_region *r, tp_delivery *out,
                 tp_rx_reject *rej) {
    tp_topic *t = &rx->topics[c->topic];
    hale_mark mark = hale_region_mark(r);
    void *value = hale_region_alloc(r, t->type->size, t->type->align);
    tp_codec_err err;
    if (tp_decode(t->type, c->payload, c->len, r, value, &rx->limits, &err) != 0) {
        hale_region_reset(r, mark);
        char line[300];
        tp_codec_err_format(&err, line, sizeof line);
        tp_reject why = err.status == TP_CODEC_LIMIT ? TP_REJ_OVERSIZED : TP_REJ_MALFORMED_PAYLOAD;
        return reject(rx, rej, why, c->topic, "%s", line);
    }
    tp_count(rx->counters, TP_C_RECEIVED, 1);
    tp_count(&t->counters, TP_C_RECEIVED, 1);
    tp_count(rx->counters, TP_C_RECV_BYTES, (int64_t)c->frame_len);
    tp_count(&t->counters, TP_C_RECV_BYTES, (int64_t)c->frame_len);
    *out = (tp_delivery){.topic = c->topic,
                         .subject = t->subject,
                         .value = value,
                         .sender = c->h.sender,
                         .seq = c->h.seq,
                         .keyed = c->h.flags & TP_FLAG_KEYED,
                         .key_hash = c->h.key};
    return 0;
}

int tp_rx_frame(tp_rx *rx, uint8_t *frame, size_t len, hale_region *r, tp_delivery *out,
                tp_rx_reject *rej) {
    tp_rx_checked c;
    if (tp_rx_check(rx, frame, len, &c, rej) != 0) {
        return -1;
    }
    return tp_rx_decode(rx, &c, r, out, rej);
}
