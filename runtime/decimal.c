/* Decimal arithmetic and text (see decimal.h). The 128-bit operations use the compiler's
 * overflow builtins, so an amount that no longer fits is reported where it happened. */
#include "decimal.h"

#include <string.h>

#include "fault.h"

__extension__ typedef unsigned __int128 hale_udec;

static const hale_dec DEC_MAX = (hale_dec)(((hale_udec)1 << 127) - 1);
static const hale_dec DEC_MIN = -(hale_dec)(((hale_udec)1 << 127) - 1) - 1;

hale_dec hale_dec_add(hale_dec a, hale_dec b, const char *where) {
    hale_dec r;
    if (__builtin_add_overflow(a, b, &r)) {
        hale_fault(where, "Decimal overflow in addition");
    }
    return r;
}

hale_dec hale_dec_sub(hale_dec a, hale_dec b, const char *where) {
    hale_dec r;
    if (__builtin_sub_overflow(a, b, &r)) {
        hale_fault(where, "Decimal overflow in subtraction");
    }
    return r;
}

hale_dec hale_dec_neg(hale_dec a, const char *where) {
    if (a == DEC_MIN) {
        hale_fault(where, "Decimal overflow in negation");
    }
    return -a;
}

/* |x| as an unsigned value (DEC_MIN included). */
static hale_udec uabs(hale_dec x) {
    return x < 0 ? (hale_udec)0 - (hale_udec)x : (hale_udec)x;
}

/* The signed result of a magnitude, or a fault when it does not fit. */
static hale_dec signed_of(hale_udec m, int neg, const char *where, const char *op) {
    if (m > (hale_udec)DEC_MAX + (neg ? 1u : 0u)) {
        hale_fault(where, "Decimal overflow in %s", op);
    }
    return neg ? (hale_dec)((hale_udec)0 - m) : (hale_dec)m;
}

/* hi:lo = x * y for 128-bit magnitudes, as four 64-bit limbs (little end first). */
static void mul_wide(hale_udec x, hale_udec y, uint64_t out[4]) {
    uint64_t a[2] = {(uint64_t)x, (uint64_t)(x >> 64)};
    uint64_t b[2] = {(uint64_t)y, (uint64_t)(y >> 64)};
    memset(out, 0, 4 * sizeof out[0]);
    for (int i = 0; i < 2; i++) {
        hale_udec carry = 0;
        for (int j = 0; j < 2; j++) {
            hale_udec t = (hale_udec)a[i] * b[j] + out[i + j] + carry;
            out[i + j] = (uint64_t)t;
            carry = t >> 64;
        }
        out[i + 2] = (uint64_t)carry;
    }
}

/* Divides the 256-bit value in `n` (little end first) by a 64-bit divisor, in place. */
static void div_small(uint64_t n[4], uint64_t d) {
    hale_udec rem = 0;
    for (int i = 3; i >= 0; i--) {
        hale_udec cur = (rem << 64) | n[i];
        n[i] = (uint64_t)(cur / d);
        rem = cur % d;
    }
}

hale_dec hale_dec_mul(hale_dec a, hale_dec b, const char *where) {
    uint64_t w[4];
    mul_wide(uabs(a), uabs(b), w);
    div_small(w, (uint64_t)HALE_DEC_ONE);
    if (w[2] || w[3]) {
        hale_fault(where, "Decimal overflow in multiplication");
    }
    hale_udec m = ((hale_udec)w[1] << 64) | w[0];
    return signed_of(m, (a < 0) != (b < 0), where, "multiplication");
}

hale_dec hale_dec_div(hale_dec a, hale_dec b, const char *where) {
    if (b == 0) {
        hale_fault(where, "Decimal division by zero");
    }
    /* (|a| * 10^9) / |b| by long division over the 256-bit numerator, bit by bit. */
    uint64_t n[4];
    mul_wide(uabs(a), (hale_udec)HALE_DEC_ONE, n);
    hale_udec d = uabs(b), rem = 0, q = 0;
    for (int bit = 255; bit >= 0; bit--) {
        int top = (int)(rem >> 127);
        rem = (rem << 1) | ((n[bit / 64] >> (bit % 64)) & 1u);
        int take = top || rem >= d;
        if (take) {
            rem -= d;
        }
        if (bit >= 128) {
            if (take) {
                hale_fault(where, "Decimal overflow in division");
            }
        } else {
            q = (q << 1) | (hale_udec)take;
        }
    }
    return signed_of(q, (a < 0) != (b < 0), where, "division");
}

hale_dec hale_dec_from_int(int64_t v) {
    return (hale_dec)v * HALE_DEC_ONE;
}

double hale_dec_to_float(hale_dec d) {
    hale_dec whole = d / HALE_DEC_ONE, frac = d % HALE_DEC_ONE;
    return (double)whole + (double)frac / 1e9;
}

/* Writes |d| as digits with `places` fraction digits (d already scaled and rounded to them);
 * returns the length. */
static int digits(char *out, hale_udec m, int places, int trim) {
    char t[64];
    int n = 0;
    for (int i = 0; i < 9; i++) { /* fraction digits, least significant first */
        t[n++] = (char)('0' + (int)(m % 10));
        m /= 10;
    }
    int lead = n;
    do {
        t[n++] = (char)('0' + (int)(m % 10));
        m /= 10;
    } while (m);
    int len = 0;
    for (int i = n - 1; i >= lead; i--) {
        out[len++] = t[i];
    }
    int keep = places;
    if (trim) {
        keep = 9;
        while (keep > 0 && t[9 - keep] == '0') {
            keep--;
        }
    }
    if (keep > 0) {
        out[len++] = '.';
        for (int i = 0; i < keep; i++) {
            out[len++] = t[8 - i];
        }
    }
    out[len] = 0;
    return len;
}

static int text_of(char *out, hale_dec d, int places, int trim) {
    int neg = d < 0;
    hale_udec m = uabs(d);
    if (!trim) {
        hale_udec unit = 1;
        for (int i = places; i < 9; i++) {
            unit *= 10;
        }
        if (unit > 1) {
            hale_udec r = m % unit;
            m -= r;
            if (r * 2 >= unit) {
                m += unit;
            }
        }
    }
    int len = 0;
    if (neg && m != 0) {
        out[len++] = '-';
    }
    return len + digits(out + len, m, places, trim);
}

void hale_fmt_decimal(hale_sbuf *b, hale_dec d, int nested) {
    (void)nested;
    char t[64];
    hale_sbuf_put(b, t, (size_t)text_of(t, d, 9, 1));
}

hale_str hale_str_from_decimal(hale_region *r, hale_dec d) {
    hale_sbuf b = {0};
    hale_fmt_decimal(&b, d, 0);
    return hale_sbuf_take(r, &b);
}

hale_str hale_decimal_format(hale_region *r, hale_dec d, int64_t places) {
    char t[64];
    int p = places < 0 ? 0 : places > 9 ? 9 : (int)places;
    hale_sbuf b = {0};
    hale_sbuf_put(&b, t, (size_t)text_of(t, d, p, 0));
    return hale_sbuf_take(r, &b);
}

static bool blank(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool hale_str_parse_decimal(hale_str s, hale_dec *out) {
    const char *p = s.ptr, *end = s.ptr + s.len;
    *out = 0;
    while (p < end && blank(*p)) {
        p++;
    }
    while (end > p && blank(end[-1])) {
        end--;
    }
    int neg = 0;
    if (p < end && (*p == '-' || *p == '+')) {
        neg = *p++ == '-';
    }
    hale_udec m = 0;
    const hale_udec limit = (hale_udec)DEC_MAX;
    int digits = 0, frac = -1;
    for (; p < end; p++) {
        if (*p == '.' && frac < 0) {
            frac = 0;
            continue;
        }
        if (*p < '0' || *p > '9' || (frac >= 0 && ++frac > 9)) {
            return false;
        }
        if (m > (limit - (hale_udec)(*p - '0')) / 10) {
            return false;
        }
        m = m * 10 + (hale_udec)(*p - '0');
        digits++;
    }
    if (!digits) {
        return false;
    }
    for (int k = frac < 0 ? 0 : frac; k < 9; k++) {
        if (m > limit / 10) {
            return false;
        }
        m *= 10;
    }
    *out = neg ? -(hale_dec)m : (hale_dec)m;
    return true;
}

bool hale_str_range_parse_decimal(hale_str s, int64_t start, int64_t end, hale_dec *out) {
    if (start < 0 || end > s.len || start >= end) {
        *out = 0;
        return false;
    }
    return hale_str_parse_decimal((hale_str){s.ptr + start, end - start}, out);
}

const hale_type hale_type_decimal = {.kind = HALE_T_DECIMAL,
                                     .name = "Decimal",
                                     .size = sizeof(hale_dec),
                                     .align = _Alignof(hale_dec),
                                     .flat = true,
                                     .fingerprint = 0x1007};
