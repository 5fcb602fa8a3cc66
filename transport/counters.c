/* Counter names and formatting (see counters.h). */
#include "counters.h"

#include <stdio.h>

static const char *const reject_names[TP_REJ_COUNT] = {
    [TP_REJ_BAD_SEAL] = "bad_seal",
    [TP_REJ_REPLAYED] = "replayed",
    [TP_REJ_UNKNOWN_TOPIC] = "unknown_topic",
    [TP_REJ_OVERSIZED] = "oversized",
    [TP_REJ_MALFORMED_HEADER] = "malformed_header",
    [TP_REJ_MALFORMED_PAYLOAD] = "malformed_payload",
};

static const char *const counter_names[TP_C_COUNT] = {
    [TP_C_SENT] = "sent",
    [TP_C_SEND_DROPPED] = "send_dropped",
    [TP_C_SEND_WAITS] = "send_waits",
    [TP_C_RECEIVED] = "received",
    [TP_C_LOST_GAP] = "lost_gap",
    [TP_C_LINKS_UP] = "links_up",
    [TP_C_LINKS_DOWN] = "links_down",
    [TP_C_RECONNECTS] = "reconnects",
    [TP_C_DISCARDED] = "discarded",
    [TP_C_SENT_BYTES] = "bytes_sent",
    [TP_C_RECV_BYTES] = "bytes_received",
    [TP_C_REJECTED + TP_REJ_BAD_SEAL] = "rejected_bad_seal",
    [TP_C_REJECTED + TP_REJ_REPLAYED] = "rejected_replayed",
    [TP_C_REJECTED + TP_REJ_UNKNOWN_TOPIC] = "rejected_unknown_topic",
    [TP_C_REJECTED + TP_REJ_OVERSIZED] = "rejected_oversized",
    [TP_C_REJECTED + TP_REJ_MALFORMED_HEADER] = "rejected_malformed_header",
    [TP_C_REJECTED + TP_REJ_MALFORMED_PAYLOAD] = "rejected_malformed_payload",
};

const char *tp_reject_name(tp_reject r) {
    return (unsigned)r < TP_REJ_COUNT ? reject_names[r] : "unknown";
}

const char *tp_counter_name(tp_counter_id c) {
    return (unsigned)c < TP_C_COUNT ? counter_names[c] : "unknown";
}

void tp_counters_read(const tp_counters *c, tp_counter_snapshot *out) {
    for (int i = 0; i < TP_C_COUNT; i++) {
        out->v[i] = atomic_load_explicit(&c->v[i], memory_order_relaxed);
    }
}

void tp_counter_snapshot_format(const tp_counter_snapshot *c, char *buf, size_t len) {
    size_t used = 0;
    while (used < len && buf[used]) {
        used++;
    }
    for (int i = 0; i < TP_C_COUNT && used + 1 < len; i++) {
        int w = snprintf(buf + used, len - used, " %s=%lld", counter_names[i], (long long)c->v[i]);
        if (w < 0) {
            break;
        }
        used += (size_t)w;
    }
}
