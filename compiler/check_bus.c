/* See bus_plan.h. This file: the program's topic table and the bus rules that span the whole
 * program. It runs after every body is checked, when payload records, handler signatures and
 * bus blocks are all resolved: one entry per declared topic (declaration order, seed by seed),
 * then one per string subject (first mention first); every locus's bus entries attached to their
 * topic. The lowering of each topic is decided afterwards (bus_plan.c). */
#include <string.h>

#include "bus_plan.h"
#include "check_impl.h"

static hc_bus_topic *new_topic(hc_program *P, const char *name, const char *subject, hc_pos pos) {
    hc_bus_topic *t = HC_NEW(P->a, hc_bus_topic);
    t->id = P->bus->topics.n;
    t->name = name;
    t->subject = subject;
    t->pos = pos;
    t->on_unmatched = "swallow";
    HC_PUSH(P->a, P->bus->topics, t);
    return t;
}

hc_bus_topic *hc_bus_topic_of(hc_program *P, hc_decl *topic, const char *subject) {
    if (!P->bus) {
        return NULL;
    }
    for (int i = 0; i < P->bus->topics.n; i++) {
        hc_bus_topic *t = P->bus->topics.v[i];
        if (topic ? t->decl == topic : (!t->decl && strcmp(t->subject, subject) == 0)) {
            return t;
        }
    }
    return NULL;
}

int hc_topic_bound_to_transport(hc_program *P, hc_decl *topic) {
    return hc_bound_to_transport(P, topic, NULL);
}

int hc_bound_to_transport(hc_program *P, hc_decl *topic, const char *subject) {
    for (int si = 0; si < P->seeds.n; si++) {
        hc_seed *s = P->seeds.v[si];
        for (int i = 0; i < s->decls.n; i++) {
            hc_decl *l = s->decls.v[i];
            for (int k = 0; l->kind == D_LOCUS && k < l->members.n; k++) {
                hc_decl *m = l->members.v[k];
                for (int b = 0; m->kind == M_BINDINGS && b < m->bindings.n; b++) {
                    hc_binding *x = &m->bindings.v[b];
                    if (topic ? !x->subject_str && strcmp(x->topic.name, topic->name.name) == 0
                              : x->subject_str && subject && strcmp(x->subject_str, subject) == 0) {
                        return 1;
                    }
                }
            }
        }
    }
    return 0;
}

/* ---- declared topics ---- */

/* The wire subject: the own segment (the `subject:` or the name) after the parent's subject. */
static const char *wire_subject(hc_program *P, hc_decl *d, int depth) {
    const char *own = d->subject ? d->subject : d->name.name;
    if (!d->parent.name) {
        return own;
    }
    hc_decl *p = hc_seed_lookup(P, d->seed, d->parent.name);
    if (!p || p->kind != D_TOPIC || p == d) {
        return own; /* reported by ck_topic */
    }
    if (depth > 64) {
        return NULL;
    }
    const char *ps = wire_subject(P, p, depth + 1);
    return ps ? hc_sprintf(P->a, "%s.%s", ps, own) : NULL;
}

static int routable_key(hc_type *kt) {
    switch (kt->kind) {
    case TY_INT:
    case TY_BOOL:
    case TY_DURATION:
    case TY_STRING:
        return 1;
    case TY_ENUM:
        for (int i = 0; i < kt->decl->variants.n; i++) {
            if (kt->decl->variants.v[i].has_payload) {
                return 0;
            }
        }
        return 1;
    default:
        return 0;
    }
}

static void topic_key(hc_program *P, hc_bus_topic *t, hc_decl *d) {
    hc_type *pt = t->payload;
    if (!d->keyed_by.name || !pt || pt->kind == TY_ERROR) {
        return;
    }
    int idx;
    if (pt->kind != TY_RECORD || !ck_record_field(pt, d->keyed_by.name, &idx)) {
        return; /* reported by ck_topic */
    }
    hc_type *kt = pt->decl->fields.v[idx].type->resolved;
    if (!kt || kt->kind == TY_ERROR) {
        return;
    }
    if (!routable_key(kt)) {
        hc_help(hc_error(P->d, d->keyed_by.pos,
                         "a routing key is an Int, a Bool, a Duration, a String or an enum "
                         "without payloads, found `%s`",
                         hc_type_name(P->a, kt)),
                "route on a field of one of those types (render a compound key into a String)");
        return;
    }
    t->key_field = d->keyed_by.name;
    t->key_index = idx;
    t->key_ty = kt;
}

static int travels(hc_type *t) {
    return t->kind != TY_LOCUS && t->kind != TY_FN && t->kind != TY_TOPIC && t->kind != TY_CELL &&
           t->kind != TY_UNIT && t->kind != TY_NEVER;
}

static void declared_topic(hc_program *P, hc_decl *d) {
    const char *subject = wire_subject(P, d, 0);
    if (!subject) {
        hc_error(P->d, d->name.pos, "the parents of topic `%s` form a cycle", d->name.name);
        subject = d->name.name;
    }
    for (int i = 0; i < P->bus->topics.n; i++) {
        hc_bus_topic *o = P->bus->topics.v[i];
        if (strcmp(o->subject, subject) == 0) {
            hc_note(hc_help(hc_error(P->d, d->name.pos,
                                     "topics `%s` and `%s` share the wire subject \"%s\"", o->name,
                                     d->name.name, subject),
                            "give one of them its own `subject: \"...\";`"),
                    o->pos, "`%s` is declared here", o->name);
        }
    }
    hc_bus_topic *t = new_topic(P, d->name.name, subject, d->name.pos);
    t->decl = d;
    t->payload = d->payload ? d->payload->resolved : NULL;
    if (t->payload && !travels(t->payload)) {
        hc_error(P->d, d->payload->pos, "a topic carries values; `%s` cannot be a payload",
                 hc_type_name(P->a, t->payload));
        t->payload = NULL;
    }
    topic_key(P, t, d);
    if (d->on_unmatched) {
        t->on_unmatched = d->on_unmatched;
        if (!d->keyed_by.name && strcmp(d->on_unmatched, "swallow") != 0) {
            hc_help(hc_error(P->d, d->name.pos,
                             "`on_unmatched: %s` needs a keyed topic; `%s` has no `keyed_by`",
                             d->on_unmatched, d->name.name),
                    "declare the routing key: `keyed_by field;`");
        }
    }
    t->bound = d->bound;
    t->bound_to_transport = hc_topic_bound_to_transport(P, d);
}

/* ---- string subjects ---- */

static hc_bus_topic *string_subject(hc_program *P, hc_bus_item *it) {
    hc_bus_topic *t = hc_bus_topic_of(P, NULL, it->subject_str);
    if (t) {
        if (t->payload && it->payload && t->payload != it->payload &&
            t->payload->kind != TY_ERROR && it->payload->kind != TY_ERROR) {
            hc_note(hc_error(P->d, it->of_type ? it->of_type->pos : it->pos,
                             "subject \"%s\" carries `%s` here but `%s` elsewhere", t->subject,
                             hc_type_name(P->a, it->payload), hc_type_name(P->a, t->payload)),
                    t->pos, "first given its payload type here");
        } else if (!t->payload) {
            t->payload = it->payload;
            t->pos = it->pos;
        }
        return t;
    }
    for (int i = 0; i < P->bus->topics.n; i++) {
        hc_bus_topic *o = P->bus->topics.v[i];
        if (o->decl && strcmp(o->subject, it->subject_str) == 0) {
            hc_note(
                hc_help(hc_error(P->d, it->pos, "subject \"%s\" is the wire subject of topic `%s`",
                                 it->subject_str, o->name),
                        "name the topic instead: `%s %s%s%s;`",
                        it->subscribe ? "subscribe" : "publish", o->name,
                        it->subscribe ? " as " : "", it->subscribe ? it->handler.name : ""),
                o->pos, "`%s` is declared here", o->name);
            return o;
        }
    }
    t = new_topic(P, it->subject_str, it->subject_str, it->pos);
    t->payload = it->payload;
    if (t->payload && !travels(t->payload)) {
        hc_error(P->d, it->of_type ? it->of_type->pos : it->pos,
                 "a subject carries values; `%s` cannot be a payload",
                 hc_type_name(P->a, t->payload));
        t->payload = NULL;
    }
    return t;
}

/* ---- bus blocks ---- */

static void handler_rules(hc_program *P, hc_bus_item *it) {
    hc_decl *h = it->handler_decl;
    if (!h) {
        return;
    }
    if (h->err_ty) {
        hc_note(hc_error(P->d, it->handler.pos,
                         "handler `%s` cannot be fallible: nobody receives its error",
                         h->name.name),
                h->name.pos, "`%s` is declared here", h->name.name);
    }
    /* the payload type itself is checked with the bus block (check_locus.c) */
}

static void attach_uses(hc_program *P, hc_decl *locus) {
    int nsub = 0;
    for (int i = 0; i < locus->members.n; i++) {
        hc_decl *m = locus->members.v[i];
        for (int k = 0; m->kind == M_BUS && k < m->bus.n; k++) {
            hc_bus_item *it = &m->bus.v[k];
            hc_bus_topic *t = it->topic_decl    ? hc_bus_topic_of(P, it->topic_decl, NULL)
                              : it->subject_str ? string_subject(P, it)
                                                : NULL;
            if (!t) {
                continue;
            }
            hc_bus_use u = {locus, it, it->subscribe ? nsub++ : -1, 0};
            if (it->subscribe) {
                HC_PUSH(P->a, t->subs, u);
                handler_rules(P, it);
            } else {
                HC_PUSH(P->a, t->pubs, u);
            }
        }
    }
}

static int is_wild(hc_expr *e) {
    return e && e->kind == E_NAME && e->path.n == 1 && strcmp(e->path.seg[0].name, "_") == 0;
}

static void fallback_rule(hc_program *P, hc_bus_topic *t) {
    if (!t->decl || !t->key_field || strcmp(t->on_unmatched, "fallback") != 0) {
        return;
    }
    for (int i = 0; i < t->subs.n; i++) {
        if (is_wild(t->subs.v[i].item->key_filter)) {
            return;
        }
    }
    hc_help(hc_error(P->d, t->pos,
                     "topic `%s` falls back on unmatched keys but no subscriber takes them",
                     t->name),
            "subscribe a catch-all somewhere: `subscribe %s as handler where key == _;`", t->name);
}

/* ---- bindings ---- */

/* A bound topic must be used by the program, and one it both publishes and subscribes must say
 * which end of the socket this process is; nng addresses name their scheme. */
static void binding_rules(hc_program *P, hc_binding *b) {
    if (strcmp(b->transport.name, "nng") != 0 && strcmp(b->transport.name, "unix") != 0) {
        return; /* shm_ring, adapters: ck_bindings / the emitter say what they need */
    }
    if (strcmp(b->transport.name, "nng") == 0 && b->address &&
        strncmp(b->address, "tcp://", 6) != 0 && strncmp(b->address, "ipc://", 6) != 0) {
        hc_help(hc_error(P->d, b->address_pos, "an nng binding's address is tcp:// or ipc://"),
                "write `nng(\"tcp://127.0.0.1:7100\")` or `nng(\"ipc:///run/app/x.sock\")`");
    }
    hc_decl *td = b->subject_str ? NULL : hc_seed_lookup(P, P->main_locus->seed, b->topic.name);
    hc_bus_topic *t = b->subject_str              ? hc_bus_topic_of(P, NULL, b->subject_str)
                      : td && td->kind == D_TOPIC ? hc_bus_topic_of(P, td, NULL)
                                                  : NULL;
    if (!t && b->subject_str) {
        hc_help(hc_error(P->d, b->topic.pos,
                         "\"%s\" is bound but this program neither publishes nor subscribes it",
                         b->subject_str),
                "remove the binding, or publish or subscribe the subject in a bus block");
        return;
    }
    if (!t) {
        return; /* reported by ck_bindings */
    }
    if (!t->pubs.n && !t->subs.n) {
        hc_help(hc_error(P->d, b->topic.pos,
                         "`%s` is bound but this program neither publishes nor subscribes it",
                         t->name),
                "remove the binding, or declare `publish %s;` or `subscribe %s as ...;` in a "
                "bus block",
                t->name, t->name);
    } else if (t->pubs.n && t->subs.n && !ck_kwarg(&b->kwargs, "role")) {
        hc_help(hc_error(P->d, b->topic.pos,
                         "this program both publishes and subscribes `%s`, so its binding "
                         "cannot infer which end of the socket it is",
                         t->name),
                "add `role:`: `%s: %s(\"%s\", role: listen);` (or `role: connect`)", t->name,
                b->transport.name, b->address ? b->address : "...");
    }
}

static void bindings_program(hc_program *P) {
    hc_decl *m = P->main_locus;
    for (int i = 0; m && i < m->members.n; i++) {
        for (int k = 0; m->members.v[i]->kind == M_BINDINGS && k < m->members.v[i]->bindings.n;
             k++) {
            binding_rules(P, &m->members.v[i]->bindings.v[k]);
        }
    }
}

/* Whether `subject` matches `pattern`: `*` is one dot-separated segment, a final `**` any number
 * of them, none included (`log.app.**` matches `log.app` and `log.app.db`). */
static size_t seg_len(const char *s) {
    const char *d = strchr(s, '.');
    return d ? (size_t)(d - s) : strlen(s);
}

static int subject_matches(const char *p, const char *s) {
    if (strcmp(p, "**") == 0) {
        return 1;
    }
    size_t pl = seg_len(p), sl = seg_len(s);
    if (!*s || (!(pl == 1 && *p == '*') && (pl != sl || strncmp(p, s, pl) != 0))) {
        return 0;
    }
    const char *pn = p[pl] ? p + pl + 1 : NULL, *sn = s[sl] ? s + sl + 1 : NULL;
    if (!pn) {
        return !sn;
    }
    if (!sn) {
        return strcmp(pn, "**") == 0;
    }
    return subject_matches(pn, sn);
}

static int pattern_ok(const char *p) {
    const char *dd = strstr(p, "**");
    if (dd && (dd[2] || (dd != p && dd[-1] != '.'))) {
        return 0; /* `**` only as the whole last segment */
    }
    for (const char *s = p; *s; s++) {
        if (*s == '*' && s[1] != '*' &&
            ((s != p && s[-1] != '.' && s[-1] != '*') || (s[1] && s[1] != '.'))) {
            return 0; /* `*` only as a whole segment */
        }
    }
    return 1;
}

/* Wildcard subscriptions (`subscribe "log.**" as h of type T`): each joins every topic whose
 * subject the pattern matches, as a subscriber of that topic, with the same handler. */
static void wildcards(hc_program *P) {
    int n = P->bus->topics.n;
    for (int i = 0; i < n; i++) {
        hc_bus_topic *w = P->bus->topics.v[i];
        if (w->decl || !strchr(w->subject, '*')) {
            continue;
        }
        w->wild = 1;
        if (!pattern_ok(w->subject)) {
            hc_help(hc_error(P->d, w->pos, "`%s` is not a subject pattern", w->subject),
                    "`*` stands for one whole segment and `**`, last, for any number of them: "
                    "\"log.*.err\", \"log.**\"");
            continue;
        }
        for (int k = 0; k < w->subs.n; k++) {
            hc_bus_use *u = &w->subs.v[k];
            if (u->item->key_filter) {
                hc_error(P->d, u->item->key_filter->pos,
                         "not supported yet: a key filter on a wildcard subscription");
            }
        }
        for (int j = 0; j < n; j++) {
            hc_bus_topic *t = P->bus->topics.v[j];
            if (t == w || strchr(t->subject, '*') || !subject_matches(w->subject, t->subject)) {
                continue;
            }
            for (int k = 0; k < w->subs.n; k++) {
                hc_bus_use *u = &w->subs.v[k];
                if (t->payload && w->payload && t->payload != w->payload &&
                    t->payload->kind != TY_ERROR && w->payload->kind != TY_ERROR) {
                    hc_note(hc_error(P->d, u->item->pos,
                                     "`%s` matches subject \"%s\", which carries `%s`, but this "
                                     "subscription takes `%s`",
                                     w->subject, t->subject, hc_type_name(P->a, t->payload),
                                     hc_type_name(P->a, w->payload)),
                            t->pos, "\"%s\" is here", t->subject);
                    continue;
                }
                HC_PUSH(P->a, t->subs, *u);
                t->wild = 1;
            }
        }
    }
}

/* A string subject named by a `bindings` entry (`"subj": unix(...)`). */
static void bound_subjects(hc_program *P) {
    hc_decl *m = P->main_locus;
    for (int i = 0; m && i < m->members.n; i++) {
        for (int k = 0; m->members.v[i]->kind == M_BINDINGS && k < m->members.v[i]->bindings.n;
             k++) {
            hc_binding *b = &m->members.v[i]->bindings.v[k];
            hc_bus_topic *t = b->subject_str ? hc_bus_topic_of(P, NULL, b->subject_str) : NULL;
            if (t) {
                t->bound_to_transport = 1;
            }
        }
    }
}

void ck_bus_program(hc_program *P) {
    P->bus = HC_NEW(P->a, hc_bus_plan);
    for (int si = 0; si < P->seeds.n; si++) {
        hc_seed *s = P->seeds.v[si];
        for (int i = 0; i < s->decls.n; i++) {
            if (s->decls.v[i]->kind == D_TOPIC) {
                declared_topic(P, s->decls.v[i]);
            }
        }
    }
    for (int i = 0; i < P->loci.n; i++) {
        attach_uses(P, P->loci.v[i]);
    }
    wildcards(P);
    bound_subjects(P);
    for (int i = 0; i < P->bus->topics.n; i++) {
        fallback_rule(P, P->bus->topics.v[i]);
    }
    bindings_program(P);
    hc_bus_lowering(P);
}
