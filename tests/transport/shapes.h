/* Payload types shared by the transport's process tests, hostile peer and benchmark, with the
 * descriptors a compiled program would carry: `Shapes` holds every payload shape (scalars,
 * String, Bytes, an enum, a nested record, arrays of records and of Int, a bounded list), `Small`
 * is the million-message type, `Blob` the benchmark's sized payload.
 *
 * Values are generated from a number n, so a receiver can check every field of what arrived
 * without the sender telling it anything else. */
#ifndef HALE_TESTS_TRANSPORT_SHAPES_H
#define HALE_TESTS_TRANSPORT_SHAPES_H

#include <stdbool.h>
#include <stdint.h>

#include "value.h"

typedef struct {
    int64_t id;
    hale_str name;
    double weight;
} ShInner;

typedef struct {
    int64_t len;
    ShInner items[3];
} ShRecent;

typedef struct {
    int64_t n;
    double ratio;
    bool even;
    int64_t elapsed; /* Duration */
    hale_str text;
    hale_bytes raw;
    int64_t level; /* enum Level { Debug, Info, Warn, Error } */
    ShInner inner;
    hale_array inners; /* [Inner] */
    hale_array ints;   /* [Int] */
    ShRecent recent;   /* bounded[Inner; 3] */
} Shapes;

typedef struct {
    int64_t n;
    hale_str tag;
} Small;

typedef struct {
    int64_t n;
    hale_bytes data;
} Blob;

extern const hale_type sh_shapes_t;
extern const hale_type sh_small_t;
extern const hale_type sh_blob_t;

#define SH_SUBJECT_SHAPES "test.shapes"
#define SH_SUBJECT_SMALL "test.small"
#define SH_SUBJECT_BLOB "test.blob"

/* Fills *out with the value for n. Its heap parts live in static storage until the next call
 * (one thread). */
void sh_make_shapes(int64_t n, Shapes *out);
void sh_make_small(int64_t n, Small *out);

/* True when v is exactly what sh_make_* gives for v->n. */
bool sh_check_shapes(const Shapes *v);
bool sh_check_small(const Small *v);

#endif
