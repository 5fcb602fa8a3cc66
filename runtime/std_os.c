/* See std_os.h. */
#include "std_os.h"

#include <errno.h>
#include <sodium.h>
#include <stdatomic.h>
#include <string.h>

#include "std.h"

#define RAND_FIXED_SEED 0x9e3779b97f4a7c15ULL

bool hale_os_getrandom(hale_region *into, int64_t n, hale_bytes *out, hale_io_error *e) {
    if (out) {
        *out = (hale_bytes){(const uint8_t *)"", 0};
    }
    if (n > HALE_GETRANDOM_MAX) {
        hale_io_error_set(e, EINVAL, "std::os::getrandom", "std::os::getrandom");
        return false;
    }
    if (n <= 0) {
        return true;
    }
    if (sodium_init() < 0) {
        hale_io_error_set(e, EIO, "std::os::getrandom", "std::os::getrandom");
        return false;
    }
    uint8_t *p = hale_region_alloc(into, (size_t)n, 1);
    randombytes_buf(p, (size_t)n);
    if (out) {
        *out = (hale_bytes){p, n};
    }
    return true;
}

static _Atomic uint64_t rand_state = RAND_FIXED_SEED;

static uint64_t next64(void) {
    uint64_t s = atomic_load_explicit(&rand_state, memory_order_relaxed), x;
    do {
        x = s;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
    } while (!atomic_compare_exchange_weak_explicit(&rand_state, &s, x, memory_order_relaxed,
                                                    memory_order_relaxed));
    return x * 0x2545f4914f6cdd1dULL;
}

int64_t hale_rand_next_int(int64_t max) {
    if (max <= 0) {
        return 0;
    }
    uint64_t m = (uint64_t)max, limit = UINT64_MAX - UINT64_MAX % m;
    uint64_t v;
    do {
        v = next64();
    } while (v >= limit);
    return (int64_t)(v % m);
}

void hale_rand_seed(uint64_t seed) {
    atomic_store(&rand_state, seed ? seed : RAND_FIXED_SEED);
}

void hale_rand_seed_from_time(void) {
    uint64_t t = (uint64_t)hale_time_monotonic() ^ ((uint64_t)hale_time_now() << 32);
    /* splitmix the clock so close seeds do not give close states */
    t += 0x9e3779b97f4a7c15ULL;
    t = (t ^ (t >> 30)) * 0xbf58476d1ce4e5b9ULL;
    t = (t ^ (t >> 27)) * 0x94d049bb133111ebULL;
    hale_rand_seed(t ^ (t >> 31));
}
