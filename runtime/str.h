/* String operations of generated code and the std::str library.
 *
 * A hale_str is immutable bytes (value.h), so slicing, trimming and substring return views of
 * the same bytes without allocating; operations that make new text (concatenation, to_string,
 * case changes) allocate in the region passed first, which is the calling function's scratch.
 * Bounds never fault here: slices clamp to the string (Hale's rule), searches return -1. */
#ifndef HALE_RUNTIME_STR_H
#define HALE_RUNTIME_STR_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "region.h"
#include "value.h"

static inline bool hale_str_eq(hale_str a, hale_str b) {
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, (size_t)a.len) == 0);
}

/* <0, 0, >0 by bytes (shorter first when one is a prefix of the other). */
int hale_str_cmp(hale_str a, hale_str b);

hale_str hale_str_copy(hale_region *r, hale_str s);
hale_str hale_str_concat(hale_region *r, hale_str a, hale_str b);
hale_str hale_str_concat_n(hale_region *r, const hale_str *parts, int n);
/* s[lo..hi] (or s[lo..=hi]), clamped to the string; empty when the range is. */
hale_str hale_str_slice(hale_str s, int64_t lo, int64_t hi, int inclusive);

hale_str hale_str_from_int(hale_region *r, int64_t v);
hale_str hale_str_from_float(hale_region *r, double v);
hale_str hale_str_from_duration(hale_region *r, int64_t ns);

/* ---- std::str ---- */
/* UTF-8: the length of the valid sequence at p (1..4; shortest form, no surrogates, at most
 * U+10FFFF), or 0 when it is not one; and whether a whole buffer is valid. The one validator the
 * JSON reader, the frame decoder and std::str::is_utf8 share. */
int hale_utf8_seq_len(const unsigned char *p, const unsigned char *end);
bool hale_utf8_valid(const void *p, size_t n);
/* std::str::is_utf8(s) */
bool hale_str_is_utf8(hale_str s);

bool hale_str_contains(hale_str s, hale_str sub);
bool hale_str_starts_with(hale_str s, hale_str prefix);
bool hale_str_ends_with(hale_str s, hale_str suffix);
int64_t hale_str_index_of(hale_str s, hale_str sub);
hale_str hale_str_substring(hale_str s, int64_t lo, int64_t hi);
hale_str hale_str_trim(hale_str s);
hale_str hale_str_trim_start(hale_str s);
hale_str hale_str_trim_end(hale_str s);
hale_str hale_str_lower(hale_region *r, hale_str s);
hale_str hale_str_upper(hale_region *r, hale_str s);
hale_str hale_str_replace(hale_region *r, hale_str s, hale_str from, hale_str to);
hale_str hale_str_repeat(hale_region *r, hale_str s, int64_t n);
hale_str hale_str_pad_left(hale_region *r, hale_str s, int64_t width, hale_str pad);
hale_str hale_str_pad_right(hale_region *r, hale_str s, int64_t width, hale_str pad);
/* The byte at i (0..255), or -1 outside the string. */
int64_t hale_str_byte_at(hale_str s, int64_t i);
/* A one-byte string (the low 8 bits of b). */
hale_str hale_str_from_byte(hale_region *r, int64_t b);
/* Decimal integer (optional sign, `_` separators not allowed, surrounding spaces trimmed). */
bool hale_str_parse_int(hale_str s, int64_t *out);
bool hale_str_parse_float(hale_str s, double *out);
bool hale_str_can_parse_int(hale_str s);
bool hale_str_can_parse_float(hale_str s);

#endif
