/* The transport's section of a program's /metrics (runtime/metrics.h): every open binding's
 * counters, the ones tp_dump_all prints at exit, as Prometheus families. Registered by
 * tp_bind_program, so only programs that bind topics have it.
 *
 * Per binding (labels url, the address actually bound, and role, listen or dial):
 *   hale_transport_frames_sent_total, hale_transport_frames_received_total,
 *   hale_transport_bytes_sent_total, hale_transport_bytes_received_total,
 *   hale_transport_frames_send_dropped_total, hale_transport_send_waits_total,
 *   hale_transport_frames_lost_total (sequence gaps), hale_transport_frames_discarded_total,
 *   hale_transport_frames_rejected_total{reason} (one series per reason, zeros included),
 *   hale_transport_links_up_total, hale_transport_links_down_total,
 *   hale_transport_reconnects_total, hale_transport_peers (gauge);
 * per topic of a binding (labels url, topic): hale_transport_topic_frames_sent_total,
 *   hale_transport_topic_frames_received_total, hale_transport_topic_bytes_sent_total,
 *   hale_transport_topic_bytes_received_total.
 *
 * Every value is a relaxed atomic load; the only lock taken is the registry's, which sends and
 * receives never take. */
#include <stddef.h>

#include "binding_impl.h"
#include "metrics.h"

typedef struct {
    const char *name, *type, *help;
    int counter; /* a tp_counter_id, or -1 for the peers gauge */
} family;

static const family binding_families[] = {
    {"hale_transport_frames_sent_total", "counter", "Frames handed to a connection.", TP_C_SENT},
    {"hale_transport_frames_received_total", "counter",
     "Frames received, checked and delivered to the bus.", TP_C_RECEIVED},
    {"hale_transport_bytes_sent_total", "counter",
     "Bytes of the frames sent (header, payload and seal).", TP_C_SENT_BYTES},
    {"hale_transport_bytes_received_total", "counter", "Bytes of the frames received.",
     TP_C_RECV_BYTES},
    {"hale_transport_frames_send_dropped_total", "counter",
     "Frames that did not go out (no link, unencodable, too big, or left at close).",
     TP_C_SEND_DROPPED},
    {"hale_transport_send_waits_total", "counter", "Sends that met backpressure or no link.",
     TP_C_SEND_WAITS},
    {"hale_transport_frames_lost_total", "counter",
     "Frames senders numbered that never arrived (sequence gaps).", TP_C_LOST_GAP},
    {"hale_transport_frames_discarded_total", "counter",
     "Checked frames still queued when the binding closed.", TP_C_DISCARDED},
    {"hale_transport_links_up_total", "counter", "Peers connected, or links established.",
     TP_C_LINKS_UP},
    {"hale_transport_links_down_total", "counter", "Peers gone, or links lost.", TP_C_LINKS_DOWN},
    {"hale_transport_reconnects_total", "counter", "Links re-established after a loss (dial side).",
     TP_C_RECONNECTS},
    {"hale_transport_peers", "gauge", "Peers connected now.", -1},
};

static const family topic_families[] = {
    {"hale_transport_topic_frames_sent_total", "counter", "Frames of the topic sent.", TP_C_SENT},
    {"hale_transport_topic_frames_received_total", "counter", "Frames of the topic delivered.",
     TP_C_RECEIVED},
    {"hale_transport_topic_bytes_sent_total", "counter", "Bytes of the topic's frames sent.",
     TP_C_SENT_BYTES},
    {"hale_transport_topic_bytes_received_total", "counter",
     "Bytes of the topic's frames received.", TP_C_RECV_BYTES},
};

typedef struct {
    hale_mtext *t;
    const family *f;
} arg;

static const char *role_name(const tp_binding *b) {
    return b->role == TP_ROLE_LISTEN ? "listen" : "dial";
}

static void binding_line(tp_binding *b, void *p) {
    arg *a = p;
    int64_t v;
    if (a->f->counter < 0) {
        v = tp_binding_peers(b);
    } else {
        v = atomic_load_explicit(&b->counters.v[a->f->counter], memory_order_relaxed);
    }
    hale_metric_int(a->t, a->f->name, v, "url", b->bound, "role", role_name(b), NULL);
}

static void rejected_line(tp_binding *b, void *p) {
    arg *a = p;
    for (int r = 0; r < TP_REJ_COUNT; r++) {
        int64_t v = atomic_load_explicit(&b->counters.v[TP_C_REJECTED + r], memory_order_relaxed);
        hale_metric_int(a->t, "hale_transport_frames_rejected_total", v, "url", b->bound, "role",
                        role_name(b), "reason", tp_reject_name((tp_reject)r), NULL);
    }
}

static void topic_lines(tp_binding *b, void *p) {
    arg *a = p;
    size_t n = atomic_load(&b->ntopics);
    for (size_t i = 0; i < n; i++) {
        int64_t v =
            atomic_load_explicit(&b->topics[i].counters.v[a->f->counter], memory_order_relaxed);
        hale_metric_int(a->t, a->f->name, v, "url", b->bound, "topic", b->topics[i].subject, NULL);
    }
}

static void section(hale_mtext *t, void *ctx) {
    (void)ctx;
    for (size_t i = 0; i < sizeof binding_families / sizeof binding_families[0]; i++) {
        arg a = {t, &binding_families[i]};
        hale_metric_family(t, a.f->name, a.f->type, a.f->help);
        tp_binding_foreach(binding_line, &a);
    }
    hale_metric_family(t, "hale_transport_frames_rejected_total", "counter",
                       "Frames dropped on arrival, by reason (bad_seal, replayed, unknown_topic, "
                       "oversized, malformed_header, malformed_payload).");
    arg r = {t, NULL};
    tp_binding_foreach(rejected_line, &r);
    for (size_t i = 0; i < sizeof topic_families / sizeof topic_families[0]; i++) {
        arg a = {t, &topic_families[i]};
        hale_metric_family(t, a.f->name, a.f->type, a.f->help);
        tp_binding_foreach(topic_lines, &a);
    }
}

void tp_metrics_register(void) {
    hale_metrics_add_section(section, NULL);
}
