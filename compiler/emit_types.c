/* See emit.h. This file: C types for Hale types, and the per-type helpers generated on demand
 * (deep copy into a region, formatting, equality) plus the runtime type descriptors of
 * runtime/value.h. Scalars use runtime functions directly; a helper is generated once per type
 * and reached through its prototype, so mutually recursive types work. */
#include <stdio.h>
#include <string.h>

#include "emit_impl.h"

/* helper kinds, bit flags kept per type id */
enum { H_COPY = 1, H_FMT = 2, H_EQ = 4, H_DESC = 8, H_NAMES = 16 };

/* Whether helper `flag` of `t` is still to be generated; from now on it counts as generated. */
static int first_time(hc_emit *E, hc_type *t, int flag) {
    if (t->id >= E->ntflags) {
        int n = (t->id + 1) * 2;
        unsigned char *v = hc_alloc(E->a, (size_t)n);
        if (E->ntflags) {
            memcpy(v, E->tflags, (size_t)E->ntflags);
        }
        E->tflags = v;
        E->ntflags = n;
    }
    if (E->tflags[t->id] & flag) {
        return 0;
    }
    E->tflags[t->id] |= (unsigned char)flag;
    return 1;
}

const char *em_field(hc_emit *E, const char *name) {
    return hc_sprintf(E->a, "f_%s", name);
}

static hc_type *field_type(hc_decl *rec, int i) {
    hc_texpr *t = rec->fields.v[i].type;
    return t ? t->resolved : NULL;
}

void em_c_string(hc_buf *b, const char *s, int64_t len) {
    hc_buf_put(b, "\"", 1);
    for (int64_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            hc_buf_printf(b, "\\%c", c);
        } else if (c == '?') {
            hc_buf_puts(b, "\\?"); /* no trigraphs */
        } else if (c >= 32 && c < 127) {
            hc_buf_put(b, (const char *)&c, 1);
        } else {
            hc_buf_printf(b, "\\%03o", c);
        }
    }
    hc_buf_put(b, "\"", 1);
}

/* ---- C types ---- */

static void def_record(hc_emit *E, hc_type *t, const char *name) {
    hc_decl *d = t->decl;
    /* by-value dependencies first */
    for (int i = 0; i < d->fields.n; i++) {
        hc_type *ft = field_type(d, i);
        if (ft) {
            em_ctype(E, ft);
        }
    }
    hc_buf_printf(&E->types, "struct %s {\n", name);
    for (int i = 0; i < d->fields.n; i++) {
        hc_type *ft = field_type(d, i);
        hc_buf_printf(&E->types, "    %s %s;\n", ft ? em_ctype(E, ft) : "int64_t",
                      em_field(E, d->fields.v[i].name.name));
    }
    if (d->fields.n == 0) {
        hc_buf_puts(&E->types, "    char h_empty;\n");
    }
    hc_buf_puts(&E->types, "};\n");
}

const char *em_ctype(hc_emit *E, hc_type *t) {
    switch (t->kind) {
    case TY_ENUM:
        if (!em_enum_has_payload(t)) {
            return "int64_t";
        }
        return t->cname ? t->cname : em_enum_ctype(E, t);
    case TY_INT:
    case TY_DURATION:
    case TY_ERROR:
    case TY_UINT:
    case TY_TOPIC:
        return "int64_t";
    case TY_TIME:
        return "hale_str"; /* its spelling (Hale's v0 Time) */
    case TY_DECIMAL:
        return "hale_dec";
    case TY_FLOAT:
        return "double";
    case TY_BOOL:
        return "bool";
    case TY_STRING:
        return "hale_str";
    case TY_BYTES:
        return "hale_bytes";
    case TY_ARRAY:
        return "hale_array";
    case TY_UNIT:
    case TY_NEVER:
        return "void";
    case TY_LOCUS:
        return hc_sprintf(E->a, "%s *", em_locus_struct(E, t));
    case TY_IFACE:
        return "hale_iface";
    case TY_CELL:
        return hc_sprintf(E->a, "%s *", em_ctype(E, t->elem));
    default:
        break;
    }
    if (t->cname) {
        return t->cname;
    }
    switch (t->kind) {
    case TY_RECORD: {
        t->cname = hc_sprintf(E->a, "hr_%d_%s", t->id, t->decl->name.name);
        hc_buf_printf(&E->types, "typedef struct %s %s;\n", t->cname, t->cname);
        def_record(E, t, t->cname);
        return t->cname;
    }
    case TY_BOUNDED: {
        const char *elem = em_ctype(E, t->elem);
        t->cname = hc_sprintf(E->a, "hb_%d", t->id);
        hc_buf_printf(&E->types, "typedef struct { int64_t len; %s items[%lld]; } %s;\n", elem,
                      (long long)t->len, t->cname);
        return t->cname;
    }
    case TY_TUPLE: {
        for (int i = 0; i < t->nitems; i++) {
            em_ctype(E, t->items[i]);
        }
        t->cname = hc_sprintf(E->a, "ht_%d", t->id);
        hc_buf_printf(&E->types, "typedef struct {");
        for (int i = 0; i < t->nitems; i++) {
            hc_buf_printf(&E->types, " %s f%d;", em_ctype(E, t->items[i]), i);
        }
        hc_buf_printf(&E->types, " } %s;\n", t->cname);
        return t->cname;
    }
    case TY_FN: {
        hc_buf sig = {0};
        for (int i = 0; i < t->nitems; i++) {
            hc_buf_printf(&sig, ", %s", em_ctype(E, t->items[i]));
        }
        t->cname = hc_sprintf(E->a, "hfn_%d", t->id);
        hc_buf_printf(&E->types, "typedef %s (*%s)(hale_region *, hale_region *%s);\n",
                      em_ctype(E, t->elem), t->cname, hc_buf_cstr(&sig));
        hc_buf_free(&sig);
        return t->cname;
    }
    default:
        return "int64_t";
    }
}

const char *em_zero(hc_emit *E, hc_type *t) {
    if (em_enum_has_payload(t)) {
        return hc_sprintf(E->a, "((%s){0})", em_ctype(E, t));
    }
    switch (t->kind) {
    case TY_RECORD:
    case TY_BOUNDED:
    case TY_TUPLE:
    case TY_STRING:
    case TY_TIME:
    case TY_BYTES:
    case TY_ARRAY:
        return hc_sprintf(E->a, "((%s){0})", em_ctype(E, t));
    case TY_FLOAT:
        return "0.0";
    case TY_BOOL:
        return "false";
    case TY_FN:
    case TY_LOCUS:
    case TY_CELL:
        return "NULL";
    case TY_IFACE:
        return "((hale_iface){0})";
    default:
        return "INT64_C(0)";
    }
}

/* ---- enum names ---- */

static const char *enum_names(hc_emit *E, hc_type *t) {
    const char *name = hc_sprintf(E->a, "hen_%d", t->id);
    if (!first_time(E, t, H_NAMES)) {
        return name;
    }
    hc_decl *d = t->decl;
    hc_buf_printf(&E->types, "static const char *const %s[] = {", name);
    for (int i = 0; i < d->variants.n; i++) {
        hc_buf b = {0};
        hc_buf_printf(&b, "%s::%s", d->name.name, d->variants.v[i].name.name);
        hc_buf_puts(&E->types, i ? ", " : "");
        em_c_string(&E->types, b.p, (int64_t)b.len);
        hc_buf_free(&b);
    }
    hc_buf_puts(&E->types, "};\n");
    return name;
}

/* ---- deep copy ---- */

const char *em_copy_fn(hc_emit *E, hc_type *t) {
    if (!t->heap) {
        return NULL;
    }
    if (t->kind == TY_STRING || t->kind == TY_TIME) {
        return "hale_str_copy";
    }
    if (t->kind == TY_BYTES) {
        return "hale_bytes_copy_into";
    }
    if (t->kind == TY_LOCUS || t->kind == TY_IFACE) {
        return NULL;
    }
    const char *name = hc_sprintf(E->a, "hcopy_%d", t->id);
    if (!first_time(E, t, H_COPY)) {
        return name;
    }
    const char *ct = em_ctype(E, t);
    hc_buf_printf(&E->protos, "static %s %s(hale_region *r, %s v);\n", ct, name, ct);
    hc_buf *b = &E->helpers;
    hc_buf body = {0};
    switch (t->kind) {
    case TY_ARRAY: {
        const char *et = em_ctype(E, t->elem);
        const char *ec = em_copy_fn(E, t->elem);
        hc_buf_printf(&body,
                      "    hale_array o = hale_array_new(r, v.len, sizeof(%s), _Alignof(%s));\n",
                      et, et);
        if (ec) {
            hc_buf_printf(&body,
                          "    for (int64_t i = 0; i < v.len; i++) ((%s *)o.data)[i] = %s(r, "
                          "((%s *)v.data)[i]);\n",
                          et, ec, et);
        } else {
            hc_buf_printf(
                &body, "    if (v.len) memcpy(o.data, v.data, (size_t)v.len * sizeof(%s));\n", et);
        }
        hc_buf_puts(&body, "    return o;\n");
        break;
    }
    case TY_RECORD: {
        hc_decl *d = t->decl;
        for (int i = 0; i < d->fields.n; i++) {
            hc_type *ft = field_type(d, i);
            const char *fc = ft ? em_copy_fn(E, ft) : NULL;
            if (fc) {
                const char *fn = em_field(E, d->fields.v[i].name.name);
                hc_buf_printf(&body, "    v.%s = %s(r, v.%s);\n", fn, fc, fn);
            }
        }
        hc_buf_puts(&body, "    return v;\n");
        break;
    }
    case TY_BOUNDED: {
        const char *ec = em_copy_fn(E, t->elem);
        if (ec) {
            hc_buf_printf(&body,
                          "    for (int64_t i = 0; i < v.len; i++) v.items[i] = %s(r, "
                          "v.items[i]);\n",
                          ec);
        }
        hc_buf_puts(&body, "    return v;\n");
        break;
    }
    case TY_ENUM:
        em_enum_copy_body(E, t, &body);
        break;
    case TY_TUPLE:
        for (int i = 0; i < t->nitems; i++) {
            const char *ec = em_copy_fn(E, t->items[i]);
            if (ec) {
                hc_buf_printf(&body, "    v.f%d = %s(r, v.f%d);\n", i, ec, i);
            }
        }
        hc_buf_puts(&body, "    return v;\n");
        break;
    default:
        hc_buf_puts(&body, "    (void)r;\n    return v;\n");
    }
    hc_buf_printf(b, "static %s %s(hale_region *r, %s v) {\n%s}\n\n", ct, name, ct,
                  hc_buf_cstr(&body));
    hc_buf_free(&body);
    return name;
}

/* ---- formatting ---- */

const char *em_fmt_fn(hc_emit *E, hc_type *t) {
    switch (t->kind) {
    case TY_INT:
    case TY_ERROR:
        return "hale_fmt_int";
    case TY_FLOAT:
        return "hale_fmt_float";
    case TY_BOOL:
        return "hale_fmt_bool";
    case TY_STRING:
        return "hale_fmt_str";
    case TY_DURATION:
        return "hale_fmt_duration";
    case TY_DECIMAL:
        return "hale_fmt_decimal";
    case TY_TIME:
        return "hale_fmt_time";
    case TY_BYTES:
        return "hale_fmt_bytes";
    default:
        break;
    }
    const char *name = hc_sprintf(E->a, "hfmt_%d", t->id);
    if (!first_time(E, t, H_FMT)) {
        return name;
    }
    const char *ct = em_ctype(E, t);
    hc_buf_printf(&E->protos, "static void %s(hale_sbuf *b, %s v, int nested);\n", name, ct);
    hc_buf body = {0};
    switch (t->kind) {
    case TY_ENUM:
        if (em_enum_has_payload(t)) {
            em_enum_fmt_body(E, t, enum_names(E, t), &body);
            break;
        }
        hc_buf_printf(&body, "    (void)nested;\n    hale_sbuf_puts(b, %s[v]);\n",
                      enum_names(E, t));
        break;
    case TY_RECORD: {
        hc_decl *d = t->decl;
        hc_buf_puts(&body, "    (void)nested;\n");
        hc_buf_printf(&body, "    hale_sbuf_puts(b, \"%s {%s\");\n", d->name.name,
                      d->fields.n ? " " : "");
        for (int i = 0; i < d->fields.n; i++) {
            hc_type *ft = field_type(d, i);
            hc_buf_printf(&body, "    hale_sbuf_puts(b, \"%s%s: \");\n", i ? ", " : "",
                          d->fields.v[i].name.name);
            hc_buf_printf(&body, "    %s(b, v.%s, 1);\n", ft ? em_fmt_fn(E, ft) : "hale_fmt_int",
                          em_field(E, d->fields.v[i].name.name));
        }
        hc_buf_printf(&body, "    hale_sbuf_puts(b, \"%s}\");\n", d->fields.n ? " " : "");
        break;
    }
    case TY_ARRAY:
    case TY_BOUNDED: {
        const char *et = em_ctype(E, t->elem);
        const char *ef = em_fmt_fn(E, t->elem);
        hc_buf_puts(&body, "    (void)nested;\n    hale_sbuf_puts(b, \"[\");\n");
        if (t->kind == TY_ARRAY) {
            hc_buf_printf(&body,
                          "    for (int64_t i = 0; i < v.len; i++) { if (i) hale_sbuf_puts(b, "
                          "\", \"); %s(b, ((%s *)v.data)[i], 1); }\n",
                          ef, et);
        } else {
            hc_buf_printf(&body,
                          "    for (int64_t i = 0; i < v.len; i++) { if (i) hale_sbuf_puts(b, "
                          "\", \"); %s(b, v.items[i], 1); }\n",
                          ef);
        }
        hc_buf_puts(&body, "    hale_sbuf_puts(b, \"]\");\n");
        break;
    }
    case TY_TUPLE:
        hc_buf_puts(&body, "    (void)nested;\n    hale_sbuf_puts(b, \"(\");\n");
        for (int i = 0; i < t->nitems; i++) {
            hc_buf_printf(&body, "    %s%s(b, v.f%d, 1);\n", i ? "hale_sbuf_puts(b, \", \"); " : "",
                          em_fmt_fn(E, t->items[i]), i);
        }
        hc_buf_puts(&body, "    hale_sbuf_puts(b, \")\");\n");
        break;
    default:
        hc_buf_puts(&body, "    (void)nested; (void)v;\n    hale_sbuf_puts(b, \"<value>\");\n");
    }
    hc_buf_printf(&E->helpers, "static void %s(hale_sbuf *b, %s v, int nested) {\n%s}\n\n", name,
                  ct, hc_buf_cstr(&body));
    hc_buf_free(&body);
    return name;
}

/* ---- equality ---- */

const char *em_eq_fn(hc_emit *E, hc_type *t) {
    switch (t->kind) {
    case TY_STRING:
    case TY_TIME:
        return "hale_str_eq";
    case TY_ENUM:
        if (!em_enum_has_payload(t)) {
            return NULL;
        }
        break;
    case TY_RECORD:
    case TY_ARRAY:
    case TY_BOUNDED:
    case TY_TUPLE:
        break;
    default:
        return NULL; /* C == */
    }
    const char *name = hc_sprintf(E->a, "heq_%d", t->id);
    if (!first_time(E, t, H_EQ)) {
        return name;
    }
    const char *ct = em_ctype(E, t);
    hc_buf_printf(&E->protos, "static bool %s(%s a, %s b);\n", name, ct, ct);
    hc_buf body = {0};
#define CMP(fnname, x, y)                                                                          \
    ((fnname) ? hc_sprintf(E->a, "%s(%s, %s)", (fnname), (x), (y))                                 \
              : hc_sprintf(E->a, "(%s) == (%s)", (x), (y)))
    switch (t->kind) {
    case TY_RECORD: {
        hc_decl *d = t->decl;
        for (int i = 0; i < d->fields.n; i++) {
            hc_type *ft = field_type(d, i);
            const char *fn = em_field(E, d->fields.v[i].name.name);
            const char *x = hc_sprintf(E->a, "a.%s", fn), *y = hc_sprintf(E->a, "b.%s", fn);
            hc_buf_printf(&body, "    if (!(%s)) return false;\n", CMP(em_eq_fn(E, ft), x, y));
        }
        break;
    }
    case TY_ARRAY: {
        const char *et = em_ctype(E, t->elem);
        const char *x = hc_sprintf(E->a, "((%s *)a.data)[i]", et);
        const char *y = hc_sprintf(E->a, "((%s *)b.data)[i]", et);
        hc_buf_printf(&body,
                      "    if (a.len != b.len) return false;\n    for (int64_t i = 0; i < a.len; "
                      "i++) if (!(%s)) return false;\n",
                      CMP(em_eq_fn(E, t->elem), x, y));
        break;
    }
    case TY_BOUNDED:
        hc_buf_printf(&body,
                      "    if (a.len != b.len) return false;\n    for (int64_t i = 0; i < a.len; "
                      "i++) if (!(%s)) return false;\n",
                      CMP(em_eq_fn(E, t->elem), "a.items[i]", "b.items[i]"));
        break;
    case TY_ENUM:
        em_enum_eq_body(E, t, &body);
        break;
    default:
        for (int i = 0; i < t->nitems; i++) {
            const char *x = hc_sprintf(E->a, "a.f%d", i), *y = hc_sprintf(E->a, "b.f%d", i);
            hc_buf_printf(&body, "    if (!(%s)) return false;\n",
                          CMP(em_eq_fn(E, t->items[i]), x, y));
        }
    }
#undef CMP
    hc_buf_printf(&E->helpers, "static bool %s(%s a, %s b) {\n%s    return true;\n}\n\n", name, ct,
                  ct, hc_buf_cstr(&body));
    hc_buf_free(&body);
    return name;
}

/* ---- runtime type descriptors (runtime/value.h) ---- */

static uint64_t fnv(uint64_t h, const char *s) {
    for (; *s; s++) {
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    }
    return h;
}

/* Structure hashed to a bounded depth: records reachable through arrays may be recursive. */
static uint64_t fingerprint_at(hc_emit *E, hc_type *t, int depth) {
    uint64_t h = 1469598103934665603ull;
    h = fnv(h, hc_type_name(E->a, t));
    if (depth > 6) {
        return h;
    }
    if (t->kind == TY_RECORD) {
        for (int i = 0; i < t->decl->fields.n; i++) {
            hc_type *ft = field_type(t->decl, i);
            h = fnv(h, t->decl->fields.v[i].name.name);
            h = ft ? (h ^ fingerprint_at(E, ft, depth + 1)) * 1099511628211ull : h;
        }
    } else if (t->kind == TY_ENUM) {
        for (int i = 0; i < t->decl->variants.n; i++) {
            h = fnv(h, t->decl->variants.v[i].name.name);
        }
    } else if (t->elem) {
        h = (h ^ fingerprint_at(E, t->elem, depth + 1)) * 1099511628211ull;
    }
    return h;
}

static uint64_t fingerprint(hc_emit *E, hc_type *t) {
    return fingerprint_at(E, t, 0);
}

const char *em_descriptor(hc_emit *E, hc_type *t) {
    switch (t->kind) {
    case TY_INT:
        return "&hale_type_int";
    case TY_FLOAT:
        return "&hale_type_float";
    case TY_BOOL:
        return "&hale_type_bool";
    case TY_DURATION:
        return "&hale_type_duration";
    case TY_DECIMAL:
        return "&hale_type_decimal";
    case TY_STRING:
    case TY_TIME:
        return "&hale_type_string";
    case TY_BYTES:
        return "&hale_type_bytes";
    case TY_FN:
        /* a function pointer is one flat word: copied and compared as one (same size as Int) */
        return "&hale_type_int";
    case TY_IFACE:
        /* a reference to a locus and its table: copied as it is */
        return "&hale_type_iface";
    case TY_RECORD:
    case TY_ENUM:
    case TY_ARRAY:
    case TY_BOUNDED:
    case TY_TUPLE:
        break;
    default:
        return "NULL";
    }
    const char *name = hc_sprintf(E->a, "htd_%d", t->id);
    if (!first_time(E, t, H_DESC)) {
        return hc_sprintf(E->a, "&%s", name);
    }
    const char *ct = em_ctype(E, t);
    hc_buf_printf(&E->protos, "static const hale_type %s;\n", name);
    hc_buf *b = &E->descs;
    hc_buf tname = {0};
    em_c_string(&tname, hc_type_name(E->a, t), (int64_t)strlen(hc_type_name(E->a, t)));
    unsigned long long fp = (unsigned long long)fingerprint(E, t);
    switch (t->kind) {
    case TY_RECORD:
    case TY_TUPLE: {
        int n = t->kind == TY_RECORD ? t->decl->fields.n : t->nitems;
        hc_buf fields = {0};
        for (int i = 0; i < n; i++) {
            hc_type *ft = t->kind == TY_RECORD ? field_type(t->decl, i) : t->items[i];
            const char *fname =
                t->kind == TY_RECORD ? t->decl->fields.v[i].name.name : hc_sprintf(E->a, "%d", i);
            const char *cf = t->kind == TY_RECORD ? em_field(E, fname) : hc_sprintf(E->a, "f%d", i);
            hc_buf_printf(&fields, "    {\"%s\", offsetof(%s, %s), %s},\n", fname, ct, cf,
                          ft ? em_descriptor(E, ft) : "NULL");
        }
        if (n) {
            hc_buf_printf(b, "static const hale_field htf_%d[] = {\n%s};\n", t->id,
                          hc_buf_cstr(&fields));
        }
        hc_buf_printf(b,
                      "static const hale_type %s = {.kind = HALE_T_RECORD, .name = %s, .size = "
                      "sizeof(%s), .align = _Alignof(%s), .flat = %s, .fingerprint = %lluull, "
                      ".fields = %s, .nfields = %d};\n",
                      name, hc_buf_cstr(&tname), ct, ct, t->heap ? "false" : "true", fp,
                      n ? hc_sprintf(E->a, "htf_%d", t->id) : "NULL", n);
        hc_buf_free(&fields);
        break;
    }
    case TY_ENUM:
        if (em_enum_has_payload(t)) {
            em_enum_descriptor(E, t, name, hc_buf_cstr(&tname), fp);
            break;
        }
        hc_buf_printf(b,
                      "static const hale_type %s = {.kind = HALE_T_ENUM, .name = %s, .size = "
                      "sizeof(int64_t), .align = _Alignof(int64_t), .flat = true, .fingerprint = "
                      "%lluull, .variants = %s, .nvariants = %d};\n",
                      name, hc_buf_cstr(&tname), fp, enum_names(E, t), t->decl->variants.n);
        break;
    case TY_ARRAY:
        hc_buf_printf(b,
                      "static const hale_type %s = {.kind = HALE_T_ARRAY, .name = %s, .size = "
                      "sizeof(hale_array), .align = _Alignof(hale_array), .flat = false, "
                      ".fingerprint = %lluull, .elem = %s};\n",
                      name, hc_buf_cstr(&tname), fp, em_descriptor(E, t->elem));
        break;
    default: /* bounded */
        hc_buf_printf(b,
                      "static const hale_type %s = {.kind = HALE_T_BOUNDED, .name = %s, .size = "
                      "sizeof(%s), .align = _Alignof(%s), .flat = %s, .fingerprint = %lluull, "
                      ".elem = %s, .capacity = %lld, .items_offset = offsetof(%s, items)};\n",
                      name, hc_buf_cstr(&tname), ct, ct, t->heap ? "false" : "true", fp,
                      em_descriptor(E, t->elem), (long long)t->len, ct);
    }
    hc_buf_free(&tname);
    return hc_sprintf(E->a, "&%s", name);
}
