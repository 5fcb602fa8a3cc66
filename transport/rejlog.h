/* Logging rejected frames once per peer per reason.
 *
 * A hostile or misconfigured peer can send thousands of bad frames a second; logging each would
 * turn the log into the attack. The first rejection of each kind from each peer is logged with
 * its detail; the rest are only counted. Memory is bounded: after `TP_REJLOG_MAX` distinct
 * (peer, reason) pairs, one more line says that new ones are counted but no longer logged.
 * Owned by the receiving thread (not thread-safe). */
#ifndef HALE_TRANSPORT_REJLOG_H
#define HALE_TRANSPORT_REJLOG_H

#include <stdbool.h>
#include <stdint.h>

#include "counters.h"

#define TP_REJLOG_MAX 256

typedef struct {
    uint64_t seen[TP_REJLOG_MAX];
    int count;
    bool full_noted;
} tp_rejlog;

/* True when this (peer, reason) has not been logged yet (and records it). When the table is
 * full, returns false, and sets *note_full once so the caller can say so. */
bool tp_rejlog_first(tp_rejlog *l, const char *peer, tp_reject why, bool *note_full);

#endif
