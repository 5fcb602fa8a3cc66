/* How Hale values are laid out in generated C, and the type descriptors that describe them.
 *
 * One representation is shared by generated code, the runtime (deep copy into a region, printing,
 * equality), and the transport (msgpack encode/decode). The compiler emits a `hale_type` for every
 * type a program uses; generic code walks descriptors instead of the compiler emitting a copy and
 * a codec per type, so each of those algorithms exists once, can be unit-tested and fuzzed in C,
 * and stays identical across programs. Flat types (no pointers inside) are copied with memcpy.
 *
 * Layout:
 *   Int       int64_t                      Duration  int64_t (nanoseconds)
 *   Float     double                       Bool      bool
 *   String    hale_str  (UTF-8 bytes, not NUL-terminated, immutable once built)
 *   Bytes     hale_bytes
 *   [T]       hale_array (elements of T laid out contiguously)
 *   record    a C struct with the fields in declaration order, natural alignment
 *   enum      int64_t variant index (payload-free enums)
 *   Decimal   hale_dec (decimal.h), a 128-bit mantissa at scale 9
 *   bounded[T; N]   struct { int64_t len; T items[N]; } (inline, fixed capacity)
 */
#ifndef HALE_RUNTIME_VALUE_H
#define HALE_RUNTIME_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *ptr;
    int64_t len;
} hale_str;

typedef struct {
    const uint8_t *ptr;
    int64_t len;
} hale_bytes;

typedef struct {
    void *data;
    int64_t len;
    int64_t cap;
} hale_array;

#define HALE_STR_LIT(s) ((hale_str){(s), (int64_t)(sizeof(s) - 1)})

typedef enum {
    HALE_T_INT,
    HALE_T_FLOAT,
    HALE_T_BOOL,
    HALE_T_DURATION,
    HALE_T_STRING,
    HALE_T_BYTES,
    HALE_T_ENUM,
    HALE_T_RECORD,
    HALE_T_ARRAY,
    HALE_T_BOUNDED,
    HALE_T_DECIMAL, /* hale_dec (decimal.h): a 128-bit mantissa at scale 9 */
} hale_kind;

typedef struct hale_type hale_type;

typedef struct {
    const char *name;
    size_t offset;
    const hale_type *type;
} hale_field;

struct hale_type {
    hale_kind kind;
    const char *name; /* the type's name in the user's program ("Msg", "[Int]", "String") */
    size_t size;      /* sizeof the C representation */
    size_t align;     /* alignof the C representation */
    bool flat;        /* no pointers inside: a memcpy is a deep copy */
    /* Structural fingerprint computed by the compiler: two programs agree on a payload's shape
     * exactly when their fingerprints for it are equal. */
    uint64_t fingerprint;
    /* HALE_T_RECORD */
    const hale_field *fields;
    size_t nfields;
    /* HALE_T_ARRAY, HALE_T_BOUNDED: element type; BOUNDED also its capacity and the offset of
     * `items` within the struct. */
    const hale_type *elem;
    size_t capacity;
    size_t items_offset;
    /* HALE_T_ENUM */
    const char *const *variants;
    size_t nvariants;
};

/* Built-in descriptors for the scalar and heap primitives. */
extern const hale_type hale_type_int;
extern const hale_type hale_type_float;
extern const hale_type hale_type_bool;
extern const hale_type hale_type_duration;
extern const hale_type hale_type_string;
extern const hale_type hale_type_bytes;

#endif
