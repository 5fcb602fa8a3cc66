/* Decoding msgpack into a value by walking its descriptor (see codec.h for the wire shape and why
 * this reader is ours). Every length read from the input is checked against the bytes that are
 * actually left and against the limits before anything is allocated. */
#include "codec.h"
#include "codec_path.h"

#include <stdbool.h>
#include <string.h>

#include "decimal.h"
#include "str.h"

#define FIELD(base, off) ((char *)(base) + (off))
#define MAX_DEPTH_CAP 256 /* whatever the limits say, never recurse deeper than this */

typedef struct {
    const uint8_t *p, *end;
    hale_region *r;
    const tp_limits *lim;
    size_t budget; /* bytes the decode may still allocate */
    tp_codec_err *err;
} reader;

static uint64_t load_be(const uint8_t *p, int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; i++) {
        v = (v << 8) | p[i];
    }
    return v;
}

static size_t left(const reader *rd) {
    return (size_t)(rd->end - rd->p);
}

/* The msgpack family of a leading byte, for "expected X, got Y" messages. */
static const char *family(uint8_t b) {
    if (b <= 0x7f || b >= 0xe0 || (b >= 0xcc && b <= 0xd3)) {
        return "int";
    }
    if (b <= 0x8f || b == 0xde || b == 0xdf) {
        return "map";
    }
    if (b <= 0x9f || b == 0xdc || b == 0xdd) {
        return "array";
    }
    if (b <= 0xbf || (b >= 0xd9 && b <= 0xdb)) {
        return "str";
    }
    switch (b) {
    case 0xc0:
        return "nil";
    case 0xc2:
    case 0xc3:
        return "bool";
    case 0xc4:
    case 0xc5:
    case 0xc6:
        return "bin";
    case 0xca:
    case 0xcb:
        return "float";
    case 0xc1:
        return "reserved byte 0xc1";
    default:
        return "ext";
    }
}

static int need(reader *rd, const tp_path *at, size_t n) {
    if (left(rd) < n) {
        return tp_codec_fail(rd->err, at, TP_CODEC_TRUNCATED, "input ends inside the value");
    }
    return 0;
}

static int mismatch(reader *rd, const tp_path *at, const char *want) {
    return tp_codec_fail(rd->err, at, TP_CODEC_TYPE, "expected %s, got %s", want, family(rd->p[0]));
}

/* Reads a big-endian length of `width` bytes after the lead byte; advances past both. */
static int read_len(reader *rd, const tp_path *at, int width, uint64_t *n) {
    if (need(rd, at, 1 + (size_t)width) != 0) {
        return -1;
    }
    *n = load_be(rd->p + 1, width);
    rd->p += 1 + width;
    return 0;
}

static int read_int(reader *rd, const tp_path *at, int64_t *out, const char *want) {
    if (need(rd, at, 1) != 0) {
        return -1;
    }
    uint8_t b = rd->p[0];
    if (b <= 0x7f || b >= 0xe0) {
        *out = (int8_t)b;
        rd->p++;
        return 0;
    }
    if (b < 0xcc || b > 0xd3) {
        return mismatch(rd, at, want);
    }
    static const int widths[8] = {1, 2, 4, 8, 1, 2, 4, 8};
    int w = widths[b - 0xcc];
    uint64_t raw;
    if (read_len(rd, at, w, &raw) != 0) {
        return -1;
    }
    if (b <= 0xcf) { /* unsigned */
        if (raw > INT64_MAX) {
            return tp_codec_fail(rd->err, at, TP_CODEC_RANGE, "integer %llu is past the Int range",
                                 (unsigned long long)raw);
        }
        *out = (int64_t)raw;
        return 0;
    }
    int shift = 64 - 8 * w; /* sign-extend */
    *out = (int64_t)(raw << shift) >> shift;
    return 0;
}

static int read_float(reader *rd, const tp_path *at, double *out) {
    if (need(rd, at, 1) != 0) {
        return -1;
    }
    uint64_t raw;
    if (rd->p[0] == 0xcb) {
        if (read_len(rd, at, 8, &raw) != 0) {
            return -1;
        }
        memcpy(out, &raw, sizeof *out);
        return 0;
    }
    if (rd->p[0] == 0xca) {
        if (read_len(rd, at, 4, &raw) != 0) {
            return -1;
        }
        uint32_t bits = (uint32_t)raw;
        float f;
        memcpy(&f, &bits, sizeof f);
        *out = f;
        return 0;
    }
    return mismatch(rd, at, "Float");
}

/* A str (want_str) or bin header; returns the body length, checked against input and limits. */
static int read_blob_head(reader *rd, const tp_path *at, bool want_str, size_t *n) {
    if (need(rd, at, 1) != 0) {
        return -1;
    }
    uint8_t b = rd->p[0];
    uint64_t len;
    int rc;
    if (want_str && b >= 0xa0 && b <= 0xbf) {
        len = b & 0x1f;
        rd->p++;
        rc = 0;
    } else if (want_str && b >= 0xd9 && b <= 0xdb) {
        rc = read_len(rd, at, 1 << (b - 0xd9), &len);
    } else if (!want_str && b >= 0xc4 && b <= 0xc6) {
        rc = read_len(rd, at, 1 << (b - 0xc4), &len);
    } else {
        return mismatch(rd, at, want_str ? "String" : "Bytes");
    }
    if (rc != 0) {
        return -1;
    }
    if (len > rd->lim->max_bytes) {
        return tp_codec_fail(rd->err, at, TP_CODEC_LIMIT, "%llu bytes is past the limit of %zu",
                             (unsigned long long)len, rd->lim->max_bytes);
    }
    if (len > left(rd)) {
        return tp_codec_fail(rd->err, at, TP_CODEC_TRUNCATED,
                             "length %llu but only %zu bytes follow", (unsigned long long)len,
                             left(rd));
    }
    *n = (size_t)len;
    return 0;
}

static int read_array_head(reader *rd, const tp_path *at, const char *want, size_t *n) {
    if (need(rd, at, 1) != 0) {
        return -1;
    }
    uint8_t b = rd->p[0];
    uint64_t len;
    if (b >= 0x90 && b <= 0x9f) {
        len = b & 0x0f;
        rd->p++;
    } else if (b == 0xdc || b == 0xdd) {
        if (read_len(rd, at, b == 0xdc ? 2 : 4, &len) != 0) {
            return -1;
        }
    } else {
        return mismatch(rd, at, want);
    }
    /* Every element takes at least one byte: a count past what is left is a lie. */
    if (len > left(rd)) {
        return tp_codec_fail(rd->err, at, TP_CODEC_TRUNCATED,
                             "%llu elements but only %zu bytes follow", (unsigned long long)len,
                             left(rd));
    }
    *n = (size_t)len;
    return 0;
}

static void *take(reader *rd, const tp_path *at, size_t n, size_t size, size_t align) {
    if (size && n > rd->budget / size) {
        tp_codec_fail(rd->err, at, TP_CODEC_LIMIT,
                      "decoded value would pass the limit of %zu bytes", rd->lim->max_decoded);
        return NULL;
    }
    rd->budget -= n * size;
    return hale_region_alloc(rd->r, n * size, align);
}

static int read_blob(reader *rd, const tp_path *at, bool is_str, void *out) {
    size_t n = 0;
    if (read_blob_head(rd, at, is_str, &n) != 0) {
        return -1;
    }
    if (is_str && !hale_utf8_valid(rd->p, n)) {
        return tp_codec_fail(rd->err, at, TP_CODEC_UTF8, "String is not valid UTF-8");
    }
    uint8_t *copy = take(rd, at, n, 1, 1);
    if (!copy) {
        return -1;
    }
    memcpy(copy, rd->p, n);
    rd->p += n;
    if (is_str) {
        *(hale_str *)out = (hale_str){(const char *)copy, (int64_t)n};
    } else {
        *(hale_bytes *)out = (hale_bytes){copy, (int64_t)n};
    }
    return 0;
}

static int read_value(reader *rd, const hale_type *t, void *out, const tp_path *at, int depth);

static int read_elems(reader *rd, const hale_type *t, char *items, size_t n, const tp_path *at,
                      int depth) {
    for (size_t i = 0; i < n; i++) {
        tp_path here = {.up = at, .index = (int64_t)i};
        if (read_value(rd, t->elem, items + i * t->elem->size, &here, depth + 1) != 0) {
            return -1;
        }
    }
    return 0;
}

static int read_record(reader *rd, const hale_type *t, void *out, const tp_path *at, int depth) {
    size_t n = 0;
    if (read_array_head(rd, at, t->name, &n) != 0) {
        return -1;
    }
    if (n != t->nfields) {
        return tp_codec_fail(rd->err, at, TP_CODEC_ARITY, "%s has %zu fields, input has %zu",
                             t->name, t->nfields, n);
    }
    memset(out, 0, t->size);
    for (size_t i = 0; i < n; i++) {
        tp_path here = {.up = at, .name = t->fields[i].name};
        if (read_value(rd, t->fields[i].type, FIELD(out, t->fields[i].offset), &here, depth + 1) !=
            0) {
            return -1;
        }
    }
    return 0;
}

static int read_array(reader *rd, const hale_type *t, hale_array *out, const tp_path *at,
                      int depth) {
    size_t n = 0;
    if (read_array_head(rd, at, t->name, &n) != 0) {
        return -1;
    }
    if (n > rd->lim->max_elems) {
        return tp_codec_fail(rd->err, at, TP_CODEC_LIMIT, "%zu elements is past the limit of %zu",
                             n, rd->lim->max_elems);
    }
    char *items = take(rd, at, n, t->elem->size, t->elem->align);
    if (!items) {
        return -1;
    }
    *out = (hale_array){items, (int64_t)n, (int64_t)n};
    return read_elems(rd, t, items, n, at, depth);
}

static int read_bounded(reader *rd, const hale_type *t, void *out, const tp_path *at, int depth) {
    size_t n = 0;
    if (read_array_head(rd, at, t->name, &n) != 0) {
        return -1;
    }
    if (n > t->capacity) {
        return tp_codec_fail(rd->err, at, TP_CODEC_LIMIT, "%zu elements in a %s of capacity %zu", n,
                             t->name, t->capacity);
    }
    memset(out, 0, t->size);
    int64_t len = (int64_t)n;
    memcpy(out, &len, sizeof len);
    return read_elems(rd, t, FIELD(out, t->items_offset), n, at, depth);
}

static int read_value(reader *rd, const hale_type *t, void *out, const tp_path *at, int depth) {
    if (depth > rd->lim->max_depth || depth > MAX_DEPTH_CAP) {
        return tp_codec_fail(rd->err, at, TP_CODEC_DEPTH, "nested deeper than %d",
                             rd->lim->max_depth);
    }
    int64_t n;
    switch (t->kind) {
    case HALE_T_INT:
    case HALE_T_DURATION:
        if (read_int(rd, at, &n, t->name) != 0) {
            return -1;
        }
        memcpy(out, &n, sizeof n);
        return 0;
    case HALE_T_DECIMAL: { /* [high 64 bits, low 64 bits] of the mantissa */
        size_t k;
        int64_t hi, lo;
        if (read_array_head(rd, at, "Decimal", &k) != 0) {
            return -1;
        }
        if (k != 2) {
            return mismatch(rd, at, "Decimal");
        }
        if (read_int(rd, at, &hi, t->name) != 0 || read_int(rd, at, &lo, t->name) != 0) {
            return -1;
        }
        hale_dec d = hale_dec_make(hi, (uint64_t)lo);
        memcpy(out, &d, sizeof d);
        return 0;
    }
    case HALE_T_ENUM:
        if (read_int(rd, at, &n, t->name) != 0) {
            return -1;
        }
        if (n < 0 || (uint64_t)n >= t->nvariants) {
            return tp_codec_fail(rd->err, at, TP_CODEC_RANGE, "%s has no variant %lld", t->name,
                                 (long long)n);
        }
        memcpy(out, &n, sizeof n);
        return 0;
    case HALE_T_FLOAT:
        return read_float(rd, at, out);
    case HALE_T_BOOL:
        if (need(rd, at, 1) != 0) {
            return -1;
        }
        if (rd->p[0] != 0xc2 && rd->p[0] != 0xc3) {
            return mismatch(rd, at, "Bool");
        }
        *(bool *)out = rd->p[0] == 0xc3;
        rd->p++;
        return 0;
    case HALE_T_STRING:
    case HALE_T_BYTES:
        return read_blob(rd, at, t->kind == HALE_T_STRING, out);
    case HALE_T_RECORD:
        return read_record(rd, t, out, at, depth);
    case HALE_T_ARRAY:
        return read_array(rd, t, out, at, depth);
    case HALE_T_BOUNDED:
        return read_bounded(rd, t, out, at, depth);
    }
    return tp_codec_fail(rd->err, at, TP_CODEC_TYPE, "unknown type kind %d", (int)t->kind);
}

int tp_decode(const hale_type *t, const uint8_t *buf, size_t len, hale_region *r, void *out,
              const tp_limits *lim, tp_codec_err *err) {
    tp_limits defaults = tp_limits_default();
    if (!lim) {
        lim = &defaults;
    }
    reader rd = {buf, buf + len, r, lim, lim->max_decoded, err};
    tp_path root = {.name = t->name};
    hale_mark mark = hale_region_mark(r);
    int rc = read_value(&rd, t, out, &root, 1);
    if (rc == 0 && rd.p != rd.end) {
        rc = tp_codec_fail(err, &root, TP_CODEC_TRAILING, "%zu bytes after the value", left(&rd));
    }
    if (rc != 0) {
        hale_region_reset(r, mark);
        memset(out, 0, t->size);
        return -1;
    }
    return 0;
}
