/* Sealing and opening frames, with or without a cache of (sender, topic) cipher states (see
 * seal.h). */
#include "seal.h"

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "fatal.h"
#include "region.h"

/* One (sender, topic) pair's key, and an OpenSSL context keyed with it. */
typedef struct {
    uint64_t sender, topic;
    uint8_t sub[32];
    EVP_CIPHER_CTX *ctx; /* NULL until a frame of this pair needs OpenSSL */
} pair;

typedef struct {
    pthread_mutex_t mu;
    bool used;
    pair p;
} entry;

struct tp_seal_cache {
    uint8_t key[TP_KEY_BYTES];
    tp_aead aead;
    entry e[TP_SEAL_ENTRIES];
};

static void derive(pair *p, const uint8_t key[TP_KEY_BYTES], tp_aead aead, uint64_t sender,
                   uint64_t topic) {
    p->sender = sender;
    p->topic = topic;
    p->ctx = NULL;
    if (aead == TP_AEAD_AES256GCM) {
        uint8_t in[8 + 16];
        memcpy(in, "hale-gcm", 8);
        tp_put64(in + 8, sender);
        tp_put64(in + 16, topic);
        crypto_generichash(p->sub, sizeof p->sub, in, sizeof in, key, TP_KEY_BYTES);
    } else { /* the first 16 bytes of the XChaCha20 nonce */
        uint8_t in[crypto_core_hchacha20_INPUTBYTES];
        tp_put64(in, sender);
        tp_put64(in + 8, topic);
        crypto_core_hchacha20(p->sub, in, key, NULL);
    }
}

static void forget(pair *p) {
    EVP_CIPHER_CTX_free(p->ctx);
    p->ctx = NULL;
    sodium_memzero(p->sub, sizeof p->sub);
}

/* Keys p->ctx with the pair's key, once. */
static int keyed(pair *p, tp_aead aead) {
    if (p->ctx) {
        return 0;
    }
    const EVP_CIPHER *cipher =
        aead == TP_AEAD_AES256GCM ? EVP_aes_256_gcm() : EVP_chacha20_poly1305();
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    if (!c || EVP_CipherInit_ex(c, cipher, NULL, p->sub, NULL, 1) != 1) {
        EVP_CIPHER_CTX_free(c);
        return -1;
    }
    p->ctx = c;
    return 0;
}

/* Seals (enc) or opens frame[44..44+n) in place under the pair's key, nonce `seq`, the header
 * as associated data and the tag right after the payload. Returns 0, or -1 (a tag that does not
 * verify, a payload too large for one call, a cipher that cannot start). */
static int run(pair *p, tp_aead aead, int enc, uint8_t *frame, size_t n, uint64_t seq) {
    uint8_t *payload = frame + TP_HEADER_SIZE, *tag = payload + n;
    uint8_t nonce[12] = {0};
    bool gcm = aead == TP_AEAD_AES256GCM;
    tp_put64(gcm ? nonce : nonce + 4, seq);
    if (!gcm && n < TP_SEAL_SMALL) {
        if (enc) {
            crypto_aead_chacha20poly1305_ietf_encrypt_detached(
                payload, tag, NULL, payload, n, frame, TP_HEADER_SIZE, NULL, nonce, p->sub);
            return 0;
        }
        return crypto_aead_chacha20poly1305_ietf_decrypt_detached(
                   payload, NULL, payload, n, tag, frame, TP_HEADER_SIZE, nonce, p->sub) == 0
                   ? 0
                   : -1;
    }
    if (n > (size_t)INT_MAX || keyed(p, aead) != 0) {
        return -1;
    }
    EVP_CIPHER_CTX *c = p->ctx;
    int len = 0, ok = EVP_CipherInit_ex(c, NULL, NULL, NULL, nonce, enc) == 1;
    ok = ok && (enc || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, TP_TAG_SIZE, tag) == 1);
    ok = ok && EVP_CipherUpdate(c, NULL, &len, frame, TP_HEADER_SIZE) == 1;
    ok = ok && EVP_CipherUpdate(c, payload, &len, payload, (int)n) == 1;
    ok = ok && EVP_CipherFinal_ex(c, payload + len, &len) == 1;
    ok = ok && (!enc || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, TP_TAG_SIZE, tag) == 1);
    if (!ok) { /* start the next frame from a freshly keyed context, whatever went wrong */
        EVP_CIPHER_CTX_free(p->ctx);
        p->ctx = NULL;
    }
    return ok ? 0 : -1;
}

/* One frame with a pair of its own (no cache, or its entry busy on another thread). */
static int once(const uint8_t key[TP_KEY_BYTES], tp_aead aead, int enc, uint8_t *frame, size_t n,
                uint64_t sender, uint64_t topic, uint64_t seq) {
    pair p;
    derive(&p, key, aead, sender, topic);
    int rc = run(&p, aead, enc, frame, n, seq);
    forget(&p);
    return rc;
}

tp_seal_cache *tp_seal_cache_new(const uint8_t key[TP_KEY_BYTES], tp_aead aead) {
    tp_seal_cache *c = hale_sys_calloc(1, sizeof *c);
    if (!c) {
        return NULL;
    }
    memcpy(c->key, key, TP_KEY_BYTES);
    c->aead = aead;
    for (size_t i = 0; i < TP_SEAL_ENTRIES; i++) {
        pthread_mutex_init(&c->e[i].mu, NULL);
    }
    return c;
}

void tp_seal_cache_free(tp_seal_cache *c) {
    if (!c) {
        return;
    }
    for (size_t i = 0; i < TP_SEAL_ENTRIES; i++) {
        forget(&c->e[i].p);
        pthread_mutex_destroy(&c->e[i].mu);
    }
    sodium_memzero(c, sizeof *c);
    hale_sys_free(c);
}

/* Seals or opens with the pair's entry: the one slot (sender, topic) hashes to, taken over from
 * whatever pair held it. */
static int cached(tp_seal_cache *c, int enc, uint8_t *frame, size_t n, uint64_t sender,
                  uint64_t topic, uint64_t seq) {
    uint64_t h = (sender ^ (topic * 0x9e3779b97f4a7c15ull)) * 0xff51afd7ed558ccdull;
    entry *e = &c->e[(h >> 32) % TP_SEAL_ENTRIES];
    if (pthread_mutex_trylock(&e->mu) != 0) {
        return once(c->key, c->aead, enc, frame, n, sender, topic, seq);
    }
    if (!e->used || e->p.sender != sender || e->p.topic != topic) {
        forget(&e->p);
        derive(&e->p, c->key, c->aead, sender, topic);
        e->used = true;
    }
    int rc = run(&e->p, c->aead, enc, frame, n, seq);
    pthread_mutex_unlock(&e->mu);
    return rc;
}

/* Sets the GCM flag to match `aead` (before sealing: the header is associated data). */
static void mark(uint8_t *frame, tp_aead aead) {
    if (aead == TP_AEAD_AES256GCM) {
        frame[3] |= TP_FLAG_GCM;
    } else {
        frame[3] &= (uint8_t)~TP_FLAG_GCM;
    }
}

static void sealed_or_die(int rc, size_t n, tp_aead aead) {
    if (rc != 0) {
        hale_fatal("transport: %s could not seal a frame of %zu bytes", tp_aead_name(aead), n);
    }
}

void tp_frame_seal(uint8_t *frame, size_t payload_len, const uint8_t key[TP_KEY_BYTES],
                   tp_aead aead) {
    mark(frame, aead);
    sealed_or_die(once(key, aead, 1, frame, payload_len, tp_get64(frame + 28), tp_get64(frame + 4),
                       tp_get64(frame + 36)),
                  payload_len, aead);
}

void tp_frame_seal_cached(tp_seal_cache *c, uint8_t *frame, size_t payload_len) {
    mark(frame, c->aead);
    sealed_or_die(cached(c, 1, frame, payload_len, tp_get64(frame + 28), tp_get64(frame + 4),
                         tp_get64(frame + 36)),
                  payload_len, c->aead);
}

/* The payload length of a sealed frame that may be opened with `aead`, or -1. */
static long openable(const uint8_t *frame, size_t len, tp_aead aead) {
    if (len < TP_HEADER_SIZE + TP_TAG_SIZE ||
        ((frame[3] & TP_FLAG_GCM) != 0) != (aead == TP_AEAD_AES256GCM)) {
        return -1;
    }
    return (long)(len - TP_HEADER_SIZE - TP_TAG_SIZE);
}

int tp_frame_open(uint8_t *frame, size_t len, const tp_header *h, const uint8_t key[TP_KEY_BYTES],
                  tp_aead aead) {
    long n = openable(frame, len, aead);
    return n < 0 ? -1 : once(key, aead, 0, frame, (size_t)n, h->sender, h->topic, h->seq);
}

int tp_frame_open_cached(tp_seal_cache *c, uint8_t *frame, size_t len, const tp_header *h) {
    long n = openable(frame, len, c->aead);
    return n < 0 ? -1 : cached(c, 0, frame, (size_t)n, h->sender, h->topic, h->seq);
}
