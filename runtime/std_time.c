/* std::time (see std.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "std.h"

int64_t hale_time_monotonic(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t hale_time_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}

void hale_time_sleep(int64_t ns) {
    if (ns <= 0) {
        return;
    }
    struct timespec req = {(time_t)(ns / 1000000000), (long)(ns % 1000000000)}, rem;
    while (nanosleep(&req, &rem) != 0 && errno == EINTR) {
        req = rem;
    }
}

hale_str hale_time_from_unix(hale_region *r, int64_t secs) {
    time_t t = (time_t)secs;
    struct tm tm;
    char buf[64];
    if (!gmtime_r(&t, &tm) || strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
        return (hale_str){"", 0};
    }
    size_t n = strlen(buf);
    char *p = hale_region_alloc(r, n, 1);
    memcpy(p, buf, n);
    return (hale_str){p, (int64_t)n};
}

/* Reads `width` decimal digits at s[*i]. */
static bool digits(hale_str s, int64_t *i, int width, int *out) {
    int v = 0;
    for (int k = 0; k < width; k++, (*i)++) {
        if (*i >= s.len || s.ptr[*i] < '0' || s.ptr[*i] > '9') {
            return false;
        }
        v = v * 10 + (s.ptr[*i] - '0');
    }
    *out = v;
    return true;
}

static bool expect(hale_str s, int64_t *i, char c) {
    if (*i < s.len && s.ptr[*i] == c) {
        (*i)++;
        return true;
    }
    return false;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

bool hale_time_parse_iso8601(hale_str s, int64_t *out) {
    int64_t i = 0;
    int y, mo, d, h, mi, se;
    if (out) {
        *out = 0;
    }
    if (!digits(s, &i, 4, &y) || !expect(s, &i, '-') || !digits(s, &i, 2, &mo) ||
        !expect(s, &i, '-') || !digits(s, &i, 2, &d) ||
        !(expect(s, &i, 'T') || expect(s, &i, 't')) || !digits(s, &i, 2, &h) ||
        !expect(s, &i, ':') || !digits(s, &i, 2, &mi) || !expect(s, &i, ':') ||
        !digits(s, &i, 2, &se)) {
        return false;
    }
    if (expect(s, &i, '.')) { /* fractions are read and dropped: the result is whole seconds */
        int64_t start = i;
        while (i < s.len && s.ptr[i] >= '0' && s.ptr[i] <= '9') {
            i++;
        }
        if (i == start) {
            return false;
        }
    }
    if (!expect(s, &i, 'Z')) {
        expect(s, &i, 'z');
    }
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (i != s.len || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
        (mo == 2 && d == 29 && !leap) || h > 23 || mi > 59 || se > 60) {
        return false;
    }
    if (out) {
        *out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
    }
    return true;
}

bool hale_time_can_parse_iso8601(hale_str s) {
    return hale_time_parse_iso8601(s, NULL);
}
