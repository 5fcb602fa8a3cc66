/* libFuzzer entry point for frame decoding: the whole receive pipeline (header, seal, topic,
 * replay window, fingerprint, payload) on arbitrary bytes. The first byte picks a mode:
 *   0  the bytes arrive as they are at a sealed binding (only the pre-authentication checks can
 *      be reached without the key);
 *   1  the bytes arrive at an unsealed binding (everything after the seal is reachable);
 *   2  the bytes are a header and plaintext that get sealed under the deployment key first, so
 *      the post-authentication paths are fuzzed exactly as they run on a sealed binding.
 * The next bits of the first byte choose the receiver's AEAD (data[0] / 3 % 2: XChaCha20-Poly1305
 * or AES-256-GCM) and whether sealing and opening go through a cipher-state cache, as on a
 * binding, or derive everything per frame (data[0] / 6 % 2).
 * Each input is split into frames at "\xff\xfe" markers so replays and gaps are exercised too.
 * Every frame must end delivered or counted under exactly one reason. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_types.h"
#include "rx.h"

static const uint8_t fuzz_key[TP_KEY_BYTES] = "0123456789abcdef0123456789abcde";
static hale_region *region;
static tp_topic topics[3];
static tp_seal_cache *caches[2]; /* per AEAD, kept across inputs as a binding keeps its own */

static void init_once(void) {
    static const char *const subjects[3] = {"fz.shapes", "fz.node", "fz.text"};
    static const hale_type *const types[3] = {&fz_shapes_t, &fz_node_t, &hale_type_string};
    region = hale_region_new(NULL, "frame_fuzz");
    tp_crypto_init();
    caches[TP_AEAD_XCHACHA20POLY1305] = tp_seal_cache_new(fuzz_key, TP_AEAD_XCHACHA20POLY1305);
    caches[TP_AEAD_AES256GCM] = tp_seal_cache_new(fuzz_key, TP_AEAD_AES256GCM);
    for (int i = 0; i < 3; i++) {
        strcpy(topics[i].subject, subjects[i]);
        topics[i].wire_id = tp_wire_id(subjects[i], strlen(subjects[i]));
        topics[i].type = types[i];
    }
}

static int64_t total(const tp_counters *c) {
    int64_t n = atomic_load(&c->v[TP_C_RECEIVED]);
    for (int r = 0; r < TP_REJ_COUNT; r++) {
        n += atomic_load(&c->v[TP_C_REJECTED + r]);
    }
    return n;
}

static void one_frame(tp_rx *rx, int mode, const uint8_t *data, size_t size) {
    uint8_t *frame = malloc(size + TP_TAG_SIZE + 1);
    memcpy(frame, data, size);
    size_t len = size;
    if (mode == 2 && size >= TP_HEADER_SIZE) {
        frame[3] |= TP_FLAG_SEALED;
        tp_aead aead = (tp_aead)(data[3] >> 7);
        if (rx->seal) {
            tp_frame_seal_cached(caches[aead], frame, size - TP_HEADER_SIZE);
        } else {
            tp_frame_seal(frame, size - TP_HEADER_SIZE, fuzz_key, aead);
        }
        len = size + TP_TAG_SIZE;
    }
    int64_t before = total(rx->counters);
    hale_mark mark = hale_region_mark(region);
    tp_delivery d;
    tp_rx_reject rej;
    tp_rx_frame(rx, frame, len, region, &d, &rej);
    if (total(rx->counters) != before + 1) {
        abort(); /* every frame is delivered or counted exactly once */
    }
    hale_region_reset(region, mark);
    free(frame);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) {
        return 0;
    }
    if (!region) {
        init_once();
    }
    int mode = data[0] % 3;
    tp_counters counters;
    memset(&counters, 0, sizeof counters);
    for (int i = 0; i < 3; i++) {
        memset(&topics[i].counters, 0, sizeof topics[i].counters);
    }
    tp_aead aead = data[0] / 3 % 2 ? TP_AEAD_AES256GCM : TP_AEAD_XCHACHA20POLY1305;
    tp_rx rx = {.key = mode == 1 ? NULL : fuzz_key,
                .aead = aead,
                .seal = data[0] / 6 % 2 ? caches[aead] : NULL,
                .max_frame = 1 << 16,
                .limits = tp_limits_default(),
                .topics = topics,
                .ntopics = 3,
                .replay = tp_replay_new(8),
                .counters = &counters};
    rx.limits.max_decoded = (size_t)4 << 20;
    const uint8_t *p = data + 1, *end = data + size;
    while (p <= end) {
        const uint8_t *cut = p;
        while (cut + 1 < end && !(cut[0] == 0xff && cut[1] == 0xfe)) {
            cut++;
        }
        if (cut + 1 >= end) {
            cut = end;
        }
        one_frame(&rx, mode, p, (size_t)(cut - p));
        p = cut + 2;
    }
    tp_replay_free(rx.replay);
    return 0;
}
