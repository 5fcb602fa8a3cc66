/* See locus_bind.h. This file: the bindings table, the transport's hooks at the program's fixed
 * points, and the main locus's transport supervision. */
#include <stdio.h>
#include <stdlib.h>

#include "locus_bind.h"
#include "locus_impl.h"
#include "scheduler.h"

static struct {
    const hale_bind_desc *d;
    size_t n;
    const hale_bind_ops *ops;
    const hale_locus_type *main_type;
    hale_bind_failure_fn on_failure;
    int started;
} B;

void hale_program_bind(const hale_bind_desc *d, size_t n, const hale_bind_ops *ops) {
    B.d = d;
    B.n = n;
    B.ops = ops;
}

void hale_program_bind_failure(const hale_locus_type *main_type, hale_bind_failure_fn fn) {
    B.main_type = main_type;
    B.on_failure = fn;
}

void hale_locus_bind_open(void) {
    if (!B.ops) {
        return;
    }
    char err[512];
    if (B.ops->open(B.d, B.n, err, sizeof err) != 0) {
        fprintf(stderr, "hale: %s\n", err);
        fflush(stderr);
        exit(1);
    }
}

void hale_locus_bind_start(void) {
    if (B.ops && B.ops->start) {
        B.ops->start();
        B.started = 1;
    }
}

void hale_locus_bind_stop(void) {
    if (B.ops && B.started && B.ops->stop) {
        B.ops->stop();
        B.started = 0;
    }
}

void hale_locus_bind_close(void) {
    if (B.ops && B.ops->close) {
        B.ops->close();
    }
}

/* ---- supervision ---- */

static hale_locus *find_main(hale_locus *l, int depth) {
    for (hale_locus *c = l->first; c; c = c->next) {
        if (c->type == B.main_type && c->phase >= PH_BIRTH && c->phase < PH_DISSOLVE) {
            return c;
        }
        hale_locus *m = depth < 8 ? find_main(c, depth + 1) : NULL;
        if (m) {
            return m;
        }
    }
    return NULL;
}

typedef struct {
    hale_locus *main;
    void *link;
    const hale_violation *err;
} failure_arg;

static void call_failure(void *p) {
    failure_arg *a = p;
    hale_scratch *s = hale_scratch_current();
    B.on_failure(hale_scratch_side(s, 1), hale_scratch_side(s, 0), a->main, a->link, a->err);
}

static void run_failure(void *p) {
    failure_arg *a = p;
    hale_locus_frame *saved = hale_tls_frame;
    hale_tls_frame = NULL;
    hale_locus_framed(a->main, FR_HOOK, call_failure, a);
    hale_tls_frame = saved;
}

int hale_bind_run_failure(void *link, const hale_violation *err) {
    if (!B.on_failure || !B.main_type) {
        return 0;
    }
    hale_locus *m = find_main(hale_locus_root(), 0);
    if (!m) {
        return 0;
    }
    failure_arg a = {m, link, err};
    /* on main's own thread, whoever found the loss (a send on another pool waits for it) */
    hale_place_call(hale_locus_pool(m), run_failure, &a);
    return 1;
}

int hale_bind_wait_fd(int fd, int events, int64_t timeout_ns) {
    return hale_wait_fd(fd, events, timeout_ns);
}

int hale_bind_sleep(int64_t ns) {
    return hale_sleep(ns);
}
