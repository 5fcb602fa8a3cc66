/* std::bytes binary-pack readers and the BytesBuilder writers that mirror them (bytes.h).
 *
 * Fixed-width scalars at a byte offset, in an explicit byte order: how a program reads and
 * writes a wire header or a shared-memory record without going through text. Reads are
 * bounds-checked (the call fails, and the generated code raises IndexError out_of_bounds);
 * values are assembled byte by byte, so alignment and the host's byte order never matter. */
#include <string.h>

#include "bytes.h"

static bool span(hale_bytes b, int64_t off, int64_t width) {
    return off >= 0 && b.len >= width && off <= b.len - width;
}

static uint64_t load_le(const uint8_t *p, int width) {
    uint64_t v = 0;
    for (int i = width - 1; i >= 0; i--) {
        v = (v << 8) | p[i];
    }
    return v;
}

static uint64_t load_be(const uint8_t *p, int width) {
    uint64_t v = 0;
    for (int i = 0; i < width; i++) {
        v = (v << 8) | p[i];
    }
    return v;
}

/* Sign-extends the low `width` bytes of v. */
static int64_t sext(uint64_t v, int width) {
    int shift = 64 - 8 * width;
    return (int64_t)(v << shift) >> shift;
}

#define READER(name, width, order, sign)                                                           \
    bool hale_bytes_read_##name(hale_bytes b, int64_t off, int64_t *out) {                         \
        if (!span(b, off, width)) {                                                                \
            if (out) {                                                                             \
                *out = 0;                                                                          \
            }                                                                                      \
            return false;                                                                          \
        }                                                                                          \
        uint64_t v = load_##order(b.ptr + off, width);                                             \
        if (out) {                                                                                 \
            *out = sign ? sext(v, width) : (int64_t)v;                                             \
        }                                                                                          \
        return true;                                                                               \
    }

READER(u8, 1, le, 0)
READER(i8, 1, le, 1)
READER(u16_le, 2, le, 0)
READER(u16_be, 2, be, 0)
READER(i16_le, 2, le, 1)
READER(i16_be, 2, be, 1)
READER(u32_le, 4, le, 0)
READER(u32_be, 4, be, 0)
READER(i32_le, 4, le, 1)
READER(i32_be, 4, be, 1)
READER(u64_le, 8, le, 0)
READER(u64_be, 8, be, 0)

bool hale_bytes_read_f32_le(hale_bytes b, int64_t off, double *out) {
    if (!span(b, off, 4)) {
        if (out) {
            *out = 0;
        }
        return false;
    }
    uint32_t bits = (uint32_t)load_le(b.ptr + off, 4);
    float f;
    memcpy(&f, &bits, sizeof f);
    if (out) {
        *out = f;
    }
    return true;
}

static bool read_f64(hale_bytes b, int64_t off, double *out, int big) {
    if (!span(b, off, 8)) {
        if (out) {
            *out = 0;
        }
        return false;
    }
    uint64_t bits = big ? load_be(b.ptr + off, 8) : load_le(b.ptr + off, 8);
    double d;
    memcpy(&d, &bits, sizeof d);
    if (out) {
        *out = d;
    }
    return true;
}

bool hale_bytes_read_f64_le(hale_bytes b, int64_t off, double *out) {
    return read_f64(b, off, out, 0);
}

bool hale_bytes_read_f64_be(hale_bytes b, int64_t off, double *out) {
    return read_f64(b, off, out, 1);
}

static void store(hale_bytes_builder *b, uint64_t v, int width, int big) {
    uint8_t tmp[8];
    for (int i = 0; i < width; i++) {
        int shift = 8 * (big ? width - 1 - i : i);
        tmp[i] = (uint8_t)(v >> shift);
    }
    hale_bytes_builder_append_raw(b, tmp, width);
}

void hale_bytes_builder_append_u8(hale_bytes_builder *b, int64_t v) {
    hale_bytes_builder_append_byte(b, (uint8_t)v);
}

void hale_bytes_builder_append_u16_le(hale_bytes_builder *b, int64_t v) {
    store(b, (uint64_t)v, 2, 0);
}

void hale_bytes_builder_append_u16_be(hale_bytes_builder *b, int64_t v) {
    store(b, (uint64_t)v, 2, 1);
}

void hale_bytes_builder_append_u32_le(hale_bytes_builder *b, int64_t v) {
    store(b, (uint64_t)v, 4, 0);
}

void hale_bytes_builder_append_u32_be(hale_bytes_builder *b, int64_t v) {
    store(b, (uint64_t)v, 4, 1);
}

void hale_bytes_builder_append_u64_le(hale_bytes_builder *b, int64_t v) {
    store(b, (uint64_t)v, 8, 0);
}

void hale_bytes_builder_append_u64_be(hale_bytes_builder *b, int64_t v) {
    store(b, (uint64_t)v, 8, 1);
}

void hale_bytes_builder_append_f32_le(hale_bytes_builder *b, double v) {
    float f = (float)v;
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    store(b, bits, 4, 0);
}

void hale_bytes_builder_append_f64_le(hale_bytes_builder *b, double v) {
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    store(b, bits, 8, 0);
}

void hale_bytes_builder_append_f64_be(hale_bytes_builder *b, double v) {
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    store(b, bits, 8, 1);
}

void hale_bytes_builder_append_pad(hale_bytes_builder *b, int64_t align) {
    if (align <= 1) {
        return;
    }
    int64_t pad = (align - b->len % align) % align;
    if (pad > 0) {
        uint8_t *p = hale_bytes_builder_reserve(b, pad);
        memset(p, 0, (size_t)pad);
        hale_bytes_builder_commit(b, pad);
    }
}

void hale_bytes_builder_xor_mask(hale_bytes_builder *b, hale_bytes src, int64_t key) {
    if (src.len <= 0) {
        return;
    }
    uint8_t *p = hale_bytes_builder_reserve(b, src.len);
    for (int64_t i = 0; i < src.len; i++) {
        p[i] = src.ptr[i] ^ (uint8_t)((uint64_t)key >> (8 * (i % 4)));
    }
    hale_bytes_builder_commit(b, src.len);
}
