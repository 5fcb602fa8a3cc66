/* The inside of a binding, shared by binding.c (opening, topics, counters), binding_send.c (the
 * send queue) and binding_recv.c (the receive queue and pump). Not installed. */
#ifndef HALE_TRANSPORT_BINDING_IMPL_H
#define HALE_TRANSPORT_BINDING_IMPL_H

#include <pthread.h>
#include <stdatomic.h>

#include <nng/nng.h>

#include "binding.h"
#include "rejlog.h"
#include "url.h"

typedef enum { PROTO_PUSH, PROTO_PULL, PROTO_PUB, PROTO_SUB, PROTO_BUS } tp_proto;

/* Frames waiting for nng (push0 only; see binding_send.c). */
typedef struct {
    nng_msg *msg;
    int topic;
} tp_queued;

typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t idle; /* signalled when nothing is queued or in flight */
    tp_queued *ring;
    size_t cap, head, len, bytes;
    bool busy;            /* an nng send is in flight */
    int in_flight;        /* its topic */
    size_t in_flight_len; /* and its size */
    bool closing;
    nng_aio *aio;
    int room_fd; /* eventfd: readable while the queue has room */
    bool room_set;
    bool ready; /* initialised (push0 only) */
} tp_txq;

/* Frames that passed the first receive stage, waiting for the pump (see binding_recv.c). */
typedef struct {
    nng_msg *msg;
    tp_rx_checked c;
} tp_ready;

typedef struct {
    pthread_mutex_t mu;
    tp_ready *ring;
    size_t cap, head, len, bytes;
    bool started; /* receiving begins at the first pump */
    bool armed;   /* an nng receive is outstanding */
    bool closed;  /* the socket is closed: pump returns -1 once empty */
    nng_aio *aio;
    int ready_fd; /* eventfd: readable while frames are queued (or once closed) */
    bool ready;   /* initialised (receiving bindings only) */
} tp_rxq;

struct tp_binding {
    nng_socket sock;
    nng_listener listener;
    nng_dialer dialer;
    tp_proto proto;
    tp_role role;
    tp_dir dir;
    tp_url parsed;
    char url[256];
    char bound[300];
    char label[TP_SUBJECT_MAX];
    uint8_t key[TP_KEY_BYTES];
    tp_aead aead;
    bool sealed;
    tp_seal_cache *seal; /* cipher states of our pairs and our peers' (seal.h), when sealed */
    bool can_send, can_recv;
    uint64_t sender;
    size_t max_frame;
    int send_timeout_ms;
    int nng_send_fd;
    tp_topic topics[TP_MAX_TOPICS];
    _Atomic size_t ntopics;
    _Atomic bool encode_logged[TP_MAX_TOPICS];
    /* Held by a send from numbering its frame to handing it over (binding_send.c), so frames
     * leave in the order of their sequence numbers. Never held across a wait. */
    pthread_mutex_t send_mu[TP_MAX_TOPICS];
    tp_rx rx;
    tp_counters counters;
    tp_links links;
    pthread_mutex_t rejlog_mu;
    tp_rejlog rejlog;
    atomic_bool ever_up;
    tp_txq tx;
    tp_rxq rxq;
    tp_binding *next; /* registry of open bindings */
};

/* binding.c: calls fn for every open binding, holding the registry's lock (taken only to open
 * and close bindings, never by a send or a receive). */
void tp_binding_foreach(void (*fn)(tp_binding *b, void *arg), void *arg);

/* binding_send.c */
int tp_txq_init(tp_binding *b);
void tp_txq_drain(tp_binding *b, int linger_ms); /* before nng_close */
void tp_txq_fini(tp_binding *b);                 /* after nng_close */
size_t tp_txq_length(tp_binding *b);

/* binding_recv.c */
int tp_rxq_init(tp_binding *b);
void tp_rxq_start(tp_binding *b);
void tp_rxq_fini(tp_binding *b); /* after nng_close */
size_t tp_rxq_length(tp_binding *b);
void tp_log_reject(tp_binding *b, uint32_t pipe, const tp_rx_reject *rej);

#endif
