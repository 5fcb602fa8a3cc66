/* Once-per-peer-per-reason rejection logging (see rejlog.h). A linear scan of at most 256
 * words runs only for rejected frames. */
#include "rejlog.h"

static uint64_t key_of(const char *peer, tp_reject why) {
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)peer; *p; p++) {
        h = (h ^ *p) * 1099511628211ull;
    }
    return (h ^ (uint64_t)why) * 1099511628211ull | 1; /* never 0 */
}

bool tp_rejlog_first(tp_rejlog *l, const char *peer, tp_reject why, bool *note_full) {
    uint64_t k = key_of(peer, why);
    *note_full = false;
    for (int i = 0; i < l->count; i++) {
        if (l->seen[i] == k) {
            return false;
        }
    }
    if (l->count == TP_REJLOG_MAX) {
        if (!l->full_noted) {
            l->full_noted = true;
            *note_full = true;
        }
        return false;
    }
    l->seen[l->count++] = k;
    return true;
}
