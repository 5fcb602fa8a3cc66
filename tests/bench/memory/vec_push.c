/* form_vec_push: 500k pushes of an Int, three ways in one process: the generic form API
 * (hale_vec_push), the inline fast path the compiler emits for flat elements
 * (hale_vec_push_flat: a store while len < cap, a call only to grow), and idiomatic C (doubling
 * realloc, with buffer/len/cap in registers). */
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"
#include "form_vec.h"

enum { N = 500000 };

static void hale_generic(void *arg) {
    (void)arg;
    hale_region *r = hale_region_new(NULL, "ItemList");
    hale_vec v;
    hale_vec_init(&v, r, &hale_type_int);
    for (int64_t i = 0; i < N; i++) {
        hale_vec_push(&v, &i);
    }
    bench_sink = *(int64_t *)hale_vec_at(&v, N - 1) + hale_vec_len(&v);
    hale_region_free(r);
}

static void hale_inlined(void *arg) {
    (void)arg;
    hale_region *r = hale_region_new(NULL, "ItemList");
    hale_vec v;
    hale_vec_init(&v, r, &hale_type_int);
    for (int64_t i = 0; i < N; i++) {
        hale_vec_push_flat(&v, &i, sizeof i);
    }
    bench_sink = ((int64_t *)v.data)[N - 1] + v.len;
    hale_region_free(r);
}

/* What a code generator that keeps the vec header in locals across a loop emits: the same
 * runtime, with len/cap/data in registers, written back around the growth call. */
static void hale_hoisted(void *arg) {
    (void)arg;
    hale_region *r = hale_region_new(NULL, "ItemList");
    hale_vec v;
    hale_vec_init(&v, r, &hale_type_int);
    char *data = v.data;
    int64_t len = v.len, cap = v.cap;
    for (int64_t i = 0; i < N; i++) {
        if (__builtin_expect(len < cap, 1)) {
            ((int64_t *)data)[len++] = i;
        } else {
            int64_t x = i;
            v.len = len;
            hale_vec_push(&v, &x);
            data = v.data;
            len = v.len;
            cap = v.cap;
        }
    }
    v.len = len;
    bench_sink = ((int64_t *)v.data)[N - 1] + v.len;
    hale_region_free(r);
}

static void c_realloc(void *arg) {
    (void)arg;
    int64_t *buf = NULL;
    size_t len = 0, cap = 0;
    for (int64_t i = 0; i < N; i++) {
        if (len == cap) {
            cap = cap ? cap * 2 : 4;
            buf = realloc(buf, cap * sizeof *buf);
            if (!buf) {
                abort();
            }
        }
        buf[len++] = i;
    }
    bench_sink = buf[N - 1] + (int64_t)len;
    free(buf);
}

/* One variant per process (argv[1]), so each starts from the same allocator state: at this
 * size the runs are short enough that what earlier runs left in malloc's heap shows. */
int main(int argc, char **argv) {
    const char *which = argc > 1 ? argv[1] : "";
    if (strcmp(which, "generic") == 0) {
        bench_report("vec_push_hale", bench_best(21, hale_generic, NULL));
    } else if (strcmp(which, "inline") == 0) {
        bench_report("vec_push_hale_inline", bench_best(21, hale_inlined, NULL));
    } else if (strcmp(which, "hoisted") == 0) {
        bench_report("vec_push_hale_hoisted", bench_best(21, hale_hoisted, NULL));
    } else if (strcmp(which, "c") == 0) {
        bench_report("vec_push_c_realloc", bench_best(21, c_realloc, NULL));
    } else {
        fprintf(stderr, "usage: vec_push generic|inline|hoisted|c\n");
        return 2;
    }
    return 0;
}
