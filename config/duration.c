/* See duration.h. Overflow is checked on every step: a config value can never wrap into a
 * small or negative duration. */
#include "duration.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    int64_t ns;
} units[] = {
    {"ns", 1},
    {"us", 1000},
    {"ms", 1000000},
    {"s", 1000000000},
    {"m", 60LL * 1000000000},
    {"h", 3600LL * 1000000000},
    {"d", 86400LL * 1000000000}, /* last: cfg_duration_format writes up to hours */
};
enum { FORMAT_UNITS = sizeof units / sizeof units[0] - 1 };

static int fail(char *err, size_t errlen, const char *msg) {
    if (err && errlen) {
        snprintf(err, errlen, "%s", msg);
    }
    return -1;
}

int64_t cfg_duration_unit(const char *text, size_t len, size_t *n) {
    int64_t best = 0;
    *n = 0;
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
        size_t k = strlen(units[u].name);
        if (k > *n && k <= len && memcmp(text, units[u].name, k) == 0) {
            best = units[u].ns;
            *n = k;
        }
    }
    return best;
}

int cfg_duration_parse(const char *text, size_t len, int64_t *out_ns, char *err, size_t errlen) {
    size_t i = 0;
    int64_t total = 0;
    if (len == 0) {
        return fail(err, errlen, "empty duration (write e.g. \"500ms\" or \"30s\")");
    }
    while (i < len) {
        if (text[i] < '0' || text[i] > '9') {
            return fail(err, errlen, "expected a number (durations look like \"500ms\", \"30s\")");
        }
        int64_t value = 0;
        while (i < len && ((text[i] >= '0' && text[i] <= '9') || text[i] == '_')) {
            if (text[i] != '_') {
                if (value > (INT64_MAX - 9) / 10) {
                    return fail(err, errlen, "duration is too large");
                }
                value = value * 10 + (text[i] - '0');
            }
            i++;
        }
        size_t n;
        int64_t unit = cfg_duration_unit(text + i, len - i, &n);
        if (unit == 0) {
            return fail(err, errlen, "missing or unknown unit (use ns, us, ms, s, m, h or d)");
        }
        i += n;
        if (value > INT64_MAX / unit || total > INT64_MAX - value * unit) {
            return fail(err, errlen, "duration is too large");
        }
        total += value * unit;
    }
    *out_ns = total;
    return 0;
}

void cfg_duration_format(int64_t ns, char *buf, size_t buflen) {
    for (size_t u = FORMAT_UNITS; u-- > 0;) {
        if (ns != 0 && ns % units[u].ns == 0) {
            snprintf(buf, buflen, "%lld%s", (long long)(ns / units[u].ns), units[u].name);
            return;
        }
    }
    snprintf(buf, buflen, "%llds", (long long)ns);
}
