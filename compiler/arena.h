/* The compiler's own memory: one arena per compilation, freed at once when the compilation ends.
 *
 * Every AST node, token, type and symbol lives in the arena, so no phase frees anything and no
 * phase can leave a dangling pointer into another's data. Growable vectors (HC_VEC) also grow
 * inside the arena: an outgrown buffer is simply abandoned, which costs at most a factor of two
 * in a structure whose lifetime is one compilation. The C text the emitter writes is the one
 * thing that grows without bound, so it uses a malloc-backed hc_buf instead. */
#ifndef HALE_COMPILER_ARENA_H
#define HALE_COMPILER_ARENA_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

typedef struct hc_arena hc_arena;

hc_arena *hc_arena_new(void);
void hc_arena_free(hc_arena *a);

/* Zeroed, 16-byte aligned. Out of memory is fatal (the compiler prints and exits 3). */
void *hc_alloc(hc_arena *a, size_t size);
char *hc_strndup(hc_arena *a, const char *s, size_t n);
char *hc_strdup(hc_arena *a, const char *s);
char *hc_sprintf(hc_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *hc_vsprintf(hc_arena *a, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

#define HC_NEW(a, T) ((T *)hc_alloc((a), sizeof(T)))

/* A vector of T stored in an arena. */
#define HC_VEC(T)                                                                                  \
    struct {                                                                                       \
        T *v;                                                                                      \
        int n, cap;                                                                                \
    }

void hc_vec_grow(hc_arena *a, void **v, int *cap, int n, size_t elem);

#define HC_PUSH(a, vec, item)                                                                      \
    do {                                                                                           \
        if ((vec).n == (vec).cap) {                                                                \
            hc_vec_grow((a), (void **)&(vec).v, &(vec).cap, (vec).n, sizeof *(vec).v);             \
        }                                                                                          \
        (vec).v[(vec).n++] = (item);                                                               \
    } while (0)

/* A growable byte buffer on the C heap (for generated text and file contents). */
typedef struct {
    char *p;
    size_t len, cap;
} hc_buf;

void hc_buf_put(hc_buf *b, const char *s, size_t n);
void hc_buf_puts(hc_buf *b, const char *s);
void hc_buf_printf(hc_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void hc_buf_vprintf(hc_buf *b, const char *fmt, va_list ap);
void hc_buf_free(hc_buf *b);
/* NUL-terminates and returns the contents (still owned by the buffer). */
const char *hc_buf_cstr(hc_buf *b);

#endif
