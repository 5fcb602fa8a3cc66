/* See ctx.h.
 *
 * Why a hand-written switch. A coroutine switch happens on every park and every wake, so its
 * cost is paid per sleep, per recv that would block and per yield. The candidates were:
 *
 *  - ucontext (swapcontext): portable, but it saves and restores the signal mask with a
 *    rt_sigprocmask system call on every switch, and copies a ~1 KiB ucontext_t. Measured on a
 *    2-core x86_64 machine (tests/bench/sched, "switch" row) it costs more than 15x the switch
 *    below (~400 ns against ~23 ns).
 *  - libboost-context's make_fcontext/jump_fcontext: the same technique as below (callee-saved
 *    registers pushed on the stack, stack pointer exchanged), so the same cost; but it would add
 *    a C++ library package to every machine that links a Hale program, for ~30 instructions.
 *  - This file: the System V callee-saved registers (x86_64: rbx rbp r12-r15 plus the MXCSR and
 *    x87 control words; aarch64: x19-x30 and d8-d15) are pushed on the running stack, the stack
 *    pointer is stored in `from` and loaded from `to`, and the registers are popped. No system
 *    call, no signal mask (the scheduler never changes it per coroutine), a few nanoseconds.
 *
 * ucontext stays as the fallback for other architectures and for HALE_CTX_UCONTEXT builds, so
 * the rest of the runtime never depends on which one is in use.
 *
 * A fresh context's stack is laid out as if hale_exec_ctx_switch had saved it with its return
 * address pointing at hale_ctx_start, which moves `arg` into the first argument register and calls
 * `entry`. The stack is 16-byte aligned at that call, as both ABIs require. */
#include "ctx.h"

#include <stdint.h>
#include <string.h>

#include "fatal.h"

#ifndef HALE_CTX_UCONTEXT

#if defined(__x86_64__)
__asm__(".text\n"
        ".globl hale_exec_ctx_switch\n"
        ".type hale_exec_ctx_switch,@function\n"
        ".p2align 4\n"
        "hale_exec_ctx_switch:\n"
        "    pushq %rbp\n"
        "    pushq %rbx\n"
        "    pushq %r12\n"
        "    pushq %r13\n"
        "    pushq %r14\n"
        "    pushq %r15\n"
        "    subq $8, %rsp\n"
        "    stmxcsr (%rsp)\n"
        "    fnstcw 4(%rsp)\n"
        "    movq %rsp, (%rdi)\n"
        "    movq (%rsi), %rsp\n"
        "    ldmxcsr (%rsp)\n"
        "    fldcw 4(%rsp)\n"
        "    addq $8, %rsp\n"
        "    popq %r15\n"
        "    popq %r14\n"
        "    popq %r13\n"
        "    popq %r12\n"
        "    popq %rbx\n"
        "    popq %rbp\n"
        "    ret\n"
        ".size hale_exec_ctx_switch, .-hale_exec_ctx_switch\n"
        ".globl hale_ctx_start\n"
        ".hidden hale_ctx_start\n"
        ".type hale_ctx_start,@function\n"
        ".p2align 4\n"
        "hale_ctx_start:\n"
        "    movq %r12, %rdi\n"
        "    callq *%r13\n"
        "    ud2\n"
        ".size hale_ctx_start, .-hale_ctx_start\n");

#define FRAME_WORDS 8

static void frame_init(uintptr_t *f, void (*entry)(void *), void *arg) {
    uint32_t mxcsr;
    uint16_t fpcw;
    __asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
    __asm__ volatile("fnstcw %0" : "=m"(fpcw));
    f[0] = (uintptr_t)mxcsr | ((uintptr_t)fpcw << 32);
    f[3] = (uintptr_t)entry; /* r13 */
    f[4] = (uintptr_t)arg;   /* r12 */
}
#define FRAME_RET 7

#elif defined(__aarch64__)
__asm__(".text\n"
        ".globl hale_exec_ctx_switch\n"
        ".type hale_exec_ctx_switch,%function\n"
        ".p2align 4\n"
        "hale_exec_ctx_switch:\n"
        "    sub sp, sp, #160\n"
        "    stp x19, x20, [sp, #0]\n"
        "    stp x21, x22, [sp, #16]\n"
        "    stp x23, x24, [sp, #32]\n"
        "    stp x25, x26, [sp, #48]\n"
        "    stp x27, x28, [sp, #64]\n"
        "    stp x29, x30, [sp, #80]\n"
        "    stp d8, d9, [sp, #96]\n"
        "    stp d10, d11, [sp, #112]\n"
        "    stp d12, d13, [sp, #128]\n"
        "    stp d14, d15, [sp, #144]\n"
        "    mov x9, sp\n"
        "    str x9, [x0]\n"
        "    ldr x9, [x1]\n"
        "    mov sp, x9\n"
        "    ldp x19, x20, [sp, #0]\n"
        "    ldp x21, x22, [sp, #16]\n"
        "    ldp x23, x24, [sp, #32]\n"
        "    ldp x25, x26, [sp, #48]\n"
        "    ldp x27, x28, [sp, #64]\n"
        "    ldp x29, x30, [sp, #80]\n"
        "    ldp d8, d9, [sp, #96]\n"
        "    ldp d10, d11, [sp, #112]\n"
        "    ldp d12, d13, [sp, #128]\n"
        "    ldp d14, d15, [sp, #144]\n"
        "    add sp, sp, #160\n"
        "    ret\n"
        ".size hale_exec_ctx_switch, .-hale_exec_ctx_switch\n"
        ".globl hale_ctx_start\n"
        ".hidden hale_ctx_start\n"
        ".type hale_ctx_start,%function\n"
        ".p2align 4\n"
        "hale_ctx_start:\n"
        "    mov x0, x19\n"
        "    blr x20\n"
        "    brk #0\n"
        ".size hale_ctx_start, .-hale_ctx_start\n");

#define FRAME_WORDS 20

static void frame_init(uintptr_t *f, void (*entry)(void *), void *arg) {
    f[0] = (uintptr_t)arg;   /* x19 */
    f[1] = (uintptr_t)entry; /* x20 */
}
#define FRAME_RET 11 /* x30 */
#endif

extern void hale_ctx_start(void);

void hale_exec_ctx_make(hale_exec_ctx *c, void *stack_lo, size_t size, void (*entry)(void *),
                        void *arg) {
    uintptr_t top = ((uintptr_t)stack_lo + size) & ~(uintptr_t)15;
    uintptr_t *f = (uintptr_t *)(top - FRAME_WORDS * sizeof(uintptr_t));
    memset(f, 0, FRAME_WORDS * sizeof(uintptr_t));
    frame_init(f, entry, arg);
    f[FRAME_RET] = (uintptr_t)hale_ctx_start;
    c->sp = f;
}

const char *hale_ctx_impl(void) {
    return "asm";
}

#else /* HALE_CTX_UCONTEXT */

/* makecontext passes int arguments only: the context pointer travels as two halves. */
static void uctx_start(unsigned hi, unsigned lo) {
    hale_exec_ctx *c = (hale_exec_ctx *)(((uintptr_t)hi << 32) | (uintptr_t)lo);
    c->entry(c->arg);
    hale_fatal("a context entry returned");
}

void hale_exec_ctx_make(hale_exec_ctx *c, void *stack_lo, size_t size, void (*entry)(void *),
                        void *arg) {
    if (getcontext(&c->uc) != 0) {
        hale_fatal("getcontext failed");
    }
    c->uc.uc_stack.ss_sp = stack_lo;
    c->uc.uc_stack.ss_size = size;
    c->uc.uc_link = NULL;
    c->entry = entry;
    c->arg = arg;
    uintptr_t p = (uintptr_t)c;
    makecontext(&c->uc, (void (*)(void))uctx_start, 2, (unsigned)(p >> 32),
                (unsigned)(p & 0xffffffffu));
}

void hale_exec_ctx_switch(hale_exec_ctx *from, hale_exec_ctx *to) {
    if (swapcontext(&from->uc, &to->uc) != 0) {
        hale_fatal("swapcontext failed");
    }
}

const char *hale_ctx_impl(void) {
    return "ucontext";
}

#endif
