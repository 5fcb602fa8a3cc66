/* Coroutine switch cost, three ways:
 *   asm:      hale_exec_ctx_switch between two contexts (the primitive the scheduler uses);
 *   ucontext: swapcontext between two contexts (the portable alternative);
 *   yield:    hale_yield between two coroutines on one pool, per call (the whole scheduler
 *             path: two switches, run queue, scratch swap, counters, a non-blocking poll).
 * Prints "switch_asm_ns=A switch_ucontext_ns=U yield_ns=Y" (nanoseconds per switch).
 * Usage: sched_bench_switch [SWITCHES] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <ucontext.h>

#include "ctx.h"
#include "scheduler.h"
#include "stack.h"

static long n;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static hale_exec_ctx a, b;

static void other(void *arg) {
    (void)arg;
    for (;;) {
        hale_exec_ctx_switch(&b, &a);
    }
}

static double asm_ns(void) {
    hale_stack s;
    hale_stack_map(&s, 64 * 1024);
    hale_exec_ctx_make(&b, s.lo, s.size, other, NULL);
    double t0 = now_s();
    for (long i = 0; i < n; i++) {
        hale_exec_ctx_switch(&a, &b);
    }
    double t = now_s() - t0;
    hale_stack_unmap(&s);
    return t / (double)(2 * n) * 1e9;
}

static ucontext_t ua, ub;

static void uother(void) {
    for (;;) {
        swapcontext(&ub, &ua);
    }
}

static double ucontext_ns(void) {
    hale_stack s;
    hale_stack_map(&s, 64 * 1024);
    getcontext(&ub);
    ub.uc_stack.ss_sp = s.lo;
    ub.uc_stack.ss_size = s.size;
    ub.uc_link = NULL;
    makecontext(&ub, uother, 0);
    long m = n / 10; /* it is slow */
    double t0 = now_s();
    for (long i = 0; i < m; i++) {
        swapcontext(&ua, &ub);
    }
    double t = now_s() - t0;
    hale_stack_unmap(&s);
    return t / (double)(2 * m) * 1e9;
}

static void spinner(void *arg) {
    (void)arg;
    for (long i = 0; i < n; i++) {
        hale_yield();
    }
}

static double yield_ns(void) {
    hale_sched_init(NULL);
    hale_spawn(hale_pool_main(), spinner, NULL, NULL);
    hale_spawn(hale_pool_main(), spinner, NULL, NULL);
    double t0 = now_s();
    hale_sched_run();
    double t = now_s() - t0;
    hale_sched_shutdown();
    return t / (double)(2 * n) * 1e9; /* per hale_yield: out to the scheduler and back in */
}

int main(int argc, char **argv) {
    n = argc > 1 ? atol(argv[1]) : 10000000;
    printf("switch_impl=%s switch_asm_ns=%.2f switch_ucontext_ns=%.2f yield_ns=%.2f\n",
           hale_ctx_impl(), asm_ns(), ucontext_ns(), yield_ns());
    return 0;
}
