/* Internal to the parser (parse.c, parse_expr.c, parse_locus.c): the parser state and the
 * token helpers every production uses. */
#ifndef HALE_COMPILER_PARSE_IMPL_H
#define HALE_COMPILER_PARSE_IMPL_H

#include <string.h>

#include "parse.h"

#define HC_MAX_NESTING 256
/* The deepest expression tree accepted. Operator chains (a + b + c ...) and postfix chains
 * (a.b.c, f()()) grow trees without parser recursion; this bound keeps every later recursive
 * phase far from the stack's end. */
#define HC_MAX_DEPTH 1000

typedef struct {
    hc_arena *a;
    hc_diags *d;
    hc_token *t;
    int n;
    int i;
    int no_struct;  /* struct literals are not allowed here (if/while/for/match heads) */
    int in_closure; /* `approx` / `within` are keywords here */
    int panic;      /* an error was reported; stay quiet until the next synchronisation */
    int nesting;
    int too_deep; /* the depth error was reported */
    int half_gt;  /* the first `>` of the current `>>` closed an inner generic argument list */
    /* parsing a generic template again for one instance: its type parameters and their types */
    const char *const *gnames;
    hc_type *const *gtypes;
    int ngen;
    hc_stmts pending; /* statements one source statement became (`let (a, b) = e;`), in order */
} parser;

static inline hc_token *cur(parser *p) {
    return &p->t[p->i];
}

static inline hc_token *peek_n(parser *p, int k) {
    int j = p->i + k;
    return &p->t[j < p->n ? j : p->n - 1];
}

static inline int at(parser *p, hc_tok_kind k) {
    return cur(p)->kind == k;
}

static inline int at_word(parser *p, const char *w) {
    return cur(p)->kind == T_IDENT && strcmp(cur(p)->text, w) == 0;
}

static inline int word_at(parser *p, int k, const char *w) {
    hc_token *t = peek_n(p, k);
    return t->kind == T_IDENT && strcmp(t->text, w) == 0;
}

static inline hc_token *advance(parser *p) {
    hc_token *t = cur(p);
    if (p->i < p->n - 1) {
        p->i++;
    }
    return t;
}

static inline int accept(parser *p, hc_tok_kind k) {
    if (at(p, k)) {
        advance(p);
        return 1;
    }
    return 0;
}

/* Reports at the current token unless already in panic mode; enters panic mode. */
hc_diag *ps_perr(parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Reports at a given position (same panic rule). */
hc_diag *ps_perr_at(parser *p, hc_pos at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The position just after the previous token (where a missing `;` belongs). */
hc_pos ps_after_prev(parser *p);
/* Consumes a `k` or reports "expected <what>, found <current>". Returns 1 when consumed. */
int ps_expect(parser *p, hc_tok_kind k, const char *what);
/* Expects an identifier and returns it (a placeholder name after an error). */
hc_ident ps_expect_ident(parser *p, const char *what);
/* Describes the current token for "found ..." (`}`, identifier `foo`, end of file). */
const char *ps_found(parser *p);

/* Skips to just after the next `;` or to the next `}` at the current nesting, and leaves panic
 * mode. */
void ps_sync_stmt(parser *p);
/* Skips a balanced {...} / (...) / [...] group starting at the current opening token. */
void ps_skip_group(parser *p);

int ps_enter(parser *p);
static inline void leave(parser *p) {
    p->nesting--;
}

hc_pos ps_pos_join(hc_pos a, hc_pos b);
/* Sets e->depth from its children; reports an expression nested past HC_MAX_DEPTH. Returns e. */
hc_expr *ps_settle(parser *p, hc_expr *e);
int ps_stmt_depth(hc_stmt *s);

/* parse_expr.c */
hc_expr *ps_expr(parser *p);
hc_expr *ps_expr_no_struct(parser *p);
hc_expr *ps_new_expr(parser *p, hc_expr_kind k, hc_pos pos);
hc_texpr *ps_type(parser *p);
hc_block *ps_block(parser *p);
hc_path ps_path(parser *p);
void ps_annots(parser *p, hc_annots *out);
int ps_starts_expr(parser *p);

/* parse.c */
hc_decl *ps_new_decl(parser *p, hc_decl_kind k, hc_pos pos);
hc_decl *ps_fn(parser *p, hc_annots annots, hc_decl *locus);
hc_decl *ps_const(parser *p, hc_annots annots);
hc_decl *ps_type_decl(parser *p, hc_annots annots);
void ps_params(parser *p, hc_params *out);
/* `<T, U: Bound>` after a function, type or locus name, into d->generics. */
void ps_generics(parser *p, hc_decl *d);
/* `-> T` and `fallible(E)` after a function's or method's parameters, into d->ret, d->fallible. */
void ps_result(parser *p, hc_decl *d);

/* parse_locus.c */
hc_decl *ps_locus(parser *p, hc_annots annots, int is_main);
hc_decl *ps_topic(parser *p, hc_annots annots);
hc_decl *ps_topology_block(parser *p); /* parse_topology.c */
/* A set of cores: `A..B`, `A..=B`, `{a, b, c}` or one expression (parse_topology.c). */
hc_expr *ps_core_set(parser *p);

#endif
