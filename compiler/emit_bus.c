/* See emit.h. This file: the bus. The program's topic table (bus_plan.h) becomes the runtime's
 * boot table; each locus type with a bus block gets its subscriptions registered after birth
 * and removed at dissolve (runtime/locus_bus.h); each send becomes a publish whose status the
 * send's disposition answers, or, for a topic lowered to direct calls, a walk of the subscribers
 * that calls their handlers by name.
 *
 * A `where key == e` key is captured by value when the locus is made, before birth, as Hale
 * specifies, into a field of the state after the parameters (so restart_in_place's snapshot
 * keeps it). The subscription handles and direct-list nodes live in a block hung on
 * `hale_locus.bus_state`, allocated at attach and freed at detach: outside the parameters, so
 * restart_in_place leaves them alone, and outside the locus's region, so a subscriber that
 * stores nothing never needs one. */
#include <string.h>

#include "bus_plan.h"
#include "emit_impl.h"

static hc_bus_topic *item_topic(hc_emit *E, hc_bus_item *it) {
    return it->topic_decl ? hc_bus_topic_of(E->P, it->topic_decl, NULL)
                          : hc_bus_topic_of(E->P, NULL, it->subject_str);
}

static int is_word(hc_expr *e, const char *w) {
    return e && e->kind == E_NAME && e->path.n == 1 && strcmp(e->path.seg[0].name, w) == 0;
}

static void bind_table(hc_emit *E);

/* ---- the table ---- */

void em_bus_table(hc_emit *E) {
    hc_bus_plan *plan = E->P->bus;
    if (!plan || !plan->topics.n) {
        return;
    }
    hc_buf *b = &E->descs;
    hc_buf rows = {0};
    for (int i = 0; i < plan->topics.n; i++) {
        hc_bus_topic *t = plan->topics.v[i];
        if (t->payload && !strcmp(em_descriptor(E, t->payload), "NULL")) {
            em_unsupported(E, t->pos, "this payload type on the bus");
        }
        hc_buf_puts(&rows, "    {.name = ");
        em_c_string(&rows, t->name, (int64_t)strlen(t->name));
        hc_buf_puts(&rows, ", .subject = ");
        em_c_string(&rows, t->subject, (int64_t)strlen(t->subject));
        hc_buf_printf(&rows, ", .payload = %s", t->payload ? em_descriptor(E, t->payload) : "NULL");
        if (t->key_field) {
            hc_buf_printf(&rows, ", .key_type = %s, .key_offset = offsetof(%s, %s)",
                          em_descriptor(E, t->key_ty), em_ctype(E, t->payload),
                          em_field(E, t->key_field));
        }
        if (t->direct) {
            hc_buf_printf(&rows, ", .direct_counts = hdc_%d", t->id);
        }
        hc_buf_printf(&rows, ", .on_unmatched = %s, .bound = %lld},\n",
                      !strcmp(t->on_unmatched, "fail")       ? "HALE_BUS_FAIL"
                      : !strcmp(t->on_unmatched, "fallback") ? "HALE_BUS_FALLBACK"
                                                             : "HALE_BUS_SWALLOW",
                      (long long)t->bound);
        if (t->direct) {
            hc_buf_printf(&E->protos,
                          "static hale_direct_list hdl_%d;\nstatic int64_t hdc_%d[2];\n", t->id,
                          t->id);
        }
    }
    hc_buf_printf(b, "static const hale_bus_topic_desc hbt[%d] = {\n%s};\n", plan->topics.n,
                  hc_buf_cstr(&rows));
    hc_buf_free(&rows);
    bind_table(E);
}

/* ---- bindings ---- */

int em_is_transport_type(hc_type *t) {
    return t && t->kind == TY_LOCUS && t->decl && t->decl->seed && t->decl->seed->id == 0 &&
           strcmp(t->decl->name.name, "BusTransport") == 0;
}

int em_is_transport(hc_expr *e) {
    return e && em_is_transport_type(e->ty);
}

static hc_binding *binding_of(hc_program *P, hc_bus_topic *t) {
    hc_decl *m = P->main_locus;
    for (int i = 0; m && i < m->members.n; i++) {
        hc_decl *b = m->members.v[i];
        for (int k = 0; b->kind == M_BINDINGS && k < b->bindings.n; k++) {
            hc_binding *x = &b->bindings.v[k];
            if (t->decl ? !x->subject_str && strcmp(x->topic.name, t->decl->name.name) == 0
                        : x->subject_str && strcmp(x->subject_str, t->subject) == 0) {
                return x;
            }
        }
    }
    return NULL;
}

static const char *binding_role(hc_binding *b) {
    for (int k = 0; k < b->kwargs.n; k++) {
        hc_kwarg *kw = &b->kwargs.v[k];
        if (kw->key && !strcmp(kw->key, "role")) {
            return is_word(kw->value, "listen") ? "HALE_BIND_LISTEN" : "HALE_BIND_DIAL";
        }
    }
    return "HALE_BIND_INFER";
}

/* The URL a source binding names (unix("/p") is nng's ipc:///p), or NULL when it is not one the
 * transport carries (reported). */
static const char *binding_url(hc_emit *E, hc_binding *b) {
    const char *tr = b->transport.name;
    if (!strcmp(tr, "unix")) {
        return hc_sprintf(E->a, "ipc://%s", b->address);
    }
    if (!strcmp(tr, "nng")) {
        return b->address;
    }
    em_unsupported(E, b->transport.pos,
                   !strcmp(tr, "shm_ring") ? "`shm_ring` bindings" : "adapter-locus bindings");
    return NULL;
}

/* One row per topic: its URL when `bindings` names it, and whether the program publishes or
 * subscribes it (for the role and for deploy-time routes). */
static void bind_table(hc_emit *E) {
    hc_bus_plan *plan = E->P->bus;
    hc_buf rows = {0};
    for (int i = 0; i < plan->topics.n; i++) {
        hc_bus_topic *t = plan->topics.v[i];
        hc_binding *b = binding_of(E->P, t);
        const char *url = b ? binding_url(E, b) : NULL;
        hc_buf_printf(&rows, "    {.topic = %d, .url = ", t->id);
        if (url) {
            em_c_string(&rows, url, (int64_t)strlen(url));
        } else {
            hc_buf_puts(&rows, "NULL");
        }
        hc_buf_printf(&rows, ", .role = %s, .publishes = %s, .subscribes = %s},\n",
                      b ? binding_role(b) : "HALE_BIND_INFER", t->pubs.n ? "true" : "false",
                      t->subs.n ? "true" : "false");
    }
    hc_buf_printf(&E->descs,
                  "void tp_bind_program(const hale_bind_desc *d, size_t n);\n"
                  "static const hale_bind_desc hbb[%d] = {\n%s};\n",
                  plan->topics.n, hc_buf_cstr(&rows));
    hc_buf_puts(&E->protos, "void tp_bind_restart(void *link);\n");
    hc_buf_free(&rows);
}

void em_bus_main(hc_emit *E, hc_buf *out) {
    if (E->P->bus && E->P->bus->topics.n) {
        hc_buf_printf(out, "    hale_program_bus(hbt, %d);\n", E->P->bus->topics.n);
        hc_buf_printf(out, "    tp_bind_program(hbb, %d);\n", E->P->bus->topics.n);
        const char *f = em_bind_failure(E);
        if (f) {
            hc_buf_puts(out, f);
        }
    }
}

/* ---- per locus type ---- */

int em_bus_publishes_or_subscribes(hc_decl *d) {
    for (int i = 0; i < d->members.n; i++) {
        if (d->members.v[i]->kind == M_BUS && d->members.v[i]->bus.n) {
            return 1;
        }
    }
    return 0;
}

/* The k-th subscribe entry of `d` (its subscriptions in declaration order), or NULL. */
static hc_bus_item *nth_sub(hc_decl *d, int k) {
    for (int i = 0; i < d->members.n; i++) {
        hc_decl *m = d->members.v[i];
        for (int j = 0; m->kind == M_BUS && j < m->bus.n; j++) {
            if (m->bus.v[j].subscribe && k-- == 0) {
                return &m->bus.v[j];
            }
        }
    }
    return NULL;
}

/* A wildcard subscription's own topic (`"log.**"`): its subject is a pattern. */
static int is_pattern(hc_bus_topic *t) {
    return !t->decl && strchr(t->subject, '*');
}

/* The topics subscription `k` of `d` joins: its own, or for a wildcard the topics its pattern
 * matched (check_bus.c put the subscription among their subscribers). Returns how many. */
static int joined_topics(hc_emit *E, hc_decl *d, int k, hc_bus_topic **out, int max) {
    hc_bus_topic *own = item_topic(E, nth_sub(d, k));
    if (!own || !is_pattern(own)) {
        out[0] = own;
        return own ? 1 : 0;
    }
    int n = 0;
    hc_bus_plan *plan = E->P->bus;
    for (int i = 0; i < plan->topics.n && n < max; i++) {
        hc_bus_topic *t = plan->topics.v[i];
        for (int j = 0; t != own && j < t->subs.n; j++) {
            if (t->subs.v[j].locus == d && t->subs.v[j].index == k) {
                out[n++] = t;
                break;
            }
        }
    }
    return n;
}

static int keyed_value(hc_bus_item *it) {
    return it->key_filter && !is_word(it->key_filter, "_");
}

/* The bus state block's type (NULL when the type subscribes to nothing): the subscription
 * handles and direct-list nodes, allocated when the locus attaches and freed when it detaches
 * (so a subscriber needs no region of its own for them). */
static const char *state_type(hc_emit *E, hc_decl *d, int define) {
    if (!nth_sub(d, 0)) {
        return NULL;
    }
    const char *name = hc_sprintf(E->a, "HB_%d", d->ty->id);
    if (!define) {
        return name;
    }
    hc_buf s = {0};
    for (int k = 0; nth_sub(d, k); k++) {
        hc_bus_topic *t = item_topic(E, nth_sub(d, k));
        if (t && is_pattern(t)) {
            hc_bus_topic *joined[256];
            int nj = joined_topics(E, d, k, joined, 256);
            hc_buf_printf(&s, "    hale_bus_sub *s%d[%d];\n", k, nj ? nj : 1);
            continue;
        }
        hc_buf_printf(&s, "    hale_bus_sub *s%d;\n", k);
        if (t && t->direct) {
            hc_buf_printf(&s, "    hale_direct_node n%d;\n", k);
        }
    }
    hc_buf_printf(&E->types, "typedef struct {\n%s} %s;\n", hc_buf_cstr(&s), name);
    hc_buf_free(&s);
    return name;
}

static int captures_key(hc_bus_topic *t, hc_bus_item *it) {
    return t && t->key_ty && keyed_value(it);
}

/* Whether a subscription of `d` is keyed by its replica index (`where key == replica`). */
int em_bus_replica_keyed(hc_decl *d) {
    for (int k = 0; nth_sub(d, k); k++) {
        if (is_word(nth_sub(d, k)->key_filter, "replica")) {
            return 1;
        }
    }
    return 0;
}

void em_bus_fields(hc_emit *E, hc_decl *d) {
    if (em_bus_replica_keyed(d)) {
        /* set in the literal's prototype: which of `replicas = K` instances this is */
        hc_buf_puts(&E->types, "    int64_t hrep;\n");
    }
    for (int k = 0; nth_sub(d, k); k++) {
        hc_bus_topic *t = item_topic(E, nth_sub(d, k));
        if (captures_key(t, nth_sub(d, k))) {
            /* among the parameters: restart_in_place's snapshot keeps the captured value */
            hc_buf_printf(&E->types, "    %s hk%d;\n", em_ctype(E, t->key_ty), k);
        }
    }
}

int em_bus_init(hc_emit *E, hc_decl *d, hc_buf *b) {
    int any = 0;
    for (int k = 0; nth_sub(d, k); k++) {
        hc_bus_item *it = nth_sub(d, k);
        hc_bus_topic *t = item_topic(E, it);
        if (!captures_key(t, it)) {
            continue;
        }
        if (is_word(it->key_filter, "replica")) { /* the instance's replica index */
            hc_buf_printf(b, "    self->hk%d = self->hrep;\n", k);
            any = 1;
            continue;
        }
        /* evaluated once, now (before birth), with scratch of its own; a heap key is copied
         * into the locus, where later stores into its fields cannot free it */
        hc_buf_puts(b, "    {\n        hale_scratch *hks = hale_scratch_current();\n"
                       "        hale_region *ho = hale_scratch_side(hks, 1), *hm = "
                       "hale_scratch_side(hks, 0);\n"
                       "        hale_mark hkm = hale_region_mark(hm);\n        (void)ho;\n");
        hc_buf_printf(b, "        %s hkv = ", em_ctype(E, t->key_ty));
        em_value(E, b, it->key_filter, t->key_ty);
        hc_buf_puts(b, ";\n");
        if (t->key_ty->heap) {
            hc_buf_printf(b,
                          "        hale_value_copy_heap(%s, &self->hk%d, &hkv, "
                          "hale_locus_heap(&self->h));\n",
                          em_descriptor(E, t->key_ty), k);
        } else {
            hc_buf_printf(b, "        self->hk%d = hkv;\n", k);
        }
        hc_buf_puts(b, "        hale_region_reset(hm, hkm);\n    }\n");
        any = 1;
    }
    return any;
}

/* The two wrappers of subscription `k`: the handler body as the runtime calls it, and the bus's
 * handler, which runs it as its locus (without a frame when the handler is quiet). */
static const char *handler_wrappers(hc_emit *E, hc_decl *d, const char *sn, int k, hc_bus_item *it,
                                    hc_bus_topic *t, int quiet) {
    hc_decl *h = it->handler_decl;
    const char *body = hc_sprintf(E->a, "hbc_%d_%d", d->ty->id, k);
    const char *bus = hc_sprintf(E->a, "hbw_%d_%d", d->ty->id, k);
    const char *pt = em_ctype(E, t->payload);
    int heap_ret = h->ret_ty && h->ret_ty->heap;
    hc_buf_printf(&E->protos,
                  "static void %s(hale_region *ho, hale_region *hm, void *hself, const void *hp);\n"
                  "static void %s(void *hl, const void *hp);\n",
                  body, bus);
    hc_buf_printf(&E->helpers,
                  "static void %s(hale_region *ho, hale_region *hm, void *hself, const void *hp) "
                  "{\n",
                  body);
    if (heap_ret) {
        hc_buf_puts(&E->helpers, "    hale_mark hrm = hale_region_mark(ho);\n");
    }
    if (h->takes_origin || h->receives_escapes) {
        /* the payload the send handed over (its origin says where it lives), or a copy */
        hc_buf_puts(&E->helpers, "    hale_origin *hgo = hale_origin_of(hp);\n");
        if (h->receives_escapes) {
            hc_buf_printf(&E->helpers, "    if (!hgo) hale_escape_count_copy(%s, hp);\n",
                          em_descriptor(E, t->payload));
        }
    }
    hc_buf_printf(&E->helpers, "    (void)%s(ho, hm, (%s *)hself, *(const %s *)hp%s);\n",
                  em_fn_name(E, h), sn, pt, h->takes_origin ? ", hgo" : "");
    if (heap_ret) {
        hc_buf_puts(&E->helpers, "    hale_region_reset(ho, hrm);\n");
    }
    hc_buf_printf(&E->helpers,
                  "}\n\nstatic void %s(void *hl, const void *hp) {\n"
                  "    hale_locus_deliver%s((hale_locus *)hl, %s, hp);\n}\n\n",
                  bus, quiet ? "_quiet" : "", body);
    return bus;
}

/* The position of `locus`'s subscription `k` among the topic's subscribers (the direct walk's
 * case label), or -1. */
static int sub_position(hc_bus_topic *t, hc_decl *locus, int k) {
    for (int i = 0; i < t->subs.n; i++) {
        if (t->subs.v[i].locus == locus && t->subs.v[i].index == k) {
            return i;
        }
    }
    return -1;
}

void em_bus_hooks(hc_emit *E, hc_decl *d, const char *sn, const char **attach, const char **detach,
                  const char **flush) {
    *attach = *detach = *flush = "NULL";
    if (!nth_sub(d, 0) || E->errors) {
        return;
    }
    const char *st = state_type(E, d, 1);
    hc_buf a = {0}, x = {0}, f = {0};
    for (int k = 0; nth_sub(d, k); k++) {
        hc_bus_item *it = nth_sub(d, k);
        hc_bus_topic *t = item_topic(E, it);
        if (!t || !t->payload || !it->handler_decl) {
            continue;
        }
        int pos = sub_position(t, d, k);
        const char *w = handler_wrappers(E, d, sn, k, it, t, pos >= 0 && t->subs.v[pos].quiet);
        if (is_pattern(t)) { /* one subscription per topic the pattern matched */
            hc_bus_topic *joined[256];
            int nj = joined_topics(E, d, k, joined, 256);
            for (int j = 0; j < nj; j++) {
                hc_buf_printf(&a,
                              "    { hale_bus_sub_spec hsp = {.locus = hl, .handler = %s, .pool = "
                              "hl->pool, .match = HALE_BUS_MATCH_ALL, .bound = %lld, .drop = %s};\n"
                              "      hbs->s%d[%d] = hale_bus_subscribe(%d, &hsp); }\n",
                              w, (long long)it->bound,
                              it->shed && !strcmp(it->shed, "drop_old") ? "HALE_BUS_DROP_OLD"
                                                                        : "HALE_BUS_DROP_NEW",
                              k, j, joined[j]->id);
                hc_buf_printf(&x,
                              "    if (hbs->s%d[%d]) { hale_bus_unsubscribe(hbs->s%d[%d]); "
                              "hbs->s%d[%d] = NULL; }\n",
                              k, j, k, j, k, j);
                hc_buf_printf(&f, "    if (hbs->s%d[%d]) hale_bus_sub_flush(hbs->s%d[%d]);\n", k, j,
                              k, j);
            }
            continue;
        }
        const char *match = !it->key_filter                ? "HALE_BUS_MATCH_ALL"
                            : is_word(it->key_filter, "_") ? "HALE_BUS_MATCH_FALLBACK"
                                                           : "HALE_BUS_MATCH_KEY";
        hc_buf_printf(&a,
                      "    { hale_bus_sub_spec hsp = {.locus = hl, .handler = %s, .pool = "
                      "hl->pool, .match = %s, .key = %s, .bound = %lld, .drop = %s};\n"
                      "      hbs->s%d = hale_bus_subscribe(%d, &hsp); }\n",
                      w, match, captures_key(t, it) ? hc_sprintf(E->a, "&self->hk%d", k) : "NULL",
                      (long long)it->bound,
                      it->shed && !strcmp(it->shed, "drop_old") ? "HALE_BUS_DROP_OLD"
                                                                : "HALE_BUS_DROP_NEW",
                      k, t->id);
        if (t->direct) {
            hc_buf_printf(&a, "    hale_direct_add(&hdl_%d, &hbs->n%d, hl, %d);\n", t->id, k,
                          pos >= 0 ? pos : 0);
            hc_buf_printf(&x, "    hale_direct_remove(&hdl_%d, &hbs->n%d);\n", t->id, k);
        }
        hc_buf_printf(&x,
                      "    if (hbs->s%d) { hale_bus_unsubscribe(hbs->s%d); hbs->s%d = NULL; }\n", k,
                      k, k);
        hc_buf_printf(&f, "    if (hbs->s%d) hale_bus_sub_flush(hbs->s%d);\n", k, k);
    }
    *attach = hc_sprintf(E->a, "hba_%d", d->ty->id);
    *detach = hc_sprintf(E->a, "hbd_%d", d->ty->id);
    *flush = hc_sprintf(E->a, "hbf_%d", d->ty->id);
    hc_buf_printf(&E->protos,
                  "static void %s(hale_locus *hl);\nstatic void %s(hale_locus *hl);\nstatic void "
                  "%s(hale_locus *hl);\n",
                  *attach, *detach, *flush);
    hc_buf_printf(&E->helpers,
                  "static void %s(hale_locus *hl) {\n    %s *hbs = hl->bus_state;\n    if (!hbs) "
                  "return;\n%s}\n\n",
                  *flush, st, hc_buf_cstr(&f));
    hc_buf_free(&f);
    hc_buf_printf(
        &E->helpers,
        "static void %s(hale_locus *hl) {\n    %s *self = (%s *)hl;\n    (void)self;\n"
        "    %s *hbs = hale_sys_calloc(1, sizeof(%s));\n    if (!hbs) hale_oom(sizeof(%s), "
        "\"bus state\");\n    hl->bus_state = hbs;\n%s}\n\n"
        "static void %s(hale_locus *hl) {\n    %s *hbs = hl->bus_state;\n    if (!hbs) "
        "return;\n%s    hale_sys_free(hbs);\n    hl->bus_state = NULL;\n}\n\n",
        *attach, sn, sn, st, st, st, hc_buf_cstr(&a), *detach, st, hc_buf_cstr(&x));
    hc_buf_free(&a);
    hc_buf_free(&x);
}

/* ---- sends ---- */

static hc_bus_topic *send_topic(hc_emit *E, hc_stmt *s) {
    return s->target->kind == E_STRING
               ? hc_bus_topic_of(E->P, NULL, s->target->str)
               : hc_bus_topic_of(E->P, s->target->ty ? s->target->ty->decl : NULL, NULL);
}

typedef struct {
    hc_emit *E;
    int found;
} publishes_walk;

static int publishes_stmt(hc_walker *w, hc_stmt *s) {
    publishes_walk *pw = w->ctx;
    if (s->kind != S_SEND) {
        return HC_WALK_ON;
    }
    hc_bus_topic *t = send_topic(pw->E, s);
    if (t && !t->direct) {
        pw->found = 1;
        return HC_WALK_STOP;
    }
    return HC_WALK_ON;
}

int em_fn_publishes(hc_emit *E, hc_decl *fn) {
    publishes_walk pw = {E, 0};
    hc_walker w = {NULL, publishes_stmt, &pw};
    if (fn->body) {
        hc_walk_block(&w, fn->body);
    }
    return pw.found;
}

static void direct_walk(hc_emit *E, hc_buf *b, hc_bus_topic *t, const char *v, const char *origin,
                        const char *flags) {
    hc_buf_printf(b,
                  " if (hdl_%d.head && (!hale_bus_tl_frames || !hale_bus_deferring()) && "
                  "!hale_bus_routed(%d)) { "
                  "int64_t hbn = 0; for "
                  "(hale_direct_node *hbd = hdl_%d.head; hbd; hbd = hbd->next) { if "
                  "(!hale_direct_ok(hbd->locus)) continue; ",
                  t->id, t->id, t->id);
    int one = 1; /* every subscriber calls the same handler: no switch */
    for (int i = 1; i < t->subs.n; i++) {
        one &= t->subs.v[i].item->handler_decl == t->subs.v[0].item->handler_decl;
    }
    if (!one) {
        hc_buf_puts(b, "switch (hbd->kind) { ");
    }
    for (int i = 0; i < t->subs.n; i++) {
        hc_bus_use *u = &t->subs.v[i];
        if (!one) {
            hc_buf_printf(b, "case %d: ", i);
        }
        hc_buf_printf(b, "(void)%s(hm, ho, (%s *)hbd->locus, %s%s%s); ",
                      em_fn_name(E, u->item->handler_decl), em_locus_struct(E, u->locus->ty), v,
                      u->item->handler_decl->takes_origin ? ", " : "",
                      u->item->handler_decl->takes_origin ? origin : "");
        if (!one) {
            hc_buf_puts(b, "break; ");
        }
        if (one) {
            break;
        }
    }
    if (!one) {
        hc_buf_puts(b, "} ");
    }
    /* the topic's counters, kept here (one thread: relaxed stores suffice) */
    hc_buf_printf(
        b,
        "hbn++; } __atomic_store_n(&hdc_%d[0], __atomic_load_n(&hdc_%d[0], "
        "__ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED); __atomic_store_n(&hdc_%d[1], "
        "__atomic_load_n(&hdc_%d[1], __ATOMIC_RELAXED) + hbn, __ATOMIC_RELAXED); } else { "
        "(void)hale_bus_publish(%d, &%s, %s); }",
        t->id, t->id, t->id, t->id, t->id, v, flags);
}

/* Hale's closed-world rewrite (bus_plan.h): the send calls the one subscriber's handler, as
 * its locus, on self or on the child the publisher's parameter holds. */
static void routed_call(hc_emit *E, hc_buf *b, hc_bus_topic *t, const char *v) {
    hc_bus_use *u = &t->subs.v[0];
    const char *target = t->route == HC_ROUTE_SELF
                             ? "&self->h"
                             : hc_sprintf(E->a, "&self->%s->h", em_field(E, t->field));
    /* a deploy-time route on the topic takes the bus's path */
    hc_buf_printf(b, " if (hale_bus_routed(%d)) { (void)hale_bus_publish(%d, &%s, 0); }", t->id,
                  t->id, v);
    hc_buf_puts(b, " else");
    if (t->route == HC_ROUTE_FIELD) {
        hc_buf_printf(b, " if (self->%s)", em_field(E, t->field));
    }
    hc_buf_printf(b,
                  " { hbw_%d_%d(%s, &%s); __atomic_store_n(&hdc_%d[0], __atomic_load_n(&hdc_%d[0], "
                  "__ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED); __atomic_store_n(&hdc_%d[1], "
                  "__atomic_load_n(&hdc_%d[1], __ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED); }",
                  u->locus->ty->id, u->index, target, v, t->id, t->id, t->id, t->id);
}

void em_send(hc_emit *E, hc_buf *b, hc_stmt *s) {
    hc_bus_topic *t = send_topic(E, s);
    if (!t || !t->payload) {
        em_unsupported(E, s->pos, "this send");
        return;
    }
    const char *v = em_tmp(E, "hbv");
    hc_buf_printf(b, "{ %s %s = ", em_ctype(E, t->payload), v);
    em_value(E, b, s->expr, t->payload);
    hc_buf_puts(b, ";");
    /* an escaping value lowered by reference (escape.h): its origin is current meanwhile */
    em_send_open(E, b, s, v);
    const char *wait = s->has_or && s->or_kind == OR_WAIT ? "HALE_BUS_WAIT" : "0";
    if (t->route != HC_ROUTE_NONE) {
        routed_call(E, b, t, v);
        em_send_close(E, b, s, v, t->payload);
        hc_buf_puts(b, " }");
        return;
    }
    /* a direct topic's send takes the bus only when it cannot call the handlers (a handler is
     * running, a deploy-time route, nobody subscribed); the function need not settle then, so
     * that publish copies */
    const char *borrow = t->direct ? "0" : em_send_flags(E, s);
    const char *flags = !strcmp(borrow, "0") ? wait
                        : !strcmp(wait, "0") ? borrow
                                             : hc_sprintf(E->a, "%s | %s", borrow, wait);
    if (t->direct) {
        direct_walk(E, b, t, v, em_send_origin(E, s), flags);
    } else if (s->has_or && s->or_kind == OR_RAISE) {
        hc_buf_printf(b, " int hbst = hale_bus_publish(%d, &%s, %s);", t->id, v, flags);
        em_send_close(E, b, s, v, t->payload); /* before the raise leaves the function */
        hc_buf_puts(b, " if (hbst != HALE_BUS_OK) hale_bus_raise(");
        em_loc(E, b, s->or_pos);
        hc_buf_printf(b, ", %d, hbst); }", t->id);
        return;
    } else {
        hc_buf_printf(b, " (void)hale_bus_publish(%d, &%s, %s);", t->id, v, flags);
    }
    em_send_close(E, b, s, v, t->payload);
    hc_buf_puts(b, " }");
}
