/* See std_codec.h. */
#include "std_codec.h"

#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>
#include <zlib.h>

static hale_str encode(hale_region *r, hale_bytes b, int variant) {
    if (b.len <= 0) {
        return (hale_str){"", 0};
    }
    size_t cap = sodium_base64_encoded_len((size_t)b.len, variant);
    char *p = hale_region_alloc(r, cap, 1);
    sodium_bin2base64(p, cap, b.ptr, (size_t)b.len, variant);
    return (hale_str){p, (int64_t)strlen(p)};
}

hale_str hale_base64_encode(hale_region *r, hale_bytes b) {
    return encode(r, b, sodium_base64_VARIANT_ORIGINAL);
}

hale_str hale_base64_url_encode(hale_region *r, hale_bytes b) {
    return encode(r, b, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

hale_bytes hale_base64_decode(hale_region *r, hale_str s) {
    hale_bytes none = {(const uint8_t *)"", 0};
    if (s.len <= 0) {
        return none;
    }
    size_t cap = (size_t)s.len / 4 * 3 + 3, n = 0;
    uint8_t *p = hale_region_alloc(r, cap, 1);
    const char *end = NULL;
    if (sodium_base642bin(p, cap, s.ptr, (size_t)s.len, NULL, &n, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        end != s.ptr + s.len) {
        return none;
    }
    return (hale_bytes){p, (int64_t)n};
}

static hale_bytes digest(hale_region *r, const EVP_MD *md, hale_bytes b) {
    unsigned int n = (unsigned int)EVP_MD_get_size(md);
    uint8_t *p = hale_region_alloc(r, n, 1);
    if (!EVP_Digest(b.len > 0 ? b.ptr : (const uint8_t *)"", b.len > 0 ? (size_t)b.len : 0, p, &n,
                    md, NULL)) {
        return (hale_bytes){(const uint8_t *)"", 0};
    }
    return (hale_bytes){p, (int64_t)n};
}

hale_bytes hale_crypto_sha1(hale_region *r, hale_bytes b) {
    return digest(r, EVP_sha1(), b);
}

hale_bytes hale_crypto_sha256(hale_region *r, hale_bytes b) {
    return digest(r, EVP_sha256(), b);
}

hale_bytes hale_crypto_sha512(hale_region *r, hale_bytes b) {
    return digest(r, EVP_sha512(), b);
}

static hale_bytes hmac(hale_region *r, const EVP_MD *md, hale_bytes key, hale_bytes msg) {
    unsigned int n = (unsigned int)EVP_MD_get_size(md);
    uint8_t *p = hale_region_alloc(r, n, 1);
    if (!HMAC(md, key.len > 0 ? key.ptr : (const uint8_t *)"", key.len > 0 ? (int)key.len : 0,
              msg.len > 0 ? msg.ptr : (const uint8_t *)"", msg.len > 0 ? (size_t)msg.len : 0, p,
              &n)) {
        return (hale_bytes){(const uint8_t *)"", 0};
    }
    return (hale_bytes){p, (int64_t)n};
}

hale_bytes hale_crypto_hmac_sha256(hale_region *r, hale_bytes key, hale_bytes msg) {
    return hmac(r, EVP_sha256(), key, msg);
}

hale_bytes hale_crypto_hmac_sha512(hale_region *r, hale_bytes key, hale_bytes msg) {
    return hmac(r, EVP_sha512(), key, msg);
}

int64_t hale_crypto_crc32(hale_bytes b) {
    uLong c = crc32(0L, Z_NULL, 0);
    const uint8_t *p = b.ptr;
    int64_t left = b.len > 0 ? b.len : 0;
    while (left > 0) {
        uInt chunk = left > (int64_t)0x40000000 ? 0x40000000u : (uInt)left;
        c = crc32(c, p, chunk);
        p += chunk;
        left -= chunk;
    }
    return (int64_t)c;
}

hale_str hale_hex_encode(hale_region *r, hale_bytes b) {
    if (b.len <= 0) {
        return (hale_str){"", 0};
    }
    char *p = hale_region_alloc(r, (size_t)b.len * 2 + 1, 1);
    sodium_bin2hex(p, (size_t)b.len * 2 + 1, b.ptr, (size_t)b.len);
    return (hale_str){p, b.len * 2};
}
