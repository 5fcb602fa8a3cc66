/* See emit.h. This file: statements, blocks and function bodies, including the scratch
 * discipline: a function that allocates marks its scratch side on entry, copies a heap result
 * into the caller's side and resets on exit; a loop whose iterations keep nothing resets its
 * side at the top of every iteration, so a long-running loop does not grow. */
#include <stdio.h>
#include <string.h>

#include "emit_impl.h"

static void nl(hc_emit *E, hc_buf *b) {
    hc_buf_puts(b, "\n");
    em_indent(E, b);
}

/* A fresh value owns its arrays; anything else is copied before a mutable binding may change
 * it, so Hale's value semantics hold for arrays (which share their elements in C). */
static int fresh(hc_expr *e) {
    return e->kind == E_ARRAY || e->kind == E_REPEAT;
}

static void em_copy_if_needed(hc_emit *E, hc_buf *b, hc_expr *value, hc_type *t, int mutable) {
    int shared = mutable && hc_ty_has_array(t) && !fresh(value);
    /* a value read out of a locus's state (or a view of its text): the locus may replace it
     * (em_copy_fn has no copy for a flat value or a locus) */
    const char *cp = shared || em_text_of_locus(value) ? em_copy_fn(E, t) : NULL;
    if (cp) {
        hc_buf_printf(b, "%s(hm, ", cp);
    }
    em_value(E, b, value, t);
    if (cp) {
        hc_buf_puts(b, ")");
    }
}

void em_block_stmts(hc_emit *E, hc_buf *b, hc_block *blk) {
    for (int i = 0; i < blk->stmts.n; i++) {
        if (!blk->stmts.v[i]->unreachable) {
            em_stmt(E, b, blk->stmts.v[i]);
        }
    }
}

void em_block_into(hc_emit *E, hc_buf *b, hc_block *blk, const char *dst, hc_type *want) {
    E->indent++;
    em_block_stmts(E, b, blk);
    if (blk->tail && !blk->tail_unreachable) {
        nl(E, b);
        if (dst && em_has_value(want) && em_has_value(blk->tail->ty)) {
            hc_buf_printf(b, "%s = ", dst);
            em_expr(E, b, blk->tail);
        } else if (em_has_value(blk->tail->ty)) {
            hc_buf_puts(b, "(void)(");
            em_expr(E, b, blk->tail);
            hc_buf_puts(b, ")");
        } else {
            em_expr(E, b, blk->tail);
        }
        hc_buf_puts(b, ";");
    }
    E->indent--;
}

/* ---- leaving a function ---- */

void em_return(hc_emit *E, hc_buf *b, hc_expr *value) {
    if (value && E->fn == E->P->main_fn && value->ty->kind == TY_INT &&
        !em_has_value(E->fn->ret_ty)) {
        /* `return n;` from main: the exit status */
        hc_buf_puts(b, "{ hale_set_exit_status(");
        em_expr(E, b, value);
        hc_buf_puts(b, "); ");
        em_return(E, b, NULL);
        hc_buf_puts(b, " }");
        return;
    }
    int val = value && em_has_value(value->ty) && em_has_value(E->fn->ret_ty);
    if (E->direct_return) {
        if (val) {
            hc_buf_puts(b, "return ");
            em_value(E, b, value, E->fn->ret_ty);
            hc_buf_puts(b, ";");
        } else {
            if (value) {
                em_expr(E, b, value);
                hc_buf_puts(b, "; ");
            }
            hc_buf_puts(b, "return;");
        }
        return;
    }
    hc_buf_puts(b, "{ ");
    if (val) {
        hc_buf_puts(b, "hres_v = ");
        em_value(E, b, value, E->fn->ret_ty);
        hc_buf_puts(b, "; ");
    } else if (value) {
        em_expr(E, b, value);
        hc_buf_puts(b, "; ");
    }
    hc_buf_puts(b, "goto hexit; }");
}

void em_fail(hc_emit *E, hc_buf *b, const char *err_value) {
    (void)E;
    hc_buf_printf(b, "{ herr_v = %s; hok = false; goto hexit; }", err_value);
}

void em_raise(hc_emit *E, hc_buf *b, hc_expr *at, const char *err, hc_type *err_ty) {
    if (E->fallible && E->fn->err_ty == err_ty) {
        em_fail(E, b, err);
        return;
    }
    hc_buf_printf(b, "{ hale_sbuf hsb = {0}; %s(&hsb, %s, 0); hale_fault_unhandled(%s, ",
                  em_fmt_fn(E, err_ty), err, em_loc_text(E, at->pos));
    em_c_string(b, err_ty->decl ? err_ty->decl->name.name : "error",
                (int64_t)strlen(err_ty->decl ? err_ty->decl->name.name : "error"));
    hc_buf_puts(b, ", &hsb); }");
}

/* ---- statements ---- */

static void em_let(hc_emit *E, hc_buf *b, hc_stmt *s) {
    hc_local *l = s->local;
    if (!em_has_value(l->ty)) {
        em_expr(E, b, s->expr);
        hc_buf_puts(b, ";");
        return;
    }
    hc_buf_printf(b, "%s v%d_%s = ", em_ctype(E, l->ty), l->id, l->name);
    if (s->expr->kind == E_STRUCT && s->expr->decl && s->expr->decl->kind == D_LOCUS) {
        /* a function that returns a locus may return this one: it outlives the call */
        hc_type *rt = E->fn ? E->fn->ret_ty : NULL;
        int keep = rt && (rt->kind == TY_LOCUS || rt->kind == TY_IFACE);
        const char *how = keep ? "HALE_HOW_FIELD" : "HALE_HOW_LET";
        hc_decl *d = s->expr->decl;
        if (s->expr->iface) {
            em_iface_value(E, b, s->expr, s->expr->iface, how); /* the binding's interface */
        } else {
            if (!keep && E->loop_depth == 0 && E->frame_decls && em_locus_light(E, d)) {
                /* its state lives in the function's frame, which outlives the binding; outside
                 * a loop, so one state per binding */
                E->light_let = em_tmp(E, "hls");
                hc_buf_printf(E->frame_decls, "\n    %s %s;", em_locus_struct(E, d->ty),
                              E->light_let);
            }
            em_locus_lit(E, b, s->expr, E->at_text, NULL, how, NULL);
            E->light_let = NULL;
        }
    } else {
        em_copy_if_needed(E, b, s->expr, l->ty, s->is_mut);
    }
    hc_buf_printf(b, "; (void)v%d_%s;", l->id, l->name);
}

/* The cell handle a place is inside (`c.f`, `c.f.g`), or NULL. */
static hc_expr *place_cell(hc_expr *e) {
    while (e->kind == E_FIELD || e->kind == E_INDEX) {
        if (e->lhs->ty && e->lhs->ty->kind == TY_CELL) {
            return e->lhs;
        }
        e = e->lhs;
    }
    return NULL;
}

/* `place = value` where the place is inside a cell or a locus's state and the value has heap
 * parts: the new value is copied into the cell's or the locus's heap and the old one given back
 * to it. Returns 0 when the place is neither. */
static int em_assign_into_locus(hc_emit *E, hc_buf *b, hc_stmt *s) {
    hc_type *t = s->target->ty;
    if (!t->heap) {
        return 0;
    }
    hc_expr *cell = place_cell(s->target);
    hc_expr *owner = cell ? NULL : em_place_locus(s->target);
    if (!cell && (!owner || t->kind == TY_LOCUS)) {
        return 0;
    }
    const char *ct = em_ctype(E, t);
    hc_buf_printf(b, "{ %s *hp = &(", ct);
    em_place(E, b, s->target);
    hc_buf_printf(b, "); %s hnv = ", ct);
    if (s->op == OP_ADD && t->kind == TY_STRING) {
        hc_buf_puts(b, "hale_str_concat(hm, *hp, ");
        em_expr(E, b, s->expr);
        hc_buf_puts(b, ")");
    } else {
        em_value(E, b, s->expr, t);
    }
    if (cell) {
        hc_buf_puts(b, "; hale_cell_assign(");
        em_expr(E, b, cell);
        hc_buf_printf(b, ", hp, %s, &hnv, ", em_descriptor(E, t));
        em_loc(E, b, s->pos);
        hc_buf_puts(b, "); }");
    } else {
        hc_buf_printf(b, "; hale_value_replace_heap(%s, hp, &hnv, hale_locus_heap(&(",
                      em_descriptor(E, t));
        em_expr(E, b, owner);
        hc_buf_puts(b, ")->h)); }");
    }
    return 1;
}

static void em_assign(hc_emit *E, hc_buf *b, hc_stmt *s) {
    hc_type *t = s->target->ty;
    if (t->kind == TY_LOCUS && s->target->kind == E_FIELD && s->expr->kind == E_STRUCT) {
        em_locus_field_assign(E, b, s);
        return;
    }
    em_guard_own_before(E, b, s);
    if (em_escape_store(E, b, s) || em_assign_into_locus(E, b, s)) {
        return;
    }
    int simple =
        s->target->kind == E_NAME || (s->target->kind == E_FIELD && !em_has_effects(s->target));
    hc_buf place = {0};
    if (simple) {
        em_place(E, &place, s->target);
    } else {
        hc_buf_printf(b, "{ %s *hp = &(", em_ctype(E, t));
        em_place(E, b, s->target);
        hc_buf_puts(b, "); ");
        hc_buf_puts(&place, "(*hp)");
    }
    const char *p = hc_buf_cstr(&place);
    if (s->op == OP_NONE) {
        hc_buf_printf(b, "%s = ", p);
        em_copy_if_needed(E, b, s->expr, t, 1);
        hc_buf_puts(b, ";");
    } else if (t->kind == TY_STRING) {
        hc_buf_printf(b, "%s = hale_str_concat(hm, %s, ", p, p);
        em_expr(E, b, s->expr);
        hc_buf_puts(b, ");");
    } else if (t->kind == TY_DECIMAL) {
        static const char *fns[] = {[OP_ADD] = "hale_dec_add",
                                    [OP_SUB] = "hale_dec_sub",
                                    [OP_MUL] = "hale_dec_mul",
                                    [OP_DIV] = "hale_dec_div"};
        hc_buf_printf(b, "%s = %s(%s, ", p, fns[s->op], p);
        em_expr(E, b, s->expr);
        hc_buf_puts(b, ", ");
        em_loc(E, b, s->op_pos);
        hc_buf_puts(b, ");");
    } else if (t->kind == TY_FLOAT) {
        static const char *ops[] = {[OP_ADD] = "+", [OP_SUB] = "-", [OP_MUL] = "*", [OP_DIV] = "/"};
        hc_buf_printf(b, "%s = %s %s (", p, p, ops[s->op]);
        em_expr(E, b, s->expr);
        hc_buf_puts(b, ");");
    } else {
        static const char *fns[] = {
            [OP_ADD] = "hale_add_i", [OP_SUB] = "hale_sub_i", [OP_MUL] = "hale_mul_i",
            [OP_DIV] = "hale_div_i", [OP_MOD] = "hale_mod_i", [OP_SHL] = "hale_shl_i",
            [OP_SHR] = "hale_shr_i"};
        static const char *bits[] = {[OP_BITAND] = "&", [OP_BITOR] = "|", [OP_BITXOR] = "^"};
        if (s->op == OP_BITAND || s->op == OP_BITOR || s->op == OP_BITXOR) {
            hc_buf_printf(b, "%s = %s %s (", p, p, bits[s->op]);
            em_expr(E, b, s->expr);
            hc_buf_puts(b, ");");
        } else {
            hc_buf_printf(b, "%s = %s(%s, ", p, fns[s->op], p);
            em_expr(E, b, s->expr);
            if (s->op == OP_DIV || s->op == OP_MOD) {
                hc_buf_puts(b, ", ");
                em_loc(E, b, s->op_pos);
            }
            hc_buf_puts(b, ");");
        }
    }
    if (!simple) {
        hc_buf_puts(b, " }");
    }
    hc_buf_free(&place);
}

static void em_if_stmt(hc_emit *E, hc_buf *b, hc_expr *e) {
    hc_buf_puts(b, "if (");
    em_expr(E, b, e->lhs);
    hc_buf_puts(b, ") {");
    em_block_into(E, b, e->block, NULL, NULL);
    nl(E, b);
    hc_buf_puts(b, "}");
    if (e->rhs) {
        hc_buf_puts(b, " else ");
        if (e->rhs->kind == E_IF) {
            em_if_stmt(E, b, e->rhs);
        } else {
            hc_buf_puts(b, "{");
            em_block_into(E, b, e->rhs->block, NULL, NULL);
            nl(E, b);
            hc_buf_puts(b, "}");
        }
    }
}

/* Opens the per-iteration scratch mark of a loop that may reset; returns its name or NULL. */
static const char *loop_mark(hc_emit *E, hc_buf *b, hc_stmt *s) {
    if (!s->reset_per_iter || !E->allocating) {
        return NULL;
    }
    const char *m = em_tmp(E, "hl");
    hc_buf_printf(b, "{ hale_mark %s = hale_region_mark(hm); ", m);
    return m;
}

static void loop_body(hc_emit *E, hc_buf *b, hc_stmt *s, const char *mark, const char *pre) {
    hc_buf_puts(b, " {");
    E->indent++;
    if (mark) {
        nl(E, b);
        hc_buf_printf(b, "hale_region_reset(hm, %s);", mark);
    }
    if (pre) {
        nl(E, b);
        hc_buf_puts(b, pre);
    }
    E->indent--;
    E->loop_depth++;
    em_block_into(E, b, s->body, NULL, NULL);
    E->loop_depth--;
    nl(E, b);
    hc_buf_puts(b, "}");
    if (mark) {
        hc_buf_puts(b, " }");
    }
}

static void em_while(hc_emit *E, hc_buf *b, hc_stmt *s) {
    hc_buf cur = {0};
    int cursors = em_vec_cursors_open(E, &cur, s);
    if (cursors) {
        hc_buf_printf(b, "{ %s", hc_buf_cstr(&cur));
    }
    hc_buf_free(&cur);
    const char *mark = loop_mark(E, b, s);
    if (!mark) {
        hc_buf_puts(b, "while (");
        em_expr(E, b, s->expr);
        hc_buf_puts(b, ")");
        loop_body(E, b, s, NULL, NULL);
    } else {
        hc_buf cond = {0};
        hc_buf_puts(&cond, "if (!(");
        em_expr(E, &cond, s->expr);
        hc_buf_puts(&cond, ")) break;");
        hc_buf_puts(b, "for (;;)");
        loop_body(E, b, s, mark, hc_buf_cstr(&cond));
        hc_buf_free(&cond);
    }
    if (cursors) {
        hc_buf_puts(b, " }");
        em_vec_cursors_close(E, cursors);
    }
}

static void em_for(hc_emit *E, hc_buf *b, hc_stmt *s) {
    hc_local *v = s->local;
    hc_expr *it = s->expr;
    const char *vt = em_ctype(E, v->ty);
    const char *i = em_tmp(E, "hi");
    const char *end = em_tmp(E, "hend");
    char *pre;
    int cursors = 0;
    hc_buf_puts(b, "{ ");
    if (it->kind == E_RANGE) {
        hc_buf_printf(b, "int64_t %s = ", i);
        em_expr(E, b, it->lhs);
        hc_buf_printf(b, "; int64_t %s = ", end);
        em_expr(E, b, it->rhs);
        hc_buf_puts(b, "; ");
        cursors = em_vec_cursors_open(E, b, s);
        const char *mark = loop_mark(E, b, s);
        pre = hc_sprintf(E->a, "int64_t v%d_%s = %s; (void)v%d_%s;", v->id, v->name, i, v->id,
                         v->name);
        if (it->inclusive) {
            const char *done = em_tmp(E, "hdone");
            hc_buf_printf(b, "for (int %s = %s > %s; !%s; %s = %s == %s, %s += !%s)", done, i, end,
                          done, done, i, end, i, done);
        } else {
            hc_buf_printf(b, "for (; %s < %s; %s++)", i, end, i);
        }
        loop_body(E, b, s, mark, pre);
    } else if (it->kind == E_FIELD && it->ref == REF_CHILDREN_COUNT) {
        /* the accepted children, in creation order */
        const char *ty = em_ctype(E, v->ty);
        const char *mark = loop_mark(E, b, s);
        const char *desc = hc_sprintf(E->a, "&hlt_%d", v->ty->id);
        hc_buf_printf(b,
                      "for (hale_locus *%s = hale_locus_next_child(&%s->h, NULL, %s); %s; %s = "
                      "hale_locus_next_child(&%s->h, %s, %s))",
                      i, E->self_text, desc, i, i, E->self_text, i, desc);
        pre = hc_sprintf(E->a, "%s v%d_%s = (%s)%s; (void)v%d_%s;", ty, v->id, v->name, ty, i,
                         v->id, v->name);
        loop_body(E, b, s, mark, pre);
    } else if (it->kind == E_FIELD && it->ref == REF_FORM) {
        /* a form's elements, borrowed in place (the body must not change the form) */
        hc_form *F = it->lhs->ty->decl->form;
        const char *lv = em_tmp(E, "hfv");
        hc_buf_printf(b, "%s *%s = &(", F->kind == FORM_VEC ? "hale_vec" : "hale_hashmap", lv);
        em_expr(E, b, it->lhs);
        hc_buf_puts(b, ")->hf; ");
        const char *mark = loop_mark(E, b, s);
        if (F->kind == FORM_VEC) {
            pre = hc_sprintf(E->a, "%s v%d_%s = *(%s *)hale_vec_at(%s, %s); (void)v%d_%s;", vt,
                             v->id, v->name, vt, lv, i, v->id, v->name);
            hc_buf_printf(b, "for (int64_t %s = 0; %s < %s->len; %s++)", i, i, lv, i);
        } else {
            const char *ep = em_tmp(E, "hfe");
            hc_buf_printf(b, "int64_t %s = 0; void *%s; ", i, ep);
            pre = hc_sprintf(E->a, "%s v%d_%s = *(%s *)%s; (void)v%d_%s;", vt, v->id, v->name, vt,
                             ep, v->id, v->name);
            hc_buf_printf(b, "while ((%s = hale_hashmap_next(%s, &%s)))", ep, lv, i);
        }
        loop_body(E, b, s, mark, pre);
    } else {
        hc_type *ct = it->ty;
        if (ct->kind == TY_ARRAY) {
            hc_buf_printf(b, "hale_array %s = ", end);
            em_expr(E, b, it);
            hc_buf_puts(b, "; ");
            pre = hc_sprintf(E->a, "%s v%d_%s = ((%s *)%s.data)[%s]; (void)v%d_%s;", vt, v->id,
                             v->name, vt, end, i, v->id, v->name);
        } else {
            hc_buf_printf(b, "%s %s = ", em_ctype(E, ct), end);
            em_expr(E, b, it);
            hc_buf_puts(b, "; ");
            pre = hc_sprintf(E->a, "%s v%d_%s = %s.items[%s]; (void)v%d_%s;", vt, v->id, v->name,
                             end, i, v->id, v->name);
        }
        const char *mark = loop_mark(E, b, s);
        hc_buf_printf(b, "for (int64_t %s = 0; %s < %s.len; %s++)", i, i, end, i);
        loop_body(E, b, s, mark, pre);
    }
    em_vec_cursors_close(E, cursors);
    hc_buf_puts(b, " }");
}

void em_stmt(hc_emit *E, hc_buf *b, hc_stmt *s) {
    nl(E, b);
    switch (s->kind) {
    case S_REPERSPECTIVE:
        em_reperspective(E, b, s);
        return;
    case S_LET:
        em_let(E, b, s);
        return;
    case S_ASSIGN:
        em_assign(E, b, s);
        return;
    case S_EXPR:
        if (s->expr->kind == E_STRUCT && s->expr->decl && s->expr->decl->kind == D_LOCUS) {
            hc_buf_puts(b, "(void)");
            E->light_stmt = 1;
            em_locus_lit(E, b, s->expr, E->at_text, NULL, "HALE_HOW_STMT", NULL);
            E->light_stmt = 0;
            hc_buf_puts(b, ";");
        } else if (em_has_value(s->expr->ty)) {
            hc_buf_puts(b, "(void)(");
            em_expr(E, b, s->expr);
            hc_buf_puts(b, ");");
        } else {
            em_expr(E, b, s->expr);
            hc_buf_puts(b, ";");
        }
        return;
    case S_IF:
        em_if_stmt(E, b, s->expr);
        return;
    case S_WHILE:
        em_while(E, b, s);
        return;
    case S_FOR:
        em_for(E, b, s);
        return;
    case S_RETURN:
        em_return(E, b, s->expr);
        return;
    case S_BREAK:
        hc_buf_puts(b, "break;");
        return;
    case S_CONTINUE:
        hc_buf_puts(b, "continue;");
        return;
    case S_BLOCK:
        hc_buf_puts(b, "{");
        em_block_into(E, b, s->body, NULL, NULL);
        nl(E, b);
        hc_buf_puts(b, "}");
        return;
    case S_FAIL: {
        hc_buf v = {0};
        em_value(E, &v, s->expr, E->fn->err_ty);
        em_fail(E, b, hc_buf_cstr(&v));
        hc_buf_free(&v);
        return;
    }
    case S_SEND:
        em_send(E, b, s);
        return;
    case S_YIELD:
    case S_TERMINATE:
    case S_RECOVERY:
    case S_VIOLATE:
        em_locus_stmt(E, b, s);
        return;
    }
}

/* ---- functions ---- */

/* Hooks the runtime calls take untyped pointers (hale_hook_fn and friends in locus.h). */
static int is_hook(hc_decl *fn) {
    return fn->locus && (fn->kind == M_LIFECYCLE || fn->kind == M_FAILURE);
}

static void signature(hc_emit *E, hc_buf *b, hc_decl *fn) {
    if (is_hook(fn)) {
        hc_buf_printf(b, "static void %s(hale_region *ho, hale_region *hm, void *hself%s%s)",
                      em_fn_name(E, fn), fn->params.n ? ", void *hchild" : "",
                      fn->kind == M_FAILURE ? ", const hale_violation *hv" : "");
        return;
    }
    int fallible = fn->err_ty != NULL;
    hc_type *rt = fn->ret_ty;
    hc_buf_printf(b, "static %s %s(hale_region *ho, hale_region *hm",
                  fallible ? "bool" : em_ctype(E, rt), em_fn_name(E, fn));
    if (fn->locus) {
        hc_buf_printf(b, ", %s *self", em_locus_struct(E, fn->locus->ty));
    }
    if (fallible) {
        if (em_has_value(rt)) {
            hc_buf_printf(b, ", %s *hres", em_ctype(E, rt));
        }
        hc_buf_printf(b, ", %s *herr", em_ctype(E, fn->err_ty));
    }
    for (int i = 0; i < fn->params.n; i++) {
        hc_local *l = fn->params.v[i].local;
        hc_buf_printf(b, ", %s v%d_%s", em_ctype(E, fn->ty->items[i]), l->id, l->name);
    }
    if (fn->takes_origin) {
        hc_buf_puts(b, ", hale_origin *hgo"); /* where the delivered payload lives (guard.h) */
    }
    hc_buf_puts(b, ")");
}

/* The typed views of a hook's untyped arguments. */
static void hook_prologue(hc_emit *E, hc_buf *b, hc_decl *fn) {
    hc_buf_printf(b, "\n    %s *self = hself;", em_locus_struct(E, fn->locus->ty));
    if (fn->params.n >= 1) {
        hc_local *c = fn->params.v[0].local;
        hc_buf_printf(b, "\n    %s v%d_%s = hchild; (void)v%d_%s;", em_ctype(E, c->ty), c->id,
                      c->name, c->id, c->name);
    }
    if (fn->kind == M_FAILURE && fn->params.n == 2) {
        hc_local *e = fn->params.v[1].local;
        const char *v = hc_sprintf(E->a, "v%d_%s", e->id, e->name);
        hc_buf_printf(b, "\n    %s %s = %s;", em_ctype(E, e->ty), v, em_zero(E, e->ty));
        static const char *strs[] = {"locus", "closure", "epoch", "path", "captures", "message"};
        static const char *nums[] = {"left", "right", "tolerance", "diff"};
        for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
            hc_buf_printf(b, " %s.%s = hv->%s;", v, em_field(E, strs[i]), strs[i]);
        }
        for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
            hc_buf_printf(b, " %s.%s = hv->%s;", v, em_field(E, nums[i]), nums[i]);
        }
        hc_buf_printf(b, " (void)%s;", v);
    }
}

void em_function(hc_emit *E, hc_decl *fn) {
    E->fn = fn;
    E->allocating = fn->allocates;
    if (fn->locus && fn->ret_ty && fn->ret_ty->heap) {
        E->allocating = 1; /* a method's result is copied out of the locus's state */
    }
    E->fallible = fn->err_ty != NULL;
    E->has_defer = fn->has_loci;
    E->publishes = em_fn_publishes(E, fn);
    E->direct_return = !E->allocating && !E->fallible && !E->has_defer && !E->publishes;
    E->unsupported_kinds = 0;
    E->indent = 1;
    E->self_text = fn->locus ? "self" : NULL;
    E->at_text = fn->locus ? "&self->h" : "NULL";
    hc_type *rt = fn->ret_ty;
    int val = em_has_value(rt);
    signature(E, &E->protos, fn);
    hc_buf_puts(&E->protos, ";\n");
    hc_buf *b = &E->funcs;
    signature(E, b, fn);
    hc_buf_puts(b, " {\n    (void)ho;\n    (void)hm;");
    if (is_hook(fn)) {
        hook_prologue(E, b, fn);
    }
    if (E->allocating) {
        hc_buf_puts(b, "\n    hale_mark hmk = hale_region_mark(hm);");
    }
    /* the body goes to a buffer of its own, so that the states of light loci (em_let) can be
     * declared at the top of the function */
    hc_buf *out = b, body = {0}, decls = {0};
    b = &body;
    E->frame_decls = &decls;
    em_hoist_owners(E, b, fn);
    if (E->has_defer) {
        hc_buf_puts(b, "\n    hale_locus *hdefer = NULL;");
    }
    if (!E->direct_return) {
        if (val) {
            hc_buf_printf(b, "\n    %s hres_v = %s;", em_ctype(E, rt), em_zero(E, rt));
        }
        if (E->fallible) {
            hc_buf_printf(b, "\n    %s herr_v = %s;\n    bool hok = true;", em_ctype(E, fn->err_ty),
                          em_zero(E, fn->err_ty));
        }
    }
    em_block_stmts(E, b, fn->body);
    if (fn->body->tail && !fn->body->tail_unreachable) {
        nl(E, b);
        em_return(E, b, fn->body->tail);
    }
    if (!E->direct_return) {
        hc_buf_puts(b, "\n    goto hexit;\nhexit:");
        if (E->fallible) {
            const char *ec = E->allocating ? em_copy_fn(E, fn->err_ty) : NULL;
            const char *rc = E->allocating && val ? em_copy_fn(E, rt) : NULL;
            hc_buf_puts(b, "\n    if (hok) {");
            if (val) {
                hc_buf_printf(b, " *hres = %s%shres_v%s;", rc ? rc : "", rc ? "(ho, " : "",
                              rc ? ")" : "");
            }
            hc_buf_printf(b, " } else { *herr = %s%sherr_v%s; }", ec ? ec : "", ec ? "(ho, " : "",
                          ec ? ")" : "");
        } else if (val && E->allocating && em_copy_fn(E, rt)) {
            hc_buf_printf(b, "\n    hres_v = %s(ho, hres_v);", em_copy_fn(E, rt));
        }
        if (E->publishes) {
            /* what this function published is delivered as it returns (Hale's drain at scope
             * exit), before the loci it held dissolve */
            hc_buf_puts(b, "\n    hale_bus_settle_point();");
        }
        if (E->has_defer) {
            hc_buf_puts(b, "\n    if (hdefer) hale_locus_flush(&hdefer);");
        }
        if (E->allocating) {
            hc_buf_puts(b, "\n    hale_region_reset(hm, hmk);");
        }
        if (E->fallible) {
            hc_buf_puts(b, "\n    return hok;");
        } else if (val) {
            hc_buf_puts(b, "\n    return hres_v;");
        }
    }
    hc_buf_puts(b, "\n}\n\n");
    hc_buf_puts(out, hc_buf_cstr(&decls));
    hc_buf_puts(out, hc_buf_cstr(&body));
    hc_buf_free(&decls);
    hc_buf_free(&body);
    E->frame_decls = NULL;
    E->fn = NULL;
    E->self_text = NULL;
    E->at_text = "NULL";
    E->has_defer = 0;
}
