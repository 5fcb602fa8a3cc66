/* Bus frames: a fixed 44-byte header, the msgpack payload, and (sealed) a 16-byte tag.
 *
 *   off size field
 *    0   2   magic "HB"
 *    2   1   version (1)
 *    3   1   flags: bit 0 SEALED, bit 1 KEYED, bit 2 GCM (sealed with AES-256-GCM; only with
 *            SEALED); any other bit set is a malformed header
 *    4   8   topic wire id: first 8 bytes of BLAKE2b-128 of the wire subject
 *   12   8   payload type fingerprint (the compiler's structural hash of the payload type)
 *   20   8   routing key: SipHash-2-4 (fixed public key) of the key's bytes; 0 unless KEYED
 *   28   8   sender id: random per binding opened, so a restarted publisher is a new sender
 *   36   8   sequence number: 1, 2, 3, ... per (sender, topic); 0 is malformed
 *   44   n   payload (msgpack, see codec.h), encrypted when SEALED
 *   44+n 16  authentication tag (SEALED only)
 * All integers little-endian.
 *
 * Sealing is an AEAD under the deployment key, with the whole header as associated data: nobody
 * without the key can forge a frame, alter its header, or move a payload to another topic. The
 * key file chooses the AEAD (keyfile.h) and the GCM flag says which one sealed a frame, so a
 * receiver configured for the other refuses it by name instead of failing a tag check.
 *   XChaCha20-Poly1305 (the IETF construction libsodium names
 *   crypto_aead_xchacha20poly1305_ietf): the 24-byte nonce is the header's sender id, topic id
 *   and sequence number.
 *   AES-256-GCM (the standard construction, where libsodium's crypto_aead_aes256gcm_is_available
 *   says the CPU has AES instructions): its nonce has only 96 bits, too few to hold (sender,
 *   topic, seq) whole. Each (sender, topic) pair seals under a key of its own, BLAKE2b-256 keyed
 *   with the deployment key over "hale-gcm", the sender id and the topic id; the nonce is the
 *   sequence number.
 * How they are computed (OpenSSL's EVP for both, libsodium for small ChaCha20 payloads, cipher
 * states kept per pair) is seal.h's.
 * Either way, no nonce repeats under one key and nothing is sent for it: a sender never reuses a
 * sequence number on a topic, and sender ids are 64 random bits drawn afresh by every binding
 * (two senders colliding is a 2^-64 event per pair). Replays are the receiver's replay window's
 * (replay.h), whichever AEAD sealed the frame.
 *
 * The routing key is hashed so the header stays fixed-size; receivers use it to skip frames no
 * local subscriber wants before decrypting, and compare the real key from the payload after
 * decoding (a hash collision costs a decode, never a wrong delivery). The hash is not a secret.
 *
 * The topic id is a hash of the subject string, not the compiler's topic number, because two
 * programs built separately agree only on the subject. */
#ifndef HALE_TRANSPORT_FRAME_H
#define HALE_TRANSPORT_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keyfile.h"

#define TP_FRAME_VERSION 1
#define TP_HEADER_SIZE 44
#define TP_TAG_SIZE 16

enum {
    TP_FLAG_SEALED = 1u << 0,
    TP_FLAG_KEYED = 1u << 1,
    TP_FLAG_GCM = 1u << 2,
};

typedef struct {
    uint8_t flags;
    uint64_t topic;
    uint64_t fingerprint;
    uint64_t key;
    uint64_t sender;
    uint64_t seq;
} tp_header;

/* Selects libsodium's fastest implementations for this CPU; call once before sealing (bindings
 * do). Returns 0, or -1 when libsodium cannot start. Safe to call many times, from any thread. */
int tp_crypto_init(void);

/* The wire id of a subject ("chat.posted"). */
uint64_t tp_wire_id(const char *subject, size_t len);

/* The routing-key hash of a key's canonical bytes (a String key: its UTF-8 bytes; an Int key:
 * its 8 little-endian bytes). */
uint64_t tp_routing_hash(const void *bytes, size_t len);

/* Little-endian 64-bit integers, as every header field is. */
static inline void tp_put64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static inline uint64_t tp_get64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) {
        v = (v << 8) | p[i];
    }
    return v;
}

/* Bytes a frame adds around a payload of `len` bytes. */
static inline size_t tp_frame_size(size_t payload_len, bool sealed) {
    return TP_HEADER_SIZE + payload_len + (sealed ? TP_TAG_SIZE : 0);
}

/* Writes `h` (with magic and version) into out[0..TP_HEADER_SIZE). */
void tp_header_put(uint8_t *out, const tp_header *h);

/* Parses the header of frame[0..len). Returns 0, or -1 with a reason in `why` (static text)
 * when the frame is shorter than its header (plus tag when sealed), or the magic, version,
 * flags or sequence number are wrong. */
int tp_header_get(const uint8_t *frame, size_t len, tp_header *h, const char **why);

#endif
