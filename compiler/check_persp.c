/* Perspectives: `perspective P { fn sigs; bus { ... } }`, the loci that `serve` it, the slot type
 * `perspective(P)` and `reperspective self.f as Impl;`.
 *
 * A perspective is a contract: bodyless method signatures and, optionally, the bus edges every
 * implementation must have. Its type is a locus type whose declaration is the perspective, so a
 * holder's `self.router.route(x)` is checked against the contract like any method call and the
 * emitter dispatches it to the implementation the slot holds (emit_persp.c). A locus
 * `L : serves P` must provide every contract method with the same parameter and result types and
 * every bus edge; all implementations of one perspective share one footprint (the same params,
 * by name and type, in order), which is what lets `reperspective` switch the running state to the
 * other implementation's code without touching the state. */
#include <string.h>

#include "check_impl.h"

static hc_decl *served(hc_program *P, hc_decl *locus, hc_annot **at) {
    for (int i = 0; i < locus->header.n; i++) {
        hc_annot *an = &locus->header.v[i];
        if (strcmp(an->name.name, "serves") == 0 && an->args.n == 1) {
            hc_expr *v = an->args.v[0].value;
            hc_decl *d = hc_seed_lookup(P, locus->seed, v->path.seg[0].name);
            *at = an;
            return d;
        }
    }
    return NULL;
}

int ck_serves(hc_program *P, hc_decl *locus, hc_decl *persp) {
    hc_annot *at;
    return locus && locus->kind == D_LOCUS && served(P, locus, &at) == persp;
}

static hc_decl *fn_named(hc_decl *d, const char *name) {
    for (int i = 0; i < d->members.n; i++) {
        hc_decl *m = d->members.v[i];
        if (m->kind == D_FN && strcmp(m->name.name, name) == 0) {
            return m;
        }
    }
    return NULL;
}

void ck_perspective(hc_program *P, hc_decl *d) {
    d->ty = d->ty ? d->ty : hc_ty_nominal(P->types, TY_LOCUS, d);
    for (int i = 0; i < d->members.n; i++) {
        hc_decl *m = d->members.v[i];
        m->locus = d;
        m->seed = d->seed;
        if (m->kind == D_FN) {
            ck_decl_signature(P, m);
            if (m->body) {
                hc_error(P->d, m->name.pos,
                         "not supported yet: a perspective method with a body (a default)");
            } else if (m->fallible) {
                hc_error(P->d, m->name.pos, "not supported yet: fallible perspective methods");
            }
        } else if (m->kind != M_BUS) {
            hc_help(hc_error(P->d, m->pos, "not supported yet: `%s` in a perspective",
                             m->name.name ? m->name.name : "this member"),
                    "a perspective holds method signatures and a bus block");
        }
    }
    for (int i = 0; i < d->header.n; i++) {
        hc_error(P->d, d->header.v[i].pos, "a perspective takes no `:` annotations");
    }
}

static int same_subject(hc_bus_item *a, hc_bus_item *b) {
    if (a->subscribe != b->subscribe) {
        return 0;
    }
    if (a->subject_str || b->subject_str) {
        return a->subject_str && b->subject_str && strcmp(a->subject_str, b->subject_str) == 0;
    }
    return a->topic.n && b->topic.n &&
           strcmp(a->topic.seg[a->topic.n - 1].name, b->topic.seg[b->topic.n - 1].name) == 0;
}

static const char *subject_text(hc_bus_item *it) {
    return it->subject_str ? it->subject_str
           : it->topic.n   ? it->topic.seg[it->topic.n - 1].name
                           : "?";
}

static int has_edge(hc_decl *locus, hc_bus_item *want) {
    for (int i = 0; i < locus->members.n; i++) {
        hc_decl *m = locus->members.v[i];
        for (int k = 0; m->kind == M_BUS && k < m->bus.n; k++) {
            if (same_subject(&m->bus.v[k], want)) {
                return 1;
            }
        }
    }
    return 0;
}

/* Every impl's params, by name and type, in order: the one footprint the swap relies on. */
static int same_footprint(hc_program *P, hc_decl *a, hc_decl *b, const char **why) {
    int na = 0, nb = 0;
    hc_locus_param *pa[64], *pb[64];
    for (int i = 0; i < a->members.n; i++) {
        for (int k = 0; a->members.v[i]->kind == M_PARAMS && k < a->members.v[i]->lparams.n; k++) {
            if (na < 64) {
                pa[na++] = &a->members.v[i]->lparams.v[k];
            }
        }
    }
    for (int i = 0; i < b->members.n; i++) {
        for (int k = 0; b->members.v[i]->kind == M_PARAMS && k < b->members.v[i]->lparams.n; k++) {
            if (nb < 64) {
                pb[nb++] = &b->members.v[i]->lparams.v[k];
            }
        }
    }
    if (na != nb) {
        *why =
            hc_sprintf(P->a, "`%s` has %d params and `%s` %d", a->name.name, na, b->name.name, nb);
        return 0;
    }
    for (int i = 0; i < na; i++) {
        if (strcmp(pa[i]->name.name, pb[i]->name.name) != 0 || pa[i]->ty != pb[i]->ty) {
            *why = hc_sprintf(P->a, "param %d is `%s: %s` in `%s` but `%s: %s` in `%s`", i + 1,
                              pa[i]->name.name, hc_type_name(P->a, pa[i]->ty), a->name.name,
                              pb[i]->name.name, hc_type_name(P->a, pb[i]->ty), b->name.name);
            return 0;
        }
    }
    return 1;
}

void ck_serves_all(hc_program *P) {
    for (int si = 0; si < P->seeds.n; si++) {
        hc_seed *s = P->seeds.v[si];
        for (int i = 0; i < s->decls.n; i++) {
            hc_decl *l = s->decls.v[i];
            hc_annot *at = NULL;
            if (l->kind != D_LOCUS) {
                continue;
            }
            hc_decl *p = served(P, l, &at);
            if (!at) {
                continue;
            }
            if (!p || p->kind != D_PERSPECTIVE) {
                hc_error(P->d, at->args.v[0].value->pos, "`%s` is not a perspective",
                         at->args.v[0].value->path.seg[0].name);
                continue;
            }
            for (int k = 0; k < p->members.n; k++) {
                hc_decl *sig = p->members.v[k];
                if (sig->kind == M_BUS) {
                    for (int j = 0; j < sig->bus.n; j++) {
                        if (!has_edge(l, &sig->bus.v[j])) {
                            hc_note(hc_error(P->d, l->name.pos,
                                             "`%s` serves `%s` but does not %s `%s`", l->name.name,
                                             p->name.name,
                                             sig->bus.v[j].subscribe ? "subscribe to" : "publish",
                                             subject_text(&sig->bus.v[j])),
                                    sig->bus.v[j].pos, "the perspective's bus edge");
                        }
                    }
                    continue;
                }
                if (sig->kind != D_FN) {
                    continue;
                }
                hc_decl *m = fn_named(l, sig->name.name);
                if (!m) {
                    hc_note(hc_error(P->d, l->name.pos, "`%s` serves `%s` but has no `fn %s`",
                                     l->name.name, p->name.name, sig->name.name),
                            sig->name.pos, "the contract's signature");
                } else if (m->ty && sig->ty && m->ty != sig->ty) {
                    hc_note(hc_error(P->d, m->name.pos,
                                     "`%s.%s` is `%s` but perspective `%s` declares `%s`",
                                     l->name.name, m->name.name, hc_type_name(P->a, m->ty),
                                     p->name.name, hc_type_name(P->a, sig->ty)),
                            sig->name.pos, "the contract's signature");
                }
            }
            /* one footprint per perspective: compare with the first impl seen */
            for (int j = 0; j < i; j++) {
                hc_decl *o = s->decls.v[j];
                hc_annot *oat = NULL;
                const char *why = NULL;
                if (o->kind == D_LOCUS && served(P, o, &oat) == p) {
                    if (!same_footprint(P, o, l, &why)) {
                        hc_help(hc_note(hc_error(P->d, l->name.pos,
                                                 "every implementation of `%s` has the same "
                                                 "params: %s",
                                                 p->name.name, why),
                                        o->name.pos, "the other implementation"),
                                "a live swap keeps the running state, so the layouts must agree");
                    }
                    break;
                }
            }
        }
    }
}

int ck_persp_coerce(hc_ctx *c, hc_type *from, hc_type *to) {
    if (to->kind != TY_LOCUS || to->decl->kind != D_PERSPECTIVE || from->kind != TY_LOCUS) {
        return -1;
    }
    return from == to || ck_serves(c->P, from->decl, to->decl);
}

int ck_reperspective(hc_ctx *c, hc_stmt *s) {
    hc_program *P = c->P;
    hc_expr *t = s->target;
    if (!c->locus || !(t->kind == E_FIELD && t->lhs->kind == E_SELF)) {
        hc_error(P->d, t->pos, "`reperspective` names a `perspective(P)` parameter of `self`");
        return 0;
    }
    hc_type *ft = ck_expr(c, t, NULL);
    if (ft->kind == TY_ERROR) {
        return 0;
    }
    if (ft->kind != TY_LOCUS || ft->decl->kind != D_PERSPECTIVE || t->ref != REF_SELF_FIELD) {
        hc_error(P->d, t->pos, "`self.%s` is a `%s`, not a `perspective(P)` parameter",
                 t->field.name, TNAME(c, ft));
        return 0;
    }
    hc_decl *impl = hc_seed_lookup(P, c->seed, s->name.name);
    if (!impl || impl->kind != D_LOCUS) {
        hc_error(P->d, s->name.pos, "`%s` is not a locus", s->name.name);
        return 0;
    }
    if (!ck_serves(P, impl, ft->decl)) {
        hc_help(hc_error(P->d, s->name.pos, "`%s` does not serve `%s`", s->name.name,
                         ft->decl->name.name),
                "declare it `locus %s : serves %s { ... }`", s->name.name, ft->decl->name.name);
        return 0;
    }
    impl->used = 1;
    return 0;
}
