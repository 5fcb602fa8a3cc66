/* Frame headers and sealing: round trips, every malformed header refused, and any change to the
 * header, payload or tag (or the wrong key) makes the seal fail. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "frame.h"
#include "seal.h"

static const tp_header sample = {.flags = TP_FLAG_SEALED | TP_FLAG_KEYED,
                                 .topic = 0x0102030405060708ull,
                                 .fingerprint = 0xfeedfacecafebeefull,
                                 .key = 42,
                                 .sender = 0x1111222233334444ull,
                                 .seq = 77};

static void test_header_round_trip(void **state) {
    (void)state;
    uint8_t buf[TP_HEADER_SIZE + TP_TAG_SIZE] = {0};
    tp_header_put(buf, &sample);
    assert_memory_equal(buf, "HB\x01\x03", 4);
    assert_int_equal(buf[4], 0x08); /* little-endian */
    tp_header h;
    const char *why;
    assert_int_equal(tp_header_get(buf, sizeof buf, &h, &why), 0);
    assert_memory_equal(&h.topic, &sample.topic, 8);
    assert_true(h.flags == sample.flags && h.fingerprint == sample.fingerprint &&
                h.key == sample.key && h.sender == sample.sender && h.seq == sample.seq);
}

static void expect_malformed(uint8_t *buf, size_t len) {
    tp_header h;
    const char *why = NULL;
    assert_int_equal(tp_header_get(buf, len, &h, &why), -1);
    assert_non_null(why);
}

static void test_malformed_headers(void **state) {
    (void)state;
    uint8_t buf[TP_HEADER_SIZE + TP_TAG_SIZE];
    for (size_t len = 0; len < sizeof buf; len++) { /* too short, sealed needs the tag too */
        tp_header_put(buf, &sample);
        expect_malformed(buf, len);
    }
    tp_header_put(buf, &sample);
    buf[0] = 'X';
    expect_malformed(buf, sizeof buf);
    tp_header_put(buf, &sample);
    buf[2] = 2;
    expect_malformed(buf, sizeof buf);
    tp_header_put(buf, &sample);
    buf[3] |= 0x80;
    expect_malformed(buf, sizeof buf);
    tp_header zero = sample;
    zero.seq = 0;
    tp_header_put(buf, &zero);
    expect_malformed(buf, sizeof buf);
    tp_header unkeyed = sample;
    unkeyed.flags = TP_FLAG_SEALED;
    tp_header_put(buf, &unkeyed);
    expect_malformed(buf, sizeof buf);
    tp_header gcm_unsealed = sample; /* GCM without SEALED */
    gcm_unsealed.flags = TP_FLAG_KEYED | TP_FLAG_GCM;
    tp_header_put(buf, &gcm_unsealed);
    expect_malformed(buf, sizeof buf);
}

static void make_frame(uint8_t *frame, const uint8_t *key, const char *text, tp_aead aead) {
    size_t n = strlen(text);
    tp_header_put(frame, &sample);
    memcpy(frame + TP_HEADER_SIZE, text, n);
    tp_frame_seal(frame, n, key, aead);
}

static void seal_open(tp_aead aead) {
    uint8_t key[TP_KEY_BYTES], other[TP_KEY_BYTES];
    randombytes_buf(key, sizeof key);
    randombytes_buf(other, sizeof other);
    const char *text = "a payload that is not msgpack but does not need to be";
    size_t n = strlen(text), len = tp_frame_size(n, true);
    uint8_t frame[256], copy[256];
    make_frame(frame, key, text, aead);
    assert_memory_not_equal(frame + TP_HEADER_SIZE, text, n); /* encrypted */

    memcpy(copy, frame, len);
    tp_header h;
    const char *why;
    assert_int_equal(tp_header_get(copy, len, &h, &why), 0);
    /* the GCM flag says which AEAD sealed it */
    assert_int_equal((h.flags & TP_FLAG_GCM) != 0, aead == TP_AEAD_AES256GCM);
    assert_int_equal(tp_frame_open(copy, len, &h, key, aead), 0);
    assert_memory_equal(copy + TP_HEADER_SIZE, text, n);

    memcpy(copy, frame, len);
    assert_int_equal(tp_frame_open(copy, len, &h, other, aead), -1);
    /* the other AEAD does not open it, even with the right key */
    memcpy(copy, frame, len);
    tp_aead not_it = aead == TP_AEAD_AES256GCM ? TP_AEAD_XCHACHA20POLY1305 : TP_AEAD_AES256GCM;
    assert_int_equal(tp_frame_open(copy, len, &h, key, not_it), -1);

    /* Every single-bit change anywhere in the frame is caught. */
    for (size_t i = 0; i < len; i++) {
        memcpy(copy, frame, len);
        copy[i] ^= 0x10;
        tp_header hh;
        if (tp_header_get(copy, len, &hh, &why) != 0) {
            continue; /* caught earlier, as a malformed header */
        }
        assert_int_equal(tp_frame_open(copy, len, &hh, key, aead), -1);
    }
    /* Flipping the GCM flag alone (a downgrade) is caught too. */
    memcpy(copy, frame, len);
    copy[3] ^= TP_FLAG_GCM;
    tp_header hg;
    assert_int_equal(tp_header_get(copy, len, &hg, &why), 0);
    assert_int_equal(tp_frame_open(copy, len, &hg, key, aead), -1);
    assert_int_equal(tp_frame_open(copy, len, &hg, key, not_it), -1);
    /* A truncated frame does not open. */
    memcpy(copy, frame, len);
    assert_int_equal(tp_frame_open(copy, len - 1, &h, key, aead), -1);
    assert_int_equal(tp_frame_open(copy, TP_HEADER_SIZE + TP_TAG_SIZE - 1, &h, key, aead), -1);
}

static void test_seal_open(void **state) {
    (void)state;
    seal_open(TP_AEAD_XCHACHA20POLY1305);
}

static void test_seal_open_gcm(void **state) {
    (void)state;
    if (!tp_aead_available(TP_AEAD_AES256GCM)) {
        skip(); /* this CPU has no AES instructions: key files refuse aes256gcm here */
    }
    seal_open(TP_AEAD_AES256GCM);
}

/* Under AES-256-GCM the nonce is the sequence number under a key per (sender, topic): the same
 * plaintext sealed at another sequence number, by another sender or on another topic gives
 * another ciphertext; the same header gives the same one (the nonce is the header's, nothing
 * random that could repeat). */
static void test_gcm_nonces(void **state) {
    (void)state;
    if (!tp_aead_available(TP_AEAD_AES256GCM)) {
        skip();
    }
    uint8_t key[TP_KEY_BYTES];
    randombytes_buf(key, sizeof key);
    const char *text = "same plaintext every time";
    size_t n = strlen(text);
    uint8_t base[128], f[128];
    make_frame(base, key, text, TP_AEAD_AES256GCM);
    make_frame(f, key, text, TP_AEAD_AES256GCM);
    assert_memory_equal(base + TP_HEADER_SIZE, f + TP_HEADER_SIZE, n + TP_TAG_SIZE);
    const tp_header variants[3] = {
        {.flags = TP_FLAG_SEALED,
         .topic = sample.topic,
         .sender = sample.sender,
         .seq = sample.seq + 1},
        {.flags = TP_FLAG_SEALED,
         .topic = sample.topic,
         .sender = sample.sender + 1,
         .seq = sample.seq},
        {.flags = TP_FLAG_SEALED,
         .topic = sample.topic + 1,
         .sender = sample.sender,
         .seq = sample.seq},
    };
    for (int i = 0; i < 3; i++) {
        tp_header_put(f, &variants[i]);
        memcpy(f + TP_HEADER_SIZE, text, n);
        tp_frame_seal(f, n, key, TP_AEAD_AES256GCM);
        assert_memory_not_equal(base + TP_HEADER_SIZE, f + TP_HEADER_SIZE, n);
        tp_header h;
        const char *why;
        assert_int_equal(tp_header_get(f, tp_frame_size(n, true), &h, &why), 0);
        assert_int_equal(tp_frame_open(f, tp_frame_size(n, true), &h, key, TP_AEAD_AES256GCM), 0);
        assert_memory_equal(f + TP_HEADER_SIZE, text, n);
    }
}

/* The wire format of a GCM frame, pinned against libsodium's own AES-256-GCM: the (sender,
 * topic) key is BLAKE2b-256 keyed with the deployment key over "hale-gcm" || sender || topic
 * (little-endian), the nonce the sequence number (little-endian, 4 zero bytes after), the
 * header the associated data. Another implementation of the format opens our frames. */
static void test_gcm_wire_format(void **state) {
    (void)state;
    if (!tp_aead_available(TP_AEAD_AES256GCM)) {
        skip();
    }
    uint8_t key[TP_KEY_BYTES];
    randombytes_buf(key, sizeof key);
    const char *text = "opened by another implementation";
    size_t n = strlen(text);
    uint8_t frame[128];
    make_frame(frame, key, text, TP_AEAD_AES256GCM);
    uint8_t in[24], sub[32], nonce[crypto_aead_aes256gcm_NPUBBYTES] = {0};
    memcpy(in, "hale-gcm", 8);
    for (int i = 0; i < 8; i++) {
        in[8 + i] = (uint8_t)(sample.sender >> (8 * i));
        in[16 + i] = (uint8_t)(sample.topic >> (8 * i));
        nonce[i] = (uint8_t)(sample.seq >> (8 * i));
    }
    crypto_generichash(sub, sizeof sub, in, sizeof in, key, sizeof key);
    uint8_t plain[64];
    assert_int_equal(crypto_aead_aes256gcm_decrypt_detached(plain, NULL, frame + TP_HEADER_SIZE, n,
                                                            frame + TP_HEADER_SIZE + n, frame,
                                                            TP_HEADER_SIZE, nonce, sub),
                     0);
    assert_memory_equal(plain, text, n);
}

/* Payload sizes either side of where ChaCha20-Poly1305 moves from libsodium to OpenSSL, and a
 * large frame (OpenSSL's wide code paths). */
static const size_t sizes[] = {0, 1, 100, TP_SEAL_SMALL - 1, TP_SEAL_SMALL, 4097, 65536};

static uint8_t big_a[TP_HEADER_SIZE + 65536 + TP_TAG_SIZE], big_b[sizeof big_a];
static uint8_t plain_big[65536];

/* big_a, a frame of n payload bytes (len in all) sealed by libsodium: opened as it is and, from a
 * copy in big_b, through the cache `c`, both give plain_big back. */
static void opens_both_ways(tp_seal_cache *c, const tp_header *h, size_t n, size_t len,
                            const uint8_t key[TP_KEY_BYTES], tp_aead aead) {
    memcpy(big_b, big_a, len);
    assert_int_equal(tp_frame_open(big_a, len, h, key, aead), 0);
    assert_memory_equal(big_a + TP_HEADER_SIZE, plain_big, n);
    assert_int_equal(tp_frame_open_cached(c, big_b, len, h), 0);
    assert_memory_equal(big_b + TP_HEADER_SIZE, plain_big, n);
}

/* A frame with header `h` and `n` bytes of the fixed random payload, not yet sealed. */
static size_t unsealed(uint8_t *f, const tp_header *h, size_t n) {
    tp_header_put(f, h);
    memcpy(f + TP_HEADER_SIZE, plain_big, n);
    return tp_frame_size(n, true);
}

static void sodium_nonce(uint8_t nonce[24], const tp_header *h) {
    for (int i = 0; i < 8; i++) {
        nonce[i] = (uint8_t)(h->sender >> (8 * i));
        nonce[8 + i] = (uint8_t)(h->topic >> (8 * i));
        nonce[16 + i] = (uint8_t)(h->seq >> (8 * i));
    }
}

/* The wire format of an XChaCha20-Poly1305 frame, pinned against libsodium's
 * crypto_aead_xchacha20poly1305_ietf at every size (ours computes large payloads with OpenSSL's
 * ChaCha20-Poly1305 under the HChaCha20 subkey): libsodium opens our frames, sealed with or
 * without a cache, and we open libsodium's. */
static void test_xchacha_wire_format(void **state) {
    (void)state;
    uint8_t key[TP_KEY_BYTES], nonce[24];
    randombytes_buf(key, sizeof key);
    tp_seal_cache *c = tp_seal_cache_new(key, TP_AEAD_XCHACHA20POLY1305);
    assert_non_null(c);
    sodium_nonce(nonce, &sample);
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        size_t n = sizes[i], len = unsealed(big_a, &sample, n);
        tp_frame_seal(big_a, n, key, TP_AEAD_XCHACHA20POLY1305);
        unsealed(big_b, &sample, n);
        tp_frame_seal_cached(c, big_b, n);
        assert_memory_equal(big_a, big_b, len); /* the same bytes either way */
        assert_int_equal(crypto_aead_xchacha20poly1305_ietf_decrypt_detached(
                             big_b + TP_HEADER_SIZE, NULL, big_a + TP_HEADER_SIZE, n,
                             big_a + TP_HEADER_SIZE + n, big_a, TP_HEADER_SIZE, nonce, key),
                         0);
        assert_memory_equal(big_b + TP_HEADER_SIZE, plain_big, n);

        unsealed(big_a, &sample, n); /* libsodium seals, we open */
        crypto_aead_xchacha20poly1305_ietf_encrypt_detached(
            big_a + TP_HEADER_SIZE, big_a + TP_HEADER_SIZE + n, NULL, big_a + TP_HEADER_SIZE, n,
            big_a, TP_HEADER_SIZE, NULL, nonce, key);
        opens_both_ways(c, &sample, n, len, key, TP_AEAD_XCHACHA20POLY1305);
    }
    tp_seal_cache_free(c);
}

/* The same for AES-256-GCM at every size, cached and not, against libsodium's AES-256-GCM. */
static void test_gcm_wire_format_sizes(void **state) {
    (void)state;
    if (!tp_aead_available(TP_AEAD_AES256GCM)) {
        skip();
    }
    uint8_t key[TP_KEY_BYTES], in[24], sub[32], nonce[crypto_aead_aes256gcm_NPUBBYTES] = {0};
    randombytes_buf(key, sizeof key);
    tp_header h = sample;
    h.flags |= TP_FLAG_GCM;
    memcpy(in, "hale-gcm", 8);
    for (int i = 0; i < 8; i++) {
        in[8 + i] = (uint8_t)(h.sender >> (8 * i));
        in[16 + i] = (uint8_t)(h.topic >> (8 * i));
        nonce[i] = (uint8_t)(h.seq >> (8 * i));
    }
    crypto_generichash(sub, sizeof sub, in, sizeof in, key, sizeof key);
    tp_seal_cache *c = tp_seal_cache_new(key, TP_AEAD_AES256GCM);
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        size_t n = sizes[i], len = unsealed(big_a, &sample, n);
        tp_frame_seal(big_a, n, key, TP_AEAD_AES256GCM);
        unsealed(big_b, &sample, n);
        tp_frame_seal_cached(c, big_b, n);
        assert_memory_equal(big_a, big_b, len);
        assert_int_equal(crypto_aead_aes256gcm_decrypt_detached(
                             big_b + TP_HEADER_SIZE, NULL, big_a + TP_HEADER_SIZE, n,
                             big_a + TP_HEADER_SIZE + n, big_a, TP_HEADER_SIZE, nonce, sub),
                         0);
        assert_memory_equal(big_b + TP_HEADER_SIZE, plain_big, n);

        unsealed(big_a, &h, n);
        crypto_aead_aes256gcm_encrypt_detached(big_a + TP_HEADER_SIZE, big_a + TP_HEADER_SIZE + n,
                                               NULL, big_a + TP_HEADER_SIZE, n, big_a,
                                               TP_HEADER_SIZE, NULL, nonce, sub);
        opens_both_ways(c, &h, n, len, key, TP_AEAD_AES256GCM);
    }
    tp_seal_cache_free(c);
}

/* A cache serves more pairs than it has entries (they take entries over from each other) and
 * frames that do not verify: every frame it seals is the frame sealing without it gives, every
 * frame it opens is one that opens, a forged or damaged frame fails, and the pair's next good
 * frame opens after that. */
static void cache_pairs(tp_aead aead) {
    if (!tp_aead_available(aead)) {
        return;
    }
    uint8_t key[TP_KEY_BYTES];
    randombytes_buf(key, sizeof key);
    tp_seal_cache *tx = tp_seal_cache_new(key, aead), *rx = tp_seal_cache_new(key, aead);
    enum { PAIRS = 3 * TP_SEAL_ENTRIES };
    static uint8_t f[TP_HEADER_SIZE + 2048 + TP_TAG_SIZE], g[sizeof f];
    for (int round = 0; round < 2; round++) {
        for (int p = 0; p < PAIRS; p++) {
            tp_header h = {.flags = TP_FLAG_SEALED,
                           .topic = 0x100u + (uint64_t)(p % 5),
                           .sender = 0xabcdef00u + (uint64_t)(p / 5),
                           .seq = 1 + (uint64_t)round};
            size_t n = (size_t)(p % 2 ? 2048 : 16), len = unsealed(f, &h, n);
            tp_frame_seal_cached(tx, f, n);
            unsealed(g, &h, n);
            tp_frame_seal(g, n, key, aead);
            assert_memory_equal(f, g, len);
            tp_header hh;
            const char *why;
            assert_int_equal(tp_header_get(f, len, &hh, &why), 0);
            g[len - 1] ^= 1; /* a damaged tag */
            assert_int_equal(tp_frame_open_cached(rx, g, len, &hh), -1);
            assert_int_equal(tp_frame_open_cached(rx, f, len, &hh), 0);
            assert_memory_equal(f + TP_HEADER_SIZE, plain_big, n);
        }
    }
    tp_seal_cache_free(tx);
    tp_seal_cache_free(rx);
}

static void test_cache_pairs(void **state) {
    (void)state;
    cache_pairs(TP_AEAD_XCHACHA20POLY1305);
    cache_pairs(TP_AEAD_AES256GCM);
}

/* Several threads sealing on one cache, on the same pair and on pairs of their own (a binding's
 * publishers do): each frame is exactly what sealing it alone gives. */
typedef struct {
    tp_seal_cache *c;
    const uint8_t *key;
    tp_aead aead;
    int id;
    int bad;
} sealer_arg;

static void *sealer(void *arg) {
    sealer_arg *a = arg;
    static _Thread_local uint8_t f[TP_HEADER_SIZE + 4096 + TP_TAG_SIZE], g[sizeof f];
    for (uint64_t i = 1; i <= 2000; i++) {
        tp_header h = {.flags = TP_FLAG_SEALED,
                       .topic = 7,
                       .sender = i % 2 ? 1 : 100 + (uint64_t)a->id,
                       .seq = i * 8 + (uint64_t)a->id};
        size_t n = i % 3 ? 4096 : 64, len = unsealed(f, &h, n);
        tp_frame_seal_cached(a->c, f, n);
        unsealed(g, &h, n);
        tp_frame_seal(g, n, a->key, a->aead);
        a->bad += memcmp(f, g, len) != 0;
    }
    return NULL;
}

static void test_cache_threads(void **state) {
    (void)state;
    for (int k = 0; k < 2; k++) {
        tp_aead aead = k ? TP_AEAD_AES256GCM : TP_AEAD_XCHACHA20POLY1305;
        if (!tp_aead_available(aead)) {
            continue;
        }
        uint8_t key[TP_KEY_BYTES];
        randombytes_buf(key, sizeof key);
        tp_seal_cache *c = tp_seal_cache_new(key, aead);
        pthread_t t[4];
        sealer_arg a[4];
        for (int i = 0; i < 4; i++) {
            a[i] = (sealer_arg){.c = c, .key = key, .aead = aead, .id = i};
            assert_int_equal(pthread_create(&t[i], NULL, sealer, &a[i]), 0);
        }
        for (int i = 0; i < 4; i++) {
            pthread_join(t[i], NULL);
            assert_int_equal(a[i].bad, 0);
        }
        tp_seal_cache_free(c);
    }
}

static void test_ids(void **state) {
    (void)state;
    uint64_t a = tp_wire_id("chat.posted", 11), b = tp_wire_id("chat.posted", 11);
    assert_true(a == b);
    assert_true(a != tp_wire_id("chat.postee", 11));
    assert_true(tp_routing_hash("room-1", 6) == tp_routing_hash("room-1", 6));
    assert_true(tp_routing_hash("room-1", 6) != tp_routing_hash("room-2", 6));
    /* Stable across builds and machines: the wire id is part of the protocol. */
    uint8_t out[16];
    crypto_generichash(out, 16, (const uint8_t *)"chat.posted", 11, NULL, 0);
    uint64_t expect = 0;
    for (int i = 7; i >= 0; i--) {
        expect = (expect << 8) | out[i];
    }
    assert_true(a == expect);
}

int main(void) {
    if (tp_crypto_init() != 0) {
        return 1;
    }
    randombytes_buf(plain_big, sizeof plain_big);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_round_trip),
        cmocka_unit_test(test_malformed_headers),
        cmocka_unit_test(test_seal_open),
        cmocka_unit_test(test_seal_open_gcm),
        cmocka_unit_test(test_gcm_nonces),
        cmocka_unit_test(test_gcm_wire_format),
        cmocka_unit_test(test_xchacha_wire_format),
        cmocka_unit_test(test_gcm_wire_format_sizes),
        cmocka_unit_test(test_cache_pairs),
        cmocka_unit_test(test_cache_threads),
        cmocka_unit_test(test_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
