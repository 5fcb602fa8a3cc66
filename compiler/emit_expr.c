/* See emit.h. This file: expressions. Each construct has its own function; GNU statement
 * expressions (`({ ... })`, supported by gcc and clang in C11 mode) give every construct a
 * place for its temporaries, which also fixes Hale's left-to-right evaluation order where C
 * leaves it unspecified (arguments, operands, initialisers). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "emit_impl.h"

static void em_call(hc_emit *E, hc_buf *b, hc_expr *e);
static void em_or(hc_emit *E, hc_buf *b, hc_expr *e);
static void em_match(hc_emit *E, hc_buf *b, hc_expr *e, const char *dst, hc_type *want);

void em_loc(hc_emit *E, hc_buf *b, hc_pos at) {
    const char *file = hc_diag_source_name(E->P->d, at.file);
    hc_buf s = {0};
    hc_buf_printf(&s, "%s:%d:%d", file, at.line, at.col);
    em_c_string(b, s.p, (int64_t)s.len);
    hc_buf_free(&s);
}

const char *em_loc_text(hc_emit *E, hc_pos at) {
    hc_buf t = {0};
    em_loc(E, &t, at);
    const char *s = hc_strdup(E->a, hc_buf_cstr(&t));
    hc_buf_free(&t);
    return s;
}

int em_has_effects(hc_expr *e) {
    if (!e) {
        return 0;
    }
    switch (e->kind) {
    case E_CALL:
    case E_OR:
    case E_BLOCK:
    case E_IF:
    case E_MATCH:
        return 1;
    case E_STRUCT:
        for (int i = 0; i < e->inits.n; i++) {
            if (em_has_effects(e->inits.v[i].value)) {
                return 1;
            }
        }
        return 0;
    case E_ARRAY:
    case E_TUPLE:
    case E_FSTRING:
        for (int i = 0; i < e->args.n; i++) {
            if (em_has_effects(e->args.v[i])) {
                return 1;
            }
        }
        return 0;
    default:
        return em_has_effects(e->lhs) || em_has_effects(e->rhs) || em_has_effects(e->third);
    }
}

static int is_place(hc_expr *e) {
    while (e->kind == E_FIELD || e->kind == E_INDEX) {
        if (e->kind == E_FIELD && (e->ref == REF_DRAINING || e->ref == REF_CHILDREN_COUNT ||
                                   e->ref == REF_CHILDREN_EMPTY)) {
            return 0;
        }
        if (e->kind == E_FIELD && e->lhs->ty &&
            (e->lhs->ty->kind == TY_LOCUS || e->lhs->ty->kind == TY_CELL)) {
            return 1; /* a field of a locus's state or of a cell: an lvalue through a pointer */
        }
        e = e->lhs;
    }
    return (e->kind == E_NAME && e->ref == REF_LOCAL) || e->kind == E_SELF;
}

static void sub(hc_emit *E, hc_buf *b, hc_expr *e) {
    hc_buf_puts(b, "(");
    em_expr(E, b, e);
    hc_buf_puts(b, ")");
}

const char *em_value_text(hc_emit *E, hc_expr *e, hc_type *want) {
    hc_buf t = {0};
    em_value(E, &t, e, want);
    const char *s = hc_strdup(E->a, hc_buf_cstr(&t));
    hc_buf_free(&t);
    return s;
}

const char *em_text(hc_emit *E, hc_expr *e) {
    return em_value_text(E, e, NULL);
}

static const char *place_str(hc_emit *E, hc_expr *e) {
    hc_buf t = {0};
    em_place(E, &t, e);
    const char *s = hc_strdup(E->a, hc_buf_cstr(&t));
    hc_buf_free(&t);
    return s;
}

/* A pointer to the value of `e`: its address when it is a place, else a compound literal. */
static const char *addr_str(hc_emit *E, hc_expr *e) {
    if (is_place(e)) {
        return hc_sprintf(E->a, "&(%s)", place_str(E, e));
    }
    return hc_sprintf(E->a, "((%s[]){%s})", em_ctype(E, e->ty), em_text(E, e));
}

void em_value(hc_emit *E, hc_buf *b, hc_expr *e, hc_type *want) {
    if (e->ty && e->ty->kind == TY_NEVER && want && want->kind != TY_UNIT &&
        want->kind != TY_NEVER) {
        hc_buf_puts(b, "({ ");
        em_expr(E, b, e);
        hc_buf_printf(b, "; %s; })", em_zero(E, want));
        return;
    }
    em_expr(E, b, e);
}

/* ---- names and literals ---- */

static void em_local(hc_buf *b, hc_local *l) {
    hc_buf_printf(b, "v%d_%s", l->id, l->name);
}

static void em_name(hc_emit *E, hc_buf *b, hc_expr *e) {
    switch (e->ref) {
    case REF_LOCAL:
        em_local(b, e->local);
        return;
    case REF_CONST:
        if (e->decl->const_value) {
            em_expr(E, b, e->decl->const_value);
        } else {
            hc_buf_puts(b, "0");
        }
        return;
    case REF_FN:
        hc_buf_puts(b, em_fn_name(E, e->decl));
        return;
    case REF_VARIANT:
        em_enum_value(E, b, e->ty, e->variant, NULL);
        return;
    case REF_TOPIC:
        em_unsupported(E, e->pos, "topics as values");
        hc_buf_puts(b, "0");
        return;
    default:
        em_unsupported(E, e->pos, "this name");
        hc_buf_puts(b, "0");
    }
}

static void em_fstring(hc_emit *E, hc_buf *b, hc_expr *e) {
    int n = e->args.n;
    hc_buf_printf(b, "({ hale_str hp[%d]; ", n);
    for (int i = 0; i < n; i++) {
        hc_expr *part = e->args.v[i];
        hc_buf_printf(b, "hp[%d] = ", i);
        if (part->ty->kind == TY_STRING) {
            em_expr(E, b, part);
        } else {
            hc_buf_puts(b, "({ hale_sbuf hsb = {0}; ");
            hc_buf_printf(b, "%s(&hsb, ", em_fmt_fn(E, part->ty));
            em_expr(E, b, part);
            hc_buf_puts(b, ", 0); hale_sbuf_take(hm, &hsb); })");
        }
        hc_buf_puts(b, "; ");
    }
    hc_buf_printf(b, "hale_str_concat_n(hm, hp, %d); })", n);
}

/* ---- operators ---- */

static void em_unary(hc_emit *E, hc_buf *b, hc_expr *e) {
    switch (e->op) {
    case OP_NEG:
        if (e->lhs->kind == E_INT && e->lhs->neg_min) {
            hc_buf_puts(b, "INT64_MIN");
        } else if (e->ty->kind == TY_DECIMAL) {
            hc_buf_puts(b, "hale_dec_neg(");
            em_expr(E, b, e->lhs);
            hc_buf_printf(b, ", %s)", em_loc_text(E, e->pos));
        } else if (e->ty->kind == TY_FLOAT) {
            hc_buf_puts(b, "(-");
            sub(E, b, e->lhs);
            hc_buf_puts(b, ")");
        } else {
            hc_buf_puts(b, "hale_neg_i(");
            em_expr(E, b, e->lhs);
            hc_buf_puts(b, ")");
        }
        return;
    case OP_NOT:
        hc_buf_puts(b, "(!");
        sub(E, b, e->lhs);
        hc_buf_puts(b, ")");
        return;
    default:
        hc_buf_puts(b, "(~");
        sub(E, b, e->lhs);
        hc_buf_puts(b, ")");
        return;
    }
}

static void concat_parts(hc_expr *e, hc_exprs *out, hc_arena *a) {
    if (e->kind == E_BINARY && e->op == OP_ADD && e->ty && e->ty->kind == TY_STRING && !e->widen) {
        concat_parts(e->lhs, out, a);
        concat_parts(e->rhs, out, a);
        return;
    }
    HC_PUSH(a, *out, e);
}

static void em_concat(hc_emit *E, hc_buf *b, hc_expr *e) {
    hc_exprs parts = {0};
    concat_parts(e, &parts, E->a);
    if (parts.n == 2 && !(em_has_effects(parts.v[0]) && em_has_effects(parts.v[1]))) {
        hc_buf_puts(b, "hale_str_concat(hm, ");
        em_expr(E, b, parts.v[0]);
        hc_buf_puts(b, ", ");
        em_expr(E, b, parts.v[1]);
        hc_buf_puts(b, ")");
        return;
    }
    hc_buf_printf(b, "({ hale_str hp[%d]; ", parts.n);
    for (int i = 0; i < parts.n; i++) {
        hc_buf_printf(b, "hp[%d] = ", i);
        em_expr(E, b, parts.v[i]);
        hc_buf_puts(b, "; ");
    }
    hc_buf_printf(b, "hale_str_concat_n(hm, hp, %d); })", parts.n);
}

static const char *c_op(hc_op op) {
    static const char *t[] = {"",   "+",  "-",  "*",  "/", "%", "&&", "||", "&", "|", "^",
                              "<<", ">>", "==", "!=", "<", ">", "<=", ">=", "-", "!", "~"};
    return t[op];
}

/* A Decimal literal: its scale-9 mantissa (check_decimal.c read and checked the text). */
static void em_decimal_lit(hc_buf *b, hc_expr *e) {
    int64_t hi = 0;
    uint64_t lo = 0;
    (void)hc_decimal_literal(e->str, &hi, &lo);
    if (hi == 0 && lo <= (uint64_t)INT64_MAX) {
        hc_buf_printf(b, "((hale_dec)INT64_C(%lld))", (long long)lo);
    } else {
        hc_buf_printf(b, "hale_dec_make(INT64_C(%lld), UINT64_C(%llu))", (long long)hi,
                      (unsigned long long)lo);
    }
}

/* Decimal + - * /: the runtime's checked operations (runtime/decimal.h). */
static const char *decimal_fn(hc_op op) {
    switch (op) {
    case OP_ADD:
        return "hale_dec_add";
    case OP_SUB:
        return "hale_dec_sub";
    case OP_MUL:
        return "hale_dec_mul";
    case OP_DIV:
        return "hale_dec_div";
    default:
        return NULL;
    }
}

/* Writes `op(a, b)` for already-emitted operand texts. */
static void apply_op(hc_emit *E, hc_buf *b, hc_expr *e, const char *x, const char *y) {
    hc_type *lt = e->lhs->ty, *rt = e->rhs->ty;
    if (lt->kind == TY_DECIMAL && decimal_fn(e->op)) {
        hc_buf_printf(b, "%s(%s, %s, %s)", decimal_fn(e->op), x, y, em_loc_text(E, e->pos));
        return;
    }
    int fl = lt->kind == TY_FLOAT || rt->kind == TY_FLOAT || e->lhs->widen || e->rhs->widen;
    hc_op op = e->op;
    if (op == OP_EQ || op == OP_NE || op == OP_LT || op == OP_GT || op == OP_LE || op == OP_GE) {
        if (lt->kind == TY_STRING || lt->kind == TY_TIME) {
            if (op == OP_EQ || op == OP_NE) {
                hc_buf_printf(b, "(%shale_str_eq(%s, %s))", op == OP_NE ? "!" : "", x, y);
            } else {
                hc_buf_printf(b, "(hale_str_cmp(%s, %s) %s 0)", x, y, c_op(op));
            }
            return;
        }
        const char *eq = fl ? NULL : em_eq_fn(E, lt);
        if (eq && (op == OP_EQ || op == OP_NE)) {
            hc_buf_printf(b, "(%s%s(%s, %s))", op == OP_NE ? "!" : "", eq, x, y);
            return;
        }
        hc_buf_printf(b, "((%s) %s (%s))", x, c_op(op), y);
        return;
    }
    if (fl) {
        hc_buf_printf(b, "((%s) %s (%s))", x, c_op(op), y);
        return;
    }
    switch (op) {
    case OP_ADD:
        hc_buf_printf(b, "hale_add_i(%s, %s)", x, y);
        break;
    case OP_SUB:
        hc_buf_printf(b, "hale_sub_i(%s, %s)", x, y);
        break;
    case OP_MUL:
        hc_buf_printf(b, "hale_mul_i(%s, %s)", x, y);
        break;
    case OP_DIV:
    case OP_MOD:
        hc_buf_printf(b, "hale_%s_i(%s, %s, %s)", op == OP_DIV ? "div" : "mod", x, y,
                      em_loc_text(E, e->pos));
        break;
    case OP_SHL:
        hc_buf_printf(b, "hale_shl_i(%s, %s)", x, y);
        break;
    case OP_SHR:
        hc_buf_printf(b, "hale_shr_i(%s, %s)", x, y);
        break;
    default:
        hc_buf_printf(b, "((%s) %s (%s))", x, c_op(op), y);
    }
}

static void em_binary(hc_emit *E, hc_buf *b, hc_expr *e) {
    if (e->op == OP_ADD && e->ty->kind == TY_STRING) {
        em_concat(E, b, e);
        return;
    }
    if (e->op == OP_AND || e->op == OP_OR) {
        hc_buf_puts(b, "(");
        sub(E, b, e->lhs);
        hc_buf_printf(b, " %s ", c_op(e->op));
        sub(E, b, e->rhs);
        hc_buf_puts(b, ")");
        return;
    }
    if (em_has_effects(e->lhs) && em_has_effects(e->rhs)) {
        hc_type *lt = e->lhs->widen ? hc_ty_prim(E->P->types, TY_FLOAT) : e->lhs->ty;
        hc_type *rt = e->rhs->widen ? hc_ty_prim(E->P->types, TY_FLOAT) : e->rhs->ty;
        hc_buf_printf(b, "({ %s hx = %s; %s hy = %s; ", em_ctype(E, lt), em_text(E, e->lhs),
                      em_ctype(E, rt), em_text(E, e->rhs));
        apply_op(E, b, e, "hx", "hy");
        hc_buf_puts(b, "; })");
        return;
    }
    apply_op(E, b, e, em_text(E, e->lhs), em_text(E, e->rhs));
}

/* ---- fields, indexing, places ---- */

static void em_field_access(hc_emit *E, hc_buf *b, hc_expr *e, int place) {
    switch (e->ref) {
    case REF_DRAINING:
        hc_buf_printf(b, "hale_locus_draining(&(%s)->h)", em_text(E, e->lhs));
        return;
    case REF_CHILDREN_COUNT:
        hc_buf_printf(b, "(%s->h.accepted)", E->self_text);
        return;
    case REF_CHILDREN_EMPTY:
        hc_buf_printf(b, "(%s->h.accepted == 0)", E->self_text);
        return;
    default:
        break;
    }
    hc_type *t = e->lhs->ty;
    if ((t->kind == TY_LOCUS || e->lhs->kind == E_SELF) && em_guarded_field(E, e)) {
        em_guarded_read(E, b, e);
        return;
    }
    if (t->kind == TY_LOCUS || t->kind == TY_CELL || e->lhs->kind == E_SELF) {
        hc_buf_puts(b, "(");
        em_expr(E, b, e->lhs);
        hc_buf_printf(b, ")->%s", em_field(E, e->field.name));
        return;
    }
    hc_buf_puts(b, "(");
    if (place) {
        em_place(E, b, e->lhs);
    } else {
        em_expr(E, b, e->lhs);
    }
    if (t->kind == TY_TUPLE) {
        hc_buf_printf(b, ").f%d", e->field_index);
    } else {
        hc_buf_printf(b, ").%s", em_field(E, e->field.name));
    }
}

static void em_index(hc_emit *E, hc_buf *b, hc_expr *e, int place) {
    hc_type *t = e->lhs->ty;
    if (t->kind == TY_STRING) { /* slice */
        hc_expr *r = e->rhs;
        hc_buf_printf(b,
                      "({ hale_str hs = %s; int64_t hlo = %s; int64_t hhi = %s; "
                      "hale_str_slice(hs, hlo, hhi, %d); })",
                      em_text(E, e->lhs), em_text(E, r->lhs), em_text(E, r->rhs), r->inclusive);
        return;
    }
    const char *loc = em_loc_text(E, e->pos);
    const char *et = em_ctype(E, t->elem);
    const char *ix = em_text(E, e->rhs);
    if (place || is_place(e->lhs)) {
        const char *p = place_str(E, e->lhs);
        if (t->kind == TY_ARRAY) {
            hc_buf_printf(b,
                          "(*({ hale_array *ha = &(%s); int64_t hi = %s; &((%s *)ha->data)"
                          "[hale_check_index(hi, ha->len, %s)]; }))",
                          p, ix, et, loc);
        } else {
            hc_buf_printf(b,
                          "(*({ %s *hb = &(%s); int64_t hi = %s; &hb->items"
                          "[hale_check_index(hi, hb->len, %s)]; }))",
                          em_ctype(E, t), p, ix, loc);
        }
    } else if (t->kind == TY_ARRAY) {
        hc_buf_printf(b,
                      "({ hale_array ha = %s; int64_t hi = %s; ((%s *)ha.data)"
                      "[hale_check_index(hi, ha.len, %s)]; })",
                      em_text(E, e->lhs), ix, et, loc);
    } else {
        hc_buf_printf(b,
                      "({ %s hb = %s; int64_t hi = %s; hb.items[hale_check_index(hi, hb.len, "
                      "%s)]; })",
                      em_ctype(E, t), em_text(E, e->lhs), ix, loc);
    }
}

void em_place(hc_emit *E, hc_buf *b, hc_expr *e) {
    switch (e->kind) {
    case E_NAME:
        em_name(E, b, e);
        return;
    case E_FIELD:
        em_field_access(E, b, e, 1);
        return;
    case E_INDEX:
        em_index(E, b, e, 1);
        return;
    case E_SELF:
        hc_buf_puts(b, E->self_text ? E->self_text : "self");
        return;
    default:
        em_expr(E, b, e);
    }
}

/* ---- literals of composite values ---- */

static void em_array(hc_emit *E, hc_buf *b, hc_expr *e) {
    if (e->ty->kind == TY_BOUNDED) {
        hc_buf_printf(b, "({ %s hbl = {0}; ", em_ctype(E, e->ty));
        for (int i = 0; i < e->args.n; i++) {
            hc_buf_printf(b, "hbl.items[%d] = ", i);
            em_value(E, b, e->args.v[i], e->ty->elem);
            hc_buf_puts(b, "; ");
        }
        hc_buf_printf(b, "hbl.len = %d; hbl; })", e->args.n);
        return;
    }
    const char *et = em_ctype(E, e->ty->elem);
    hc_buf_printf(b, "({ hale_array ha = %s; ",
                  em_array_alloc(E, e, hc_sprintf(E->a, "%d", e->args.n), et));
    for (int i = 0; i < e->args.n; i++) {
        hc_buf_printf(b, "((%s *)ha.data)[%d] = ", et, i);
        em_value(E, b, e->args.v[i], e->ty->elem);
        hc_buf_puts(b, "; ");
    }
    hc_buf_puts(b, "ha; })");
}

static void em_repeat(hc_emit *E, hc_buf *b, hc_expr *e) {
    hc_type *elem = e->ty->elem;
    const char *et = em_ctype(E, elem);
    const char *cp = hc_ty_has_array(elem) ? em_copy_fn(E, elem) : NULL;
    hc_buf_printf(b,
                  "({ %s hv = %s; int64_t hn = %s; if (hn < 0) hale_fault(%s, \"negative "
                  "repeat count %%lld\", (long long)hn); hale_array ha = %s; for (int64_t i = 0; "
                  "i < hn; i++) ((%s *)ha.data)[i] = %s%shv%s; ha; })",
                  et, em_text(E, e->lhs), em_text(E, e->rhs), em_loc_text(E, e->pos),
                  em_array_alloc(E, e, "hn", et), et, cp ? cp : "", cp ? "(hm, " : "",
                  cp ? ")" : "");
}

static void em_struct(hc_emit *E, hc_buf *b, hc_expr *e) {
    hc_decl *d = e->decl;
    if (d && d->kind == D_LOCUS) {
        /* statement position, `let` and locus fields are lowered where they appear; a literal
         * used as a value (an argument, an element, a return) lives as long as the locus making
         * it (the program, outside every locus), like a field of it */
        em_locus_lit(E, b, e, E->at_text ? E->at_text : "NULL", NULL, "HALE_HOW_FIELD", NULL);
        return;
    }
    if (!d) {
        em_unsupported(E, e->pos, "this literal");
        hc_buf_puts(b, "0");
        return;
    }
    const char *ct = em_ctype(E, e->ty);
    hc_buf_printf(b, "({ %s hs = {0}; ", ct);
    char *given = hc_alloc(E->a, (size_t)d->fields.n + 1);
    for (int i = 0; i < e->inits.n; i++) {
        hc_field_init *fi = &e->inits.v[i];
        given[fi->field] = 1;
        hc_type *ft = d->fields.v[fi->field].type->resolved;
        hc_buf_printf(b, "hs.%s = ", em_field(E, fi->name.name));
        em_value(E, b, fi->value, ft);
        hc_buf_puts(b, "; ");
    }
    for (int i = 0; i < d->fields.n; i++) {
        if (!given[i] && d->fields.v[i].def) {
            hc_buf_printf(b, "hs.%s = ", em_field(E, d->fields.v[i].name.name));
            em_expr(E, b, d->fields.v[i].def);
            hc_buf_puts(b, "; ");
        }
    }
    hc_buf_puts(b, "hs; })");
}

static void em_tuple(hc_emit *E, hc_buf *b, hc_expr *e) {
    if (e->args.n == 0) {
        hc_buf_puts(b, "((void)0)");
        return;
    }
    hc_buf_printf(b, "({ %s ht; ", em_ctype(E, e->ty));
    for (int i = 0; i < e->args.n; i++) {
        hc_buf_printf(b, "ht.f%d = ", i);
        em_value(E, b, e->args.v[i], e->ty->items[i]);
        hc_buf_puts(b, "; ");
    }
    hc_buf_puts(b, "ht; })");
}

/* ---- blocks, if, match as values ---- */

/* A block, `if` or `match` (written by `into`, which stores the value in `dst`) as a C expression
 * yielding its value, if it has one. */
static void em_as_value(hc_emit *E, hc_buf *b, hc_expr *e,
                        void (*into)(hc_emit *, hc_buf *, hc_expr *, const char *, hc_type *)) {
    if (!em_has_value(e->ty)) {
        hc_buf_puts(b, "({ ");
        into(E, b, e, NULL, NULL);
        hc_buf_puts(b, " })");
        return;
    }
    hc_buf_printf(b, "({ %s hv; ", em_ctype(E, e->ty));
    into(E, b, e, "hv", e->ty);
    hc_buf_puts(b, " hv; })");
}

static void em_block_of(hc_emit *E, hc_buf *b, hc_expr *e, const char *dst, hc_type *want) {
    em_block_into(E, b, e->block, dst, want);
}

static void em_if_into(hc_emit *E, hc_buf *b, hc_expr *e, const char *dst, hc_type *want) {
    hc_buf_puts(b, "if (");
    em_expr(E, b, e->lhs);
    hc_buf_puts(b, ") { ");
    em_block_into(E, b, e->block, dst, want);
    hc_buf_puts(b, " }");
    if (e->rhs) {
        hc_buf_puts(b, " else ");
        if (e->rhs->kind == E_IF) {
            em_if_into(E, b, e->rhs, dst, want);
        } else {
            hc_buf_puts(b, "{ ");
            em_block_into(E, b, e->rhs->block, dst, want);
            hc_buf_puts(b, " }");
        }
    }
}

/* Condition that pattern `p` matches value `v` (C text), and declarations of its bindings. */
static void pat_code(hc_emit *E, hc_pat *p, const char *v, hc_type *t, hc_buf *cond,
                     hc_buf *binds) {
    switch (p->kind) {
    case PAT_WILD:
        return;
    case PAT_BIND:
        hc_buf_printf(binds, "%s v%d_%s = %s; (void)v%d_%s; ", em_ctype(E, t), p->bind->id,
                      p->bind->name, v, p->bind->id, p->bind->name);
        return;
    case PAT_INT:
        hc_buf_printf(cond, " && %s == %s", v,
                      p->neg && p->i == INT64_MIN
                          ? "INT64_MIN"
                          : hc_sprintf(E->a, "INT64_C(%lld)", (long long)(p->neg ? -p->i : p->i)));
        return;
    case PAT_FLOAT:
        hc_buf_printf(cond, " && %s == %a", v, p->f);
        return;
    case PAT_BOOL:
        hc_buf_printf(cond, " && %s%s", p->i ? "" : "!", v);
        return;
    case PAT_STRING: {
        hc_buf lit = {0};
        em_c_string(&lit, p->str, p->slen);
        hc_buf_printf(cond, " && hale_str_eq(%s, HALE_STR_LIT(%s))", v, hc_buf_cstr(&lit));
        hc_buf_free(&lit);
        return;
    }
    case PAT_TUPLE:
        for (int i = 0; i < p->args.n; i++) {
            pat_code(E, p->args.v[i], hc_sprintf(E->a, "%s.f%d", v, i), t->items[i], cond, binds);
        }
        return;
    case PAT_CTOR:
        hc_buf_printf(cond, " && %s == INT64_C(%d)", em_enum_tag(E, t, v), p->variant);
        for (int i = 0; p->has_args && i < p->args.n; i++) {
            pat_code(E, p->args.v[i], em_enum_payload_member(E, v, p->variant, i),
                     em_enum_payload_type(t, p->variant, i), cond, binds);
        }
        return;
    case PAT_NIL:
        return;
    }
}

static void em_match(hc_emit *E, hc_buf *b, hc_expr *e, const char *dst, hc_type *want) {
    hc_type *st = e->lhs->ty;
    const char *sv = em_tmp(E, "hms");
    const char *end = em_tmp(E, "hmatch");
    hc_buf_printf(b, "{ %s %s = ", em_ctype(E, st), sv);
    em_expr(E, b, e->lhs);
    hc_buf_puts(b, "; ");
    for (int i = 0; i < e->arms.n; i++) {
        hc_arm *a = &e->arms.v[i];
        hc_buf cond = {0}, binds = {0};
        hc_buf_puts(&cond, "1");
        pat_code(E, a->pat, sv, st, &cond, &binds);
        hc_buf_printf(b, "{ %s", hc_buf_cstr(&binds));
        hc_buf_printf(b, "if (%s", hc_buf_cstr(&cond));
        if (a->guard) {
            hc_buf_puts(b, " && ");
            sub(E, b, a->guard);
        }
        hc_buf_puts(b, ") { ");
        if (a->body->kind == E_BLOCK) {
            em_block_into(E, b, a->body->block, dst, want);
        } else if (dst && em_has_value(want) && em_has_value(a->body->ty)) {
            hc_buf_printf(b, "%s = ", dst);
            em_expr(E, b, a->body);
            hc_buf_puts(b, ";");
        } else {
            em_expr(E, b, a->body);
            hc_buf_puts(b, ";");
        }
        hc_buf_printf(b, " goto %s; } } ", end);
        hc_buf_free(&cond);
        hc_buf_free(&binds);
    }
    int all_guarded = e->arms.n > 0;
    for (int i = 0; i < e->arms.n; i++) {
        all_guarded &= e->arms.v[i].guard != NULL;
    }
    if (all_guarded) {
        /* Hale: when every arm is guarded and no guard holds, a match statement does nothing
         * and a match expression is the zero value of its type */
        if (dst && em_has_value(want)) {
            hc_buf_printf(b, "%s = %s; ", dst, em_zero(E, want));
        }
        hc_buf_printf(b, "%s:; }", end);
        return;
    }
    hc_buf_printf(b, "hale_fault(%s, \"no match arm applies\"); %s:; }", em_loc_text(E, e->pos),
                  end);
}

/* ---- dispatch ---- */

static void check_kind(hc_emit *E, hc_expr *e) {
    if (!e->ty) {
        return;
    }
    const char *what = NULL;
    switch (e->ty->kind) {
    case TY_UINT:
        what = "Uint values";
        break;
    default:
        return;
    }
    if (!(E->unsupported_kinds & (1 << e->ty->kind))) {
        E->unsupported_kinds |= 1 << e->ty->kind;
        em_unsupported(E, e->pos, what);
    }
}

static void em_expr_inner(hc_emit *E, hc_buf *b, hc_expr *e);

void em_expr(hc_emit *E, hc_buf *b, hc_expr *e) {
    if (e->iface) {
        hc_type *it = e->iface; /* a locus where an interface is expected */
        e->iface = NULL;
        em_iface_value(E, b, e, it, NULL);
        e->iface = it;
        return;
    }
    const char *gc = e->guard_copy ? em_copy_fn(E, e->ty) : NULL;
    if (gc) {
        /* a value read through a guard, used where it could outlive its producer (escape.c) */
        e->guard_copy = 0;
        hc_buf_printf(b, "%s(hm, ", gc);
        em_expr(E, b, e);
        hc_buf_puts(b, ")");
        e->guard_copy = 1;
        return;
    }
    if (!e->ty || e->ty->kind == TY_ERROR) {
        /* the checker reports every error before emitting; reaching this is hale's bug */
        E->errors++;
        hc_error(E->P->d, e->pos,
                 "internal error: an expression reached the C emitter without a type (this is a "
                 "bug in hale)");
        hc_buf_puts(b, "0");
        return;
    }
    if (e->ty->kind == TY_NEVER) {
        /* never produces a value; give C an expression of some type where one is expected */
        hc_buf_puts(b, "({ ");
        em_expr_inner(E, b, e);
        hc_buf_puts(b, "; 0; })");
        return;
    }
    em_expr_inner(E, b, e);
}

static void em_expr_inner(hc_emit *E, hc_buf *b, hc_expr *e) {
    check_kind(E, e);
    if (e->widen) {
        hc_buf_puts(b, "((double)(");
    }
    switch (e->kind) {
    case E_INT:
        if (e->i == INT64_MIN) {
            hc_buf_puts(b, "INT64_MIN");
        } else {
            hc_buf_printf(b, "INT64_C(%lld)", (long long)e->i);
        }
        break;
    case E_DURATION:
        hc_buf_printf(b, "INT64_C(%lld)", (long long)e->i);
        break;
    case E_FLOAT:
        hc_buf_printf(b, "%a", e->f);
        break;
    case E_BOOL:
        hc_buf_puts(b, e->i ? "true" : "false");
        break;
    case E_STRING:
        hc_buf_puts(b, "HALE_STR_LIT(");
        em_c_string(b, e->str, e->slen);
        hc_buf_puts(b, ")");
        break;
    case E_FSTRING:
        em_fstring(E, b, e);
        break;
    case E_NAME:
        em_name(E, b, e);
        break;
    case E_UNARY:
        em_unary(E, b, e);
        break;
    case E_BINARY:
        em_binary(E, b, e);
        break;
    case E_OR:
        if (e->guard_or) {
            em_guard_or(E, b, e);
        } else {
            em_or(E, b, e);
        }
        break;
    case E_CALL:
        em_call(E, b, e);
        break;
    case E_FIELD:
        em_field_access(E, b, e, 0);
        break;
    case E_INDEX:
        em_index(E, b, e, 0);
        break;
    case E_ARRAY:
        em_array(E, b, e);
        break;
    case E_REPEAT:
        em_repeat(E, b, e);
        break;
    case E_STRUCT:
        em_struct(E, b, e);
        break;
    case E_TUPLE:
        em_tuple(E, b, e);
        break;
    case E_BLOCK:
        em_as_value(E, b, e, em_block_of);
        break;
    case E_IF:
        em_as_value(E, b, e, em_if_into);
        break;
    case E_MATCH:
        em_as_value(E, b, e, em_match);
        break;
    case E_SELF:
        hc_buf_puts(b, E->self_text ? E->self_text : "self");
        break;
    case E_BYTES:
        hc_buf_puts(b, "((hale_bytes){(const uint8_t *)");
        em_c_string(b, e->str, e->slen);
        hc_buf_printf(b, ", INT64_C(%lld)})", (long long)e->slen);
        break;
    case E_DECIMAL:
        em_decimal_lit(b, e);
        break;
    case E_TIME: /* Hale's v0 Time: the literal's spelling, a String the checker keeps apart */
        hc_buf_puts(b, "((hale_str){");
        em_c_string(b, e->str, e->slen);
        hc_buf_printf(b, ", INT64_C(%lld)})", (long long)e->slen);
        break;
        hc_buf_puts(b, "0");
        break;
    case E_REDUCE:
        em_accum_ref(E, b, e);
        break;
    default:
        em_unsupported(E, e->pos, "this expression");
        hc_buf_puts(b, "0");
    }
    if (e->widen) {
        hc_buf_puts(b, "))");
    }
}

/* ---- calls ---- */

/* Declares the arguments as temporaries (`ha<n>`) in order, inside an open statement
 * expression; `texts` gets their names. */
static void named_args(hc_emit *E, hc_buf *b, hc_expr **args, hc_type **want, int n,
                       const char **texts) {
    for (int i = 0; i < n; i++) {
        hc_type *t = want && want[i] ? want[i] : args[i]->ty;
        if (args[i]->widen) {
            t = hc_ty_prim(E->P->types, TY_FLOAT);
        }
        const char *name = em_tmp(E, "ha");
        hc_buf_printf(b, "%s %s = ", em_ctype(E, t), name);
        em_value(E, b, args[i], t);
        hc_buf_puts(b, "; ");
        texts[i] = name;
    }
}

/* Emits `args` evaluated left to right into temporaries when more than one has effects;
 * fills `texts` with the C text of each argument. Returns 1 when temporaries were opened
 * (the caller closes the statement expression). */
static int em_args(hc_emit *E, hc_buf *b, hc_expr **args, hc_type **want, int n,
                   const char **texts) {
    int effects = 0;
    for (int i = 0; i < n; i++) {
        effects += em_has_effects(args[i]);
    }
    if (effects < 2) {
        for (int i = 0; i < n; i++) {
            texts[i] = em_value_text(E, args[i], want ? want[i] : NULL);
        }
        return 0;
    }
    hc_buf_puts(b, "({ ");
    named_args(E, b, args, want, n, texts);
    return 1;
}

static void em_user_call(hc_emit *E, hc_buf *b, hc_expr *e, hc_decl *fn, const char *callee,
                         const char *res, const char *err, const char *self_arg) {
    int nparams = fn ? fn->params.n : e->args.n;
    hc_expr **args = hc_alloc(E->a, sizeof(hc_expr *) * (size_t)(nparams + 1));
    hc_type **want = hc_alloc(E->a, sizeof(hc_type *) * (size_t)(nparams + 1));
    hc_type *ft = fn ? fn->ty : e->lhs->ty;
    for (int i = 0; i < nparams; i++) {
        args[i] = i < e->args.n ? e->args.v[i] : fn->params.v[i].def;
        want[i] = i < ft->nitems ? ft->items[i] : NULL;
    }
    const char **texts = hc_alloc(E->a, sizeof(char *) * (size_t)(nparams + 1));
    int opened = em_args(E, b, args, want, nparams, texts);
    hc_buf_printf(b, "%s(hm, ho", callee);
    if (self_arg) {
        hc_buf_printf(b, ", %s", self_arg);
    }
    if (res) {
        hc_buf_printf(b, ", %s", res);
    }
    if (err) {
        hc_buf_printf(b, ", %s", err);
    }
    for (int i = 0; i < nparams; i++) {
        hc_buf_printf(b, ", %s", texts[i]);
    }
    if (fn && fn->takes_origin) {
        hc_buf_puts(b, ", NULL"); /* a handler called as a method: its argument is no delivery */
    }
    hc_buf_puts(b, ")");
    if (opened) {
        hc_buf_puts(b, "; })");
    }
}

static void em_print(hc_emit *E, hc_buf *b, hc_expr *e, int to_err, int newline) {
    const char **texts = hc_alloc(E->a, sizeof(char *) * (size_t)(e->args.n + 1));
    hc_buf_puts(b, "({ ");
    for (int i = 0; i < e->args.n; i++) {
        hc_type *t = e->args.v[i]->ty;
        const char *name = em_tmp(E, "hp");
        hc_buf_printf(b, "%s %s = ", em_ctype(E, t), name);
        em_expr(E, b, e->args.v[i]);
        hc_buf_puts(b, "; ");
        texts[i] = name;
    }
    hc_buf_printf(b, "hale_sbuf *hout = hale_out(%d); ", to_err ? 2 : 1);
    for (int i = 0; i < e->args.n; i++) {
        hc_buf_printf(b, "%s(hout, %s, 0); ", em_fmt_fn(E, e->args.v[i]->ty), texts[i]);
    }
    hc_buf_printf(b, "hale_out_done(hout, %d); })", newline);
}

static void em_to_string(hc_emit *E, hc_buf *b, hc_expr *arg) {
    hc_type *t = arg->ty;
    const char *x = em_text(E, arg);
    switch (t->kind) {
    case TY_STRING:
        hc_buf_puts(b, x);
        return;
    case TY_INT:
        hc_buf_printf(b, "hale_str_from_int(hm, %s)", x);
        return;
    case TY_FLOAT:
        hc_buf_printf(b, "hale_str_from_float(hm, %s)", x);
        return;
    case TY_BOOL:
        hc_buf_printf(b, "((%s) ? HALE_STR_LIT(\"true\") : HALE_STR_LIT(\"false\"))", x);
        return;
    case TY_DURATION:
        hc_buf_printf(b, "hale_str_from_duration(hm, %s)", x);
        return;
    case TY_DECIMAL:
        hc_buf_printf(b, "hale_str_from_decimal(hm, %s)", x);
        return;
    default:
        hc_buf_printf(b, "({ hale_sbuf hsb = {0}; %s(&hsb, %s, 0); hale_sbuf_take(hm, &hsb); })",
                      em_fmt_fn(E, t), x);
    }
}

static void em_minmax(hc_emit *E, hc_buf *b, hc_expr *e, const char *op) {
    hc_type *t = e->ty;
    const char *suffix = t->kind == TY_FLOAT ? "f" : "i";
    if (e->args.n == 1) {
        hc_buf_printf(b, "hale_%s_%s(", op, suffix);
        em_expr(E, b, e->args.v[0]);
        hc_buf_puts(b, ")");
        return;
    }
    const char *texts[2];
    hc_type *want[2] = {t, t};
    int opened = em_args(E, b, e->args.v, want, 2, texts);
    hc_buf_printf(b, "hale_%s_%s(%s, %s)", op, suffix, texts[0], texts[1]);
    if (opened) {
        hc_buf_puts(b, "; })");
    }
}

static void em_bounded_in_locus(hc_emit *E, hc_buf *b, hc_expr *e, const hc_builtin *bi,
                                const char *res, const char *err, const char *p, const char *owner);

/* push, at and set of a bounded list, after `hb` (the list) is declared: `store` is the C
 * statement that stores `hx` (the pushed element at `hb->len`, or the element set at `hi`). */
static void bounded_access(hc_emit *E, hc_buf *b, hc_expr *e, const hc_builtin *bi, const char *res,
                           const char *err, const char *store) {
    hc_type *bt = e->args.v[0]->ty;
    const char *et = em_ctype(E, bt->elem);
    const char *arg1 = em_text(E, e->args.v[1]);
    if (bi->kind == BI_PUSH) {
        hc_buf_printf(b, "%s hx = %s; bool hok = hb->len < %lld; if (hok) %s", et, arg1,
                      (long long)bt->len, store);
        if (err) {
            hc_buf_printf(b, "else { (%s)->%s = %lld; (%s)->%s = hb->len; } ", err,
                          em_field(E, "cap"), (long long)bt->len, err, em_field(E, "count"));
        }
        hc_buf_puts(b, "hok; })");
        return;
    }
    hc_buf_printf(b, "int64_t hi = %s; ", arg1);
    if (bi->kind == BI_SET) {
        hc_buf_printf(b, "%s hx = %s; ", et, em_text(E, e->args.v[2]));
    }
    hc_buf_puts(b, "bool hok = hi >= 0 && hi < hb->len; if (hok) ");
    if (bi->kind == BI_SET) {
        hc_buf_puts(b, store);
    } else {
        hc_buf_printf(b, "*(%s) = hb->items[hi]; ", res ? res : "&(int64_t){0}");
    }
    if (err) {
        hc_buf_printf(b,
                      "else { (%s)->%s = HALE_STR_LIT(\"out_of_bounds\"); (%s)->%s = hi; "
                      "(%s)->%s = hb->len; } ",
                      err, em_field(E, "kind"), err, em_field(E, "index"), err, em_field(E, "len"));
    }
    hc_buf_puts(b, "hok; })");
}

static void em_bounded(hc_emit *E, hc_buf *b, hc_expr *e, const hc_builtin *bi, const char *res,
                       const char *err) {
    hc_type *bt = e->args.v[0]->ty;
    const char *ct = em_ctype(E, bt);
    const char *p = addr_str(E, e->args.v[0]);
    /* a bounded list in a locus's state keeps its elements' heap parts in the locus's heap */
    hc_expr *owner = bt->elem->heap ? em_place_locus(e->args.v[0]) : NULL;
    if (owner) {
        em_bounded_in_locus(E, b, e, bi, res, err, p, em_text(E, owner));
        return;
    }
    switch (bi->kind) {
    case BI_COUNT:
        hc_buf_printf(b, "((%s)->len)", p);
        return;
    case BI_CLEAR:
        hc_buf_printf(b, "((void)((%s)->len = 0))", p);
        return;
    case BI_TRUNCATE:
        hc_buf_printf(b,
                      "({ %s *hb = %s; int64_t hn = %s; if (hn < 0) hn = 0; if (hn < hb->len) "
                      "hb->len = hn; })",
                      ct, p, em_text(E, e->args.v[1]));
        return;
    case BI_PUSH:
    case BI_AT:
    case BI_SET:
        hc_buf_printf(b, "({ %s *hb = %s; ", ct, p);
        bounded_access(E, b, e, bi, res, err,
                       bi->kind == BI_PUSH ? "hb->items[hb->len++] = hx; "
                                           : "hb->items[hi] = hx; ");
        return;
    default:
        return;
    }
}

/* The bounded-list intrinsics on a list inside a locus's state, for heap elements: stored values
 * are copied into the locus's heap, and replaced or dropped ones give their parts back. */
static void em_bounded_in_locus(hc_emit *E, hc_buf *b, hc_expr *e, const hc_builtin *bi,
                                const char *res, const char *err, const char *p,
                                const char *owner) {
    hc_type *bt = e->args.v[0]->ty;
    const char *d = em_descriptor(E, bt->elem);
    hc_buf_printf(b, "({ %s *hb = %s; hale_heap *hh = hale_locus_heap(&(%s)->h); ", em_ctype(E, bt),
                  p, owner);
    switch (bi->kind) {
    case BI_COUNT:
        hc_buf_puts(b, "hb->len; })");
        return;
    case BI_CLEAR:
    case BI_TRUNCATE:
        hc_buf_printf(b,
                      "int64_t hn = %s; if (hn < 0) hn = 0; while (hb->len > hn) "
                      "hale_value_release(%s, &hb->items[--hb->len], hh); (void)0; })",
                      bi->kind == BI_CLEAR ? "0" : em_text(E, e->args.v[1]), d);
        return;
    case BI_PUSH:
        bounded_access(E, b, e, bi, res, err,
                       hc_sprintf(E->a,
                                  "{ hale_value_copy_heap(%s, &hb->items[hb->len], &hx, hh); "
                                  "hb->len++; } ",
                                  d));
        return;
    case BI_SET:
    case BI_AT:
        bounded_access(
            E, b, e, bi, res, err,
            hc_sprintf(E->a, "hale_value_replace_heap(%s, &hb->items[hi], &hx, hh); ", d));
        return;
    default:
        hc_buf_puts(b, "0; })");
        return;
    }
}

/* The type a built-in's signature code stands for ('T': the built-in seed's declaration). */
static hc_type *sig_type(hc_emit *E, char code, const char *tname) {
    if (code != 'T') {
        return hc_builtin_code_type(E->P->types, code);
    }
    hc_decl *d = hc_symtab_get(E->P->std->names, tname);
    return d ? d->ty : hc_ty_prim(E->P->types, TY_ERROR);
}

/* A record of the built-in seed handed to (or filled by) the runtime, which declares the same
 * layout under its own name: the C compiler checks the two agree. */
void em_std_record_layout(hc_emit *E, hc_type *t) {
    const char *rt = t && t->kind == TY_RECORD ? hc_builtin_std_ctype(t->decl->name.name) : NULL;
    if (rt) {
        const char *ct = em_ctype(E, t);
        hc_buf_printf(&E->types,
                      "_Static_assert(sizeof(%s) == sizeof(%s) && _Alignof(%s) == _Alignof(%s), "
                      "\"%s\");\n",
                      ct, rt, ct, rt, t->decl->name.name);
    }
}

static int sig_heap(hc_type *t) {
    return t->kind == TY_STRING || t->kind == TY_BYTES || (t->kind == TY_RECORD && t->heap);
}

/* The error record of a std call that reports no IoError (ParseError, IndexError): its kind from
 * the table, and what it quotes of the arguments. */
static void em_plain_error(hc_emit *E, hc_buf *b, const hc_builtin *bi, const char *err,
                           const char **texts, int n) {
    hc_buf_printf(b, "if (!hok) { (%s)->%s = HALE_STR_LIT(\"%s\"); ", err, em_field(E, "kind"),
                  bi->err_kind);
    if (strcmp(bi->err, "IndexError") == 0) {
        hc_buf_printf(b, "(%s)->%s = %s; (%s)->%s = (%s).len; ", err, em_field(E, "index"),
                      n > 1 ? texts[1] : "0", err, em_field(E, "len"),
                      n ? texts[0] : "(hale_str){0}");
    } else {
        hc_buf_printf(b, "(%s)->%s = %s; ", err, em_field(E, "input"),
                      n ? texts[0] : "HALE_STR_LIT(\"\")");
    }
    hc_buf_puts(b, "} ");
}

/* A fixed-signature built-in (runtime C function). Conventions of the C function:
 *   - `hale_region *` first when the table says it allocates and the result is a String,
 *     Bytes or a record with heap parts (a non-fallible one: whenever it allocates);
 *   - records by pointer (`const T *`), native loci by their runtime object, a `V` vec as its
 *     `hale_vec *`;
 *   - a record result through a last out-pointer; a fallible call returns `bool` and takes
 *     `R *res` (NULL: not wanted) then, for an IoError, `hale_io_error *`. A HC_BI_BARE call
 *     leaves its sentinel in `*res` when it fails. */
static void em_sig(hc_emit *E, hc_buf *b, hc_expr *e, const hc_builtin *bi, const char *res,
                   const char *err) {
    hc_builtin_sig sg;
    hc_builtin_parse_sig(E->a, bi->sig, &sg);
    int n = e->args.n;
    const char **texts = hc_alloc(E->a, sizeof(char *) * (size_t)(n + 1));
    const char **pass = hc_alloc(E->a, sizeof(char *) * (size_t)(n + 1));
    hc_type **want = hc_alloc(E->a, sizeof(hc_type *) * (size_t)(n + 1));
    int simple = 1;
    for (int i = 0; i < n; i++) {
        want[i] = sg.code[i] == 'V' ? e->args.v[i]->ty : sig_type(E, sg.code[i], sg.tname[i]);
        if (sg.code[i] == 'T' || sg.code[i] == 'V') {
            simple = 0;
            em_std_record_layout(E, want[i]);
        }
    }
    hc_type *rt = sig_type(E, sg.ret, sg.ret_tname);
    int rec = rt->kind == TY_RECORD;
    em_std_record_layout(E, rt);
    int fallible = bi->err != NULL;
    /* the error: a runtime record the C function fills itself (HttpError), an IoError through
     * `hioe`, or kind + quoted input (ParseError, IndexError) */
    int rec_err = fallible && hc_builtin_std_ctype(bi->err) != NULL;
    int io = fallible && !bi->err_kind && !rec_err;
    int first_hm = bi->allocates && (!fallible || sig_heap(rt));
    if (simple && !fallible && !rec) {
        int opened = em_args(E, b, e->args.v, want, n, texts);
        hc_buf_printf(b, "%s(", bi->cfn);
        int first = 1;
        if (bi->allocates) {
            hc_buf_puts(b, "hm");
            first = 0;
        }
        for (int i = 0; i < n; i++) {
            hc_buf_printf(b, "%s%s", first ? "" : ", ", texts[i]);
            first = 0;
        }
        hc_buf_puts(b, ")");
        if (opened) {
            hc_buf_puts(b, "; })");
        }
        return;
    }
    hc_buf_puts(b, "({ ");
    named_args(E, b, e->args.v, want, n, texts);
    for (int i = 0; i < n; i++) {
        if (sg.code[i] == 'V') {
            pass[i] = hc_sprintf(E->a, "&(%s)->hf", texts[i]);
        } else if (sg.code[i] == 'T' && want[i]->kind == TY_RECORD) {
            pass[i] = hc_sprintf(E->a, "(const void *)&%s", texts[i]);
        } else if (sg.code[i] == 'T' && want[i]->kind == TY_LOCUS) {
            pass[i] = hc_sprintf(E->a, "&(%s)->hn", texts[i]);
        } else {
            pass[i] = texts[i];
        }
    }
    if (rt->kind == TY_LOCUS) {
        /* a std locus made by the call (std::io::file::open): instantiated here, held like a
         * `let` (it dissolves when the function returns), then the runtime sets it up */
        hc_expr *lit = HC_NEW(E->a, hc_expr);
        lit->kind = E_STRUCT;
        lit->decl = rt->decl;
        lit->ty = rt;
        lit->pos = e->pos;
        const char *lv = em_tmp(E, "hlv");
        hc_buf_printf(b, "%s %s = ", em_ctype(E, rt), lv);
        em_locus_lit(E, b, lit, E->at_text ? E->at_text : "NULL", NULL, "HALE_HOW_LET", NULL);
        hc_buf_printf(b, "; %s%s(&%s->hn", fallible ? "hale_io_error hioe; bool hok = " : "",
                      bi->cfn, lv);
        for (int i = 0; i < n; i++) {
            hc_buf_printf(b, ", %s", pass[i]);
        }
        hc_buf_printf(b, "%s); ", fallible ? ", &hioe" : "");
        if (fallible && err) {
            em_io_error(E, b, err, bi->allocates);
        }
        if (fallible && res) {
            hc_buf_printf(b, "*(%s) = %s; hok; })", res, lv);
        } else {
            hc_buf_printf(b, "%s%s; })", fallible ? "(void)hok; " : "", lv);
        }
        return;
    }
    /* where the result goes: the caller's `res`, or a local that is the expression's value */
    const char *hv = NULL;
    if (em_has_value(rt) && (!fallible || !res)) {
        hv = em_tmp(E, "hv");
        hc_buf_printf(b, "%s %s = %s; ", em_ctype(E, rt), hv, em_zero(E, rt));
        res = hc_sprintf(E->a, "&%s", hv);
    }
    if (io) {
        hc_buf_puts(b, "hale_io_error hioe; ");
    }
    if (fallible) {
        hc_buf_puts(b, "bool hok = ");
    } else if (!rec && hv) {
        hc_buf_printf(b, "%s = ", hv);
    }
    hc_buf_printf(b, "%s(", bi->cfn);
    int first = 1;
    if (first_hm) {
        hc_buf_puts(b, "hm");
        first = 0;
    }
    for (int i = 0; i < n; i++) {
        hc_buf_printf(b, "%s%s", first ? "" : ", ", pass[i]);
        first = 0;
    }
    if (fallible || rec) {
        hc_buf_printf(b, "%s%s", first ? "" : ", ",
                      res && em_has_value(rt) ? hc_sprintf(E->a, "(void *)(%s)", res) : "NULL");
        first = 0;
    }
    if (io) {
        hc_buf_printf(b, "%s&hioe", first ? "" : ", ");
    } else if (rec_err) {
        hc_buf_printf(b, "%s%s", first ? "" : ", ",
                      err ? hc_sprintf(E->a, "(void *)(%s)", err) : "NULL");
    }
    hc_buf_puts(b, "); ");
    if (fallible && err && !rec_err) {
        if (io) {
            em_io_error(E, b, err, bi->allocates);
        } else {
            em_plain_error(E, b, bi, err, texts, n);
        }
    }
    if (hv) {
        hc_buf_printf(b, "%s%s; })", fallible ? "(void)hok; " : "", hv);
    } else if (fallible && !e->bare) {
        hc_buf_puts(b, "hok; })");
    } else {
        hc_buf_puts(b, fallible ? "(void)hok; })" : "(void)0; })");
    }
}

static void em_builtin(hc_emit *E, hc_buf *b, hc_expr *e, const char *res, const char *err) {
    const hc_builtin *bi = e->lhs->builtin;
    switch (bi->kind) {
    case BI_SIG:
        em_sig(E, b, e, bi, res, err);
        return;
    case BI_PRINT:
    case BI_PRINTLN:
    case BI_EPRINT:
    case BI_EPRINTLN:
        em_print(E, b, e, bi->kind == BI_EPRINT || bi->kind == BI_EPRINTLN,
                 bi->kind == BI_PRINTLN || bi->kind == BI_EPRINTLN);
        return;
    case BI_CHECK_CLOSURES:
        hc_buf_printf(b, "hale_locus_check_explicit(&%s->h)", E->self_text ? E->self_text : "self");
        return;
    case BI_FROM_JSON:
    case BI_TO_JSON:
        em_json_call(E, b, e, res, err);
        return;
    case BI_LEN:
        hc_buf_puts(b, "(");
        sub(E, b, e->args.v[0]);
        hc_buf_puts(b, ".len)");
        return;
    case BI_TO_STRING:
        em_to_string(E, b, e->args.v[0]);
        return;
    case BI_MIN:
        em_minmax(E, b, e, "min");
        return;
    case BI_MAX:
        em_minmax(E, b, e, "max");
        return;
    case BI_ABS:
        em_minmax(E, b, e, "abs");
        return;
    default:
        em_bounded(E, b, e, bi, res, err);
    }
}

static void em_call(hc_emit *E, hc_buf *b, hc_expr *e) {
    hc_expr *f = e->lhs;
    switch (f->ref) {
    case REF_TYPE: {
        hc_expr *x = e->args.v[0];
        if (e->ty->kind == TY_FLOAT) {
            hc_buf_puts(b, "((double)(");
            em_expr(E, b, x);
            hc_buf_puts(b, "))");
        } else if (x->ty->kind == TY_FLOAT) {
            hc_buf_puts(b, "hale_f2i(");
            em_expr(E, b, x);
            hc_buf_puts(b, ")");
        } else {
            em_expr(E, b, x);
        }
        return;
    }
    case REF_FN:
        em_user_call(E, b, e, f->decl, em_fn_name(E, f->decl), NULL, NULL, NULL);
        return;
    case REF_BUILTIN:
        em_builtin(E, b, e, NULL, NULL);
        return;
    case REF_VARIANT:
        em_enum_value(E, b, e->ty, f->variant, &e->args);
        return;
    case REF_FORM:
        em_form_call(E, b, e, em_text(E, f->lhs), NULL, NULL);
        return;
    case REF_SLOT:
        em_slot_call(E, b, e);
        return;
    case REF_IFACE_METHOD: {
        const char *v = em_tmp(E, "hiv");
        hc_buf_printf(b, "({ hale_iface %s = ", v);
        em_expr(E, b, f->lhs);
        hc_buf_puts(b, "; ");
        em_user_call(E, b, e, f->decl, em_iface_callee(E, e, v), NULL, NULL,
                     hc_sprintf(E->a, "%s.self", v));
        hc_buf_puts(b, "; })");
        return;
    }
    case REF_METHOD:
        if (em_native_method(f->decl)) {
            em_native_call(E, b, e, em_text(E, f->lhs));
            return;
        }
        em_user_call(E, b, e, f->decl,
                     f->decl->locus && f->decl->locus->kind == D_PERSPECTIVE
                         ? em_persp_dispatch(E, f->decl)
                         : em_fn_name(E, f->decl),
                     NULL, NULL, em_text(E, f->lhs));
        return;
    default:
        break;
    }
    if (f->ty && f->ty->kind == TY_FN) {
        em_user_call(E, b, e, NULL, hc_sprintf(E->a, "(%s)", em_text(E, f)), NULL, NULL, NULL);
        return;
    }
    em_unsupported(E, e->pos, "this call");
    hc_buf_puts(b, "0");
}

void em_fallible_call(hc_emit *E, hc_buf *b, hc_expr *call, const char *res, const char *err) {
    hc_expr *f = call->lhs;
    if (f->ref == REF_FN) {
        em_user_call(E, b, call, f->decl, em_fn_name(E, f->decl), res, err, NULL);
    } else if (f->ref == REF_BUILTIN) {
        em_builtin(E, b, call, res, err);
    } else if (f->ref == REF_FORM) {
        em_form_call(E, b, call, em_text(E, f->lhs), res, err);
    } else if (f->ref == REF_METHOD && em_native_method(f->decl)) {
        em_native_fallible(E, b, call, em_text(E, f->lhs), res, err);
    } else if (f->ref == REF_METHOD) {
        em_user_call(E, b, call, f->decl, em_fn_name(E, f->decl), res, err, em_text(E, f->lhs));
    } else {
        em_unsupported(E, call->pos, "this call");
        hc_buf_puts(b, "true");
    }
}

/* ---- `or` ---- */

static void em_or(hc_emit *E, hc_buf *b, hc_expr *e) {
    hc_expr *call = e->lhs;
    hc_type *rt = call->ty;
    hc_type *et = call->fallible;
    int val = em_has_value(rt);
    const char *hv = em_tmp(E, "hv");
    const char *he = em_tmp(E, "he");
    hc_buf_puts(b, "({ ");
    if (val) {
        hc_buf_printf(b, "%s %s; ", em_ctype(E, rt), hv);
    }
    hc_buf_printf(b, "%s %s = %s; if (!(", em_ctype(E, et), he, em_zero(E, et));
    em_fallible_call(E, b, call, val ? hc_sprintf(E->a, "&%s", hv) : NULL,
                     hc_sprintf(E->a, "&%s", he));
    hc_buf_puts(b, ")) { ");
    switch (e->or_kind) {
    case OR_VALUE:
    case OR_FAIL: {
        hc_local *l = e->err_local;
        hc_buf_printf(b, "%s v%d_%s = %s; (void)v%d_%s; ", em_ctype(E, et), l->id, l->name, he,
                      l->id, l->name);
        if (e->or_kind == OR_FAIL) {
            em_fail(E, b, em_text(E, e->rhs));
        } else if (val && em_has_value(e->rhs->ty)) {
            hc_buf_printf(b, "%s = ", hv);
            em_expr(E, b, e->rhs);
            hc_buf_puts(b, "; ");
        } else {
            em_expr(E, b, e->rhs);
            hc_buf_puts(b, "; ");
        }
        break;
    }
    case OR_RAISE:
        em_raise(E, b, e, he, et);
        break;
    case OR_DISCARD:
        break;
    case OR_WAIT:
        em_unsupported(E, e->pos, "`or wait`");
        break;
    }
    hc_buf_printf(b, "} %s; })", val ? hv : "(void)0");
}
