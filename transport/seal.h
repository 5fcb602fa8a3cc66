/* Sealing and opening frames (the AEADs frame.h describes), and the cipher states a binding keeps
 * so that sealing costs a pass over the frame's bytes and little else.
 *
 * Both AEADs come down to one shape: a key of the (sender, topic) pair's own and the sequence
 * number as a 96-bit nonce under it.
 *   AES-256-GCM: the pair's key is BLAKE2b-256 keyed with the deployment key over "hale-gcm",
 *   sender and topic; the nonce is the sequence number and 4 zero bytes.
 *   XChaCha20-Poly1305 with the 24-byte nonce sender || topic || seq is, by its definition,
 *   ChaCha20-Poly1305 (RFC 8439) under the key HChaCha20(deployment key, sender || topic) with
 *   the nonce 4 zero bytes || seq: the same bytes on the wire, whichever way they are computed.
 * So a pair's key is derived, and an OpenSSL context keyed with it (the AES key schedule, the
 * GHASH tables), once per pair instead of once per frame: a `tp_seal_cache` holds them. OpenSSL
 * computes both AEADs (its ChaCha20-Poly1305 runs over twice libsodium's speed on large payloads
 * with AVX2/AVX-512) except ChaCha20-Poly1305 on payloads under TP_SEAL_SMALL bytes, where
 * libsodium's smaller fixed cost per call wins.
 *
 * A cache is safe to use from several threads (a binding seals on its publishers' threads and
 * opens on nng's): each entry has a lock, and a thread that finds an entry busy seals or opens
 * with a context of its own for that frame. An entry holds key material; freeing the cache wipes
 * it. A hostile peer can make the receiver derive a key per forged frame, as it could before the
 * cache existed, but can make it hold no more than the cache's fixed number of entries. */
#ifndef HALE_TRANSPORT_SEAL_H
#define HALE_TRANSPORT_SEAL_H

#include <stddef.h>
#include <stdint.h>

#include "frame.h"
#include "keyfile.h"

#define TP_SEAL_SMALL 1024 /* ChaCha20-Poly1305 payloads below this go to libsodium */
#define TP_SEAL_ENTRIES 64 /* (sender, topic) pairs a cache keeps ready */

typedef struct tp_seal_cache tp_seal_cache;

/* A cache for frames sealed under `key` with `aead`. Returns NULL when out of memory. */
tp_seal_cache *tp_seal_cache_new(const uint8_t key[TP_KEY_BYTES], tp_aead aead);

/* Wipes and frees a cache (NULL is ignored). No thread may be using it. */
void tp_seal_cache_free(tp_seal_cache *c);

/* Seals a frame in place: frame[0..44) holds the header (TP_FLAG_SEALED set; TP_FLAG_GCM is set
 * or cleared here to match the AEAD, before sealing, since the header is associated data),
 * frame[44..44+n) the plaintext payload, and TP_TAG_SIZE bytes after it receive the tag.
 * tp_frame_seal derives everything for this frame alone; tp_frame_seal_cached uses and fills
 * the cache. Both write the same bytes. A cipher that cannot start is fatal (it means OpenSSL
 * or libsodium is broken, not the input). */
void tp_frame_seal(uint8_t *frame, size_t payload_len, const uint8_t key[TP_KEY_BYTES],
                   tp_aead aead);
void tp_frame_seal_cached(tp_seal_cache *c, uint8_t *frame, size_t payload_len);

/* Opens a sealed frame of `len` bytes in place (its header parsed into `h`; a GCM flag that does
 * not match the AEAD fails, and the caller checks first to name the mismatch). Returns 0 with
 * the plaintext at frame+44 (len - 60 bytes), or -1 when the tag does not verify. */
int tp_frame_open(uint8_t *frame, size_t len, const tp_header *h, const uint8_t key[TP_KEY_BYTES],
                  tp_aead aead);
int tp_frame_open_cached(tp_seal_cache *c, uint8_t *frame, size_t len, const tp_header *h);

#endif
