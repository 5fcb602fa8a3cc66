/* std::bytes: immutable byte strings and the BytesBuilder accumulator.
 *
 * `hale_bytes` values (value.h) are immutable views: `from_string`, `slice` and `str_from_bytes`
 * alias the bytes they start from (no copy; both sides are immutable and live in the same
 * region). `BytesBuilder` is the one growable buffer, the fix for building a result with string
 * `+` in a loop: appends go into one buffer that doubles when full, so n appends cost O(log n)
 * growths. Small buffers are carved from the builder's region (no system allocation when its
 * chunks come from the pool); past HALE_BYTES_BLOCK_MIN the buffer is a region block that the
 * system allocator grows in place when it can. `clear` keeps the capacity, so a builder reused
 * per message allocates nothing in steady state.
 *
 * `view` aliases the buffer (valid until the next mutation); `finish` copies the contents into
 * the region the caller names, so the result outlives the builder (`return std::str::from_bytes(
 * b.finish())` from a function whose builder dissolves at return).
 *
 * Generated code (BytesBuilder is a locus in Hale; its state is this struct):
 *   let b = std::bytes::BytesBuilder { initial_cap: n };
 *                       hale_bytes_builder_init(&b, region, n)        (n = 0: default)
 *   b.append(x)         hale_bytes_builder_append(&b, x)
 *   b.append_str(s)     hale_bytes_builder_append_str(&b, s)
 *   b.len()             hale_bytes_builder_len(&b)
 *   b.clear()           hale_bytes_builder_clear(&b)
 *   b.finish()          hale_bytes_builder_finish_once(&locus, &b, scratch) (std_bytes.h)
 *   b.view()            hale_bytes_builder_view(&b)
 *   b.snapshot()        hale_bytes_builder_snapshot(&locus, &b, scratch) (std_bytes.h)
 *   b.append_slice(x, lo, hi)   hale_bytes_builder_append_slice(&locus, &b, x, lo, hi)
 *   b.shift_front(n)    hale_bytes_builder_shift_front(&b, n)
 *   b.append_u8(n) ...  hale_bytes_builder_append_u8(&b, n) (the binary-pack writers below)
 *   b.text_view()       hale_bytes_builder_text_view(&b)
 *   dissolve            hale_bytes_builder_destroy(&b)
 *   std::bytes::from_string(s)   hale_bytes_from_string(s)
 *   std::bytes::slice(b, lo, hi) hale_bytes_slice(b, lo, hi)
 *   std::bytes::at(b, i)         if (!hale_bytes_at(b, i, &out)) -> IndexError out_of_bounds
 *   std::str::from_bytes(b)      hale_str_from_bytes(b) */
#ifndef HALE_RUNTIME_BYTES_H
#define HALE_RUNTIME_BYTES_H

#include <stdbool.h>
#include <stdint.h>

#include "region.h"
#include "value.h"

#define HALE_BYTES_DEFAULT_CAP 64
#define HALE_BYTES_BLOCK_MIN ((int64_t)16 * 1024)

typedef struct hale_bytes_builder {
    uint8_t *buf;
    int64_t len;
    int64_t cap;
    hale_region *region;
    bool on_block; /* buf is a region block (freed or resized on its own) */
    bool finished; /* finish() handed the contents out (std_bytes.h); clear() resets it */
} hale_bytes_builder;

void hale_bytes_builder_init(hale_bytes_builder *b, hale_region *r, int64_t initial_cap);
void hale_bytes_builder_destroy(hale_bytes_builder *b);

void hale_bytes_builder_append(hale_bytes_builder *b, hale_bytes chunk);
void hale_bytes_builder_append_str(hale_bytes_builder *b, hale_str s);
void hale_bytes_builder_append_raw(hale_bytes_builder *b, const void *p, int64_t n);
void hale_bytes_builder_append_byte(hale_bytes_builder *b, uint8_t c);

/* Makes room for `n` more bytes and returns where they go; `hale_bytes_builder_commit(b, k)`
 * then adds the k <= n bytes written there (a recv straight into the builder). */
uint8_t *hale_bytes_builder_reserve(hale_bytes_builder *b, int64_t n);
void hale_bytes_builder_commit(hale_bytes_builder *b, int64_t n);

static inline int64_t hale_bytes_builder_len(const hale_bytes_builder *b) {
    return b->len;
}

static inline void hale_bytes_builder_clear(hale_bytes_builder *b) {
    b->len = 0;
    b->finished = false;
}

hale_bytes hale_bytes_builder_finish(const hale_bytes_builder *b, hale_region *into);
hale_bytes hale_bytes_builder_view(const hale_bytes_builder *b);
hale_str hale_bytes_builder_text_view(const hale_bytes_builder *b);

hale_bytes hale_bytes_from_string(hale_str s);
/* A copy of b's bytes in r (a Bytes value persisted or returned out of a call's scratch). */
hale_bytes hale_bytes_copy_into(hale_region *r, hale_bytes b);
hale_str hale_str_from_bytes(hale_bytes b);

/* The bytes [lo, hi) with both ends clamped into [0, len]; empty when lo >= hi. */
hale_bytes hale_bytes_slice(hale_bytes b, int64_t lo, int64_t hi);

/* The byte at i as an Int (0..255), or false (and -1, Hale's sentinel for a bare call) when i
 * is outside [0, len). `out` may be NULL. */
bool hale_bytes_at(hale_bytes b, int64_t i, int64_t *out);

/* One byte holding the low 8 bits of v, in r. */
hale_bytes hale_bytes_from_int(hale_region *r, int64_t v);
/* a's bytes then b's, in r (one of them when the other is empty). */
hale_bytes hale_bytes_concat(hale_region *r, hale_bytes a, hale_bytes b);
/* The first index >= off whose byte equals the low 8 bits of needle, or -1. */
int64_t hale_bytes_find_byte(hale_bytes b, int64_t off, int64_t needle);

/* Binary-pack readers (bytes_pack.c): the fixed-width scalar at byte offset `off`, false when
 * [off, off + width) is not inside b. Unsigned 64-bit values with the top bit set wrap to a
 * negative Int; the i64 readers are the u64 ones. */
bool hale_bytes_read_u8(hale_bytes b, int64_t off, int64_t *out);
bool hale_bytes_read_i8(hale_bytes b, int64_t off, int64_t *out);
bool hale_bytes_read_u16_le(hale_bytes b, int64_t off, int64_t *out);
bool hale_bytes_read_u16_be(hale_bytes b, int64_t off, int64_t *out);
bool hale_bytes_read_i16_le(hale_bytes b, int64_t off, int64_t *out);
bool hale_bytes_read_i16_be(hale_bytes b, int64_t off, int64_t *out);
bool hale_bytes_read_u32_le(hale_bytes b, int64_t off, int64_t *out);
bool hale_bytes_read_u32_be(hale_bytes b, int64_t off, int64_t *out);
bool hale_bytes_read_i32_le(hale_bytes b, int64_t off, int64_t *out);
bool hale_bytes_read_i32_be(hale_bytes b, int64_t off, int64_t *out);
bool hale_bytes_read_u64_le(hale_bytes b, int64_t off, int64_t *out);
bool hale_bytes_read_u64_be(hale_bytes b, int64_t off, int64_t *out);
bool hale_bytes_read_f32_le(hale_bytes b, int64_t off, double *out);
bool hale_bytes_read_f64_le(hale_bytes b, int64_t off, double *out);
bool hale_bytes_read_f64_be(hale_bytes b, int64_t off, double *out);

/* Binary-pack writers on the builder (bytes_pack.c): the low `width` bytes of v in the named
 * byte order; append_pad zero-fills up to the next multiple of `align` (no-op for align <= 1). */
void hale_bytes_builder_append_u8(hale_bytes_builder *b, int64_t v);
void hale_bytes_builder_append_u16_le(hale_bytes_builder *b, int64_t v);
void hale_bytes_builder_append_u16_be(hale_bytes_builder *b, int64_t v);
void hale_bytes_builder_append_u32_le(hale_bytes_builder *b, int64_t v);
void hale_bytes_builder_append_u32_be(hale_bytes_builder *b, int64_t v);
void hale_bytes_builder_append_u64_le(hale_bytes_builder *b, int64_t v);
void hale_bytes_builder_append_u64_be(hale_bytes_builder *b, int64_t v);
void hale_bytes_builder_append_f32_le(hale_bytes_builder *b, double v);
void hale_bytes_builder_append_f64_le(hale_bytes_builder *b, double v);
void hale_bytes_builder_append_f64_be(hale_bytes_builder *b, double v);
void hale_bytes_builder_append_pad(hale_bytes_builder *b, int64_t align);
/* Appends src XOR a repeating 4-byte key (key's bytes little-endian): WebSocket masking. */
void hale_bytes_builder_xor_mask(hale_bytes_builder *b, hale_bytes src, int64_t key);
/* Drops the first n bytes (all of them when n >= len), keeping the capacity. */
void hale_bytes_builder_shift_front(hale_bytes_builder *b, int64_t n);

#endif
