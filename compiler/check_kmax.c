/* `self.k_max`: Hale's built-in computed field of a locus that declares the framework parameters
 * `B`, `c`, `sigma` and `phi`, the bound B / ((1 - phi) * c + phi * sigma) read from their
 * current values (they are mutable, so the bound moves with them).
 *
 * The read is rewritten, once checked, into the call std::math::k_max(r.B, r.c, r.sigma, r.phi)
 * on the same receiver, so the emitter and the analyses see an ordinary call; the runtime faults
 * on a zero denominator instead of producing infinity. A locus without the four parameters has no
 * `k_max`, which the caller reports as an unknown field. */
#include <string.h>

#include "check_impl.h"

static const char *kmax_params[] = {"B", "c", "sigma", "phi"};

hc_type *ck_k_max(hc_ctx *c, hc_expr *e, hc_type *locus) {
    int idx;
    hc_type *pt;
    if (strcmp(e->field.name, "k_max") != 0 || locus->kind != TY_LOCUS) {
        return NULL;
    }
    for (int i = 0; i < 4; i++) {
        if (!ck_locus_param(locus->decl, kmax_params[i], &idx, &pt) || !hc_ty_is_numeric(pt)) {
            return NULL;
        }
    }
    hc_arena *a = c->P->a;
    hc_expr *recv = e->lhs;
    hc_expr *callee = HC_NEW(a, hc_expr);
    hc_ident *seg = hc_alloc(a, 3 * sizeof *seg);
    seg[0] = (hc_ident){"std", e->field.pos};
    seg[1] = (hc_ident){"math", e->field.pos};
    seg[2] = (hc_ident){"k_max", e->field.pos};
    callee->kind = E_NAME;
    callee->pos = e->field.pos;
    callee->path = (hc_path){seg, 3, e->field.pos};
    hc_exprs args = {0};
    for (int i = 0; i < 4; i++) {
        hc_expr *f = HC_NEW(a, hc_expr);
        f->kind = E_FIELD;
        f->pos = e->pos;
        f->lhs = recv;
        f->field = (hc_ident){kmax_params[i], e->field.pos};
        f->depth = recv->depth + 1;
        HC_PUSH(a, args, f);
    }
    int depth = e->depth + 2;
    memset(&e->field, 0, sizeof e->field);
    e->kind = E_CALL;
    e->lhs = callee;
    e->args = args;
    e->depth = depth;
    return ck_expr(c, e, NULL);
}
