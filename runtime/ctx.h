/* Execution contexts: the machine-level switch under every coroutine.
 *
 * A context is a saved stack pointer (the callee-saved registers live on the stack it points
 * into). `hale_exec_ctx_switch` saves the running context into `from` and resumes `to`; it returns
 * when someone switches back to `from`. This layer knows nothing of sanitizers, scratch or
 * scheduling: coro.c wraps it with those.
 *
 * The implementation is chosen at build time: a hand-written switch on x86_64 and aarch64, and
 * `ucontext` elsewhere or when HALE_CTX_UCONTEXT is defined (ctx.c says why). */
#ifndef HALE_RUNTIME_CTX_H
#define HALE_RUNTIME_CTX_H

#include <stddef.h>

#if !defined(HALE_CTX_UCONTEXT) && !defined(__x86_64__) && !defined(__aarch64__)
#define HALE_CTX_UCONTEXT 1
#endif

#ifdef HALE_CTX_UCONTEXT
#include <ucontext.h>
typedef struct hale_exec_ctx {
    ucontext_t uc;
    void (*entry)(void *);
    void *arg;
} hale_exec_ctx;
#else
typedef struct hale_exec_ctx {
    void *sp;
} hale_exec_ctx;
#endif

/* Prepares `c` to run `entry(arg)` on the stack [stack_lo, stack_lo + size) the first time it is
 * switched to. `entry` must never return: it ends by switching away for good. A context that is
 * currently running (the thread's own) needs no preparation: the first switch away fills it. */
void hale_exec_ctx_make(hale_exec_ctx *c, void *stack_lo, size_t size, void (*entry)(void *),
                        void *arg);

/* Saves the running context into `from` and resumes `to`. */
void hale_exec_ctx_switch(hale_exec_ctx *from, hale_exec_ctx *to);

/* "asm" or "ucontext", for benchmarks and diagnostics. */
const char *hale_ctx_impl(void);

#endif
