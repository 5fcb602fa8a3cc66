/* Payload codec: any Hale value to msgpack and back, driven by its `hale_type` descriptor.
 *
 * One generic walker instead of a codec emitted per type: the compiler only emits descriptors,
 * and the single encoder/decoder here is unit-tested and fuzzed once for every program.
 *
 * Wire shape (the descriptor's fingerprint, carried in the frame header, says both sides agree):
 *   Int, Duration   msgpack int (any width on input; values above INT64_MAX are refused)
 *   Float           float 64 (float 32 accepted on input)
 *   Bool            true / false
 *   String          str, which must be valid UTF-8
 *   Bytes           bin
 *   enum            int, the variant index
 *   record          array of the fields in declaration order (exact arity)
 *   [T]             array of T
 *   bounded[T; N]   array of at most N T
 * Nil, maps and ext types never appear and are refused.
 *
 * Encoding uses msgpack-c's packer. Decoding does not use msgpack-c's unpacker: that one
 * allocates an object tree sized by the input's own length headers before it has seen the bytes
 * (an array header claiming 2^32 elements costs 100 GB of zone), and its C API has no limits.
 * The reader here checks every declared length against the bytes actually left and against
 * `tp_limits` before allocating, bounds nesting and the total bytes a payload may expand to, and
 * writes straight into the receiver's region: one copy, as Hale's semantics require.
 *
 * Decoding into a region is transactional: on failure everything the attempt allocated is
 * released (the region is reset to a mark taken on entry) and `*out` holds no pointers. */
#ifndef HALE_TRANSPORT_CODEC_H
#define HALE_TRANSPORT_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "region.h"
#include "value.h"

typedef struct {
    int max_depth;      /* nesting of arrays and records; top level is depth 1 */
    size_t max_bytes;   /* longest String or Bytes */
    size_t max_elems;   /* longest array */
    size_t max_decoded; /* total bytes a decode may allocate in the region */
} tp_limits;

#define TP_DEFAULT_MAX_DEPTH 32
#define TP_DEFAULT_MAX_DECODED ((size_t)64 << 20)

/* Defaults: depth 32, 16 MiB strings/bytes, 1 Mi elements, 64 MiB decoded. */
tp_limits tp_limits_default(void);

typedef enum {
    TP_CODEC_OK = 0,
    TP_CODEC_TYPE,      /* the input holds a different kind of value than the type says */
    TP_CODEC_ARITY,     /* a record with the wrong number of fields */
    TP_CODEC_TRUNCATED, /* the input ends inside a value */
    TP_CODEC_TRAILING,  /* bytes left after the value */
    TP_CODEC_DEPTH,     /* nested deeper than max_depth */
    TP_CODEC_LIMIT,     /* a length past a limit, or the decoded value would be too large */
    TP_CODEC_RANGE,     /* an integer out of range, an enum index past the variants */
    TP_CODEC_UTF8,      /* a String that is not valid UTF-8 */
    TP_CODEC_VALUE,     /* encode: the value itself is corrupt (negative length, len > cap) */
    TP_CODEC_SPACE,     /* encode: the output buffer is too small */
} tp_codec_status;

/* What went wrong and where: `path` names the place in the user's terms ("Msg.tags[3]"). */
typedef struct {
    tp_codec_status status;
    char path[128];
    char msg[128];
} tp_codec_err;

/* One-word name of a status ("type", "truncated", ...). */
const char *tp_codec_status_name(tp_codec_status s);

/* Exact size of the encoding of `value`. Returns 0 and sets *size, or -1 with `err` filled when
 * the value cannot be encoded (corrupt value, nesting past TP_DEFAULT_MAX_DEPTH). */
int tp_encoded_size(const hale_type *t, const void *value, size_t *size, tp_codec_err *err);

/* Encodes `value` into buf[0..cap). Returns the number of bytes written (exactly what
 * tp_encoded_size reports), or -1 with `err` filled. */
long tp_encode(const hale_type *t, const void *value, uint8_t *buf, size_t cap, tp_codec_err *err);

/* Decodes exactly one value of type `t` from buf[0..len) into `out` (t->size bytes, supplied by
 * the caller), allocating its heap parts in `r`. Returns 0, or -1 with `err` filled (and the
 * region rewound). `lim` may be NULL for the defaults. */
int tp_decode(const hale_type *t, const uint8_t *buf, size_t len, hale_region *r, void *out,
              const tp_limits *lim, tp_codec_err *err);

/* Renders `err` as one line: "Msg.tags[3]: expected String, got int". */
void tp_codec_err_format(const tp_codec_err *err, char *buf, size_t len);

#endif
