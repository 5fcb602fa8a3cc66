/* Building a frame from a value: size it, then write header, payload and seal into one buffer
 * the caller allocated at exactly that size (the binding allocates an nng message, so a frame is
 * encoded and sealed in place and handed to nng without a copy). */
#ifndef HALE_TRANSPORT_TX_H
#define HALE_TRANSPORT_TX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "frame.h"
#include "seal.h"

/* Sizes the frame carrying `value`: *payload_len is the msgpack size, *frame_len the whole frame
 * (header, payload, and the tag when sealed). Returns 0, or -1 with `err` filled. */
int tp_tx_size(const hale_type *t, const void *value, bool sealed, size_t *payload_len,
               size_t *frame_len, tp_codec_err *err);

/* Writes the frame into buf (frame_len bytes as sized): header `h` (TP_FLAG_SEALED is set or
 * cleared to match `key`), the encoded value, and the seal under `key` (NULL: unsealed) with
 * `aead`, using `cache` (the cipher states for that key and AEAD; NULL: none kept). Returns 0,
 * or -1 with `err` filled. */
int tp_tx_write(uint8_t *buf, const tp_header *h, const hale_type *t, const void *value,
                size_t payload_len, const uint8_t *key, tp_aead aead, tp_seal_cache *cache,
                tp_codec_err *err);

#endif
