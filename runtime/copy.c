/* See copy.h. Every walker switches on the descriptor's kind and recurses into record fields and
 * element types; flat values short-circuit at the top. */
#include "copy.h"

#include <inttypes.h>
#include <string.h>

#include "decimal.h"
#include "fatal.h"

/* Where a copy's heap parts go: a region (bump, never given back), a heap (sized free), or the
 * rest of a block sized by hale_value_copy_extra. */
typedef struct {
    hale_region *region;
    hale_heap *heap;
    char **bump;
} sink;

static inline __attribute__((always_inline)) void *sink_alloc(const sink *s, size_t size,
                                                              size_t align) {
    if (s->bump) {
        size_t a = align ? align : 1;
        char *p = (char *)(((uintptr_t)*s->bump + a - 1) & ~(uintptr_t)(a - 1));
        *s->bump = p + size;
        return p;
    }
    if (s->heap) {
        return hale_heap_alloc(s->heap, size);
    }
    return hale_region_alloc(s->region, size, align);
}

static size_t array_bytes(int64_t n, size_t elem_size) {
    if (n < 0 || (elem_size && (uint64_t)n > SIZE_MAX / elem_size)) {
        hale_oom(SIZE_MAX, "an array copy");
    }
    return (size_t)n * elem_size;
}

static int64_t bounded_len(const hale_type *t, const void *v) {
    int64_t n = *(const int64_t *)v;
    if (n < 0) {
        return 0;
    }
    return (uint64_t)n > t->capacity ? (int64_t)t->capacity : n;
}

static inline const char *at(const void *base, size_t off) {
    return (const char *)base + off;
}

/* ---- copy ---- */

static void copy_value(const hale_type *t, void *dst, const void *src, const sink *s);

static void copy_blob(void *dst, const void *src, const sink *s) {
    hale_str v; /* hale_bytes has the same layout */
    memcpy(&v, src, sizeof v);
    if (v.len <= 0) {
        v.ptr = "";
        v.len = 0;
    } else {
        char *p = sink_alloc(s, (size_t)v.len, 1);
        memcpy(p, v.ptr, (size_t)v.len);
        v.ptr = p;
    }
    memcpy(dst, &v, sizeof v);
}

static void copy_array(const hale_type *t, void *dst, const void *src, const sink *s) {
    hale_array a;
    memcpy(&a, src, sizeof a);
    const hale_type *e = t->elem;
    if (a.len <= 0) {
        a.data = NULL;
        a.len = a.cap = 0;
    } else {
        char *buf = sink_alloc(s, array_bytes(a.len, e->size), e->align);
        if (e->flat) {
            memcpy(buf, a.data, (size_t)a.len * e->size);
        } else {
            for (int64_t i = 0; i < a.len; i++) {
                copy_value(e, buf + i * e->size, at(a.data, i * e->size), s);
            }
        }
        a.data = buf;
        a.cap = a.len;
    }
    memcpy(dst, &a, sizeof a);
}

static void copy_value(const hale_type *t, void *dst, const void *src, const sink *s) {
    if (t->flat) {
        if (dst != src) {
            memcpy(dst, src, t->size);
        }
        return;
    }
    switch (t->kind) {
    case HALE_T_STRING:
    case HALE_T_BYTES:
        copy_blob(dst, src, s);
        return;
    case HALE_T_ARRAY:
        copy_array(t, dst, src, s);
        return;
    case HALE_T_RECORD:
        if (dst != src) {
            memcpy(dst, src, t->size);
        }
        for (size_t i = 0; i < t->nfields; i++) {
            const hale_field *f = &t->fields[i];
            if (!f->type->flat) {
                copy_value(f->type, (char *)dst + f->offset, at(src, f->offset), s);
            }
        }
        return;
    case HALE_T_BOUNDED: {
        if (dst != src) {
            memcpy(dst, src, t->size);
        }
        const hale_type *e = t->elem;
        int64_t n = bounded_len(t, src);
        for (int64_t i = 0; i < n; i++) {
            size_t off = t->items_offset + (size_t)i * e->size;
            copy_value(e, (char *)dst + off, at(src, off), s);
        }
        return;
    }
    default:
        if (dst != src) {
            memcpy(dst, src, t->size);
        }
        return;
    }
}

void hale_value_copy(const hale_type *t, void *dst, const void *src, hale_region *into) {
    sink s = {.region = into};
    copy_value(t, dst, src, &s);
}

void hale_value_copy_heap(const hale_type *t, void *dst, const void *src, hale_heap *into) {
    sink s = {.heap = into};
    copy_value(t, dst, src, &s);
}

void hale_value_copy_bump(const hale_type *t, void *dst, const void *src, char **bump) {
    sink s = {.bump = bump};
    copy_value(t, dst, src, &s);
}

size_t hale_value_copy_extra(const hale_type *t, const void *v) {
    if (t->flat) {
        return 0;
    }
    switch (t->kind) {
    case HALE_T_STRING:
    case HALE_T_BYTES: {
        hale_str s;
        memcpy(&s, v, sizeof s);
        return s.len > 0 ? (size_t)s.len : 0;
    }
    case HALE_T_RECORD: {
        size_t n = 0;
        for (size_t i = 0; i < t->nfields; i++) {
            n += hale_value_copy_extra(t->fields[i].type, at(v, t->fields[i].offset));
        }
        return n;
    }
    case HALE_T_ARRAY: {
        hale_array a;
        memcpy(&a, v, sizeof a);
        if (a.len <= 0) {
            return 0;
        }
        const hale_type *e = t->elem;
        size_t n = array_bytes(a.len, e->size) + e->align;
        for (int64_t i = 0; i < a.len && !e->flat; i++) {
            n += hale_value_copy_extra(e, at(a.data, (size_t)i * e->size));
        }
        return n;
    }
    case HALE_T_BOUNDED: {
        size_t n = 0;
        int64_t len = bounded_len(t, v);
        for (int64_t i = 0; i < len; i++) {
            n += hale_value_copy_extra(t->elem, at(v, t->items_offset + (size_t)i * t->elem->size));
        }
        return n;
    }
    default:
        return 0;
    }
}

/* ---- release ---- */

void hale_value_release(const hale_type *t, void *v, hale_heap *from) {
    if (t->flat) {
        return;
    }
    switch (t->kind) {
    case HALE_T_STRING:
    case HALE_T_BYTES: {
        hale_str b;
        memcpy(&b, v, sizeof b);
        if (b.len > 0) {
            hale_heap_free(from, (void *)b.ptr, (size_t)b.len);
        }
        b.ptr = "";
        b.len = 0;
        memcpy(v, &b, sizeof b);
        return;
    }
    case HALE_T_ARRAY: {
        hale_array a;
        memcpy(&a, v, sizeof a);
        const hale_type *e = t->elem;
        if (a.data) {
            for (int64_t i = 0; i < a.len && !e->flat; i++) {
                hale_value_release(e, (char *)a.data + i * e->size, from);
            }
            hale_heap_free(from, a.data, array_bytes(a.cap, e->size));
        }
        memset(v, 0, sizeof a);
        return;
    }
    case HALE_T_RECORD:
        for (size_t i = 0; i < t->nfields; i++) {
            hale_value_release(t->fields[i].type, (char *)v + t->fields[i].offset, from);
        }
        return;
    case HALE_T_BOUNDED: {
        int64_t n = bounded_len(t, v);
        for (int64_t i = 0; i < n; i++) {
            hale_value_release(t->elem, (char *)v + t->items_offset + (size_t)i * t->elem->size,
                               from);
        }
        *(int64_t *)v = 0;
        return;
    }
    default:
        return;
    }
}

void hale_value_replace_heap(const hale_type *t, void *dst, const void *src, hale_heap *h) {
    if (t->flat) {
        memmove(dst, src, t->size);
        return;
    }
    /* Keep the old value's bytes aside, copy over it, then release the old parts. */
    _Alignas(16) char small[256];
    void *old = t->size <= sizeof small ? small : hale_heap_alloc(h, t->size);
    memcpy(old, dst, t->size);
    hale_value_copy_heap(t, dst, src, h);
    hale_value_release(t, old, h);
    if (old != small) {
        hale_heap_free(h, old, t->size);
    }
}

/* ---- equality ---- */

static bool blob_equal(const void *a, const void *b) {
    hale_str x, y;
    memcpy(&x, a, sizeof x);
    memcpy(&y, b, sizeof y);
    return x.len == y.len && (x.len <= 0 || memcmp(x.ptr, y.ptr, (size_t)x.len) == 0);
}

bool hale_value_equal(const hale_type *t, const void *a, const void *b) {
    switch (t->kind) {
    case HALE_T_INT:
    case HALE_T_DURATION:
    case HALE_T_ENUM:
        return *(const int64_t *)a == *(const int64_t *)b;
    case HALE_T_DECIMAL:
        return memcmp(a, b, sizeof(hale_dec)) == 0;
    case HALE_T_FLOAT:
        return *(const double *)a == *(const double *)b;
    case HALE_T_BOOL:
        return *(const bool *)a == *(const bool *)b;
    case HALE_T_STRING:
    case HALE_T_BYTES:
        return blob_equal(a, b);
    case HALE_T_RECORD:
        for (size_t i = 0; i < t->nfields; i++) {
            const hale_field *f = &t->fields[i];
            if (!hale_value_equal(f->type, at(a, f->offset), at(b, f->offset))) {
                return false;
            }
        }
        return true;
    case HALE_T_ARRAY: {
        const hale_array *x = a, *y = b;
        if (x->len != y->len) {
            return false;
        }
        for (int64_t i = 0; i < x->len; i++) {
            size_t off = (size_t)i * t->elem->size;
            if (!hale_value_equal(t->elem, at(x->data, off), at(y->data, off))) {
                return false;
            }
        }
        return true;
    }
    case HALE_T_BOUNDED: {
        int64_t n = bounded_len(t, a);
        if (n != bounded_len(t, b)) {
            return false;
        }
        for (int64_t i = 0; i < n; i++) {
            size_t off = t->items_offset + (size_t)i * t->elem->size;
            if (!hale_value_equal(t->elem, at(a, off), at(b, off))) {
                return false;
            }
        }
        return true;
    }
    }
    return false;
}

/* ---- hashing ---- */

static inline uint64_t mix64(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

static inline uint64_t combine(uint64_t h, uint64_t v) {
    return mix64(h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2)));
}

static uint64_t hash_blob(const void *v) {
    hale_str s;
    memcpy(&s, v, sizeof s);
    const unsigned char *p = (const unsigned char *)s.ptr;
    uint64_t n = s.len > 0 ? (uint64_t)s.len : 0;
    uint64_t h = 0x243f6a8885a308d3ULL ^ (n * 0x9e3779b97f4a7c15ULL);
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ (w * 0x87c37b91114253d5ULL)) * 0x4cf5ad432745937fULL;
        h ^= h >> 29;
        p += 8;
        n -= 8;
    }
    uint64_t tail = 0;
    if (n) {
        memcpy(&tail, p, n);
    }
    return mix64(h ^ (tail * 0x87c37b91114253d5ULL));
}

uint64_t hale_value_hash(const hale_type *t, const void *v) {
    switch (t->kind) {
    case HALE_T_INT:
    case HALE_T_DURATION:
    case HALE_T_ENUM:
        return mix64((uint64_t) * (const int64_t *)v);
    case HALE_T_DECIMAL: {
        hale_dec d;
        memcpy(&d, v, sizeof d);
        return combine(mix64((uint64_t)d), mix64((uint64_t)(d >> 64)));
    }
    case HALE_T_FLOAT: {
        double d = *(const double *)v;
        if (d == 0) {
            d = 0; /* -0.0 == 0.0 */
        }
        uint64_t bits;
        memcpy(&bits, &d, sizeof bits);
        return mix64(bits);
    }
    case HALE_T_BOOL:
        return mix64(*(const bool *)v ? 1 : 2);
    case HALE_T_STRING:
    case HALE_T_BYTES:
        return hash_blob(v);
    case HALE_T_RECORD: {
        uint64_t h = 0x13198a2e03707344ULL;
        for (size_t i = 0; i < t->nfields; i++) {
            h = combine(h, hale_value_hash(t->fields[i].type, at(v, t->fields[i].offset)));
        }
        return h;
    }
    case HALE_T_ARRAY: {
        const hale_array *a = v;
        uint64_t h = mix64((uint64_t)a->len);
        for (int64_t i = 0; i < a->len; i++) {
            h = combine(h, hale_value_hash(t->elem, at(a->data, (size_t)i * t->elem->size)));
        }
        return h;
    }
    case HALE_T_BOUNDED: {
        int64_t n = bounded_len(t, v);
        uint64_t h = mix64((uint64_t)n);
        for (int64_t i = 0; i < n; i++) {
            size_t off = t->items_offset + (size_t)i * t->elem->size;
            h = combine(h, hale_value_hash(t->elem, at(v, off)));
        }
        return h;
    }
    }
    return 0;
}

/* ---- ordering ---- */

static int cmp_i64(int64_t a, int64_t b) {
    return (a > b) - (a < b);
}

static int blob_compare(const void *a, const void *b) {
    hale_str x, y;
    memcpy(&x, a, sizeof x);
    memcpy(&y, b, sizeof y);
    int64_t n = x.len < y.len ? x.len : y.len;
    int c = n > 0 ? memcmp(x.ptr, y.ptr, (size_t)n) : 0;
    return c ? (c > 0) - (c < 0) : cmp_i64(x.len, y.len);
}

static int seq_compare(const hale_type *e, const char *a, int64_t na, const char *b, int64_t nb) {
    int64_t n = na < nb ? na : nb;
    for (int64_t i = 0; i < n; i++) {
        int c = hale_value_compare(e, a + i * e->size, b + i * e->size);
        if (c) {
            return c;
        }
    }
    return cmp_i64(na, nb);
}

int hale_value_compare(const hale_type *t, const void *a, const void *b) {
    switch (t->kind) {
    case HALE_T_INT:
    case HALE_T_DURATION:
    case HALE_T_ENUM:
        return cmp_i64(*(const int64_t *)a, *(const int64_t *)b);
    case HALE_T_DECIMAL: {
        hale_dec x, y;
        memcpy(&x, a, sizeof x);
        memcpy(&y, b, sizeof y);
        return (x > y) - (x < y);
    }
    case HALE_T_FLOAT: {
        double x = *(const double *)a, y = *(const double *)b;
        return (x > y) - (x < y); /* 0 when either is NaN */
    }
    case HALE_T_BOOL:
        return (int)*(const bool *)a - (int)*(const bool *)b;
    case HALE_T_STRING:
    case HALE_T_BYTES:
        return blob_compare(a, b);
    case HALE_T_RECORD:
        for (size_t i = 0; i < t->nfields; i++) {
            const hale_field *f = &t->fields[i];
            int c = hale_value_compare(f->type, at(a, f->offset), at(b, f->offset));
            if (c) {
                return c;
            }
        }
        return 0;
    case HALE_T_ARRAY: {
        const hale_array *x = a, *y = b;
        return seq_compare(t->elem, x->data, x->len, y->data, y->len);
    }
    case HALE_T_BOUNDED:
        return seq_compare(t->elem, at(a, t->items_offset), bounded_len(t, a),
                           at(b, t->items_offset), bounded_len(t, b));
    }
    return 0;
}

/* ---- debug printing ---- */

static void debug_blob(const void *v, FILE *f, bool bytes) {
    hale_str s;
    memcpy(&s, v, sizeof s);
    fputs(bytes ? "b\"" : "\"", f);
    for (int64_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        if (c == '"' || c == '\\') {
            fprintf(f, "\\%c", c);
        } else if (c == '\n') {
            fputs("\\n", f);
        } else if (c == '\t') {
            fputs("\\t", f);
        } else if (c < 0x20 || c == 0x7f || (bytes && c >= 0x80)) {
            fprintf(f, "\\x%02x", c);
        } else {
            fputc(c, f);
        }
    }
    fputc('"', f);
}

static void debug_seq(const hale_type *e, const char *items, int64_t n, FILE *f) {
    fputc('[', f);
    for (int64_t i = 0; i < n; i++) {
        if (i) {
            fputs(", ", f);
        }
        hale_value_debug(e, items + i * e->size, f);
    }
    fputc(']', f);
}

void hale_value_debug(const hale_type *t, const void *v, FILE *f) {
    switch (t->kind) {
    case HALE_T_INT:
        fprintf(f, "%" PRId64, *(const int64_t *)v);
        return;
    case HALE_T_DURATION:
        fprintf(f, "%" PRId64 "ns", *(const int64_t *)v);
        return;
    case HALE_T_DECIMAL: {
        hale_dec d;
        memcpy(&d, v, sizeof d);
        hale_sbuf b = {0};
        hale_fmt_decimal(&b, d, 0);
        hale_str t = hale_sbuf_view(&b);
        fwrite(t.ptr, 1, (size_t)t.len, f);
        hale_sbuf_release(&b);
        return;
    }
    case HALE_T_FLOAT:
        fprintf(f, "%.17g", *(const double *)v);
        return;
    case HALE_T_BOOL:
        fputs(*(const bool *)v ? "true" : "false", f);
        return;
    case HALE_T_ENUM: {
        int64_t i = *(const int64_t *)v;
        if (i >= 0 && (uint64_t)i < t->nvariants && t->variants) {
            fputs(t->variants[i], f);
        } else {
            fprintf(f, "%s(%" PRId64 ")", t->name ? t->name : "enum", i);
        }
        return;
    }
    case HALE_T_STRING:
    case HALE_T_BYTES:
        debug_blob(v, f, t->kind == HALE_T_BYTES);
        return;
    case HALE_T_RECORD:
        fprintf(f, "%s {", t->name ? t->name : "record");
        for (size_t i = 0; i < t->nfields; i++) {
            fprintf(f, "%s %s: ", i ? "," : "", t->fields[i].name);
            hale_value_debug(t->fields[i].type, at(v, t->fields[i].offset), f);
        }
        fputs(t->nfields ? " }" : "}", f);
        return;
    case HALE_T_ARRAY: {
        const hale_array *a = v;
        debug_seq(t->elem, a->data, a->len, f);
        return;
    }
    case HALE_T_BOUNDED:
        debug_seq(t->elem, at(v, t->items_offset), bounded_len(t, v), f);
        return;
    }
}
