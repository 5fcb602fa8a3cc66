/* Test payload types and their generators (see shapes.h). */
#include "shapes.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

static const hale_field inner_fields[] = {
    {"id", offsetof(ShInner, id), &hale_type_int},
    {"name", offsetof(ShInner, name), &hale_type_string},
    {"weight", offsetof(ShInner, weight), &hale_type_float},
};
static const hale_type inner_t = {.kind = HALE_T_RECORD,
                                  .name = "Inner",
                                  .size = sizeof(ShInner),
                                  .align = _Alignof(ShInner),
                                  .fingerprint = 0x5301,
                                  .fields = inner_fields,
                                  .nfields = 3};
static const hale_type inners_t = {.kind = HALE_T_ARRAY,
                                   .name = "[Inner]",
                                   .size = sizeof(hale_array),
                                   .align = _Alignof(hale_array),
                                   .fingerprint = 0x5302,
                                   .elem = &inner_t};
static const hale_type ints_t = {.kind = HALE_T_ARRAY,
                                 .name = "[Int]",
                                 .size = sizeof(hale_array),
                                 .align = _Alignof(hale_array),
                                 .fingerprint = 0x5303,
                                 .elem = &hale_type_int};
static const hale_type recent_t = {.kind = HALE_T_BOUNDED,
                                   .name = "bounded[Inner; 3]",
                                   .size = sizeof(ShRecent),
                                   .align = _Alignof(ShRecent),
                                   .fingerprint = 0x5304,
                                   .elem = &inner_t,
                                   .capacity = 3,
                                   .items_offset = offsetof(ShRecent, items)};
static const char *const level_names[] = {"Debug", "Info", "Warn", "Error"};
static const hale_type level_t = {.kind = HALE_T_ENUM,
                                  .name = "Level",
                                  .size = 8,
                                  .align = 8,
                                  .flat = true,
                                  .fingerprint = 0x5305,
                                  .variants = level_names,
                                  .nvariants = 4};
static const hale_field shapes_fields[] = {
    {"n", offsetof(Shapes, n), &hale_type_int},
    {"ratio", offsetof(Shapes, ratio), &hale_type_float},
    {"even", offsetof(Shapes, even), &hale_type_bool},
    {"elapsed", offsetof(Shapes, elapsed), &hale_type_duration},
    {"text", offsetof(Shapes, text), &hale_type_string},
    {"raw", offsetof(Shapes, raw), &hale_type_bytes},
    {"level", offsetof(Shapes, level), &level_t},
    {"inner", offsetof(Shapes, inner), &inner_t},
    {"inners", offsetof(Shapes, inners), &inners_t},
    {"ints", offsetof(Shapes, ints), &ints_t},
    {"recent", offsetof(Shapes, recent), &recent_t},
};
const hale_type sh_shapes_t = {.kind = HALE_T_RECORD,
                               .name = "Shapes",
                               .size = sizeof(Shapes),
                               .align = _Alignof(Shapes),
                               .fingerprint = 0x5306,
                               .fields = shapes_fields,
                               .nfields = 11};

static const hale_field small_fields[] = {
    {"n", offsetof(Small, n), &hale_type_int},
    {"tag", offsetof(Small, tag), &hale_type_string},
};
const hale_type sh_small_t = {.kind = HALE_T_RECORD,
                              .name = "Small",
                              .size = sizeof(Small),
                              .align = _Alignof(Small),
                              .fingerprint = 0x5307,
                              .fields = small_fields,
                              .nfields = 2};

static const hale_field blob_fields[] = {
    {"n", offsetof(Blob, n), &hale_type_int},
    {"data", offsetof(Blob, data), &hale_type_bytes},
};
const hale_type sh_blob_t = {.kind = HALE_T_RECORD,
                             .name = "Blob",
                             .size = sizeof(Blob),
                             .align = _Alignof(Blob),
                             .fingerprint = 0x5308,
                             .fields = blob_fields,
                             .nfields = 2};

/* ---- generators: every field is a function of n, and sizes vary with n ---- */

static char text_buf[128], name_buf[4][48];
static uint8_t raw_buf[300];
static ShInner inners_buf[4];
static int64_t ints_buf[8];

static hale_str str_of(char *buf, size_t cap, const char *fmt, int64_t n) {
    int len = snprintf(buf, cap, fmt, (long long)n);
    return (hale_str){buf, len};
}

static ShInner inner_of(int64_t n, int i) {
    return (ShInner){.id = n * 10 + i,
                     .name = str_of(name_buf[i], sizeof name_buf[i], "inner-\xc3\xa9-%lld", n + i),
                     .weight = (double)(n % 1000) / 8.0 + i};
}

void sh_make_shapes(int64_t n, Shapes *out) {
    memset(out, 0, sizeof *out);
    out->n = n;
    out->ratio = (double)n / 3.0;
    out->even = n % 2 == 0;
    out->elapsed = n * 1000;
    out->text = str_of(text_buf, sizeof text_buf, "message number %lld", n);
    size_t rawlen = (size_t)(n % 300);
    for (size_t i = 0; i < rawlen; i++) {
        raw_buf[i] = (uint8_t)(n + (int64_t)i);
    }
    out->raw = (hale_bytes){raw_buf, (int64_t)rawlen};
    out->level = n % 4;
    out->inner = inner_of(n, 3);
    int k = (int)(n % 4); /* 0..3 inners, 0..7 ints, 0..3 recent */
    for (int i = 0; i < k; i++) {
        inners_buf[i] = inner_of(n, i);
    }
    out->inners = (hale_array){inners_buf, k, k};
    int m = (int)(n % 8);
    for (int i = 0; i < m; i++) {
        ints_buf[i] = (i % 2 ? -1 : 1) * (n << i);
    }
    out->ints = (hale_array){ints_buf, m, m};
    out->recent.len = k < 3 ? k : 3;
    for (int i = 0; i < out->recent.len; i++) {
        out->recent.items[i] = inner_of(n, i);
    }
}

void sh_make_small(int64_t n, Small *out) {
    static char tag[32];
    out->n = n;
    out->tag = str_of(tag, sizeof tag, "s%lld", n % 1000);
}

static bool str_eq(hale_str a, hale_str b) {
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, (size_t)a.len) == 0);
}

static bool inner_eq(const ShInner *a, const ShInner *b) {
    return a->id == b->id && str_eq(a->name, b->name) && a->weight == b->weight;
}

bool sh_check_shapes(const Shapes *v) {
    Shapes want;
    sh_make_shapes(v->n, &want);
    if (v->ratio != want.ratio || v->even != want.even || v->elapsed != want.elapsed ||
        !str_eq(v->text, want.text) || v->raw.len != want.raw.len || v->level != want.level ||
        !inner_eq(&v->inner, &want.inner) || v->inners.len != want.inners.len ||
        v->ints.len != want.ints.len || v->recent.len != want.recent.len) {
        return false;
    }
    if (want.raw.len && memcmp(v->raw.ptr, want.raw.ptr, (size_t)want.raw.len) != 0) {
        return false;
    }
    for (int64_t i = 0; i < want.inners.len; i++) {
        if (!inner_eq((const ShInner *)v->inners.data + i, (const ShInner *)want.inners.data + i)) {
            return false;
        }
    }
    if (want.ints.len &&
        memcmp(v->ints.data, want.ints.data, (size_t)want.ints.len * sizeof(int64_t)) != 0) {
        return false;
    }
    for (int64_t i = 0; i < want.recent.len; i++) {
        if (!inner_eq(&v->recent.items[i], &want.recent.items[i])) {
            return false;
        }
    }
    return true;
}

bool sh_check_small(const Small *v) {
    Small want;
    sh_make_small(v->n, &want);
    return str_eq(v->tag, want.tag);
}
