/* std::str (see str.h): searching, trimming, case, replacing, padding and parsing. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "fatal.h"
#include "str.h"

int64_t hale_str_index_of(hale_str s, hale_str sub) {
    if (sub.len == 0) {
        return 0;
    }
    if (sub.len > s.len) {
        return -1;
    }
    const char *p = memmem(s.ptr, (size_t)s.len, sub.ptr, (size_t)sub.len);
    return p ? (int64_t)(p - s.ptr) : -1;
}

bool hale_str_contains(hale_str s, hale_str sub) {
    return hale_str_index_of(s, sub) >= 0;
}

bool hale_str_starts_with(hale_str s, hale_str prefix) {
    return prefix.len <= s.len && (prefix.len == 0 || memcmp(s.ptr, prefix.ptr, prefix.len) == 0);
}

bool hale_str_ends_with(hale_str s, hale_str suffix) {
    return suffix.len <= s.len &&
           (suffix.len == 0 || memcmp(s.ptr + s.len - suffix.len, suffix.ptr, suffix.len) == 0);
}

hale_str hale_str_substring(hale_str s, int64_t lo, int64_t hi) {
    return hale_str_slice(s, lo, hi, 0);
}

static int space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

hale_str hale_str_trim_start(hale_str s) {
    while (s.len > 0 && space(s.ptr[0])) {
        s.ptr++;
        s.len--;
    }
    return s;
}

hale_str hale_str_trim_end(hale_str s) {
    while (s.len > 0 && space(s.ptr[s.len - 1])) {
        s.len--;
    }
    return s;
}

hale_str hale_str_trim(hale_str s) {
    return hale_str_trim_end(hale_str_trim_start(s));
}

static hale_str map_case(hale_region *r, hale_str s, int upper) {
    if (s.len == 0) {
        return s;
    }
    char *p = hale_region_alloc(r, (size_t)s.len, 1);
    for (int64_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        p[i] = (char)(upper ? toupper(c) : tolower(c));
    }
    return (hale_str){p, s.len};
}

hale_str hale_str_lower(hale_region *r, hale_str s) {
    return map_case(r, s, 0);
}

hale_str hale_str_upper(hale_region *r, hale_str s) {
    return map_case(r, s, 1);
}

hale_str hale_str_replace(hale_region *r, hale_str s, hale_str from, hale_str to) {
    if (from.len == 0 || s.len < from.len) {
        return s;
    }
    int64_t count = 0;
    for (int64_t i = 0; i + from.len <= s.len;) {
        if (memcmp(s.ptr + i, from.ptr, (size_t)from.len) == 0) {
            count++;
            i += from.len;
        } else {
            i++;
        }
    }
    if (count == 0) {
        return s;
    }
    int64_t n = s.len + count * (to.len - from.len);
    if (n == 0) {
        return HALE_STR_LIT("");
    }
    char *p = hale_region_alloc(r, (size_t)n, 1), *q = p;
    for (int64_t i = 0; i < s.len;) {
        if (i + from.len <= s.len && memcmp(s.ptr + i, from.ptr, (size_t)from.len) == 0) {
            if (to.len) {
                memcpy(q, to.ptr, (size_t)to.len);
            }
            q += to.len;
            i += from.len;
        } else {
            *q++ = s.ptr[i++];
        }
    }
    return (hale_str){p, n};
}

hale_str hale_str_repeat(hale_region *r, hale_str s, int64_t n) {
    if (n <= 0 || s.len == 0) {
        return HALE_STR_LIT("");
    }
    if (n > INT64_MAX / s.len || s.len * n > ((int64_t)1 << 40)) {
        hale_fatal("std::str::repeat: %lld copies of %lld bytes is too large", (long long)n,
                   (long long)s.len);
    }
    char *p = hale_region_alloc(r, (size_t)(s.len * n), 1);
    for (int64_t i = 0; i < n; i++) {
        memcpy(p + i * s.len, s.ptr, (size_t)s.len);
    }
    return (hale_str){p, s.len * n};
}

static hale_str pad(hale_region *r, hale_str s, int64_t width, hale_str with, int left) {
    if (width <= s.len || with.len == 0) {
        return s;
    }
    if (width > ((int64_t)1 << 40)) {
        hale_fatal("std::str::pad: width %lld is too large", (long long)width);
    }
    int64_t fill = width - s.len;
    char *p = hale_region_alloc(r, (size_t)width, 1);
    char *f = left ? p : p + s.len;
    for (int64_t i = 0; i < fill; i++) {
        f[i] = with.ptr[i % with.len];
    }
    memcpy(left ? p + fill : p, s.ptr, (size_t)s.len);
    return (hale_str){p, width};
}

hale_str hale_str_pad_left(hale_region *r, hale_str s, int64_t width, hale_str with) {
    return pad(r, s, width, with, 1);
}

hale_str hale_str_pad_right(hale_region *r, hale_str s, int64_t width, hale_str with) {
    return pad(r, s, width, with, 0);
}

int64_t hale_str_byte_at(hale_str s, int64_t i) {
    return i >= 0 && i < s.len ? (unsigned char)s.ptr[i] : -1;
}

hale_str hale_str_from_byte(hale_region *r, int64_t b) {
    char *p = hale_region_alloc(r, 1, 1);
    p[0] = (char)(b & 0xff);
    return (hale_str){p, 1};
}

bool hale_str_parse_int(hale_str s, int64_t *out) {
    s = hale_str_trim(s);
    int64_t i = 0;
    int neg = 0;
    if (i < s.len && (s.ptr[i] == '-' || s.ptr[i] == '+')) {
        neg = s.ptr[i] == '-';
        i++;
    }
    if (i >= s.len) {
        return false;
    }
    uint64_t v = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    bool may_overflow = s.len - i > 18; /* 18 digits always fit: no division per digit then */
    for (; i < s.len; i++) {
        char c = s.ptr[i];
        if (c < '0' || c > '9') {
            return false;
        }
        unsigned d = (unsigned)(c - '0');
        if (may_overflow && v > (limit - d) / 10) {
            return false;
        }
        v = v * 10 + d;
    }
    if (out) {
        *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    }
    return true;
}

bool hale_str_parse_float(hale_str s, double *out) {
    s = hale_str_trim(s);
    if (s.len == 0 || s.len > 400) {
        return false;
    }
    char tmp[401];
    memcpy(tmp, s.ptr, (size_t)s.len);
    tmp[s.len] = '\0';
    for (int64_t i = 0; i < s.len; i++) {
        char c = tmp[i];
        if (!(isdigit((unsigned char)c) || c == '.' || c == '-' || c == '+' || c == 'e' ||
              c == 'E')) {
            return false; /* no hex floats, inf or nan spellings */
        }
    }
    char *end;
    errno = 0;
    double v = strtod(tmp, &end);
    if (end != tmp + s.len || (errno == ERANGE && isinf(v))) {
        return false;
    }
    if (out) {
        *out = v;
    }
    return true;
}

bool hale_str_can_parse_int(hale_str s) {
    return hale_str_parse_int(s, NULL);
}

bool hale_str_can_parse_float(hale_str s) {
    return hale_str_parse_float(s, NULL);
}
