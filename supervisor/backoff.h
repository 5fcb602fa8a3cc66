/* Restart pacing for supervised processes, in the OTP manner: each restart of an instance waits
 * a little longer than the last (exponential backoff, capped), and a tree that restarts more
 * than `max_restarts` times within `window` gives up instead of flapping forever. */
#ifndef HALE_SUPERVISOR_BACKOFF_H
#define HALE_SUPERVISOR_BACKOFF_H

#include <stdint.h>

/* Delay before the (attempt+1)-th consecutive restart: base * 2^attempt, at most cap. */
int64_t sv_backoff_delay(int64_t base_ns, int64_t cap_ns, unsigned attempt);

#define SV_INTENSITY_MAX 64

/* A sliding window of recent restart times. */
typedef struct {
    unsigned max_restarts;
    int64_t window_ns;
    unsigned count;
    int64_t times[SV_INTENSITY_MAX]; /* ring of the last `count` restart times */
    unsigned head;
} sv_intensity;

/* max_restarts is clamped to SV_INTENSITY_MAX - 1. */
void sv_intensity_init(sv_intensity *in, unsigned max_restarts, int64_t window_ns);

/* Records a restart at `now_ns`. Returns 1 if the restart is allowed, 0 when it would make more
 * than max_restarts restarts within the window (the supervisor must then escalate). */
int sv_intensity_record(sv_intensity *in, int64_t now_ns);

/* Restarts recorded within the window that ends at `now_ns` (changes nothing). */
unsigned sv_intensity_count(const sv_intensity *in, int64_t now_ns);

#endif
