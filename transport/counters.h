/* Transport counters: what was sent, delivered, refused and lost, per binding and per topic.
 *
 * Every frame a receiver drops is counted under exactly one reason, so "no silent loss" can be
 * checked from the outside: delivered + rejected accounts for every frame that arrived, and
 * lost_gap for every frame a sender numbered that never arrived (see replay.h). Counters are
 * atomics (relaxed): any thread may read them while senders and the receiving loop update them.
 *
 * Dump format, one line per binding and per topic, key=value so tools can parse it:
 *   hale-bus binding url=ipc:///run/x.sock role=listen dir=subscribe sent=0 ... reconnects=0
 *   hale-bus topic subject=chat.posted url=ipc:///run/x.sock sent=0 received=12 ... */
#ifndef HALE_TRANSPORT_COUNTERS_H
#define HALE_TRANSPORT_COUNTERS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* Why a received frame was dropped. */
typedef enum {
    TP_REJ_BAD_SEAL,          /* tag does not verify, or sealed/unsealed mismatch */
    TP_REJ_REPLAYED,          /* sequence number already seen or older than the window */
    TP_REJ_UNKNOWN_TOPIC,     /* authenticated, but no topic with that wire id here */
    TP_REJ_OVERSIZED,         /* past the frame limit, or decodes past the payload limits */
    TP_REJ_MALFORMED_HEADER,  /* too short, bad magic/version/flags, sequence 0 */
    TP_REJ_MALFORMED_PAYLOAD, /* type fingerprint differs, or msgpack of the wrong shape */
    TP_REJ_COUNT
} tp_reject;

typedef enum {
    TP_C_SENT,         /* frames handed to nng */
    TP_C_SEND_DROPPED, /* frames that did not go out (refused with TP_SEND_DROP, unencodable,
                          too big, or still queued when the binding closed) */
    TP_C_SEND_WAITS,   /* sends that met backpressure or no link and were left to the caller to
                          retry (TP_SEND_NONBLOCK), or waited (TP_SEND_BLOCK) */
    TP_C_RECEIVED,     /* frames accepted and delivered */
    TP_C_LOST_GAP,     /* sequence numbers skipped by senders' streams (never arrived) */
    TP_C_LINKS_UP,     /* peers connected (listener) or link established (dialer) */
    TP_C_LINKS_DOWN,   /* peers gone, or link lost */
    TP_C_RECONNECTS,   /* dialer: link re-established after a loss */
    TP_C_DISCARDED,    /* frames received and checked but not delivered: the binding closed */
    TP_C_SENT_BYTES,   /* bytes of the frames counted in TP_C_SENT (header, payload, tag) */
    TP_C_RECV_BYTES,   /* bytes of the frames counted in TP_C_RECEIVED */
    TP_C_REJECTED,     /* first of TP_REJ_COUNT rejection counters */
    TP_C_COUNT = TP_C_REJECTED + TP_REJ_COUNT
} tp_counter_id;

typedef struct {
    _Atomic int64_t v[TP_C_COUNT];
} tp_counters;

/* A plain copy of a tp_counters at one moment, for tests and dumps. */
typedef struct {
    int64_t v[TP_C_COUNT];
} tp_counter_snapshot;

/* "bad_seal", "replayed", ... */
const char *tp_reject_name(tp_reject r);

/* "sent", ..., "rejected_bad_seal", ... */
const char *tp_counter_name(tp_counter_id c);

static inline void tp_count(tp_counters *c, tp_counter_id which, int64_t n) {
    atomic_fetch_add_explicit(&c->v[which], n, memory_order_relaxed);
}

void tp_counters_read(const tp_counters *c, tp_counter_snapshot *out);

/* Appends " sent=1 send_dropped=0 ..." for every counter to buf. */
void tp_counter_snapshot_format(const tp_counter_snapshot *c, char *buf, size_t len);

#endif
