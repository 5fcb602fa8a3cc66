/* Decimal: an exact fixed-point number, a signed 128-bit mantissa at scale 9 (the value is
 * mantissa x 10^-9), as Hale defines it.
 *
 * Addition and subtraction are exact; multiplication and division keep nine fraction digits,
 * truncating toward zero. A result that does not fit 128 bits, and a division by zero, are faults
 * naming the source place, never a silently wrong amount. Printing trims trailing fraction zeros
 * (`100.40d` prints `100.4`); `std::decimal::format` prints a fixed number of places, rounding
 * half away from zero. */
#ifndef HALE_RUNTIME_DECIMAL_H
#define HALE_RUNTIME_DECIMAL_H

#include <stdbool.h>
#include <stdint.h>

#include "io.h"
#include "region.h"
#include "value.h"

__extension__ typedef __int128 hale_dec;

#define HALE_DEC_ONE ((hale_dec)1000000000)

/* The mantissa from two 64-bit halves (literals wider than an Int). */
static inline hale_dec hale_dec_make(int64_t hi, uint64_t lo) {
    __extension__ typedef unsigned __int128 u128;
    return (hale_dec)(((u128)(uint64_t)hi << 64) | lo);
}

hale_dec hale_dec_add(hale_dec a, hale_dec b, const char *where);
hale_dec hale_dec_sub(hale_dec a, hale_dec b, const char *where);
hale_dec hale_dec_mul(hale_dec a, hale_dec b, const char *where);
hale_dec hale_dec_div(hale_dec a, hale_dec b, const char *where);
hale_dec hale_dec_neg(hale_dec a, const char *where);
hale_dec hale_dec_from_int(int64_t v);
double hale_dec_to_float(hale_dec d);

/* Appends the trimmed form (`-3.5`, `12`, `0.000001`). */
void hale_fmt_decimal(hale_sbuf *b, hale_dec d, int nested);
hale_str hale_str_from_decimal(hale_region *r, hale_dec d);
/* Exactly `places` fraction digits (clamped to 0..9), rounded half away from zero. */
hale_str hale_decimal_format(hale_region *r, hale_dec d, int64_t places);

/* `std::str::parse_decimal`: an optional sign, digits, an optional `.` and at most nine fraction
 * digits (surrounding blanks ignored); false (and 0) on anything else or when it does not fit. */
bool hale_str_parse_decimal(hale_str s, hale_dec *out);
bool hale_str_range_parse_decimal(hale_str s, int64_t start, int64_t end, hale_dec *out);

extern const hale_type hale_type_decimal;

#endif
