/* Frame header coding and sealing (see frame.h). */
#include "frame.h"

#include <string.h>

#include <limits.h>
#include <openssl/evp.h>
#include <sodium.h>

#include "fatal.h"

static void put64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static uint64_t get64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) {
        v = (v << 8) | p[i];
    }
    return v;
}

int tp_crypto_init(void) {
    return sodium_init() < 0 ? -1 : 0;
}

uint64_t tp_wire_id(const char *subject, size_t len) {
    uint8_t out[crypto_generichash_BYTES_MIN];
    crypto_generichash(out, sizeof out, (const uint8_t *)subject, len, NULL, 0);
    return get64(out);
}

uint64_t tp_routing_hash(const void *bytes, size_t len) {
    static const uint8_t public_key[crypto_shorthash_KEYBYTES] = "hale routing key";
    uint8_t out[crypto_shorthash_BYTES];
    crypto_shorthash(out, bytes, len, public_key);
    return get64(out);
}

void tp_header_put(uint8_t *out, const tp_header *h) {
    out[0] = 'H';
    out[1] = 'B';
    out[2] = TP_FRAME_VERSION;
    out[3] = h->flags;
    put64(out + 4, h->topic);
    put64(out + 12, h->fingerprint);
    put64(out + 20, h->key);
    put64(out + 28, h->sender);
    put64(out + 36, h->seq);
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
    h->topic = get64(frame + 4);
    h->fingerprint = get64(frame + 12);
    h->key = get64(frame + 20);
    h->sender = get64(frame + 28);
    h->seq = get64(frame + 36);
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

static void nonce_of(uint8_t nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES],
                     const tp_header *h) {
    put64(nonce, h->sender);
    put64(nonce + 8, h->topic);
    put64(nonce + 16, h->seq);
}

/* AES-256-GCM: the (sender, topic) pair's own key and the sequence number as the nonce
 * (frame.h). The cipher is OpenSSL's (several times libsodium's speed on the same AES
 * instructions, the same standard construction); libsodium still decides where it may be used
 * (keyfile.h). */
static void gcm_key(uint8_t sub[32], uint8_t nonce[12], const tp_header *h,
                    const uint8_t key[TP_KEY_BYTES]) {
    uint8_t in[8 + 16];
    memcpy(in, "hale-gcm", 8);
    put64(in + 8, h->sender);
    put64(in + 16, h->topic);
    crypto_generichash(sub, 32, in, sizeof in, key, TP_KEY_BYTES);
    memset(nonce, 0, 12);
    put64(nonce, h->seq);
}

/* Seals (enc) or opens payload[0..n) in place with the header as associated data; the tag is
 * written to / checked against `tag`. Returns 0, or -1 (a tag that does not verify, a payload
 * too large for one call, a cipher that cannot start). */
static int gcm(int enc, uint8_t *frame, uint8_t *payload, size_t n, uint8_t *tag,
               const tp_header *h, const uint8_t key[TP_KEY_BYTES]) {
    if (n > (size_t)INT_MAX) {
        return -1;
    }
    uint8_t sub[32], nonce[12];
    gcm_key(sub, nonce, h, key);
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int len = 0, ok = c && EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, sub, nonce, enc) == 1;
    sodium_memzero(sub, sizeof sub);
    ok = ok && (enc || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, TP_TAG_SIZE, tag) == 1);
    ok = ok && EVP_CipherUpdate(c, NULL, &len, frame, TP_HEADER_SIZE) == 1;
    ok = ok && EVP_CipherUpdate(c, payload, &len, payload, (int)n) == 1;
    ok = ok && EVP_CipherFinal_ex(c, payload + len, &len) == 1;
    ok = ok && (!enc || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, TP_TAG_SIZE, tag) == 1);
    EVP_CIPHER_CTX_free(c);
    return ok ? 0 : -1;
}

void tp_frame_seal(uint8_t *frame, size_t payload_len, const uint8_t key[TP_KEY_BYTES],
                   tp_aead aead) {
    tp_header h = {
        .topic = get64(frame + 4), .sender = get64(frame + 28), .seq = get64(frame + 36)};
    uint8_t *payload = frame + TP_HEADER_SIZE;
    if (aead == TP_AEAD_AES256GCM) {
        frame[3] |= TP_FLAG_GCM; /* before sealing: the header is associated data */
        if (gcm(1, frame, payload, payload_len, payload + payload_len, &h, key) != 0) {
            hale_fatal("transport: AES-256-GCM could not seal a frame of %zu bytes", payload_len);
        }
        return;
    }
    frame[3] &= (uint8_t)~TP_FLAG_GCM;
    uint8_t nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
    nonce_of(nonce, &h);
    crypto_aead_xchacha20poly1305_ietf_encrypt_detached(payload, payload + payload_len, NULL,
                                                        payload, payload_len, frame, TP_HEADER_SIZE,
                                                        NULL, nonce, key);
}

int tp_frame_open(uint8_t *frame, size_t len, const tp_header *h, const uint8_t key[TP_KEY_BYTES],
                  tp_aead aead) {
    if (len < TP_HEADER_SIZE + TP_TAG_SIZE) {
        return -1;
    }
    size_t n = len - TP_HEADER_SIZE - TP_TAG_SIZE;
    uint8_t *payload = frame + TP_HEADER_SIZE;
    if (((frame[3] & TP_FLAG_GCM) != 0) != (aead == TP_AEAD_AES256GCM)) {
        return -1;
    }
    if (aead == TP_AEAD_AES256GCM) {
        return gcm(0, frame, payload, n, payload + n, h, key);
    }
    uint8_t nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
    nonce_of(nonce, h);
    return crypto_aead_xchacha20poly1305_ietf_decrypt_detached(
               payload, NULL, payload, n, payload + n, frame, TP_HEADER_SIZE, nonce, key) == 0
               ? 0
               : -1;
}
