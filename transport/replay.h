/* Replay protection and loss counting: a sliding window over sequence numbers per (sender,
 * topic).
 *
 * Every sender numbers its frames on each topic 1, 2, 3, ... . The receiver remembers, per
 * (sender, topic), the highest number seen and which of the 128 numbers below it have arrived.
 * A number already seen, or older than the window, is a replay. A jump ahead counts the skipped
 * numbers as lost; a skipped number that turns up late (reordering within the window) is taken
 * back off the loss count. A sender seen for the first time starts its window wherever it is:
 * joining a running stream is not a loss, and a restarted publisher is a new sender (sender ids
 * are random per binding), so its fresh numbering is never mistaken for a replay.
 *
 * Windows are only updated for frames that passed authentication, so forged frames cannot move
 * them. Memory is bounded: at most `max_senders` windows; when full, the one idle longest is
 * forgotten (counted in `evictions`). A forgotten sender's old frames would be accepted once
 * more, as would any frame after the receiver restarts: replay protection lasts as long as the
 * receiver remembers, which is what a per-process window can give.
 *
 * Not thread-safe: one receiving thread owns a window table. */
#ifndef HALE_TRANSPORT_REPLAY_H
#define HALE_TRANSPORT_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#define TP_REPLAY_WINDOW 128

typedef struct tp_replay tp_replay;

tp_replay *tp_replay_new(size_t max_senders);
void tp_replay_free(tp_replay *t);

/* Checks sequence number `seq` of (sender, topic) and records it. Returns 0 when it is new,
 * with *lost_delta the change to the loss count (positive on a jump, -1 when a counted loss
 * arrives late, 0 otherwise); returns 1 for a replay (nothing recorded). `seq` must be >= 1. */
int tp_replay_check(tp_replay *t, uint64_t sender, uint64_t topic, uint64_t seq,
                    int64_t *lost_delta);

/* Number of windows currently held, and how many were forgotten to make room. */
size_t tp_replay_size(const tp_replay *t);
uint64_t tp_replay_evictions(const tp_replay *t);

#endif
