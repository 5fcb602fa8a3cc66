/* See resolve.h. */
#include "resolve.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lex.h"
#include "parse.h"

/* ---- symbol tables: open addressing on the name ---- */

typedef struct {
    const char *name;
    hc_decl *decl;
} slot;

struct hc_symtab {
    hc_arena *a;
    slot *slots;
    int cap, n;
};

hc_symtab *hc_symtab_new(hc_arena *a) {
    hc_symtab *t = HC_NEW(a, hc_symtab);
    t->a = a;
    t->cap = 16;
    t->slots = hc_alloc(a, sizeof(slot) * (size_t)t->cap);
    return t;
}

static unsigned hash(const char *s) {
    unsigned h = 2166136261u;
    for (; *s; s++) {
        h = (h ^ (unsigned char)*s) * 16777619u;
    }
    return h;
}

static slot *find(const hc_symtab *t, const char *name) {
    unsigned i = hash(name) & (unsigned)(t->cap - 1);
    while (t->slots[i].name && strcmp(t->slots[i].name, name) != 0) {
        i = (i + 1) & (unsigned)(t->cap - 1);
    }
    return &t->slots[i];
}

hc_decl *hc_symtab_put(hc_symtab *t, const char *name, hc_decl *d) {
    slot *s = find(t, name);
    if (s->name) {
        return s->decl;
    }
    if ((t->n + 1) * 2 > t->cap) {
        slot *old = t->slots;
        int oldcap = t->cap;
        t->cap *= 2;
        t->slots = hc_alloc(t->a, sizeof(slot) * (size_t)t->cap);
        for (int i = 0; i < oldcap; i++) {
            if (old[i].name) {
                *find(t, old[i].name) = old[i];
            }
        }
        s = find(t, name);
    }
    s->name = name;
    s->decl = d;
    t->n++;
    return NULL;
}

hc_decl *hc_symtab_get(const hc_symtab *t, const char *name) {
    if (!t) {
        return NULL;
    }
    slot *s = find(t, name);
    return s->name ? s->decl : NULL;
}

/* ---- loading ---- */

typedef struct {
    hc_program *P;
    HC_VEC(const char *) real; /* realpath of each loaded seed, by seed index */
} loader;

static const char std_source[] =
    "type CapacityError { cap: Int; count: Int; }\n"
    "type ClosureViolation { locus: String; closure: String; epoch: String; path: "
    "String; captures: String; message: String; left: Float; right: "
    "Float; tolerance: Float; diff: Float; }\n"
    "type IndexError { kind: String; index: Int; len: Int; }\n"
    "type ParseError { kind: String; input: String; }\n"
    "type KeyError { kind: String; }\n"
    /* Hale's built-in generic enums (a program's own declaration of the name wins) */
    "type Result<T, E> = enum { Ok(T), Err(E) };\n"
    "type Option<T> = enum { Some(T), None };\n"
    "type EmptyError { kind: String; }\n"
    "type IoError { kind: String; errno: Int; path: String; }\n"
    /* a BytesBuilder's view() and text_view() (Hale's borrowed views read as their values) */
    "type BytesView = Bytes;\n"
    "type StringView = String;\n"
    /* std::str's String builder handle (runtime/std_text.h) */
    "type StrBuilder { handle: Int; }\n"
    /* std::bytes::BytesBuilder and std::json::Builder: loci whose methods the runtime implements
     * (emit_locus.c, "native") */
    "locus BytesBuilder {\n"
    "    params { initial_cap: Int = 64; }\n"
    "    fn append(chunk: Bytes);\n"
    "    fn append_str(s: String);\n"
    "    fn append_byte(b: Int);\n"
    "    fn len() -> Int;\n"
    "    fn clear();\n"
    "    fn finish() -> Bytes;\n"
    "    fn view() -> Bytes;\n"
    "    fn text_view() -> String;\n"
    "    fn snapshot() -> Bytes;\n"
    "    fn shift_front(n: Int);\n"
    "    fn append_slice(src: Bytes, lo: Int, hi: Int);\n"
    "    fn append_u8(v: Int);\n"
    "    fn append_i8(v: Int);\n"
    "    fn append_u16_le(v: Int);\n"
    "    fn append_u16_be(v: Int);\n"
    "    fn append_i16_le(v: Int);\n"
    "    fn append_i16_be(v: Int);\n"
    "    fn append_u32_le(v: Int);\n"
    "    fn append_u32_be(v: Int);\n"
    "    fn append_i32_le(v: Int);\n"
    "    fn append_i32_be(v: Int);\n"
    "    fn append_u64_le(v: Int);\n"
    "    fn append_u64_be(v: Int);\n"
    "    fn append_i64_le(v: Int);\n"
    "    fn append_i64_be(v: Int);\n"
    "    fn append_f32_le(v: Float);\n"
    "    fn append_f64_le(v: Float);\n"
    "    fn append_f64_be(v: Float);\n"
    "    fn append_pad(to_align: Int);\n"
    "    fn xor_mask(src: Bytes, key: Int);\n"
    "}\n"
    "locus JsonBuilder {\n"
    "    fn begin_object();\n"
    "    fn end_object();\n"
    "    fn begin_array();\n"
    "    fn end_array();\n"
    "    fn begin_object_field(name: String);\n"
    "    fn begin_array_field(name: String);\n"
    "    fn field(name: String, value: String);\n"
    "    fn string_field(name: String, value: String);\n"
    "    fn int_field(name: String, value: Int);\n"
    "    fn float_field(name: String, value: Float);\n"
    "    fn bool_field(name: String, value: Bool);\n"
    "    fn null_field(name: String);\n"
    "    fn value(v: String);\n"
    "    fn string_value(v: String);\n"
    "    fn int_value(v: Int);\n"
    "    fn float_value(v: Float);\n"
    "    fn bool_value(v: Bool);\n"
    "    fn null_value();\n"
    "    fn result() -> String;\n"
    "    fn reset();\n"
    "    fn append_entry(acc: String, entry: String) -> String;\n"
    "    fn wrap_array(inner: String) -> String;\n"
    "    fn wrap_object(inner: String) -> String;\n"
    "}\n"
    /* std::json's cursors and ranges (runtime/json_scan.h) */
    "type ArrayIter { done: Bool; element: String; json: String; next: Int; }\n"
    "type ArrayIterSpan { done: Bool; start: Int; end_pos: Int; next: Int; }\n"
    "type ObjectIterSpan { done: Bool; key_start: Int; key_end: Int; value_start: Int; "
    "value_end: Int; next: Int; }\n"
    "type JsonFieldRange { ok: Bool; start: Int; end_pos: Int; }\n"
    /* T::from_json's error (emit_json.c): missing_field, bad_value, not_object */
    "type JsonError { kind: String; detail: String; }\n"
    /* std::io::tcp::Stream: a connection, its fd closed when it dissolves (unless borrowed) */
    "locus TcpStream {\n"
    "    params { conn_fd: Int = -1; owns_fd: Bool = true; }\n"
    "    fn send(msg: String) fallible(IoError);\n"
    "    fn send_bytes(b: Bytes) fallible(IoError);\n"
    "    fn recv(max: Int) -> String fallible(IoError);\n"
    "    fn recv_bytes(max: Int) -> Bytes fallible(IoError);\n"
    "    fn recv_into(buf: BytesBuilder, max: Int) -> Int fallible(IoError);\n"
    "    fn set_nodelay(on: Bool) fallible(IoError);\n"
    "    fn set_recv_timeout(d: Duration);\n"
    "    fn set_send_timeout(d: Duration);\n"
    "    fn shutdown();\n"
    "    fn close();\n"
    "    fn fd() -> Int;\n"
    "    fn release_fd() -> Int;\n"
    "}\n"
    /* std::io::file::File: a held-open file (runtime/std_file.h), made by std::io::file::open */
    "locus File {\n"
    "}\n"
    /* std::process: what run() collected, and a Child started by spawn() (std_process.h) */
    "type ProcessOutput { code: Int; signal: Int; stdout: String; stderr: String; }\n"
    "locus Child {\n"
    "}\n"
    /* std::term: the terminal's size, and a guard holding stdin in raw mode (std_term.h) */
    "type TermSize { cols: Int; rows: Int; }\n"
    "locus RawMode {\n"
    "}\n"
    /* std::http (runtime/std_http.h): the records, the handler interface, the Server */
    "type HttpRequest { method: String; path: String; version: String; headers: String; "
    "body: String; conn_fd: Int = -1; }\n"
    "type HttpResponse { status: Int = 200; content_type: String = \"text/plain\"; "
    "headers: String = \"\"; body: String = \"\"; takeover: Bool = false; "
    "takeover_raw: Bool = false; }\n"
    "type ClientResponse { status: Int; headers: String; body: Bytes; }\n"
    "type Url { scheme: String; host: String; port: Int; path: String; }\n"
    "type HttpError { kind: String; detail: String; }\n"
    "locus HttpHandler {\n"
    "    fn handle(req: HttpRequest) -> HttpResponse;\n"
    "}\n"
    /* std::http::Router (runtime/http_router.h): routes, their handlers and middleware */
    "type RouteParams { captures: String = \"\"; qs: String = \"\"; }\n"
    "type HttpContext { req: HttpRequest; params: RouteParams; }\n"
    "locus RouteHandler {\n"
    "    fn handle(ctx: HttpContext) -> HttpResponse;\n"
    "}\n"
    "locus HttpMiddleware {\n"
    "    fn before(ctx: HttpContext) -> HttpContext;\n"
    "    fn after(ctx: HttpContext, resp: HttpResponse) -> HttpResponse;\n"
    "}\n"
    "locus HttpRouter {\n"
    "    params { not_found: RouteHandler = RouteHandler { }; }\n"
    "    fn add(method: String, pattern: String, h: RouteHandler);\n"
    "    fn add_fn(method: String, pattern: String, f: fn(HttpContext) -> HttpResponse);\n"
    "    fn use(m: HttpMiddleware);\n"
    "    fn dispatch(req: HttpRequest) -> HttpResponse;\n"
    "    fn handle(req: HttpRequest) -> HttpResponse;\n"
    "    fn len() -> Int;\n"
    "}\n"
    "locus HttpServer {\n"
    "    params { host: String = \"127.0.0.1\"; port: Int = 8080; "
    "handler: HttpHandler = HttpHandler { }; max_accepts: Int = 0; ready_signal: String = \"\"; "
    "keep_alive: Bool = false; log_subject: String = \"\"; }\n"
    "    fn shutdown();\n"
    "    fn local_port() -> Int;\n"
    "}\n"
    /* small std loci whose methods are text utilities (runtime/std_misc.h) */
    "locus Lines {\n"
    "    fn line_at(s: String, from: Int) -> String;\n"
    "    fn next_idx(s: String, from: Int) -> Int;\n"
    "    fn is_skippable(line: String) -> Bool;\n"
    "}\n"
    "locus NameConvention {\n"
    "    params { strip: String = \"\"; }\n"
    "    fn camel_to_snake(s: String) -> String;\n"
    "    fn snake_to_camel(s: String) -> String;\n"
    "    fn strip_extension(s: String) -> String;\n"
    "    fn propose_locus_name(file: String) -> String;\n"
    "}\n"
    "locus TaggedAccumulator {\n"
    "    fn first_body(acc: String, tag: String) -> String;\n"
    "    fn count(acc: String, tag: String) -> Int;\n"
    "    fn each_body(acc: String, tag: String) -> String;\n"
    "    fn collect_csv(acc: String, tag: String) -> String;\n"
    "    fn collect_array(acc: String, tag: String) -> String;\n"
    "}\n"
    "locus CliResolver {\n"
    "    params { env_prefix: String = \"HALE_\"; argv_keys: String = \"\"; }\n"
    "    fn get(key: String, fallback: String) -> String;\n"
    "    fn get_int(key: String, fallback: Int) -> Int;\n"
    "}\n"
    /* std::yaml (runtime/std_yaml.h) */
    "locus YamlReader {\n"
    "    params { text: String = \"\"; }\n"
    "    fn scalar(key: String) -> String;\n"
    "    fn has(key: String) -> Bool;\n"
    "    fn list_count(key: String) -> Int;\n"
    "    fn list_item(key: String, i: Int) -> String;\n"
    "    fn nested(key: String) -> String;\n"
    "    fn error() -> String;\n"
    "}\n"
    "locus YamlBuilder {\n"
    "    fn field(indent: Int, key: String, value: String) -> String;\n"
    "    fn field_q(indent: Int, key: String, value: String) -> String;\n"
    "    fn field_i(indent: Int, key: String, value: Int) -> String;\n"
    "    fn field_b(indent: Int, key: String, value: Bool) -> String;\n"
    "    fn field_null(indent: Int, key: String) -> String;\n"
    "    fn nested_open(indent: Int, key: String) -> String;\n"
    "    fn list_item_first(indent: Int, key: String, value: String) -> String;\n"
    "    fn list_item_first_q(indent: Int, key: String, value: String) -> String;\n"
    "}\n"
    /* std::log (runtime/std_log.h): Loggers and the sinks their events go to */
    "type LogEvent { level: String; path: String; msg: String; }\n"
    "locus Logger {\n"
    "    params { name: String = \"\"; parent_path: String = \"\"; }\n"
    "    fn trace(msg: String);\n"
    "    fn debug(msg: String);\n"
    "    fn info(msg: String);\n"
    "    fn warn(msg: String);\n"
    "    fn error(msg: String);\n"
    "    fn path() -> String;\n"
    "}\n"
    "locus LogStdoutSink {\n"
    "}\n"
    "locus LogConsoleSink {\n"
    "    params { color: Bool = true; show_time: Bool = true; }\n"
    "}\n"
    "locus LogFileSink {\n"
    "    params { path: String = \"\"; max_size_bytes: Int = 0; keep_files: Int = 3; }\n"
    "    fn failures() -> Int;\n"
    "}\n"
    /* std::bus::UnixTransport (NngTransport, Transport): a binding's link, as main's
     * on_failure sees it; `restart(t)` redials (transport/bus_bind.h) */
    "locus BusTransport {\n"
    "}\n";

static hc_seed *new_seed(hc_program *P, const char *path, const char *dir) {
    hc_seed *s = HC_NEW(P->a, hc_seed);
    s->id = P->seeds.n;
    s->path = hc_strdup(P->a, path);
    s->dir = hc_strdup(P->a, dir);
    s->names = hc_symtab_new(P->a);
    s->aliases = hc_symtab_new(P->a);
    HC_PUSH(P->a, P->seeds, s);
    return s;
}

static void parse_into(hc_program *P, hc_seed *s, const char *display, const char *text,
                       size_t len) {
    int file = hc_diag_add_source(P->d, display, text, len);
    hc_tokens toks = hc_lex(P->a, P->d, file, text, len);
    hc_parse_file(P->a, P->d, &toks, &s->decls);
}

static hc_program *program_new(hc_arena *a, hc_diags *d) {
    hc_program *P = HC_NEW(a, hc_program);
    P->a = a;
    P->d = d;
    P->types = hc_types_new(a);
    P->std = new_seed(P, "<std>", ".");
    parse_into(P, P->std, "<std>", std_source, sizeof std_source - 1);
    return P;
}

static const char *join(hc_arena *a, const char *dir, const char *name) {
    if (strcmp(dir, ".") == 0) {
        return hc_strdup(a, name);
    }
    size_t n = strlen(dir);
    return hc_sprintf(a, "%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", name);
}

static const char *dir_of(hc_arena *a, const char *path) {
    const char *slash = strrchr(path, '/');
    if (!slash) {
        return ".";
    }
    if (slash == path) {
        return "/";
    }
    return hc_strndup(a, path, (size_t)(slash - path));
}

char *hc_read_file(hc_arena *a, const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        return NULL;
    }
    hc_buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        hc_buf_put(&b, chunk, n);
    }
    int err = ferror(f);
    fclose(f);
    if (err) {
        hc_buf_free(&b);
        errno = EIO;
        return NULL;
    }
    *len = b.len;
    char *text = hc_strndup(a, b.p ? b.p : "", b.len);
    hc_buf_free(&b);
    return text;
}

static int cmp_str(const void *x, const void *y) {
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static int has_suffix(const char *s, const char *suf) {
    size_t n = strlen(s), m = strlen(suf);
    return n > m && strcmp(s + n - m, suf) == 0;
}

static void load_imports(loader *L, hc_seed *s);

/* Loads the seed at `path` (display form) whose on-disk kind is known from `st`. */
static hc_seed *load_seed(loader *L, const char *path, const struct stat *st, hc_pos from) {
    hc_program *P = L->P;
    char real[PATH_MAX];
    if (!realpath(path, real)) {
        snprintf(real, sizeof real, "%s", path);
    }
    for (int i = 0; i < L->real.n; i++) {
        if (strcmp(L->real.v[i], real) == 0) {
            hc_seed *s = P->seeds.v[i + 1];
            if (s->loading) {
                hc_help(hc_error(P->d, from,
                                 "import cycle: `%s` imports itself (through this "
                                 "import)",
                                 path),
                        "move what both need into a third seed that neither imports back");
            }
            return s;
        }
    }
    int is_dir = S_ISDIR(st->st_mode);
    hc_seed *s = new_seed(P, path, is_dir ? path : dir_of(P->a, path));
    HC_PUSH(P->a, L->real, hc_strdup(P->a, real));
    s->loading = 1;
    if (!is_dir) {
        size_t len;
        char *text = hc_read_file(P->a, path, &len);
        if (!text) {
            hc_error(P->d, from, "cannot read `%s`: %s", path, strerror(errno));
        } else {
            parse_into(P, s, path, text, len);
        }
    } else {
        DIR *d = opendir(path);
        HC_VEC(const char *) names = {0};
        if (!d) {
            hc_error(P->d, from, "cannot open directory `%s`: %s", path, strerror(errno));
        } else {
            struct dirent *e;
            while ((e = readdir(d)) != NULL) {
                if (e->d_name[0] != '.' && has_suffix(e->d_name, ".hl")) {
                    HC_PUSH(P->a, names, hc_strdup(P->a, e->d_name));
                }
            }
            closedir(d);
        }
        if (names.n > 1) {
            qsort(names.v, (size_t)names.n, sizeof *names.v, cmp_str);
        }
        if (d && names.n == 0) {
            hc_error(P->d, from, "no .hl files in `%s`", path);
        }
        for (int i = 0; i < names.n; i++) {
            const char *file = join(P->a, path, names.v[i]);
            struct stat fst;
            if (stat(file, &fst) != 0 || !S_ISREG(fst.st_mode)) {
                continue;
            }
            size_t len;
            char *text = hc_read_file(P->a, file, &len);
            if (!text) {
                hc_error(P->d, from, "cannot read `%s`: %s", file, strerror(errno));
                continue;
            }
            parse_into(P, s, file, text, len);
        }
    }
    load_imports(L, s);
    s->loading = 0;
    return s;
}

static void load_imports(loader *L, hc_seed *s) {
    hc_program *P = L->P;
    for (int i = 0; i < s->decls.n; i++) {
        hc_decl *d = s->decls.v[i];
        if (d->kind != D_IMPORT || !d->import_path || !d->name.name) {
            continue;
        }
        hc_pos at = d->pos;
        const char *p = d->import_path;
        if (!*p || p[0] == '/') {
            hc_help(hc_error(P->d, at, "import path `%s` must be relative", p),
                    "paths are relative to the importing file's directory");
            continue;
        }
        const char *file = join(P->a, s->dir, hc_sprintf(P->a, "%s.hl", p));
        const char *dir = join(P->a, s->dir, p);
        struct stat st;
        if (stat(file, &st) == 0 && S_ISREG(st.st_mode)) {
            d->imported = load_seed(L, file, &st, at);
        } else if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
            d->imported = load_seed(L, dir, &st, at);
        } else {
            hc_help(hc_error(P->d, at, "cannot find the imported seed `%s`", p),
                    "looked for `%s` and the directory `%s`", file, dir);
        }
    }
}

/* ---- name tables ---- */

static void declare(hc_program *P, hc_seed *s, hc_decl *d) {
    if (!d->name.name || strcmp(d->name.name, "?") == 0) {
        return;
    }
    d->seed = s;
    if (d->kind == D_IMPORT) {
        hc_decl *prev = hc_symtab_put(s->aliases, d->name.name, d);
        if (prev) {
            hc_note(hc_error(P->d, d->name.pos, "import alias `%s` is used twice", d->name.name),
                    prev->name.pos, "first used here");
        }
        return;
    }
    hc_decl *prev = hc_symtab_put(s->names, d->name.name, d);
    if (prev) {
        hc_note(hc_help(hc_error(P->d, d->name.pos, "`%s` is declared twice", d->name.name),
                        "every top-level name in a seed (all .hl files of a directory) is shared; "
                        "rename one of them"),
                prev->name.pos, "first declared here");
    }
}

static void build_tables(hc_program *P) {
    for (int i = 0; i < P->seeds.n; i++) {
        hc_seed *s = P->seeds.v[i];
        for (int j = 0; j < s->decls.n; j++) {
            declare(P, s, s->decls.v[j]);
            hc_decl *d = s->decls.v[j];
            for (int k = 0; k < d->members.n; k++) {
                d->members.v[k]->seed = s;
            }
        }
    }
}

hc_program *hc_load_path(hc_arena *a, hc_diags *d, const char *path) {
    hc_program *P = program_new(a, d);
    loader L = {0};
    L.P = P;
    struct stat st;
    hc_pos nowhere = {-1, 0, 0, 0};
    /* with nothing loaded there is nothing to check: parse_errors keeps the checker from
     * running over the bare standard library and reporting errors of its own */
    if (stat(path, &st) != 0) {
        hc_error(d, nowhere, "cannot open `%s`: %s", path, strerror(errno));
        P->parse_errors = hc_error_count(d);
        build_tables(P); /* the built-in seed is still checked */
        return P;
    }
    if (!S_ISDIR(st.st_mode) && !has_suffix(path, ".hl")) {
        hc_help(hc_error(d, nowhere, "`%s` is not a .hl file or a directory", path),
                "hale builds a Hale source file (NAME.hl) or a directory of them");
        P->parse_errors = hc_error_count(d);
        build_tables(P);
        return P;
    }
    P->root = load_seed(&L, path, &st, nowhere);
    P->root->is_root = 1;
    P->parse_errors = hc_error_count(d);
    build_tables(P);
    return P;
}

hc_program *hc_load_buffer(hc_arena *a, hc_diags *d, const char *name, const char *text,
                           size_t len) {
    hc_program *P = program_new(a, d);
    P->root = new_seed(P, name, ".");
    P->root->is_root = 1;
    parse_into(P, P->root, name, text, len);
    P->parse_errors = hc_error_count(d);
    build_tables(P);
    return P;
}

hc_decl *hc_seed_lookup(hc_program *P, hc_seed *seed, const char *name) {
    hc_decl *d = hc_symtab_get(seed->names, name);
    if (!d && P->std) {
        d = hc_symtab_get(P->std->names, name);
    }
    return d;
}

hc_decl *hc_std_type(hc_program *P, const hc_path *path) {
    static const struct {
        const char *path, *decl;
    } types[] = {{"bytes::BytesBuilder", "BytesBuilder"},
                 {"json::Builder", "JsonBuilder"},
                 {"io::tcp::Stream", "TcpStream"},
                 {"bus::UnixTransport", "BusTransport"},
                 {"bus::NngTransport", "BusTransport"},
                 {"bus::Transport", "BusTransport"},
                 {"str::ParseError", "ParseError"},
                 {"io::IoError", "IoError"},
                 {"str::Builder", "StrBuilder"},
                 {"io::file::File", "File"},
                 {"process::ProcessOutput", "ProcessOutput"},
                 {"process::Child", "Child"},
                 {"term::TermSize", "TermSize"},
                 {"term::RawMode", "RawMode"},
                 {"json::ArrayIter", "ArrayIter"},
                 {"json::ArrayIterSpan", "ArrayIterSpan"},
                 {"json::ObjectIterSpan", "ObjectIterSpan"},
                 {"json::JsonFieldRange", "JsonFieldRange"},
                 {"json::JsonError", "JsonError"},
                 {"http::Request", "HttpRequest"},
                 {"http::Response", "HttpResponse"},
                 {"http::Handler", "HttpHandler"},
                 {"http::Server", "HttpServer"},
                 {"http::Router", "HttpRouter"},
                 {"http::RouteHandler", "RouteHandler"},
                 {"http::Middleware", "HttpMiddleware"},
                 {"http::Context", "HttpContext"},
                 {"http::RouteParams", "RouteParams"},
                 {"http::ClientResponse", "ClientResponse"},
                 {"http::Url", "Url"},
                 {"http::HttpError", "HttpError"},
                 {"iter::Lines", "Lines"},
                 {"name::Convention", "NameConvention"},
                 {"tagged::Accumulator", "TaggedAccumulator"},
                 {"cli::Resolver", "CliResolver"},
                 {"yaml::Reader", "YamlReader"},
                 {"yaml::Builder", "YamlBuilder"},
                 {"log::Logger", "Logger"},
                 {"log::LogEvent", "LogEvent"},
                 {"log::StdoutSink", "LogStdoutSink"},
                 {"log::ConsoleSink", "LogConsoleSink"},
                 {"log::FileSink", "LogFileSink"}};
    if (path->n < 3 || path->n > 4 || strcmp(path->seg[0].name, "std") != 0 || !P->std) {
        return NULL;
    }
    char full[128] = "";
    for (int i = 1; i < path->n; i++) {
        if (strlen(full) + strlen(path->seg[i].name) + 3 >= sizeof full) {
            return NULL;
        }
        if (i > 1) {
            strcat(full, "::");
        }
        strcat(full, path->seg[i].name);
    }
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        if (strcmp(full, types[i].path) == 0) {
            return hc_symtab_get(P->std->names, types[i].decl);
        }
    }
    return NULL;
}

hc_seed *hc_seed_import(hc_seed *seed, const char *alias) {
    hc_decl *d = hc_symtab_get(seed->aliases, alias);
    return d ? d->imported : NULL;
}
