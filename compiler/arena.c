/* See arena.h. Blocks of 64 KiB (or one block per large request), bump allocation. */
#include "arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define BLOCK_SIZE ((size_t)64 * 1024)

typedef struct block {
    struct block *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
} block;

struct hc_arena {
    block *head;
};

static void oom(void) {
    fputs("hale: out of memory\n", stderr);
    exit(3);
}

hc_arena *hc_arena_new(void) {
    hc_arena *a = calloc(1, sizeof *a);
    if (!a) {
        oom();
    }
    return a;
}

void hc_arena_free(hc_arena *a) {
    if (!a) {
        return;
    }
    block *b = a->head;
    while (b) {
        block *next = b->next;
        free(b);
        b = next;
    }
    free(a);
}

void *hc_alloc(hc_arena *a, size_t size) {
    size = (size + 15) & ~(size_t)15;
    if (size == 0) {
        size = 16;
    }
    block *b = a->head;
    if (!b || b->cap - b->used < size) {
        size_t cap = size > BLOCK_SIZE / 4 ? size : BLOCK_SIZE;
        block *nb = malloc(sizeof *nb + cap);
        if (!nb) {
            oom();
        }
        nb->used = 0;
        nb->cap = cap;
        if (cap == size && b) {
            /* A large request gets its own block behind the current one, which keeps serving
             * small allocations. */
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            a->head = nb;
        }
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += size;
    memset(p, 0, size);
    return p;
}

char *hc_strndup(hc_arena *a, const char *s, size_t n) {
    char *p = hc_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *hc_strdup(hc_arena *a, const char *s) {
    return hc_strndup(a, s, strlen(s));
}

char *hc_vsprintf(hc_arena *a, const char *fmt, va_list ap) {
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    char *p = hc_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *hc_sprintf(hc_arena *a, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *p = hc_vsprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

void hc_vec_grow(hc_arena *a, void **v, int *cap, int n, size_t elem) {
    int ncap = *cap ? *cap * 2 : 8;
    void *nv = hc_alloc(a, (size_t)ncap * elem);
    if (n) {
        memcpy(nv, *v, (size_t)n * elem);
    }
    *v = nv;
    *cap = ncap;
}

void hc_buf_put(hc_buf *b, const char *s, size_t n) {
    if (b->len + n + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap * 2 : 4096;
        while (ncap < b->len + n + 1) {
            ncap *= 2;
        }
        char *np = realloc(b->p, ncap);
        if (!np) {
            oom();
        }
        b->p = np;
        b->cap = ncap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

void hc_buf_puts(hc_buf *b, const char *s) {
    hc_buf_put(b, s, strlen(s));
}

void hc_buf_vprintf(hc_buf *b, const char *fmt, va_list ap) {
    char small[512];
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    if (n < (int)sizeof small) {
        hc_buf_put(b, small, (size_t)n);
    } else {
        char *big = malloc((size_t)n + 1);
        if (!big) {
            oom();
        }
        vsnprintf(big, (size_t)n + 1, fmt, ap2);
        hc_buf_put(b, big, (size_t)n);
        free(big);
    }
    va_end(ap2);
}

void hc_buf_printf(hc_buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    hc_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void hc_buf_free(hc_buf *b) {
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

const char *hc_buf_cstr(hc_buf *b) {
    hc_buf_put(b, "", 0);
    b->p[b->len] = '\0';
    return b->p;
}
