/* Whether this build runs under AddressSanitizer (HALE_ASAN) or ThreadSanitizer (HALE_TSAN):
 * GCC says so with __SANITIZE_*__, clang with __has_feature. The coroutine stacks and switches
 * must tell the sanitizers about every stack change (stack.c, coro.c, pool.c). */
#ifndef HALE_RUNTIME_SANITIZE_H
#define HALE_RUNTIME_SANITIZE_H

#if defined(__SANITIZE_ADDRESS__)
#define HALE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HALE_ASAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define HALE_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define HALE_TSAN 1
#endif
#endif

/* The sanitizers' own declarations of the calls that follow stack switches. */
#ifdef HALE_ASAN
#include <sanitizer/asan_interface.h>
#endif
#ifdef HALE_TSAN
#include <sanitizer/tsan_interface.h>
#endif

#endif
