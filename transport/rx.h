/* The receive pipeline: one frame in, a decoded value or one counted rejection out.
 *
 * Kept apart from nng so that the whole path a hostile byte string can reach runs in a fuzzer
 * and in unit tests exactly as it runs behind a socket. The checks run in an order that lets no
 * unauthenticated byte influence state: size, header, seal, and only then topic, replay window,
 * type fingerprint and payload. Every frame ends either delivered or counted under exactly one
 * reason, on the binding and (once the topic is known) on the topic. */
#ifndef HALE_TRANSPORT_RX_H
#define HALE_TRANSPORT_RX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "counters.h"
#include "frame.h"
#include "region.h"
#include "replay.h"
#include "seal.h"

/* A delivered frame: the payload decoded into the region the receiver supplied. */
typedef struct {
    int topic;           /* the handle tp_binding_add_topic returned */
    const char *subject; /* the topic's wire subject */
    const void *value;   /* type->size bytes in the receiver's region */
    uint64_t sender;
    uint64_t seq;
    bool keyed;
    uint64_t key_hash;
} tp_delivery;

typedef void (*tp_deliver_fn)(void *ctx, const tp_delivery *d);

#define TP_SUBJECT_MAX 128

typedef struct {
    uint64_t wire_id;
    char subject[TP_SUBJECT_MAX];
    const hale_type *type;
    tp_deliver_fn deliver;
    void *ctx;
    uint64_t next_seq; /* sending side, under the binding's send lock for the topic */
    tp_counters counters;
} tp_topic;

typedef struct {
    const uint8_t *key;  /* deployment key, or NULL for an unsealed binding */
    tp_aead aead;        /* the AEAD the key file chose (keyfile.h) */
    tp_seal_cache *seal; /* cipher states for that key and AEAD, or NULL: none kept */
    size_t max_frame;
    tp_limits limits;
    tp_topic *topics;
    size_t ntopics;
    tp_replay *replay;
    tp_counters *counters; /* the binding's */
} tp_rx;

typedef struct {
    tp_reject why;
    int topic; /* -1 when not known (or not trusted) */
    char detail[200];
} tp_rx_reject;

/* A frame that passed the first stage: authenticated, on a known topic, not a replay, with the
 * topic's type fingerprint. Its payload (plaintext, inside the frame) still has to decode. */
typedef struct {
    int topic;
    tp_header h;
    const uint8_t *payload;
    size_t len;
    size_t frame_len; /* the whole frame, for the byte counters */
} tp_rx_checked;

/* Stage one (any one thread at a time, may differ from stage two's): size, header, seal, topic,
 * replay window, fingerprint. Decrypts frame in place. Returns 0, or -1 with `rej` filled and
 * the rejection counted. */
int tp_rx_check(tp_rx *rx, uint8_t *frame, size_t len, tp_rx_checked *out, tp_rx_reject *rej);

/* Stage two (the receiver's thread): decodes the payload into `r`. Returns 0 with `out` filled,
 * or -1 with `rej` filled, the rejection counted and `r` as it was. */
int tp_rx_decode(tp_rx *rx, const tp_rx_checked *c, hale_region *r, tp_delivery *out,
                 tp_rx_reject *rej);

/* Both stages: runs frame[0..len) (modified in place: decrypted) through the pipeline. On success
 * returns 0 with `out` filled and the value allocated in `r`; on rejection returns -1 with `rej`
 * filled, the counters bumped and `r` as it was. */
int tp_rx_frame(tp_rx *rx, uint8_t *frame, size_t len, hale_region *r, tp_delivery *out,
                tp_rx_reject *rej);

/* The topic with this wire id, or -1. */
int tp_rx_find_topic(const tp_rx *rx, uint64_t wire_id);

#endif
