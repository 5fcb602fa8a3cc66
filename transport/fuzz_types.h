/* Representative payload types for the transport's fuzz targets and codec_test: a record holding
 * every shape (named Outer), a recursive type (depth), and an amplifier whose elements are one
 * byte on the wire but 8 KB in memory (the decoded-size limit). Test-only. */
#ifndef HALE_TRANSPORT_FUZZ_TYPES_H
#define HALE_TRANSPORT_FUZZ_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "value.h"

typedef struct {
    int64_t id;
    hale_str name;
} FzInner;

typedef struct {
    int64_t len;
    int64_t items[4];
} FzSmall;

typedef struct {
    int64_t n;
    double f;
    bool b;
    int64_t d;
    hale_str s;
    hale_bytes raw;
    int64_t level;
    FzInner inner;
    hale_array inners;
    hale_array ints;
    FzSmall small;
} FzShapes;

typedef struct {
    hale_array kids;
} FzNode;

typedef struct {
    int64_t len;
    int64_t items[1000];
} FzWide;

static const hale_field fz_inner_fields[] = {
    {"id", offsetof(FzInner, id), &hale_type_int},
    {"name", offsetof(FzInner, name), &hale_type_string},
};
static const hale_type fz_inner_t = {.kind = HALE_T_RECORD,
                                     .name = "Inner",
                                     .size = sizeof(FzInner),
                                     .align = _Alignof(FzInner),
                                     .fingerprint = 0x7101,
                                     .fields = fz_inner_fields,
                                     .nfields = 2};
static const hale_type fz_inners_t = {.kind = HALE_T_ARRAY,
                                      .name = "[Inner]",
                                      .size = sizeof(hale_array),
                                      .align = _Alignof(hale_array),
                                      .fingerprint = 0x7102,
                                      .elem = &fz_inner_t};
static const hale_type fz_ints_t = {.kind = HALE_T_ARRAY,
                                    .name = "[Int]",
                                    .size = sizeof(hale_array),
                                    .align = _Alignof(hale_array),
                                    .fingerprint = 0x7103,
                                    .elem = &hale_type_int};
static const hale_type fz_small_t = {.kind = HALE_T_BOUNDED,
                                     .name = "bounded[Int; 4]",
                                     .size = sizeof(FzSmall),
                                     .align = _Alignof(FzSmall),
                                     .flat = true,
                                     .fingerprint = 0x7104,
                                     .elem = &hale_type_int,
                                     .capacity = 4,
                                     .items_offset = offsetof(FzSmall, items)};
static const char *const fz_level_names[] = {"Debug", "Info", "Warn"};
static const hale_type fz_level_t = {.kind = HALE_T_ENUM,
                                     .name = "Level",
                                     .size = 8,
                                     .align = 8,
                                     .flat = true,
                                     .fingerprint = 0x7105,
                                     .variants = fz_level_names,
                                     .nvariants = 3};
static const hale_field fz_shapes_fields[] = {
    {"n", offsetof(FzShapes, n), &hale_type_int},
    {"f", offsetof(FzShapes, f), &hale_type_float},
    {"b", offsetof(FzShapes, b), &hale_type_bool},
    {"d", offsetof(FzShapes, d), &hale_type_duration},
    {"s", offsetof(FzShapes, s), &hale_type_string},
    {"raw", offsetof(FzShapes, raw), &hale_type_bytes},
    {"level", offsetof(FzShapes, level), &fz_level_t},
    {"inner", offsetof(FzShapes, inner), &fz_inner_t},
    {"inners", offsetof(FzShapes, inners), &fz_inners_t},
    {"ints", offsetof(FzShapes, ints), &fz_ints_t},
    {"small", offsetof(FzShapes, small), &fz_small_t},
};
static const hale_type fz_shapes_t = {.kind = HALE_T_RECORD,
                                      .name = "Outer",
                                      .size = sizeof(FzShapes),
                                      .align = _Alignof(FzShapes),
                                      .fingerprint = 0x7106,
                                      .fields = fz_shapes_fields,
                                      .nfields = 11};

static const hale_type fz_node_t;
static const hale_type fz_nodes_t = {.kind = HALE_T_ARRAY,
                                     .name = "[Node]",
                                     .size = sizeof(hale_array),
                                     .align = _Alignof(hale_array),
                                     .fingerprint = 0x7107,
                                     .elem = &fz_node_t};
static const hale_field fz_node_fields[] = {{"kids", 0, &fz_nodes_t}};
static const hale_type fz_node_t = {.kind = HALE_T_RECORD,
                                    .name = "Node",
                                    .size = sizeof(FzNode),
                                    .align = _Alignof(FzNode),
                                    .fingerprint = 0x7108,
                                    .fields = fz_node_fields,
                                    .nfields = 1};

static const hale_type fz_wide_t = {.kind = HALE_T_BOUNDED,
                                    .name = "bounded[Int; 1000]",
                                    .size = sizeof(FzWide),
                                    .align = 8,
                                    .flat = true,
                                    .fingerprint = 0x7109,
                                    .elem = &hale_type_int,
                                    .capacity = 1000,
                                    .items_offset = offsetof(FzWide, items)};
static const hale_type fz_wides_t = {.kind = HALE_T_ARRAY,
                                     .name = "[bounded[Int; 1000]]",
                                     .size = sizeof(hale_array),
                                     .align = 8,
                                     .fingerprint = 0x710a,
                                     .elem = &fz_wide_t};

/* The types a fuzz input's first byte selects from. */
static const hale_type *const fz_types[] = {&fz_shapes_t, &fz_node_t, &fz_wides_t,
                                            &hale_type_string, &fz_inners_t};
#define FZ_NTYPES (sizeof fz_types / sizeof fz_types[0])

#endif
