/* See parse.h. This file: shared helpers, top-level declarations, functions, statements.
 * Expressions, types and patterns are in parse_expr.c; loci and topics in parse_locus.c. */
#include <stdarg.h>
#include <stdio.h>

#include "parse_impl.h"

/* ---- helpers ---- */

static hc_diag *vperr_at(parser *p, hc_pos at, const char *fmt, va_list ap) {
    if (p->panic) {
        return NULL;
    }
    p->panic = 1;
    return hc_verror(p->d, at, fmt, ap);
}

hc_diag *ps_perr(parser *p, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    hc_diag *g = vperr_at(p, cur(p)->pos, fmt, ap);
    va_end(ap);
    return g;
}

hc_diag *ps_perr_at(parser *p, hc_pos at, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    hc_diag *g = vperr_at(p, at, fmt, ap);
    va_end(ap);
    return g;
}

hc_pos ps_after_prev(parser *p) {
    if (p->i == 0) {
        return cur(p)->pos;
    }
    hc_pos q = p->t[p->i - 1].pos;
    q.col += q.len;
    q.len = 1;
    return q;
}

const char *ps_found(parser *p) {
    hc_token *t = cur(p);
    static _Thread_local char buf[96];
    switch (t->kind) {
    case T_IDENT:
        snprintf(buf, sizeof buf, "identifier `%.60s`", t->text);
        return buf;
    case T_INT:
    case T_FLOAT:
    case T_DURATION:
        snprintf(buf, sizeof buf, "`%.60s`", t->text);
        return buf;
    default:
        return hc_tok_describe(t->kind);
    }
}

int ps_expect(parser *p, hc_tok_kind k, const char *what) {
    if (accept(p, k)) {
        return 1;
    }
    /* A missing terminator is reported right after the previous token. */
    int after = k == P_SEMI || k == P_RPAREN || k == P_RBRACKET || k == P_COMMA;
    hc_pos at = after && p->i > 0 && cur(p)->pos.line != p->t[p->i - 1].pos.line ? ps_after_prev(p)
                                                                                 : cur(p)->pos;
    ps_perr_at(p, at, "expected %s, found %s", what ? what : hc_tok_describe(k), ps_found(p));
    return 0;
}

hc_ident ps_expect_ident(parser *p, const char *what) {
    hc_ident id = {"?", cur(p)->pos};
    if (at(p, T_IDENT)) {
        id.name = advance(p)->text;
        return id;
    }
    if (cur(p)->kind >= K_AS && cur(p)->kind <= K_WHILE) {
        hc_help(ps_perr(p, "expected %s, found keyword %s", what, hc_tok_describe(cur(p)->kind)),
                "keywords cannot be used as names; pick another name");
        return id;
    }
    ps_perr(p, "expected %s, found %s", what, ps_found(p));
    return id;
}

void ps_skip_group(parser *p) {
    int depth = 0;
    do {
        hc_tok_kind k = cur(p)->kind;
        if (k == P_LBRACE || k == P_LPAREN || k == P_LBRACKET) {
            depth++;
        } else if (k == P_RBRACE || k == P_RPAREN || k == P_RBRACKET) {
            depth--;
        } else if (k == T_EOF) {
            return;
        }
        advance(p);
    } while (depth > 0);
}

void ps_sync_stmt(parser *p) {
    for (;;) {
        hc_tok_kind k = cur(p)->kind;
        if (k == T_EOF || k == P_RBRACE) {
            break;
        }
        if (k == P_SEMI) {
            advance(p);
            break;
        }
        if (k == P_LBRACE || k == P_LPAREN || k == P_LBRACKET) {
            ps_skip_group(p);
            continue;
        }
        advance(p);
    }
    p->panic = 0;
}

int ps_enter(parser *p) {
    if (++p->nesting > HC_MAX_NESTING) {
        ps_perr(p, "program nested too deeply (more than %d levels)", HC_MAX_NESTING);
        return 0;
    }
    return 1;
}

hc_pos ps_pos_join(hc_pos a, hc_pos b) {
    if (a.file == b.file && a.line == b.line && b.col >= a.col) {
        a.len = b.col + b.len - a.col;
    }
    return a;
}

hc_decl *ps_new_decl(parser *p, hc_decl_kind k, hc_pos pos) {
    hc_decl *d = HC_NEW(p->a, hc_decl);
    d->kind = k;
    d->pos = pos;
    return d;
}

static hc_stmt *new_stmt(parser *p, hc_stmt_kind k, hc_pos pos) {
    hc_stmt *s = HC_NEW(p->a, hc_stmt);
    s->kind = k;
    s->pos = pos;
    return s;
}

/* ---- statements ---- */

static hc_stmt *parse_stmt(parser *p);

static int is_assign_op(hc_tok_kind k, hc_op *op) {
    switch (k) {
    case P_ASSIGN:
        *op = OP_NONE;
        return 1;
    case P_PLUSEQ:
        *op = OP_ADD;
        return 1;
    case P_MINUSEQ:
        *op = OP_SUB;
        return 1;
    case P_STAREQ:
        *op = OP_MUL;
        return 1;
    case P_SLASHEQ:
        *op = OP_DIV;
        return 1;
    case P_PERCENTEQ:
        *op = OP_MOD;
        return 1;
    case P_AMPEQ:
        *op = OP_BITAND;
        return 1;
    case P_PIPEEQ:
        *op = OP_BITOR;
        return 1;
    case P_CARETEQ:
        *op = OP_BITXOR;
        return 1;
    default:
        return 0;
    }
}

static void expect_semi(parser *p, const char *after) {
    if (!at(p, P_SEMI)) {
        hc_pos at = ps_after_prev(p);
        hc_diag *g = ps_perr_at(p, at, "expected `;` after %s, found %s", after, ps_found(p));
        (void)g;
        return;
    }
    advance(p);
}

/* `let [mut] (a, b, _) = e;` becomes `let <tuple> = e; let a = <tuple>.0; let b = <tuple>.1;`:
 * the first statement is returned, the others wait in p->pending for the enclosing block. */
static hc_stmt *parse_let_tuple(parser *p, hc_stmt *s) {
    hc_pos open = advance(p)->pos;
    HC_VEC(hc_ident) names = {0};
    do {
        if (at(p, P_RPAREN)) {
            break;
        }
        HC_PUSH(p->a, names, ps_expect_ident(p, "a name or `_` in a tuple binding"));
    } while (accept(p, P_COMMA));
    ps_expect(p, P_RPAREN, "`)` after the tuple's names");
    if (names.n < 2 && !p->panic) {
        ps_perr_at(p, open, "a tuple binding names at least two elements");
    }
    s->name.name = hc_sprintf(p->a, "__tuple_%d_%d", open.line, open.col);
    s->name.pos = open;
    if (accept(p, P_COLON)) {
        s->type = ps_type(p);
    }
    ps_expect(p, P_ASSIGN, "`=` after the tuple binding");
    s->expr = ps_expr(p);
    expect_semi(p, "the `let` statement");
    for (int i = 0; i < names.n; i++) {
        if (strcmp(names.v[i].name, "_") == 0) {
            continue;
        }
        hc_stmt *el = new_stmt(p, S_LET, names.v[i].pos);
        el->is_mut = s->is_mut;
        el->name = names.v[i];
        hc_expr *tuple = ps_new_expr(p, E_NAME, names.v[i].pos);
        tuple->path.seg = HC_NEW(p->a, hc_ident);
        tuple->path.seg[0] = s->name;
        tuple->path.n = 1;
        tuple->path.pos = names.v[i].pos;
        el->expr = ps_new_expr(p, E_FIELD, names.v[i].pos);
        el->expr->lhs = tuple;
        el->expr->field.name = hc_sprintf(p->a, "%d", i);
        el->expr->field.pos = names.v[i].pos;
        el->expr->depth = 2;
        HC_PUSH(p->a, p->pending, el);
    }
    s->is_mut = 0;
    return s;
}

static hc_stmt *parse_let(parser *p) {
    hc_stmt *s = new_stmt(p, S_LET, advance(p)->pos);
    s->is_mut = accept(p, K_MUT);
    if (at(p, P_LPAREN)) {
        return parse_let_tuple(p, s);
    }
    s->name = ps_expect_ident(p, "a variable name after `let`");
    if (accept(p, P_COLON)) {
        s->type = ps_type(p);
    }
    if (!at(p, P_ASSIGN)) {
        hc_help(ps_perr(p, "expected `=` after `let %s`, found %s", s->name.name, ps_found(p)),
                "every binding starts with a value: `let %s = ...;`", s->name.name);
        return s;
    }
    advance(p);
    s->expr = ps_expr(p);
    expect_semi(p, "the `let` statement");
    return s;
}

static hc_stmt *parse_while(parser *p) {
    hc_stmt *s = new_stmt(p, S_WHILE, advance(p)->pos);
    s->expr = ps_expr_no_struct(p);
    s->body = ps_block(p);
    return s;
}

static hc_stmt *parse_for(parser *p) {
    hc_stmt *s = new_stmt(p, S_FOR, advance(p)->pos);
    s->name = ps_expect_ident(p, "a loop variable after `for`");
    ps_expect(p, K_IN, "`in`");
    s->expr = ps_expr_no_struct(p);
    s->body = ps_block(p);
    return s;
}

static const char *recovery_ops[] = {"restart", "restart_in_place", "quarantine", "reorganize",
                                     "bubble",  "dissolve",         "drain"};

static int at_recovery(parser *p) {
    if (!at(p, T_IDENT) || peek_n(p, 1)->kind != P_LPAREN) {
        return 0;
    }
    for (size_t i = 0; i < sizeof recovery_ops / sizeof recovery_ops[0]; i++) {
        if (at_word(p, recovery_ops[i])) {
            return 1;
        }
    }
    return 0;
}

static hc_stmt *parse_recovery(parser *p) {
    hc_token *op = advance(p);
    hc_stmt *s = new_stmt(p, S_RECOVERY, op->pos);
    s->recovery = op->text;
    ps_expect(p, P_LPAREN, "`(`");
    while (!at(p, P_RPAREN) && !at(p, T_EOF)) {
        HC_PUSH(p->a, s->args, ps_expr(p));
        if (!accept(p, P_COMMA)) {
            break;
        }
    }
    ps_expect(p, P_RPAREN, "`)`");
    if (at(p, K_FOR) || at_word(p, "until")) {
        s->modifier = advance(p)->text;
        s->modifier_expr = ps_expr(p);
    }
    expect_semi(p, "the recovery statement");
    return s;
}

/* `fail` is a statement head unless it is used as an ordinary name. */
static int at_fail(parser *p) {
    if (!at_word(p, "fail")) {
        return 0;
    }
    hc_tok_kind k = peek_n(p, 1)->kind;
    hc_op op;
    return !(is_assign_op(k, &op) || k == P_DOT || k == P_SEMI || k == P_LPAREN ||
             k == P_LBRACKET || k == P_SEND || k == P_RBRACE);
}

static hc_stmt *parse_simple_kw(parser *p, hc_stmt_kind k, const char *what) {
    hc_stmt *s = new_stmt(p, k, advance(p)->pos);
    expect_semi(p, what);
    return s;
}

/* Statements that end with a block need no `;` (one is allowed). */
static int block_like(hc_expr *e) {
    return e && !e->parenthesized && (e->kind == E_IF || e->kind == E_MATCH || e->kind == E_BLOCK);
}

/* Parses a statement, or returns NULL after reading the block's tail expression into *tail. */
static hc_stmt *parse_stmt_or_tail(parser *p, hc_expr **tail) {
    hc_annots annots = {0};
    if (at(p, P_AT)) {
        ps_annots(p, &annots);
    }
    hc_stmt *s = NULL;
    if (at(p, K_LET)) {
        s = parse_let(p);
    } else if (at(p, K_WHILE)) {
        s = parse_while(p);
    } else if (at(p, K_FOR)) {
        s = parse_for(p);
    } else if (at(p, K_RETURN)) {
        s = new_stmt(p, S_RETURN, advance(p)->pos);
        if (!at(p, P_SEMI) && !at(p, P_RBRACE)) {
            s->expr = ps_expr(p);
        }
        expect_semi(p, "`return`");
    } else if (at(p, K_BREAK)) {
        s = parse_simple_kw(p, S_BREAK, "`break`");
    } else if (at(p, K_CONTINUE)) {
        s = parse_simple_kw(p, S_CONTINUE, "`continue`");
    } else if (at_word(p, "yield") && peek_n(p, 1)->kind == P_SEMI) {
        s = parse_simple_kw(p, S_YIELD, "`yield`");
    } else if (at_word(p, "terminate") && peek_n(p, 1)->kind == P_SEMI) {
        s = parse_simple_kw(p, S_TERMINATE, "`terminate`");
    } else if (at_recovery(p)) {
        s = parse_recovery(p);
    } else if (at_word(p, "violate") && peek_n(p, 1)->kind == T_IDENT) {
        s = new_stmt(p, S_VIOLATE, advance(p)->pos);
        s->name = ps_expect_ident(p, "a closure name");
        if (at_word(p, "with")) {
            advance(p);
            s->expr = ps_expr(p);
        }
        expect_semi(p, "`violate`");
    } else if (at_fail(p)) {
        s = new_stmt(p, S_FAIL, advance(p)->pos);
        s->expr = ps_expr(p);
        expect_semi(p, "`fail`");
    } else if (at_word(p, "reperspective") && peek_n(p, 1)->kind == K_SELF) {
        s = new_stmt(p, S_REPERSPECTIVE, advance(p)->pos);
        s->target = ps_expr(p);
        if (at_word(p, "as")) {
            advance(p);
        } else {
            ps_expect(p, K_AS, "`as` and the implementation to switch to");
        }
        s->name = ps_expect_ident(p, "a locus name after `as`");
        expect_semi(p, "`reperspective`");
    } else if (at(p, P_SEMI)) {
        advance(p); /* an empty statement */
        return parse_stmt(p);
    } else if (at(p, P_LBRACE)) {
        s = new_stmt(p, S_BLOCK, cur(p)->pos);
        s->body = ps_block(p);
        accept(p, P_SEMI);
    } else if (!ps_starts_expr(p)) {
        ps_perr(p, "expected a statement, found %s", ps_found(p));
        ps_sync_stmt(p);
        return NULL;
    } else {
        hc_expr *e = ps_expr(p);
        hc_op op;
        if (is_assign_op(cur(p)->kind, &op)) {
            s = new_stmt(p, S_ASSIGN, e->pos);
            s->op_pos = advance(p)->pos;
            s->op = op;
            s->target = e;
            s->expr = ps_expr(p);
            expect_semi(p, "the assignment");
        } else if (at(p, P_SEND)) {
            s = new_stmt(p, S_SEND, cur(p)->pos);
            advance(p);
            s->target = e;
            s->expr = ps_expr(p);
            expect_semi(p, "the send");
        } else if (at(p, P_RBRACE) && tail) {
            *tail = e;
            return NULL;
        } else if (block_like(e)) {
            s = new_stmt(p, e->kind == E_IF ? S_IF : S_EXPR, e->pos);
            s->expr = e;
            accept(p, P_SEMI);
        } else {
            s = new_stmt(p, S_EXPR, e->pos);
            s->expr = e;
            expect_semi(p, "the expression");
        }
    }
    if (s) {
        s->annots = annots;
    }
    return s;
}

static hc_stmt *parse_stmt(parser *p) {
    return parse_stmt_or_tail(p, NULL);
}

hc_block *ps_block(parser *p) {
    hc_block *b = HC_NEW(p->a, hc_block);
    b->pos = cur(p)->pos;
    if (!at(p, P_LBRACE)) {
        ps_perr(p, "expected `{`, found %s", ps_found(p));
        b->end = b->pos;
        return b;
    }
    advance(p);
    if (!ps_enter(p)) {
        ps_skip_group(p);
        leave(p);
        return b;
    }
    while (!at(p, P_RBRACE) && !at(p, T_EOF)) {
        int before = p->i;
        hc_expr *tail = NULL;
        hc_stmt *s = parse_stmt_or_tail(p, &tail);
        if (tail) {
            b->tail = tail;
            if (tail->depth + 1 > b->depth) {
                b->depth = tail->depth + 1;
            }
            break;
        }
        for (int k = -1; s && k < p->pending.n; k++) {
            hc_stmt *one = k < 0 ? s : p->pending.v[k];
            HC_PUSH(p->a, b->stmts, one);
            if (ps_stmt_depth(one) + 1 > b->depth) {
                b->depth = ps_stmt_depth(one) + 1;
            }
        }
        p->pending.n = 0;
        if (p->panic) {
            ps_sync_stmt(p);
        }
        if (p->i == before) {
            advance(p); /* guarantee progress */
        }
    }
    leave(p);
    b->end = cur(p)->pos;
    if (!at(p, P_RBRACE)) {
        hc_help(ps_perr_at(p, b->pos, "unclosed `{`"), "add the matching `}`");
        return b;
    }
    advance(p);
    return b;
}

/* ---- declarations ---- */

void ps_params(parser *p, hc_params *out) {
    ps_expect(p, P_LPAREN, "`(`");
    while (!at(p, P_RPAREN) && !at(p, T_EOF)) {
        hc_param prm = {0};
        prm.pos = cur(p)->pos;
        prm.name = ps_expect_ident(p, "a parameter name");
        if (!ps_expect(p, P_COLON, "`:` and the parameter's type")) {
            break;
        }
        prm.type = ps_type(p);
        if (accept(p, P_ASSIGN)) {
            prm.def = ps_expr(p);
        }
        HC_PUSH(p->a, *out, prm);
        if (!accept(p, P_COMMA)) {
            break;
        }
    }
    ps_expect(p, P_RPAREN, "`)`");
}

/* `<T, U: Bound>` after a function, type or locus name. */
void ps_generics(parser *p, hc_decl *d) {
    if (!accept(p, P_LT)) {
        return;
    }
    while (at(p, T_IDENT)) {
        HC_PUSH(p->a, d->generics, advance(p)->text);
        HC_PUSH(p->a, d->gbounds, accept(p, P_COLON) ? ps_type(p) : NULL);
        if (!accept(p, P_COMMA)) {
            break;
        }
    }
    ps_expect(p, P_GT, "`>`");
}

void ps_result(parser *p, hc_decl *d) {
    if (accept(p, P_ARROW)) {
        d->ret = ps_type(p);
    }
    if (at_word(p, "fallible")) {
        advance(p);
        ps_expect(p, P_LPAREN, "`(`");
        d->fallible = ps_type(p);
        ps_expect(p, P_RPAREN, "`)`");
    }
}

hc_decl *ps_fn(parser *p, hc_annots annots, hc_decl *locus) {
    hc_decl *d = ps_new_decl(p, D_FN, advance(p)->pos);
    d->annots = annots;
    d->locus = locus;
    d->name = ps_expect_ident(p, "a function name after `fn`");
    ps_generics(p, d);
    ps_params(p, &d->params);
    ps_result(p, d);
    if (accept(p, P_SEMI)) {
        return d; /* a signature (interface / @ffi) */
    }
    d->body = ps_block(p);
    return d;
}

hc_decl *ps_const(parser *p, hc_annots annots) {
    hc_decl *d = ps_new_decl(p, D_CONST, advance(p)->pos);
    d->annots = annots;
    d->name = ps_expect_ident(p, "a constant name after `const`");
    if (accept(p, P_COLON)) {
        d->type = ps_type(p);
    } else if (!p->panic) {
        hc_help(ps_perr(p, "expected `:` and a type after `const %s`", d->name.name),
                "constants are typed: `const %s: Int = ...;`", d->name.name);
    }
    if (ps_expect(p, P_ASSIGN, "`=`")) {
        d->value = ps_expr(p);
    }
    expect_semi(p, "the constant");
    return d;
}

static void parse_variants(parser *p, hc_decl *d) {
    ps_expect(p, P_LBRACE, "`{`");
    while (!at(p, P_RBRACE) && !at(p, T_EOF)) {
        hc_variant v = {0};
        v.name = ps_expect_ident(p, "a variant name");
        if (accept(p, P_LPAREN)) {
            v.has_payload = 1;
            while (!at(p, P_RPAREN) && !at(p, T_EOF)) {
                HC_PUSH(p->a, v.payload, ps_type(p));
                if (!accept(p, P_COMMA)) {
                    break;
                }
            }
            ps_expect(p, P_RPAREN, "`)`");
        }
        HC_PUSH(p->a, d->variants, v);
        if (p->panic) {
            break;
        }
        if (!accept(p, P_COMMA)) {
            break;
        }
    }
    if (!p->panic) {
        ps_expect(p, P_RBRACE, "`,` or `}`");
    }
}

static void parse_fields(parser *p, hc_decl *d) {
    advance(p); /* { */
    while (!at(p, P_RBRACE) && !at(p, T_EOF)) {
        hc_param f = {0};
        f.pos = cur(p)->pos;
        if (cur(p)->kind >= K_AS && cur(p)->kind <= K_WHILE) {
            f.name.name = cur(p)->text; /* member names may be words like `locus` */
            f.name.pos = advance(p)->pos;
        } else {
            f.name = ps_expect_ident(p, "a field name");
        }
        if (ps_expect(p, P_COLON, "`:` and the field's type")) {
            f.type = ps_type(p);
            if (accept(p, P_ASSIGN)) {
                f.def = ps_expr(p);
            }
            if (at(p, T_TIME)) { /* Go-style `key:"value"` tag */
                f.tag = advance(p)->str;
            }
            if (!at(p, P_RBRACE)) {
                expect_semi(p, "the field");
            }
        }
        if (p->panic) {
            ps_sync_stmt(p);
            continue;
        }
        HC_PUSH(p->a, d->fields, f);
    }
    ps_expect(p, P_RBRACE, "`}`");
}

hc_decl *ps_type_decl(parser *p, hc_annots annots) {
    hc_pos kw = advance(p)->pos;
    hc_decl *d = ps_new_decl(p, D_RECORD, kw);
    d->annots = annots;
    d->name = ps_expect_ident(p, "a type name after `type`");
    ps_generics(p, d);
    if (at(p, P_LBRACE)) {
        parse_fields(p, d);
        accept(p, P_SEMI);
        return d;
    }
    if (!ps_expect(p, P_ASSIGN, "`{` or `=`")) {
        return d;
    }
    if (accept(p, K_ENUM)) {
        d->kind = D_ENUM;
        parse_variants(p, d);
        expect_semi(p, "the enum");
        return d;
    }
    d->kind = D_ALIAS;
    d->type = ps_type(p);
    expect_semi(p, "the type alias");
    return d;
}

static hc_decl *parse_enum_decl(parser *p, hc_annots annots) {
    hc_decl *d = ps_new_decl(p, D_ENUM, advance(p)->pos);
    d->annots = annots;
    d->name = ps_expect_ident(p, "an enum name after `enum`");
    parse_variants(p, d);
    accept(p, P_SEMI);
    return d;
}

static hc_decl *parse_import(parser *p) {
    hc_decl *d = ps_new_decl(p, D_IMPORT, advance(p)->pos);
    if (!at(p, T_STRING)) {
        ps_perr(p, "expected the imported path as a string, found %s", ps_found(p));
        return d;
    }
    d->import_path = advance(p)->str;
    if (!at(p, K_AS)) {
        hc_help(ps_perr(p, "expected `as` and an alias after `import \"%s\"`", d->import_path),
                "imports are always named: `import \"%s\" as name;`", d->import_path);
        return d;
    }
    advance(p);
    d->name = ps_expect_ident(p, "an alias after `as`");
    expect_semi(p, "the import");
    return d;
}

/* interface I { fn m(a: T) -> R; ... } */
static hc_decl *parse_interface(parser *p, hc_annots annots) {
    hc_decl *d = ps_new_decl(p, D_IFACE, advance(p)->pos);
    d->annots = annots;
    d->name = ps_expect_ident(p, "an interface name after `interface`");
    if (!ps_expect(p, P_LBRACE, "`{` to open the interface")) {
        return d;
    }
    while (!at(p, P_RBRACE) && !at(p, T_EOF)) {
        if (!at(p, K_FN)) {
            hc_help(ps_perr(p, "expected a method signature, found %s", ps_found(p)),
                    "an interface lists signatures: `fn name(a: T) -> R;`");
            ps_sync_stmt(p);
            continue;
        }
        hc_decl *m = ps_fn(p, (hc_annots){0}, NULL);
        if (m->body) {
            ps_perr_at(p, m->body->pos, "an interface method has no body; end it with `;`");
        }
        HC_PUSH(p->a, d->members, m);
        if (p->panic) {
            ps_sync_stmt(p);
        }
    }
    ps_expect(p, P_RBRACE, "`}` to close the interface");
    return d;
}

/* `effect money;` declares a user effect class; `effect io = { syscall, block };` names a set
 * of classes (check_effects.c). */
static hc_decl *parse_effect(parser *p, hc_annots annots) {
    hc_decl *d = ps_new_decl(p, D_EFFECT, advance(p)->pos);
    d->annots = annots;
    d->name = ps_expect_ident(p, "an effect class name after `effect`");
    if (at(p, P_LPAREN)) {
        ps_perr(p, "not supported yet: indexed effect families (`effect name(domain)`)");
        ps_skip_group(p);
        return NULL;
    }
    if (accept(p, P_ASSIGN)) {
        ps_expect(p, P_LBRACE, "`{` and the classes of the set");
        while (!at(p, P_RBRACE) && !at(p, T_EOF)) {
            HC_PUSH(p->a, d->generics, ps_expect_ident(p, "an effect class").name);
            if (!accept(p, P_COMMA)) {
                break;
            }
        }
        ps_expect(p, P_RBRACE, "`}` after the set");
    }
    expect_semi(p, "the effect declaration");
    return d;
}

static const char *unsupported_decls[] = {"module",       "ring_layout", "target", "group",
                                          "constitution", "domain",      "claims"};

static hc_decl *parse_top_decl(parser *p);

/* A declaration; a generic one remembers where its tokens start (hc_parse_instance). */
static hc_decl *parse_top(parser *p) {
    int start = p->i;
    hc_decl *d = parse_top_decl(p);
    if (d && d->generics.n) {
        d->toks = p->t;
        d->ntoks = p->n;
        d->tok_at = start;
    }
    return d;
}

hc_decl *hc_parse_instance(hc_arena *a, hc_diags *d, const hc_decl *tmpl, const char *const *names,
                           hc_type *const *types, int n) {
    parser P = {0};
    P.a = a;
    P.d = d;
    P.t = (hc_token *)tmpl->toks;
    P.n = tmpl->ntoks;
    P.i = tmpl->tok_at;
    P.gnames = names;
    P.gtypes = types;
    P.ngen = n;
    return parse_top_decl(&P);
}

static hc_decl *parse_top_decl(parser *p) {
    hc_annots annots = {0};
    if (at(p, P_AT)) {
        ps_annots(p, &annots);
    }
    switch (cur(p)->kind) {
    case K_IMPORT:
        return parse_import(p);
    case K_CONST:
        return ps_const(p, annots);
    case K_TYPE:
        return ps_type_decl(p, annots);
    case K_ENUM:
        return parse_enum_decl(p, annots);
    case K_FN:
        return ps_fn(p, annots, NULL);
    case K_LOCUS:
        return ps_locus(p, annots, 0);
    default:
        break;
    }
    if (at_word(p, "main") && peek_n(p, 1)->kind == K_LOCUS) {
        advance(p);
        return ps_locus(p, annots, 1);
    }
    if (at_word(p, "topic") && peek_n(p, 1)->kind == T_IDENT) {
        return ps_topic(p, annots);
    }
    if (at_word(p, "interface") && peek_n(p, 1)->kind == T_IDENT) {
        return parse_interface(p, annots);
    }
    if (at_word(p, "effect") && peek_n(p, 1)->kind == T_IDENT) {
        return parse_effect(p, annots);
    }
    if (at_word(p, "perspective") && peek_n(p, 1)->kind == T_IDENT) {
        hc_decl *d = ps_locus(p, annots, 0); /* the same members as a locus's */
        d->kind = D_PERSPECTIVE;
        return d;
    }
    for (size_t i = 0; i < sizeof unsupported_decls / sizeof unsupported_decls[0]; i++) {
        if (at_word(p, unsupported_decls[i])) {
            ps_perr(p, "`%s` declarations are not supported", unsupported_decls[i]);
            return NULL;
        }
    }
    hc_help(ps_perr(p, "expected a declaration, found %s", ps_found(p)),
            "a file holds imports, `const`, `type`, `enum`, `topic`, `fn` and `locus` "
            "declarations");
    return NULL;
}

/* Skips to the next token that can start a top-level declaration at brace depth 0. */
static void sync_top(parser *p) {
    for (;;) {
        hc_tok_kind k = cur(p)->kind;
        if (k == T_EOF) {
            break;
        }
        if (k == K_FN || k == K_TYPE || k == K_CONST || k == K_LOCUS || k == K_IMPORT ||
            k == K_ENUM || k == P_AT || (at_word(p, "main") && peek_n(p, 1)->kind == K_LOCUS) ||
            (at_word(p, "topic") && peek_n(p, 1)->kind == T_IDENT)) {
            /* only at the start of a line: a nested `fn` in a locus body is not a restart */
            if (cur(p)->pos.col == 1) {
                break;
            }
        }
        advance(p);
    }
    p->panic = 0;
}

void hc_parse_file(hc_arena *a, hc_diags *d, const hc_tokens *toks, hc_decls *out) {
    parser P = {0};
    P.a = a;
    P.d = d;
    P.t = toks->v;
    P.n = toks->n;
    while (!at(&P, T_EOF)) {
        int before = P.i;
        hc_decl *decl = parse_top(&P);
        if (decl) {
            HC_PUSH(a, *out, decl);
        }
        if (P.panic) {
            if (P.i == before) {
                advance(&P);
            }
            sync_top(&P);
        } else if (P.i == before) {
            advance(&P);
        }
    }
}

/* ---- depth ---- */

static int dmax(int a, hc_expr *e) {
    return e && e->depth > a ? e->depth : a;
}

hc_expr *ps_settle(parser *p, hc_expr *e) {
    int d = dmax(dmax(dmax(0, e->lhs), e->rhs), e->third);
    for (int i = 0; i < e->args.n; i++) {
        d = dmax(d, e->args.v[i]);
    }
    for (int i = 0; i < e->inits.n; i++) {
        d = dmax(d, e->inits.v[i].value);
    }
    for (int i = 0; i < e->arms.n; i++) {
        d = dmax(dmax(d, e->arms.v[i].guard), e->arms.v[i].body);
    }
    if (e->block && e->block->depth > d) {
        d = e->block->depth;
    }
    e->depth = d + 1;
    if (e->depth > HC_MAX_DEPTH && !p->too_deep) {
        p->too_deep = 1;
        hc_help(hc_error(p->d, e->pos, "expression nested too deeply (more than %d levels)",
                         HC_MAX_DEPTH),
                "split it into several `let` bindings");
    }
    return e;
}

int ps_stmt_depth(hc_stmt *s) {
    int d = dmax(dmax(dmax(0, s->expr), s->target), s->modifier_expr);
    for (int i = 0; i < s->args.n; i++) {
        d = dmax(d, s->args.v[i]);
    }
    if (s->body && s->body->depth > d) {
        d = s->body->depth;
    }
    return d + 1;
}
