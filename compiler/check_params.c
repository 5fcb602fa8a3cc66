/* Locus parameters without a default value.
 *
 * `params { db: DB; cfg: Config; name: String = "x"; }`: a parameter written with a type and no
 * default is given at every instantiation (`User { db: d }`), and an instantiation that leaves
 * it out is an error naming it. One exception follows Hale: a record parameter whose fields all
 * have defaults defaults to that record with its defaults (`Config { }`).
 *
 * A locus-typed parameter given a literal holds a child, born with its holder (as with a
 * default); given any other locus value (a `let`, a parameter, `self.gate`) it refers to that
 * locus, which stays its own holder's: it is neither born again nor dissolved with the new
 * locus. Such a parameter is never replaced by assignment (that would end a locus someone else
 * holds): one without a default never, one with a default when any literal of the program gives
 * it a reference (whichever of the two the checker meets second is reported, naming the other). */
#include <string.h>

#include "check_impl.h"

hc_expr *ck_default_record(hc_ctx *c, hc_texpr *t, hc_type *want) {
    if (!want || want->kind != TY_RECORD || !t || t->kind != TE_NAME) {
        return NULL;
    }
    hc_decl *r = want->decl;
    for (int i = 0; i < r->fields.n; i++) {
        hc_type *ft = r->fields.v[i].type ? r->fields.v[i].type->resolved : NULL;
        if (!r->fields.v[i].def && !(ft && ft->kind == TY_BOUNDED)) {
            return NULL;
        }
    }
    hc_expr *e = HC_NEW(c->P->a, hc_expr);
    e->kind = E_STRUCT;
    e->pos = t->pos;
    e->path = t->path;
    ck_expr(c, e, want);
    return e;
}

void ck_required_params(hc_ctx *c, hc_expr *lit, hc_decl *locus, const char *given) {
    hc_buf b = {0};
    int missing = 0, k = 0;
    for (int a = 0; a < locus->members.n; a++) {
        hc_decl *m = locus->members.v[a];
        for (int i = 0; m->kind == M_PARAMS && i < m->lparams.n; i++, k++) {
            hc_locus_param *lp = &m->lparams.v[i];
            if (!given[k] && !lp->value && !lp->inferred) {
                hc_buf_printf(&b, "%s`%s`", missing ? ", " : "", lp->name.name);
                missing++;
            }
        }
    }
    if (missing) {
        hc_help(hc_error(c->P->d, lit->pos, "missing parameter%s %s of `%s`",
                         missing == 1 ? "" : "s", hc_buf_cstr(&b), locus->name.name),
                "%s no default: give %s in the literal (`%s { name: value }`)",
                missing == 1 ? "it has" : "they have", missing == 1 ? "it" : "them",
                locus->name.name);
    }
    hc_buf_free(&b);
}

typedef struct {
    hc_ctx *c;
    hc_decl *locus;
    hc_locus_param *lp;
    int index; /* lp's index across the locus's params blocks */
} self_walk;

static int self_use(hc_walker *w, hc_expr *e) {
    self_walk *sw = w->ctx;
    if (e->kind == E_STRUCT && e->decl && e->decl->kind == D_LOCUS) {
        /* a literal's own defaults read their own `self`; its given values read this one */
        for (int i = 0; i < e->inits.n; i++) {
            hc_walk_expr(w, e->inits.v[i].value);
        }
        return HC_WALK_SKIP;
    }
    if (e->kind == E_FIELD && e->lhs->kind == E_SELF) {
        if (e->ref == REF_SELF_FIELD && e->field_index >= sw->index) {
            hc_help(hc_error(sw->c->P->d, e->pos,
                             "the default of `%s` reads `self.%s`, which is not set yet",
                             sw->lp->name.name, e->field.name),
                    "a default reads the parameters declared before it");
        } else if (e->ref != REF_SELF_FIELD && e->ref != REF_METHOD) {
            hc_error(sw->c->P->d, e->pos, "a parameter default reads only `self`'s parameters");
        }
        return HC_WALK_SKIP;
    }
    if (e->kind == E_CALL && e->lhs->kind == E_FIELD && e->lhs->lhs->kind == E_SELF) {
        hc_help(hc_error(sw->c->P->d, e->pos,
                         "the default of `%s` calls a method of `self`, which is not born yet",
                         sw->lp->name.name),
                "a default reads the parameters declared before it");
        return HC_WALK_SKIP;
    }
    if (e->kind == E_SELF) {
        hc_error(sw->c->P->d, e->pos, "a parameter default reads `self`'s parameters, not `self`");
    }
    return HC_WALK_ON;
}

void ck_default_self(hc_ctx *c, hc_decl *locus, hc_locus_param *lp) {
    self_walk sw = {c, locus, lp, 0};
    int k = 0;
    for (int a = 0; a < locus->members.n; a++) {
        hc_decl *m = locus->members.v[a];
        for (int i = 0; m->kind == M_PARAMS && i < m->lparams.n; i++, k++) {
            if (&m->lparams.v[i] == lp) {
                sw.index = k;
            }
        }
    }
    hc_walker w = {self_use, NULL, &sw};
    hc_walk_expr(&w, lp->value);
}

static hc_locus_param *param_named(hc_decl *locus, const char *name) {
    for (int a = 0; a < locus->members.n; a++) {
        hc_decl *m = locus->members.v[a];
        for (int i = 0; m->kind == M_PARAMS && i < m->lparams.n; i++) {
            if (strcmp(m->lparams.v[i].name.name, name) == 0) {
                return &m->lparams.v[i];
            }
        }
    }
    return NULL;
}

static hc_pos *pos_copy(hc_ctx *c, hc_pos at) {
    hc_pos *p = HC_NEW(c->P->a, hc_pos);
    *p = at;
    return p;
}

/* A parameter that holds a child (it has a default) may instead be given a locus by reference
 * as long as nothing replaces it: a replacement frees what the parameter holds. */
static void conflict(hc_ctx *c, hc_locus_param *lp) {
    hc_help(hc_note(hc_error(c->P->d, *lp->replaced_at,
                             "`%s` is replaced here, but a literal gives it a locus by reference",
                             lp->name.name),
                    *lp->ref_at, "given by reference here"),
            "replacing it would end a locus that belongs to someone else; give `%s` a literal "
            "there, or keep the reference in a parameter of its own",
            lp->name.name);
}

void ck_param_given_ref(hc_ctx *c, hc_decl *locus, const char *name, hc_pos at) {
    hc_locus_param *lp = param_named(locus, name);
    if (!lp || lp->ref_at) {
        return;
    }
    lp->ref_at = pos_copy(c, at);
    if (lp->replaced_at) {
        conflict(c, lp);
    }
}

int ck_param_replaced(hc_ctx *c, hc_decl *locus, const char *name, hc_pos at) {
    hc_locus_param *lp = param_named(locus, name);
    if (!lp || !lp->ty || (lp->ty->kind != TY_LOCUS && lp->ty->kind != TY_IFACE)) {
        return 0;
    }
    if (!lp->value && !lp->inferred) {
        hc_help(hc_error(c->P->d, at, "`%s` refers to a locus given at instantiation", name),
                "a parameter without a default is not replaced; give the new locus its own "
                "parameter with a default");
        return 1;
    }
    if (!lp->replaced_at) {
        lp->replaced_at = pos_copy(c, at);
        if (lp->ref_at) {
            conflict(c, lp);
            return 1;
        }
    }
    return 0;
}
