/* The program's topics as the bus will see them, and how each one is lowered.
 *
 * Why a plan. Declared topics and string subjects both become entries of one table the runtime
 * boots (runtime/bus.h: dense ids, wire subjects with `: Parent` chains joined), and every send
 * site and subscription refers to an entry by id. Building that table is also where the rules
 * that span the whole program are checked (one wire subject per topic, one payload type per
 * string subject, a `where key == _` subscriber for every `on_unmatched: fallback` topic), and
 * where each topic's lowering is decided: a direct call when every handler is quiet and on the
 * publishing thread, the bus otherwise. The checker builds it once (check_bus.c, bus_plan.c);
 * the emitter (emit_bus.c) and `hale check --json` read it.
 *
 * Threads. Whether two loci run on the same thread is placement's answer: hc_bus_same_thread
 * asks check_place.c (hc_place_pool), which knows the one pool each locus type runs on, or
 * that it runs on several. */
#ifndef HALE_COMPILER_BUS_PLAN_H
#define HALE_COMPILER_BUS_PLAN_H

#include "check.h"

/* A locus type's entry for a topic in its bus block. */
typedef struct {
    hc_decl *locus;
    hc_bus_item *item;
    int index; /* the item's position among the locus's subscribe entries (subscriptions) */
    int quiet; /* subscriptions: the handler cannot fault, wait, publish or end a locus */
} hc_bus_use;

typedef struct hc_bus_topic {
    int id;              /* index in the runtime table */
    const char *name;    /* the topic's name, or the subject of a string subject */
    const char *subject; /* the wire subject */
    hc_decl *decl;       /* the `topic` declaration; NULL for a string subject */
    hc_pos pos;          /* where it is declared (or first named) */
    hc_type *payload;
    const char *key_field; /* keyed_by, or NULL */
    int key_index;         /* the key's field index in the payload record */
    hc_type *key_ty;
    const char *on_unmatched; /* "swallow" | "fail" | "fallback" */
    int64_t bound;            /* bounded(N); 0 */
    int bound_to_transport;   /* a `bindings` entry names it */
    int wild;                 /* a string subject with `*` / `**`: its subscribers also joined
                               * every topic whose subject it matches; or, on those topics, that
                               * a wildcard subscription joined them (check_bus.c) */
    HC_VEC(hc_bus_use) subs;
    HC_VEC(hc_bus_use) pubs;
    /* the lowering */
    int direct;         /* sends call the handlers by name */
    int route;          /* HC_ROUTE_*: Hale's closed-world rewrite of every send, or none */
    const char *field;  /* HC_ROUTE_FIELD: the publisher's parameter that holds the subscriber */
    const char *reason; /* why (always set) */
} hc_bus_topic;

/* Hale's closed-world topology rewrites (its semantics, "Closed-world topology optimization"):
 * when the one publishing locus type is the one subscribing type, a send calls the handler on
 * `self`; when it has exactly one parameter child of the one subscribing type (on its thread),
 * on that child. The handler runs as its locus (frame, closures), synchronously, also during
 * birth, before the bus subscription exists. */
enum { HC_ROUTE_NONE, HC_ROUTE_SELF, HC_ROUTE_FIELD };

struct hc_bus_plan {
    HC_VEC(hc_bus_topic *) topics;
};

/* check_bus.c: builds P->bus and checks the program-wide bus rules (after every body). */
void ck_bus_program(hc_program *P);
/* The topic a send or bus entry names (a declaration or a string subject), or NULL. */
hc_bus_topic *hc_bus_topic_of(hc_program *P, hc_decl *topic, const char *subject);
/* Whether a `bindings` block anywhere names the topic. */
int hc_topic_bound_to_transport(hc_program *P, hc_decl *topic);
/* ... the same for a topic (or, topic NULL, a string subject). */
int hc_bound_to_transport(hc_program *P, hc_decl *topic, const char *subject);

/* bus_plan.c: the lowering of every topic of P->bus. */
void hc_bus_lowering(hc_program *P);
/* Whether the code of locus types `a` and `b` runs on one thread (placement's question). */
int hc_bus_same_thread(hc_program *P, hc_decl *a, hc_decl *b);
/* One JSON object per topic (subject, lowering, reason), one per line. */
void hc_bus_report_json(hc_program *P, hc_buf *out);

/* Whether a function (an accept or release hook) needs no frame of its own: it is quiet as a
 * handler is (it cannot fault, wait, publish, print, instantiate or end a locus), and so is every
 * method of another locus it calls (the bus's ordering question does not arise there). */
int hc_fn_frameless(hc_program *P, hc_decl *fn);

#endif
