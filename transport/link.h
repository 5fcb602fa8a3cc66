/* Link events: peers connecting and going away, surfaced to the runtime's event loop.
 *
 * nng reports pipes being added and removed on its own threads. The runtime needs them on its
 * loop: a dial-side binding losing its link is a structural failure on `main`, and `or wait`
 * publishers park until the link is back. So events are queued here and announced on an eventfd
 * the loop watches (readable while events are pending); the loop pops them one by one. The
 * queue is bounded (TP_LINK_QUEUE); if the loop falls that far behind, the oldest events are
 * dropped (counted) but the current peer count is always exact.
 *
 * The set of live pipes is tracked because nng may report a removal for a pipe whose addition
 * it never reported (a pipe closed while being added): only pipes seen going up count down. */
#ifndef HALE_TRANSPORT_LINK_H
#define HALE_TRANSPORT_LINK_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define TP_LINK_QUEUE 256
#define TP_PEER_MAX 64

typedef enum { TP_LINK_UP, TP_LINK_DOWN } tp_link_kind;

typedef struct {
    tp_link_kind kind;
    int peers;              /* live peers after this event */
    char peer[TP_PEER_MAX]; /* "tcp 127.0.0.1:50000", "ipc pid 1234" */
} tp_link_event;

typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t changed;
    int efd;
    tp_link_event ring[TP_LINK_QUEUE];
    unsigned head, len;
    uint64_t dropped;
    /* live pipes */
    uint32_t *pipes;
    char (*names)[TP_PEER_MAX];
    _Atomic int npipes; /* changed under mu; tp_links_peers reads it without (every send) */
    int cap;
    uint64_t ups; /* pipes ever seen going up */
    bool closed;
} tp_links;

int tp_links_init(tp_links *l);
void tp_links_fini(tp_links *l);

/* A pipe went up. Returns the peer count after it. */
int tp_links_up(tp_links *l, uint32_t pipe, const char *peer);

/* A pipe went down. Returns 1 and fills `peer` (if non-NULL) when it had gone up, else 0. */
int tp_links_down(tp_links *l, uint32_t pipe, char peer[TP_PEER_MAX]);

/* Pops the oldest event. Returns 1, or 0 when none is pending. */
int tp_links_pop(tp_links *l, tp_link_event *ev);

/* Copies the name of live pipe `pipe` into `peer`; "unknown peer" when it is not live. */
void tp_links_name(tp_links *l, uint32_t pipe, char peer[TP_PEER_MAX]);

int tp_links_fd(const tp_links *l);
int tp_links_peers(tp_links *l);
uint64_t tp_links_dropped(tp_links *l);

/* Waits until at least one peer is up, up to timeout_ms (< 0: forever). Returns 1 when up, 0 on
 * timeout or when the binding is closing. */
int tp_links_wait_up(tp_links *l, int timeout_ms);

/* Wakes waiters for good (the binding is closing). */
void tp_links_close(tp_links *l);

#endif
