/* See parse.h. This file: `locus` declarations with every member kind, and `topic`
 * declarations. Member words (params, bus, birth, placement, ...) are contextual: they are
 * recognised here, at member position, and are ordinary names everywhere else. */
#include "parse_impl.h"

static void member_semi(parser *p, const char *what) {
    if (!accept(p, P_SEMI)) {
        ps_perr_at(p, ps_after_prev(p), "expected `;` after %s, found %s", what, ps_found(p));
    }
}

/* Runs `entry` for each `;`-terminated entry of a `{ ... }` member block, resynchronising after
 * a broken entry. */
static void member_block(parser *p, hc_decl *d, void (*entry)(parser *, hc_decl *)) {
    if (!ps_expect(p, P_LBRACE, "`{`")) {
        return;
    }
    while (!at(p, P_RBRACE) && !at(p, T_EOF)) {
        int before = p->i;
        entry(p, d);
        if (p->panic) {
            ps_sync_stmt(p);
        }
        if (p->i == before) {
            advance(p);
        }
    }
    ps_expect(p, P_RBRACE, "`}`");
}

/* ---- params ---- */

static void params_entry(parser *p, hc_decl *d) {
    hc_locus_param lp = {0};
    lp.pos = cur(p)->pos;
    lp.name = ps_expect_ident(p, "a parameter name");
    if (p->panic) {
        return;
    }
    if (accept(p, P_COLON)) {
        if (at_word(p, "inferred") && peek_n(p, 1)->kind == P_SEMI) {
            advance(p);
            lp.inferred = 1;
        } else {
            lp.type = ps_type(p);
            if (accept(p, P_COLON)) {
                if (at_word(p, "inferred")) {
                    advance(p);
                    lp.inferred = 1;
                } else {
                    ps_perr(p, "expected `inferred` after `:`, found %s", ps_found(p));
                }
            }
        }
    }
    if (!lp.inferred && lp.type && at(p, P_SEMI)) {
        /* no default: given at every instantiation */
    } else if (!lp.inferred) {
        if (!at(p, P_ASSIGN)) {
            hc_help(ps_perr(p, "expected `=` and a default value for parameter `%s`, found %s",
                            lp.name.name, ps_found(p)),
                    "a parameter has a type, a default or both: `%s: T = value;`", lp.name.name);
            return;
        }
        advance(p);
        lp.value = ps_expr(p);
    }
    member_semi(p, "the parameter");
    HC_PUSH(p->a, d->lparams, lp);
}

/* ---- contract ---- */

static void contract_entry(parser *p, hc_decl *d) {
    hc_contract_item it = {0};
    it.pos = cur(p)->pos;
    if (at_word(p, "expose")) {
        it.expose = 1;
    } else if (!at_word(p, "consume")) {
        ps_perr(p, "expected `expose` or `consume`, found %s", ps_found(p));
        return;
    }
    advance(p);
    if (at_word(p, "inferred") && peek_n(p, 1)->kind == P_SEMI) {
        advance(p);
        it.inferred = 1;
    } else {
        it.name = ps_expect_ident(p, "a name");
        if (ps_expect(p, P_COLON, "`:` and a type")) {
            it.type = ps_type(p);
        }
    }
    member_semi(p, "the contract entry");
    HC_PUSH(p->a, d->contract, it);
}

/* ---- bus ---- */

static void bus_subject(parser *p, hc_bus_item *it) {
    if (at(p, T_STRING)) {
        it->subject_str = advance(p)->str;
    } else {
        it->topic = ps_path(p);
    }
}

static void bus_entry(parser *p, hc_decl *d) {
    hc_bus_item it = {0};
    it.pos = cur(p)->pos;
    if (at_word(p, "subscribe")) {
        it.subscribe = 1;
    } else if (!at_word(p, "publish")) {
        ps_perr(p, "expected `subscribe` or `publish`, found %s", ps_found(p));
        return;
    }
    advance(p);
    bus_subject(p, &it);
    if (it.subscribe) {
        if (!ps_expect(p, K_AS, "`as` and the handler's name")) {
            return;
        }
        it.handler = ps_expect_ident(p, "a handler name");
    }
    if (at_word(p, "of") && peek_n(p, 1)->kind == K_TYPE) {
        advance(p);
        advance(p);
        it.of_type = ps_type(p);
    }
    if (!it.subscribe && accept(p, K_AS)) {
        it.handler = ps_expect_ident(p, "a name");
    }
    /* `bounded(N, policy)` and `where key == e`, in either order */
    for (int more = it.subscribe; more;) {
        more = 0;
        if (!it.bound && at_word(p, "bounded") && peek_n(p, 1)->kind == P_LPAREN) {
            advance(p);
            advance(p);
            if (at(p, T_INT)) {
                it.bound = advance(p)->i;
            } else {
                ps_perr(p, "expected the bound as an integer, found %s", ps_found(p));
            }
            if (ps_expect(p, P_COMMA, "`,` and a shed policy (drop_new or drop_old)")) {
                if (at_word(p, "drop_new") || at_word(p, "drop_old")) {
                    it.shed = advance(p)->text;
                } else {
                    ps_perr(p, "expected `drop_new` or `drop_old`, found %s", ps_found(p));
                }
            }
            ps_expect(p, P_RPAREN, "`)`");
            more = 1;
        } else if (!it.key_filter && at_word(p, "where")) {
            advance(p);
            if (!at_word(p, "key")) {
                ps_perr(p, "expected `key == ...` after `where`, found %s", ps_found(p));
                return;
            }
            advance(p);
            ps_expect(p, P_EQ, "`==`");
            it.key_filter = ps_expr(p);
            more = 1;
        }
    }
    member_semi(p, "the bus entry");
    HC_PUSH(p->a, d->bus, it);
}

/* ---- capacity ---- */

static void capacity_entry(parser *p, hc_decl *d) {
    hc_slot s = {0};
    s.pos = cur(p)->pos;
    if (!at_word(p, "pool") && !at_word(p, "heap")) {
        ps_perr(p, "expected `pool` or `heap`, found %s", ps_found(p));
        return;
    }
    s.kind = advance(p)->text;
    s.name = ps_expect_ident(p, "a slot name");
    if (!at_word(p, "of")) {
        ps_perr(p, "expected `of` and the slot's type, found %s", ps_found(p));
        return;
    }
    advance(p);
    s.type = ps_type(p);
    if (at_word(p, "indexed_by")) {
        advance(p);
        s.indexed_by = ps_expect_ident(p, "a field name");
    }
    if (at_word(p, "as_parent_for")) {
        advance(p);
        s.as_parent_for = ps_expect_ident(p, "a locus name");
    }
    member_semi(p, "the capacity slot");
    HC_PUSH(p->a, d->slots, s);
}

/* ---- bindings / placement: `key = value` or `key: value` lists ---- */

static void parse_kwargs(parser *p, hc_kwargs *out) {
    while (!at(p, P_RPAREN) && !at(p, T_EOF)) {
        hc_kwarg kw = {0};
        if (at(p, T_IDENT) && (peek_n(p, 1)->kind == P_ASSIGN || peek_n(p, 1)->kind == P_COLON)) {
            kw.key_pos = cur(p)->pos;
            kw.key = advance(p)->text;
            advance(p);
        }
        kw.value = ps_core_set(p); /* a value, or a set of cores: cores = {1, 2, 3} */
        HC_PUSH(p->a, *out, kw);
        if (!accept(p, P_COMMA)) {
            break;
        }
    }
    ps_expect(p, P_RPAREN, "`)`");
}

static void parse_where_list(parser *p, hc_names *out) {
    if (!at_word(p, "where")) {
        return;
    }
    advance(p);
    do {
        hc_ident id = ps_expect_ident(p, "a constraint");
        HC_PUSH(p->a, *out, id.name);
    } while (accept(p, P_COMMA));
}

static void bindings_entry(parser *p, hc_decl *d) {
    hc_binding b = {0};
    b.pos = cur(p)->pos;
    if (at(p, T_STRING)) { /* "subject": a string subject's binding */
        b.topic.pos = cur(p)->pos;
        b.subject_str = b.topic.name = advance(p)->str;
    } else {
        b.topic = ps_expect_ident(p, "a topic name or a subject string");
    }
    if (!ps_expect(p, P_COLON, "`:` and a transport")) {
        return;
    }
    b.transport = ps_expect_ident(p, "a transport (unix, nng, shm_ring or an adapter locus)");
    if (p->panic) {
        return;
    }
    if (at(p, P_LBRACE)) { /* adapter locus literal */
        hc_path path = {0};
        path.seg = HC_NEW(p->a, hc_ident);
        path.seg[0] = b.transport;
        path.n = 1;
        path.pos = b.transport.pos;
        hc_expr *lit = ps_new_expr(p, E_STRUCT, b.transport.pos);
        lit->path = path;
        advance(p);
        while (!at(p, P_RBRACE) && !at(p, T_EOF)) {
            hc_field_init fi = {0};
            fi.name = ps_expect_ident(p, "a field name");
            if (!ps_expect(p, P_COLON, "`:`")) {
                break;
            }
            fi.value = ps_expr(p);
            HC_PUSH(p->a, lit->inits, fi);
            if (!accept(p, P_COMMA)) {
                break;
            }
        }
        ps_expect(p, P_RBRACE, "`}`");
        b.adapter = lit;
    } else if (accept(p, P_LPAREN)) {
        if (at(p, T_STRING)) {
            b.address_pos = cur(p)->pos;
            b.address = advance(p)->str;
            if (accept(p, P_COMMA)) {
                parse_kwargs(p, &b.kwargs);
            } else {
                ps_expect(p, P_RPAREN, "`)`");
            }
        } else {
            ps_perr(p, "expected the address as a string, found %s", ps_found(p));
            return;
        }
    }
    if (at_word(p, "codec")) {
        ps_perr(p, "`codec(...)` on a binding is not supported");
        return;
    }
    parse_where_list(p, &b.where);
    member_semi(p, "the binding");
    HC_PUSH(p->a, d->bindings, b);
}

static void placement_entry(parser *p, hc_decl *d) {
    hc_placement pl = {0};
    pl.pos = cur(p)->pos;
    pl.field = ps_expect_ident(p, "a parameter name");
    if (!ps_expect(p, P_COLON, "`:` and a placement (cooperative or pinned)")) {
        return;
    }
    if (!at_word(p, "cooperative") && !at_word(p, "pinned")) {
        ps_perr(p, "expected `cooperative` or `pinned`, found %s", ps_found(p));
        return;
    }
    pl.kind.pos = cur(p)->pos;
    pl.kind.name = advance(p)->text;
    if (accept(p, P_LPAREN)) {
        parse_kwargs(p, &pl.kwargs);
    }
    parse_where_list(p, &pl.where);
    member_semi(p, "the placement entry");
    HC_PUSH(p->a, d->placements, pl);
}

/* ---- closure ---- */

static int at_closure_clause(parser *p) {
    return (at_word(p, "epoch") && peek_n(p, 1)->kind == T_IDENT) ||
           ((at_word(p, "persists_through") || at_word(p, "resets_on") ||
             at_word(p, "resets_per_epoch")) &&
            peek_n(p, 1)->kind == P_LPAREN) ||
           (at_word(p, "captures") && peek_n(p, 1)->kind == P_COLON);
}

static void closure_clause(parser *p, hc_decl *d) {
    hc_closure_clause c = {0};
    c.pos = cur(p)->pos;
    const char *head = advance(p)->text;
    if (strcmp(head, "epoch") == 0) {
        static const char *specs[] = {"tick",     "duration", "birth",
                                      "dissolve", "explicit", "inline"};
        for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
            if (at_word(p, specs[i])) {
                c.kind = specs[i];
            }
        }
        if (!c.kind) {
            ps_perr(p,
                    "expected an epoch (tick, duration(...), birth, dissolve, explicit or "
                    "inline), found %s",
                    ps_found(p));
            return;
        }
        c.pos = cur(p)->pos;
        advance(p);
        if (strcmp(c.kind, "duration") == 0) {
            ps_expect(p, P_LPAREN, "`(`");
            c.duration = ps_expr(p);
            ps_expect(p, P_RPAREN, "`)`");
        }
    } else {
        c.kind = head;
        if (strcmp(head, "captures") == 0) {
            advance(p);
            do {
                hc_ident id = ps_expect_ident(p, "a name");
                HC_PUSH(p->a, c.names, id.name);
            } while (accept(p, P_COMMA));
        } else {
            ps_expect(p, P_LPAREN, "`(`");
            do {
                hc_ident id = ps_expect_ident(p, "a name");
                HC_PUSH(p->a, c.names, id.name);
            } while (accept(p, P_COMMA));
            ps_expect(p, P_RPAREN, "`)`");
        }
    }
    member_semi(p, "the closure clause");
    HC_PUSH(p->a, d->clauses, c);
}

static hc_decl *parse_closure(parser *p) {
    hc_decl *d = ps_new_decl(p, M_CLOSURE, advance(p)->pos);
    d->name = ps_expect_ident(p, "a closure name");
    if (!ps_expect(p, P_LBRACE, "`{`")) {
        return d;
    }
    p->in_closure = 1;
    while (!at(p, P_RBRACE) && !at(p, T_EOF)) {
        int before = p->i;
        if (at_closure_clause(p)) {
            closure_clause(p, d);
        } else if (!d->assertion && !d->clauses.n) {
            hc_expr *e = ps_expr(p);
            if (e->kind != E_APPROX && !p->panic) {
                hc_help(ps_perr_at(p, e->pos, "a closure assertion has the form `a ~~ b within t`"),
                        "or declare an `epoch inline;` closure without an assertion");
            }
            d->assertion = e;
            member_semi(p, "the closure assertion");
        } else {
            ps_perr(p,
                    "expected a closure clause (epoch, persists_through, resets_on, "
                    "resets_per_epoch, captures), found %s",
                    ps_found(p));
        }
        if (p->panic) {
            ps_sync_stmt(p);
        }
        if (p->i == before) {
            advance(p);
        }
    }
    p->in_closure = 0;
    ps_expect(p, P_RBRACE, "`}`");
    return d;
}

/* ---- lifecycle, modes, failure ---- */

static const char *lifecycle_words[] = {"birth", "accept", "release", "run", "drain", "dissolve"};

static int at_lifecycle(parser *p) {
    hc_tok_kind next = peek_n(p, 1)->kind;
    if (next != P_LPAREN && next != P_LBRACE) {
        return 0;
    }
    for (size_t i = 0; i < sizeof lifecycle_words / sizeof lifecycle_words[0]; i++) {
        if (at_word(p, lifecycle_words[i])) {
            return 1;
        }
    }
    return 0;
}

static hc_decl *parse_method_like(parser *p, hc_decl_kind kind) {
    hc_decl *d = ps_new_decl(p, kind, cur(p)->pos);
    d->name.pos = cur(p)->pos;
    d->name.name = advance(p)->text;
    if (kind == M_MODE) {
        d->name = ps_expect_ident(p, "a mode name (bulk, harmonic or resolution)");
    }
    if (at(p, P_LPAREN)) {
        ps_params(p, &d->params);
    }
    ps_result(p, d);
    d->body = ps_block(p);
    return d;
}

static hc_decl *parse_birth_check(parser *p) {
    hc_decl *d = ps_new_decl(p, M_BIRTH_CHECK, advance(p)->pos);
    ps_expect(p, P_LBRACE, "`{`");
    d->value = ps_expr(p);
    ps_expect(p, P_RBRACE, "`}`");
    ps_expect(p, P_ARROW, "`->`");
    if (!at_word(p, "violate")) {
        ps_perr(p, "expected `violate` and a closure name, found %s", ps_found(p));
        return d;
    }
    advance(p);
    d->name = ps_expect_ident(p, "a closure name");
    if (accept(p, P_LPAREN)) {
        d->assertion = ps_expr(p);
        ps_expect(p, P_RPAREN, "`)`");
    }
    member_semi(p, "the birth check");
    return d;
}

static hc_decl *parse_member(parser *p, hc_decl *locus) {
    hc_annots annots = {0};
    if (at(p, P_AT)) {
        ps_annots(p, &annots);
    }
    hc_decl *m = NULL;
    hc_pos pos = cur(p)->pos;
    if (at(p, K_FN)) {
        m = ps_fn(p, annots, locus);
    } else if (at(p, K_CONST)) {
        m = ps_const(p, annots);
    } else if (at(p, K_TYPE)) {
        m = ps_type_decl(p, annots);
    } else if (at_lifecycle(p)) {
        m = parse_method_like(p, M_LIFECYCLE);
    } else if (at_word(p, "mode") && peek_n(p, 1)->kind == T_IDENT) {
        m = parse_method_like(p, M_MODE);
    } else if (at_word(p, "on_failure") && peek_n(p, 1)->kind == P_LPAREN) {
        m = parse_method_like(p, M_FAILURE);
    } else if (at_word(p, "closure") && peek_n(p, 1)->kind == T_IDENT) {
        m = parse_closure(p);
    } else if (at_word(p, "birth_check") && peek_n(p, 1)->kind == P_LBRACE) {
        m = parse_birth_check(p);
    } else if (at_word(p, "contract") && peek_n(p, 1)->kind == P_COLON) {
        m = ps_new_decl(p, M_CONTRACT, advance(p)->pos);
        advance(p);
        if (!at_word(p, "inferred")) {
            ps_perr(p, "expected `inferred` or a `{ ... }` block, found %s", ps_found(p));
        } else {
            advance(p);
            m->contract_inferred = 1;
            member_semi(p, "`contract: inferred`");
        }
    } else if (peek_n(p, 1)->kind == P_LBRACE && at(p, T_IDENT)) {
        static const struct {
            const char *word;
            hc_decl_kind kind;
            void (*entry)(parser *, hc_decl *);
        } blocks[] = {
            {"params", M_PARAMS, params_entry},
            {"contract", M_CONTRACT, contract_entry},
            {"bus", M_BUS, bus_entry},
            {"capacity", M_CAPACITY, capacity_entry},
            {"bindings", M_BINDINGS, bindings_entry},
            {"placement", M_PLACEMENT, placement_entry},
        };
        for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++) {
            if (at_word(p, blocks[i].word)) {
                m = ps_new_decl(p, blocks[i].kind, advance(p)->pos);
                m->name.name = blocks[i].word;
                m->name.pos = m->pos;
                member_block(p, m, blocks[i].entry);
                break;
            }
        }
        if (!m && at_word(p, "topology") && peek_n(p, 1)->kind == P_LBRACE) {
            m = ps_topology_block(p);
        }
        if (!m && at_word(p, "claims")) {
            ps_perr(p, "`%s` blocks are not supported", cur(p)->text);
            advance(p);
            ps_skip_group(p);
            p->panic = 0;
            return NULL;
        }
    }
    if (!m) {
        hc_help(ps_perr(p, "expected a locus member, found %s", ps_found(p)),
                "a locus holds params, contract, bus, capacity, closure and placement blocks, "
                "lifecycle methods (birth, run, drain, dissolve, accept, release), on_failure "
                "and fn methods");
        return NULL;
    }
    m->pos = m->pos.line ? m->pos : pos;
    m->locus = locus;
    if (annots.n) {
        m->annots = annots;
    }
    return m;
}

/* `: projection chunked, tier 2, serves P` */
static void parse_header(parser *p, hc_decl *d) {
    do {
        hc_annot item = {0};
        item.pos = cur(p)->pos;
        item.name = ps_expect_ident(p, "a locus annotation (projection, tier or serves)");
        if (p->panic) {
            return;
        }
        if (strcmp(item.name.name, "projection") == 0 || strcmp(item.name.name, "serves") == 0) {
            hc_annot_arg arg = {0};
            hc_ident v = ps_expect_ident(p, "a name");
            arg.value = ps_new_expr(p, E_NAME, v.pos);
            arg.value->path.seg = HC_NEW(p->a, hc_ident);
            arg.value->path.seg[0] = v;
            arg.value->path.n = 1;
            arg.value->path.pos = v.pos;
            HC_PUSH(p->a, item.args, arg);
            if (at(p, P_LPAREN)) { /* recognition(cap = N, sub_mode) */
                hc_annot sub = {0};
                advance(p);
                while (!at(p, P_RPAREN) && !at(p, T_EOF)) {
                    hc_annot_arg a2 = {0};
                    if (at(p, T_IDENT) && peek_n(p, 1)->kind == P_ASSIGN) {
                        a2.key_pos = cur(p)->pos;
                        a2.key = advance(p)->text;
                        advance(p);
                    }
                    a2.value = ps_expr(p);
                    HC_PUSH(p->a, sub.args, a2);
                    if (!accept(p, P_COMMA)) {
                        break;
                    }
                }
                ps_expect(p, P_RPAREN, "`)`");
                for (int i = 0; i < sub.args.n; i++) {
                    HC_PUSH(p->a, item.args, sub.args.v[i]);
                }
            }
        } else if (strcmp(item.name.name, "tier") == 0) {
            hc_annot_arg arg = {0};
            arg.value = ps_expr(p);
            HC_PUSH(p->a, item.args, arg);
        } else {
            ps_perr_at(p, item.name.pos, "unknown locus annotation `%s`", item.name.name);
            return;
        }
        item.has_args = 1;
        HC_PUSH(p->a, d->header, item);
    } while (accept(p, P_COMMA));
}

hc_decl *ps_locus(parser *p, hc_annots annots, int is_main) {
    hc_decl *d = ps_new_decl(p, D_LOCUS, advance(p)->pos);
    d->annots = annots;
    d->is_main = is_main;
    d->name = ps_expect_ident(p, "a locus name after `locus`");
    ps_generics(p, d);
    if (accept(p, P_COLON)) {
        parse_header(p, d);
    }
    if (!ps_expect(p, P_LBRACE, "`{` to open the locus body")) {
        return d;
    }
    while (!at(p, P_RBRACE) && !at(p, T_EOF)) {
        int before = p->i;
        hc_decl *m = parse_member(p, d);
        if (m) {
            HC_PUSH(p->a, d->members, m);
        }
        if (p->panic) {
            ps_sync_stmt(p);
        }
        if (p->i == before) {
            advance(p);
        }
    }
    ps_expect(p, P_RBRACE, "`}` to close the locus");
    return d;
}

/* ---- topics ---- */

static void topic_entry(parser *p, hc_decl *d) {
    hc_pos here = cur(p)->pos;
    if (at_word(p, "payload") && peek_n(p, 1)->kind == P_COLON) {
        advance(p);
        advance(p);
        d->payload = ps_type(p);
    } else if (at_word(p, "subject") && peek_n(p, 1)->kind == P_COLON) {
        advance(p);
        advance(p);
        if (at(p, T_STRING)) {
            d->subject = advance(p)->str;
        } else {
            ps_perr(p, "expected the subject as a string, found %s", ps_found(p));
            return;
        }
    } else if (at_word(p, "keyed_by")) {
        advance(p);
        d->keyed_by = ps_expect_ident(p, "a payload field name");
    } else if (at_word(p, "on_unmatched") && peek_n(p, 1)->kind == P_COLON) {
        advance(p);
        advance(p);
        if (at_word(p, "swallow") || at_word(p, "fail") || at_word(p, "fallback")) {
            d->on_unmatched = advance(p)->text;
        } else {
            ps_perr(p, "expected `swallow`, `fail` or `fallback`, found %s", ps_found(p));
            return;
        }
    } else if (at_word(p, "bounded") && peek_n(p, 1)->kind == P_LPAREN) {
        advance(p);
        advance(p);
        if (at(p, T_INT)) {
            d->bound = advance(p)->i;
        } else {
            ps_perr(p, "expected the bound as an integer, found %s", ps_found(p));
            return;
        }
        ps_expect(p, P_RPAREN, "`)`");
    } else if (at_word(p, "on_full") && peek_n(p, 1)->kind == P_COLON) {
        advance(p);
        advance(p);
        if (!at_word(p, "fail")) {
            ps_perr(p, "expected `fail`, found %s", ps_found(p));
            return;
        }
        advance(p);
        d->on_full_fail = 1;
    } else {
        ps_perr_at(p, here,
                   "expected a topic field (payload, subject, keyed_by, on_unmatched, bounded, "
                   "on_full), found %s",
                   ps_found(p));
        return;
    }
    member_semi(p, "the topic field");
}

hc_decl *ps_topic(parser *p, hc_annots annots) {
    hc_decl *d = ps_new_decl(p, D_TOPIC, advance(p)->pos);
    d->annots = annots;
    d->name = ps_expect_ident(p, "a topic name");
    if (accept(p, P_COLON)) {
        d->parent = ps_expect_ident(p, "the parent topic's name");
    }
    member_block(p, d, topic_entry);
    return d;
}
