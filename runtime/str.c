/* See str.h: the String operations generated code uses directly. */
#include "str.h"

#include <inttypes.h>
#include <stdio.h>

#include "fatal.h"

int hale_str_cmp(hale_str a, hale_str b) {
    int64_t n = a.len < b.len ? a.len : b.len;
    int c = n ? memcmp(a.ptr, b.ptr, (size_t)n) : 0;
    if (c) {
        return c;
    }
    return a.len < b.len ? -1 : a.len > b.len;
}

static char *alloc_text(hale_region *r, int64_t n) {
    return hale_region_alloc(r, (size_t)n, 1);
}

hale_str hale_str_copy(hale_region *r, hale_str s) {
    if (s.len == 0) {
        return HALE_STR_LIT("");
    }
    char *p = alloc_text(r, s.len);
    memcpy(p, s.ptr, (size_t)s.len);
    return (hale_str){p, s.len};
}

hale_str hale_str_concat(hale_region *r, hale_str a, hale_str b) {
    if (a.len == 0) {
        return b;
    }
    if (b.len == 0) {
        return a;
    }
    char *p = alloc_text(r, a.len + b.len);
    memcpy(p, a.ptr, (size_t)a.len);
    memcpy(p + a.len, b.ptr, (size_t)b.len);
    return (hale_str){p, a.len + b.len};
}

hale_str hale_str_concat_n(hale_region *r, const hale_str *parts, int n) {
    int64_t total = 0;
    for (int i = 0; i < n; i++) {
        total += parts[i].len;
    }
    if (total == 0) {
        return HALE_STR_LIT("");
    }
    char *p = alloc_text(r, total), *q = p;
    for (int i = 0; i < n; i++) {
        if (parts[i].len) {
            memcpy(q, parts[i].ptr, (size_t)parts[i].len);
            q += parts[i].len;
        }
    }
    return (hale_str){p, total};
}

hale_str hale_str_slice(hale_str s, int64_t lo, int64_t hi, int inclusive) {
    if (inclusive) {
        hi = hi == INT64_MAX ? hi : hi + 1;
    }
    if (lo < 0) {
        lo = 0;
    }
    if (hi > s.len) {
        hi = s.len;
    }
    if (lo >= hi) {
        return (hale_str){s.ptr ? s.ptr : "", 0};
    }
    return (hale_str){s.ptr + lo, hi - lo};
}

static hale_str from_text(hale_region *r, const char *t, int n) {
    char *p = alloc_text(r, n);
    memcpy(p, t, (size_t)n);
    return (hale_str){p, n};
}

hale_str hale_str_from_int(hale_region *r, int64_t v) {
    char t[32];
    return from_text(r, t, snprintf(t, sizeof t, "%" PRId64, v));
}

hale_str hale_str_from_float(hale_region *r, double v) {
    char t[64];
    return from_text(r, t, snprintf(t, sizeof t, "%g", v));
}

hale_str hale_str_from_duration(hale_region *r, int64_t ns) {
    char t[40];
    return from_text(r, t, snprintf(t, sizeof t, "%" PRId64 "ns", ns));
}
