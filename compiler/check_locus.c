/* See check.h. This file: loci (every member kind) and topics. The back end does not lower
 * loci yet, but their members are checked here in full so that the analyses and the locus
 * back end that follow can rely on an annotated tree. */
#include <stdio.h>
#include <string.h>

#include "check_impl.h"

static void member_ctx(hc_ctx *c, hc_program *P, hc_decl *locus, int self_ok) {
    ck_init_ctx(c, P, locus->seed, locus);
    /* `self` is available in expressions evaluated per instance (filters, assertions) */
    c->fn = self_ok ? locus : NULL;
}

hc_decl *ck_locus_method(hc_decl *locus, const char *name) {
    for (int i = 0; i < locus->members.n; i++) {
        hc_decl *m = locus->members.v[i];
        /* a mode (`mode bulk() { }`) is a method named after its projection */
        if ((m->kind == D_FN || m->kind == M_MODE) && strcmp(m->name.name, name) == 0) {
            return m;
        }
    }
    return NULL;
}

static int is_word(hc_expr *e, const char *w) {
    return e && e->kind == E_NAME && e->path.n == 1 && strcmp(e->path.seg[0].name, w) == 0;
}

/* ---- params ---- */

static void ck_params_block(hc_program *P, hc_decl *locus, hc_decl *m) {
    hc_ctx c;
    member_ctx(&c, P, locus, 1); /* `self.x`: an earlier parameter (check_params.c) */
    for (int i = 0; i < m->lparams.n; i++) {
        hc_locus_param *lp = &m->lparams.v[i];
        int idx;
        hc_type *prev_ty;
        hc_decl *prev = ck_locus_param(locus, lp->name.name, &idx, &prev_ty);
        int k = 0;
        for (int a = 0; a < locus->members.n && prev; a++) {
            hc_decl *mm = locus->members.v[a];
            if (mm->kind != M_PARAMS) {
                continue;
            }
            for (int b = 0; b < mm->lparams.n; b++, k++) {
                if (k == idx && &mm->lparams.v[b] != lp) {
                    hc_note(hc_error(P->d, lp->name.pos, "parameter `%s` is declared twice",
                                     lp->name.name),
                            mm->lparams.v[b].name.pos, "first declared here");
                }
            }
        }
        hc_type *want = lp->type ? ck_texpr(P, locus->seed, locus, lp->type) : NULL;
        if (lp->inferred) {
            if (!want) {
                hc_help(hc_error(P->d, lp->name.pos, "inferred parameter `%s` needs a type",
                                 lp->name.name),
                        "write `%s: T : inferred;`", lp->name.name);
            }
            lp->ty = want ? want : TY(&c, TY_ERROR);
            continue;
        }
        if (!lp->value) {
            /* required at every instantiation, or a record whose fields all have defaults */
            lp->ty = want;
            lp->value = ck_default_record(&c, lp->type, want);
            continue;
        }
        c.locus_ok = lp->value;
        hc_type *t = ck_expr(&c, lp->value, want);
        c.locus_ok = NULL;
        ck_default_self(&c, locus, lp);
        if (want) {
            ck_coerce(&c, lp->value, t, want, "the parameter's default");
        }
        if (want && want->kind == TY_LOCUS && lp->value->kind != E_STRUCT && t->kind != TY_ERROR) {
            hc_help(hc_error(P->d, lp->value->pos,
                             "locus parameter `%s` takes a locus literal as its default",
                             lp->name.name),
                    "write `%s: %s = %s { ... };`", lp->name.name, TNAME(&c, want),
                    TNAME(&c, want));
        }
        lp->ty = want ? want : t;
        if (lp->ty->kind == TY_UNIT || lp->ty->kind == TY_NEVER) {
            hc_error(P->d, lp->value->pos, "parameter `%s` has no value", lp->name.name);
            lp->ty = TY(&c, TY_ERROR);
        }
        if (lp->ty->kind == TY_LOCUS && lp->ty->decl == locus) {
            hc_error(P->d, lp->name.pos, "locus `%s` cannot contain itself", locus->name.name);
        }
    }
}

/* ---- containment cycles ---- */

/* The k-th locus-typed parameter of `locus` (across its params blocks), or NULL past the last. */
static hc_locus_param *child_param(hc_decl *locus, int k) {
    for (int a = 0; a < locus->members.n; a++) {
        hc_decl *m = locus->members.v[a];
        if (m->kind != M_PARAMS) {
            continue;
        }
        for (int b = 0; b < m->lparams.n; b++) {
            hc_locus_param *lp = &m->lparams.v[b];
            if (!lp->inferred && lp->value && lp->ty && lp->ty->kind == TY_LOCUS && lp->ty->decl &&
                k-- == 0) {
                return lp;
            }
        }
    }
    return NULL;
}

typedef struct {
    hc_decl *locus;
    hc_locus_param *via; /* the parameter being followed out of `locus` */
    int next;
} cycle_frame;

/* Reports the cycle on the stack from `from` to the top, and cuts it at the top's parameter so
 * that no later pass walks it again. */
static void report_cycle(hc_program *P, cycle_frame *st, int from, int top) {
    hc_buf path = {0};
    for (int i = from; i <= top; i++) {
        hc_buf_printf(&path, "%s`%s.%s: %s`", i > from ? " -> " : "", st[i].locus->name.name,
                      st[i].via->name.name, st[i].via->ty->decl->name.name);
    }
    hc_diag *g = hc_error(P->d, st[from].via->name.pos, "locus `%s` contains itself through %s",
                          st[from].locus->name.name, hc_buf_cstr(&path));
    for (int i = from + 1; i <= top; i++) {
        hc_note(g, st[i].via->name.pos, "`%s.%s` is declared here", st[i].locus->name.name,
                st[i].via->name.name);
    }
    hc_help(g, "every instance would need an endless tree of children; create one of them in "
               "`birth()` or `run()` instead of holding it as a parameter");
    hc_buf_free(&path);
    st[top].via->ty = hc_ty_prim(P->types, TY_ERROR);
}

void ck_locus_cycles(hc_program *P) {
    /* depth-first over "holds as a parameter", without recursion: a long chain of loci must
     * not exhaust the C stack. Marks: 0 unseen, 1 on the current path, 2 finished. */
    HC_VEC(cycle_frame) st = {0};
    for (int si = 0; si < P->seeds.n; si++) {
        hc_seed *s = P->seeds.v[si];
        for (int i = 0; i < s->decls.n; i++) {
            hc_decl *root = s->decls.v[i];
            if (root->kind != D_LOCUS || root->cycle_mark) {
                continue;
            }
            st.n = 0;
            HC_PUSH(P->a, st, ((cycle_frame){root, NULL, 0}));
            root->cycle_mark = 1;
            while (st.n) {
                cycle_frame *f = &st.v[st.n - 1];
                hc_locus_param *lp = child_param(f->locus, f->next++);
                if (!lp) {
                    f->locus->cycle_mark = 2;
                    st.n--;
                    continue;
                }
                hc_decl *child = lp->ty->decl;
                f->via = lp;
                if (child == f->locus) {
                    continue; /* direct self-containment: reported with the parameter */
                }
                if (child->cycle_mark == 1) {
                    int from = st.n - 1;
                    while (st.v[from].locus != child) {
                        from--;
                    }
                    report_cycle(P, st.v, from, st.n - 1);
                } else if (child->cycle_mark == 0) {
                    child->cycle_mark = 1;
                    HC_PUSH(P->a, st, ((cycle_frame){child, NULL, 0}));
                }
            }
        }
    }
}

/* ---- bus ---- */

static hc_decl *find_topic(hc_program *P, hc_decl *locus, hc_path *path) {
    hc_ctx c;
    member_ctx(&c, P, locus, 0);
    hc_resolved r;
    if (!ck_resolve_path(&c, path, &r, 1)) {
        return NULL;
    }
    if (r.kind != RS_DECL || r.decl->kind != D_TOPIC) {
        hc_help(hc_error(P->d, path->pos, "`%s` is not a topic", path->seg[path->n - 1].name),
                "declare it: `topic %s { payload: T; }`", path->seg[path->n - 1].name);
        return NULL;
    }
    return r.decl;
}

static void ck_bus_block(hc_program *P, hc_decl *locus, hc_decl *m) {
    for (int i = 0; i < m->bus.n; i++) {
        hc_bus_item *it = &m->bus.v[i];
        if (it->topic.n) {
            it->topic_decl = find_topic(P, locus, &it->topic);
            if (it->topic_decl) {
                it->payload = it->topic_decl->payload ? it->topic_decl->payload->resolved : NULL;
            }
            if (it->of_type) {
                hc_error(P->d, it->of_type->pos,
                         "a topic carries its payload type; remove "
                         "`of type`");
            }
        } else if (it->of_type) {
            it->payload = ck_texpr(P, locus->seed, locus, it->of_type);
        } else if (it->subscribe) {
            hc_help(hc_error(P->d, it->pos, "a string subject needs its payload type"),
                    "write `subscribe \"%s\" as %s of type T;`", it->subject_str,
                    it->handler.name ? it->handler.name : "handler");
        }
        if (it->subscribe && it->handler.name) {
            hc_decl *h = ck_locus_method(locus, it->handler.name);
            it->handler_decl = h;
            if (!h) {
                hc_help(hc_error(P->d, it->handler.pos,
                                 "locus `%s` has no method `%s` to handle "
                                 "this subscription",
                                 locus->name.name, it->handler.name),
                        "declare it: `fn %s(m: T) { ... }`", it->handler.name);
            } else if (h->params.n != 1) {
                hc_error(P->d, h->name.pos,
                         "handler `%s` must take exactly one parameter (the "
                         "payload)",
                         h->name.name);
            } else if (it->payload && h->ty && h->ty->items[0] != it->payload &&
                       it->payload->kind != TY_ERROR && h->ty->items[0]->kind != TY_ERROR) {
                hc_error(P->d, h->params.v[0].type->pos,
                         "handler `%s` takes a `%s` but the subscription delivers `%s`",
                         h->name.name, hc_type_name(P->a, h->ty->items[0]),
                         hc_type_name(P->a, it->payload));
            }
        }
        if (it->key_filter) {
            hc_decl *t = it->topic_decl;
            if (!t || !t->keyed_by.name) {
                hc_help(hc_error(P->d, it->key_filter->pos,
                                 "`where key == ...` needs a keyed "
                                 "topic"),
                        "declare the topic's key: `keyed_by field;`");
            } else if (is_word(it->key_filter, "_")) {
                if (!t->on_unmatched || strcmp(t->on_unmatched, "fallback") != 0) {
                    hc_error(P->d, it->key_filter->pos,
                             "`where key == _` needs the topic to "
                             "declare `on_unmatched: fallback`");
                }
            } else if (is_word(it->key_filter, "replica")) {
                /* the instance's replica index (emit_bus.c): an Int-family key */
                int idx;
                hc_type *pt = t->payload ? t->payload->resolved : NULL;
                hc_type *kt = pt && ck_record_field(pt, t->keyed_by.name, &idx)
                                  ? pt->decl->fields.v[idx].type->resolved
                                  : NULL;
                if (kt && kt->kind != TY_INT && kt->kind != TY_ERROR) {
                    hc_help(hc_error(P->d, it->key_filter->pos,
                                     "`where key == replica` needs an Int key; `%s` is keyed "
                                     "by a `%s`",
                                     t->name.name, hc_type_name(P->a, kt)),
                            "the replica index is a number (0 for an instance that is not "
                            "replicated)");
                }
            } else {
                hc_ctx c;
                member_ctx(&c, P, locus, 1);
                hc_type *kt = ck_expr(&c, it->key_filter, NULL);
                hc_type *want = NULL;
                int idx;
                hc_type *pt = t->payload ? t->payload->resolved : NULL;
                if (pt && ck_record_field(pt, t->keyed_by.name, &idx)) {
                    want = pt->decl->fields.v[idx].type->resolved;
                }
                if (want) {
                    ck_coerce(&c, it->key_filter, kt, want, "the routing key");
                }
            }
        }
        if (it->bound && it->bound < 1) {
            hc_error(P->d, it->pos, "a subscriber bound must be at least 1");
        }
    }
}

/* ---- capacity, closures, bindings, placement ---- */

static void ck_capacity(hc_program *P, hc_decl *locus, hc_decl *m) {
    for (int i = 0; i < m->slots.n; i++) {
        hc_slot *s = &m->slots.v[i];
        hc_type *t = ck_texpr(P, locus->seed, locus, s->type);
        int idx;
        if (s->indexed_by.name && t->kind != TY_ERROR &&
            !ck_record_field(t, s->indexed_by.name, &idx)) {
            hc_error(P->d, s->indexed_by.pos, "`%s` has no field `%s` to index by",
                     hc_type_name(P->a, t), s->indexed_by.name);
        }
        if (s->as_parent_for.name) {
            hc_decl *l = hc_seed_lookup(P, locus->seed, s->as_parent_for.name);
            if (!l || l->kind != D_LOCUS) {
                hc_error(P->d, s->as_parent_for.pos, "`%s` is not a locus", s->as_parent_for.name);
            } else {
                /* the child lends nothing of its own: it must have the slot it borrows */
                hc_slot *cs = ck_slot_named(l, s->name.name);
                hc_type *mine = ck_slot_type(P, locus, s);
                if (!cs || strcmp(cs->kind, s->kind) != 0 || ck_slot_type(P, l, cs) != mine) {
                    hc_help(hc_error(P->d, s->as_parent_for.pos,
                                     "`%s` has no `%s %s of %s` slot to take from this one",
                                     l->name.name, s->kind, s->name.name, hc_type_name(P->a, mine)),
                            "declare the same slot in `%s`: its instances under `%s` use this "
                            "one",
                            l->name.name, locus->name.name);
                }
            }
        }
    }
}

static void ck_numeric(hc_ctx *c, hc_expr *e, const char *what) {
    hc_type *t = ck_expr(c, e, NULL);
    if (!hc_ty_is_numeric(t) && t->kind != TY_DURATION && t->kind != TY_ERROR) {
        hc_error(c->P->d, e->pos, "%s must be a number, found `%s`", what, TNAME(c, t));
    }
}

static void ck_closure(hc_program *P, hc_decl *locus, hc_decl *m) {
    hc_ctx c;
    member_ctx(&c, P, locus, 1);
    const char *epoch = NULL;
    for (int i = 0; i < m->clauses.n; i++) {
        hc_closure_clause *cl = &m->clauses.v[i];
        static const char *epochs[] = {"tick",     "duration", "birth",
                                       "dissolve", "explicit", "inline"};
        for (size_t k = 0; k < sizeof epochs / sizeof epochs[0]; k++) {
            if (strcmp(cl->kind, epochs[k]) == 0) {
                if (epoch) {
                    hc_error(P->d, cl->pos, "closure `%s` declares its epoch twice", m->name.name);
                }
                epoch = cl->kind;
            }
        }
        if (cl->duration) {
            hc_type *t = ck_expr(&c, cl->duration, TY(&c, TY_DURATION));
            ck_coerce(&c, cl->duration, t, TY(&c, TY_DURATION), "the epoch's period");
        }
        for (int k = 0; k < cl->names.n; k++) {
            int idx;
            hc_type *pt;
            /* captures are checked with the locus's members; persists_through and resets_on
             * name recovery events, not parameters */
            if (strcmp(cl->kind, "captures") != 0 && strcmp(cl->kind, "persists_through") != 0 &&
                strcmp(cl->kind, "resets_on") != 0 &&
                !ck_locus_param(locus, cl->names.v[k], &idx, &pt)) {
                hc_error(P->d, cl->pos, "locus `%s` has no parameter `%s`", locus->name.name,
                         cl->names.v[k]);
            }
        }
        if (strcmp(cl->kind, "resets_per_epoch") == 0 && epoch && strcmp(epoch, "duration") != 0) {
            hc_error(P->d, cl->pos, "`resets_per_epoch` only applies to `epoch duration(...)`");
        }
    }
    if (m->assertion && m->assertion->kind == E_APPROX) {
        ck_accum_rewrite(P, locus, m);
        ck_numeric(&c, m->assertion->lhs, "the closure's left side");
        ck_numeric(&c, m->assertion->rhs, "the closure's right side");
        if (m->assertion->third) {
            ck_numeric(&c, m->assertion->third, "the tolerance");
        }
    } else if (!m->assertion && (!epoch || strcmp(epoch, "inline") != 0)) {
        hc_help(hc_error(P->d, m->name.pos, "closure `%s` needs an assertion", m->name.name),
                "write `a ~~ b within t;`, or declare `epoch inline;` for a named failure");
    }
}

static void ck_bindings(hc_program *P, hc_decl *locus, hc_decl *m) {
    if (!locus->is_main) {
        hc_help(hc_error(P->d, m->pos, "`bindings` is only allowed in the `main locus`"),
                "bindings are a deployment choice; declare them on `main locus`");
    }
    for (int i = 0; i < m->bindings.n; i++) {
        hc_binding *b = &m->bindings.v[i];
        hc_decl *t = b->subject_str ? NULL : hc_seed_lookup(P, locus->seed, b->topic.name);
        if (!b->subject_str && (!t || t->kind != D_TOPIC)) {
            hc_error(P->d, b->topic.pos, "`%s` is not a topic", b->topic.name);
        } else if (b->subject_str && strchr(b->subject_str, '*')) {
            hc_error(P->d, b->topic.pos, "a binding names one subject, not a pattern");
        }
        const char *tr = b->transport.name;
        if (strcmp(tr, "unix") == 0 || strcmp(tr, "nng") == 0 || strcmp(tr, "shm_ring") == 0) {
            if (!b->address) {
                hc_error(P->d, b->transport.pos, "`%s` needs an address: `%s(\"...\")`", tr, tr);
            }
        } else {
            hc_decl *l = hc_seed_lookup(P, locus->seed, tr);
            if (!l || l->kind != D_LOCUS) {
                hc_help(hc_error(P->d, b->transport.pos, "unknown transport `%s`", tr),
                        "use unix(\"/path\"), nng(\"tcp://host:port\") or an adapter locus");
            } else if (b->adapter) {
                hc_ctx c;
                member_ctx(&c, P, locus, 0);
                ck_expr(&c, b->adapter, NULL);
            }
        }
        for (int k = 0; k < b->kwargs.n; k++) {
            hc_kwarg *kw = &b->kwargs.v[k];
            if (!kw->key || strcmp(kw->key, "role") != 0) {
                hc_error(P->d, kw->key ? kw->key_pos : kw->value->pos, "unknown binding option%s%s",
                         kw->key ? " " : "", kw->key ? kw->key : "");
            } else if (!is_word(kw->value, "listen") && !is_word(kw->value, "connect") &&
                       !is_word(kw->value, "dial")) {
                hc_error(P->d, kw->value->pos, "`role` is `listen` or `connect`");
            }
        }
        for (int k = 0; k < b->where.n; k++) {
            const char *w = b->where.v[k];
            if (strcmp(w, "intra_process") && strcmp(w, "intra_machine") &&
                strcmp(w, "cross_machine") && strcmp(w, "zero_copy")) {
                hc_error(P->d, b->pos, "unknown binding constraint `%s`", w);
            }
        }
    }
}

static int int_literal(hc_expr *e) {
    return e && e->kind == E_INT;
}

static void ck_placement(hc_program *P, hc_decl *locus, hc_decl *m) {
    if (!locus->is_main) {
        hc_help(hc_error(P->d, m->pos, "`placement` is only allowed in the `main locus`"),
                "placement is a deployment choice; declare it on `main locus`");
    }
    for (int i = 0; i < m->placements.n; i++) {
        hc_placement *pl = &m->placements.v[i];
        int idx;
        hc_type *pt = NULL;
        if (!ck_locus_param(locus, pl->field.name, &idx, &pt)) {
            hc_error(P->d, pl->field.pos, "`%s` is not a parameter of `%s`", pl->field.name,
                     locus->name.name);
        } else if (pt && pt->kind != TY_LOCUS && pt->kind != TY_ERROR) {
            hc_error(P->d, pl->field.pos, "`%s` has type `%s`, not a locus; only loci are placed",
                     pl->field.name, hc_type_name(P->a, pt));
        }
        int pinned = strcmp(pl->kind.name, "pinned") == 0;
        for (int k = 0; k < pl->kwargs.n; k++) {
            hc_kwarg *kw = &pl->kwargs.v[k];
            const char *key = kw->key ? kw->key : "";
            int ok;
            if (strcmp(key, "pool") == 0) {
                ok = !pinned && kw->value->kind == E_NAME && kw->value->path.n == 1;
            } else if (strcmp(key, "core") == 0 || strcmp(key, "node") == 0) {
                ok = int_literal(kw->value);
            } else if (strcmp(key, "replicas") == 0) {
                ok = pinned && int_literal(kw->value) && kw->value->i >= 1;
            } else if (strcmp(key, "cores") == 0) {
                ok = (kw->value->kind == E_RANGE && int_literal(kw->value->lhs) &&
                      int_literal(kw->value->rhs)) ||
                     kw->value->kind == E_ARRAY;
            } else if (strcmp(key, "l3") == 0) {
                ok = kw->value->kind == E_NAME;
            } else {
                hc_error(P->d, kw->key ? kw->key_pos : kw->value->pos,
                         "unknown placement option `%s`", key);
                continue;
            }
            if (!ok) {
                hc_error(P->d, kw->value->pos, "invalid value for `%s` in `%s(...)`", key,
                         pl->kind.name);
            }
        }
        for (int k = 0; k < pl->where.n; k++) {
            if (strcmp(pl->where.v[k], "async_io") != 0) {
                hc_error(P->d, pl->pos, "unknown placement constraint `%s`", pl->where.v[k]);
            } else if (pinned) {
                hc_error(P->d, pl->pos, "`async_io` applies to a cooperative pool, not `pinned`");
            }
        }
    }
}

/* ---- locus ---- */

static hc_type *first_param_type(hc_decl *m) {
    return m->ty && m->ty->nitems > 0 ? m->ty->items[0] : NULL;
}

/* The rules between a locus's members: methods return data, not loci; `release(c: T)` needs the
 * matching `accept(c: T)`; on_failure takes a child locus and a ClosureViolation. */
static void ck_member_rules(hc_program *P, hc_decl *locus) {
    hc_decl *accept = NULL, *release = NULL;
    for (int i = 0; i < locus->members.n; i++) {
        hc_decl *m = locus->members.v[i];
        if (m->kind == M_LIFECYCLE && strcmp(m->name.name, "accept") == 0) {
            accept = m;
        }
        if (m->kind == M_LIFECYCLE && strcmp(m->name.name, "release") == 0) {
            release = m;
        }
        if (m->kind == M_LIFECYCLE && m->params.n == 1 && (m == accept || m == release)) {
            hc_type *ct = first_param_type(m);
            if (ct && ct->kind != TY_LOCUS && ct->kind != TY_ERROR) {
                hc_error(P->d, m->params.v[0].type->pos, "`%s` takes a child locus, found `%s`",
                         m->name.name, hc_type_name(P->a, ct));
            }
        }
        if (m->kind == M_FAILURE && m->params.n == 2 && m->ty) {
            hc_type *ct = m->ty->items[0], *et = m->ty->items[1];
            if (ct->kind != TY_LOCUS && ct->kind != TY_ERROR) {
                hc_error(P->d, m->params.v[0].type->pos,
                         "`on_failure` takes the failing child locus first, found `%s`",
                         hc_type_name(P->a, ct));
            } else if (ct->kind == TY_LOCUS && ct->decl->seed == P->std &&
                       strcmp(ct->decl->name.name, "BusTransport") == 0 && !locus->is_main) {
                hc_help(hc_error(P->d, m->params.v[0].type->pos,
                                 "only the `main locus` supervises transports"),
                        "bindings live on `main locus`; move this `on_failure` there");
            }
            if (et->kind != TY_ERROR && !(et->kind == TY_RECORD && et->decl->seed == P->std &&
                                          strcmp(et->decl->name.name, "ClosureViolation") == 0)) {
                hc_help(hc_error(P->d, m->params.v[1].type->pos,
                                 "`on_failure` receives a `ClosureViolation`, found `%s`",
                                 hc_type_name(P->a, et)),
                        "write `on_failure(c: Child, err: ClosureViolation) { ... }`");
            }
        }
        if (m->kind == M_CLOSURE) {
            for (int k = 0; k < m->clauses.n; k++) {
                hc_closure_clause *cl = &m->clauses.v[k];
                for (int j = 0; strcmp(cl->kind, "captures") == 0 && j < cl->names.n; j++) {
                    int idx;
                    hc_type *pt;
                    if (!ck_locus_param(locus, cl->names.v[j], &idx, &pt)) {
                        hc_error(P->d, cl->pos,
                                 "closure `%s` captures `%s`, which `%s` does not have",
                                 m->name.name, cl->names.v[j], locus->name.name);
                    }
                }
            }
        }
    }
    if (release) {
        hc_type *rt = first_param_type(release);
        hc_type *at = accept ? first_param_type(accept) : NULL;
        if (rt && rt->kind == TY_LOCUS && at != rt) {
            hc_help(hc_error(P->d, release->name.pos,
                             "`release(c: %s)` without `accept(c: %s)` on `%s`",
                             rt->decl->name.name, rt->decl->name.name, locus->name.name),
                    "a locus that never accepts a `%s` can never release one; declare "
                    "`accept(c: %s) { }`",
                    rt->decl->name.name, rt->decl->name.name);
        }
    }
}

static const char *locus_annots[] = {"form",   "locality",      "bounded", "sealed",
                                     "export", "phase_effects", NULL};

void ck_locus_signature(hc_program *P, hc_decl *locus) {
    if (locus->checked) {
        return; /* an instance checked when it was made */
    }
    locus->checked = 2;
    for (int i = 0; i < locus->annots.n; i++) {
        hc_annot *an = &locus->annots.v[i];
        int ok = 0;
        for (int k = 0; locus_annots[k]; k++) {
            ok |= strcmp(locus_annots[k], an->name.name) == 0;
        }
        if (!ok) {
            hc_error(P->d, an->pos, "`@%s` does not apply to a locus", an->name.name);
        } else if (strcmp(an->name.name, "form") == 0) {
            static const char *forms[] = {"vec", "hashmap", "ring_buffer", "lru_cache"};
            int known = 0;
            if (an->args.n && an->args.v[0].value->kind == E_NAME) {
                for (size_t k = 0; k < sizeof forms / sizeof forms[0]; k++) {
                    known |= strcmp(an->args.v[0].value->path.seg[0].name, forms[k]) == 0;
                }
            }
            if (!known) {
                hc_help(hc_error(P->d, an->pos, "`@form` needs a form name"),
                        "one of vec, hashmap, ring_buffer, lru_cache");
            }
        }
    }
    /* first the parameter block(s) and nested declarations, then everything that refers to
     * them */
    for (int i = 0; i < locus->members.n; i++) {
        hc_decl *m = locus->members.v[i];
        if (m->kind == D_CONST) {
            m->locus = locus;
            ck_check_const(P, m);
        }
    }
    for (int i = 0; i < locus->members.n; i++) {
        hc_decl *m = locus->members.v[i];
        if (m->kind == M_PARAMS) {
            ck_params_block(P, locus, m);
        }
    }
    int seen[6] = {0};
    for (int i = 0; i < locus->members.n; i++) {
        hc_decl *m = locus->members.v[i];
        if (m->kind == D_FN || m->kind == M_LIFECYCLE || m->kind == M_MODE ||
            m->kind == M_FAILURE) {
            ck_decl_signature(P, m);
            for (int j = 0; j < i; j++) {
                hc_decl *o = locus->members.v[j];
                if (o->kind == m->kind && o->name.name && m->name.name &&
                    strcmp(o->name.name, m->name.name) == 0) {
                    hc_note(hc_error(P->d, m->name.pos, "`%s` is declared twice in locus `%s`",
                                     m->name.name, locus->name.name),
                            o->name.pos, "first declared here");
                }
            }
            int idx;
            hc_type *pt;
            if (m->kind == D_FN && ck_locus_param(locus, m->name.name, &idx, &pt)) {
                hc_error(P->d, m->name.pos, "method `%s` has the name of a parameter",
                         m->name.name);
            }
        }
        if (m->kind == M_LIFECYCLE) {
            const char *n = m->name.name;
            int takes_child = strcmp(n, "accept") == 0 || strcmp(n, "release") == 0;
            if (!takes_child && m->params.n) {
                hc_error(P->d, m->name.pos, "`%s()` takes no parameters", n);
            }
            if (takes_child && m->params.n != 1) {
                hc_help(
                    hc_error(P->d, m->name.pos, "`%s` takes exactly one parameter, the child", n),
                    "write `%s(c: ChildLocus) { ... }`", n);
            }
            if (m->ret) {
                hc_error(P->d, m->ret->pos, "lifecycle methods return no value");
            }
            if (m->fallible) {
                hc_error(P->d, m->fallible->pos,
                         "lifecycle methods cannot be fallible; use a "
                         "closure to report structural failure");
            }
        }
        if (m->kind == M_FAILURE && m->params.n != 2) {
            hc_help(hc_error(P->d, m->name.pos, "`on_failure` takes the child and the error"),
                    "write `on_failure(c: Child, err: ClosureViolation) { ... }`");
        }
        if (m->kind == M_PARAMS || m->kind == M_CONTRACT || m->kind == M_BUS ||
            m->kind == M_CAPACITY || m->kind == M_BINDINGS || m->kind == M_PLACEMENT) {
            static const hc_decl_kind once[] = {M_CONTRACT, M_BUS,       M_CAPACITY,
                                                M_BINDINGS, M_PLACEMENT, M_PARAMS};
            for (int k = 0; k < 5; k++) {
                if (once[k] == m->kind && seen[k]++) {
                    hc_error(P->d, m->pos, "locus `%s` has more than one `%s` block",
                             locus->name.name, m->name.name ? m->name.name : "member");
                }
            }
        }
        if (m->kind == M_CONTRACT) {
            for (int k = 0; k < m->contract.n; k++) {
                if (m->contract.v[k].type) {
                    ck_texpr(P, locus->seed, locus, m->contract.v[k].type);
                }
            }
        } else if (m->kind == M_CAPACITY) {
            ck_capacity(P, locus, m);
        } else if (m->kind == M_BINDINGS) {
            ck_bindings(P, locus, m);
        } else if (m->kind == M_PLACEMENT) {
            ck_placement(P, locus, m);
        } else if (m->kind == M_TOPOLOGY) {
            ck_topology(P, locus, m);
        }
    }
    if (locus->is_main) {
        ck_topology_refs(P, locus);
    }
    ck_member_rules(P, locus);
    ck_form_decl(P, locus);
    for (int i = 0; i < locus->members.n; i++) {
        hc_decl *m = locus->members.v[i];
        if (m->kind == M_BUS) {
            ck_bus_block(P, locus, m);
        } else if (m->kind == M_CLOSURE) {
            ck_closure(P, locus, m);
        } else if (m->kind == M_BIRTH_CHECK) {
            hc_ctx c;
            member_ctx(&c, P, locus, 1);
            hc_type *t = ck_expr(&c, m->value, TY(&c, TY_BOOL));
            if (t->kind != TY_BOOL && t->kind != TY_ERROR) {
                hc_error(P->d, m->value->pos, "a birth check is a Bool, found `%s`", TNAME(&c, t));
            }
            int found = 0;
            for (int k = 0; k < locus->members.n; k++) {
                hc_decl *o = locus->members.v[k];
                found |= o->kind == M_CLOSURE && strcmp(o->name.name, m->name.name) == 0;
            }
            if (!found) {
                hc_error(P->d, m->name.pos, "locus `%s` has no closure `%s`", locus->name.name,
                         m->name.name);
            }
        }
    }
}

void ck_locus_bodies(hc_program *P, hc_decl *locus) {
    for (int i = 0; i < locus->members.n; i++) {
        hc_decl *m = locus->members.v[i];
        if ((m->kind == D_FN || m->kind == M_LIFECYCLE || m->kind == M_MODE ||
             m->kind == M_FAILURE) &&
            m->body) {
            ck_function(P, m);
        }
    }
}

/* ---- topics ---- */

void ck_topic(hc_program *P, hc_decl *t) {
    if (!t->payload) {
        hc_help(hc_error(P->d, t->name.pos, "topic `%s` needs a payload type", t->name.name),
                "add `payload: T;`");
    }
    hc_type *pt = t->payload ? ck_texpr(P, t->seed, NULL, t->payload) : NULL;
    if (t->parent.name) {
        hc_decl *p = hc_seed_lookup(P, t->seed, t->parent.name);
        if (!p || p->kind != D_TOPIC) {
            hc_error(P->d, t->parent.pos, "`%s` is not a topic", t->parent.name);
        } else if (p == t) {
            hc_error(P->d, t->parent.pos, "topic `%s` cannot be its own parent", t->name.name);
        }
    }
    if (t->keyed_by.name && pt && pt->kind != TY_ERROR) {
        int idx;
        if (pt->kind != TY_RECORD || !ck_record_field(pt, t->keyed_by.name, &idx)) {
            hc_error(P->d, t->keyed_by.pos, "payload `%s` has no field `%s` to key by",
                     hc_type_name(P->a, pt), t->keyed_by.name);
        } /* the key's type is checked with the whole program's topics (check_bus.c) */
    }
    if (t->bound && !t->on_full_fail) {
        hc_help(
            hc_error(P->d, t->name.pos, "bounded topic `%s` needs `on_full: fail;`", t->name.name),
            "`bounded(N)` and `on_full: fail` go together");
    } else if (!t->bound && t->on_full_fail) {
        hc_error(P->d, t->name.pos, "`on_full: fail` needs `bounded(N);`");
    }
}
