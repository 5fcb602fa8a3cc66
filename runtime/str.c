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

/* ---- UTF-8 ---- */

int hale_utf8_seq_len(const unsigned char *p, const unsigned char *end) {
    unsigned char c = p[0];
    int n;
    uint32_t cp, min;
    if (c < 0x80) {
        return 1;
    } else if ((c & 0xe0) == 0xc0) {
        n = 2, cp = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
        n = 3, cp = c & 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
        n = 4, cp = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (end - p < n) {
        return 0;
    }
    for (int i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        return 0;
    }
    return n;
}

bool hale_utf8_valid(const void *p, size_t n) {
    const unsigned char *s = p, *end = s + n;
    while (s < end) {
        if (*s < 0x80) {
            s++;
            continue;
        }
        int len = hale_utf8_seq_len(s, end);
        if (!len) {
            return false;
        }
        s += len;
    }
    return true;
}

bool hale_str_is_utf8(hale_str s) {
    return s.len <= 0 || hale_utf8_valid(s.ptr, (size_t)s.len);
}
