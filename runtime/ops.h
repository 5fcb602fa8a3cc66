/* Arithmetic and checks the generated C calls inline.
 *
 * Int arithmetic wraps (two's complement) instead of being undefined; division and remainder by
 * zero are faults naming the source place; an index is checked against the length before every
 * element access. Float-to-Int conversion saturates (NaN gives 0). */
#ifndef HALE_RUNTIME_OPS_H
#define HALE_RUNTIME_OPS_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "fault.h"

static inline int64_t hale_add_i(int64_t a, int64_t b) {
    return (int64_t)((uint64_t)a + (uint64_t)b);
}

static inline int64_t hale_sub_i(int64_t a, int64_t b) {
    return (int64_t)((uint64_t)a - (uint64_t)b);
}

static inline int64_t hale_mul_i(int64_t a, int64_t b) {
    return (int64_t)((uint64_t)a * (uint64_t)b);
}

static inline int64_t hale_neg_i(int64_t a) {
    return (int64_t)(0 - (uint64_t)a);
}

static inline int64_t hale_div_i(int64_t a, int64_t b, const char *where) {
    if (b == 0) {
        hale_fault(where, "division by zero");
    }
    return (a == INT64_MIN && b == -1) ? INT64_MIN : a / b;
}

static inline int64_t hale_mod_i(int64_t a, int64_t b, const char *where) {
    if (b == 0) {
        hale_fault(where, "remainder by zero");
    }
    return (a == INT64_MIN && b == -1) ? 0 : a % b;
}

/* Shifts by 64 or more give 0 (or -1 for a negative value shifted right); a negative shift
 * count shifts the other way. */
static inline int64_t hale_shl_i(int64_t a, int64_t n) {
    if (n < 0) {
        return n <= -64 ? (a < 0 ? -1 : 0) : a >> -n;
    }
    return n >= 64 ? 0 : (int64_t)((uint64_t)a << n);
}

static inline int64_t hale_shr_i(int64_t a, int64_t n) {
    if (n < 0) {
        return n <= -64 ? 0 : (int64_t)((uint64_t)a << -n);
    }
    return n >= 64 ? (a < 0 ? -1 : 0) : a >> n;
}

static inline int64_t hale_check_index(int64_t i, int64_t len, const char *where) {
    if ((uint64_t)i >= (uint64_t)len) {
        hale_fault_index(where, i, len);
    }
    return i;
}

static inline int64_t hale_f2i(double x) {
    if (x != x) {
        return 0;
    }
    if (x >= 9223372036854775807.0) {
        return INT64_MAX;
    }
    if (x <= -9223372036854775808.0) {
        return INT64_MIN;
    }
    return (int64_t)x;
}

static inline int64_t hale_min_i(int64_t a, int64_t b) {
    return a < b ? a : b;
}

static inline int64_t hale_max_i(int64_t a, int64_t b) {
    return a > b ? a : b;
}

static inline int64_t hale_abs_i(int64_t a) {
    return a < 0 ? hale_neg_i(a) : a;
}

static inline double hale_min_f(double a, double b) {
    return a < b ? a : b;
}

static inline double hale_max_f(double a, double b) {
    return a > b ? a : b;
}

static inline double hale_abs_f(double a) {
    return fabs(a);
}

/* std::math */
static inline bool hale_math_is_nan(double x) {
    return x != x;
}

static inline double hale_math_nan(void) {
    return NAN;
}

static inline double hale_math_inf(void) {
    return INFINITY;
}

/* `self.k_max` (Hale's F.16): B / ((1 - phi) * c + phi * sigma); a zero denominator is a fault,
 * never an infinite bound. */
static inline double hale_math_k_max(double B, double c, double sigma, double phi) {
    double denom = (1.0 - phi) * c + phi * sigma;
    if (denom == 0.0 || denom != denom) {
        hale_fault("k_max", "(1 - phi) * c + phi * sigma is %g, so the bound is undefined", denom);
    }
    return B / denom;
}

static inline double hale_math_int_to_float(int64_t x) {
    return (double)x;
}

static inline int64_t hale_math_float_to_int(double x) {
    return hale_f2i(x);
}

static inline int64_t hale_math_round(double x) {
    return hale_f2i(x < 0 ? -floor(-x + 0.5) : floor(x + 0.5));
}

#endif
