/* The receive pipeline end to end, without sockets: every rejection reason is reached by the
 * input that should reach it, counted once on the right counters, and leaves the region as it
 * was; accepted frames decode into the region with their routing metadata. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "rx.h"
#include "test_types.h"
#include "tx.h"

static uint8_t key[TP_KEY_BYTES], wrong[TP_KEY_BYTES];
static tp_topic topics[2];
static tp_counters counters;
static tp_rx rx;
static hale_region *region;

static int setup(void **state) {
    (void)state;
    randombytes_buf(key, sizeof key);
    randombytes_buf(wrong, sizeof wrong);
    memset(topics, 0, sizeof topics);
    memset(&counters, 0, sizeof counters);
    const char *subjects[2] = {"t.msg", "t.int"};
    const hale_type *types[2] = {&T_Note, &hale_type_int};
    for (int i = 0; i < 2; i++) {
        snprintf(topics[i].subject, sizeof topics[i].subject, "%s", subjects[i]);
        topics[i].wire_id = tp_wire_id(subjects[i], strlen(subjects[i]));
        topics[i].type = types[i];
    }
    rx = (tp_rx){.key = key,
                 .max_frame = 4096,
                 .limits = tp_limits_default(),
                 .topics = topics,
                 .ntopics = 2,
                 .replay = tp_replay_new(64),
                 .counters = &counters};
    region = hale_region_new(NULL, "rx_test");
    return 0;
}

static int teardown(void **state) {
    (void)state;
    tp_replay_free(rx.replay);
    hale_region_free(region);
    return 0;
}

/* Builds a frame for `v` on topic `t` from `sender` with `seq`, sealed under `k` (or not). */
static size_t build(uint8_t *buf, int t, const void *v, uint64_t sender, uint64_t seq,
                    const uint8_t *k) {
    tp_codec_err err;
    size_t plen, flen;
    assert_int_equal(tp_tx_size(topics[t].type, v, k != NULL, &plen, &flen, &err), 0);
    tp_header h = {.topic = topics[t].wire_id,
                   .fingerprint = topics[t].type->fingerprint,
                   .sender = sender,
                   .seq = seq};
    assert_int_equal(tp_tx_write(buf, &h, topics[t].type, v, plen, k, rx.aead, NULL, &err), 0);
    return flen;
}

static int64_t binding_count(tp_counter_id c) {
    return atomic_load(&counters.v[c]);
}

static int64_t topic_count(int t, tp_counter_id c) {
    return atomic_load(&topics[t].counters.v[c]);
}

/* Runs buf through the pipeline expecting rejection `why`. */
static void expect_reject(uint8_t *buf, size_t len, tp_reject why, int topic) {
    int64_t before = binding_count(TP_C_REJECTED + why);
    size_t used = hale_region_used_bytes(region);
    tp_delivery d;
    tp_rx_reject rej;
    assert_int_equal(tp_rx_frame(&rx, buf, len, region, &d, &rej), -1);
    if (rej.why != why) {
        fail_msg("expected %s, got %s (%s)", tp_reject_name(why), tp_reject_name(rej.why),
                 rej.detail);
    }
    assert_int_equal(rej.topic, topic);
    assert_true(rej.detail[0] != '\0');
    assert_int_equal(binding_count(TP_C_REJECTED + why), before + 1);
    assert_int_equal(hale_region_used_bytes(region), used);
}

static void test_accepts_and_decodes(void **state) {
    (void)state;
    uint8_t buf[512];
    Note m = {5, HALE_STR_LIT("hi")};
    size_t len = build(buf, 0, &m, 9, 1, key);
    tp_delivery d;
    tp_rx_reject rej;
    assert_int_equal(tp_rx_frame(&rx, buf, len, region, &d, &rej), 0);
    assert_int_equal(d.topic, 0);
    assert_string_equal(d.subject, "t.msg");
    assert_int_equal(d.sender, 9);
    assert_int_equal(d.seq, 1);
    const Note *got = d.value;
    assert_int_equal(got->n, 5);
    assert_int_equal(got->text.len, 2);
    assert_memory_equal(got->text.ptr, "hi", 2);
    assert_int_equal(topic_count(0, TP_C_RECEIVED), 1);
    assert_int_equal(binding_count(TP_C_RECEIVED), 1);
}

/* A binding whose key file chose AES-256-GCM: its frames are accepted, decoded and still go
 * through the replay window; a frame sealed with XChaCha20 under the same key is refused with
 * both names. */
static void test_gcm_binding(void **state) {
    (void)state;
    if (!tp_aead_available(TP_AEAD_AES256GCM)) {
        skip();
    }
    rx.aead = TP_AEAD_AES256GCM;
    uint8_t buf[512], copy[512];
    Note m = {6, HALE_STR_LIT("gcm")};
    size_t len = build(buf, 0, &m, 77, 3, key);
    assert_true(buf[3] & TP_FLAG_GCM);
    memcpy(copy, buf, len);
    tp_delivery d;
    tp_rx_reject rej;
    assert_int_equal(tp_rx_frame(&rx, buf, len, region, &d, &rej), 0);
    assert_int_equal(((const Note *)d.value)->n, 6);
    expect_reject(copy, len, TP_REJ_REPLAYED, 0);

    tp_codec_err err;
    tp_header h = {
        .topic = topics[0].wire_id, .fingerprint = T_Note.fingerprint, .sender = 77, .seq = 4};
    assert_int_equal(tp_tx_write(buf, &h, &T_Note, &m, len - TP_HEADER_SIZE - TP_TAG_SIZE, key,
                                 TP_AEAD_XCHACHA20POLY1305, NULL, &err),
                     0);
    assert_int_equal(tp_rx_frame(&rx, buf, len, region, &d, &rej), -1);
    assert_int_equal(rej.why, TP_REJ_BAD_SEAL);
    assert_string_equal(
        rej.detail, "frame sealed with xchacha20poly1305 but this end's key file says aes256gcm");
    rx.aead = TP_AEAD_XCHACHA20POLY1305;
}

static void test_every_reason(void **state) {
    (void)state;
    uint8_t buf[8192];
    Note m = {1, HALE_STR_LIT("x")};
    int64_t n = 3;

    /* bad seal: wrong key, unsealed on a sealed binding, flipped payload byte */
    size_t len = build(buf, 0, &m, 1, 1, wrong);
    expect_reject(buf, len, TP_REJ_BAD_SEAL, -1);
    len = build(buf, 0, &m, 1, 1, NULL);
    expect_reject(buf, len, TP_REJ_BAD_SEAL, -1);
    len = build(buf, 0, &m, 1, 1, key);
    buf[TP_HEADER_SIZE] ^= 1;
    expect_reject(buf, len, TP_REJ_BAD_SEAL, -1);

    /* malformed header: garbage, truncated */
    memset(buf, 0x5a, 100);
    expect_reject(buf, 100, TP_REJ_MALFORMED_HEADER, -1);
    len = build(buf, 0, &m, 1, 1, key);
    expect_reject(buf, 20, TP_REJ_MALFORMED_HEADER, -1);
    /* truncated after the header: the tag no longer verifies */
    len = build(buf, 0, &m, 1, 1, key);
    expect_reject(buf, len - 3, TP_REJ_BAD_SEAL, -1);

    /* oversized */
    memset(buf, 0, sizeof buf);
    expect_reject(buf, 4097, TP_REJ_OVERSIZED, -1);

    /* unknown topic (authenticated) */
    len = build(buf, 0, &m, 1, 1, key);
    tp_header h = {.topic = tp_wire_id("t.other", 7), .fingerprint = 0xabc, .sender = 1, .seq = 1};
    tp_codec_err err;
    assert_int_equal(tp_tx_write(buf, &h, &T_Note, &m, len - TP_HEADER_SIZE - TP_TAG_SIZE, key,
                                 TP_AEAD_XCHACHA20POLY1305, NULL, &err),
                     0);
    expect_reject(buf, len, TP_REJ_UNKNOWN_TOPIC, -1);

    /* accepted, then replayed */
    len = build(buf, 1, &n, 2, 1, key);
    uint8_t copy[512];
    memcpy(copy, buf, len);
    tp_delivery d;
    tp_rx_reject rej;
    assert_int_equal(tp_rx_frame(&rx, buf, len, region, &d, &rej), 0);
    expect_reject(copy, len, TP_REJ_REPLAYED, 1);
    assert_int_equal(topic_count(1, TP_C_REJECTED + TP_REJ_REPLAYED), 1);

    /* malformed payload: a Note's bytes sent under t.int's wire id and fingerprint */
    len = build(buf, 0, &m, 3, 1, key);
    h = (tp_header){.topic = topics[1].wire_id,
                    .fingerprint = hale_type_int.fingerprint,
                    .sender = 3,
                    .seq = 1};
    assert_int_equal(tp_tx_write(buf, &h, &T_Note, &m, len - TP_HEADER_SIZE - TP_TAG_SIZE, key,
                                 TP_AEAD_XCHACHA20POLY1305, NULL, &err),
                     0);
    expect_reject(buf, len, TP_REJ_MALFORMED_PAYLOAD, 1);
    /* malformed payload: right bytes, wrong fingerprint */
    h = (tp_header){.topic = topics[0].wire_id, .fingerprint = 0xdef, .sender = 3, .seq = 2};
    assert_int_equal(tp_tx_write(buf, &h, &T_Note, &m, len - TP_HEADER_SIZE - TP_TAG_SIZE, key,
                                 TP_AEAD_XCHACHA20POLY1305, NULL, &err),
                     0);
    expect_reject(buf, len, TP_REJ_MALFORMED_PAYLOAD, 0);

    /* oversized payload: decodes past the string limit */
    rx.limits.max_bytes = 4;
    Note longer = {1, HALE_STR_LIT("longer than four")};
    len = build(buf, 0, &longer, 3, 3, key);
    expect_reject(buf, len, TP_REJ_OVERSIZED, 0);
    rx.limits = tp_limits_default();

    /* Only the one honest frame before the replay was delivered. */
    assert_int_equal(binding_count(TP_C_RECEIVED), 2);
}

static void test_gaps_counted(void **state) {
    (void)state;
    uint8_t buf[512];
    tp_delivery d;
    tp_rx_reject rej;
    int64_t before = binding_count(TP_C_LOST_GAP);
    for (uint64_t seq = 1; seq <= 20; seq += (seq < 10 ? 1 : 5)) {
        int64_t v = (int64_t)seq;
        size_t len = build(buf, 1, &v, 77, seq, key);
        assert_int_equal(tp_rx_frame(&rx, buf, len, region, &d, &rej), 0);
        assert_int_equal(*(const int64_t *)d.value, v);
    }
    /* 1..10 then 15, 20: 11-14 and 16-19 lost */
    assert_int_equal(binding_count(TP_C_LOST_GAP) - before, 8);
    assert_int_equal(topic_count(1, TP_C_LOST_GAP), 8);
}

static void test_unsealed_binding(void **state) {
    (void)state;
    rx.key = NULL;
    uint8_t buf[512];
    int64_t v = 11;
    size_t len = build(buf, 1, &v, 99, 1, NULL);
    tp_delivery d;
    tp_rx_reject rej;
    assert_int_equal(tp_rx_frame(&rx, buf, len, region, &d, &rej), 0);
    len = build(buf, 1, &v, 99, 2, key);
    expect_reject(buf, len, TP_REJ_BAD_SEAL, -1);
    rx.key = key;
}

int main(void) {
    if (tp_crypto_init() != 0) {
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepts_and_decodes), cmocka_unit_test(test_every_reason),
        cmocka_unit_test(test_gcm_binding),         cmocka_unit_test(test_gaps_counted),
        cmocka_unit_test(test_unsealed_binding),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
