/* See parse.h. This file: expressions (by precedence level, as hale-lang/hale's spec/precedence.md
 * orders them), patterns, f-strings, type expressions and annotations. */
#include <stdio.h>
#include <stdlib.h>

#include "parse_impl.h"

hc_expr *ps_new_expr(parser *p, hc_expr_kind k, hc_pos pos) {
    hc_expr *e = HC_NEW(p->a, hc_expr);
    e->kind = k;
    e->pos = pos;
    e->depth = 1;
    return e;
}

static hc_expr *error_expr(parser *p, hc_pos pos) {
    hc_expr *e = ps_new_expr(p, E_INT, pos);
    return e;
}

int ps_starts_expr(parser *p) {
    switch (cur(p)->kind) {
    case T_IDENT:
    case T_INT:
    case T_FLOAT:
    case T_DECIMAL:
    case T_STRING:
    case T_FSTRING:
    case T_BYTES:
    case T_DURATION:
    case T_TIME:
    case K_TRUE:
    case K_FALSE:
    case K_NIL:
    case K_SELF:
    case K_IF:
    case K_MATCH:
    case P_LPAREN:
    case P_LBRACKET:
    case P_LBRACE:
    case P_MINUS:
    case P_BANG:
    case P_TILDE:
    case P_AT:
        return 1;
    default:
        return 0;
    }
}

hc_path ps_path(parser *p) {
    hc_path path = {0};
    HC_VEC(hc_ident) segs = {0};
    hc_ident first = ps_expect_ident(p, "a name");
    HC_PUSH(p->a, segs, first);
    path.pos = first.pos;
    while (at(p, P_COLONCOLON) && peek_n(p, 1)->kind == T_IDENT) {
        advance(p);
        hc_ident id = {advance(p)->text, p->t[p->i - 1].pos};
        HC_PUSH(p->a, segs, id);
        path.pos = ps_pos_join(path.pos, id.pos);
    }
    path.seg = segs.v;
    path.n = segs.n;
    return path;
}

/* ---- annotations ---- */

void ps_annots(parser *p, hc_annots *out) {
    while (at(p, P_AT)) {
        hc_annot an = {0};
        an.pos = advance(p)->pos;
        an.name = ps_expect_ident(p, "an annotation name after `@`");
        an.pos = ps_pos_join(an.pos, an.name.pos);
        if (accept(p, P_LPAREN)) {
            an.has_args = 1;
            while (!at(p, P_RPAREN) && !at(p, T_EOF)) {
                hc_annot_arg arg = {0};
                if (at(p, T_IDENT) &&
                    (peek_n(p, 1)->kind == P_ASSIGN || peek_n(p, 1)->kind == P_COLON)) {
                    arg.key_pos = cur(p)->pos;
                    arg.key = advance(p)->text;
                    advance(p);
                }
                if (at(p, P_LBRACE)) { /* a set of names: `none: { syscall, money }` */
                    arg.value = ps_new_expr(p, E_ARRAY, advance(p)->pos);
                    while (!at(p, P_RBRACE) && !at(p, T_EOF)) {
                        HC_PUSH(p->a, arg.value->args, ps_expr(p));
                        if (!accept(p, P_COMMA)) {
                            break;
                        }
                    }
                    ps_expect(p, P_RBRACE, "`}` after the set");
                } else {
                    arg.value = ps_expr(p);
                }
                HC_PUSH(p->a, an.args, arg);
                if (!accept(p, P_COMMA)) {
                    break;
                }
            }
            ps_expect(p, P_RPAREN, "`)`");
        }
        HC_PUSH(p->a, *out, an);
    }
}

/* ---- types ---- */

static hc_texpr *new_texpr(parser *p, hc_texpr_kind k, hc_pos pos) {
    hc_texpr *t = HC_NEW(p->a, hc_texpr);
    t->kind = k;
    t->pos = pos;
    return t;
}

static void parse_generic_args(parser *p, hc_texprs *out) {
    advance(p); /* < */
    while (!at(p, P_GT) && !at(p, T_EOF)) {
        HC_PUSH(p->a, *out, ps_type(p));
        if (!accept(p, P_COMMA)) {
            break;
        }
    }
    if (at(p, P_SHR)) {
        /* `A<B<C>>`: the inner list takes the first half of the `>>`, the outer one the token
         * (the tokens stay as lexed: a generic template is parsed again per instance) */
        if (!p->half_gt) {
            p->half_gt = 1;
        } else {
            p->half_gt = 0;
            advance(p);
        }
        return;
    }
    ps_expect(p, P_GT, "`>`");
}

hc_texpr *ps_type(parser *p) {
    hc_pos start = cur(p)->pos;
    if (!ps_enter(p)) {
        leave(p);
        return new_texpr(p, TE_UNIT, start);
    }
    hc_texpr *t;
    if (accept(p, P_LPAREN)) {
        if (accept(p, P_RPAREN)) {
            t = new_texpr(p, TE_UNIT, start);
        } else {
            hc_texpr *first = ps_type(p);
            if (at(p, P_COMMA)) {
                t = new_texpr(p, TE_TUPLE, start);
                HC_PUSH(p->a, t->args, first);
                while (accept(p, P_COMMA) && !at(p, P_RPAREN)) {
                    HC_PUSH(p->a, t->args, ps_type(p));
                }
            } else {
                t = first;
            }
            ps_expect(p, P_RPAREN, "`)`");
        }
    } else if (accept(p, P_LBRACKET)) {
        t = new_texpr(p, TE_ARRAY, start);
        t->elem = ps_type(p);
        if (accept(p, P_SEMI)) {
            t->len = ps_expr(p);
        }
        ps_expect(p, P_RBRACKET, "`]`");
    } else if (accept(p, K_FN)) {
        t = new_texpr(p, TE_FN, start);
        ps_expect(p, P_LPAREN, "`(`");
        while (!at(p, P_RPAREN) && !at(p, T_EOF)) {
            HC_PUSH(p->a, t->args, ps_type(p));
            if (!accept(p, P_COMMA)) {
                break;
            }
        }
        ps_expect(p, P_RPAREN, "`)`");
        if (accept(p, P_ARROW)) {
            t->elem = ps_type(p);
        }
    } else if (at_word(p, "bounded") && peek_n(p, 1)->kind == P_LBRACKET) {
        advance(p);
        advance(p);
        t = new_texpr(p, TE_BOUNDED, start);
        t->elem = ps_type(p);
        if (ps_expect(p, P_SEMI, "`;` and the capacity")) {
            t->len = ps_expr(p);
        }
        ps_expect(p, P_RBRACKET, "`]`");
    } else if (at_word(p, "perspective") && peek_n(p, 1)->kind == P_LPAREN) {
        advance(p);
        advance(p);
        t = new_texpr(p, TE_PERSPECTIVE, start);
        t->path = ps_path(p);
        ps_expect(p, P_RPAREN, "`)`");
    } else if ((at_word(p, "Rich") || at_word(p, "Chunked") || at_word(p, "Recognition")) &&
               peek_n(p, 1)->kind == P_LT) {
        t = new_texpr(p, TE_PROJECTION, start);
        t->proj = advance(p)->text;
        advance(p);
        t->elem = ps_type(p);
        ps_expect(p, P_GT, "`>`");
    } else if (at(p, T_IDENT)) {
        t = new_texpr(p, TE_NAME, start);
        t->path = ps_path(p);
        if (at(p, P_LT)) {
            parse_generic_args(p, &t->args);
        }
        for (int i = 0; t->path.n == 1 && i < p->ngen; i++) {
            if (strcmp(p->gnames[i], t->path.seg[0].name) == 0) {
                t->resolved = p->gtypes[i]; /* a type parameter of the instance being parsed */
            }
        }
    } else {
        ps_perr(p, "expected a type, found %s", ps_found(p));
        t = new_texpr(p, TE_UNIT, start);
    }
    if (p->i > 0) {
        t->pos = ps_pos_join(start, p->t[p->i - 1].pos);
    }
    leave(p);
    return t;
}

/* ---- patterns ---- */

static hc_pat *new_pat(parser *p, hc_pat_kind k, hc_pos pos) {
    hc_pat *pt = HC_NEW(p->a, hc_pat);
    pt->kind = k;
    pt->pos = pos;
    return pt;
}

static hc_pat *parse_pattern(parser *p) {
    hc_pos start = cur(p)->pos;
    if (!ps_enter(p)) {
        leave(p);
        return new_pat(p, PAT_WILD, start);
    }
    hc_pat *pt = NULL;
    int neg = 0;
    if (at(p, P_MINUS) && (peek_n(p, 1)->kind == T_INT || peek_n(p, 1)->kind == T_FLOAT)) {
        advance(p);
        neg = 1;
    }
    hc_token *t = cur(p);
    switch (t->kind) {
    case T_INT:
        advance(p);
        pt = new_pat(p, PAT_INT, start);
        pt->i = t->i;
        pt->neg = neg;
        if (t->slen == 1 && !neg) {
            ps_perr_at(p, t->pos, "integer literal `%s` does not fit in an Int", t->text);
        }
        break;
    case T_FLOAT:
        advance(p);
        pt = new_pat(p, PAT_FLOAT, start);
        pt->f = neg ? -t->f : t->f;
        break;
    case T_STRING:
        advance(p);
        pt = new_pat(p, PAT_STRING, start);
        pt->str = t->str;
        pt->slen = t->slen;
        break;
    case K_TRUE:
    case K_FALSE:
        advance(p);
        pt = new_pat(p, PAT_BOOL, start);
        pt->i = t->kind == K_TRUE;
        break;
    case K_NIL:
        advance(p);
        pt = new_pat(p, PAT_NIL, start);
        break;
    case P_LPAREN: {
        advance(p);
        pt = new_pat(p, PAT_TUPLE, start);
        while (!at(p, P_RPAREN) && !at(p, T_EOF)) {
            HC_PUSH(p->a, pt->args, parse_pattern(p));
            if (!accept(p, P_COMMA)) {
                break;
            }
        }
        ps_expect(p, P_RPAREN, "`)`");
        break;
    }
    case T_IDENT: {
        hc_path path = ps_path(p);
        if (path.n == 1 && strcmp(path.seg[0].name, "_") == 0) {
            pt = new_pat(p, PAT_WILD, start);
            break;
        }
        if (path.n == 1 && !at(p, P_LPAREN)) {
            pt = new_pat(p, PAT_BIND, start);
            pt->path = path;
            break;
        }
        pt = new_pat(p, PAT_CTOR, start);
        pt->path = path;
        if (accept(p, P_LPAREN)) {
            pt->has_args = 1;
            while (!at(p, P_RPAREN) && !at(p, T_EOF)) {
                HC_PUSH(p->a, pt->args, parse_pattern(p));
                if (!accept(p, P_COMMA)) {
                    break;
                }
            }
            ps_expect(p, P_RPAREN, "`)`");
        }
        break;
    }
    default:
        ps_perr(p, "expected a pattern, found %s", ps_found(p));
        advance(p);
        pt = new_pat(p, PAT_WILD, start);
    }
    if (p->i > 0) {
        pt->pos = ps_pos_join(start, p->t[p->i - 1].pos);
    }
    leave(p);
    return pt;
}

/* ---- f-strings ---- */

static void fstr_literal(parser *p, hc_expr *fs, hc_buf *lit) {
    hc_expr *s = ps_new_expr(p, E_STRING, fs->pos);
    s->str = hc_strndup(p->a, lit->p ? lit->p : "", lit->len);
    s->slen = (int64_t)lit->len;
    HC_PUSH(p->a, fs->args, s);
    lit->len = 0;
}

/* Line and column of byte `off` of token `t`'s source text. */
static void text_pos(hc_token *t, size_t off, int *line, int *col) {
    *line = t->pos.line;
    *col = t->pos.col;
    for (size_t i = 0; i < off && t->text[i]; i++) {
        if (t->text[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

static void fstr_expr(parser *p, hc_token *t, hc_expr *fs, size_t off, size_t len) {
    int line, col;
    text_pos(t, off + 2, &line, &col);
    const char *src = t->str + off;
    if (memchr(src, '\\', len)) {
        /* a string nested in the interpolation is written with escaped quotes inside the
         * f-string (`f"{upper(\"abc\")}"`): the expression itself has plain ones */
        char *plain = hc_alloc(p->a, len + 1);
        size_t k = 0;
        for (size_t i = 0; i < len; i++) {
            if (src[i] == '\\' && i + 1 < len && src[i + 1] == '"') {
                i++;
            }
            plain[k++] = src[i];
        }
        src = plain;
        len = k;
    }
    hc_tokens toks = hc_lex_at(p->a, p->d, t->pos.file, src, len, line, col);
    parser sub = {0};
    sub.a = p->a;
    sub.d = p->d;
    sub.t = toks.v;
    sub.n = toks.n;
    sub.nesting = p->nesting;
    hc_pos where = {t->pos.file, line, col, (int)len};
    if (toks.n == 1) {
        ps_perr_at(p, where, "empty `{}` in an f-string");
        return;
    }
    hc_expr *e = ps_expr(&sub);
    if (!sub.panic && !at(&sub, T_EOF)) {
        ps_perr(&sub, "unexpected %s in an f-string expression", ps_found(&sub));
    }
    if (sub.panic) {
        p->panic = 1;
    }
    HC_PUSH(p->a, fs->args, e);
}

static hc_expr *parse_fstring(parser *p) {
    hc_token *t = advance(p);
    hc_expr *fs = ps_new_expr(p, E_FSTRING, t->pos);
    const char *s = t->str;
    size_t n = (size_t)t->slen;
    hc_buf lit = {0};
    for (size_t i = 0; i < n;) {
        char c = s[i];
        if (c == '{' && i + 1 < n && s[i + 1] == '{') {
            hc_buf_put(&lit, "{", 1);
            i += 2;
        } else if (c == '}' && i + 1 < n && s[i + 1] == '}') {
            hc_buf_put(&lit, "}", 1);
            i += 2;
        } else if (c == '{') {
            size_t j = i + 1;
            int depth = 1, in_str = 0; /* 1 inside "...", 2 inside \"...\" */
            for (; j < n; j++) {
                if (in_str == 2) {
                    if (s[j] == '\\' && j + 1 < n && s[j + 1] == '"') {
                        in_str = 0;
                    }
                    j += s[j] == '\\';
                } else if (in_str) {
                    if (s[j] == '\\') {
                        j++;
                    } else if (s[j] == '"') {
                        in_str = 0;
                    }
                } else if (s[j] == '\\' && j + 1 < n && s[j + 1] == '"') {
                    in_str = 2;
                    j++;
                } else if (s[j] == '"') {
                    in_str = 1;
                } else if (s[j] == '{') {
                    depth++;
                } else if (s[j] == '}' && --depth == 0) {
                    break;
                }
            }
            if (j >= n) {
                ps_perr_at(p, t->pos, "unclosed `{` in an f-string");
                break;
            }
            if (lit.len) {
                fstr_literal(p, fs, &lit);
            }
            fstr_expr(p, t, fs, i + 1, j - i - 1);
            i = j + 1;
        } else if (c == '}') {
            hc_help(ps_perr_at(p, t->pos, "unmatched `}` in an f-string"),
                    "write `}}` for a literal brace");
            break;
        } else if (c == '\\' && i + 1 < n) {
            char e = s[i + 1], ch = e;
            i += 2;
            switch (e) {
            case 'n':
                ch = '\n';
                break;
            case 't':
                ch = '\t';
                break;
            case 'r':
                ch = '\r';
                break;
            case '0':
                ch = '\0';
                break;
            case 'x':
                if (i + 2 <= n) {
                    char hex[3] = {s[i], s[i + 1], 0};
                    ch = (char)strtol(hex, NULL, 16);
                    i += 2;
                }
                break;
            default:
                break;
            }
            hc_buf_put(&lit, &ch, 1);
        } else {
            hc_buf_put(&lit, &s[i], 1);
            i++;
        }
    }
    if (lit.len || fs->args.n == 0) {
        fstr_literal(p, fs, &lit);
    }
    hc_buf_free(&lit);
    return ps_settle(p, fs);
}

/* ---- expressions ---- */

static hc_expr *parse_unary(parser *p);
static hc_expr *parse_or(parser *p);

static hc_expr *parse_block_expr(parser *p) {
    hc_expr *e = ps_new_expr(p, E_BLOCK, cur(p)->pos);
    int save = p->no_struct;
    p->no_struct = 0;
    e->block = ps_block(p);
    p->no_struct = save;
    return ps_settle(p, e);
}

static hc_expr *parse_if(parser *p) {
    hc_expr *e = ps_new_expr(p, E_IF, advance(p)->pos);
    e->lhs = ps_expr_no_struct(p);
    int save = p->no_struct;
    p->no_struct = 0;
    e->block = ps_block(p);
    if (accept(p, K_ELSE)) {
        if (at(p, K_IF)) {
            e->rhs = parse_if(p);
        } else {
            e->rhs = parse_block_expr(p);
        }
    }
    p->no_struct = save;
    return ps_settle(p, e);
}

static hc_expr *parse_match(parser *p) {
    hc_expr *e = ps_new_expr(p, E_MATCH, advance(p)->pos);
    e->lhs = ps_expr_no_struct(p);
    int save = p->no_struct;
    p->no_struct = 0;
    ps_expect(p, P_LBRACE, "`{` to open the match arms");
    while (!at(p, P_RBRACE) && !at(p, T_EOF) && !p->panic) {
        hc_arm arm = {0};
        arm.pos = cur(p)->pos;
        arm.pat = parse_pattern(p);
        if (at(p, K_IF)) {
            advance(p);
            arm.guard = ps_expr(p);
        }
        if (!ps_expect(p, P_ARROW, "`->` after the pattern")) {
            break;
        }
        if (at(p, P_LBRACE)) {
            arm.body = parse_block_expr(p);
        } else {
            arm.body = ps_expr(p);
        }
        HC_PUSH(p->a, e->arms, arm);
        if (!accept(p, P_COMMA) && arm.body->kind != E_BLOCK) {
            break;
        }
    }
    if (!p->panic) {
        ps_expect(p, P_RBRACE, "`,` or `}` after the match arm");
    } else {
        /* skip the rest of the arms */
        while (!at(p, P_RBRACE) && !at(p, T_EOF)) {
            if (at(p, P_LBRACE) || at(p, P_LPAREN) || at(p, P_LBRACKET)) {
                ps_skip_group(p);
            } else {
                advance(p);
            }
        }
        accept(p, P_RBRACE);
    }
    p->no_struct = save;
    return ps_settle(p, e);
}

static int looks_like_struct(parser *p) {
    if (p->no_struct || !at(p, P_LBRACE)) {
        return 0;
    }
    hc_token *a = peek_n(p, 1), *b = peek_n(p, 2);
    return a->kind == P_RBRACE || (a->kind == T_IDENT && b->kind == P_COLON);
}

static hc_expr *parse_struct(parser *p, hc_path path) {
    hc_expr *e = ps_new_expr(p, E_STRUCT, path.pos);
    e->path = path;
    advance(p); /* { */
    int save = p->no_struct;
    p->no_struct = 0;
    while (!at(p, P_RBRACE) && !at(p, T_EOF)) {
        hc_field_init fi = {0};
        if (cur(p)->kind >= K_AS && cur(p)->kind <= K_WHILE) {
            fi.name.name = cur(p)->text;
            fi.name.pos = advance(p)->pos;
        } else {
            fi.name = ps_expect_ident(p, "a field name");
        }
        if (!ps_expect(p, P_COLON, "`:` after the field name")) {
            break;
        }
        fi.value = ps_expr(p);
        HC_PUSH(p->a, e->inits, fi);
        if (!accept(p, P_COMMA)) {
            break;
        }
    }
    p->no_struct = save;
    ps_expect(p, P_RBRACE, "`,` or `}` in the literal");
    return ps_settle(p, e);
}

static hc_expr *parse_paren(parser *p) {
    hc_pos start = advance(p)->pos;
    int save = p->no_struct;
    p->no_struct = 0;
    hc_expr *e;
    if (at(p, P_RPAREN)) {
        e = ps_new_expr(p, E_TUPLE, start); /* () */
    } else {
        e = ps_expr(p);
        if (at(p, P_COMMA)) {
            hc_expr *t = ps_new_expr(p, E_TUPLE, start);
            HC_PUSH(p->a, t->args, e);
            while (accept(p, P_COMMA) && !at(p, P_RPAREN)) {
                HC_PUSH(p->a, t->args, ps_expr(p));
            }
            e = t;
        }
    }
    ps_expect(p, P_RPAREN, "`)`");
    e->parenthesized = 1;
    p->no_struct = save;
    return ps_settle(p, e);
}

static hc_expr *parse_array(parser *p) {
    hc_expr *e = ps_new_expr(p, E_ARRAY, advance(p)->pos);
    int save = p->no_struct;
    p->no_struct = 0;
    if (!at(p, P_RBRACKET)) {
        hc_expr *first = ps_expr(p);
        if (accept(p, P_SEMI)) {
            e->kind = E_REPEAT;
            e->lhs = first;
            e->rhs = ps_expr(p);
        } else {
            HC_PUSH(p->a, e->args, first);
            while (accept(p, P_COMMA) && !at(p, P_RBRACKET)) {
                HC_PUSH(p->a, e->args, ps_expr(p));
            }
        }
    }
    p->no_struct = save;
    ps_expect(p, P_RBRACKET, "`,` or `]`");
    return ps_settle(p, e);
}

static hc_expr *literal(parser *p, hc_expr_kind k) {
    hc_token *t = advance(p);
    hc_expr *e = ps_new_expr(p, k, t->pos);
    e->i = t->i;
    e->f = t->f;
    e->str = t->str;
    e->slen = t->slen;
    if (k == E_INT && t->slen == 1) {
        e->neg_min = 1;
    }
    if (k == E_DECIMAL || k == E_TIME) {
        e->str = k == E_DECIMAL ? t->text : t->str;
    }
    return e;
}

static hc_expr *parse_primary(parser *p) {
    hc_token *t = cur(p);
    switch (t->kind) {
    case T_INT:
        return literal(p, E_INT);
    case T_FLOAT:
        return literal(p, E_FLOAT);
    case T_DECIMAL:
        return literal(p, E_DECIMAL);
    case T_STRING:
        return literal(p, E_STRING);
    case T_BYTES:
        return literal(p, E_BYTES);
    case T_DURATION:
        return literal(p, E_DURATION);
    case T_TIME:
        return literal(p, E_TIME);
    case T_FSTRING:
        return parse_fstring(p);
    case K_TRUE:
    case K_FALSE: {
        hc_expr *e = ps_new_expr(p, E_BOOL, advance(p)->pos);
        e->i = t->kind == K_TRUE;
        return e;
    }
    case K_NIL:
        return ps_new_expr(p, E_NIL, advance(p)->pos);
    case K_SELF:
        return ps_new_expr(p, E_SELF, advance(p)->pos);
    case K_IF:
        return parse_if(p);
    case K_MATCH:
        return parse_match(p);
    case P_LPAREN:
        return parse_paren(p);
    case P_LBRACKET:
        return parse_array(p);
    case P_LBRACE:
        return parse_block_expr(p);
    case T_IDENT: {
        hc_path path = ps_path(p);
        if (looks_like_struct(p)) {
            return parse_struct(p, path);
        }
        hc_expr *e = ps_new_expr(p, E_NAME, path.pos);
        e->path = path;
        return e;
    }
    default:
        break;
    }
    if (t->kind >= K_AS && t->kind <= K_WHILE) {
        ps_perr(p, "expected an expression, found keyword %s", hc_tok_describe(t->kind));
    } else {
        ps_perr(p, "expected an expression, found %s", ps_found(p));
    }
    return error_expr(p, t->pos);
}

static int member_name(parser *p, hc_ident *out) {
    hc_token *t = cur(p);
    if (t->kind == T_IDENT || t->kind == T_INT || (t->kind >= K_AS && t->kind <= K_WHILE)) {
        out->name = t->text;
        out->pos = t->pos;
        advance(p);
        return 1;
    }
    ps_perr(p, "expected a field or method name after `.`, found %s", ps_found(p));
    return 0;
}

static hc_expr *parse_postfix(parser *p) {
    hc_expr *e = parse_primary(p);
    for (;;) {
        if (at(p, P_DOT)) {
            hc_pos dot = advance(p)->pos;
            if (at(p, T_FLOAT) && strspn(cur(p)->text, "0123456789.") == strlen(cur(p)->text)) {
                /* `t.0.1` lexes as `t` `.` `0.1`: two tuple element accesses */
                hc_token *t = advance(p);
                const char *dotp = strchr(t->text, '.');
                hc_expr *f1 = ps_new_expr(p, E_FIELD, t->pos);
                f1->lhs = e;
                f1->field.name = hc_strndup(p->a, t->text, (size_t)(dotp - t->text));
                f1->field.pos = t->pos;
                hc_expr *f2 = ps_new_expr(p, E_FIELD, t->pos);
                f2->lhs = f1;
                f2->field.name = dotp + 1;
                f2->field.pos = t->pos;
                e = ps_settle(p, f2);
                continue;
            }
            hc_expr *f = ps_new_expr(p, E_FIELD, dot);
            f->lhs = e;
            if (!member_name(p, &f->field)) {
                return e;
            }
            f->pos = f->field.pos;
            e = ps_settle(p, f);
        } else if (at(p, P_LPAREN)) {
            hc_expr *c = ps_new_expr(p, E_CALL, e->pos);
            advance(p);
            c->lhs = e;
            int save = p->no_struct;
            p->no_struct = 0;
            while (!at(p, P_RPAREN) && !at(p, T_EOF)) {
                HC_PUSH(p->a, c->args, ps_expr(p));
                if (p->panic || !accept(p, P_COMMA)) {
                    break;
                }
            }
            p->no_struct = save;
            ps_expect(p, P_RPAREN, "`,` or `)` in the argument list");
            e = ps_settle(p, c);
        } else if (at(p, P_LBRACKET)) {
            hc_expr *x = ps_new_expr(p, E_INDEX, cur(p)->pos);
            advance(p);
            x->lhs = e;
            int save = p->no_struct;
            p->no_struct = 0;
            x->rhs = ps_expr(p);
            p->no_struct = save;
            ps_expect(p, P_RBRACKET, "`]`");
            e = ps_settle(p, x);
        } else {
            return e;
        }
    }
}

static hc_expr *parse_unary(parser *p) {
    if (at(p, P_AT)) { /* `@hoist Frame { ... }`: an annotation on an allocation */
        hc_annots annots = {0};
        ps_annots(p, &annots);
        if (!ps_enter(p)) {
            leave(p);
            return error_expr(p, cur(p)->pos);
        }
        hc_expr *e = parse_unary(p);
        leave(p);
        e->annots = annots;
        return e;
    }
    hc_op op = OP_NONE;
    if (at(p, P_MINUS)) {
        op = OP_NEG;
    } else if (at(p, P_BANG)) {
        op = OP_NOT;
    } else if (at(p, P_TILDE)) {
        op = OP_BITNOT;
    }
    if (op == OP_NONE) {
        return parse_postfix(p);
    }
    hc_expr *e = ps_new_expr(p, E_UNARY, advance(p)->pos);
    e->op = op;
    if (!ps_enter(p)) {
        leave(p);
        return e;
    }
    e->lhs = parse_unary(p);
    leave(p);
    return ps_settle(p, e);
}

/* Binary levels, loosest first; the approximate-equality level is handled separately. */
enum {
    L_OROR,
    L_ANDAND,
    L_APPROX,
    L_EQ,
    L_CMP,
    L_BITOR,
    L_BITXOR,
    L_BITAND,
    L_SHIFT,
    L_ADD,
    L_MUL,
    L_UNARY
};

static int binop_at(parser *p, int level, hc_op *op) {
    hc_tok_kind k = cur(p)->kind;
    switch (level) {
    case L_OROR:
        *op = OP_OR;
        return k == P_OROR;
    case L_ANDAND:
        *op = OP_AND;
        return k == P_ANDAND;
    case L_EQ:
        *op = k == P_EQ ? OP_EQ : OP_NE;
        return k == P_EQ || k == P_NE;
    case L_CMP:
        *op = k == P_LT ? OP_LT : k == P_GT ? OP_GT : k == P_LE ? OP_LE : OP_GE;
        return k == P_LT || k == P_GT || k == P_LE || k == P_GE;
    case L_BITOR:
        *op = OP_BITOR;
        return k == P_PIPE;
    case L_BITXOR:
        *op = OP_BITXOR;
        return k == P_CARET;
    case L_BITAND:
        *op = OP_BITAND;
        return k == P_AMP;
    case L_SHIFT:
        *op = k == P_SHL ? OP_SHL : OP_SHR;
        return k == P_SHL || k == P_SHR;
    case L_ADD:
        *op = k == P_PLUS ? OP_ADD : OP_SUB;
        return k == P_PLUS || k == P_MINUS;
    case L_MUL:
        *op = k == P_STAR ? OP_MUL : k == P_SLASH ? OP_DIV : OP_MOD;
        return k == P_STAR || k == P_SLASH || k == P_PERCENT;
    default:
        return 0;
    }
}

/* Recursion here is bounded by the number of levels; nesting is counted in parse_expr. */
static hc_expr *parse_level(parser *p, int level) {
    if (level == L_UNARY) {
        return parse_unary(p);
    }
    hc_expr *lhs = parse_level(p, level + 1);
    if (level == L_APPROX) {
        if (at(p, P_APPROX) || (p->in_closure && at_word(p, "approx"))) {
            hc_expr *e = ps_new_expr(p, E_APPROX, advance(p)->pos);
            e->lhs = lhs;
            e->rhs = parse_level(p, L_EQ);
            if (at_word(p, "within")) {
                advance(p);
                e->third = parse_level(p, L_EQ);
            } else {
                hc_help(ps_perr(p, "expected `within` and a tolerance after `~~`"),
                        "write `a ~~ b within tolerance`");
            }
            lhs = ps_settle(p, e);
        }
        return lhs;
    }
    hc_op op;
    while (binop_at(p, level, &op)) {
        hc_expr *e = ps_new_expr(p, E_BINARY, advance(p)->pos);
        e->op = op;
        e->lhs = lhs;
        e->rhs = parse_level(p, level + 1);
        lhs = ps_settle(p, e);
        if ((level == L_EQ || level == L_CMP) && binop_at(p, level, &op)) {
            hc_help(ps_perr(p, "comparison operators cannot be chained"),
                    "split it with `&&`, e.g. `a < b && b < c`");
            break;
        }
    }
    return lhs;
}

/* `e or raise | discard | wait | fail e | e` (right-associative) */
static hc_expr *parse_or(parser *p) {
    hc_expr *lhs = parse_level(p, L_OROR);
    if (!at_word(p, "or")) {
        return lhs;
    }
    hc_expr *e = ps_new_expr(p, E_OR, advance(p)->pos);
    e->lhs = lhs;
    if (at_word(p, "raise") && peek_n(p, 1)->kind != P_LPAREN) {
        advance(p);
        e->or_kind = OR_RAISE;
    } else if (at_word(p, "discard")) {
        advance(p);
        e->or_kind = OR_DISCARD;
    } else if (at_word(p, "wait") && peek_n(p, 1)->kind == P_SEMI) {
        advance(p);
        e->or_kind = OR_WAIT;
    } else if (at_word(p, "fail") && peek_n(p, 1)->kind != P_SEMI) {
        advance(p);
        e->or_kind = OR_FAIL;
        e->rhs = parse_or(p);
    } else {
        e->or_kind = OR_VALUE;
        if (!ps_enter(p)) {
            leave(p);
            return e;
        }
        e->rhs = parse_or(p);
        leave(p);
    }
    return ps_settle(p, e);
}

hc_expr *ps_expr(parser *p) {
    if (!ps_enter(p)) {
        leave(p);
        return error_expr(p, cur(p)->pos);
    }
    hc_expr *lhs = parse_or(p);
    if (at(p, P_DOTDOT) || at(p, P_DOTDOTEQ)) {
        hc_expr *e = ps_new_expr(p, E_RANGE, cur(p)->pos);
        e->inclusive = advance(p)->kind == P_DOTDOTEQ;
        e->lhs = lhs;
        e->rhs = parse_or(p);
        lhs = ps_settle(p, e);
    }
    leave(p);
    return lhs;
}

hc_expr *ps_expr_no_struct(parser *p) {
    int save = p->no_struct;
    p->no_struct = 1;
    hc_expr *e = ps_expr(p);
    p->no_struct = save;
    return e;
}
