/* std::os::getrandom (cryptographic randomness) and std::rand (a fast, not cryptographic,
 * generator for jitter, sampling and shuffles).
 *
 * getrandom uses libsodium's randombytes_buf, which reads the kernel's getrandom(2) and never
 * blocks once the kernel pool is initialised: the library the transport already links for its
 * sealing, so randomness costs programs no new dependency. A request over HALE_GETRANDOM_MAX
 * bytes is an IoError of kind "invalid" (path "std::os::getrandom"); a negative or zero count is
 * an empty Bytes.
 *
 * std::rand is one xorshift64* state for the whole process, advanced with a compare-and-swap so
 * threads never see the same draw twice. It starts from a fixed seed (a program's sequence is
 * the same run to run until it calls seed_from_time). next_int(max) is uniform in [0, max)
 * (rejection sampling, no modulo bias); max <= 0 answers 0. */
#ifndef HALE_RUNTIME_STD_OS_H
#define HALE_RUNTIME_STD_OS_H

#include <stdbool.h>
#include <stdint.h>

#include "ioerror.h"
#include "region.h"
#include "value.h"

#define HALE_GETRANDOM_MAX 8192

bool hale_os_getrandom(hale_region *into, int64_t n, hale_bytes *out, hale_io_error *e);

int64_t hale_rand_next_int(int64_t max);
void hale_rand_seed_from_time(void);
/* Sets the state (0 is replaced by the fixed seed): tests. */
void hale_rand_seed(uint64_t seed);

#endif
