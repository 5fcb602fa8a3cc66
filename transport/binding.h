/* Bindings: a topic carried across processes over one nng socket.
 *
 * A binding is one URL, one role (listen or dial) and one direction (this process publishes,
 * subscribes, or both), carrying one or more topics whose frames share the socket. The runtime
 * opens one per route at boot; `tp_binding_open` failing is a birth failure naming the subject.
 *
 * Protocols. The nng protocol follows from who listens, so that every arrangement the language
 * allows keeps its promise:
 *
 *   publisher dials, subscriber listens (the default: fan-in, N publishers -> 1 subscriber)
 *       push0 -> pull0. Every frame reaches the one subscriber, in order per publisher. A slow
 *       subscriber applies backpressure: its queue fills, the socket buffers fill, and the
 *       publisher's send reports TP_EAGAIN (nonblocking) or waits (blocking). Nothing is lost on
 *       a live link.
 *   publisher listens, subscribers dial (fan-out, 1 publisher -> N subscribers)
 *       pub0 -> sub0. Every subscriber gets every frame while it keeps up; one that falls behind
 *       by more than its queue loses frames rather than stalling the others. That loss is never
 *       silent: frames are numbered per (sender, topic), the subscriber counts every gap in
 *       `lost_gap`, and the count is in the counters dump.
 *   publishes and subscribes the same binding (role given explicitly)
 *       bus0 on both sides: each side's frames reach the others; lossy like fan-out, and gaps
 *       are counted the same way. Both ends of such a binding must be "both".
 *
 * Security. With a deployment key every frame is sealed (frame.h). Without one, frames travel
 * unsealed, which is allowed only where the operating system already confines the link: an ipc
 * socket (created owner-only: mode 0600, under umask 077) or TCP on a loopback address. A TCP
 * binding to any other address without a key is refused unless `insecure` is set, and then warns
 * on every open. A sealed binding drops unsealed frames and the reverse (counted as bad_seal).
 *
 * Limits. nng itself refuses frames over 2 x max_frame (NNG_OPT_RECVMAXSZ) by closing that
 * connection before buffering the body: a 100 MiB frame never costs 100 MiB. nng does not say
 * why it closed a connection, so those show as the peer's link going down (links_down), not as
 * a rejected frame; frames between max_frame and 2 x max_frame are received and counted as
 * oversized, which names a misconfigured peer precisely.
 *
 * Queues. A fan-in publisher keeps a bounded queue of sealed frames in front of nng
 * (binding_send.c), drained by nng's own threads; a receiver runs size, header, seal, topic, replay
 * and fingerprint checks on nng's thread as frames arrive and queues the survivors
 * (binding_recv.c); its loop decodes and delivers them. Both queues hold at most TP_QUEUE_FRAMES
 * frames / TP_QUEUE_BYTES bytes, so a process's memory stays bounded whatever its peers do.
 *
 * Driving a binding from a libev loop (the runtime's loops are libev):
 *   - receive: an ev_io (EV_READ) on tp_binding_recv_fd(), an eventfd readable while checked
 *     frames are queued. Its callback calls tp_binding_pump(b, region, budget), which decodes
 *     into `region` and calls each topic's deliver function on this thread. Never read the fd.
 *     Asking for the fd starts receiving, so add topics first.
 *   - links: an ev_io (EV_READ) on tp_binding_event_fd(); its callback pops events with
 *     tp_binding_next_event(). A TP_LINK_DOWN leaving a dial binding with no peer is the
 *     structural failure on `main`; TP_LINK_UP releases parked `or wait` publishers.
 *   - send: tp_send(..., flags) from any thread. TP_EAGAIN (queue full) and TP_ENOPEER (no
 *     link) are where `or wait` parks: wait for EV_READ on tp_binding_send_fd() (readable while
 *     the queue has room) or for a TP_LINK_UP, then send again. A plain send uses TP_SEND_DROP
 *     (the refusal is a counted drop). TP_SEND_BLOCK blocks the calling thread instead, up to
 *     the send timeout (a pinned locus with no loop).
 *   - drain: tp_binding_flush() until queued frames have left, then tp_binding_close().
 * pump and next_event are for one thread at a time (the binding's loop); tp_send, counters and
 * dumps may be called from any thread. Add every topic before traffic starts. */
#ifndef HALE_TRANSPORT_BINDING_H
#define HALE_TRANSPORT_BINDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "codec.h"
#include "counters.h"
#include "keyfile.h"
#include "link.h"
#include "region.h"
#include "rx.h"

typedef enum { TP_ROLE_LISTEN, TP_ROLE_DIAL } tp_role;
typedef enum { TP_DIR_PUBLISH, TP_DIR_SUBSCRIBE, TP_DIR_BOTH } tp_dir;

#define TP_DEFAULT_MAX_FRAME ((size_t)1 << 20)
#define TP_DEFAULT_CONNECT_MS 5000
#define TP_MAX_TOPICS 64
#define TP_QUEUE_FRAMES 1024 /* send and receive queue bounds, per binding */
#define TP_QUEUE_BYTES ((size_t)8 << 20)

typedef struct {
    const char *url; /* ipc:///path or tcp://host:port */
    tp_role role;
    tp_dir dir;
    const uint8_t *key; /* TP_KEY_BYTES of deployment key, or NULL for unsealed */
    tp_aead aead;       /* the AEAD that key's file chose (keyfile.h; default XChaCha20) */
    bool insecure;      /* allow unsealed TCP beyond loopback (warns on every open) */
    const char *label;  /* names the binding in messages, e.g. its first subject */
    size_t max_frame;   /* largest frame accepted or sent; 0: TP_DEFAULT_MAX_FRAME */
    tp_limits limits;   /* payload decode limits; all zero: tp_limits_default() */
    /* dial: how long open waits for the first link (the boot connect window); 0: the default
     * (TP_DEFAULT_CONNECT_MS), < 0: do not wait. */
    int connect_timeout_ms;
    int reconnect_min_ms, reconnect_max_ms; /* dial: nng's redial backoff; 0: 20 ms, 1 s */
    int send_timeout_ms; /* TP_SEND_BLOCK gives up after this; 0: wait indefinitely */
    size_t max_senders;  /* replay windows kept; 0: 4096 */
} tp_binding_opts;

typedef struct tp_binding tp_binding;

/* Opens the socket and listens or dials. Returns 0, or -1 with one line in `err` naming the URL
 * and label (the runtime prints it as the birth failure). */
int tp_binding_open(tp_binding **out, const tp_binding_opts *opts, char *err, size_t errlen);

/* Stops the binding and frees it. For a publishing binding, first waits up to linger_ms for
 * frames already accepted to leave (nng would otherwise drop what is still queued). Closing the
 * socket itself is waited for a few seconds at most: nng 1.5 can fail to ever finish closing a
 * socket when a link closes mid-transfer; then a warning is logged and the binding is freed in
 * the background if nng ever finishes. */
void tp_binding_close(tp_binding *b, int linger_ms);

/* Adds a topic carried by this binding: its wire subject, payload type, and (when this process
 * subscribes) the function frames are delivered to. Returns the topic handle (0, 1, ...) used by
 * tp_send and in deliveries, or -1 (too many topics, subject too long or already added). */
int tp_binding_add_topic(tp_binding *b, const char *subject, const hale_type *type,
                         tp_deliver_fn deliver, void *ctx);

/* ---- sending ---- */

enum {
    TP_OK = 0,
    TP_EAGAIN = -1,    /* backpressure: the peer's queues are full (nonblocking send) */
    TP_ENOPEER = -2,   /* no live link to send on */
    TP_ETIMEDOUT = -3, /* blocking send timed out */
    TP_ECLOSED = -4,   /* binding closed */
    TP_EENCODE = -5,   /* the value cannot be encoded (see the log line) */
    TP_ETOOBIG = -6,   /* the frame would be larger than max_frame */
    TP_EINVAL = -7,    /* no such topic, or this binding does not publish */
    TP_EIO = -8,       /* any other nng failure */
};

/* How a send meets backpressure (a full queue) or a missing link:
 *   TP_SEND_NONBLOCK  return TP_EAGAIN / TP_ENOPEER at once; counted in send_waits, the caller
 *                     parks and retries (`or wait`) or gives up (then it should count the drop
 *                     by sending with TP_SEND_DROP instead);
 *   TP_SEND_DROP      return at once, and the frame is a counted drop (send_dropped): the
 *                     default for a plain `T <- v;`;
 *   TP_SEND_BLOCK     wait on this thread until the frame is queued (up to send_timeout_ms). */
enum {
    TP_SEND_NONBLOCK = 0,
    TP_SEND_BLOCK = 1 << 0,
    TP_SEND_DROP = 1 << 1,
};

/* Encodes, seals and sends `value` (of the topic's type) on topic `topic`. TP_OK means the frame
 * was queued on a live link (fan-in) or handed to nng (fan-out, both); `sent` counts frames
 * actually handed to a connection. Errors other than TP_EAGAIN / TP_ENOPEER are always counted
 * in send_dropped. Thread-safe. */
int tp_send(tp_binding *b, int topic, const void *value, int flags);

/* The same, carrying the routing key hash (tp_routing_hash of the key's bytes). */
int tp_send_keyed(tp_binding *b, int topic, const void *value, uint64_t key_hash, int flags);

/* Counts one frame of `topic` in send_dropped without sending anything: for a caller that gave
 * up on a send after TP_EAGAIN or TP_ENOPEER (sending again with TP_SEND_DROP just to count it
 * could deliver it). */
void tp_count_send_dropped(tp_binding *b, int topic);

/* Waits until every frame accepted so far has been handed to the connection (fan-in; fan-out
 * and bus bindings do not queue). Returns 0, or -1 if frames were still queued at the timeout.
 * For the runtime's drain phase, before closing. */
int tp_binding_flush(tp_binding *b, int timeout_ms);

/* "backpressure", "no peer", ... for a TP_E* code. */
const char *tp_strerror(int code);

/* ---- receiving ---- */

/* Receives, validates and delivers up to `budget` frames without blocking, decoding payloads
 * into `r` (values stay there until the caller resets it). Rejected frames are counted and
 * logged once per peer per reason. Returns frames delivered, or -1 once the binding is
 * closed. */
int tp_binding_pump(tp_binding *b, hale_region *r, int budget);

/* ---- readiness and links ---- */

/* The fd to watch for received frames (-1 for a publish-only binding). Asking for it starts
 * receiving: add every topic first. */
int tp_binding_recv_fd(tp_binding *b);
/* Readable while a send would not meet backpressure (-1 for a subscribe-only binding). */
int tp_binding_send_fd(tp_binding *b);
int tp_binding_event_fd(tp_binding *b);

/* Pops the oldest link event. Returns 1, or 0 when none is pending. */
int tp_binding_next_event(tp_binding *b, tp_link_event *ev);

/* Live peers (a dialer has 0 or 1). */
int tp_binding_peers(tp_binding *b);

/* Blocks until a peer is up, up to timeout_ms (< 0 forever). Returns 1 when up, 0 if not. */
int tp_binding_wait_peer(tp_binding *b, int timeout_ms);

/* ---- identity and counters ---- */

const char *tp_binding_url(const tp_binding *b);
/* The address actually bound (differs from the URL for tcp port 0). */
const char *tp_binding_bound_url(const tp_binding *b);
uint64_t tp_binding_sender(const tp_binding *b);
bool tp_binding_sealed(const tp_binding *b);

void tp_binding_snapshot(tp_binding *b, tp_counter_snapshot *out);
void tp_topic_snapshot(tp_binding *b, int topic, tp_counter_snapshot *out);

/* Writes the binding's line and one line per topic (format in counters.h). */
void tp_binding_dump(tp_binding *b, FILE *out);

/* Every open binding's dump, in opening order. */
void tp_dump_all(FILE *out);

/* True when HALE_BUS_COUNTERS_DUMP is set to a non-empty value other than "0". */
bool tp_counters_dump_requested(void);

/* Adds every open binding's counters to the program's /metrics (runtime/metrics.h); the
 * families are listed in transport/metrics.c. Idempotent. */
void tp_metrics_register(void);

#endif
