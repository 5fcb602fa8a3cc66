/* Locus parameters without a default value.
 *
 * `params { db: DB; cfg: Config; name: String = "x"; }`: a parameter written with a type and no
 * default is given at every instantiation (`User { db: d }`), and an instantiation that leaves
 * it out is an error naming it. One exception follows Hale: a record parameter whose fields all
 * have defaults defaults to that record with its defaults (`Config { }`).
 *
 * A locus-typed parameter given a literal holds a child, born with its holder (as with a
 * default); given any other locus value (a `let`, a parameter, `self`) it refers to that locus,
 * which stays its own holder's: it is neither born again nor dissolved with the new locus, and
 * such a parameter is never replaced by assignment. */
#include <string.h>

#include "check.h"

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

int ck_param_is_reference(hc_decl *locus, const char *name) {
    for (int a = 0; a < locus->members.n; a++) {
        hc_decl *m = locus->members.v[a];
        for (int i = 0; m->kind == M_PARAMS && i < m->lparams.n; i++) {
            hc_locus_param *lp = &m->lparams.v[i];
            if (strcmp(lp->name.name, name) == 0) {
                return !lp->value && !lp->inferred && lp->ty &&
                       (lp->ty->kind == TY_LOCUS || lp->ty->kind == TY_IFACE);
            }
        }
    }
    return 0;
}
