/* Key hashing and comparison for the keyed forms (hashmap, lru_cache): Int and String keys take a
 * direct path, any other key type walks its descriptor. Hashes never come out as 0 (the keyed
 * forms use 0 for "empty"). Internal to the runtime. */
#ifndef HALE_RUNTIME_KEYS_H
#define HALE_RUNTIME_KEYS_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "copy.h"
#include "value.h"

static inline uint64_t hale_key_hash(const hale_type *k, const void *key) {
    uint64_t h;
    if (k->kind == HALE_T_INT) {
        uint64_t x = (uint64_t) * (const int64_t *)key;
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdULL;
        x ^= x >> 33;
        h = x;
    } else {
        h = hale_value_hash(k, key);
    }
    return h | ((uint64_t)1 << 63);
}

static inline bool hale_key_equal(const hale_type *k, const void *a, const void *b) {
    if (k->kind == HALE_T_INT) {
        return *(const int64_t *)a == *(const int64_t *)b;
    }
    if (k->kind == HALE_T_STRING) {
        const hale_str *x = a, *y = b;
        return x->len == y->len && (x->len <= 0 || memcmp(x->ptr, y->ptr, (size_t)x->len) == 0);
    }
    return hale_value_equal(k, a, b);
}

#endif
