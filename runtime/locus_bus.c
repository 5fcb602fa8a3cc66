/* See locus_bus.h. This file: handlers run as their locus, the program's bus boot and shutdown,
 * the teardown step that lets the last cross-thread messages arrive, and `or raise`. */
#include "locus_bus.h"

#include <stdio.h>
#include <stdlib.h>

#include "fault.h"
#include "locus_impl.h"
#include "region.h"

/* How long a teardown waits for deliveries still on their way before it dissolves anyway. */
#define SETTLE_NS ((int64_t)5 * 1000 * 1000 * 1000)

static const hale_bus_topic_desc *prog_topics;
static size_t prog_ntopics;

void hale_program_bus(const hale_bus_topic_desc *topics, size_t n) {
    prog_topics = topics;
    prog_ntopics = n;
}

void hale_locus_bus_boot(void) {
    if (!prog_topics) {
        return;
    }
    char err[256];
    if (hale_bus_boot(prog_topics, prog_ntopics, err, sizeof err) != 0) {
        fprintf(stderr, "hale: %s\n", err);
        exit(1);
    }
}

void hale_locus_bus_shutdown(void) {
    if (prog_topics) {
        hale_bus_shutdown();
    }
}

/* ---- handlers ---- */

typedef struct {
    hale_handler_fn fn;
    hale_locus *l;
    const void *payload;
} deliver_arg;

static void call_handler(void *p) {
    deliver_arg *d = p;
    hale_scratch *s = hale_scratch_current();
    d->fn(hale_scratch_side(s, 1), hale_scratch_side(s, 0), d->l, d->payload);
}

void hale_locus_deliver(hale_locus *l, hale_handler_fn fn, const void *payload) {
    if (l->flags & (LF_QUARANTINED | LF_DISSOLVED)) {
        return; /* Hale's gate: a paused subscriber hears nothing */
    }
    deliver_arg d = {fn, l, payload};
    hale_locus_framed(l, FR_HOOK, call_handler, &d);
    if (!l->pending && (l->type->epochs & (HALE_EPOCH_TICK | HALE_EPOCH_DURATION))) {
        hale_locus_tick(l);
    }
    hale_locus_after_handler(l);
}

void hale_locus_deliver_quiet(hale_locus *l, hale_handler_fn fn, const void *payload) {
    if (l->flags & (LF_QUARANTINED | LF_DISSOLVED)) {
        return;
    }
    hale_scratch *s = hale_scratch_current();
    fn(hale_scratch_side(s, 1), hale_scratch_side(s, 0), l, payload);
    if (l->type->epochs & (HALE_EPOCH_TICK | HALE_EPOCH_DURATION)) {
        hale_locus_tick(l); /* framed inside: a broken closure is routed as usual */
        hale_locus_after_handler(l);
    }
}

/* ---- teardown ---- */

static int off_pool(hale_locus *l, struct hale_pool *home) {
    for (hale_locus *c = l->first; c; c = c->next) {
        if (c->pool != home || off_pool(c, home)) {
            return 1;
        }
    }
    return 0;
}

void hale_locus_bus_settle(hale_locus *l) {
    if (hale_bus_topic_count() == 0 || hale_bus_deferring() || (l && !off_pool(l, l->pool))) {
        return;
    }
    if (hale_bus_quiesce(SETTLE_NS) != 0) {
        fprintf(stderr, "hale: bus: deliveries still on their way at teardown; dissolving\n");
    }
}

/* ---- or raise ---- */

void hale_bus_raise(const char *where, int topic, int status) {
    const hale_bus_topic_desc *d = hale_bus_topic(topic);
    switch (status) {
    case HALE_BUS_FULL:
        hale_fault(where, "BusFull: topic %s (subject '%s') is at its bound of %lld", d->name,
                   d->subject, (long long)d->bound);
    case HALE_BUS_UNMATCHED:
        hale_fault(where,
                   "BusUnmatchedKey: no subscriber of topic %s (subject '%s') has this "
                   "message's key",
                   d->name, d->subject);
    default:
        hale_fault(where, "BusNoLink: topic %s (subject '%s') has no link to its peers", d->name,
                   d->subject);
    }
}
