/* Frame headers and sealing: round trips, every malformed header refused, and any change to the
 * header, payload or tag (or the wrong key) makes the seal fail. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "frame.h"

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
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_round_trip),
        cmocka_unit_test(test_malformed_headers),
        cmocka_unit_test(test_seal_open),
        cmocka_unit_test(test_seal_open_gcm),
        cmocka_unit_test(test_gcm_nonces),
        cmocka_unit_test(test_gcm_wire_format),
        cmocka_unit_test(test_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
