#include "backoff.h"

int64_t sv_backoff_delay(int64_t base_ns, int64_t cap_ns, unsigned attempt) {
    int64_t d = base_ns;
    for (unsigned i = 0; i < attempt && d < cap_ns; i++) {
        d = d > cap_ns / 2 ? cap_ns : d * 2;
    }
    return d < cap_ns ? d : cap_ns;
}

void sv_intensity_init(sv_intensity *in, unsigned max_restarts, int64_t window_ns) {
    in->max_restarts = max_restarts < SV_INTENSITY_MAX ? max_restarts : SV_INTENSITY_MAX - 1;
    in->window_ns = window_ns;
    in->count = 0;
    in->head = 0;
}

int sv_intensity_record(sv_intensity *in, int64_t now_ns) {
    /* Forget restarts that fell out of the window (oldest first). */
    while (in->count > 0) {
        unsigned oldest = (in->head + SV_INTENSITY_MAX - in->count) % SV_INTENSITY_MAX;
        if (now_ns - in->times[oldest] < in->window_ns) {
            break;
        }
        in->count--;
    }
    in->times[in->head] = now_ns;
    in->head = (in->head + 1) % SV_INTENSITY_MAX;
    if (in->count < SV_INTENSITY_MAX) {
        in->count++;
    }
    return in->count <= in->max_restarts;
}

unsigned sv_intensity_count(const sv_intensity *in, int64_t now_ns) {
    unsigned n = 0;
    for (unsigned k = 0; k < in->count; k++) {
        unsigned i = (in->head + SV_INTENSITY_MAX - 1 - k) % SV_INTENSITY_MAX;
        if (now_ns - in->times[i] < in->window_ns) {
            n++;
        }
    }
    return n;
}
