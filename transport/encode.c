/* Encoding a value by walking its descriptor (see codec.h). Sizing and writing are two walks of
 * the same shape: the frame layer sizes first so it can allocate the whole frame once and let
 * msgpack-c's packer write the payload in place, behind the header, with no copy. */
#include "codec.h"
#include "codec_path.h"

#include <stdbool.h>
#include <string.h>

#include <msgpack.h>

#include "decimal.h"

#define FIELD(base, off) ((const char *)(base) + (off))

static size_t int_size(int64_t d) {
    if (d < -(1LL << 5)) {
        return d < -(1LL << 31) ? 9 : d < -(1LL << 15) ? 5 : d < -(1LL << 7) ? 3 : 2;
    }
    if (d < (1 << 7)) {
        return 1;
    }
    return d < (1 << 8) ? 2 : d < (1LL << 16) ? 3 : d < (1LL << 32) ? 5 : 9;
}

static size_t str_head(size_t n) {
    return n < 32 ? 1 : n < 256 ? 2 : n < 65536 ? 3 : 5;
}

static size_t bin_head(size_t n) {
    return n < 256 ? 2 : n < 65536 ? 3 : 5;
}

static size_t array_head(size_t n) {
    return n < 16 ? 1 : n < 65536 ? 3 : 5;
}

/* Checks the parts of a value a sender can get wrong in memory; shared by both walks. */
static int check_len(const tp_path *at, int64_t len, const void *ptr, const char *what,
                     tp_codec_err *err) {
    if (len < 0 || (len > 0 && !ptr)) {
        return tp_codec_fail(err, at, TP_CODEC_VALUE, "corrupt %s (length %lld)", what,
                             (long long)len);
    }
    if ((uint64_t)len > UINT32_MAX) {
        return tp_codec_fail(err, at, TP_CODEC_LIMIT, "%s of %lld bytes is too long to send", what,
                             (long long)len);
    }
    return 0;
}

static int check_bounded(const hale_type *t, const void *v, const tp_path *at, tp_codec_err *err,
                         int64_t *len) {
    memcpy(len, v, sizeof *len);
    if (*len < 0 || (uint64_t)*len > t->capacity) {
        return tp_codec_fail(err, at, TP_CODEC_VALUE, "bounded length %lld outside 0..%zu",
                             (long long)*len, t->capacity);
    }
    return 0;
}

static int check_enum(const hale_type *t, const void *v, const tp_path *at, tp_codec_err *err,
                      int64_t *ix) {
    memcpy(ix, v, sizeof *ix);
    if (*ix < 0 || (uint64_t)*ix >= t->nvariants) {
        return tp_codec_fail(err, at, TP_CODEC_VALUE, "%s has no variant %lld", t->name,
                             (long long)*ix);
    }
    return 0;
}

/* A Decimal travels as [high 64 bits, low 64 bits] of its mantissa. */
static void dec_halves(const void *v, int64_t half[2]) {
    hale_dec d;
    memcpy(&d, v, sizeof d);
    half[0] = (int64_t)(d >> 64);
    half[1] = (int64_t)(uint64_t)d;
}

static int size_of(const hale_type *t, const void *v, const tp_path *at, int depth, size_t *acc,
                   tp_codec_err *err);

static int size_elems(const hale_type *t, const char *items, int64_t n, const tp_path *at,
                      int depth, size_t *acc, tp_codec_err *err) {
    *acc += array_head((size_t)n);
    if (t->elem->flat && t->elem->kind == HALE_T_FLOAT) {
        *acc += 9 * (size_t)n;
        return 0;
    }
    for (int64_t i = 0; i < n; i++) {
        tp_path here = {.up = at, .index = i};
        if (size_of(t->elem, items + (size_t)i * t->elem->size, &here, depth + 1, acc, err) != 0) {
            return -1;
        }
    }
    return 0;
}

static int size_of(const hale_type *t, const void *v, const tp_path *at, int depth, size_t *acc,
                   tp_codec_err *err) {
    if (depth > TP_DEFAULT_MAX_DEPTH) {
        return tp_codec_fail(err, at, TP_CODEC_DEPTH, "nested deeper than %d",
                             TP_DEFAULT_MAX_DEPTH);
    }
    int64_t n;
    switch (t->kind) {
    case HALE_T_INT:
    case HALE_T_DURATION:
        memcpy(&n, v, sizeof n);
        *acc += int_size(n);
        return 0;
    case HALE_T_DECIMAL: {
        int64_t half[2];
        dec_halves(v, half);
        *acc += array_head(2) + int_size(half[0]) + int_size(half[1]);
        return 0;
    }
    case HALE_T_ENUM:
        if (check_enum(t, v, at, err, &n) != 0) {
            return -1;
        }
        *acc += int_size(n);
        return 0;
    case HALE_T_FLOAT:
        *acc += 9;
        return 0;
    case HALE_T_BOOL:
        *acc += 1;
        return 0;
    case HALE_T_STRING: {
        const hale_str *s = v;
        if (check_len(at, s->len, s->ptr, "String", err) != 0) {
            return -1;
        }
        *acc += str_head((size_t)s->len) + (size_t)s->len;
        return 0;
    }
    case HALE_T_BYTES: {
        const hale_bytes *b = v;
        if (check_len(at, b->len, b->ptr, "Bytes", err) != 0) {
            return -1;
        }
        *acc += bin_head((size_t)b->len) + (size_t)b->len;
        return 0;
    }
    case HALE_T_RECORD:
        *acc += array_head(t->nfields);
        for (size_t i = 0; i < t->nfields; i++) {
            tp_path here = {.up = at, .name = t->fields[i].name};
            if (size_of(t->fields[i].type, FIELD(v, t->fields[i].offset), &here, depth + 1, acc,
                        err) != 0) {
                return -1;
            }
        }
        return 0;
    case HALE_T_ARRAY: {
        const hale_array *a = v;
        if (check_len(at, a->len, a->data, "array", err) != 0) {
            return -1;
        }
        return size_elems(t, a->data, a->len, at, depth, acc, err);
    }
    case HALE_T_BOUNDED:
        if (check_bounded(t, v, at, err, &n) != 0) {
            return -1;
        }
        return size_elems(t, FIELD(v, t->items_offset), n, at, depth, acc, err);
    }
    return tp_codec_fail(err, at, TP_CODEC_VALUE, "unknown type kind %d", (int)t->kind);
}

int tp_encoded_size(const hale_type *t, const void *value, size_t *size, tp_codec_err *err) {
    tp_path root = {.name = t->name};
    size_t acc = 0;
    if (size_of(t, value, &root, 1, &acc, err) != 0) {
        return -1;
    }
    *size = acc;
    return 0;
}

/* ---- writing ---- */

typedef struct {
    uint8_t *p, *end;
} cursor;

static int cursor_write(void *data, const char *buf, size_t len) {
    cursor *c = data;
    if ((size_t)(c->end - c->p) < len) {
        c->p = c->end + 1; /* remembers the overflow; nothing more is written */
        return -1;
    }
    if (len) {
        memcpy(c->p, buf, len);
    }
    c->p += len;
    return 0;
}

typedef struct {
    msgpack_packer pk;
    cursor cur;
    tp_codec_err *err;
} writer;

static int put(writer *w, int rc, const tp_path *at) {
    if (rc != 0) {
        return tp_codec_fail(w->err, at, TP_CODEC_SPACE, "output buffer too small");
    }
    return 0;
}

static int write_value(writer *w, const hale_type *t, const void *v, const tp_path *at, int depth);

static int write_elems(writer *w, const hale_type *t, const char *items, int64_t n,
                       const tp_path *at, int depth) {
    if (put(w, msgpack_pack_array(&w->pk, (size_t)n), at) != 0) {
        return -1;
    }
    for (int64_t i = 0; i < n; i++) {
        tp_path here = {.up = at, .index = i};
        if (write_value(w, t->elem, items + (size_t)i * t->elem->size, &here, depth + 1) != 0) {
            return -1;
        }
    }
    return 0;
}

static int write_value(writer *w, const hale_type *t, const void *v, const tp_path *at, int depth) {
    if (depth > TP_DEFAULT_MAX_DEPTH) {
        return tp_codec_fail(w->err, at, TP_CODEC_DEPTH, "nested deeper than %d",
                             TP_DEFAULT_MAX_DEPTH);
    }
    int64_t n;
    switch (t->kind) {
    case HALE_T_INT:
    case HALE_T_DURATION:
        memcpy(&n, v, sizeof n);
        return put(w, msgpack_pack_int64(&w->pk, n), at);
    case HALE_T_DECIMAL: {
        int64_t half[2];
        dec_halves(v, half);
        if (put(w, msgpack_pack_array(&w->pk, 2), at) != 0 ||
            put(w, msgpack_pack_int64(&w->pk, half[0]), at) != 0) {
            return -1;
        }
        return put(w, msgpack_pack_int64(&w->pk, half[1]), at);
    }
    case HALE_T_ENUM:
        if (check_enum(t, v, at, w->err, &n) != 0) {
            return -1;
        }
        return put(w, msgpack_pack_int64(&w->pk, n), at);
    case HALE_T_FLOAT: {
        double d;
        memcpy(&d, v, sizeof d);
        return put(w, msgpack_pack_double(&w->pk, d), at);
    }
    case HALE_T_BOOL:
        return put(w, *(const bool *)v ? msgpack_pack_true(&w->pk) : msgpack_pack_false(&w->pk),
                   at);
    case HALE_T_STRING: {
        const hale_str *s = v;
        if (check_len(at, s->len, s->ptr, "String", w->err) != 0) {
            return -1;
        }
        if (put(w, msgpack_pack_str(&w->pk, (size_t)s->len), at) != 0) {
            return -1;
        }
        return put(w, msgpack_pack_str_body(&w->pk, s->ptr, (size_t)s->len), at);
    }
    case HALE_T_BYTES: {
        const hale_bytes *b = v;
        if (check_len(at, b->len, b->ptr, "Bytes", w->err) != 0) {
            return -1;
        }
        if (put(w, msgpack_pack_bin(&w->pk, (size_t)b->len), at) != 0) {
            return -1;
        }
        return put(w, msgpack_pack_bin_body(&w->pk, b->ptr, (size_t)b->len), at);
    }
    case HALE_T_RECORD:
        if (put(w, msgpack_pack_array(&w->pk, t->nfields), at) != 0) {
            return -1;
        }
        for (size_t i = 0; i < t->nfields; i++) {
            tp_path here = {.up = at, .name = t->fields[i].name};
            if (write_value(w, t->fields[i].type, FIELD(v, t->fields[i].offset), &here,
                            depth + 1) != 0) {
                return -1;
            }
        }
        return 0;
    case HALE_T_ARRAY: {
        const hale_array *a = v;
        if (check_len(at, a->len, a->data, "array", w->err) != 0) {
            return -1;
        }
        return write_elems(w, t, a->data, a->len, at, depth);
    }
    case HALE_T_BOUNDED:
        if (check_bounded(t, v, at, w->err, &n) != 0) {
            return -1;
        }
        return write_elems(w, t, FIELD(v, t->items_offset), n, at, depth);
    }
    return tp_codec_fail(w->err, at, TP_CODEC_VALUE, "unknown type kind %d", (int)t->kind);
}

long tp_encode(const hale_type *t, const void *value, uint8_t *buf, size_t cap, tp_codec_err *err) {
    writer w = {.cur = {buf, buf + cap}, .err = err};
    msgpack_packer_init(&w.pk, &w.cur, cursor_write);
    tp_path root = {.name = t->name};
    if (write_value(&w, t, value, &root, 1) != 0) {
        return -1;
    }
    return (long)(w.cur.p - buf);
}
