/* See emit.h. This file: loci. Per locus type the emitter writes the state struct (a
 * `hale_locus` header, then the parameters), an init helper that re-homes the parameters' heap
 * parts into the locus's own heap, a closures helper that checks the invariants of the epochs
 * the runtime asks for, and the `hale_locus_type` descriptor tying the hooks together. Ordering,
 * ownership, supervision and reclamation are the runtime's (runtime/locus.c): a literal only
 * computes the parameters, asks for the locus, births its locus-typed parameters and starts
 * it. */
#include <stdio.h>
#include <string.h>

#include "builtins.h"
#include "bus_plan.h"
#include "emit_impl.h"

const char *em_locus_struct(hc_emit *E, hc_type *t) {
    if (t->decl->kind == D_PERSPECTIVE) {
        return "hale_locus"; /* whichever implementation the slot holds (emit_persp.c) */
    }
    if (!t->cname) {
        t->cname = hc_sprintf(E->a, "HL_%d_%s", t->id, t->decl->name.name);
        hc_buf_printf(&E->types, "typedef struct %s %s;\n", t->cname, t->cname);
    }
    return t->cname;
}

static const char *desc_name(hc_type *t, hc_arena *a) {
    return hc_sprintf(a, "hlt_%d", t->id);
}

/* ---- parameters in declaration order ---- */

static int nparams(hc_decl *d) {
    int n = 0;
    for (int i = 0; i < d->members.n; i++) {
        if (d->members.v[i]->kind == M_PARAMS) {
            n += d->members.v[i]->lparams.n;
        }
    }
    return n;
}

static hc_locus_param *nth_param(hc_decl *d, int k) {
    for (int i = 0; i < d->members.n; i++) {
        hc_decl *m = d->members.v[i];
        if (m->kind != M_PARAMS) {
            continue;
        }
        if (k < m->lparams.n) {
            return &m->lparams.v[k];
        }
        k -= m->lparams.n;
    }
    return NULL;
}

static hc_locus_param *param_named(hc_decl *d, const char *name) {
    for (int k = 0, n = nparams(d); k < n; k++) {
        hc_locus_param *p = nth_param(d, k);
        if (strcmp(p->name.name, name) == 0) {
            return p;
        }
    }
    return NULL;
}

static int is_locus_ty(hc_type *t) {
    return t && t->kind == TY_LOCUS;
}

static int heap_value(hc_type *t) {
    return t && t->heap && t->kind != TY_LOCUS;
}

static hc_decl *member(hc_decl *d, hc_decl_kind kind, const char *name) {
    for (int i = 0; i < d->members.n; i++) {
        hc_decl *m = d->members.v[i];
        if (m->kind == kind && (!name || (m->name.name && strcmp(m->name.name, name) == 0))) {
            return m;
        }
    }
    return NULL;
}

static const char *hook_name(hc_emit *E, hc_decl *m) {
    return m && m->body && m->checked == 2 ? em_fn_name(E, m) : "NULL";
}

static hc_type *child_type(hc_decl *m);

/* A hook whose body does nothing is left out of the descriptor (NULL), so the runtime skips its
 * frame. Lifecycle hooks only when the type has no closures: the run hook is also where tick
 * closures are checked. */
static int empty_body(hc_decl *m) {
    return m && m->body && m->body->stmts.n == 0 && !m->body->tail;
}

/* An accept or release hook that needs no frame (bus_plan.c's quiet: no fault, wait, print,
 * publish or locus made or ended). */
static int quiet_hook(hc_emit *E, hc_decl *m) {
    return !m || !m->body || hc_fn_frameless(E->P, m);
}

static const char *live_hook(hc_emit *E, hc_decl *m, int closures) {
    return empty_body(m) && !closures ? "NULL" : hook_name(E, m);
}

/* The line registering main's `on_failure(t: std::bus::UnixTransport, ...)`, or NULL. */
const char *em_bind_failure(hc_emit *E) {
    hc_decl *d = E->P->main_locus;
    hc_decl *fail = d ? member(d, M_FAILURE, NULL) : NULL;
    hc_type *ft = child_type(fail);
    if (!ft || !em_is_transport_type(ft) || !strcmp(hook_name(E, fail), "NULL")) {
        return NULL;
    }
    return hc_sprintf(E->a, "    hale_program_bind_failure(&%s, (hale_bind_failure_fn)%s);\n",
                      desc_name(d->ty, E->a), hook_name(E, fail));
}

/* ---- closures ---- */

static const char *closure_epoch(hc_decl *cl) {
    static const char *epochs[] = {"tick", "duration", "birth", "dissolve", "explicit", "inline"};
    for (int i = 0; i < cl->clauses.n; i++) {
        for (size_t k = 0; k < sizeof epochs / sizeof epochs[0]; k++) {
            if (strcmp(cl->clauses.v[i].kind, epochs[k]) == 0) {
                return epochs[k];
            }
        }
    }
    return "dissolve";
}

static const char *epoch_bit(const char *epoch) {
    if (strcmp(epoch, "tick") == 0) {
        return "HALE_EPOCH_TICK";
    }
    if (strcmp(epoch, "duration") == 0) {
        return "HALE_EPOCH_DURATION";
    }
    if (strcmp(epoch, "birth") == 0) {
        return "HALE_EPOCH_BIRTH";
    }
    if (strcmp(epoch, "explicit") == 0) {
        return "HALE_EPOCH_EXPLICIT";
    }
    return "HALE_EPOCH_DISSOLVE";
}

static hc_closure_clause *clause(hc_decl *cl, const char *kind) {
    for (int i = 0; i < cl->clauses.n; i++) {
        if (strcmp(cl->clauses.v[i].kind, kind) == 0) {
            return &cl->clauses.v[i];
        }
    }
    return NULL;
}

/* Appends the closure's captured fields ("a=1, b=\"x\"") to the hale_sbuf named `sb`. */
static void captures_code(hc_emit *E, hc_buf *b, hc_decl *locus, hc_decl *cl, const char *sb) {
    int first = 1;
    for (int i = 0; i < cl->clauses.n; i++) {
        hc_closure_clause *c = &cl->clauses.v[i];
        if (strcmp(c->kind, "captures") != 0) {
            continue;
        }
        for (int k = 0; k < c->names.n; k++) {
            hc_locus_param *p = param_named(locus, c->names.v[k]);
            if (!p || !p->ty || is_locus_ty(p->ty)) {
                continue;
            }
            hc_buf_printf(b, "hale_sbuf_puts(&%s, \"%s%s=\"); %s(&%s, %s->%s, 1); ", sb,
                          first ? "" : ", ", c->names.v[k], em_fmt_fn(E, p->ty), sb, E->self_text,
                          em_field(E, c->names.v[k]));
            first = 0;
        }
    }
}

static void closure_check(hc_emit *E, hc_buf *b, hc_decl *locus, hc_decl *cl, int dur_index) {
    const char *epoch = closure_epoch(cl);
    hc_expr *a = cl->assertion;
    if (!a || a->kind != E_APPROX || strcmp(epoch, "inline") == 0) {
        return;
    }
    const char *bit = epoch_bit(epoch);
    hc_buf_printf(b, "    if (ep & %s) {\n", bit);
    if (dur_index >= 0) {
        hc_closure_clause *d = clause(cl, "duration");
        hc_buf_printf(b,
                      "        int64_t hnow = hale_time_monotonic();\n"
                      "        if (hnow - self->hdur%d >= (%s)) {\n"
                      "        self->hdur%d = hnow;\n",
                      dur_index, d && d->duration ? em_text(E, d->duration) : "INT64_C(0)",
                      dur_index);
    }
    em_accum_update(E, b, cl);
    hc_buf_printf(b, "        double hl = (double)(%s);\n", em_text(E, a->lhs));
    hc_buf_printf(b, "        double hr = (double)(%s);\n", em_text(E, a->rhs));
    hc_buf_printf(b, "        double ht = (double)(%s);\n", a->third ? em_text(E, a->third) : "0");
    hc_buf_puts(b, "        if (!(fabs(hl - hr) <= ht)) {\n            hale_sbuf hcap = {0};\n"
                   "            ");
    captures_code(E, b, locus, cl, "hcap");
    hc_buf_printf(b,
                  "\n            hale_closure_report hrep = {.closure = \"%s\", .epoch = %s, .left "
                  "= hl, .right = hr, .tolerance = ht, .has_values = true, .captures = "
                  "hale_sbuf_view(&hcap)};\n"
                  "            hale_locus_closure_failed(&self->h, &hrep);\n"
                  "            hale_sbuf_release(&hcap);\n"
                  "            if (self->h.pending) goto hdone;\n"
                  "        }\n",
                  cl->name.name, bit);
    if (dur_index >= 0) {
        hc_closure_clause *r = clause(cl, "resets_per_epoch");
        for (int k = 0; r && k < r->names.n; k++) {
            hc_locus_param *p = param_named(locus, r->names.v[k]);
            if (p && p->ty) {
                hc_buf_printf(b, "        self->%s = %s;\n", em_field(E, r->names.v[k]),
                              em_zero(E, p->ty));
            }
        }
        hc_buf_puts(b, "        }\n");
    }
    hc_buf_puts(b, "    }\n");
}

/* The closure of `locus` called `name` (the last one, should the name repeat), or NULL. */
static hc_decl *closure_named(hc_decl *locus, const char *name) {
    hc_decl *cl = NULL;
    for (int i = 0; locus && i < locus->members.n; i++) {
        hc_decl *m = locus->members.v[i];
        if (m->kind == M_CLOSURE && strcmp(m->name.name, name) == 0) {
            cl = m;
        }
    }
    return cl;
}

static void birth_check(hc_emit *E, hc_buf *b, hc_decl *locus, hc_decl *bc) {
    hc_decl *cl = closure_named(locus, bc->name.name);
    if (!cl) {
        return;
    }
    hc_buf_printf(b,
                  "    if ((ep & HALE_EPOCH_BIRTH) && (%s)) {\n        hale_sbuf hcap = {0};\n"
                  "        ",
                  em_text(E, bc->value));
    captures_code(E, b, locus, cl, "hcap");
    hc_buf_printf(b,
                  "\n        hale_closure_report hrep = {.closure = \"%s\", .epoch = 0, .captures "
                  "= hale_sbuf_view(&hcap)};\n"
                  "        hale_locus_violate(&self->h, &hrep);\n"
                  "        hale_sbuf_release(&hcap);\n"
                  "        if (self->h.pending) goto hdone;\n    }\n",
                  cl->name.name);
}

/* The closures helper, or NULL when the type has none; `*epochs` gets the epochs it checks. */
static const char *closures_fn(hc_emit *E, hc_decl *d, const char *sn, const char **epochs) {
    hc_buf body = {0}, mask = {0};
    int dur = 0, any = 0;
    for (int i = 0; i < d->members.n; i++) {
        hc_decl *m = d->members.v[i];
        if (m->kind == M_CLOSURE && m->assertion && strcmp(closure_epoch(m), "inline") != 0) {
            int is_dur = strcmp(closure_epoch(m), "duration") == 0;
            closure_check(E, &body, d, m, is_dur ? dur : -1);
            dur += is_dur;
            hc_buf_printf(&mask, "%s%s", any ? " | " : "", epoch_bit(closure_epoch(m)));
            any = 1;
        } else if (m->kind == M_BIRTH_CHECK) {
            birth_check(E, &body, d, m);
            hc_buf_printf(&mask, "%sHALE_EPOCH_BIRTH", any ? " | " : "");
            any = 1;
        }
    }
    const char *name = NULL;
    if (any) {
        name = hc_sprintf(E->a, "hcl_%d", d->ty->id);
        hc_buf_printf(
            &E->protos,
            "static void %s(hale_region *ho, hale_region *hm, void *hself, unsigned ep);\n", name);
        hc_buf_printf(
            &E->helpers,
            "static void %s(hale_region *ho, hale_region *hm, void *hself, unsigned ep) {\n"
            "    (void)ho;\n    %s *self = hself;\n    hale_mark hmk = "
            "hale_region_mark(hm);\n%s    goto hdone;\nhdone:\n    "
            "hale_region_reset(hm, hmk);\n}\n\n",
            name, sn, hc_buf_cstr(&body));
        *epochs = hc_strdup(E->a, hc_buf_cstr(&mask));
    }
    hc_buf_free(&body);
    hc_buf_free(&mask);
    return name;
}

static int count_duration(hc_decl *d) {
    int n = 0;
    for (int i = 0; i < d->members.n; i++) {
        hc_decl *m = d->members.v[i];
        n += m->kind == M_CLOSURE && m->assertion && strcmp(closure_epoch(m), "duration") == 0;
    }
    return n;
}

/* ---- the standard library's loci ---- */

typedef struct {
    const char *locus;         /* its name in the built-in seed */
    const char *ctype;         /* the runtime object in the state */
    const char *prefix;        /* its functions: hale_<prefix>_<method> */
    const char *init;          /* C statement initialising it (self, region) */
    const char *dissolve;      /* C statement run when it dissolves (self), or NULL */
    const char *birth;         /* its birth() (self), or NULL */
    const char *run;           /* its run() (self), or NULL */
    const char *handle;        /* its std::http::Handler `handle` (a runtime function), or NULL */
    const char *handle_native; /* ... or one taking the native part (`hn`) as its self */
    int long_lived;            /* lives to its scope's end (a log sink, as a bus subscriber does) */
} native_locus;

static const native_locus natives[] = {
    {.locus = "BytesBuilder",
     .ctype = "hale_bytes_builder",
     .prefix = "bytes_builder",
     .init =
         "hale_bytes_builder_init(&self->hn, hale_locus_region(&self->h), self->f_initial_cap);"},
    {.locus = "JsonBuilder",
     .ctype = "hale_json_builder",
     .prefix = "json_builder",
     .init = "hale_json_builder_init(&self->hn, hale_locus_region(&self->h));"},
    {.locus = "TcpStream",
     .ctype = "hale_stream",
     .prefix = "stream",
     .init = "hale_stream_init(&self->hn, self->f_conn_fd, self->f_owns_fd);",
     .dissolve = "hale_stream_dissolve(&self->hn);"},
    {.locus = "File",
     .ctype = "hale_file",
     .prefix = "file",
     .init = "hale_file_init(&self->hn);",
     .dissolve = "hale_file_close(&self->hn);"},
    {.locus = "Child",
     .ctype = "hale_child",
     .prefix = "child",
     .init = "hale_child_init(&self->hn);",
     .dissolve = "hale_child_dissolve(&self->hn);"},
    {.locus = "RawMode",
     .ctype = "hale_raw_mode",
     .prefix = "raw_mode",
     .init = "hale_raw_mode_init(&self->hn);",
     .dissolve = "hale_raw_mode_dissolve(&self->hn);"},
    {.locus = "HttpServer",
     .ctype = "hale_http_server",
     .prefix = "http_server",
     .init = "hale_http_server_init(&self->hn);",
     .dissolve = "hale_http_server_dissolve(&self->hn);",
     .birth = "hale_http_server_birth(&self->hn, &self->h, self->f_host, self->f_port, "
              "self->f_ready_signal, self->f_keep_alive, self->f_max_accepts);",
     .run = "hale_http_server_run(&self->hn, (hale_locus *)self->f_handler);"},
    {.locus = "Lines", .ctype = "hale_lines", .prefix = "lines"},
    {.locus = "NameConvention",
     .ctype = "hale_name_convention",
     .prefix = "name_convention",
     .init = "hale_name_convention_init(&self->hn, self->f_strip);"},
    {.locus = "TaggedAccumulator", .ctype = "hale_tagged", .prefix = "tagged"},
    {.locus = "CliResolver",
     .ctype = "hale_cli_resolver",
     .prefix = "cli_resolver",
     .init = "hale_cli_resolver_init(&self->hn, self->f_env_prefix, self->f_argv_keys);"},
    {.locus = "YamlReader",
     .ctype = "hale_yaml_reader",
     .prefix = "yaml_reader",
     .init = "hale_yaml_reader_init(&self->hn, self->f_text);",
     .dissolve = "hale_yaml_reader_dissolve(&self->hn);"},
    {.locus = "YamlBuilder", .ctype = "hale_yaml_builder", .prefix = "yaml_builder"},
    {.locus = "Logger",
     .ctype = "hale_logger",
     .prefix = "logger",
     .init = "hale_logger_init(&self->hn, hale_locus_region(&self->h), self->f_name, "
             "self->f_parent_path);"},
    {.locus = "LogStdoutSink",
     .ctype = "hale_log_sink",
     .prefix = "log_sink",
     .init = "hale_log_stdout_init(&self->hn);",
     .dissolve = "hale_log_sink_dissolve(&self->hn);",
     .long_lived = 1},
    {.locus = "LogConsoleSink",
     .ctype = "hale_log_sink",
     .prefix = "log_sink",
     .init = "hale_log_console_init(&self->hn, self->f_color, self->f_show_time);",
     .dissolve = "hale_log_sink_dissolve(&self->hn);",
     .long_lived = 1},
    {.locus = "LogFileSink",
     .ctype = "hale_log_sink",
     .prefix = "log_sink",
     .init = "hale_log_file_init(&self->hn, self->f_path, self->f_max_size_bytes, "
             "self->f_keep_files);",
     .dissolve = "hale_log_sink_dissolve(&self->hn);",
     .long_lived = 1},
    {.locus = "HttpHandler",
     .ctype = "hale_http_no_handler",
     .prefix = "http_no_handler",
     .handle = "hale_http_not_found"},
    {.locus = "RouteHandler",
     .ctype = "hale_http_no_handler",
     .prefix = "http_no_handler",
     .handle = "hale_http_not_found"},
    {.locus = "HttpMiddleware", .ctype = "hale_http_no_handler", .prefix = "http_no_handler"},
    {.locus = "HttpRouter",
     .ctype = "hale_http_router",
     .prefix = "http_router",
     .init = "hale_http_router_init(&self->hn, hale_locus_region(&self->h));",
     .birth = "hale_http_router_birth(&self->hn, (hale_locus *)self->f_not_found);",
     .dissolve = "hale_http_router_dissolve(&self->hn);",
     .handle_native = "hale_http_router_serve"},
};

/* Methods whose C function differs from the default `hale_<prefix>_<method>(&hn, args...)`
 * (plus the caller's scratch last when the result is a String or Bytes): another C name, the
 * locus header first (methods that can `violate`), or no scratch (views of the native part). */
typedef struct {
    const char *locus, *method;
    const char *cfn; /* NULL: the default name */
    int self;        /* takes `hale_locus *` first */
    int view;        /* returns a view: no scratch region */
} native_method;

static const native_method native_methods[] = {
    {"BytesBuilder", "finish", "hale_bytes_builder_finish_once", 1, 0},
    {"BytesBuilder", "snapshot", NULL, 1, 0},
    {"BytesBuilder", "append_slice", NULL, 1, 0},
    {"BytesBuilder", "view", NULL, 0, 1},
    {"BytesBuilder", "text_view", NULL, 0, 1},
    {"BytesBuilder", "append_i8", "hale_bytes_builder_append_u8", 0, 0},
    {"BytesBuilder", "append_i16_le", "hale_bytes_builder_append_u16_le", 0, 0},
    {"BytesBuilder", "append_i16_be", "hale_bytes_builder_append_u16_be", 0, 0},
    {"BytesBuilder", "append_i32_le", "hale_bytes_builder_append_u32_le", 0, 0},
    {"BytesBuilder", "append_i32_be", "hale_bytes_builder_append_u32_be", 0, 0},
    {"BytesBuilder", "append_i64_le", "hale_bytes_builder_append_u64_le", 0, 0},
    {"BytesBuilder", "append_i64_be", "hale_bytes_builder_append_u64_be", 0, 0},
};

static const native_method *native_method_of(hc_decl *locus, const char *method) {
    for (size_t i = 0; i < sizeof native_methods / sizeof native_methods[0]; i++) {
        if (strcmp(native_methods[i].locus, locus->name.name) == 0 &&
            strcmp(native_methods[i].method, method) == 0) {
            return &native_methods[i];
        }
    }
    return NULL;
}

static const native_locus *native_of(hc_decl *locus) {
    if (!locus || !locus->seed || locus->seed->id != 0) {
        return NULL; /* only the built-in seed (always seed 0) has them */
    }
    for (size_t i = 0; i < sizeof natives / sizeof natives[0]; i++) {
        if (strcmp(natives[i].locus, locus->name.name) == 0) {
            return &natives[i];
        }
    }
    return NULL;
}

int em_native_method(hc_decl *m) {
    return m && !m->body && native_of(m->locus) != NULL;
}

void em_native_call(hc_emit *E, hc_buf *b, hc_expr *call, const char *recv) {
    em_native_fallible(E, b, call, recv, NULL, NULL);
}

/* A runtime IoError (`hioe`) as Hale's `IoError` record at `err`; `copy_path`: the path text
 * is copied into the scratch (else it is left empty). */
void em_io_error(hc_emit *E, hc_buf *b, const char *err, int copy_path) {
    hc_buf_printf(b,
                  "if (!hok) { (%s)->%s = (hale_str){hioe.kind, (int64_t)strlen(hioe.kind)}; "
                  "(%s)->%s = hioe.err; ",
                  err, em_field(E, "kind"), err, em_field(E, "errno"));
    if (copy_path) {
        hc_buf_printf(b,
                      "(%s)->%s = hale_str_copy(hm, (hale_str){hioe.path, "
                      "(int64_t)strlen(hioe.path)}); ",
                      err, em_field(E, "path"));
    }
    hc_buf_puts(b, "} ");
}

void em_native_fallible(hc_emit *E, hc_buf *b, hc_expr *call, const char *recv, const char *res,
                        const char *err) {
    hc_decl *m = call->lhs->decl;
    const native_locus *n = native_of(m->locus);
    const char *name = m->name.name;
    const native_method *nm = native_method_of(m->locus, name);
    /* results made by the call live in the caller's scratch */
    hc_type *rt = m->ret_ty;
    int into =
        rt &&
        (rt->kind == TY_STRING || rt->kind == TY_BYTES || (rt->kind == TY_RECORD && rt->heap)) &&
        !(nm && nm->view);
    int fallible = m->err_ty != NULL;
    /* a record of the seed the runtime declares itself (Request, Response): the call takes and
     * returns the runtime's struct, reinterpreted (the layouts are asserted equal) */
    const char *rrec =
        rt && rt->kind == TY_RECORD && !fallible ? hc_builtin_std_ctype(rt->decl->name.name) : NULL;
    if (rrec) {
        em_std_record_layout(E, rt);
        hc_buf_printf(b, "({ %s hnr = ", rrec);
    }
    hc_buf_printf(b, "({ %s *hrecv = (%s); ", em_locus_struct(E, m->locus->ty), recv);
    if (fallible) {
        hc_buf_puts(b, "hale_io_error hioe; bool hok = ");
    }
    if (nm && nm->cfn) {
        hc_buf_puts(b, nm->cfn);
    } else {
        hc_buf_printf(b, "hale_%s_%s", n->prefix, name);
    }
    hc_buf_puts(b, nm && nm->self ? "(&hrecv->h, &hrecv->hn" : "(&hrecv->hn");
    for (int i = 0; i < call->args.n; i++) {
        hc_type *pt = m->ty && i < m->ty->nitems ? m->ty->items[i] : NULL;
        hc_buf_puts(b, ", ");
        hc_expr *a = call->args.v[i];
        if (pt && pt->kind == TY_LOCUS && a->kind == E_STRUCT) {
            /* a locus literal given to a std method (Router.add's handler): born as a child of
             * the receiver, held like a field until the receiver dissolves */
            hc_buf_puts(b, "(hale_locus *)");
            em_locus_lit(E, b, a, "&hrecv->h", name, "HALE_HOW_FIELD", NULL);
        } else if (pt && pt->kind == TY_LOCUS && native_of(pt->decl)) {
            /* another native locus (a BytesBuilder): its runtime object */
            hc_buf_printf(b, "&(%s)->hn", em_text(E, call->args.v[i]));
        } else if (pt && pt->kind == TY_FN && pt->nitems == 1 && pt->elem) {
            /* a function value (Router.add_fn): the runtime gets it with an adapter of its
             * shape, hale_fn_call (one argument in, the result out, both by pointer) */
            const char *ft = em_ctype(E, pt), *at = em_ctype(E, pt->items[0]);
            const char *rt2 = em_ctype(E, pt->elem);
            int id = pt->id;
            hc_buf_printf(&E->helpers,
                          "#ifndef HFA_%d\n#define HFA_%d\nstatic void hfa_%d(hale_region *ho, "
                          "hale_region *hm, void (*hf)(void), const void *ha, void *hr) {\n"
                          "    *(%s *)hr = ((%s)hf)(ho, hm, *(const %s *)ha);\n}\n#endif\n\n",
                          id, id, id, rt2, ft, at);
            hc_buf_printf(&E->protos,
                          "#ifndef HFA_P%d\n#define HFA_P%d\nstatic void hfa_%d(hale_region *ho, "
                          "hale_region *hm, void (*hf)(void), const void *ha, void *hr);\n"
                          "#endif\n",
                          id, id, id);
            hc_buf_printf(b, "hfa_%d, (void (*)(void))(", id);
            em_value(E, b, a, pt);
            hc_buf_puts(b, ")");
        } else if (pt && pt->kind == TY_RECORD && hc_builtin_std_ctype(pt->decl->name.name)) {
            em_std_record_layout(E, pt);
            hc_buf_printf(b, "({ %s hna = ", em_ctype(E, pt));
            em_value(E, b, a, pt);
            hc_buf_printf(b, "; *(const %s *)&hna; })", hc_builtin_std_ctype(pt->decl->name.name));
        } else {
            em_value(E, b, call->args.v[i], pt);
        }
    }
    if (into) {
        hc_buf_puts(b, ", hm");
    }
    if (fallible) {
        hc_buf_printf(b, ", %s, &hioe); ", res ? res : "NULL");
        if (err) {
            em_io_error(E, b, err, 0);
        }
        hc_buf_puts(b, "hok; })");
        return;
    }
    hc_buf_puts(b, "); })");
    if (rrec) {
        hc_buf_printf(b, "; *(%s *)&hnr; })", em_ctype(E, rt));
    }
}

/* ---- per locus ---- */

static void struct_def(hc_emit *E, hc_decl *d, const char *sn) {
    int n = nparams(d);
    for (int k = 0; k < n; k++) {
        hc_locus_param *p = nth_param(d, k);
        if (p->ty) {
            em_ctype(E, p->ty);
        }
    }
    hc_buf_printf(&E->types, "struct %s {\n    hale_locus h;\n", sn);
    for (int k = 0; k < n; k++) {
        hc_locus_param *p = nth_param(d, k);
        hc_buf_printf(&E->types, "    %s %s;\n", p->ty ? em_ctype(E, p->ty) : "int64_t",
                      em_field(E, p->name.name));
    }
    for (int i = 0, nd = count_duration(d); i < nd; i++) {
        hc_buf_printf(&E->types, "    int64_t hdur%d;\n", i);
    }
    if (native_of(d)) {
        hc_buf_printf(&E->types, "    %s hn;\n", native_of(d)->ctype);
    }
    em_form_fields(E, d);
    em_accum_fields(E, d);
    em_bus_fields(E, d);
    em_guard_fields(E, d);
    hc_buf_puts(&E->types, "};\n");
}

static const char *init_fn(hc_emit *E, hc_decl *d, const char *sn) {
    hc_buf body = {0};
    int n = nparams(d), any = 0;
    for (int k = 0; k < n; k++) {
        hc_locus_param *p = nth_param(d, k);
        if (heap_value(p->ty)) {
            const char *f = em_field(E, p->name.name);
            hc_buf_printf(&body, "    hale_value_copy_heap(%s, &self->%s, &self->%s, hh);\n",
                          em_descriptor(E, p->ty), f, f);
            any = 1;
        }
    }
    int nd = count_duration(d);
    const native_locus *nat = native_of(d);
    any |= em_form_init(E, d, &body);
    int bus = em_bus_init(E, d, &body); /* needs no `hh` of its own */
    if (!any && !nd && !(nat && nat->init) && !bus) {
        hc_buf_free(&body);
        return "NULL";
    }
    const char *name = hc_sprintf(E->a, "hli_%d", d->ty->id);
    hc_buf_printf(&E->protos, "static void %s(void *hself);\n", name);
    hc_buf_printf(&E->helpers, "static void %s(void *hself) {\n    %s *self = hself;\n", name, sn);
    if (any) {
        hc_buf_puts(&E->helpers, "    hale_heap *hh = hale_locus_heap(&self->h);\n    (void)hh;\n");
    }
    hc_buf_puts(&E->helpers, hc_buf_cstr(&body));
    for (int i = 0; i < nd; i++) {
        hc_buf_printf(&E->helpers, "    self->hdur%d = hale_time_monotonic();\n", i);
    }
    if (nat && nat->init) {
        hc_buf_printf(&E->helpers, "    %s\n", nat->init);
    }
    hc_buf_puts(&E->helpers, "}\n\n");
    hc_buf_free(&body);
    return name;
}

/* A hook a std locus's runtime part implements (`stmt`, a C statement on `self`), else `dflt`. */
static const char *native_hook(hc_emit *E, const char *sn, int id, const char *prefix,
                               const char *stmt, const char *dflt) {
    if (!stmt) {
        return dflt;
    }
    const char *name = hc_sprintf(E->a, "%s_%d", prefix, id);
    hc_buf_printf(&E->protos, "static void %s(hale_region *ho, hale_region *hm, void *hself);\n",
                  name);
    hc_buf_printf(&E->helpers,
                  "static void %s(hale_region *ho, hale_region *hm, void *hself) {\n"
                  "    (void)ho;\n    (void)hm;\n    %s *self = hself;\n    %s\n}\n\n",
                  name, sn, stmt);
    return name;
}

/* For a locus that stands for a std::http::Handler: the call of its `handle` the runtime makes
 * (std_http.h, hale_http_handle_fn), or NULL. */
static const char *em_std_handle(hc_emit *E, hc_decl *d, const char *sn) {
    if (!d->std_handler) {
        return NULL;
    }
    hc_decl *m = NULL;
    for (int i = 0; i < d->members.n; i++) {
        hc_decl *x = d->members.v[i];
        if (x->kind == D_FN && x->name.name && strcmp(x->name.name, "handle") == 0) {
            m = x;
        }
    }
    if (!m || !m->ty || m->ty->nitems != 1 || !m->ret_ty) {
        return NULL;
    }
    const char *name = hc_sprintf(E->a, "hhd_%d", d->ty->id);
    const char *rq = em_ctype(E, m->ty->items[0]), *rs = em_ctype(E, m->ret_ty);
    hc_buf_printf(&E->protos,
                  "static void %s(hale_region *ho, hale_region *hm, void *hself, const void *hreq, "
                  "void *hresp);\n",
                  name);
    hc_buf_printf(&E->helpers,
                  "static void %s(hale_region *ho, hale_region *hm, void *hself, const void *hreq, "
                  "void *hresp) {\n"
                  "    *(%s *)hresp = %s(ho, hm, (%s *)hself, *(const %s *)hreq);\n}\n\n",
                  name, rs, em_fn_name(E, m), sn, rq);
    return name;
}

/* For a std locus whose handler call takes its native part: a wrapper of the runtime's shape. */
static const char *em_native_handle(hc_emit *E, hc_decl *d, const char *sn, const char *fn) {
    const char *name = hc_sprintf(E->a, "hhn_%d", d->ty->id);
    hc_buf_printf(&E->protos,
                  "static void %s(hale_region *ho, hale_region *hm, void *hself, const void *hreq, "
                  "void *hresp);\n",
                  name);
    hc_buf_printf(&E->helpers,
                  "static void %s(hale_region *ho, hale_region *hm, void *hself, const void *hreq, "
                  "void *hresp) {\n    %s(ho, hm, &((%s *)hself)->hn, hreq, hresp);\n}\n\n",
                  name, fn, sn);
    return name;
}

static hc_decl *fn_member(hc_decl *d, const char *name) {
    for (int i = 0; i < d->members.n; i++) {
        hc_decl *x = d->members.v[i];
        if (x->kind == D_FN && x->name.name && strcmp(x->name.name, name) == 0) {
            return x;
        }
    }
    return NULL;
}

/* For a locus that stands for a std::http::Middleware: the calls of its `before` and `after` the
 * Router makes (locus.h's std_before / std_after). */
static void em_std_middleware(hc_emit *E, hc_decl *d, const char *sn, const char **before,
                              const char **after) {
    *before = *after = NULL;
    hc_decl *b = fn_member(d, "before"), *a = fn_member(d, "after");
    if (!d->std_middleware || !b || !a || !b->ty || !a->ty || b->ty->nitems != 1 ||
        a->ty->nitems != 2 || !b->ret_ty || !a->ret_ty) {
        return;
    }
    const char *ctx = em_ctype(E, b->ty->items[0]), *resp = em_ctype(E, a->ty->items[1]);
    *before = hc_sprintf(E->a, "hmb_%d", d->ty->id);
    *after = hc_sprintf(E->a, "hma_%d", d->ty->id);
    hc_buf_printf(&E->protos,
                  "static void %s(hale_region *ho, hale_region *hm, void *hself, const void *hctx, "
                  "void *hout);\nstatic void %s(hale_region *ho, hale_region *hm, void *hself, "
                  "const void *hctx, const void *hresp, void *hout);\n",
                  *before, *after);
    hc_buf_printf(&E->helpers,
                  "static void %s(hale_region *ho, hale_region *hm, void *hself, const void *hctx, "
                  "void *hout) {\n    *(%s *)hout = %s(ho, hm, (%s *)hself, *(const %s *)hctx);\n}"
                  "\n\n",
                  *before, ctx, em_fn_name(E, b), sn, ctx);
    hc_buf_printf(&E->helpers,
                  "static void %s(hale_region *ho, hale_region *hm, void *hself, const void *hctx, "
                  "const void *hresp, void *hout) {\n    *(%s *)hout = %s(ho, hm, (%s *)hself, "
                  "*(const %s *)hctx, *(const %s *)hresp);\n}\n\n",
                  *after, resp, em_fn_name(E, a), sn, ctx, resp);
}

static hc_type *child_type(hc_decl *m) {
    return m && m->ty && m->ty->nitems > 0 && m->ty->items[0]->kind == TY_LOCUS ? m->ty->items[0]
                                                                                : NULL;
}

static void descriptor(hc_emit *E, hc_decl *d, const char *sn) {
    const char *self_save = E->self_text;
    E->self_text = "self";
    const char *init = init_fn(E, d, sn);
    const char *epochs = "0";
    const char *closures = closures_fn(E, d, sn, &epochs);
    const char *battach, *bdetach, *bflush;
    em_bus_hooks(E, d, sn, &battach, &bdetach, &bflush);
    E->self_text = self_save;
    int id = d->ty->id;
    hc_buf *b = &E->descs;
    /* accept / release */
    hc_decl *acc = member(d, M_LIFECYCLE, "accept"), *rel = member(d, M_LIFECYCLE, "release");
    hc_type *ct = child_type(acc);
    if (ct) {
        hc_buf_printf(b,
                      "static const hale_locus_accept hla_%d[] = {{.child = &%s, .accept = %s, "
                      ".release = %s, .flow = %s, .quiet = %s}};\n",
                      id, desc_name(ct, E->a), live_hook(E, acc, 0),
                      rel ? live_hook(E, rel, 0) : "NULL", rel ? "true" : "false",
                      quiet_hook(E, acc) && quiet_hook(E, rel) ? "true" : "false");
    }
    /* locus-typed parameters, kept across restart_in_place */
    hc_buf offs = {0};
    int nloc = 0;
    for (int k = 0, n = nparams(d); k < n; k++) {
        hc_locus_param *p = nth_param(d, k);
        if (is_locus_ty(p->ty)) {
            hc_buf_printf(&offs, "%soffsetof(%s, %s)", nloc ? ", " : "", sn,
                          em_field(E, p->name.name));
            nloc++;
        }
    }
    if (nloc) {
        hc_buf_printf(b, "static const size_t hlf_%d[] = {%s};\n", id, hc_buf_cstr(&offs));
    }
    hc_buf_free(&offs);
    hc_decl *fail = member(d, M_FAILURE, NULL);
    hc_type *ft = child_type(fail);
    if (ft && em_is_transport_type(ft)) {
        ft = NULL; /* main's transport supervision: em_bind_failure registers it */
    }
    hc_buf flags = {0};
    hc_buf_puts(&flags, "0");
    if (d->tracks_children) {
        hc_buf_puts(&flags, " | HALE_LT_TRACKS");
    }
    if (d->needs_snapshot) {
        hc_buf_puts(&flags, " | HALE_LT_SNAPSHOT");
    }
    const native_locus *nat = native_of(d);
    const char *dissolve =
        native_hook(E, sn, id, "hld", nat ? nat->dissolve : NULL,
                    live_hook(E, member(d, M_LIFECYCLE, "dissolve"), closures != NULL));
    const char *birth =
        native_hook(E, sn, id, "hlb", nat ? nat->birth : NULL,
                    live_hook(E, member(d, M_LIFECYCLE, "birth"), closures != NULL));
    const char *run = native_hook(E, sn, id, "hlr", nat ? nat->run : NULL,
                                  live_hook(E, member(d, M_LIFECYCLE, "run"), closures != NULL));
    const char *handle = nat && nat->handle ? nat->handle
                         : nat && nat->handle_native
                             ? em_native_handle(E, d, sn, nat->handle_native)
                             : em_std_handle(E, d, sn);
    const char *before, *after;
    em_std_middleware(E, d, sn, &before, &after);
    if (em_bus_publishes_or_subscribes(d) || (nat && nat->long_lived)) {
        hc_buf_puts(&flags, " | HALE_LT_LONG_LIVED"); /* work after birth: lives to its scope */
    }
    const em_field_init fields[] = {
        {"name", hc_sprintf(E->a, "\"%s\"", d->name.name)},
        {"size", hc_sprintf(E->a, "sizeof(%s)", sn)},
        {"init", init},
        {"birth", birth},
        {"run", run},
        {"drain", live_hook(E, member(d, M_LIFECYCLE, "drain"), closures != NULL)},
        {"dissolve", dissolve},
        {"closures", closures},
        {"epochs", epochs},
        {"accepts", ct ? hc_sprintf(E->a, "hla_%d", id) : NULL},
        {"naccepts", ct ? "1" : NULL},
        {"failure_child", ft ? hc_sprintf(E->a, "&%s", desc_name(ft, E->a)) : NULL},
        {"on_failure", ft ? hook_name(E, fail) : NULL},
        {"flags", hc_buf_cstr(&flags)},
        {"locus_fields", nloc ? hc_sprintf(E->a, "hlf_%d", id) : NULL},
        {"nlocus_fields", nloc ? hc_sprintf(E->a, "%d", nloc) : NULL},
        {"bus_attach", battach},
        {"bus_detach", bdetach},
        {"bus_flush", bflush},
        {"std_handle", handle},
        {"std_before", before},
        {"std_after", after},
    };
    em_initializer(b, "hale_locus_type", desc_name(d->ty, E->a), fields,
                   (int)(sizeof fields / sizeof fields[0]));
    hc_buf_free(&flags);
}

void em_loci(hc_emit *E) {
    hc_program *P = E->P;
    for (int i = 0; i < P->loci.n; i++) {
        hc_decl *d = P->loci.v[i];
        if (d->ty && (!native_of(d) || d->used)) {
            em_locus_struct(E, d->ty);
            hc_buf_printf(&E->protos, "static const hale_locus_type %s;\n", desc_name(d->ty, E->a));
        }
    }
    for (int i = 0; i < P->loci.n; i++) {
        hc_decl *d = P->loci.v[i];
        if (d->ty && (!native_of(d) || d->used)) {
            const char *sn = em_locus_struct(E, d->ty);
            struct_def(E, d, sn);
            descriptor(E, d, sn);
        }
    }
}

/* ---- light loci ---- */

/* A method body of a light locus: it may read and write the parameters and call the type's own
 * methods, but nothing that reaches the locus's header (its region, tree or lifecycle): no locus
 * made here (it would be the locus's child), no send, no lifecycle statement, no self passed on. */
static int light_expr(hc_walker *w, hc_expr *e) {
    (void)w;
    switch (e->kind) {
    case E_STRUCT:
        return e->decl && e->decl->kind == D_LOCUS ? HC_WALK_STOP : HC_WALK_ON;
    case E_CALL:
        return e->ty && e->ty->kind == TY_LOCUS ? HC_WALK_STOP : HC_WALK_ON;
    case E_FIELD:
        if (e->lhs && e->lhs->kind == E_SELF) {
            return e->ref == REF_SELF_FIELD || e->ref == REF_METHOD ? HC_WALK_SKIP : HC_WALK_STOP;
        }
        return HC_WALK_ON;
    case E_SELF:
        return HC_WALK_STOP;
    default:
        return HC_WALK_ON;
    }
}

static int light_stmt(hc_walker *w, hc_stmt *s) {
    (void)w;
    switch (s->kind) {
    case S_SEND:
    case S_YIELD:
    case S_TERMINATE:
    case S_RECOVERY:
    case S_VIOLATE:
        return HC_WALK_STOP;
    default:
        return HC_WALK_ON;
    }
}

static int flat_ty(hc_type *t) {
    return t && (t->kind == TY_INT || t->kind == TY_FLOAT || t->kind == TY_BOOL ||
                 t->kind == TY_UINT || t->kind == TY_DURATION || t->kind == TY_TIME);
}

/* Everything about the type itself that makes it light (see em_locus_light). */
static int light_shape(hc_emit *E, hc_decl *d) {
    if (!d->ty || native_of(d) || d == E->P->main_locus || d->std_handler || d->tracks_children ||
        d->needs_snapshot || d->form || em_bus_publishes_or_subscribes(d)) {
        return 0;
    }
    for (int i = 0; i < d->members.n; i++) {
        hc_decl *m = d->members.v[i];
        if (m->kind == M_PARAMS) {
            for (int k = 0; k < m->lparams.n; k++) {
                if (!flat_ty(m->lparams.v[k].ty)) {
                    return 0;
                }
            }
        } else if (m->kind == D_FN) {
            hc_walker w = {.expr = light_expr, .stmt = light_stmt};
            if (!hc_walk_block(&w, m->body)) {
                return 0;
            }
        } else if (m->kind == M_LIFECYCLE && empty_body(m) && m->name.name &&
                   (!strcmp(m->name.name, "birth") || !strcmp(m->name.name, "run") ||
                    !strcmp(m->name.name, "drain") || !strcmp(m->name.name, "dissolve"))) {
            continue; /* a hook with nothing in it (left out of the descriptor too) */
        } else if (m->kind != M_CONTRACT) {
            return 0; /* hooks, closures, bus, capacity, failure, placement, modes */
        }
    }
    return 1;
}

int em_locus_light(hc_emit *E, hc_decl *d) {
    if (!light_shape(E, d)) {
        return 0;
    }
    /* nobody accepts it: it never has an owner */
    hc_program *P = E->P;
    for (int i = 0; i < P->loci.n; i++) {
        hc_decl *o = P->loci.v[i];
        for (int j = 0; j < o->members.n; j++) {
            hc_decl *m = o->members.v[j];
            if ((m->kind == M_LIFECYCLE || m->kind == M_FAILURE) && child_type(m) == d->ty) {
                return 0;
            }
        }
    }
    return 1;
}

/* Every instance of the type runs on the main pool. Elsewhere a flow child started at statement
 * position gets a coroutine of its own (place.c), so its release comes later, not at once. */
static int main_pool_only(const hc_decl *d) {
    const char *pool = hc_place_pool(d);
    return pool && strcmp(pool, "main") == 0;
}

/* ---- literals ---- */

void em_locus_lit(hc_emit *E, hc_buf *b, hc_expr *e, const char *at, const char *label,
                  const char *how, const char *replace) {
    hc_decl *d = e->decl;
    const char *sn = em_locus_struct(E, d->ty);
    const char *pv = em_tmp(E, "hlp");
    const char *lv = em_tmp(E, "hll");
    const char *pool = E->next_pool;
    int replica = E->next_replica;
    E->next_pool = NULL;
    E->next_replica = 0;
    int n = nparams(d);
    hc_expr **given = hc_alloc(E->a, sizeof(hc_expr *) * (size_t)(n + 1));
    int light = !label && !replace && !pool && em_locus_light(E, d) &&
                ((E->light_let && strcmp(how, "HALE_HOW_LET") == 0) ||
                 (E->light_stmt && strcmp(how, "HALE_HOW_STMT") == 0));
    hc_decl *owner = E->fn ? E->fn->locus : NULL;
    hc_decl *acc = owner ? member(owner, M_LIFECYCLE, "accept") : NULL;
    hc_decl *rel = owner ? member(owner, M_LIFECYCLE, "release") : NULL;
    /* A light flow: a statement-position literal, in the code of the locus that accepts its
     * type as a flow (so that locus is its owner: the first ancestor looked at), of a type with
     * a light shape, whose owner runs on the main pool, needs no frame for accept and release
     * and cannot see its children. Its whole cycle is accept, release: nothing else of it can be
     * observed. */
    int light_flow = !light && !label && !replace && !pool && E->light_stmt && E->self_text &&
                     strcmp(how, "HALE_HOW_STMT") == 0 && acc && rel && child_type(acc) == d->ty &&
                     !owner->tracks_children && quiet_hook(E, acc) && quiet_hook(E, rel) &&
                     light_shape(E, d) && main_pool_only(owner);
    if (light && strcmp(how, "HALE_HOW_LET") == 0) {
        pv = E->light_let; /* declared at the top of the function */
        hc_buf_printf(b, "({ memset(&%s, 0, sizeof %s); ", pv, pv);
    } else {
        hc_buf_printf(b, "({ %s %s; memset(&%s, 0, sizeof %s); ", sn, pv, pv, pv);
    }
    if (pool) {
        hc_buf_printf(b, "%s.h.pool = %s; ", pv, pool); /* placed: runs on that pool */
    }
    if (replica && em_bus_replica_keyed(d)) {
        hc_buf_printf(b, "%s.hrep = %d; ", pv, replica); /* `where key == replica` */
    }
    /* the literal's values in its own order, then the declared defaults */
    for (int i = 0; i < e->inits.n; i++) {
        hc_field_init *fi = &e->inits.v[i];
        hc_locus_param *p = nth_param(d, fi->field);
        if (!p) {
            continue;
        }
        given[fi->field] = fi->value;
        if (!is_locus_ty(p->ty) || fi->value->kind != E_STRUCT) {
            /* a value; a locus given as a value is referred to (check_params.c) */
            hc_buf_printf(b, "%s.%s = ", pv, em_field(E, p->name.name));
            em_value(E, b, fi->value, p->ty);
            hc_buf_puts(b, "; ");
        }
    }
    /* a default's `self` is the locus being made: its parameters so far (check_params.c) */
    const char *caller_self = E->self_text;
    E->self_text = hc_sprintf(E->a, "(&%s)", pv);
    for (int k = 0; k < n; k++) {
        hc_locus_param *p = nth_param(d, k);
        if (!given[k] && p->value && !is_locus_ty(p->ty)) {
            hc_buf_printf(b, "%s.%s = ", pv, em_field(E, p->name.name));
            em_value(E, b, p->value, p->ty);
            hc_buf_puts(b, "; ");
        }
    }
    E->self_text = caller_self;
    if (light) {
        hc_buf_printf(b, "(%s *)hale_locus_light(&%s.h, &%s, %s, %s, %s); })", sn, pv,
                      desc_name(d->ty, E->a), at, how, E->has_defer ? "&hdefer" : "NULL");
        return;
    }
    if (light_flow) {
        /* while nothing counts loci (hale_locus_light_ok), the owner's hooks on the prototype,
         * the child counted live in between as the general path counts it */
        hc_buf_puts(b, "if (atomic_load_explicit(&hale_locus_light_ok, memory_order_relaxed)) { ");
        if (strcmp(live_hook(E, acc, 0), "NULL") != 0) {
            hc_buf_printf(b, "%s(hm, ho, %s, &%s); ", live_hook(E, acc, 0), E->self_text, pv);
        }
        hc_buf_printf(b, "%s->h.accepted++; ", E->self_text);
        if (strcmp(live_hook(E, rel, 0), "NULL") != 0) {
            hc_buf_printf(b, "%s(hm, ho, %s, &%s); ", live_hook(E, rel, 0), E->self_text, pv);
        }
        hc_buf_printf(b, "%s->h.accepted--; } else { ", E->self_text);
    }
    hc_buf_printf(b, "%s *%s = hale_locus_new(&%s, %s, &%s, ", sn, lv, desc_name(d->ty, E->a), at,
                  pv);
    if (label) {
        em_c_string(b, label, (int64_t)strlen(label));
    } else {
        hc_buf_puts(b, "NULL");
    }
    hc_buf_puts(b, "); ");
    if (replace) {
        /* break-before-make: the old holder of the field goes before anything of the new one is
         * born; the field refers to the new one from here on */
        hc_buf_printf(b, "hale_locus_replace(%s ? &%s->h : NULL); %s = %s; ", replace, replace,
                      replace, lv);
    }
    /* locus-typed parameters: children of the new locus, born in declaration order */
    const char *child_at = hc_sprintf(E->a, "&%s->h", lv);
    for (int k = 0; k < n; k++) {
        hc_locus_param *p = nth_param(d, k);
        hc_expr *v = given[k] ? given[k] : p->value;
        if (is_locus_ty(p->ty) && v && v->kind == E_STRUCT) {
            /* cast: a std interface parameter (std::http::Handler) holds the user's locus */
            hc_buf_printf(b, "%s->%s = (%s)", lv, em_field(E, p->name.name), em_ctype(E, p->ty));
            E->next_pool = em_place_pool(E, d, p->name.name);
            E->self_text = given[k] ? caller_self : lv; /* a default's `self`: the new locus */
            em_locus_lit(E, b, v, child_at, p->name.name, "HALE_HOW_FIELD", NULL);
            E->self_text = caller_self;
            hc_buf_puts(b, "; ");
            /* `replicas = K`: the other instances, children of main beside the parameter's */
            for (int r = 1; r < em_place_replicas(E, d, p->name.name); r++) {
                hc_buf_puts(b, "(void)");
                E->next_pool = em_place_replica_pool(E, d, p->name.name, r);
                E->next_replica = r;
                em_locus_lit(E, b, v, child_at, hc_sprintf(E->a, "%s#%d", p->name.name, r),
                             "HALE_HOW_FIELD", NULL);
                hc_buf_puts(b, "; ");
            }
        }
    }
    hc_buf_printf(b, "hale_locus_start(&%s->h, %s, %s); ", lv, how,
                  E->has_defer && !replace ? "&hdefer" : "NULL");
    if (light_flow) {
        hc_buf_printf(b, "} (%s *)NULL; })", sn);
        return;
    }
    hc_buf_printf(b, "%s; })", lv);
}

/* ---- statements ---- */

void em_leave(hc_emit *E, hc_buf *b) {
    if (E->direct_return) {
        hc_type *rt = E->fn ? E->fn->ret_ty : NULL;
        if (em_has_value(rt)) {
            hc_buf_printf(b, "return %s;", em_zero(E, rt));
        } else {
            hc_buf_puts(b, "return;");
        }
        return;
    }
    hc_buf_puts(b, "goto hexit;");
}

hc_expr *em_place_locus(hc_expr *e) {
    while (e->kind == E_FIELD || e->kind == E_INDEX) {
        hc_expr *l = e->lhs;
        if (e->kind == E_FIELD && (l->kind == E_SELF || (l->ty && l->ty->kind == TY_LOCUS))) {
            return l;
        }
        e = l;
    }
    return NULL;
}

/* A String that may share its bytes with a locus's state: the place itself, or a view of it that
 * a non-allocating string built-in (substring, trim, ...) or a concatenation with an empty side
 * returns. Binding such a value must copy it, since the locus may replace the text later. */
hc_expr *em_text_of_locus(hc_expr *e) {
    hc_expr *owner = em_place_locus(e);
    if (owner || !e->ty || e->ty->kind != TY_STRING) {
        return owner;
    }
    if (e->kind == E_CALL && e->lhs->builtin && e->lhs->builtin->kind == BI_SIG &&
        !e->lhs->builtin->allocates && e->args.n > 0) {
        return em_text_of_locus(e->args.v[0]);
    }
    if (e->kind == E_BINARY && e->op == OP_ADD && !e->widen) {
        hc_expr *l = em_text_of_locus(e->lhs);
        return l ? l : em_text_of_locus(e->rhs);
    }
    return NULL;
}

void em_locus_field_assign(hc_emit *E, hc_buf *b, hc_stmt *s) {
    hc_expr *t = s->target;
    const char *owner = em_text(E, t->lhs);
    const char *place = hc_sprintf(E->a, "(%s)->%s", owner, em_field(E, t->field.name));
    hc_buf_puts(b, "(void)");
    em_locus_lit(E, b, s->expr, hc_sprintf(E->a, "&(%s)->h", owner), t->field.name,
                 "HALE_HOW_FIELD", place);
    hc_buf_puts(b, ";");
}

static void em_violate(hc_emit *E, hc_buf *b, hc_stmt *s) {
    hc_decl *locus = E->fn ? E->fn->locus : NULL;
    hc_decl *cl = closure_named(locus, s->name.name);
    hc_buf_puts(b, "{ ");
    if (s->expr) {
        hc_buf_puts(b, "(void)(");
        em_expr(E, b, s->expr);
        hc_buf_puts(b, "); ");
    }
    hc_buf_puts(b, "hale_sbuf hcap = {0}; ");
    if (cl) {
        captures_code(E, b, locus, cl, "hcap");
    }
    hc_buf_printf(b,
                  "hale_closure_report hrep = {.closure = \"%s\", .epoch = 0, .captures = "
                  "hale_sbuf_view(&hcap)}; hale_locus_violate(&%s->h, &hrep); "
                  "hale_sbuf_release(&hcap); ",
                  s->name.name, E->self_text);
    em_leave(E, b);
    hc_buf_puts(b, " }");
}

void em_locus_stmt(hc_emit *E, hc_buf *b, hc_stmt *s) {
    switch (s->kind) {
    case S_YIELD:
        hc_buf_puts(b, "hale_locus_yield();");
        return;
    case S_TERMINATE:
        hc_buf_printf(b, "{ hale_locus_terminate(&%s->h); ", E->self_text);
        em_leave(E, b);
        hc_buf_puts(b, " }");
        return;
    case S_VIOLATE:
        em_violate(E, b, s);
        return;
    case S_RECOVERY: {
        const char *op = s->recovery;
        const char *arg = s->args.n ? em_text(E, s->args.v[0]) : "NULL";
        if (strcmp(op, "bubble") == 0) {
            hc_buf_puts(b, "{ hale_locus_bubble(); ");
            em_leave(E, b);
            hc_buf_puts(b, " }");
        } else if (strcmp(op, "restart") == 0 && em_is_transport(s->args.v[0])) {
            hc_buf_printf(b, "tp_bind_restart((void *)(%s));", arg);
        } else if (strcmp(op, "restart") == 0) {
            hc_buf_printf(b, "hale_locus_restart(&(%s)->h);", arg);
        } else if (strcmp(op, "restart_in_place") == 0) {
            hc_buf_printf(b, "hale_locus_restart_in_place(&(%s)->h);", arg);
        } else if (strcmp(op, "quarantine") == 0) {
            hc_buf_printf(b, "hale_locus_quarantine(&(%s)->h, %s);", arg,
                          s->modifier_expr ? em_text(E, s->modifier_expr) : "INT64_C(-1)");
        } else if (strcmp(op, "dissolve") == 0) {
            hc_buf_printf(b, "hale_locus_dissolve_child(&(%s)->h);", arg);
        } else {
            em_unsupported(E, s->pos, "this recovery primitive");
        }
        return;
    }
    default:
        return;
    }
}
