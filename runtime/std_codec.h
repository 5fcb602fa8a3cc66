/* std::text::base64 and std::crypto: encodings and digests over Bytes.
 *
 * base64 is libsodium's constant-time codec (RFC 4648: `encode`/`decode` with padding,
 * `url_encode` URL-safe and unpadded for JWT and webhooks); `decode` of anything that is not
 * base64 answers an empty Bytes (Hale's convention: `len(b) == 0` means it failed). Digests and
 * HMACs are OpenSSL's libcrypto (the implementations the TLS module links anyway, constant time
 * and maintained against every CPU's extensions); crc32 is zlib's (IEEE 802.3, the zlib and
 * Python binascii variant), returned as a non-negative Int. */
#ifndef HALE_RUNTIME_STD_CODEC_H
#define HALE_RUNTIME_STD_CODEC_H

#include <stdint.h>

#include "region.h"
#include "value.h"

hale_str hale_base64_encode(hale_region *r, hale_bytes b);
hale_str hale_base64_url_encode(hale_region *r, hale_bytes b);
hale_bytes hale_base64_decode(hale_region *r, hale_str s);

hale_bytes hale_crypto_sha1(hale_region *r, hale_bytes b);
hale_bytes hale_crypto_sha256(hale_region *r, hale_bytes b);
hale_bytes hale_crypto_sha512(hale_region *r, hale_bytes b);
hale_bytes hale_crypto_hmac_sha256(hale_region *r, hale_bytes key, hale_bytes msg);
hale_bytes hale_crypto_hmac_sha512(hale_region *r, hale_bytes key, hale_bytes msg);
int64_t hale_crypto_crc32(hale_bytes b);
/* Lower-case hex of b (a digest for printing). */
hale_str hale_hex_encode(hale_region *r, hale_bytes b);

#endif
