/* The C side of basic.hl's @ffi declarations. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    int64_t x, y, z;
} Vec3;

static int64_t counter;

int64_t glue_double(int64_t x) { return x * 2; }
void glue_bump(void) { counter++; }
int64_t glue_count(void) { return counter; }
int32_t glue_is_even(int64_t n) { return n % 2 == 0; }
int32_t glue_not(int32_t b) { return !b; }
int64_t glue_strlen(const char *s) { return (int64_t)strlen(s); }
const char *glue_greet(const char *name) {
    static char buf[64];
    snprintf(buf, sizeof buf, "hello from C, %s", name);
    return buf;
}
int64_t glue_sum(const Vec3 *v) { return v->x + v->y + v->z; }
void glue_scale(Vec3 *out, const Vec3 *v, int64_t k) {
    out->x = v->x * k;
    out->y = v->y * k;
    out->z = v->z * k;
}
double glue_mean(double a, double b) { return (a + b) / 2; }
int64_t glue_ms(int64_t ns) { return ns / 1000000; }
